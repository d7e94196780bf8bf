package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// TokenPrefix starts every API token, so that scanners for leaked secrets
// can recognise one.
const TokenPrefix = "ward_"

// NewToken returns a fresh API token: [TokenPrefix] and 32 random bytes in
// unpadded base64url.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the SHA-256 hash of a token, the only form the store
// keeps and the key of [Tokens.LookupToken]. Tokens are random and long, so
// a fast unsalted hash is enough.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
