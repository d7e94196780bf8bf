-- ward store schema, SQLite: where each organisation's alerts are sent
-- besides its pages (e-mail, webhook, syslog).

-- +goose Up
CREATE TABLE notify_channels (
	id           TEXT PRIMARY KEY,
	org_id       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	target       TEXT NOT NULL,
	min_severity TEXT NOT NULL,
	secret       TEXT NOT NULL, -- signs webhook bodies: a secret
	created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX notify_channels_org ON notify_channels (org_id, created_at);

-- +goose Down
DROP TABLE notify_channels;
