package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/store/sqlite"
)

// TestSite_InviteContact: the hub admin names whom to phone at a site when
// inviting it; the enrolled site carries them, and a bad number is refused
// with the field named.
func TestSite_InviteContact(t *testing.T) {
	data := t.TempDir()
	_, _, err := runWard(t, "site", "invite", "--data", data, "--name", "Klinikum Nord", "--kind", "hospital", "--country", "DE",
		"--contact", "Leitstelle", "--phone", "ask for Anna")
	if err == nil || !strings.Contains(err.Error(), "phone: ") {
		t.Errorf("site invite with letters in the phone = %v, want an error naming the phone", err)
	}
	out, stderr, err := runWard(t, "site", "invite", "--data", data, "--name", "Klinikum Nord", "--kind", "hospital", "--country", "DE",
		"--contact", "Leitstelle", "--phone", "+49 (40) 1234-0")
	if err != nil {
		t.Fatalf("site invite: %v\n%s", err, stderr)
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(data, "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	site, err := st.RedeemInvite(t.Context(), strings.TrimSpace(out), "UKLINIKUM", time.Now())
	st.Close()
	if err != nil || site.Contact != "Leitstelle" || site.Phone != "+49 (40) 1234-0" {
		t.Fatalf("RedeemInvite() = %+v, %v; want the invitation's contact", site, err)
	}
	list, _, err := runWard(t, "site", "list", "--data", data, "--format", "json")
	if err != nil || !strings.Contains(list, `"phone":"+49 (40) 1234-0"`) && !strings.Contains(list, `"phone": "+49 (40) 1234-0"`) {
		t.Errorf("site list = %s, %v; want the phone", list, err)
	}
}
