package web

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ward-health/ward/internal/store"
)

// countsTTL is how old the open-finding counters may grow before they are
// counted again, in the background, for changes another process (a CLI
// import, a second replica) made. Changes made through this server forget
// the counts at once ([Server.NotifyOrg]).
const countsTTL = 15 * time.Second

// countCache holds each organisation's counts of open findings, so that
// Today, read by every member many times a day, does not count hundreds of
// thousands of findings on each load. Counts older than countsTTL are
// served while one goroutine counts again; forgotten or missing counts are
// counted by one caller while the others of the same organisation wait.
type countCache struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*countEntry
}

type countEntry struct {
	mu         sync.Mutex // held while counting in the foreground
	at         time.Time
	counts     []store.FindingCount
	refreshing atomic.Bool
}

func newCountCache(now func() time.Time) *countCache {
	return &countCache{now: now, m: map[string]*countEntry{}}
}

// get returns org's counts of open findings.
func (c *countCache) get(ctx context.Context, s store.Findings, org string) ([]store.FindingCount, error) {
	c.mu.Lock()
	e := c.m[org]
	if e == nil {
		e = &countEntry{}
		c.m[org] = e
	}
	c.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.counts == nil {
		counts, err := count(ctx, s, org)
		if err != nil {
			return nil, err
		}
		e.counts, e.at = counts, c.now()
		return counts, nil
	}
	if c.now().Sub(e.at) >= countsTTL && e.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer e.refreshing.Store(false)
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			if counts, err := count(ctx, s, org); err == nil {
				e.mu.Lock()
				e.counts, e.at = counts, c.now()
				e.mu.Unlock()
			}
		}()
	}
	return e.counts, nil
}

func count(ctx context.Context, s store.Findings, org string) ([]store.FindingCount, error) {
	return s.CountFindings(ctx, org, store.FindingFilter{States: todayStates})
}

// forget drops org's counts: its findings changed. The next look counts
// them again before it answers.
func (c *countCache) forget(org string) {
	c.mu.Lock()
	delete(c.m, org)
	c.mu.Unlock()
}

// warmCounts counts every organisation's open findings once at start, so
// that the first look at Today after a restart does not wait for it (a
// second on PostgreSQL at 700,000 findings); /readyz answers 503 until it
// is done. A failure leaves the counts to the first look.
func (s *Server) warmCounts() {
	defer close(s.warmed)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	orgs, err := store.All(ctx, s.store.ListOrgs)
	for _, o := range orgs {
		if err == nil && o.Kind != store.KindHub {
			_, err = s.counts.get(ctx, s.store, o.ID)
		}
	}
	if err != nil {
		s.log.WarnContext(ctx, "open findings not counted ahead", slog.Any("error", err))
	}
}
