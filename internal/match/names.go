package match

import (
	_ "embed"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

//go:embed vendors.txt
var vendorTable string

// Names normalises vendor and product names so that "GE Healthcare",
// "General Electric (GE)" and "GE HealthCare" become one vendor and
// "Philips IntelliVue MX40®" and "IntelliVue MX40" one product. It is
// read-only after [NewNames] and safe for concurrent use.
type Names struct {
	alias map[string]string // normalised spelling -> canonical vendor
}

// NewNames builds the vendor alias table from ward's built-in list plus
// extra lines in the same format ("canonical: alias; alias").
func NewNames(extra ...string) *Names {
	n := &Names{alias: map[string]string{}}
	for _, table := range append([]string{vendorTable}, extra...) {
		for _, line := range strings.Split(table, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			canon, rest, _ := strings.Cut(line, ":")
			c := n.fold(canon)
			n.alias[c] = c
			for _, a := range strings.Split(rest, ";") {
				if a = n.fold(a); a != "" {
					n.alias[a] = c
				}
			}
		}
	}
	return n
}

// corporate words carry no identity: "Baxter International Inc." is Baxter.
var corporate = map[string]bool{
	"inc": true, "incorporated": true, "ltd": true, "limited": true, "llc": true, "co": true,
	"corp": true, "corporation": true, "company": true, "gmbh": true, "ag": true, "se": true,
	"sa": true, "nv": true, "bv": true, "plc": true, "oy": true, "ab": true, "kg": true,
	"international": true, "group": true, "holdings": true, "the": true, "srl": true, "spa": true,
}

// fold lowercases, strips accents and punctuation and collapses spaces.
func (n *Names) fold(s string) string {
	if !isASCII(s) {
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if r, _, err := transform.String(t, s); err == nil {
			s = r
		}
	}
	var b strings.Builder
	space := true
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		case r == '®' || r == '™' || r == '©' || r == '\'':
			// trademark signs and apostrophes join, not split
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// Vendors returns the canonical vendors a vendor string names. One string may
// name several ("Silex Technology and GE Healthcare") or carry an
// abbreviation ("Becton, Dickinson and Company (BD)").
func (n *Names) Vendors(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	add := func(v string) {
		if v == "" {
			return
		}
		for _, o := range out {
			if o == v {
				return
			}
		}
		out = append(out, v)
	}
	// The whole string first: "Becton, Dickinson and Company" is one vendor.
	whole := n.Vendor(s)
	add(whole)
	if open := strings.IndexByte(s, '('); open >= 0 {
		if end := strings.IndexByte(s[open:], ')'); end > 0 {
			add(n.Vendor(s[open+1 : open+end]))
			add(n.Vendor(s[:open]))
		}
	}
	if _, known := n.alias[n.fold(s)]; !known {
		for _, part := range splitVendors(s) {
			add(n.Vendor(part))
		}
	}
	return out
}

func splitVendors(s string) []string {
	s = strings.NewReplacer(" and ", ",", " & ", ",", "/", ",").Replace(s)
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// Vendor returns the canonical form of one vendor name.
func (n *Names) Vendor(s string) string {
	f := n.fold(s)
	if c, ok := n.alias[f]; ok {
		return c
	}
	words := strings.Fields(f)
	kept := words[:0:0]
	for _, w := range words {
		if !corporate[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return f
	}
	f = strings.Join(kept, " ")
	if c, ok := n.alias[f]; ok {
		return c
	}
	return f
}

// stopwords carry no product identity.
var stopwords = map[string]bool{
	"the": true, "and": true, "for": true, "with": true, "of": true, "series": true,
	"system": true, "systems": true, "software": true, "version": true, "versions": true,
	"model": true, "models": true, "all": true, "device": true, "devices": true, "product": true,
	"products": true, "family": true, "platform": true, "solution": true, "application": true,
	"a": true, "an": true, "on": true, "in": true, "to": true, "by": true,
}

// Product returns the normalised product name, without the vendor's own name
// in front ("Philips IntelliVue" -> "intellivue").
func (n *Names) Product(vendor, product string) string {
	p := n.fold(product)
	for _, v := range []string{n.fold(vendor), vendor} {
		v = n.fold(v)
		if v != "" && strings.HasPrefix(p, v+" ") {
			p = strings.TrimPrefix(p, v+" ")
			break
		}
	}
	if c := n.Vendor(vendor); c != "" && strings.HasPrefix(p, c+" ") {
		p = strings.TrimPrefix(p, c+" ")
	}
	return p
}

// Tokens returns the identity-bearing words of a normalised product name.
func Tokens(p string) []string {
	var out []string
	for _, w := range strings.Fields(p) {
		if stopwords[w] || len(w) < 2 && !isNumber(w) {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == w
		}
		if !dup {
			out = append(out, w)
		}
	}
	return out
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// similarity is the Jaccard index of two token sets.
func similarity(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	shared := 0
	for _, x := range a {
		for _, y := range b {
			if x == y {
				shared++
				break
			}
		}
	}
	return float64(shared) / float64(len(a)+len(b)-shared)
}

// contained reports whether the smaller of two token sets, of at least two
// tokens, lies wholly in the larger: "IntelliVue MX40" in "IntelliVue MX40
// Patient Worn Monitor (WLAN only)".
func contained(a, b []string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) < 2 {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
