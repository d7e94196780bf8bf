package demo

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
)

// MustBundle decodes the embedded bundle or fails the test.
func MustBundle(tb testing.TB) *advisory.Set {
	tb.Helper()
	set, err := Bundle()
	if err != nil {
		tb.Fatalf("Bundle() = %v", err)
	}
	return set
}

// demoNow is the morning the tests' scans are decided on.
func demoNow() time.Time { return time.Date(2024, 11, 4, 7, 40, 0, 0, time.UTC) }

func TestOrganisations(t *testing.T) {
	t.Parallel()
	orgs := Organisations(MustBundle(t))
	tests := []struct {
		name, kind string
		size       int // ±10%
	}{
		{"St. Elisabeth University Hospital", KindHospital, 2000},
		{"Praxis Dr. Weber", KindPractice, 25},
		{"Rettungsleitstelle Nord", KindEMS, 150},
	}
	if len(orgs) != len(tests) {
		t.Fatalf("Organisations() = %d organisations, want %d", len(orgs), len(tests))
	}
	for i, tt := range tests {
		o := orgs[i]
		t.Run(tt.kind, func(t *testing.T) {
			if o.Name != tt.name || o.Kind != tt.kind || o.Country != "DE" {
				t.Errorf("organisation %d = %q (%s, %s), want %q (%s, DE)", i, o.Name, o.Kind, o.Country, tt.name, tt.kind)
			}
			if n := len(o.Assets); n < tt.size*9/10 || n > tt.size*11/10 {
				t.Errorf("%s has %d assets, want %d ± 10%%", o.Name, n, tt.size)
			}
			ids, names := map[string]bool{}, map[string]bool{}
			for _, a := range o.Assets {
				if err := a.Validate(); err != nil {
					t.Errorf("asset %s: Validate() = %v", a.ID, err)
				}
				if ids[a.ID] {
					t.Errorf("asset id %s repeats", a.ID)
				}
				if names[a.Name] {
					t.Errorf("asset name %q repeats", a.Name)
				}
				ids[a.ID], names[a.Name] = true, true
				if a.Name == "" || a.Kind == "" || a.Location == "" || a.Zone == "" || a.Owner == "" ||
					a.Exposure == "" || a.ClinicalRole == "" || a.PatchAuthority == "" || a.Version == "" {
					t.Errorf("asset %s lacks a name, kind, location, zone, owner, exposure, role, patch authority or version: %+v", a.ID, a)
				}
				if a.Zone == zoneMedical && a.PatchAuthority != inventory.PatchVendor {
					t.Errorf("medical device %s (%s) may be patched by the organisation; want the vendor", a.ID, a.Name)
				}
			}
		})
	}
}

func TestOrganisations_Deterministic(t *testing.T) {
	t.Parallel()
	set := MustBundle(t)
	a, b := Organisations(set), Organisations(set)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("Organisations() differs between calls (-first +second):\n%s", diff)
	}
	// The versions written in the catalogues are where the bundle places
	// the patch-following fleets, so a nil set gives the same inventories.
	if diff := cmp.Diff(a, Organisations(nil)); diff != "" {
		t.Errorf("Organisations(bundle) != Organisations(nil): update the catalogue's Windows and iPadOS versions (-bundle +nil):\n%s", diff)
	}
}

func TestLadders(t *testing.T) {
	t.Parallel()
	fix := func(vendor, name string, fixed ...string) *advisory.Advisory {
		af := advisory.Affect{Product: advisory.Identity{Vendor: vendor, Name: name}}
		for _, f := range fixed {
			af.Ranges = append(af.Ranges, advisory.Range{Status: advisory.StatusKnownAffected, Introduced: "10.0.0", Fixed: f})
		}
		return &advisory.Advisory{Vulnerabilities: []advisory.Vulnerability{{Affects: []advisory.Affect{af}}}}
	}
	set := &advisory.Set{Advisories: []*advisory.Advisory{
		fix("Microsoft", "Windows Server 2022", "10.0.20348.2655", "10.0.20348..2762"),
		fix("Microsoft Corporation", "windows server 2022", "10.0.20348.2700", "10.0.20348.2655"),
		fix("Microsoft", "Windows 11 Version 23H2", "unknown"),
	}}
	l := newLadders(set)
	srv := product{vendor: "Microsoft", name: "Windows Server 2022"}
	tests := []struct {
		name string
		p    product
		r    release
		want string
	}{
		{"current: the newest fix, its typo mended", srv, current("x"), "10.0.20348.2762"},
		{"one behind", srv, behind(1, "x"), "10.0.20348.2700"},
		{"two behind: equal fixes counted once", srv, behind(2, "x"), "10.0.20348.2655"},
		{"further behind than the ladder: as written", srv, behind(3, "x"), "x"},
		{"a fixed version is never moved", srv, at("10.0.20348.1"), "10.0.20348.1"},
		{"no comparable fixes: as written", product{vendor: "Microsoft", name: "Windows 11 Version 23H2"}, current("10.0.22631.4317"), "10.0.22631.4317"},
		{"unknown product: as written", product{vendor: "Apple", name: "iOS and iPadOS"}, current("17.5"), "17.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := l.version(&tt.p, tt.r); got != tt.want {
				t.Errorf("version(%s, %+v) = %q, want %q", tt.p.name, tt.r, got, tt.want)
			}
		})
	}
	if got := newLadders(nil).version(&srv, current("as written")); got != "as written" {
		t.Errorf("with a nil set, version() = %q, want the catalogue's", got)
	}
}

func TestFleet(t *testing.T) {
	t.Parallel()
	b := newBuilder("T", 1, newLadders(nil))
	p := product{tag: "X", vendor: "V", name: "N", cpe: "cpe:2.3:o:v:n:*:*:*:*:*:*:*:*"}
	b.fleet(10, p, "Pump", "Ward", share(3, at("1.0")), share(7, at("2.0 beta")))
	b.fleet(1, p, "Router", "Office", all(at("")))
	versions := map[string]int{}
	for i, a := range b.assets[:10] {
		versions[a.Version]++
		if want := fmt.Sprintf("T-X-%04d", i+1); a.ID != want {
			t.Errorf("asset %d: id %q, want %q", i, a.ID, want)
		}
		if want := fmt.Sprintf("Pump %d", i+1); a.Name != want {
			t.Errorf("asset %d: name %q, want %q", i, a.Name, want)
		}
	}
	if want := map[string]int{"1.0": 3, "2.0 beta": 7}; !maps.Equal(versions, want) {
		t.Errorf("fleet() versions %v, want %v", versions, want)
	}
	for _, a := range b.assets[:10] {
		want := map[string]string{"1.0": "cpe:2.3:o:v:n:1.0:*:*:*:*:*:*:*", "2.0 beta": "cpe:2.3:o:v:n:2.0_beta:*:*:*:*:*:*:*"}[a.Version]
		if a.CPE != want {
			t.Errorf("asset %s (%s): CPE %q, want %q", a.ID, a.Version, a.CPE, want)
		}
	}
	if got := b.assets[len(b.assets)-1]; got.Name != "Router" || got.CPE != "cpe:2.3:o:v:n:*:*:*:*:*:*:*:*" {
		t.Errorf("single asset: name %q, CPE %q; want the label alone and an ANY version", got.Name, got.CPE)
	}
}

// TestOrganisations_Findings is the point of the demo: scanned against the
// bundle, each organisation shows what its people need to see.
func TestOrganisations_Findings(t *testing.T) {
	t.Parallel()
	set := MustBundle(t)
	for _, o := range Organisations(set) {
		t.Run(o.Kind, func(t *testing.T) {
			rep := scan.Assess(o.Assets, set, scan.Options{Now: demoNow()})
			t.Logf("%s: %d assets, %d affected, %d findings: %v; %v", o.Name, len(o.Assets), rep.Summary.AffectedAssets,
				rep.Summary.Findings, rep.Summary.ByDecision, rep.Summary.ByConfidence)
			byID := map[string]*inventory.Asset{}
			for i := range o.Assets {
				byID[o.Assets[i].ID] = &o.Assets[i]
			}
			for _, d := range risk.Decisions {
				if rep.Summary.ByDecision[string(d)] == 0 && o.Kind != KindPractice {
					t.Errorf("%s has no %s finding", o.Name, d)
				}
			}
			switch o.Kind {
			case KindPractice:
				// Dr. Weber's Monday card: update the router, nothing else.
				var act []string
				for _, it := range rep.Findings {
					if it.Decision == risk.Act {
						act = append(act, byID[it.AssetID].Kind+" "+it.CVE)
					}
				}
				if want := []string{"router CVE-2020-15415"}; !slices.Equal(act, want) {
					t.Errorf("the practice's act findings = %v, want %v", act, want)
				}
			case KindHospital:
				// Biomedical engineering sees every kind of finding on
				// medical devices.
				medical := map[string]bool{}
				for _, it := range rep.Findings {
					if byID[it.AssetID].Zone == zoneMedical {
						medical[string(it.Decision)] = true
						medical[string(it.Confidence)] = true
					}
				}
				for _, want := range []string{string(risk.Act), string(risk.Attend), string(risk.Track), string(match.Possible), string(match.Confirmed)} {
					if !medical[want] {
						t.Errorf("no %s finding on the hospital's medical devices", want)
					}
				}
				if act := rep.Summary.ByDecision[string(risk.Act)]; act*5 > rep.Summary.Findings {
					t.Errorf("%d of %d findings are act: want most to be tracked", act, rep.Summary.Findings)
				}
			case KindEMS:
				// Tomasz Nowak's 03:12 alert: the CAD vendor's remote access.
				first := rep.Findings[0]
				if a := byID[first.AssetID]; first.Decision != risk.Act || a.Kind != "remote-access" || !first.KEV {
					t.Errorf("the dispatch centre's first item is %s on %s (%s), want act on the CAD vendor's remote access",
						first.Decision, a.Name, first.CVE)
				}
			}
			if rep.Summary.AffectedAssets*2 > len(o.Assets) {
				t.Errorf("%d of %d assets are affected: want most to be quiet", rep.Summary.AffectedAssets, len(o.Assets))
			}
		})
	}
}

func BenchmarkOrganisations(b *testing.B) {
	set := MustBundle(b)
	for b.Loop() {
		Organisations(set)
	}
}

func BenchmarkAssess(b *testing.B) {
	set := MustBundle(b)
	for _, o := range Organisations(set) {
		b.Run(o.Kind, func(b *testing.B) {
			for b.Loop() {
				scan.Assess(o.Assets, set, scan.Options{Now: demoNow()})
			}
		})
	}
}
