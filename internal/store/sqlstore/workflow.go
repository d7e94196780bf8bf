package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// CommentFinding implements [store.Comments].
func (db *DB) CommentFinding(ctx context.Context, org string, key store.FindingKey, actor, comment string) (store.FindingEvent, error) {
	if err := cmp.Or(store.CheckText("actor", actor, true, store.MaxName), store.CheckText("comment", comment, true, store.MaxText)); err != nil {
		return store.FindingEvent{}, fmt.Errorf("comment finding: %w", err)
	}
	var e store.FindingEvent
	err := db.inTx(ctx, func(c conn) error {
		if err := db.lockOrg(ctx, c, org); err != nil {
			return err
		}
		id, f, err := finding(ctx, c, org, key)
		if err != nil {
			return err
		}
		e = store.FindingEvent{At: db.now(), Actor: actor, From: f.State, To: f.State, Comment: comment}
		return c.queryRow(ctx, "INSERT INTO finding_events (finding_id, at, actor, from_state, to_state, comment) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			id, micros(e.At), actor, e.From, e.To, comment).Scan(&e.ID)
	})
	if err != nil {
		return store.FindingEvent{}, fmt.Errorf("comment finding: %w", err)
	}
	return e, nil
}

// judged is a finding a verdict applies to.
type judged struct {
	id            int64
	item          scan.Item
	state         store.FindingState
	justification store.VEXJustification
}

// JudgeFinding implements [store.Verdicts].
func (db *DB) JudgeFinding(ctx context.Context, org string, key store.FindingKey, j store.Judgement) (store.Verdict, error) {
	if err := j.Validate(); err != nil {
		return store.Verdict{}, fmt.Errorf("judge finding: %w", err)
	}
	var v store.Verdict
	err := db.inTx(ctx, func(c conn) error {
		if err := db.lockOrg(ctx, c, org); err != nil {
			return err
		}
		_, f, err := finding(ctx, c, org, key)
		if err != nil {
			return err
		}
		product := strings.TrimSpace(f.Item.Product)
		if product == "" {
			return fmt.Errorf("%w: finding %v names no product to judge", store.ErrInvalid, key)
		}
		pk := store.ProductKey(product)
		var prev string
		err = c.queryRow(ctx, "SELECT outcome FROM verdicts WHERE org_id = ? AND asset_id = ? AND product_key = ?", org, key.AssetID, pk).Scan(&prev)
		before := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if f.Item.Confidence != match.Possible && !before {
			return fmt.Errorf("%w: finding %v: its match is confirmed by identifiers, nothing to judge", store.ErrInvalid, key)
		}
		now := db.now()
		v = store.Verdict{AssetID: key.AssetID, Product: product, Outcome: j.Outcome, Note: j.Note, Actor: j.Actor, At: now,
			AdvisoryID: key.AdvisoryID, VulnID: key.VulnID}
		if _, err := c.exec(ctx, `INSERT INTO verdicts (org_id, asset_id, product_key, product, outcome, note, actor, at, advisory_id, vuln_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, asset_id, product_key) DO UPDATE SET
			product = excluded.product, outcome = excluded.outcome, note = excluded.note, actor = excluded.actor,
			at = excluded.at, advisory_id = excluded.advisory_id, vuln_id = excluded.vuln_id`,
			org, v.AssetID, pk, v.Product, v.Outcome, v.Note, v.Actor, micros(now), v.AdvisoryID, v.VulnID); err != nil {
			return err
		}
		fs, err := assetFindings(ctx, c, org, key.AssetID, pk, before)
		if err != nil {
			return err
		}
		return applyJudgement(ctx, c, fs, &v)
	})
	if err != nil {
		return store.Verdict{}, fmt.Errorf("judge finding: %w", err)
	}
	return v, nil
}

// assetFindings returns org's findings of asset whose product has key pk
// and whose match is possible or, when the product was judged before, any.
func assetFindings(ctx context.Context, c conn, org, asset, pk string, judgedBefore bool) ([]judged, error) {
	rows, err := c.query(ctx, "SELECT id, item, state, vex_justification FROM findings WHERE org_id = ? AND asset_id = ? ORDER BY id", org, asset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []judged
	for rows.Next() {
		var f judged
		if err := rows.Scan(&f.id, jsonDest{&f.item}, &f.state, &f.justification); err != nil {
			return nil, err
		}
		if store.ProductKey(f.item.Product) == pk && (f.item.Confidence == match.Possible || judgedBefore) {
			out = append(out, f)
		}
	}
	return out, rows.Err()
}

// applyJudgement changes fs as verdict v says ([store.Verdicts.JudgeFinding])
// and writes their histories.
func applyJudgement(ctx context.Context, c conn, fs []judged, v *store.Verdict) error {
	var events []event
	note := ""
	if v.Note != "" {
		note = ": " + v.Note
	}
	for _, f := range fs {
		to, just, reason := f.state, f.justification, ""
		var comment string
		switch v.Outcome {
		case store.Confirmed:
			f.item.Confidence = match.Confirmed
			f.item.Evidence = strings.TrimSpace(f.item.Evidence + " Confirmed by " + v.Actor + ": the asset is " + v.Product + ".")
			switch {
			case f.state == store.StateNew:
				to = store.StateOpen
			case f.state == store.StateNotAffected && f.justification == store.ComponentNotPresent:
				to, just = store.StateOpen, ""
			}
			comment = "match confirmed: the asset is " + v.Product + note
		case store.Rejected:
			if !f.state.Live() || !f.state.CanMoveTo(store.StateNotAffected) {
				continue
			}
			to, just = store.StateNotAffected, store.ComponentNotPresent
			reason = "Not this product (" + v.Product + ")" + note
			comment = "match rejected: the asset is not " + v.Product + note
		}
		data, err := jsonText(&f.item)
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, `UPDATE findings SET item = ?, confidence = ?, state = ?, vex_justification = ?,
			reason = CASE WHEN state = ? THEN reason ELSE ? END, accept_expires_at = CASE WHEN state = ? THEN accept_expires_at ELSE NULL END,
			updated_at = ? WHERE id = ?`,
			data, f.item.Confidence, to, just, to, reason, to, micros(v.At), f.id); err != nil {
			return err
		}
		events = append(events, event{f.id, f.state, to, comment})
	}
	return insertEvents(ctx, c, v.At, v.Actor, events)
}

const verdictSelect = "SELECT asset_id, product, outcome, note, actor, at, advisory_id, vuln_id FROM verdicts"

type verdictCursor struct{ Asset, Key string }

// ListVerdicts implements [store.Verdicts].
func (db *DB) ListVerdicts(ctx context.Context, org string, opts store.ListOptions) (store.Page[store.Verdict], error) {
	w := &where{}
	w.add("org_id = ?", org)
	p, err := list(ctx, db.conn(), opts, verdictSelect, w,
		func(w *where, c verdictCursor) { w.add("(asset_id, product_key) > (?, ?)", c.Asset, c.Key) },
		"asset_id, product_key",
		func(r scanner) (store.Verdict, error) {
			var v store.Verdict
			err := r.Scan(&v.AssetID, &v.Product, &v.Outcome, &v.Note, &v.Actor, at(&v.At), &v.AdvisoryID, &v.VulnID)
			return v, err
		},
		func(v store.Verdict) verdictCursor { return verdictCursor{v.AssetID, store.ProductKey(v.Product)} })
	if err != nil {
		return p, fmt.Errorf("list verdicts: %w", err)
	}
	return p, nil
}

// DeleteVerdict implements [store.Verdicts].
func (db *DB) DeleteVerdict(ctx context.Context, org, assetID, product string) error {
	res, err := db.conn().exec(ctx, "DELETE FROM verdicts WHERE org_id = ? AND asset_id = ? AND product_key = ?",
		org, assetID, store.ProductKey(product))
	if err == nil {
		err = affected(res, fmt.Sprintf("verdict on %q, %q", assetID, product))
	}
	if err != nil {
		return fmt.Errorf("delete verdict: %w", err)
	}
	return nil
}

// OrgPolicy implements [store.Settings].
func (db *DB) OrgPolicy(ctx context.Context, org string) (store.DuePolicy, error) {
	c := db.conn()
	var id string
	if err := c.queryRow(ctx, "SELECT id FROM orgs WHERE id = ?", org).Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = fmt.Errorf("organisation %q: %w", org, store.ErrNotFound)
		}
		return store.DuePolicy{}, fmt.Errorf("org policy: %w", err)
	}
	rows, err := c.query(ctx, "SELECT decision, days FROM due_policies WHERE org_id = ?", org)
	if err != nil {
		return store.DuePolicy{}, fmt.Errorf("org policy: %w", err)
	}
	defer rows.Close()
	p := store.DuePolicy{Days: map[risk.Decision]int{}}
	for rows.Next() {
		var (
			d    risk.Decision
			days int
		)
		if err := rows.Scan(&d, &days); err != nil {
			return store.DuePolicy{}, fmt.Errorf("org policy: %w", err)
		}
		p.Days[d] = days
	}
	if err := rows.Err(); err != nil {
		return store.DuePolicy{}, fmt.Errorf("org policy: %w", err)
	}
	return p, nil
}

// SetOrgPolicy implements [store.Settings].
func (db *DB) SetOrgPolicy(ctx context.Context, org string, p store.DuePolicy) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("set org policy: %w", err)
	}
	err := db.inTx(ctx, func(c conn) error {
		if err := db.lockOrg(ctx, c, org); err != nil {
			return err
		}
		if _, err := c.exec(ctx, "DELETE FROM due_policies WHERE org_id = ?", org); err != nil {
			return err
		}
		for _, d := range risk.Decisions {
			if n, ok := p.Days[d]; ok {
				if _, err := c.exec(ctx, "INSERT INTO due_policies (org_id, decision, days) VALUES (?, ?, ?)", org, d, n); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set org policy: %w", err)
	}
	return nil
}
