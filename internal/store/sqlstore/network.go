package sqlstore

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ward-health/ward/internal/store"
)

// stamp returns t as the store keeps it, or now when t is zero.
func (db *DB) stamp(t time.Time) time.Time {
	if t.IsZero() {
		return db.now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// required returns ErrInvalid naming field when t is zero.
func required(field string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%w: %s: required", store.ErrInvalid, field)
	}
	return nil
}

// queryAll runs query and returns every row, read by scan.
func queryAll[T any](ctx context.Context, c conn, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []T{}
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	return items, rows.Err()
}

// noRows turns sql.ErrNoRows into ErrNotFound; other errors pass unchanged.
func noRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// AddSigningKey implements [store.HubNetwork].
func (db *DB) AddSigningKey(ctx context.Context, k store.SigningKey) error {
	if err := k.Validate(); err != nil {
		return fmt.Errorf("add signing key: %w", err)
	}
	created := db.stamp(k.CreatedAt)
	err := db.inTx(ctx, func(c conn) error {
		if _, err := c.exec(ctx, "UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL", micros(created)); err != nil {
			return err
		}
		_, err := c.exec(ctx, "INSERT INTO signing_keys (id, public, private, created_at) VALUES (?, ?, ?, ?)",
			k.ID, k.Public, k.Private, micros(created))
		return db.constraint(err, fmt.Sprintf("signing key %q", k.ID))
	})
	if err != nil {
		return fmt.Errorf("add signing key: %w", err)
	}
	return nil
}

// SigningKeys implements [store.HubNetwork].
func (db *DB) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	keys, err := queryAll(ctx, db.conn(), func(r scanner) (store.SigningKey, error) {
		var k store.SigningKey
		err := r.Scan(&k.ID, &k.Public, &k.Private, at(&k.CreatedAt), at(&k.RetiredAt))
		return k, err
	}, "SELECT id, public, private, created_at, retired_at FROM signing_keys ORDER BY (retired_at IS NULL) DESC, created_at DESC, id DESC")
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	return keys, nil
}

// RotateSigningKey implements [store.HubNetwork].
func (db *DB) RotateSigningKey(ctx context.Context, prev string, k store.SigningKey, announcement []byte) error {
	if err := k.Validate(); err != nil {
		return fmt.Errorf("rotate signing key: %w", err)
	}
	if len(announcement) == 0 {
		return fmt.Errorf("rotate signing key: %w: announcement: required", store.ErrInvalid)
	}
	created := db.stamp(k.CreatedAt)
	err := db.inTx(ctx, func(c conn) error {
		// Lock prev itself: a rotation that waited on the lock then sees
		// it retired (a conflict), where a lock on "the current key" would
		// find no row once the other rotation committed.
		var retired sql.NullInt64
		err := c.queryRow(ctx, "SELECT retired_at FROM signing_keys WHERE id = ? "+db.d.ForUpdate, prev).Scan(&retired)
		if err != nil {
			return fmt.Errorf("key %q: %w", prev, noRows(err))
		}
		if retired.Valid {
			return fmt.Errorf("key %q is no longer the current one: %w", prev, store.ErrConflict)
		}
		if _, err := c.exec(ctx, "UPDATE signing_keys SET retired_at = ? WHERE id = ?", micros(created), prev); err != nil {
			return err
		}
		_, err = c.exec(ctx, "INSERT INTO signing_keys (id, public, private, created_at) VALUES (?, ?, ?, ?)",
			k.ID, k.Public, k.Private, micros(created))
		if err != nil {
			return db.constraint(err, fmt.Sprintf("signing key %q", k.ID))
		}
		_, err = c.exec(ctx, "INSERT INTO key_announcements (key_id, envelope, created_at) VALUES (?, ?, ?)",
			k.ID, announcement, micros(created))
		return err
	})
	if err != nil {
		return fmt.Errorf("rotate signing key: %w", err)
	}
	return nil
}

// UnpublishedKeyAnnouncements implements [store.HubNetwork].
func (db *DB) UnpublishedKeyAnnouncements(ctx context.Context) ([]store.KeyAnnouncement, error) {
	anns, err := queryAll(ctx, db.conn(), func(r scanner) (store.KeyAnnouncement, error) {
		var a store.KeyAnnouncement
		err := r.Scan(&a.KeyID, &a.Envelope, at(&a.CreatedAt), at(&a.PublishedAt))
		return a, err
	}, "SELECT key_id, envelope, created_at, published_at FROM key_announcements WHERE published_at IS NULL ORDER BY created_at, key_id")
	if err != nil {
		return nil, fmt.Errorf("unpublished key announcements: %w", err)
	}
	return anns, nil
}

// MarkKeyAnnouncementPublished implements [store.HubNetwork].
func (db *DB) MarkKeyAnnouncementPublished(ctx context.Context, keyID string, at time.Time) error {
	if err := required("at", at); err != nil {
		return fmt.Errorf("mark key announcement published: %w", err)
	}
	res, err := db.conn().exec(ctx, "UPDATE key_announcements SET published_at = COALESCE(published_at, ?) WHERE key_id = ?", micros(at), keyID)
	if err == nil {
		err = affected(res, fmt.Sprintf("announcement of key %q", keyID))
	}
	if err != nil {
		return fmt.Errorf("mark key announcement published: %w", err)
	}
	return nil
}

const hubAlertCols = "id, seq, title, severity, tlp, envelope, created_by, created_at, published_at"

func scanHubAlert(r scanner) (store.HubAlert, error) {
	var (
		a   store.HubAlert
		seq int64
	)
	err := r.Scan(&a.ID, &seq, &a.Title, &a.Severity, &a.TLP, &a.Envelope, &a.CreatedBy, at(&a.CreatedAt), at(&a.PublishedAt))
	a.Seq = uint64(seq)
	return a, err
}

// CreateAlert implements [store.HubNetwork].
func (db *DB) CreateAlert(ctx context.Context, a store.HubAlert) (store.HubAlert, error) {
	if err := a.Validate(); err != nil {
		return store.HubAlert{}, fmt.Errorf("create alert: %w", err)
	}
	if err := store.CheckText("created_by", a.CreatedBy, false, store.MaxName); err != nil {
		return store.HubAlert{}, fmt.Errorf("create alert: %w", err)
	}
	a.CreatedAt, a.PublishedAt = db.stamp(a.CreatedAt), time.Time{}
	if _, err := db.conn().exec(ctx, "INSERT INTO hub_alerts ("+hubAlertCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
		a.ID, int64(a.Seq), a.Title, a.Severity, a.TLP, a.Envelope, a.CreatedBy, micros(a.CreatedAt)); err != nil {
		return store.HubAlert{}, fmt.Errorf("create alert: %w", db.constraint(err, fmt.Sprintf("alert %q or seq %d", a.ID, a.Seq)))
	}
	return a, nil
}

// NextAlertSeq implements [store.HubNetwork].
func (db *DB) NextAlertSeq(ctx context.Context) (uint64, error) {
	var last int64
	if err := db.conn().queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM hub_alerts").Scan(&last); err != nil {
		return 0, fmt.Errorf("next alert seq: %w", err)
	}
	return uint64(last) + 1, nil
}

// MarkAlertPublished implements [store.HubNetwork].
func (db *DB) MarkAlertPublished(ctx context.Context, id string, at time.Time) error {
	if err := required("at", at); err != nil {
		return fmt.Errorf("mark alert published: %w", err)
	}
	res, err := db.conn().exec(ctx, "UPDATE hub_alerts SET published_at = COALESCE(published_at, ?) WHERE id = ?", micros(at), id)
	if err == nil {
		err = affected(res, fmt.Sprintf("alert %q", id))
	}
	if err != nil {
		return fmt.Errorf("mark alert published: %w", err)
	}
	return nil
}

// UnpublishedAlerts implements [store.HubNetwork].
func (db *DB) UnpublishedAlerts(ctx context.Context) ([]store.HubAlert, error) {
	alerts, err := queryAll(ctx, db.conn(), scanHubAlert, "SELECT "+hubAlertCols+" FROM hub_alerts WHERE published_at IS NULL ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("unpublished alerts: %w", err)
	}
	return alerts, nil
}

// HubAlert implements [store.HubNetwork].
func (db *DB) HubAlert(ctx context.Context, id string) (store.HubAlert, error) {
	a, err := scanHubAlert(db.conn().queryRow(ctx, "SELECT "+hubAlertCols+" FROM hub_alerts WHERE id = ?", id))
	if err != nil {
		return store.HubAlert{}, fmt.Errorf("alert %q: %w", id, noRows(err))
	}
	return a, nil
}

// ListHubAlerts implements [store.HubNetwork].
func (db *DB) ListHubAlerts(ctx context.Context, opts store.ListOptions) (store.Page[store.HubAlert], error) {
	p, err := list(ctx, db.conn(), opts, "SELECT "+hubAlertCols+" FROM hub_alerts", &where{},
		func(w *where, c numCursor) { w.add("seq < ?", c.ID) }, "seq DESC", scanHubAlert,
		func(a store.HubAlert) numCursor { return numCursor{int64(a.Seq)} })
	if err != nil {
		return p, fmt.Errorf("list alerts: %w", err)
	}
	return p, nil
}

// CreateInvite implements [store.HubNetwork].
func (db *DB) CreateInvite(ctx context.Context, inv store.SiteInvite) (store.SiteInvite, string, error) {
	if err := inv.Validate(); err != nil {
		return store.SiteInvite{}, "", fmt.Errorf("create invite: %w", err)
	}
	token := store.NewToken()
	inv.ID, inv.CreatedAt, inv.ExpiresAt = newID("inv"), db.now(), inv.ExpiresAt.UTC().Truncate(time.Microsecond)
	if _, err := db.conn().exec(ctx, `INSERT INTO site_invites (id, hash, name, kind, country, contact, phone, expires_at, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, inv.ID, store.HashToken(token), inv.Name, inv.Kind, inv.Country, inv.Contact, inv.Phone,
		micros(inv.ExpiresAt), inv.CreatedBy, micros(inv.CreatedAt)); err != nil {
		return store.SiteInvite{}, "", fmt.Errorf("create invite: %w", err)
	}
	return inv, token, nil
}

// RedeemInvite implements [store.HubNetwork]. The UPDATE that claims the
// invitation is the one place two redeemers meet: the second waits for the
// first's row lock (SQLite: the write lock) and then finds it used.
func (db *DB) RedeemInvite(ctx context.Context, token, natsKey string, now time.Time) (store.Site, error) {
	if err := store.CheckText("nats_key", natsKey, true, store.MaxName); err != nil {
		return store.Site{}, fmt.Errorf("redeem invite: %w", err)
	}
	if err := required("now", now); err != nil {
		return store.Site{}, fmt.Errorf("redeem invite: %w", err)
	}
	s := store.Site{ID: newID("site"), NATSKey: natsKey, EnrolledAt: db.stamp(now)}
	err := db.inTx(ctx, func(c conn) error {
		err := c.queryRow(ctx, `UPDATE site_invites SET used_at = ?, site_id = ?
			WHERE hash = ? AND used_at IS NULL AND expires_at > ? RETURNING name, kind, country, contact, phone`,
			micros(s.EnrolledAt), s.ID, store.HashToken(token), s.EnrolledAt.UnixMicro()).Scan(&s.Name, &s.Kind, &s.Country, &s.Contact, &s.Phone)
		if err != nil {
			return fmt.Errorf("invitation: %w", noRows(err))
		}
		_, err = c.exec(ctx, "INSERT INTO sites (id, name, kind, country, nats_key, contact, phone, enrolled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			s.ID, s.Name, s.Kind, s.Country, s.NATSKey, s.Contact, s.Phone, micros(s.EnrolledAt))
		return db.constraint(err, "nats key")
	})
	if err != nil {
		return store.Site{}, fmt.Errorf("redeem invite: %w", err)
	}
	return s, nil
}

const siteCols = "id, name, kind, country, nats_key, contact, phone, enrolled_at, revoked_at"

func scanSite(r scanner) (store.Site, error) {
	var s store.Site
	err := r.Scan(&s.ID, &s.Name, &s.Kind, &s.Country, &s.NATSKey, &s.Contact, &s.Phone, at(&s.EnrolledAt), at(&s.RevokedAt))
	return s, err
}

// Site implements [store.HubNetwork].
func (db *DB) Site(ctx context.Context, id string) (store.Site, error) {
	s, err := scanSite(db.conn().queryRow(ctx, "SELECT "+siteCols+" FROM sites WHERE id = ?", id))
	if err != nil {
		return store.Site{}, fmt.Errorf("site %q: %w", id, noRows(err))
	}
	return s, nil
}

// ListSites implements [store.HubNetwork].
func (db *DB) ListSites(ctx context.Context, opts store.ListOptions) (store.Page[store.Site], error) {
	p, err := list(ctx, db.conn(), opts, "SELECT "+siteCols+" FROM sites", &where{},
		func(w *where, c orgCursor) { w.add("(name, id) > (?, ?)", c.Name, c.ID) },
		"name, id", scanSite,
		func(s store.Site) orgCursor { return orgCursor{s.Name, s.ID} })
	if err != nil {
		return p, fmt.Errorf("list sites: %w", err)
	}
	return p, nil
}

// RevokeSite implements [store.HubNetwork].
func (db *DB) RevokeSite(ctx context.Context, id string, at time.Time) (store.Site, error) {
	if err := required("at", at); err != nil {
		return store.Site{}, fmt.Errorf("revoke site: %w", err)
	}
	res, err := db.conn().exec(ctx, "UPDATE sites SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", micros(at), id)
	if err == nil {
		err = affected(res, fmt.Sprintf("site %q", id))
	}
	if err != nil {
		return store.Site{}, fmt.Errorf("revoke site: %w", err)
	}
	return db.Site(ctx, id)
}

// SetSiteContact implements [store.HubNetwork].
func (db *DB) SetSiteContact(ctx context.Context, id, contact, phone string) (store.Site, error) {
	if err := store.CheckContact(contact, phone); err != nil {
		return store.Site{}, fmt.Errorf("set site contact: %w", err)
	}
	res, err := db.conn().exec(ctx, "UPDATE sites SET contact = ?, phone = ? WHERE id = ?", contact, phone, id)
	if err == nil {
		err = affected(res, fmt.Sprintf("site %q", id))
	}
	if err != nil {
		return store.Site{}, fmt.Errorf("set site contact: %w", err)
	}
	return db.Site(ctx, id)
}

// RecordReport implements [store.HubNetwork].
func (db *DB) RecordReport(ctx context.Context, r store.ExposureReport) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("record report: %w", err)
	}
	assets, err := jsonText(r.Assets)
	if err != nil {
		return fmt.Errorf("record report: %w", err)
	}
	shared := r.Shared
	if shared == nil {
		shared = []byte{}
	}
	err = db.inTx(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO exposure_reports (alert_id, site_id, at, acknowledged, affected, assets, mitigated, shared)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (alert_id, site_id) DO UPDATE SET at = excluded.at, acknowledged = excluded.acknowledged,
				affected = excluded.affected, assets = excluded.assets, mitigated = excluded.mitigated, shared = excluded.shared
			WHERE exposure_reports.at <= excluded.at`,
			r.AlertID, r.SiteID, micros(r.At), r.Acknowledged, r.Affected, assets, r.Mitigated, shared)
		if err != nil {
			return err
		}
		// The log keeps every report, for the charts over time; a report
		// delivered twice is logged once.
		_, err = c.exec(ctx, `INSERT INTO exposure_report_log (alert_id, site_id, at, acknowledged, affected, mitigated)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (alert_id, at, site_id) DO NOTHING`,
			r.AlertID, r.SiteID, micros(r.At), r.Acknowledged, r.Affected, r.Mitigated)
		return err
	})
	if err != nil {
		return fmt.Errorf("record report: %w", db.constraint(err, fmt.Sprintf("alert %q or site %q", r.AlertID, r.SiteID)))
	}
	return nil
}

// AlertReports implements [store.HubNetwork].
func (db *DB) AlertReports(ctx context.Context, alertID string) ([]store.ExposureReport, error) {
	reports, err := queryAll(ctx, db.conn(), func(row scanner) (store.ExposureReport, error) {
		var r store.ExposureReport
		err := row.Scan(&r.AlertID, &r.SiteID, &r.SiteName, at(&r.At), &r.Acknowledged, &r.Affected, jsonDest{&r.Assets},
			&r.Mitigated, &r.Shared)
		if len(r.Shared) == 0 {
			r.Shared = nil
		}
		return r, err
	}, `SELECT r.alert_id, r.site_id, s.name, r.at, r.acknowledged, r.affected, r.assets, r.mitigated, r.shared
		FROM exposure_reports r JOIN sites s ON s.id = r.site_id WHERE r.alert_id = ? ORDER BY s.name, r.site_id`, alertID)
	if err != nil {
		return nil, fmt.Errorf("alert reports: %w", err)
	}
	return reports, nil
}

// ReportHistory implements [store.HubNetwork].
func (db *DB) ReportHistory(ctx context.Context, alertID string) ([]store.ExposureReport, error) {
	reports, err := queryAll(ctx, db.conn(), func(row scanner) (store.ExposureReport, error) {
		var r store.ExposureReport
		err := row.Scan(&r.AlertID, &r.SiteID, at(&r.At), &r.Acknowledged, &r.Affected, &r.Mitigated)
		return r, err
	}, `SELECT alert_id, site_id, at, acknowledged, affected, mitigated FROM exposure_report_log
		WHERE alert_id = ? ORDER BY at, site_id`, alertID)
	if err != nil {
		return nil, fmt.Errorf("report history: %w", err)
	}
	return reports, nil
}

// SetHubLink implements [store.SiteNetwork].
func (db *DB) SetHubLink(ctx context.Context, org string, l store.HubLink) error {
	if err := l.Validate(); err != nil {
		return fmt.Errorf("set hub link: %w", err)
	}
	keys, err := jsonText(l.HubKeys)
	if err != nil {
		return fmt.Errorf("set hub link: %w", err)
	}
	ca := l.NATSCA
	if ca == nil {
		ca = []byte{} // the column is NOT NULL
	}
	_, err = db.conn().exec(ctx, `INSERT INTO hub_links (org_id, site_id, hub_url, nats_url, nats_ca, hub_keys, nats_seed, cursor, enrolled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET site_id = excluded.site_id, hub_url = excluded.hub_url, nats_url = excluded.nats_url,
			nats_ca = excluded.nats_ca, hub_keys = excluded.hub_keys, nats_seed = excluded.nats_seed, cursor = excluded.cursor,
			enrolled_at = excluded.enrolled_at`,
		org, l.SiteID, l.HubURL, l.NATSURL, ca, keys, l.NATSSeed, int64(l.Cursor), micros(l.EnrolledAt))
	if err != nil {
		return fmt.Errorf("set hub link: %w", db.constraint(err, fmt.Sprintf("organisation %q", org)))
	}
	return nil
}

const hubLinkCols = "org_id, site_id, hub_url, nats_url, nats_ca, hub_keys, nats_seed, cursor, enrolled_at"

func scanHubLink(r scanner) (store.HubLink, error) {
	var (
		l      store.HubLink
		cursor int64
	)
	err := r.Scan(&l.OrgID, &l.SiteID, &l.HubURL, &l.NATSURL, &l.NATSCA, jsonDest{&l.HubKeys}, &l.NATSSeed, &cursor, at(&l.EnrolledAt))
	l.Cursor = uint64(cursor)
	if len(l.NATSCA) == 0 {
		l.NATSCA = nil
	}
	return l, err
}

// HubLink implements [store.SiteNetwork].
func (db *DB) HubLink(ctx context.Context, org string) (store.HubLink, error) {
	l, err := scanHubLink(db.conn().queryRow(ctx, "SELECT "+hubLinkCols+" FROM hub_links WHERE org_id = ?", org))
	if err != nil {
		return store.HubLink{}, fmt.Errorf("hub link of organisation %q: %w", org, noRows(err))
	}
	return l, nil
}

// HubLinks implements [store.SiteNetwork].
func (db *DB) HubLinks(ctx context.Context) ([]store.HubLink, error) {
	links, err := queryAll(ctx, db.conn(), scanHubLink, "SELECT "+hubLinkCols+" FROM hub_links ORDER BY org_id")
	if err != nil {
		return nil, fmt.Errorf("hub links: %w", err)
	}
	return links, nil
}

// PinHubKey implements [store.SiteNetwork].
func (db *DB) PinHubKey(ctx context.Context, org string, key []byte, seq uint64) (bool, error) {
	if len(key) != 32 {
		return false, fmt.Errorf("pin hub key: %w: key: want a 32-byte Ed25519 public key", store.ErrInvalid)
	}
	added := false
	_, err := db.advance(ctx, org, seq, func(c conn) error {
		var keys [][]byte
		if err := c.queryRow(ctx, "SELECT hub_keys FROM hub_links WHERE org_id = ?", org).Scan(jsonDest{&keys}); err != nil {
			return err
		}
		if slices.ContainsFunc(keys, func(k []byte) bool { return bytes.Equal(k, key) }) {
			return nil
		}
		text, err := jsonText(append([][]byte{key}, keys...)) // the newest first, as at enrolment
		if err != nil {
			return err
		}
		if _, err := c.exec(ctx, "UPDATE hub_links SET hub_keys = ? WHERE org_id = ?", text, org); err != nil {
			return err
		}
		added = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("pin hub key: %w", err)
	}
	return added, nil
}

// advance moves org's alert cursor to seq, after running fn (when not
// nil), in one transaction that holds the hub link's row. A seq at or below
// the cursor runs nothing and reports false.
func (db *DB) advance(ctx context.Context, org string, seq uint64, fn func(c conn) error) (bool, error) {
	moved := false
	err := db.inTx(ctx, func(c conn) error {
		var cursor int64
		err := c.queryRow(ctx, "SELECT cursor FROM hub_links WHERE org_id = ? "+db.d.ForUpdate, org).Scan(&cursor)
		if err != nil {
			return fmt.Errorf("hub link of organisation %q: %w", org, noRows(err))
		}
		if seq <= uint64(cursor) {
			return nil
		}
		if fn != nil {
			if err := fn(c); err != nil {
				return err
			}
		}
		moved = true
		_, err = c.exec(ctx, "UPDATE hub_links SET cursor = ? WHERE org_id = ?", int64(seq), org)
		return err
	})
	return moved, err
}

const receivedCols = "org_id, id, seq, title, severity, tlp, envelope, key_id, received_at, matched_at, affected, assets, acknowledged_at, ack_by, reported_at, shared_at, shared_by"

func scanReceived(r scanner) (store.ReceivedAlert, error) {
	var (
		a   store.ReceivedAlert
		seq int64
	)
	err := r.Scan(&a.OrgID, &a.ID, &seq, &a.Title, &a.Severity, &a.TLP, &a.Envelope, &a.KeyID, at(&a.ReceivedAt),
		at(&a.MatchedAt), &a.Affected, jsonDest{&a.Assets}, at(&a.Acknowledged), &a.AckBy, at(&a.ReportedAt),
		at(&a.SharedAt), &a.SharedBy)
	a.Seq = uint64(seq)
	return a, err
}

// ReceiveAlert implements [store.SiteNetwork].
func (db *DB) ReceiveAlert(ctx context.Context, org string, a store.ReceivedAlert, seq uint64) (bool, error) {
	if err := a.Validate(); err != nil {
		return false, fmt.Errorf("receive alert: %w", err)
	}
	assets, err := jsonText(a.Assets)
	if err != nil {
		return false, fmt.Errorf("receive alert: %w", err)
	}
	stored := false
	_, err = db.advance(ctx, org, seq, func(c conn) error {
		res, err := c.exec(ctx, "INSERT INTO received_alerts ("+receivedCols+") VALUES ("+marks(17)+") ON CONFLICT (org_id, id) DO NOTHING",
			org, a.ID, int64(a.Seq), a.Title, a.Severity, a.TLP, a.Envelope, a.KeyID, micros(db.stamp(a.ReceivedAt)),
			micros(a.MatchedAt), a.Affected, assets, micros(a.Acknowledged), a.AckBy, micros(a.ReportedAt), micros(a.SharedAt), a.SharedBy)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		stored = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("receive alert: %w", err)
	}
	return stored, nil
}

// SkipAlert implements [store.SiteNetwork].
func (db *DB) SkipAlert(ctx context.Context, org string, seq uint64) error {
	if _, err := db.advance(ctx, org, seq, nil); err != nil {
		return fmt.Errorf("skip alert: %w", err)
	}
	return nil
}

// UpdateReceivedAlert implements [store.SiteNetwork].
func (db *DB) UpdateReceivedAlert(ctx context.Context, a store.ReceivedAlert) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("update received alert: %w", err)
	}
	assets, err := jsonText(a.Assets)
	if err != nil {
		return fmt.Errorf("update received alert: %w", err)
	}
	res, err := db.conn().exec(ctx, `UPDATE received_alerts SET matched_at = ?, affected = ?, assets = ?, acknowledged_at = ?, ack_by = ?, reported_at = ?
		WHERE org_id = ? AND id = ?`, micros(a.MatchedAt), a.Affected, assets, micros(a.Acknowledged), a.AckBy, micros(a.ReportedAt), a.OrgID, a.ID)
	if err == nil {
		err = affected(res, fmt.Sprintf("received alert %q", a.ID))
	}
	if err != nil {
		return fmt.Errorf("update received alert: %w", err)
	}
	return nil
}

// ShareAlertAssets implements [store.SiteNetwork].
func (db *DB) ShareAlertAssets(ctx context.Context, org, id, by string, at time.Time) (store.ReceivedAlert, error) {
	if err := cmp.Or(required("at", at), store.CheckText("shared_by", by, false, store.MaxName)); err != nil {
		return store.ReceivedAlert{}, fmt.Errorf("share alert assets: %w", err)
	}
	res, err := db.conn().exec(ctx, `UPDATE received_alerts SET shared_at = COALESCE(shared_at, ?),
		shared_by = CASE WHEN shared_at IS NULL THEN ? ELSE shared_by END WHERE org_id = ? AND id = ?`,
		micros(at), by, org, id)
	if err == nil {
		err = affected(res, fmt.Sprintf("received alert %q", id))
	}
	if err != nil {
		return store.ReceivedAlert{}, fmt.Errorf("share alert assets: %w", err)
	}
	return db.ReceivedAlert(ctx, org, id)
}

// ReceivedAlert implements [store.SiteNetwork].
func (db *DB) ReceivedAlert(ctx context.Context, org, id string) (store.ReceivedAlert, error) {
	a, err := scanReceived(db.conn().queryRow(ctx, "SELECT "+receivedCols+" FROM received_alerts WHERE org_id = ? AND id = ?", org, id))
	if err != nil {
		return store.ReceivedAlert{}, fmt.Errorf("received alert %q: %w", id, noRows(err))
	}
	return a, nil
}

// ListReceivedAlerts implements [store.SiteNetwork].
func (db *DB) ListReceivedAlerts(ctx context.Context, org string, opts store.ListOptions) (store.Page[store.ReceivedAlert], error) {
	w := &where{}
	w.add("org_id = ?", org)
	p, err := list(ctx, db.conn(), opts, "SELECT "+receivedCols+" FROM received_alerts", w,
		func(w *where, c timeIDCursor) { w.add("(received_at, id) < (?, ?)", c.At, c.ID) },
		"received_at DESC, id DESC", scanReceived,
		func(a store.ReceivedAlert) timeIDCursor { return timeIDCursor{a.ReceivedAt.UnixMicro(), a.ID} })
	if err != nil {
		return p, fmt.Errorf("list received alerts: %w", err)
	}
	return p, nil
}
