package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// benchAssets returns n assets shaped like a hospital's: a name, a zone,
// identity, a firmware component.
func benchAssets(n int) []inventory.Asset {
	zones := []string{"office", "imaging", "icu", "lab", "servers"}
	assets := make([]inventory.Asset, n)
	for i := range assets {
		assets[i] = inventory.Asset{
			ID: fmt.Sprintf("asset-%06d", i), Name: fmt.Sprintf("Device %d", i), Kind: "workstation",
			Vendor: "Philips", Product: "IntelliVue MX800", Version: fmt.Sprintf("M.%02d", i%40),
			CPE: "cpe:2.3:h:philips:intellivue_mx800:-:*:*:*:*:*:*:*", Location: "Building 4",
			Zone: zones[i%len(zones)], Exposure: inventory.Exposures[i%4], ClinicalRole: inventory.ClinicalRoles[i%5],
			Components: []inventory.Component{{Kind: "firmware", Vendor: "Philips", Name: "IntelliVue firmware", Version: "M.00.03"}},
			Source:     fmt.Sprintf("inventory.csv:%d", i+2),
		}
	}
	return assets
}

// benchItems returns n scan items over n/10 assets, decided and explained
// as a real scan's are.
func benchItems(n int) []scan.Item {
	items := make([]scan.Item, n)
	for i := range items {
		d := risk.Decisions[i%len(risk.Decisions)]
		items[i] = scan.Item{
			AssetID: fmt.Sprintf("asset-%06d", i/10), AssetName: fmt.Sprintf("Device %d", i/10), AssetSource: "inventory.csv:2",
			AdvisoryID: fmt.Sprintf("ICSMA-%02d-%03d-01", 17+i%8, i%10), AdvisoryTitle: "Philips IntelliVue Patient Monitors",
			AdvisoryURL: "https://www.cisa.gov/news-events/ics-medical-advisories", Source: "CISA", CVE: fmt.Sprintf("CVE-2024-%05d", i%10),
			Product: "Philips IntelliVue MX800", Status: advisory.StatusKnownAffected, Confidence: match.Confirmed, Path: match.ViaCPE,
			Evidence: "cpe:2.3:h:philips:intellivue_mx800 matches", FixedIn: "M.00.04", Decision: d,
			Due: day(i % 180), Why: "active exploitation, internal exposure, very high human impact", KEV: i%17 == 0,
			EPSS: 0.12, CVSS: 8.8, Action: "Update to M.00.04", ActionKind: risk.ActUpdate,
			Steps: []string{"Ask Philips for M.00.04", "Schedule the update with the ward"},
		}
	}
	return items
}

// BenchImportAssets measures importing 10,000 assets into a new
// organisation of a store made by open.
func BenchImportAssets(b *testing.B, open func(b *testing.B) store.Store) {
	const n = 10_000
	s := open(b)
	assets := benchAssets(n)
	i := 0
	for b.Loop() {
		i++
		org := MustOrg(b, s, fmt.Sprint("bench ", i))
		if _, err := s.ImportAssets(b.Context(), org.ID, assets, store.Replace); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "assets/s")
}

// BenchListFindings measures reading one page of 50 out of 100,000 findings
// of a store made by open: the first page, a page from the middle (by
// cursor), and the first page of open act findings.
func BenchListFindings(b *testing.B, open func(b *testing.B) store.Store) {
	const n = 100_000
	s := open(b)
	org := MustOrg(b, s, "bench")
	start := time.Now()
	if _, err := s.SyncFindings(b.Context(), org.ID, benchItems(n), day(0)); err != nil {
		b.Fatal(err)
	}
	b.Logf("SyncFindings(%d new findings) took %v", n, time.Since(start))
	middle := store.ListOptions{Limit: 50}
	for range n / 2 / store.MaxLimit {
		p, err := s.ListFindings(b.Context(), org.ID, store.FindingFilter{}, store.ListOptions{Limit: store.MaxLimit, Cursor: middle.Cursor})
		if err != nil {
			b.Fatal(err)
		}
		middle.Cursor = p.Next
	}
	for _, bc := range []struct {
		name string
		f    store.FindingFilter
		opts store.ListOptions
	}{
		{"first", store.FindingFilter{}, store.ListOptions{Limit: 50}},
		{"middle", store.FindingFilter{}, middle},
		{"new_act", store.FindingFilter{States: []store.FindingState{store.StateNew}, Decisions: []risk.Decision{risk.Act}}, store.ListOptions{Limit: 50}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				p, err := s.ListFindings(b.Context(), org.ID, bc.f, bc.opts)
				if err != nil || len(p.Items) != 50 {
					b.Fatalf("ListFindings() = %d items, %v", len(p.Items), err)
				}
			}
		})
	}
}
