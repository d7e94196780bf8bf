package ews

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/alertnet"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// SiteConfig configures a [Site].
type SiteConfig struct {
	Store  store.Store
	Logger *slog.Logger
	Now    func() time.Time
	// Assets returns an organisation's whole inventory, for indicators
	// that name addresses.
	Assets func(ctx context.Context, org string) ([]inventory.Asset, error)
	// OnAlert is called after an alert was stored and matched for org (the
	// site's pages and notifications follow it). It must not block.
	OnAlert func(org string, a store.ReceivedAlert)
	// ShareAssets sends the affected assets' identity with each report
	// on every alert (off by default: the hub then learns only counts,
	// unless someone shares them for one alert, [Site.ShareAssets]).
	ShareAssets bool
	// Notifier sends each new alert to the organisation's channels (e-mail,
	// webhook, syslog); nil sends none.
	Notifier *Notifier
}

// Site is the site's side of the early-warning service, for every
// organisation of the node that enrolled with a hub.
type Site struct {
	cfg   SiteConfig
	log   *slog.Logger
	mu    sync.Mutex
	conns map[string]*alertnet.Site // org -> its connection
	// alertMu serialises the read, change and report of one received
	// alert (striped by organisation and alert), so that an acknowledgement,
	// a share and a recheck never write over each other.
	alertMu [64]sync.Mutex
	seed    maphash.Seed
	bg      context.Context // ends with Close, for retries in the background
	stop    context.CancelFunc
}

// NewSite returns a site service; [Site.Start] connects it.
func NewSite(cfg SiteConfig) *Site {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	bg, stop := context.WithCancel(context.Background())
	return &Site{cfg: cfg, log: cfg.Logger, conns: map[string]*alertnet.Site{}, bg: bg, stop: stop, seed: maphash.MakeSeed()}
}

// lockAlert locks org's alert id against other changes and reports of it
// and returns the unlock.
func (s *Site) lockAlert(org, id string) func() {
	m := &s.alertMu[maphash.String(s.seed, org+"\x00"+id)%uint64(len(s.alertMu))]
	m.Lock()
	return m.Unlock
}

// Start connects every enrolled organisation to its hub and catches up on
// what it missed. An organisation whose hub cannot be reached is logged
// and tried again in the background, from every second to every minute,
// until ctx ends; Start fails only when the store does.
func (s *Site) Start(ctx context.Context) error {
	links, err := s.cfg.Store.HubLinks(ctx)
	if err != nil {
		return fmt.Errorf("ews: %w", err)
	}
	for _, l := range links {
		if err := s.Connect(ctx, l); err != nil {
			s.log.ErrorContext(ctx, "hub not reached; trying again", slog.String("org", l.OrgID), slog.String("nats", l.NATSURL), slog.Any("error", err))
			go s.retry(ctx, l)
		}
	}
	return nil
}

// ConnectInBackground connects l, catching up on what it missed, without
// waiting for it: for an enrolment made while the node runs (a request
// must not wait for a long catch-up). It tries again, as [Site.Start] does,
// until it succeeds or [Site.Close].
func (s *Site) ConnectInBackground(l store.HubLink) {
	go func() {
		if err := s.Connect(s.bg, l); err != nil {
			s.log.WarnContext(s.bg, "hub not reached; trying again", slog.String("org", l.OrgID), slog.String("nats", l.NATSURL), slog.Any("error", err))
			s.retry(s.bg, l)
		}
	}()
}

// retry connects l until it succeeds, ctx ends or the site is closed.
func (s *Site) retry(ctx context.Context, l store.HubLink) {
	for wait := time.Second; ; wait = min(2*wait, time.Minute) {
		select {
		case <-ctx.Done():
			return
		case <-s.bg.Done():
			return
		case <-time.After(wait):
		}
		if l2, err := s.cfg.Store.HubLink(ctx, l.OrgID); err == nil {
			l = l2 // the cursor moved, or the organisation enrolled anew
		}
		if err := s.Connect(ctx, l); err == nil {
			s.log.InfoContext(ctx, "hub reached", slog.String("org", l.OrgID))
			return
		}
	}
}

// Connect connects one organisation's enrolment, replacing an earlier
// connection of it, and returns once the alerts it missed are stored. A
// connection refused at once (the hub is still admitting a site that just
// enrolled) is tried again a few times within two seconds.
func (s *Site) Connect(ctx context.Context, l store.HubLink) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
			}
		}
		if err = s.connect(ctx, l); err == nil {
			return nil
		}
	}
	return err
}

func (s *Site) connect(ctx context.Context, l store.HubLink) error {
	org, err := s.cfg.Store.Org(ctx, l.OrgID)
	if err != nil {
		return fmt.Errorf("ews: %w", err)
	}
	r := &receiver{s: s, org: org, link: l, keys: alert.NewKeyring(keysOf(l.HubKeys)...)}
	if len(l.HubKeys) > 0 {
		r.current = alert.KeyID(l.HubKeys[0])
	}
	tlsConfig, err := natsTLS(l)
	if err != nil {
		return fmt.Errorf("ews: connect %s: %w", l.OrgID, err)
	}
	cfg := alertnet.SiteConfig{URL: l.NATSURL, OrgID: l.SiteID, Seed: l.NATSSeed, TLS: tlsConfig, Cursor: l.Cursor, Sink: r.deliver, Logger: s.log}
	conn, err := alertnet.ConnectSite(ctx, cfg)
	if errors.Is(err, nats.ErrNkeysNotSupported) {
		// The hub's external NATS server takes connections without
		// credentials: its operator chose to rely on the network. The
		// alerts are still checked against the pinned keys.
		s.log.WarnContext(ctx, "the hub's NATS server asks for no credentials", slog.String("org", l.OrgID), slog.String("nats", l.NATSURL))
		cfg.Seed = nil
		conn, err = alertnet.ConnectSite(ctx, cfg)
	}
	if err != nil {
		return fmt.Errorf("ews: connect %s: %w", l.OrgID, err)
	}
	s.mu.Lock()
	if s.bg.Err() != nil { // closed meanwhile
		s.mu.Unlock()
		conn.Close()
		return fmt.Errorf("ews: connect %s: the site service is closed", l.OrgID)
	}
	old := s.conns[l.OrgID]
	s.conns[l.OrgID] = conn
	s.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// Connected reports whether org's connection to its hub's NATS server is
// up right now; false when org has none (not enrolled, or not reached yet).
func (s *Site) Connected(org string) bool {
	s.mu.Lock()
	conn := s.conns[org]
	s.mu.Unlock()
	return conn != nil && conn.Connected()
}

// LinkTLS reports whether l's connection to the hub's NATS server is
// encrypted: a tls:// address, or certificates the hub handed out.
func LinkTLS(l store.HubLink) bool {
	c, err := natsTLS(l)
	return err == nil && c != nil
}

// natsTLS returns the TLS configuration for l's connection: none for a
// nats:// hub that handed out no certificates, the system's roots for a
// tls:// one, and only the certificates the hub handed out at enrolment
// when it did.
func natsTLS(l store.HubLink) (*tls.Config, error) {
	if len(l.NATSCA) == 0 {
		if strings.HasPrefix(l.NATSURL, "tls://") {
			return &tls.Config{MinVersion: tls.VersionTLS12}, nil
		}
		return nil, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(l.NATSCA) {
		return nil, errors.New("the hub's NATS certificates: no PEM certificate")
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// Close disconnects every organisation.
func (s *Site) Close() error {
	s.stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for org, c := range s.conns {
		errs = append(errs, c.Close())
		delete(s.conns, org)
	}
	return errors.Join(errs...)
}

// receiver handles the alerts of one organisation's connection.
type receiver struct {
	s       *Site
	org     store.Organisation
	link    store.HubLink
	keys    *alert.Keyring
	current string // the ID of the newest pinned hub key: only it may vouch for a next one
}

// deliver checks, stores, matches and reports one message. It returns an
// error only when the store failed, so that the message comes again.
func (r *receiver) deliver(ctx context.Context, d alertnet.Delivery) error {
	st, log := r.s.cfg.Store, r.s.log.With(slog.String("org", r.org.ID), slog.Uint64("seq", d.Seq))
	if alert.IsKeyAnnouncement(d.Data) {
		return r.pinKey(ctx, log, d)
	}
	var env alert.Envelope
	a, err := openEnvelope(r.keys, d.Data, &env)
	if err != nil {
		// A security event: never shown, recorded with what identifies it.
		log.WarnContext(ctx, "alert rejected", slog.Any("error", err))
		if _, aerr := st.AppendAudit(ctx, r.org.ID, "hub", "alert.rejected", fmt.Sprintf("message %d from the hub: %v", d.Seq, err)); aerr != nil {
			return aerr
		}
		return st.SkipAlert(ctx, r.org.ID, d.Seq)
	}
	if !a.For(r.link.SiteID, string(r.org.Kind), r.org.Country) {
		return st.SkipAlert(ctx, r.org.ID, d.Seq) // targeted at others: not this site's business
	}
	rec := store.ReceivedAlert{
		ID: a.ID, OrgID: r.org.ID, Seq: a.Sequence, Title: a.Title, Severity: string(a.Severity), TLP: string(a.TLP),
		Envelope: d.Data, KeyID: env.KeyID, ReceivedAt: r.s.cfg.Now().UTC(),
	}
	stored, err := st.ReceiveAlert(ctx, r.org.ID, rec, d.Seq)
	if err != nil || !stored {
		return err // a duplicate or a replay of a held alert: nothing more to do
	}
	log.InfoContext(ctx, "alert received", slog.String("alert", a.ID), slog.String("severity", string(a.Severity)))
	if err := r.s.Match(ctx, r.org.ID, a.ID); err != nil {
		log.ErrorContext(ctx, "alert not matched", slog.String("alert", a.ID), slog.Any("error", err))
	}
	r.s.notify(ctx, r.org.ID, a.ID)
	return nil
}

// pinKey checks a key announcement against the pinned keys and, only when
// it verifies, pins the new key, durably with the cursor. It is never
// shown as an alert. A forged or malformed one is a security event, like a
// forged alert. It returns an error only when the store failed.
func (r *receiver) pinKey(ctx context.Context, log *slog.Logger, d alertnet.Delivery) error {
	st := r.s.cfg.Store
	ka, err := r.keys.OpenKeyAnnouncement(d.Data)
	if err == nil && !r.keys.Has(ka.KeyID) && ka.PreviousKeyID != r.current {
		// A retired key, stolen perhaps, must not bring in a key of its own.
		err = fmt.Errorf("%w: key %s announced by key %s, not by the current key %s", alert.ErrSignature, ka.KeyID, ka.PreviousKeyID, r.current)
	}
	if err != nil {
		log.WarnContext(ctx, "hub key announcement rejected", slog.Any("error", err))
		if _, aerr := st.AppendAudit(ctx, r.org.ID, "hub", "hub_key.rejected", fmt.Sprintf("message %d from the hub: %v", d.Seq, err)); aerr != nil {
			return aerr
		}
		return st.SkipAlert(ctx, r.org.ID, d.Seq)
	}
	if !r.keys.Has(ka.KeyID) {
		// Recorded before the key is pinned: a crash in between records
		// it twice, never not at all.
		if _, err := st.AppendAudit(ctx, r.org.ID, "hub", "hub_key.pinned",
			fmt.Sprintf("hub signing key %s, announced by key %s at %s (message %d)", ka.KeyID, ka.PreviousKeyID,
				ka.Issued.Format(time.RFC3339), d.Seq)); err != nil {
			return err
		}
	}
	added, err := st.PinHubKey(ctx, r.org.ID, ka.Key, d.Seq)
	if err != nil {
		return err
	}
	r.keys.Add(ka.Key)
	if added {
		r.current = ka.KeyID
		log.InfoContext(ctx, "hub signing key pinned", slog.String("key", ka.KeyID), slog.String("previous", ka.PreviousKeyID))
	}
	return nil
}

// notify sends a stored alert to org's channels in the background: a slow
// mail relay must not hold up the next alert. Failures are logged and
// recorded in the audit log.
func (s *Site) notify(ctx context.Context, org, id string) {
	if s.cfg.Notifier == nil {
		return
	}
	rec, a, err := s.Alert(ctx, org, id)
	if err != nil {
		s.log.ErrorContext(ctx, "alert not notified", slog.String("org", org), slog.String("alert", id), slog.Any("error", err))
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if err := s.cfg.Notifier.Notify(ctx, org, newNotice(a, rec)); err != nil {
			s.log.WarnContext(ctx, "alert notification failed", slog.String("org", org), slog.String("alert", id), slog.Any("error", err))
			s.cfg.Store.AppendAudit(ctx, org, "ward", "alert.notify_failed", fmt.Sprintf("%s: %v", id, err)) //nolint:errcheck // logged above
		}
	}()
}

// openEnvelope decodes and verifies a message from the hub.
func openEnvelope(keys *alert.Keyring, data []byte, env *alert.Envelope) (*alert.Alert, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(env); err != nil {
		return nil, fmt.Errorf("%w: envelope: %v", alert.ErrSignature, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the envelope", alert.ErrSignature)
	}
	return keys.Open(env)
}

// Alert opens a stored alert of org: its signature is checked again, as
// the stored bytes are shown.
func (s *Site) Alert(ctx context.Context, org, id string) (store.ReceivedAlert, *alert.Alert, error) {
	rec, err := s.cfg.Store.ReceivedAlert(ctx, org, id)
	if err != nil {
		return rec, nil, err
	}
	l, err := s.cfg.Store.HubLink(ctx, org)
	if err != nil {
		return rec, nil, err
	}
	var env alert.Envelope
	a, err := openEnvelope(alert.NewKeyring(keysOf(l.HubKeys)...), rec.Envelope, &env)
	return rec, a, err
}

// Match matches a received alert against org's findings (the CVEs and
// advisories it names) and inventory (the addresses among its indicators),
// stores the result and reports it to the hub.
func (s *Site) Match(ctx context.Context, org, id string) error {
	_, err := s.withAlert(ctx, org, id, func(rec store.ReceivedAlert, exp *exposure) (store.ReceivedAlert, error) {
		rec.MatchedAt = s.cfg.Now().UTC()
		rec.Affected = len(exp.decision) > 0
		rec.Assets = exp.counts()
		if err := s.cfg.Store.UpdateReceivedAlert(ctx, rec); err != nil {
			return rec, err
		}
		if err := s.report(ctx, rec, exp); err != nil {
			s.log.WarnContext(ctx, "exposure report not sent", slog.String("org", org), slog.String("alert", id), slog.Any("error", err))
		}
		if s.cfg.OnAlert != nil {
			s.cfg.OnAlert(org, rec)
		}
		return rec, nil
	})
	return err
}

// withAlert reads org's alert id and matches it, and calls fn with both,
// holding the alert's lock: the read, fn's changes and its report are not
// interleaved with another action on the alert.
func (s *Site) withAlert(ctx context.Context, org, id string, fn func(rec store.ReceivedAlert, exp *exposure) (store.ReceivedAlert, error)) (store.ReceivedAlert, error) {
	unlock := s.lockAlert(org, id)
	defer unlock()
	rec, a, err := s.Alert(ctx, org, id)
	if err != nil {
		return rec, err
	}
	exp, err := s.exposure(ctx, org, a)
	if err != nil {
		return rec, err
	}
	return fn(rec, exp)
}

// recheckWindow is how far back [Site.Recheck] looks at received alerts.
const recheckWindow = 30 * 24 * time.Hour

// Run rechecks every organisation's recent alerts every interval until ctx
// ends, so the hub learns of assets mitigated or newly affected since an
// alert arrived.
func (s *Site) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		links, err := s.cfg.Store.HubLinks(ctx)
		if err != nil {
			s.log.WarnContext(ctx, "alerts not rechecked", slog.Any("error", err))
			continue
		}
		for _, l := range links {
			if err := s.Recheck(ctx, l.OrgID); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "alerts not rechecked", slog.String("org", l.OrgID), slog.Any("error", err))
			}
		}
	}
}

// Recheck matches org's alerts of the last 30 days again and reports to the
// hub those whose exposure changed (assets mitigated, resolved or newly
// affected).
func (s *Site) Recheck(ctx context.Context, org string) error {
	since := s.cfg.Now().Add(-recheckWindow)
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		p, err := s.cfg.Store.ListReceivedAlerts(ctx, org, opts)
		if err != nil {
			return err
		}
		for _, rec := range p.Items {
			if rec.ReceivedAt.Before(since) {
				return nil // newest first: the rest are older still
			}
			if err := s.recheck(ctx, org, rec.ID); err != nil {
				return err
			}
		}
		if p.Next == "" {
			return nil
		}
		opts.Cursor = p.Next
	}
}

// recheck matches one alert again and reports it when its counts changed
// or the hub was not told of the site's last action.
func (s *Site) recheck(ctx context.Context, org, id string) error {
	_, err := s.withAlert(ctx, org, id, func(rec store.ReceivedAlert, exp *exposure) (store.ReceivedAlert, error) {
		counts := exp.counts()
		// The hub has not heard of an acknowledgement or share made while
		// it could not be reached.
		untold := rec.ReportedAt.Before(rec.Acknowledged) || rec.ReportedAt.Before(rec.SharedAt)
		if changed := !maps.Equal(counts, rec.Assets) && !(len(counts) == 0 && len(rec.Assets) == 0); changed {
			rec.Affected, rec.Assets = len(exp.decision) > 0, counts
			if err := s.cfg.Store.UpdateReceivedAlert(ctx, rec); err != nil {
				return rec, err
			}
		} else if !untold {
			return rec, nil
		}
		return rec, s.report(ctx, rec, exp)
	})
	return err
}

// Acknowledge records that by took note of org's alert, and tells the hub.
func (s *Site) Acknowledge(ctx context.Context, org, id, by string) (store.ReceivedAlert, error) {
	return s.withAlert(ctx, org, id, func(rec store.ReceivedAlert, exp *exposure) (store.ReceivedAlert, error) {
		if rec.Acknowledged.IsZero() {
			rec.Acknowledged, rec.AckBy = s.cfg.Now().UTC(), by
			if err := s.cfg.Store.UpdateReceivedAlert(ctx, rec); err != nil {
				return rec, err
			}
		}
		if err := s.report(ctx, rec, exp); err != nil {
			return rec, fmt.Errorf("acknowledge: %w: %w", ErrHubNotTold, err)
		}
		return rec, nil
	})
}

// report sends the hub what org found of an alert; called within
// [Site.withAlert].
func (s *Site) report(ctx context.Context, rec store.ReceivedAlert, exp *exposure) error {
	s.mu.Lock()
	conn := s.conns[rec.OrgID]
	s.mu.Unlock()
	if conn == nil {
		return errors.New("not connected to the hub")
	}
	now := s.cfg.Now().UTC()
	r := Report{AlertID: rec.ID, At: now, Acknowledged: !rec.Acknowledged.IsZero(), Affected: len(exp.decision) > 0,
		Assets: exp.counts(), Mitigated: exp.mitigated}
	if s.cfg.ShareAssets || !rec.SharedAt.IsZero() {
		shared, err := s.sharedAssets(ctx, rec.OrgID, exp) // share.go
		if err != nil {
			return err
		}
		r.Shared = shared
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	// The stream deduplicates by message ID across all sites: name the site.
	if err := conn.Report(ctx, fmt.Sprintf("%s/%s/%d", rec.ID, conn.OrgID(), now.UnixNano()), data); err != nil {
		return err
	}
	rec.ReportedAt = now
	return s.cfg.Store.UpdateReceivedAlert(ctx, rec)
}

// exposure is what an organisation has of an alert: each affected asset's
// most urgent decision and the assets whose findings are all mitigated or
// resolved.
type exposure struct {
	decision  map[string]risk.Decision
	mitigated int
}

func (e *exposure) counts() map[string]int {
	m := map[string]int{}
	for _, d := range e.decision {
		m[string(cmp.Or(d, "none"))]++
	}
	return m
}

// exposure matches a against org's findings and inventory.
func (s *Site) exposure(ctx context.Context, org string, a *alert.Alert) (*exposure, error) {
	exp := &exposure{decision: map[string]risk.Decision{}}
	live := map[string]bool{} // assets with a finding not mitigated or resolved
	seen := map[string]bool{}
	var filters []store.FindingFilter
	for _, id := range a.CVEs {
		filters = append(filters, store.FindingFilter{VulnID: id})
	}
	for _, id := range a.Advisories {
		filters = append(filters, store.FindingFilter{AdvisoryID: id})
	}
	for _, f := range filters {
		opts := store.ListOptions{Limit: store.MaxLimit}
		for {
			p, err := s.cfg.Store.ListFindings(ctx, org, f, opts)
			if err != nil {
				return nil, err
			}
			for _, fr := range p.Items {
				asset := fr.Key.AssetID
				seen[asset] = true
				switch fr.State {
				case store.StateResolved, store.StateNotAffected, store.StateMitigated:
					continue
				}
				live[asset] = true
				if d, ok := exp.decision[asset]; !ok || fr.Item.Decision.Rank() < d.Rank() {
					exp.decision[asset] = fr.Item.Decision
				}
			}
			if p.Next == "" {
				break
			}
			opts.Cursor = p.Next
		}
	}
	for asset := range seen {
		if !live[asset] {
			exp.mitigated++
		}
	}
	if err := s.matchAddresses(ctx, org, a, exp); err != nil {
		return nil, err
	}
	return exp, nil
}

// matchAddresses marks the assets whose address is among a's IP and CIDR
// indicators: the hub saw them (exposed, or talking to an attacker).
func (s *Site) matchAddresses(ctx context.Context, org string, a *alert.Alert, exp *exposure) error {
	var prefixes []netip.Prefix
	for _, in := range a.Indicators {
		switch in.Type {
		case "ipv4", "ipv6":
			if ip, err := netip.ParseAddr(in.Value); err == nil {
				prefixes = append(prefixes, netip.PrefixFrom(ip, ip.BitLen()))
			}
		case "cidr":
			if p, err := netip.ParsePrefix(in.Value); err == nil {
				prefixes = append(prefixes, p.Masked())
			}
		}
	}
	if len(prefixes) == 0 || s.cfg.Assets == nil {
		return nil
	}
	assets, err := s.cfg.Assets(ctx, org)
	if err != nil {
		return err
	}
	for i := range assets {
		as := &assets[i]
		for _, ip := range addresses(as) {
			if slices.ContainsFunc(prefixes, func(p netip.Prefix) bool { return p.Contains(ip) }) {
				if _, ok := exp.decision[as.ID]; !ok {
					exp.decision[as.ID] = risk.Act
				}
				break
			}
		}
	}
	return nil
}

// addresses returns the IP addresses an asset is known by: its ID when it
// is one (nmap's assets), and attributes named ip, ip_address or address.
func addresses(a *inventory.Asset) []netip.Addr {
	var out []netip.Addr
	for _, v := range []string{a.ID, a.Attributes["ip"], a.Attributes["ip_address"], a.Attributes["address"]} {
		if ip, err := netip.ParseAddr(strings.TrimSpace(v)); err == nil {
			out = append(out, ip.Unmap())
		}
	}
	return out
}

// Enroll redeems an invitation token at a hub's web address for org (see
// [EnrollWith]); client may be nil.
func Enroll(ctx context.Context, st store.Store, client *http.Client, hubURL, token, org string) (store.HubLink, error) {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	l, err := EnrollWith(ctx, st, org, func(ctx context.Context, key string) (Enrollment, error) {
		return postEnroll(ctx, client, hubURL, token, key)
	})
	if err != nil {
		return l, fmt.Errorf("enroll: %w", err)
	}
	return l, nil
}

// EnrollWith makes org's NATS key, has redeem present its public half to
// the hub, and stores the enrolment with the hub keys to pin, replacing an
// earlier one.
func EnrollWith(ctx context.Context, st store.Store, org string, redeem func(ctx context.Context, natsKey string) (Enrollment, error)) (store.HubLink, error) {
	seed, pub, err := alertnet.NewSiteKey()
	if err != nil {
		return store.HubLink{}, err
	}
	e, err := redeem(ctx, pub)
	if err != nil {
		return store.HubLink{}, err
	}
	l := store.HubLink{OrgID: org, SiteID: e.SiteID, HubURL: e.HubURL, NATSURL: e.NATSURL, NATSCA: e.NATSCA, HubKeys: e.HubKeys,
		NATSSeed: seed, EnrolledAt: time.Now().UTC()}
	if err := st.SetHubLink(ctx, org, l); err != nil {
		return store.HubLink{}, err
	}
	return l, nil
}

// RefusedError is a hub's refusal of an enrolment: its HTTP status and the
// message of its JSON error, if it answered with one (a redirect is a
// refusal too: it is not followed). Only that is kept of
// the answer, so that what a page shows of it cannot be another server's
// content.
type RefusedError struct {
	Status  int
	Message string
}

func (e *RefusedError) Error() string {
	msg := fmt.Sprintf("the hub answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// postEnroll presents an invitation token and a NATS key at a hub's
// enrolment endpoint.
func postEnroll(ctx context.Context, client *http.Client, hubURL, token, natsKey string) (Enrollment, error) {
	body, err := json.Marshal(map[string]string{"token": token, "nats_key": natsKey})
	if err != nil {
		return Enrollment{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(hubURL, "/")+"/api/v1/enroll", bytes.NewReader(body))
	if err != nil {
		return Enrollment{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	// The token goes to the address given and nowhere else: a redirect
	// (to plain http, or to another host) is an answer, not followed.
	noRedirect := *client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Do(req)
	if err != nil {
		return Enrollment{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Enrollment{}, err
	}
	if resp.StatusCode != http.StatusOK {
		refused := &RefusedError{Status: resp.StatusCode}
		var body struct {
			Error string `json:"error"`
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && json.Unmarshal(data, &body) == nil {
			refused.Message = body.Error
		}
		return Enrollment{}, refused
	}
	var e Enrollment
	if err := json.Unmarshal(data, &e); err != nil {
		return Enrollment{}, fmt.Errorf("the hub's answer: %w", err)
	}
	e.HubURL = hubURL
	return e, nil
}
