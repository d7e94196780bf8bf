package engine_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/synth"
	"github.com/ward-health/ward/internal/testenv"
)

// BenchmarkRematchOneAdvisory measures the re-match that follows a sync
// which brought one advisory: an organisation of 100,000 synthetic assets
// (from the real CISA ICSMA advisories) in SQLite is matched against that
// advisory only and its findings are stored. The first re-match builds the
// organisation's match index (reported as cold-ms); the loop measures the
// re-matches after it.
func BenchmarkRematchOneAdvisory(b *testing.B) {
	ctx := b.Context()
	set, err := advisory.Load(ctx, []string{testenv.SharedData(b, "csaf", "cisa-icsma")}, advisory.Options{})
	if err != nil || len(set.Advisories) == 0 {
		b.Fatalf("advisory.Load() = %d advisories, %v", len(set.Advisories), err)
	}
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "ward.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	org, err := s.CreateOrg(ctx, store.Organisation{Name: "Universitätsklinikum", Kind: store.KindHospital, Country: "DE"})
	if err != nil {
		b.Fatal(err)
	}
	assets := synth.NewPool(set.Advisories).Generate(100_000, 1, "a")
	for i := 0; i < len(assets); i += 10_000 {
		if _, err := s.ImportAssets(ctx, org.ID, assets[i:min(i+10_000, len(assets))], store.Merge); err != nil {
			b.Fatal(err)
		}
	}
	eng, err := engine.New(engine.Config{Store: s, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	cat := engine.NewCatalog(set)
	start := time.Now()
	if _, err := eng.RematchAdvisories(ctx, org.ID, cat, []string{set.Advisories[0].ID}); err != nil {
		b.Fatal(err)
	}
	cold := time.Since(start)
	i, findings := 1, 0
	for b.Loop() {
		a := set.Advisories[i%len(set.Advisories)]
		i++
		counts, err := eng.RematchAdvisories(ctx, org.ID, cat, []string{a.ID})
		if err != nil {
			b.Fatal(err)
		}
		findings += counts.New + counts.Updated
	}
	b.ReportMetric(float64(cold.Milliseconds()), "cold-ms")
	b.ReportMetric(float64(findings)/float64(i-1), "findings/op")
}
