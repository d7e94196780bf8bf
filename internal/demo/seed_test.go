package demo

import (
	"testing"
	"time"

	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
)

func TestSeed(t *testing.T) {
	set, err := Bundle()
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(t.Context(), sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	first, err := Seed(t.Context(), s, set, now)
	if err != nil {
		t.Fatalf("Seed() = %v", err)
	}
	if len(first) != 4 {
		t.Fatalf("Seed() = %d logins, want 4 (three sites and the support centre)", len(first))
	}
	for _, l := range first {
		if l.Findings == 0 && l.Organisation != supportCentre.Name {
			t.Errorf("%s: no findings", l.Organisation)
		}
		u, err := s.UserByEmail(t.Context(), l.Email)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := store.VerifyPassword(u.PasswordHash, l.Password); !ok {
			t.Errorf("%s: the printed password does not sign in", l.Email)
		}
	}
	// A second start keeps the data and gives new passwords.
	again, err := Seed(t.Context(), s, set, now.Add(time.Hour))
	if err != nil {
		t.Fatalf("Seed() again = %v", err)
	}
	orgs, _ := s.ListOrgs(t.Context(), store.ListOptions{})
	if len(orgs.Items) != 4 {
		t.Errorf("after two seeds: %d organisations, want 4", len(orgs.Items))
	}
	for i, l := range again {
		if l.Password == first[i].Password || l.Findings != first[i].Findings {
			t.Errorf("%s: second seed: password changed %v, findings %d (first %d)", l.Organisation, l.Password != first[i].Password, l.Findings, first[i].Findings)
		}
		u, _ := s.UserByEmail(t.Context(), l.Email)
		if ok, _ := store.VerifyPassword(u.PasswordHash, l.Password); !ok {
			t.Errorf("%s: the new password does not sign in", l.Email)
		}
	}
}
