package risk

import (
	"strings"
	"testing"

	"github.com/ward-health/ward/internal/inventory"
)

// TestTable checks every row of the built-in decision table: each
// combination of inputs has exactly one decision, and raising any single
// input never makes the decision less urgent.
func TestTable(t *testing.T) {
	tab := DefaultTable()
	all := AllInputs()
	if len(all) != 3*4*2*4 {
		t.Fatalf("AllInputs() = %d combinations, want 96", len(all))
	}
	exploit := map[Exploitation]int{ExploitNone: 0, ExploitPoC: 1, ExploitActive: 2}
	exposure := map[inventory.Exposure]int{inventory.ExposureIsolated: 0, inventory.ExposureInternal: 1, inventory.ExposurePartner: 2, inventory.ExposureInternet: 3}
	impact := map[HumanImpact]int{ImpactLow: 0, ImpactMedium: 1, ImpactHigh: 2, ImpactVeryHigh: 3}
	atLeast := func(a, b Inputs) bool { // a >= b in every input
		ab := 0
		if a.Automatable {
			ab = 1
		}
		bb := 0
		if b.Automatable {
			bb = 1
		}
		return exploit[a.Exploitation] >= exploit[b.Exploitation] && exposure[a.Exposure] >= exposure[b.Exposure] &&
			ab >= bb && impact[a.Impact] >= impact[b.Impact]
	}
	for _, a := range all {
		t.Run(a.key(), func(t *testing.T) {
			d := tab.Decide(a)
			if d.Rank() >= len(Decisions) {
				t.Fatalf("Decide(%s) = %q, not a decision", a.key(), d)
			}
			for _, b := range all {
				if atLeast(a, b) && tab.Decide(b).Rank() < d.Rank() {
					t.Errorf("Decide(%s) = %s is less urgent than Decide(%s) = %s, though every input is at least as bad",
						a.key(), d, b.key(), tab.Decide(b))
				}
			}
		})
	}
}

// TestTable_Cases pins decisions a clinician and a CISO would agree on.
func TestTable_Cases(t *testing.T) {
	tab := DefaultTable()
	tests := []struct {
		name string
		in   Inputs
		want Decision
	}{
		{"practice router exploited in the wild", Inputs{ExploitActive, inventory.ExposureInternet, false, ImpactLow}, Act},
		{"exploited flaw on a life-sustaining pump, even isolated", Inputs{ExploitActive, inventory.ExposureIsolated, false, ImpactVeryHigh}, Act},
		{"exploited flaw on an internal diagnostic system", Inputs{ExploitActive, inventory.ExposureInternal, false, ImpactHigh}, Act},
		{"exploited flaw on an internal office PC", Inputs{ExploitActive, inventory.ExposureInternal, false, ImpactLow}, Attend},
		{"public exploit for a life-sustaining device inside", Inputs{ExploitPoC, inventory.ExposureInternal, false, ImpactVeryHigh}, Attend},
		{"no exploit, internet-facing, automatable, very high impact", Inputs{ExploitNone, inventory.ExposureInternet, true, ImpactVeryHigh}, Attend},
		{"no exploit, internal life-sustaining device", Inputs{ExploitNone, inventory.ExposureInternal, false, ImpactVeryHigh}, TrackStar},
		{"no exploit, internal office PC", Inputs{ExploitNone, inventory.ExposureInternal, false, ImpactLow}, Track},
		{"no exploit, isolated lab analyser", Inputs{ExploitNone, inventory.ExposureIsolated, false, ImpactMedium}, Track},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tab.Decide(tt.in); got != tt.want {
				t.Errorf("Decide(%s) = %s, want %s", tt.in.key(), got, tt.want)
			}
		})
	}
}

func TestImpact(t *testing.T) {
	tests := []struct {
		role inventory.ClinicalRole
		pd   bool
		want HumanImpact
	}{
		{inventory.RoleLifeSustaining, false, ImpactVeryHigh},
		{inventory.RoleLifeSustaining, true, ImpactVeryHigh},
		{inventory.RoleTreatment, false, ImpactHigh},
		{inventory.RoleTreatment, true, ImpactVeryHigh},
		{inventory.RoleDiagnostic, false, ImpactMedium},
		{inventory.RoleDiagnostic, true, ImpactHigh},
		{inventory.RoleClinicalSupport, false, ImpactMedium},
		{inventory.RoleClinicalSupport, true, ImpactHigh},
		{inventory.RoleAdministrative, false, ImpactLow},
		{inventory.RoleAdministrative, true, ImpactMedium},
	}
	for _, tt := range tests {
		if got := Impact(tt.role, tt.pd); got != tt.want {
			t.Errorf("Impact(%s, %v) = %s, want %s", tt.role, tt.pd, got, tt.want)
		}
	}
}

func TestParseTable_Errors(t *testing.T) {
	full := decisionsCSV
	tests := map[string]string{
		"missing row":  full[:strings.LastIndex(strings.TrimRight(full, "\n"), "\n")],
		"bad decision": strings.Replace(full, "none,isolated,no,low,track", "none,isolated,no,low,later", 1),
		"duplicate":    full + "none,isolated,no,low,track\n",
		"short row":    full + "none,isolated\n",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseTable(text); err == nil {
				t.Errorf("ParseTable(%s) = nil error, want one", name)
			}
		})
	}
}

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy("act=1, track*=30")
	if err != nil {
		t.Fatalf("ParsePolicy() = %v", err)
	}
	if p.Due[Act].Hours() != 24 || p.Due[TrackStar].Hours() != 30*24 || p.Due[Attend].Hours() != 14*24 {
		t.Errorf("ParsePolicy() = %v", p.Due)
	}
	for _, bad := range []string{"act", "soon=2", "act=-1", "act=x"} {
		if _, err := ParsePolicy(bad); err == nil {
			t.Errorf("ParsePolicy(%q) = nil error", bad)
		}
	}
}
