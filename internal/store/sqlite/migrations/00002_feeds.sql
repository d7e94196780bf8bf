-- ward store schema, SQLite: advisory feeds (node-wide, not per organisation).

-- +goose Up
CREATE TABLE feeds (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE,
	kind         TEXT NOT NULL,
	url          TEXT NOT NULL,
	path         TEXT NOT NULL,
	keys         TEXT NOT NULL,    -- JSON list of armored OpenPGP keys
	interval_us  INTEGER NOT NULL, -- microseconds between scheduled syncs
	enabled      INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	last_attempt INTEGER,
	last_success INTEGER,
	last_error   TEXT NOT NULL DEFAULT '',
	counts       TEXT NOT NULL DEFAULT '{}', -- store.FeedCounts as JSON
	seq          INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A re-match after a sync reads and resolves findings by advisory.
CREATE INDEX findings_advisory ON findings (org_id, advisory_id);

-- AssetsVersion (count, latest update) answers from an index, not the rows.
CREATE INDEX assets_updated ON assets (org_id, updated_at);

-- +goose Down
DROP INDEX assets_updated;
DROP INDEX findings_advisory;
DROP TABLE feeds;
