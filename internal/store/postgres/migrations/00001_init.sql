-- ward store schema, PostgreSQL. Times are microseconds since the Unix epoch
-- (see package sqlstore), to order and compare exactly as in SQLite;
-- JSON documents are JSONB. Text is COLLATE "C": byte order, as SQLite sorts.

-- +goose Up
CREATE TABLE orgs (
	id         TEXT COLLATE "C" PRIMARY KEY,
	name       TEXT COLLATE "C" NOT NULL,
	kind       TEXT COLLATE "C" NOT NULL,
	country    TEXT COLLATE "C" NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX orgs_name ON orgs (name, id);

CREATE TABLE users (
	id            TEXT COLLATE "C" PRIMARY KEY,
	email         TEXT COLLATE "C" NOT NULL,
	email_key     TEXT COLLATE "C" NOT NULL UNIQUE, -- lower-cased email
	display_name  TEXT COLLATE "C" NOT NULL,
	password_hash TEXT COLLATE "C" NOT NULL,        -- argon2id, PHC string
	created_at    BIGINT NOT NULL,
	disabled      BOOLEAN NOT NULL,
	failed_logins INTEGER NOT NULL,
	locked_until  BIGINT
);

CREATE TABLE memberships (
	org_id     TEXT COLLATE "C" NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	user_id    TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       TEXT COLLATE "C" NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id, org_id);

CREATE TABLE tokens (
	id           TEXT COLLATE "C" PRIMARY KEY,
	org_id       TEXT COLLATE "C" NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	role         TEXT COLLATE "C" NOT NULL,
	name         TEXT COLLATE "C" NOT NULL,
	hash         BYTEA NOT NULL UNIQUE, -- SHA-256 of the token; the token is never stored
	created_at   BIGINT NOT NULL,
	last_used_at BIGINT,
	revoked_at   BIGINT
);
CREATE INDEX tokens_org ON tokens (org_id, created_at, id);

CREATE TABLE assets (
	org_id        TEXT COLLATE "C" NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	id            TEXT COLLATE "C" NOT NULL,
	name          TEXT COLLATE "C" NOT NULL,
	kind          TEXT COLLATE "C" NOT NULL,
	vendor        TEXT COLLATE "C" NOT NULL,
	product       TEXT COLLATE "C" NOT NULL,
	zone          TEXT COLLATE "C" NOT NULL,
	exposure      TEXT COLLATE "C" NOT NULL, -- effective: inventory.Asset.ExposureOrDefault
	clinical_role TEXT COLLATE "C" NOT NULL, -- effective: inventory.Asset.RoleOrDefault
	search        TEXT COLLATE "C" NOT NULL, -- lower-cased id, name, vendor, product
	data          JSONB NOT NULL, -- inventory.Asset
	created_at    BIGINT NOT NULL,
	updated_at    BIGINT NOT NULL,
	PRIMARY KEY (org_id, id)
);
CREATE INDEX assets_kind ON assets (org_id, kind, id);
CREATE INDEX assets_zone ON assets (org_id, zone, id);
CREATE INDEX assets_exposure ON assets (org_id, exposure, id);
CREATE INDEX assets_clinical_role ON assets (org_id, clinical_role, id);

CREATE TABLE findings (
	id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id            TEXT COLLATE "C" NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	asset_id          TEXT COLLATE "C" NOT NULL,
	advisory_id       TEXT COLLATE "C" NOT NULL,
	vuln_id           TEXT COLLATE "C" NOT NULL,
	component         TEXT COLLATE "C" NOT NULL,
	item              JSONB NOT NULL, -- scan.Item
	status            TEXT COLLATE "C" NOT NULL,
	confidence        TEXT COLLATE "C" NOT NULL,
	decision          TEXT COLLATE "C" NOT NULL,
	decision_rank     INTEGER NOT NULL,
	due               BIGINT NOT NULL, -- 0 when there is no due date
	kev               BOOLEAN NOT NULL,
	state             TEXT COLLATE "C" NOT NULL,
	assignee          TEXT COLLATE "C" NOT NULL DEFAULT '',
	reason            TEXT COLLATE "C" NOT NULL DEFAULT '',
	accept_expires_at BIGINT,
	vex_justification TEXT COLLATE "C" NOT NULL DEFAULT '',
	first_seen        BIGINT NOT NULL,
	last_seen         BIGINT NOT NULL,
	updated_at        BIGINT NOT NULL,
	UNIQUE (org_id, asset_id, advisory_id, vuln_id, component)
);
CREATE INDEX findings_urgency ON findings (org_id, decision_rank, due, asset_id, advisory_id, vuln_id, component);
CREATE INDEX findings_state ON findings (org_id, state, decision_rank, due, asset_id, advisory_id, vuln_id, component);

CREATE TABLE finding_events (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	finding_id BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
	at         BIGINT NOT NULL,
	actor      TEXT COLLATE "C" NOT NULL,
	from_state TEXT COLLATE "C" NOT NULL,
	to_state   TEXT COLLATE "C" NOT NULL,
	comment    TEXT COLLATE "C" NOT NULL
);
CREATE INDEX finding_events_finding ON finding_events (finding_id, id);

CREATE TABLE audit (
	id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id  TEXT COLLATE "C" NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	at      BIGINT NOT NULL,
	actor   TEXT COLLATE "C" NOT NULL,
	action  TEXT COLLATE "C" NOT NULL,
	detail  TEXT COLLATE "C" NOT NULL
);
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
