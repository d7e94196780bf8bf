// Package alert is ward's early warning: the alerts a hub analyst writes
// (or a rule raises from a feed), their validation, and their Ed25519
// signatures, which every site checks before it shows or matches anything.
//
// An alert travels as an [Envelope]: the alert's JSON exactly as signed, the
// id of the signing key and the signature. Sites never re-encode the alert
// before checking it, so no canonical JSON form is needed; they decode the
// payload strictly only after the signature verified.
package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Severity ranks an alert.
type Severity string

// The severities, most urgent first.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// TLP is a Traffic Light Protocol 2.0 label.
type TLP string

// The TLP 2.0 labels.
const (
	TLPClear       TLP = "CLEAR"
	TLPGreen       TLP = "GREEN"
	TLPAmber       TLP = "AMBER"
	TLPAmberStrict TLP = "AMBER+STRICT"
	TLPRed         TLP = "RED"
)

// Restricted reports whether only the named organisations may receive an
// alert with this label (TLP:RED and TLP:AMBER+STRICT).
func (t TLP) Restricted() bool { return t == TLPRed || t == TLPAmberStrict }

// Indicator is an observable to look for: an address, a name or a hash.
type Indicator struct {
	Type  string `json:"type"` // ipv4, ipv6, cidr, domain, url, sha256, sha1, md5
	Value string `json:"value"`
}

// Targets says who an alert is for; all empty means everyone.
type Targets struct {
	Kinds         []string `json:"kinds,omitempty"`         // hospital, practice, ems, lab, provider, other
	Countries     []string `json:"countries,omitempty"`     // ISO 3166-1 alpha-2
	Organisations []string `json:"organisations,omitempty"` // organisation ids
}

// Alert is one early warning. The fields up to Targets are what an analyst
// writes (the alert file of `ward alert publish`); ID, Issued and Sequence
// are set by the hub when it publishes.
type Alert struct {
	ID         string      `json:"id,omitempty"`
	Issued     time.Time   `json:"issued,omitzero"`
	Sequence   uint64      `json:"sequence,omitempty"` // the hub's publication counter, for replay detection
	Title      string      `json:"title"`
	Summary    string      `json:"summary"`
	Actions    string      `json:"actions"` // what to do in the next 15 minutes
	Severity   Severity    `json:"severity"`
	TLP        TLP         `json:"tlp"`
	CVEs       []string    `json:"cves,omitempty"`
	Advisories []string    `json:"advisories,omitempty"`
	References []string    `json:"references,omitempty"` // URLs
	Indicators []Indicator `json:"indicators,omitempty"`
	Targets    Targets     `json:"targets"`
}

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrInvalid means an alert breaks a rule; the message names the field.
	// Fix the alert file.
	ErrInvalid = errors.New("invalid alert")
	// ErrSignature means an envelope's signature does not verify against the
	// key it names, or the key is unknown: the alert is forged or altered and
	// must be dropped and logged as a security event, never shown.
	ErrSignature = errors.New("alert signature does not verify")
	// ErrReplay means a correctly signed alert was seen before or is older
	// than what the site already holds: drop it.
	ErrReplay = errors.New("alert replayed")
)

// Limits on what an alert may carry.
const (
	maxAlertSize  = 256 << 10
	maxText       = 8 << 10
	maxTitle      = 200
	maxList       = 1000
	maxIndicators = 10000
)

var (
	reCVE     = regexp.MustCompile(`^CVE-\d{4}-\d{4,}$`)
	reDomain  = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$`)
	reHex     = regexp.MustCompile(`^[0-9a-fA-F]+$`)
	reCountry = regexp.MustCompile(`^[A-Z]{2}$`)
	reID      = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)
	orgKinds  = []string{"hospital", "practice", "ems", "lab", "provider", "other"}
)

// Parse decodes an alert strictly: unknown fields, trailing data and
// oversize input are errors, and the result is validated.
func Parse(r io.Reader) (*Alert, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxAlertSize+1))
	if err != nil {
		return nil, fmt.Errorf("alert: %w", err)
	}
	if len(data) > maxAlertSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalid, maxAlertSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var a Alert
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the alert", ErrInvalid)
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return &a, nil
}

// Validate reports the first rule the alert breaks.
func (a *Alert) Validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
	}
	if a.ID != "" && !reID.MatchString(a.ID) {
		return bad("id", "%q is not a valid id", a.ID)
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{{"title", a.Title, maxTitle}, {"summary", a.Summary, maxText}, {"actions", a.Actions, maxText}} {
		if strings.TrimSpace(f.value) == "" {
			return bad(f.name, "required")
		}
		if len(f.value) > f.max {
			return bad(f.name, "longer than %d bytes", f.max)
		}
	}
	switch a.Severity {
	case Critical, High, Medium, Low:
	default:
		return bad("severity", "%q: want critical, high, medium or low", a.Severity)
	}
	switch a.TLP {
	case TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed:
	default:
		return bad("tlp", "%q: want CLEAR, GREEN, AMBER, AMBER+STRICT or RED", a.TLP)
	}
	if a.TLP.Restricted() && len(a.Targets.Organisations) == 0 {
		return bad("targets.organisations", "TLP:%s must name the organisations it is for", a.TLP)
	}
	if len(a.CVEs) > maxList || len(a.Advisories) > maxList || len(a.References) > maxList {
		return bad("cves/advisories/references", "more than %d entries", maxList)
	}
	for i, c := range a.CVEs {
		if !reCVE.MatchString(c) {
			return bad(fmt.Sprintf("cves[%d]", i), "%q is not a CVE id", c)
		}
	}
	for i, s := range a.Advisories {
		if !reID.MatchString(s) {
			return bad(fmt.Sprintf("advisories[%d]", i), "%q is not an advisory id", s)
		}
	}
	for i, s := range a.References {
		if err := checkURL(s); err != nil {
			return bad(fmt.Sprintf("references[%d]", i), "%v", err)
		}
	}
	if len(a.Indicators) > maxIndicators {
		return bad("indicators", "more than %d", maxIndicators)
	}
	for i, in := range a.Indicators {
		if err := in.Validate(); err != nil {
			return bad(fmt.Sprintf("indicators[%d]", i), "%v", err)
		}
	}
	for i, k := range a.Targets.Kinds {
		if !contains(orgKinds, k) {
			return bad(fmt.Sprintf("targets.kinds[%d]", i), "%q: want one of %v", k, orgKinds)
		}
	}
	for i, c := range a.Targets.Countries {
		if !reCountry.MatchString(c) {
			return bad(fmt.Sprintf("targets.countries[%d]", i), "%q: want an ISO 3166 alpha-2 code such as DE", c)
		}
	}
	for i, o := range a.Targets.Organisations {
		if !reID.MatchString(o) {
			return bad(fmt.Sprintf("targets.organisations[%d]", i), "%q is not an organisation id", o)
		}
	}
	return nil
}

// Validate checks that the indicator's value fits its type.
func (in Indicator) Validate() error {
	v := in.Value
	switch in.Type {
	case "ipv4":
		if ip := net.ParseIP(v); ip == nil || ip.To4() == nil {
			return fmt.Errorf("%q is not an IPv4 address", v)
		}
	case "ipv6":
		if ip := net.ParseIP(v); ip == nil || ip.To4() != nil {
			return fmt.Errorf("%q is not an IPv6 address", v)
		}
	case "cidr":
		if _, _, err := net.ParseCIDR(v); err != nil {
			return fmt.Errorf("%q is not a CIDR block", v)
		}
	case "domain":
		if len(v) > 253 || !reDomain.MatchString(v) {
			return fmt.Errorf("%q is not a domain name", v)
		}
	case "url":
		return checkURL(v)
	case "sha256", "sha1", "md5":
		want := map[string]int{"sha256": 64, "sha1": 40, "md5": 32}[in.Type]
		if len(v) != want || !reHex.MatchString(v) {
			return fmt.Errorf("%q is not a %s hash (%d hex digits)", v, in.Type, want)
		}
	default:
		return fmt.Errorf("type %q: want ipv4, ipv6, cidr, domain, url, sha256, sha1 or md5", in.Type)
	}
	return nil
}

func checkURL(s string) error {
	if len(s) > 2048 {
		return fmt.Errorf("URL longer than 2048 bytes")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

func contains(set []string, v string) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}

// For reports whether an organisation of this kind and country, with this
// id, is among the alert's targets. Restricted TLP labels reach only the
// organisations named, whatever the kinds and countries say.
func (a *Alert) For(orgID, kind, country string) bool {
	t := a.Targets
	if a.TLP.Restricted() {
		return contains(t.Organisations, orgID)
	}
	if len(t.Organisations) > 0 && contains(t.Organisations, orgID) {
		return true
	}
	if len(t.Kinds) == 0 && len(t.Countries) == 0 {
		return len(t.Organisations) == 0
	}
	return (len(t.Kinds) == 0 || contains(t.Kinds, kind)) && (len(t.Countries) == 0 || contains(t.Countries, country))
}
