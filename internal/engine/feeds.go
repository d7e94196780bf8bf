package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/feed"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// Sentinel errors of the feed methods.
var (
	// ErrSyncRunning means the feed is being synced already, by this engine
	// or by another process on the same mirror (ward feed sync while ward
	// serve runs). Wait for it to finish, then ask again (HTTP 409).
	ErrSyncRunning = errors.New("feed sync already running")
	// ErrNoMirror means the engine has no MirrorDir: feeds are off. Start
	// it with one.
	ErrNoMirror = errors.New("no feed mirror folder configured")
)

// Phases of a feed's work, as [FeedStatus.Progress] reports them.
const (
	PhaseFetching = "fetching" // Done/Total count files fetched
	PhaseLoading  = "loading"  // reading the changed files into the catalog
	PhaseMatching = "matching" // Done/Total count organisations re-matched
)

// Progress is how far a feed's running sync is.
type Progress struct {
	Phase       string `json:"phase"`
	Done, Total int
}

// FeedStatus is a stored feed and what the engine is doing with it now.
type FeedStatus struct {
	store.Feed
	// Running is true while a sync of the feed runs in this engine;
	// Progress then says how far it is.
	Running  bool
	Progress Progress
}

// SyncReport is what one [Engine.SyncFeed] did.
type SyncReport struct {
	Feed string // the feed's ID
	Seq  uint64 // the mirror's sync number
	// Added, Changed and Removed list the advisory IDs the sync brought,
	// changed and took away, sorted.
	Added, Changed, Removed []string
	// KEVAdded lists the CVEs the sync added to a KEV catalogue the node
	// already had, sorted (a first KEV sync adds none: nothing is news).
	KEVAdded []string
	// Files counts the files of the mirror the sync touched.
	Files feed.Counts
	// Errors lists files rejected (hash or signature mismatch, too large)
	// or not fetched; the mirror and the catalog keep their previous copy.
	Errors []string
	// Notices are worth showing but are no failure.
	Notices []string
	// Orgs is how many organisations were re-matched; Findings sums what
	// the re-match changed in their findings.
	Orgs     int
	Findings store.SyncCounts
	// Rescanned is true when every organisation was rescanned whole (new
	// EPSS scores, or advisories removed by an earlier, interrupted sync).
	Rescanned bool
	Took      time.Duration
}

// feedRunner is the engine's feed state.
type feedRunner struct {
	mirrorDir  string
	base       *advisory.Set
	opts       feed.Options
	checkEvery time.Duration
	onChange   func(org string)
	onSynced   func(ctx context.Context, rep *SyncReport, cat *Catalog)

	ready    atomic.Bool
	loadMu   sync.Mutex // one Load at a time
	catMu    sync.Mutex // serialises catalog changes
	sets     map[string]*advisory.Set
	bg       context.Context
	stop     context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once

	mu      sync.Mutex
	running map[string]*Progress // feed ID -> progress of its running sync
	indexes map[string]*orgIndex // org -> its inventory's match index
	names   *match.Names
}

// orgIndex is an organisation's inventory, indexed for matching a few
// advisories, and the store's AssetsVersion it was built at. The assets
// themselves stay in the store: a re-match reads only those it matched.
type orgIndex struct {
	version string
	ix      *match.InventoryIndex
}

func newFeedRunner(cfg Config, e *Engine) *feedRunner {
	bg, stop := context.WithCancel(context.Background())
	r := &feedRunner{
		mirrorDir: cfg.MirrorDir, base: cfg.Base, opts: cfg.FeedOptions, checkEvery: cfg.CheckEvery, onChange: cfg.OnChange,
		onSynced: cfg.OnSynced,
		sets:     map[string]*advisory.Set{}, bg: bg, stop: stop,
		running: map[string]*Progress{}, indexes: map[string]*orgIndex{}, names: match.NewNames(),
	}
	if r.checkEvery <= 0 {
		r.checkEvery = time.Minute
	}
	// Without a mirror there is nothing to load.
	r.ready.Store(r.mirrorDir == "")
	if r.base != nil {
		e.catalog.Store(NewCatalog(r.base))
	}
	return r
}

// Ready reports whether [Engine.Load] has built the catalog from the
// mirrors. Until then the catalog holds only the base set.
func (e *Engine) Ready() bool { return e.feeds.ready.Load() }

// Close stops the background syncs that [Engine.StartSync] and
// [Engine.Run] started and waits for them. Calling it again does nothing.
func (e *Engine) Close() error {
	e.feeds.stopOnce.Do(e.feeds.stop)
	e.feeds.wg.Wait()
	return nil
}

// mirror returns the mirror folder of a feed.
func (e *Engine) mirror(id string) string { return filepath.Join(e.feeds.mirrorDir, id) }

// allFeeds reads every stored feed.
func (e *Engine) allFeeds(ctx context.Context) ([]store.Feed, error) {
	return store.All(ctx, e.store.ListFeeds)
}

// Load builds the catalog from the base set and every feed's mirror, then
// re-matches what syncs recorded in a mirror but not yet in the findings
// (a sync or re-match cut short by a crash), marks the engine ready and
// then builds each organisation's inventory index for later re-matches.
// Call it once at start, in the background (serve answers /readyz with 503
// until it returns); [Engine.Run] and [Engine.SyncFeed] call it when it has
// not run. Mirrors that cannot be read are logged and left out; Load fails
// only when ctx ends or the store fails.
func (e *Engine) Load(ctx context.Context) error {
	r := e.feeds
	r.loadMu.Lock()
	defer r.loadMu.Unlock()
	if r.ready.Load() {
		return nil
	}
	start := time.Now()
	if r.mirrorDir == "" {
		r.ready.Store(true)
		return nil
	}
	feeds, err := e.allFeeds(ctx)
	if err != nil {
		return fmt.Errorf("engine: load: %w", err)
	}
	sets := map[string]*advisory.Set{}
	for _, f := range feeds {
		set, err := advisory.Load(ctx, []string{e.mirror(f.ID)}, advisory.Options{Keys: f.Keys})
		if err != nil {
			return fmt.Errorf("engine: load: %w", err)
		}
		sets[f.ID] = set
	}
	r.catMu.Lock()
	r.sets = sets
	cat := e.buildCatalog()
	e.SetCatalog(cat)
	r.catMu.Unlock()
	e.log.InfoContext(ctx, "catalog loaded", slog.Int("feeds", len(feeds)), slog.Int("advisories", cat.Len()),
		slog.Duration("took", time.Since(start).Round(time.Millisecond)))

	// Catch up: changes a sync recorded in a mirror that never reached the
	// findings.
	for _, f := range feeds {
		st, err := feed.ReadState(e.mirror(f.ID))
		if err != nil || st.Seq <= f.Seq {
			if err != nil {
				e.log.WarnContext(ctx, "feed state unreadable", slog.String("feed", f.ID), slog.Any("error", err))
			}
			continue
		}
		changed, removed := st.ChangedSince(f.Seq)
		ids := advisoryIDs(cat, e.mirror(f.ID), changed)
		rep := &SyncReport{Feed: f.ID}
		if err := e.rematch(ctx, f.ID, cat, ids, len(removed) > 0, rep); err != nil {
			return fmt.Errorf("engine: load: catch up %s: %w", f.ID, err)
		}
		if _, err := e.store.RecordFeedAttempt(ctx, f.ID, store.FeedAttempt{At: st.LastSuccess, Counts: f.Counts, Seq: st.Seq}); err != nil {
			return fmt.Errorf("engine: load: %w", err)
		}
		e.log.InfoContext(ctx, "feed caught up", slog.String("feed", f.ID), slog.Int("advisories", len(ids)),
			slog.Int("orgs", rep.Orgs), slog.Int("new", rep.Findings.New))
	}
	r.ready.Store(true)
	e.warmIndexes(ctx)
	return nil
}

// buildCatalog merges the base set and the feeds' sets. Called with catMu
// held.
func (e *Engine) buildCatalog() *Catalog {
	r := e.feeds
	all := &advisory.Set{Advisories: []*advisory.Advisory{}}
	add := func(s *advisory.Set) {
		if s == nil {
			return
		}
		all.Advisories = append(all.Advisories, s.Advisories...)
		all.Errors = append(all.Errors, s.Errors...)
		all.Skipped += s.Skipped
		for id, k := range s.KEV {
			if all.KEV == nil {
				all.KEV = advisory.KEV{}
			}
			if old, ok := all.KEV[id]; !ok || !k.DateAdded.Before(old.DateAdded) {
				all.KEV[id] = k
			}
		}
		if s.EPSS != nil && (all.EPSS == nil || !s.EPSS.Date.Before(all.EPSS.Date)) {
			all.EPSS = s.EPSS
		}
	}
	add(r.base)
	for _, id := range slices.Sorted(maps.Keys(r.sets)) {
		add(r.sets[id])
	}
	return NewCatalog(all)
}

// advisoryIDs returns the IDs of the catalog's advisories read from the
// mirror files rels (slash-separated, relative to dir), sorted.
func advisoryIDs(cat *Catalog, dir string, rels []string) []string {
	want := make(map[string]bool, len(rels))
	for _, rel := range rels {
		want[filepath.Join(dir, filepath.FromSlash(rel))] = true
	}
	seen := map[string]bool{}
	for _, a := range cat.Set.Advisories {
		if want[a.Source] {
			seen[a.ID] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// setProgress records the progress of a feed's running sync.
func (e *Engine) setProgress(id string, p *Progress) {
	r := e.feeds
	r.mu.Lock()
	defer r.mu.Unlock()
	if cur, ok := r.running[id]; ok {
		*cur = *p
	}
}

// claim marks a feed as syncing, or returns ErrSyncRunning.
func (e *Engine) claim(id string) (release func(), err error) {
	r := e.feeds
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.running[id]; ok {
		return nil, fmt.Errorf("feed %s: %w", id, ErrSyncRunning)
	}
	r.running[id] = &Progress{Phase: PhaseFetching}
	return func() {
		r.mu.Lock()
		delete(r.running, id)
		r.mu.Unlock()
	}, nil
}

// Feeds returns every stored feed, by name, with the progress of the syncs
// running in this engine.
func (e *Engine) Feeds(ctx context.Context) ([]FeedStatus, error) {
	feeds, err := e.allFeeds(ctx)
	if err != nil {
		return nil, fmt.Errorf("engine: feeds: %w", err)
	}
	r := e.feeds
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]FeedStatus, len(feeds))
	for i, f := range feeds {
		out[i].Feed = f
		if p, ok := r.running[f.ID]; ok {
			out[i].Running, out[i].Progress = true, *p
		}
	}
	return out, nil
}

// source turns a stored feed into what package feed syncs.
func source(f store.Feed) feed.Source {
	src := feed.Source{ID: f.ID, Keys: f.Keys}
	switch {
	case f.Path != "":
		src.Kind, src.URL = feed.KindFolder, f.Path
	case f.Kind == store.FeedCSAF:
		src.Kind, src.URL = feed.KindCSAFProvider, f.URL
	default:
		src.Kind, src.URL = feed.KindURL, f.URL
	}
	return src
}

// AddFeed checks and stores a new feed and returns it. It returns
// store.ErrInvalid (wrapping feed.ErrInvalidSource when package feed
// refuses the source) or store.ErrConflict for a name in use. The feed is
// synced by the schedule, or at once with [Engine.StartSync].
func (e *Engine) AddFeed(ctx context.Context, f store.Feed) (store.Feed, error) {
	if f.Interval == 0 {
		f.Interval = store.DefaultFeedInterval
	}
	if err := f.Validate(); err != nil {
		return store.Feed{}, fmt.Errorf("engine: add feed: %w", err)
	}
	src := source(f)
	src.ID = "new"
	if err := src.Validate(); err != nil {
		return store.Feed{}, fmt.Errorf("engine: add feed: %w: %w", store.ErrInvalid, err)
	}
	out, err := e.store.AddFeed(ctx, f)
	if err != nil {
		return store.Feed{}, fmt.Errorf("engine: add feed: %w", err)
	}
	return out, nil
}

// RemoveFeed deletes a feed, its mirror, and its advisories from the
// catalog, and resolves the findings of advisories no other source holds.
// It returns store.ErrNotFound, or ErrSyncRunning while the feed syncs.
func (e *Engine) RemoveFeed(ctx context.Context, id string) error {
	if _, err := e.store.Feed(ctx, id); err != nil {
		return fmt.Errorf("engine: remove feed: %w", err)
	}
	release, err := e.claim(id)
	if err != nil {
		return fmt.Errorf("engine: remove feed: %w", err)
	}
	defer release()
	if err := e.store.RemoveFeed(ctx, id); err != nil {
		return fmt.Errorf("engine: remove feed: %w", err)
	}
	r := e.feeds
	r.catMu.Lock()
	old := e.Catalog()
	gone := r.sets[id]
	delete(r.sets, id)
	cat := e.buildCatalog()
	e.SetCatalog(cat)
	r.catMu.Unlock()
	if r.mirrorDir != "" {
		if err := os.RemoveAll(e.mirror(id)); err != nil {
			e.log.WarnContext(ctx, "feed mirror not removed", slog.String("feed", id), slog.Any("error", err))
		}
	}
	if gone == nil {
		return nil
	}
	var ids []string
	for _, a := range gone.Advisories {
		if _, still := cat.Advisory(a.ID); !still {
			ids = append(ids, a.ID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	rep := &SyncReport{Feed: id}
	full := kevChanged(old.Set.KEV, cat.Set.KEV) != nil || epssChanged(old.Set.EPSS, cat.Set.EPSS)
	return e.rematch(ctx, id, cat, ids, full, rep)
}

// StartSync syncs a feed in the background, as [Engine.SyncFeed] does, and
// returns at once. It returns ErrSyncRunning when the feed is syncing, and
// store.ErrNotFound for an unknown feed. The outcome is recorded in the
// store and logged; [Engine.Feeds] shows the progress.
func (e *Engine) StartSync(id string) error {
	r := e.feeds
	ctx := r.bg
	if ctx.Err() != nil {
		return fmt.Errorf("engine: start sync: %w", ctx.Err())
	}
	if _, err := e.store.Feed(ctx, id); err != nil {
		return fmt.Errorf("engine: start sync: %w", err)
	}
	release, err := e.claim(id)
	if err != nil {
		return fmt.Errorf("engine: start sync: %w", err)
	}
	r.wg.Go(func() {
		defer release()
		if _, err := e.syncClaimed(ctx, id, nil); err != nil {
			e.log.ErrorContext(ctx, "feed sync failed", slog.String("feed", id), slog.Any("error", err))
		}
	})
	return nil
}

// SyncFeed syncs a feed's mirror, updates the catalog with what changed,
// re-matches every organisation's inventory against the advisories added,
// changed and removed (and only those), records the attempt in the store
// and returns what it did. progress, when set, hears each phase (calls come
// one at a time). It returns ErrSyncRunning when the feed is syncing,
// store.ErrNotFound for an unknown feed, ErrNoMirror without a MirrorDir,
// and the sync's error when the source could not be synced (recorded as the
// feed's LastError; files rejected one by one are no error: see
// SyncReport.Errors).
//
// Crash safety: the mirror records each sync (package feed), and the store
// records the mirror's sync number only after the re-match, so a sync or
// re-match cut short is completed by the next SyncFeed or [Engine.Load],
// with nothing lost and no finding twice.
func (e *Engine) SyncFeed(ctx context.Context, id string, progress func(Progress)) (*SyncReport, error) {
	if _, err := e.store.Feed(ctx, id); err != nil {
		return nil, fmt.Errorf("engine: sync: %w", err)
	}
	release, err := e.claim(id)
	if err != nil {
		return nil, fmt.Errorf("engine: sync: %w", err)
	}
	defer release()
	return e.syncClaimed(ctx, id, progress)
}

// lockMirror takes an exclusive lock on the feed's mirror, shared with
// other processes (ward feed sync beside ward serve).
func (e *Engine) lockMirror(id string) (func(), error) {
	dir := e.mirror(id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, ".ward-lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("feed %s: mirror locked by another process: %w", id, ErrSyncRunning)
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}

func (e *Engine) syncClaimed(ctx context.Context, id string, progress func(Progress)) (*SyncReport, error) {
	r := e.feeds
	if r.mirrorDir == "" {
		return nil, fmt.Errorf("engine: sync %s: %w", id, ErrNoMirror)
	}
	if err := e.Load(ctx); err != nil {
		return nil, err
	}
	report := func(p Progress) {
		e.setProgress(id, &p)
		if progress != nil {
			progress(p)
		}
	}
	start := time.Now()
	f, err := e.store.Feed(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("engine: sync: %w", err)
	}
	unlock, err := e.lockMirror(id)
	if err != nil {
		return nil, fmt.Errorf("engine: sync %s: %w", id, err)
	}
	defer unlock()

	attempt := e.now().UTC()
	opts := r.opts
	opts.Now = e.now
	opts.Progress = func(done, total int) { report(Progress{Phase: PhaseFetching, Done: done, Total: total}) }
	res, err := feed.Sync(ctx, source(f), e.mirror(id), opts)
	if err != nil {
		if _, rerr := e.store.RecordFeedAttempt(context.WithoutCancel(ctx), id, store.FeedAttempt{At: attempt, Err: err.Error()}); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return nil, fmt.Errorf("engine: sync %s: %w", id, err)
	}
	rep := &SyncReport{Feed: id, Seq: res.Seq, Files: res.Count}
	for _, fe := range res.Errors {
		rep.Errors = append(rep.Errors, fe.Error())
	}
	for _, n := range res.Notices {
		msg := n.Message
		if n.Path != "" {
			msg = n.Path + ": " + msg
		}
		rep.Notices = append(rep.Notices, msg)
	}

	// Everything the store has not seen: this sync's changes, and those of
	// syncs whose re-match was cut short.
	st, err := feed.ReadState(e.mirror(id))
	if err != nil {
		return nil, fmt.Errorf("engine: sync %s: %w", id, err)
	}
	changed, removed := st.ChangedSince(f.Seq)
	report(Progress{Phase: PhaseLoading, Total: len(changed)})
	var fresh *advisory.Set
	if len(changed) > 0 {
		paths := make([]string, len(changed))
		for i, rel := range changed {
			paths[i] = filepath.Join(e.mirror(id), filepath.FromSlash(rel))
		}
		if fresh, err = advisory.Load(ctx, paths, advisory.Options{Keys: f.Keys, Progress: func(done, total int) {
			report(Progress{Phase: PhaseLoading, Done: done, Total: len(changed)})
		}}); err != nil {
			return nil, fmt.Errorf("engine: sync %s: %w", id, err)
		}
		for _, se := range fresh.Errors {
			rep.Errors = append(rep.Errors, se.Error())
		}
	}

	r.catMu.Lock()
	old := e.Catalog()
	touched := map[string]bool{}
	for _, rel := range slices.Concat(changed, removed) {
		touched[filepath.Join(e.mirror(id), filepath.FromSlash(rel))] = true
	}
	prev := r.sets[id]
	if prev == nil {
		prev = &advisory.Set{}
	}
	// Removed files missing from the set: an interrupted sync removed them
	// before this engine loaded, so their advisory IDs are unknown.
	unknownRemoved := false
	bySource := map[string]bool{}
	for _, a := range prev.Advisories {
		bySource[a.Source] = true
	}
	for _, rel := range removed {
		if !bySource[filepath.Join(e.mirror(id), filepath.FromSlash(rel))] {
			unknownRemoved = true
		}
	}
	next := &advisory.Set{KEV: prev.KEV, EPSS: prev.EPSS, Skipped: prev.Skipped}
	for _, se := range prev.Errors {
		if !touched[se.Source] {
			next.Errors = append(next.Errors, se)
		}
	}
	oldIDs := map[string]bool{}
	for _, a := range prev.Advisories {
		if touched[a.Source] {
			oldIDs[a.ID] = true
			continue
		}
		next.Advisories = append(next.Advisories, a)
	}
	newIDs := map[string]bool{}
	if fresh != nil {
		next.Advisories = append(next.Advisories, fresh.Advisories...)
		for _, a := range fresh.Advisories {
			newIDs[a.ID] = true
		}
		if fresh.KEV != nil || fresh.EPSS != nil {
			// A catalogue or scores file changed: take the set's as a whole.
			whole, err := advisory.Load(ctx, []string{e.mirror(id)}, advisory.Options{Keys: f.Keys})
			if err != nil {
				r.catMu.Unlock()
				return nil, fmt.Errorf("engine: sync %s: %w", id, err)
			}
			next = whole
		}
	}
	if len(removed) > 0 && fresh == nil {
		// Only removals: a removed KEV or EPSS file takes its data along.
		if f.Kind == store.FeedKEV {
			next.KEV = nil
		}
		if f.Kind == store.FeedEPSS {
			next.EPSS = nil
		}
	}
	r.sets[id] = next
	cat := e.buildCatalog()
	e.SetCatalog(cat)
	r.catMu.Unlock()

	for nid := range newIDs {
		if _, was := old.Advisory(nid); was {
			rep.Changed = append(rep.Changed, nid)
		} else {
			rep.Added = append(rep.Added, nid)
		}
	}
	for oid := range oldIDs {
		if _, still := cat.Advisory(oid); !still {
			rep.Removed = append(rep.Removed, oid)
		}
	}
	slices.Sort(rep.Added)
	slices.Sort(rep.Changed)
	slices.Sort(rep.Removed)
	ids := slices.Concat(rep.Added, rep.Changed, rep.Removed)
	// A changed KEV entry changes the decisions of every advisory naming
	// its CVE; new EPSS scores change nearly all: rescan everything then.
	if cves := kevChanged(old.Set.KEV, cat.Set.KEV); len(cves) > 0 {
		ids = append(ids, advisoriesWithCVEs(cat, cves)...)
	}
	if len(old.Set.KEV) > 0 {
		for cve := range cat.Set.KEV {
			if _, was := old.Set.KEV[cve]; !was {
				rep.KEVAdded = append(rep.KEVAdded, cve)
			}
		}
		slices.Sort(rep.KEVAdded)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	full := unknownRemoved || epssChanged(old.Set.EPSS, cat.Set.EPSS)
	matchProgress := func(done, total int) { report(Progress{Phase: PhaseMatching, Done: done, Total: total}) }
	if err := e.rematchProgress(ctx, id, cat, ids, full, rep, matchProgress); err != nil {
		return nil, fmt.Errorf("engine: sync %s: %w", id, err)
	}

	counts := store.FeedCounts{Added: len(rep.Added), Changed: len(rep.Changed), Removed: len(rep.Removed), Failed: res.Count.Failed, Advisories: len(next.Advisories)}
	if _, err := e.store.RecordFeedAttempt(ctx, id, store.FeedAttempt{At: attempt, Counts: counts, Seq: st.Seq}); err != nil {
		return nil, fmt.Errorf("engine: sync %s: %w", id, err)
	}
	rep.Took = time.Since(start)
	e.log.InfoContext(ctx, "feed synced", slog.String("feed", id), slog.Uint64("seq", res.Seq),
		slog.Int("added", len(rep.Added)), slog.Int("changed", len(rep.Changed)), slog.Int("removed", len(rep.Removed)),
		slog.Int("failed", res.Count.Failed), slog.Int("orgs", rep.Orgs), slog.Int("new_findings", rep.Findings.New),
		slog.Duration("took", rep.Took.Round(time.Millisecond)))
	if e.feeds.onSynced != nil {
		e.feeds.onSynced(ctx, rep, cat)
	}
	return rep, nil
}

// kevChanged returns the CVEs whose KEV entry was added, changed or removed.
func kevChanged(a, b advisory.KEV) []string {
	var out []string
	for id, e := range b {
		if old, ok := a[id]; !ok || old != e {
			out = append(out, id)
		}
	}
	for id := range a {
		if _, ok := b[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

// epssChanged reports whether the scores changed (another day, or gone).
func epssChanged(a, b *advisory.EPSS) bool {
	if a == nil || b == nil {
		return (a == nil) != (b == nil)
	}
	return !a.Date.Equal(b.Date) || len(a.Scores) != len(b.Scores)
}

// advisoriesWithCVEs returns the IDs of the catalog's advisories that name
// any of cves.
func advisoriesWithCVEs(cat *Catalog, cves []string) []string {
	want := make(map[string]bool, len(cves))
	for _, c := range cves {
		want[c] = true
	}
	var out []string
	for _, a := range cat.Set.Advisories {
		if slices.ContainsFunc(a.Vulnerabilities, func(v advisory.Vulnerability) bool { return want[v.CVE] }) {
			out = append(out, a.ID)
		}
	}
	return out
}

// rematch re-matches every organisation against the advisories ids of cat
// (or rescans every organisation whole when full), adding to rep.
func (e *Engine) rematch(ctx context.Context, feedID string, cat *Catalog, ids []string, full bool, rep *SyncReport) error {
	return e.rematchProgress(ctx, feedID, cat, ids, full, rep, nil)
}

func (e *Engine) rematchProgress(ctx context.Context, feedID string, cat *Catalog, ids []string, full bool, rep *SyncReport, progress func(done, total int)) error {
	if !full && len(ids) == 0 {
		return nil
	}
	orgs, err := e.orgIDs(ctx)
	if err != nil {
		return err
	}
	rep.Rescanned = full
	for i, org := range orgs {
		if progress != nil {
			progress(i, len(orgs))
		}
		var (
			counts store.SyncCounts
			err    error
		)
		if full {
			counts, err = e.rescan(ctx, org)
		} else {
			counts, err = e.RematchAdvisories(ctx, org, cat, ids)
		}
		if err != nil {
			return fmt.Errorf("re-match %s: %w", org, err)
		}
		rep.Orgs++
		rep.Findings.New += counts.New
		rep.Findings.Updated += counts.Updated
		rep.Findings.Reopened += counts.Reopened
		rep.Findings.Resolved += counts.Resolved
		if counts != (store.SyncCounts{}) && e.feeds.onChange != nil {
			e.feeds.onChange(org)
		}
	}
	if progress != nil {
		progress(len(orgs), len(orgs))
	}
	return nil
}

// orgIDs returns the IDs of every organisation.
func (e *Engine) orgIDs(ctx context.Context) ([]string, error) {
	orgs, err := store.All(ctx, e.store.ListOrgs)
	ids := make([]string, len(orgs))
	for i, o := range orgs {
		ids[i] = o.ID
	}
	return ids, err
}

// warmIndexes builds every organisation's inventory index, so that the
// first re-match after a start (a feed's new advisory, an alert) does not
// wait for it. A failure only leaves the index to be built on first use.
func (e *Engine) warmIndexes(ctx context.Context) {
	start := time.Now()
	orgs, err := e.orgIDs(ctx)
	for _, org := range orgs {
		if err != nil {
			break
		}
		unlock := e.lockOrg(org)
		_, err = e.orgIndex(ctx, org)
		unlock()
	}
	if err != nil {
		e.log.WarnContext(ctx, "inventory indexes not built", slog.Any("error", err))
		return
	}
	e.log.InfoContext(ctx, "inventory indexes built", slog.Int("orgs", len(orgs)),
		slog.Duration("took", time.Since(start).Round(time.Millisecond)))
}

// RematchAdvisories matches org's whole inventory against the advisories
// ids of cat (nil: the current catalog) and makes the result org's findings
// of those advisories ([store.Feeds.SyncAdvisoryFindings]): new findings
// start as new, known ones keep their workflow state, and those no longer
// matched (an advisory changed or removed) are resolved. Findings of other
// advisories are not touched. The inventory's match index is cached per
// organisation and rebuilt when the store's AssetsVersion changes.
func (e *Engine) RematchAdvisories(ctx context.Context, org string, cat *Catalog, ids []string) (store.SyncCounts, error) {
	if cat == nil {
		cat = e.Catalog()
	}
	unlock := e.lockOrg(org)
	defer unlock()
	oi, err := e.orgIndex(ctx, org)
	if err != nil {
		return store.SyncCounts{}, fmt.Errorf("re-match: %w", err)
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var (
		advs     []*advisory.Advisory
		findings []match.Finding
	)
	for _, a := range cat.Set.Advisories {
		if want[a.ID] {
			advs = append(advs, a)
			findings = append(findings, oi.ix.MatchAdvisory(a)...)
		}
	}
	now := e.now().UTC()
	policy := e.policy
	if policy.Due == nil {
		policy = risk.DefaultPolicy()
	}
	assets, err := e.assetsOf(ctx, org, &findings)
	if err != nil {
		return store.SyncCounts{}, fmt.Errorf("re-match: %w", err)
	}
	set := &advisory.Set{Advisories: advs, KEV: cat.Set.KEV, EPSS: cat.Set.EPSS}
	rep := scan.Build(assets, set, findings, risk.NewAssessor(policy, cat.Set.KEV, cat.Set.EPSS), now, false)
	counts, err := e.store.SyncAdvisoryFindings(ctx, org, ids, rep.Findings, now)
	if err != nil {
		return store.SyncCounts{}, fmt.Errorf("re-match: %w", err)
	}
	return counts, nil
}

// orgIndex returns org's inventory index, rebuilding it when the assets
// changed since it was built. Called with org's lock held.
func (e *Engine) orgIndex(ctx context.Context, org string) (*orgIndex, error) {
	r := e.feeds
	version, err := e.store.AssetsVersion(ctx, org)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	oi := r.indexes[org]
	r.mu.Unlock()
	if oi != nil && oi.version == version {
		return oi, nil
	}
	// A page at a time: the whole inventory is never in memory at once.
	ix := match.NewInventoryIndex(r.names, nil)
	if err := assetPages(ctx, e.store, org, func(assets []inventory.Asset) error { ix.Add(assets); return nil }); err != nil {
		return nil, err
	}
	oi = &orgIndex{version: version, ix: ix}
	r.mu.Lock()
	r.indexes[org] = oi
	r.mu.Unlock()
	return oi, nil
}

// assetsOf reads org's assets that findings name and drops the findings of
// assets deleted since the index was built.
func (e *Engine) assetsOf(ctx context.Context, org string, findings *[]match.Finding) ([]inventory.Asset, error) {
	ids := make([]string, 0, len(*findings))
	for i := range *findings {
		ids = append(ids, (*findings)[i].AssetID)
	}
	out, err := store.AssetsByID(ctx, e.store, org, ids)
	if err != nil {
		return nil, err
	}
	*findings = slices.DeleteFunc(*findings, func(f match.Finding) bool {
		_, found := slices.BinarySearchFunc(out, f.AssetID, func(a inventory.Asset, id string) int { return strings.Compare(a.ID, id) })
		return !found
	})
	return out, nil
}

// Run loads the catalog (when [Engine.Load] has not) and then syncs, in the
// background, every enabled feed whose interval has passed since its last
// attempt, checking every Config.CheckEvery, until ctx ends. It returns
// ctx's error, or Load's.
func (e *Engine) Run(ctx context.Context) error {
	if err := e.Load(ctx); err != nil {
		return err
	}
	t := time.NewTicker(e.feeds.checkEvery)
	defer t.Stop()
	for {
		e.startDue(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// startDue starts the syncs that are due.
func (e *Engine) startDue(ctx context.Context) {
	if e.feeds.mirrorDir == "" {
		return
	}
	feeds, err := e.allFeeds(ctx)
	if err != nil {
		e.log.ErrorContext(ctx, "feed schedule", slog.Any("error", err))
		return
	}
	now := e.now()
	for _, f := range feeds {
		if !f.Enabled || (!f.LastAttempt.IsZero() && now.Sub(f.LastAttempt) < f.Interval) {
			continue
		}
		if err := e.StartSync(f.ID); err != nil && !errors.Is(err, ErrSyncRunning) {
			e.log.ErrorContext(ctx, "feed schedule", slog.String("feed", f.ID), slog.Any("error", err))
		}
	}
}
