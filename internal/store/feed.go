package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/scan"
)

// Feeds stores the advisory sources a node syncs, and applies the re-match
// that follows a sync. Feeds belong to the node, not to an organisation:
// every organisation's inventory is matched against what they bring.
type Feeds interface {
	// AddFeed stores f with a new ID and CreatedAt and returns it. It
	// returns ErrInvalid when f fails [Feed.Validate] and ErrConflict when
	// another feed has the same name.
	AddFeed(ctx context.Context, f Feed) (Feed, error)
	// Feed returns the feed with id, or ErrNotFound.
	Feed(ctx context.Context, id string) (Feed, error)
	// ListFeeds pages through the feeds by name.
	ListFeeds(ctx context.Context, opts ListOptions) (Page[Feed], error)
	// SetFeedEnabled turns a feed's schedule on or off and returns the
	// feed, or ErrNotFound.
	SetFeedEnabled(ctx context.Context, id string, enabled bool) (Feed, error)
	// RemoveFeed deletes the feed, or returns ErrNotFound. Findings of its
	// advisories stay until the next re-match resolves them.
	RemoveFeed(ctx context.Context, id string) error
	// RecordFeedAttempt notes the outcome of a sync and returns the feed. A
	// successful attempt (a.Err == "") sets LastSuccess, clears LastError
	// and stores a.Counts and a.Seq; a failed one sets LastError and keeps
	// the rest. Both set LastAttempt. It returns ErrNotFound, or ErrInvalid
	// without a.At.
	RecordFeedAttempt(ctx context.Context, id string, a FeedAttempt) (Feed, error)
	// SyncAdvisoryFindings is [Findings.SyncFindings] limited to the
	// advisories named: items are the findings of a scan of org's whole
	// inventory against those advisories only. Findings of other advisories
	// are not touched; live findings of the named advisories that items
	// lack are resolved. Every item's advisory must be among advisories
	// (else ErrInvalid). It runs in one transaction.
	SyncAdvisoryFindings(ctx context.Context, org string, advisories []string, items []scan.Item, now time.Time) (SyncCounts, error)
	// AssetsVersion returns a value that changes whenever org's assets
	// change (an asset added, updated or deleted), so that a cache of the
	// inventory (the engine's match index) knows when to rebuild. An
	// unknown organisation has the version of an empty inventory.
	AssetsVersion(ctx context.Context, org string) (string, error)
}

// FeedKind is the kind of source a feed reads.
type FeedKind string

// The feed kinds.
const (
	FeedCSAF   FeedKind = "csaf"   // a CSAF 2.0 provider (provider-metadata.json)
	FeedFolder FeedKind = "folder" // a local folder of advisories, for air-gapped sites
	FeedKEV    FeedKind = "kev"    // CISA's Known Exploited Vulnerabilities catalogue
	FeedEPSS   FeedKind = "epss"   // FIRST EPSS scores (csv or csv.gz)
	FeedCVE5   FeedKind = "cve5"   // CVE JSON 5 records
)

// FeedKinds lists every feed kind.
var FeedKinds = []FeedKind{FeedCSAF, FeedFolder, FeedKEV, FeedEPSS, FeedCVE5}

// Bounds of a feed's schedule.
const (
	MinFeedInterval     = time.Minute
	DefaultFeedInterval = 6 * time.Hour
)

// Feed is a configured advisory source and how its syncs went.
type Feed struct {
	ID   string
	Name string // unique
	Kind FeedKind
	// URL locates a remote source (https); Path a local folder or file.
	// Exactly one is set; a folder feed has a Path.
	URL  string
	Path string
	// Keys holds armored OpenPGP public keys that CSAF signatures must
	// verify against; empty means signatures are not checked.
	Keys []string
	// Interval is how often the schedule syncs the feed.
	Interval  time.Duration
	Enabled   bool
	CreatedAt time.Time

	// LastAttempt, LastSuccess and LastError describe the latest syncs.
	LastAttempt time.Time
	LastSuccess time.Time
	LastError   string // "" when the last attempt succeeded
	// Counts are those of the last successful sync.
	Counts FeedCounts
	// Seq is the mirror's sync number whose changes the findings reflect
	// (see feed.State.ChangedSince).
	Seq uint64
}

// FeedCounts sum up a sync.
type FeedCounts struct {
	Added      int `json:"added"`      // advisories new to the catalog
	Changed    int `json:"changed"`    // advisories whose document changed
	Removed    int `json:"removed"`    // advisories gone from the source
	Failed     int `json:"failed"`     // files rejected (hash, signature) or not fetched
	Advisories int `json:"advisories"` // advisories the feed holds after the sync
}

// FeedAttempt is the outcome of one sync, for [Feeds.RecordFeedAttempt].
type FeedAttempt struct {
	At     time.Time // when the sync started
	Err    string    // why it failed; "" on success
	Counts FeedCounts
	Seq    uint64
}

// Validate reports the first field of f that is empty or out of range.
func (f *Feed) Validate() error {
	if err := CheckText("name", f.Name, true, MaxName); err != nil {
		return err
	}
	if !slices.Contains(FeedKinds, f.Kind) {
		return fmt.Errorf("%w: kind %q: want one of %v", ErrInvalid, f.Kind, FeedKinds)
	}
	switch {
	case f.URL != "" && f.Path != "":
		return fmt.Errorf("%w: url and path: give one", ErrInvalid)
	case f.URL == "" && f.Path == "":
		return fmt.Errorf("%w: url or path: required", ErrInvalid)
	case f.Kind == FeedFolder && f.Path == "":
		return fmt.Errorf("%w: path: required for a %s feed", ErrInvalid, FeedFolder)
	case f.URL != "" && !strings.HasPrefix(f.URL, "https://") && !strings.HasPrefix(f.URL, "http://"):
		return fmt.Errorf("%w: url %q: want an https URL", ErrInvalid, f.URL)
	case f.Interval < MinFeedInterval:
		return fmt.Errorf("%w: interval %v: want at least %v", ErrInvalid, f.Interval, MinFeedInterval)
	}
	return cmp.Or(CheckText("url", f.URL, false, MaxText), CheckText("path", f.Path, false, MaxText))
}
