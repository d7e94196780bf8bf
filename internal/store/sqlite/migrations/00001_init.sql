-- ward store schema, SQLite. Times are microseconds since the Unix epoch
-- (see package sqlstore); JSON documents are TEXT.

-- +goose Up
CREATE TABLE orgs (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	country    TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX orgs_name ON orgs (name, id);

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL,
	email_key     TEXT NOT NULL UNIQUE, -- lower-cased email
	display_name  TEXT NOT NULL,
	password_hash TEXT NOT NULL,        -- argon2id, PHC string
	created_at    INTEGER NOT NULL,
	disabled      INTEGER NOT NULL,
	failed_logins INTEGER NOT NULL,
	locked_until  INTEGER
) STRICT;

CREATE TABLE memberships (
	org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (org_id, user_id)
) STRICT;
CREATE INDEX memberships_user ON memberships (user_id, org_id);

CREATE TABLE tokens (
	id           TEXT PRIMARY KEY,
	org_id       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	role         TEXT NOT NULL,
	name         TEXT NOT NULL,
	hash         BLOB NOT NULL UNIQUE, -- SHA-256 of the token; the token is never stored
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at   INTEGER
) STRICT;
CREATE INDEX tokens_org ON tokens (org_id, created_at, id);

CREATE TABLE assets (
	org_id        TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	id            TEXT NOT NULL,
	name          TEXT NOT NULL,
	kind          TEXT NOT NULL,
	vendor        TEXT NOT NULL,
	product       TEXT NOT NULL,
	zone          TEXT NOT NULL,
	exposure      TEXT NOT NULL, -- effective: inventory.Asset.ExposureOrDefault
	clinical_role TEXT NOT NULL, -- effective: inventory.Asset.RoleOrDefault
	search        TEXT NOT NULL, -- lower-cased id, name, vendor, product
	data          TEXT NOT NULL, -- inventory.Asset as JSON
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	PRIMARY KEY (org_id, id)
) STRICT;
CREATE INDEX assets_kind ON assets (org_id, kind, id);
CREATE INDEX assets_zone ON assets (org_id, zone, id);
CREATE INDEX assets_exposure ON assets (org_id, exposure, id);
CREATE INDEX assets_clinical_role ON assets (org_id, clinical_role, id);

CREATE TABLE findings (
	id                INTEGER PRIMARY KEY,
	org_id            TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	asset_id          TEXT NOT NULL,
	advisory_id       TEXT NOT NULL,
	vuln_id           TEXT NOT NULL,
	component         TEXT NOT NULL,
	item              TEXT NOT NULL, -- scan.Item as JSON
	status            TEXT NOT NULL,
	confidence        TEXT NOT NULL,
	decision          TEXT NOT NULL,
	decision_rank     INTEGER NOT NULL,
	due               INTEGER NOT NULL, -- 0 when there is no due date
	kev               INTEGER NOT NULL,
	state             TEXT NOT NULL,
	assignee          TEXT NOT NULL DEFAULT '',
	reason            TEXT NOT NULL DEFAULT '',
	accept_expires_at INTEGER,
	vex_justification TEXT NOT NULL DEFAULT '',
	first_seen        INTEGER NOT NULL,
	last_seen         INTEGER NOT NULL,
	updated_at        INTEGER NOT NULL,
	UNIQUE (org_id, asset_id, advisory_id, vuln_id, component)
) STRICT;
CREATE INDEX findings_urgency ON findings (org_id, decision_rank, due, asset_id, advisory_id, vuln_id, component);
CREATE INDEX findings_state ON findings (org_id, state, decision_rank, due, asset_id, advisory_id, vuln_id, component);

CREATE TABLE finding_events (
	id         INTEGER PRIMARY KEY,
	finding_id INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
	at         INTEGER NOT NULL,
	actor      TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state   TEXT NOT NULL,
	comment    TEXT NOT NULL
) STRICT;
CREATE INDEX finding_events_finding ON finding_events (finding_id, id);

CREATE TABLE audit (
	id      INTEGER PRIMARY KEY,
	org_id  TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	at      INTEGER NOT NULL,
	actor   TEXT NOT NULL,
	action  TEXT NOT NULL,
	detail  TEXT NOT NULL
) STRICT;
CREATE INDEX audit_org ON audit (org_id, id);

-- +goose Down
DROP TABLE audit;
DROP TABLE finding_events;
DROP TABLE findings;
DROP TABLE assets;
DROP TABLE tokens;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE orgs;
