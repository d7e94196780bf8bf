package alertnet

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"github.com/nats-io/nuid"
)

const (
	liveBuffer    = 8192 // live messages held while a catch-up runs
	fetchBatch    = 256
	consumerIdle  = 30 * time.Second
	retryFirst    = time.Second
	retryMax      = 30 * time.Second
	reconnectWait = 500 * time.Millisecond
)

// SiteConfig configures [ConnectSite].
type SiteConfig struct {
	URL    string      // the hub's [Hub.ClientURL]
	OrgID  string      // the site's organisation id
	Seed   []byte      // nkey user seed; nil only for a server without authentication
	TLS    *tls.Config // optional client TLS (root CAs of the hub's certificate)
	Cursor uint64      // last stream sequence the caller has stored
	// Sink is called once per alert message, in stream order. It returns nil
	// only after the message is stored together with its Seq; an error stops
	// delivery, and the message is offered again on the next catch-up (after
	// a reconnect, or after a back-off of one to thirty seconds).
	Sink   func(ctx context.Context, d Delivery) error
	Prefix string // as the hub's HubConfig.Prefix; "" means DefaultPrefix
	Logger *slog.Logger
}

// Delivery is one alert message for a site.
type Delivery struct {
	Seq     uint64 // stream sequence: store it as the cursor
	Subject string // the stream subject, e.g. ward.alerts.all or ward.alerts.org.<org>
	Data    []byte // the marshalled envelope as published
	Live    bool   // received live rather than read during a catch-up
}

// Site is a hospital's end of the network. Its methods are safe for
// concurrent use.
type Site struct {
	cfg SiteConfig
	n   names
	log *slog.Logger
	nc  *nats.Conn
	js  jetstream.JetStream

	live   chan *nats.Msg
	wake   chan struct{} // catch-up requests from connection callbacks
	cursor atomic.Uint64

	// Owned by the run goroutine (and by ConnectSite before it starts).
	stalled bool
	lastGap uint64
	backoff time.Duration

	cancel   context.CancelFunc
	done     chan struct{} // the run goroutine ended
	gone     chan struct{} // the connection is closed for good
	goneOnce sync.Once
	closed   atomic.Bool
}

// ValidSiteKey reports whether key is an nkey public user key, as
// [NewSiteKey] makes: what a hub checks before it spends an invitation.
func ValidSiteKey(key string) bool { return nkeys.IsValidPublicUserKey(key) }

// NewSiteKey makes a site's nkey user key pair. The seed stays at the site;
// the public key is enrolled at the hub.
func NewSiteKey() (seed []byte, public string, err error) {
	kp, err := nkeys.CreateUser()
	if err != nil {
		return nil, "", fmt.Errorf("alertnet: site key: %w", err)
	}
	if seed, err = kp.Seed(); err != nil {
		return nil, "", fmt.Errorf("alertnet: site key: %w", err)
	}
	if public, err = kp.PublicKey(); err != nil {
		return nil, "", fmt.Errorf("alertnet: site key: %w", err)
	}
	return seed, public, nil
}

// ConnectSite connects a site, subscribes live, catches up from
// cfg.Cursor and returns once the catch-up is done; it keeps receiving live
// messages, and catches up again after every reconnect, until Close. If the
// first catch-up fails (including a Sink error) it closes the connection and
// returns the error; the caller retries later with its stored cursor.
func ConnectSite(ctx context.Context, cfg SiteConfig) (*Site, error) {
	n, err := newNames(cfg.Prefix)
	if err != nil {
		return nil, err
	}
	if err := checkOrg(cfg.OrgID); err != nil {
		return nil, err
	}
	if cfg.URL == "" || cfg.Sink == nil {
		return nil, fmt.Errorf("%w: a site needs URL and Sink", ErrConfig)
	}
	s := &Site{
		cfg: cfg, n: n, log: orDiscard(cfg.Logger).With(slog.String("org", cfg.OrgID)),
		live: make(chan *nats.Msg, liveBuffer), wake: make(chan struct{}, 1),
		done: make(chan struct{}), gone: make(chan struct{}), backoff: retryFirst,
	}
	s.cursor.Store(cfg.Cursor)
	opts := []nats.Option{
		nats.Name("ward-site-" + cfg.OrgID),
		nats.CustomInboxPrefix(inboxPrefix(cfg.OrgID)),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(reconnectWait),
		nats.ReconnectHandler(func(*nats.Conn) { s.poke() }),
		nats.ClosedHandler(func(*nats.Conn) { s.goneOnce.Do(func() { close(s.gone) }) }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				s.log.WarnContext(ctx, "disconnected", slog.Any("error", err))
			}
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			s.log.WarnContext(ctx, "connection error", slog.Any("error", err))
			if errors.Is(err, nats.ErrSlowConsumer) {
				s.poke()
			}
		}),
	}
	if len(cfg.Seed) > 0 {
		kp, pub, err := userKey(cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("site seed: %w", err)
		}
		opts = append(opts, nats.Nkey(pub, kp.Sign))
	}
	if cfg.TLS != nil {
		opts = append(opts, nats.Secure(cfg.TLS))
	}
	if s.nc, err = nats.Connect(cfg.URL, opts...); err != nil {
		return nil, fmt.Errorf("alertnet: site %s: connect: %w", cfg.OrgID, err)
	}
	if err := s.start(ctx); err != nil {
		s.nc.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	go s.run(runCtx)
	return s, nil
}

func (s *Site) start(ctx context.Context) error {
	for _, subj := range []string{s.n.alertsAll(), s.n.alertsOrg(s.cfg.OrgID)} {
		if _, err := s.nc.ChanSubscribe(s.n.live(subj), s.live); err != nil {
			return fmt.Errorf("alertnet: site %s: subscribe: %w", s.cfg.OrgID, err)
		}
	}
	fctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	if err := s.nc.FlushWithContext(fctx); err != nil {
		return fmt.Errorf("alertnet: site %s: subscribe: %w", s.cfg.OrgID, err)
	}
	var err error
	if s.js, err = jetstream.New(s.nc); err != nil {
		return fmt.Errorf("alertnet: site %s: %w", s.cfg.OrgID, err)
	}
	return s.catchUp(ctx)
}

// Done is closed when the site stops for good: after Close, or when the
// server refused it twice in a row (revoked). [Site.Err] then says why.
func (s *Site) Done() <-chan struct{} { return s.gone }

// Err returns the connection's last error, such as an authorization
// violation after a revocation; nil while all is well.
func (s *Site) Err() error { return s.nc.LastError() }

// Connected reports whether the connection to the NATS server is up right
// now (not reconnecting, not closed).
func (s *Site) Connected() bool { return s.nc.IsConnected() }

// OrgID returns the organisation (site) ID the connection reports as.
func (s *Site) OrgID() string { return s.cfg.OrgID }

// Cursor returns the last sequence the Sink accepted.
func (s *Site) Cursor() uint64 { return s.cursor.Load() }

func (s *Site) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Site) run(ctx context.Context) {
	defer close(s.done)
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.gone:
			s.log.WarnContext(ctx, "connection closed for good", slog.Any("error", s.Err()))
			return
		case <-s.wake:
			retry = s.resync(ctx)
		case <-retry:
			retry = s.resync(ctx)
		case m := <-s.live:
			if r := s.onLive(ctx, m); r != nil {
				retry = r
			}
		}
	}
}

// resync catches up and returns when to try again if it failed.
func (s *Site) resync(ctx context.Context) <-chan time.Time {
	if err := s.catchUp(ctx); err != nil {
		return s.fail(ctx, "catch-up failed", err)
	}
	s.stalled, s.backoff = false, retryFirst
	return nil
}

func (s *Site) fail(ctx context.Context, msg string, err error) <-chan time.Time {
	s.stalled = true
	if ctx.Err() != nil {
		return nil
	}
	s.log.WarnContext(ctx, msg, slog.Duration("retry_in", s.backoff), slog.Any("error", err))
	after := time.After(s.backoff)
	s.backoff = min(2*s.backoff, retryMax)
	return after
}

// onLive handles one republished message and returns a retry timer when
// delivery failed.
func (s *Site) onLive(ctx context.Context, m *nats.Msg) <-chan time.Time {
	if s.stalled {
		return nil // the next catch-up reads it from the stream
	}
	seq, err1 := strconv.ParseUint(m.Header.Get(jetstream.SequenceHeader), 10, 64)
	last, err2 := strconv.ParseUint(m.Header.Get("Nats-Last-Sequence"), 10, 64)
	if err := errors.Join(err1, err2); err != nil || seq == 0 {
		s.log.WarnContext(ctx, "live message without stream headers dropped", slog.String("subject", m.Subject))
		return nil
	}
	if seq <= s.cursor.Load() {
		return nil
	}
	if last > s.cursor.Load() && seq != s.lastGap {
		// A message before this one on the same subject never arrived.
		s.lastGap = seq
		if r := s.resync(ctx); r != nil {
			return r
		}
		if seq <= s.cursor.Load() {
			return nil
		}
	}
	d := Delivery{Seq: seq, Subject: m.Header.Get(jetstream.SubjectHeader), Data: m.Data, Live: true}
	if err := s.cfg.Sink(ctx, d); err != nil {
		return s.fail(ctx, "sink refused a live alert", err)
	}
	s.cursor.Store(seq)
	return nil
}

// catchUp reads both subjects from cursor+1 up to a consistent cut of the
// stream and hands the messages to the Sink in sequence order.
//
// Each consumer reads its subject in order, so after the organisation
// consumer was read to its end (at time T), every message up to the last
// sequence read from the broadcast consumer (which was read before T) is
// at hand: those are delivered. The broadcast consumer then reads one more
// batch, and so on. When a batch comes back empty, everything read so far
// was stored before the last T and everything stored before T was read: the
// rest is delivered too, and later messages arrive live.
func (s *Site) catchUp(ctx context.Context) error {
	from := s.cursor.Load() + 1
	org, err := s.reader(ctx, s.n.alertsOrg(s.cfg.OrgID), from)
	if err != nil {
		return err
	}
	defer org.delete(ctx)
	all, err := s.reader(ctx, s.n.alertsAll(), from)
	if err != nil {
		return err
	}
	defer all.delete(ctx)
	var pending []Delivery
	for {
		for {
			n, err := org.fetch(ctx, &pending)
			if err != nil {
				return err
			}
			if n < fetchBatch {
				break
			}
		}
		if err := s.deliver(ctx, &pending, all.lastSeq); err != nil {
			return err
		}
		n, err := all.fetch(ctx, &pending)
		if err != nil {
			return err
		}
		if n == 0 {
			return s.deliver(ctx, &pending, math.MaxUint64)
		}
	}
}

// deliver hands the pending messages up to sequence bound to the Sink, in
// order, and keeps the rest.
func (s *Site) deliver(ctx context.Context, pending *[]Delivery, bound uint64) error {
	p := *pending
	slices.SortFunc(p, func(a, b Delivery) int { return cmp.Compare(a.Seq, b.Seq) })
	i := 0
	for ; i < len(p) && p[i].Seq <= bound; i++ {
		if p[i].Seq <= s.cursor.Load() {
			continue
		}
		if err := s.cfg.Sink(ctx, p[i]); err != nil {
			return fmt.Errorf("alertnet: sink at sequence %d: %w", p[i].Seq, err)
		}
		s.cursor.Store(p[i].Seq)
	}
	*pending = slices.Delete(p, 0, i)
	return nil
}

// reader is one short-lived ephemeral pull consumer on one subject.
type reader struct {
	s       *Site
	cons    jetstream.Consumer
	name    string
	last    uint64 // last consumer sequence read
	lastSeq uint64 // last stream sequence read
}

func (s *Site) reader(ctx context.Context, subject string, from uint64) (*reader, error) {
	name := s.cfg.OrgID + "_" + nuid.Next()
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	cons, err := s.js.CreateConsumer(ctx, s.n.alerts, jetstream.ConsumerConfig{
		Name:              name,
		FilterSubject:     subject,
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       from,
		AckPolicy:         jetstream.AckNonePolicy,
		InactiveThreshold: consumerIdle,
		MemoryStorage:     true,
		Replicas:          1,
	})
	if err != nil {
		return nil, fmt.Errorf("alertnet: site %s: consumer on %s: %w", s.cfg.OrgID, subject, err)
	}
	return &reader{s: s, cons: cons, name: name, lastSeq: from - 1}, nil
}

// fetch appends one batch of what the consumer has now to got and returns
// how many messages it read; fewer than fetchBatch means it reached the end.
func (r *reader) fetch(ctx context.Context, got *[]Delivery) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	batch, err := r.cons.FetchNoWait(fetchBatch)
	if err != nil {
		return 0, fmt.Errorf("alertnet: fetch: %w", err)
	}
	n := 0
	for m := range batch.Messages() {
		md, err := m.Metadata()
		if err != nil {
			return n, fmt.Errorf("alertnet: fetch: %w", err)
		}
		if md.Sequence.Consumer != r.last+1 {
			return n, fmt.Errorf("alertnet: fetch: consumer sequence jumped from %d to %d", r.last, md.Sequence.Consumer)
		}
		r.last, r.lastSeq = md.Sequence.Consumer, md.Sequence.Stream
		*got = append(*got, Delivery{Seq: md.Sequence.Stream, Subject: m.Subject(), Data: m.Data()})
		n++
	}
	if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
		return n, fmt.Errorf("alertnet: fetch: %w", err)
	}
	return n, nil
}

// delete removes the consumer; the server would also drop it when idle.
func (r *reader) delete(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opTimeout)
	defer cancel()
	if err := r.s.js.DeleteConsumer(ctx, r.s.n.alerts, r.name); err != nil {
		r.s.log.DebugContext(ctx, "consumer not deleted", slog.String("consumer", r.name), slog.Any("error", err))
	}
}

// Report publishes an exposure report to the hub and waits for the
// JetStream acknowledgement. A report with a msgID already seen within 24
// hours is stored only once.
func (s *Site) Report(ctx context.Context, msgID string, data []byte) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if msgID == "" {
		return fmt.Errorf("%w: a report needs a message id", ErrConfig)
	}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	if _, err := s.js.Publish(ctx, s.n.report(s.cfg.OrgID), data, jetstream.WithMsgID(msgID), jetstream.WithExpectStream(s.n.reports)); err != nil {
		return fmt.Errorf("alertnet: site %s: report: %w", s.cfg.OrgID, err)
	}
	return nil
}

// Close stops delivery and closes the connection. It may be called more
// than once.
func (s *Site) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	s.cancel()
	<-s.done
	s.nc.Close()
	s.goneOnce.Do(func() { close(s.gone) })
	return nil
}
