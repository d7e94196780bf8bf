package store

import (
	"bytes"
	"cmp"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"
)

// Network is what a node stores of the early-warning network: at a hub its
// signing keys, the alerts it publishes, the sites it enrolled and the
// exposure reports they send back ([HubNetwork]); at a site its link to the
// hub and the alerts it received ([SiteNetwork]). A standalone node is both.
type Network interface {
	HubNetwork
	SiteNetwork
}

// HubNetwork is the hub's half of [Network].
type HubNetwork interface {
	// AddSigningKey stores k as the current alert signing key; the key that
	// was current gets RetiredAt k.CreatedAt and stays, so alerts it signed
	// still verify. A zero k.CreatedAt is now. ErrInvalid when k fails
	// [SigningKey.Validate]; ErrConflict for a known ID.
	AddSigningKey(ctx context.Context, k SigningKey) error
	// SigningKeys returns every key, the current one first, then the
	// retired ones, newest first.
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// RotateSigningKey makes k the current signing key in place of the
	// key prev, and puts announcement (k's public half signed by prev and
	// by k, for the sites) in the outbox, in one transaction. A zero
	// k.CreatedAt is now. ErrConflict when prev is no longer the current
	// key (another rotation came first) or k's ID is known; ErrNotFound
	// when there is no current key; ErrInvalid when k fails
	// [SigningKey.Validate] or announcement is empty.
	RotateSigningKey(ctx context.Context, prev string, k SigningKey, announcement []byte) error
	// UnpublishedKeyAnnouncements returns the key announcements not yet
	// marked published, oldest first.
	UnpublishedKeyAnnouncements(ctx context.Context) ([]KeyAnnouncement, error)
	// MarkKeyAnnouncementPublished records that the announcement of the
	// key keyID reached the network at at. ErrNotFound for an unknown key
	// or one never announced; marking twice keeps the first time.
	MarkKeyAnnouncementPublished(ctx context.Context, keyID string, at time.Time) error

	// CreateAlert stores a signed alert that is not yet published (the
	// outbox of the publisher) and returns it as stored: a zero CreatedAt is
	// now, PublishedAt is zero. ErrInvalid when a fails [HubAlert.Validate],
	// ErrConflict for a known ID or Seq.
	CreateAlert(ctx context.Context, a HubAlert) (HubAlert, error)
	// NextAlertSeq returns the sequence number the next alert gets: one
	// more than the highest stored, 1 for the first.
	NextAlertSeq(ctx context.Context) (uint64, error)
	// MarkAlertPublished records that the alert reached the network at at.
	// ErrNotFound for an unknown ID; marking twice keeps the first time.
	MarkAlertPublished(ctx context.Context, id string, at time.Time) error
	// UnpublishedAlerts returns the alerts not yet marked published, oldest
	// (lowest Seq) first.
	UnpublishedAlerts(ctx context.Context) ([]HubAlert, error)
	// HubAlert returns the alert with id, or ErrNotFound.
	HubAlert(ctx context.Context, id string) (HubAlert, error)
	// ListHubAlerts pages through the alerts, newest (highest Seq) first.
	ListHubAlerts(ctx context.Context, opts ListOptions) (Page[HubAlert], error)

	// CreateInvite stores a one-time enrolment invitation for an
	// organisation and returns it with its token, shown once; the store
	// keeps only [HashToken] of it. ErrInvalid when inv fails
	// [SiteInvite.Validate].
	CreateInvite(ctx context.Context, inv SiteInvite) (SiteInvite, string, error)
	// RedeemInvite turns the invitation whose token this is into an
	// enrolled site with the NATS user key natsKey, at now, once: a used,
	// expired or unknown token is ErrNotFound, an empty natsKey ErrInvalid,
	// and a natsKey already in use ErrConflict (the invitation stays
	// unused). Of two redeeming one token at once, exactly one succeeds.
	RedeemInvite(ctx context.Context, token, natsKey string, now time.Time) (Site, error)
	// Site returns the site with id, or ErrNotFound.
	Site(ctx context.Context, id string) (Site, error)
	// ListSites pages through the enrolled sites by name, revoked ones
	// included.
	ListSites(ctx context.Context, opts ListOptions) (Page[Site], error)
	// RevokeSite cuts a site off at at and returns it; ErrNotFound for an
	// unknown ID. Revoking twice keeps the first time.
	RevokeSite(ctx context.Context, id string, at time.Time) (Site, error)
	// SetSiteContact replaces whom the hub calls at a site and returns the
	// site; empty values clear them. ErrNotFound for an unknown ID,
	// ErrInvalid when contact or phone fails [CheckContact].
	SetSiteContact(ctx context.Context, id, contact, phone string) (Site, error)

	// RecordReport stores a site's exposure report on an alert, replacing
	// an earlier one of the same site and alert unless that one is newer
	// (by At). ErrNotFound for an unknown alert or site; ErrInvalid when r
	// fails [ExposureReport.Validate].
	RecordReport(ctx context.Context, r ExposureReport) error
	// AlertReports returns the reports on an alert, by site name.
	AlertReports(ctx context.Context, alertID string) ([]ExposureReport, error)
	// ReportHistory returns every report recorded on an alert, older ones
	// included, oldest (by At) first, with Acknowledged, Affected and
	// Mitigated only (no Assets, Shared or SiteName): what the hub's
	// charts over time need.
	ReportHistory(ctx context.Context, alertID string) ([]ExposureReport, error)
}

// SiteNetwork is the site's half of [Network]. A node may serve several
// organisations, each enrolled with a hub on its own; everything here
// belongs to one organisation.
type SiteNetwork interface {
	// SetHubLink stores org's enrolment with a hub, replacing an earlier
	// one (a re-enrolment starts the alert cursor again at l.Cursor).
	// ErrNotFound for an unknown organisation, ErrInvalid when l fails
	// [HubLink.Validate].
	SetHubLink(ctx context.Context, org string, l HubLink) error
	// HubLink returns org's enrolment, or ErrNotFound.
	HubLink(ctx context.Context, org string) (HubLink, error)
	// HubLinks returns every organisation's enrolment.
	HubLinks(ctx context.Context) ([]HubLink, error)
	// PinHubKey adds key to org's pinned hub keys, as the first (the
	// current key: HubLink.HubKeys is newest first), and moves org's cursor
	// to seq, in one transaction: the hub announced key at stream sequence
	// seq, and the caller verified the announcement. It returns true when
	// the key is new to org; a key pinned already only moves the cursor,
	// and a seq at or below the cursor changes nothing (both false).
	// ErrNotFound when org has no hub link, ErrInvalid for a key that is
	// not 32 bytes.
	PinHubKey(ctx context.Context, org string, key []byte, seq uint64) (bool, error)

	// ReceiveAlert stores an alert that arrived with stream sequence seq,
	// and moves org's cursor to seq, in one transaction. An alert already
	// held (same ID) only moves the cursor and returns false. A seq at or
	// below the cursor changes nothing and returns false. A zero
	// a.ReceivedAt is now; a.OrgID is org. ErrNotFound when org has no hub
	// link, ErrInvalid when a fails [ReceivedAlert.Validate].
	ReceiveAlert(ctx context.Context, org string, a ReceivedAlert, seq uint64) (bool, error)
	// SkipAlert moves org's cursor to seq without storing anything: the
	// message there was rejected (a forged alert, recorded in the audit
	// log by the caller). A seq at or below the cursor changes nothing;
	// ErrNotFound when org has no hub link.
	SkipAlert(ctx context.Context, org string, seq uint64) error
	// UpdateReceivedAlert stores what became known of a received alert
	// since: MatchedAt, Affected, Assets, Acknowledged, AckBy and
	// ReportedAt; ID and OrgID name it, the rest of a stays as received.
	// ErrNotFound for an unknown one, ErrInvalid when a fails
	// [ReceivedAlert.Validate].
	UpdateReceivedAlert(ctx context.Context, a ReceivedAlert) error
	// ShareAlertAssets records that by switched on the sharing of asset
	// details for org's alert id at at, and returns the alert. Switching it
	// on twice keeps the first time and person. ErrNotFound for an unknown
	// alert, ErrInvalid for a zero at or a by too long.
	ShareAlertAssets(ctx context.Context, org, id, by string, at time.Time) (ReceivedAlert, error)
	// ReceivedAlert returns org's alert with id, or ErrNotFound.
	ReceivedAlert(ctx context.Context, org, id string) (ReceivedAlert, error)
	// ListReceivedAlerts pages through org's alerts, newest received first.
	ListReceivedAlerts(ctx context.Context, org string, opts ListOptions) (Page[ReceivedAlert], error)
}

// SigningKey is one of the hub's Ed25519 alert signing keys.
type SigningKey struct {
	ID        string // alert.KeyID of the public key
	Public    []byte // 32 bytes
	Private   []byte // 64 bytes
	CreatedAt time.Time
	RetiredAt time.Time // zero while current
}

// Validate reports the first field of k that is empty or of the wrong size.
func (k *SigningKey) Validate() error {
	if err := CheckText("id", k.ID, true, MaxName); err != nil {
		return err
	}
	if len(k.Public) != 32 {
		return invalid("public: want a 32-byte Ed25519 public key")
	}
	if len(k.Private) != 64 {
		return invalid("private: want a 64-byte Ed25519 private key")
	}
	return nil
}

// KeyAnnouncement is a signed announcement of a new hub signing key, in
// the hub's outbox until the network took it.
type KeyAnnouncement struct {
	KeyID       string // the announced key
	Envelope    []byte // the alert.KeyEnvelope's JSON, exactly as published
	CreatedAt   time.Time
	PublishedAt time.Time // zero while in the outbox
}

// HubAlert is an alert as the hub keeps it: the signed envelope it sends
// and what it needs to list it without opening that.
type HubAlert struct {
	ID          string
	Seq         uint64 // the hub's publication counter, inside the signed alert too
	Title       string
	Severity    string
	TLP         string
	Envelope    []byte // the alert.Envelope's JSON, exactly as published
	CreatedBy   string // who wrote it, or "rule:NAME" for one raised from a feed
	CreatedAt   time.Time
	PublishedAt time.Time // zero while in the outbox
}

// Validate reports the first field of a that is empty or too long.
func (a *HubAlert) Validate() error {
	return checkAlert(a.ID, a.Seq, a.Title, a.Severity, a.TLP, a.Envelope)
}

// checkAlert reports the first of an alert's fields, as both ends keep
// them, that is empty or too long.
func checkAlert(id string, seq uint64, title, severity, tlp string, envelope []byte) error {
	if err := CheckText("id", id, true, MaxName); err != nil {
		return err
	}
	if seq == 0 {
		return invalid("seq: required")
	}
	if err := cmp.Or(CheckText("title", title, false, MaxText), CheckText("severity", severity, false, MaxName),
		CheckText("tlp", tlp, false, MaxName)); err != nil {
		return err
	}
	if len(envelope) == 0 {
		return invalid("envelope: required")
	}
	return nil
}

// SiteInvite is a hub's one-time invitation for an organisation to enrol.
type SiteInvite struct {
	ID        string
	Name      string
	Kind      OrgKind
	Country   string
	Contact   string // whom the hub calls there, from the hub admin
	Phone     string // their number (see [CheckContact])
	ExpiresAt time.Time
	CreatedBy string
	CreatedAt time.Time
}

// Validate reports the first field of inv that is empty or out of range.
func (inv *SiteInvite) Validate() error {
	o := Organisation{Name: inv.Name, Kind: inv.Kind, Country: inv.Country}
	if err := o.Validate(); err != nil {
		return err
	}
	if inv.ExpiresAt.IsZero() {
		return invalid("expires_at: required")
	}
	if err := CheckContact(inv.Contact, inv.Phone); err != nil {
		return err
	}
	return CheckText("created_by", inv.CreatedBy, false, MaxName)
}

// MaxPhone is the longest phone number a site's contact may have.
const MaxPhone = 40

// CheckContact reports a contact name that is too long or a phone number
// with characters other than digits, spaces, "+", "-" and parentheses, or
// without a digit. Both may be empty.
func CheckContact(contact, phone string) error {
	if err := CheckText("contact", contact, false, MaxName); err != nil {
		return err
	}
	if phone == "" {
		return nil
	}
	if len(phone) > MaxPhone {
		return invalid("phone: longer than %d characters", MaxPhone)
	}
	digits := 0
	for _, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '+' || r == '-' || r == '(' || r == ')':
		default:
			return invalid("phone: %q is not allowed; use digits, spaces, +, - and parentheses", r)
		}
	}
	if digits == 0 {
		return invalid("phone: no digits")
	}
	return nil
}

// Site is an organisation enrolled with the hub: what the hub knows of it
// and nothing more.
type Site struct {
	ID         string // also the site's NATS subject token
	Name       string
	Kind       OrgKind
	Country    string
	NATSKey    string // the site's NATS user public key (nkey)
	Contact    string // whom the hub calls there, from the hub admin
	Phone      string // their number (see [CheckContact])
	EnrolledAt time.Time
	RevokedAt  time.Time // zero while enrolled
}

// ExposureReport is what a site tells the hub of one alert: acknowledged,
// affected or not, how many assets by decision, how many mitigated since.
type ExposureReport struct {
	AlertID      string
	SiteID       string
	SiteName     string // filled by AlertReports
	At           time.Time
	Acknowledged bool
	Affected     bool
	Assets       map[string]int // affected assets by decision (act, attend, track*, track)
	Mitigated    int
	Shared       []byte // asset details, only when the site chose to share them (JSON)
}

// Validate reports the first field of r that is empty or out of range.
func (r *ExposureReport) Validate() error {
	if err := CheckText("alert_id", r.AlertID, true, MaxName); err != nil {
		return err
	}
	if err := CheckText("site_id", r.SiteID, true, MaxName); err != nil {
		return err
	}
	if r.At.IsZero() {
		return invalid("at: required")
	}
	if err := checkCounts(r.Assets); err != nil {
		return err
	}
	if r.Mitigated < 0 {
		return invalid("mitigated: must be 0 or more")
	}
	return nil
}

// checkCounts reports a count of assets by decision that is negative or
// under a long name.
func checkCounts(assets map[string]int) error {
	for k, n := range assets {
		if n < 0 || len(k) > 32 {
			return invalid("assets: %q: a count of 0 or more under a short decision name", k)
		}
	}
	return nil
}

// HubLink is a site organisation's enrolment with a hub.
type HubLink struct {
	OrgID      string
	SiteID     string   // the ID the hub gave this site
	HubURL     string   // the hub's web address, where it enrolled
	NATSURL    string   // where the hub's NATS server accepts sites
	NATSCA     []byte   // PEM certificates to trust for a tls:// NATSURL; empty: the system's roots
	HubKeys    [][]byte // the hub's pinned Ed25519 public keys
	NATSSeed   []byte   // the site's NATS user seed: a secret
	Cursor     uint64   // the last alert stream sequence handled
	EnrolledAt time.Time
}

// Validate reports the first field of l that is empty or out of range.
func (l *HubLink) Validate() error {
	switch {
	case l.SiteID == "":
		return invalid("site_id: required")
	case l.NATSURL == "":
		return invalid("nats_url: required")
	case len(l.HubKeys) == 0:
		return invalid("hub_keys: at least one required")
	case len(l.NATSSeed) == 0:
		return invalid("nats_seed: required")
	case l.EnrolledAt.IsZero():
		return invalid("enrolled_at: required")
	}
	for i, k := range l.HubKeys {
		if len(k) != 32 {
			return invalid("hub_keys[%d]: want a 32-byte Ed25519 public key", i)
		}
	}
	if len(l.NATSCA) > maxCA {
		return invalid("nats_ca: at most %d bytes", maxCA)
	}
	if len(l.NATSCA) > 0 {
		rest, n := l.NATSCA, 0
		for {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				return invalid("nats_ca: a PEM %s, want CERTIFICATE blocks only", b.Type)
			}
			if _, err := x509.ParseCertificate(b.Bytes); err != nil {
				return invalid("nats_ca: %v", err)
			}
			n++
		}
		if n == 0 || len(bytes.TrimSpace(rest)) > 0 {
			return invalid("nats_ca: want PEM CERTIFICATE blocks and nothing else")
		}
	}
	return nil
}

// maxCA bounds a hub link's PEM certificates.
const maxCA = 64 << 10

// ReceivedAlert is an alert as a site keeps it, after its signature
// verified.
type ReceivedAlert struct {
	ID           string
	OrgID        string
	Seq          uint64 // the hub's publication counter
	Title        string
	Severity     string
	TLP          string
	Envelope     []byte // exactly as received
	KeyID        string // the hub key that signed it
	ReceivedAt   time.Time
	MatchedAt    time.Time      // zero until matched against the inventory
	Affected     bool           // some asset matched
	Assets       map[string]int // matched assets by decision
	Acknowledged time.Time      // zero until someone acknowledged it
	AckBy        string
	ReportedAt   time.Time // when the last exposure report went to the hub
	SharedAt     time.Time // when someone switched on sharing asset details with the hub for this alert; zero while off
	SharedBy     string
}

// Validate reports the first field of a that is empty or out of range.
func (a *ReceivedAlert) Validate() error {
	if err := checkAlert(a.ID, a.Seq, a.Title, a.Severity, a.TLP, a.Envelope); err != nil {
		return err
	}
	return cmp.Or(CheckText("key_id", a.KeyID, true, MaxName), CheckText("ack_by", a.AckBy, false, MaxName),
		CheckText("shared_by", a.SharedBy, false, MaxName), checkCounts(a.Assets))
}

// invalid returns an ErrInvalid error with a formatted message.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
