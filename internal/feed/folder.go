package feed

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/ward-health/ward/internal/advisory"
)

// listFolder walks a KindFolder source and returns its files, sorted by
// path. Hidden files and folders, side files (.sha512, .sha256, .asc; they
// travel with their file) and anything but regular files are passed over.
// Symbolic links are not followed. A folder that cannot be walked fails the
// sync: a partial walk would look like removals.
func (s *syncer) listFolder() ([]candidate, error) {
	dir := folderPath(s.src.URL)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("feed: source %s: folder: %w: %w", s.src.ID, ErrListing, err)
	}
	s.folder = root
	info := listingInfo{url: dir, ok: true, clean: true}
	var cands []candidate
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != "." && strings.HasPrefix(name, ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() || isSidecar(name) {
			return nil
		}
		if !safeRel(p) {
			info.clean = false
			s.res.Notices = append(s.res.Notices, Notice{Message: fmt.Sprintf("folder %s: %q is not a name ward mirrors; left out", dir, p)})
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if len(cands) == s.opts.MaxFiles {
			return fmt.Errorf("more than %d files: %w", s.opts.MaxFiles, ErrTooManyFiles)
		}
		info.files++
		cands = append(cands, candidate{path: p, local: p, listing: dir, updated: fi.ModTime().UTC(), size: fi.Size()})
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrTooManyFiles) {
			return nil, fmt.Errorf("feed: source %s: folder %s: %w", s.src.ID, dir, err)
		}
		return nil, fmt.Errorf("feed: source %s: folder %s: %w: %w", s.src.ID, dir, ErrListing, err)
	}
	s.listings = append(s.listings, info)
	return cands, nil
}

// readLocal reads a folder's file and its side files, and checks them: the
// digest when one is beside it, the signature when keys are configured and
// an .asc is beside it.
func (s *syncer) readLocal(c candidate) (*outcome, error) {
	data, err := readBounded(s.folder, c.local, s.opts.MaxFileSize)
	if err != nil {
		return nil, err
	}
	o := &outcome{data: data, sides: map[string][]byte{}}
	for _, ext := range sidecarExts() {
		b, err := readBounded(s.folder, c.local+ext, maxSidecar)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		o.sides[ext] = b
	}
	for _, ext := range advisory.DigestExts() {
		if d, ok := o.sides[ext]; ok {
			if err := advisory.VerifyDigest(data, d, ext); err != nil {
				return nil, err
			}
			break
		}
	}
	asc, signed := o.sides[".asc"]
	switch {
	case s.keys == nil:
		o.unchecked = signed
	case signed:
		if err := s.keys.Verify(data, asc); err != nil {
			return nil, err
		}
	default:
		s.notice(Notice{Path: c.path, Message: "unsigned: no .asc beside it"})
	}
	return o, nil
}

// readBounded reads the regular file name in root, at most limit bytes;
// more wraps [advisory.ErrTooLarge].
func readBounded(root *os.Root, name string, limit int64) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file: %w", name, advisory.ErrInvalid)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, more than %d: %w", name, fi.Size(), limit, advisory.ErrTooLarge)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: more than %d bytes: %w", name, limit, advisory.ErrTooLarge)
	}
	return data, nil
}
