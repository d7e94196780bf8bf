package advisory

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ward-health/ward/internal/version"
)

// Sentinel errors of the readers. Each reaches the caller inside a
// [SourceError] naming the file.
var (
	// ErrUnknownFormat means a file is none of the formats ward reads; it is
	// reported and skipped.
	ErrUnknownFormat = errors.New("unknown advisory format")
	// ErrHashMismatch means a file's .sha512 (or .sha256) does not match its
	// content: the file is rejected, never read.
	ErrHashMismatch = errors.New("hash mismatch")
	// ErrSignature means an OpenPGP signature (.asc) did not verify against
	// the configured keys: the file is rejected.
	ErrSignature = errors.New("signature check failed")
	// ErrTooLarge means the input exceeds a safety bound (size, depth, count).
	ErrTooLarge = errors.New("input too large")
	// ErrInvalid means the document breaks its format's rules (schema,
	// required fields); the message says which.
	ErrInvalid = errors.New("invalid document")
)

// Options tune reading.
type Options struct {
	// Keys holds armored OpenPGP public keys. When set, a CSAF file with an
	// .asc beside it must verify against one of them.
	Keys []string
	// Progress, when set, is called after each file with the number done and
	// the total (total is 0 while the tree is still being walked).
	Progress func(done, total int)
}

// Set is everything read from the advisory paths of a scan.
type Set struct {
	Advisories []*Advisory
	KEV        KEV   // nil when no KEV was read
	EPSS       *EPSS // nil when no EPSS was read
	Errors     []SourceError
	// Skipped counts the files recognised as not advisories and passed over
	// on purpose: ROLIE feeds, provider metadata, CSAF changes.csv, JSON
	// schemas, the NVD API's CPE, match-string, history and source responses.
	Skipped int
}

// readerFunc reads one file's bytes in one format.
type readerFunc func(ctx context.Context, name string, data []byte, opts Options) ([]*Advisory, error)

// Safety bounds of the loader.
const (
	// maxFileSize bounds a file as stored (compressed or not).
	maxFileSize = 64 << 20
	// maxInflated bounds a gzip file's decompressed size: a zip-bomb guard.
	maxInflated = 256 << 20
)

// Load reads every advisory, KEV catalogue and EPSS file found under paths.
// Each path is a file or a directory tree, walked recursively; in a tree,
// hidden files and directories, signatures and checksums (.asc, .sig,
// .sha256, .sha512), documentation (.md, .txt, LICENSE, NOTICE, README,
// COPYING, AUTHORS) and anything but regular files are passed over, and
// symbolic links are followed only to files inside the tree.
//
// Every file is bounded in size (64 MiB stored, 256 MiB after gunzip; gzip is
// recognised by its magic bytes), checked by its .sha512/.sha256/.asc
// neighbours, and then read in the format its content shows: CSAF 2.0, CVE
// JSON 5, NVD API 2.0, OSV, CISA KEV (JSON or CSV) or FIRST EPSS (CSV).
// Files that are known not to be advisories are counted in [Set.Skipped].
//
// A file that cannot be read becomes a [SourceError] in [Set.Errors] and
// loading goes on. Load fails only when ctx ends. Files are read in parallel
// (GOMAXPROCS workers), but the result does not depend on the order:
// advisories are sorted by Source then ID, and when the same advisory (same
// format and ID) comes from several files the one updated last is kept. The
// same CVE from different formats (a CVE record and an NVD entry) stays twice:
// the sources say different things about it. KEV catalogues are merged (a
// CVE listed in several keeps the entry added last); of several EPSS files
// the one with the latest score date is kept, since scores of different days
// do not mix.
func Load(ctx context.Context, paths []string, opts Options) (*Set, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	jobs := make(chan loadJob)
	results := make(chan loadResult)
	var (
		walked   atomic.Int64 // files sent to the workers
		walkDone atomic.Bool
		roots    []*os.Root // opened by the walker, closed when all are done
		wg       sync.WaitGroup
	)
	send := func(r loadResult) {
		select {
		case results <- r:
		case <-ctx.Done():
		}
	}
	wg.Go(func() {
		defer close(jobs)
		defer walkDone.Store(true)
		roots = walkPaths(ctx, paths, func(j loadJob) bool {
			select {
			case jobs <- j:
				walked.Add(1)
				return true
			case <-ctx.Done():
				return false
			}
		}, send)
	})
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain
				}
				r := loadFile(ctx, j, opts)
				r.counted = true
				send(r)
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var all []loadResult
	done, lastTotal := 0, -1
	for r := range results {
		all = append(all, r)
		if !r.counted {
			continue
		}
		done++
		if opts.Progress != nil {
			lastTotal = 0
			if walkDone.Load() {
				lastTotal = int(walked.Load())
			}
			opts.Progress(done, lastTotal)
		}
	}
	for _, r := range roots {
		r.Close()
	}
	if opts.Progress != nil && done > 0 && lastTotal != done {
		opts.Progress(done, done)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("advisory: load: %w", err)
	}
	return assemble(all), nil
}

// loadJob is one file to read. Files found in a walked tree are opened
// through root, so that no symbolic link leads out of the tree.
type loadJob struct {
	path string   // the name reported as Source
	root *os.Root // nil for a file named directly
	rel  string   // the name inside root
}

// loadResult is what one file gave.
type loadResult struct {
	path       string
	advisories []*Advisory
	kev        KEV
	epss       *EPSS
	skipped    bool
	err        error
	counted    bool // a file (not a walk error): counts for progress
}

// walkPaths sends every file under paths to job, in a stable order, and
// reports what cannot be walked through fail. It stops when job returns
// false. It returns the roots it opened; the caller closes them once the jobs
// are done.
func walkPaths(ctx context.Context, paths []string, job func(loadJob) bool, fail func(loadResult)) []*os.Root {
	var roots []*os.Root
	for _, p := range paths {
		if ctx.Err() != nil {
			return roots
		}
		info, err := os.Stat(p)
		if err != nil {
			fail(loadResult{path: p, err: err})
			continue
		}
		if !info.IsDir() {
			if !job(loadJob{path: p}) {
				return roots
			}
			continue
		}
		root, err := os.OpenRoot(p)
		if err != nil {
			fail(loadResult{path: p, err: err})
			continue
		}
		roots = append(roots, root)
		stopped := false
		err = fs.WalkDir(root.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
			full := filepath.Join(p, filepath.FromSlash(rel))
			if err != nil {
				fail(loadResult{path: full, err: err})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			name := d.Name()
			if d.IsDir() {
				if rel != "." && strings.HasPrefix(name, ".") {
					return fs.SkipDir
				}
				return nil
			}
			if skipName(name) {
				return nil
			}
			switch {
			case d.Type().IsRegular():
			case d.Type()&fs.ModeSymlink != 0:
				// Root.Stat follows the link and refuses one that leaves the tree.
				fi, err := root.Stat(rel)
				if err != nil {
					fail(loadResult{path: full, err: fmt.Errorf("symbolic link: %w", err)})
					return nil
				}
				if !fi.Mode().IsRegular() {
					return nil
				}
			default:
				return nil // devices, sockets, pipes
			}
			if !job(loadJob{path: full, root: root, rel: rel}) {
				stopped = true
				return fs.SkipAll
			}
			return nil
		})
		if err != nil {
			fail(loadResult{path: p, err: err})
		}
		if stopped {
			return roots
		}
	}
	return roots
}

// skipName reports whether a file found in a tree is passed over by its name:
// hidden files, signatures, checksums and documentation (by extension, or
// names starting LICENSE, NOTICE, COPYING, README, AUTHORS).
func skipName(name string) bool {
	if strings.HasPrefix(name, ".") {
		return true
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case ".asc", ".sig", ".sha256", ".sha512", ".md", ".txt":
		return true
	}
	upper := strings.ToUpper(name)
	for _, doc := range []string{"LICENSE", "LICENCE", "NOTICE", "COPYING", "README", "AUTHORS"} {
		if strings.HasPrefix(upper, doc) {
			return true
		}
	}
	return false
}

// loadFile reads, checks and parses one file.
func loadFile(ctx context.Context, j loadJob, opts Options) loadResult {
	res := loadResult{path: j.path}
	raw, err := readBounded(j)
	if err != nil {
		res.err = err
		return res
	}
	// Digests are checked for every file; signatures only for CSAF, the one
	// format whose providers sign each document (KEV, EPSS and CVE records
	// come unsigned).
	if err := checkIntegrity(j.path, raw, Options{}); err != nil {
		res.err = err
		return res
	}
	data, err := inflate(raw, maxInflated)
	if err != nil {
		res.err = err
		return res
	}
	res.advisories, res.kev, res.epss, res.skipped, res.err = readData(ctx, j.path, data, opts)
	if res.err == nil && len(opts.Keys) > 0 && len(res.advisories) > 0 && res.advisories[0].Format == "csaf" {
		if err := integritySignature(j.path, raw, opts.Keys); err != nil {
			res.advisories, res.err = nil, err
		}
	}
	return res
}

// readBounded reads a file of at most maxFileSize bytes.
func readBounded(j loadJob) ([]byte, error) {
	var (
		f   *os.File
		err error
	)
	if j.root != nil {
		f, err = j.root.Open(j.rel)
	} else {
		f, err = os.Open(j.path)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file", ErrInvalid)
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrTooLarge, fi.Size(), maxFileSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxFileSize)
	}
	return data, nil
}

// isGzip reports whether data starts with the gzip magic bytes.
func isGzip(data []byte) bool {
	return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b
}

// inflate gunzips data when it is gzip, up to limit bytes (maxInflated when
// loading), and returns anything else unchanged.
func inflate(data []byte, limit int) ([]byte, error) {
	if !isGzip(data) {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if len(out) > limit {
		return nil, fmt.Errorf("gzip: %w: more than %d bytes decompressed", ErrTooLarge, limit)
	}
	return out, nil
}

// readData reads one file's (decompressed) content in the format it shows.
// skipped is true for files that are known not to be advisories.
func readData(ctx context.Context, name string, data []byte, opts Options) (advs []*Advisory, kev KEV, epss *EPSS, skipped bool, err error) {
	f, err := detectFormat(data)
	if err != nil {
		return nil, nil, nil, false, err
	}
	var read readerFunc
	switch f {
	case formatSkip:
		return nil, nil, nil, true, nil
	case formatCSAF:
		read = ReadCSAF
	case formatCVE5:
		read = ReadCVE5
	case formatNVD:
		read = ReadNVD
	case formatOSV:
		read = ReadOSV
	case formatKEV:
		kev, err = ReadKEV(ctx, name, data)
		return nil, kev, nil, false, err
	case formatEPSS:
		epss, err = ReadEPSS(ctx, name, bytes.NewReader(data))
		return nil, nil, epss, false, err
	default:
		return nil, nil, nil, false, ErrUnknownFormat
	}
	advs, err = read(ctx, name, data, opts)
	return advs, nil, nil, false, err
}

// assemble builds the Set from the files' results, whatever order they came
// in.
func assemble(all []loadResult) *Set {
	slices.SortStableFunc(all, func(a, b loadResult) int { return strings.Compare(a.path, b.path) })
	set := &Set{Advisories: []*Advisory{}}
	type key struct{ format, id string }
	kept := map[key]int{}
	for _, r := range all {
		if r.err != nil {
			set.Errors = append(set.Errors, SourceError{Source: r.path, Message: r.err.Error()})
			continue
		}
		if r.skipped {
			set.Skipped++
			continue
		}
		for _, a := range r.advisories {
			k := key{a.Format, a.ID}
			i, dup := kept[k]
			if !dup {
				kept[k] = len(set.Advisories)
				set.Advisories = append(set.Advisories, a)
			} else if a.Updated.After(set.Advisories[i].Updated) {
				set.Advisories[i] = a
			}
		}
		if r.kev != nil {
			if set.KEV == nil {
				set.KEV = KEV{}
			}
			for id, e := range r.kev {
				if old, ok := set.KEV[id]; !ok || !e.DateAdded.Before(old.DateAdded) {
					set.KEV[id] = e
				}
			}
		}
		if r.epss != nil && (set.EPSS == nil || !r.epss.Date.Before(set.EPSS.Date)) {
			set.EPSS = r.epss
		}
	}
	slices.SortFunc(set.Advisories, func(a, b *Advisory) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), strings.Compare(a.ID, b.ID), strings.Compare(a.Format, b.Format))
	})
	slices.SortStableFunc(set.Errors, func(a, b SourceError) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), strings.Compare(a.Message, b.Message))
	})
	return set
}

// format is what detectFormat found a file to be.
type format int

const (
	formatUnknown format = iota
	formatSkip           // known, and not an advisory
	formatCSAF
	formatCVE5
	formatNVD
	formatOSV
	formatKEV
	formatEPSS
)

// seen records that a JSON key is present without keeping its value.
type seen bool

// UnmarshalJSON records the key as present.
func (s *seen) UnmarshalJSON([]byte) error { *s = true; return nil }

// object records that a JSON key holds an object.
type object bool

// UnmarshalJSON records whether the value is an object.
func (o *object) UnmarshalJSON(b []byte) error {
	*o = len(b) > 0 && b[0] == '{'
	return nil
}

// firstItem looks at the first element of a JSON array: NVD responses hold
// objects with a "cve" object, the KEV catalogue objects with a "cveID".
type firstItem struct {
	cveObject bool
	cveID     bool
}

// UnmarshalJSON reads the keys of the array's first element.
func (f *firstItem) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') || !dec.More() {
		return nil
	}
	var first map[string]json.RawMessage
	if err := dec.Decode(&first); err != nil {
		return nil // not an object: neither
	}
	if raw, ok := first["cve"]; ok && len(raw) > 0 && raw[0] == '{' {
		f.cveObject = true
	}
	_, f.cveID = first["cveID"]
	return nil
}

// probe holds the top-level keys detectFormat looks at.
type probe struct {
	Document         object    `json:"document"`
	DataType         string    `json:"dataType"`
	CVEMetadata      object    `json:"cveMetadata"`
	Format           string    `json:"format"`
	Vulnerabilities  firstItem `json:"vulnerabilities"`
	CVE              object    `json:"cve"`
	CatalogVersion   string    `json:"catalogVersion"`
	ID               string    `json:"id"`
	SchemaVersion    seen      `json:"schema_version"`
	Modified         seen      `json:"modified"`
	Affected         seen      `json:"affected"`
	SourceIdentifier seen      `json:"sourceIdentifier"`
	VulnStatus       seen      `json:"vulnStatus"`
	Configurations   seen      `json:"configurations"`
	Descriptions     seen      `json:"descriptions"`
	Feed             seen      `json:"feed"`
	Service          seen      `json:"service"`
	Categories       seen      `json:"categories"`
	MetadataVersion  seen      `json:"metadata_version"`
	CanonicalURL     seen      `json:"canonical_url"`
	Aggregator       seen      `json:"aggregator"`
	Schema           seen      `json:"$schema"`
	Properties       seen      `json:"properties"`
	Defs             seen      `json:"$defs"`
	Definitions      seen      `json:"definitions"`
}

// detectFormat tells the format of a file from its content, never from its
// name. A JSON document that does not parse is an ErrInvalid error.
func detectFormat(data []byte) (format, error) {
	data = trimBOM(data)
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return formatUnknown, fmt.Errorf("%w: empty file", ErrUnknownFormat)
	}
	if trimmed[0] != '{' {
		if trimmed[0] == '[' {
			return formatUnknown, fmt.Errorf("%w: a JSON array", ErrUnknownFormat)
		}
		return detectText(trimmed)
	}
	var p probe
	if err := json.Unmarshal(data, &p); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return formatUnknown, jsonError(data, err)
		}
		// A key of an unexpected type: the probe holds what it could read.
	}
	switch {
	case bool(p.Document):
		return formatCSAF, nil // ReadCSAF names what a CSAF document lacks
	case p.DataType == "CVE_RECORD" || bool(p.CVEMetadata):
		return formatCVE5, nil
	case p.Format == "NVD_CVE" || p.Vulnerabilities.cveObject:
		return formatNVD, nil
	case strings.HasPrefix(p.Format, "NVD_"):
		return formatSkip, nil // CPE dictionary, match strings, history, sources
	case p.CatalogVersion != "" || p.Vulnerabilities.cveID:
		return formatKEV, nil
	case bool(p.CVE) && p.ID == "":
		return formatNVD, nil // one NVD item: {"cve": {...}}
	case p.ID != "" && !bool(p.SourceIdentifier) && bool(p.SchemaVersion || p.Modified || p.Affected):
		return formatOSV, nil
	case strings.HasPrefix(p.ID, "CVE-") && bool(p.SourceIdentifier || p.VulnStatus || p.Configurations || p.Descriptions):
		return formatNVD, nil // a bare NVD CVE item
	case bool(p.Feed || p.Service || p.Categories):
		return formatSkip, nil // ROLIE feed, service or category document
	case bool(p.MetadataVersion && p.CanonicalURL) || bool(p.Aggregator && p.CanonicalURL):
		return formatSkip, nil // CSAF provider-metadata.json, aggregator.json
	case bool(p.Schema && (p.Properties || p.Defs || p.Definitions)):
		return formatSkip, nil // a JSON schema
	}
	return formatUnknown, fmt.Errorf("%w: JSON with none of the keys of CSAF, CVE 5, NVD, OSV or KEV", ErrUnknownFormat)
}

// detectText tells the CSV formats apart by their first line.
func detectText(data []byte) (format, error) {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSpace(line)
	if bytes.HasPrefix(line, []byte("#model_version")) || bytes.HasPrefix(line, []byte("#score_date")) {
		return formatEPSS, nil
	}
	header := strings.Split(string(line), ",")
	for i := range header {
		header[i] = strings.Trim(strings.TrimSpace(header[i]), `"`)
	}
	lower := make([]string, len(header))
	for i, h := range header {
		lower[i] = strings.ToLower(h)
	}
	switch {
	case slices.Contains(lower, "cveid") && slices.Contains(lower, "vendorproject"):
		return formatKEV, nil
	case epssColumn(lower, epssCVENames) >= 0 && epssColumn(lower, epssScoreNames) >= 0:
		return formatEPSS, nil
	case len(header) == 2 && strings.HasSuffix(lower[0], ".json"):
		if _, err := time.Parse(time.RFC3339, header[1]); err == nil {
			return formatSkip, nil // a CSAF directory's changes.csv
		}
	}
	return formatUnknown, fmt.Errorf("%w: not JSON, and not a KEV or EPSS CSV", ErrUnknownFormat)
}

// The helpers below are shared by the readers.

// utf8BOM is the byte order mark some Windows tools write first.
const utf8BOM = "\ufeff"

// trimBOM removes a leading UTF-8 byte order mark.
func trimBOM(data []byte) []byte {
	if len(data) >= len(utf8BOM) && string(data[:len(utf8BOM)]) == utf8BOM {
		return data[len(utf8BOM):]
	}
	return data
}

// decodeJSON decodes data into v. It rejects trailing data and names the line
// and column, or the field, of an error. Unknown fields are ignored: CVE 5,
// NVD, OSV and KEV all grow fields, and ward reads only what it models.
func decodeJSON(data []byte, v any) error {
	data = trimBOM(data)
	if err := json.Unmarshal(data, v); err != nil {
		return jsonError(data, err)
	}
	return nil
}

// jsonError turns a decoding error into one that names the place.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := se.Offset - 1 // the offending byte
		if strings.HasPrefix(se.Error(), "unexpected end") {
			off = se.Offset // the end came too early: point just past it
		}
		line, col := position(data, off)
		return fmt.Errorf("%w: line %d, column %d: %w", ErrInvalid, line, col, err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line, col := position(data, te.Offset-1)
		field := te.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Errorf("%w: %s: line %d, column %d: a JSON %s where %s belongs", ErrInvalid, field, line, col, te.Value, te.Type)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated JSON: %w", ErrInvalid, err)
	}
	return fmt.Errorf("%w: %w", ErrInvalid, err)
}

// position returns the 1-based line and column of the byte at offset off.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// parseTime reads the timestamps the feeds write: RFC 3339, RFC 3339 without
// a zone (NVD, some CVE records: taken as UTC), "+0000" zones (EPSS) and
// plain dates. The empty string is the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	var firstErr error
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700", time.DateOnly} {
		t, err := time.Parse(layout, s)
		if err == nil {
			return t.UTC(), nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return time.Time{}, firstErr
}

// clip collapses white space and cuts s to at most n runes, ending a cut
// text with "…".
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if cut == n-1 {
			return strings.TrimSpace(s[:i]) + "…"
		}
		cut++
	}
	return s
}

// Lengths of the texts the readers keep.
const (
	maxTitle   = 200
	maxSummary = 1000
)

// cvssRank orders CVSS versions by preference: 3.x, then 4.0, then 2.0.
type cvssRank int

const (
	cvssNone cvssRank = iota
	cvssV2
	cvssV4
	cvssV3
)

// cvssBest keeps the preferred CVSS score offered: the best-ranked version,
// a primary source before others, then the highest score.
type cvssBest struct {
	rank    cvssRank
	primary bool
	score   float64
	vector  string
}

// offer considers one score. A score outside 0..10 counts as none given.
func (b *cvssBest) offer(rank cvssRank, primary bool, score float64, vector string) {
	if !(score >= 0 && score <= 10) {
		score = 0
	}
	if rank == cvssNone || (score == 0 && vector == "") {
		return
	}
	better := cmp.Or(cmp.Compare(rank, b.rank), compareBool(primary, b.primary), cmp.Compare(score, b.score))
	if better > 0 {
		*b = cvssBest{rank: rank, primary: primary, score: score, vector: strings.TrimSpace(vector)}
	}
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// span is an interval of versions as a source states it, before it becomes
// a [Range]. CVE 5 (version, lessThan, lessThanOrEqual), NVD (versionStart…,
// versionEnd…) and OSV (introduced, fixed, last_affected) all say it this way.
type span struct {
	from     string // lower bound; "", "0", "*" or a word without digits: from the first version
	fromExcl bool   // from itself is outside the span (NVD versionStartExcluding)
	to       string // upper bound; "" or "*": none
	toIncl   bool   // to itself is inside the span (lessThanOrEqual, last_affected)
	scheme   string // Range.Scheme; "git" spans are never compared
}

// toRange turns the span into a Range with status st.
//
//   - A "git" span (commit hashes) cannot be ordered: it becomes a Range with
//     only Text, so a match on it is only ever "possible".
//   - An upper bound that is a wildcard ("5.10.*", CVE 5) ends the branch:
//     it becomes Fixed at the next branch ("5.11").
//   - An upper bound that is no version ("publication", "unspecified",
//     "V3.2 SP1": see [versionToken]; the source does not say where the flaw
//     ends) keeps the lower bound and marks the Range Qualified, so that
//     every version from the lower bound on is a "possible" match, never a
//     certain one. A lower bound with digits that is no version does the
//     same from the first version on; one without digits ("unspecified",
//     "n/a") simply means from the first version.
//   - "From the first version to *", affected, marks the Range Qualified:
//     the source does not know which versions are affected.
//   - An exclusive lower bound has no field of its own: it is written as a
//     vers range (scheme "generic" unless the span has one).
//
// Text keeps the source's bounds whenever the Range is not a plain copy of
// them.
func (s span) toRange(st Status) Range {
	r := Range{Status: st, Scheme: s.scheme}
	if s.scheme == "git" {
		r.Text = "git: " + s.text()
		return r
	}
	from, fromOK := lowerBound(s.from)
	to, toIncl, toOK, bumped := upperBound(s.to, s.toIncl)
	// "0" to "*", affected (CISA ADP's way to list a product it could not pin
	// down: "windows_10", every version) says only that some versions are
	// affected: every version is a "possible" match, never a certain one.
	unbounded := strings.TrimSpace(s.to) == "*" && from == "" && fromOK && st == StatusKnownAffected
	if !fromOK || !toOK || bumped || unbounded {
		r.Text = s.text()
	}
	r.Qualified = !fromOK || !toOK || unbounded
	if !fromOK {
		from = ""
	}
	if s.fromExcl && from != "" {
		scheme := s.scheme
		if scheme == "" {
			scheme = "generic"
		}
		r.Vers = "vers:" + scheme + "/>" + from
		if to != "" {
			op := "<"
			if toIncl {
				op = "<="
			}
			r.Vers += "|" + op + to
		}
		return r
	}
	r.Introduced = from
	switch {
	case to == "":
	case toIncl:
		r.LastAffected = to
	default:
		r.Fixed = to
	}
	r.All = from == "" && to == ""
	return r
}

// empty reports whether the span holds no version at all: it ends, exclusive,
// where it starts ("2022 su3" < "2022 su3").
func (s span) empty() bool {
	to := strings.TrimSpace(s.to)
	return to != "" && !s.toIncl && to == strings.TrimSpace(s.from)
}

// text renders the span as the source gave it: ">= 1.0, < publication".
func (s span) text() string {
	var parts []string
	if f := strings.TrimSpace(s.from); f != "" {
		op := ">="
		if s.fromExcl {
			op = ">"
		}
		parts = append(parts, op+" "+f)
	}
	if t := strings.TrimSpace(s.to); t != "" {
		op := "<"
		if s.toIncl {
			op = "<="
		}
		parts = append(parts, op+" "+t)
	}
	if len(parts) == 0 {
		return "*"
	}
	return strings.Join(parts, ", ")
}

// lowerBound reads a lower bound. A bound without digits ("0" aside: "*",
// "unspecified", "n/a", "earlier") means from the first version. ok is false
// for a bound that has digits but is no version ("9.1 < 9.1.14").
func lowerBound(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if w, ok := cutWildcard(v); ok {
		v = w
	}
	if v == "" || v == "0" || !hasDigit(v) {
		return "", true
	}
	return v, versionToken(v)
}

// upperBound reads an upper bound: "" or "*" is none, a wildcard is the next
// branch (bumped), anything that is no version is not ok.
func upperBound(v string, incl bool) (to string, toIncl, ok, bumped bool) {
	v = strings.TrimSpace(v)
	if v == "" || v == "*" {
		return "", false, true, false
	}
	if w, isWild := cutWildcard(v); isWild {
		next, ok := nextBranch(w)
		return next, false, ok, ok
	}
	if !versionToken(v) {
		return "", false, false, false
	}
	return v, incl, true, false
}

// cutWildcard removes a trailing ".*" or ".x" ("5.10.*" -> "5.10").
func cutWildcard(v string) (string, bool) {
	for _, suffix := range []string{".*", ".x", ".X"} {
		if w, ok := strings.CutSuffix(v, suffix); ok && w != "" {
			return w, true
		}
	}
	return v, false
}

// nextBranch returns the first version after the branch v: "5.10" -> "5.11".
func nextBranch(v string) (string, bool) {
	i := strings.LastIndexByte(v, '.')
	n, err := strconv.ParseUint(v[i+1:], 10, 32)
	if err != nil {
		return "", false
	}
	return v[:i+1] + strconv.FormatUint(n+1, 10), true
}

func hasDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}

// versionToken reports whether s is one version as a structured field gives
// it: a digit, no white space, and a letter or digit first ("4.2.2+incompatible",
// "0:1.3.11.1-7.el7_9", "R3.2.0"; not "V3.2 SP2", "<= 2.3", "publication").
// Whether it compares with a subject's version is for the matcher to find.
func versionToken(s string) bool {
	if s == "" || !hasDigit(s) || strings.ContainsFunc(s, unicode.IsSpace) {
		return false
	}
	c := s[0]
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// exactRanges turns one version the source names on its own into ranges:
// a version is an Exact range, anything else (vendor words such as "All
// versions", "<= 2.3", "n/a") goes through [ParseVersionText]; a git commit is
// kept as Text only.
func exactRanges(v string, st Status, scheme string) []Range {
	v = strings.TrimSpace(v)
	if scheme == "git" {
		return []Range{{Status: st, Scheme: scheme, Text: "git: " + v}}
	}
	if versionToken(v) {
		return []Range{{Status: st, Exact: []string{v}, Scheme: scheme}}
	}
	rs := ParseVersionText(v, st)
	for i := range rs {
		if rs[i].Scheme == "" {
			rs[i].Scheme = scheme
		}
	}
	return rs
}

// sortVersions sorts vs by version when every pair compares; otherwise it
// leaves the order the source gave. It reports whether it sorted.
func sortVersions[T any](vs []T, key func(T) string) bool {
	comparable := true
	for _, v := range vs {
		if k := key(v); k != "0" && !version.Comparable(k) {
			comparable = false
		}
	}
	if !comparable {
		return false
	}
	sorted := slices.Clone(vs)
	slices.SortStableFunc(sorted, func(a, b T) int {
		ka, kb := key(a), key(b)
		switch {
		case ka == kb:
			return 0
		case ka == "0":
			return -1
		case kb == "0":
			return 1
		}
		c, ok := version.Compare(ka, kb)
		if !ok {
			comparable = false
		}
		return c
	})
	if comparable {
		copy(vs, sorted)
	}
	return comparable
}
