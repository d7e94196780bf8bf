// Package engine runs the exposure engine inside ward serve: it holds the
// advisory catalog the node knows (embedded demo advisories, synced feeds),
// re-matches organisations' inventories from the store against it and
// stores the findings, and runs the configured feed sources.
//
// The catalog is immutable once built; [Engine.SetCatalog] swaps it whole,
// so readers never lock. Rescans of one organisation are serialised, so two
// imports racing cannot store an older scan over a newer one.
package engine

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/feed"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// Config is what an [Engine] needs.
type Config struct {
	// Store holds organisations, assets and findings; required.
	Store store.Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger hears progress and errors; nil means slog.Default().
	Logger *slog.Logger
	// Policy decides due dates; the zero value is ward's default policy.
	Policy risk.Policy
	// MirrorDir holds one mirror folder per feed ([Engine.SyncFeed]); ""
	// turns feeds off.
	MirrorDir string
	// Base is the advisory set the catalog holds besides the feeds' (the
	// embedded demo advisories, say); nil means none.
	Base *advisory.Set
	// FeedOptions tune every feed sync (HTTP client, bounds, AllowHTTP);
	// its Progress and Now are the engine's own.
	FeedOptions feed.Options
	// CheckEvery is how often [Engine.Run] looks for feeds that are due;
	// 0 means a minute.
	CheckEvery time.Duration
	// OnChange, when set, is called after a re-match changed org's
	// findings (from the goroutine that re-matched; do not block).
	OnChange func(org string)
	// OnSynced, when set, is called after a feed sync succeeded, with its
	// report and the catalog it made (the hub raises alerts from it).
	OnSynced func(ctx context.Context, rep *SyncReport, cat *Catalog)
}

// Engine is the running exposure engine of a node. Make one with [New].
type Engine struct {
	store   store.Store
	now     func() time.Time
	log     *slog.Logger
	policy  risk.Policy
	catalog atomic.Pointer[Catalog]

	mu    sync.Mutex
	orgMu map[string]*sync.Mutex // one per organisation: rescans in order

	feeds *feedRunner
}

// New returns an engine with an empty catalog. It starts no goroutines.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("engine: Config.Store is required")
	}
	e := &Engine{store: cfg.Store, now: cfg.Now, log: cfg.Logger, policy: cfg.Policy, orgMu: map[string]*sync.Mutex{}}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	e.catalog.Store(NewCatalog(&advisory.Set{}))
	e.feeds = newFeedRunner(cfg, e)
	return e, nil
}

// Catalog returns the current catalog; it never changes once returned.
func (e *Engine) Catalog() *Catalog { return e.catalog.Load() }

// SetCatalog makes c the catalog that scans and lookups use from now on.
func (e *Engine) SetCatalog(c *Catalog) { e.catalog.Store(c) }

// lockOrg serialises work on one organisation's findings.
func (e *Engine) lockOrg(org string) func() {
	e.mu.Lock()
	m, ok := e.orgMu[org]
	if !ok {
		m = &sync.Mutex{}
		e.orgMu[org] = m
	}
	e.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// Rescan matches org's whole inventory against the catalog, with org's
// due-date policy and its verdicts on possible matches, and makes the
// result org's findings ([store.Findings.SyncFindings]). It returns what
// changed, or ErrNotFound for an unknown organisation.
func (e *Engine) Rescan(ctx context.Context, org string) (store.SyncCounts, error) {
	// A rescan against a catalog still loading would resolve every finding
	// of the feeds' advisories: wait for it.
	if err := e.Load(ctx); err != nil {
		return store.SyncCounts{}, fmt.Errorf("rescan: %w", err)
	}
	return e.rescan(ctx, org)
}

// rescan is Rescan without waiting for the catalog (Load calls it).
func (e *Engine) rescan(ctx context.Context, org string) (store.SyncCounts, error) {
	unlock := e.lockOrg(org)
	defer unlock()
	if _, err := e.store.Org(ctx, org); err != nil {
		return store.SyncCounts{}, fmt.Errorf("rescan: %w", err)
	}
	assets, err := AllAssets(ctx, e.store, org)
	if err != nil {
		return store.SyncCounts{}, fmt.Errorf("rescan: %w", err)
	}
	now := e.now().UTC()
	start := time.Now()
	rep, counts, err := e.assessAndSync(ctx, org, assets, now) // verdicts.go
	if err != nil {
		return store.SyncCounts{}, fmt.Errorf("rescan: %w", err)
	}
	e.log.InfoContext(ctx, "rescan", slog.String("org", org), slog.Int("assets", len(assets)),
		slog.Int("findings", len(rep.Findings)), slog.Int("new", counts.New),
		slog.Int("resolved", counts.Resolved), slog.Duration("took", time.Since(start)))
	return counts, nil
}

// AllAssets reads every asset of org from s, page by page.
func AllAssets(ctx context.Context, s store.Store, org string) ([]inventory.Asset, error) {
	var out []inventory.Asset
	err := assetPages(ctx, s, org, func(assets []inventory.Asset) error {
		out = append(out, assets...)
		return nil
	})
	return out, err
}

// assetPages calls fn with each page of org's assets, in ID order.
func assetPages(ctx context.Context, s store.Store, org string, fn func([]inventory.Asset) error) error {
	list := func(ctx context.Context, opts store.ListOptions) (store.Page[store.AssetRecord], error) {
		return s.ListAssets(ctx, org, store.AssetFilter{}, opts)
	}
	return store.Pages(ctx, list, func(recs []store.AssetRecord) error {
		assets := make([]inventory.Asset, len(recs))
		for i, r := range recs {
			assets[i] = r.Asset
		}
		return fn(assets)
	})
}

// Catalog is an immutable set of advisories with lookups by ID.
type Catalog struct {
	// Set is what scans read; do not modify it.
	Set  *advisory.Set
	byID map[string]*advisory.Advisory
	ids  []string // sorted
	// Loaded is when the catalog was built.
	Loaded time.Time
}

// NewCatalog indexes set. Of two advisories with one ID the later wins.
func NewCatalog(set *advisory.Set) *Catalog {
	c := &Catalog{Set: set, byID: make(map[string]*advisory.Advisory, len(set.Advisories)), Loaded: time.Now()}
	for _, a := range set.Advisories {
		if _, dup := c.byID[a.ID]; !dup {
			c.ids = append(c.ids, a.ID)
		}
		c.byID[a.ID] = a
	}
	slices.Sort(c.ids)
	return c
}

// Len returns how many advisories the catalog holds.
func (c *Catalog) Len() int { return len(c.ids) }

// Advisory returns the advisory with id.
func (c *Catalog) Advisory(id string) (*advisory.Advisory, bool) {
	a, ok := c.byID[id]
	return a, ok
}

// List pages through the advisories by ID whose ID, title or CVE ids contain
// query (ignoring case; "" matches all), starting after cursor (an ID; ""
// starts at the beginning). It returns at most limit advisories and the
// cursor of the next page, "" on the last.
func (c *Catalog) List(query, cursor string, limit int) ([]*advisory.Advisory, string) {
	q := strings.ToLower(query)
	i, _ := slices.BinarySearch(c.ids, cursor)
	if i < len(c.ids) && c.ids[i] == cursor {
		i++
	}
	var out []*advisory.Advisory
	for ; i < len(c.ids); i++ {
		a := c.byID[c.ids[i]]
		if q != "" && !mentions(a, q) {
			continue
		}
		if len(out) == limit {
			return out, out[len(out)-1].ID
		}
		out = append(out, a)
	}
	return out, ""
}

// mentions reports whether a's ID, title or CVE ids contain q (lower case).
func mentions(a *advisory.Advisory, q string) bool {
	if strings.Contains(strings.ToLower(a.ID), q) || strings.Contains(strings.ToLower(a.Title), q) {
		return true
	}
	return slices.ContainsFunc(a.Vulnerabilities, func(v advisory.Vulnerability) bool {
		return strings.Contains(strings.ToLower(v.CVE), q)
	})
}

// Newest returns up to n advisories, most recently published or updated first.
func (c *Catalog) Newest(n int) []*advisory.Advisory {
	all := slices.Clone(c.Set.Advisories)
	slices.SortFunc(all, func(a, b *advisory.Advisory) int {
		return cmp.Or(latest(b).Compare(latest(a)), cmp.Compare(a.ID, b.ID))
	})
	return all[:min(n, len(all))]
}

func latest(a *advisory.Advisory) time.Time {
	if a.Updated.After(a.Published) {
		return a.Updated
	}
	return a.Published
}
