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
	rank  int   // decision_rank
	due   int64 // dueKey
}

// keepDue returns it with the due date the finding already has when its
// decision did not change: a deadline runs from when the finding was first
// seen with that decision, and does not move on with every rescan.
func keepDue(it *scan.Item, f known, found bool) *scan.Item {
	if !found || f.state == store.StateResolved || f.due == 0 || f.rank != decisionRank(it.Decision) || f.due >= dueKey(it.Due) {
		return it
	}
	kept := *it
	kept.Due = time.UnixMicro(f.due).UTC()
	return &kept
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
		counts, err = writeFindings(ctx, c, org, batch, seen, existing, now)
		return err
	})
	if err != nil {
		return store.SyncCounts{}, fmt.Errorf("sync findings: %w", err)
	}
	db.analyze(ctx, counts.New+counts.Updated+counts.Reopened+counts.Resolved, "findings", "finding_events")
	return counts, nil
}

// writeFindings stores the batch of a sync over the findings existing (as
// read by findingStates or advisoryFindingStates, under the organisation's
// lock): new keys are added, known ones updated (keeping their workflow and,
// while their decision stands, their due date), resolved ones reopened, and
// live ones the batch does not name (seen) resolved, each change in the
// findings' histories.
func writeFindings(ctx context.Context, c conn, org string, batch []*scan.Item, seen map[store.FindingKey]bool,
	existing map[store.FindingKey]known, now time.Time) (store.SyncCounts, error) {
	var counts store.SyncCounts
	var events []event
	for part := range slices.Chunk(batch, findingBatch) {
		args := make([]any, 0, len(part)*len(findingCols))
		for _, it := range part {
			k := store.KeyOf(it)
			f, ok := existing[k]
			it = keepDue(it, f, ok)
			data, err := jsonText(it)
			if err != nil {
				return counts, fmt.Errorf("item %v: %w", k, err)
			}
			args = append(args, org, k.AssetID, k.AdvisoryID, k.VulnID, k.Component, data, it.Status, it.Confidence,
				it.Decision, decisionRank(it.Decision), dueKey(it.Due), it.KEV, store.StateNew, micros(now), micros(now), micros(now))
			switch {
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
			return counts, err
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
			return counts, err
		}
	}
	counts.Resolved = len(gone)
	slices.SortFunc(events, func(a, b event) int { return cmp.Compare(a.finding, b.finding) })
	return counts, insertEvents(ctx, c, now, store.SystemActor, events)
}

// findingStates returns the ID and state of each of org's findings.
func findingStates(ctx context.Context, c conn, org string) (map[store.FindingKey]known, error) {
	m := map[store.FindingKey]known{}
	return m, readKnown(ctx, c, m, knownSelect+" WHERE org_id = ?", org)
}

// knownSelect reads what a sync needs to know of stored findings.
const knownSelect = "SELECT id, asset_id, advisory_id, vuln_id, component, state, decision_rank, due FROM findings"

// readKnown adds the findings query selects (with knownSelect) to m.
func readKnown(ctx context.Context, c conn, m map[store.FindingKey]known, query string, args ...any) error {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k store.FindingKey
			f known
		)
		if err := rows.Scan(&f.id, &k.AssetID, &k.AdvisoryID, &k.VulnID, &k.Component, &f.state, &f.rank, &f.due); err != nil {
			return err
		}
		m[k] = f
	}
	return rows.Err()
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
	if f.VulnID != "" {
		w.add("vuln_id = ?", f.VulnID)
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
	// By rank first: the state index covers it, so no row is read. Only
	// decisions outside the known ones need the rows' own names.
	w := findingWhere(org, &f)
	counts, err := db.countFindings(ctx, "decision_rank", w, func(n *store.FindingCount, rank int) {
		if rank < len(risk.Decisions) {
			n.Decision = risk.Decisions[rank]
		}
	})
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(counts, func(n store.FindingCount) bool { return n.Decision == "" && n.Count > 0 }) {
		counts = slices.DeleteFunc(counts, func(n store.FindingCount) bool { return n.Decision == "" })
		w = findingWhere(org, &f)
		w.add("decision_rank >= ?", len(risk.Decisions))
		rest, err := db.countFindings(ctx, "decision", w, nil)
		if err != nil {
			return nil, err
		}
		counts = append(counts, rest...)
	}
	slices.SortFunc(counts, func(a, b store.FindingCount) int {
		return cmp.Or(cmp.Compare(slices.Index(store.FindingStates, a.State), slices.Index(store.FindingStates, b.State)),
			cmp.Compare(decisionRank(a.Decision), decisionRank(b.Decision)))
	})
	return counts, nil
}

// countFindings counts the findings that pass w by state and by column,
// which is decision_rank (set names with name) or decision.
func (db *DB) countFindings(ctx context.Context, column string, w *where, name func(n *store.FindingCount, rank int)) ([]store.FindingCount, error) {
	rows, err := db.conn().query(ctx, "SELECT state, "+column+", COUNT(*) FROM findings"+w.String()+" GROUP BY state, "+column, w.args...)
	if err != nil {
		return nil, fmt.Errorf("count findings: %w", err)
	}
	defer rows.Close()
	counts := []store.FindingCount{}
	for rows.Next() {
		var n store.FindingCount
		if name == nil {
			err = rows.Scan(&n.State, &n.Decision, &n.Count)
		} else {
			var rank int
			if err = rows.Scan(&n.State, &rank, &n.Count); err == nil {
				name(&n, rank)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("count findings: %w", err)
		}
		counts = append(counts, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count findings: %w", err)
	}
	return counts, nil
}
