// Package advisory holds ward's model of what is published about
// vulnerabilities, and the readers that build it from CSAF 2.0, CVE JSON 5,
// NVD API 2.0, OSV, CISA KEV and FIRST EPSS.
//
// Every reader turns its format into the same few types: an [Advisory] carries
// [Vulnerability] entries, each of which lists the products it concerns as
// [Affect] entries (an identity plus version ranges with a [Status]). The
// matcher in package match only ever sees these types.
package advisory

import (
	"time"
)

// Status is the CSAF product status of a product for a vulnerability.
type Status string

// The statuses ward keeps (CSAF 2.0 product_status groups, collapsed:
// first_affected/last_affected are known_affected, first_fixed is fixed,
// recommended is fixed).
const (
	StatusUnknown            Status = ""
	StatusKnownAffected      Status = "known_affected"
	StatusFixed              Status = "fixed"
	StatusKnownNotAffected   Status = "known_not_affected"
	StatusUnderInvestigation Status = "under_investigation"
)

// Advisory is one published document: a CSAF advisory, a CVE record, an NVD
// entry or an OSV record.
type Advisory struct {
	ID        string    `json:"id"`     // ICSMA-21-019-01, CVE-2024-1234, GO-2023-0001
	Format    string    `json:"format"` // csaf, cve5, nvd, osv
	Source    string    `json:"source"` // file the advisory was read from
	Title     string    `json:"title,omitempty"`
	Publisher string    `json:"publisher,omitempty"`
	Contact   string    `json:"contact,omitempty"` // publisher contact details
	Published time.Time `json:"published,omitzero"`
	Updated   time.Time `json:"updated,omitzero"`
	TLP       string    `json:"tlp,omitempty"`
	URL       string    `json:"url,omitempty"` // the human-readable version
	// Summary is the advisory's own short risk statement, when it has one.
	Summary         string          `json:"summary,omitempty"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities"`
}

// Vulnerability is one flaw in an advisory, with the products it concerns.
type Vulnerability struct {
	CVE     string   `json:"cve,omitempty"`
	Aliases []string `json:"aliases,omitempty"` // GHSA-..., GO-..., vendor ids
	Title   string   `json:"title,omitempty"`
	CWE     string   `json:"cwe,omitempty"`

	CVSS       float64 `json:"cvss,omitempty"` // highest base score given (3.x preferred, else 4.0, else 2.0)
	CVSSVector string  `json:"cvss_vector,omitempty"`

	// SSVC inputs when the source gives them (CISA ADP vulnrichment).
	Exploitation string `json:"exploitation,omitempty"` // none, poc, active
	Automatable  string `json:"automatable,omitempty"`  // yes, no

	Affects      []Affect      `json:"affects"`
	Remediations []Remediation `json:"remediations,omitempty"`
}

// ID returns the CVE id, or the first alias when there is none.
func (v *Vulnerability) ID() string {
	if v.CVE != "" {
		return v.CVE
	}
	if len(v.Aliases) > 0 {
		return v.Aliases[0]
	}
	return ""
}

// Affect says which versions of one product have which status for a
// vulnerability.
type Affect struct {
	// ProductID is the source's own id for the product (a CSAF product_id),
	// used to tie remediations to it. Empty when the format has none.
	ProductID string   `json:"product_id,omitempty"`
	Product   Identity `json:"product"`
	// Ranges are checked in order; the first whose versions contain the
	// subject's version decides its status.
	Ranges []Range `json:"ranges,omitempty"`
	// DefaultStatus applies to versions no range covers. StatusUnknown means
	// the source says nothing about them.
	DefaultStatus Status `json:"default_status,omitempty"`
	// Platforms, when set, must also be present on the same asset ("running
	// on" configurations in NVD): at least one must match.
	Platforms []Identity `json:"platforms,omitempty"`
}

// Identity names a product by any of the ways a source does.
type Identity struct {
	Vendor  string   `json:"vendor,omitempty"`
	Name    string   `json:"name,omitempty"`
	CPEs    []string `json:"cpes,omitempty"`
	PURLs   []string `json:"purls,omitempty"`
	Models  []string `json:"models,omitempty"` // model numbers
	SKUs    []string `json:"skus,omitempty"`
	Hashes  []string `json:"hashes,omitempty"`  // file hashes, "sha256:..."
	Display string   `json:"display,omitempty"` // the source's full product name, for people
}

// Range is a set of versions with one status. Exactly one of All, Exact,
// Vers or the bounds (Introduced, Fixed, LastAffected) describes the set.
// When Text is set and nothing else is, the version could not be parsed and
// the match is only ever "possible".
type Range struct {
	Status       Status   `json:"status"`
	All          bool     `json:"all,omitempty"`
	Exact        []string `json:"exact,omitempty"`         // any of these versions
	Introduced   string   `json:"introduced,omitempty"`    // >= (empty: from the beginning)
	Fixed        string   `json:"fixed,omitempty"`         // < (first version without the flaw)
	LastAffected string   `json:"last_affected,omitempty"` // <=
	Vers         string   `json:"vers,omitempty"`          // a vers: URI, evaluated as given
	Scheme       string   `json:"scheme,omitempty"`        // semver, generic, ecosystem name; "" = lenient
	Text         string   `json:"text,omitempty"`          // the source's words, kept for evidence
	// Qualified means the source adds conditions ward cannot check ("with
	// Wireless Battery Module >= 22D19"): a match is "possible" at best.
	Qualified bool `json:"qualified,omitempty"`
}

// RemediationCategory is a CSAF remediation category.
type RemediationCategory string

// The CSAF 2.0 remediation categories.
const (
	RemedyVendorFix     RemediationCategory = "vendor_fix"
	RemedyMitigation    RemediationCategory = "mitigation"
	RemedyWorkaround    RemediationCategory = "workaround"
	RemedyNoneAvailable RemediationCategory = "none_available"
	RemedyNoFixPlanned  RemediationCategory = "no_fix_planned"
)

// Remediation is what the source tells people to do.
type Remediation struct {
	Category RemediationCategory `json:"category"`
	Details  string              `json:"details"`
	URL      string              `json:"url,omitempty"`
	// ProductIDs limits the remediation to these Affect.ProductID values;
	// empty means all products of the vulnerability.
	ProductIDs []string `json:"product_ids,omitempty"`
}

// AppliesTo reports whether r concerns the product with id pid.
func (r *Remediation) AppliesTo(pid string) bool {
	if len(r.ProductIDs) == 0 {
		return true
	}
	for _, id := range r.ProductIDs {
		if id == pid {
			return true
		}
	}
	return false
}

// SourceError names an input that could not be read, and why.
type SourceError struct {
	Source  string `json:"source"`
	Message string `json:"message"`
}

func (e *SourceError) Error() string { return e.Source + ": " + e.Message }
