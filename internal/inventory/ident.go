package inventory

import (
	"fmt"
	"strings"

	"github.com/package-url/packageurl-go"
)

// checkCPE reports whether s is a CPE 2.3 formatted string ("cpe:2.3:" and 13
// colon-separated parts, "\:" being an escaped colon) or a CPE 2.2 URI
// ("cpe:/" and a part letter). The check is light: matching parses CPEs fully.
func checkCPE(s string) error {
	if strings.ContainsAny(s, " \t\r\n") {
		return fmt.Errorf("cpe %q: %w: contains white space", s, ErrInvalid)
	}
	f := cpeFields(s)
	switch {
	case strings.HasPrefix(s, "cpe:2.3:") && len(f) != 11:
		return fmt.Errorf("cpe %q: %w: a CPE 2.3 name has 13 colon-separated parts, this has %d", s, ErrInvalid, len(f)+2)
	case len(f) > 0 && (f[0] == "a" || f[0] == "o" || f[0] == "h"):
		return nil
	}
	return fmt.Errorf("cpe %q: %w: want cpe:2.3:part:vendor:product:... or cpe:/part:vendor:product", s, ErrInvalid)
}

// cpeFields splits a CPE 2.3 formatted string or 2.2 URI after its prefix at
// unescaped colons: part, vendor, product, version, ... It returns nil for
// anything else.
func cpeFields(s string) []string {
	var rest string
	switch {
	case strings.HasPrefix(s, "cpe:2.3:"):
		rest = s[len("cpe:2.3:"):]
	case strings.HasPrefix(s, "cpe:/"):
		rest = s[len("cpe:/"):]
	default:
		return nil
	}
	fields := make([]string, 0, 11)
	start, escaped := 0, false
	for i := 0; i < len(rest); i++ {
		switch {
		case escaped:
			escaped = false
		case rest[i] == '\\':
			escaped = true
		case rest[i] == ':':
			fields = append(fields, rest[start:i])
			start = i + 1
		}
	}
	return append(fields, rest[start:])
}

// cpeField returns field i of a CPE (0 part, 1 vendor, 2 product, 3 version),
// or "" when absent or a wildcard.
func cpeField(cpe string, i int) string {
	f := cpeFields(cpe)
	if i >= len(f) || f[i] == "*" || f[i] == "-" {
		return ""
	}
	return f[i]
}

// checkPURL reports whether s parses as a package URL.
func checkPURL(s string) error {
	if _, err := packageurl.FromString(s); err != nil {
		return fmt.Errorf("purl %q: %w: %w", s, ErrInvalid, err)
	}
	return nil
}

// sbomPart is what an SBOM or a scan says about one part of an asset, before
// it becomes an [Asset] or a [Component].
type sbomPart struct {
	ref, kind, vendor, name, version, cpe, purl string
}

// identifiers checks the CPE and PURL that SBOMs and scans carry. Unlike a
// ward CSV, such files come from vendors and tools the user cannot correct, so
// a malformed identifier is dropped, counted and named in a notice rather than
// failing the import; the part keeps its name and version for matching.
type identifiers struct {
	dropped int
	first   string
}

// clean returns p with surrounding space trimmed and any malformed CPE or
// PURL removed.
func (ids *identifiers) clean(p sbomPart) sbomPart {
	for _, f := range []*string{&p.ref, &p.kind, &p.vendor, &p.name, &p.version, &p.cpe, &p.purl} {
		*f = strings.TrimSpace(*f)
	}
	p.cpe = ids.keep(p.name, p.cpe, checkCPE)
	p.purl = ids.keep(p.name, p.purl, checkPURL)
	return p
}

func (ids *identifiers) keep(name, v string, check func(string) error) string {
	if v == "" {
		return ""
	}
	err := check(v)
	if err == nil {
		return v
	}
	if ids.dropped == 0 {
		ids.first = fmt.Sprintf("%q: %v", name, err)
	}
	ids.dropped++
	return ""
}

// notice describes the dropped identifiers, or returns "".
func (ids *identifiers) notice() string {
	if ids.dropped == 0 {
		return ""
	}
	return fmt.Sprintf("%d malformed cpe or purl identifiers ignored, first %s", ids.dropped, ids.first)
}

// component returns p as a [Component].
func (p sbomPart) component() Component {
	return Component{Ref: p.ref, Kind: p.kind, Vendor: p.vendor, Name: p.name, Version: p.version, CPE: p.cpe, PURL: p.purl}
}

// nameVersion joins a name and version as name@version, or returns name.
func nameVersion(name, version string) string {
	if name == "" || version == "" {
		return name
	}
	return name + "@" + version
}

// firstNonEmpty returns the first of vs that is not empty.
func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
