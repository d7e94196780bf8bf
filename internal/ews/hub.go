package ews

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/alertnet"
	"github.com/ward-health/ward/internal/store"
)

// HubConfig configures a [Hub].
type HubConfig struct {
	Store store.Store
	// Net is the transport; nil for a hub that only writes its outbox (the
	// `ward alert publish` command), which the serving hub then publishes.
	Net    *alertnet.Hub
	Logger *slog.Logger
	Now    func() time.Time
	// OnReport is called after a site's report was stored (the hub's pages
	// refresh on it). It must not block.
	OnReport func(alertID string)
	// Poll is how often the outbox is read for alerts another process
	// wrote; 0 means 2 seconds.
	Poll time.Duration
	// NATSCA is what enrolment hands sites to trust the NATS server's TLS
	// certificate: PEM certificates (the server's own, or its CA's); nil
	// when the server has no TLS or a certificate the system roots trust.
	NATSCA []byte
}

// Hub is the hub's side of the early-warning service.
type Hub struct {
	cfg      HubConfig
	log      *slog.Logger
	kick     chan struct{}
	admitted map[string]string // site ID -> NATS key the transport lets in; Run's own

	mu     sync.Mutex // guards signer and keys, reloaded from the store
	signer *alert.Signer
	keys   []store.SigningKey
}

// NewHub loads the hub's signing key, creating one at the first start.
func NewHub(ctx context.Context, cfg HubConfig) (*Hub, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	h := &Hub{cfg: cfg, log: cfg.Logger, kick: make(chan struct{}, 1)}
	signer, err := h.loadKeys(ctx)
	if err != nil {
		return nil, err
	}
	if signer == nil {
		if _, err := h.RotateKey(ctx); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// loadKeys reads the signing keys from the store, where another process
// (`ward hub rotate-key`, another hub node) may have rotated them, and
// returns the signer of the current key; nil when there is none.
func (h *Hub) loadKeys(ctx context.Context) (*alert.Signer, error) {
	keys, err := h.cfg.Store.SigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("hub keys: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.keys = keys
	if len(keys) == 0 || !keys[0].RetiredAt.IsZero() {
		h.signer = nil
	} else if h.signer == nil || h.signer.KeyID() != keys[0].ID {
		h.signer = alert.NewSigner(ed25519.PrivateKey(keys[0].Private))
	}
	return h.signer, nil
}

// RotateKey makes a new signing key the current one; the old keys stay for
// verification. Unless it is the hub's first key, the sites learn of it
// from a key announcement signed by the previous key and by the new one,
// which goes into the outbox with the key in one transaction and out on
// the alert stream before any alert the new key signs. It returns the new
// key. Another process's [Hub] picks the key up when it next publishes.
func (h *Hub) RotateKey(ctx context.Context) (store.SigningKey, error) {
	prev, err := h.loadKeys(ctx)
	if err != nil {
		return store.SigningKey{}, err
	}
	priv, err := alert.GenerateKey()
	if err != nil {
		return store.SigningKey{}, err
	}
	pub := priv.Public().(ed25519.PublicKey)
	now := h.cfg.Now().UTC()
	k := store.SigningKey{ID: alert.KeyID(pub), Public: pub, Private: priv, CreatedAt: now}
	if prev == nil {
		err = h.cfg.Store.AddSigningKey(ctx, k)
	} else {
		var ann []byte
		if ann, err = alert.AnnounceKey(h.private(prev.KeyID()), priv, now); err != nil {
			return store.SigningKey{}, fmt.Errorf("hub keys: %w", err)
		}
		err = h.cfg.Store.RotateSigningKey(ctx, prev.KeyID(), k, ann)
	}
	if err != nil {
		return store.SigningKey{}, fmt.Errorf("hub keys: %w", err)
	}
	if _, err := h.loadKeys(ctx); err != nil {
		return store.SigningKey{}, err
	}
	if prev == nil {
		h.log.InfoContext(ctx, "alert signing key created", slog.String("key", k.ID))
	} else {
		h.log.InfoContext(ctx, "alert signing key rotated", slog.String("key", k.ID), slog.String("previous", prev.KeyID()))
	}
	h.wake()
	return k, nil
}

// private returns the private half of the loaded key with id; nil when
// there is none.
func (h *Hub) private(id string) ed25519.PrivateKey {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range h.keys {
		if k.ID == id {
			return ed25519.PrivateKey(k.Private)
		}
	}
	return nil
}

// wake makes [Hub.Run] read the outbox now.
func (h *Hub) wake() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// KeyID returns the id of the current signing key as last loaded; "" when
// there is none.
func (h *Hub) KeyID() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.signer == nil {
		return ""
	}
	return h.signer.KeyID()
}

// PublicKeys returns the hub's public keys, the current one first, for
// sites to pin.
func (h *Hub) PublicKeys() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([][]byte, len(h.keys))
	for i, k := range h.keys {
		out[i] = k.Public
	}
	return out
}

// Publish gives a validated alert its ID, issue time and sequence, signs it
// and puts it in the outbox, from which [Hub.Run] sends it at once (or, in
// a process without a network, the serving hub within its poll interval).
// by names the author. The alert is stored before anything is sent, so a
// crash loses nothing.
func (h *Hub) Publish(ctx context.Context, a *alert.Alert, by string) (store.HubAlert, error) {
	if err := a.Validate(); err != nil {
		return store.HubAlert{}, err
	}
	signer, err := h.loadKeys(ctx) // the key may have been rotated elsewhere
	if err != nil {
		return store.HubAlert{}, fmt.Errorf("publish alert: %w", err)
	}
	if signer == nil {
		return store.HubAlert{}, errors.New("publish alert: the hub has no current signing key")
	}
	for attempt := 0; ; attempt++ {
		seq, err := h.cfg.Store.NextAlertSeq(ctx)
		if err != nil {
			return store.HubAlert{}, fmt.Errorf("publish alert: %w", err)
		}
		now := h.cfg.Now().UTC().Truncate(time.Second)
		a.Sequence = seq
		a.Issued = now
		a.ID = fmt.Sprintf("WA-%d-%06d", now.Year(), seq)
		env, err := signer.Sign(a)
		if err != nil {
			return store.HubAlert{}, fmt.Errorf("publish alert: %w", err)
		}
		data, err := json.Marshal(env)
		if err != nil {
			return store.HubAlert{}, fmt.Errorf("publish alert: %w", err)
		}
		rec, err := h.cfg.Store.CreateAlert(ctx, store.HubAlert{
			ID: a.ID, Seq: seq, Title: a.Title, Severity: string(a.Severity), TLP: string(a.TLP),
			Envelope: data, CreatedBy: by, CreatedAt: now,
		})
		if errors.Is(err, store.ErrConflict) && attempt < 5 {
			continue // another process took this sequence number
		}
		if err != nil {
			return store.HubAlert{}, fmt.Errorf("publish alert: %w", err)
		}
		h.log.InfoContext(ctx, "alert written", slog.String("alert", a.ID), slog.String("severity", string(a.Severity)),
			slog.String("tlp", string(a.TLP)), slog.String("key", signer.KeyID()), slog.String("by", by))
		h.wake()
		return rec, nil
	}
}

// Run sends the outbox to the network and records the sites' reports until
// ctx ends. Sending retries until NATS acknowledged each alert, so an alert
// written while NATS was down goes out when it is back; the transport
// deduplicates by alert ID, so a resend after a crash is harmless.
func (h *Hub) Run(ctx context.Context) error {
	if h.cfg.Net == nil {
		return errors.New("ews: hub without a network")
	}
	reports := make(chan error, 1)
	go func() { reports <- h.cfg.Net.ConsumeReports(ctx, h.recordReport) }()
	t := time.NewTicker(h.cfg.Poll)
	defer t.Stop()
	for {
		if err := h.admit(ctx); err != nil && ctx.Err() == nil {
			h.log.WarnContext(ctx, "sites not updated", slog.Any("error", err))
		}
		if err := h.flush(ctx); err != nil && ctx.Err() == nil {
			h.log.WarnContext(ctx, "alerts not sent yet", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			<-reports
			return ctx.Err()
		case err := <-reports:
			if ctx.Err() == nil {
				return fmt.Errorf("ews: reports: %w", err)
			}
		case <-t.C:
		case <-h.kick:
		}
	}
}

// admit makes the sites the transport lets in those enrolled and not
// revoked in the store, which `ward site revoke` and other hub nodes also
// change.
func (h *Hub) admit(ctx context.Context) error {
	if h.cfg.Net.External() {
		return nil // the operator manages the external server's users
	}
	sites, err := EnrolledSites(ctx, h.cfg.Store)
	if err != nil {
		return err
	}
	if h.admitted == nil {
		h.admitted = map[string]string{}
	}
	want := make(map[string]string, len(sites))
	for _, s := range sites {
		want[s.OrgID] = s.PublicKey
		if h.admitted[s.OrgID] != s.PublicKey {
			if err := h.cfg.Net.AddSite(s); err != nil {
				return err
			}
			h.admitted[s.OrgID] = s.PublicKey
		}
	}
	for id := range h.admitted {
		if _, ok := want[id]; !ok {
			if err := h.cfg.Net.RevokeSite(id); err != nil {
				return err
			}
			delete(h.admitted, id)
			h.log.InfoContext(ctx, "site cut off", slog.String("site", id))
		}
	}
	return nil
}

// flush publishes the outbox: the key announcements, then the alerts,
// oldest first. The alerts are read first: an alert a new key signed was
// written after that key's announcement, which is then read too and goes
// out before it, so that a site knows the key when the alert comes.
func (h *Hub) flush(ctx context.Context) error {
	pending, err := h.cfg.Store.UnpublishedAlerts(ctx)
	if err != nil {
		return err
	}
	anns, err := h.cfg.Store.UnpublishedKeyAnnouncements(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 || len(anns) > 0 {
		// Another process may have rotated the key and signed with it.
		if _, err := h.loadKeys(ctx); err != nil {
			return err
		}
	}
	for _, ann := range anns {
		if _, err := h.cfg.Net.Announce(ctx, "key/"+ann.KeyID, ann.Envelope); err != nil {
			return fmt.Errorf("key %s: %w", ann.KeyID, err)
		}
		if err := h.cfg.Store.MarkKeyAnnouncementPublished(ctx, ann.KeyID, h.cfg.Now().UTC()); err != nil {
			return fmt.Errorf("key %s: %w", ann.KeyID, err)
		}
		h.log.InfoContext(ctx, "signing key announced", slog.String("key", ann.KeyID))
	}
	for _, rec := range pending {
		var env alert.Envelope
		if err := json.Unmarshal(rec.Envelope, &env); err != nil {
			return fmt.Errorf("alert %s: stored envelope: %w", rec.ID, err)
		}
		a, err := h.keyring().Open(&env)
		if err != nil {
			return fmt.Errorf("alert %s: %w", rec.ID, err)
		}
		if _, err := h.cfg.Net.Publish(ctx, a, rec.Envelope); err != nil {
			return fmt.Errorf("alert %s: %w", rec.ID, err)
		}
		if err := h.cfg.Store.MarkAlertPublished(ctx, rec.ID, h.cfg.Now().UTC()); err != nil {
			return fmt.Errorf("alert %s: %w", rec.ID, err)
		}
		h.log.InfoContext(ctx, "alert published", slog.String("alert", rec.ID))
	}
	return nil
}

// keyring returns a keyring of the hub's own keys.
func (h *Hub) keyring() *alert.Keyring {
	return alert.NewKeyring(keysOf(h.PublicKeys())...)
}

func keysOf(raw [][]byte) []ed25519.PublicKey {
	out := make([]ed25519.PublicKey, len(raw))
	for i, k := range raw {
		out[i] = ed25519.PublicKey(k)
	}
	return out
}

// recordReport stores one site's report. A report that breaks a rule is
// dropped (acknowledged, with a warning): a redelivery would not mend it.
func (h *Hub) recordReport(ctx context.Context, siteID string, data []byte) error {
	r, err := ParseReport(data)
	if err != nil {
		h.log.WarnContext(ctx, "exposure report dropped", slog.String("site", siteID), slog.Any("error", err))
		return nil
	}
	rec := store.ExposureReport{
		AlertID: r.AlertID, SiteID: siteID, At: h.reportTime(ctx, r), Acknowledged: r.Acknowledged,
		Affected: r.Affected, Assets: r.Assets, Mitigated: r.Mitigated,
	}
	if len(r.Shared) > 0 {
		if rec.Shared, err = json.Marshal(r.Shared); err != nil {
			return err
		}
	}
	switch err := h.cfg.Store.RecordReport(ctx, rec); {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrInvalid):
		h.log.WarnContext(ctx, "exposure report dropped", slog.String("site", siteID), slog.String("alert", r.AlertID), slog.Any("error", err))
		return nil
	case err != nil:
		return err
	}
	if h.cfg.OnReport != nil {
		h.cfg.OnReport(r.AlertID)
	}
	return nil
}

// reportTime is the time a report says it was made, kept between the
// alert's creation and a few minutes from now: a site's clock may be wrong,
// and the charts over time and the latest report per site follow it.
func (h *Hub) reportTime(ctx context.Context, r *Report) time.Time {
	at, now := r.At.UTC(), h.cfg.Now().UTC()
	if latest := now.Add(reportSkew); at.After(latest) {
		at = now
	}
	if a, err := h.cfg.Store.HubAlert(ctx, r.AlertID); err == nil && at.Before(a.CreatedAt) {
		at = a.CreatedAt
	}
	return at
}

// Invite makes a one-time enrolment invitation for an organisation, valid
// for ttl, and returns its token, which is shown once.
func (h *Hub) Invite(ctx context.Context, inv store.SiteInvite, ttl time.Duration) (string, error) {
	now := h.cfg.Now().UTC()
	inv.CreatedAt, inv.ExpiresAt = now, now.Add(ttl)
	_, token, err := h.cfg.Store.CreateInvite(ctx, inv)
	if err != nil {
		return "", fmt.Errorf("invite: %w", err)
	}
	return token, nil
}

// Enrollment is what the hub gives a site that redeemed its invitation,
// as JSON: the site's ID, where to connect, and the keys to pin.
type Enrollment struct {
	SiteID  string   `json:"site_id"`
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Country string   `json:"country"`
	NATSURL string   `json:"nats_url"`
	NATSCA  []byte   `json:"nats_ca,omitempty"` // PEM certificates to trust for a tls:// nats_url
	HubKeys [][]byte `json:"hub_keys"`
	HubURL  string   `json:"-"` // where the site enrolled, filled by the site
}

// Enroll redeems an invitation token for a site that will connect with the
// NATS user key natsKey, and lets that key in. natsURL is where sites
// reach the hub's NATS server.
func (h *Hub) Enroll(ctx context.Context, token, natsKey, natsURL string) (Enrollment, error) {
	if h.cfg.Net == nil {
		return Enrollment{}, errors.New("enroll: the hub's network is not running")
	}
	if !alertnet.ValidSiteKey(natsKey) {
		return Enrollment{}, fmt.Errorf("enroll: %w: nats_key: not a NATS user public key", store.ErrInvalid)
	}
	if _, err := h.loadKeys(ctx); err != nil { // the site pins the keys as rotated since start
		return Enrollment{}, fmt.Errorf("enroll: %w", err)
	}
	site, err := h.cfg.Store.RedeemInvite(ctx, token, natsKey, h.cfg.Now().UTC())
	if err != nil {
		return Enrollment{}, fmt.Errorf("enroll: %w", err)
	}
	if err := h.cfg.Net.AddSite(alertnet.SiteAuth{OrgID: site.ID, PublicKey: natsKey}); err != nil && !errors.Is(err, alertnet.ErrExternal) {
		return Enrollment{}, fmt.Errorf("enroll: %w", err)
	}
	h.log.InfoContext(ctx, "site enrolled", slog.String("site", site.ID), slog.String("name", site.Name),
		slog.String("kind", string(site.Kind)), slog.String("country", site.Country))
	return Enrollment{SiteID: site.ID, Name: site.Name, Kind: string(site.Kind), Country: site.Country,
		NATSURL: natsURL, NATSCA: h.cfg.NATSCA, HubKeys: h.PublicKeys()}, nil
}

// Revoke cuts a site off: its NATS user is removed, its connection closed.
func (h *Hub) Revoke(ctx context.Context, siteID string) error {
	site, err := h.cfg.Store.RevokeSite(ctx, siteID, h.cfg.Now().UTC())
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	if h.cfg.Net != nil {
		if err := h.cfg.Net.RevokeSite(site.ID); err != nil && !errors.Is(err, alertnet.ErrExternal) {
			return fmt.Errorf("revoke: %w", err)
		}
	}
	h.log.InfoContext(ctx, "site revoked", slog.String("site", site.ID), slog.String("name", site.Name))
	return nil
}

// EnrolledSites returns the NATS users of every site not revoked, for the
// transport to let in at start.
func EnrolledSites(ctx context.Context, s store.Store) ([]alertnet.SiteAuth, error) {
	sites, err := store.All(ctx, s.ListSites)
	if err != nil {
		return nil, fmt.Errorf("sites: %w", err)
	}
	var out []alertnet.SiteAuth
	for _, site := range sites {
		if site.RevokedAt.IsZero() {
			out = append(out, alertnet.SiteAuth{OrgID: site.ID, PublicKey: site.NATSKey})
		}
	}
	return out, nil
}
