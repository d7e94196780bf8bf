// Package storetest is the contract suite of the store. Every adapter runs
// [StoreSuite] unchanged, so that ward behaves the same on SQLite and
// PostgreSQL; adapters also run [TokenAtRest] and [ImportFault], which look
// at the database itself, and the benchmarks [BenchImportAssets] and
// [BenchListFindings].
//
// The suite controls no clock: times a store stamps by itself are compared
// within a margin; times the suite passes in (SyncFindings' now) are
// compared exactly.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// StoreSuite runs the contract tests on stores made by open, a fresh and
// empty store for each test. Tests run in parallel.
func StoreSuite(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tc := range []struct {
		name string
		test func(t *testing.T, s store.Store)
	}{
		{"Orgs", testOrgs},
		{"Users", testUsers},
		{"RecordSignIn", testRecordSignIn},
		{"Members", testMembers},
		{"Tokens", testTokens},
		{"Assets", testAssets},
		{"ImportAssets", testImportAssets},
		{"ImportAssets_AllOrNothing", testImportAllOrNothing},
		{"ImportAssets_Cancelled", testImportCancelled},
		{"ListAssets", testListAssets},
		{"SyncFindings", testSyncFindings},
		{"SyncFindings_Errors", testSyncErrors},
		{"SyncFindings_KeepsDue", testSyncKeepsDue},
		{"UpdateFindingState", testUpdateFindingState},
		{"AssignFinding", testAssignFinding},
		{"ListFindings", testListFindings},
		{"ListFindings_Advisory", testListFindingsAdvisory},
		{"CountFindings", testCountFindings},
		{"Audit", testAudit},
		{"Stats", testStats},
		{"Paging", testPaging},
		{"Paging_StableUnderInserts", testPagingInserts},
		{"TenantIsolation", testTenantIsolation},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Close", testClose},
		{"Feeds", testFeeds}, {"SyncAdvisoryFindings", testSyncAdvisoryFindings}, {"AssetsVersion", testAssetsVersion},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t))
		})
	}
	for _, tc := range append(workflowTests, networkTests...) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, open(t))
		})
	}
}

// testPassword and testHash are a password and its [store.HashPassword]
// hash, made once so that tests need not pay for argon2id.
const (
	testPassword = "correct horse battery staple"
	testHash     = "$argon2id$v=19$m=19456,t=2,p=1$lqd0NXh+uXtbTl+tMogv7A$gAz0/OB6SXZFUNYz/IAmvSSvzsID6iz6aCmjWb2oOAY"
)

// margin is how far a time the store stamps may be from the test's clock.
const margin = 10 * time.Second

// diff compares want and got as the suite does: times the store stamps
// within a margin, nil and empty slices and maps alike. It returns "" when
// they are equal.
func diff(want, got any) string {
	return cmp.Diff(want, got, cmpopts.EquateApproxTime(margin), cmpopts.EquateEmpty())
}

// wantErr fails t unless err matches want (errors.Is), or is nil when want
// is nil.
func wantErr(t *testing.T, call string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s = %v, want no error", call, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s = %v, want %v", call, err, want)
	}
}

// MustOrg creates an organisation named name.
func MustOrg(tb testing.TB, s store.Store, name string) store.Organisation {
	tb.Helper()
	o, err := s.CreateOrg(tb.Context(), store.Organisation{Name: name, Kind: store.KindHospital, Country: "DE"})
	if err != nil {
		tb.Fatalf("CreateOrg(%q) = %v", name, err)
	}
	return o
}

// mustUser creates a user with email and testHash.
func mustUser(tb testing.TB, s store.Store, email string) store.User {
	tb.Helper()
	u, err := s.CreateUser(tb.Context(), store.User{Email: email, DisplayName: "User " + email, PasswordHash: testHash})
	if err != nil {
		tb.Fatalf("CreateUser(%q) = %v", email, err)
	}
	return u
}

// newAsset returns a valid asset with id.
func newAsset(id string) inventory.Asset {
	return inventory.Asset{ID: id, Name: "Asset " + id, Kind: "workstation", Vendor: "Philips", Product: "IntelliVue", Version: "1.0"}
}

// newItem returns a known-affected scan item of asset for advisory and cve.
func newItem(asset, adv, cve string, d risk.Decision, due time.Time) scan.Item {
	return scan.Item{
		AssetID: asset, AdvisoryID: adv, CVE: cve, Status: advisory.StatusKnownAffected,
		Confidence: match.Confirmed, Path: match.ViaCPE, Decision: d, Due: due,
		Why: "test", Action: "update", ActionKind: risk.ActUpdate,
	}
}

func mustImport(t *testing.T, s store.Store, org string, assets ...inventory.Asset) {
	t.Helper()
	if _, err := s.ImportAssets(t.Context(), org, assets, store.Merge); err != nil {
		t.Fatalf("ImportAssets() = %v", err)
	}
}

func mustSync(t *testing.T, s store.Store, org string, now time.Time, items ...scan.Item) store.SyncCounts {
	t.Helper()
	n, err := s.SyncFindings(t.Context(), org, items, now)
	if err != nil {
		t.Fatalf("SyncFindings() = %v", err)
	}
	return n
}

// all walks every page of a list and returns the items.
func all[T any](t *testing.T, limit int, page func(opts store.ListOptions) (store.Page[T], error)) []T {
	t.Helper()
	var items []T
	opts := store.ListOptions{Limit: limit}
	for range 10_000 {
		p, err := page(opts)
		if err != nil {
			t.Fatalf("list %+v = %v", opts, err)
		}
		items = append(items, p.Items...)
		if p.Next == "" {
			return items
		}
		opts.Cursor = p.Next
	}
	t.Fatal("list does not end")
	return nil
}

func assetIDs(t *testing.T, s store.Store, org string, f store.AssetFilter) []string {
	t.Helper()
	var ids []string
	for _, a := range all(t, store.MaxLimit, func(o store.ListOptions) (store.Page[store.AssetRecord], error) {
		return s.ListAssets(t.Context(), org, f, o)
	}) {
		ids = append(ids, a.Asset.ID)
	}
	return ids
}

func testOrgs(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		in   store.Organisation
		want error
	}{
		{"hospital", store.Organisation{Name: "Klinikum Nord", Kind: store.KindHospital, Country: "DE"}, nil},
		{"practice", store.Organisation{Name: "Cabinet Dr. Martin", Kind: store.KindPractice, Country: "FR"}, nil},
		{"empty name", store.Organisation{Name: " ", Kind: store.KindEMS, Country: "AT"}, store.ErrInvalid},
		{"unknown kind", store.Organisation{Name: "X", Kind: "pharmacy", Country: "AT"}, store.ErrInvalid},
		{"lower-case country", store.Organisation{Name: "X", Kind: store.KindLab, Country: "de"}, store.ErrInvalid},
		{"alpha-3 country", store.Organisation{Name: "X", Kind: store.KindLab, Country: "DEU"}, store.ErrInvalid},
		{"user-assigned code", store.Organisation{Name: "X", Kind: store.KindLab, Country: "AA"}, store.ErrInvalid},
		{"not a country", store.Organisation{Name: "X", Kind: store.KindLab, Country: "EU"}, store.ErrInvalid},
		{"no country", store.Organisation{Name: "X", Kind: store.KindOther}, store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CreateOrg(ctx, tc.in)
			wantErr(t, "CreateOrg()", err, tc.want)
			if err != nil {
				return
			}
			want := tc.in
			want.ID, want.CreatedAt = got.ID, time.Now()
			if d := diff(want, got); d != "" || got.ID == "" {
				t.Errorf("CreateOrg() mismatch (-want +got):\n%s", d)
			}
			read, err := s.Org(ctx, got.ID)
			if err != nil {
				t.Fatalf("Org() = %v", err)
			}
			if d := cmp.Diff(got, read); d != "" {
				t.Errorf("Org() mismatch (-want +got):\n%s", d)
			}
		})
	}
	_, err := s.Org(ctx, "org_unknown")
	wantErr(t, "Org(unknown)", err, store.ErrNotFound)

	var names []string
	for _, o := range all(t, 1, func(o store.ListOptions) (store.Page[store.Organisation], error) { return s.ListOrgs(ctx, o) }) {
		names = append(names, o.Name)
	}
	if d := cmp.Diff([]string{"Cabinet Dr. Martin", "Klinikum Nord"}, names); d != "" {
		t.Errorf("ListOrgs() names mismatch (-want +got):\n%s", d)
	}
}

func testUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustUser(t, s, "Anna.Arzt@Example.org")
	if d := diff(store.User{ID: u.ID, Email: "Anna.Arzt@Example.org", DisplayName: "User Anna.Arzt@Example.org", PasswordHash: testHash, CreatedAt: time.Now()}, u); d != "" {
		t.Errorf("CreateUser() mismatch (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		name string
		in   store.User
		want error
	}{
		{"same email other case", store.User{Email: "anna.arzt@example.ORG", PasswordHash: testHash}, store.ErrConflict},
		{"not an email", store.User{Email: "anna", PasswordHash: testHash}, store.ErrInvalid},
		{"email with a name", store.User{Email: "Anna <anna@example.org>", PasswordHash: testHash}, store.ErrInvalid},
		{"plaintext password", store.User{Email: "b@example.org", PasswordHash: testPassword}, store.ErrInvalid},
		{"no password", store.User{Email: "b@example.org"}, store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, tc.in)
			wantErr(t, "CreateUser()", err, tc.want)
		})
	}

	for name, get := range map[string]func() (store.User, error){
		"User":        func() (store.User, error) { return s.User(ctx, u.ID) },
		"UserByEmail": func() (store.User, error) { return s.UserByEmail(ctx, "ANNA.ARZT@example.org") },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s() = %v", name, err)
		}
		if d := cmp.Diff(u, got); d != "" {
			t.Errorf("%s() mismatch (-want +got):\n%s", name, d)
		}
	}
	_, err := s.User(ctx, "usr_unknown")
	wantErr(t, "User(unknown)", err, store.ErrNotFound)
	_, err = s.UserByEmail(ctx, "nobody@example.org")
	wantErr(t, "UserByEmail(unknown)", err, store.ErrNotFound)

	// The stored hash verifies the password, and only it.
	for pw, want := range map[string]bool{testPassword: true, "wrong horse battery staple": false} {
		if ok, err := store.VerifyPassword(u.PasswordHash, pw); err != nil || ok != want {
			t.Errorf("VerifyPassword(stored, %q) = %v, %v, want %v", pw, ok, err, want)
		}
	}

	newHash, err := store.HashPassword("another secret")
	if err != nil {
		t.Fatal(err)
	}
	name, disabled, bad := "Dr. Anna Arzt", true, "$argon2id$broken"
	for _, tc := range []struct {
		name   string
		id     string
		upd    store.UserUpdate
		want   func(u store.User) store.User
		wantEr error
	}{
		{"nothing", u.ID, store.UserUpdate{}, func(u store.User) store.User { return u }, nil},
		{"display name", u.ID, store.UserUpdate{DisplayName: &name}, func(u store.User) store.User { u.DisplayName = name; return u }, nil},
		{"disable and new password", u.ID, store.UserUpdate{Disabled: &disabled, PasswordHash: &newHash},
			func(u store.User) store.User { u.Disabled, u.PasswordHash = true, newHash; return u }, nil},
		{"bad hash", u.ID, store.UserUpdate{PasswordHash: &bad}, nil, store.ErrInvalid},
		{"unknown user", "usr_unknown", store.UserUpdate{DisplayName: &name}, nil, store.ErrNotFound},
	} {
		t.Run("UpdateUser/"+tc.name, func(t *testing.T) {
			before, _ := s.User(ctx, u.ID)
			got, err := s.UpdateUser(ctx, tc.id, tc.upd)
			wantErr(t, "UpdateUser()", err, tc.wantEr)
			if err != nil {
				if after, _ := s.User(ctx, u.ID); !cmp.Equal(before, after) {
					t.Errorf("UpdateUser() failed but changed the user")
				}
				return
			}
			if d := cmp.Diff(tc.want(before), got); d != "" {
				t.Errorf("UpdateUser() mismatch (-want +got):\n%s", d)
			}
		})
	}
	if ok, _ := store.VerifyPassword(mustGet(t, func() (store.User, error) { return s.User(ctx, u.ID) }).PasswordHash, "another secret"); !ok {
		t.Error("the new password does not verify")
	}
}

func mustGet[T any](t *testing.T, get func() (T, error)) T {
	t.Helper()
	v, err := get()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func testRecordSignIn(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustUser(t, s, "nurse@example.org")
	policy := store.Lockout{After: 3, For: 15 * time.Minute}
	steps := []struct {
		ok         bool
		policy     store.Lockout
		wantFailed int
		wantLocked bool
	}{
		{false, policy, 1, false},
		{false, policy, 2, false},
		{false, policy, 3, true},
		{false, policy, 4, true},
		{true, policy, 0, false},
		{false, store.Lockout{}, 1, false},
		{false, store.Lockout{}, 2, false},
		{false, store.Lockout{}, 3, false},
	}
	for i, st := range steps {
		got, err := s.RecordSignIn(ctx, u.ID, st.ok, st.policy)
		if err != nil {
			t.Fatalf("step %d: RecordSignIn() = %v", i, err)
		}
		want := u
		want.FailedLogins = st.wantFailed
		if st.wantLocked {
			want.LockedUntil = time.Now().Add(policy.For)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("step %d: RecordSignIn(%v) mismatch (-want +got):\n%s", i, st.ok, d)
		}
	}
	_, err := s.RecordSignIn(ctx, "usr_unknown", false, policy)
	wantErr(t, "RecordSignIn(unknown)", err, store.ErrNotFound)
}

func testMembers(t *testing.T, s store.Store) {
	ctx := t.Context()
	org, other := MustOrg(t, s, "Klinikum"), MustOrg(t, s, "Praxis")
	a, b := mustUser(t, s, "a@example.org"), mustUser(t, s, "b@example.org")
	for _, tc := range []struct {
		name      string
		org, user string
		role      store.Role
		want      error
	}{
		{"admin", org.ID, a.ID, store.RoleAdmin, nil},
		{"change role", org.ID, a.ID, store.RoleResponder, nil},
		{"viewer", org.ID, b.ID, store.RoleViewer, nil},
		{"second organisation", other.ID, a.ID, store.RoleViewer, nil},
		{"unknown role", org.ID, b.ID, "owner", store.ErrInvalid},
		{"unknown user", org.ID, "usr_unknown", store.RoleViewer, store.ErrNotFound},
		{"unknown organisation", "org_unknown", a.ID, store.RoleViewer, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.SetMember(ctx, tc.org, tc.user, tc.role)
			wantErr(t, "SetMember()", err, tc.want)
			if err != nil {
				return
			}
			want := store.Membership{OrgID: tc.org, UserID: tc.user, Role: tc.role, CreatedAt: time.Now()}
			if d := diff(want, got); d != "" {
				t.Errorf("SetMember() mismatch (-want +got):\n%s", d)
			}
			if read, err := s.Member(ctx, tc.org, tc.user); err != nil || !cmp.Equal(got, read) {
				t.Errorf("Member() = %+v, %v, want %+v", read, err, got)
			}
		})
	}
	members := all(t, 1, func(o store.ListOptions) (store.Page[store.Membership], error) { return s.ListMembers(ctx, org.ID, o) })
	want := []store.Membership{
		{OrgID: org.ID, UserID: a.ID, Role: store.RoleResponder},
		{OrgID: org.ID, UserID: b.ID, Role: store.RoleViewer},
	}
	if a.ID > b.ID {
		want[0], want[1] = want[1], want[0]
	}
	if d := cmp.Diff(want, members, cmpopts.IgnoreFields(store.Membership{}, "CreatedAt")); d != "" {
		t.Errorf("ListMembers() mismatch (-want +got):\n%s", d)
	}
	var orgs []string
	for _, m := range all(t, 1, func(o store.ListOptions) (store.Page[store.Membership], error) {
		return s.UserMemberships(ctx, a.ID, o)
	}) {
		orgs = append(orgs, m.OrgID)
	}
	wantOrgs := []string{org.ID, other.ID}
	if org.ID > other.ID {
		wantOrgs[0], wantOrgs[1] = wantOrgs[1], wantOrgs[0]
	}
	if d := cmp.Diff(wantOrgs, orgs); d != "" {
		t.Errorf("UserMemberships() mismatch (-want +got):\n%s", d)
	}

	wantErr(t, "RemoveMember()", s.RemoveMember(ctx, org.ID, b.ID), nil)
	_, err := s.Member(ctx, org.ID, b.ID)
	wantErr(t, "Member(removed)", err, store.ErrNotFound)
	wantErr(t, "RemoveMember(removed)", s.RemoveMember(ctx, org.ID, b.ID), store.ErrNotFound)
}

func testTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Rettungsdienst")
	tok, plain, err := s.CreateToken(ctx, org.ID, "scanner", store.RoleResponder)
	if err != nil {
		t.Fatalf("CreateToken() = %v", err)
	}
	if d := diff(store.Token{ID: tok.ID, OrgID: org.ID, Role: store.RoleResponder, Name: "scanner", CreatedAt: time.Now()}, tok); d != "" {
		t.Errorf("CreateToken() mismatch (-want +got):\n%s", d)
	}
	if len(plain) != len(store.TokenPrefix)+43 || plain[:len(store.TokenPrefix)] != store.TokenPrefix {
		t.Errorf("CreateToken() plaintext = %q, want %s and 43 base64url characters", plain, store.TokenPrefix)
	}
	_, plain2, err := s.CreateToken(ctx, org.ID, "backup", store.RoleViewer)
	if err != nil || plain2 == plain {
		t.Fatalf("CreateToken() again = %q, %v; want another token", plain2, err)
	}

	used, err := s.LookupToken(ctx, store.HashToken(plain))
	if err != nil {
		t.Fatalf("LookupToken() = %v", err)
	}
	want := tok
	want.LastUsedAt = time.Now()
	if d := diff(want, used); d != "" {
		t.Errorf("LookupToken() mismatch (-want +got):\n%s", d)
	}
	// A second use within the minute writes nothing.
	if again, err := s.LookupToken(ctx, store.HashToken(plain)); err != nil || !again.LastUsedAt.Equal(used.LastUsedAt) {
		t.Errorf("LookupToken() again: LastUsedAt = %v, %v, want %v", again.LastUsedAt, err, used.LastUsedAt)
	}
	for name, hash := range map[string][]byte{
		"unknown":         store.HashToken(store.NewToken()),
		"plaintext bytes": []byte(plain),
		"empty":           nil,
	} {
		_, err := s.LookupToken(ctx, hash)
		wantErr(t, "LookupToken("+name+")", err, store.ErrNotFound)
	}

	token := func(id string) store.Token {
		t.Helper()
		for _, tk := range all(t, 1, func(o store.ListOptions) (store.Page[store.Token], error) { return s.ListTokens(ctx, org.ID, o) }) {
			if tk.ID == id {
				return tk
			}
		}
		t.Fatalf("ListTokens() lacks %s", id)
		return store.Token{}
	}
	if d := cmp.Diff(used, token(tok.ID)); d != "" {
		t.Errorf("ListTokens() mismatch (-want +got):\n%s", d)
	}

	wantErr(t, "RevokeToken()", s.RevokeToken(ctx, org.ID, tok.ID), nil)
	_, err = s.LookupToken(ctx, store.HashToken(plain))
	wantErr(t, "LookupToken(revoked)", err, store.ErrNotFound)
	revoked := token(tok.ID)
	if revoked.RevokedAt.IsZero() {
		t.Fatalf("ListTokens(): revoked token has no RevokedAt")
	}
	wantErr(t, "RevokeToken(twice)", s.RevokeToken(ctx, org.ID, tok.ID), nil)
	if again := token(tok.ID); !again.RevokedAt.Equal(revoked.RevokedAt) {
		t.Errorf("RevokeToken(twice) moved RevokedAt from %v to %v", revoked.RevokedAt, again.RevokedAt)
	}
	wantErr(t, "RevokeToken(unknown)", s.RevokeToken(ctx, org.ID, "tok_unknown"), store.ErrNotFound)

	for _, tc := range []struct {
		name, org, tok string
		role           store.Role
		want           error
	}{
		{"unknown organisation", "org_unknown", "x", store.RoleViewer, store.ErrNotFound},
		{"no name", org.ID, " ", store.RoleViewer, store.ErrInvalid},
		{"unknown role", org.ID, "x", "root", store.ErrInvalid},
	} {
		t.Run("CreateToken/"+tc.name, func(t *testing.T) {
			_, _, err := s.CreateToken(ctx, tc.org, tc.tok, tc.role)
			wantErr(t, "CreateToken()", err, tc.want)
		})
	}
}

func testAudit(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum")
	var want []store.AuditEntry
	for i, action := range []string{"sign-in", "asset.import", "token.create"} {
		e, err := s.AppendAudit(ctx, org.ID, "a@example.org", action, fmt.Sprintf("detail %d", i))
		if err != nil {
			t.Fatalf("AppendAudit() = %v", err)
		}
		if d := diff(store.AuditEntry{ID: e.ID, OrgID: org.ID, At: time.Now(), Actor: "a@example.org", Action: action, Detail: fmt.Sprintf("detail %d", i)}, e); d != "" {
			t.Errorf("AppendAudit() mismatch (-want +got):\n%s", d)
		}
		want = append([]store.AuditEntry{e}, want...)
	}
	got := all(t, 2, func(o store.ListOptions) (store.Page[store.AuditEntry], error) { return s.ListAudit(ctx, org.ID, o) })
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ListAudit() mismatch, want newest first (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		name, org, actor, action string
		want                     error
	}{
		{"no actor", org.ID, "", "sign-in", store.ErrInvalid},
		{"no action", org.ID, "a", " ", store.ErrInvalid},
		{"unknown organisation", "org_unknown", "a", "sign-in", store.ErrNotFound},
	} {
		_, err := s.AppendAudit(ctx, tc.org, tc.actor, tc.action, "")
		wantErr(t, "AppendAudit("+tc.name+")", err, tc.want)
	}
}

func testClose(t *testing.T, s store.Store) {
	for i := range 2 {
		if err := s.Close(); err != nil {
			t.Errorf("Close() #%d = %v", i+1, err)
		}
	}
	if _, err := s.Org(context.Background(), "org_x"); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("Org() after Close() = %v, want a closed-database error", err)
	}
}

// testConcurrentWriters writes to one organisation from several goroutines
// at once: writers take turns (or wait for each other) and none fails.
func testConcurrentWriters(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	_, plain, err := s.CreateToken(ctx, org, "scanner", store.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 4, 10
	errs := make(chan error, workers*rounds)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				it := newItem(fmt.Sprintf("asset-%d", r), "ICSMA-1", "CVE-1", risk.Act, day(2))
				_, err1 := s.ImportAssets(ctx, org, []inventory.Asset{newAsset(fmt.Sprintf("w%d-%d", w, r))}, store.Merge)
				_, err2 := s.SyncFindings(ctx, org, []scan.Item{it}, day(r))
				_, err3 := s.AssignFinding(ctx, org, store.KeyOf(&it), fmt.Sprint("worker ", w), "test")
				_, err4 := s.LookupToken(ctx, store.HashToken(plain))
				_, err5 := s.AppendAudit(ctx, org, "test", "round", fmt.Sprint(w, r))
				errs <- errors.Join(err1, err2, err3, err4, err5)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent write: %v", err)
		}
	}
	if n := len(assetIDs(t, s, org, store.AssetFilter{})); n != workers*rounds {
		t.Errorf("ListAssets() after concurrent imports = %d assets, want %d", n, workers*rounds)
	}
}
