package advisory

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Bounds of the CVE JSON 5 reader.
const (
	maxCVE5Record   = 16 << 20 // bytes per record
	maxCVE5Affected = 10_000   // affected entries, all containers together
	maxCVE5Versions = 10_000   // versions per affected entry
	maxCVE5Changes  = 1_000    // changes per version entry
)

// cve5Record is the part of a CVE JSON 5.x record ward reads.
type cve5Record struct {
	DataType    string `json:"dataType"`
	CVEMetadata struct {
		CVEID             string `json:"cveId"`
		AssignerShortName string `json:"assignerShortName"`
		State             string `json:"state"`
		DatePublished     string `json:"datePublished"`
		DateUpdated       string `json:"dateUpdated"`
	} `json:"cveMetadata"`
	Containers struct {
		CNA *cve5Container  `json:"cna"`
		ADP []cve5Container `json:"adp"`
	} `json:"containers"`
}

type cve5Container struct {
	ProviderMetadata struct {
		ShortName string `json:"shortName"`
	} `json:"providerMetadata"`
	Title        string         `json:"title"`
	Descriptions []langString   `json:"descriptions"`
	Affected     []cve5Affected `json:"affected"`
	Metrics      []cve5Metric   `json:"metrics"`
	ProblemTypes []struct {
		Descriptions []struct {
			CWEID       string `json:"cweId"`
			Description string `json:"description"`
		} `json:"descriptions"`
	} `json:"problemTypes"`
}

// langString is a text in a language, as CVE 5 and NVD write them.
type langString struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

type cve5Affected struct {
	Vendor        string        `json:"vendor"`
	Product       string        `json:"product"`
	CollectionURL string        `json:"collectionURL"`
	PackageName   string        `json:"packageName"`
	PackageURL    string        `json:"packageURL"`
	CPEs          []string      `json:"cpes"`
	DefaultStatus string        `json:"defaultStatus"`
	Versions      []cve5Version `json:"versions"`
}

type cve5Version struct {
	Version         string       `json:"version"`
	Status          string       `json:"status"`
	VersionType     string       `json:"versionType"`
	LessThan        string       `json:"lessThan"`
	LessThanOrEqual string       `json:"lessThanOrEqual"`
	Changes         []cve5Change `json:"changes"`
}

// cve5Change is a status change inside a range: from At on, Status holds.
type cve5Change struct {
	At     string `json:"at"`
	Status string `json:"status"`
}

type cve5Metric struct {
	CVSSV4_0 *cvssData `json:"cvssV4_0"`
	CVSSV3_1 *cvssData `json:"cvssV3_1"`
	CVSSV3_0 *cvssData `json:"cvssV3_0"`
	CVSSV2_0 *cvssData `json:"cvssV2_0"`
	Other    *struct {
		Type    string          `json:"type"`
		Content json.RawMessage `json:"content"`
	} `json:"other"`
}

// cvssData is a CVSS block as CVE 5 and NVD write it.
type cvssData struct {
	BaseScore    float64 `json:"baseScore"`
	VectorString string  `json:"vectorString"`
}

// ssvcContent is the CISA ADP's SSVC decision: options is a list of
// one-key objects ({"Exploitation": "poc"}, {"Automatable": "no"}, ...).
type ssvcContent struct {
	Options []map[string]any `json:"options"`
}

// ReadCVE5 reads one CVE JSON 5 record (the CVE Program's format, with any
// ADP containers such as CISA's vulnrichment) into one [Advisory] of format
// "cve5" with one [Vulnerability]. A REJECTED record gives no advisory and no
// error.
//
// What it takes: the title (cna.title, else the first description, cut to
// 200 characters), the dates, the CNA as publisher; the preferred CVSS score
// of all containers (3.x, else 4.0, else 2.0; the highest within a version);
// CISA's SSVC Exploitation and Automatable; the first CWE; and one [Affect]
// per entry of cna.affected and of every adp[].affected.
//
// How versions[] become ranges: "affected" is known_affected, "unaffected"
// known_not_affected, "unknown" is left out. A range's start "0", "*" or a
// word means from the first version; lessThan gives Fixed, lessThanOrEqual
// LastAffected; an entry without either is one exact version (or vendor text,
// read by [ParseVersionText]). versionType becomes Scheme ("custom" and
// unrecognised types become "", the lenient comparison); "git" ranges are
// kept as Text only. An upper bound that is no version (Microsoft's
// lessThan "publication") makes the range Qualified: versions from its start
// on match only as "possible". changes[] split a range: from each change's
// version on, the change's status holds, and "unaffected" after "affected"
// becomes fixed.
func ReadCVE5(ctx context.Context, name string, data []byte, opts Options) ([]*Advisory, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cve5: %w", err)
	}
	if len(data) > maxCVE5Record {
		return nil, fmt.Errorf("cve5: %w: %d bytes, more than %d", ErrTooLarge, len(data), maxCVE5Record)
	}
	var rec cve5Record
	if err := decodeJSON(data, &rec); err != nil {
		return nil, fmt.Errorf("cve5: %w", err)
	}
	md := rec.CVEMetadata
	if md.CVEID == "" {
		return nil, fmt.Errorf("cve5: %w: cveMetadata.cveId is missing", ErrInvalid)
	}
	if !strings.HasPrefix(md.CVEID, "CVE-") {
		return nil, fmt.Errorf("cve5: %w: cveMetadata.cveId %q is not a CVE id", ErrInvalid, md.CVEID)
	}
	if strings.EqualFold(md.State, "REJECTED") {
		return []*Advisory{}, nil
	}
	cna := rec.Containers.CNA
	if cna == nil {
		return nil, fmt.Errorf("cve5: %w: containers.cna is missing", ErrInvalid)
	}
	published, err := parseTime(md.DatePublished)
	if err != nil {
		return nil, fmt.Errorf("cve5: %w: cveMetadata.datePublished: %w", ErrInvalid, err)
	}
	updated, err := parseTime(md.DateUpdated)
	if err != nil {
		return nil, fmt.Errorf("cve5: %w: cveMetadata.dateUpdated: %w", ErrInvalid, err)
	}

	containers := append([]cve5Container{*cna}, rec.Containers.ADP...)
	n := 0
	for _, c := range containers {
		n += len(c.Affected)
	}
	if n > maxCVE5Affected {
		return nil, fmt.Errorf("cve5: %w: %d affected entries, more than %d", ErrTooLarge, n, maxCVE5Affected)
	}

	description := english(cna.Descriptions)
	adv := &Advisory{
		ID:        md.CVEID,
		Format:    "cve5",
		Source:    name,
		Title:     clip(firstNonEmpty(cna.Title, description), maxTitle),
		Publisher: firstNonEmpty(cna.ProviderMetadata.ShortName, md.AssignerShortName),
		Published: published,
		Updated:   updated,
		URL:       "https://www.cve.org/CVERecord?id=" + url.QueryEscape(md.CVEID),
		Summary:   clip(description, maxSummary),
	}
	vuln := Vulnerability{CVE: md.CVEID, Affects: []Affect{}}
	var best cvssBest
	for ci, c := range containers {
		where := "containers.cna"
		if ci > 0 {
			where = fmt.Sprintf("containers.adp[%d]", ci-1)
		}
		for _, m := range c.Metrics {
			for _, x := range []struct {
				d    *cvssData
				rank cvssRank
			}{{m.CVSSV3_1, cvssV3}, {m.CVSSV3_0, cvssV3}, {m.CVSSV4_0, cvssV4}, {m.CVSSV2_0, cvssV2}} {
				if x.d != nil {
					best.offer(x.rank, true, x.d.BaseScore, x.d.VectorString)
				}
			}
			if m.Other != nil && strings.EqualFold(m.Other.Type, "ssvc") {
				readSSVC(m.Other.Content, &vuln)
			}
		}
		if vuln.CWE == "" {
			vuln.CWE = cve5CWE(c)
		}
		for ai, a := range c.Affected {
			af, ok, err := a.affect()
			if err != nil {
				return nil, fmt.Errorf("cve5: %w: %s.affected[%d]: %w", ErrInvalid, where, ai, err)
			}
			if ok {
				vuln.Affects = append(vuln.Affects, af)
			}
		}
	}
	vuln.CVSS, vuln.CVSSVector = best.score, best.vector
	adv.Vulnerabilities = []Vulnerability{vuln}
	return []*Advisory{adv}, nil
}

// readSSVC takes Exploitation and Automatable from an SSVC decision. A
// decision of another shape is ignored: it is an enrichment, and a record is
// worth reading without it.
func readSSVC(raw json.RawMessage, v *Vulnerability) {
	var c ssvcContent
	if json.Unmarshal(raw, &c) != nil {
		return
	}
	for _, opt := range c.Options {
		for k, val := range opt {
			s, ok := val.(string)
			if !ok {
				continue
			}
			s = strings.ToLower(strings.TrimSpace(s))
			switch strings.ToLower(k) {
			case "exploitation":
				switch s {
				case "none", "poc", "active":
					v.Exploitation = s
				case "public poc", "proof of concept":
					v.Exploitation = "poc"
				}
			case "automatable":
				if s == "yes" || s == "no" {
					v.Automatable = s
				}
			}
		}
	}
}

// reCWE finds a CWE id ("CWE-79") in text.
var reCWE = regexp.MustCompile(`\bCWE-[0-9]+\b`)

// cve5CWE returns a container's first CWE id.
func cve5CWE(c cve5Container) string {
	for _, pt := range c.ProblemTypes {
		for _, d := range pt.Descriptions {
			if id := reCWE.FindString(d.CWEID); id != "" {
				return id
			}
			if id := reCWE.FindString(d.Description); id != "" {
				return id
			}
		}
	}
	return ""
}

// affect turns one affected entry into an Affect. ok is false for an entry
// that names nothing a product could match (vendor and product "n/a", no
// CPE, no package).
func (a cve5Affected) affect() (Affect, bool, error) {
	if len(a.Versions) > maxCVE5Versions {
		return Affect{}, false, fmt.Errorf("%w: %d versions, more than %d", ErrTooLarge, len(a.Versions), maxCVE5Versions)
	}
	product, pkg := meaningful(a.Product), strings.TrimSpace(a.PackageName)
	id := Identity{Vendor: meaningful(a.Vendor), Name: firstNonEmpty(product, pkg)}
	if product != "" && pkg != "" && product != pkg {
		// Distributions name the platform as product and the package apart
		// ("Red Hat Enterprise Linux 7", "389-ds-base"): show people both.
		id.Display = product + " (" + pkg + ")"
	}
	for _, c := range a.CPEs {
		if c = strings.TrimSpace(c); c != "" {
			id.CPEs = append(id.CPEs, c)
		}
	}
	if p := strings.TrimSpace(a.PackageURL); p != "" {
		id.PURLs = append(id.PURLs, p)
	} else if p := collectionPURL(a.CollectionURL, a.PackageName); p != "" {
		id.PURLs = append(id.PURLs, p)
	}
	if id.Name == "" && len(id.CPEs) == 0 && len(id.PURLs) == 0 {
		return Affect{}, false, nil
	}
	af := Affect{Product: id, DefaultStatus: cve5Status(a.DefaultStatus)}
	allGit := len(a.Versions) > 0
	for i, v := range a.Versions {
		allGit = allGit && cve5Scheme(v.VersionType) == "git"
		if len(v.Changes) > maxCVE5Changes {
			return Affect{}, false, fmt.Errorf("versions[%d]: %w: %d changes, more than %d", i, ErrTooLarge, len(v.Changes), maxCVE5Changes)
		}
		af.Ranges = append(af.Ranges, v.ranges()...)
	}
	if allGit {
		// The default speaks of commits, not releases: a release version
		// outside the commit ranges is not known to be unaffected.
		af.DefaultStatus = StatusUnknown
	}
	return af, true, nil
}

// ranges turns one versions[] entry into ranges, splitting it at its changes.
func (v cve5Version) ranges() []Range {
	st := cve5Status(v.Status)
	if st == StatusUnknown {
		return nil
	}
	scheme := cve5Scheme(v.VersionType)
	if v.LessThan == "" && v.LessThanOrEqual == "" {
		return exactRanges(v.Version, st, scheme)
	}
	whole := span{from: v.Version, to: v.LessThan, scheme: scheme}
	if v.LessThan == "" {
		whole.to, whole.toIncl = v.LessThanOrEqual, true
	}
	if len(v.Changes) == 0 {
		if whole.empty() {
			return nil
		}
		return []Range{whole.toRange(st)}
	}
	changes := slices.Clone(v.Changes)
	sortVersions(changes, func(c cve5Change) string { return c.At })
	var out []Range
	cur, curSt := whole.from, st
	emit := func(to string, toIncl bool) {
		s := span{from: cur, to: to, toIncl: toIncl, scheme: scheme}
		if curSt != StatusUnknown && !s.empty() {
			out = append(out, s.toRange(curSt))
		}
	}
	for _, c := range changes {
		emit(c.At, false)
		next := cve5Status(c.Status)
		if next == StatusKnownNotAffected && curSt != StatusKnownNotAffected && curSt != StatusUnknown {
			next = StatusFixed // the flaw ends here: this is a fix
		}
		cur, curSt = c.At, next
	}
	emit(whole.to, whole.toIncl)
	return out
}

// cve5Status maps a CVE 5 status to ward's.
func cve5Status(s string) Status {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "affected":
		return StatusKnownAffected
	case "unaffected":
		return StatusKnownNotAffected
	}
	return StatusUnknown
}

// cve5Scheme maps versionType to a Range scheme. "custom" (unspecified, by
// the schema's own words) and the many free-text values CNAs write there
// ("8.0U2", "firmware") become "", the lenient comparison.
func cve5Scheme(vt string) string {
	switch v := strings.ToLower(strings.TrimSpace(vt)); v {
	case "semver", "rpm", "maven", "git", "deb", "npm", "pypi", "gem", "golang", "nuget", "cargo", "composer", "apk", "generic":
		return v
	case "python":
		return "pypi"
	}
	return ""
}

// meaningful returns s trimmed, or "" for the placeholders CNAs write when
// they do not know ("n/a", "unspecified").
func meaningful(s string) string {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "n/a", "na", "unknown", "unspecified", "-":
		return ""
	}
	return s
}

// collectionHosts maps the hosts of CVE 5 collectionURLs to OSV ecosystem
// names, so that packageName can become a PURL.
var collectionHosts = map[string]string{
	"pypi.org": "PyPI", "pypi.python.org": "PyPI",
	"repo.maven.apache.org": "Maven", "repo1.maven.org": "Maven", "mvnrepository.com": "Maven",
	"search.maven.org": "Maven", "central.sonatype.com": "Maven",
	"npmjs.com": "npm", "www.npmjs.com": "npm", "registry.npmjs.org": "npm",
	"packagist.org": "Packagist",
	"crates.io":     "crates.io",
	"rubygems.org":  "RubyGems",
	"nuget.org":     "NuGet", "www.nuget.org": "NuGet",
	"pkg.go.dev": "Go", "proxy.golang.org": "Go",
	"hex.pm":  "Hex",
	"pub.dev": "Pub",
}

// collectionPURL builds a PURL from a package registry's URL and a package
// name, or returns "" when the registry is not one ward knows.
func collectionPURL(collection, pkg string) string {
	pkg = strings.TrimSpace(pkg)
	if collection == "" || pkg == "" {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(collection))
	if err != nil {
		return ""
	}
	eco, ok := collectionHosts[strings.ToLower(u.Hostname())]
	if !ok {
		return ""
	}
	// A URL that goes on to a package page names that package, not the
	// registry ("https://www.npmjs.com/package/slim-select").
	if p := strings.Trim(u.Path, "/"); p != "" && p != "maven2" && p != "simple" {
		return ""
	}
	return ecosystemPURL(eco, pkg)
}

// english returns the first English text of a list, else the first text.
func english(ds []langString) string {
	for _, d := range ds {
		if strings.HasPrefix(strings.ToLower(d.Lang), "en") && strings.TrimSpace(d.Value) != "" {
			return d.Value
		}
	}
	for _, d := range ds {
		if strings.TrimSpace(d.Value) != "" {
			return d.Value
		}
	}
	return ""
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
