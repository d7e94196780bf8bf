package alertnet

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/ward-health/ward/internal/alert"
)

// Defaults and limits of the streams.
const (
	DefaultMaxAge    = 365 * 24 * time.Hour
	dupWindow        = 24 * time.Hour
	alertsMaxMsgs    = 1_000_000
	alertsMaxBytes   = 8 << 30
	reportsMaxAge    = 90 * 24 * time.Hour
	reportsMaxBytes  = 8 << 30
	maxMsgSize       = 1 << 20
	opTimeout        = 10 * time.Second
	reportAckWait    = 30 * time.Second
	reportNakBackoff = 5 * time.Second
)

// HubConfig configures [StartHub]. Give either Dir, Listen and HubSeed (the
// embedded server) or URL (an external server).
type HubConfig struct {
	Dir     string        // JetStream store dir for the embedded server
	Listen  string        // host:port where the embedded server accepts sites ("127.0.0.1:0" in tests)
	URL     string        // external NATS instead of the embedded server (then Dir/Listen/Sites unused)
	HubSeed []byte        // the hub's own nkey user seed (embedded mode; optional with URL)
	Sites   []SiteAuth    // enrolled, non-revoked sites at start
	TLS     *tls.Config   // optional: server TLS (embedded) or client TLS (URL)
	MaxAge  time.Duration // how long alerts are kept; 0 means DefaultMaxAge
	Prefix  string        // first subject token and stream-name stem; "" means DefaultPrefix
	Logger  *slog.Logger
}

// SiteAuth is an enrolled site: its organisation id and its nkey public
// user key (prefix U).
type SiteAuth struct {
	OrgID     string
	PublicKey string
}

// Hub is the support centre's end of the network. Its methods are safe for
// concurrent use.
type Hub struct {
	cfg    HubConfig
	n      names
	log    *slog.Logger
	hubPub string

	srv  *server.Server // nil with an external server
	host string         // where srv listens
	port int
	nc   *nats.Conn
	js   jetstream.JetStream

	mu     sync.Mutex
	sites  map[string]string // org id -> public key
	closed atomic.Bool
}

// StartHub starts the embedded server (or connects to the external one),
// connects the hub and makes sure both streams exist.
func StartHub(ctx context.Context, cfg HubConfig) (*Hub, error) {
	n, err := newNames(cfg.Prefix)
	if err != nil {
		return nil, err
	}
	h := &Hub{cfg: cfg, n: n, log: orDiscard(cfg.Logger), sites: map[string]string{}}
	var kp nkeys.KeyPair
	if len(cfg.HubSeed) > 0 {
		if kp, h.hubPub, err = userKey(cfg.HubSeed); err != nil {
			return nil, fmt.Errorf("hub seed: %w", err)
		}
	}
	copts := []nats.Option{nats.Name("ward-hub"), nats.MaxReconnects(-1), nats.ReconnectWait(500 * time.Millisecond)}
	if kp != nil {
		copts = append(copts, nats.Nkey(h.hubPub, kp.Sign))
	}
	if cfg.URL != "" {
		if cfg.TLS != nil {
			copts = append(copts, nats.Secure(cfg.TLS))
		}
		h.nc, err = nats.Connect(cfg.URL, copts...)
		if err != nil {
			return nil, fmt.Errorf("alertnet: connect %s: %w", cfg.URL, err)
		}
	} else {
		if cfg.Dir == "" || cfg.Listen == "" || kp == nil {
			return nil, fmt.Errorf("%w: the embedded server needs Dir, Listen and HubSeed (or give URL)", ErrConfig)
		}
		for _, s := range cfg.Sites {
			if err := checkSite(s); err != nil {
				return nil, err
			}
			h.sites[s.OrgID] = s.PublicKey
		}
		if err := h.startServer(); err != nil {
			return nil, err
		}
		copts = append(copts, nats.InProcessServer(h.srv))
		h.nc, err = nats.Connect("", copts...)
		if err != nil {
			h.srv.Shutdown()
			return nil, fmt.Errorf("alertnet: connect in-process: %w", err)
		}
	}
	h.js, err = jetstream.New(h.nc)
	if err == nil {
		err = h.ensureStreams(ctx)
	}
	if err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

func userKey(seed []byte) (nkeys.KeyPair, string, error) {
	kp, err := nkeys.FromSeed(seed)
	if err != nil {
		return nil, "", err
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, "", err
	}
	if !nkeys.IsValidPublicUserKey(pub) {
		return nil, "", fmt.Errorf("%w: not a user seed", ErrConfig)
	}
	return kp, pub, nil
}

func checkSite(s SiteAuth) error {
	if err := checkOrg(s.OrgID); err != nil {
		return err
	}
	if !ValidSiteKey(s.PublicKey) {
		return fmt.Errorf("%w: site %s: %q is not an nkey public user key", ErrConfig, s.OrgID, s.PublicKey)
	}
	return nil
}

func (h *Hub) startServer() error {
	host, portStr, err := net.SplitHostPort(h.cfg.Listen)
	if err != nil {
		return fmt.Errorf("%w: listen %q: %v", ErrConfig, h.cfg.Listen, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("%w: listen %q: %v", ErrConfig, h.cfg.Listen, err)
	}
	if port == 0 {
		port = -1 // the server's "any free port"
	}
	opts := h.options(host, port)
	h.srv, err = server.NewServer(opts)
	if err != nil {
		return fmt.Errorf("alertnet: server: %w", err)
	}
	h.srv.SetLoggerV2(serverLog{h.log}, false, false, false)
	go h.srv.Start()
	if !h.srv.ReadyForConnections(opTimeout) {
		h.srv.Shutdown()
		return fmt.Errorf("alertnet: server not ready after %s", opTimeout)
	}
	addr, ok := h.srv.Addr().(*net.TCPAddr)
	if !ok {
		h.srv.Shutdown()
		return fmt.Errorf("alertnet: server listens on %v, not TCP", h.srv.Addr())
	}
	h.host, h.port = host, addr.Port
	return nil
}

// options builds the embedded server's options for the current site set.
// The caller holds h.mu or has not shared h yet.
func (h *Hub) options(host string, port int) *server.Options {
	users := []*server.NkeyUser{{Nkey: h.hubPub}}
	for _, org := range slices.Sorted(maps.Keys(h.sites)) {
		pub, sub := h.n.sitePermissions(org)
		users = append(users, &server.NkeyUser{
			Nkey: h.sites[org],
			Permissions: &server.Permissions{
				Publish:   &server.SubjectPermission{Allow: pub},
				Subscribe: &server.SubjectPermission{Allow: sub},
			},
		})
	}
	return &server.Options{
		ServerName: "ward-hub",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   h.cfg.Dir,
		NoSigs:     true,
		MaxPayload: maxMsgSize,
		Nkeys:      users,
		TLSConfig:  h.cfg.TLS,
		TLSTimeout: 5,
	}
}

func (h *Hub) ensureStreams(ctx context.Context) error {
	maxAge := h.cfg.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	_, err := h.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        h.n.alerts,
		Description: "ward early-warning alerts",
		Subjects:    []string{h.n.alertsWild()},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      maxAge,
		MaxMsgs:     alertsMaxMsgs,
		MaxBytes:    alertsMaxBytes,
		MaxMsgSize:  maxMsgSize,
		Discard:     jetstream.DiscardOld,
		Duplicates:  dupWindow,
		RePublish:   &jetstream.RePublish{Source: h.n.alertsWild(), Destination: h.n.liveWild()},
	})
	if err != nil {
		return fmt.Errorf("alertnet: stream %s: %w", h.n.alerts, err)
	}
	_, err = h.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        h.n.reports,
		Description: "ward exposure reports from sites",
		Subjects:    []string{h.n.reportsWild()},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		MaxAge:      reportsMaxAge,
		MaxBytes:    reportsMaxBytes,
		MaxMsgSize:  maxMsgSize,
		Duplicates:  dupWindow,
	})
	if err != nil {
		return fmt.Errorf("alertnet: stream %s: %w", h.n.reports, err)
	}
	return nil
}

// External reports whether the hub uses an external NATS server, whose
// users the operator manages.
func (h *Hub) External() bool { return h.srv == nil }

// ClientURL returns the URL sites connect to: the embedded server's
// listener, or the external URL.
func (h *Hub) ClientURL() string {
	if h.srv == nil {
		return h.cfg.URL
	}
	return h.srv.ClientURL() // tls:// when TLS is configured
}

// Publish stores a marshalled envelope for alert a and returns the stream
// sequences it got: one for an alert for everyone, or one per named
// organisation for a restricted alert (TLP:RED, TLP:AMBER+STRICT). It waits
// for the JetStream acknowledgements. Publishing the same alert id again
// within 24 hours stores nothing new and returns the original sequences, so
// a retry after a crash is safe. On error it returns the sequences stored so
// far.
func (h *Hub) Publish(ctx context.Context, a *alert.Alert, env []byte) ([]uint64, error) {
	if h.closed.Load() {
		return nil, ErrClosed
	}
	if a == nil || a.ID == "" {
		return nil, fmt.Errorf("alertnet: publish: %w: the alert needs an id", alert.ErrInvalid)
	}
	type target struct{ subject, msgID string }
	var targets []target
	if a.TLP.Restricted() {
		if len(a.Targets.Organisations) == 0 {
			return nil, fmt.Errorf("alertnet: publish %s: %w: TLP:%s names no organisation", a.ID, alert.ErrInvalid, a.TLP)
		}
		for _, org := range a.Targets.Organisations {
			if err := checkOrg(org); err != nil {
				return nil, fmt.Errorf("alertnet: publish %s: %w", a.ID, err)
			}
			targets = append(targets, target{h.n.alertsOrg(org), a.ID + "/" + org})
		}
	} else {
		targets = append(targets, target{h.n.alertsAll(), a.ID})
	}
	seqs := make([]uint64, 0, len(targets))
	for _, t := range targets {
		actx, cancel := context.WithTimeout(ctx, opTimeout)
		ack, err := h.js.Publish(actx, t.subject, env, jetstream.WithMsgID(t.msgID), jetstream.WithExpectStream(h.n.alerts))
		cancel()
		if err != nil {
			return seqs, fmt.Errorf("alertnet: publish %s to %s: %w", a.ID, t.subject, err)
		}
		seqs = append(seqs, ack.Sequence)
	}
	return seqs, nil
}

// Announce stores a message for every site that is not an alert, such as
// a key announcement, under the message ID id, and returns its stream
// sequence. Sites read it in stream order with the alerts. Announcing the
// same id again within 24 hours stores nothing new and returns the
// original sequence.
func (h *Hub) Announce(ctx context.Context, id string, data []byte) (uint64, error) {
	if h.closed.Load() {
		return 0, ErrClosed
	}
	if id == "" {
		return 0, errors.New("alertnet: announce: an announcement needs an id")
	}
	actx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	ack, err := h.js.Publish(actx, h.n.alertsAll(), data, jetstream.WithMsgID(id), jetstream.WithExpectStream(h.n.alerts))
	if err != nil {
		return 0, fmt.Errorf("alertnet: announce %s: %w", id, err)
	}
	return ack.Sequence, nil
}

// AddSite enrols a site, or replaces its key, and applies the change to the
// running server.
func (h *Hub) AddSite(s SiteAuth) error {
	if err := checkSite(s); err != nil {
		return err
	}
	return h.updateSites(func(sites map[string]string) { sites[s.OrgID] = s.PublicKey })
}

// RevokeSite removes a site's user from the running server and disconnects
// its connections. Revoking an unknown site does nothing.
func (h *Hub) RevokeSite(orgID string) error {
	if err := checkOrg(orgID); err != nil {
		return err
	}
	var pub string
	err := h.updateSites(func(sites map[string]string) {
		pub = sites[orgID]
		delete(sites, orgID)
	})
	if err != nil || pub == "" {
		return err
	}
	return h.disconnect(pub)
}

// updateSites changes the site set and reloads the server's users; if the
// reload fails, the set stays as it was.
func (h *Hub) updateSites(change func(sites map[string]string)) error {
	if h.srv == nil {
		return ErrExternal
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	old := maps.Clone(h.sites)
	change(h.sites)
	if maps.Equal(old, h.sites) {
		return nil // no reload: it would disturb connecting sites for nothing
	}
	if err := h.reload(); err != nil {
		h.sites = old
		return err
	}
	return nil
}

// reload applies h.sites to the server. The caller holds h.mu.
func (h *Hub) reload() error {
	if err := h.srv.ReloadOptions(h.options(h.host, h.port)); err != nil {
		return fmt.Errorf("alertnet: reload users: %w", err)
	}
	return nil
}

// disconnect closes every connection still authenticated with pub.
func (h *Hub) disconnect(pub string) error {
	cz, err := h.srv.Connz(&server.ConnzOptions{Username: true, User: pub, Limit: 1 << 20})
	if err != nil {
		return fmt.Errorf("alertnet: list connections: %w", err)
	}
	var errs []error
	for _, c := range cz.Conns {
		if c.AuthorizedUser == pub {
			if err := h.srv.DisconnectClientByID(c.Cid); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("alertnet: disconnect: %w", err)
	}
	return nil
}

// ConsumeReports hands every site report to fn, with the organisation taken
// from the subject, through the durable consumer "hub". A report is
// acknowledged when fn returns nil and delivered again later when it
// returns an error. It blocks until ctx is done and then returns nil.
func (h *Hub) ConsumeReports(ctx context.Context, fn func(ctx context.Context, orgID string, data []byte) error) error {
	if h.closed.Load() {
		return ErrClosed
	}
	cctx, cancel := context.WithTimeout(ctx, opTimeout)
	cons, err := h.js.CreateOrUpdateConsumer(cctx, h.n.reports, jetstream.ConsumerConfig{
		Durable:       "hub",
		FilterSubject: h.n.reportsWild(),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       reportAckWait,
		MaxDeliver:    -1,
	})
	cancel()
	if err != nil {
		return fmt.Errorf("alertnet: report consumer: %w", err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		org, err := h.n.orgOfReport(m.Subject())
		if err != nil {
			h.log.WarnContext(ctx, "report dropped", slog.String("subject", m.Subject()), slog.Any("error", err))
			_ = m.Term()
			return
		}
		if err := fn(ctx, org, m.Data()); err != nil {
			h.log.WarnContext(ctx, "report handler failed; will retry", slog.String("org", org), slog.Any("error", err))
			_ = m.NakWithDelay(reportNakBackoff)
			return
		}
		if err := m.DoubleAck(ctx); err != nil {
			h.log.WarnContext(ctx, "report ack failed", slog.String("org", org), slog.Any("error", err))
		}
	}, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		h.log.WarnContext(ctx, "report consumer", slog.Any("error", err))
	}))
	if err != nil {
		return fmt.Errorf("alertnet: consume reports: %w", err)
	}
	<-ctx.Done()
	cc.Stop()
	return nil
}

// Close drains the hub's connection and shuts the embedded server down. It
// may be called more than once.
func (h *Hub) Close() error {
	if !h.closed.CompareAndSwap(false, true) {
		return nil
	}
	var err error
	if h.nc != nil {
		closed := make(chan struct{})
		h.nc.SetClosedHandler(func(*nats.Conn) { close(closed) })
		if err = h.nc.Drain(); err == nil {
			select {
			case <-closed:
			case <-time.After(opTimeout):
				h.nc.Close()
			}
		} else {
			h.nc.Close()
		}
	}
	if h.srv != nil {
		h.srv.Shutdown()
		h.srv.WaitForShutdown()
	}
	if err != nil {
		return fmt.Errorf("alertnet: close: %w", err)
	}
	return nil
}
