package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Imported is an alert drafted from another source's intelligence (a STIX
// 2.1 bundle, a MISP event), for an analyst to review before publishing,
// with what the import could not carry over.
type Imported struct {
	Alert   *Alert
	Notices []string // what was left out, and why
}

// defaultActions is what an imported alert asks when its source gives no
// course of action.
const defaultActions = "Search your firewall, proxy, DNS and mail logs of the last 30 days for these indicators; " +
	"block them at the firewall and proxy; report any sighting to the support centre."

// draft starts an imported alert: TLP:AMBER unless the source says
// otherwise (an analyst widens it deliberately), medium severity.
func draft() *Alert {
	return &Alert{Severity: Medium, TLP: TLPAmber, Actions: defaultActions}
}

// finish validates an imported alert's parts one by one, so that one bad
// indicator is left out with a notice rather than failing the import.
func finish(a *Alert, notices []string, source string) (*Imported, error) {
	a.Title = strings.TrimSpace(a.Title)
	if a.Title == "" {
		return nil, fmt.Errorf("%w: %s: no title (report name, event info or indicator name)", ErrInvalid, source)
	}
	if len(a.Title) > maxTitle {
		a.Title = Clip(a.Title, maxTitle)
		notices = append(notices, "title shortened to 200 bytes")
	}
	if strings.TrimSpace(a.Summary) == "" {
		a.Summary = a.Title
	}
	if len(a.Summary) > maxText {
		a.Summary = Clip(a.Summary, maxText)
		notices = append(notices, "summary shortened to 8 KiB")
	}
	var kept []Indicator
	seen := map[Indicator]bool{}
	for _, in := range a.Indicators {
		if err := in.Validate(); err != nil {
			notices = append(notices, fmt.Sprintf("indicator %s %q left out: %v", in.Type, in.Value, err))
			continue
		}
		if !seen[in] && len(kept) < maxIndicators {
			seen[in] = true
			kept = append(kept, in)
		}
	}
	a.Indicators = kept
	var cves []string
	for _, c := range a.CVEs {
		c = strings.ToUpper(strings.TrimSpace(c))
		if reCVE.MatchString(c) && !slices.Contains(cves, c) {
			cves = append(cves, c)
		}
	}
	a.CVEs = cves
	var refs []string
	for _, r := range a.References {
		if checkURL(r) == nil && !slices.Contains(refs, r) && len(refs) < maxList {
			refs = append(refs, r)
		}
	}
	a.References = refs
	// A restricted draft names no organisations yet: check the rest.
	check := *a
	if check.TLP.Restricted() && len(check.Targets.Organisations) == 0 {
		check.TLP = TLPAmber
	}
	if err := check.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return &Imported{Alert: a, Notices: notices}, nil
}

// stixObject is what ward reads of a STIX 2.1 object.
type stixObject struct {
	Type               string          `json:"type"`
	ID                 string          `json:"id"`
	Name               string          `json:"name"`
	Description        string          `json:"description"`
	Pattern            string          `json:"pattern"`
	PatternType        string          `json:"pattern_type"`
	ObjectMarkingRefs  []string        `json:"object_marking_refs"`
	ExternalReferences []stixReference `json:"external_references"`
	Definition         json.RawMessage `json:"definition"` // TLP 1.0 marking definitions
	DefinitionType     string          `json:"definition_type"`
}

type stixReference struct {
	SourceName string `json:"source_name"`
	ExternalID string `json:"external_id"`
	URL        string `json:"url"`
}

// The TLP 2.0 marking definitions of the STIX 2.1 specification (and the
// TLP 1.0 ones, whose WHITE is CLEAR now).
var stixTLP = map[string]TLP{
	"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": TLPClear,
	"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": TLPGreen,
	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": TLPAmber,
	"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": TLPAmberStrict,
	"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": TLPRed,
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLPClear, // TLP 1.0 WHITE
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLPGreen,
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLPAmber,
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLPRed,
}

// tlpRank orders labels from least to most restricted.
var tlpRank = []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed}

// stricter returns the more restricted of two labels.
func stricter(a, b TLP) TLP {
	if slices.Index(tlpRank, b) > slices.Index(tlpRank, a) {
		return b
	}
	return a
}

var (
	reSTIXValue = regexp.MustCompile(`(ipv4-addr|ipv6-addr|domain-name|url):value\s*=\s*'((?:[^'\\]|\\.)*)'`)
	reSTIXHash  = regexp.MustCompile(`file:hashes\.(?:'([^']+)'|([A-Za-z0-9-]+))\s*=\s*'([0-9A-Fa-f]+)'`)
	stixType    = map[string]string{"ipv4-addr": "ipv4", "ipv6-addr": "ipv6", "domain-name": "domain", "url": "url"}
	hashType    = map[string]string{"SHA-256": "sha256", "SHA256": "sha256", "SHA-1": "sha1", "SHA1": "sha1", "MD5": "md5"}
)

// FromSTIX drafts an alert from a STIX 2.1 bundle: the title and summary
// of its report (else of its first indicator), indicators from the simple
// comparisons of STIX patterns (addresses, domains, URLs, file hashes; a
// CIDR value stays a CIDR), CVEs from vulnerability objects, and the most
// restrictive TLP marking found (TLP:AMBER when there is none).
func FromSTIX(data []byte) (*Imported, error) {
	if len(data) > maxImportSize {
		return nil, fmt.Errorf("%w: STIX bundle larger than %d bytes", ErrInvalid, maxImportSize)
	}
	var bundle struct {
		Type    string       `json:"type"`
		Objects []stixObject `json:"objects"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&bundle); err != nil {
		return nil, fmt.Errorf("%w: STIX bundle: %v", ErrInvalid, err)
	}
	if bundle.Type != "bundle" {
		return nil, fmt.Errorf("%w: STIX: type %q, want a bundle", ErrInvalid, bundle.Type)
	}
	a, notices := draft(), []string(nil)
	var label TLP
	var firstIndicator *stixObject
	patterns := 0
	for i := range bundle.Objects {
		o := &bundle.Objects[i]
		for _, ref := range o.ObjectMarkingRefs {
			if t, ok := stixTLP[ref]; ok {
				label = stricter(label, t)
			}
		}
		for _, r := range o.ExternalReferences {
			if strings.EqualFold(r.SourceName, "cve") {
				a.CVEs = append(a.CVEs, r.ExternalID)
			} else if r.URL != "" && (o.Type == "report" || o.Type == "vulnerability") {
				a.References = append(a.References, r.URL)
			}
		}
		switch o.Type {
		case "report":
			if a.Title == "" {
				a.Title, a.Summary = o.Name, o.Description
			}
		case "vulnerability":
			if reCVE.MatchString(strings.ToUpper(o.Name)) {
				a.CVEs = append(a.CVEs, o.Name)
			}
		case "course-of-action":
			if a.Actions == defaultActions && strings.TrimSpace(o.Description) != "" {
				a.Actions = clipText(o.Description)
			}
		case "indicator":
			if firstIndicator == nil {
				firstIndicator = o
			}
			if o.PatternType != "" && o.PatternType != "stix" {
				notices = append(notices, fmt.Sprintf("%s: pattern type %q not read", o.ID, o.PatternType))
				continue
			}
			patterns++
			n := len(a.Indicators)
			for _, m := range reSTIXValue.FindAllStringSubmatch(o.Pattern, -1) {
				typ, v := stixType[m[1]], strings.ReplaceAll(m[2], `\'`, `'`)
				if (typ == "ipv4" || typ == "ipv6") && strings.Contains(v, "/") {
					typ = "cidr"
				}
				a.Indicators = append(a.Indicators, Indicator{Type: typ, Value: v})
			}
			for _, m := range reSTIXHash.FindAllStringSubmatch(o.Pattern, -1) {
				if typ, ok := hashType[strings.ToUpper(m[1]+m[2])]; ok {
					a.Indicators = append(a.Indicators, Indicator{Type: typ, Value: strings.ToLower(m[3])})
				}
			}
			if len(a.Indicators) == n {
				notices = append(notices, fmt.Sprintf("%s: nothing ward can match in pattern %q", o.ID, Clip(o.Pattern, 120)))
			}
		}
	}
	if a.Title == "" && firstIndicator != nil {
		a.Title, a.Summary = firstIndicator.Name, firstIndicator.Description
	}
	if label != "" {
		a.TLP = label
	}
	if a.TLP.Restricted() {
		notices = append(notices, fmt.Sprintf("TLP:%s: name the organisations it is for before publishing", a.TLP))
	}
	return finish(a, notices, "STIX bundle")
}

// mispAttribute is what ward reads of a MISP attribute.
type mispAttribute struct {
	Type    string `json:"type"`
	Value   string `json:"value"`
	ToIDS   *bool  `json:"to_ids"`
	Deleted bool   `json:"deleted"`
}

var mispType = map[string]string{
	"ip-dst": "ip", "ip-src": "ip", "domain": "domain", "hostname": "domain", "url": "url", "link": "reference",
	"md5": "md5", "sha1": "sha1", "sha256": "sha256", "vulnerability": "cve",
}

// FromMISP drafts an alert from a MISP event (the JSON of an event export,
// with or without the "Event" wrapper): its info as title, threat level as
// severity (1 high, 2 medium, 3 low), tlp: tags as TLP, network and hash
// attributes (of the event and its objects) as indicators, vulnerability
// attributes as CVEs and links as references.
func FromMISP(data []byte) (*Imported, error) {
	if len(data) > maxImportSize {
		return nil, fmt.Errorf("%w: MISP event larger than %d bytes", ErrInvalid, maxImportSize)
	}
	type event struct {
		Info          string          `json:"info"`
		ThreatLevelID json.RawMessage `json:"threat_level_id"`
		Attribute     []mispAttribute `json:"Attribute"`
		Object        []struct {
			Attribute []mispAttribute `json:"Attribute"`
		} `json:"Object"`
		Tag []struct {
			Name string `json:"name"`
		} `json:"Tag"`
	}
	var wrapped struct {
		Event *event `json:"Event"`
	}
	if err := json.Unmarshal(data, &wrapped); err != nil {
		return nil, fmt.Errorf("%w: MISP event: %v", ErrInvalid, err)
	}
	e := wrapped.Event
	if e == nil {
		e = &event{}
		if err := json.Unmarshal(data, e); err != nil {
			return nil, fmt.Errorf("%w: MISP event: %v", ErrInvalid, err)
		}
	}
	a, notices := draft(), []string(nil)
	a.Title = e.Info
	switch strings.Trim(string(e.ThreatLevelID), `"`) {
	case "1":
		a.Severity = High
	case "3":
		a.Severity = Low
	}
	var label TLP
	for _, t := range e.Tag {
		switch strings.ToLower(t.Name) {
		case "tlp:white", "tlp:clear":
			label = stricter(label, TLPClear)
		case "tlp:green":
			label = stricter(label, TLPGreen)
		case "tlp:amber":
			label = stricter(label, TLPAmber)
		case "tlp:amber+strict":
			label = stricter(label, TLPAmberStrict)
		case "tlp:red":
			label = stricter(label, TLPRed)
		}
	}
	if label != "" {
		a.TLP = label
	}
	attrs := e.Attribute
	for _, o := range e.Object {
		attrs = append(attrs, o.Attribute...)
	}
	skipped := map[string]int{}
	for _, at := range attrs {
		if at.Deleted {
			continue
		}
		v := strings.TrimSpace(at.Value)
		switch mispType[at.Type] {
		case "ip":
			typ := "ipv4"
			if strings.Contains(v, "/") {
				typ = "cidr"
			} else if strings.Contains(v, ":") {
				typ = "ipv6"
			}
			a.Indicators = append(a.Indicators, Indicator{Type: typ, Value: v})
		case "domain", "url", "md5", "sha1", "sha256":
			a.Indicators = append(a.Indicators, Indicator{Type: mispType[at.Type], Value: v})
		case "cve":
			a.CVEs = append(a.CVEs, v)
		case "reference":
			a.References = append(a.References, v)
		default:
			skipped[at.Type]++
		}
	}
	for _, typ := range sortedKeys(skipped) {
		notices = append(notices, fmt.Sprintf("%d %s attribute(s) not carried over", skipped[typ], typ))
	}
	if a.TLP.Restricted() {
		notices = append(notices, fmt.Sprintf("TLP:%s: name the organisations it is for before publishing", a.TLP))
	}
	return finish(a, notices, "MISP event")
}

// maxImportSize bounds a STIX bundle or MISP event read.
const maxImportSize = 32 << 20

func clipText(s string) string { return Clip(strings.TrimSpace(s), maxText) }

// Clip cuts s to at most n bytes on a character boundary: alert texts
// drafted from longer sources fit the limits with it.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
