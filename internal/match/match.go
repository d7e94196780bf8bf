// Package match decides which assets an advisory concerns. It is pure: no
// I/O, no clock. Given advisories and an inventory it returns findings, each
// with a status, a confidence and the evidence in words.
//
// Three paths lead from an asset (or a component inside it) to an advisory's
// product, strongest first:
//
//   - PURL: package type, namespace and name equal; the version is checked
//     against the ranges (vers: or bounds).
//   - CPE: WFN matching of part, vendor and product, guarded against
//     over-generic CPEs (no ANY vendor or product); then the version.
//   - Names: the canonical vendor (with an alias table) and the normalised
//     product name equal, or, at lower confidence, similar; then the version
//     compared leniently ("<= C.00.04", "R2.2.3", "VA10A").
//
// A finding is "confirmed" when an identifier or an exact name and a
// comparable version decide it, and "possible" when the names are only
// similar, the version is unknown or cannot be compared, or the source adds
// conditions ward cannot check. Matching is an index lookup: [Index] keys
// every advisory product by identity, and each distinct asset identity is
// looked up once.
package match

import (
	"github.com/ward-health/ward/internal/advisory"
)

// Confidence says how sure a finding is.
type Confidence string

// The confidence levels.
const (
	Confirmed Confidence = "confirmed" // an identifier or exact name and a comparable version decide it
	Possible  Confidence = "possible"  // a person should confirm or reject it
)

// Path names how a subject reached a product.
type Path string

// The match paths, strongest first.
const (
	ViaPURL Path = "purl"
	ViaCPE  Path = "cpe"
	ViaName Path = "name"
)

// Finding is one (asset, advisory, vulnerability) pair and what ward knows
// about it.
type Finding struct {
	AssetID    string
	Component  string // "name version" of the component inside the asset; "" for the asset itself
	AdvisoryID string
	VulnID     string // CVE id, or the source's id when there is none
	Status     advisory.Status
	Confidence Confidence
	Path       Path
	Evidence   string
	// FixedIn is the first version without the flaw, when the source says.
	FixedIn string

	Advisory *advisory.Advisory
	Vuln     *advisory.Vulnerability
	Affect   *advisory.Affect
}
