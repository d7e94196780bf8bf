-- ward store schema, SQLite: the early-warning network. A hub keeps its
-- signing keys, alerts, invitations, sites and their exposure reports
-- (node-wide); a site keeps each organisation's hub link and the alerts it
-- received (per organisation).

-- +goose Up
CREATE TABLE signing_keys (
	id         TEXT PRIMARY KEY, -- alert.KeyID of the public key
	public     BLOB NOT NULL,    -- Ed25519, 32 bytes
	private    BLOB NOT NULL,    -- Ed25519, 64 bytes: a secret
	created_at INTEGER NOT NULL,
	retired_at INTEGER
) STRICT;
-- At most one key is current.
CREATE UNIQUE INDEX signing_keys_current ON signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

CREATE TABLE hub_alerts (
	id           TEXT PRIMARY KEY,
	seq          INTEGER NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	severity     TEXT NOT NULL,
	tlp          TEXT NOT NULL,
	envelope     BLOB NOT NULL, -- alert.Envelope JSON, exactly as published
	created_by   TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	published_at INTEGER
) STRICT;
CREATE INDEX hub_alerts_outbox ON hub_alerts (seq) WHERE published_at IS NULL;

CREATE TABLE site_invites (
	id         TEXT PRIMARY KEY,
	hash       BLOB NOT NULL UNIQUE, -- SHA-256 of the token; the token is never stored
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	country    TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	used_at    INTEGER,
	site_id    TEXT -- the site it enrolled
) STRICT;

CREATE TABLE sites (
	id          TEXT PRIMARY KEY, -- also the site's NATS subject token
	name        TEXT NOT NULL,
	kind        TEXT NOT NULL,
	country     TEXT NOT NULL,
	nats_key    TEXT NOT NULL UNIQUE,
	enrolled_at INTEGER NOT NULL,
	revoked_at  INTEGER
) STRICT;
CREATE INDEX sites_name ON sites (name, id);

CREATE TABLE exposure_reports (
	alert_id     TEXT NOT NULL REFERENCES hub_alerts (id) ON DELETE CASCADE,
	site_id      TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
	at           INTEGER NOT NULL,
	acknowledged INTEGER NOT NULL,
	affected     INTEGER NOT NULL,
	assets       TEXT NOT NULL, -- affected assets by decision, JSON
	mitigated    INTEGER NOT NULL,
	shared       BLOB NOT NULL, -- asset details the site shared (JSON), or empty
	PRIMARY KEY (alert_id, site_id)
) STRICT;
CREATE INDEX exposure_reports_site ON exposure_reports (site_id);

CREATE TABLE hub_links (
	org_id      TEXT PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
	site_id     TEXT NOT NULL,
	hub_url     TEXT NOT NULL,
	nats_url    TEXT NOT NULL,
	hub_keys    TEXT NOT NULL,    -- JSON list of pinned Ed25519 public keys (base64)
	nats_seed   BLOB NOT NULL,    -- the site's NATS user seed: a secret
	cursor      INTEGER NOT NULL, -- the last alert stream sequence handled
	enrolled_at INTEGER NOT NULL
) STRICT;

CREATE TABLE received_alerts (
	org_id          TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	id              TEXT NOT NULL,
	seq             INTEGER NOT NULL, -- the hub's publication counter
	title           TEXT NOT NULL,
	severity        TEXT NOT NULL,
	tlp             TEXT NOT NULL,
	envelope        BLOB NOT NULL, -- exactly as received
	key_id          TEXT NOT NULL,
	received_at     INTEGER NOT NULL,
	matched_at      INTEGER,
	affected        INTEGER NOT NULL,
	assets          TEXT NOT NULL, -- matched assets by decision, JSON
	acknowledged_at INTEGER,
	ack_by          TEXT NOT NULL,
	reported_at     INTEGER,
	PRIMARY KEY (org_id, id)
) STRICT;
CREATE INDEX received_alerts_received ON received_alerts (org_id, received_at, id);

-- +goose Down
DROP TABLE received_alerts;
DROP TABLE hub_links;
DROP TABLE exposure_reports;
DROP TABLE sites;
DROP TABLE site_invites;
DROP TABLE hub_alerts;
DROP TABLE signing_keys;
