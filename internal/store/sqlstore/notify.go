package sqlstore

import (
	"context"
	"fmt"

	"github.com/ward-health/ward/internal/store"
)

// AddChannel implements [store.Notifications].
func (db *DB) AddChannel(ctx context.Context, org string, c store.Channel) (store.Channel, error) {
	if err := c.Validate(); err != nil {
		return store.Channel{}, fmt.Errorf("add channel: %w", err)
	}
	c.ID, c.OrgID, c.CreatedAt = newID("chan"), org, db.now()
	if _, err := db.conn().exec(ctx, "INSERT INTO notify_channels (id, org_id, kind, target, min_severity, secret, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		c.ID, org, c.Kind, c.Target, c.MinSeverity, c.Secret, micros(c.CreatedAt)); err != nil {
		return store.Channel{}, fmt.Errorf("add channel: %w", db.constraint(err, "organisation "+org))
	}
	return c, nil
}

// ListChannels implements [store.Notifications].
func (db *DB) ListChannels(ctx context.Context, org string) ([]store.Channel, error) {
	out, err := queryAll(ctx, db.conn(), func(r scanner) (store.Channel, error) {
		var c store.Channel
		err := r.Scan(&c.ID, &c.OrgID, &c.Kind, &c.Target, &c.MinSeverity, &c.Secret, at(&c.CreatedAt))
		return c, err
	}, "SELECT id, org_id, kind, target, min_severity, secret, created_at FROM notify_channels WHERE org_id = ? ORDER BY created_at, id", org)
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	return out, nil
}

// RemoveChannel implements [store.Notifications].
func (db *DB) RemoveChannel(ctx context.Context, org, id string) error {
	res, err := db.conn().exec(ctx, "DELETE FROM notify_channels WHERE org_id = ? AND id = ?", org, id)
	if err != nil {
		return fmt.Errorf("remove channel: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("channel %s: %w", id, store.ErrNotFound)
	}
	return nil
}
