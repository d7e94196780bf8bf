package feed

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
)

// sidecarExts returns the extensions of the files kept beside a mirrored
// file: digests in [advisory.DigestExts] order, then the signature.
func sidecarExts() [3]string { return [3]string{".sha512", ".sha256", ".asc"} }

// isSidecar reports whether name is a digest or signature file.
func isSidecar(name string) bool {
	lower := strings.ToLower(name)
	for _, ext := range sidecarExts() {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// safeRel reports whether p is a path Sync may write in a mirror: relative,
// slash-separated, clean, with no empty, "..", or hidden (dot-prefixed)
// element, no backslash, and not a side file's name.
func safeRel(p string) bool {
	if p == "" || len(p) > 1024 || strings.ContainsAny(p, "\\\x00") || path.Clean(p) != p || path.IsAbs(p) {
		return false
	}
	for elem := range strings.SplitSeq(p, "/") {
		if elem == "" || elem == ".." || strings.HasPrefix(elem, ".") {
			return false
		}
	}
	return !isSidecar(p)
}

// mirror writes into a mirror folder atomically. All paths go through an
// [os.Root], so nothing is written outside the folder.
type mirror struct {
	root *os.Root
	dir  string

	mu    sync.Mutex
	dirty map[string]bool // directories holding renames not yet synced
}

// openMirror opens (creating) the mirror folder and empties its temporary
// folder, which holds only leftovers of a killed sync.
func openMirror(dir string) (*mirror, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("feed: mirror: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("feed: mirror: %w", err)
	}
	if err := root.RemoveAll(tmpDir); err != nil {
		root.Close()
		return nil, fmt.Errorf("feed: mirror: clear %s: %w", tmpDir, err)
	}
	if err := root.Mkdir(tmpDir, 0o755); err != nil {
		root.Close()
		return nil, fmt.Errorf("feed: mirror: %w", err)
	}
	return &mirror{root: root, dir: dir, dirty: map[string]bool{}}, nil
}

func (m *mirror) Close() error {
	return errors.Join(m.root.RemoveAll(tmpDir), m.root.Close())
}

// exists reports whether rel is a regular file in the mirror.
func (m *mirror) exists(rel string) bool {
	fi, err := m.root.Lstat(rel)
	return err == nil && fi.Mode().IsRegular()
}

// readFile reads rel, or returns nil when it does not exist.
func (m *mirror) readFile(rel string) ([]byte, error) {
	b, err := m.root.ReadFile(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// put writes a file and its side files: each is written to a temporary
// file, synced to disk and renamed into place, the file itself last. Side
// files not in sides are removed, so that a stale .sha256 or .asc cannot
// contradict the new content. A file whose content is already in place is
// left untouched.
func (m *mirror) put(rel string, data []byte, sides map[string][]byte) error {
	if dir := path.Dir(rel); dir != "." {
		if err := m.root.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("mkdir: %w", err)
		}
	}
	for _, ext := range sidecarExts() {
		b, ok := sides[ext]
		if !ok {
			if err := m.root.Remove(rel + ext); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			continue
		}
		if err := m.writeAtomic(rel+ext, b); err != nil {
			return err
		}
	}
	return m.writeAtomic(rel, data)
}

// writeAtomic replaces rel with data unless it already holds exactly data.
func (m *mirror) writeAtomic(rel string, data []byte) error {
	if old, err := m.root.ReadFile(rel); err == nil && bytes.Equal(old, data) {
		return nil
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := tmpDir + "/" + hex.EncodeToString(rnd[:])
	f, err := m.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = m.root.Rename(tmp, rel)
	}
	if err != nil {
		_ = m.root.Remove(tmp)
		return err
	}
	m.markDirty(path.Dir(rel))
	return nil
}

// remove deletes rel and its side files; missing files are no error.
func (m *mirror) remove(rel string) error {
	var errs []error
	for _, name := range []string{rel, rel + ".sha512", rel + ".sha256", rel + ".asc"} {
		if err := m.root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	m.markDirty(path.Dir(rel))
	return errors.Join(errs...)
}

func (m *mirror) markDirty(dir string) {
	m.mu.Lock()
	m.dirty[dir] = true
	m.mu.Unlock()
}

// syncDirs flushes the directory entries of the renames so far, so that a
// power cut cannot leave the state file ahead of the files it describes.
func (m *mirror) syncDirs() error {
	m.mu.Lock()
	dirs := m.dirty
	m.dirty = map[string]bool{}
	m.mu.Unlock()
	var errs []error
	for d := range dirs {
		f, err := m.root.Open(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := f.Sync(); err != nil {
			errs = append(errs, err)
		}
		f.Close()
	}
	return errors.Join(errs...)
}

// writeState writes st atomically, after syncing the directories of every
// file written before it.
func (m *mirror) writeState(st *State) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("feed: state: %w", err)
	}
	if err := m.syncDirs(); err != nil {
		return fmt.Errorf("feed: state: sync: %w", err)
	}
	if err := m.writeAtomic(StateFile, append(data, '\n')); err != nil {
		return fmt.Errorf("feed: state: %w", err)
	}
	if err := m.syncDirs(); err != nil {
		return fmt.Errorf("feed: state: sync: %w", err)
	}
	return nil
}
