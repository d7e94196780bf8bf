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
	for _, ext := range DigestExts() {
		side, err := integritySidecar(path + ext)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := VerifyDigest(data, side, ext); err != nil {
			return fmt.Errorf("integrity: %s: %w", filepath.Base(path), err)
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
	if err := VerifySignature(data, sig, keys); err != nil {
		return fmt.Errorf("integrity: %s: %w", name, err)
	}
	return nil
}

// DigestExts returns the digest side files ward checks, in order of
// preference: a file's .sha512 is used when it exists, its .sha256
// otherwise.
func DigestExts() []string { return []string{".sha512", ".sha256"} }

// VerifyDigest checks data against digest, the content of a digest side
// file ("<hex>  <name>" as sha512sum writes it, or the bare hex; any case).
// ext names the algorithm: ".sha512" or ".sha256". A digest that does not
// match, or a side file that holds no digest of that length, wraps
// [ErrHashMismatch]; an ext that is neither wraps [ErrInvalid]. Messages do
// not name the file: callers add it.
func VerifyDigest(data, digest []byte, ext string) error {
	var got []byte
	switch ext {
	case ".sha512":
		s := sha512.Sum512(data)
		got = s[:]
	case ".sha256":
		s := sha256.Sum256(data)
		got = s[:]
	default:
		return fmt.Errorf("digest %q: %w", ext, ErrInvalid)
	}
	fields := strings.Fields(string(digest))
	var want []byte
	if len(fields) > 0 {
		want, _ = hex.DecodeString(fields[0])
	}
	if len(want) != len(got) {
		return fmt.Errorf("%s holds no %s digest: %w", ext, ext[1:], ErrHashMismatch)
	}
	if !bytes.Equal(want, got) {
		return fmt.Errorf("%s expected %.16s… got %.16s…: %w",
			ext[1:], hex.EncodeToString(want), hex.EncodeToString(got), ErrHashMismatch)
	}
	return nil
}

// Keyring is a set of OpenPGP public keys that advisories may be signed
// with. It is safe for concurrent use once made.
type Keyring struct {
	entities openpgp.EntityList
}

// NewKeyring reads armored OpenPGP public keys (each string one armored
// block, which may hold several keys). An unreadable key wraps
// [ErrSignature] and names its position ("key 2").
func NewKeyring(armored []string) (*Keyring, error) {
	var k Keyring
	for i, a := range armored {
		entities, err := openpgp.ReadArmoredKeyRing(strings.NewReader(a))
		if err != nil {
			return nil, fmt.Errorf("key %d: %w: %w", i+1, ErrSignature, err)
		}
		k.entities = append(k.entities, entities...)
	}
	return &k, nil
}

// Len returns the number of keys (primary keys) in k.
func (k *Keyring) Len() int { return len(k.entities) }

// Verify checks asc, an armored detached OpenPGP signature, over data
// against the keys. A bad signature, an unknown signer or an unreadable
// signature wraps [ErrSignature].
func (k *Keyring) Verify(data, asc []byte) error {
	if _, err := openpgp.CheckArmoredDetachedSignature(k.entities, bytes.NewReader(data), bytes.NewReader(asc), nil); err != nil {
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return nil
}

// VerifySignature checks asc, an armored detached OpenPGP signature of data,
// against the armored public keys; see [NewKeyring] and [Keyring.Verify].
// Callers checking many files make one [Keyring] instead.
func VerifySignature(data, asc []byte, keys []string) error {
	k, err := NewKeyring(keys)
	if err != nil {
		return err
	}
	return k.Verify(data, asc)
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
