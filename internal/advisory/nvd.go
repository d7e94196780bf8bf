package advisory

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Bounds of the NVD reader.
const (
	maxNVDVulnerabilities = 100_000 // CVEs per response
	maxNVDMatches         = 100_000 // cpeMatch entries per CVE
)

// nvdResponse is an NVD API 2.0 CVE response. The reader also takes one item
// of it ({"cve": {...}}) and a bare CVE object ({"id": ...}); the bare
// object's fields are the embedded nvdCVE.
type nvdResponse struct {
	Format          string    `json:"format"`
	Vulnerabilities []nvdItem `json:"vulnerabilities"`
	CVE             *nvdCVE   `json:"cve"`
	nvdCVE
}

type nvdItem struct {
	CVE *nvdCVE `json:"cve"`
}

type nvdCVE struct {
	ID           string       `json:"id"`
	Published    string       `json:"published"`
	LastModified string       `json:"lastModified"`
	VulnStatus   string       `json:"vulnStatus"`
	Descriptions []langString `json:"descriptions"`
	Metrics      struct {
		V40 []nvdMetric `json:"cvssMetricV40"`
		V31 []nvdMetric `json:"cvssMetricV31"`
		V30 []nvdMetric `json:"cvssMetricV30"`
		V2  []nvdMetric `json:"cvssMetricV2"`
	} `json:"metrics"`
	Weaknesses []struct {
		Type        string       `json:"type"`
		Description []langString `json:"description"`
	} `json:"weaknesses"`
	Configurations []nvdConfig `json:"configurations"`
}

type nvdMetric struct {
	Type     string   `json:"type"` // Primary, Secondary
	CVSSData cvssData `json:"cvssData"`
}

type nvdConfig struct {
	Operator string    `json:"operator"`
	Negate   bool      `json:"negate"`
	Nodes    []nvdNode `json:"nodes"`
}

type nvdNode struct {
	Operator string        `json:"operator"`
	Negate   bool          `json:"negate"`
	CPEMatch []nvdCPEMatch `json:"cpeMatch"`
}

type nvdCPEMatch struct {
	Vulnerable            bool   `json:"vulnerable"`
	Criteria              string `json:"criteria"`
	VersionStartIncluding string `json:"versionStartIncluding"`
	VersionStartExcluding string `json:"versionStartExcluding"`
	VersionEndIncluding   string `json:"versionEndIncluding"`
	VersionEndExcluding   string `json:"versionEndExcluding"`
}

// ReadNVD reads an NVD API 2.0 CVE response ({"vulnerabilities": [{"cve":
// ...}]}), one item of it ({"cve": ...}) or a bare CVE object ({"id": ...,
// "configurations": ...}) into one [Advisory] of format "nvd" per CVE.
// Rejected CVEs give no advisory.
//
// It takes the English description (as title, cut to 200 characters, and
// summary), the dates, the CVSS score (3.1 or 3.0, NVD's own Primary score
// before the CNA's Secondary one; else 4.0; else 2.0), and the first CWE
// (Primary first; "NVD-CWE-noinfo" and "NVD-CWE-Other" are no CWE).
//
// Every vulnerable cpeMatch becomes one [Affect] named by its CPE (vendor and
// product from the CPE, '_' read as ' '). Its version bounds become one
// Range: versionStartIncluding is Introduced, versionEndExcluding Fixed,
// versionEndIncluding LastAffected, versionStartExcluding is written as a
// vers range. A cpeMatch without bounds has no Range and DefaultStatus
// known_affected: its CPE pins the version (or "*" all of them).
//
// "Running on" configurations (operator AND: a node of vulnerable CPEs and a
// node of the platforms they must run on) set Affect.Platforms to the CPEs of
// the other nodes. The platforms' own version bounds are dropped, so a
// platform matches on its CPE alone: more matches, never fewer. When a
// configuration or one of its other nodes is negated, the platform
// requirement is dropped (again more matches, never fewer); a negated node's
// own vulnerable CPEs name what must be absent and give no Affect.
func ReadNVD(ctx context.Context, name string, data []byte, opts Options) ([]*Advisory, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("nvd: %w", err)
	}
	var resp nvdResponse
	if err := decodeJSON(data, &resp); err != nil {
		return nil, fmt.Errorf("nvd: %w", err)
	}
	var items []*nvdCVE
	where := func(i int) string { return fmt.Sprintf("vulnerabilities[%d].cve", i) }
	switch {
	case resp.Vulnerabilities != nil:
		if len(resp.Vulnerabilities) > maxNVDVulnerabilities {
			return nil, fmt.Errorf("nvd: %w: %d vulnerabilities, more than %d", ErrTooLarge, len(resp.Vulnerabilities), maxNVDVulnerabilities)
		}
		for i, v := range resp.Vulnerabilities {
			if v.CVE == nil {
				return nil, fmt.Errorf("nvd: %w: %s is missing", ErrInvalid, where(i))
			}
			items = append(items, v.CVE)
		}
	case resp.CVE != nil:
		items = []*nvdCVE{resp.CVE}
		where = func(int) string { return "cve" }
	case resp.ID != "":
		items = []*nvdCVE{&resp.nvdCVE}
		where = func(int) string { return "the CVE object" }
	default:
		return nil, fmt.Errorf("nvd: %w: none of vulnerabilities, cve or id is present", ErrInvalid)
	}
	out := make([]*Advisory, 0, len(items))
	for i, c := range items {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("nvd: %w", err)
		}
		adv, err := c.advisory(name)
		if err != nil {
			return nil, fmt.Errorf("nvd: %w: %s: %w", ErrInvalid, where(i), err)
		}
		if adv != nil {
			out = append(out, adv)
		}
	}
	return out, nil
}

// advisory turns one CVE into an Advisory, or nil for a rejected one.
func (c *nvdCVE) advisory(source string) (*Advisory, error) {
	if c.ID == "" {
		return nil, errors.New("id is missing")
	}
	if strings.EqualFold(c.VulnStatus, "Rejected") {
		return nil, nil
	}
	published, err := parseTime(c.Published)
	if err != nil {
		return nil, fmt.Errorf("published: %w", err)
	}
	updated, err := parseTime(c.LastModified)
	if err != nil {
		return nil, fmt.Errorf("lastModified: %w", err)
	}
	description := english(c.Descriptions)
	adv := &Advisory{
		ID:        c.ID,
		Format:    "nvd",
		Source:    source,
		Title:     clip(description, maxTitle),
		Publisher: "NVD",
		Published: published,
		Updated:   updated,
		URL:       "https://nvd.nist.gov/vuln/detail/" + url.PathEscape(c.ID),
		Summary:   clip(description, maxSummary),
	}
	vuln := Vulnerability{CVE: c.ID, CWE: c.cwe(), Affects: []Affect{}}
	var best cvssBest
	for _, set := range []struct {
		ms   []nvdMetric
		rank cvssRank
	}{{c.Metrics.V31, cvssV3}, {c.Metrics.V30, cvssV3}, {c.Metrics.V40, cvssV4}, {c.Metrics.V2, cvssV2}} {
		for _, m := range set.ms {
			best.offer(set.rank, strings.EqualFold(m.Type, "Primary"), m.CVSSData.BaseScore, m.CVSSData.VectorString)
		}
	}
	vuln.CVSS, vuln.CVSSVector = best.score, best.vector

	matches := 0
	for _, cfg := range c.Configurations {
		for _, n := range cfg.Nodes {
			matches += len(n.CPEMatch)
		}
	}
	if matches > maxNVDMatches {
		return nil, fmt.Errorf("%w: %d cpeMatch entries, more than %d", ErrTooLarge, matches, maxNVDMatches)
	}
	for _, cfg := range c.Configurations {
		vuln.Affects = append(vuln.Affects, cfg.affects()...)
	}
	adv.Vulnerabilities = []Vulnerability{vuln}
	return adv, nil
}

// cwe returns the CVE's first CWE, NVD's own (Primary) first.
func (c *nvdCVE) cwe() string {
	for _, primary := range []bool{true, false} {
		for _, w := range c.Weaknesses {
			if strings.EqualFold(w.Type, "Primary") != primary {
				continue
			}
			for _, d := range w.Description {
				if id := reCWE.FindString(d.Value); id != "" {
					return id
				}
			}
		}
	}
	return ""
}

// affects turns one configuration into Affects, one per vulnerable cpeMatch.
func (cfg nvdConfig) affects() []Affect {
	and := strings.EqualFold(cfg.Operator, "AND") && len(cfg.Nodes) > 1
	var out []Affect
	for i, n := range cfg.Nodes {
		if n.Negate {
			continue
		}
		var platforms []Identity
		if and && !cfg.Negate {
			platforms = cfg.platforms(i)
		}
		for _, m := range n.CPEMatch {
			if !m.Vulnerable || strings.TrimSpace(m.Criteria) == "" {
				continue
			}
			out = append(out, m.affect(platforms))
		}
	}
	return out
}

// platforms returns the CPEs of every node but the i-th, which the i-th
// node's products must run on; nil when one of them is negated. The slice is
// shared by the node's Affects.
func (cfg nvdConfig) platforms(i int) []Identity {
	var out []Identity
	for j, n := range cfg.Nodes {
		if j == i {
			continue
		}
		if n.Negate {
			return nil
		}
		for _, m := range n.CPEMatch {
			if c := strings.TrimSpace(m.Criteria); c != "" {
				out = append(out, cpeIdentity(c))
			}
		}
	}
	return out
}

// affect turns one vulnerable cpeMatch into an Affect.
func (m nvdCPEMatch) affect(platforms []Identity) Affect {
	af := Affect{Product: cpeIdentity(strings.TrimSpace(m.Criteria)), Platforms: platforms}
	s := span{from: m.VersionStartIncluding, to: m.VersionEndExcluding}
	if m.VersionStartExcluding != "" {
		s.from, s.fromExcl = m.VersionStartExcluding, true
	}
	if m.VersionEndIncluding != "" {
		s.to, s.toIncl = m.VersionEndIncluding, true
	}
	if s.from == "" && s.to == "" {
		af.DefaultStatus = StatusKnownAffected
		return af
	}
	af.Ranges = []Range{s.toRange(StatusKnownAffected)}
	return af
}

// cpeIdentity names a product by its CPE 2.3 string, with the vendor and
// product read from it.
func cpeIdentity(cpe string) Identity {
	parts := splitCPE(cpe)
	id := Identity{CPEs: []string{cpe}}
	if len(parts) > 4 && parts[0] == "cpe" && parts[1] == "2.3" {
		id.Vendor = cpeWord(parts[3])
		id.Name = cpeWord(parts[4])
	}
	return id
}

// cpeWord reads one CPE attribute for people: escapes removed, '_' as ' ',
// the logical values "*" and "-" as "".
func cpeWord(s string) string {
	if s == "*" || s == "-" {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			c = s[i]
		} else if c == '_' {
			c = ' '
		}
		b.WriteByte(c)
	}
	return strings.TrimSpace(b.String())
}

// splitCPE splits a CPE 2.3 formatted string at its unescaped colons.
func splitCPE(cpe string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(cpe) && len(parts) < 13; i++ {
		switch cpe[i] {
		case '\\':
			i++
		case ':':
			parts = append(parts, cpe[start:i])
			start = i + 1
		}
	}
	return append(parts, cpe[min(start, len(cpe)):])
}
