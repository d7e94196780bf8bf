package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/store"
)

// networkTests are the contract tests of the early-warning network;
// [StoreSuite] runs them.
var networkTests = []struct {
	name string
	test func(t *testing.T, s store.Store)
}{
	{"SigningKeys", testSigningKeys},
	{"KeyRollover", testKeyRollover},
	{"KeyRolloverRace", testKeyRolloverRace},
	{"Channels", testChannels},
	{"HubAlerts", testHubAlerts},
	{"Invites", testInvites},
	{"RedeemInvite_Concurrent", testRedeemConcurrent},
	{"Sites", testSites},
	{"SiteContact", testSiteContact},
	{"Reports", testReports},
	{"ReportHistory", testReportHistory},
	{"HubLinks", testHubLinks},
	{"HubLink_CA", testHubLinkCA},
	{"PinHubKey", testPinHubKey},
	{"ReceiveAlert", testReceiveAlert},
	{"ReceiveAlert_Concurrent", testReceiveConcurrent},
	{"ReceivedAlerts", testReceivedAlerts},
	{"ShareAlertAssets", testShareAlertAssets},
	{"NetworkIsolation", testNetworkIsolation},
}

// wantInvalid fails t unless err is ErrInvalid and its message names field.
func wantInvalid(t *testing.T, call string, err error, field string) {
	t.Helper()
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), field+":") && !strings.Contains(err.Error(), field+" ") {
		t.Errorf("%s = %v, want ErrInvalid naming %s", call, err, field)
	}
}

// key returns n bytes of b.
func key(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

func testSigningKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	keys := func() []store.SigningKey {
		t.Helper()
		ks, err := s.SigningKeys(ctx)
		if err != nil {
			t.Fatalf("SigningKeys() = %v", err)
		}
		return ks
	}
	if ks := keys(); len(ks) != 0 {
		t.Fatalf("SigningKeys() of an empty store = %v", ks)
	}
	k1 := store.SigningKey{ID: "k1", Public: key(1, 32), Private: key(2, 64), CreatedAt: day(0)}
	k2 := store.SigningKey{ID: "k2", Public: key(3, 32), Private: key(4, 64), CreatedAt: day(1)}
	k3 := store.SigningKey{ID: "k3", Public: key(5, 32), Private: key(6, 64), CreatedAt: day(2)}
	for _, k := range []store.SigningKey{k1, k2, k3} {
		wantErr(t, "AddSigningKey("+k.ID+")", s.AddSigningKey(ctx, k), nil)
	}
	r1, r2 := k1, k2
	r1.RetiredAt, r2.RetiredAt = day(1), day(2)
	want := []store.SigningKey{k3, r2, r1}
	if d := cmp.Diff(want, keys()); d != "" {
		t.Errorf("SigningKeys() mismatch (-want +got):\n%s", d)
	}

	again := k1
	again.CreatedAt = day(3)
	wantErr(t, "AddSigningKey(known ID)", s.AddSigningKey(ctx, again), store.ErrConflict)
	for field, k := range map[string]store.SigningKey{
		"id":      {Public: key(1, 32), Private: key(1, 64)},
		"public":  {ID: "x", Public: key(1, 31), Private: key(1, 64)},
		"private": {ID: "x", Public: key(1, 32), Private: key(1, 32)},
	} {
		wantInvalid(t, "AddSigningKey(bad "+field+")", s.AddSigningKey(ctx, k), field)
	}
	if d := cmp.Diff(want, keys()); d != "" {
		t.Errorf("SigningKeys() after failed adds mismatch: the current key must stay (-want +got):\n%s", d)
	}
}

// newHubAlert returns a valid alert with seq, created at day(seq).
func newHubAlert(seq uint64) store.HubAlert {
	return store.HubAlert{ID: fmt.Sprintf("alert-%d", seq), Seq: seq, Title: "Infusion pumps exposed", Severity: "high",
		TLP: "AMBER", Envelope: fmt.Appendf(nil, `{"seq": %d,  "sig":"x"}`, seq), CreatedBy: "alice@example.org",
		CreatedAt: day(int(seq))}
}

func mustAlert(t *testing.T, s store.Store, a store.HubAlert) store.HubAlert {
	t.Helper()
	got, err := s.CreateAlert(t.Context(), a)
	if err != nil {
		t.Fatalf("CreateAlert(%s) = %v", a.ID, err)
	}
	return got
}

func testHubAlerts(t *testing.T, s store.Store) {
	ctx := t.Context()
	next := func() uint64 {
		t.Helper()
		n, err := s.NextAlertSeq(ctx)
		if err != nil {
			t.Fatalf("NextAlertSeq() = %v", err)
		}
		return n
	}
	if n := next(); n != 1 {
		t.Errorf("NextAlertSeq() of an empty store = %d, want 1", n)
	}
	var created []store.HubAlert
	for seq := range uint64(5) {
		a := newHubAlert(seq + 1)
		got := mustAlert(t, s, a)
		if d := cmp.Diff(a, got); d != "" {
			t.Errorf("CreateAlert() mismatch (-want +got):\n%s", d)
		}
		created = append(created, got)
	}
	if n := next(); n != 6 {
		t.Errorf("NextAlertSeq() = %d, want 6", n)
	}
	got, err := s.HubAlert(ctx, "alert-3")
	wantErr(t, "HubAlert()", err, nil)
	if d := cmp.Diff(created[2], got); d != "" {
		t.Errorf("HubAlert() mismatch: the envelope must come back byte for byte (-want +got):\n%s", d)
	}
	_, err = s.HubAlert(ctx, "alert-9")
	wantErr(t, "HubAlert(unknown)", err, store.ErrNotFound)

	stamped := newHubAlert(6)
	stamped.CreatedAt, stamped.PublishedAt = time.Time{}, day(1)
	got = mustAlert(t, s, stamped)
	if !got.PublishedAt.IsZero() || diff(time.Now(), got.CreatedAt) != "" {
		t.Errorf("CreateAlert(no CreatedAt, a PublishedAt) = created %v, published %v; want now and zero", got.CreatedAt, got.PublishedAt)
	}
	created = append(created, got)

	dupID := newHubAlert(7)
	dupID.ID = "alert-1"
	_, err = s.CreateAlert(ctx, dupID)
	wantErr(t, "CreateAlert(known ID)", err, store.ErrConflict)
	dupSeq := newHubAlert(1)
	dupSeq.ID = "alert-other"
	_, err = s.CreateAlert(ctx, dupSeq)
	wantErr(t, "CreateAlert(known seq)", err, store.ErrConflict)
	for field, edit := range map[string]func(a *store.HubAlert){
		"id":       func(a *store.HubAlert) { a.ID = "" },
		"seq":      func(a *store.HubAlert) { a.Seq = 0 },
		"envelope": func(a *store.HubAlert) { a.Envelope = nil },
		"title":    func(a *store.HubAlert) { a.Title = strings.Repeat("x", store.MaxText+1) },
	} {
		a := newHubAlert(8)
		edit(&a)
		_, err := s.CreateAlert(ctx, a)
		wantInvalid(t, "CreateAlert(bad "+field+")", err, field)
	}

	// Newest first, across pages.
	var seqs []uint64
	for _, a := range all(t, 4, func(o store.ListOptions) (store.Page[store.HubAlert], error) { return s.ListHubAlerts(ctx, o) }) {
		seqs = append(seqs, a.Seq)
	}
	if d := cmp.Diff([]uint64{6, 5, 4, 3, 2, 1}, seqs); d != "" {
		t.Errorf("ListHubAlerts() seqs mismatch (-want +got):\n%s", d)
	}
	_, err = s.ListHubAlerts(ctx, store.ListOptions{Cursor: "garbage"})
	wantErr(t, "ListHubAlerts(bad cursor)", err, store.ErrInvalid)

	// The outbox: oldest first; publishing twice keeps the first time.
	wantErr(t, "MarkAlertPublished()", s.MarkAlertPublished(ctx, "alert-2", day(10)), nil)
	wantErr(t, "MarkAlertPublished(again)", s.MarkAlertPublished(ctx, "alert-2", day(11)), nil)
	wantErr(t, "MarkAlertPublished(4)", s.MarkAlertPublished(ctx, "alert-4", day(10)), nil)
	wantErr(t, "MarkAlertPublished(unknown)", s.MarkAlertPublished(ctx, "alert-9", day(10)), store.ErrNotFound)
	wantErr(t, "MarkAlertPublished(no time)", s.MarkAlertPublished(ctx, "alert-1", time.Time{}), store.ErrInvalid)
	if a, _ := s.HubAlert(ctx, "alert-2"); !a.PublishedAt.Equal(day(10)) {
		t.Errorf("PublishedAt after publishing twice = %v, want the first, %v", a.PublishedAt, day(10))
	}
	out, err := s.UnpublishedAlerts(ctx)
	wantErr(t, "UnpublishedAlerts()", err, nil)
	if d := diff([]store.HubAlert{created[0], created[2], created[4], created[5]}, out); d != "" {
		t.Errorf("UnpublishedAlerts() mismatch (-want +got):\n%s", d)
	}
}

func newInvite(name string) store.SiteInvite {
	return store.SiteInvite{Name: name, Kind: store.KindHospital, Country: "DE", ExpiresAt: time.Now().Add(time.Hour), CreatedBy: "hub-admin"}
}

func mustInvite(t *testing.T, s store.Store, inv store.SiteInvite) string {
	t.Helper()
	_, token, err := s.CreateInvite(t.Context(), inv)
	if err != nil {
		t.Fatalf("CreateInvite(%s) = %v", inv.Name, err)
	}
	return token
}

func mustSite(t *testing.T, s store.Store, name string) store.Site {
	t.Helper()
	site, err := s.RedeemInvite(t.Context(), mustInvite(t, s, newInvite(name)), "U"+strings.ToUpper(name), time.Now())
	if err != nil {
		t.Fatalf("RedeemInvite(%s) = %v", name, err)
	}
	return site
}

// subjectToken is what a NATS subject token may hold.
var subjectToken = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func testInvites(t *testing.T, s store.Store) {
	ctx := t.Context()
	inv := newInvite("Klinikum Nord")
	inv.Kind, inv.Country, inv.Contact, inv.Phone = store.KindLab, "AT", "Dr. Anna Roth", "+43 (1) 234-5678"
	got, token, err := s.CreateInvite(ctx, inv)
	wantErr(t, "CreateInvite()", err, nil)
	want := inv
	want.ID, want.CreatedAt = got.ID, time.Now()
	if d := diff(want, got); d != "" || got.ID == "" {
		t.Errorf("CreateInvite() mismatch (-want +got):\n%s", d)
	}
	if !strings.HasPrefix(token, store.TokenPrefix) {
		t.Errorf("CreateInvite() token %q, want a %s token", token, store.TokenPrefix)
	}
	for field, edit := range map[string]func(i *store.SiteInvite){
		"name":       func(i *store.SiteInvite) { i.Name = " " },
		"kind":       func(i *store.SiteInvite) { i.Kind = "pharmacy" },
		"country":    func(i *store.SiteInvite) { i.Country = "de" },
		"expires_at": func(i *store.SiteInvite) { i.ExpiresAt = time.Time{} },
		"phone":      func(i *store.SiteInvite) { i.Phone = "call 0800" },
		"contact":    func(i *store.SiteInvite) { i.Contact = strings.Repeat("x", store.MaxName+1) },
	} {
		bad := newInvite("X")
		edit(&bad)
		_, _, err := s.CreateInvite(ctx, bad)
		wantInvalid(t, "CreateInvite(bad "+field+")", err, field)
	}

	now := time.Now()
	_, err = s.RedeemInvite(ctx, token, "", now)
	wantInvalid(t, "RedeemInvite(no key)", err, "nats_key")
	_, err = s.RedeemInvite(ctx, "ward_unknown", "UKEY", now)
	wantErr(t, "RedeemInvite(unknown token)", err, store.ErrNotFound)
	taken := mustSite(t, s, "taken")
	_, err = s.RedeemInvite(ctx, token, taken.NATSKey, now)
	wantErr(t, "RedeemInvite(key in use)", err, store.ErrConflict)

	site, err := s.RedeemInvite(ctx, token, "UKLINIKUM", now)
	wantErr(t, "RedeemInvite()", err, nil)
	wantSite := store.Site{ID: site.ID, Name: inv.Name, Kind: inv.Kind, Country: inv.Country, NATSKey: "UKLINIKUM",
		Contact: inv.Contact, Phone: inv.Phone, EnrolledAt: now}
	if d := diff(wantSite, site); d != "" {
		t.Errorf("RedeemInvite() mismatch (-want +got):\n%s", d)
	}
	if !subjectToken.MatchString(site.ID) || site.ID == taken.ID {
		t.Errorf("RedeemInvite() ID %q: want a fresh NATS subject token", site.ID)
	}
	read, err := s.Site(ctx, site.ID)
	wantErr(t, "Site()", err, nil)
	if d := cmp.Diff(site, read); d != "" {
		t.Errorf("Site() mismatch (-want +got):\n%s", d)
	}
	_, err = s.RedeemInvite(ctx, token, "UOTHER", now)
	wantErr(t, "RedeemInvite(used)", err, store.ErrNotFound)

	expiring := newInvite("Praxis")
	expiring.ExpiresAt = now.Add(time.Minute)
	late := mustInvite(t, s, expiring)
	_, err = s.RedeemInvite(ctx, late, "UPRAXIS", now.Add(2*time.Minute))
	wantErr(t, "RedeemInvite(expired)", err, store.ErrNotFound)
	if _, err := s.RedeemInvite(ctx, late, "UPRAXIS", now); err != nil {
		t.Errorf("RedeemInvite(before it expires) = %v", err)
	}
}

// testRedeemConcurrent redeems each invitation from several goroutines at
// once: exactly one of them enrols a site.
func testRedeemConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const invites, redeemers = 3, 6
	for i := range invites {
		token := mustInvite(t, s, newInvite(fmt.Sprintf("site-%d", i)))
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			won  int
			errs []error
		)
		for r := range redeemers {
			wg.Go(func() {
				_, err := s.RedeemInvite(ctx, token, fmt.Sprintf("U%d-%d", i, r), time.Now())
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case !errors.Is(err, store.ErrNotFound):
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		if won != 1 || len(errs) != 0 {
			t.Errorf("invitation %d: %d redeems succeeded, other errors %v; want exactly one and only ErrNotFound", i, won, errs)
		}
	}
	if sites := all(t, 10, func(o store.ListOptions) (store.Page[store.Site], error) { return s.ListSites(ctx, o) }); len(sites) != invites {
		t.Errorf("ListSites() has %d sites, want %d", len(sites), invites)
	}
}

func testSites(t *testing.T, s store.Store) {
	ctx := t.Context()
	names := []string{"delta", "alpha", "charlie", "bravo", "echo"}
	for _, n := range names {
		mustSite(t, s, n)
	}
	var got []string
	sites := all(t, 2, func(o store.ListOptions) (store.Page[store.Site], error) { return s.ListSites(ctx, o) })
	for _, site := range sites {
		got = append(got, site.Name)
	}
	if d := cmp.Diff([]string{"alpha", "bravo", "charlie", "delta", "echo"}, got); d != "" {
		t.Errorf("ListSites() names mismatch (-want +got):\n%s", d)
	}

	revoked, err := s.RevokeSite(ctx, sites[0].ID, day(1))
	wantErr(t, "RevokeSite()", err, nil)
	want := sites[0]
	want.RevokedAt = day(1)
	if d := cmp.Diff(want, revoked); d != "" {
		t.Errorf("RevokeSite() mismatch (-want +got):\n%s", d)
	}
	again, err := s.RevokeSite(ctx, sites[0].ID, day(2))
	wantErr(t, "RevokeSite(again)", err, nil)
	if !again.RevokedAt.Equal(day(1)) {
		t.Errorf("RevokeSite(again).RevokedAt = %v, want the first, %v", again.RevokedAt, day(1))
	}
	_, err = s.RevokeSite(ctx, "site_unknown", day(1))
	wantErr(t, "RevokeSite(unknown)", err, store.ErrNotFound)
	_, err = s.Site(ctx, "site_unknown")
	wantErr(t, "Site(unknown)", err, store.ErrNotFound)
	if n := len(all(t, 10, func(o store.ListOptions) (store.Page[store.Site], error) { return s.ListSites(ctx, o) })); n != len(names) {
		t.Errorf("ListSites() after a revocation has %d sites, want %d: revoked ones stay", n, len(names))
	}
}

func testSiteContact(t *testing.T, s store.Store) {
	ctx := t.Context()
	site := mustSite(t, s, "Nord")
	got, err := s.SetSiteContact(ctx, site.ID, "Ward 3 duty desk", "+49 40 1234-0")
	wantErr(t, "SetSiteContact()", err, nil)
	want := site
	want.Contact, want.Phone = "Ward 3 duty desk", "+49 40 1234-0"
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SetSiteContact() mismatch (-want +got):\n%s", d)
	}
	if read, err := s.Site(ctx, site.ID); err != nil || cmp.Diff(want, read) != "" {
		t.Errorf("Site() after SetSiteContact() = %+v, %v; want %+v", read, err, want)
	}
	for _, tc := range []struct{ name, contact, phone, field string }{
		{"letters", "", "0800-CALL-NOW", "phone"},
		{"no digits", "", "+ ( ) -", "phone"},
		{"too long", "", strings.Repeat("1", store.MaxPhone+1), "phone"},
		{"long contact", strings.Repeat("x", store.MaxName+1), "", "contact"},
	} {
		_, err := s.SetSiteContact(ctx, site.ID, tc.contact, tc.phone)
		wantInvalid(t, "SetSiteContact("+tc.name+")", err, tc.field)
	}
	if read, _ := s.Site(ctx, site.ID); read.Phone != want.Phone {
		t.Errorf("Site().Phone after refused changes = %q, want %q", read.Phone, want.Phone)
	}
	cleared, err := s.SetSiteContact(ctx, site.ID, "", "")
	if err != nil || cleared.Contact != "" || cleared.Phone != "" {
		t.Errorf("SetSiteContact(empty) = %+v, %v; want the contact cleared", cleared, err)
	}
	_, err = s.SetSiteContact(ctx, "site_unknown", "", "112")
	wantErr(t, "SetSiteContact(unknown)", err, store.ErrNotFound)
}

// testReportHistory: the log keeps every report, in time order, while
// AlertReports keeps the newest of each site.
func testReportHistory(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mustAlert(t, s, newHubAlert(1))
	nord, sued := mustSite(t, s, "Nord"), mustSite(t, s, "Sued")
	in := []store.ExposureReport{
		{AlertID: a.ID, SiteID: sued.ID, At: day(3), Acknowledged: true, Affected: true, Mitigated: 2},
		{AlertID: a.ID, SiteID: nord.ID, At: day(1)},
		{AlertID: a.ID, SiteID: sued.ID, At: day(2), Affected: true, Assets: map[string]int{"act": 1}, Shared: []byte(`[]`)},
		{AlertID: a.ID, SiteID: sued.ID, At: day(2), Affected: true}, // delivered twice
	}
	for _, r := range in {
		wantErr(t, "RecordReport()", s.RecordReport(ctx, r), nil)
	}
	got, err := s.ReportHistory(ctx, a.ID)
	wantErr(t, "ReportHistory()", err, nil)
	want := []store.ExposureReport{
		{AlertID: a.ID, SiteID: nord.ID, At: day(1)},
		{AlertID: a.ID, SiteID: sued.ID, At: day(2), Affected: true},
		{AlertID: a.ID, SiteID: sued.ID, At: day(3), Acknowledged: true, Affected: true, Mitigated: 2},
	}
	if d := diff(want, got); d != "" {
		t.Errorf("ReportHistory() mismatch (-want +got):\n%s", d)
	}
	if rs, err := s.ReportHistory(ctx, "alert-9"); err != nil || len(rs) != 0 {
		t.Errorf("ReportHistory(unknown alert) = %v, %v; want none", rs, err)
	}
}

func testReports(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := mustAlert(t, s, newHubAlert(1))
	nord, sued := mustSite(t, s, "Nord"), mustSite(t, s, "Sued")
	reports := func() []store.ExposureReport {
		t.Helper()
		rs, err := s.AlertReports(ctx, a.ID)
		if err != nil {
			t.Fatalf("AlertReports() = %v", err)
		}
		return rs
	}
	first := store.ExposureReport{AlertID: a.ID, SiteID: sued.ID, At: day(2), Acknowledged: true, Affected: true,
		Assets: map[string]int{"act": 2, "track": 1}, Shared: []byte(`[{"id":"pump-1"}]`)}
	other := store.ExposureReport{AlertID: a.ID, SiteID: nord.ID, At: day(2), Acknowledged: true}
	for _, r := range []store.ExposureReport{first, other} {
		wantErr(t, "RecordReport()", s.RecordReport(ctx, r), nil)
	}
	first.SiteName, other.SiteName = "Sued", "Nord"
	if d := diff([]store.ExposureReport{other, first}, reports()); d != "" {
		t.Errorf("AlertReports() mismatch, by site name (-want +got):\n%s", d)
	}

	newer := first
	newer.At, newer.Assets, newer.Mitigated, newer.Shared = day(3), map[string]int{"act": 0}, 2, nil
	wantErr(t, "RecordReport(newer)", s.RecordReport(ctx, newer), nil)
	older := first
	older.At, older.Affected = day(1), false
	wantErr(t, "RecordReport(older)", s.RecordReport(ctx, older), nil)
	if d := diff([]store.ExposureReport{other, newer}, reports()); d != "" {
		t.Errorf("AlertReports() after a newer and an older report mismatch: the newer stays (-want +got):\n%s", d)
	}

	unknownAlert := other
	unknownAlert.AlertID = "alert-9"
	wantErr(t, "RecordReport(unknown alert)", s.RecordReport(ctx, unknownAlert), store.ErrNotFound)
	unknownSite := other
	unknownSite.SiteID = "site_unknown"
	wantErr(t, "RecordReport(unknown site)", s.RecordReport(ctx, unknownSite), store.ErrNotFound)
	for field, edit := range map[string]func(r *store.ExposureReport){
		"alert_id":  func(r *store.ExposureReport) { r.AlertID = "" },
		"site_id":   func(r *store.ExposureReport) { r.SiteID = "" },
		"at":        func(r *store.ExposureReport) { r.At = time.Time{} },
		"assets":    func(r *store.ExposureReport) { r.Assets = map[string]int{"act": -1} },
		"mitigated": func(r *store.ExposureReport) { r.Mitigated = -1 },
	} {
		r := other
		edit(&r)
		wantInvalid(t, "RecordReport(bad "+field+")", s.RecordReport(ctx, r), field)
	}
	if rs, err := s.AlertReports(ctx, "alert-9"); err != nil || len(rs) != 0 {
		t.Errorf("AlertReports(unknown alert) = %v, %v; want none", rs, err)
	}
}

// newLink returns a valid hub link whose cursor is cursor.
func newLink(site string, cursor uint64) store.HubLink {
	return store.HubLink{SiteID: site, HubURL: "https://hub.example.org", NATSURL: "nats://hub.example.org:4222",
		HubKeys: [][]byte{key(7, 32), key(8, 32)}, NATSSeed: []byte("SUAEXAMPLESEED"), Cursor: cursor, EnrolledAt: day(0)}
}

func mustLink(t *testing.T, s store.Store, org string, l store.HubLink) {
	t.Helper()
	if err := s.SetHubLink(t.Context(), org, l); err != nil {
		t.Fatalf("SetHubLink() = %v", err)
	}
}

func testHubLinks(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := MustOrg(t, s, "A").ID, MustOrg(t, s, "B").ID
	_, err := s.HubLink(ctx, a)
	wantErr(t, "HubLink(none)", err, store.ErrNotFound)
	la, lb := newLink("site_a", 0), newLink("site_b", 40)
	mustLink(t, s, a, la)
	mustLink(t, s, b, lb)
	la.OrgID, lb.OrgID = a, b
	got, err := s.HubLink(ctx, a)
	wantErr(t, "HubLink()", err, nil)
	if d := cmp.Diff(la, got); d != "" {
		t.Errorf("HubLink() mismatch (-want +got):\n%s", d)
	}
	links, err := s.HubLinks(ctx)
	wantErr(t, "HubLinks()", err, nil)
	want := []store.HubLink{la, lb}
	if b < a {
		want = []store.HubLink{lb, la}
	}
	if d := cmp.Diff(want, links); d != "" {
		t.Errorf("HubLinks() mismatch (-want +got):\n%s", d)
	}

	// Re-enrolment replaces the link and starts the cursor again.
	if err := s.SkipAlert(ctx, a, 9); err != nil {
		t.Fatal(err)
	}
	re := newLink("site_a2", 2)
	re.HubKeys, re.EnrolledAt = [][]byte{key(9, 32)}, day(5)
	mustLink(t, s, a, re)
	re.OrgID = a
	if got, _ := s.HubLink(ctx, a); !cmp.Equal(re, got) {
		t.Errorf("HubLink() after re-enrolment = %+v, want %+v", got, re)
	}

	wantErr(t, "SetHubLink(unknown organisation)", s.SetHubLink(ctx, "org_unknown", newLink("x", 0)), store.ErrNotFound)
	for field, edit := range map[string]func(l *store.HubLink){
		"site_id":     func(l *store.HubLink) { l.SiteID = "" },
		"nats_url":    func(l *store.HubLink) { l.NATSURL = "" },
		"hub_keys":    func(l *store.HubLink) { l.HubKeys = nil },
		"hub_keys[1]": func(l *store.HubLink) { l.HubKeys = [][]byte{key(1, 32), key(1, 31)} },
		"nats_seed":   func(l *store.HubLink) { l.NATSSeed = nil },
		"enrolled_at": func(l *store.HubLink) { l.EnrolledAt = time.Time{} },
	} {
		l := newLink("x", 0)
		edit(&l)
		wantInvalid(t, "SetHubLink(bad "+field+")", s.SetHubLink(ctx, a, l), field)
	}
}

// newReceived returns a valid received alert, received at day(seq).
func newReceived(id string, seq uint64) store.ReceivedAlert {
	return store.ReceivedAlert{ID: id, Seq: seq, Title: "Infusion pumps exposed", Severity: "high", TLP: "AMBER",
		Envelope: fmt.Appendf(nil, `{"id": %q}`, id), KeyID: "k1", ReceivedAt: day(int(seq))}
}

func cursor(t *testing.T, s store.Store, org string) uint64 {
	t.Helper()
	l, err := s.HubLink(t.Context(), org)
	if err != nil {
		t.Fatalf("HubLink() = %v", err)
	}
	return l.Cursor
}

func testReceiveAlert(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	_, err := s.ReceiveAlert(ctx, org, newReceived("a1", 1), 1)
	wantErr(t, "ReceiveAlert(no hub link)", err, store.ErrNotFound)
	wantErr(t, "SkipAlert(no hub link)", s.SkipAlert(ctx, org, 1), store.ErrNotFound)
	mustLink(t, s, org, newLink("site_k", 0))

	for _, tc := range []struct {
		name       string
		alert      store.ReceivedAlert
		seq        uint64
		skip       bool
		want       bool
		wantCursor uint64
	}{
		{"first", newReceived("a1", 1), 1, false, true, 1},
		{"redelivered", newReceived("a1", 1), 1, false, false, 1},
		{"another at an old seq", newReceived("a2", 2), 1, false, false, 1},
		{"held, at a new seq", newReceived("a1", 1), 3, false, false, 3},
		{"skip", store.ReceivedAlert{}, 5, true, false, 5},
		{"skip back", store.ReceivedAlert{}, 4, true, false, 5},
		{"next", newReceived("a2", 2), 6, false, true, 6},
	} {
		if tc.skip {
			wantErr(t, "SkipAlert("+tc.name+")", s.SkipAlert(ctx, org, tc.seq), nil)
		} else {
			got, err := s.ReceiveAlert(ctx, org, tc.alert, tc.seq)
			wantErr(t, "ReceiveAlert("+tc.name+")", err, nil)
			if got != tc.want {
				t.Errorf("ReceiveAlert(%s) = %v, want %v", tc.name, got, tc.want)
			}
		}
		if c := cursor(t, s, org); c != tc.wantCursor {
			t.Errorf("cursor after %s = %d, want %d", tc.name, c, tc.wantCursor)
		}
	}
	var ids []string
	for _, a := range all(t, 10, func(o store.ListOptions) (store.Page[store.ReceivedAlert], error) {
		return s.ListReceivedAlerts(ctx, org, o)
	}) {
		ids = append(ids, a.ID)
	}
	if d := cmp.Diff([]string{"a2", "a1"}, ids); d != "" {
		t.Errorf("ListReceivedAlerts() mismatch: each alert once (-want +got):\n%s", d)
	}

	for field, edit := range map[string]func(a *store.ReceivedAlert){
		"id":       func(a *store.ReceivedAlert) { a.ID = "" },
		"seq":      func(a *store.ReceivedAlert) { a.Seq = 0 },
		"envelope": func(a *store.ReceivedAlert) { a.Envelope = nil },
		"key_id":   func(a *store.ReceivedAlert) { a.KeyID = " " },
		"assets":   func(a *store.ReceivedAlert) { a.Assets = map[string]int{"act": -2} },
	} {
		a := newReceived("bad", 7)
		edit(&a)
		_, err := s.ReceiveAlert(ctx, org, a, 7)
		wantInvalid(t, "ReceiveAlert(bad "+field+")", err, field)
	}
	if c := cursor(t, s, org); c != 6 {
		t.Errorf("cursor after invalid alerts = %d, want 6", c)
	}
}

// testReceiveConcurrent delivers one alert from several goroutines at
// once: it is stored once, and reported new once.
func testReceiveConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	mustLink(t, s, org, newLink("site_k", 0))
	for seq := uint64(1); seq <= 3; seq++ {
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			news int
			errs []error
		)
		for range 6 {
			wg.Go(func() {
				stored, err := s.ReceiveAlert(ctx, org, newReceived(fmt.Sprintf("a%d", seq), seq), seq)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				}
				if stored {
					news++
				}
			})
		}
		wg.Wait()
		if news != 1 || len(errs) != 0 {
			t.Errorf("seq %d: ReceiveAlert() reported new %d times, errors %v; want once, none", seq, news, errs)
		}
	}
	if n := len(all(t, 10, func(o store.ListOptions) (store.Page[store.ReceivedAlert], error) {
		return s.ListReceivedAlerts(ctx, org, o)
	})); n != 3 {
		t.Errorf("ListReceivedAlerts() has %d alerts, want 3", n)
	}

	// Moves to many seqs at once never take the cursor back.
	var wg sync.WaitGroup
	for seq := uint64(10); seq <= 40; seq++ {
		wg.Go(func() {
			if err := s.SkipAlert(ctx, org, seq); err != nil {
				t.Errorf("SkipAlert(%d) = %v", seq, err)
			}
		})
	}
	wg.Wait()
	if c := cursor(t, s, org); c != 40 {
		t.Errorf("cursor after concurrent skips = %d, want 40", c)
	}
}

func testReceivedAlerts(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	mustLink(t, s, org, newLink("site_k", 0))
	// Received out of order of their hub seq: the list goes by ReceivedAt.
	recv := []store.ReceivedAlert{newReceived("a1", 1), newReceived("a3", 3), newReceived("a2", 2), newReceived("a4", 4)}
	recv[1].ReceivedAt = day(10)
	for i, a := range recv {
		if _, err := s.ReceiveAlert(ctx, org, a, uint64(i+1)); err != nil {
			t.Fatalf("ReceiveAlert(%s) = %v", a.ID, err)
		}
	}
	var ids []string
	for _, a := range all(t, 3, func(o store.ListOptions) (store.Page[store.ReceivedAlert], error) {
		return s.ListReceivedAlerts(ctx, org, o)
	}) {
		ids = append(ids, a.ID)
	}
	if d := cmp.Diff([]string{"a3", "a4", "a2", "a1"}, ids); d != "" {
		t.Errorf("ListReceivedAlerts() mismatch, newest received first (-want +got):\n%s", d)
	}

	got, err := s.ReceivedAlert(ctx, org, "a2")
	wantErr(t, "ReceivedAlert()", err, nil)
	want := recv[2]
	want.OrgID = org
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ReceivedAlert() mismatch (-want +got):\n%s", d)
	}
	_, err = s.ReceivedAlert(ctx, org, "a9")
	wantErr(t, "ReceivedAlert(unknown)", err, store.ErrNotFound)

	upd := got
	upd.MatchedAt, upd.Affected, upd.Assets = day(20), true, map[string]int{"act": 1, "attend": 2}
	upd.Acknowledged, upd.AckBy, upd.ReportedAt = day(21), "alice@example.org", day(22)
	upd.Title, upd.Envelope = "changed", []byte("{}") // not updated
	wantErr(t, "UpdateReceivedAlert()", s.UpdateReceivedAlert(ctx, upd), nil)
	got, err = s.ReceivedAlert(ctx, org, "a2")
	wantErr(t, "ReceivedAlert(updated)", err, nil)
	want = upd
	want.Title, want.Envelope = recv[2].Title, recv[2].Envelope
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ReceivedAlert() after UpdateReceivedAlert() mismatch (-want +got):\n%s", d)
	}
	unknown := upd
	unknown.ID = "a9"
	wantErr(t, "UpdateReceivedAlert(unknown)", s.UpdateReceivedAlert(ctx, unknown), store.ErrNotFound)
	bad := upd
	bad.AckBy = strings.Repeat("x", store.MaxName+1)
	wantInvalid(t, "UpdateReceivedAlert(bad ack_by)", s.UpdateReceivedAlert(ctx, bad), "ack_by")

	stamped := newReceived("a5", 5)
	stamped.ReceivedAt = time.Time{}
	if _, err := s.ReceiveAlert(ctx, org, stamped, 5); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ReceivedAlert(ctx, org, "a5"); diff(time.Now(), got.ReceivedAt) != "" {
		t.Errorf("ReceiveAlert(no ReceivedAt).ReceivedAt = %v, want now", got.ReceivedAt)
	}
}

func testShareAlertAssets(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	mustLink(t, s, org, newLink("site_k", 0))
	if _, err := s.ReceiveAlert(ctx, org, newReceived("a1", 1), 1); err != nil {
		t.Fatal(err)
	}
	got, err := s.ShareAlertAssets(ctx, org, "a1", "alice@example.org", day(3))
	wantErr(t, "ShareAlertAssets()", err, nil)
	if !got.SharedAt.Equal(day(3)) || got.SharedBy != "alice@example.org" {
		t.Errorf("ShareAlertAssets() = shared at %v by %q, want %v by alice", got.SharedAt, got.SharedBy, day(3))
	}
	again, err := s.ShareAlertAssets(ctx, org, "a1", "bob@example.org", day(4))
	wantErr(t, "ShareAlertAssets(again)", err, nil)
	if d := cmp.Diff(got, again); d != "" {
		t.Errorf("ShareAlertAssets(again) changed the alert: the first time and person stay (-want +got):\n%s", d)
	}
	// Updates after matching or acknowledging keep the choice.
	again.Acknowledged, again.AckBy = day(5), "bob@example.org"
	again.SharedAt, again.SharedBy = time.Time{}, ""
	wantErr(t, "UpdateReceivedAlert()", s.UpdateReceivedAlert(ctx, again), nil)
	if read, _ := s.ReceivedAlert(ctx, org, "a1"); !read.SharedAt.Equal(day(3)) {
		t.Errorf("ReceivedAlert().SharedAt after UpdateReceivedAlert() = %v, want %v", read.SharedAt, day(3))
	}
	_, err = s.ShareAlertAssets(ctx, org, "a9", "alice@example.org", day(3))
	wantErr(t, "ShareAlertAssets(unknown)", err, store.ErrNotFound)
	_, err = s.ShareAlertAssets(ctx, org, "a1", "alice@example.org", time.Time{})
	wantInvalid(t, "ShareAlertAssets(no time)", err, "at")
}

// testNetworkIsolation reaches for organisation B's hub link and alerts
// through organisation A: every call answers ErrNotFound or nothing, and B
// stays as it was.
func testNetworkIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := MustOrg(t, s, "A").ID, MustOrg(t, s, "B").ID
	mustLink(t, s, b, newLink("site_b", 0))
	if _, err := s.ReceiveAlert(ctx, b, newReceived("shared-id", 1), 1); err != nil {
		t.Fatal(err)
	}
	before, err := s.ReceivedAlert(ctx, b, "shared-id")
	if err != nil {
		t.Fatal(err)
	}

	_, err = s.ReceivedAlert(ctx, a, "shared-id")
	wantErr(t, "ReceivedAlert(A, B's alert)", err, store.ErrNotFound)
	steal := before
	steal.OrgID, steal.AckBy, steal.Acknowledged = a, "mallory", day(9)
	wantErr(t, "UpdateReceivedAlert(A, B's alert)", s.UpdateReceivedAlert(ctx, steal), store.ErrNotFound)
	_, err = s.ShareAlertAssets(ctx, a, "shared-id", "mallory", day(9))
	wantErr(t, "ShareAlertAssets(A, B's alert)", err, store.ErrNotFound)
	if p, err := s.ListReceivedAlerts(ctx, a, store.ListOptions{}); err != nil || len(p.Items) != 0 {
		t.Errorf("ListReceivedAlerts(A) = %v, %v; want none", p.Items, err)
	}
	_, err = s.HubLink(ctx, a)
	wantErr(t, "HubLink(A)", err, store.ErrNotFound)
	_, err = s.ReceiveAlert(ctx, a, newReceived("x", 2), 2)
	wantErr(t, "ReceiveAlert(A without a link)", err, store.ErrNotFound)
	wantErr(t, "SkipAlert(A without a link)", s.SkipAlert(ctx, a, 9), store.ErrNotFound)

	// A enrols too, and receives an alert of the same ID: its own copy.
	mustLink(t, s, a, newLink("site_a", 0))
	if ok, err := s.ReceiveAlert(ctx, a, newReceived("shared-id", 1), 5); err != nil || !ok {
		t.Fatalf("ReceiveAlert(A, an ID B holds) = %v, %v; want true", ok, err)
	}
	if err := s.SkipAlert(ctx, a, 8); err != nil {
		t.Fatal(err)
	}
	mine, _ := s.ReceivedAlert(ctx, a, "shared-id")
	mine.AckBy, mine.Acknowledged = "alice", day(9)
	wantErr(t, "UpdateReceivedAlert(A's own)", s.UpdateReceivedAlert(ctx, mine), nil)

	after, err := s.ReceivedAlert(ctx, b, "shared-id")
	wantErr(t, "ReceivedAlert(B)", err, nil)
	if d := cmp.Diff(before, after); d != "" {
		t.Errorf("B's alert changed through A (-want +got):\n%s", d)
	}
	if c := cursor(t, s, b); c != 1 {
		t.Errorf("B's cursor = %d, want 1", c)
	}
	if p, err := s.ListReceivedAlerts(ctx, b, store.ListOptions{}); err != nil || len(p.Items) != 1 {
		t.Errorf("ListReceivedAlerts(B) = %d alerts, %v; want 1", len(p.Items), err)
	}
}
