package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ward-health/ward/internal/store/sqlite"
)

func TestHub_RotateKey(t *testing.T) {
	data := t.TempDir()
	var ids []string
	for i := range 3 {
		out, stderr, err := runWard(t, "hub", "rotate-key", "--data", data)
		if err != nil {
			t.Fatalf("hub rotate-key: %v\n%s", err, stderr)
		}
		if id := strings.TrimSpace(out); len(id) != 16 || strings.Count(out, "\n") != 1 {
			t.Fatalf("hub rotate-key printed %q, want only the key id", out)
		}
		ids = append(ids, strings.TrimSpace(out))
		if i == 0 && !strings.Contains(stderr, "first") {
			t.Errorf("the first key's note = %q", stderr)
		}
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(data, "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, err := st.SigningKeys(t.Context())
	if err != nil || len(keys) != 3 || keys[0].ID != ids[2] {
		t.Fatalf("SigningKeys() = %d keys, %v; want 3, the last printed current", len(keys), err)
	}
	anns, err := st.UnpublishedKeyAnnouncements(t.Context())
	if err != nil || len(anns) != 2 || anns[0].KeyID != ids[1] || anns[1].KeyID != ids[2] {
		t.Errorf("UnpublishedKeyAnnouncements() = %+v, %v; want the two rotated keys, in order", anns, err)
	}
	if _, _, err := runWard(t, "hub", "rotate-key", "--data", data, "extra"); !errors.Is(err, errUsage) {
		t.Errorf("hub rotate-key extra = %v, want a usage error", err)
	}
	if _, _, err := runWard(t, "hub"); !errors.Is(err, errUsage) {
		t.Errorf("hub = %v, want a usage error", err)
	}
}

func TestServe_NATSTLSFlags(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"cert without key":   {"--role", "hub", "--nats-tls-cert", junk},
		"key without cert":   {"--role", "hub", "--nats-tls-key", junk},
		"at a site":          {"--role", "site", "--nats-tls-cert", junk, "--nats-tls-key", junk},
		"with external NATS": {"--role", "hub", "--nats", "nats://127.0.0.1:4222", "--nats-tls-cert", junk, "--nats-tls-key", junk},
		"not a certificate":  {"--role", "hub", "--nats-tls-cert", junk, "--nats-tls-key", junk},
	} {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, args...)
			if _, _, err := runWard(t, args...); !errors.Is(err, errUsage) {
				t.Errorf("run(%v) = %v, want a usage error", args, err)
			}
		})
	}
}
