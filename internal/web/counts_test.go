package web

import (
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
)

// The counters are cached: another process's change shows after countsTTL
// (counted in the background), this server's own change at once.
func TestCountCache(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	org, err := st.CreateOrg(ctx, store.Organisation{Name: "Praxis", Kind: store.KindPractice, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportAssets(ctx, org.ID, []inventory.Asset{{ID: "a", Name: "Router", Vendor: "AVM", Product: "FRITZ!Box"}, {ID: "b", Name: "PC", Vendor: "Dell", Product: "OptiPlex"}}, store.Merge); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	items := []scan.Item{
		{AssetID: "a", AdvisoryID: "ADV-1", CVE: "CVE-2026-1", Confidence: match.Confirmed, Decision: risk.Act},
		{AssetID: "b", AdvisoryID: "ADV-1", CVE: "CVE-2026-1", Confidence: match.Confirmed, Decision: risk.Act},
	}
	if _, err := st.SyncFindings(ctx, org.ID, items, start); err != nil {
		t.Fatal(err)
	}
	var now atomic.Int64
	now.Store(start.UnixNano())
	c := newCountCache(func() time.Time { return time.Unix(0, now.Load()) })
	act := func() int {
		t.Helper()
		counts, err := c.get(ctx, st, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range counts {
			if x.Decision == risk.Act {
				n += x.Count
			}
		}
		return n
	}
	if got := act(); got != 2 {
		t.Fatalf("act = %d, want 2", got)
	}
	mitigate := func(asset string) {
		t.Helper()
		key := store.FindingKey{AssetID: asset, AdvisoryID: "ADV-1", VulnID: "CVE-2026-1"}
		if _, err := st.UpdateFindingState(ctx, org.ID, key, store.Transition{To: store.StateResolved, Actor: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	mitigate("a") // as another process would
	if got := act(); got != 2 {
		t.Errorf("act right after another process's change = %d, want the cached 2", got)
	}
	now.Add(int64(countsTTL))
	deadline := time.Now().Add(10 * time.Second)
	for act() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the background count never replaced the stale counts")
		}
		time.Sleep(10 * time.Millisecond)
	}
	mitigate("b") // as this server would, then forgetting
	c.forget(org.ID)
	if got := act(); got != 0 {
		t.Errorf("act after forget = %d, want 0", got)
	}
}

// A new server counts every site organisation's open findings before it
// says it is ready.
func TestServer_WarmsCounts(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	site, err := st.CreateOrg(ctx, store.Organisation{Name: "Praxis", Kind: store.KindPractice, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	hub, err := st.CreateOrg(ctx, store.Organisation{Name: "Support centre", Kind: store.KindHub, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{store: st, counts: newCountCache(time.Now), warmed: make(chan struct{}), log: slog.New(slog.DiscardHandler)}
	s.warmCounts()
	select {
	case <-s.warmed:
	default:
		t.Fatal("warmCounts did not say it is done")
	}
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	if e := s.counts.m[site.ID]; e == nil || e.counts == nil {
		t.Errorf("the site's counts were not counted ahead")
	}
	if s.counts.m[hub.ID] != nil {
		t.Errorf("the hub's organisation, which has no findings, was counted")
	}
}
