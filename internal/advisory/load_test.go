package advisory

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/testenv"
)

// loadTree is a file tree to build for a Load test: relative path to
// content. Content "->target" makes a symbolic link to target.
type loadTree map[string][]byte

// mustBuild writes the tree under dir.
func (tree loadTree) mustBuild(tb testing.TB, dir string) {
	tb.Helper()
	for rel, data := range tree {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if target, ok := bytes.CutPrefix(data, []byte("->")); ok {
			if err := os.Symlink(string(target), path); err != nil {
				tb.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// mustRaw reads a testdata file as stored (not gunzipped).
func mustRaw(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// loadRow is what TestLoad asserts of each advisory.
type loadRow struct{ Source, Format, ID string }

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	root := filepath.Join(dir, "feeds")
	outside := filepath.Join(dir, "outside.json")
	if err := os.WriteFile(outside, mustRaw(t, "testdata/osv/GO-2024-2458.json"), 0o644); err != nil {
		t.Fatal(err)
	}

	csaf := mustRaw(t, "testdata/csaf/icsma-17-017-01.json")
	tampered := bytes.Replace(csaf, []byte(`"csaf_version": "2.0"`), []byte(`"csaf_version": "2.1"`), 1)
	if bytes.Equal(tampered, csaf) {
		t.Fatal("the CSAF fixture changed: nothing was tampered with")
	}
	nvd := mustRaw(t, "testdata/nvd/cves-CVE-2023-0001.json.gz")
	tree := loadTree{
		"cve5/CVE-2024-4846.json":                   mustRaw(t, "testdata/cve5/CVE-2024-4846.json"),
		"cve5/rejected/CVE-2024-4542.json":          mustRaw(t, "testdata/cve5/CVE-2024-4542.json"),
		"nvd/page.json.gz":                          nvd,
		"nvd/no-extension":                          mustRaw(t, "testdata/nvd/cve-2022-44006.json.gz"),
		"osv/GO-2024-2963.json":                     mustRaw(t, "testdata/osv/GO-2024-2963.json"),
		"kev/known_exploited_vulnerabilities.json":  mustRaw(t, "testdata/kev/kev-subset.derived.json"),
		"epss/epss_scores.csv":                      mustRaw(t, "testdata/epss/epss_scores-2026-08-22.subset.derived.csv"),
		"csaf/good/icsma-17-017-01.json":            csaf,
		"csaf/good/icsma-17-017-01.json.sha512":     mustRaw(t, "testdata/csaf/icsma-17-017-01.json.sha512"),
		"csaf/tampered/icsma-17-017-01.json":        tampered,
		"csaf/tampered/icsma-17-017-01.json.sha512": mustRaw(t, "testdata/csaf/icsma-17-017-01.json.sha512"),
		"csaf/tampered/icsma-17-017-01.json.asc":    []byte("signatures are skipped by name"),
		"csaf/changes.csv":                          []byte("2017/icsma-17-017-01.json,2024-10-03T16:03:00.000Z\n"),
		"csaf/index.txt":                            []byte("2017/icsma-17-017-01.json\n"),
		"csaf/feed.json":                            []byte(`{"feed":{"id":"x","entry":[]}}`),
		"csaf/provider-metadata.json":               []byte(`{"canonical_url":"https://x/provider-metadata.json","metadata_version":"2.0","role":"csaf_provider"}`),
		"schema.json":                               []byte(`{"$schema":"https://json-schema.org/draft/2020-12/schema","properties":{}}`),
		"broken.json":                               []byte("{\"cveMetadata\": {\n\"cveId\": "),
		"unknown.json":                              []byte(`{"hello":"world"}`),
		"truncated.json.gz":                         nvd[:len(nvd)/2],
		"README.md":                                 []byte("# not an advisory"),
		"LICENSE":                                   []byte("CC0"),
		".git/config.json":                          []byte("{"),
		".hidden.json":                              []byte("{"),
		".store/GO-2024-2458.json":                  mustRaw(t, "testdata/osv/GO-2024-2458.json"),
		"osv-link.json":                             []byte("->.store/GO-2024-2458.json"),
		"escape.json":                               []byte("->../outside.json"),
	}
	tree.mustBuild(t, root)

	var (
		mu       sync.Mutex
		progress [][2]int
	)
	opts := Options{Progress: func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		progress = append(progress, [2]int{done, total})
	}}
	set, err := Load(t.Context(), []string{root, filepath.Join(dir, "missing")}, opts)
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}

	var rows []loadRow
	for _, a := range set.Advisories {
		rel, _ := filepath.Rel(root, a.Source)
		rows = append(rows, loadRow{filepath.ToSlash(rel), a.Format, a.ID})
	}
	wantRows := []loadRow{
		{"csaf/good/icsma-17-017-01.json", "csaf", "ICSMA-17-017-01"},
		{"cve5/CVE-2024-4846.json", "cve5", "CVE-2024-4846"},
		{"nvd/no-extension", "nvd", "CVE-2022-44006"},
		{"nvd/page.json.gz", "nvd", "CVE-2023-0001"},
		{"osv-link.json", "osv", "GO-2024-2458"},
		{"osv/GO-2024-2963.json", "osv", "GO-2024-2963"},
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("Load() advisories mismatch (-want +got):\n%s", diff)
	}

	gotErrs := map[string]string{}
	for _, e := range set.Errors {
		rel, _ := filepath.Rel(root, e.Source)
		gotErrs[filepath.ToSlash(rel)] = e.Message
	}
	wantErrs := map[string]string{
		"../missing":                         "no such file or directory",
		"broken.json":                        "line 2, column 10",
		"unknown.json":                       ErrUnknownFormat.Error(),
		"truncated.json.gz":                  "gzip: unexpected EOF",
		"csaf/tampered/icsma-17-017-01.json": "hash mismatch",
		"escape.json":                        "symbolic link",
	}
	for src, want := range wantErrs {
		if got, ok := gotErrs[src]; !ok || !strings.Contains(got, want) {
			t.Errorf("Load() error for %s = %q, want one containing %q", src, got, want)
		}
	}
	if len(gotErrs) != len(wantErrs) {
		t.Errorf("Load() errors = %v, want only %d", set.Errors, len(wantErrs))
	}

	if len(set.KEV) != 5 {
		t.Errorf("Load() KEV has %d entries, want 5", len(set.KEV))
	}
	if set.EPSS == nil || len(set.EPSS.Scores) != 10 {
		t.Errorf("Load() EPSS = %+v, want 10 scores", set.EPSS)
	}
	// changes.csv, the ROLIE feed, provider metadata, the schema, the rejected
	// CVE record is read (it gives nothing) and is not skipped.
	if set.Skipped != 4 {
		t.Errorf("Load() Skipped = %d, want 4", set.Skipped)
	}

	// Progress: once per file, ending with the total.
	const files = 17 // regular files and links the walk hands to the workers
	if len(progress) < files {
		t.Fatalf("Progress called %d times, want at least %d", len(progress), files)
	}
	if last := progress[len(progress)-1]; last != [2]int{files, files} {
		t.Errorf("last Progress(%d, %d), want (%d, %d)", last[0], last[1], files, files)
	}
	for i := 1; i < len(progress); i++ {
		if progress[i][0] < progress[i-1][0] {
			t.Errorf("Progress went back from %v to %v", progress[i-1], progress[i])
		}
	}

	// The same tree gives the same set, whatever the order of the workers.
	again, err := Load(t.Context(), []string{root, filepath.Join(dir, "missing")}, Options{})
	if err != nil {
		t.Fatalf("Load() again error = %v", err)
	}
	if diff := cmp.Diff(set, again); diff != "" {
		t.Errorf("Load() is not deterministic (-first +second):\n%s", diff)
	}
}

func TestLoad_Duplicates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	record := mustRaw(t, "testdata/cve5/CVE-2024-4846.json")
	newer := bytes.Replace(record, []byte(`"dateUpdated": "2024-08-01T20:55:09.986Z"`), []byte(`"dateUpdated": "2025-01-01T00:00:00Z"`), -1)
	if bytes.Equal(newer, record) {
		t.Fatal("the fixture changed: dateUpdated was not replaced")
	}
	loadTree{
		"a/CVE-2024-4846.json": newer,
		"b/CVE-2024-4846.json": record,
		"c/CVE-2024-4846.json": record,
		// The same CVE from another format is another advisory.
		"d/nvd.json": []byte(`{"cve":{"id":"CVE-2024-4846","lastModified":"2024-07-01T00:00:00.000"}}`),
	}.mustBuild(t, dir)
	set, err := Load(t.Context(), []string{dir}, Options{})
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	var got []loadRow
	for _, a := range set.Advisories {
		rel, _ := filepath.Rel(dir, a.Source)
		got = append(got, loadRow{filepath.ToSlash(rel), a.Format, a.Updated.Format("2006")})
	}
	want := []loadRow{{"a/CVE-2024-4846.json", "cve5", "2025"}, {"d/nvd.json", "nvd", "2024"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load() mismatch (-want +got):\n%s", diff)
	}
}

func TestLoad_Canceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	set, err := Load(ctx, []string{"testdata/cve5"}, Options{})
	if !errors.Is(err, context.Canceled) || set != nil {
		t.Errorf("Load(canceled) = %v, %v; want nil, context.Canceled", set, err)
	}
}

func TestLoad_File(t *testing.T) {
	t.Parallel()
	// A file named directly is read whatever its name.
	set, err := Load(t.Context(), []string{"testdata/nvd/cve-2022-44006.json.gz", "testdata/cve5/README.md"}, Options{})
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if len(set.Advisories) != 1 || set.Advisories[0].ID != "CVE-2022-44006" {
		t.Errorf("Load() advisories = %v, want CVE-2022-44006", set.Advisories)
	}
	if len(set.Errors) != 1 || !strings.Contains(set.Errors[0].Message, ErrUnknownFormat.Error()) {
		t.Errorf("Load() errors = %v, want README.md of unknown format", set.Errors)
	}
}

func TestDetectFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		want    format
		wantErr error
	}{
		{"csaf", `{"document":{"category":"csaf_vex","csaf_version":"2.0"},"vulnerabilities":[{"cve":"CVE-2024-1"}]}`, formatCSAF, nil},
		{"cve5 by dataType", `{"dataType":"CVE_RECORD"}`, formatCVE5, nil},
		{"cve5 by cveMetadata", `{"containers":{},"cveMetadata":{"cveId":"CVE-2024-1"}}`, formatCVE5, nil},
		{"nvd response", `{"resultsPerPage":1,"vulnerabilities":[{"cve":{"id":"CVE-2024-1"}}]}`, formatNVD, nil},
		{"nvd empty page", `{"format":"NVD_CVE","vulnerabilities":[]}`, formatNVD, nil},
		{"nvd item", `{"cve":{"id":"CVE-2024-1"}}`, formatNVD, nil},
		{"nvd bare CVE", `{"id":"CVE-2024-1","sourceIdentifier":"cve@mitre.org","published":"2024-01-01T00:00:00"}`, formatNVD, nil},
		{"nvd CPE dictionary", `{"format":"NVD_CPE","products":[]}`, formatSkip, nil},
		{"osv", `{"schema_version":"1.6.0","id":"GHSA-1","modified":"2024-01-01T00:00:00Z"}`, formatOSV, nil},
		{"osv with CVE id", `{"id":"CVE-2018-5407","modified":"2024-01-01T00:00:00Z","affected":[]}`, formatOSV, nil},
		{"kev", `{"title":"x","catalogVersion":"2025.08.25","vulnerabilities":[]}`, formatKEV, nil},
		{"kev without catalogVersion", `{"vulnerabilities":[{"cveID":"CVE-2024-1"}]}`, formatKEV, nil},
		{"kev csv", "cveID,vendorProject,product,vulnerabilityName,dateAdded\n", formatKEV, nil},
		{"epss daily", "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000\ncve,epss,percentile\n", formatEPSS, nil},
		{"epss header", "cve,epss,percentile\nCVE-2024-1,0.1,0.2\n", formatEPSS, nil},
		{"epss enrichment", "\ufeffCVE,CVSS3,EPSS,EPSS Percentile\n", formatEPSS, nil},
		{"csaf changes.csv", `"2024/va-24-254-02.json","2024-10-03T16:03:00.000Z"` + "\n", formatSkip, nil},
		{"rolie feed", `{"feed":{"entry":[]}}`, formatSkip, nil},
		{"aggregator", `{"aggregator":{},"canonical_url":"https://x/aggregator.json"}`, formatSkip, nil},
		{"json schema", `{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{}}`, formatSkip, nil},
		{"unknown json", `{"a":1}`, formatUnknown, ErrUnknownFormat},
		{"json array", `[{"id":"GHSA-1"}]`, formatUnknown, ErrUnknownFormat},
		{"odd types", `{"id":7,"document":"x","vulnerabilities":{}}`, formatUnknown, ErrUnknownFormat},
		{"broken json", `{"id":`, formatUnknown, ErrInvalid},
		{"text", "hello\n", formatUnknown, ErrUnknownFormat},
		{"empty", " \n", formatUnknown, ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := detectFormat([]byte(tt.data))
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("detectFormat() = %v, %v; want %v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestDetectFormat_Testdata checks the detector on every real fixture.
func TestDetectFormat_Testdata(t *testing.T) {
	t.Parallel()
	want := map[string]format{"cve5": formatCVE5, "nvd": formatNVD, "osv": formatOSV, "kev": formatKEV, "epss": formatEPSS}
	for dir, f := range want {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if skipName(filepath.Base(file)) {
				continue
			}
			t.Run(file, func(t *testing.T) {
				t.Parallel()
				got, err := detectFormat(mustReadFixture(t, file))
				if got != f || err != nil {
					t.Errorf("detectFormat(%s) = %v, %v; want %v", file, got, err, f)
				}
			})
		}
	}
}

func TestSkipName(t *testing.T) {
	t.Parallel()
	var skipped []string
	for _, name := range []string{"a.json", "a.json.asc", "a.json.sha512", "a.json.sha256", "README.md", "index.txt",
		"LICENSE", "LICENSE.txt", "LICENSE-vulndb", "NOTICES", ".DS_Store", "changes.csv", "no-extension", "a.json.gz", "Readme"} {
		if skipName(name) {
			skipped = append(skipped, name)
		}
	}
	want := []string{"a.json.asc", "a.json.sha512", "a.json.sha256", "README.md", "index.txt", "LICENSE", "LICENSE.txt", "LICENSE-vulndb", "NOTICES", ".DS_Store", "Readme"}
	if diff := cmp.Diff(want, skipped); diff != "" {
		t.Errorf("skipName mismatch (-want +got):\n%s", diff)
	}
}

func TestSpan_ToRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    span
		want Range
	}{
		{"all", span{from: "0"}, Range{Status: StatusKnownAffected, All: true}},
		{"star: every version, but the source could not say which", span{from: "*", to: "*"}, Range{Status: StatusKnownAffected, All: true, Qualified: true, Text: ">= *, < *"}},
		{"bounds", span{from: "1.0", to: "2.0"}, Range{Status: StatusKnownAffected, Introduced: "1.0", Fixed: "2.0"}},
		{"inclusive", span{to: "2.0", toIncl: true}, Range{Status: StatusKnownAffected, LastAffected: "2.0"}},
		{"exclusive start", span{from: "1.0", fromExcl: true}, Range{Status: StatusKnownAffected, Vers: "vers:generic/>1.0"}},
		{"exclusive start semver", span{from: "1.0", fromExcl: true, to: "2.0", scheme: "semver"}, Range{Status: StatusKnownAffected, Vers: "vers:semver/>1.0|<2.0", Scheme: "semver"}},
		{"wildcard end", span{from: "6.6.1", to: "6.6.*", toIncl: true}, Range{Status: StatusKnownAffected, Introduced: "6.6.1", Fixed: "6.7", Text: ">= 6.6.1, <= 6.6.*"}},
		{"major wildcard", span{from: "1.0", to: "1.*"}, Range{Status: StatusKnownAffected, Introduced: "1.0", Fixed: "2", Text: ">= 1.0, < 1.*"}},
		{"wildcard on a word", span{from: "1.0", to: "1.beta.*"}, Range{Status: StatusKnownAffected, Introduced: "1.0", Qualified: true, Text: ">= 1.0, < 1.beta.*"}},
		{"word end", span{from: "10.0.0", to: "publication"}, Range{Status: StatusKnownAffected, Introduced: "10.0.0", Qualified: true, Text: ">= 10.0.0, < publication"}},
		{"word start", span{from: "earlier", to: "3.1"}, Range{Status: StatusKnownAffected, Fixed: "3.1"}},
		{"prose start", span{from: "9.1 All", to: "9.1.4"}, Range{Status: StatusKnownAffected, Fixed: "9.1.4", Qualified: true, Text: ">= 9.1 All, < 9.1.4"}},
		{"build metadata", span{to: "4.2.2+incompatible", scheme: "semver"}, Range{Status: StatusKnownAffected, Fixed: "4.2.2+incompatible", Scheme: "semver"}},
		{"git", span{from: "abc123", to: "def456", scheme: "git"}, Range{Status: StatusKnownAffected, Scheme: "git", Text: "git: >= abc123, < def456"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.s.toRange(StatusKnownAffected)); diff != "" {
				t.Errorf("toRange() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"  many\n  spaces\tinside ", 50, "many spaces inside"},
		{"abcdefghij", 5, "abcd…"},
		{"äöüßéèêëïî", 4, "äöü…"},
	}
	for _, tt := range tests {
		if got := clip(tt.in, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// TestLoad_SharedData loads every advisory folder of the shared data that
// ward reads, and reports what it found.
func TestLoad_SharedData(t *testing.T) {
	dirs := []string{"cve-vulnrichment", "nvd", "osv", "kev", "epss", "csaf"}
	var paths []string
	for _, d := range dirs {
		paths = append(paths, testenv.SharedData(t, d))
	}
	set, err := Load(t.Context(), paths, Options{})
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	formats := map[string]int{}
	for _, a := range set.Advisories {
		formats[a.Format]++
	}
	t.Logf("advisories by format %v, KEV %d, EPSS %d, skipped %d, errors %d", formats, len(set.KEV), len(set.EPSS.Scores), set.Skipped, len(set.Errors))
	// The only files ward cannot read are the GHSA API inputs of the OSV
	// schema's tools and the invalid documents of the CSAF test corpus.
	for _, e := range set.Errors {
		if !strings.Contains(e.Source, "/osv/schema/tools/ghsa/testdata/") && !strings.Contains(e.Source, "/csaf-spec/") {
			t.Errorf("Load() source error: %s", e.Error())
		}
	}
	want := map[string]int{"cve5": 1791, "nvd": 397, "osv": 1426}
	for f, n := range want {
		if formats[f] != n {
			t.Errorf("Load() gave %d %s advisories, want %d", formats[f], f, n)
		}
	}
	if formats["csaf"] == 0 || len(set.KEV) != 1404 || set.EPSS.Date.Format("2006-01-02") != "2026-08-22" {
		t.Errorf("Load() csaf %d, KEV %d, EPSS of %v; want csaf > 0, 1404 and 2026-08-22", formats["csaf"], len(set.KEV), set.EPSS.Date)
	}
	if !slices.IsSortedFunc(set.Advisories, func(a, b *Advisory) int { return strings.Compare(a.Source, b.Source) }) {
		t.Errorf("Load() advisories are not sorted by source")
	}
}

// TestLoad_Keys checks that with keys configured, CSAF files must carry a
// valid signature while unsigned formats (KEV) still load.
func TestLoad_Keys(t *testing.T) {
	signer, pub := mustKey(t, "csaf provider")
	other, _ := mustKey(t, "someone else")
	dir := t.TempDir()
	good, data := mustCopyTestdata(t, dir, "icsma-18-025-01.json")
	mustSign(t, signer, good, data)
	forged, fdata := mustCopyTestdata(t, dir, "icsma-17-009-01a.json")
	mustSign(t, other, forged, fdata)
	mustCopyTestdata(t, dir, "icsma-18-137-02.json") // no .asc
	kev, err := os.ReadFile(filepath.Join("testdata", "kev", "kev-subset.derived.json"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "kev.json"), kev)

	set, err := Load(t.Context(), []string{dir}, Options{Keys: []string{pub}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range set.Advisories {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"ICSMA-18-025-01"}, ids); diff != "" {
		t.Errorf("advisories (-want +got):\n%s", diff)
	}
	if len(set.KEV) == 0 {
		t.Errorf("the unsigned KEV file was not loaded")
	}
	var bad []string
	for _, e := range set.Errors {
		bad = append(bad, filepath.Base(e.Source))
		if !strings.Contains(e.Message, "signature") {
			t.Errorf("%s: %s; want a signature error", e.Source, e.Message)
		}
	}
	if diff := cmp.Diff([]string{"icsma-17-009-01a.json", "icsma-18-137-02.json"}, bad); diff != "" {
		t.Errorf("rejected files (-want +got):\n%s", diff)
	}
}

// TestInflate_Bomb checks that a small gzip file that unpacks to far more
// than the bound is refused without unpacking it all.
func TestInflate_Bomb(t *testing.T) {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for range 64 { // 64 MiB of zeros: about 64 KiB compressed
		zw.Write(zero)
	}
	zw.Close()
	if _, err := inflate(bomb.Bytes(), 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("inflate(64 MiB bomb, 1 MiB limit) = %v, want ErrTooLarge", err)
	}
	if got, err := inflate(bomb.Bytes(), 64<<20); err != nil || len(got) != 64<<20 {
		t.Errorf("inflate(64 MiB, 64 MiB limit) = %d bytes, %v", len(got), err)
	}
}
