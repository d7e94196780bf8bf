package risk

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
)

// Assessor decides findings. Build it with [NewAssessor]; it is read-only
// afterwards and safe for concurrent use.
type Assessor struct {
	Table  *Table
	Policy Policy
	KEV    advisory.KEV   // may be nil
	EPSS   *advisory.EPSS // may be nil
	// AutomatableEPSS is the EPSS score at and above which exploitation counts
	// as automatable when the source gives no SSVC "automatable" value.
	AutomatableEPSS float64

	// steps remembers the step text of each remediation: one advisory's
	// words are quoted once, however many assets it concerns.
	steps sync.Map // *advisory.Remediation -> string
}

// step returns the plain-words step for a remediation, quoting the vendor.
func (s *Assessor) step(r *advisory.Remediation) string {
	if v, ok := s.steps.Load(r); ok {
		return v.(string)
	}
	prefix := "Mitigation: "
	if r.Category == advisory.RemedyVendorFix {
		prefix = "Vendor says: "
	}
	v := prefix + quote(r.Details) + urlWords(r.URL)
	s.steps.Store(r, v)
	return v
}

// NewAssessor returns an assessor with the default table and the given
// policy and facts.
func NewAssessor(p Policy, kev advisory.KEV, epss *advisory.EPSS) *Assessor {
	return &Assessor{Table: DefaultTable(), Policy: p, KEV: kev, EPSS: epss, AutomatableEPSS: 0.1}
}

// Assessment is the decision on one finding.
type Assessment struct {
	Decision Decision  `json:"decision"`
	Due      time.Time `json:"due"`
	Inputs   Inputs    `json:"inputs"`
	Why      string    `json:"why"`
	KEV      bool      `json:"kev,omitempty"`
	EPSS     float64   `json:"epss,omitempty"`
	CVSS     float64   `json:"cvss,omitempty"`
	Action   Action    `json:"action"`
}

// Assess decides one finding for its asset. now is the time due dates count
// from.
func (s *Assessor) Assess(f *match.Finding, a *inventory.Asset, now time.Time) Assessment {
	in := Inputs{Exposure: a.ExposureOrDefault(), Impact: Impact(a.RoleOrDefault(), a.PatientData)}
	as := Assessment{CVSS: f.Vuln.CVSS}
	var why []string

	kev, inKEV := s.KEV[f.Vuln.CVE]
	as.KEV = inKEV && f.Vuln.CVE != ""
	switch {
	case as.KEV:
		in.Exploitation = ExploitActive
		why = append(why, "exploited in the wild (CISA KEV, added "+kev.DateAdded.Format("2006-01-02")+")")
		if kev.KnownRansomware {
			why = append(why, "used in ransomware campaigns")
		}
	case f.Vuln.Exploitation == "active":
		in.Exploitation = ExploitActive
		why = append(why, "exploited in the wild")
	case f.Vuln.Exploitation == "poc":
		in.Exploitation = ExploitPoC
		why = append(why, "public exploit code exists")
	default:
		in.Exploitation = ExploitNone
		why = append(why, "no known exploitation")
	}
	if s.EPSS != nil {
		if sc, ok := s.EPSS.Scores[f.Vuln.CVE]; ok {
			as.EPSS = sc.Score
		}
	}
	switch {
	case f.Vuln.Automatable == "yes":
		in.Automatable = true
		why = append(why, "attack can be automated")
	case f.Vuln.Automatable == "" && as.EPSS >= s.AutomatableEPSS && s.AutomatableEPSS > 0:
		in.Automatable = true
		// +1e-9: 0.29*100 is 28.999… in floating point, which must say 29%.
		why = append(why, fmt.Sprintf("EPSS %d%% chance of exploitation in 30 days", min(int(as.EPSS*100+1e-9), 99)))
	}
	why = append(why, exposureWords[in.Exposure], impactWords(a))

	as.Inputs = in
	as.Decision = s.Table.Decide(in)
	as.Due = now.Add(s.Policy.Due[as.Decision])
	as.Why = strings.Join(why, "; ")
	as.Action = advise(f, a, as, s.step)
	return as
}

var exposureWords = map[inventory.Exposure]string{
	inventory.ExposureInternet: "reachable from the internet",
	inventory.ExposurePartner:  "reachable by partners or vendor remote access",
	inventory.ExposureInternal: "on the internal network",
	inventory.ExposureIsolated: "on an isolated segment",
}

func impactWords(a *inventory.Asset) string {
	s := string(a.RoleOrDefault()) + " system"
	if a.PatientData {
		s += " holding patient data"
	}
	return s
}
