package alert_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/alert"
)

// testKey returns the Ed25519 key made from a seed of 32 bytes b, so that
// the announcements in testdata/keys stay valid.
func testKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune(b)), ed25519.SeedSize)))
}

var testIssued = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// TestKeyAnnouncement_testdata keeps testdata/keys true: valid.json is the
// announcement of key 2 by key 1; every other file is broken and named for
// how. UPDATE_KEYS=1 writes valid.json again.
func TestKeyAnnouncement_testdata(t *testing.T) {
	prev, next := testKey('1'), testKey('2')
	if os.Getenv("UPDATE_KEYS") == "1" {
		data, err := alert.AnnounceKey(prev, next, testIssued)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/keys/valid.json", append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ring := alert.NewKeyring(prev.Public().(ed25519.PublicKey))
	files, err := filepath.Glob("testdata/keys/*.json")
	if err != nil || len(files) < 2 {
		t.Fatalf("testdata/keys: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !alert.IsKeyAnnouncement(data) {
				t.Errorf("IsKeyAnnouncement() = false")
			}
			ka, err := ring.OpenKeyAnnouncement(data)
			if filepath.Base(f) == "valid.json" {
				if err != nil || ka.KeyID != alert.KeyID(next.Public().(ed25519.PublicKey)) || !ka.Issued.Equal(testIssued) {
					t.Errorf("OpenKeyAnnouncement() = %+v, %v; want key 2", ka, err)
				}
				return
			}
			if !errors.Is(err, alert.ErrKeyAnnouncement) && !errors.Is(err, alert.ErrSignature) {
				t.Errorf("OpenKeyAnnouncement() = %+v, %v; want an error", ka, err)
			}
		})
	}
}

func TestKeyring_OpenKeyAnnouncement(t *testing.T) {
	k1, k2, k3 := testKey('1'), testKey('2'), testKey('3')
	pub := func(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }
	announce := func(prev, next ed25519.PrivateKey) []byte {
		t.Helper()
		data, err := alert.AnnounceKey(prev, next, testIssued)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	// edit changes a valid announcement of k2 by k1.
	edit := func(fn func(env *alert.KeyEnvelope, ka *alert.KeyAnnouncement)) []byte {
		t.Helper()
		env, ka, err := alert.ParseKeyAnnouncement(announce(k1, k2))
		if err != nil {
			t.Fatal(err)
		}
		fn(env, ka)
		if ka != nil {
			if env.Announcement, err = json.Marshal(ka); err != nil {
				t.Fatal(err)
			}
		}
		data, err := json.Marshal(env)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		wantErr error
	}{
		{"valid", announce(k1, k2), nil},
		{"signed by a key not pinned", announce(k3, k2), alert.ErrSignature},
		{"new key swapped after signing", edit(func(_ *alert.KeyEnvelope, ka *alert.KeyAnnouncement) {
			ka.Key, ka.KeyID = pub(k3), alert.KeyID(pub(k3))
		}), alert.ErrKeyAnnouncement}, // the signatures' ids no longer match
		{"payload altered", edit(func(_ *alert.KeyEnvelope, ka *alert.KeyAnnouncement) {
			ka.Issued = ka.Issued.Add(time.Second)
		}), alert.ErrSignature},
		{"no proof of possession", edit(func(env *alert.KeyEnvelope, _ *alert.KeyAnnouncement) {
			env.Signatures[1].Signature[0] ^= 1
		}), alert.ErrSignature},
		{"previous signature altered", edit(func(env *alert.KeyEnvelope, _ *alert.KeyAnnouncement) {
			env.Signatures[0].Signature[5] ^= 1
		}), alert.ErrSignature},
		{"short signature", edit(func(env *alert.KeyEnvelope, _ *alert.KeyAnnouncement) {
			env.Signatures[0].Signature = env.Signatures[0].Signature[:8]
		}), alert.ErrSignature},
		{"one signature", edit(func(env *alert.KeyEnvelope, _ *alert.KeyAnnouncement) {
			env.Signatures = env.Signatures[:1]
		}), alert.ErrKeyAnnouncement},
		{"signatures swapped", edit(func(env *alert.KeyEnvelope, _ *alert.KeyAnnouncement) {
			env.Signatures[0], env.Signatures[1] = env.Signatures[1], env.Signatures[0]
		}), alert.ErrKeyAnnouncement},
		{"wrong type", edit(func(_ *alert.KeyEnvelope, ka *alert.KeyAnnouncement) { ka.Type = "ward-alert" }), alert.ErrKeyAnnouncement},
		{"unknown field", []byte(strings.Replace(string(announce(k1, k2)), `{`, `{"extra":1,`, 1)), alert.ErrKeyAnnouncement},
		{"trailing data", append(announce(k1, k2), []byte(` {}`)...), alert.ErrKeyAnnouncement},
		{"an alert", []byte(`{"key_id":"x","payload":"e30=","signature":""}`), alert.ErrKeyAnnouncement},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ring := alert.NewKeyring(pub(k1))
			ka, err := ring.OpenKeyAnnouncement(tc.data)
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Fatalf("OpenKeyAnnouncement() = %v, want %v", err, tc.wantErr)
			}
			if err == nil && ka.KeyID != alert.KeyID(pub(k2)) {
				t.Errorf("OpenKeyAnnouncement() key = %s, want %s", ka.KeyID, alert.KeyID(pub(k2)))
			}
		})
	}
	if _, err := alert.AnnounceKey(k1, k1, testIssued); !errors.Is(err, alert.ErrKeyAnnouncement) {
		t.Errorf("AnnounceKey(same key) = %v, want ErrKeyAnnouncement", err)
	}
	if alert.IsKeyAnnouncement([]byte(`{"key_id":"x","payload":"e30=","signature":""}`)) {
		t.Error("IsKeyAnnouncement(an alert envelope) = true")
	}
}

func FuzzParseKeyAnnouncement(f *testing.F) {
	files, _ := filepath.Glob("testdata/keys/*.json")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"key_announcement":"e30=","signatures":[]}`))
	ring := alert.NewKeyring(testKey('1').Public().(ed25519.PublicKey))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, ka, err := alert.ParseKeyAnnouncement(data)
		if err != nil {
			if env != nil || ka != nil {
				t.Fatal("ParseKeyAnnouncement returned a value with an error")
			}
			return
		}
		if len(ka.Key) != ed25519.PublicKeySize || ka.KeyID != alert.KeyID(ka.Key) || len(env.Signatures) != 2 {
			t.Fatalf("ParseKeyAnnouncement accepted %+v", ka)
		}
		if !alert.IsKeyAnnouncement(data) {
			t.Fatal("IsKeyAnnouncement() = false for a parsed announcement")
		}
		if got, err := ring.OpenKeyAnnouncement(data); err == nil && got.PreviousKeyID != alert.KeyID(testKey('1').Public().(ed25519.PublicKey)) {
			t.Fatalf("OpenKeyAnnouncement() accepted a key not vouched for by the pinned one: %+v", got)
		}
	})
}
