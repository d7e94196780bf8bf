package advisory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gocsaf/csaf/v3/csaf"
)

// Bounds on what ReadCSAF accepts. Real CISA advisories stay far below them:
// of 458, the largest is 0.5 MiB, the deepest has 3 branch levels and the
// most affects of one document are 1,760.
const (
	// maxCSAFSize is the largest document read.
	maxCSAFSize = 64 << 20
	// maxBranchDepth bounds nested product_tree branches and chains of
	// relationships.
	maxBranchDepth = 64
	// maxJSONDepth bounds nesting of any JSON value: each branch level costs
	// two (the branch object and its branches array).
	maxJSONDepth = 2*maxBranchDepth + 32
	// maxProductRefs bounds the product ids a document may expand to across
	// all its product statuses and remediations (product groups multiply).
	maxProductRefs = 1 << 20
	// maxSchemaErrors is how many schema violations an error names, and
	// maxSchemaErrorLen how much of each (pattern errors quote long regexps).
	maxSchemaErrors   = 3
	maxSchemaErrorLen = 240
)

// ReadCSAF reads one CSAF 2.0 document (csaf_base, csaf_security_advisory or
// csaf_vex) into exactly one [Advisory].
//
// The document must pass the CSAF 2.0 JSON schema (embedded in
// github.com/gocsaf/csaf); a violation returns an error wrapping [ErrInvalid]
// that names the first few JSON paths at fault. Input over 64 MiB or nested
// deeper than 64 branch levels returns [ErrTooLarge]. Past the schema, the
// document is read tolerantly: fields ward does not use are ignored, and
// product ids that the product tree does not define are skipped.
//
// Each product status entry becomes one [Affect] per vulnerability and
// product id, with the product's version text read by [ParseVersionText];
// a product without version information gets Range{All: true}. Products
// defined by relationships (installed_on, default_component_of, ...) become
// the referenced product with the related product as its only platform.
func ReadCSAF(ctx context.Context, name string, data []byte, opts Options) ([]*Advisory, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("csaf: %w", err)
	}
	if len(data) > maxCSAFSize {
		return nil, fmt.Errorf("csaf: document of %d bytes exceeds %d: %w", len(data), maxCSAFSize, ErrTooLarge)
	}
	if csafDepthExceeds(data, maxJSONDepth) {
		return nil, fmt.Errorf("csaf: JSON nested deeper than %d levels: %w", maxJSONDepth, ErrTooLarge)
	}
	if err := csafValidate(data); err != nil {
		return nil, err
	}
	var doc csafDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("csaf: %w: %w", ErrInvalid, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("csaf: %w", err)
	}
	adv, err := doc.advisory(name)
	if err != nil {
		return nil, err
	}
	return []*Advisory{adv}, nil
}

// csafValidate checks data against the CSAF 2.0 JSON schema. Numbers stay
// json.Number so that the schema sees them exactly as written.
func csafValidate(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("csaf: %w: %w", ErrInvalid, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("csaf: %w: data after the JSON document", ErrInvalid)
	}
	problems, err := csaf.ValidateCSAF(v)
	if err != nil {
		return fmt.Errorf("csaf: schema: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("csaf: %w: schema: %s", ErrInvalid, csafSchemaSummary(problems))
	}
	return nil
}

// csafSchemaSummary names the first few violations ("path: reason"),
// leaving out the generic "validation failed" lines that only repeat a
// parent path when more specific ones exist.
func csafSchemaSummary(problems []string) string {
	specific := make([]string, 0, len(problems))
	for _, p := range problems {
		if !strings.HasSuffix(p, ": validation failed") {
			specific = append(specific, p)
		}
	}
	if len(specific) == 0 {
		specific = problems
	}
	specific = slices.Compact(specific)
	for i, p := range specific {
		if len(p) > maxSchemaErrorLen {
			specific[i] = strings.ToValidUTF8(p[:maxSchemaErrorLen], "") + "…"
		}
	}
	if len(specific) <= maxSchemaErrors {
		return strings.Join(specific, "; ")
	}
	return fmt.Sprintf("%s (and %d more)", strings.Join(specific[:maxSchemaErrors], "; "), len(specific)-maxSchemaErrors)
}

// csafDepthExceeds reports whether arrays and objects in data nest deeper
// than limit. It only counts brackets outside strings; the decoder reports
// any other malformation.
func csafDepthExceeds(data []byte, limit int) bool {
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > limit {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

// The structs below hold only what ward uses from a CSAF 2.0 document. The
// schema has already been checked, so they decode without strictness.

type csafDocument struct {
	Document        csafMeta        `json:"document"`
	ProductTree     csafProductTree `json:"product_tree"`
	Vulnerabilities []csafVuln      `json:"vulnerabilities"`
}

type csafMeta struct {
	Title     string `json:"title"`
	Publisher struct {
		Name           string `json:"name"`
		ContactDetails string `json:"contact_details"`
	} `json:"publisher"`
	Distribution struct {
		TLP struct {
			Label string `json:"label"`
		} `json:"tlp"`
	} `json:"distribution"`
	Notes      []csafNote `json:"notes"`
	References []struct {
		Category string `json:"category"`
		URL      string `json:"url"`
	} `json:"references"`
	Tracking struct {
		ID                 string `json:"id"`
		InitialReleaseDate string `json:"initial_release_date"`
		CurrentReleaseDate string `json:"current_release_date"`
	} `json:"tracking"`
}

type csafNote struct {
	Category string `json:"category"`
	Text     string `json:"text"`
}

type csafProductTree struct {
	Branches         []csafBranch  `json:"branches"`
	FullProductNames []csafProduct `json:"full_product_names"`
	Relationships    []struct {
		ProductReference   string      `json:"product_reference"`
		RelatesToReference string      `json:"relates_to_product_reference"`
		FullProductName    csafProduct `json:"full_product_name"`
	} `json:"relationships"`
	ProductGroups []struct {
		GroupID    string   `json:"group_id"`
		ProductIDs []string `json:"product_ids"`
	} `json:"product_groups"`
}

type csafBranch struct {
	Category string       `json:"category"`
	Name     string       `json:"name"`
	Product  *csafProduct `json:"product"`
	Branches []csafBranch `json:"branches"`
}

type csafProduct struct {
	Name      string      `json:"name"`
	ProductID string      `json:"product_id"`
	Helper    *csafHelper `json:"product_identification_helper"`
}

type csafHelper struct {
	CPE          string   `json:"cpe"`
	PURL         string   `json:"purl"`
	PURLs        []string `json:"purls"` // CSAF 2.1; the 2.0 schema rejects it still
	ModelNumbers []string `json:"model_numbers"`
	SKUs         []string `json:"skus"`
	Hashes       []struct {
		FileHashes []struct {
			Algorithm string `json:"algorithm"`
			Value     string `json:"value"`
		} `json:"file_hashes"`
	} `json:"hashes"`
}

type csafVuln struct {
	CVE string `json:"cve"`
	IDs []struct {
		Text string `json:"text"`
	} `json:"ids"`
	Title string `json:"title"`
	CWE   *struct {
		ID string `json:"id"`
	} `json:"cwe"`
	Notes         []csafNote        `json:"notes"`
	ProductStatus csafProductStatus `json:"product_status"`
	Remediations  []struct {
		Category   string   `json:"category"`
		Details    string   `json:"details"`
		URL        string   `json:"url"`
		ProductIDs []string `json:"product_ids"`
		GroupIDs   []string `json:"group_ids"`
	} `json:"remediations"`
	Scores []struct {
		CVSSv3 *csafCVSS `json:"cvss_v3"`
		CVSSv2 *csafCVSS `json:"cvss_v2"`
	} `json:"scores"`
	Threats []struct {
		Category string `json:"category"`
		Details  string `json:"details"`
	} `json:"threats"`
}

type csafCVSS struct {
	BaseScore    float64 `json:"baseScore"`
	VectorString string  `json:"vectorString"`
}

type csafProductStatus struct {
	FirstAffected      []string `json:"first_affected"`
	FirstFixed         []string `json:"first_fixed"`
	Fixed              []string `json:"fixed"`
	KnownAffected      []string `json:"known_affected"`
	KnownNotAffected   []string `json:"known_not_affected"`
	LastAffected       []string `json:"last_affected"`
	Recommended        []string `json:"recommended"`
	UnderInvestigation []string `json:"under_investigation"`
}

// csafStatusGroup is one product_status list with the status ward gives it.
type csafStatusGroup struct {
	ids    []string
	status Status
}

// groups returns the status lists in a fixed order, affected first, so that
// a product listed under contradicting statuses reads as affected first.
func (s *csafProductStatus) groups() []csafStatusGroup {
	return []csafStatusGroup{
		{s.KnownAffected, StatusKnownAffected},
		{s.FirstAffected, StatusKnownAffected},
		{s.LastAffected, StatusKnownAffected},
		{s.Fixed, StatusFixed},
		{s.FirstFixed, StatusFixed},
		{s.Recommended, StatusFixed},
		{s.KnownNotAffected, StatusKnownNotAffected},
		{s.UnderInvestigation, StatusUnderInvestigation},
	}
}

// advisory maps the decoded document onto ward's model.
func (d *csafDocument) advisory(name string) (*Advisory, error) {
	m := &d.Document
	adv := &Advisory{
		ID:              m.Tracking.ID,
		Format:          "csaf",
		Source:          name,
		Title:           m.Title,
		Publisher:       m.Publisher.Name,
		Contact:         m.Publisher.ContactDetails,
		Published:       csafTime(m.Tracking.InitialReleaseDate),
		Updated:         csafTime(m.Tracking.CurrentReleaseDate),
		TLP:             m.Distribution.TLP.Label,
		URL:             m.selfURL(),
		Summary:         m.summary(),
		Vulnerabilities: make([]Vulnerability, 0, len(d.Vulnerabilities)),
	}
	products, err := newCSAFProducts(&d.ProductTree)
	if err != nil {
		return nil, err
	}
	docExploitation := ""
	for _, n := range m.Notes {
		docExploitation = csafMaxExploitation(docExploitation, csafExploitation(n.Text))
	}
	for i := range d.Vulnerabilities {
		v, err := products.vulnerability(&d.Vulnerabilities[i])
		if err != nil {
			return nil, err
		}
		v.Exploitation = csafMaxExploitation(v.Exploitation, docExploitation)
		adv.Vulnerabilities = append(adv.Vulnerabilities, v)
	}
	return adv, nil
}

// selfURL is the first self reference that is not the JSON document itself
// (CISA lists the .json first, then the web page), else the first self one.
func (m *csafMeta) selfURL() string {
	first := ""
	for _, r := range m.References {
		if r.Category != "self" {
			continue
		}
		if !strings.HasSuffix(strings.ToLower(r.URL), ".json") {
			return r.URL
		}
		if first == "" {
			first = r.URL
		}
	}
	return first
}

// summary is the first summary note (CISA titles it "Risk evaluation"), else
// the first description note.
func (m *csafMeta) summary() string {
	for _, category := range []string{"summary", "description"} {
		for _, n := range m.Notes {
			if n.Category == category {
				return n.Text
			}
		}
	}
	return ""
}

// csafTime reads a CSAF date-time; the schema has checked its form, so
// a failure (a leap second, say) only leaves the time unset.
func csafTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// csafItem is one product id resolved to what matching needs.
type csafItem struct {
	ident     Identity
	version   string // product_version or product_version_range name
	versioned bool   // false: no version branch above the product
	platforms []Identity
	ranges    []Range // parsed version, computed on first use
}

// rangesFor returns the item's version ranges with status st.
func (it *csafItem) rangesFor(st Status) []Range {
	if it.ranges == nil {
		if it.versioned {
			it.ranges = ParseVersionText(it.version, StatusUnknown)
		} else {
			it.ranges = []Range{{All: true}}
		}
	}
	out := make([]Range, len(it.ranges))
	for i, r := range it.ranges {
		r.Exact = slices.Clip(r.Exact)
		r.Status = st
		out[i] = r
	}
	return out
}

// csafProducts indexes a product tree by product id.
type csafProducts struct {
	items  map[string]*csafItem
	groups map[string][]string
	rels   map[string]int // relationship product id -> index, until resolved
	tree   *csafProductTree
	budget int // product ids left to hand out (maxProductRefs)
}

// csafPath is what the branches above a product say about it.
type csafPath struct {
	vendor, name, version string
	versioned             bool
}

// newCSAFProducts indexes the products that branches, full_product_names
// and relationships define, and the product groups.
func newCSAFProducts(tree *csafProductTree) (*csafProducts, error) {
	p := &csafProducts{
		items:  make(map[string]*csafItem),
		groups: make(map[string][]string, len(tree.ProductGroups)),
		rels:   make(map[string]int, len(tree.Relationships)),
		tree:   tree,
		budget: maxProductRefs,
	}
	if err := p.walk(tree.Branches, csafPath{}, 1); err != nil {
		return nil, err
	}
	for i := range tree.FullProductNames {
		p.add(&tree.FullProductNames[i], csafPath{})
	}
	for i, r := range tree.Relationships {
		if _, ok := p.rels[r.FullProductName.ProductID]; !ok {
			p.rels[r.FullProductName.ProductID] = i
		}
	}
	for _, r := range tree.Relationships {
		p.resolve(r.FullProductName.ProductID, 1)
	}
	for _, g := range tree.ProductGroups {
		if _, ok := p.groups[g.GroupID]; !ok {
			p.groups[g.GroupID] = g.ProductIDs
		}
	}
	return p, nil
}

// walk indexes the products of a branch tree. Vendor, product_name and the
// version branches name the product; product_family, architecture,
// patch_level and the other categories only lead further down.
func (p *csafProducts) walk(branches []csafBranch, path csafPath, depth int) error {
	if depth > maxBranchDepth && len(branches) > 0 {
		return fmt.Errorf("csaf: branches nested deeper than %d: %w", maxBranchDepth, ErrTooLarge)
	}
	for i := range branches {
		b := &branches[i]
		sub := path
		switch b.Category {
		case "vendor":
			sub.vendor = b.Name
		case "product_name":
			sub.name = b.Name
		case "product_version", "product_version_range":
			sub.version, sub.versioned = b.Name, true
		}
		if b.Product != nil {
			p.add(b.Product, sub)
		}
		if err := p.walk(b.Branches, sub, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// add indexes one product; the first definition of an id wins.
func (p *csafProducts) add(prod *csafProduct, path csafPath) {
	if _, ok := p.items[prod.ProductID]; ok {
		return
	}
	id := Identity{Vendor: path.vendor, Name: path.name, Display: prod.Name}
	if id.Name == "" {
		id.Name = prod.Name
	}
	prod.Helper.addTo(&id)
	p.items[prod.ProductID] = &csafItem{ident: csafClipIdentity(id), version: path.version, versioned: path.versioned}
}

// resolve returns the item for a product id, building it from its
// relationship when it has one: the product_reference's identity and
// version, running on the relates_to product. Chains resolve recursively up
// to maxBranchDepth; cycles and dangling references resolve to nil.
func (p *csafProducts) resolve(pid string, depth int) *csafItem {
	if it, ok := p.items[pid]; ok {
		return it
	}
	i, ok := p.rels[pid]
	if !ok || depth > maxBranchDepth {
		return nil
	}
	delete(p.rels, pid) // a cycle back to pid now ends here
	r := &p.tree.Relationships[i]
	ref := p.resolve(r.ProductReference, depth+1)
	on := p.resolve(r.RelatesToReference, depth+1)
	if ref == nil || on == nil {
		return nil
	}
	id := csafCloneIdentity(ref.ident)
	if r.FullProductName.Name != "" {
		id.Display = r.FullProductName.Name
	}
	r.FullProductName.Helper.addTo(&id)
	it := &csafItem{
		ident:     csafClipIdentity(id),
		version:   ref.version,
		versioned: ref.versioned,
		platforms: []Identity{on.ident},
	}
	p.items[pid] = it
	return it
}

// expand returns ids with product group ids replaced by their members, plus
// the members of groupIDs, without repeats. Ids naming neither a product nor
// a group are kept, so that a remediation for an unknown product never
// widens to "all products".
func (p *csafProducts) expand(ids, groupIDs []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	addGroup := func(gid string) bool {
		members, ok := p.groups[gid]
		for _, m := range members {
			add(m)
		}
		return ok
	}
	for _, id := range ids {
		if _, isProduct := p.items[id]; isProduct || !addGroup(id) {
			add(id)
		}
	}
	for _, gid := range groupIDs {
		if !addGroup(gid) {
			add(gid)
		}
	}
	if p.budget -= len(out); p.budget < 0 {
		return nil, fmt.Errorf("csaf: more than %d product references: %w", maxProductRefs, ErrTooLarge)
	}
	return out, nil
}

// vulnerability maps one CSAF vulnerability.
func (p *csafProducts) vulnerability(cv *csafVuln) (Vulnerability, error) {
	v := Vulnerability{CVE: cv.CVE, Title: cv.Title, Affects: []Affect{}}
	if cv.CWE != nil {
		v.CWE = cv.CWE.ID
	}
	aliases := make([]string, 0, len(cv.IDs))
	for _, id := range cv.IDs {
		if id.Text != cv.CVE {
			aliases = append(aliases, id.Text)
		}
	}
	v.Aliases = csafAppendNew(nil, aliases...)
	v.CVSS, v.CVSSVector = csafBestCVSS(cv)
	for _, n := range cv.Notes {
		v.Exploitation = csafMaxExploitation(v.Exploitation, csafExploitation(n.Text))
	}
	for _, t := range cv.Threats {
		if t.Category == "exploit_status" {
			v.Exploitation = csafMaxExploitation(v.Exploitation, csafExploitation(t.Details))
		}
	}

	index := make(map[string]int)
	for _, g := range cv.ProductStatus.groups() {
		ids, err := p.expand(g.ids, nil)
		if err != nil {
			return Vulnerability{}, err
		}
		for _, pid := range ids {
			it := p.items[pid]
			if it == nil {
				continue // undefined product: nothing to match on
			}
			if i, ok := index[pid]; ok {
				a := &v.Affects[i]
				if !slices.ContainsFunc(a.Ranges, func(r Range) bool { return r.Status == g.status }) {
					a.Ranges = append(a.Ranges, it.rangesFor(g.status)...)
				}
				continue
			}
			index[pid] = len(v.Affects)
			v.Affects = append(v.Affects, Affect{
				ProductID: pid,
				Product:   it.ident,
				Ranges:    it.rangesFor(g.status),
				Platforms: it.platforms,
			})
		}
	}

	for _, r := range cv.Remediations {
		ids, err := p.expand(r.ProductIDs, r.GroupIDs)
		if err != nil {
			return Vulnerability{}, err
		}
		if len(ids) == 0 {
			ids = nil
		}
		v.Remediations = append(v.Remediations, Remediation{
			Category:   RemediationCategory(r.Category),
			Details:    r.Details,
			URL:        r.URL,
			ProductIDs: ids,
		})
	}
	return v, nil
}

// csafBestCVSS returns the highest CVSS v3 base score with its vector, or the
// highest v2 one when no v3 score is given.
func csafBestCVSS(cv *csafVuln) (float64, string) {
	best, vector := -1.0, ""
	for _, v3 := range []bool{true, false} {
		for _, s := range cv.Scores {
			c := s.CVSSv2
			if v3 {
				c = s.CVSSv3
			}
			if c != nil && c.BaseScore > best {
				best, vector = c.BaseScore, c.VectorString
			}
		}
		if best >= 0 {
			return best, vector
		}
	}
	return 0, ""
}

// addTo copies the identification helper's identifiers into id. A nil
// helper adds nothing.
func (h *csafHelper) addTo(id *Identity) {
	if h == nil {
		return
	}
	id.CPEs = csafAppendNew(id.CPEs, h.CPE)
	id.PURLs = csafAppendNew(id.PURLs, append([]string{h.PURL}, h.PURLs...)...)
	id.Models = csafAppendNew(id.Models, h.ModelNumbers...)
	id.SKUs = csafAppendNew(id.SKUs, h.SKUs...)
	var hashes []string
	for _, fh := range h.Hashes {
		for _, x := range fh.FileHashes {
			alg := strings.ReplaceAll(strings.ToLower(x.Algorithm), "-", "")
			hashes = append(hashes, alg+":"+strings.ToLower(x.Value))
		}
	}
	id.Hashes = csafAppendNew(id.Hashes, hashes...)
}

// csafAppendNew appends the non-empty values not already in list, in order.
func csafAppendNew(list []string, values ...string) []string {
	if len(values) == 0 {
		return list
	}
	seen := make(map[string]bool, len(list)+len(values))
	for _, v := range list {
		seen[v] = true
	}
	for _, v := range values {
		if v != "" && !seen[v] {
			seen[v] = true
			list = append(list, v)
		}
	}
	return list
}

// csafCloneIdentity copies id so that appending to the copy's lists leaves id
// alone.
func csafCloneIdentity(id Identity) Identity {
	id.CPEs = slices.Clone(id.CPEs)
	id.PURLs = slices.Clone(id.PURLs)
	id.Models = slices.Clone(id.Models)
	id.SKUs = slices.Clone(id.SKUs)
	id.Hashes = slices.Clone(id.Hashes)
	return id
}

// csafClipIdentity caps the lists of id, which many affects share, so that an
// append by a caller copies instead of writing into the shared array.
func csafClipIdentity(id Identity) Identity {
	id.CPEs = slices.Clip(id.CPEs)
	id.PURLs = slices.Clip(id.PURLs)
	id.Models = slices.Clip(id.Models)
	id.SKUs = slices.Clip(id.SKUs)
	id.Hashes = slices.Clip(id.Hashes)
	return id
}

// Exploitation levels, in increasing order of concern.
const (
	csafExploitNone   = "none"
	csafExploitPoC    = "poc"
	csafExploitActive = "active"
)

// csafExploitation reads the few unambiguous statements advisories make
// about exploitation, sentence by sentence, and returns the most serious:
// "active" for "actively exploited", "known to be exploited" or "exploited in
// the wild"; "poc" for public exploit code; "none" for CISA's "No known
// public exploits ..." and the like. A negated sentence ("has not been
// exploited in the wild") never counts as active or poc, and any other text
// returns "": ward does not guess from free text.
func csafExploitation(text string) string {
	level := ""
	for _, sentence := range strings.FieldsFunc(strings.ToLower(text), csafSentenceEnd) {
		words := strings.Fields(sentence)
		sentence = strings.Join(words, " ")
		switch {
		case csafContainsAny(sentence, "no known public exploit", "no public exploit", "no known exploit",
			"not known to be exploited"):
			level = csafMaxExploitation(level, csafExploitNone)
		case slices.ContainsFunc(words, csafNegation):
		case csafContainsAny(sentence, "actively exploited", "known to be exploited", "exploited in the wild"):
			level = csafMaxExploitation(level, csafExploitActive)
		case csafContainsAny(sentence, "public exploit", "exploit code is publicly available",
			"exploits are publicly available", "publicly available exploit", "metasploit"):
			level = csafMaxExploitation(level, csafExploitPoC)
		}
	}
	return level
}

// csafNegation reports whether a word negates its sentence.
func csafNegation(word string) bool {
	switch word {
	case "no", "not", "never", "nor", "without":
		return true
	}
	return strings.HasSuffix(word, "n't")
}

func csafSentenceEnd(r rune) bool {
	return r == '.' || r == '!' || r == '?' || r == '\n' || r == ';'
}

func csafContainsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// csafMaxExploitation returns the more serious of two exploitation levels.
func csafMaxExploitation(a, b string) string {
	rank := func(s string) int {
		switch s {
		case csafExploitActive:
			return 3
		case csafExploitPoC:
			return 2
		case csafExploitNone:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}
