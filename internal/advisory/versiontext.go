package advisory

import (
	"regexp"
	"strings"

	"github.com/ward-health/ward/internal/version"
)

// Vendors write affected versions in free text: "<= C.00.04", "2.3.6 and
// below", ">= 5.01 | <= 6.3.1", "(Release 1.3.2 1.4.0 1.4.5)", "9.x",
// "vers:all/*". ParseVersionText turns such text into ranges; what it cannot
// read stays as Text so that a match on the product name is only ever
// "possible".

var (
	reOpVersion = regexp.MustCompile(`(?i)^(<=|=<|<|>=|=>|>|==|=)?\s*([a-z0-9][a-z0-9._\-+~]*)$`)
	reBelow     = regexp.MustCompile(`(?i)^([a-z0-9][a-z0-9._\-+~]*)\s*(?:and|or)\s*(below|earlier|lower|prior|older|before|previous|above|later|higher|newer|greater|after)$`)
	rePrior     = regexp.MustCompile(`(?i)^(?:prior to|before|earlier than|older than|up to and including|up to|through|until|from|since|after|later than)\s+([a-z0-9][a-z0-9._\-+~]*)$`)
	reParen     = regexp.MustCompile(`\s*\(([^()]*)\)\s*`)
	reFilter    = regexp.MustCompile(`(?i)^(?:all\s+)?(?:versions?|releases?|software|firmware|sw|fw)\s*`)
)

// maxVersionText bounds the text ParseVersionText looks at.
const maxVersionText = 512

// ParseVersionText reads vendor free text about versions into ranges, each
// with status st. It never fails: text it cannot read becomes one Range with
// only Text set.
func ParseVersionText(text string, st Status) []Range {
	orig := strings.TrimSpace(text)
	if len(orig) > maxVersionText {
		return []Range{{Status: st, Text: orig[:maxVersionText]}}
	}
	s := orig
	if strings.HasPrefix(strings.ToLower(s), "vers:") {
		if v, err := version.ParseVers(orig); err == nil {
			if v.All {
				return []Range{{Status: st, All: true, Text: orig}}
			}
			return []Range{{Status: st, Vers: orig, Scheme: v.Scheme, Text: orig}}
		}
		return []Range{{Status: st, Text: orig}}
	}
	switch strings.ToLower(s) {
	case "", "*", "all", "all versions", "any", "any version", "all current versions", "all releases":
		return []Range{{Status: st, All: true, Text: orig}}
	}

	// A parenthesis that lists versions is the version; one that adds
	// conditions ("with Wireless Battery Module ...") qualifies it.
	qualified := false
	if m := reParen.FindStringSubmatch(s); m != nil {
		inner := strings.TrimSpace(reFilter.ReplaceAllString(m[1], ""))
		outer := strings.TrimSpace(reParen.ReplaceAllString(s, " "))
		switch {
		case outer == "" || reFilter.ReplaceAllString(outer, "") == "":
			s = inner
		case versionList(inner) != nil && !versionLike(outer):
			s = inner
		default:
			s, qualified = outer, true
		}
	}
	s = strings.TrimSpace(reFilter.ReplaceAllString(s, ""))
	s = strings.Join(strings.Fields(s), " ")

	var out []Range
	if r, ok := parseBounds(s); ok {
		out = r
	} else if list := versionList(s); list != nil {
		out = []Range{{Exact: list}}
	} else {
		return []Range{{Status: st, Text: orig}}
	}
	for i := range out {
		out[i].Status, out[i].Text, out[i].Qualified = st, orig, qualified
	}
	return out
}

// parseBounds reads one or more comparator constraints separated by "|",
// "," or "and". CISA writes ">= 5.01 | <= 6.3.1" for one interval.
func parseBounds(s string) ([]Range, bool) {
	parts := []string{s}
	if !reBelow.MatchString(s) { // "2.3.6 and below" is one constraint
		parts = splitAny(s, "|", ",", " and ", ";")
	}
	var lo, hi []string // lower-bound and upper-bound constraint
	var exact []string
	var r Range
	for _, p := range parts {
		p = strings.TrimSpace(reFilter.ReplaceAllString(strings.TrimSpace(p), ""))
		if m := reBelow.FindStringSubmatch(p); m != nil && versionLike(m[1]) {
			switch strings.ToLower(m[2]) {
			case "above", "later", "higher", "newer", "greater", "after":
				lo = append(lo, ">=", m[1])
			case "prior", "before":
				hi = append(hi, "<", m[1])
			default:
				hi = append(hi, "<=", m[1])
			}
			continue
		}
		if m := rePrior.FindStringSubmatch(p); m != nil && versionLike(m[1]) {
			switch {
			case hasAnyPrefix(p, "up to", "through", "until"):
				hi = append(hi, "<=", m[1])
			case hasAnyPrefix(p, "from", "since"):
				lo = append(lo, ">=", m[1])
			case hasAnyPrefix(p, "after", "later"):
				lo = append(lo, ">", m[1])
			default:
				hi = append(hi, "<", m[1])
			}
			continue
		}
		m := reOpVersion.FindStringSubmatch(p)
		if m == nil || !versionLike(m[2]) {
			return nil, false
		}
		switch m[1] {
		case "<", "<=", "=<":
			hi = append(hi, strings.Replace(m[1], "=<", "<=", 1), m[2])
		case ">", ">=", "=>":
			lo = append(lo, strings.Replace(m[1], "=>", ">=", 1), m[2])
		default:
			exact = append(exact, m[2])
		}
	}
	if len(lo) == 0 && len(hi) == 0 {
		return nil, false // a plain list: versionList reads it
	}
	if len(lo) > 2 || len(hi) > 2 {
		return nil, false // several intervals in one text: too ambiguous
	}
	if len(lo) == 2 && lo[0] == ">" {
		// An exclusive lower bound has no field of its own: say it in vers.
		v := "vers:generic/>" + lo[1]
		if len(hi) == 2 {
			v += "|" + hi[0] + hi[1]
		}
		r.Vers = v
		hi = nil
	} else if len(lo) == 2 {
		r.Introduced = lo[1]
	}
	if len(hi) == 2 {
		if hi[0] == "<" {
			r.Fixed = hi[1]
		} else {
			r.LastAffected = hi[1]
		}
	}
	out := []Range{r}
	for _, e := range exact {
		out = append(out, Range{Exact: []string{e}})
	}
	return out, true
}

// versionList reads "1.3.2 1.4.0 1.4.5", "B.02 | C.02 | C.03" or "1.0, 1.1"
// into a list of versions, or nil when any item is not version-like.
func versionList(s string) []string {
	items := splitAny(s, "|", ",", ";", " and ", " or ", " ")
	var out []string
	for _, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		if !versionLike(it) {
			return nil
		}
		out = append(out, it)
	}
	if len(out) == 0 || len(out) > 64 {
		return nil
	}
	return out
}

// versionLike reports whether s looks like one version: it has a digit, no
// spaces, and is not a bare model-like word with more letters than digits
// beyond a short prefix ("MMT-508" is a model; "VA10A", "C.00.04", "6.3V1L10"
// and "2.6A" are versions). The rule: a digit, and either a separator-dotted
// shape or at most three letters in a row.
func versionLike(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t") {
		return false
	}
	s = strings.ToLower(s)
	digits, run, maxRun := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			run = 0
		case c >= 'a' && c <= 'z':
			run++
			maxRun = max(maxRun, run)
		default:
			run = 0
		}
	}
	if digits == 0 {
		return false
	}
	if strings.ContainsAny(s, ".") {
		return maxRun <= 8
	}
	return maxRun <= 3 && !strings.Contains(s, "-") || strings.Count(s, "-") == 1 && maxRun == 0
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	s = strings.ToLower(s)
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func splitAny(s string, seps ...string) []string {
	parts := []string{s}
	for _, sep := range seps {
		var next []string
		for _, p := range parts {
			next = append(next, strings.Split(p, sep)...)
		}
		parts = next
	}
	return parts
}
