// Package version compares product versions the way vendors write them:
// "2.6.0", "v1.4.5", "C.00.04", "R2.2.3", "VA10A", "5.17.1-754993421",
// "1.0.0-rc1", and evaluates vers: ranges (the package-url "vers"
// specification).
//
// Comparison is lenient but never guesses: two versions whose segments differ
// in kind at the same place (a number against a word) are reported as not
// comparable, and the caller treats the match as "possible".
package version

import (
	"strconv"
	"strings"
)

// segment is a run of digits (num) or of letters (word) in a version.
type segment struct {
	num    uint64
	word   string
	isWord bool
}

// preRelease words sort before the release they qualify: 1.0rc1 < 1.0.
var preRelease = map[string]bool{
	"dev": true, "pre": true, "preview": true, "alpha": true, "beta": true,
	"rc": true, "cr": true, "snapshot": true, "milestone": true, "ea": true,
}

// Normalize lowercases v and removes prefixes that carry no order ("v1.2",
// "version 1.2", "release 1.2", "R2.2.3", "rev 3").
func Normalize(v string) string {
	s := strings.ToLower(strings.TrimSpace(v))
	for _, p := range []string{"version", "release", "rev.", "rev", "ver.", "ver"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			rest = strings.TrimLeft(rest, " :.")
			if rest != "" && isDigit(rest[0]) {
				s = rest
				break
			}
		}
	}
	if len(s) > 1 && (s[0] == 'v' || s[0] == 'r') && isDigit(s[1]) {
		s = s[1:]
	}
	return s
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

// maxSegments bounds the work on hostile input.
const maxSegments = 64

// parse splits a normalised version into segments.
func parse(s string) []segment {
	segs := make([]segment, 0, 8)
	for i := 0; i < len(s) && len(segs) < maxSegments; {
		c := s[i]
		switch {
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			var n uint64
			if digits := strings.TrimLeft(s[i:j], "0"); digits != "" {
				var err error
				if n, err = strconv.ParseUint(digits, 10, 64); err != nil {
					n = ^uint64(0) // absurdly long number: saturate
				}
			}
			segs = append(segs, segment{num: n})
			i = j
		case isLetter(c):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			segs = append(segs, segment{word: s[i:j], isWord: true})
			i = j
		default:
			i++ // separators: . - _ + ~ : space and anything else
		}
	}
	return segs
}

// Parsed is a version split into segments once, for repeated comparison.
// The zero value is an empty, incomparable version.
type Parsed struct {
	segs       []segment
	comparable bool
	// wildcard: the version is a pattern ("9.x") and segs holds its prefix.
	wildcard bool
}

// Parse splits v into segments.
func Parse(v string) Parsed {
	p := Parsed{}
	n := Normalize(v)
	if i := wildcardAt(n); i >= 0 {
		p.wildcard = true
		n = strings.TrimRight(n[:i], ".-_ ")
	}
	p.segs = parse(n)
	for _, s := range p.segs {
		if !s.isWord {
			p.comparable = true
			break
		}
	}
	if p.wildcard && len(p.segs) == 0 {
		p.comparable = true // "*" matches everything
	}
	return p
}

// Comparable reports whether p has anything to compare: at least one digit.
func (p Parsed) Comparable() bool { return p.comparable && !p.wildcard }

// Compare orders p against q; see [Compare].
func (p Parsed) Compare(q Parsed) (int, bool) {
	if !p.Comparable() || !q.Comparable() {
		return 0, false
	}
	return compareSegs(p.segs, q.segs)
}

// Matches reports whether v is the version p names; a wildcard pattern
// ("9.x") matches every version that starts with its prefix.
func (p Parsed) Matches(v Parsed) (eq, ok bool) {
	if !p.wildcard {
		c, ok := p.Compare(v)
		return ok && c == 0, ok
	}
	if len(p.segs) == 0 {
		return true, true
	}
	if !v.Comparable() {
		return false, false
	}
	if len(v.segs) < len(p.segs) {
		return false, true
	}
	c, ok := compareSegs(p.segs, v.segs[:len(p.segs)])
	return ok && c == 0, ok
}

// Comparable reports whether v has anything to compare: at least one digit.
// "All versions", "MiniMed pump" and "" are not versions.
func Comparable(v string) bool { return Parse(v).Comparable() }

// Compare returns -1, 0 or +1 as a is older than, equal to or newer than b.
// ok is false when the two cannot be ordered: a segment is a number in one and
// a word in the other, or either has no digit at all.
func Compare(a, b string) (cmp int, ok bool) { return Parse(a).Compare(Parse(b)) }

func compareSegs(x, y []segment) (int, bool) {
	n := min(len(x), len(y))
	for i := 0; i < n; i++ {
		a, b := x[i], y[i]
		switch {
		case !a.isWord && !b.isWord:
			if a.num != b.num {
				return sign(a.num, b.num), true
			}
		case a.isWord && b.isWord:
			pa, pb := preRelease[a.word], preRelease[b.word]
			if pa != pb { // a pre-release word sorts before a plain one
				if pa {
					return -1, true
				}
				return 1, true
			}
			if c := strings.Compare(a.word, b.word); c != 0 {
				return c, true
			}
		default:
			// A pre-release word against a number: 1.0-rc1 < 1.0.1.
			if a.isWord && preRelease[a.word] {
				return -1, true
			}
			if b.isWord && preRelease[b.word] {
				return 1, true
			}
			return 0, false
		}
	}
	switch {
	case len(x) == len(y):
		return 0, true
	case len(x) > len(y):
		return tail(x[n:]), true
	default:
		return -tail(y[n:]), true
	}
}

// tail says how a version with extra trailing segments compares to the same
// version without them: 1.0.0 == 1.0, 1.0.1 > 1.0, 1.0rc1 < 1.0, 2.6A > 2.6.
func tail(extra []segment) int {
	for _, s := range extra {
		if s.isWord {
			if preRelease[s.word] {
				return -1
			}
			return 1
		}
		if s.num != 0 {
			return 1
		}
	}
	return 0
}

func sign(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// Equal reports whether a and b name the same version. A pattern segment "x"
// or "*" matches any segment and everything after it ("9.x" matches "9.4.1").
func Equal(pattern, v string) (eq bool, ok bool) { return Parse(pattern).Matches(Parse(v)) }

// wildcardAt returns the index of a wildcard segment ("x" or "*" standing
// alone between separators) in a normalised version, or -1.
func wildcardAt(p string) int {
	for i := 0; i < len(p); i++ {
		if p[i] != 'x' && p[i] != '*' {
			continue
		}
		startOK := i == 0 || strings.ContainsRune(".-_ ", rune(p[i-1]))
		endOK := i == len(p)-1 || strings.ContainsRune(".-_ ", rune(p[i+1]))
		if startOK && endOK && i > 0 {
			return i
		}
		if p[i] == '*' && len(p) == 1 {
			return 0
		}
	}
	return -1
}
