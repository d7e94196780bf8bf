package vexdoc

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/openvex/go-vex/pkg/vex"
)

// OpenVEX returns stmts as an OpenVEX 0.2.0 document authored by
// m.Publisher at m.Now, with an id derived from the organisation and the statements under
// m.Namespace. Every statement passes
// [vex.Statement.Validate].
func OpenVEX(m Meta, stmts []Statement) (*vex.VEX, error) {
	now := m.Now.UTC()
	doc := &vex.VEX{
		Metadata: vex.Metadata{
			Context: vex.ContextLocator(), Author: m.Publisher, AuthorRole: "Document Creator",
			Timestamp: &now, Version: 1, Tooling: "ward",
		},
		Statements: []vex.Statement{},
	}
	for i, s := range normalise(stmts) {
		if err := validate(i, &s); err != nil {
			return nil, err
		}
		ts := s.Timestamp.UTC()
		p := vex.Product{Component: vex.Component{ID: assetIRI(&m, &s.Product), Identifiers: map[vex.IdentifierType]string{}}}
		if s.Product.PURL != "" {
			p.Identifiers[vex.PURL] = s.Product.PURL
		}
		if s.Product.CPE != "" {
			p.Identifiers[vex.CPE23] = s.Product.CPE
		}
		if len(p.Identifiers) == 0 {
			p.Identifiers = nil
		}
		if s.Product.Component != "" {
			p.Subcomponents = []vex.Subcomponent{{Component: vex.Component{ID: componentIRI(&m, &s.Product)}}}
		}
		st := vex.Statement{
			Vulnerability: vex.Vulnerability{Name: vex.VulnerabilityID(s.vulnID()), Description: s.Title},
			Timestamp:     &ts, Products: []vex.Product{p}, Status: vex.Status(s.Status),
		}
		if s.CVE != "" && s.AdvisoryID != "" && s.AdvisoryID != s.CVE {
			st.Vulnerability.Aliases = []vex.VulnerabilityID{vex.VulnerabilityID(s.AdvisoryID)}
		}
		switch s.Status {
		case NotAffected:
			st.Justification, st.ImpactStatement = vex.Justification(s.Justification), s.Impact
		case Affected:
			st.ActionStatement = s.Action
			if st.ActionStatement == "" {
				st.ActionStatement = vex.NoActionStatementMsg
			}
			st.ActionStatementTimestamp = &ts
		}
		if err := st.Validate(); err != nil {
			return nil, fmt.Errorf("vexdoc: statement on %s and %s: %w", s.Product.AssetID, s.vulnID(), err)
		}
		doc.Statements = append(doc.Statements, st)
	}
	// The id hashes the organisation and the statements. go-vex's
	// CanonicalHash would do, but it grows one string statement by
	// statement: 16 s for 10,000 statements here.
	b, err := json.Marshal(doc.Statements)
	if err != nil {
		return nil, fmt.Errorf("vexdoc: %w", err)
	}
	h := sha256.Sum256(append([]byte(m.OrgID+"\n"), b...))
	doc.ID = m.Namespace + "/vex/openvex/" + hex.EncodeToString(h[:])
	return doc, nil
}
