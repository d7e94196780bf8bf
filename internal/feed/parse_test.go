package feed

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func mustRead(tb testing.TB, elem ...string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(elem...))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// flat is a listed file as strings, for cmp.Diff.
type flat struct {
	URL, Hash, Sig string
	Updated        time.Time
}

func flatten(files []listed) []flat {
	var out []flat
	for _, f := range files {
		x := flat{URL: f.url.String(), Updated: f.updated}
		if f.hash != nil {
			x.Hash = f.hash.String()
		}
		if f.sig != nil {
			x.Sig = f.sig.String()
		}
		out = append(out, x)
	}
	return out
}

func TestParseROLIE(t *testing.T) {
	t.Parallel()
	const cisa = "https://raw.githubusercontent.com/cisagov/CSAF/develop/csaf_files/IT/white/"
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	doc := func(name, updated string) flat {
		u := cisa + "2024/" + name
		return flat{URL: u, Hash: u + ".sha512", Sig: u + ".asc", Updated: at(updated)}
	}
	tests := []struct {
		name         string
		data         []byte
		base         string
		want         []flat
		wantProblems []string
		wantErr      bool
	}{
		{
			name: "CISA's real feed (ref instead of rel)",
			data: mustRead(t, "testdata", "listings", "cisa-csaf-it-feed-tlp-white.json"),
			base: cisa + "cisa-csaf-it-feed-tlp-white.json",
			want: []flat{
				doc("va-24-254-02.json", "2024-10-03T16:03:00Z"),
				doc("va-24-262-01.json", "2024-09-18T16:56:00Z"),
				doc("va-24-201-01.json", "2024-09-18T16:00:00Z"),
				doc("va-24-254-01.json", "2024-09-10T20:08:00Z"),
			},
		},
		{
			name: "OASIS example feed",
			data: mustRead(t, "testdata", "listings", "example-01-feed-tlp-white.json"),
			base: "https://psirt.domain.tld/advisories/csaf/feed-tlp-white.json",
			want: []flat{{
				URL:     "https://psirt.domain.tld/advisories/csaf/2020/2020-ESA-001.json",
				Hash:    "https://psirt.domain.tld/advisories/csaf/2020/2020-ESA-001.json.sha512",
				Sig:     "https://psirt.domain.tld/advisories/csaf/2020/2020-ESA-001.json.asc",
				Updated: at("2021-01-01T12:00:00Z"),
			}},
		},
		{
			name: "relative links, content src only, sha256 and sha512 links",
			data: []byte(`{"feed":{"entry":[
				{"id":"A","updated":"2024-01-02T03:04:05Z","content":{"src":"2024/a.json"},
				 "link":[{"rel":"hash","href":"2024/a.json.sha256"},{"rel":"hash","href":"2024/a.json.sha512"}]},
				{"id":"B","updated":"2024-01-02T03:04:05Z","link":[{"rel":"self","href":"/x/b.json"}]}]}}`),
			base: "https://example.org/csaf/feed.json",
			want: []flat{
				{URL: "https://example.org/csaf/2024/a.json", Hash: "https://example.org/csaf/2024/a.json.sha512", Updated: at("2024-01-02T03:04:05Z")},
				{URL: "https://example.org/x/b.json", Updated: at("2024-01-02T03:04:05Z")},
			},
		},
		{
			name: "bad entries are left out and described",
			data: []byte(`{"feed":{"entry":[
				{"id":"no-url","updated":"2024-01-02T03:04:05Z"},
				{"id":"bad-time","updated":"yesterday","content":{"src":"a.json"}},
				{"id":"ftp","updated":"2024-01-02T03:04:05Z","content":{"src":"ftp://example.org/a.json"}},
				{"id":"ok","updated":"2024-01-02T03:04:05Z","content":{"src":"ok.json"}}]}}`),
			base: "https://example.org/feed.json",
			want: []flat{{URL: "https://example.org/a.json"}, {URL: "https://example.org/ok.json", Updated: at("2024-01-02T03:04:05Z")}},
			wantProblems: []string{
				`entry 0 ("no-url"): no self link or content src; left out`,
				`entry 1 ("bad-time"): updated "yesterday" is not RFC 3339; fetched conditionally`,
				`entry 2 ("ftp"): "ftp://example.org/a.json": scheme "ftp": insecure url; left out`,
			},
		},
		{name: "not a feed", data: []byte(`{"service":{}}`), base: "https://example.org/f.json", wantErr: true},
		{name: "trailing data", data: []byte(`{"feed":{}} {}`), base: "https://example.org/f.json", wantErr: true},
		{name: "not JSON", data: []byte(`<html>`), base: "https://example.org/f.json", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files, problems, err := parseROLIE(tt.data, mustURL(t, tt.base))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseROLIE() error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, flatten(files)); diff != "" {
				t.Errorf("parseROLIE() files (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantProblems, problems); diff != "" {
				t.Errorf("parseROLIE() problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseProviderMetadata(t *testing.T) {
	t.Parallel()
	type ref struct {
		Kind listingKind
		URL  string
		TLP  string
	}
	base := "https://www.example.com/.well-known/csaf/provider-metadata.json"
	tests := []struct {
		name    string
		data    string
		want    []ref
		wantErr string
	}{
		{
			name: "OASIS example",
			data: string(mustRead(t, "testdata", "listings", "example-01-provider-metadata.json")),
			want: []ref{{Kind: listingROLIE, URL: "https://www.example.com/.well-known/csaf/feed-tlp-white.json", TLP: "WHITE"}},
		},
		{
			name: "directory and two feeds, relative URLs",
			data: `{"metadata_version":"2.0","distributions":[{"directory_url":"white"},
				{"rolie":{"feeds":[{"tlp_label":"WHITE","url":"white/feed.json"},{"tlp_label":"amber","url":"https://other.example/amber.json"}]}}]}`,
			want: []ref{
				{Kind: listingDirectory, URL: "https://www.example.com/.well-known/csaf/white/"},
				{Kind: listingROLIE, URL: "https://www.example.com/.well-known/csaf/white/feed.json", TLP: "WHITE"},
				{Kind: listingROLIE, URL: "https://other.example/amber.json", TLP: "AMBER"},
			},
		},
		{name: "broken JSON", data: `{"metadata_version":"2.0","distributions":[`, wantErr: "json: unexpected EOF"},
		{name: "wrong version", data: `{"metadata_version":"1.0","distributions":[{"directory_url":"x/"}]}`, wantErr: `metadata_version "1.0"`},
		{name: "no distributions", data: `{"metadata_version":"2.0"}`, wantErr: "no distribution"},
		{name: "bad feed url", data: `{"metadata_version":"2.0","distributions":[{"rolie":{"feeds":[{"url":"file:///etc/passwd"}]}}]}`, wantErr: "distributions[0].rolie.feeds[0].url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			refs, err := parseProviderMetadata([]byte(tt.data), mustURL(t, base))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseProviderMetadata() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseProviderMetadata() error = %v", err)
			}
			var got []ref
			for _, r := range refs {
				got = append(got, ref{Kind: r.kind, URL: r.url.String(), TLP: r.tlp})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseProviderMetadata() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseChanges(t *testing.T) {
	t.Parallel()
	const base = "https://raw.githubusercontent.com/cisagov/CSAF/develop/"
	at := func(s string) time.Time {
		tm, _ := time.Parse(time.RFC3339, s)
		return tm
	}
	tests := []struct {
		name         string
		data         string
		limit        int
		want         []flat
		wantProblems []string
		wantErr      error
	}{
		{
			name:  "CISA's real changes.csv",
			data:  string(mustRead(t, "testdata", "listings", "changes.csv")),
			limit: 10,
			want: []flat{
				{URL: base + "csaf_files/IT/white/2024/va-24-254-02.json", Updated: at("2024-10-03T16:03:00Z")},
				{URL: base + "csaf_files/IT/white/2024/va-24-262-01.json", Updated: at("2024-09-18T16:56:00Z")},
				{URL: base + "csaf_files/IT/white/2024/va-24-201-01.json", Updated: at("2024-09-18T16:00:00Z")},
				{URL: base + "csaf_files/IT/white/2024/va-24-254-01.json", Updated: at("2024-09-10T20:08:00Z")},
			},
		},
		{
			name:  "the spec's quoted form",
			data:  `"2020/example_company_-_2020-yh4711.json","2020-07-01T10:09:07Z"` + "\r\n",
			limit: 10,
			want:  []flat{{URL: base + "2020/example_company_-_2020-yh4711.json", Updated: at("2020-07-01T10:09:07Z")}},
		},
		{
			name:  "bad lines are left out and described",
			data:  "a.json,2020-07-01T10:09:07Z\nb.json\nc.json,last tuesday\nd.json,2020-07-01T10:09:07Z,extra\n",
			limit: 10,
			want:  []flat{{URL: base + "a.json", Updated: at("2020-07-01T10:09:07Z")}},
			wantProblems: []string{
				"line 2: 1 fields, want 2 (path,timestamp); left out",
				`line 3: timestamp "last tuesday" is not RFC 3339; left out`,
				"line 4: 3 fields, want 2 (path,timestamp); left out",
			},
		},
		{name: "quoting error", data: "\"a.json,2020-07-01T10:09:07Z\nb\"x,1\n", limit: 10, wantErr: errors.New("csv")},
		{name: "over the bound", data: "a.json,2020-07-01T10:09:07Z\nb.json,2020-07-01T10:09:07Z\n", limit: 1, wantErr: ErrTooManyFiles},
		{name: "empty", data: "", limit: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files, problems, err := parseChanges([]byte(tt.data), mustURL(t, base), tt.limit)
			if tt.wantErr != nil {
				if err == nil || (!errors.Is(err, tt.wantErr) && !strings.HasPrefix(err.Error(), tt.wantErr.Error())) {
					t.Fatalf("parseChanges() error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseChanges() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, flatten(files)); diff != "" {
				t.Errorf("parseChanges() files (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantProblems, problems); diff != "" {
				t.Errorf("parseChanges() problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseIndex(t *testing.T) {
	t.Parallel()
	base := mustURL(t, "https://raw.githubusercontent.com/cisagov/CSAF/develop/")
	files, problems, err := parseIndex(mustRead(t, "testdata", "listings", "index.txt"), base, 10)
	if err != nil || len(problems) > 0 {
		t.Fatalf("parseIndex() = %v, %v", problems, err)
	}
	want := []flat{
		{URL: base.String() + "csaf_files/IT/white/2024/va-24-262-01.json"},
		{URL: base.String() + "csaf_files/IT/white/2024/va-24-254-02.json"},
		{URL: base.String() + "csaf_files/IT/white/2024/va-24-254-01.json"},
		{URL: base.String() + "csaf_files/IT/white/2024/va-24-201-01.json"},
	}
	if diff := cmp.Diff(want, flatten(files)); diff != "" {
		t.Errorf("parseIndex() (-want +got):\n%s", diff)
	}
	if _, _, err := parseIndex([]byte("a\nb\n"), base, 1); !errors.Is(err, ErrTooManyFiles) {
		t.Errorf("parseIndex() over the bound error = %v, want %v", err, ErrTooManyFiles)
	}
}

func TestMirrorPath(t *testing.T) {
	t.Parallel()
	meta := "https://example.org/.well-known/csaf/provider-metadata.json"
	feed := "https://cdn.example.net/csaf/white/feed.json"
	tests := []struct {
		name   string
		url    string
		want   string
		wantOK bool
	}{
		{name: "below the metadata", url: "https://example.org/.well-known/csaf/white/2022/a.json", want: "white/2022/a.json", wantOK: true},
		{name: "below the feed", url: "https://cdn.example.net/csaf/white/2024/b.json", want: "2024/b.json", wantOK: true},
		{name: "elsewhere: host and path", url: "https://other.example:8443/x/c.json", want: "other.example_8443/x/c.json", wantOK: true},
		{name: "other scheme is elsewhere", url: "http://example.org/.well-known/csaf/white/a.json", want: "example.org/.well-known/csaf/white/a.json"},
		{name: "dot-dot climbs out", url: "https://example.org/.well-known/csaf/../../etc/a.json", want: "example.org/.well-known/csaf/../../etc/a.json"},
		{name: "hidden element", url: "https://example.org/.well-known/csaf/white/.ward-feed-state.json", want: "example.org/.well-known/csaf/white/.ward-feed-state.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u := &url.URL{}
			*u = *mustURL(t, tt.url)
			got, ok := mirrorPath(u, mustURL(t, meta), mustURL(t, feed))
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("mirrorPath(%s) = %q, %v, want %q, %v", tt.url, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestSafeRel(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]bool{
		"white/2022/a.json": true,
		"kev.json":          true,
		"":                  false,
		"/abs.json":         false,
		"../a.json":         false,
		"a/../b.json":       false,
		"a//b.json":         false,
		".ward-tmp/x":       false,
		"a/.hidden/b.json":  false,
		"a.json.sha512":     false,
		"a.json.ASC":        false,
		`a\b.json`:          false,
		"a/./b.json":        false,
	} {
		if got := safeRel(p); got != want {
			t.Errorf("safeRel(%q) = %v, want %v", p, got, want)
		}
	}
}
