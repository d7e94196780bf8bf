package store

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func TestHashPassword_RoundTrip(t *testing.T) {
	h1, err := HashPassword("Tr0ub4dor&3")
	if err != nil {
		t.Fatalf("HashPassword() = %v", err)
	}
	h2, _ := HashPassword("Tr0ub4dor&3")
	if h1 == h2 {
		t.Error("HashPassword() twice gave one hash; want a fresh salt each time")
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("HashPassword() = %q, want the PHC argon2id format", h1)
	}
	for _, tc := range []struct {
		name, password string
		want           bool
	}{
		{"right", "Tr0ub4dor&3", true},
		{"wrong", "Tr0ub4dor&4", false},
		{"prefix", "Tr0ub4dor", false},
		{"empty", "", false},
		{"too long", strings.Repeat("x", maxPassword+1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := VerifyPassword(h1, tc.password); err != nil || got != tc.want {
				t.Errorf("VerifyPassword() = %v, %v, want %v", got, err, tc.want)
			}
		})
	}
}

func TestHashPassword_Bounds(t *testing.T) {
	for _, pw := range []string{"", strings.Repeat("x", maxPassword+1)} {
		if _, err := HashPassword(pw); !errors.Is(err, ErrInvalid) {
			t.Errorf("HashPassword(%d bytes) = %v, want ErrInvalid", len(pw), err)
		}
	}
}

func TestVerifyPassword_Malformed(t *testing.T) {
	const salt, key = "lqd0NXh+uXtbTl+tMogv7A", "gAz0/OB6SXZFUNYz/IAmvSSvzsID6iz6aCmjWb2oOAY"
	for _, tc := range []struct{ name, hash string }{
		{"empty", ""},
		{"plaintext", "correct horse battery staple"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key},
		{"memory too large", "$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key},
		{"too many passes", "$argon2id$v=19$m=19456,t=100,p=1$" + salt + "$" + key},
		{"no lanes", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key},
		{"trailing parameters", "$argon2id$v=19$m=19456,t=2,p=1,x=3$" + salt + "$" + key},
		{"short salt", "$argon2id$v=19$m=19456,t=2,p=1$YWJj$" + key},
		{"bad base64", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$!!!"},
		{"missing hash", "$argon2id$v=19$m=19456,t=2,p=1$" + salt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if ok, err := VerifyPassword(tc.hash, "correct horse battery staple"); ok || !errors.Is(err, ErrInvalid) {
				t.Errorf("VerifyPassword(%q) = %v, %v, want false, ErrInvalid", tc.hash, ok, err)
			}
		})
	}
}

func TestNewToken(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b {
		t.Error("NewToken() twice gave one token")
	}
	if !strings.HasPrefix(a, TokenPrefix) || len(a) != len(TokenPrefix)+43 {
		t.Errorf("NewToken() = %q, want %s and 43 base64url characters", a, TokenPrefix)
	}
	want := sha256.Sum256([]byte(a))
	if got := HashToken(a); string(got) != string(want[:]) {
		t.Errorf("HashToken() = %x, want SHA-256 %x", got, want)
	}
}
