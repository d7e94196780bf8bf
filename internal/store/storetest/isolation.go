package storetest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// tenant is everything the suite can read of one organisation.
type tenant struct {
	Members  []store.Membership
	Tokens   []store.Token
	Assets   []store.AssetRecord
	Findings []store.FindingRecord
	History  []store.FindingEvent
	Counts   []store.FindingCount
	Audit    []store.AuditEntry
}

func readTenant(t *testing.T, s store.Store, org string, k store.FindingKey) tenant {
	t.Helper()
	ctx := t.Context()
	var tn tenant
	tn.Members = all(t, 10, func(o store.ListOptions) (store.Page[store.Membership], error) { return s.ListMembers(ctx, org, o) })
	tn.Tokens = all(t, 10, func(o store.ListOptions) (store.Page[store.Token], error) { return s.ListTokens(ctx, org, o) })
	tn.Assets = all(t, 10, func(o store.ListOptions) (store.Page[store.AssetRecord], error) {
		return s.ListAssets(ctx, org, store.AssetFilter{}, o)
	})
	tn.Findings = all(t, 10, func(o store.ListOptions) (store.Page[store.FindingRecord], error) {
		return s.ListFindings(ctx, org, store.FindingFilter{}, o)
	})
	tn.History, _ = allOrNone(t, func(o store.ListOptions) (store.Page[store.FindingEvent], error) {
		return s.FindingHistory(ctx, org, k, o)
	})
	tn.Audit = all(t, 10, func(o store.ListOptions) (store.Page[store.AuditEntry], error) { return s.ListAudit(ctx, org, o) })
	var err error
	if tn.Counts, err = s.CountFindings(ctx, org, store.FindingFilter{}); err != nil {
		t.Fatal(err)
	}
	return tn
}

// allOrNone is [all] for a list whose owner may not exist (ErrNotFound).
func allOrNone[T any](t *testing.T, page func(store.ListOptions) (store.Page[T], error)) ([]T, error) {
	t.Helper()
	if _, err := page(store.ListOptions{Limit: 1}); errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return all(t, 10, page), nil
}

// testTenantIsolation reaches for organisation B's objects through
// organisation A: every call answers ErrNotFound and B stays as it was.
func testTenantIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := MustOrg(t, s, "A").ID, MustOrg(t, s, "B").ID
	user := mustUser(t, s, "b@example.org")
	if _, err := s.SetMember(ctx, b, user.ID, store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	tok, plain, err := s.CreateToken(ctx, b, "b's token", store.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, b, newAsset("b-only"), newAsset("shared"))
	mustImport(t, s, a, newAsset("shared"))
	it := newItem("b-only", "ICSMA-1", "CVE-1", risk.Act, day(2))
	assetID, key := it.AssetID, store.KeyOf(&it)
	mustSync(t, s, b, day(0), it)
	if _, err := s.AppendAudit(ctx, b, "b@example.org", "sign-in", ""); err != nil {
		t.Fatal(err)
	}
	before := readTenant(t, s, b, key)

	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"Member", func() error { _, err := s.Member(ctx, a, user.ID); return err }},
		{"RemoveMember", func() error { return s.RemoveMember(ctx, a, user.ID) }},
		{"RevokeToken", func() error { return s.RevokeToken(ctx, a, tok.ID) }},
		{"Asset", func() error { _, err := s.Asset(ctx, a, assetID); return err }},
		{"DeleteAsset", func() error { return s.DeleteAsset(ctx, a, assetID) }},
		{"Finding", func() error { _, err := s.Finding(ctx, a, key); return err }},
		{"UpdateFindingState", func() error {
			_, err := s.UpdateFindingState(ctx, a, key, transitionTo(store.StateResolved))
			return err
		}},
		{"AssignFinding", func() error { _, err := s.AssignFinding(ctx, a, key, "mallory", "mallory"); return err }},
		{"FindingHistory", func() error { _, err := s.FindingHistory(ctx, a, key, store.ListOptions{}); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.name+"(A, B's id)", tc.call(), store.ErrNotFound)
			if d := cmp.Diff(before, readTenant(t, s, b, key)); d != "" {
				t.Errorf("%s through A changed B (-want +got):\n%s", tc.name, d)
			}
		})
	}

	// Writes in A's scope touch only A, even with IDs B also uses.
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"UpsertAsset", func() error {
			_, err := s.UpsertAsset(ctx, a, inventory.Asset{ID: assetID, CPE: "cpe:2.3:a:x:y"})
			return err
		}},
		{"DeleteAsset", func() error { return s.DeleteAsset(ctx, a, "shared") }},
		{"ImportAssets", func() error { _, err := s.ImportAssets(ctx, a, nil, store.Replace); return err }},
		{"SyncFindings", func() error { _, err := s.SyncFindings(ctx, a, nil, day(1)); return err }},
		{"SetMember", func() error { _, err := s.SetMember(ctx, a, user.ID, store.RoleViewer); return err }},
		{"RemoveMember", func() error { return s.RemoveMember(ctx, a, user.ID) }},
	} {
		t.Run("own "+tc.name, func(t *testing.T) {
			wantErr(t, tc.name+"(A)", tc.call(), nil)
			if d := cmp.Diff(before, readTenant(t, s, b, key)); d != "" {
				t.Errorf("%s in A changed B (-want +got):\n%s", tc.name, d)
			}
		})
	}

	// A's lists show nothing of B's.
	if got := readTenant(t, s, a, key); len(got.Members)+len(got.Tokens)+len(got.Assets)+len(got.Findings)+len(got.Counts)+len(got.Audit) != 0 || got.History != nil {
		t.Errorf("A's lists show %+v, want nothing", got)
	}
	// A token names its own organisation.
	if found, err := s.LookupToken(ctx, store.HashToken(plain)); err != nil || found.OrgID != b {
		t.Errorf("LookupToken() = %+v, %v, want B's token", found, err)
	}
}
