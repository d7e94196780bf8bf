package advisory

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/package-url/packageurl-go"
)

// Bounds of the OSV reader.
const (
	maxOSVRecord   = 16 << 20 // bytes per record
	maxOSVAffected = 10_000   // affected entries
	maxOSVEvents   = 10_000   // events per range
	maxOSVVersions = 100_000  // versions per affected entry
)

// osvRecord is the part of an OSV record ward reads.
type osvRecord struct {
	ID               string        `json:"id"`
	Modified         string        `json:"modified"`
	Published        string        `json:"published"`
	Withdrawn        string        `json:"withdrawn"`
	Aliases          []string      `json:"aliases"`
	Summary          string        `json:"summary"`
	Details          string        `json:"details"`
	Severity         []osvSeverity `json:"severity"`
	Affected         []osvAffected `json:"affected"`
	DatabaseSpecific *struct {
		CWEIDs []string `json:"cwe_ids"`
	} `json:"database_specific"`
}

type osvSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

type osvAffected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
		PURL      string `json:"purl"`
	} `json:"package"`
	Severity []osvSeverity `json:"severity"`
	Ranges   []struct {
		Type   string     `json:"type"`
		Repo   string     `json:"repo"`
		Events []osvEvent `json:"events"`
	} `json:"ranges"`
	Versions []string `json:"versions"`
}

// osvEvent is one event of a range; exactly one field is set.
type osvEvent struct {
	Introduced   string `json:"introduced"`
	Fixed        string `json:"fixed"`
	LastAffected string `json:"last_affected"`
	Limit        string `json:"limit"`
}

// version returns the event's version.
func (e osvEvent) version() string {
	return firstNonEmpty(e.Introduced, e.Fixed, e.LastAffected, e.Limit)
}

// ReadOSV reads one OSV record (the Open Source Vulnerability format of
// osv.dev, the Go vulnerability database, GHSA, PyPA, distributions) into one
// [Advisory] of format "osv" with one [Vulnerability]. A withdrawn record
// gives no advisory and no error.
//
// The vulnerability's CVE is the record's id when that is a CVE, else its
// first CVE alias; its Aliases are the record's id and the other aliases.
// Severity vectors are kept without computing a score (CVSS stays 0 unless
// the score given is a number). The CWE comes from database_specific.cwe_ids
// (GHSA).
//
// Each affected entry becomes one [Affect] named by the package name and
// PURL (package.purl, else one built from the ecosystem: Go is golang, PyPI
// pypi, Maven maven with group:artifact as namespace/name, crates.io cargo,
// RubyGems gem, Packagist composer, Debian deb/debian, Alpine apk/alpine,
// ...). SEMVER and ECOSYSTEM ranges are sorted by version, as the OSV
// specification requires, and each introduced..fixed (or ..last_affected)
// pair becomes a Range with scheme "semver" or the lowercased ecosystem;
// limit events are ignored (the range then reaches further: conservative).
// versions[] becomes one Exact range. GIT ranges cannot be compared: they are
// kept as Text only, and only when the entry has nothing else. Versions that
// no range names are known_not_affected, because an OSV record lists all the
// versions it concerns.
func ReadOSV(ctx context.Context, name string, data []byte, opts Options) ([]*Advisory, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("osv: %w", err)
	}
	if len(data) > maxOSVRecord {
		return nil, fmt.Errorf("osv: %w: %d bytes, more than %d", ErrTooLarge, len(data), maxOSVRecord)
	}
	var rec osvRecord
	if err := decodeJSON(data, &rec); err != nil {
		return nil, fmt.Errorf("osv: %w", err)
	}
	rec.ID = strings.TrimSpace(rec.ID)
	if rec.ID == "" {
		return nil, fmt.Errorf("osv: %w: id is missing", ErrInvalid)
	}
	if rec.Modified == "" {
		return nil, fmt.Errorf("osv: %w: modified is missing", ErrInvalid)
	}
	if strings.TrimSpace(rec.Withdrawn) != "" {
		return []*Advisory{}, nil
	}
	if len(rec.Affected) > maxOSVAffected {
		return nil, fmt.Errorf("osv: %w: %d affected entries, more than %d", ErrTooLarge, len(rec.Affected), maxOSVAffected)
	}
	modified, err := parseTime(rec.Modified)
	if err != nil {
		return nil, fmt.Errorf("osv: %w: modified: %w", ErrInvalid, err)
	}
	published, err := parseTime(rec.Published)
	if err != nil {
		return nil, fmt.Errorf("osv: %w: published: %w", ErrInvalid, err)
	}

	prefix, _, _ := strings.Cut(rec.ID, "-")
	adv := &Advisory{
		ID:        rec.ID,
		Format:    "osv",
		Source:    name,
		Title:     clip(firstNonEmpty(rec.Summary, firstLine(rec.Details)), maxTitle),
		Publisher: prefix,
		Published: published,
		Updated:   modified,
		URL:       "https://osv.dev/vulnerability/" + url.PathEscape(rec.ID),
		Summary:   clip(rec.Details, maxSummary),
	}
	vuln := Vulnerability{Affects: []Affect{}}
	if strings.HasPrefix(rec.ID, "CVE-") {
		vuln.CVE = rec.ID
	} else {
		vuln.Aliases = append(vuln.Aliases, rec.ID)
	}
	for _, a := range rec.Aliases {
		a = strings.TrimSpace(a)
		switch {
		case a == "" || a == rec.ID:
		case vuln.CVE == "" && strings.HasPrefix(a, "CVE-"):
			vuln.CVE = a
		default:
			vuln.Aliases = append(vuln.Aliases, a)
		}
	}
	if rec.DatabaseSpecific != nil {
		for _, c := range rec.DatabaseSpecific.CWEIDs {
			if id := reCWE.FindString(c); id != "" {
				vuln.CWE = id
				break
			}
		}
	}
	var best cvssBest
	offerSeverity := func(ss []osvSeverity) {
		for _, s := range ss {
			rank := osvSeverityRank[strings.ToUpper(s.Type)]
			score, err := strconv.ParseFloat(strings.TrimSpace(s.Score), 64)
			if err == nil {
				best.offer(rank, true, score, "")
			} else {
				best.offer(rank, true, 0, s.Score)
			}
		}
	}
	offerSeverity(rec.Severity)
	for i, a := range rec.Affected {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("osv: %w", err)
		}
		if best.rank == cvssNone {
			offerSeverity(a.Severity)
		}
		af, ok, err := a.affect()
		if err != nil {
			return nil, fmt.Errorf("osv: %w: affected[%d]: %w", ErrInvalid, i, err)
		}
		if ok {
			vuln.Affects = append(vuln.Affects, af)
		}
	}
	vuln.CVSS, vuln.CVSSVector = best.score, best.vector
	adv.Vulnerabilities = []Vulnerability{vuln}
	return []*Advisory{adv}, nil
}

// affect turns one affected entry into an Affect; ok is false when it names
// no package and no repository.
func (a osvAffected) affect() (Affect, bool, error) {
	if len(a.Versions) > maxOSVVersions {
		return Affect{}, false, fmt.Errorf("%w: %d versions, more than %d", ErrTooLarge, len(a.Versions), maxOSVVersions)
	}
	eco := strings.TrimSpace(a.Package.Ecosystem)
	id := Identity{Name: strings.TrimSpace(a.Package.Name)}
	if p := strings.TrimSpace(a.Package.PURL); p != "" {
		id.PURLs = []string{p}
	} else if p := ecosystemPURL(eco, id.Name); p != "" {
		id.PURLs = []string{p}
	}
	scheme := strings.ToLower(baseEcosystem(eco))
	var ranges, gitRanges []Range
	for i, r := range a.Ranges {
		if len(r.Events) > maxOSVEvents {
			return Affect{}, false, fmt.Errorf("ranges[%d]: %w: %d events, more than %d", i, ErrTooLarge, len(r.Events), maxOSVEvents)
		}
		switch strings.ToUpper(r.Type) {
		case "GIT":
			if id.Name == "" {
				id.Name = strings.TrimSpace(r.Repo)
			}
			gitRanges = append(gitRanges, osvPairs(r.Events, "git")...)
		case "SEMVER":
			ranges = append(ranges, osvPairs(r.Events, "semver")...)
		default: // ECOSYSTEM, and types the specification may add
			ranges = append(ranges, osvPairs(r.Events, scheme)...)
		}
	}
	var versions []string
	for _, v := range a.Versions {
		if v = strings.TrimSpace(v); v != "" {
			versions = append(versions, v)
		}
	}
	if len(versions) > 0 {
		ranges = append(ranges, Range{Status: StatusKnownAffected, Exact: versions, Scheme: scheme})
	}
	if id.Name == "" && len(id.PURLs) == 0 {
		return Affect{}, false, nil
	}
	af := Affect{Product: id, Ranges: ranges}
	if len(ranges) > 0 {
		af.DefaultStatus = StatusKnownNotAffected
	} else {
		af.Ranges = gitRanges
	}
	return af, true, nil
}

// osvPairs turns a range's events into ranges, one per introduced..fixed
// (or ..last_affected) pair, after sorting them by version.
func osvPairs(events []osvEvent, scheme string) []Range {
	evs := make([]osvEvent, 0, len(events))
	for _, e := range events {
		if e.Limit == "" && e.version() != "" {
			evs = append(evs, e)
		}
	}
	if scheme != "git" {
		sortVersions(evs, osvEvent.version)
	}
	var out []Range
	var cur *span
	for _, e := range evs {
		switch {
		case e.Introduced != "":
			if cur != nil {
				out = append(out, cur.toRange(StatusKnownAffected)) // open: no end given
			}
			cur = &span{from: e.Introduced, scheme: scheme}
		case cur == nil:
			// A fix or last_affected with no introduction before it: the OSV
			// specification treats such a range as starting at "0".
			out = append(out, span{to: e.version(), toIncl: e.LastAffected != "", scheme: scheme}.toRange(StatusKnownAffected))
		default:
			cur.to, cur.toIncl = e.version(), e.LastAffected != ""
			out = append(out, cur.toRange(StatusKnownAffected))
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, cur.toRange(StatusKnownAffected))
	}
	return out
}

// osvSeverityRank ranks the OSV severity types that carry CVSS.
var osvSeverityRank = map[string]cvssRank{"CVSS_V3": cvssV3, "CVSS_V4": cvssV4, "CVSS_V2": cvssV2}

// ecosystems maps OSV ecosystem names to package-url types and, for
// distributions, the namespace.
var ecosystems = map[string]struct{ typ, namespace string }{
	"Go":        {"golang", ""},
	"npm":       {"npm", ""},
	"PyPI":      {"pypi", ""},
	"Maven":     {"maven", ""},
	"crates.io": {"cargo", ""},
	"RubyGems":  {"gem", ""},
	"NuGet":     {"nuget", ""},
	"Packagist": {"composer", ""},
	"Hex":       {"hex", ""},
	"Pub":       {"pub", ""},
	"Debian":    {"deb", "debian"},
	"Ubuntu":    {"deb", "ubuntu"},
	"Alpine":    {"apk", "alpine"},
}

// baseEcosystem drops an ecosystem's release suffix ("Alpine:v3.16" ->
// "Alpine").
func baseEcosystem(eco string) string {
	base, _, _ := strings.Cut(eco, ":")
	return strings.TrimSpace(base)
}

// ecosystemPURL builds the PURL of package name in an OSV ecosystem, or
// returns "" when the ecosystem has no PURL type ward knows.
func ecosystemPURL(ecosystem, name string) string {
	t, ok := ecosystems[baseEcosystem(ecosystem)]
	if !ok || name == "" {
		return ""
	}
	ns, n := t.namespace, name
	switch t.typ {
	case "maven":
		group, artifact, ok := strings.Cut(name, ":")
		if !ok || group == "" || artifact == "" {
			return ""
		}
		ns, n = group, artifact
	case "golang", "npm", "composer":
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			ns, n = name[:i], name[i+1:]
		}
	}
	if n == "" {
		return ""
	}
	p := packageurl.NewPackageURL(t.typ, ns, n, "", nil, "")
	if err := p.Normalize(); err != nil {
		return ""
	}
	return p.ToString()
}

// firstLine returns the first non-empty line of s.
func firstLine(s string) string {
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}
