package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/feed"
	"github.com/ward-health/ward/internal/feed/feedtest"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/synth"
	"github.com/ward-health/ward/internal/testenv"
)

const testdataCSAF = "../feed/testdata/csaf"

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	mirror string
	store  *sqlite.DB
	eng    *engine.Engine
	prov   *feedtest.Provider
	clock  *clock
	org    string
	feed   store.Feed
	mu     sync.Mutex
	calls  []string     // OnChange
	logs   bytes.Buffer // the engine's log, guarded by mu
}

func (f *fixture) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logs.Write(p)
}

func (f *fixture) logged() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logs.String()
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{clock: &clock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}}
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f.store = s
	org, err := s.CreateOrg(ctx, store.Organisation{Name: "Klinikum", Kind: store.KindHospital, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	f.org = org.ID
	set, err := advisory.Load(ctx, []string{testdataCSAF}, advisory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportAssets(ctx, org.ID, synth.NewPool(set.Advisories).Generate(400, 7, "a"), store.Merge); err != nil {
		t.Fatal(err)
	}
	f.prov = feedtest.NewProvider(t, testdataCSAF)
	f.mirror = filepath.Join(t.TempDir(), "mirror")
	f.eng, err = engine.New(engine.Config{
		Store: s, Now: f.clock.Now, Logger: slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), f), nil)),
		MirrorDir: f.mirror, FeedOptions: feed.Options{HTTPClient: f.prov.Client()},
		OnChange: func(org string) { f.mu.Lock(); f.calls = append(f.calls, org); f.mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.eng.Close() })
	f.feed, err = f.eng.AddFeed(ctx, store.Feed{Name: "test provider", Kind: store.FeedCSAF, URL: f.prov.MetadataURL(), Keys: []string{f.prov.Key()}, Enabled: true})
	if err != nil {
		t.Fatalf("AddFeed() = %v", err)
	}
	return f
}

func (f *fixture) findings(t *testing.T) []store.FindingRecord {
	t.Helper()
	var out []store.FindingRecord
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		p, err := f.store.ListFindings(t.Context(), f.org, store.FindingFilter{}, opts)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out
		}
		opts.Cursor = p.Next
	}
}

func (f *fixture) sync(t *testing.T) *engine.SyncReport {
	t.Helper()
	f.clock.Add(time.Hour)
	rep, err := f.eng.SyncFeed(t.Context(), f.feed.ID, nil)
	if err != nil {
		t.Fatalf("SyncFeed() = %v", err)
	}
	return rep
}

func TestSyncFeed_EndToEnd(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t)
	if f.eng.Ready() {
		t.Error("Ready() before Load = true")
	}

	// First sync: every advisory is new, and the findings are those a full
	// rescan makes.
	rep := f.sync(t)
	if !f.eng.Ready() {
		t.Error("Ready() after a sync = false")
	}
	if len(rep.Added) != len(f.prov.Docs()) || len(rep.Changed)+len(rep.Removed)+len(rep.Errors) != 0 {
		t.Fatalf("first SyncFeed() = added %v, changed %v, removed %v, errors %v; want %d added", rep.Added, rep.Changed, rep.Removed, rep.Errors, len(f.prov.Docs()))
	}
	first := f.findings(t)
	if len(first) == 0 || rep.Findings.New != len(first) {
		t.Fatalf("first SyncFeed(): %d new findings, %d stored; want some, equal", rep.Findings.New, len(first))
	}
	if counts, err := f.eng.Rescan(ctx, f.org); err != nil || counts.New != 0 || counts.Resolved != 0 {
		t.Errorf("Rescan() after the sync = %+v, %v; want nothing new or resolved (the re-match is the full scan's)", counts, err)
	}
	if len(f.calls) != 1 || f.calls[0] != f.org {
		t.Errorf("OnChange calls = %v, want [%s]", f.calls, f.org)
	}

	// A person works on a finding; its advisory changes at the provider.
	target := first[0]
	if _, err := f.store.UpdateFindingState(ctx, f.org, target.Key, store.Transition{To: store.StateInProgress, Actor: "anna"}); err != nil {
		t.Fatal(err)
	}
	adv, _ := f.eng.Catalog().Advisory(target.Key.AdvisoryID)
	f.prov.Change(filepath.Base(adv.Source))
	before := f.findings(t)
	rep = f.sync(t)
	if d := cmp.Diff([]string{target.Key.AdvisoryID}, rep.Changed); d != "" || len(rep.Added)+len(rep.Removed) != 0 {
		t.Errorf("SyncFeed() after Change: changed mismatch (-want +got):\n%s added %v removed %v", d, rep.Added, rep.Removed)
	}
	after := f.findings(t)
	if len(after) != len(before) {
		t.Errorf("findings after the change: %d, want %d", len(after), len(before))
	}
	for _, fr := range after {
		var was store.FindingRecord
		for _, b := range before {
			if b.Key == fr.Key {
				was = b
			}
		}
		switch {
		case fr.Key == target.Key && (fr.State != store.StateInProgress || !fr.LastSeen.Equal(f.clock.Now())):
			t.Errorf("changed advisory's finding: state %s, last seen %v; want in_progress, re-matched at %v", fr.State, fr.LastSeen, f.clock.Now())
		case fr.Key.AdvisoryID != target.Key.AdvisoryID && !fr.LastSeen.Equal(was.LastSeen):
			t.Errorf("finding %v of an unchanged advisory was re-matched", fr.Key)
		}
	}
	if rep.Orgs != 1 || rep.Findings.New != 0 {
		t.Errorf("SyncFeed() after Change: %d orgs, %d new; want 1, 0", rep.Orgs, rep.Findings.New)
	}

	// A tampered document is rejected: nothing stored changes.
	other := ""
	for _, d := range f.prov.Docs() {
		if !strings.HasSuffix(adv.Source, filepath.FromSlash(d)) {
			other = d
			break
		}
	}
	f.prov.Tamper(other)
	catBefore := f.eng.Catalog()
	before = f.findings(t)
	rep = f.sync(t)
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0], advisory.ErrHashMismatch.Error()) {
		t.Errorf("SyncFeed() after Tamper: errors %v, want one hash mismatch", rep.Errors)
	}
	if len(rep.Added)+len(rep.Changed)+len(rep.Removed) != 0 || rep.Orgs != 0 {
		t.Errorf("SyncFeed() after Tamper = %+v, want nothing changed, nothing re-matched", rep)
	}
	if d := cmp.Diff(before, f.findings(t)); d != "" {
		t.Errorf("findings changed after a tampered document (-before +after):\n%s", d)
	}
	if !slices.Equal(ids(catBefore), ids(f.eng.Catalog())) {
		t.Error("catalog changed after a tampered document")
	}

	feeds, err := f.eng.Feeds(ctx)
	if err != nil || len(feeds) != 1 {
		t.Fatalf("Feeds() = %v, %v", feeds, err)
	}
	if got := feeds[0]; got.LastSuccess.IsZero() || got.LastError != "" || got.Counts.Failed != 1 || got.Counts.Advisories != len(f.prov.Docs()) || got.Running {
		t.Errorf("Feeds()[0] = %+v, want a success with 1 failed file and %d advisories", got, len(f.prov.Docs()))
	}
}

func ids(c *engine.Catalog) []string {
	var out []string
	for _, a := range c.Set.Advisories {
		out = append(out, a.ID+"@"+a.Updated.String())
	}
	return out
}

func TestSyncFeed_Errors(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t)
	f.prov.Fail(feedtest.MetadataPath, 503)
	if _, err := f.eng.SyncFeed(ctx, f.feed.ID, nil); err == nil {
		t.Fatal("SyncFeed() with the provider down succeeded")
	}
	got, err := f.store.Feed(ctx, f.feed.ID)
	if err != nil || got.LastError == "" || !got.LastSuccess.IsZero() {
		t.Errorf("Feed() after a failed sync = %+v, %v; want LastError and no success", got, err)
	}
	if _, err := f.eng.SyncFeed(ctx, "feed_unknown", nil); err == nil {
		t.Error("SyncFeed(unknown) succeeded")
	}
	if _, err := f.eng.AddFeed(ctx, store.Feed{Name: "x", Kind: store.FeedKEV, URL: "https://example.org/"}); err == nil {
		t.Error("AddFeed(a KEV URL naming no file) succeeded")
	}
}

func TestStartSync_Running(t *testing.T) {
	f := newFixture(t)
	f.prov.SetDelay(50 * time.Millisecond)
	if err := f.eng.StartSync(f.feed.ID); err != nil {
		t.Fatalf("StartSync() = %v", err)
	}
	if err := f.eng.StartSync(f.feed.ID); !errors.Is(err, engine.ErrSyncRunning) {
		t.Errorf("second StartSync() while one runs = %v, want ErrSyncRunning", err)
	}
	if _, err := f.eng.SyncFeed(t.Context(), f.feed.ID, nil); !errors.Is(err, engine.ErrSyncRunning) {
		t.Errorf("SyncFeed() while one runs = %v, want ErrSyncRunning", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		feeds, err := f.eng.Feeds(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !feeds[0].Running {
			if feeds[0].LastSuccess.IsZero() {
				t.Errorf("background sync ended without success: %+v", feeds[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("background sync does not end")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLoad_CatchesUp checks that a sync recorded in the mirror but never
// re-matched (the process died in between) is re-matched by Load.
func TestLoad_CatchesUp(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t)
	src := feed.Source{ID: f.feed.ID, Kind: feed.KindCSAFProvider, URL: f.prov.MetadataURL()}
	res, err := feed.Sync(ctx, src, filepath.Join(f.mirror, f.feed.ID), feed.Options{HTTPClient: f.prov.Client()})
	if err != nil {
		t.Fatalf("feed.Sync() = %v", err)
	}
	if len(f.findings(t)) != 0 {
		t.Fatal("findings before the re-match")
	}
	if err := f.eng.Load(ctx); err != nil {
		t.Fatalf("Load() = %v", err)
	}
	got := f.findings(t)
	if len(got) == 0 {
		t.Fatal("Load() did not re-match the mirror's unmatched sync")
	}
	if fd, err := f.store.Feed(ctx, f.feed.ID); err != nil || fd.Seq != res.Seq {
		t.Errorf("Feed().Seq after Load = %d, %v; want %d", fd.Seq, err, res.Seq)
	}
	if counts, err := f.eng.Rescan(ctx, f.org); err != nil || counts.New != 0 || counts.Resolved != 0 {
		t.Errorf("Rescan() after Load = %+v, %v; want nothing new or resolved", counts, err)
	}
	rep := f.sync(t)
	if len(rep.Added)+len(rep.Changed)+len(rep.Removed) != 0 || rep.Orgs != 0 {
		t.Errorf("SyncFeed() after the catch-up = %+v, want nothing to do", rep)
	}
	if logs := f.logged(); !strings.Contains(logs, `msg="inventory indexes built" orgs=1`) {
		t.Errorf("Load() did not build the inventory index ahead of use; log:\n%s", logs)
	}
}

func TestRemoveFeed(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t)
	f.sync(t)
	if err := f.eng.RemoveFeed(ctx, f.feed.ID); err != nil {
		t.Fatalf("RemoveFeed() = %v", err)
	}
	for _, fr := range f.findings(t) {
		if fr.State != store.StateResolved {
			t.Errorf("finding %v of a removed feed: %s, want resolved", fr.Key, fr.State)
		}
	}
	if n := f.eng.Catalog().Len(); n != 0 {
		t.Errorf("catalog after RemoveFeed: %d advisories, want 0", n)
	}
	if _, err := os.Stat(filepath.Join(f.mirror, f.feed.ID)); !os.IsNotExist(err) {
		t.Errorf("mirror after RemoveFeed: %v, want gone", err)
	}
	if err := f.eng.RemoveFeed(ctx, f.feed.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RemoveFeed(again) = %v, want ErrNotFound", err)
	}
}

// TestLoad_CatchesUpRemoval checks that an advisory removed by a sync that
// was never re-matched has its findings resolved at the next Load, though
// its ID is no longer in any mirror file.
func TestLoad_CatchesUpRemoval(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t)
	f.sync(t)
	first := f.findings(t)
	gone := first[0].Key.AdvisoryID
	adv, _ := f.eng.Catalog().Advisory(gone)
	f.prov.Remove(filepath.Base(adv.Source))
	src := feed.Source{ID: f.feed.ID, Kind: feed.KindCSAFProvider, URL: f.prov.MetadataURL()}
	if _, err := feed.Sync(ctx, src, filepath.Join(f.mirror, f.feed.ID), feed.Options{HTTPClient: f.prov.Client()}); err != nil {
		t.Fatalf("feed.Sync() = %v", err)
	}
	// A restarted engine.
	e2, err := engine.New(engine.Config{Store: f.store, Now: f.clock.Now, MirrorDir: f.mirror, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if err := e2.Load(ctx); err != nil {
		t.Fatalf("Load() = %v", err)
	}
	for _, fr := range f.findings(t) {
		if want := fr.Key.AdvisoryID == gone; (fr.State == store.StateResolved) != want {
			t.Errorf("finding %v after Load: %s; resolved should be %v", fr.Key, fr.State, want)
		}
	}
}

func TestSyncFeed_KEVAdded(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t)
	full, err := os.ReadFile(testenv.SharedData(t, "kev", "known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The real catalogue without its two newest entries, then the whole.
	var doc map[string]any
	if err := json.Unmarshal(full, &doc); err != nil {
		t.Fatal(err)
	}
	vulns := doc["vulnerabilities"].([]any)
	var want []string
	for _, v := range vulns[:2] {
		want = append(want, v.(map[string]any)["cveID"].(string))
	}
	slices.Sort(want)
	doc["vulnerabilities"] = vulns[2:]
	doc["count"] = len(vulns) - 2
	older, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(b []byte) {
		if err := os.WriteFile(filepath.Join(dir, "known_exploited_vulnerabilities.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(older)
	kev, err := f.eng.AddFeed(ctx, store.Feed{Name: "KEV", Kind: store.FeedKEV, Path: dir, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.eng.SyncFeed(ctx, kev.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.KEVAdded) != 0 {
		t.Errorf("first KEV sync: KEVAdded = %d CVEs, want none (nothing is news yet)", len(rep.KEVAdded))
	}
	write(full)
	f.clock.Add(time.Hour)
	if rep, err = f.eng.SyncFeed(ctx, kev.ID, nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.KEVAdded, want) {
		t.Errorf("second KEV sync: KEVAdded = %v, want %v", rep.KEVAdded, want)
	}
}

// frozenVersion is a store whose assets version never changes, as when an
// asset is deleted while a re-match is between its index and its reads.
type frozenVersion struct{ *sqlite.DB }

func (frozenVersion) AssetsVersion(context.Context, string) (string, error) { return "frozen", nil }

// TestRematchAdvisories_AssetGone checks that a re-match whose index still
// names a deleted asset stores the other assets' findings and none of it.
func TestRematchAdvisories_AssetGone(t *testing.T) {
	ctx := t.Context()
	set, err := advisory.Load(ctx, []string{testenv.SharedData(t, "csaf", "cisa-icsma")}, advisory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	org, err := s.CreateOrg(ctx, store.Organisation{Name: "Praxis", Kind: store.KindPractice, Country: "AT"})
	if err != nil {
		t.Fatal(err)
	}
	assets := synth.NewPool(set.Advisories).Generate(300, 1, "a")
	if _, err := s.ImportAssets(ctx, org.ID, assets, store.Merge); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Store: frozenVersion{s}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	cat := engine.NewCatalog(set)
	// The advisory that affects most assets, and one asset it affects.
	var adv, gone string
	for _, a := range set.Advisories {
		counts, err := eng.RematchAdvisories(ctx, org.ID, cat, []string{a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if counts.New > 1 {
			adv = a.ID
			break
		}
	}
	if adv == "" {
		t.Fatal("no advisory affects two assets")
	}
	page, err := s.ListFindings(ctx, org.ID, store.FindingFilter{AdvisoryID: adv}, store.ListOptions{})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("ListFindings() = %d, %v", len(page.Items), err)
	}
	gone = page.Items[0].Key.AssetID
	if err := s.DeleteAsset(ctx, org.ID, gone); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.RematchAdvisories(ctx, org.ID, cat, []string{adv}); err != nil {
		t.Fatalf("RematchAdvisories() after a deletion = %v", err)
	}
	after, err := store.All(ctx, func(ctx context.Context, o store.ListOptions) (store.Page[store.FindingRecord], error) {
		return s.ListFindings(ctx, org.ID, store.FindingFilter{AdvisoryID: adv}, o)
	})
	if err != nil {
		t.Fatal(err)
	}
	open := 0
	for _, f := range after {
		if f.Key.AssetID == gone && f.State != store.StateResolved {
			t.Errorf("finding %+v of the deleted asset is %s", f.Key, f.State)
		}
		if f.Key.AssetID != gone && f.State != store.StateResolved {
			open++
		}
	}
	if open == 0 {
		t.Error("the other assets' findings were lost")
	}
}
