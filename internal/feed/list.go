package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/ward-health/ward/internal/advisory"
)

// metadataURL returns the provider-metadata.json a KindCSAFProvider URL
// means: the URL itself when it names a .json file, else
// provider-metadata.json in the folder it names, and for a bare host its
// /.well-known/csaf/ folder.
func metadataURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.HasSuffix(u.Path, ".json"):
	case u.Path == "" || u.Path == "/":
		u.Path = "/.well-known/csaf/provider-metadata.json"
	default:
		u.Path = strings.TrimSuffix(u.Path, "/") + "/provider-metadata.json"
	}
	u.RawPath = ""
	return u, nil
}

// listCSAF reads the listings of a CSAF provider or directory and returns
// the files they name, sorted by path.
func (s *syncer) listCSAF(ctx context.Context) ([]candidate, error) {
	var (
		refs     []listingRef
		metaBase *url.URL
	)
	switch s.src.Kind {
	case KindCSAFProvider:
		mu, err := metadataURL(s.src.URL)
		if err != nil {
			return nil, fmt.Errorf("feed: source %s: %w: %w", s.src.ID, ErrInvalidSource, err)
		}
		resp, err := s.fetch.get(ctx, mu, validators{}, s.opts.MaxFileSize)
		if err == nil {
			refs, err = parseProviderMetadata(resp.body, mu)
		}
		if err != nil {
			return nil, fmt.Errorf("feed: source %s: provider metadata %s: %w: %w", s.src.ID, mu.Redacted(), ErrListing, err)
		}
		metaBase = mu
	case KindCSAFDirectory:
		u, err := url.Parse(s.src.URL)
		if err != nil {
			return nil, fmt.Errorf("feed: source %s: %w: %w", s.src.ID, ErrInvalidSource, err)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
			u.RawPath = ""
		}
		refs = []listingRef{{kind: listingDirectory, url: u}}
	}

	byPath := map[string]candidate{}
	var failures []error
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("feed: sync %s: %w", s.src.ID, err)
		}
		info := listingInfo{url: ref.url.String()}
		files, problems, err := s.readListing(ctx, ref)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("feed: sync %s: %w", s.src.ID, ctx.Err())
			}
			if errors.Is(err, ErrTooManyFiles) {
				return nil, fmt.Errorf("feed: source %s: %s: %w", s.src.ID, ref.url.Redacted(), err)
			}
			err = fmt.Errorf("%w: %w", ErrListing, err)
			failures = append(failures, fmt.Errorf("%s: %w", ref.url.Redacted(), err))
			if restricted(ref, err) {
				// TLP:AMBER and RED feeds need credentials; without them
				// this is expected, not an error.
				s.res.Notices = append(s.res.Notices, Notice{Message: fmt.Sprintf("TLP:%s feed %s not accessible: %v", ref.tlp, ref.url.Redacted(), err)})
			} else {
				s.res.Errors = append(s.res.Errors, FileError{URL: ref.url.String(), Err: err})
			}
			s.listings = append(s.listings, info)
			continue
		}
		info.ok, info.clean = true, len(problems) == 0
		for _, p := range problems {
			s.res.Notices = append(s.res.Notices, Notice{Message: ref.url.Redacted() + ": " + p})
		}
		for _, f := range files {
			info.files++
			rel, ok := mirrorPath(f.url, metaBase, ref.url)
			if !ok || !strings.HasSuffix(strings.ToLower(rel), ".json") {
				info.clean = false
				s.res.Notices = append(s.res.Notices, Notice{Message: fmt.Sprintf("%s: %s is not a CSAF .json file name; left out", ref.url.Redacted(), f.url.Redacted())})
				continue
			}
			c := candidate{path: rel, url: f.url, hash: f.hash, sig: f.sig, updated: f.updated, listing: info.url, csaf: true}
			if prev, dup := byPath[rel]; dup {
				if prev.url.String() != c.url.String() {
					s.res.Notices = append(s.res.Notices, Notice{Path: rel, Message: fmt.Sprintf("listed as both %s and %s; the newer is kept", prev.url.Redacted(), c.url.Redacted())})
				}
				if !c.updated.After(prev.updated) {
					continue
				}
			}
			byPath[rel] = c
			if len(byPath) > s.opts.MaxFiles {
				return nil, fmt.Errorf("feed: source %s: more than %d files listed: %w", s.src.ID, s.opts.MaxFiles, ErrTooManyFiles)
			}
		}
		s.listings = append(s.listings, info)
	}
	if len(failures) == len(refs) {
		return nil, fmt.Errorf("feed: source %s: no listing could be read: %w", s.src.ID, errors.Join(failures...))
	}
	cands := make([]candidate, 0, len(byPath))
	for _, p := range sortedKeys(byPath) {
		cands = append(cands, byPath[p])
	}
	return cands, nil
}

// restricted reports whether err is a refusal of a TLP:AMBER or TLP:RED
// feed.
func restricted(ref listingRef, err error) bool {
	return (ref.tlp == "AMBER" || ref.tlp == "RED") &&
		(isStatus(err, http.StatusUnauthorized) || isStatus(err, http.StatusForbidden))
}

// readListing fetches and reads one listing. A directory is read from its
// changes.csv, or, when there is none, from its index.txt.
func (s *syncer) readListing(ctx context.Context, ref listingRef) ([]listed, []string, error) {
	get := func(u *url.URL) ([]byte, error) {
		resp, err := s.fetch.get(ctx, u, validators{}, s.opts.MaxFileSize)
		if err != nil {
			return nil, err
		}
		return resp.body, nil
	}
	if ref.kind == listingROLIE {
		body, err := get(ref.url)
		if err != nil {
			return nil, nil, err
		}
		files, problems, err := parseROLIE(body, ref.url)
		if err != nil {
			return nil, nil, fmt.Errorf("rolie feed %s: %w", ref.url.Redacted(), err)
		}
		if len(files) > s.opts.MaxFiles {
			return nil, nil, fmt.Errorf("more than %d files: %w", s.opts.MaxFiles, ErrTooManyFiles)
		}
		return files, problems, nil
	}
	changes := ref.url.JoinPath("changes.csv")
	body, err := get(changes)
	if err == nil {
		files, problems, err := parseChanges(body, ref.url, s.opts.MaxFiles)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", changes.Redacted(), err)
		}
		return files, problems, nil
	}
	if !isStatus(err, http.StatusNotFound) {
		return nil, nil, err
	}
	index := ref.url.JoinPath("index.txt")
	body, err = get(index)
	if err != nil {
		return nil, nil, err
	}
	files, problems, err := parseIndex(body, ref.url, s.opts.MaxFiles)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", index.Redacted(), err)
	}
	s.res.Notices = append(s.res.Notices, Notice{Message: fmt.Sprintf("%s: no changes.csv; every file of index.txt is checked with a conditional request", ref.url.Redacted())})
	return files, problems, nil
}

// mirrorPath returns the path in the mirror of the file at u: its path
// below the first base whose folder holds it (the provider metadata's
// folder, then the listing's), else host/path. ok is false when the result
// is not a safe relative path.
func mirrorPath(u *url.URL, bases ...*url.URL) (rel string, ok bool) {
	for _, b := range bases {
		if b == nil || b.Scheme != u.Scheme || b.Host != u.Host {
			continue
		}
		dir := b.Path[:strings.LastIndex(b.Path, "/")+1]
		if r, found := strings.CutPrefix(u.Path, dir); found && safeRel(r) {
			return r, true
		}
	}
	rel = strings.ReplaceAll(u.Host, ":", "_") + u.Path
	return rel, safeRel(rel)
}

// listURL returns the one file of a KindURL source.
func (s *syncer) listURL() ([]candidate, error) {
	u, err := url.Parse(s.src.URL)
	if err != nil {
		return nil, fmt.Errorf("feed: source %s: %w: %w", s.src.ID, ErrInvalidSource, err)
	}
	name, err := urlFileName(u)
	if err != nil {
		return nil, fmt.Errorf("feed: source %s: %w: %w", s.src.ID, ErrInvalidSource, err)
	}
	s.listings = append(s.listings, listingInfo{url: u.String(), ok: true, clean: true, files: 1})
	return []candidate{{path: name, url: u, listing: u.String()}}, nil
}

// checkCSAF checks a fetched CSAF document: it must be JSON, match its
// published digest, and carry a good signature when keys are configured.
// The side files found are added to o.
func (s *syncer) checkCSAF(ctx context.Context, c candidate, o *outcome) error {
	if !json.Valid(o.data) {
		return fmt.Errorf("not JSON: %w", advisory.ErrInvalid)
	}
	if err := s.checkDigest(ctx, c, o); err != nil {
		return err
	}
	return s.checkSignature(ctx, c, o)
}

// withExt returns u with ext appended to its path.
func withExt(u *url.URL, ext string) *url.URL {
	v := *u
	v.Path += ext
	v.RawPath = ""
	v.RawQuery = ""
	return &v
}

// checkDigest fetches the file's digest (the listing's hash link, else the
// .sha512, else the .sha256 beside it) and verifies it. A file with no
// digest published is accepted with a notice; one whose listed digest
// cannot be fetched is rejected for now.
func (s *syncer) checkDigest(ctx context.Context, c candidate, o *outcome) error {
	var tries []*url.URL
	if c.hash != nil {
		tries = []*url.URL{c.hash}
	} else {
		for _, ext := range advisory.DigestExts() {
			tries = append(tries, withExt(c.url, ext))
		}
	}
	for _, hu := range tries {
		ext := ""
		for _, e := range advisory.DigestExts() {
			if strings.HasSuffix(strings.ToLower(hu.Path), e) {
				ext = e
			}
		}
		if ext == "" {
			return fmt.Errorf("hash link %s is neither .sha512 nor .sha256: %w", hu.Redacted(), advisory.ErrHashMismatch)
		}
		resp, err := s.fetch.get(ctx, hu, validators{}, maxSidecar)
		if err != nil && c.hash == nil && isStatus(err, http.StatusNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("digest: %w", err)
		}
		if err := advisory.VerifyDigest(o.data, resp.body, ext); err != nil {
			return err
		}
		o.sides[ext] = resp.body
		return nil
	}
	msg := "no .sha512 or .sha256 published; integrity rests on TLS"
	if s.keys != nil {
		msg += " and the signature"
	}
	s.notice(Notice{Path: c.path, Message: msg})
	return nil
}

// checkSignature fetches the file's .asc and, when keys are configured,
// verifies it; without keys it is mirrored unchecked.
func (s *syncer) checkSignature(ctx context.Context, c candidate, o *outcome) error {
	su := c.sig
	if su == nil {
		su = withExt(c.url, ".asc")
	}
	resp, err := s.fetch.get(ctx, su, validators{}, maxSidecar)
	if err != nil {
		if s.keys != nil {
			if isStatus(err, http.StatusNotFound) {
				return fmt.Errorf("unsigned (no .asc published): %w", advisory.ErrSignature)
			}
			return fmt.Errorf("signature: %w", err)
		}
		o.unchecked = true
		return nil
	}
	if s.keys == nil {
		o.unchecked = true
	} else if err := s.keys.Verify(o.data, resp.body); err != nil {
		return err
	}
	o.sides[".asc"] = resp.body
	return nil
}

// notice adds a notice from a worker.
func (s *syncer) notice(n Notice) {
	s.mu.Lock()
	s.res.Notices = append(s.res.Notices, n)
	s.mu.Unlock()
}
