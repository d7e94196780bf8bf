-- ward store schema, PostgreSQL: the early-warning network. A hub keeps its
-- signing keys, alerts, invitations, sites and their exposure reports
-- (node-wide); a site keeps each organisation's hub link and the alerts it
-- received (per organisation).

-- +goose Up
CREATE TABLE signing_keys (
	id         TEXT COLLATE "C" PRIMARY KEY, -- alert.KeyID of the public key
	public     BYTEA NOT NULL,  -- Ed25519, 32 bytes
	private    BYTEA NOT NULL,  -- Ed25519, 64 bytes: a secret
	created_at BIGINT NOT NULL,
	retired_at BIGINT
);
-- At most one key is current.
CREATE UNIQUE INDEX signing_keys_current ON signing_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

CREATE TABLE hub_alerts (
	id           TEXT COLLATE "C" PRIMARY KEY,
	seq          BIGINT NOT NULL UNIQUE,
	title        TEXT COLLATE "C" NOT NULL,
	severity     TEXT COLLATE "C" NOT NULL,
	tlp          TEXT COLLATE "C" NOT NULL,
	envelope     BYTEA NOT NULL, -- alert.Envelope JSON, exactly as published
	created_by   TEXT COLLATE "C" NOT NULL,
	created_at   BIGINT NOT NULL,
	published_at BIGINT
);
CREATE INDEX hub_alerts_outbox ON hub_alerts (seq) WHERE published_at IS NULL;

CREATE TABLE site_invites (
	id         TEXT COLLATE "C" PRIMARY KEY,
	hash       BYTEA NOT NULL UNIQUE, -- SHA-256 of the token; the token is never stored
	name       TEXT COLLATE "C" NOT NULL,
	kind       TEXT COLLATE "C" NOT NULL,
	country    TEXT COLLATE "C" NOT NULL,
	expires_at BIGINT NOT NULL,
	created_by TEXT COLLATE "C" NOT NULL,
	created_at BIGINT NOT NULL,
	used_at    BIGINT,
	site_id    TEXT COLLATE "C" -- the site it enrolled
);

CREATE TABLE sites (
	id          TEXT COLLATE "C" PRIMARY KEY, -- also the site's NATS subject token
	name        TEXT COLLATE "C" NOT NULL,
	kind        TEXT COLLATE "C" NOT NULL,
	country     TEXT COLLATE "C" NOT NULL,
	nats_key    TEXT COLLATE "C" NOT NULL UNIQUE,
	enrolled_at BIGINT NOT NULL,
	revoked_at  BIGINT
);
CREATE INDEX sites_name ON sites (name, id);

CREATE TABLE exposure_reports (
	alert_id     TEXT COLLATE "C" NOT NULL REFERENCES hub_alerts (id) ON DELETE CASCADE,
	site_id      TEXT COLLATE "C" NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
	at           BIGINT NOT NULL,
	acknowledged BOOLEAN NOT NULL,
	affected     BOOLEAN NOT NULL,
	assets       JSONB NOT NULL, -- affected assets by decision
	mitigated    BIGINT NOT NULL,
	shared       BYTEA NOT NULL, -- asset details the site shared (JSON), or empty
	PRIMARY KEY (alert_id, site_id)
);
CREATE INDEX exposure_reports_site ON exposure_reports (site_id);

CREATE TABLE hub_links (
	org_id      TEXT COLLATE "C" PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
	site_id     TEXT COLLATE "C" NOT NULL,
	hub_url     TEXT COLLATE "C" NOT NULL,
	nats_url    TEXT COLLATE "C" NOT NULL,
	hub_keys    JSONB NOT NULL,  -- list of pinned Ed25519 public keys (base64)
	nats_seed   BYTEA NOT NULL,  -- the site's NATS user seed: a secret
	cursor      BIGINT NOT NULL, -- the last alert stream sequence handled
	enrolled_at BIGINT NOT NULL
);

CREATE TABLE received_alerts (
	org_id          TEXT COLLATE "C" NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	id              TEXT COLLATE "C" NOT NULL,
	seq             BIGINT NOT NULL, -- the hub's publication counter
	title           TEXT COLLATE "C" NOT NULL,
	severity        TEXT COLLATE "C" NOT NULL,
	tlp             TEXT COLLATE "C" NOT NULL,
	envelope        BYTEA NOT NULL, -- exactly as received
	key_id          TEXT COLLATE "C" NOT NULL,
	received_at     BIGINT NOT NULL,
	matched_at      BIGINT,
	affected        BOOLEAN NOT NULL,
	assets          JSONB NOT NULL, -- matched assets by decision
	acknowledged_at BIGINT,
	ack_by          TEXT COLLATE "C" NOT NULL,
	reported_at     BIGINT,
	PRIMARY KEY (org_id, id)
);
CREATE INDEX received_alerts_received ON received_alerts (org_id, received_at, id);

-- +goose Down
DROP TABLE received_alerts;
DROP TABLE hub_links;
DROP TABLE exposure_reports;
DROP TABLE sites;
DROP TABLE site_invites;
DROP TABLE hub_alerts;
DROP TABLE signing_keys;
