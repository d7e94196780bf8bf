package risk

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
)

// now is the clock every test assesses at.
var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testFinding wires a confirmed, known-affected finding of the first affect
// of the first vulnerability of adv, the way the matcher does.
func testFinding(adv *advisory.Advisory, fixedIn string) *match.Finding {
	v := &adv.Vulnerabilities[0]
	return &match.Finding{
		AssetID:    "a1",
		AdvisoryID: adv.ID,
		VulnID:     v.ID(),
		Status:     advisory.StatusKnownAffected,
		Confidence: match.Confirmed,
		Path:       match.ViaName,
		Evidence:   "vendor and product match; version is in range",
		FixedIn:    fixedIn,
		Advisory:   adv,
		Vuln:       v,
		Affect:     &v.Affects[0],
	}
}

// oneVuln is an advisory with a single vulnerability of one product.
func oneVuln(id string, v advisory.Vulnerability, vendor, product string) *advisory.Advisory {
	v.Affects = []advisory.Affect{{
		ProductID: "CSAFPID-0001",
		Product:   advisory.Identity{Vendor: vendor, Name: product},
		Ranges:    []advisory.Range{{Status: advisory.StatusKnownAffected, Fixed: "99"}},
	}}
	return &advisory.Advisory{ID: id, Format: "csaf", URL: "https://example.org/" + id, Vulnerabilities: []advisory.Vulnerability{v}}
}

func day(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func TestAssess(t *testing.T) {
	router := &inventory.Asset{ID: "rtr-1", Name: "Edge router", Kind: "router", Vendor: "Fortinet", Product: "FortiOS",
		Exposure: inventory.ExposureInternet, ClinicalRole: inventory.RoleAdministrative}
	pump := &inventory.Asset{ID: "pump-icu-07", Kind: "infusion-pump", Vendor: "Examplemed", Product: "InfuFlow 3",
		Exposure: inventory.ExposureInternal, ClinicalRole: inventory.RoleLifeSustaining, PatchAuthority: inventory.PatchVendor}
	bare := &inventory.Asset{ID: "pc-1", Vendor: "Acme", Product: "Office"} // no exposure, no role
	ehr := &inventory.Asset{ID: "ehr-1", Vendor: "Acme", Product: "EHR", ClinicalRole: inventory.RoleClinicalSupport, PatientData: true}

	kev := advisory.KEV{
		"CVE-2024-21762": {CVE: "CVE-2024-21762", DateAdded: time.Date(2024, 2, 9, 0, 0, 0, 0, time.UTC), KnownRansomware: true},
		"CVE-2023-27997": {CVE: "CVE-2023-27997", DateAdded: time.Date(2023, 6, 13, 0, 0, 0, 0, time.UTC)},
		"":               {DateAdded: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}, // a blank catalogue row
	}
	epss := &advisory.EPSS{Scores: map[string]advisory.EPSSScore{
		"CVE-2025-1000":  {Score: 0.5},
		"CVE-2025-1001":  {Score: 0.01},
		"CVE-2025-1002":  {Score: 0.9},
		"CVE-2025-1003":  {Score: 0.1},
		"CVE-2025-1004":  {Score: 0.29},
		"CVE-2025-1005":  {Score: 0.99999},
		"CVE-2024-21762": {Score: 0.94},
	}}

	tests := []struct {
		name       string
		vuln       advisory.Vulnerability
		asset      *inventory.Asset
		noFacts    bool // assess with nil KEV and EPSS
		wantInputs Inputs
		wantDec    Decision
		wantDue    time.Time
		wantKEV    bool
		wantEPSS   float64
		wantWhy    string
	}{
		{
			name:       "KEV with ransomware on an internet router acts",
			vuln:       advisory.Vulnerability{CVE: "CVE-2024-21762", CVSS: 9.8, Automatable: "no"},
			asset:      router,
			wantInputs: Inputs{ExploitActive, inventory.ExposureInternet, false, ImpactLow},
			wantDec:    Act,
			wantDue:    now.Add(day(2)),
			wantKEV:    true,
			wantEPSS:   0.94,
			wantWhy:    "exploited in the wild (CISA KEV, added 2024-02-09); used in ransomware campaigns; reachable from the internet; administrative system",
		},
		{
			name:       "KEV outranks the source's SSVC poc, no ransomware words",
			vuln:       advisory.Vulnerability{CVE: "CVE-2023-27997", Exploitation: "poc", Automatable: "no"},
			asset:      router,
			wantInputs: Inputs{ExploitActive, inventory.ExposureInternet, false, ImpactLow},
			wantDec:    Act,
			wantDue:    now.Add(day(2)),
			wantKEV:    true,
			wantWhy:    "exploited in the wild (CISA KEV, added 2023-06-13); reachable from the internet; administrative system",
		},
		{
			name:       "SSVC active without KEV",
			vuln:       advisory.Vulnerability{CVE: "CVE-2025-2000", Exploitation: "active"},
			asset:      bare,
			wantInputs: Inputs{ExploitActive, inventory.ExposureInternal, false, ImpactLow},
			wantDec:    Attend,
			wantDue:    now.Add(day(14)),
			wantWhy:    "exploited in the wild; on the internal network; administrative system",
		},
		{
			name:       "SSVC poc and automatable on a life-sustaining pump",
			vuln:       advisory.Vulnerability{CVE: "CVE-2025-20417", Exploitation: "poc", Automatable: "yes", CVSS: 8.8},
			asset:      pump,
			wantInputs: Inputs{ExploitPoC, inventory.ExposureInternal, true, ImpactVeryHigh},
			wantDec:    Attend,
			wantDue:    now.Add(day(14)),
			wantWhy:    "public exploit code exists; attack can be automated; on the internal network; life-sustaining system",
		},
		{
			name:       "no SSVC, EPSS 0.5 is automatable",
			vuln:       advisory.Vulnerability{CVE: "CVE-2025-1000"},
			asset:      pump,
			wantInputs: Inputs{ExploitNone, inventory.ExposureInternal, true, ImpactVeryHigh},
			wantDec:    Attend,
			wantDue:    now.Add(day(14)),
			wantEPSS:   0.5,
			wantWhy:    "no known exploitation; EPSS 50% chance of exploitation in 30 days; on the internal network; life-sustaining system",
		},
		{
			name:       "no SSVC, EPSS 0.01 is not automatable",
			vuln:       advisory.Vulnerability{CVE: "CVE-2025-1001"},
			asset:      pump,
			wantInputs: Inputs{ExploitNone, inventory.ExposureInternal, false, ImpactVeryHigh},
			wantDec:    TrackStar,
			wantDue:    now.Add(day(60)),
			wantEPSS:   0.01,
			wantWhy:    "no known exploitation; on the internal network; life-sustaining system",
		},
		{
			name:       "EPSS exactly at the threshold is automatable",
			vuln:       advisory.Vulnerability{CVE: "CVE-2025-1003"},
			asset:      pump,
			wantInputs: Inputs{ExploitNone, inventory.ExposureInternal, true, ImpactVeryHigh},
			wantDec:    Attend,
			wantDue:    now.Add(day(14)),
			wantEPSS:   0.1,
			wantWhy:    "no known exploitation; EPSS 10% chance of exploitation in 30 days; on the internal network; life-sustaining system",
		},
		{
			name:       "EPSS percent is not lowered by float error",
			vuln:       advisory.Vulnerability{CVE: "CVE-2025-1004"},
			asset:      bare,
			wantInputs: Inputs{ExploitNone, inventory.ExposureInternal, true, ImpactLow},
			wantDec:    Track,
			wantDue:    now.Add(day(180)),
			wantEPSS:   0.29,
			wantWhy:    "no known exploitation; EPSS 29% chance of exploitation in 30 days; on the internal network; administrative system",
		},
		{
			name:       "EPSS percent is capped at 99",
			vuln:       advisory.Vulnerability{CVE: "CVE-2025-1005"},
			asset:      bare,
			wantInputs: Inputs{ExploitNone, inventory.ExposureInternal, true, ImpactLow},
			wantDec:    Track,
			wantDue:    now.Add(day(180)),
			wantEPSS:   0.99999,
			wantWhy:    "no known exploitation; EPSS 99% chance of exploitation in 30 days; on the internal network; administrative system",
		},
		{
			name:       "the source's SSVC automatable no beats a high EPSS",
			vuln:       advisory.Vulnerability{CVE: "CVE-2025-1002", Automatable: "no"},
			asset:      pump,
			wantInputs: Inputs{ExploitNone, inventory.ExposureInternal, false, ImpactVeryHigh},
			wantDec:    TrackStar,
			wantDue:    now.Add(day(60)),
			wantEPSS:   0.9,
			wantWhy:    "no known exploitation; on the internal network; life-sustaining system",
		},
		{
			name:       "empty asset fields default to internal and administrative; no exploit tracks",
			vuln:       advisory.Vulnerability{CVE: "CVE-2025-3000", CVSS: 5.3},
			asset:      bare,
			noFacts:    true,
			wantInputs: Inputs{ExploitNone, inventory.ExposureInternal, false, ImpactLow},
			wantDec:    Track,
			wantDue:    now.Add(day(180)),
			wantWhy:    "no known exploitation; on the internal network; administrative system",
		},
		{
			name:       "patient data raises a clinical-support system's impact",
			vuln:       advisory.Vulnerability{CVE: "CVE-2025-3001", Exploitation: "active"},
			asset:      ehr,
			noFacts:    true,
			wantInputs: Inputs{ExploitActive, inventory.ExposureInternal, false, ImpactHigh},
			wantDec:    Act,
			wantDue:    now.Add(day(2)),
			wantWhy:    "exploited in the wild; on the internal network; clinical-support system holding patient data",
		},
		{
			name:       "no CVE id never matches a blank KEV row",
			vuln:       advisory.Vulnerability{Aliases: []string{"GHSA-xxxx-yyyy-zzzz"}},
			asset:      router,
			wantInputs: Inputs{ExploitNone, inventory.ExposureInternet, false, ImpactLow},
			wantDec:    Track,
			wantDue:    now.Add(day(180)),
			wantWhy:    "no known exploitation; reachable from the internet; administrative system",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewAssessor(DefaultPolicy(), kev, epss)
			if tt.noFacts {
				s = NewAssessor(DefaultPolicy(), nil, nil)
			}
			adv := oneVuln("ICSMA-25-041-01", tt.vuln, "Examplemed", "InfuFlow 3")
			got := s.Assess(testFinding(adv, ""), tt.asset, now)
			if diff := cmp.Diff(tt.wantInputs, got.Inputs); diff != "" {
				t.Errorf("Assess() inputs mismatch (-want +got):\n%s", diff)
			}
			if got.Decision != tt.wantDec {
				t.Errorf("Assess() decision = %s, want %s", got.Decision, tt.wantDec)
			}
			if !got.Due.Equal(tt.wantDue) {
				t.Errorf("Assess() due = %s, want %s", got.Due, tt.wantDue)
			}
			if got.KEV != tt.wantKEV {
				t.Errorf("Assess() KEV = %v, want %v", got.KEV, tt.wantKEV)
			}
			if got.EPSS != tt.wantEPSS {
				t.Errorf("Assess() EPSS = %v, want %v", got.EPSS, tt.wantEPSS)
			}
			if got.CVSS != tt.vuln.CVSS {
				t.Errorf("Assess() CVSS = %v, want %v", got.CVSS, tt.vuln.CVSS)
			}
			if got.Why != tt.wantWhy {
				t.Errorf("Assess() why =\n  %q\nwant\n  %q", got.Why, tt.wantWhy)
			}
		})
	}
}

// TestAssess_Policy checks that due dates follow the assessor's policy, not
// the default one.
func TestAssess_Policy(t *testing.T) {
	p, err := ParsePolicy("act=1,track=30")
	if err != nil {
		t.Fatal(err)
	}
	asset := &inventory.Asset{ID: "pc-1", Vendor: "Acme", Product: "Office", Exposure: inventory.ExposureInternet}
	tests := []struct {
		name    string
		vuln    advisory.Vulnerability
		wantDec Decision
		wantDue time.Time
	}{
		{"act after one day", advisory.Vulnerability{CVE: "CVE-2025-1", Exploitation: "active"}, Act, time.Date(2026, 3, 3, 9, 0, 0, 0, time.UTC)},
		{"track after thirty days", advisory.Vulnerability{CVE: "CVE-2025-2"}, Track, time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewAssessor(p, nil, nil).Assess(testFinding(oneVuln("CVE-2025-X", tt.vuln, "Acme", "Office"), ""), asset, now)
			if got.Decision != tt.wantDec || !got.Due.Equal(tt.wantDue) {
				t.Errorf("Assess() = %s due %s, want %s due %s", got.Decision, got.Due, tt.wantDec, tt.wantDue)
			}
		})
	}
}
