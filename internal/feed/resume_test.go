package feed

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/feed/feedtest"
)

// pending returns the files an unfinished sync recorded in the state.
func pending(tb testing.TB, dir string) map[string]bool {
	tb.Helper()
	st, err := ReadState(dir)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]bool{}
	for p, f := range st.Files {
		if f.Seq > st.Seq {
			out[p] = true
		}
	}
	return out
}

// resumeCase is a sync interrupted after stopAfter files, with a
// checkpoint every checkpointEvery files (0: the default), after a clean
// first sync and changes to `changes` documents when changes > 0.
type resumeCase struct {
	name            string
	stopAfter       int
	checkpointEvery int
	changes         int
}

var resumeCases = []resumeCase{
	{name: "first sync, stopped after 1 file, checkpoint every file", stopAfter: 1, checkpointEvery: 1},
	{name: "first sync, stopped after 5 files, checkpoint every file", stopAfter: 5, checkpointEvery: 1},
	{name: "first sync, stopped after 3 files, default checkpoints", stopAfter: 3},
	{name: "update of 4, stopped after 2, checkpoint every file", stopAfter: 2, checkpointEvery: 1, changes: 4},
	{name: "update of 4, stopped after 2, default checkpoints", stopAfter: 2, changes: 4},
}

// setupResume returns a provider, a clean mirror synced without
// interruption and the Result of its last sync, and a second mirror in the
// same state as the clean one before that sync.
func setupResume(t *testing.T, tc resumeCase) (p *feedtest.Provider, clean string, cleanRes *Result, crashed string) {
	t.Helper()
	p = feedtest.NewProvider(t, csafTestdata)
	src := providerSource(p)
	clean, crashed = t.TempDir(), t.TempDir()
	if tc.changes > 0 {
		mustSync(t, src, clean, providerOpts(p))
		mustSync(t, src, crashed, providerOpts(p))
		for _, d := range p.Docs()[:tc.changes] {
			p.Change(d)
		}
	}
	return p, clean, mustSync(t, src, clean, providerOpts(p)), crashed
}

// checkResumed compares the resumed mirror and Result with the clean ones,
// and checks that the resumed sync fetched what was not recorded and
// nothing that was. (A request the stopped sync cancelled may reach the
// server late and be counted too; it is always for an unrecorded file.)
func checkResumed(t *testing.T, p *feedtest.Provider, tc resumeCase, clean, crashed string, cleanRes, got *Result, recorded map[string]bool) {
	t.Helper()
	if diff := cmp.Diff(cleanRes, got, resultOpts...); diff != "" {
		t.Errorf("resumed Sync() differs from a clean one (-clean +resumed):\n%s", diff)
	}
	for i, d := range p.Docs() {
		n := p.Hits(feedtest.DirectoryPath + d)
		switch {
		case tc.changes > 0 && i >= tc.changes && n > 0:
			t.Errorf("resumed Sync() fetched %s, unchanged, %d times", d, n)
		case tc.changes > 0 && i >= tc.changes:
		case recorded["white/"+d] && n > 0:
			t.Errorf("resumed Sync() fetched %s, recorded before the stop, %d times", d, n)
		case !recorded["white/"+d] && n == 0:
			t.Errorf("resumed Sync() did not fetch %s, not recorded before the stop", d)
		}
	}
	if diff := cmp.Diff(mustTree(t, clean), mustTree(t, crashed)); diff != "" {
		t.Errorf("resumed mirror differs from a clean one (-clean +resumed):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(crashed, tmpDir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temporary folder left behind: stat error = %v", err)
	}
}

// TestSync_ResumeAfterCancel stops a sync by cancelling its context from
// the Progress callback, then syncs again.
func TestSync_ResumeAfterCancel(t *testing.T) {
	t.Parallel()
	for _, tc := range resumeCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, clean, cleanRes, crashed := setupResume(t, tc)
			src := providerSource(p)

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			opts := providerOpts(p)
			opts.CheckpointEvery = tc.checkpointEvery
			opts.Progress = func(done, _ int) {
				if done == tc.stopAfter {
					cancel()
				}
			}
			if res, err := Sync(ctx, src, crashed, opts); !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted Sync() = %+v, %v; want %v", res, err, context.Canceled)
			}
			st, err := ReadState(crashed)
			if err != nil {
				t.Fatal(err)
			}
			if st.Seq != cleanRes.Seq-1 || st.LastError == "" {
				t.Errorf("state after the stop: Seq %d, LastError %q; want Seq %d and the error", st.Seq, st.LastError, cleanRes.Seq-1)
			}
			recorded := pending(t, crashed)
			if len(recorded) < tc.stopAfter {
				t.Errorf("state after the stop records %d files, want at least the %d done", len(recorded), tc.stopAfter)
			}

			p.ResetHits()
			got := mustSync(t, src, crashed, providerOpts(p))
			checkResumed(t, p, tc, clean, crashed, cleanRes, got, recorded)
		})
	}
}

// TestSync_ResumeAfterKill copies the mirror in the middle of a sync, as
// a kill -9 would leave it (no cleanup, temporary files and all), and
// syncs the copy again.
func TestSync_ResumeAfterKill(t *testing.T) {
	t.Parallel()
	for _, tc := range resumeCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, clean, cleanRes, running := setupResume(t, tc)
			src := providerSource(p)
			killed := t.TempDir()
			copyTree(t, running, killed)

			var once sync.Once
			opts := providerOpts(p)
			opts.CheckpointEvery = tc.checkpointEvery
			opts.Progress = func(done, _ int) {
				// Progress runs with the sync's lock held: no state write
				// happens during the copy, though downloads go on.
				if done == tc.stopAfter {
					once.Do(func() {
						os.RemoveAll(killed)
						copyTree(t, running, killed)
					})
				}
			}
			mustSync(t, src, running, opts)

			// What the kill left: no file is half written, and the state
			// has not moved on.
			for _, d := range p.Docs() {
				b, err := os.ReadFile(filepath.Join(killed, "white", d))
				if err == nil && string(b) != string(p.Doc(d)) && !isOldVersion(t, tc, d, b) {
					t.Errorf("after the kill, %s holds neither the old nor the new content (%d bytes)", d, len(b))
				}
			}
			recorded := pending(t, killed)

			p.ResetHits()
			got := mustSync(t, src, killed, providerOpts(p))
			checkResumed(t, p, tc, clean, killed, cleanRes, got, recorded)
		})
	}
}

// isOldVersion reports whether b is a document as the first testdata
// version had it.
func isOldVersion(tb testing.TB, tc resumeCase, d string, b []byte) bool {
	tb.Helper()
	if tc.changes == 0 {
		return false
	}
	orig, err := os.ReadFile(filepath.Join(csafTestdata, filepath.FromSlash(d)))
	return err == nil && string(orig) == string(b)
}

// copyTree copies the files under src to dst, skipping files that vanish
// during the copy (renamed by the running sync).
func copyTree(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		tb.Fatal(err)
	}
}
