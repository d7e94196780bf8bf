package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

const feedCols = "id, name, kind, url, path, keys, interval_us, enabled, created_at, last_attempt, last_success, last_error, counts, seq"

func scanFeed(r scanner) (store.Feed, error) {
	var (
		f        store.Feed
		interval int64
		seq      int64
	)
	err := r.Scan(&f.ID, &f.Name, &f.Kind, &f.URL, &f.Path, jsonDest{&f.Keys}, &interval, &f.Enabled, at(&f.CreatedAt),
		at(&f.LastAttempt), at(&f.LastSuccess), &f.LastError, jsonDest{&f.Counts}, &seq)
	f.Interval = time.Duration(interval) * time.Microsecond
	f.Seq = uint64(seq)
	return f, err
}

// AddFeed implements [store.Feeds].
func (db *DB) AddFeed(ctx context.Context, f store.Feed) (store.Feed, error) {
	if err := f.Validate(); err != nil {
		return store.Feed{}, fmt.Errorf("add feed: %w", err)
	}
	if f.Keys == nil {
		f.Keys = []string{}
	}
	keys, err := jsonText(f.Keys)
	if err != nil {
		return store.Feed{}, fmt.Errorf("add feed: %w", err)
	}
	f.ID, f.CreatedAt = newID("feed"), db.now()
	f.Interval = f.Interval.Truncate(time.Microsecond)
	f.LastAttempt, f.LastSuccess, f.LastError, f.Counts, f.Seq = time.Time{}, time.Time{}, "", store.FeedCounts{}, 0
	if _, err := db.conn().exec(ctx, "INSERT INTO feeds (id, name, kind, url, path, keys, interval_us, enabled, created_at, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		f.ID, f.Name, f.Kind, f.URL, f.Path, keys, f.Interval.Microseconds(), f.Enabled, micros(f.CreatedAt), "{}"); err != nil {
		return store.Feed{}, fmt.Errorf("add feed %q: %w", f.Name, db.constraint(err, "feed"))
	}
	return f, nil
}

// Feed implements [store.Feeds].
func (db *DB) Feed(ctx context.Context, id string) (store.Feed, error) {
	f, err := scanFeed(db.conn().queryRow(ctx, "SELECT "+feedCols+" FROM feeds WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Feed{}, fmt.Errorf("feed %q: %w", id, err)
	}
	return f, nil
}

type feedCursor struct {
	Name, ID string
}

// ListFeeds implements [store.Feeds].
func (db *DB) ListFeeds(ctx context.Context, opts store.ListOptions) (store.Page[store.Feed], error) {
	p, err := list(ctx, db.conn(), opts, "SELECT "+feedCols+" FROM feeds", &where{},
		func(w *where, c feedCursor) { w.add("(name, id) > (?, ?)", c.Name, c.ID) },
		"name, id", scanFeed,
		func(f store.Feed) feedCursor { return feedCursor{f.Name, f.ID} })
	if err != nil {
		return p, fmt.Errorf("list feeds: %w", err)
	}
	return p, nil
}

// SetFeedEnabled implements [store.Feeds].
func (db *DB) SetFeedEnabled(ctx context.Context, id string, enabled bool) (store.Feed, error) {
	res, err := db.conn().exec(ctx, "UPDATE feeds SET enabled = ? WHERE id = ?", enabled, id)
	if err == nil {
		err = affected(res, "feed "+id)
	}
	if err != nil {
		return store.Feed{}, fmt.Errorf("set feed enabled: %w", err)
	}
	return db.Feed(ctx, id)
}

// RemoveFeed implements [store.Feeds].
func (db *DB) RemoveFeed(ctx context.Context, id string) error {
	res, err := db.conn().exec(ctx, "DELETE FROM feeds WHERE id = ?", id)
	if err == nil {
		err = affected(res, "feed "+id)
	}
	if err != nil {
		return fmt.Errorf("remove feed: %w", err)
	}
	return nil
}

// RecordFeedAttempt implements [store.Feeds].
func (db *DB) RecordFeedAttempt(ctx context.Context, id string, a store.FeedAttempt) (store.Feed, error) {
	if a.At.IsZero() {
		return store.Feed{}, fmt.Errorf("record feed attempt: %w: at: required", store.ErrInvalid)
	}
	if err := store.CheckText("error", a.Err, false, store.MaxText); err != nil {
		return store.Feed{}, fmt.Errorf("record feed attempt: %w", err)
	}
	var (
		res sql.Result
		err error
	)
	if a.Err != "" {
		res, err = db.conn().exec(ctx, "UPDATE feeds SET last_attempt = ?, last_error = ? WHERE id = ?", micros(a.At), a.Err, id)
	} else {
		var counts string
		if counts, err = jsonText(a.Counts); err == nil {
			res, err = db.conn().exec(ctx, "UPDATE feeds SET last_attempt = ?, last_success = ?, last_error = '', counts = ?, seq = ? WHERE id = ?",
				micros(a.At), micros(a.At), counts, int64(a.Seq), id)
		}
	}
	if err == nil {
		err = affected(res, "feed "+id)
	}
	if err != nil {
		return store.Feed{}, fmt.Errorf("record feed attempt: %w", err)
	}
	return db.Feed(ctx, id)
}

// SyncAdvisoryFindings implements [store.Feeds].
func (db *DB) SyncAdvisoryFindings(ctx context.Context, org string, advisories []string, items []scan.Item, now time.Time) (store.SyncCounts, error) {
	if now.IsZero() {
		return store.SyncCounts{}, fmt.Errorf("sync advisory findings: %w: now: required", store.ErrInvalid)
	}
	now = now.UTC().Truncate(time.Microsecond)
	named := make(map[string]bool, len(advisories))
	for _, id := range advisories {
		named[id] = true
	}
	seen := make(map[store.FindingKey]bool, len(items))
	batch := make([]*scan.Item, 0, len(items))
	for i := range items {
		it := &items[i]
		if it.AssetID == "" || it.AdvisoryID == "" {
			return store.SyncCounts{}, fmt.Errorf("sync advisory findings: %w: items[%d]: asset_id and advisory_id: required", store.ErrInvalid, i)
		}
		if !named[it.AdvisoryID] {
			return store.SyncCounts{}, fmt.Errorf("sync advisory findings: %w: items[%d]: advisory %q not among those synced", store.ErrInvalid, i, it.AdvisoryID)
		}
		if k := store.KeyOf(it); !seen[k] {
			seen[k] = true
			batch = append(batch, it)
		}
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range named {
			if !yield(id) {
				return
			}
		}
	})
	var counts store.SyncCounts
	err := db.inTx(ctx, func(c conn) error {
		if err := db.lockOrg(ctx, c, org); err != nil {
			return err
		}
		existing, err := advisoryFindingStates(ctx, c, org, ids)
		if err != nil {
			return err
		}
		counts, err = writeFindings(ctx, c, org, batch, seen, existing, now)
		return err
	})
	if err != nil {
		return store.SyncCounts{}, fmt.Errorf("sync advisory findings: %w", err)
	}
	db.analyze(ctx, counts.New+counts.Updated+counts.Reopened+counts.Resolved, "findings", "finding_events")
	return counts, nil
}

// advisoryFindingStates returns what a sync needs to know of org's
// findings of the advisories ids.
func advisoryFindingStates(ctx context.Context, c conn, org string, ids []string) (map[store.FindingKey]known, error) {
	m := map[store.FindingKey]known{}
	for part := range slices.Chunk(ids, 500) {
		args := []any{org}
		for _, id := range part {
			args = append(args, id)
		}
		if err := readKnown(ctx, c, m, knownSelect+" WHERE org_id = ? AND advisory_id IN ("+marks(len(part))+")", args...); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// AssetsVersion returns a value that changes whenever org's assets do: their
// count and latest update time. Caches of an inventory compare it.
func (db *DB) AssetsVersion(ctx context.Context, org string) (string, error) {
	var n, latest int64
	if err := db.conn().queryRow(ctx, "SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM assets WHERE org_id = ?", org).Scan(&n, &latest); err != nil {
		return "", fmt.Errorf("assets version: %w", err)
	}
	return fmt.Sprintf("%d/%d", n, latest), nil
}
