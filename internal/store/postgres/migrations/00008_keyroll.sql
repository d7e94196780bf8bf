-- ward store schema, PostgreSQL: hub signing key rollover and TLS to the
-- hub. A hub keeps the announcements of its new keys in an outbox until the
-- network took them; a site keeps the certificates it trusts for its hub's
-- NATS server.

-- +goose Up
CREATE TABLE key_announcements (
	key_id       TEXT COLLATE "C" PRIMARY KEY REFERENCES signing_keys (id) ON DELETE CASCADE,
	envelope     BYTEA NOT NULL, -- alert.KeyEnvelope JSON, exactly as published
	created_at   BIGINT NOT NULL,
	published_at BIGINT
);
CREATE INDEX key_announcements_outbox ON key_announcements (created_at) WHERE published_at IS NULL;

ALTER TABLE hub_links ADD COLUMN nats_ca BYTEA NOT NULL DEFAULT ''::bytea; -- PEM certificates for a tls:// nats_url, or empty

-- +goose Down
ALTER TABLE hub_links DROP COLUMN nats_ca;
DROP TABLE key_announcements;
