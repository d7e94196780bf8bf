package sqlstore

import (
	"context"
	"fmt"

	"github.com/ward-health/ward/internal/store"
)

// AppendAudit implements [store.Audit].
func (db *DB) AppendAudit(ctx context.Context, org, actor, action, detail string) (store.AuditEntry, error) {
	e := store.AuditEntry{OrgID: org, At: db.now(), Actor: actor, Action: action, Detail: detail}
	if err := e.Validate(); err != nil {
		return store.AuditEntry{}, fmt.Errorf("append audit: %w", err)
	}
	err := db.conn().queryRow(ctx, "INSERT INTO audit (org_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?) RETURNING id",
		org, micros(e.At), actor, action, detail).Scan(&e.ID)
	if err != nil {
		return store.AuditEntry{}, fmt.Errorf("append audit: %w", db.constraint(err, fmt.Sprintf("organisation %q", org)))
	}
	return e, nil
}

// ListAudit implements [store.Audit].
func (db *DB) ListAudit(ctx context.Context, org string, opts store.ListOptions) (store.Page[store.AuditEntry], error) {
	w := &where{}
	w.add("org_id = ?", org)
	p, err := list(ctx, db.conn(), opts, "SELECT id, org_id, at, actor, action, detail FROM audit", w,
		func(w *where, c numCursor) { w.add("id < ?", c.ID) }, "id DESC",
		func(r scanner) (store.AuditEntry, error) {
			var e store.AuditEntry
			err := r.Scan(&e.ID, &e.OrgID, at(&e.At), &e.Actor, &e.Action, &e.Detail)
			return e, err
		},
		func(e store.AuditEntry) numCursor { return numCursor{e.ID} })
	if err != nil {
		return p, fmt.Errorf("list audit: %w", err)
	}
	return p, nil
}
