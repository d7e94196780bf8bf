package feed

import (
	"net/url"
	"testing"
)

// checkListed fails when a parser returns a URL Sync could not fetch
// safely, or one whose mirror path is unsafe but reported as safe.
func checkListed(t *testing.T, files []listed) {
	t.Helper()
	for _, f := range files {
		for _, u := range []*url.URL{f.url, f.hash, f.sig} {
			if u == nil {
				continue
			}
			if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				t.Fatalf("listed URL %q: want http(s) with a host", u)
			}
		}
		if f.url == nil {
			t.Fatal("listed file without URL")
		}
		if rel, ok := mirrorPath(f.url, f.url); ok && !safeRel(rel) {
			t.Fatalf("mirrorPath(%q) = %q, reported safe", f.url, rel)
		}
	}
}

func FuzzParseProviderMetadata(f *testing.F) {
	f.Add(mustRead(f, "testdata", "listings", "example-01-provider-metadata.json"))
	f.Add([]byte(`{"metadata_version":"2.0","distributions":[{"directory_url":"white"},{"rolie":{"feeds":[{"tlp_label":"WHITE","url":"f.json"}]}}]}`))
	f.Add([]byte(`{"metadata_version":"2.0","distributions":[`))
	base, _ := url.Parse("https://example.org/.well-known/csaf/provider-metadata.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		refs, err := parseProviderMetadata(data, base)
		if err != nil {
			return
		}
		if len(refs) == 0 {
			t.Fatal("no listings and no error")
		}
		for _, r := range refs {
			if (r.url.Scheme != "https" && r.url.Scheme != "http") || r.url.Host == "" {
				t.Fatalf("listing URL %q", r.url)
			}
		}
	})
}

func FuzzParseROLIE(f *testing.F) {
	f.Add(mustRead(f, "testdata", "listings", "cisa-csaf-it-feed-tlp-white.json"))
	f.Add(mustRead(f, "testdata", "listings", "example-01-feed-tlp-white.json"))
	f.Add([]byte(`{"feed":{"entry":[{"id":"x","updated":"2024-01-02T03:04:05Z","content":{"src":"../../a.json"}}]}}`))
	base, _ := url.Parse("https://example.org/csaf/white/feed.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		files, _, err := parseROLIE(data, base)
		if err != nil {
			return
		}
		checkListed(t, files)
	})
}

func FuzzParseChanges(f *testing.F) {
	f.Add(mustRead(f, "testdata", "listings", "changes.csv"))
	f.Add(mustRead(f, "testdata", "listings", "index.txt"))
	f.Add([]byte(`"2020/example_company_-_2020-yh4711.json","2020-07-01T10:09:07Z"` + "\n"))
	f.Add([]byte("a,b,c\n\"x\n"))
	base, _ := url.Parse("https://example.org/csaf/white/")
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 1000
		files, _, err := parseChanges(data, base, limit)
		if err == nil {
			if len(files) > limit {
				t.Fatalf("%d files over the bound %d", len(files), limit)
			}
			checkListed(t, files)
		}
		files, _, err = parseIndex(data, base, limit)
		if err == nil {
			checkListed(t, files)
		}
	})
}
