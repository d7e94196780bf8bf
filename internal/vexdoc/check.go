package vexdoc

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/gocsaf/csaf/v3/csaf"
)

// CheckCSAF validates a CSAF document (JSON) against the CSAF 2.0 JSON
// schema ([csaf.ValidateCSAF]) and against the mandatory tests of the VEX
// profile that the schema cannot express: 6.1.1 (every product id
// referenced is defined), 6.1.6 (no product has two statuses for one
// vulnerability), 6.1.27.1 (document notes), 6.1.27.4 (product tree),
// 6.1.27.5 (vulnerability notes), 6.1.27.7 (a product status), 6.1.27.8
// (cve or ids), 6.1.27.9 (an impact statement for each product not
// affected), 6.1.27.10 (an action statement for each product affected) and
// 6.1.27.11 (vulnerabilities). It returns every problem found, joined.
func CheckCSAF(raw []byte) error {
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return fmt.Errorf("csaf: %w", err)
	}
	var errs []error
	msgs, err := csaf.ValidateCSAF(generic)
	if err != nil {
		return fmt.Errorf("csaf schema: %w", err)
	}
	for _, m := range msgs {
		errs = append(errs, fmt.Errorf("csaf schema: %s", m))
	}
	var doc CSAFDocument
	if err := json.Unmarshal(raw, &doc); err != nil {
		return errors.Join(append(errs, fmt.Errorf("csaf: %w", err))...)
	}
	bad := func(test, format string, args ...any) {
		errs = append(errs, fmt.Errorf("csaf %s: "+format, append([]any{test}, args...)...))
	}
	if doc.Document.Category != "csaf_vex" {
		bad("4.5", "category %q, want csaf_vex", doc.Document.Category)
	}
	noteOK := func(ns []csafNote) bool {
		return slices.ContainsFunc(ns, func(n csafNote) bool {
			return slices.Contains([]string{"description", "details", "general", "summary"}, n.Category)
		})
	}
	if !noteOK(doc.Document.Notes) {
		bad("6.1.27.1", "no document note of category description, details, general or summary")
	}
	defined := map[string]bool{}
	for _, p := range doc.ProductTree.FullProductNames {
		defined[p.ProductID] = true
	}
	if len(defined) == 0 {
		bad("6.1.27.4", "no product tree")
	}
	if raw := json.RawMessage(raw); !hasKey(raw, "vulnerabilities") {
		bad("6.1.27.11", "no vulnerabilities")
	}
	for i, v := range doc.Vulnerabilities {
		if len(v.Notes) == 0 {
			bad("6.1.27.5", "vulnerabilities[%d]: no notes", i)
		}
		if v.CVE == "" && len(v.IDs) == 0 {
			bad("6.1.27.8", "vulnerabilities[%d]: neither cve nor ids", i)
		}
		ps := v.ProductStatus
		if len(ps.Fixed)+len(ps.KnownAffected)+len(ps.KnownNotAffected)+len(ps.UnderInvestigation) == 0 {
			bad("6.1.27.7", "vulnerabilities[%d]: no product status", i)
		}
		status := map[string]string{}
		for name, ids := range map[string][]string{"fixed": ps.Fixed, "known_affected": ps.KnownAffected,
			"known_not_affected": ps.KnownNotAffected, "under_investigation": ps.UnderInvestigation} {
			for _, id := range ids {
				if !defined[id] {
					bad("6.1.1", "vulnerabilities[%d]: product %s is not defined", i, id)
				}
				if prev, ok := status[id]; ok {
					bad("6.1.6", "vulnerabilities[%d]: product %s is %s and %s", i, id, prev, name)
				}
				status[id] = name
			}
		}
		impact := map[string]bool{}
		for _, f := range v.Flags {
			for _, id := range f.ProductIDs {
				impact[id] = true
			}
		}
		for _, t := range v.Threats {
			for _, id := range t.ProductIDs {
				impact[id] = impact[id] || t.Category == "impact"
			}
		}
		for _, id := range ps.KnownNotAffected {
			if !impact[id] {
				bad("6.1.27.9", "vulnerabilities[%d]: product %s is not affected without an impact statement", i, id)
			}
		}
		action := map[string]bool{}
		for _, r := range v.Remediations {
			for _, id := range r.ProductIDs {
				action[id] = true
			}
		}
		for _, id := range ps.KnownAffected {
			if !action[id] {
				bad("6.1.27.10", "vulnerabilities[%d]: product %s is affected without an action statement", i, id)
			}
		}
	}
	return errors.Join(errs...)
}

// hasKey reports whether the JSON object raw has key at its top level.
func hasKey(raw json.RawMessage, key string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	_, ok := m[key]
	return ok
}
