package feed

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// The listings are third-party documents of which Sync uses only a few
// fields, so they are decoded tolerantly: unknown fields are ignored (the
// provider-metadata schema allows them, ROLIE inherits Atom's
// extensibility, and CISA's real feed writes `"ref": "hash"` where the spec
// says `"rel"`), but trailing data after the JSON value is rejected. The
// advisories themselves are validated later, by [advisory.Load].

// providerMetadata is the part of a CSAF 2.0 provider-metadata.json that
// Sync uses.
type providerMetadata struct {
	CanonicalURL    string         `json:"canonical_url"`
	MetadataVersion string         `json:"metadata_version"`
	Distributions   []distribution `json:"distributions"`
}

// distribution is one entry of provider-metadata's "distributions".
type distribution struct {
	DirectoryURL string `json:"directory_url"`
	ROLIE        *struct {
		Feeds []struct {
			TLPLabel string `json:"tlp_label"`
			URL      string `json:"url"`
		} `json:"feeds"`
	} `json:"rolie"`
}

// listingKind tells how a listing names its files.
type listingKind int

const (
	listingDirectory listingKind = iota // directory_url: changes.csv, else index.txt
	listingROLIE                        // a ROLIE feed
)

// listingRef is a listing found in provider metadata.
type listingRef struct {
	kind listingKind
	url  *url.URL
	tlp  string // the ROLIE feed's tlp_label; "" for directories
}

// parseProviderMetadata reads provider metadata fetched from base and
// returns its listings, with URLs resolved against base. It fails when the
// document is not JSON, is not metadata version 2.0, or names no listing.
func parseProviderMetadata(data []byte, base *url.URL) ([]listingRef, error) {
	var pm providerMetadata
	if err := decodeJSON(data, &pm); err != nil {
		return nil, err
	}
	if pm.MetadataVersion != "2.0" {
		return nil, fmt.Errorf("metadata_version %q, want \"2.0\"", pm.MetadataVersion)
	}
	var refs []listingRef
	for i, d := range pm.Distributions {
		if d.DirectoryURL != "" {
			u, err := resolve(base, d.DirectoryURL)
			if err != nil {
				return nil, fmt.Errorf("distributions[%d].directory_url: %w", i, err)
			}
			if !strings.HasSuffix(u.Path, "/") {
				u.Path += "/"
			}
			refs = append(refs, listingRef{kind: listingDirectory, url: u})
		}
		if d.ROLIE == nil {
			continue
		}
		for j, f := range d.ROLIE.Feeds {
			u, err := resolve(base, f.URL)
			if err != nil {
				return nil, fmt.Errorf("distributions[%d].rolie.feeds[%d].url: %w", i, j, err)
			}
			refs = append(refs, listingRef{kind: listingROLIE, url: u, tlp: strings.ToUpper(f.TLPLabel)})
		}
	}
	if len(refs) == 0 {
		return nil, errors.New("no distribution with a directory_url or rolie feeds")
	}
	return refs, nil
}

// listed is a file that a listing names.
type listed struct {
	url     *url.URL
	hash    *url.URL  // the .sha512 or .sha256 the listing links; nil: guess
	sig     *url.URL  // the .asc the listing links; nil: guess
	updated time.Time // zero when the listing gives no time
}

// rolieFeed is the part of a ROLIE feed document that Sync uses.
type rolieFeed struct {
	Feed *struct {
		ID    string       `json:"id"`
		Entry []rolieEntry `json:"entry"`
	} `json:"feed"`
}

type rolieEntry struct {
	ID      string `json:"id"`
	Updated string `json:"updated"`
	Content struct {
		Src string `json:"src"`
	} `json:"content"`
	Link []struct {
		Rel  string `json:"rel"`
		Ref  string `json:"ref"` // CISA's spelling of rel
		Href string `json:"href"`
	} `json:"link"`
}

// parseROLIE reads a ROLIE feed fetched from base. An entry without a
// usable document URL is left out, and one without a usable "updated" is
// kept with no time (so it is fetched conditionally); both are described in
// problems. The feed as a whole fails only when it is not a ROLIE feed.
func parseROLIE(data []byte, base *url.URL) (files []listed, problems []string, err error) {
	var rf rolieFeed
	if err := decodeJSON(data, &rf); err != nil {
		return nil, nil, err
	}
	if rf.Feed == nil {
		return nil, nil, errors.New("no \"feed\" object")
	}
	for i, e := range rf.Feed.Entry {
		f, err := rolieFile(e, base)
		switch {
		case f.url == nil:
			problems = append(problems, fmt.Sprintf("entry %d (%q): %v; left out", i, e.ID, err))
		case err != nil:
			problems = append(problems, fmt.Sprintf("entry %d (%q): %v", i, e.ID, err))
			files = append(files, f)
		default:
			files = append(files, f)
		}
	}
	return files, problems, nil
}

// rolieFile reads one ROLIE entry: the document is its "self" link (else
// its content src), the hash and signature its "hash" and "signature"
// links, the time its "updated". With an error, the entry is left out when
// the result has no url, and kept otherwise.
func rolieFile(e rolieEntry, base *url.URL) (listed, error) {
	var self, hash, sig string
	for _, l := range e.Link {
		rel := l.Rel
		if rel == "" {
			rel = l.Ref
		}
		switch rel {
		case "self":
			self = l.Href
		case "hash":
			// Prefer SHA-512, as advisory.Load does.
			if hash == "" || strings.HasSuffix(strings.ToLower(l.Href), ".sha512") {
				hash = l.Href
			}
		case "signature":
			sig = l.Href
		}
	}
	if self == "" {
		self = e.Content.Src
	}
	if self == "" {
		return listed{}, errors.New("no self link or content src")
	}
	var (
		f   listed
		err error
	)
	if f.url, err = resolve(base, self); err != nil {
		return listed{}, err
	}
	if hash != "" {
		if f.hash, err = resolve(base, hash); err != nil {
			return listed{}, fmt.Errorf("hash link: %w", err)
		}
	}
	if sig != "" {
		if f.sig, err = resolve(base, sig); err != nil {
			return listed{}, fmt.Errorf("signature link: %w", err)
		}
	}
	if e.Updated != "" {
		if f.updated, err = time.Parse(time.RFC3339, e.Updated); err != nil {
			// Kept, and fetched with a conditional request.
			f.updated = time.Time{}
			return f, fmt.Errorf("updated %q is not RFC 3339; fetched conditionally", e.Updated)
		}
	}
	return f, nil
}

// parseChanges reads a CSAF changes.csv fetched from base: lines of
// "path,timestamp" (quoted or not), the path relative to the directory,
// the timestamp RFC 3339. A line that breaks the format is left out and
// described in problems; at most limit files are read, more is an error.
func parseChanges(data []byte, base *url.URL, limit int) (files []listed, problems []string, err error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A quoting error: the reader cannot tell where lines end.
			return nil, nil, fmt.Errorf("csv: %w", err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) != 2 {
			problems = append(problems, fmt.Sprintf("line %d: %d fields, want 2 (path,timestamp); left out", line, len(rec)))
			continue
		}
		p, ts := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
		t, err := time.Parse(time.RFC3339, ts)
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d: timestamp %q is not RFC 3339; left out", line, ts))
			continue
		}
		u, err := resolve(base, p)
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d: path %q: %v; left out", line, p, err))
			continue
		}
		if len(files) == limit {
			return nil, nil, fmt.Errorf("more than %d files: %w", limit, ErrTooManyFiles)
		}
		files = append(files, listed{url: u, updated: t})
	}
	return files, problems, nil
}

// parseIndex reads a CSAF index.txt fetched from base: one path a line,
// relative to the directory. It gives no times, so the files are fetched
// conditionally.
func parseIndex(data []byte, base *url.URL, limit int) (files []listed, problems []string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<10)
	for line := 1; sc.Scan(); line++ {
		p := strings.TrimSpace(sc.Text())
		if p == "" {
			continue
		}
		u, err := resolve(base, p)
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d: path %q: %v; left out", line, p, err))
			continue
		}
		if len(files) == limit {
			return nil, nil, fmt.Errorf("more than %d files: %w", limit, ErrTooManyFiles)
		}
		files = append(files, listed{url: u})
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	return files, problems, nil
}

// decodeJSON decodes one JSON value into v and rejects anything after it.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("json: trailing data after the document")
	}
	return nil
}

// resolve parses ref and resolves it against base. The result must be an
// http or https URL with a host; fragments are dropped.
func resolve(base *url.URL, ref string) (*url.URL, error) {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return nil, err
	}
	u := base.ResolveReference(r)
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("%q: scheme %q: %w", ref, u.Scheme, ErrInsecureURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q: no host", ref)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}
