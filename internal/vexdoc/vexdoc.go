// Package vexdoc writes an organisation's decisions on findings as VEX
// documents: OpenVEX (with github.com/openvex/go-vex) and CSAF 2.0 in the
// VEX profile (category csaf_vex). Each statement says, for one product
// (an asset, or a component of it) and one vulnerability, whether it is
// affected, not affected (with a justification and an impact statement),
// fixed, or under investigation.
//
// A product has one status per vulnerability in both formats; when several
// statements name the same product and vulnerability (two advisories with
// one CVE), the most cautious wins: affected, then under investigation,
// then fixed, then not affected.
package vexdoc

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// Status is a product's status for a vulnerability, as OpenVEX names it.
type Status string

// The statuses, most cautious first.
const (
	Affected           Status = "affected"
	UnderInvestigation Status = "under_investigation"
	Fixed              Status = "fixed"
	NotAffected        Status = "not_affected"
)

var statusRank = map[Status]int{Affected: 0, UnderInvestigation: 1, Fixed: 2, NotAffected: 3}

// Product is what a statement is about: an asset, or a component of it.
type Product struct {
	AssetID   string
	Name      string // for people: the asset's name and product
	CPE, PURL string // the asset's identifiers, when known
	Component string // "" for the asset itself
}

// Statement is one decision on one product and vulnerability.
type Statement struct {
	// CVE is the CVE id; when empty, AdvisoryID names the vulnerability.
	CVE        string
	AdvisoryID string
	Title      string // the advisory's title
	Product    Product
	Status     Status
	// Justification is the VEX justification of NotAffected (OpenVEX and
	// CSAF flag labels share the values); Impact says why in words.
	Justification string
	Impact        string
	// Action says what to do (Affected); Mitigation says the action
	// reduces exposure rather than fixes the flaw.
	Action     string
	Mitigation bool
	Timestamp  time.Time
}

// vulnID is the vulnerability a statement is about.
func (s *Statement) vulnID() string { return cmp.Or(s.CVE, s.AdvisoryID) }

// Meta describes the document.
type Meta struct {
	// Namespace is the publisher's base URL, such as https://ward.example.org.
	Namespace string
	// Publisher names the organisation that makes the statements.
	Publisher string
	// OrgID is the organisation's ward id; it makes ids unique.
	OrgID string
	// Now is the document's time.
	Now time.Time
}

// normalise orders statements by vulnerability, asset and component, and
// keeps one per product and vulnerability: the most cautious, then the
// newest.
func normalise(stmts []Statement) []Statement {
	out := slices.Clone(stmts)
	slices.SortStableFunc(out, func(a, b Statement) int {
		return cmp.Or(cmp.Compare(a.vulnID(), b.vulnID()), cmp.Compare(a.Product.AssetID, b.Product.AssetID),
			cmp.Compare(a.Product.Component, b.Product.Component), cmp.Compare(statusRank[a.Status], statusRank[b.Status]),
			b.Timestamp.Compare(a.Timestamp))
	})
	return slices.CompactFunc(out, func(a, b Statement) bool {
		return a.vulnID() == b.vulnID() && a.Product.AssetID == b.Product.AssetID && a.Product.Component == b.Product.Component
	})
}

// assetIRI names an asset of the organisation as an IRI.
func assetIRI(m *Meta, p *Product) string {
	return "urn:ward:" + url.PathEscape(m.OrgID) + ":asset:" + url.PathEscape(p.AssetID)
}

// componentIRI names a component of an asset as an IRI.
func componentIRI(m *Meta, p *Product) string {
	return assetIRI(m, p) + ":component:" + url.PathEscape(p.Component)
}

// validate checks what both formats need of a statement.
func validate(i int, s *Statement) error {
	switch {
	case s.vulnID() == "":
		return fmt.Errorf("vexdoc: statement %d: no CVE or advisory id", i)
	case s.Product.AssetID == "":
		return fmt.Errorf("vexdoc: statement %d: no asset", i)
	}
	if _, ok := statusRank[s.Status]; !ok {
		return fmt.Errorf("vexdoc: statement %d: status %q", i, s.Status)
	}
	return nil
}
