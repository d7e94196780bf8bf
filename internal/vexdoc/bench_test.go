package vexdoc_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ward-health/ward/internal/vexdoc"
)

// benchStatements are n statements over n/10 assets and 10 vulnerabilities
// each, in every status.
func benchStatements(n int) []vexdoc.Statement {
	statuses := []vexdoc.Status{vexdoc.Affected, vexdoc.NotAffected, vexdoc.Fixed, vexdoc.UnderInvestigation}
	out := make([]vexdoc.Statement, n)
	for i := range out {
		s := vexdoc.Statement{CVE: fmt.Sprintf("CVE-2026-%05d", i%500), AdvisoryID: "ADV", Title: "flaw",
			Product: vexdoc.Product{AssetID: fmt.Sprintf("asset-%05d", i/10)}, Status: statuses[i%4], Timestamp: now, Action: "update"}
		if s.Status == vexdoc.NotAffected {
			s.Justification, s.Impact = "component_not_present", "not this product"
		}
		out[i] = s
	}
	return out
}

func BenchmarkCSAF(b *testing.B) {
	stmts := benchStatements(10_000)
	for b.Loop() {
		doc, err := vexdoc.CSAF(meta, stmts)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			b.Fatal(err)
		}
		if err := vexdoc.CheckCSAF(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenVEX(b *testing.B) {
	stmts := benchStatements(10_000)
	for b.Loop() {
		if _, err := vexdoc.OpenVEX(meta, stmts); err != nil {
			b.Fatal(err)
		}
	}
}
