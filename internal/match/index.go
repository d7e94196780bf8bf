package match

import (
	"fmt"
	"sort"
	"strings"

	"github.com/facebookincubator/nvdtools/wfn"
	"github.com/package-url/packageurl-go"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/version"
)

// minSimilarity is the token overlap (Jaccard) a "possible" name match
// between products of the same vendor must exceed.
const minSimilarity = 0.5

// entry is one advisory product (an Affect) prepared for matching.
type entry struct {
	adv    *advisory.Advisory
	vuln   *advisory.Vulnerability
	affect *advisory.Affect

	purls   []string          // type/namespace/name
	cpes    []*wfn.Attributes // concrete vendor and product only
	cpeWhat string            // "cpe <the source's first CPE>", for evidence
	prod    *productNames     // nil when the source names no vendor and product
	fixed   string            // lowest version the source calls fixed for this product
	ranges  []parsedRange     // the Affect's ranges, parsed
}

// productNames is a vendor and product name prepared for matching. Many
// entries share one (every CVE of "Windows 10 Version 1809"); the Matcher
// relates a subject to each productNames once.
type productNames struct {
	vendor, name string     // as the source wrote them
	vendors      []string   // canonical
	names        []string   // normalised product names (alternatives split)
	tokens       [][]string // per name
	models       []string   // folded model numbers
}

func newProductNames(n *Names, id advisory.Identity) *productNames {
	if id.Vendor == "" || id.Name == "" {
		return nil
	}
	p := &productNames{vendor: id.Vendor, name: id.Name, vendors: n.Vendors(id.Vendor)}
	for _, alt := range alternatives(id.Name) {
		name := n.Product(id.Vendor, alt)
		if name == "" {
			continue
		}
		p.names = append(p.names, name)
		p.tokens = append(p.tokens, Tokens(name))
	}
	for _, m := range id.Models {
		if f := n.fold(m); f != "" {
			p.models = append(p.models, f)
		}
	}
	return p
}

// productKey identifies what newProductNames depends on.
func productKey(id advisory.Identity) string {
	return id.Vendor + "\x00" + id.Name + "\x00" + strings.Join(id.Models, "\x01")
}

func (p *productNames) keys() []string {
	if p == nil {
		return nil
	}
	var ks []string
	for _, v := range p.vendors {
		for i, n := range p.names {
			ks = append(ks, nameKey(v, n))
			for _, t := range p.tokens[i] {
				ks = append(ks, tokenKey(v, t))
			}
		}
		for _, m := range p.models {
			ks = append(ks, modelKey(v, m))
		}
	}
	return ks
}

// subject is an asset or a component inside it, as matching sees it.
type subject struct {
	component string // "" for the asset itself
	vendor    string
	product   string
	version   string
	parsedVer version.Parsed
	model     string
	cpe       *wfn.Attributes
	cpeVer    string // the CPE's version, when concrete
	purl      string // type/namespace/name
	purlVer   string

	vendors []string
	name    string
	tokens  []string
	fmodel  string
}

// key is an index key: a kind prefix and the identity.
func purlKey(k string) string            { return "p:" + k }
func cpeKey(a *wfn.Attributes) string    { return "c:" + a.Part + ":" + a.Vendor + ":" + a.Product }
func nameKey(vendor, name string) string { return "n:" + vendor + "|" + name }
func tokenKey(vendor, tok string) string { return "t:" + vendor + "|" + tok }
func modelKey(vendor, m string) string   { return "m:" + vendor + "|" + m }

// idKeys are the entry's identifier keys (PURL, CPE).
func (e *entry) idKeys() []string {
	var ks []string
	for _, p := range e.purls {
		ks = append(ks, purlKey(p))
	}
	for _, c := range e.cpes {
		ks = append(ks, cpeKey(c))
	}
	return ks
}

func (e *entry) keys() []string { return append(e.idKeys(), e.prod.keys()...) }

// idKeys are the subject's identifier keys (PURL, CPE).
func (s *subject) idKeys() []string {
	var ks []string
	if s.purl != "" {
		ks = append(ks, purlKey(s.purl))
	}
	if s.cpe != nil {
		ks = append(ks, cpeKey(s.cpe))
	}
	return ks
}

// nameKeys are the subject's name, token and model keys.
func (s *subject) nameKeys() []string {
	var ks []string
	for _, v := range s.vendors {
		if s.name != "" {
			ks = append(ks, nameKey(v, s.name))
		}
		for _, t := range s.tokens {
			ks = append(ks, tokenKey(v, t))
		}
		if s.fmodel != "" {
			ks = append(ks, modelKey(v, s.fmodel), tokenKey(v, s.fmodel))
		}
	}
	return ks
}

func (s *subject) keys() []string { return append(s.idKeys(), s.nameKeys()...) }

// nameIdentity identifies what name matching depends on.
func (s *subject) nameIdentity() string {
	return strings.Join(s.vendors, "\x01") + "\x00" + s.name + "\x00" + s.fmodel
}

// newEntry prepares one Affect; fixed is [fixedVersions] of its
// vulnerability.
func newEntry(n *Names, adv *advisory.Advisory, v *advisory.Vulnerability, a *advisory.Affect, fixed map[string]string, prod *productNames) *entry {
	e := &entry{adv: adv, vuln: v, affect: a, ranges: parseRanges(a.Ranges), prod: prod}
	if fixed != nil {
		e.fixed = fixed[n.Product(a.Product.Vendor, a.Product.Name)]
	}
	for _, p := range a.Product.PURLs {
		if k, _, ok := parsePURL(p); ok {
			e.purls = append(e.purls, k)
		}
	}
	for _, c := range a.Product.CPEs {
		if attr, ok := parseCPE(c); ok {
			e.cpes = append(e.cpes, attr)
		}
	}
	if len(a.Product.CPEs) > 0 {
		e.cpeWhat = "cpe " + a.Product.CPEs[0]
	}
	return e
}

// alternatives splits "Coronary Tools/Dynamic Coronary Roadmap" into its
// parts, keeping the whole too.
func alternatives(name string) []string {
	out := []string{name}
	if strings.Count(name, "/") == 0 {
		return out
	}
	for _, p := range strings.Split(name, "/") {
		if p = strings.TrimSpace(p); len(p) >= 3 {
			out = append(out, p)
		}
	}
	return out
}

// spec is what a subject is made from: the raw fields of an asset, a
// component or a service. Equal specs match equally.
type spec struct {
	component                                  string // "" for the asset itself
	vendor, product, version, model, cpe, purl string
}

// key identifies a spec for caching.
func (p *spec) key() string {
	return p.vendor + "\x00" + p.product + "\x00" + p.version + "\x00" + p.model + "\x00" + p.cpe + "\x00" + p.purl
}

func newSubject(n *Names, p *spec) subject {
	s := subject{component: p.component, vendor: p.vendor, product: p.product, version: p.version, model: p.model,
		parsedVer: version.Parse(p.version)}
	if p.cpe != "" {
		if attr, ok := parseCPE(p.cpe); ok {
			s.cpe, s.cpeVer = attr, cpeVersion(attr)
		}
	}
	if p.purl != "" {
		if k, pv, ok := parsePURL(p.purl); ok {
			s.purl, s.purlVer = k, pv
		}
	}
	if p.vendor != "" && p.product != "" {
		s.vendors = n.Vendors(p.vendor)
		s.name = n.Product(p.vendor, p.product)
		s.tokens = Tokens(s.name)
	}
	if p.vendor != "" && p.model != "" {
		if len(s.vendors) == 0 {
			s.vendors = n.Vendors(p.vendor)
		}
		s.fmodel = n.fold(p.model)
	}
	return s
}

// specs lists what to match of an asset: itself, its components and the
// software its services run.
func specs(a *inventory.Asset) []spec {
	out := make([]spec, 0, 1+len(a.Components))
	if a.CPE != "" || a.PURL != "" || a.Vendor != "" && a.Product != "" {
		out = append(out, spec{"", a.Vendor, a.Product, a.Version, a.Model, a.CPE, a.PURL})
	}
	for _, c := range a.Components {
		vendor := c.Vendor
		if vendor == "" && c.PURL == "" && c.CPE == "" {
			vendor = a.Vendor // firmware of the device: the device maker's
		}
		label := strings.TrimSpace(c.Name + " " + c.Version)
		out = append(out, spec{label, vendor, c.Name, c.Version, "", c.CPE, c.PURL})
	}
	for _, sv := range a.Services {
		if sv.CPE == "" {
			continue
		}
		label := fmt.Sprintf("%s on %d/%s", strings.TrimSpace(sv.Product+" "+sv.Version), sv.Port, sv.Protocol)
		out = append(out, spec{label, "", "", sv.Version, "", sv.CPE, ""})
	}
	return out
}

// platformCPEs lists every CPE on an asset, for "running on" checks.
func platformCPEs(a *inventory.Asset) []*wfn.Attributes {
	return parseCPEs(cpeStrings(a))
}

// cpeStrings lists the CPEs of an asset, its components and its services;
// nil when it has none.
func cpeStrings(a *inventory.Asset) []string {
	var out []string
	add := func(c string) {
		if c != "" {
			out = append(out, c)
		}
	}
	add(a.CPE)
	for _, c := range a.Components {
		add(c.CPE)
	}
	for _, s := range a.Services {
		add(s.CPE)
	}
	return out
}

// parseCPEs parses cpes, leaving out those [parseCPE] refuses.
func parseCPEs(cpes []string) []*wfn.Attributes {
	var out []*wfn.Attributes
	for _, c := range cpes {
		if attr, ok := parseCPE(c); ok {
			out = append(out, attr)
		}
	}
	return out
}

// parseCPE parses a CPE 2.3 formatted string or 2.2 URI and refuses
// over-generic ones (ANY or NA vendor or product, or wildcards in them).
func parseCPE(s string) (*wfn.Attributes, bool) {
	if s == "" {
		return nil, false
	}
	a, err := wfn.Parse(s)
	if err != nil || a.Vendor == wfn.Any || a.Product == wfn.Any || a.Vendor == wfn.NA || a.Product == wfn.NA ||
		wfn.HasWildcard(a.Vendor) || wfn.HasWildcard(a.Product) {
		return nil, false
	}
	a.Vendor, a.Product = strings.ToLower(a.Vendor), strings.ToLower(a.Product)
	return a, true
}

// parsePURL returns "type/namespace/name" (lowercased where the spec says
// names are case-insensitive) and the version.
func parsePURL(s string) (key, ver string, ok bool) {
	p, err := packageurl.FromString(s)
	if err != nil || p.Type == "" || p.Name == "" {
		return "", "", false
	}
	ns, name := p.Namespace, p.Name
	switch p.Type {
	case "npm", "pypi", "github", "bitbucket", "composer", "deb", "apk", "gem", "nuget", "hex", "cargo":
		ns, name = strings.ToLower(ns), strings.ToLower(name)
	}
	if p.Type == "pypi" {
		name = strings.NewReplacer("_", "-", ".", "-").Replace(name)
	}
	return strings.ToLower(p.Type) + "/" + ns + "/" + name, p.Version, true
}

// sortFindings orders findings by asset, advisory and vulnerability.
func sortFindings(fs []Finding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.AssetID != b.AssetID {
			return a.AssetID < b.AssetID
		}
		if a.AdvisoryID != b.AdvisoryID {
			return a.AdvisoryID < b.AdvisoryID
		}
		return a.VulnID < b.VulnID
	})
}
