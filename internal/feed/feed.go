package feed

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// Kinds of [Source].
const (
	// KindCSAFProvider is a CSAF 2.0 provider: URL is its
	// provider-metadata.json, its .well-known/csaf/ folder, or its bare
	// https://host, and Sync follows the metadata's distributions (ROLIE
	// feeds and directory_url).
	KindCSAFProvider = "csaf-provider"
	// KindCSAFDirectory is one CSAF directory distribution: URL is the
	// directory_url, holding changes.csv (else index.txt).
	KindCSAFDirectory = "csaf-directory"
	// KindURL is a single file fetched with conditional GET, such as the
	// KEV catalogue or an EPSS csv.gz. It is stored under its base name.
	KindURL = "url"
	// KindFolder is a local folder, for air-gapped sites: URL is its path
	// (or a file:// URL). Changed files are copied into the mirror, with
	// their .sha512, .sha256 and .asc.
	KindFolder = "folder"
)

// Source is one configured advisory source.
type Source struct {
	// ID names the source in messages and in the state file.
	ID string
	// Kind is one of KindCSAFProvider, KindCSAFDirectory, KindURL or
	// KindFolder.
	Kind string
	// URL locates the source; see the kinds.
	URL string
	// Keys holds armored OpenPGP public keys. When set, every CSAF file of
	// a provider or directory must carry an .asc signature by one of them;
	// in a folder, files with an .asc beside them are checked. When empty,
	// signatures are fetched and mirrored but not checked, and the Result
	// says so in a notice.
	Keys []string
}

// Validate reports whether s is complete and well-formed. Its errors wrap
// [ErrInvalidSource].
func (s Source) Validate() error {
	if s.ID == "" {
		return fmt.Errorf("feed: source: no id: %w", ErrInvalidSource)
	}
	switch s.Kind {
	case KindCSAFProvider, KindCSAFDirectory, KindURL:
		u, err := url.Parse(s.URL)
		if err != nil {
			return fmt.Errorf("feed: source %s: url: %w: %w", s.ID, ErrInvalidSource, err)
		}
		if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("feed: source %s: url %q: want an http(s) URL with a host: %w", s.ID, s.URL, ErrInvalidSource)
		}
		if s.Kind == KindURL {
			if _, err := urlFileName(u); err != nil {
				return fmt.Errorf("feed: source %s: %w: %w", s.ID, ErrInvalidSource, err)
			}
		}
	case KindFolder:
		if folderPath(s.URL) == "" {
			return fmt.Errorf("feed: source %s: no folder path: %w", s.ID, ErrInvalidSource)
		}
	default:
		return fmt.Errorf("feed: source %s: kind %q: want %s, %s, %s or %s: %w",
			s.ID, s.Kind, KindCSAFProvider, KindCSAFDirectory, KindURL, KindFolder, ErrInvalidSource)
	}
	return nil
}

// urlFileName is the name a KindURL file is mirrored under: the last
// element of its path.
func urlFileName(u *url.URL) (string, error) {
	name := path.Base(u.Path)
	if name == "." || name == "/" || !safeRel(name) {
		return "", fmt.Errorf("url %q names no file", u.Redacted())
	}
	return name, nil
}

// folderPath returns the local path of a KindFolder URL: a path, or a
// file:// URL.
func folderPath(s string) string {
	if rest, ok := strings.CutPrefix(s, "file://"); ok {
		return rest
	}
	return s
}

// Sentinel errors. File-level integrity failures wrap the advisory
// package's [advisory.ErrHashMismatch], [advisory.ErrSignature] and
// [advisory.ErrTooLarge] instead, so that one errors.Is works for files
// read from disk and files fetched.
var (
	// ErrInvalidSource means the Source is misconfigured (kind, URL, keys).
	// Retrying does not help: fix the configuration.
	ErrInvalidSource = errors.New("invalid source")
	// ErrInsecureURL means a URL is not https (and Options.AllowHTTP is
	// off), or a redirect changed the scheme. Nothing is fetched from it.
	ErrInsecureURL = errors.New("insecure url")
	// ErrListing means a listing (provider metadata, ROLIE feed,
	// changes.csv, index.txt, or the folder) could not be fetched or read;
	// the message names its URL. Nothing in the mirror changed because of
	// it: retry later, and tell the operator when it persists.
	ErrListing = errors.New("bad listing")
	// ErrEmptyListing means a listing came back empty while the mirror
	// holds files from it. Sync refuses to remove them all (an unmounted
	// folder or a broken provider looks like this); remove the mirror's
	// files by hand if the source really is empty now.
	ErrEmptyListing = errors.New("empty listing")
	// ErrTooManyFiles means a listing names more files than
	// Options.MaxFiles. The sync fails; raise the bound if the source is
	// genuine.
	ErrTooManyFiles = errors.New("too many files")
	// ErrStatus means an HTTP request got a status other than 200 (or 304
	// to a conditional request). Usually temporary.
	ErrStatus = errors.New("unexpected http status")
	// ErrState means the mirror's state file is unreadable. Sync stops
	// rather than fetch everything again; move the file away to start
	// afresh (every file is then reported again as added).
	ErrState = errors.New("unreadable sync state")
)

// Default bounds of [Options].
const (
	DefaultMaxFileSize     = 64 << 20
	DefaultMaxFiles        = 200_000
	DefaultConcurrency     = 4
	DefaultRequestTimeout  = 2 * time.Minute
	DefaultCheckpointEvery = 100
)

// Options tune a [Sync]. The zero value is usable: zero fields take their
// defaults.
type Options struct {
	// HTTPClient makes every request; nil means a client with no overall
	// timeout (RequestTimeout bounds each request). Sync uses a shallow
	// copy whose CheckRedirect refuses redirects that change the scheme,
	// then defers to the client's own CheckRedirect.
	HTTPClient *http.Client
	// Now is the clock for Result and state times; nil means time.Now.
	Now func() time.Time
	// Progress, when set, is called once the work is planned, with done 0,
	// and after each file, with the files done and the total to fetch. Calls
	// come one at a time, from Sync's goroutines.
	Progress func(done, total int)
	// MaxFileSize bounds each file and listing, in bytes
	// (DefaultMaxFileSize). A larger file is rejected and reported.
	MaxFileSize int64
	// MaxFiles bounds the files a source may list (DefaultMaxFiles).
	MaxFiles int
	// Concurrency is the number of parallel downloads (DefaultConcurrency).
	Concurrency int
	// RequestTimeout bounds each HTTP request, body included
	// (DefaultRequestTimeout).
	RequestTimeout time.Duration
	// CheckpointEvery is how many files are fetched between two writes of
	// the state file during a sync (DefaultCheckpointEvery). A killed sync
	// re-fetches at most that many files (plus those in flight).
	CheckpointEvery int
	// AllowHTTP permits plain-http URLs; meant for tests and closed
	// networks. Without it every URL, and every URL a listing names, must
	// be https.
	AllowHTTP bool
}

func (o Options) withDefaults() Options {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.MaxFiles <= 0 {
		o.MaxFiles = DefaultMaxFiles
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.CheckpointEvery <= 0 {
		o.CheckpointEvery = DefaultCheckpointEvery
	}
	return o
}

// Counts sums up a sync by file.
type Counts struct {
	// Added counts files new in the mirror.
	Added int `json:"added"`
	// Changed counts files whose content changed.
	Changed int `json:"changed"`
	// Unchanged counts files kept as they were, including those whose
	// update was rejected (see Failed and [Result.Errors]).
	Unchanged int `json:"unchanged"`
	// Removed counts files no longer listed, removed from the mirror.
	Removed int `json:"removed"`
	// Failed counts files that could not be fetched or were rejected.
	Failed int `json:"failed"`
}

// Result is what one [Sync] did.
type Result struct {
	// Source is the source's ID.
	Source string
	// Seq numbers the successful syncs of this mirror, from 1. Record it
	// with the re-match; [State.ChangedSince] answers from it.
	Seq uint64
	// Started and Finished are read from Options.Now.
	Started, Finished time.Time
	Count             Counts
	// Changed lists the files added or changed, as slash-separated paths
	// relative to the mirror, sorted. These are the files to re-read and
	// re-match.
	Changed []string
	// Removed lists the files removed from the mirror, sorted: their
	// advisories are gone.
	Removed []string
	// Errors lists the files (and listings) that failed; the mirror keeps
	// the previous good copy of each. Listing errors have no Path.
	Errors []FileError
	// Notices lists what an operator should know but is not a failure:
	// signatures not checked, listing lines left out, feeds not reachable.
	Notices []Notice
}

// FileError is a file or listing that failed in a sync.
type FileError struct {
	// Path is the file's path in the mirror ("" for a listing).
	Path string
	// URL is where it came from (a local path for folders).
	URL string
	// Err is the cause; it wraps a sentinel such as
	// [advisory.ErrHashMismatch], [advisory.ErrSignature],
	// [advisory.ErrTooLarge], [ErrStatus] or [ErrListing].
	Err error
}

func (e FileError) Error() string {
	name := e.Path
	if name == "" {
		name = e.URL
	}
	return name + ": " + e.Err.Error()
}

func (e FileError) Unwrap() error { return e.Err }

// Notice is something about a sync that is worth showing but is not an
// error.
type Notice struct {
	// Path is the file concerned, "" when it concerns the source.
	Path    string
	Message string
}
