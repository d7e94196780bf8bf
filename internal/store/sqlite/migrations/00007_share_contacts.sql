-- ward store schema, SQLite: a site's per-alert choice to share asset
-- details with the hub; the contact a hub admin names for each site, to
-- phone it; and every exposure report as it arrived, for the hub's charts
-- over time.

-- +goose Up
ALTER TABLE received_alerts ADD COLUMN shared_at INTEGER; -- when sharing was switched on for this alert
ALTER TABLE received_alerts ADD COLUMN shared_by TEXT NOT NULL DEFAULT '';
ALTER TABLE site_invites ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE site_invites ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN phone TEXT NOT NULL DEFAULT '';

CREATE TABLE exposure_report_log (
	alert_id     TEXT NOT NULL REFERENCES hub_alerts (id) ON DELETE CASCADE,
	site_id      TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
	at           INTEGER NOT NULL,
	acknowledged INTEGER NOT NULL,
	affected     INTEGER NOT NULL,
	mitigated    INTEGER NOT NULL,
	PRIMARY KEY (alert_id, at, site_id)
) STRICT;
CREATE INDEX exposure_report_log_site ON exposure_report_log (site_id);
-- The reports held so far start the log.
INSERT INTO exposure_report_log (alert_id, site_id, at, acknowledged, affected, mitigated)
	SELECT alert_id, site_id, at, acknowledged, affected, mitigated FROM exposure_reports;

-- +goose Down
DROP TABLE exposure_report_log;
ALTER TABLE sites DROP COLUMN phone;
ALTER TABLE sites DROP COLUMN contact;
ALTER TABLE site_invites DROP COLUMN phone;
ALTER TABLE site_invites DROP COLUMN contact;
ALTER TABLE received_alerts DROP COLUMN shared_by;
ALTER TABLE received_alerts DROP COLUMN shared_at;
