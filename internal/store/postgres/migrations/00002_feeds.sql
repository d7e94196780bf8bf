-- ward store schema, PostgreSQL: advisory feeds (node-wide, not per organisation).

-- +goose Up
CREATE TABLE feeds (
	id           TEXT COLLATE "C" PRIMARY KEY,
	name         TEXT COLLATE "C" NOT NULL UNIQUE,
	kind         TEXT COLLATE "C" NOT NULL,
	url          TEXT NOT NULL,
	path         TEXT NOT NULL,
	keys         JSONB NOT NULL,   -- list of armored OpenPGP keys
	interval_us  BIGINT NOT NULL,  -- microseconds between scheduled syncs
	enabled      BOOLEAN NOT NULL,
	created_at   BIGINT NOT NULL,
	last_attempt BIGINT,
	last_success BIGINT,
	last_error   TEXT NOT NULL DEFAULT '',
	counts       JSONB NOT NULL DEFAULT '{}', -- store.FeedCounts
	seq          BIGINT NOT NULL DEFAULT 0
);

-- A re-match after a sync reads and resolves findings by advisory.
CREATE INDEX findings_advisory ON findings (org_id, advisory_id);

-- AssetsVersion (count, latest update) answers from an index, not the rows.
CREATE INDEX assets_updated ON assets (org_id, updated_at);

-- +goose Down
DROP INDEX assets_updated;
DROP INDEX findings_advisory;
DROP TABLE feeds;
