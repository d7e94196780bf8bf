package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// findingBatch is how many rows one INSERT of findings or events writes.
const findingBatch = 200

// findingCols are the columns of a finding row that a sync writes.
var findingCols = []string{"org_id", "asset_id", "advisory_id", "vuln_id", "component", "item", "status", "confidence",
	"decision", "decision_rank", "due", "kev", "state", "first_seen", "last_seen", "updated_at"}

// upsertFindings is the INSERT of n findings: new keys start as written,
// known keys take the scan's columns and LastSeen and keep their workflow,
// but a resolved one is reopened.
func upsertFindings(n int) string {
	return "INSERT INTO findings (" + strings.Join(findingCols, ", ") + ") VALUES " + rowMarks(n, len(findingCols)) +
		fmt.Sprintf(` ON CONFLICT (org_id, asset_id, advisory_id, vuln_id, component) DO UPDATE SET
		item = excluded.item, status = excluded.status, confidence = excluded.confidence, decision = excluded.decision,
		decision_rank = excluded.decision_rank, due = excluded.due, kev = excluded.kev, last_seen = excluded.last_seen,
		state = CASE WHEN findings.state = '%[1]s' THEN '%[2]s' ELSE findings.state END,
		updated_at = CASE WHEN findings.state = '%[1]s' THEN excluded.updated_at ELSE findings.updated_at END`,
			store.StateResolved, store.StateOpen)
}

// decisionRank orders decisions most urgent first, as scan.Sort does;
// findings without a decision come last.
func decisionRank(d risk.Decision) int {
	if d == "" {
		return len(risk.Decisions) + 1
	}
	return d.Rank()
}

// dueKey is a due date as the sort column keeps it: 0 when there is none.
func dueKey(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// known is what a sync needs to know of a stored finding.
type known struct {
	id    int64
	state store.FindingState
}

// event is a finding history entry to write.
type event struct {
	finding  int64
	from, to store.FindingState
	comment  string
}

// SyncFindings implements [store.Findings].
func (db *DB) SyncFindings(ctx context.Context, org string, items []scan.Item, now time.Time) (store.SyncCounts, error) {
	if now.IsZero() {
		return store.SyncCounts{}, fmt.Errorf("sync findings: %w: now: required", store.ErrInvalid)
	}
	now = now.UTC().Truncate(time.Microsecond)
	seen := make(map[store.FindingKey]bool, len(items))
	batch := make([]*scan.Item, 0, len(items))
	for i := range items {
		it := &items[i]
		if it.AssetID == "" || it.AdvisoryID == "" {
			return store.SyncCounts{}, fmt.Errorf("sync findings: %w: items[%d]: asset_id and advisory_id: required", store.ErrInvalid, i)
		}
		if k := store.KeyOf(it); !seen[k] {
			seen[k] = true
			batch = append(batch, it)
		}
	}
	var counts store.SyncCounts
	err := db.inTx(ctx, func(c conn) error {
		if err := db.lockOrg(ctx, c, org); err != nil {
			return err
		}
		existing, err := findingStates(ctx, c, org)
		if err != nil {
			return err
		}
		var events []event
		for part := range slices.Chunk(batch, findingBatch) {
			args := make([]any, 0, len(part)*len(findingCols))
			for _, it := range part {
				k := store.KeyOf(it)
				data, err := jsonText(it)
				if err != nil {
					return fmt.Errorf("item %v: %w", k, err)
				}
				args = append(args, org, k.AssetID, k.AdvisoryID, k.VulnID, k.Component, data, it.Status, it.Confidence,
					it.Decision, decisionRank(it.Decision), dueKey(it.Due), it.KEV, store.StateNew, micros(now), micros(now), micros(now))
				switch f, ok := existing[k]; {
				case !ok:
					counts.New++
				case f.state == store.StateResolved:
					counts.Reopened++
					events = append(events, event{f.id, store.StateResolved, store.StateOpen, "matched again"})
				default:
					counts.Updated++
				}
			}
			if _, err := c.exec(ctx, upsertFindings(len(part)), args...); err != nil {
				return err
			}
		}
		var gone []any
		for k, f := range existing {
			if !seen[k] && f.state.Live() {
				gone = append(gone, f.id)
				events = append(events, event{f.id, f.state, store.StateResolved, "no longer matched"})
			}
		}
		for part := range slices.Chunk(gone, 500) {
			args := append([]any{store.StateResolved, micros(now), org}, part...)
			if _, err := c.exec(ctx, "UPDATE findings SET state = ?, updated_at = ? WHERE org_id = ? AND id IN ("+marks(len(part))+")", args...); err != nil {
				return err
			}
		}
		counts.Resolved = len(gone)
		slices.SortFunc(events, func(a, b event) int { return cmp.Compare(a.finding, b.finding) })
		return insertEvents(ctx, c, now, store.SystemActor, events)
	})
	if err != nil {
		return store.SyncCounts{}, fmt.Errorf("sync findings: %w", err)
	}
	return counts, nil
}

// findingStates returns the ID and state of each of org's findings.
func findingStates(ctx context.Context, c conn, org string) (map[store.FindingKey]known, error) {
	rows, err := c.query(ctx, "SELECT id, asset_id, advisory_id, vuln_id, component, state FROM findings WHERE org_id = ?", org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[store.FindingKey]known{}
	for rows.Next() {
		var (
			k store.FindingKey
			f known
		)
		if err := rows.Scan(&f.id, &k.AssetID, &k.AdvisoryID, &k.VulnID, &k.Component, &f.state); err != nil {
			return nil, err
		}
		m[k] = f
	}
	return m, rows.Err()
}

// insertEvents appends events, all at one time by one actor, to their
// findings' histories.
func insertEvents(ctx context.Context, c conn, at time.Time, actor string, events []event) error {
	for part := range slices.Chunk(events, findingBatch) {
		args := make([]any, 0, len(part)*6)
		for _, e := range part {
			args = append(args, e.finding, micros(at), actor, e.from, e.to, e.comment)
		}
		if _, err := c.exec(ctx, "INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, comment) VALUES "+rowMarks(len(part), 6), args...); err != nil {
			return err
		}
	}
	return nil
}

const findingSelect = `SELECT id, asset_id, advisory_id, vuln_id, component, item, state, assignee, reason,
	accept_expires_at, vex_justification, first_seen, last_seen, updated_at FROM findings`

func scanFindingID(r scanner) (int64, store.FindingRecord, error) {
	var (
		id int64
		f  store.FindingRecord
	)
	err := r.Scan(&id, &f.Key.AssetID, &f.Key.AdvisoryID, &f.Key.VulnID, &f.Key.Component, jsonDest{&f.Item}, &f.State,
		&f.Assignee, &f.Reason, at(&f.AcceptExpiresAt), &f.Justification, at(&f.FirstSeen), at(&f.LastSeen), at(&f.UpdatedAt))
	return id, f, err
}

func scanFinding(r scanner) (store.FindingRecord, error) {
	_, f, err := scanFindingID(r)
	return f, err
}

// finding returns org's finding key and its row ID.
func finding(ctx context.Context, c conn, org string, key store.FindingKey) (int64, store.FindingRecord, error) {
	id, f, err := scanFindingID(c.queryRow(ctx, findingSelect+" WHERE org_id = ? AND asset_id = ? AND advisory_id = ? AND vuln_id = ? AND component = ?",
		org, key.AssetID, key.AdvisoryID, key.VulnID, key.Component))
	if errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("finding %v: %w", key, store.ErrNotFound)
	}
	return id, f, err
}

// Finding implements [store.Findings].
func (db *DB) Finding(ctx context.Context, org string, key store.FindingKey) (store.FindingRecord, error) {
	_, f, err := finding(ctx, db.conn(), org, key)
	if err != nil {
		return store.FindingRecord{}, fmt.Errorf("finding: %w", err)
	}
	return f, nil
}

// changeFinding runs change on org's finding key in a transaction that
// holds the organisation's lock, then writes the finding's workflow columns
// and one history event, and returns the finding.
func (db *DB) changeFinding(ctx context.Context, org string, key store.FindingKey, actor string,
	change func(f *store.FindingRecord, now time.Time) (comment string, err error),
) (store.FindingRecord, error) {
	var f store.FindingRecord
	err := db.inTx(ctx, func(c conn) error {
		if err := db.lockOrg(ctx, c, org); err != nil {
			return err
		}
		id, old, err := finding(ctx, c, org, key)
		if err != nil {
			return err
		}
		now := db.now()
		f = old
		comment, err := change(&f, now)
		if err != nil {
			return err
		}
		f.UpdatedAt = now
		if _, err := c.exec(ctx, `UPDATE findings SET state = ?, assignee = ?, reason = ?, accept_expires_at = ?,
			vex_justification = ?, updated_at = ? WHERE id = ?`,
			f.State, f.Assignee, f.Reason, micros(f.AcceptExpiresAt), f.Justification, micros(now), id); err != nil {
			return err
		}
		return insertEvents(ctx, c, now, actor, []event{{id, old.State, f.State, comment}})
	})
	return f, err
}

// UpdateFindingState implements [store.Findings].
func (db *DB) UpdateFindingState(ctx context.Context, org string, key store.FindingKey, tr store.Transition) (store.FindingRecord, error) {
	f, err := db.changeFinding(ctx, org, key, tr.Actor, func(f *store.FindingRecord, now time.Time) (string, error) {
		if err := tr.Check(f.State, now); err != nil {
			return "", err
		}
		f.State, f.Reason, f.AcceptExpiresAt, f.Justification = tr.To, tr.Reason, tr.AcceptExpiresAt.UTC().Truncate(time.Microsecond), tr.Justification
		return tr.Comment, nil
	})
	if err != nil {
		return store.FindingRecord{}, fmt.Errorf("update finding state: %w", err)
	}
	return f, nil
}

// AssignFinding implements [store.Findings].
func (db *DB) AssignFinding(ctx context.Context, org string, key store.FindingKey, assignee, actor string) (store.FindingRecord, error) {
	err := cmp.Or(store.CheckText("actor", actor, true, store.MaxName), store.CheckText("assignee", assignee, false, store.MaxName))
	var f store.FindingRecord
	if err == nil {
		f, err = db.changeFinding(ctx, org, key, actor, func(f *store.FindingRecord, _ time.Time) (string, error) {
			f.Assignee = assignee
			if assignee == "" {
				return "unassigned", nil
			}
			return "assigned to " + assignee, nil
		})
	}
	if err != nil {
		return store.FindingRecord{}, fmt.Errorf("assign finding: %w", err)
	}
	return f, nil
}

type numCursor struct{ ID int64 }

// FindingHistory implements [store.Findings].
func (db *DB) FindingHistory(ctx context.Context, org string, key store.FindingKey, opts store.ListOptions) (store.Page[store.FindingEvent], error) {
	c := db.conn()
	id, _, err := finding(ctx, c, org, key)
	if err != nil {
		return store.Page[store.FindingEvent]{}, fmt.Errorf("finding history: %w", err)
	}
	w := &where{}
	w.add("finding_id = ?", id)
	p, err := list(ctx, c, opts, "SELECT id, at, actor, from_state, to_state, comment FROM finding_events", w,
		func(w *where, c numCursor) { w.add("id > ?", c.ID) }, "id",
		func(r scanner) (store.FindingEvent, error) {
			var e store.FindingEvent
			err := r.Scan(&e.ID, at(&e.At), &e.Actor, &e.From, &e.To, &e.Comment)
			return e, err
		},
		func(e store.FindingEvent) numCursor { return numCursor{e.ID} })
	if err != nil {
		return p, fmt.Errorf("finding history: %w", err)
	}
	return p, nil
}

// findingWhere returns the conditions of f for org.
func findingWhere(org string, f *store.FindingFilter) *where {
	w := &where{}
	w.add("org_id = ?", org)
	in(w, "state", f.States)
	// By rank, which the ordering indexes hold; the filter's decisions are known ones.
	ranks := make([]int, len(f.Decisions))
	for i, d := range f.Decisions {
		ranks[i] = decisionRank(d)
	}
	in(w, "decision_rank", ranks)
	in(w, "confidence", f.Confidences)
	if f.AssetID != "" {
		w.add("asset_id = ?", f.AssetID)
	}
	if f.AdvisoryID != "" {
		w.add("advisory_id = ?", f.AdvisoryID)
	}
	if f.KEVOnly {
		w.add("kev = ?", true)
	}
	return w
}

// findingCursor is a finding's place in the urgency order.
type findingCursor struct {
	Rank                             int
	Due                              int64
	Asset, Advisory, Vuln, Component string
}

// ListFindings implements [store.Findings].
func (db *DB) ListFindings(ctx context.Context, org string, f store.FindingFilter, opts store.ListOptions) (store.Page[store.FindingRecord], error) {
	if err := f.Validate(); err != nil {
		return store.Page[store.FindingRecord]{}, fmt.Errorf("list findings: %w", err)
	}
	p, err := list(ctx, db.conn(), opts, findingSelect, findingWhere(org, &f),
		func(w *where, c findingCursor) {
			w.add("(decision_rank, due, asset_id, advisory_id, vuln_id, component) > (?, ?, ?, ?, ?, ?)",
				c.Rank, c.Due, c.Asset, c.Advisory, c.Vuln, c.Component)
		},
		"decision_rank, due, asset_id, advisory_id, vuln_id, component", scanFinding,
		func(f store.FindingRecord) findingCursor {
			return findingCursor{decisionRank(f.Item.Decision), dueKey(f.Item.Due), f.Key.AssetID, f.Key.AdvisoryID, f.Key.VulnID, f.Key.Component}
		})
	if err != nil {
		return p, fmt.Errorf("list findings: %w", err)
	}
	return p, nil
}

// CountFindings implements [store.Findings].
func (db *DB) CountFindings(ctx context.Context, org string, f store.FindingFilter) ([]store.FindingCount, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("count findings: %w", err)
	}
	w := findingWhere(org, &f)
	rows, err := db.conn().query(ctx, "SELECT state, decision, COUNT(*) FROM findings"+w.String()+" GROUP BY state, decision", w.args...)
	if err != nil {
		return nil, fmt.Errorf("count findings: %w", err)
	}
	defer rows.Close()
	counts := []store.FindingCount{}
	for rows.Next() {
		var n store.FindingCount
		if err := rows.Scan(&n.State, &n.Decision, &n.Count); err != nil {
			return nil, fmt.Errorf("count findings: %w", err)
		}
		counts = append(counts, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count findings: %w", err)
	}
	slices.SortFunc(counts, func(a, b store.FindingCount) int {
		return cmp.Or(cmp.Compare(slices.Index(store.FindingStates, a.State), slices.Index(store.FindingStates, b.State)),
			cmp.Compare(decisionRank(a.Decision), decisionRank(b.Decision)))
	})
	return counts, nil
}
