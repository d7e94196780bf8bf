package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// Login is a demo sign-in: who, for which organisation, with which password.
type Login struct {
	Organisation string
	Email        string
	Password     string
	Findings     int
}

// people are the demo users, one per organisation (see USERS.md), and the
// numbers the hub calls them on: from the Berlin range 030 23125 the
// German regulator keeps for fiction, so no one real is called.
var people = map[string]struct{ name, email, phone string }{
	KindHospital: {"Jonas Berg", "jonas.berg@st-elisabeth.example", "+49 30 23125 101"},
	KindPractice: {"Dr. Anna Weber", "anna.weber@praxis-weber.example", "+49 30 23125 102"},
	KindEMS:      {"Tomasz Nowak", "tomasz.nowak@leitstelle-nord.example", "+49 30 23125 103"},
	KindHub:      {"Elena Rossi", "elena.rossi@health-support-centre.example", "+49 30 23125 100"},
}

// SeedContacts gives the hub's demo sites, once enrolled, whom to phone:
// the demo user of each, where the hub has no contact yet.
func SeedContacts(ctx context.Context, s store.Store, set *advisory.Set) error {
	sites, err := store.All(ctx, s.ListSites)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	kinds := map[string]string{}
	for _, org := range Organisations(set) {
		kinds[org.Name] = org.Kind
	}
	for _, site := range sites {
		kind, ok := kinds[site.Name]
		if !ok || site.Contact != "" || site.Phone != "" {
			continue
		}
		p := people[kind]
		if _, err := s.SetSiteContact(ctx, site.ID, p.name, p.phone); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}

// supportCentre is the demo's hub operator: it runs no assets of its own.
var supportCentre = Org{Name: "Health Sector Support Centre", Kind: KindHub, Country: "DE"}

// Seed fills an empty store with the three demo organisations, their assets
// and the findings of a scan against set made at now, and the sector
// support centre that runs the hub, and gives each organisation an admin
// user. On a store that already holds them it only
// gives the users new passwords, so that every start prints working logins.
func Seed(ctx context.Context, s store.Store, set *advisory.Set, now time.Time) ([]Login, error) {
	existing := map[string]store.Organisation{}
	page, err := s.ListOrgs(ctx, store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	for _, o := range page.Items {
		existing[o.Name] = o
	}
	var logins []Login
	for _, org := range append(Organisations(set), supportCentre) {
		person := people[org.Kind]
		pw, err := newPassword()
		if err != nil {
			return nil, err
		}
		hash, err := store.HashPassword(pw)
		if err != nil {
			return nil, err
		}
		login := Login{Organisation: org.Name, Email: person.email, Password: pw}
		if o, ok := existing[org.Name]; ok {
			u, err := s.UserByEmail(ctx, person.email)
			if err != nil {
				return nil, fmt.Errorf("demo: %s: %w", org.Name, err)
			}
			if _, err := s.UpdateUser(ctx, u.ID, store.UserUpdate{PasswordHash: &hash}); err != nil {
				return nil, fmt.Errorf("demo: %s: %w", org.Name, err)
			}
			counts, err := s.CountFindings(ctx, o.ID, store.FindingFilter{})
			if err != nil {
				return nil, fmt.Errorf("demo: %s: %w", org.Name, err)
			}
			for _, c := range counts {
				login.Findings += c.Count
			}
			logins = append(logins, login)
			continue
		}
		o, err := s.CreateOrg(ctx, store.Organisation{Name: org.Name, Kind: store.OrgKind(org.Kind), Country: org.Country})
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", org.Name, err)
		}
		u, err := s.CreateUser(ctx, store.User{Email: person.email, DisplayName: person.name, PasswordHash: hash})
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", org.Name, err)
		}
		if _, err := s.SetMember(ctx, o.ID, u.ID, store.RoleAdmin); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", org.Name, err)
		}
		if _, err := s.ImportAssets(ctx, o.ID, org.Assets, store.Replace); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", org.Name, err)
		}
		rep := scan.Assess(org.Assets, set, scan.Options{Now: now})
		if _, err := s.SyncFindings(ctx, o.ID, rep.Findings, now); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", org.Name, err)
		}
		if _, err := s.AppendAudit(ctx, o.ID, "demo", "demo.seed",
			fmt.Sprintf("%d assets, %d findings", len(org.Assets), len(rep.Findings))); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", org.Name, err)
		}
		login.Findings = len(rep.Findings)
		logins = append(logins, login)
	}
	return logins, nil
}

// newPassword makes 16 characters from letters and digits that cannot be
// mistaken for one another when read off a terminal.
func newPassword() (string, error) {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}
