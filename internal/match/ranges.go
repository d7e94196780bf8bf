package match

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/version"
)

// verdict is what an Affect's ranges say about one version. Its words are
// built only for the verdicts that become findings (see because).
type verdict struct {
	status advisory.Status
	sure   bool // the version was compared, and the range has no unchecked conditions
	rng    *advisory.Range
	reason reason
	raw    string // the version as written
}

// reason says which rule gave a verdict.
type reason uint8

const (
	inRange       reason = iota // the version lies in rng
	notComparable               // the version cannot be compared with rng
	byDefault                   // no range covers the version; the default status applies
)

// because says the verdict in words, for evidence.
func (v verdict) because(a *advisory.Affect) string {
	switch v.reason {
	case notComparable:
		if v.raw == "" {
			return "version unknown; " + describe(v.rng) + " are " + words(v.rng.Status)
		}
		return fmt.Sprintf("version %q cannot be compared with %s", v.raw, describe(v.rng))
	case byDefault:
		return "versions not listed are " + words(a.DefaultStatus)
	}
	why := fmt.Sprintf("version %s is in %s", v.raw, describe(v.rng))
	if v.raw == "" {
		why = "all versions are " + words(v.rng.Status)
	}
	if v.rng.Qualified {
		why += fmt.Sprintf(" (the source adds a condition: %q)", v.rng.Text)
	}
	return why
}

// parsedRange is a Range with its versions parsed once.
type parsedRange struct {
	*advisory.Range
	exact                       []version.Parsed
	introduced, fixed, last     version.Parsed
	hasIntro, hasFixed, hasLast bool
	vers                        *version.Vers
}

func parseRanges(rs []advisory.Range) []parsedRange {
	out := make([]parsedRange, len(rs))
	for i := range rs {
		r := &rs[i]
		p := parsedRange{Range: r}
		for _, e := range r.Exact {
			p.exact = append(p.exact, version.Parse(e))
		}
		if r.Introduced != "" && r.Introduced != "0" {
			p.introduced, p.hasIntro = version.Parse(r.Introduced), true
		}
		if r.Fixed != "" {
			p.fixed, p.hasFixed = version.Parse(r.Fixed), true
		}
		if r.LastAffected != "" {
			p.last, p.hasLast = version.Parse(r.LastAffected), true
		}
		if r.Vers != "" {
			if v, err := version.ParseVers(r.Vers); err == nil {
				p.vers = &v
			}
		}
		out[i] = p
	}
	return out
}

// evaluate checks version v (raw: as written) against an entry's ranges in
// order. An empty v is an unknown version: a range covering every version
// still decides, and any other range gives an unsure verdict.
func evaluate(e *entry, raw string, v version.Parsed) (verdict, bool) {
	a := e.affect
	var unsure *verdict
	for i := range e.ranges {
		r := &e.ranges[i]
		in, ok := contains(r, raw, v)
		if !ok {
			if unsure == nil && r.Status != advisory.StatusKnownNotAffected && r.Status != advisory.StatusFixed {
				unsure = &verdict{status: r.Status, rng: r.Range, reason: notComparable, raw: raw}
			}
			continue
		}
		if in {
			return verdict{status: r.Status, sure: !r.Qualified, rng: r.Range, reason: inRange, raw: raw}, true
		}
	}
	if unsure != nil {
		return *unsure, true
	}
	if a.DefaultStatus != advisory.StatusUnknown {
		if raw == "" && a.DefaultStatus != advisory.StatusKnownAffected {
			return verdict{}, false
		}
		return verdict{status: a.DefaultStatus, sure: raw != "" || len(a.Ranges) == 0, reason: byDefault, raw: raw}, true
	}
	return verdict{}, false
}

// contains reports whether r holds v; ok is false when that cannot be told.
func contains(r *parsedRange, raw string, v version.Parsed) (in, ok bool) {
	switch {
	case r.All:
		return true, true
	case raw == "":
		return false, false
	case len(r.exact) > 0:
		comparable := false
		for _, e := range r.exact {
			eq, ok := e.Matches(v)
			if ok && eq {
				return true, true
			}
			comparable = comparable || ok
		}
		return false, comparable
	case r.Vers != "":
		if r.vers == nil {
			return false, false
		}
		return r.vers.Contains(raw)
	case !r.hasIntro && !r.hasFixed && !r.hasLast:
		all := r.Introduced == "0" // "introduced 0" alone: every version
		return all, all
	}
	if r.hasIntro {
		c, ok := v.Compare(r.introduced)
		if !ok {
			return false, false
		}
		if c < 0 {
			return false, true
		}
	}
	if r.hasFixed {
		c, ok := v.Compare(r.fixed)
		if !ok {
			return false, false
		}
		return c < 0, true
	}
	if r.hasLast {
		c, ok := v.Compare(r.last)
		if !ok {
			return false, false
		}
		return c <= 0, true
	}
	return true, true
}

// describe says a range in words for evidence.
func describe(r *advisory.Range) string {
	switch {
	case r.All:
		return "all versions"
	case len(r.Exact) > 0:
		return "versions " + strings.Join(r.Exact, ", ")
	case r.Vers != "":
		return r.Vers
	}
	var parts []string
	if r.Introduced != "" && r.Introduced != "0" {
		parts = append(parts, ">= "+r.Introduced)
	}
	if r.Fixed != "" {
		parts = append(parts, "< "+r.Fixed)
	}
	if r.LastAffected != "" {
		parts = append(parts, "<= "+r.LastAffected)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%q", r.Text)
	}
	return "versions " + strings.Join(parts, ", ")
}

func words(s advisory.Status) string {
	switch s {
	case advisory.StatusKnownAffected:
		return "affected"
	case advisory.StatusFixed:
		return "fixed"
	case advisory.StatusKnownNotAffected:
		return "not affected"
	case advisory.StatusUnderInvestigation:
		return "under investigation"
	}
	return "of unknown status"
}

// fixedVersions maps each product of a vulnerability (by normalised name)
// to the lowest version the source lists as fixed for it.
func fixedVersions(v *advisory.Vulnerability, names *Names) map[string]string {
	var out map[string]string
	for i := range v.Affects {
		o := &v.Affects[i]
		for _, r := range o.Ranges {
			if r.Status != advisory.StatusFixed {
				continue
			}
			if out == nil {
				out = map[string]string{}
			}
			key := names.Product(o.Product.Vendor, o.Product.Name)
			for _, c := range append(slices.Clone(r.Exact), r.Introduced) {
				if c == "" || !version.Comparable(c) {
					continue
				}
				if best, ok := out[key]; !ok {
					out[key] = c
				} else if x, ok := version.Compare(c, best); ok && x < 0 {
					out[key] = c
				}
			}
		}
	}
	return out
}
