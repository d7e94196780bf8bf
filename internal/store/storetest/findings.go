package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// day0 is the suite's first scan; scans are a day apart.
var day0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func day(n int) time.Time { return day0.AddDate(0, 0, n) }

func history(t *testing.T, s store.Store, org string, k store.FindingKey) []store.FindingEvent {
	t.Helper()
	return all(t, 2, func(o store.ListOptions) (store.Page[store.FindingEvent], error) {
		return s.FindingHistory(t.Context(), org, k, o)
	})
}

func mustFinding(t *testing.T, s store.Store, org string, k store.FindingKey) store.FindingRecord {
	t.Helper()
	f, err := s.Finding(t.Context(), org, k)
	if err != nil {
		t.Fatalf("Finding(%v) = %v", k, err)
	}
	return f
}

func mustMove(t *testing.T, s store.Store, org string, k store.FindingKey, tr store.Transition) store.FindingRecord {
	t.Helper()
	f, err := s.UpdateFindingState(t.Context(), org, k, tr)
	if err != nil {
		t.Fatalf("UpdateFindingState(%v, %s) = %v", k, tr.To, err)
	}
	return f
}

// transitionTo returns a valid transition to state, by actor.
func transitionTo(state store.FindingState) store.Transition {
	tr := store.Transition{To: state, Actor: "alice@example.org", Comment: "to " + string(state)}
	switch state {
	case store.StateRiskAccepted:
		tr.Reason, tr.AcceptExpiresAt = "vendor patch in Q3; device ring-fenced", time.Now().Add(90*24*time.Hour).UTC().Truncate(time.Second)
	case store.StateNotAffected:
		tr.Justification = store.VulnerableCodeNotInExecutePath
	}
	return tr
}

func testSyncFindings(t *testing.T, s store.Store) {
	org := MustOrg(t, s, "Klinikum").ID
	i1 := newItem("pump-1", "ICSMA-24-1", "CVE-2024-1", risk.Act, day(2))
	i2 := newItem("pump-1", "ICSMA-24-1", "CVE-2024-2", risk.Attend, day(14))
	i3 := newItem("ct-1", "ICSA-24-2", "CVE-2024-3", risk.Track, day(180))
	i3.Component = "openssl 1.1.1"
	i4 := newItem("ct-1", "ICSA-24-2", "", risk.TrackStar, day(60))
	k1, k2, k3, k4 := store.KeyOf(&i1), store.KeyOf(&i2), store.KeyOf(&i3), store.KeyOf(&i4)

	if d := cmp.Diff(store.SyncCounts{New: 3}, mustSync(t, s, org, day(0), i1, i2, i3)); d != "" {
		t.Errorf("first SyncFindings() counts mismatch (-want +got):\n%s", d)
	}
	for _, it := range []scan.Item{i1, i2, i3} {
		k := store.KeyOf(&it)
		want := store.FindingRecord{Key: k, Item: it, State: store.StateNew, FirstSeen: day(0), LastSeen: day(0), UpdatedAt: day(0)}
		if d := cmp.Diff(want, mustFinding(t, s, org, k)); d != "" {
			t.Errorf("Finding(%v) after the first sync mismatch (-want +got):\n%s", k, d)
		}
	}
	inProgress := mustMove(t, s, org, k1, transitionTo(store.StateInProgress))
	mustMove(t, s, org, k2, transitionTo(store.StateNotAffected))

	// Second scan: i1 re-decided, i2 (not affected) and i3 gone, i4 new.
	i1b := i1
	i1b.Decision, i1b.Why = risk.Attend, "re-scored"
	if d := cmp.Diff(store.SyncCounts{New: 1, Updated: 1, Resolved: 1}, mustSync(t, s, org, day(1), i1b, i4)); d != "" {
		t.Errorf("second SyncFindings() counts mismatch (-want +got):\n%s", d)
	}
	want1 := inProgress
	want1.Item, want1.LastSeen = i1b, day(1)
	if d := cmp.Diff(want1, mustFinding(t, s, org, k1)); d != "" {
		t.Errorf("Finding(kept) mismatch, want fresh item and kept workflow (-want +got):\n%s", d)
	}
	if f := mustFinding(t, s, org, k2); f.State != store.StateNotAffected || !f.LastSeen.Equal(day(0)) {
		t.Errorf("Finding(not affected, gone) = %s last seen %v, want not_affected last seen %v", f.State, f.LastSeen, day(0))
	}
	if f := mustFinding(t, s, org, k3); f.State != store.StateResolved || !f.UpdatedAt.Equal(day(1)) {
		t.Errorf("Finding(gone) = %s updated %v, want resolved at %v", f.State, f.UpdatedAt, day(1))
	}
	if f := mustFinding(t, s, org, k4); f.State != store.StateNew || !f.FirstSeen.Equal(day(1)) {
		t.Errorf("Finding(new) = %s first seen %v, want new at %v", f.State, f.FirstSeen, day(1))
	}

	// Third scan: i3 is back.
	if d := cmp.Diff(store.SyncCounts{Updated: 2, Reopened: 1}, mustSync(t, s, org, day(2), i1b, i3, i4)); d != "" {
		t.Errorf("third SyncFindings() counts mismatch (-want +got):\n%s", d)
	}
	want3 := store.FindingRecord{Key: k3, Item: i3, State: store.StateOpen, FirstSeen: day(0), LastSeen: day(2), UpdatedAt: day(2)}
	if d := cmp.Diff(want3, mustFinding(t, s, org, k3)); d != "" {
		t.Errorf("Finding(reopened) mismatch (-want +got):\n%s", d)
	}
	wantHistory := []store.FindingEvent{
		{At: day(1), Actor: store.SystemActor, From: store.StateNew, To: store.StateResolved, Comment: "no longer matched"},
		{At: day(2), Actor: store.SystemActor, From: store.StateResolved, To: store.StateOpen, Comment: "matched again"},
	}
	if d := cmp.Diff(wantHistory, history(t, s, org, k3), ignoreEventID); d != "" {
		t.Errorf("FindingHistory(reopened) mismatch (-want +got):\n%s", d)
	}

	// An empty scan resolves every live finding.
	if d := cmp.Diff(store.SyncCounts{Resolved: 3}, mustSync(t, s, org, day(3))); d != "" {
		t.Errorf("empty SyncFindings() counts mismatch (-want +got):\n%s", d)
	}
}

// Options for comparing histories: event IDs are the store's, times it
// stamps itself are compared within the margin.
var (
	ignoreEventID = cmpopts.IgnoreFields(store.FindingEvent{}, "ID")
	cmpApproxTime = cmpopts.EquateApproxTime(margin)
)

// A deadline runs from when a finding was first seen with its decision: a
// later scan with the same decision keeps it, a new decision sets a new one.
func testSyncKeepsDue(t *testing.T, s store.Store) {
	org := MustOrg(t, s, "Klinikum").ID
	i1 := newItem("pump-1", "ICSMA-24-1", "CVE-2024-1", risk.Attend, day(14))
	k := store.KeyOf(&i1)
	mustSync(t, s, org, day(0), i1)

	again := i1
	again.Due = day(20) // scanned six days later, same decision
	mustSync(t, s, org, day(6), again)
	if f := mustFinding(t, s, org, k); !f.Item.Due.Equal(day(14)) {
		t.Errorf("due after a rescan with the same decision = %v, want the first %v", f.Item.Due, day(14))
	}
	p, err := s.ListFindings(t.Context(), org, store.FindingFilter{}, store.ListOptions{})
	if err != nil || len(p.Items) != 1 || !p.Items[0].Item.Due.Equal(day(14)) {
		t.Errorf("ListFindings() = %+v, %v; want one due %v", p.Items, err, day(14))
	}

	// A feed's re-match of the advisory keeps it too.
	later := i1
	later.Due = day(25)
	if _, err := s.SyncAdvisoryFindings(t.Context(), org, []string{"ICSMA-24-1"}, []scan.Item{later}, day(11)); err != nil {
		t.Fatal(err)
	}
	if f := mustFinding(t, s, org, k); !f.Item.Due.Equal(day(14)) {
		t.Errorf("due after an advisory re-match with the same decision = %v, want the first %v", f.Item.Due, day(14))
	}

	worse := i1
	worse.Decision, worse.Due = risk.Act, day(8)
	mustSync(t, s, org, day(6), worse)
	if f := mustFinding(t, s, org, k); !f.Item.Due.Equal(day(8)) {
		t.Errorf("due after the decision became act = %v, want the new %v", f.Item.Due, day(8))
	}
}

func testSyncErrors(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	i1 := newItem("pump-1", "ICSMA-24-1", "CVE-2024-1", risk.Act, day(2))
	mustSync(t, s, org, day(0), i1)
	before := mustFinding(t, s, org, store.KeyOf(&i1))

	for _, tc := range []struct {
		name  string
		org   string
		items []scan.Item
		now   time.Time
		want  error
	}{
		{"no advisory", org, []scan.Item{i1, {AssetID: "pump-2"}}, day(1), store.ErrInvalid},
		{"no asset", org, []scan.Item{{AdvisoryID: "X"}}, day(1), store.ErrInvalid},
		{"no time", org, []scan.Item{i1}, time.Time{}, store.ErrInvalid},
		{"unknown organisation", "org_unknown", []scan.Item{i1}, day(1), store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.SyncFindings(ctx, tc.org, tc.items, tc.now)
			wantErr(t, "SyncFindings()", err, tc.want)
			if d := cmp.Diff(before, mustFinding(t, s, org, store.KeyOf(&i1))); d != "" {
				t.Errorf("failed SyncFindings() changed a finding (-want +got):\n%s", d)
			}
		})
	}

	// Of two items with one key, the first (most urgent) is kept.
	second := i1
	second.Why = "second"
	first := i1
	first.Why = "first"
	if n := mustSync(t, s, org, day(1), first, second); n != (store.SyncCounts{Updated: 1}) {
		t.Errorf("SyncFindings(duplicate keys) = %+v, want one update", n)
	}
	if got := mustFinding(t, s, org, store.KeyOf(&i1)).Item.Why; got != "first" {
		t.Errorf("SyncFindings(duplicate keys) kept %q, want the first", got)
	}
}

func testUpdateFindingState(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	expires := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
	for n, tc := range []struct {
		name string
		from store.FindingState
		tr   store.Transition
		want error
	}{
		{"new to open", store.StateNew, store.Transition{To: store.StateOpen, Actor: "a", Comment: "confirmed on site"}, nil},
		{"open to in progress", store.StateOpen, store.Transition{To: store.StateInProgress, Actor: "a"}, nil},
		{"in progress to mitigated", store.StateInProgress, store.Transition{To: store.StateMitigated, Actor: "a", Reason: "VLAN 40, vendor access only"}, nil},
		{"mitigated to resolved", store.StateMitigated, store.Transition{To: store.StateResolved, Actor: "a", Reason: "firmware 2.1 installed"}, nil},
		{"resolved to open", store.StateResolved, store.Transition{To: store.StateOpen, Actor: "a"}, nil},
		{"accept risk", store.StateOpen, store.Transition{To: store.StateRiskAccepted, Actor: "a", Reason: "no fix yet", AcceptExpiresAt: expires}, nil},
		{"renew acceptance", store.StateRiskAccepted, store.Transition{To: store.StateRiskAccepted, Actor: "a", Reason: "still no fix", AcceptExpiresAt: expires.Add(time.Hour)}, nil},
		{"acceptance withdrawn", store.StateRiskAccepted, store.Transition{To: store.StateOpen, Actor: "a"}, nil},
		{"not affected", store.StateNew, store.Transition{To: store.StateNotAffected, Actor: "a", Justification: store.ComponentNotPresent}, nil},
		{"not affected revoked", store.StateNotAffected, store.Transition{To: store.StateOpen, Actor: "a"}, nil},

		{"accept without reason", store.StateOpen, store.Transition{To: store.StateRiskAccepted, Actor: "a", AcceptExpiresAt: expires}, store.ErrInvalid},
		{"accept without expiry", store.StateOpen, store.Transition{To: store.StateRiskAccepted, Actor: "a", Reason: "r"}, store.ErrInvalid},
		{"accept until yesterday", store.StateOpen, store.Transition{To: store.StateRiskAccepted, Actor: "a", Reason: "r", AcceptExpiresAt: time.Now().Add(-24 * time.Hour)}, store.ErrInvalid},
		{"expiry without acceptance", store.StateOpen, store.Transition{To: store.StateMitigated, Actor: "a", AcceptExpiresAt: expires}, store.ErrInvalid},
		{"not affected without justification", store.StateNew, store.Transition{To: store.StateNotAffected, Actor: "a"}, store.ErrInvalid},
		{"not affected, unknown justification", store.StateNew, store.Transition{To: store.StateNotAffected, Actor: "a", Justification: "trust me"}, store.ErrInvalid},
		{"justification without not affected", store.StateNew, store.Transition{To: store.StateOpen, Actor: "a", Justification: store.ComponentNotPresent}, store.ErrInvalid},
		{"no actor", store.StateNew, store.Transition{To: store.StateOpen}, store.ErrInvalid},
		{"back to new", store.StateOpen, store.Transition{To: store.StateNew, Actor: "a"}, store.ErrTransition},
		{"open to open", store.StateOpen, store.Transition{To: store.StateOpen, Actor: "a"}, store.ErrTransition},
		{"resolved to in progress", store.StateResolved, store.Transition{To: store.StateInProgress, Actor: "a"}, store.ErrTransition},
		{"not affected to resolved", store.StateNotAffected, store.Transition{To: store.StateResolved, Actor: "a"}, store.ErrTransition},
		{"unknown state", store.StateNew, store.Transition{To: "closed", Actor: "a"}, store.ErrTransition},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := newItem(fmt.Sprintf("asset-%d", n), "ICSMA-1", "CVE-1", risk.Act, day(2))
			k := store.KeyOf(&it)
			mustSync(t, s, org, day(0), it)
			if tc.from != store.StateNew {
				if tc.from == store.StateOpen || !store.StateNew.CanMoveTo(tc.from) {
					mustMove(t, s, org, k, transitionTo(store.StateOpen))
				}
				if tc.from != store.StateOpen {
					mustMove(t, s, org, k, transitionTo(tc.from))
				}
			}
			before, events := mustFinding(t, s, org, k), history(t, s, org, k)

			got, err := s.UpdateFindingState(ctx, org, k, tc.tr)
			wantErr(t, "UpdateFindingState()", err, tc.want)
			if err != nil {
				if d := cmp.Diff(before, mustFinding(t, s, org, k)); d != "" {
					t.Errorf("failed UpdateFindingState() changed the finding (-want +got):\n%s", d)
				}
				if n := len(history(t, s, org, k)); n != len(events) {
					t.Errorf("failed UpdateFindingState() wrote history: %d events, want %d", n, len(events))
				}
				return
			}
			want := before
			want.State, want.Reason, want.AcceptExpiresAt, want.Justification, want.UpdatedAt = tc.tr.To, tc.tr.Reason, tc.tr.AcceptExpiresAt, tc.tr.Justification, time.Now()
			if d := diff(want, got); d != "" {
				t.Errorf("UpdateFindingState() mismatch (-want +got):\n%s", d)
			}
			if d := cmp.Diff(got, mustFinding(t, s, org, k)); d != "" {
				t.Errorf("Finding() after UpdateFindingState() mismatch (-want +got):\n%s", d)
			}
			wantEvents := append(events, store.FindingEvent{At: time.Now(), Actor: tc.tr.Actor, From: tc.from, To: tc.tr.To, Comment: tc.tr.Comment})
			if d := cmp.Diff(wantEvents, history(t, s, org, k), ignoreEventID, cmpApproxTime); d != "" {
				t.Errorf("FindingHistory() mismatch (-want +got):\n%s", d)
			}
		})
	}
	_, err := s.UpdateFindingState(ctx, org, store.FindingKey{AssetID: "nope", AdvisoryID: "ICSMA-1"}, transitionTo(store.StateOpen))
	wantErr(t, "UpdateFindingState(unknown)", err, store.ErrNotFound)
}

func testAssignFinding(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	it := newItem("pump-1", "ICSMA-1", "CVE-1", risk.Act, day(2))
	k := store.KeyOf(&it)
	mustSync(t, s, org, day(0), it)
	for _, tc := range []struct {
		name, assignee, actor string
		want                  error
		wantComment           string
	}{
		{"assign", "bob@example.org", "alice@example.org", nil, "assigned to bob@example.org"},
		{"unassign", "", "alice@example.org", nil, "unassigned"},
		{"no actor", "bob@example.org", "", store.ErrInvalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, events := mustFinding(t, s, org, k), history(t, s, org, k)
			got, err := s.AssignFinding(ctx, org, k, tc.assignee, tc.actor)
			wantErr(t, "AssignFinding()", err, tc.want)
			if err != nil {
				if d := cmp.Diff(before, mustFinding(t, s, org, k)); d != "" {
					t.Errorf("failed AssignFinding() changed the finding (-want +got):\n%s", d)
				}
				return
			}
			want := before
			want.Assignee, want.UpdatedAt = tc.assignee, time.Now()
			if d := diff(want, got); d != "" {
				t.Errorf("AssignFinding() mismatch (-want +got):\n%s", d)
			}
			wantEvents := append(events, store.FindingEvent{At: time.Now(), Actor: tc.actor, From: store.StateNew, To: store.StateNew, Comment: tc.wantComment})
			if d := cmp.Diff(wantEvents, history(t, s, org, k), ignoreEventID, cmpApproxTime); d != "" {
				t.Errorf("FindingHistory() mismatch (-want +got):\n%s", d)
			}
		})
	}
	_, err := s.AssignFinding(ctx, org, store.FindingKey{AssetID: "nope", AdvisoryID: "ICSMA-1"}, "bob", "alice")
	wantErr(t, "AssignFinding(unknown)", err, store.ErrNotFound)
	_, err = s.FindingHistory(ctx, org, store.FindingKey{AssetID: "nope", AdvisoryID: "ICSMA-1"}, store.ListOptions{})
	wantErr(t, "FindingHistory(unknown)", err, store.ErrNotFound)
}

// listFixture stores five findings, most urgent first f3, f1, f2, f4, f5,
// and moves f2 to open and f4 to resolved.
func listFixture(t *testing.T, s store.Store) (org string, f1, f2, f3, f4, f5 scan.Item) {
	org = MustOrg(t, s, "Klinikum").ID
	f1 = newItem("a1", "ADV-1", "CVE-1", risk.Act, day(2))
	f1.KEV = true
	f2 = newItem("a1", "ADV-1", "CVE-2", risk.Attend, day(14))
	f2.Confidence = match.Possible
	f3 = newItem("a2", "ADV-2", "CVE-3", risk.Act, day(1))
	f4 = newItem("a2", "ADV-3", "", risk.Track, day(180))
	f5 = newItem("a3", "ADV-3", "CVE-4", "", time.Time{})
	f5.Status = advisory.StatusFixed
	mustSync(t, s, org, day(0), f1, f2, f3, f4, f5)
	mustMove(t, s, org, store.KeyOf(&f2), transitionTo(store.StateOpen))
	mustMove(t, s, org, store.KeyOf(&f4), transitionTo(store.StateResolved))
	return org, f1, f2, f3, f4, f5
}

func testListFindings(t *testing.T, s store.Store) {
	ctx := t.Context()
	org, f1, f2, f3, f4, f5 := listFixture(t, s)
	keys := func(items ...scan.Item) []store.FindingKey {
		var ks []store.FindingKey
		for i := range items {
			ks = append(ks, store.KeyOf(&items[i]))
		}
		return ks
	}
	for _, tc := range []struct {
		name string
		f    store.FindingFilter
		want []store.FindingKey
	}{
		{"all, most urgent first", store.FindingFilter{}, keys(f3, f1, f2, f4, f5)},
		{"new", store.FindingFilter{States: []store.FindingState{store.StateNew}}, keys(f3, f1, f5)},
		{"open or resolved", store.FindingFilter{States: []store.FindingState{store.StateOpen, store.StateResolved}}, keys(f2, f4)},
		{"act", store.FindingFilter{Decisions: []risk.Decision{risk.Act}}, keys(f3, f1)},
		{"possible", store.FindingFilter{Confidences: []match.Confidence{match.Possible}}, keys(f2)},
		{"asset", store.FindingFilter{AssetID: "a2"}, keys(f3, f4)},
		{"kev", store.FindingFilter{KEVOnly: true}, keys(f1)},
		{"advisory", store.FindingFilter{AdvisoryID: "ADV-1"}, keys(f1, f2)},
		{"vulnerability", store.FindingFilter{VulnID: "CVE-3"}, keys(f3)},
		{"combined", store.FindingFilter{AssetID: "a1", Decisions: []risk.Decision{risk.Act, risk.Attend}, States: []store.FindingState{store.StateOpen}}, keys(f2)},
		{"none", store.FindingFilter{AssetID: "a9"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []store.FindingKey
			for _, f := range all(t, 2, func(o store.ListOptions) (store.Page[store.FindingRecord], error) {
				return s.ListFindings(ctx, org, tc.f, o)
			}) {
				got = append(got, f.Key)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("ListFindings(%+v) mismatch (-want +got):\n%s", tc.f, d)
			}
		})
	}
	page, err := s.ListFindings(ctx, org, store.FindingFilter{KEVOnly: true}, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]store.FindingRecord{mustFinding(t, s, org, store.KeyOf(&f1))}, page.Items); d != "" {
		t.Errorf("ListFindings() records mismatch (-want +got):\n%s", d)
	}
	for _, f := range []store.FindingFilter{
		{States: []store.FindingState{"closed"}},
		{Decisions: []risk.Decision{"urgent"}},
		{Confidences: []match.Confidence{"maybe"}},
	} {
		_, err := s.ListFindings(ctx, org, f, store.ListOptions{})
		wantErr(t, fmt.Sprintf("ListFindings(%+v)", f), err, store.ErrInvalid)
		_, err = s.CountFindings(ctx, org, f)
		wantErr(t, fmt.Sprintf("CountFindings(%+v)", f), err, store.ErrInvalid)
	}
}

func testCountFindings(t *testing.T, s store.Store) {
	ctx := t.Context()
	org, _, _, _, _, _ := listFixture(t, s)
	for _, tc := range []struct {
		name string
		org  string
		f    store.FindingFilter
		want []store.FindingCount
	}{
		{"all", org, store.FindingFilter{}, []store.FindingCount{
			{State: store.StateNew, Decision: risk.Act, Count: 2},
			{State: store.StateNew, Decision: "", Count: 1},
			{State: store.StateOpen, Decision: risk.Attend, Count: 1},
			{State: store.StateResolved, Decision: risk.Track, Count: 1},
		}},
		{"kev", org, store.FindingFilter{KEVOnly: true}, []store.FindingCount{{State: store.StateNew, Decision: risk.Act, Count: 1}}},
		{"other organisation", MustOrg(t, s, "Praxis").ID, store.FindingFilter{}, []store.FindingCount{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CountFindings(ctx, tc.org, tc.f)
			if err != nil {
				t.Fatalf("CountFindings() = %v", err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("CountFindings() mismatch (-want +got):\n%s", d)
			}
		})
	}
}
