// Package feedtest provides a fake CSAF 2.0 provider over httptest for the
// tests of package feed and of whatever drives it (the server's scheduler).
//
// The provider serves real CSAF documents from a folder under
// /.well-known/csaf/: provider-metadata.json, a ROLIE feed in the layout
// of CISA's real feed (including its "ref" for "rel"), and a directory
// distribution with index.txt and changes.csv, each document with a
// .sha512 and an .asc signed by a key made for the test. Tests change,
// tamper with, forge and remove documents, and count the requests per path.
package feedtest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Paths the provider serves.
const (
	MetadataPath  = "/.well-known/csaf/provider-metadata.json"
	FeedPath      = "/.well-known/csaf/feed-tlp-white.json"
	DirectoryPath = "/.well-known/csaf/white/"
)

// Distribution selects what the provider metadata offers.
type Distribution int

// The distributions; combine them with |.
const (
	ROLIE Distribution = 1 << iota
	Directory
	// NoChangesCSV serves the directory without changes.csv (index.txt
	// only), as some providers do.
	NoChangesCSV
)

// Provider is a fake CSAF provider. Its methods are safe to call while a
// sync runs.
type Provider struct {
	tb     testing.TB
	srv    *httptest.Server
	signer *openpgp.Entity
	forger *openpgp.Entity
	key    string

	mu       sync.Mutex
	docs     map[string]*doc   // by path below DirectoryPath
	files    map[string]*extra // other files, by URL path
	dist     Distribution
	broken   bool
	fail     map[string]int // status codes forced per URL path
	hits     map[string]int
	clock    time.Time
	mutation int
	delay    time.Duration
}

type doc struct {
	data, sha512, asc []byte
	updated           time.Time
}

type extra struct {
	data    []byte
	updated time.Time
}

// NewProvider starts a provider (over TLS) serving the CSAF documents found
// under dir, at their paths below dir: dir/2018/x.json is served as
// DirectoryPath+"2018/x.json". A document's .sha512 beside it is served as
// it is; a missing one is computed. Each document is signed with a key made
// for this provider, and its time is its current_release_date. The server
// is closed when the test ends.
func NewProvider(tb testing.TB, dir string) *Provider {
	tb.Helper()
	p := &Provider{
		tb:    tb,
		docs:  map[string]*doc{},
		files: map[string]*extra{},
		fail:  map[string]int{},
		dist:  ROLIE | Directory,
		hits:  map[string]int{},
		clock: time.Date(2024, 10, 24, 0, 0, 0, 0, time.UTC),
	}
	p.signer, p.key = MustKey(tb, "provider")
	p.forger, _ = MustKey(tb, "forger")
	err := filepath.WalkDir(dir, func(file string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(d.Name(), ".json") {
			return err
		}
		rel, err := filepath.Rel(dir, file)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		sum, err := os.ReadFile(file + ".sha512")
		if os.IsNotExist(err) {
			sum, err = sha512File(data, d.Name()), nil
		}
		if err != nil {
			return err
		}
		updated, err := releaseDate(data)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		p.docs[filepath.ToSlash(rel)] = &doc{data: data, sha512: sum, asc: p.sign(p.signer, data), updated: updated}
		return nil
	})
	if err != nil {
		tb.Fatalf("feedtest: %v", err)
	}
	if len(p.docs) == 0 {
		tb.Fatalf("feedtest: no .json documents under %s", dir)
	}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.serve))
	tb.Cleanup(p.srv.Close)
	return p
}

// MustKey makes an OpenPGP key pair (EdDSA, fast) and returns it with its
// armored public key.
func MustKey(tb testing.TB, name string) (*openpgp.Entity, string) {
	tb.Helper()
	e, err := openpgp.NewEntity(name, "ward feed test", name+"@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return e, buf.String()
}

// URL returns the server's base URL (https://127.0.0.1:port).
func (p *Provider) URL() string { return p.srv.URL }

// MetadataURL returns the URL of provider-metadata.json.
func (p *Provider) MetadataURL() string { return p.srv.URL + MetadataPath }

// DirectoryURL returns the directory distribution's URL.
func (p *Provider) DirectoryURL() string { return p.srv.URL + DirectoryPath }

// FeedURL returns the ROLIE feed's URL.
func (p *Provider) FeedURL() string { return p.srv.URL + FeedPath }

// Client returns an HTTP client that trusts the server's certificate.
func (p *Provider) Client() *http.Client { return p.srv.Client() }

// CertificatePEM returns the server's (self-signed) certificate in PEM, for
// a child process to trust (SSL_CERT_FILE).
func (p *Provider) CertificatePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.srv.Certificate().Raw})
}

// SetDelay makes every document response wait d first, so that a test can
// interrupt a sync half-way.
func (p *Provider) SetDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = d
}

// Key returns the armored public key the documents are signed with.
func (p *Provider) Key() string { return p.key }

// Docs returns the documents' paths below DirectoryPath, sorted.
func (p *Provider) Docs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.docs))
	for k := range p.docs {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Doc returns the current content of a document, named by its path below
// DirectoryPath or its file name.
func (p *Provider) Doc(name string) []byte {
	p.tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	_, d := p.lookup(name)
	return bytes.Clone(d.data)
}

// Path returns a document's path below DirectoryPath, from its file name.
func (p *Provider) Path(name string) string {
	p.tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	rel, _ := p.lookup(name)
	return rel
}

// SetDistributions chooses what provider-metadata.json offers (both at
// first). A distribution not offered is not served either.
func (p *Provider) SetDistributions(d Distribution) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dist = d
}

// BreakMetadata makes provider-metadata.json truncated, invalid JSON.
func (p *Provider) BreakMetadata() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.broken = true
}

// Fail makes requests for urlPath (FeedPath, DirectoryPath+"changes.csv",
// a document's path) answer with the HTTP status code; 0 restores it.
func (p *Provider) Fail(urlPath string, code int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if code == 0 {
		delete(p.fail, urlPath)
		return
	}
	p.fail[urlPath] = code
}

// Change publishes a new revision of a document, as a provider does: the
// tracking version, current_release_date and revision history change, and
// the listings' time, the .sha512 and the .asc follow.
func (p *Provider) Change(name string) {
	p.tb.Helper()
	p.republish(name, p.signer)
}

// Tamper changes a document as an attacker on the server would: a new
// revision appears in the listings, but the .sha512 and .asc stay those of
// the old content.
func (p *Provider) Tamper(name string) {
	p.tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	_, d := p.lookup(name)
	d.data, d.updated = p.revise(d.data)
}

// Forge changes a document as an attacker who can rewrite the digest but
// does not hold the provider's key: the .sha512 matches the new content,
// and the .asc is a good signature by another key.
func (p *Provider) Forge(name string) {
	p.tb.Helper()
	p.republish(name, p.forger)
}

// republish revises a document and gives it a matching .sha512 and an .asc
// signed by signer.
func (p *Provider) republish(name string, signer *openpgp.Entity) {
	p.tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	_, d := p.lookup(name)
	d.data, d.updated = p.revise(d.data)
	d.sha512 = sha512File(d.data, path.Base(name))
	d.asc = p.sign(signer, d.data)
}

// Remove withdraws a document from the listings and the server.
func (p *Provider) Remove(name string) {
	p.tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	rel, _ := p.lookup(name)
	delete(p.docs, rel)
}

// SetFile serves data at the URL path urlPath (for single-file sources),
// with an ETag and a Last-Modified that change when the content does.
func (p *Provider) SetFile(urlPath string, data []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f, ok := p.files[urlPath]; ok && bytes.Equal(f.data, data) {
		return
	}
	p.files[urlPath] = &extra{data: bytes.Clone(data), updated: p.tick()}
}

// Hits returns the number of requests for a URL path.
func (p *Provider) Hits(urlPath string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[urlPath]
}

// DocumentHits returns the number of requests for CSAF documents (not
// their side files, not the listings).
func (p *Provider) DocumentHits() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for k, v := range p.hits {
		if strings.HasPrefix(k, DirectoryPath) && strings.HasSuffix(k, ".json") {
			n += v
		}
	}
	return n
}

// ResetHits sets every request count to zero.
func (p *Provider) ResetHits() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.hits)
}

// lookup finds a document by path or file name. Called with p.mu held.
func (p *Provider) lookup(name string) (string, *doc) {
	p.tb.Helper()
	if d, ok := p.docs[name]; ok {
		return name, d
	}
	for rel, d := range p.docs {
		if path.Base(rel) == name {
			return rel, d
		}
	}
	p.tb.Fatalf("feedtest: no document %q", name)
	return "", nil
}

// tick advances the provider's clock by an hour and returns it.
func (p *Provider) tick() time.Time {
	p.clock = p.clock.Add(time.Hour)
	return p.clock
}

// revise returns a new revision of a CSAF document and its time.
func (p *Provider) revise(data []byte) ([]byte, time.Time) {
	p.tb.Helper()
	var d map[string]any
	if err := json.Unmarshal(data, &d); err != nil {
		p.tb.Fatalf("feedtest: revise: %v", err)
	}
	now := p.tick()
	p.mutation++
	stamp := now.Format("2006-01-02T15:04:05.000000Z")
	tr := d["document"].(map[string]any)["tracking"].(map[string]any)
	version := fmt.Sprint(tr["version"])
	if n, err := strconv.Atoi(version); err == nil {
		version = strconv.Itoa(n + 1)
	} else {
		version += ".1"
	}
	tr["version"] = version
	tr["current_release_date"] = stamp
	hist, _ := tr["revision_history"].([]any)
	tr["revision_history"] = append(hist, map[string]any{
		"date":    stamp,
		"number":  version,
		"summary": fmt.Sprintf("Revision %d by the ward test provider.", p.mutation),
	})
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		p.tb.Fatalf("feedtest: revise: %v", err)
	}
	return out, now
}

func (p *Provider) sign(e *openpgp.Entity, data []byte) []byte {
	p.tb.Helper()
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, e, bytes.NewReader(data), nil); err != nil {
		p.tb.Fatalf("feedtest: sign: %v", err)
	}
	return buf.Bytes()
}

// sha512File is a .sha512 file as sha512sum writes it.
func sha512File(data []byte, name string) []byte {
	s := sha512.Sum512(data)
	return []byte(hex.EncodeToString(s[:]) + "  " + name + "\n")
}

// releaseDate reads document.tracking.current_release_date.
func releaseDate(data []byte) (time.Time, error) {
	var d struct {
		Document struct {
			Tracking struct {
				CurrentReleaseDate string `json:"current_release_date"`
			} `json:"tracking"`
		} `json:"document"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return time.Time{}, err
	}
	return time.Parse(time.RFC3339, d.Document.Tracking.CurrentReleaseDate)
}

// serve answers every request, counting them per path.
func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hits[r.URL.Path]++
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if code := p.fail[r.URL.Path]; code != 0 {
		http.Error(w, http.StatusText(code), code)
		return
	}
	switch up := r.URL.Path; {
	case up == MetadataPath:
		p.serveMetadata(w)
	case up == FeedPath && p.dist&ROLIE != 0:
		p.serveJSON(w, p.feed())
	case up == DirectoryPath+"changes.csv" && p.dist&Directory != 0 && p.dist&NoChangesCSV == 0:
		p.serveText(w, "text/csv", p.changes())
	case up == DirectoryPath+"index.txt" && p.dist&Directory != 0:
		p.serveText(w, "text/plain", p.index())
	case strings.HasPrefix(up, DirectoryPath):
		if d := p.delay; d > 0 && strings.HasSuffix(up, ".json") {
			p.mu.Unlock()
			time.Sleep(d)
			p.mu.Lock()
		}
		p.serveDoc(w, r, strings.TrimPrefix(up, DirectoryPath))
	default:
		if f, ok := p.files[up]; ok {
			serveContent(w, r, path.Base(up), f.data, f.updated)
			return
		}
		http.NotFound(w, r)
	}
}

func (p *Provider) serveMetadata(w http.ResponseWriter) {
	if p.broken {
		p.serveText(w, "application/json", `{"canonical_url": "`+p.MetadataURL()+`", "distributions": [`)
		return
	}
	var dists []any
	if p.dist&Directory != 0 {
		dists = append(dists, map[string]any{"directory_url": p.DirectoryURL()})
	}
	if p.dist&ROLIE != 0 {
		dists = append(dists, map[string]any{"rolie": map[string]any{"feeds": []any{map[string]any{
			"summary":   "WHITE advisories",
			"tlp_label": "WHITE",
			"url":       p.FeedURL(),
		}}}})
	}
	p.serveJSON(w, map[string]any{
		"canonical_url":              p.MetadataURL(),
		"distributions":              dists,
		"last_updated":               p.clock.Format(time.RFC3339),
		"list_on_CSAF_aggregators":   true,
		"metadata_version":           "2.0",
		"mirror_on_CSAF_aggregators": true,
		"public_openpgp_keys":        []any{map[string]any{"fingerprint": strings.ToUpper(hex.EncodeToString(p.signer.PrimaryKey.Fingerprint)), "url": p.srv.URL + "/.well-known/csaf/openpgp/key.asc"}},
		"publisher":                  map[string]any{"category": "coordinator", "name": "ward test provider", "namespace": p.srv.URL},
		"role":                       "csaf_trusted_provider",
	})
}

// byUpdated returns the documents' paths, the newest first (as
// changes.csv and CISA's feed order them).
func (p *Provider) byUpdated() []string {
	out := make([]string, 0, len(p.docs))
	for k := range p.docs {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b string) int {
		return cmp.Or(p.docs[b].updated.Compare(p.docs[a].updated), cmp.Compare(a, b))
	})
	return out
}

// feed builds the ROLIE feed in the layout of CISA's
// cisa-csaf-it-feed-tlp-white.json.
func (p *Provider) feed() any {
	var entries []any
	var latest time.Time
	for _, rel := range p.byUpdated() {
		d := p.docs[rel]
		var meta struct {
			Document struct {
				Title    string `json:"title"`
				Tracking struct {
					ID                 string `json:"id"`
					InitialReleaseDate string `json:"initial_release_date"`
				} `json:"tracking"`
			} `json:"document"`
		}
		_ = json.Unmarshal(d.data, &meta)
		u := p.DirectoryURL() + rel
		published := meta.Document.Tracking.InitialReleaseDate
		if t, err := time.Parse(time.RFC3339, published); err == nil {
			published = t.UTC().Format(time.RFC3339)
		}
		entries = append(entries, map[string]any{
			"content": map[string]any{"src": u, "type": "application/json"},
			"format":  map[string]any{"schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "version": "2.0"},
			"id":      meta.Document.Tracking.ID,
			"link": []any{
				map[string]any{"href": u, "rel": "self"},
				map[string]any{"href": u + ".sha512", "ref": "hash"},
				map[string]any{"href": u + ".asc", "ref": "signature"},
			},
			"published": published,
			"title":     meta.Document.Title,
			"updated":   d.updated.UTC().Format(time.RFC3339),
		})
		if d.updated.After(latest) {
			latest = d.updated
		}
	}
	return map[string]any{"feed": map[string]any{
		"category": []any{map[string]any{"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}},
		"entry":    entries,
		"id":       "ward-test-feed-tlp-white",
		"link":     []any{map[string]any{"href": p.FeedURL(), "rel": "self"}},
		"title":    "ward test CSAF feed (TLP:WHITE)",
		"updated":  latest.UTC().Format(time.RFC3339),
	}}
}

// changes builds changes.csv in CISA's layout: "path,time", newest first.
func (p *Provider) changes() string {
	var b strings.Builder
	for _, rel := range p.byUpdated() {
		fmt.Fprintf(&b, "%s,%s\n", rel, p.docs[rel].updated.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	return b.String()
}

// index builds index.txt.
func (p *Provider) index() string {
	var b strings.Builder
	for _, rel := range p.byUpdated() {
		b.WriteString(rel + "\n")
	}
	return b.String()
}

// serveDoc serves a document or one of its side files.
func (p *Provider) serveDoc(w http.ResponseWriter, r *http.Request, rel string) {
	for _, side := range []struct {
		ext string
		get func(*doc) []byte
	}{
		{".sha512", func(d *doc) []byte { return d.sha512 }},
		{".asc", func(d *doc) []byte { return d.asc }},
		{"", func(d *doc) []byte { return d.data }},
	} {
		base, ok := strings.CutSuffix(rel, side.ext)
		if !ok {
			continue
		}
		if d, ok := p.docs[base]; ok {
			serveContent(w, r, path.Base(rel), side.get(d), d.updated)
			return
		}
	}
	http.NotFound(w, r)
}

// serveContent serves data with an ETag and Last-Modified, answering
// conditional requests with 304.
func serveContent(w http.ResponseWriter, r *http.Request, name string, data []byte, mod time.Time) {
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	http.ServeContent(w, r, name, mod, bytes.NewReader(data))
}

func (p *Provider) serveJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.serveText(w, "application/json", string(b))
}

func (p *Provider) serveText(w http.ResponseWriter, contentType, s string) {
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write([]byte(s))
}
