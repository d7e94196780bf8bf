package advisory

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// maxSidecar bounds the .sha512, .sha256 and .asc files read beside an
// advisory.
const maxSidecar = 64 << 10

// checkIntegrity verifies the files beside path that vouch for data.
//
// When path+".sha512" exists, data's SHA-512 must equal the first hex token
// in it ("<hex>  <name>", any case); otherwise the same holds for
// path+".sha256"; with neither, nothing is checked. A mismatch or an
// unreadable digest wraps [ErrHashMismatch].
//
// When opts.Keys is set, path+".asc" must exist and hold an armored detached
// OpenPGP signature of data by one of the keys; anything else (no .asc, a
// bad signature, an unknown signer, an unreadable key) wraps [ErrSignature].
// Side files over 64 KiB wrap [ErrTooLarge].
func checkIntegrity(path string, data []byte, opts Options) error {
	if err := integrityDigest(path, data); err != nil {
		return err
	}
	if len(opts.Keys) == 0 {
		return nil
	}
	return integritySignature(path, data, opts.Keys)
}

// integrityDigest checks the first digest file found beside path.
func integrityDigest(path string, data []byte) error {
	for _, d := range []struct {
		ext string
		sum func([]byte) []byte
	}{
		{".sha512", func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }},
		{".sha256", func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }},
	} {
		side, err := integritySidecar(path + d.ext)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		got := d.sum(data)
		fields := strings.Fields(string(side))
		var want []byte
		if len(fields) > 0 {
			want, _ = hex.DecodeString(fields[0])
		}
		if len(want) != len(got) {
			return fmt.Errorf("integrity: %s%s holds no %s digest: %w", filepath.Base(path), d.ext, d.ext[1:], ErrHashMismatch)
		}
		if !bytes.Equal(want, got) {
			return fmt.Errorf("integrity: %s: %s expected %.16s… got %.16s…: %w",
				filepath.Base(path), d.ext[1:], hex.EncodeToString(want), hex.EncodeToString(got), ErrHashMismatch)
		}
		return nil
	}
	return nil
}

// integritySignature checks path+".asc" against the armored public keys.
func integritySignature(path string, data []byte, keys []string) error {
	name := filepath.Base(path)
	sig, err := integritySidecar(path + ".asc")
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("integrity: %s: unsigned (no .asc beside it): %w", name, ErrSignature)
	}
	if err != nil {
		return err
	}
	var ring openpgp.EntityList
	for i, k := range keys {
		entities, err := openpgp.ReadArmoredKeyRing(strings.NewReader(k))
		if err != nil {
			return fmt.Errorf("integrity: key %d: %w: %w", i+1, ErrSignature, err)
		}
		ring = append(ring, entities...)
	}
	if _, err := openpgp.CheckArmoredDetachedSignature(ring, bytes.NewReader(data), bytes.NewReader(sig), nil); err != nil {
		return fmt.Errorf("integrity: %s: %w: %w", name, ErrSignature, err)
	}
	return nil
}

// integritySidecar reads a side file of at most maxSidecar bytes. A missing
// file returns an error matching fs.ErrNotExist.
func integritySidecar(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("integrity: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSidecar+1))
	if err != nil {
		return nil, fmt.Errorf("integrity: %w", err)
	}
	if len(b) > maxSidecar {
		return nil, fmt.Errorf("integrity: %s exceeds %d bytes: %w", filepath.Base(path), maxSidecar, ErrTooLarge)
	}
	return b, nil
}
