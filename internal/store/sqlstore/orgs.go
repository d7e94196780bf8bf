package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ward-health/ward/internal/store"
)

// CreateOrg implements [store.Orgs].
func (db *DB) CreateOrg(ctx context.Context, o store.Organisation) (store.Organisation, error) {
	if err := o.Validate(); err != nil {
		return store.Organisation{}, fmt.Errorf("create organisation: %w", err)
	}
	o.ID, o.CreatedAt = newID("org"), db.now()
	if _, err := db.conn().exec(ctx, "INSERT INTO orgs (id, name, kind, country, created_at) VALUES (?, ?, ?, ?, ?)",
		o.ID, o.Name, o.Kind, o.Country, micros(o.CreatedAt)); err != nil {
		return store.Organisation{}, fmt.Errorf("create organisation: %w", err)
	}
	return o, nil
}

const orgCols = "id, name, kind, country, created_at"

func scanOrg(r scanner) (store.Organisation, error) {
	var o store.Organisation
	err := r.Scan(&o.ID, &o.Name, &o.Kind, &o.Country, at(&o.CreatedAt))
	return o, err
}

// Org implements [store.Orgs].
func (db *DB) Org(ctx context.Context, id string) (store.Organisation, error) {
	o, err := scanOrg(db.conn().queryRow(ctx, "SELECT "+orgCols+" FROM orgs WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Organisation{}, fmt.Errorf("organisation %q: %w", id, err)
	}
	return o, nil
}

type orgCursor struct {
	Name, ID string
}

// ListOrgs implements [store.Orgs].
func (db *DB) ListOrgs(ctx context.Context, opts store.ListOptions) (store.Page[store.Organisation], error) {
	w := &where{}
	p, err := list(ctx, db.conn(), opts, "SELECT "+orgCols+" FROM orgs", w,
		func(w *where, c orgCursor) { w.add("(name, id) > (?, ?)", c.Name, c.ID) },
		"name, id", scanOrg,
		func(o store.Organisation) orgCursor { return orgCursor{o.Name, o.ID} })
	if err != nil {
		return p, fmt.Errorf("list organisations: %w", err)
	}
	return p, nil
}

// SetMember implements [store.Members].
func (db *DB) SetMember(ctx context.Context, org, userID string, role store.Role) (store.Membership, error) {
	if err := role.Validate(); err != nil {
		return store.Membership{}, fmt.Errorf("set member: %w", err)
	}
	_, err := db.conn().exec(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`, org, userID, role, micros(db.now()))
	if err != nil {
		return store.Membership{}, fmt.Errorf("set member: %w", db.constraint(err, "organisation or user"))
	}
	return db.Member(ctx, org, userID)
}

const memberCols = "org_id, user_id, role, created_at"

func scanMember(r scanner) (store.Membership, error) {
	var m store.Membership
	err := r.Scan(&m.OrgID, &m.UserID, &m.Role, at(&m.CreatedAt))
	return m, err
}

// Member implements [store.Members].
func (db *DB) Member(ctx context.Context, org, userID string) (store.Membership, error) {
	m, err := scanMember(db.conn().queryRow(ctx, "SELECT "+memberCols+" FROM memberships WHERE org_id = ? AND user_id = ?", org, userID))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Membership{}, fmt.Errorf("member %q: %w", userID, err)
	}
	return m, nil
}

// RemoveMember implements [store.Members].
func (db *DB) RemoveMember(ctx context.Context, org, userID string) error {
	res, err := db.conn().exec(ctx, "DELETE FROM memberships WHERE org_id = ? AND user_id = ?", org, userID)
	if err == nil {
		err = affected(res, fmt.Sprintf("member %q", userID))
	}
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	return nil
}

type idCursor struct{ ID string }

// ListMembers implements [store.Members].
func (db *DB) ListMembers(ctx context.Context, org string, opts store.ListOptions) (store.Page[store.Membership], error) {
	w := &where{}
	w.add("org_id = ?", org)
	p, err := list(ctx, db.conn(), opts, "SELECT "+memberCols+" FROM memberships", w,
		func(w *where, c idCursor) { w.add("user_id > ?", c.ID) },
		"user_id", scanMember,
		func(m store.Membership) idCursor { return idCursor{m.UserID} })
	if err != nil {
		return p, fmt.Errorf("list members: %w", err)
	}
	return p, nil
}

// UserMemberships implements [store.Members].
func (db *DB) UserMemberships(ctx context.Context, userID string, opts store.ListOptions) (store.Page[store.Membership], error) {
	w := &where{}
	w.add("user_id = ?", userID)
	p, err := list(ctx, db.conn(), opts, "SELECT "+memberCols+" FROM memberships", w,
		func(w *where, c idCursor) { w.add("org_id > ?", c.ID) },
		"org_id", scanMember,
		func(m store.Membership) idCursor { return idCursor{m.OrgID} })
	if err != nil {
		return p, fmt.Errorf("list memberships: %w", err)
	}
	return p, nil
}
