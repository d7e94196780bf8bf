package demo

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/testenv"
)

// MustOpen decodes the embedded bundle or fails the test.
func MustOpen(tb testing.TB) *File {
	tb.Helper()
	f, err := Open()
	if err != nil {
		tb.Fatalf("Open() = %v", err)
	}
	return f
}

func TestBundle(t *testing.T) {
	t.Parallel()
	set, err := Bundle()
	if err != nil {
		t.Fatalf("Bundle() = %v", err)
	}
	icsma, cve := 0, 0
	ids := map[string]bool{}
	names := match.NewNames()
	used := demoVendors(names)
	for _, a := range set.Advisories {
		if ids[a.Format+a.ID] {
			t.Errorf("advisory %s %s appears twice", a.Format, a.ID)
		}
		ids[a.Format+a.ID] = true
		switch {
		case a.Format == "csaf" && strings.HasPrefix(a.ID, "ICSMA-"):
			icsma++
		case a.Format == "cve5":
			cve++
			if !keep(a, names, used) {
				t.Errorf("CVE record %s names no vendor of the demo organisations", a.ID)
			}
		default:
			t.Errorf("advisory %s: format %q is not one the bundle keeps", a.ID, a.Format)
		}
		if a.Source == "" || strings.HasPrefix(a.Source, "/") || strings.Contains(a.Source, "..") || strings.Contains(a.Source, `\`) {
			t.Errorf("advisory %s: source %q is not a path under the shared data folder", a.ID, a.Source)
		}
	}
	if icsma != 124 {
		t.Errorf("Bundle() has %d ICSMA advisories, want all 124", icsma)
	}
	if cve < 200 {
		t.Errorf("Bundle() has %d CVE records, want the few hundred of the demo's vendors", cve)
	}
	if len(set.KEV) != 1404 {
		t.Errorf("Bundle() KEV has %d entries, want the whole catalogue (1404)", len(set.KEV))
	}
	if e, ok := set.KEV["CVE-2024-1709"]; !ok || e.Vendor != "ConnectWise" {
		t.Errorf("Bundle() KEV[CVE-2024-1709] = %+v, %v; want ConnectWise ScreenConnect", e, ok)
	}
	if set.EPSS == nil || len(set.EPSS.Scores) != 1556 || set.EPSS.Date.IsZero() {
		t.Fatalf("Bundle() EPSS = %v, want 1556 scores of one day", set.EPSS)
	}
	if s := set.EPSS.Scores["CVE-2024-1709"]; s.Score <= 0 || s.Score > 1 || s.Percentile <= 0 || s.Percentile > 1 {
		t.Errorf("Bundle() EPSS[CVE-2024-1709] = %+v, want a probability and a percentile", s)
	}
	if len(set.Errors) != 0 || set.Skipped != 0 {
		t.Errorf("Bundle() errors %v, skipped %d; want none", set.Errors, set.Skipped)
	}
}

func TestOpen_Provenance(t *testing.T) {
	t.Parallel()
	f := MustOpen(t)
	if f.Format != Format || f.Generated.IsZero() {
		t.Errorf("Open() format %q, generated %v", f.Format, f.Generated)
	}
	want := map[string]int{"csaf/cisa-icsma": 124, "cve-vulnrichment": 0, "kev": 1404, "epss": 1556}
	if len(f.Sources) != len(want) {
		t.Fatalf("Open() has %d sources, want %d: %+v", len(f.Sources), len(want), f.Sources)
	}
	readme := Readme()
	for _, s := range f.Sources {
		n, ok := want[s.Folder]
		switch {
		case !ok:
			t.Errorf("source %q is not an input", s.Folder)
		case n != 0 && s.Count != n:
			t.Errorf("source %s: count %d, want %d", s.Folder, s.Count, n)
		case s.Repository == "" || len(s.Commit) < 7 || s.Date == "" || s.Licence == "":
			t.Errorf("source %s lacks its repository, commit, date or licence: %+v", s.Folder, s)
		case !strings.Contains(readme, s.Repository+" @ "+s.Commit):
			t.Errorf("data/README.md does not name %s @ %s", s.Repository, s.Commit)
		}
	}
	var cve int
	for _, a := range f.Advisories {
		if a.Format == "cve5" {
			cve++
		}
	}
	if f.Sources[1].Count != cve {
		t.Errorf("source cve-vulnrichment counts %d, the bundle holds %d CVE records", f.Sources[1].Count, cve)
	}
}

// TestBundle_MatchesSources rebuilds the bundle from the shared data folder
// and compares: it fails when the embedded bundle is stale (regenerate with
// go generate ./internal/demo) and proves that what the bundle stores loads
// back as the values the readers made.
func TestBundle_MatchesSources(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1,900 advisory files")
	}
	root := testenv.SharedData(t)
	fresh, err := Build(t.Context(), root, advisory.Options{})
	if err != nil {
		t.Fatalf("Build(%s) = %v", root, err)
	}
	got := MustOpen(t)
	if diff := cmp.Diff(fresh.Advisories, got.Advisories); diff != "" {
		t.Errorf("embedded advisories differ from the sources (-sources +bundle):\n%s", diff)
	}
	if diff := cmp.Diff(fresh.KEV, got.KEV); diff != "" {
		t.Errorf("embedded KEV differs from the sources (-sources +bundle):\n%s", diff)
	}
	if diff := cmp.Diff(fresh.EPSS, got.EPSS); diff != "" {
		t.Errorf("embedded EPSS differs from the sources (-sources +bundle):\n%s", diff)
	}
	for i, s := range fresh.Sources {
		if g := got.Sources[i]; g.Folder != s.Folder || g.Count != s.Count {
			t.Errorf("source %d: bundle has %s (%d), sources give %s (%d)", i, g.Folder, g.Count, s.Folder, s.Count)
		}
	}
}

// TestEncode_RoundTrip checks that encoding is lossless and stable: the
// embedded bundle, decoded and encoded again, is the same JSON.
func TestEncode_RoundTrip(t *testing.T) {
	t.Parallel()
	raw, err := data.ReadFile(bundleFile)
	if err != nil {
		t.Fatal(err)
	}
	want := gunzip(t, raw)
	f := MustOpen(t)
	var buf bytes.Buffer
	if err := f.Encode(&buf); err != nil {
		t.Fatalf("Encode() = %v", err)
	}
	if got := gunzip(t, buf.Bytes()); !bytes.Equal(got, want) {
		t.Errorf("Encode(Open()) is %d bytes of JSON, the embedded bundle %d: not the same", len(got), len(want))
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatalf("Decode(Encode()) = %v", err)
	}
	if diff := cmp.Diff(f, back); diff != "" {
		t.Errorf("Decode(Encode(f)) != f (-f +decoded):\n%s", diff)
	}
}

func gunzip(tb testing.TB, b []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func gzipped(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func TestDecode_Errors(t *testing.T) {
	t.Parallel()
	ok := `{"format":"ward-demo-bundle/1","generated":"2024-10-24T00:00:00Z","sources":[],"advisories":[],"kev":{}}`
	tests := []struct {
		name  string
		in    []byte
		limit int64
		want  string
	}{
		{"not gzip", []byte(ok), maxBundle, "gzip"},
		{"not JSON", gzipped("hello"), maxBundle, "invalid character"},
		{"unknown field", gzipped(strings.Replace(ok, `"kev"`, `"kevs"`, 1)), maxBundle, `unknown field "kevs"`},
		{"unknown field in an advisory", gzipped(strings.Replace(ok, `"advisories":[]`, `"advisories":[{"id":"X","format":"csaf","source":"x","vulnerabilities":[],"severity":1}]`, 1)), maxBundle, `unknown field "severity"`},
		{"trailing data", gzipped(ok + `{}`), maxBundle, "data after the bundle"},
		{"other format", gzipped(strings.Replace(ok, "bundle/1", "bundle/2", 1)), maxBundle, `format "ward-demo-bundle/2"`},
		{"no format", gzipped(`{"sources":[]}`), maxBundle, `format ""`},
		{"null advisory", gzipped(strings.Replace(ok, `"advisories":[]`, `"advisories":[null]`, 1)), maxBundle, "advisory 0 is null"},
		{"too large", gzipped(ok), 50, "more than 50 bytes"},
		{"truncated", gzipped(ok[:40]), maxBundle, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(bytes.NewReader(tt.in), tt.limit)
			if !errors.Is(err, ErrBundle) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("decode() = %v, want ErrBundle saying %q", err, tt.want)
			}
		})
	}
	if f, err := decode(bytes.NewReader(gzipped(ok+"\n")), maxBundle); err != nil || f.Format != Format {
		t.Errorf("decode(minimal bundle) = %v, %v; want it read", f, err)
	}
}

// FuzzDecode feeds Decode small bundles (the embedded one is too big to
// mutate usefully; TestEncode_RoundTrip covers it).
func FuzzDecode(f *testing.F) {
	f.Add(gzipped(`{"format":"ward-demo-bundle/1","generated":"2024-10-24T00:00:00Z","sources":[],"advisories":[],"kev":{}}`))
	f.Add(gzipped(`{"format":"ward-demo-bundle/1","advisories":[{"id":"ICSMA-1","format":"csaf","source":"a","vulnerabilities":[{"affects":[{"product":{"vendor":"v","name":"n"},"ranges":[{"status":"known_affected","all":true}]}]}]}],"epss":{"date":"2024-01-01T00:00:00Z","scores":{"CVE-1":{"epss":0.5,"percentile":0.9}}}}`))
	f.Add([]byte("not gzip"))
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := decode(bytes.NewReader(in), 1<<20)
		if err != nil {
			if !errors.Is(err, ErrBundle) {
				t.Fatalf("decode() = %v, not an ErrBundle", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := got.Encode(&buf); err != nil {
			t.Fatalf("Encode() of a decoded bundle = %v", err)
		}
		back, err := decode(&buf, 1<<21)
		if err != nil {
			t.Fatalf("decode(Encode(decode(in))) = %v", err)
		}
		if diff := cmp.Diff(got, back); diff != "" {
			t.Fatalf("a decoded bundle does not survive Encode and decode (-first +second):\n%s", diff)
		}
	})
}

func BenchmarkBundle(b *testing.B) {
	for b.Loop() {
		if _, err := Bundle(); err != nil {
			b.Fatal(err)
		}
	}
}
