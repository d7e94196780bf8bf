package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/feed/feedtest"
)

// csafTestdata holds the real ICSMA documents the fake provider serves.
const csafTestdata = "testdata/csaf"

func fixedNow() time.Time { return time.Date(2024, 10, 25, 6, 0, 0, 0, time.UTC) }

func providerOpts(p *feedtest.Provider) Options {
	return Options{HTTPClient: p.Client(), Now: fixedNow}
}

func providerSource(p *feedtest.Provider) Source {
	return Source{ID: "icsma", Kind: KindCSAFProvider, URL: p.MetadataURL(), Keys: []string{p.Key()}}
}

func mustSync(tb testing.TB, src Source, dir string, opts Options) *Result {
	tb.Helper()
	res, err := Sync(tb.Context(), src, dir, opts)
	if err != nil {
		tb.Fatalf("Sync() error = %v", err)
	}
	return res
}

// mirrorPaths returns the provider's documents as mirror paths.
func mirrorPaths(p *feedtest.Provider, prefix string) []string {
	var out []string
	for _, d := range p.Docs() {
		out = append(out, prefix+d)
	}
	return out
}

// mustTree returns every file under dir (the temporary folder aside) with
// the SHA-256 of its content.
func mustTree(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == tmpDir {
				return fs.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(b)
		tree[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return tree
}

// resultOpts compares Results without times and with errors by identity of
// their sentinel, checked separately.
var resultOpts = []cmp.Option{
	cmpopts.IgnoreFields(Result{}, "Started", "Finished", "Errors"),
	cmpopts.EquateEmpty(),
}

// mustLoad reads the mirror with advisory.Load, checking digests and
// signatures again, and fails on any error.
func mustLoad(tb testing.TB, dir string, keys []string) *advisory.Set {
	tb.Helper()
	set, err := advisory.Load(tb.Context(), []string{dir}, advisory.Options{Keys: keys})
	if err != nil {
		tb.Fatalf("advisory.Load() error = %v", err)
	}
	for _, e := range set.Errors {
		tb.Errorf("advisory.Load() file error: %v", e)
	}
	return set
}

func TestSync_CSAFProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		dist   feedtest.Distribution
		kind   string
		url    func(p *feedtest.Provider) string
		prefix string // of the mirror paths
	}{
		{name: "metadata URL, ROLIE and directory", dist: feedtest.ROLIE | feedtest.Directory, kind: KindCSAFProvider,
			url: (*feedtest.Provider).MetadataURL, prefix: "white/"},
		{name: "well-known folder, ROLIE only", dist: feedtest.ROLIE, kind: KindCSAFProvider,
			url: func(p *feedtest.Provider) string { return p.URL() + "/.well-known/csaf/" }, prefix: "white/"},
		{name: "bare host, directory only", dist: feedtest.Directory, kind: KindCSAFProvider,
			url: (*feedtest.Provider).URL, prefix: "white/"},
		{name: "csaf-directory source", dist: feedtest.Directory, kind: KindCSAFDirectory,
			url: (*feedtest.Provider).DirectoryURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := feedtest.NewProvider(t, csafTestdata)
			p.SetDistributions(tt.dist)
			src := Source{ID: "icsma", Kind: tt.kind, URL: tt.url(p), Keys: []string{p.Key()}}
			dir := t.TempDir()

			got := mustSync(t, src, dir, providerOpts(p))
			want := &Result{Source: "icsma", Seq: 1, Count: Counts{Added: 8}, Changed: mirrorPaths(p, tt.prefix)}
			if diff := cmp.Diff(want, got, resultOpts...); diff != "" {
				t.Errorf("first Sync() (-want +got):\n%s", diff)
			}
			if len(got.Errors) > 0 {
				t.Errorf("first Sync() errors = %v", got.Errors)
			}
			if n := p.DocumentHits(); n != 8 {
				t.Errorf("first Sync() fetched %d documents, want 8", n)
			}
			if set := mustLoad(t, dir, []string{p.Key()}); len(set.Advisories) != 8 {
				t.Errorf("advisory.Load(mirror) = %d advisories, want 8", len(set.Advisories))
			}

			p.ResetHits()
			got = mustSync(t, src, dir, providerOpts(p))
			want = &Result{Source: "icsma", Seq: 2, Count: Counts{Unchanged: 8}}
			if diff := cmp.Diff(want, got, resultOpts...); diff != "" {
				t.Errorf("second Sync() (-want +got):\n%s", diff)
			}
			if n := p.DocumentHits(); n != 0 {
				t.Errorf("second Sync() fetched %d documents, want 0", n)
			}
		})
	}
}

func TestSync_Updates(t *testing.T) {
	t.Parallel()
	const name = "icsma-20-196-01.json"
	const path = "white/2020/icsma-20-196-01.json"
	tests := []struct {
		name   string
		mutate func(p *feedtest.Provider)
		// want is the sync after the mutation, wantAgain the one after it:
		// a reported change is not reported again, and a rejected file is
		// rejected again (its listing still says it is newer).
		want, wantAgain *Result
		wantErr         error // of the one file error in both, if any
		wantContent     func(p *feedtest.Provider, before []byte) []byte
		wantHits        int // documents fetched by the two syncs
	}{
		{
			name:        "changed advisory is fetched and reported",
			mutate:      func(p *feedtest.Provider) { p.Change(name) },
			want:        &Result{Count: Counts{Changed: 1, Unchanged: 7}, Changed: []string{path}},
			wantAgain:   &Result{Count: Counts{Unchanged: 8}},
			wantContent: func(p *feedtest.Provider, _ []byte) []byte { return p.Doc(name) },
			wantHits:    1,
		},
		{
			name:        "tampered advisory is rejected, the old copy stays",
			mutate:      func(p *feedtest.Provider) { p.Tamper(name) },
			want:        &Result{Count: Counts{Unchanged: 8, Failed: 1}},
			wantAgain:   &Result{Count: Counts{Unchanged: 8, Failed: 1}},
			wantErr:     advisory.ErrHashMismatch,
			wantContent: func(_ *feedtest.Provider, before []byte) []byte { return before },
			wantHits:    2,
		},
		{
			name:        "advisory signed by another key is rejected, the old copy stays",
			mutate:      func(p *feedtest.Provider) { p.Forge(name) },
			want:        &Result{Count: Counts{Unchanged: 8, Failed: 1}},
			wantAgain:   &Result{Count: Counts{Unchanged: 8, Failed: 1}},
			wantErr:     advisory.ErrSignature,
			wantContent: func(_ *feedtest.Provider, before []byte) []byte { return before },
			wantHits:    2,
		},
		{
			name:        "withdrawn advisory is removed",
			mutate:      func(p *feedtest.Provider) { p.Remove(name) },
			want:        &Result{Count: Counts{Unchanged: 7, Removed: 1}, Removed: []string{path}},
			wantAgain:   &Result{Count: Counts{Unchanged: 7}},
			wantContent: func(*feedtest.Provider, []byte) []byte { return nil },
		},
		{
			name:        "nothing changed",
			mutate:      func(*feedtest.Provider) {},
			want:        &Result{Count: Counts{Unchanged: 8}},
			wantAgain:   &Result{Count: Counts{Unchanged: 8}},
			wantContent: func(_ *feedtest.Provider, before []byte) []byte { return before },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := feedtest.NewProvider(t, csafTestdata)
			src, dir := providerSource(p), t.TempDir()
			mustSync(t, src, dir, providerOpts(p))
			before, err := os.ReadFile(filepath.Join(dir, path))
			if err != nil {
				t.Fatal(err)
			}
			tt.mutate(p)
			p.ResetHits()

			for i, want := range []*Result{tt.want, tt.wantAgain} {
				seq := uint64(i + 2)
				got := mustSync(t, src, dir, providerOpts(p))
				want.Source, want.Seq = "icsma", seq
				if diff := cmp.Diff(want, got, resultOpts...); diff != "" {
					t.Errorf("sync %d: Sync() (-want +got):\n%s", seq, diff)
				}
				switch {
				case tt.wantErr == nil && len(got.Errors) > 0:
					t.Errorf("sync %d: Sync() errors = %v", seq, got.Errors)
				case tt.wantErr != nil && (len(got.Errors) != 1 || got.Errors[0].Path != path || !errors.Is(got.Errors[0], tt.wantErr)):
					t.Errorf("sync %d: Sync() errors = %v, want one for %s wrapping %v", seq, got.Errors, path, tt.wantErr)
				}
			}
			if n := p.DocumentHits(); n != tt.wantHits {
				t.Errorf("documents fetched by the two syncs = %d, want %d", n, tt.wantHits)
			}
			gotContent, err := os.ReadFile(filepath.Join(dir, path))
			if errors.Is(err, fs.ErrNotExist) {
				gotContent = nil
			}
			if diff := cmp.Diff(string(tt.wantContent(p, before)), string(gotContent)); diff != "" {
				t.Errorf("mirror content of %s (-want +got):\n%s", path, diff)
			}
			if _, err := os.Stat(filepath.Join(dir, path+".sha512")); (err == nil) != (gotContent != nil) {
				t.Errorf(".sha512 beside %s: stat error = %v, want the file exactly when the document is there", path, err)
			}
			// advisory.Load accepts the whole mirror: no rejected content
			// got in.
			mustLoad(t, dir, []string{p.Key()})
		})
	}
}

func TestSync_NoKeys(t *testing.T) {
	t.Parallel()
	p := feedtest.NewProvider(t, csafTestdata)
	src, dir := providerSource(p), t.TempDir()
	src.Keys = nil
	got := mustSync(t, src, dir, providerOpts(p))
	want := []Notice{{Message: "unsigned, no key configured: signatures of 8 files not checked"}}
	if diff := cmp.Diff(want, got.Notices); diff != "" {
		t.Errorf("Sync() notices (-want +got):\n%s", diff)
	}
	// The signatures are mirrored all the same, for a later check.
	mustLoad(t, dir, []string{p.Key()})
}

// statusRecorder is an http.RoundTripper that records response statuses.
type statusRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	got  []int
}

func (r *statusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		r.got = append(r.got, resp.StatusCode)
		r.mu.Unlock()
	}
	return resp, err
}

func (r *statusRecorder) take() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

func TestSync_URL(t *testing.T) {
	t.Parallel()
	p := feedtest.NewProvider(t, csafTestdata)
	kev := mustRead(t, "testdata", "kev", "kev-subset.derived.json")
	const urlPath = "/feeds/known_exploited_vulnerabilities.json"
	const name = "known_exploited_vulnerabilities.json"
	p.SetFile(urlPath, kev)
	rec := &statusRecorder{next: p.Client().Transport}
	opts := Options{HTTPClient: &http.Client{Transport: rec}, Now: fixedNow}
	src := Source{ID: "kev", Kind: KindURL, URL: p.URL() + urlPath}
	dir := t.TempDir()
	changedKEV := []byte(strings.Replace(string(kev), `"count": 5`, `"count": 5 `, 1))

	steps := []struct {
		name       string
		before     func()
		want       *Result
		wantStatus []int
		wantData   []byte
	}{
		{name: "first fetch", want: &Result{Count: Counts{Added: 1}, Changed: []string{name}}, wantStatus: []int{200}, wantData: kev},
		{name: "not modified: 304", want: &Result{Count: Counts{Unchanged: 1}}, wantStatus: []int{304}, wantData: kev},
		{name: "changed upstream", before: func() { p.SetFile(urlPath, changedKEV) }, want: &Result{Count: Counts{Changed: 1}, Changed: []string{name}}, wantStatus: []int{200}, wantData: changedKEV},
		{name: "not modified again", want: &Result{Count: Counts{Unchanged: 1}}, wantStatus: []int{304}, wantData: changedKEV},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before()
			}
			got := mustSync(t, src, dir, opts)
			st.want.Source, st.want.Seq = "kev", uint64(i+1)
			if diff := cmp.Diff(st.want, got, resultOpts...); diff != "" {
				t.Errorf("Sync() (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(st.wantStatus, rec.take()); diff != "" {
				t.Errorf("HTTP statuses (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(string(st.wantData), string(mustRead(t, dir, name))); diff != "" {
				t.Errorf("mirrored file (-want +got):\n%s", diff)
			}
		})
	}
	set := mustLoad(t, dir, nil)
	if len(set.KEV) != 5 {
		t.Errorf("advisory.Load(mirror) KEV entries = %d, want 5", len(set.KEV))
	}
}

func TestSync_AllowHTTP(t *testing.T) {
	t.Parallel()
	kev := mustRead(t, "testdata", "kev", "kev-subset.derived.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "kev.json", time.Time{}, strings.NewReader(string(kev)))
	}))
	t.Cleanup(srv.Close)
	src := Source{ID: "kev", Kind: KindURL, URL: srv.URL + "/kev.json"}
	tests := []struct {
		name      string
		allowHTTP bool
		wantErr   error
	}{
		{name: "refused by default", wantErr: ErrInsecureURL},
		{name: "allowed with AllowHTTP", allowHTTP: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Sync(t.Context(), src, t.TempDir(), Options{HTTPClient: srv.Client(), AllowHTTP: tt.allowHTTP})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Sync() error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && res.Count.Added != 1 {
				t.Errorf("Sync() counts = %+v, want one added", res.Count)
			}
		})
	}
}

func TestSync_Errors(t *testing.T) {
	t.Parallel()
	redirector := httptest.NewTLSServer(http.RedirectHandler("http://127.0.0.1:9/kev.json", http.StatusFound))
	t.Cleanup(redirector.Close)
	tests := []struct {
		name    string
		setup   func(p *feedtest.Provider) (Source, Options)
		wantErr []error
		wantMsg func(p *feedtest.Provider) string
	}{
		{
			name: "broken provider metadata names the URL",
			setup: func(p *feedtest.Provider) (Source, Options) {
				p.BreakMetadata()
				return providerSource(p), providerOpts(p)
			},
			wantErr: []error{ErrListing},
			wantMsg: func(p *feedtest.Provider) string {
				return "feed: source icsma: provider metadata " + p.MetadataURL() + ": bad listing: json: unexpected EOF"
			},
		},
		{
			name: "no provider metadata there",
			setup: func(p *feedtest.Provider) (Source, Options) {
				src := providerSource(p)
				src.URL = p.URL() + "/nowhere/"
				return src, providerOpts(p)
			},
			wantErr: []error{ErrListing, ErrStatus},
			wantMsg: func(p *feedtest.Provider) string {
				return p.URL() + "/nowhere/provider-metadata.json: status 404 Not Found"
			},
		},
		{
			name: "no listing readable",
			setup: func(p *feedtest.Provider) (Source, Options) {
				return Source{ID: "icsma", Kind: KindCSAFDirectory, URL: p.URL() + "/nowhere/"}, providerOpts(p)
			},
			wantErr: []error{ErrListing, ErrStatus},
			wantMsg: func(*feedtest.Provider) string { return "no listing could be read" },
		},
		{
			name: "plain http refused",
			setup: func(p *feedtest.Provider) (Source, Options) {
				src := providerSource(p)
				src.URL = strings.Replace(p.MetadataURL(), "https:", "http:", 1)
				return src, providerOpts(p)
			},
			wantErr: []error{ErrInsecureURL},
		},
		{
			name: "redirect to another scheme refused",
			setup: func(*feedtest.Provider) (Source, Options) {
				return Source{ID: "kev", Kind: KindURL, URL: redirector.URL + "/kev.json"},
					Options{HTTPClient: redirector.Client(), AllowHTTP: true}
			},
			wantErr: []error{ErrInsecureURL},
			wantMsg: func(*feedtest.Provider) string {
				return "redirect from " + redirector.URL + "/kev.json to http://127.0.0.1:9/kev.json"
			},
		},
		{
			name: "more files than MaxFiles",
			setup: func(p *feedtest.Provider) (Source, Options) {
				o := providerOpts(p)
				o.MaxFiles = 3
				return providerSource(p), o
			},
			wantErr: []error{ErrTooManyFiles},
		},
		{
			name: "unknown kind",
			setup: func(p *feedtest.Provider) (Source, Options) {
				return Source{ID: "x", Kind: "ftp", URL: "ftp://example.org/"}, providerOpts(p)
			},
			wantErr: []error{ErrInvalidSource},
		},
		{
			name: "unreadable key",
			setup: func(p *feedtest.Provider) (Source, Options) {
				src := providerSource(p)
				src.Keys = []string{"not a key"}
				return src, providerOpts(p)
			},
			wantErr: []error{ErrInvalidSource, advisory.ErrSignature},
		},
		{
			name: "URL source naming no file",
			setup: func(p *feedtest.Provider) (Source, Options) {
				return Source{ID: "x", Kind: KindURL, URL: p.URL() + "/"}, providerOpts(p)
			},
			wantErr: []error{ErrInvalidSource},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := feedtest.NewProvider(t, csafTestdata)
			src, opts := tt.setup(p)
			dir := t.TempDir()
			res, err := Sync(t.Context(), src, dir, opts)
			if err == nil {
				t.Fatalf("Sync() = %+v, want an error", res)
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("Sync() error = %v, want it to wrap %v", err, want)
				}
			}
			if tt.wantMsg != nil && !strings.Contains(err.Error(), tt.wantMsg(p)) {
				t.Errorf("Sync() error = %q, want it to contain %q", err, tt.wantMsg(p))
			}
			if errors.Is(err, ErrInvalidSource) {
				return // refused before the mirror was touched
			}
			st, serr := ReadState(dir)
			if serr != nil {
				t.Fatal(serr)
			}
			if st.LastError != err.Error() || st.Seq != 0 || len(st.Files) != 0 {
				t.Errorf("state after the failure: seq %d, %d files, LastError %q; want seq 0, no files, LastError %q", st.Seq, len(st.Files), st.LastError, err)
			}
		})
	}
}

func TestSync_EmptyListingKeepsMirror(t *testing.T) {
	t.Parallel()
	p := feedtest.NewProvider(t, csafTestdata)
	src, dir := providerSource(p), t.TempDir()
	mustSync(t, src, dir, providerOpts(p))
	before := mustTree(t, dir)
	for _, d := range p.Docs() {
		p.Remove(d)
	}
	if _, err := Sync(t.Context(), src, dir, providerOpts(p)); !errors.Is(err, ErrEmptyListing) {
		t.Fatalf("Sync() error = %v, want %v", err, ErrEmptyListing)
	}
	after := mustTree(t, dir)
	delete(before, StateFile)
	delete(after, StateFile)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("mirror after the refused sync (-want +got):\n%s", diff)
	}
}

func TestSync_Oversized(t *testing.T) {
	t.Parallel()
	const limit = 8192
	p := feedtest.NewProvider(t, csafTestdata)
	// The bound applies to listings too, and the ROLIE feed of eight
	// entries is over it: offer only the directory.
	p.SetDistributions(feedtest.Directory)
	var small, large []string
	for _, d := range p.Docs() {
		if len(p.Doc(d)) > limit {
			large = append(large, "white/"+d)
		} else {
			small = append(small, "white/"+d)
		}
	}
	if len(small) == 0 || len(large) == 0 {
		t.Fatalf("testdata: %d files under and %d over %d bytes; want some of each", len(small), len(large), limit)
	}
	src, dir := providerSource(p), t.TempDir()
	opts := providerOpts(p)
	opts.MaxFileSize = limit

	got := mustSync(t, src, dir, opts)
	want := &Result{Source: "icsma", Seq: 1, Count: Counts{Added: len(small), Failed: len(large)}, Changed: small}
	if diff := cmp.Diff(want, got, resultOpts...); diff != "" {
		t.Errorf("Sync() (-want +got):\n%s", diff)
	}
	var rejected []string
	for _, e := range got.Errors {
		if !errors.Is(e, advisory.ErrTooLarge) {
			t.Errorf("Sync() error %v, want it to wrap %v", e, advisory.ErrTooLarge)
		}
		rejected = append(rejected, e.Path)
	}
	if diff := cmp.Diff(large, rejected); diff != "" {
		t.Errorf("rejected files (-want +got):\n%s", diff)
	}
	for _, l := range large {
		if _, err := os.Stat(filepath.Join(dir, l)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("oversized %s in the mirror: stat error = %v", l, err)
		}
	}

	// With the default bound, the next sync fetches what was rejected.
	got = mustSync(t, src, dir, providerOpts(p))
	want = &Result{Source: "icsma", Seq: 2, Count: Counts{Added: len(large), Unchanged: len(small)}, Changed: large}
	if diff := cmp.Diff(want, got, resultOpts...); diff != "" {
		t.Errorf("Sync() with the default bound (-want +got):\n%s", diff)
	}
}

// TestSync_OneListingFails checks that a provider with one distribution
// down still syncs from the other, reports the listing, and removes
// nothing that the failed listing may still name.
func TestSync_OneListingFails(t *testing.T) {
	t.Parallel()
	const name = "icsma-18-277-02.json"
	const path = "white/2018/icsma-18-277-02.json"
	p := feedtest.NewProvider(t, csafTestdata)
	src, dir := providerSource(p), t.TempDir()
	mustSync(t, src, dir, providerOpts(p))

	changes := feedtest.DirectoryPath + "changes.csv"
	p.Fail(changes, http.StatusServiceUnavailable)
	p.Remove(name)
	got := mustSync(t, src, dir, providerOpts(p))
	want := &Result{Source: "icsma", Seq: 2, Count: Counts{Unchanged: 8}}
	if diff := cmp.Diff(want, got, resultOpts...); diff != "" {
		t.Errorf("Sync() with changes.csv down (-want +got):\n%s", diff)
	}
	if len(got.Errors) != 1 || got.Errors[0].Path != "" || got.Errors[0].URL != p.DirectoryURL() ||
		!errors.Is(got.Errors[0], ErrListing) || !errors.Is(got.Errors[0], ErrStatus) {
		t.Errorf("Sync() errors = %v, want one for the directory listing wrapping %v and %v", got.Errors, ErrListing, ErrStatus)
	}

	p.Fail(changes, 0)
	got = mustSync(t, src, dir, providerOpts(p))
	want = &Result{Source: "icsma", Seq: 3, Count: Counts{Unchanged: 7, Removed: 1}, Removed: []string{path}}
	if diff := cmp.Diff(want, got, resultOpts...); diff != "" {
		t.Errorf("Sync() with both listings back (-want +got):\n%s", diff)
	}
}
