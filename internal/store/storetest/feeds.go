package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

func newFeed(name string) store.Feed {
	return store.Feed{Name: name, Kind: store.FeedCSAF, URL: "https://example.org/.well-known/csaf/provider-metadata.json",
		Interval: 6 * time.Hour, Enabled: true}
}

func testFeeds(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		in   store.Feed
		want error
	}{
		{"csaf", newFeed("CISA"), nil},
		{"folder", store.Feed{Name: "USB stick", Kind: store.FeedFolder, Path: "/media/advisories", Interval: time.Hour, Keys: []string{"KEY"}}, nil},
		{"same name", newFeed("CISA"), store.ErrConflict},
		{"no name", newFeed(" "), store.ErrInvalid},
		{"unknown kind", store.Feed{Name: "x", Kind: "rss", URL: "https://x.org/", Interval: time.Hour}, store.ErrInvalid},
		{"url and path", store.Feed{Name: "x", Kind: store.FeedKEV, URL: "https://x.org/kev.json", Path: "/kev", Interval: time.Hour}, store.ErrInvalid},
		{"neither", store.Feed{Name: "x", Kind: store.FeedKEV, Interval: time.Hour}, store.ErrInvalid},
		{"folder with url", store.Feed{Name: "x", Kind: store.FeedFolder, URL: "https://x.org/", Interval: time.Hour}, store.ErrInvalid},
		{"ftp url", store.Feed{Name: "x", Kind: store.FeedKEV, URL: "ftp://x.org/kev.json", Interval: time.Hour}, store.ErrInvalid},
		{"interval too short", store.Feed{Name: "x", Kind: store.FeedKEV, URL: "https://x.org/kev.json", Interval: time.Second}, store.ErrInvalid},
	} {
		t.Run("AddFeed/"+tc.name, func(t *testing.T) {
			got, err := s.AddFeed(ctx, tc.in)
			wantErr(t, "AddFeed()", err, tc.want)
			if err != nil {
				return
			}
			want := tc.in
			want.ID, want.CreatedAt = got.ID, time.Now()
			if d := diff(want, got); d != "" || got.ID == "" {
				t.Errorf("AddFeed() mismatch (-want +got):\n%s", d)
			}
			read, err := s.Feed(ctx, got.ID)
			if err != nil {
				t.Fatalf("Feed() = %v", err)
			}
			if d := diff(got, read); d != "" {
				t.Errorf("Feed() mismatch (-want +got):\n%s", d)
			}
		})
	}
	feeds := all(t, 1, func(o store.ListOptions) (store.Page[store.Feed], error) { return s.ListFeeds(ctx, o) })
	var names []string
	for _, f := range feeds {
		names = append(names, f.Name)
	}
	if d := cmp.Diff([]string{"CISA", "USB stick"}, names); d != "" {
		t.Fatalf("ListFeeds() names mismatch (-want +got):\n%s", d)
	}
	cisa := feeds[0]

	off, err := s.SetFeedEnabled(ctx, cisa.ID, false)
	wantErr(t, "SetFeedEnabled()", err, nil)
	if off.Enabled {
		t.Error("SetFeedEnabled(false): still enabled")
	}
	_, err = s.SetFeedEnabled(ctx, "feed_unknown", true)
	wantErr(t, "SetFeedEnabled(unknown)", err, store.ErrNotFound)

	t1 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	counts := store.FeedCounts{Added: 3, Changed: 1, Removed: 2, Failed: 1, Advisories: 40}
	ok, err := s.RecordFeedAttempt(ctx, cisa.ID, store.FeedAttempt{At: t1, Counts: counts, Seq: 7})
	wantErr(t, "RecordFeedAttempt(ok)", err, nil)
	want := off
	want.LastAttempt, want.LastSuccess, want.Counts, want.Seq = t1, t1, counts, 7
	if d := cmp.Diff(want, ok); d != "" {
		t.Errorf("RecordFeedAttempt(ok) mismatch (-want +got):\n%s", d)
	}
	t2 := t1.Add(time.Hour)
	failed, err := s.RecordFeedAttempt(ctx, cisa.ID, store.FeedAttempt{At: t2, Err: "provider-metadata.json: 503", Seq: 99})
	wantErr(t, "RecordFeedAttempt(failed)", err, nil)
	want.LastAttempt, want.LastError = t2, "provider-metadata.json: 503"
	if d := cmp.Diff(want, failed); d != "" {
		t.Errorf("RecordFeedAttempt(failed) keeps the last success, counts and seq (-want +got):\n%s", d)
	}
	again, err := s.RecordFeedAttempt(ctx, cisa.ID, store.FeedAttempt{At: t2.Add(time.Hour), Counts: counts, Seq: 8})
	wantErr(t, "RecordFeedAttempt(ok again)", err, nil)
	if again.LastError != "" || again.Seq != 8 {
		t.Errorf("RecordFeedAttempt(ok again): LastError %q, Seq %d, want none and 8", again.LastError, again.Seq)
	}
	_, err = s.RecordFeedAttempt(ctx, cisa.ID, store.FeedAttempt{})
	wantErr(t, "RecordFeedAttempt(no time)", err, store.ErrInvalid)
	_, err = s.RecordFeedAttempt(ctx, "feed_unknown", store.FeedAttempt{At: t1})
	wantErr(t, "RecordFeedAttempt(unknown)", err, store.ErrNotFound)

	wantErr(t, "RemoveFeed()", s.RemoveFeed(ctx, cisa.ID), nil)
	wantErr(t, "RemoveFeed(again)", s.RemoveFeed(ctx, cisa.ID), store.ErrNotFound)
	_, err = s.Feed(ctx, cisa.ID)
	wantErr(t, "Feed(removed)", err, store.ErrNotFound)
	// The name is free again.
	if _, err := s.AddFeed(ctx, newFeed("CISA")); err != nil {
		t.Errorf("AddFeed(name of a removed feed) = %v", err)
	}
}

// testSyncAdvisoryFindings checks that a re-match limited to some
// advisories touches only their findings, keeps workflow states, and
// resolves what no longer matches.
func testSyncAdvisoryFindings(t *testing.T, s store.Store) {
	ctx := t.Context()
	org, other := MustOrg(t, s, "Klinikum").ID, MustOrg(t, s, "Praxis").ID
	a1 := newItem("a1", "ADV-1", "CVE-1", risk.Act, day(3))
	a2 := newItem("a2", "ADV-1", "CVE-1", risk.Attend, day(9))
	b1 := newItem("a1", "ADV-2", "CVE-2", risk.Track, day(30))
	mustSync(t, s, org, day(0), a1, a2, b1)
	mustSync(t, s, other, day(0), a1)
	mustMove(t, s, org, store.KeyOf(&a1), transitionTo(store.StateInProgress))

	// ADV-1 changed: a1 still matches (now act sooner), a2 no longer, a3 is new.
	a1b := newItem("a1", "ADV-1", "CVE-1", risk.Act, day(2))
	a3 := newItem("a3", "ADV-1", "CVE-1", risk.Act, day(2))
	got, err := s.SyncAdvisoryFindings(ctx, org, []string{"ADV-1", "ADV-3"}, []scan.Item{a1b, a3}, day(1))
	wantErr(t, "SyncAdvisoryFindings()", err, nil)
	if d := cmp.Diff(store.SyncCounts{New: 1, Updated: 1, Resolved: 1}, got); d != "" {
		t.Errorf("SyncAdvisoryFindings() counts mismatch (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		key       store.FindingKey
		wantState store.FindingState
		lastSeen  time.Time
	}{
		{store.KeyOf(&a1), store.StateInProgress, day(1)},
		{store.KeyOf(&a2), store.StateResolved, day(0)},
		{store.KeyOf(&a3), store.StateNew, day(1)},
		{store.KeyOf(&b1), store.StateNew, day(0)}, // another advisory: untouched
	} {
		f := mustFinding(t, s, org, tc.key)
		if f.State != tc.wantState || !f.LastSeen.Equal(tc.lastSeen) {
			t.Errorf("finding %v: state %s, last seen %v; want %s, %v", tc.key, f.State, f.LastSeen, tc.wantState, tc.lastSeen)
		}
	}
	if f := mustFinding(t, s, org, store.KeyOf(&a1)); !f.Item.Due.Equal(day(2)) {
		t.Errorf("finding a1: due %v, want the re-match's %v", f.Item.Due, day(2))
	}
	// The other organisation is untouched.
	if f := mustFinding(t, s, other, store.KeyOf(&a1)); !f.LastSeen.Equal(day(0)) {
		t.Errorf("other organisation's finding: last seen %v, want %v", f.LastSeen, day(0))
	}
	// Removing an advisory (no items) resolves its live findings.
	got, err = s.SyncAdvisoryFindings(ctx, org, []string{"ADV-2"}, nil, day(2))
	wantErr(t, "SyncAdvisoryFindings(removed)", err, nil)
	if got.Resolved != 1 {
		t.Errorf("SyncAdvisoryFindings(removed).Resolved = %d, want 1", got.Resolved)
	}
	// Matched again: reopened.
	got, err = s.SyncAdvisoryFindings(ctx, org, []string{"ADV-2"}, []scan.Item{b1}, day(3))
	wantErr(t, "SyncAdvisoryFindings(again)", err, nil)
	if got.Reopened != 1 || mustFinding(t, s, org, store.KeyOf(&b1)).State != store.StateOpen {
		t.Errorf("SyncAdvisoryFindings(again) = %+v, want the finding reopened", got)
	}

	// Errors change nothing.
	_, err = s.SyncAdvisoryFindings(ctx, org, []string{"ADV-1"}, []scan.Item{b1}, day(4))
	wantErr(t, "SyncAdvisoryFindings(item of another advisory)", err, store.ErrInvalid)
	_, err = s.SyncAdvisoryFindings(ctx, "org_unknown", []string{"ADV-1"}, nil, day(4))
	wantErr(t, "SyncAdvisoryFindings(unknown organisation)", err, store.ErrNotFound)
	_, err = s.SyncAdvisoryFindings(ctx, org, []string{"ADV-1"}, nil, time.Time{})
	wantErr(t, "SyncAdvisoryFindings(no time)", err, store.ErrInvalid)
	if f := mustFinding(t, s, org, store.KeyOf(&a3)); f.State != store.StateNew {
		t.Errorf("a failed SyncAdvisoryFindings() changed finding a3 to %s", f.State)
	}
}

func testAssetsVersion(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	version := func() string {
		t.Helper()
		v, err := s.AssetsVersion(ctx, org)
		if err != nil {
			t.Fatalf("AssetsVersion() = %v", err)
		}
		return v
	}
	seen := map[string]string{}
	step := func(name string) {
		t.Helper()
		v := version()
		if prev, dup := seen[v]; dup {
			t.Errorf("AssetsVersion() after %s = %q, as after %s", name, v, prev)
		}
		seen[v] = name
	}
	step("nothing")
	mustImport(t, s, org, newAsset("a"), newAsset("b"))
	step("import")
	if v := version(); v != version() {
		t.Errorf("AssetsVersion() changes without a write")
	}
	time.Sleep(2 * time.Millisecond)
	changed := newAsset("a")
	changed.Version = "2.0"
	if _, err := s.UpsertAsset(ctx, org, changed); err != nil {
		t.Fatal(err)
	}
	step("update")
	if err := s.DeleteAsset(ctx, org, "b"); err != nil {
		t.Fatal(err)
	}
	step("delete")
}
