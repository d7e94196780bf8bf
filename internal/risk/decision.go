// Package risk turns a match into a decision: how urgent it is (act, attend,
// track*, track), by when, and what to do, in plain words.
//
// The decision follows an SSVC-style deployer tree kept as data in
// decisions.csv: its inputs are exploitation (none, poc, active), the
// asset's exposure (internet, partner, internal, isolated), whether
// exploitation is automatable, and the human impact that follows from the
// asset's clinical role and whether it holds patient data.
package risk

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/inventory"
)

//go:embed decisions.csv
var decisionsCSV string

// Decision is how urgently a finding needs work.
type Decision string

// The decisions, most urgent first.
const (
	Act       Decision = "act"    // fix now: days
	Attend    Decision = "attend" // fix soon: weeks
	TrackStar Decision = "track*" // watch closely; fix in the normal cycle
	Track     Decision = "track"  // fix in the normal cycle
)

// Decisions lists every decision, most urgent first.
var Decisions = []Decision{Act, Attend, TrackStar, Track}

// Rank returns 0 for act up to 3 for track; unknown decisions rank last.
func (d Decision) Rank() int {
	for i, x := range Decisions {
		if x == d {
			return i
		}
	}
	return len(Decisions)
}

// ParseDecision reads a decision name.
func ParseDecision(s string) (Decision, error) {
	for _, d := range Decisions {
		if string(d) == strings.ToLower(strings.TrimSpace(s)) {
			return d, nil
		}
	}
	return "", fmt.Errorf("decision %q: want one of act, attend, track*, track", s)
}

// Exploitation is the SSVC exploitation input.
type Exploitation string

// The exploitation levels.
const (
	ExploitNone   Exploitation = "none"   // no known exploit
	ExploitPoC    Exploitation = "poc"    // a public proof of concept exists
	ExploitActive Exploitation = "active" // exploited in the wild: KEV, SSVC "active", or confirmed by the hub
)

// HumanImpact is the SSVC human impact input.
type HumanImpact string

// The human impact levels.
const (
	ImpactLow      HumanImpact = "low"
	ImpactMedium   HumanImpact = "medium"
	ImpactHigh     HumanImpact = "high"
	ImpactVeryHigh HumanImpact = "very-high"
)

// Impact derives human impact from an asset's clinical role and whether it
// holds patient data: the harm to a patient if the asset fails or lies, raised
// one step when a breach would also expose patient records.
func Impact(role inventory.ClinicalRole, patientData bool) HumanImpact {
	levels := []HumanImpact{ImpactLow, ImpactMedium, ImpactHigh, ImpactVeryHigh}
	base := 0
	switch role {
	case inventory.RoleLifeSustaining:
		base = 3
	case inventory.RoleTreatment:
		base = 2
	case inventory.RoleDiagnostic, inventory.RoleClinicalSupport:
		base = 1
	}
	if patientData {
		base++
	}
	return levels[min(base, 3)]
}

// Inputs are the four inputs of the decision table.
type Inputs struct {
	Exploitation Exploitation
	Exposure     inventory.Exposure
	Automatable  bool
	Impact       HumanImpact
}

func (in Inputs) key() string {
	a := "no"
	if in.Automatable {
		a = "yes"
	}
	return string(in.Exploitation) + "," + string(in.Exposure) + "," + a + "," + string(in.Impact)
}

// Table is a parsed decision table.
type Table struct {
	rows map[string]Decision
}

// DefaultTable returns ward's built-in decision table.
func DefaultTable() *Table {
	t, err := ParseTable(decisionsCSV)
	if err != nil {
		panic("risk: built-in decision table: " + err.Error()) // a build defect, caught by tests
	}
	return t
}

// ParseTable reads a decision table in the decisions.csv layout. Every
// combination of inputs must appear exactly once.
func ParseTable(text string) (*Table, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.FieldsPerRecord = 5
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("decision table: %w", err)
	}
	t := &Table{rows: map[string]Decision{}}
	for i, rec := range recs {
		if i == 0 && rec[0] == "exploitation" {
			continue
		}
		d, err := ParseDecision(rec[4])
		if err != nil {
			return nil, fmt.Errorf("decision table row %d: %w", i+1, err)
		}
		k := strings.Join(rec[:4], ",")
		if _, dup := t.rows[k]; dup {
			return nil, fmt.Errorf("decision table row %d: %s appears twice", i+1, k)
		}
		t.rows[k] = d
	}
	for _, in := range AllInputs() {
		if _, ok := t.rows[in.key()]; !ok {
			return nil, fmt.Errorf("decision table: no row for %s", in.key())
		}
	}
	if len(t.rows) != len(AllInputs()) {
		return nil, fmt.Errorf("decision table: %d rows, want %d", len(t.rows), len(AllInputs()))
	}
	return t, nil
}

// AllInputs enumerates every combination of inputs.
func AllInputs() []Inputs {
	var out []Inputs
	for _, e := range []Exploitation{ExploitNone, ExploitPoC, ExploitActive} {
		for _, x := range inventory.Exposures {
			for _, a := range []bool{false, true} {
				for _, h := range []HumanImpact{ImpactLow, ImpactMedium, ImpactHigh, ImpactVeryHigh} {
					out = append(out, Inputs{e, x, a, h})
				}
			}
		}
	}
	return out
}

// Decide looks the inputs up in the table.
func (t *Table) Decide(in Inputs) Decision {
	return t.rows[in.key()]
}

// Policy holds how long each decision may wait.
type Policy struct {
	Due map[Decision]time.Duration
}

// DefaultPolicy is act 2 days, attend 14, track* 60, track 180.
func DefaultPolicy() Policy {
	day := 24 * time.Hour
	return Policy{Due: map[Decision]time.Duration{Act: 2 * day, Attend: 14 * day, TrackStar: 60 * day, Track: 180 * day}}
}

// ParsePolicy reads "act=2,attend=14,track*=60,track=180" (days) over the
// defaults.
func ParsePolicy(s string) (Policy, error) {
	p := DefaultPolicy()
	if strings.TrimSpace(s) == "" {
		return p, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return p, fmt.Errorf("due policy %q: want decision=days", part)
		}
		d, err := ParseDecision(k)
		if err != nil {
			return p, fmt.Errorf("due policy: %w", err)
		}
		var days int
		if _, err := fmt.Sscanf(v, "%d", &days); err != nil || days < 0 || days > 3650 {
			return p, fmt.Errorf("due policy %q: days must be a whole number from 0 to 3650", part)
		}
		p.Due[d] = time.Duration(days) * 24 * time.Hour
	}
	return p, nil
}
