package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// assetDecision adds to w, a WHERE of the assets table, that the asset has
// an open finding of decision d.
func assetDecision(w *where, d risk.Decision) {
	cond := "EXISTS (SELECT 1 FROM findings f WHERE f.org_id = assets.org_id AND f.asset_id = assets.id AND f.decision = ? AND f.state IN (" +
		marks(len(store.OpenStates)) + "))"
	args := []any{d}
	for _, s := range store.OpenStates {
		args = append(args, s)
	}
	w.add(cond, args...)
}

// openSpan is a time a finding was open: [from, to); a zero to is still open.
type openSpan struct {
	from, to time.Time
}

// FindingTrend implements [store.Stats]. It reads the findings seen by until
// and their history up to until once, and counts in Go: both engines then
// agree to the microsecond, and the work is one pass over the rows.
func (db *DB) FindingTrend(ctx context.Context, org string, since, until time.Time, step time.Duration) ([]store.TrendPoint, error) {
	n, err := store.CheckTrend(since, until, step)
	if err != nil {
		return nil, fmt.Errorf("finding trend: %w", err)
	}
	since = since.UTC().Truncate(time.Microsecond)
	points := make([]store.TrendPoint, n)
	for i := range points {
		points[i] = store.TrendPoint{At: since.Add(time.Duration(i) * step), Open: map[risk.Decision]int{}}
	}
	end := points[n-1].At
	c := db.conn()
	type history struct {
		decision risk.Decision
		first    time.Time
		events   []struct {
			at time.Time
			to store.FindingState
		}
	}
	byID := map[int64]*history{}
	var ids []int64
	rows, err := c.query(ctx, "SELECT id, decision, first_seen FROM findings WHERE org_id = ? AND first_seen <= ?", org, micros(end))
	if err != nil {
		return nil, fmt.Errorf("finding trend: %w", err)
	}
	for rows.Next() {
		var (
			id int64
			h  history
		)
		if err := rows.Scan(&id, &h.decision, at(&h.first)); err != nil {
			rows.Close()
			return nil, fmt.Errorf("finding trend: %w", err)
		}
		byID[id] = &h
		ids = append(ids, id)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("finding trend: %w", err)
	}
	rows, err = c.query(ctx, `SELECT e.finding_id, e.at, e.to_state FROM finding_events e JOIN findings f ON f.id = e.finding_id
		WHERE f.org_id = ? AND e.at <= ? ORDER BY e.finding_id, e.at, e.id`, org, micros(end))
	if err != nil {
		return nil, fmt.Errorf("finding trend: %w", err)
	}
	for rows.Next() {
		var (
			id int64
			t  time.Time
			to store.FindingState
		)
		if err := rows.Scan(&id, at(&t), &to); err != nil {
			rows.Close()
			return nil, fmt.Errorf("finding trend: %w", err)
		}
		if h := byID[id]; h != nil {
			h.events = append(h.events, struct {
				at time.Time
				to store.FindingState
			}{t, to})
		}
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("finding trend: %w", err)
	}
	open := func(s store.FindingState) bool { return slices.Contains(store.OpenStates, s) }
	// index returns the first point at or after t.
	index := func(t time.Time) int {
		return sort.Search(n, func(i int) bool { return !points[i].At.Before(t) })
	}
	count := func(d risk.Decision, sp openSpan) {
		i := index(sp.from)
		j := n
		if !sp.to.IsZero() {
			j = index(sp.to)
		}
		for ; i < j; i++ {
			points[i].Open[d]++
		}
	}
	for _, id := range ids {
		h := byID[id]
		state, from := store.StateNew, h.first
		for _, e := range h.events {
			if open(state) && !open(e.to) {
				count(h.decision, openSpan{from, e.at})
			}
			if !open(state) && open(e.to) {
				from = e.at
			}
			state = e.to
		}
		if open(state) {
			count(h.decision, openSpan{from: from})
		}
	}
	return points, nil
}

// closeRows closes rows and returns the error that ended them, if any.
func closeRows(rows interface {
	Err() error
	Close() error
}) error {
	err := rows.Err()
	return cmp.Or(err, rows.Close())
}

// ExposureBreakdown implements [store.Stats]. One query counts each
// asset's open findings by decision; Go sums them by role and zone, which
// counts each asset once per group.
func (db *DB) ExposureBreakdown(ctx context.Context, org string) (store.Exposure, error) {
	w := &where{}
	w.add("f.org_id = ?", org)
	in(w, "f.state", store.OpenStates)
	rows, err := db.conn().query(ctx, `SELECT f.asset_id, a.clinical_role, a.zone, f.decision, COUNT(*)
		FROM findings f JOIN assets a ON a.org_id = f.org_id AND a.id = f.asset_id`+w.String()+
		" GROUP BY f.asset_id, a.clinical_role, a.zone, f.decision", w.args...)
	if err != nil {
		return store.Exposure{}, fmt.Errorf("exposure breakdown: %w", err)
	}
	type groups struct {
		m      map[string]*store.ExposureGroup
		assets map[[2]string]bool // group, asset
	}
	byRole := groups{map[string]*store.ExposureGroup{}, map[[2]string]bool{}}
	byZone := groups{map[string]*store.ExposureGroup{}, map[[2]string]bool{}}
	add := func(gs groups, name, asset string, d risk.Decision, n int) {
		g, ok := gs.m[name]
		if !ok {
			g = &store.ExposureGroup{Name: name, Findings: map[risk.Decision]int{}}
			gs.m[name] = g
		}
		g.Findings[d] += n
		if k := [2]string{name, asset}; !gs.assets[k] {
			gs.assets[k] = true
			g.Assets++
		}
	}
	for rows.Next() {
		var (
			asset, role, zone string
			d                 risk.Decision
			n                 int
		)
		if err := rows.Scan(&asset, &role, &zone, &d, &n); err != nil {
			rows.Close()
			return store.Exposure{}, fmt.Errorf("exposure breakdown: %w", err)
		}
		add(byRole, role, asset, d, n)
		add(byZone, zone, asset, d, n)
	}
	if err := closeRows(rows); err != nil {
		return store.Exposure{}, fmt.Errorf("exposure breakdown: %w", err)
	}
	sorted := func(gs groups) []store.ExposureGroup {
		out := make([]store.ExposureGroup, 0, len(gs.m))
		for _, g := range gs.m {
			out = append(out, *g)
		}
		slices.SortFunc(out, func(a, b store.ExposureGroup) int { return cmp.Compare(a.Name, b.Name) })
		return out
	}
	e := store.Exposure{ByRole: sorted(byRole), ByZone: sorted(byZone)}
	slices.SortStableFunc(e.ByRole, func(a, b store.ExposureGroup) int {
		return cmp.Compare(roleIndex(a.Name), roleIndex(b.Name))
	})
	return e, nil
}

// roleIndex orders clinical roles as inventory.ClinicalRoles, others last.
func roleIndex(name string) int {
	if i := slices.Index(inventory.ClinicalRoles, inventory.ClinicalRole(name)); i >= 0 {
		return i
	}
	return len(inventory.ClinicalRoles)
}

// KnownAssetIDs implements [store.Stats].
func (db *DB) KnownAssetIDs(ctx context.Context, org string, ids []string) ([]string, error) {
	c := db.conn()
	out := []string{}
	for part := range slices.Chunk(ids, 500) {
		args := []any{org}
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := c.query(ctx, "SELECT id FROM assets WHERE org_id = ? AND id IN ("+marks(len(part))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("known asset ids: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("known asset ids: %w", err)
			}
			out = append(out, id)
		}
		if err := closeRows(rows); err != nil {
			return nil, fmt.Errorf("known asset ids: %w", err)
		}
	}
	return out, nil
}
