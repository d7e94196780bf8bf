package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
)

func TestBumpBelow(t *testing.T) {
	tests := []struct {
		in, bump, below string
	}{
		{"2.6.0", "2.6.1", "2.5.0"},
		{"2.6.1", "2.6.2", "2.6.0"},
		{"C.00.04", "C.00.05", "C.00.03"},
		{"C.00.10", "C.00.11", "C.00.09"}, // zero-padded: keeps its width
		{"2.6.10", "2.6.11", "2.6.9"},     // not padded: no leading zero appears
		{"2.6.9", "2.6.10", "2.6.8"},
		{"10", "11", "9"},
		{"1.0", "1.1", "0.0"}, // the last non-zero number is lowered
		{"2.0.0", "2.0.1", "1.0.0"},
		{"R4.1L1", "R4.1L2", "R4.1L0"},
		{"VA40A", "VA41A", "VA39A"},
		{"0", "1", ""}, // nothing below zero
		{"0.0", "0.1", ""},
		{"beta", "", ""}, // no number to shift
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := bump(tt.in); got != tt.bump {
				t.Errorf("bump(%q) = %q, want %q", tt.in, got, tt.bump)
			}
			if got := below(tt.in); got != tt.below {
				t.Errorf("below(%q) = %q, want %q", tt.in, got, tt.below)
			}
		})
	}
}

func TestVersionsAround(t *testing.T) {
	tests := []struct {
		name string
		r    advisory.Range
		want []string
	}{
		{"fixed: the fix and just below", advisory.Range{Fixed: "2.6.1"}, []string{"2.6.1", "2.6.0"}},
		{"introduced: it and just below", advisory.Range{Introduced: "7.4.0", Fixed: "7.4.3"}, []string{"7.4.0", "7.3.0", "7.4.3", "7.4.2"}},
		{"last affected: it and just above", advisory.Range{LastAffected: "C.00.04"}, []string{"C.00.04", "C.00.05"}},
		{"exact versions as given", advisory.Range{Exact: []string{"4.2.1", "R2.2.3"}}, []string{"4.2.1", "R2.2.3"}},
		{"introduced 0 adds nothing", advisory.Range{Introduced: "0", Fixed: "1.0"}, []string{"1.0", "0.0"}},
		{"fixed 0 has nothing below", advisory.Range{Fixed: "0"}, []string{"0"}},
		{"wildcards and words are dropped", advisory.Range{Exact: []string{"9.x", "All versions", "*"}, LastAffected: "2.X", Fixed: "unknown"}, nil},
		{"all versions gives none", advisory.Range{All: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, versionsAround(tt.r), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("versionsAround(%+v) mismatch (-want +got):\n%s", tt.r, diff)
			}
		})
	}
}

func affect(vendor, name string, r advisory.Range) advisory.Affect {
	r.Status = advisory.StatusKnownAffected
	return advisory.Affect{Product: advisory.Identity{Vendor: vendor, Name: name}, Ranges: []advisory.Range{r}}
}

func adv(id string, affects ...advisory.Affect) *advisory.Advisory {
	return &advisory.Advisory{ID: id, Vulnerabilities: []advisory.Vulnerability{{CVE: "CVE-2025-0001", Affects: affects}}}
}

// medicalAdvisories are ICSMA-like: their products become medical devices.
func medicalAdvisories() []*advisory.Advisory {
	return []*advisory.Advisory{
		adv("ICSMA-25-041-01",
			affect("Examplemed", "InfuFlow 3 infusion pump", advisory.Range{LastAffected: "4.2.1"}),
			affect("Examplemed", "SOMATOM CT scanner", advisory.Range{Fixed: "VA40A"})),
		adv("icsma-24-200-02", affect("PatientWatch", "Bedside monitor", advisory.Range{Exact: []string{"R2.2.3"}})),
	}
}

// itAdvisories are CVE-like: their products become IT assets.
func itAdvisories() []*advisory.Advisory {
	fortios := affect("Fortinet", "FortiOS", advisory.Range{Introduced: "7.4.0", Fixed: "7.4.3"})
	fortios.Product.CPEs = []string{"cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*"}
	lodash := advisory.Affect{Product: advisory.Identity{PURLs: []string{"pkg:npm/lodash"}},
		Ranges: []advisory.Range{{Status: advisory.StatusKnownAffected, Fixed: "4.17.21"}}}
	exchange := advisory.Affect{Product: advisory.Identity{CPEs: []string{"cpe:2.3:a:microsoft:exchange_server:2019:*:*:*:*:*:*:*"}},
		Ranges: []advisory.Range{{Status: advisory.StatusKnownAffected, Exact: []string{"15.2.1118.7"}}}}
	return []*advisory.Advisory{
		adv("CVE-2024-21762", fortios),
		adv("CVE-2021-23337", lodash),
		adv("CVE-2021-26855", exchange),
		// FortiOS without its CPE is another product: the CPE is part of its identity.
		adv("CVE-2023-27997", affect("fortinet", "fortios", advisory.Range{Fixed: "7.2.5"})),
		// Nothing to name the product by: skipped.
		adv("CVE-2020-0001", affect("", "", advisory.Range{Fixed: "1.0"})),
	}
}

func TestNewPool(t *testing.T) {
	p := NewPool(append(medicalAdvisories(), itAdvisories()...))
	type prod struct {
		Vendor, Name, CPE, PURL string
		Medical                 bool
		Versions                []string
	}
	var got []prod
	for _, pr := range p.products {
		got = append(got, prod{pr.vendor, pr.name, pr.cpe, pr.purl, pr.medical, pr.versions})
	}
	want := []prod{
		{"Examplemed", "InfuFlow 3 infusion pump", "", "", true, []string{"4.2.1", "4.2.2"}},
		{"Examplemed", "SOMATOM CT scanner", "", "", true, []string{"VA39A", "VA40A"}},
		{"PatientWatch", "Bedside monitor", "", "", true, []string{"R2.2.3"}},
		{"Fortinet", "FortiOS", "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", "", false, []string{"7.3.0", "7.4.0", "7.4.2", "7.4.3"}},
		{"", "", "", "pkg:npm/lodash", false, []string{"4.17.20", "4.17.21"}},
		{"microsoft", "exchange server", "cpe:2.3:a:microsoft:exchange_server:2019:*:*:*:*:*:*:*", "", false, []string{"15.2.1118.7"}},
		{"fortinet", "fortios", "", "", false, []string{"7.2.4", "7.2.5"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewPool() products mismatch (-want +got):\n%s", diff)
	}
	if p.Len() != len(want) {
		t.Errorf("Len() = %d, want %d", p.Len(), len(want))
	}
	if diff := cmp.Diff([]int{0, 1, 2}, p.medical); diff != "" {
		t.Errorf("NewPool() medical indexes mismatch (-want +got):\n%s", diff)
	}
}

func TestNewPool_Dedupes(t *testing.T) {
	a := medicalAdvisories()
	p := NewPool(append(a, adv("ICSMA-25-099-01", affect("EXAMPLEMED", "infuflow 3 INFUSION pump", advisory.Range{Fixed: "5.0"}))))
	if p.Len() != 3 {
		t.Fatalf("Len() = %d, want 3: the same product named in another case is one product", p.Len())
	}
	if diff := cmp.Diff([]string{"4.0", "4.2.1", "4.2.2", "5.0"}, p.products[0].versions); diff != "" {
		t.Errorf("merged versions mismatch (-want +got):\n%s", diff)
	}
}

func TestGenerate(t *testing.T) {
	const n = 2000
	tests := []struct {
		name         string
		advs         []*advisory.Advisory
		minMed       int // medical assets, inclusive bounds
		maxMed       int
		wantProducts int // distinct products drawn, at least
	}{
		{"both pools: about a quarter medical", append(medicalAdvisories(), itAdvisories()...), n * 18 / 100, n * 32 / 100, 7},
		{"medical only: all medical", medicalAdvisories(), n, n, 3},
		{"IT only: none medical", itAdvisories(), 0, 0, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPool(tt.advs)
			medical := map[string]bool{}
			versions := map[string][]string{}
			for _, pr := range p.products {
				medical[pr.name] = pr.medical
				versions[pr.name] = pr.versions
			}
			assets := p.Generate(n, 42, "S")
			if len(assets) != n {
				t.Fatalf("Generate(%d) = %d assets", n, len(assets))
			}
			ids := map[string]bool{}
			products := map[string]bool{}
			med := 0
			for i, a := range assets {
				if err := a.Validate(); err != nil {
					t.Errorf("asset %d: Validate() = %v", i, err)
				}
				if want := fmt.Sprintf("S%06d", i+1); a.ID != want {
					t.Errorf("asset %d: ID = %q, want %q", i, a.ID, want)
				}
				if ids[a.ID] {
					t.Errorf("asset %d: ID %q repeats", i, a.ID)
				}
				ids[a.ID] = true
				base, _, _ := strings.Cut(a.PURL, "@")
				products[a.Vendor+"|"+a.Product+"|"+base] = true
				name := a.Product
				if a.PURL != "" {
					name = "" // lodash: named by its PURL only
					base, v, _ := strings.Cut(a.PURL, "@")
					if base != "pkg:npm/lodash" || v != a.Version {
						t.Errorf("asset %s: PURL %q does not carry version %q", a.ID, a.PURL, a.Version)
					}
				}
				if !containsString(versions[name], a.Version) {
					t.Errorf("asset %s: version %q is not one of %s's %v", a.ID, a.Version, a.Product, versions[name])
				}
				if medical[name] {
					med++
					if a.PatchAuthority != inventory.PatchVendor || a.Zone != "medical-devices" || a.Owner != "Biomedical engineering" {
						t.Errorf("medical asset %s: patch %q, zone %q, owner %q; want vendor, medical-devices, Biomedical engineering",
							a.ID, a.PatchAuthority, a.Zone, a.Owner)
					}
				} else if a.PatchAuthority != inventory.PatchOrg {
					t.Errorf("IT asset %s: patch authority %q, want org", a.ID, a.PatchAuthority)
				}
			}
			if med < tt.minMed || med > tt.maxMed {
				t.Errorf("Generate() made %d medical assets of %d, want %d to %d", med, n, tt.minMed, tt.maxMed)
			}
			if len(products) < tt.wantProducts {
				t.Errorf("Generate() drew %d distinct products, want at least %d", len(products), tt.wantProducts)
			}
		})
	}
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func TestGenerate_Deterministic(t *testing.T) {
	p := NewPool(append(medicalAdvisories(), itAdvisories()...))
	a, b := p.Generate(300, 7, "A"), p.Generate(300, 7, "A")
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("Generate() with the same seed differs (-first +second):\n%s", diff)
	}
	if c := p.Generate(300, 8, "A"); cmp.Equal(a, c) {
		t.Errorf("Generate() with seeds 7 and 8 made the same inventory")
	}
	if got := p.Generate(0, 7, "A"); len(got) != 0 {
		t.Errorf("Generate(0) = %d assets, want none", len(got))
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		product  string
		medical  bool
		wantKind string
		wantRole inventory.ClinicalRole
	}{
		{"InfuFlow 3 infusion pump", true, "infusion-or-life-support", inventory.RoleLifeSustaining},
		{"SOMATOM CT scanner", true, "imaging", inventory.RoleDiagnostic},
		{"Bedside monitor", true, "patient-monitor", inventory.RoleDiagnostic},
		{"Product Manager Suite", true, "medical-system", inventory.RoleClinicalSupport}, // "ct" inside "product" is not CT
		{"FortiOS", false, "network", inventory.RoleAdministrative},
		{"BIOS Update Utility", false, "workstation", ""}, // "ios" is a short word: not in "bios"
	}
	for _, tt := range tests {
		t.Run(tt.product, func(t *testing.T) {
			a := inventory.Asset{ID: "X1", Vendor: "V", Product: tt.product}
			classify(&a, tt.medical, rand.New(rand.NewPCG(1, 2)))
			if a.Kind != tt.wantKind || tt.wantRole != "" && a.ClinicalRole != tt.wantRole {
				t.Errorf("classify(%q) = kind %q, role %q; want %q, %q", tt.product, a.Kind, a.ClinicalRole, tt.wantKind, tt.wantRole)
			}
			if err := a.Validate(); err != nil {
				t.Errorf("classify(%q) gave an invalid asset: %v", tt.product, err)
			}
		})
	}
}

func TestContainsAny(t *testing.T) {
	tests := []struct {
		s     string
		words []string
		want  bool
	}{
		{"ct scanner", []string{"ct"}, true},
		{"somatom ct", []string{"ct"}, true},
		{"pet/ct system", []string{"pet", "ct"}, true},
		{"product", []string{"ct"}, false},
		{"the mr scanner", []string{"mr "}, true},
		{"mri suite", []string{"mr "}, false},
		{"infusion system", []string{"infus"}, true}, // long words may be part of a word
		{"cisco ios xe", []string{"ios"}, true},
		{"biosystems", []string{"ios"}, false},
		{"", []string{"ct"}, false},
		{"ct scanner", nil, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q in %q", tt.words, tt.s), func(t *testing.T) {
			if got := containsAny(tt.s, tt.words...); got != tt.want {
				t.Errorf("containsAny(%q, %q) = %v, want %v", tt.s, tt.words, got, tt.want)
			}
		})
	}
}
