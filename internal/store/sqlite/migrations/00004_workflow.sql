-- Findings workflow: verdicts on possible matches, due-date policies.

-- +goose Up
CREATE TABLE verdicts (
	org_id      TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	asset_id    TEXT NOT NULL,
	product_key TEXT NOT NULL, -- store.ProductKey(product)
	product     TEXT NOT NULL,
	outcome     TEXT NOT NULL, -- confirmed, rejected
	note        TEXT NOT NULL,
	actor       TEXT NOT NULL,
	at          INTEGER NOT NULL,
	advisory_id TEXT NOT NULL, -- the finding judged
	vuln_id     TEXT NOT NULL,
	PRIMARY KEY (org_id, asset_id, product_key)
) STRICT;

CREATE TABLE due_policies (
	org_id   TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	decision TEXT NOT NULL,
	days     INTEGER NOT NULL,
	PRIMARY KEY (org_id, decision)
) STRICT;

-- +goose Down
DROP TABLE due_policies;
DROP TABLE verdicts;
