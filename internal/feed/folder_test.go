package feed

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/feed/feedtest"
)

func mustWriteFile(tb testing.TB, path string, data []byte, mod time.Time) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chtimes(path, mod, mod); err != nil {
		tb.Fatal(err)
	}
}

func sha512Line(data []byte, name string) []byte {
	s := sha512.Sum512(data)
	return []byte(hex.EncodeToString(s[:]) + "  " + name + "\n")
}

// edited returns a CSAF document with its title changed.
func edited(tb testing.TB, data []byte, mark string) []byte {
	tb.Helper()
	out := bytes.Replace(data, []byte(`"title": "`), []byte(`"title": "`+mark+` `), 1)
	if bytes.Equal(out, data) {
		tb.Fatal("edited: no title")
	}
	return out
}

func TestSync_Folder(t *testing.T) {
	t.Parallel()
	folder, dir := t.TempDir(), t.TempDir()
	copyTree(t, csafTestdata, folder)
	kev := mustRead(t, "testdata", "kev", "kev-subset.derived.json")
	base := time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
	mustWriteFile(t, filepath.Join(folder, "kev", "kev.json"), kev, base)
	src := Source{ID: "usb", Kind: KindFolder, URL: folder}
	opts := Options{Now: fixedNow}

	const doc = "2019/icsma-19-192-01.json"
	orig := mustRead(t, folder, doc)
	v2 := edited(t, orig, "Updated:")
	all := []string{
		"2017/icsma-17-227-01.json", "2018/icsma-18-240-01.json", "2018/icsma-18-277-02.json", doc,
		"2020/icsma-20-196-01.json", "2021/icsma-21-175-01.json", "2022/icsma-22-088-01.json",
		"2022/icsma-22-095-01.json", "kev/kev.json",
	}

	steps := []struct {
		name      string
		change    func(t *testing.T)
		want      *Result
		wantErr   error // of the sync
		wantFile  error // of the one file error
		wantDoc   []byte
		wantNotes []Notice
	}{
		{name: "first sync copies everything", want: &Result{Count: Counts{Added: 9}, Changed: all}, wantDoc: orig},
		{name: "nothing changed", want: &Result{Count: Counts{Unchanged: 9}}, wantDoc: orig},
		{
			name: "new revision with its digest",
			change: func(t *testing.T) {
				mustWriteFile(t, filepath.Join(folder, doc), v2, base.Add(time.Hour))
				mustWriteFile(t, filepath.Join(folder, doc+".sha512"), sha512Line(v2, "icsma-19-192-01.json"), base.Add(time.Hour))
			},
			want:    &Result{Count: Counts{Changed: 1, Unchanged: 8}, Changed: []string{doc}},
			wantDoc: v2,
		},
		{
			name: "tampered: digest kept",
			change: func(t *testing.T) {
				mustWriteFile(t, filepath.Join(folder, doc), edited(t, v2, "Tampered:"), base.Add(2*time.Hour))
			},
			want:     &Result{Count: Counts{Unchanged: 9, Failed: 1}},
			wantFile: advisory.ErrHashMismatch,
			wantDoc:  v2,
		},
		{
			name: "hidden files, side files alone and links are passed over",
			change: func(t *testing.T) {
				mustWriteFile(t, filepath.Join(folder, doc), v2, base.Add(3*time.Hour))
				mustWriteFile(t, filepath.Join(folder, ".hidden.json"), kev, base)
				mustWriteFile(t, filepath.Join(folder, ".git", "config.json"), kev, base)
				mustWriteFile(t, filepath.Join(folder, "orphan.json.asc"), []byte("x"), base)
				if err := os.Symlink("/etc/passwd", filepath.Join(folder, "passwd.json")); err != nil {
					t.Fatal(err)
				}
			},
			want:    &Result{Count: Counts{Unchanged: 9}},
			wantDoc: v2,
		},
		{
			name:    "file removed from the folder",
			change:  func(t *testing.T) { mustRemove(t, filepath.Join(folder, doc), filepath.Join(folder, doc+".sha512")) },
			want:    &Result{Count: Counts{Unchanged: 8, Removed: 1}, Removed: []string{doc}},
			wantDoc: nil,
		},
		{
			name: "folder emptied (unmounted stick): refused",
			change: func(t *testing.T) {
				entries, _ := os.ReadDir(folder)
				for _, e := range entries {
					mustRemove(t, filepath.Join(folder, e.Name()))
				}
			},
			wantErr: ErrEmptyListing,
		},
		{
			name:    "folder gone",
			change:  func(t *testing.T) { mustRemove(t, folder) },
			wantErr: ErrListing,
		},
	}
	seq := uint64(0)
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.change != nil {
				st.change(t)
			}
			before := mustTree(t, dir)
			got, err := Sync(t.Context(), src, dir, opts)
			if st.wantErr != nil {
				if !errors.Is(err, st.wantErr) {
					t.Fatalf("Sync() error = %v, want %v", err, st.wantErr)
				}
				after := mustTree(t, dir)
				delete(before, StateFile)
				delete(after, StateFile)
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("mirror changed by a failed sync (-before +after):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Sync() error = %v", err)
			}
			seq++
			st.want.Source, st.want.Seq = "usb", seq
			if diff := cmp.Diff(st.want, got, resultOpts...); diff != "" {
				t.Errorf("Sync() (-want +got):\n%s", diff)
			}
			switch {
			case st.wantFile == nil && len(got.Errors) > 0:
				t.Errorf("Sync() errors = %v", got.Errors)
			case st.wantFile != nil && (len(got.Errors) != 1 || !errors.Is(got.Errors[0], st.wantFile)):
				t.Errorf("Sync() errors = %v, want one wrapping %v", got.Errors, st.wantFile)
			}
			b, _ := os.ReadFile(filepath.Join(dir, doc))
			if diff := cmp.Diff(string(st.wantDoc), string(b)); diff != "" {
				t.Errorf("mirrored %s (-want +got):\n%s", doc, diff)
			}
		})
	}
}

func TestSync_FolderSignatures(t *testing.T) {
	t.Parallel()
	signer, key := feedtest.MustKey(t, "site")
	forger, _ := feedtest.MustKey(t, "forger")
	sign := func(e *openpgp.Entity, data []byte) []byte {
		var buf bytes.Buffer
		if err := openpgp.ArmoredDetachSign(&buf, e, bytes.NewReader(data), nil); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	data := mustRead(t, csafTestdata, "2018", "icsma-18-240-01.json")
	tests := []struct {
		name      string
		asc       []byte // nil: no .asc
		want      Counts
		wantErr   error
		wantNotes []Notice
	}{
		{name: "good signature", asc: sign(signer, data), want: Counts{Added: 1}},
		{name: "signed by another key", asc: sign(forger, data), want: Counts{Failed: 1}, wantErr: advisory.ErrSignature},
		{name: "unsigned", want: Counts{Added: 1}, wantNotes: []Notice{{Path: "a.json", Message: "unsigned: no .asc beside it"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			folder, dir := t.TempDir(), t.TempDir()
			mustWriteFile(t, filepath.Join(folder, "a.json"), data, time.Now())
			if tt.asc != nil {
				mustWriteFile(t, filepath.Join(folder, "a.json.asc"), tt.asc, time.Now())
			}
			got, err := Sync(t.Context(), Source{ID: "f", Kind: KindFolder, URL: "file://" + folder, Keys: []string{key}}, dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.Count); diff != "" {
				t.Errorf("Sync() counts (-want +got):\n%s", diff)
			}
			if tt.wantErr != nil && (len(got.Errors) != 1 || !errors.Is(got.Errors[0], tt.wantErr)) {
				t.Errorf("Sync() errors = %v, want one wrapping %v", got.Errors, tt.wantErr)
			}
			if diff := cmp.Diff(tt.wantNotes, got.Notices, cmpEquateEmpty); diff != "" {
				t.Errorf("Sync() notices (-want +got):\n%s", diff)
			}
		})
	}
}

func mustRemove(tb testing.TB, paths ...string) {
	tb.Helper()
	for _, p := range paths {
		if err := os.RemoveAll(p); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestSync_IndexOnly(t *testing.T) {
	t.Parallel()
	p := feedtest.NewProvider(t, csafTestdata)
	p.SetDistributions(feedtest.Directory | feedtest.NoChangesCSV)
	src, dir := providerSource(p), t.TempDir()
	notice := Notice{Message: p.DirectoryURL() + ": no changes.csv; every file of index.txt is checked with a conditional request"}

	got := mustSync(t, src, dir, providerOpts(p))
	want := &Result{Source: "icsma", Seq: 1, Count: Counts{Added: 8}, Changed: mirrorPaths(p, "white/"), Notices: []Notice{notice}}
	if diff := cmp.Diff(want, got, resultOpts...); diff != "" {
		t.Errorf("first Sync() (-want +got):\n%s", diff)
	}

	// Without times every document is asked for again, conditionally:
	// the answers are 304s and nothing is re-read.
	p.Change("icsma-22-088-01.json")
	got = mustSync(t, src, dir, providerOpts(p))
	want = &Result{Source: "icsma", Seq: 2, Count: Counts{Changed: 1, Unchanged: 7}, Changed: []string{"white/2022/icsma-22-088-01.json"}, Notices: []Notice{notice}}
	if diff := cmp.Diff(want, got, resultOpts...); diff != "" {
		t.Errorf("second Sync() (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(mustRead(t, dir, "white", "2022", "icsma-22-088-01.json")), "Revision 1 by the ward test provider") {
		t.Error("changed document not mirrored")
	}
	mustLoad(t, dir, []string{p.Key()})
}
