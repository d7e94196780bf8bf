-- Findings workflow: verdicts on possible matches, due-date policies.

-- +goose Up
CREATE TABLE verdicts (
	org_id      TEXT COLLATE "C" NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	asset_id    TEXT COLLATE "C" NOT NULL,
	product_key TEXT COLLATE "C" NOT NULL, -- store.ProductKey(product)
	product     TEXT COLLATE "C" NOT NULL,
	outcome     TEXT COLLATE "C" NOT NULL, -- confirmed, rejected
	note        TEXT COLLATE "C" NOT NULL,
	actor       TEXT COLLATE "C" NOT NULL,
	at          BIGINT NOT NULL,
	advisory_id TEXT COLLATE "C" NOT NULL, -- the finding judged
	vuln_id     TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (org_id, asset_id, product_key)
);

CREATE TABLE due_policies (
	org_id   TEXT COLLATE "C" NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	decision TEXT COLLATE "C" NOT NULL,
	days     INTEGER NOT NULL,
	PRIMARY KEY (org_id, decision)
);

-- +goose Down
DROP TABLE due_policies;
DROP TABLE verdicts;
