package feed

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Names Sync reserves in a mirror. Both start with a dot, so that
// [advisory.Load] passes them over when it walks the mirror.
const (
	// StateFile is the name of the state file in a mirror.
	StateFile = ".ward-feed-state.json"
	// tmpDir holds files being written; it is emptied at the start of
	// every sync.
	tmpDir = ".ward-tmp"
)

// stateVersion is the version of the state file's layout.
const stateVersion = 1

// Op says what a sync did to a file.
type Op string

// The values of [Op].
const (
	OpAdded   Op = "added"
	OpChanged Op = "changed"
	OpRemoved Op = "removed"
)

// State is what a mirror remembers between syncs: the file Sync writes
// atomically (as [StateFile]) after the files it describes.
type State struct {
	Version int `json:"version"`
	// Source, Kind and URL are the source last synced into the mirror.
	Source string `json:"source"`
	Kind   string `json:"kind"`
	URL    string `json:"url"`
	// Seq is the number of the last successful sync (0: none yet).
	Seq uint64 `json:"seq"`
	// LastAttempt is when the last sync started; LastSuccess when the last
	// successful one did, and LastError why the last attempt failed ("" if
	// it did not).
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	// LastCounts are the counts of the last successful sync.
	LastCounts Counts `json:"last_counts"`
	// Files maps each file's slash-separated path in the mirror to what is
	// known of it. Removed files stay as tombstones (Op == OpRemoved), so
	// that [State.ChangedSince] can report them.
	Files map[string]*FileState `json:"files"`
}

// FileState is what a mirror remembers of one file.
type FileState struct {
	// URL is where the file came from (a local path for folders), and
	// Listing the listing that named it.
	URL     string `json:"url"`
	Listing string `json:"listing,omitempty"`
	// Updated is the file's time in its listing (changes.csv, ROLIE
	// "updated", the folder's modification time, or Last-Modified).
	Updated time.Time `json:"updated,omitzero"`
	// SHA256 and Size describe the content in the mirror.
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size"`
	// ETag and LastModified are the validators of the last response, sent
	// back in conditional requests.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Seq is the sync that last added, changed or removed the file, and Op
	// what it did. A Seq above State.Seq belongs to a sync that has not
	// finished yet (it was interrupted, and the next one completes it).
	Seq uint64 `json:"seq"`
	Op  Op     `json:"op"`
}

// live reports whether the file is in the mirror (not a tombstone).
func (f *FileState) live() bool { return f.Op != OpRemoved }

// ReadState reads the state of the mirror. A mirror never synced has an
// empty state (Seq 0). An unreadable state file wraps [ErrState].
func ReadState(mirror string) (*State, error) {
	data, err := os.ReadFile(filepath.Join(mirror, StateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &State{Version: stateVersion, Files: map[string]*FileState{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("feed: state: %w: %w", ErrState, err)
	}
	var st State
	if err := decodeJSON(data, &st); err != nil {
		return nil, fmt.Errorf("feed: state %s: %w: %w", filepath.Join(mirror, StateFile), ErrState, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("feed: state %s: version %d, want %d: %w", filepath.Join(mirror, StateFile), st.Version, stateVersion, ErrState)
	}
	if st.Files == nil {
		st.Files = map[string]*FileState{}
	}
	for p, f := range st.Files {
		if f == nil || !safeRel(p) {
			return nil, fmt.Errorf("feed: state %s: bad entry %q: %w", filepath.Join(mirror, StateFile), p, ErrState)
		}
	}
	return &st, nil
}

// ChangedSince lists the files that successful syncs after seq added or
// changed (changed) and removed (removed), sorted. A server that records
// the Seq it last re-matched asks this after a restart, so that a crash
// between a sync and its re-match loses nothing. Work of an unfinished sync
// (Seq above s.Seq) is not included: the next sync reports it.
func (s *State) ChangedSince(seq uint64) (changed, removed []string) {
	for p, f := range s.Files {
		if f.Seq <= seq || f.Seq > s.Seq {
			continue
		}
		if f.live() {
			changed = append(changed, p)
		} else {
			removed = append(removed, p)
		}
	}
	slices.Sort(changed)
	slices.Sort(removed)
	return changed, removed
}

// Live returns the paths of the files in the mirror, sorted.
func (s *State) Live() []string {
	var out []string
	for p, f := range s.Files {
		if f.live() {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}
