package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ward-health/ward/internal/store"
)

// tokenTouch is how stale LastUsedAt may get before a lookup writes it.
const tokenTouch = time.Minute

// CreateToken implements [store.Tokens].
func (db *DB) CreateToken(ctx context.Context, org, name string, role store.Role) (store.Token, string, error) {
	if err := cmp.Or(store.CheckText("name", name, true, store.MaxName), role.Validate()); err != nil {
		return store.Token{}, "", fmt.Errorf("create token: %w", err)
	}
	plain := store.NewToken()
	t := store.Token{ID: newID("tok"), OrgID: org, Role: role, Name: name, CreatedAt: db.now()}
	_, err := db.conn().exec(ctx, "INSERT INTO tokens (id, org_id, role, name, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		t.ID, t.OrgID, t.Role, t.Name, store.HashToken(plain), micros(t.CreatedAt))
	if err != nil {
		return store.Token{}, "", fmt.Errorf("create token: %w", db.constraint(err, fmt.Sprintf("organisation %q", org)))
	}
	return t, plain, nil
}

const tokenCols = "id, org_id, role, name, created_at, last_used_at, revoked_at"

func scanToken(r scanner) (store.Token, error) {
	var t store.Token
	err := r.Scan(&t.ID, &t.OrgID, &t.Role, &t.Name, at(&t.CreatedAt), at(&t.LastUsedAt), at(&t.RevokedAt))
	return t, err
}

// LookupToken implements [store.Tokens].
func (db *DB) LookupToken(ctx context.Context, hash []byte) (store.Token, error) {
	c := db.conn()
	t, err := scanToken(c.queryRow(ctx, "SELECT "+tokenCols+" FROM tokens WHERE hash = ? AND revoked_at IS NULL", hash))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Token{}, fmt.Errorf("token: %w", err)
	}
	if now := db.now(); now.Sub(t.LastUsedAt) >= tokenTouch {
		if _, err := c.exec(ctx, "UPDATE tokens SET last_used_at = ? WHERE id = ?", micros(now), t.ID); err != nil {
			return store.Token{}, fmt.Errorf("token: record use: %w", err)
		}
		t.LastUsedAt = now
	}
	return t, nil
}

type timeIDCursor struct {
	At int64
	ID string
}

// ListTokens implements [store.Tokens].
func (db *DB) ListTokens(ctx context.Context, org string, opts store.ListOptions) (store.Page[store.Token], error) {
	w := &where{}
	w.add("org_id = ?", org)
	p, err := list(ctx, db.conn(), opts, "SELECT "+tokenCols+" FROM tokens", w,
		func(w *where, c timeIDCursor) { w.add("(created_at, id) > (?, ?)", c.At, c.ID) },
		"created_at, id", scanToken,
		func(t store.Token) timeIDCursor { return timeIDCursor{t.CreatedAt.UnixMicro(), t.ID} })
	if err != nil {
		return p, fmt.Errorf("list tokens: %w", err)
	}
	return p, nil
}

// RevokeToken implements [store.Tokens].
func (db *DB) RevokeToken(ctx context.Context, org, id string) error {
	res, err := db.conn().exec(ctx, "UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE org_id = ? AND id = ?",
		micros(db.now()), org, id)
	if err == nil {
		err = affected(res, fmt.Sprintf("token %q", id))
	}
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}
