package match_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/synth"
	"github.com/ward-health/ward/internal/testenv"
)

// The benchmarks match generated inventories against every advisory in the
// shared data folder: CISA CSAF (medical and industrial), CVE JSON 5 records,
// the NVD response and the OSV records.
//
//	go test -run '^$' -bench . -benchmem ./internal/match

var loaded struct {
	once sync.Once
	set  *advisory.Set
	err  error
}

func sharedAdvisories(b *testing.B) *advisory.Set {
	b.Helper()
	paths := []string{
		testenv.SharedData(b, "csaf"),
		testenv.SharedData(b, "cve-vulnrichment"),
		testenv.SharedData(b, "nvd", "nvd-api", "testdata", "responses", "cves-2023.json.gz"),
		testenv.SharedData(b, "osv", "data"),
	}
	loaded.once.Do(func() {
		loaded.set, loaded.err = advisory.Load(b.Context(), paths, advisory.Options{})
	})
	if loaded.err != nil {
		b.Fatal(loaded.err)
	}
	return loaded.set
}

func BenchmarkMatcher_Match(b *testing.B) {
	set := sharedAdvisories(b)
	names := match.NewNames()
	pool := synth.NewPool(set.Advisories)
	m := match.NewMatcher(names, set.Advisories)
	for _, n := range []int{1_000, 10_000, 100_000} {
		assets := pool.Generate(n, 1, "A")
		b.Run(fmt.Sprintf("assets=%d", n), func(b *testing.B) {
			var findings int
			for b.Loop() {
				findings = len(m.Match(assets))
			}
			b.ReportMetric(float64(findings), "findings")
			b.ReportMetric(heapMB(), "heapMB")
		})
	}
}

func BenchmarkNewMatcher(b *testing.B) {
	set := sharedAdvisories(b)
	names := match.NewNames()
	var m *match.Matcher
	for b.Loop() {
		m = match.NewMatcher(names, set.Advisories)
	}
	b.ReportMetric(float64(m.Len()), "products")
	b.ReportMetric(float64(len(set.Advisories)), "advisories")
}

// BenchmarkInventoryIndex_MatchAdvisory matches one advisory at a time
// against an indexed inventory of 100,000 assets: what a site does when the
// hub publishes something new.
func BenchmarkInventoryIndex_MatchAdvisory(b *testing.B) {
	set := sharedAdvisories(b)
	names := match.NewNames()
	assets := synth.NewPool(set.Advisories).Generate(100_000, 1, "A")
	ix := match.NewInventoryIndex(names, assets)
	// Advisories with the most products are the expensive ones: take medical
	// advisories, which the generated inventory draws on.
	var advs []*advisory.Advisory
	for _, a := range set.Advisories {
		if a.Format == "csaf" {
			advs = append(advs, a)
		}
	}
	var findings int
	i := 0
	for b.Loop() {
		findings += len(ix.MatchAdvisory(advs[i%len(advs)]))
		i++
	}
	b.ReportMetric(float64(findings)/float64(i), "findings/op")
}

func BenchmarkNewInventoryIndex(b *testing.B) {
	set := sharedAdvisories(b)
	names := match.NewNames()
	assets := synth.NewPool(set.Advisories).Generate(100_000, 1, "A")
	for b.Loop() {
		match.NewInventoryIndex(names, assets)
	}
	b.ReportMetric(heapMB(), "heapMB")
	runtime.KeepAlive(assets)
}

func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}
