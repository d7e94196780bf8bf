package feed

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/ward-health/ward/internal/advisory"
)

// Sync brings the mirror folder up to date with src and returns what
// changed. The mirror holds the source's files under their paths (for a
// CSAF provider, relative to its .well-known/csaf/ folder, e.g.
// "white/2022/icsma-22-088-01.json"), each with the .sha512/.sha256/.asc
// published beside it, so that [advisory.Load] can read the mirror and check
// them again; and the state file [StateFile].
//
// Sync is incremental: a file whose listing time (changes.csv, ROLIE
// "updated", folder modification time) is not newer than the one recorded
// is not fetched; files listed without a time, and single-file sources, are
// fetched with conditional GET. Every fetched CSAF file must match its
// published digest and, when src.Keys is set, its OpenPGP signature; a file
// that does not is reported in [Result.Errors] and not written, and the
// mirror keeps the previous good copy. Files no longer listed are removed,
// but only when the listing that named them was read without problems, and
// never all of a listing's files at once (see [ErrEmptyListing]).
//
// Sync is atomic per file and resumable. Each file is written to a temporary
// file and renamed into place, so a reader sees the old or the new content,
// never a part. The state file is rewritten (atomically, after the files it
// describes are on disk) every Options.CheckpointEvery files and at the end.
// When Sync is cancelled or killed, the next Sync fetches what was not
// recorded, and reports in its Result everything the unfinished sync did as
// well as its own work: nothing is lost and nothing is reported twice across
// successful syncs.
//
// Sync returns an error, and no Result, when the sync as a whole failed: ctx
// ended, the source is misconfigured, no listing could be read, the mirror
// cannot be written, or (for a KindURL source) the file could not be
// fetched. The error is also recorded in the state's LastError. Errors of
// single files do not fail the sync. Two Syncs must not run on the same
// mirror at once.
func Sync(ctx context.Context, src Source, mirrorDir string, opts Options) (*Result, error) {
	if err := src.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	s := &syncer{src: src, opts: opts, fetch: newFetcher(opts)}
	if len(src.Keys) > 0 {
		kr, err := advisory.NewKeyring(src.Keys)
		if err != nil {
			return nil, fmt.Errorf("feed: source %s: %w: %w", src.ID, ErrInvalidSource, err)
		}
		s.keys = kr
	}
	st, err := ReadState(mirrorDir)
	if err != nil {
		return nil, err
	}
	m, err := openMirror(mirrorDir)
	if err != nil {
		return nil, err
	}
	s.m, s.st = m, st
	res, err := s.run(ctx)
	if s.folder != nil {
		s.folder.Close()
	}
	if cerr := m.Close(); cerr != nil && err == nil {
		// The files and the state are in place; only the temporary folder
		// was left behind, and the next sync clears it.
		res.Notices = append(res.Notices, Notice{Message: "mirror: " + cerr.Error()})
	}
	return res, err
}

// candidate is a file a listing names.
type candidate struct {
	path    string   // slash-separated, in the mirror
	url     *url.URL // nil for a folder's file
	local   string   // a folder's file: its path in the folder
	listing string   // the listing that named it
	hash    *url.URL // the digest the listing links, if any
	sig     *url.URL // the signature the listing links, if any
	updated time.Time
	size    int64 // folders only
	csaf    bool  // a CSAF document: JSON, digest and signature checked
}

// origin is where the file came from, for messages and the state: its URL,
// or for a folder's file its path on disk.
func (c candidate) origin() string {
	if c.url != nil {
		return c.url.String()
	}
	return filepath.Join(c.listing, filepath.FromSlash(c.local))
}

// listingInfo is how one listing fared.
type listingInfo struct {
	url   string
	ok    bool // fetched and read
	clean bool // read without problems: its unlisted files may be removed
	files int
}

// outcome is a fetched (or not modified) file.
type outcome struct {
	notModified bool
	data        []byte
	sides       map[string][]byte // ".sha512", ".sha256", ".asc"
	etag        string
	lastMod     string
	unchecked   bool // no key configured: signature not checked
}

// syncer is the work of one Sync.
type syncer struct {
	src    Source
	opts   Options
	fetch  *fetcher
	keys   *advisory.Keyring // nil: signatures not checked
	m      *mirror
	folder *os.Root // KindFolder: the source folder

	started time.Time
	seq     uint64

	mu         sync.Mutex // guards the fields below, and st during the fetch
	st         *State
	res        Result
	listings   []listingInfo
	done       int
	total      int
	sinceCkpt  int
	unchecked  int
	checkpoint error // a failed checkpoint stops the sync
}

func (s *syncer) run(ctx context.Context) (*Result, error) {
	s.started = s.opts.Now()
	s.seq = s.st.Seq + 1
	s.res = Result{Source: s.src.ID, Started: s.started}
	if s.st.Seq > 0 && (s.st.Kind != s.src.Kind || s.st.URL != s.src.URL) {
		// Another source: its times and validators mean nothing now.
		// Everything is checked again; content hashes decide what changed.
		for _, f := range s.st.Files {
			f.Updated, f.ETag, f.LastModified = time.Time{}, "", ""
		}
	}
	s.st.Source, s.st.Kind, s.st.URL = s.src.ID, s.src.Kind, s.src.URL
	s.st.LastAttempt = s.started

	var (
		cands []candidate
		err   error
	)
	switch s.src.Kind {
	case KindCSAFProvider, KindCSAFDirectory:
		cands, err = s.listCSAF(ctx)
	case KindURL:
		cands, err = s.listURL()
	case KindFolder:
		cands, err = s.listFolder()
	}
	if err == nil {
		err = s.checkEmpty(cands)
	}
	if err != nil {
		return s.fail(err)
	}
	s.fetchAll(ctx, s.plan(cands))
	if err := ctx.Err(); err != nil {
		return s.fail(fmt.Errorf("feed: sync %s: %w", s.src.ID, err))
	}
	if s.checkpoint != nil {
		return s.fail(s.checkpoint)
	}
	if s.src.Kind == KindURL && len(s.res.Errors) > 0 {
		return s.fail(fmt.Errorf("feed: sync %s: %w", s.src.ID, s.res.Errors[0]))
	}
	s.removeUnlisted(cands)
	return s.finish()
}

// checkEmpty refuses a listing that was read but named no file while the
// mirror holds files from it.
func (s *syncer) checkEmpty(cands []candidate) error {
	for _, l := range s.listings {
		if !l.ok || l.files > 0 {
			continue
		}
		n := 0
		for _, f := range s.st.Files {
			if f.live() && f.Listing == l.url {
				n++
			}
		}
		if n > 0 {
			return fmt.Errorf("feed: source %s: %s lists no files, the mirror holds %d from it; refusing to remove them: %w",
				s.src.ID, l.url, n, ErrEmptyListing)
		}
	}
	if len(cands) > s.opts.MaxFiles {
		return fmt.Errorf("feed: source %s: %d files listed, more than %d: %w", s.src.ID, len(cands), s.opts.MaxFiles, ErrTooManyFiles)
	}
	return nil
}

// plan returns the candidates to fetch: those not recorded, missing from
// the mirror, or newer in their listing than recorded.
func (s *syncer) plan(cands []candidate) []candidate {
	var todo []candidate
	for _, c := range cands {
		f := s.st.Files[c.path]
		if f != nil && f.live() {
			f.Listing = c.listing
			if s.fresh(c, f) && s.m.exists(c.path) {
				continue
			}
		}
		todo = append(todo, c)
	}
	return todo
}

// fresh reports whether the recorded f is as new as the listed c, so that
// c need not be fetched.
func (s *syncer) fresh(c candidate, f *FileState) bool {
	if f.URL != c.origin() || c.updated.IsZero() || f.Updated.IsZero() {
		return false
	}
	if c.local != "" {
		return c.updated.Equal(f.Updated) && c.size == f.Size
	}
	return !c.updated.After(f.Updated)
}

// fetchAll fetches todo with Options.Concurrency workers, and stops early
// when ctx ends or a checkpoint fails.
func (s *syncer) fetchAll(ctx context.Context, todo []candidate) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	s.total = len(todo)
	s.progress()
	s.mu.Unlock()

	jobs := make(chan candidate)
	var wg sync.WaitGroup
	for range min(s.opts.Concurrency, len(todo)) {
		wg.Go(func() {
			for c := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				o, err := s.get(ctx, c)
				if err != nil && ctx.Err() != nil {
					continue // cancelled: not the file's fault
				}
				if err == nil && !o.notModified {
					if werr := s.m.put(c.path, o.data, o.sides); werr != nil {
						err = fmt.Errorf("mirror: %w", werr)
					}
				}
				if !s.commit(c, o, err) {
					cancel()
				}
			}
		})
	}
feed:
	for _, c := range todo {
		select {
		case jobs <- c:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
}

// get fetches (or reads) one file and checks it.
func (s *syncer) get(ctx context.Context, c candidate) (*outcome, error) {
	if c.local != "" {
		return s.readLocal(c)
	}
	s.mu.Lock()
	var v validators
	if f := s.st.Files[c.path]; f != nil && f.live() && c.updated.IsZero() && s.m.exists(c.path) {
		v = validators{etag: f.ETag, lastModified: f.LastModified}
	}
	s.mu.Unlock()
	resp, err := s.fetch.get(ctx, c.url, v, s.opts.MaxFileSize)
	if err != nil {
		return nil, err
	}
	o := &outcome{notModified: resp.notModified, data: resp.body, etag: resp.etag, lastMod: resp.lastMod, sides: map[string][]byte{}}
	if o.notModified || !c.csaf {
		return o, nil
	}
	if err := s.checkCSAF(ctx, c, o); err != nil {
		return nil, err
	}
	return o, nil
}

// commit records one file's outcome in the state, reports progress and
// writes a checkpoint when one is due. It returns false when the sync must
// stop (a checkpoint failed).
func (s *syncer) commit(c candidate, o *outcome, err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.res.Errors = append(s.res.Errors, FileError{Path: c.path, URL: c.origin(), Err: err})
	} else {
		s.record(c, o)
	}
	s.done++
	s.progress()
	s.sinceCkpt++
	if s.sinceCkpt >= s.opts.CheckpointEvery && s.checkpoint == nil {
		s.sinceCkpt = 0
		s.checkpoint = s.m.writeState(s.st)
	}
	return s.checkpoint == nil
}

// record updates the state for a file fetched and written. Called with
// s.mu held.
//
// The Op is relative to the last successful sync: a file that an
// interrupted sync (same seq) already added stays added, even when this
// resumed sync finds it unchanged since.
func (s *syncer) record(c candidate, o *outcome) {
	f := s.st.Files[c.path]
	if o.unchecked {
		s.unchecked++
	}
	if o.notModified {
		if o.etag != "" {
			f.ETag = o.etag
		}
		if o.lastMod != "" {
			f.LastModified = o.lastMod
		}
		return
	}
	sum := sha256.Sum256(o.data)
	hash := hex.EncodeToString(sum[:])
	switch {
	case f != nil && f.live() && f.SHA256 == hash:
		// Same content, perhaps a new time or new side files.
	case f == nil || (!f.live() && f.Seq != s.seq):
		f = &FileState{Seq: s.seq, Op: OpAdded}
		s.st.Files[c.path] = f
	case f.Seq == s.seq && f.live():
		// Added or changed earlier in this sync: keep what it was.
	default:
		f.Seq, f.Op = s.seq, OpChanged
	}
	updated := c.updated
	if updated.IsZero() {
		if t, err := http.ParseTime(o.lastMod); err == nil {
			updated = t.UTC()
		}
	}
	f.URL, f.Listing, f.Updated = c.origin(), c.listing, updated
	f.SHA256, f.Size = hash, int64(len(o.data))
	f.ETag, f.LastModified = o.etag, o.lastMod
}

// progress reports to Options.Progress. Called with s.mu held.
func (s *syncer) progress() {
	if s.opts.Progress != nil {
		s.opts.Progress(s.done, s.total)
	}
}

// removeUnlisted removes the files that no listing names any more. A file
// stays when its listing could not be read, or was read with problems (a
// line left out must not look like a removal), or when it came from a
// listing the source no longer has while another listing failed.
func (s *syncer) removeUnlisted(cands []candidate) {
	listed := make(map[string]bool, len(cands))
	for _, c := range cands {
		listed[c.path] = true
	}
	known := map[string]listingInfo{}
	allOK := true
	for _, l := range s.listings {
		known[l.url] = l
		allOK = allOK && l.ok && l.clean
	}
	for _, p := range sortedKeys(s.st.Files) {
		f := s.st.Files[p]
		if !f.live() || listed[p] {
			continue
		}
		if l, ok := known[f.Listing]; (ok && !(l.ok && l.clean)) || (!ok && !allOK) {
			continue
		}
		if err := s.m.remove(p); err != nil {
			s.res.Errors = append(s.res.Errors, FileError{Path: p, URL: f.URL, Err: fmt.Errorf("mirror: remove: %w", err)})
			continue
		}
		if f.Seq == s.seq && f.Op == OpAdded {
			delete(s.st.Files, p) // added and removed by this sync: never reported
			continue
		}
		f.Seq, f.Op = s.seq, OpRemoved
		f.ETag, f.LastModified = "", ""
	}
}

// finish records the sync as successful and builds the Result.
func (s *syncer) finish() (*Result, error) {
	r := &s.res
	r.Seq = s.seq
	for _, p := range sortedKeys(s.st.Files) {
		f := s.st.Files[p]
		switch {
		case f.Seq != s.seq:
			if f.live() {
				r.Count.Unchanged++
			}
		case f.Op == OpAdded:
			r.Count.Added++
			r.Changed = append(r.Changed, p)
		case f.Op == OpChanged:
			r.Count.Changed++
			r.Changed = append(r.Changed, p)
		case f.Op == OpRemoved:
			r.Count.Removed++
			r.Removed = append(r.Removed, p)
		}
	}
	for _, e := range r.Errors {
		if e.Path != "" {
			r.Count.Failed++
		}
	}
	if s.unchecked > 0 {
		r.Notices = append(r.Notices, Notice{Message: fmt.Sprintf("unsigned, no key configured: signatures of %d files not checked", s.unchecked)})
	}
	slices.SortFunc(r.Errors, func(a, b FileError) int { return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.URL, b.URL)) })
	slices.SortStableFunc(r.Notices, func(a, b Notice) int { return cmp.Compare(a.Path, b.Path) })
	r.Finished = s.opts.Now()

	s.st.Seq = s.seq
	s.st.LastSuccess = s.started
	s.st.LastError = ""
	s.st.LastCounts = r.Count
	if err := s.m.writeState(s.st); err != nil {
		return nil, err
	}
	return r, nil
}

// fail records err as the state's LastError, keeping what was fetched so
// far for the next sync, and returns it.
func (s *syncer) fail(err error) (*Result, error) {
	s.st.LastError = err.Error()
	if werr := s.m.writeState(s.st); werr != nil {
		err = errors.Join(err, werr)
	}
	return nil, err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
