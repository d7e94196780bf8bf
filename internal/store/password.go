package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters of new hashes: OWASP's minimum (19 MiB, 2 passes, 1
// lane), light enough for a practice's small server. [VerifyPassword] reads
// the parameters from each hash, so they can rise without a migration.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// Bounds on what a stored hash may ask of [VerifyPassword], and on password
// length, so that neither a corrupted row nor a huge password exhausts the
// server.
const (
	maxArgonMemory = 256 * 1024 // KiB: 256 MiB
	maxArgonTime   = 16
	maxPassword    = 1024 // bytes
)

// argonHash is a parsed PHC string.
type argonHash struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

// HashPassword returns password hashed with argon2id and a random salt, in
// the PHC string format: $argon2id$v=19$m=19456,t=2,p=1$salt$hash (salt and
// hash in unpadded standard base64). It returns ErrInvalid for an empty
// password or one longer than 1024 bytes.
func HashPassword(password string) (string, error) {
	if password == "" || len(password) > maxPassword {
		return "", fmt.Errorf("%w: password: want 1 to %d bytes", ErrInvalid, maxPassword)
	}
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches encoded, a [HashPassword]
// result, comparing in constant time. It returns ErrInvalid when encoded is
// not an argon2id PHC string within sane bounds.
func VerifyPassword(encoded, password string) (bool, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, fmt.Errorf("%w: password hash: %w", ErrInvalid, err)
	}
	if len(password) > maxPassword {
		return false, nil
	}
	key := argon2.IDKey([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// parseHash reads a PHC argon2id string.
func parseHash(encoded string) (*argonHash, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return nil, errors.New("want $argon2id$v=19$m=...,t=...,p=...$salt$hash")
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return nil, fmt.Errorf("version %q: want v=%d", parts[2], argon2.Version)
	}
	h := &argonHash{}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.memory, &h.time, &h.threads); err != nil ||
		fmt.Sprintf("m=%d,t=%d,p=%d", h.memory, h.time, h.threads) != parts[3] ||
		h.memory < 8*uint32(h.threads) || h.memory > maxArgonMemory || h.time < 1 || h.time > maxArgonTime || h.threads < 1 {
		return nil, fmt.Errorf("parameters %q: out of range", parts[3])
	}
	var err error
	b64 := base64.RawStdEncoding.Strict()
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return nil, errors.New("salt: want at least 8 bytes of base64")
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < 16 || len(h.key) > 64 {
		return nil, errors.New("hash: want 16 to 64 bytes of base64")
	}
	return h, nil
}
