package feed

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ward-health/ward/internal/feed/feedtest"
)

var cmpEquateEmpty = cmpopts.EquateEmpty()

func TestState_ChangedSince(t *testing.T) {
	t.Parallel()
	st := &State{Seq: 3, Files: map[string]*FileState{
		"a.json": {Seq: 1, Op: OpAdded},
		"b.json": {Seq: 2, Op: OpChanged},
		"c.json": {Seq: 3, Op: OpRemoved},
		"d.json": {Seq: 3, Op: OpAdded},
		"e.json": {Seq: 4, Op: OpChanged}, // an unfinished sync
	}}
	tests := []struct {
		since       uint64
		wantChanged []string
		wantRemoved []string
	}{
		{since: 0, wantChanged: []string{"a.json", "b.json", "d.json"}, wantRemoved: []string{"c.json"}},
		{since: 1, wantChanged: []string{"b.json", "d.json"}, wantRemoved: []string{"c.json"}},
		{since: 3},
	}
	for _, tt := range tests {
		changed, removed := st.ChangedSince(tt.since)
		if diff := cmp.Diff(tt.wantChanged, changed, cmpEquateEmpty); diff != "" {
			t.Errorf("ChangedSince(%d) changed (-want +got):\n%s", tt.since, diff)
		}
		if diff := cmp.Diff(tt.wantRemoved, removed, cmpEquateEmpty); diff != "" {
			t.Errorf("ChangedSince(%d) removed (-want +got):\n%s", tt.since, diff)
		}
	}
	if diff := cmp.Diff([]string{"a.json", "b.json", "d.json", "e.json"}, st.Live()); diff != "" {
		t.Errorf("Live() (-want +got):\n%s", diff)
	}
}

func TestReadState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content string // "" for no file
		wantErr error
	}{
		{name: "no state yet"},
		{name: "truncated", content: `{"version":1,"files":{`, wantErr: ErrState},
		{name: "other version", content: `{"version":9}`, wantErr: ErrState},
		{name: "path escaping the mirror", content: `{"version":1,"files":{"../x.json":{"seq":1,"op":"added"}}}`, wantErr: ErrState},
		{name: "trailing data", content: `{"version":1} {}`, wantErr: ErrState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tt.content != "" {
				if err := os.WriteFile(filepath.Join(dir, StateFile), []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			st, err := ReadState(dir)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("ReadState() error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (st.Seq != 0 || st.Files == nil) {
				t.Errorf("ReadState() = %+v, want an empty state", st)
			}
		})
	}
}

// TestSync_CorruptState checks that Sync stops on an unreadable state
// rather than report every file as new again.
func TestSync_CorruptState(t *testing.T) {
	t.Parallel()
	p := feedtest.NewProvider(t, csafTestdata)
	src, dir := providerSource(p), t.TempDir()
	mustSync(t, src, dir, providerOpts(p))
	if err := os.WriteFile(filepath.Join(dir, StateFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.ResetHits()
	if _, err := Sync(t.Context(), src, dir, providerOpts(p)); !errors.Is(err, ErrState) {
		t.Fatalf("Sync() error = %v, want %v", err, ErrState)
	}
	if n := p.Hits(feedtest.MetadataPath); n != 0 {
		t.Errorf("Sync() with a corrupt state made %d requests, want none", n)
	}
}

// TestSync_StateRecordsSuccess checks what the server reads back for
// "last success, last error, counts".
func TestSync_StateRecordsSuccess(t *testing.T) {
	t.Parallel()
	p := feedtest.NewProvider(t, csafTestdata)
	src, dir := providerSource(p), t.TempDir()
	res := mustSync(t, src, dir, providerOpts(p))
	st, err := ReadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := &State{
		Version: stateVersion, Source: "icsma", Kind: KindCSAFProvider, URL: p.MetadataURL(),
		Seq: 1, LastAttempt: fixedNow(), LastSuccess: fixedNow(), LastCounts: Counts{Added: 8},
	}
	if diff := cmp.Diff(want, st, cmpopts.IgnoreFields(State{}, "Files")); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	changed, removed := st.ChangedSince(0)
	if diff := cmp.Diff(res.Changed, changed); diff != "" || len(removed) > 0 {
		t.Errorf("ChangedSince(0) = %v, %v; want the Result's %v (-want +got):\n%s", changed, removed, res.Changed, diff)
	}
}
