package alertnet

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/testenv"
)

const wait = 20 * time.Second // generous: only a failing test waits this long

// env runs the delivery suite against one kind of server.
type env struct {
	prefix  string
	start   func(t *testing.T) *Hub // (re)starts the hub on the same store
	siteCfg func(t *testing.T, org string) SiteConfig
}

// embeddedEnv is a hub with its embedded server; sites A, B and C enrolled.
func embeddedEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	hubSeed, _, err := NewSiteKey() // any user seed does for the hub
	if err != nil {
		t.Fatal(err)
	}
	seeds := map[string][]byte{}
	var sites []SiteAuth
	for _, org := range []string{"A", "B", "C"} {
		seed, pub, err := NewSiteKey()
		if err != nil {
			t.Fatal(err)
		}
		seeds[org] = seed
		sites = append(sites, SiteAuth{OrgID: org, PublicKey: pub})
	}
	listen := "127.0.0.1:0"
	var url string
	e := &env{prefix: DefaultPrefix}
	e.start = func(t *testing.T) *Hub {
		t.Helper()
		h, err := StartHub(t.Context(), HubConfig{Dir: dir, Listen: listen, HubSeed: hubSeed, Sites: sites, Logger: testLogger(t)})
		if err != nil {
			t.Fatalf("StartHub() = %v", err)
		}
		t.Cleanup(func() { h.Close() })
		url = h.ClientURL()
		listen = net.JoinHostPort("127.0.0.1", strconv.Itoa(h.port)) // a restart keeps the port
		return h
	}
	e.siteCfg = func(t *testing.T, org string) SiteConfig {
		return SiteConfig{URL: url, OrgID: org, Seed: seeds[org], Logger: testLogger(t)}
	}
	return e
}

// externalEnv uses the shared NATS server with a prefix of its own.
func externalEnv(t *testing.T) *env {
	t.Helper()
	url := testenv.NATS(t)
	e := &env{prefix: "t" + nuid.Next()}
	t.Cleanup(func() {
		nc, err := nats.Connect(url)
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		n, _ := newNames(e.prefix)
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		for _, s := range []string{n.alerts, n.reports} {
			if err := js.DeleteStream(ctx, s); err != nil {
				t.Logf("cleanup %s: %v", s, err)
			}
		}
	})
	e.start = func(t *testing.T) *Hub {
		t.Helper()
		h, err := StartHub(t.Context(), HubConfig{URL: url, Prefix: e.prefix, Logger: testLogger(t)})
		if err != nil {
			testenv.Service(t, "NATS with JetStream at "+url, err)
		}
		t.Cleanup(func() { h.Close() })
		return h
	}
	e.siteCfg = func(t *testing.T, org string) SiteConfig {
		return SiteConfig{URL: url, OrgID: org, Prefix: e.prefix, Logger: testLogger(t)}
	}
	return e
}

// testLogger logs warnings to t until the test's cleanups are done.
func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.done = true
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// sink collects deliveries.
type sink struct{ ch chan Delivery }

func newSink() *sink { return &sink{ch: make(chan Delivery, 10000)} }

func (k *sink) fn(_ context.Context, d Delivery) error {
	k.ch <- d
	return nil
}

// next returns the next delivery or fails the test.
func (k *sink) next(t *testing.T) Delivery {
	t.Helper()
	select {
	case d := <-k.ch:
		return d
	case <-time.After(wait):
		t.Fatalf("no delivery within %s", wait)
		return Delivery{}
	}
}

// connect connects site org with cursor, delivering into k.
func (e *env) connect(t *testing.T, org string, cursor uint64, k *sink) *Site {
	t.Helper()
	cfg := e.siteCfg(t, org)
	cfg.Cursor, cfg.Sink = cursor, k.fn
	s, err := ConnectSite(t.Context(), cfg)
	if err != nil {
		t.Fatalf("ConnectSite(%s) = %v", org, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// signer makes real signed envelopes, as the hub does.
type signer struct {
	s   *alert.Signer
	seq uint64
}

func newSigner(t *testing.T) *signer {
	key, err := alert.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return &signer{s: alert.NewSigner(key)}
}

// publish signs and publishes an alert and returns its sequences.
func (sg *signer) publish(t *testing.T, h *Hub, tlp alert.TLP, orgs ...string) (*alert.Alert, []uint64) {
	t.Helper()
	sg.seq++
	a := &alert.Alert{
		ID: fmt.Sprintf("alert-%d-%s", sg.seq, nuid.Next()), Issued: time.Now().UTC(), Sequence: sg.seq,
		Title: "Exploited flaw", Summary: "Patch now.", Actions: "Isolate the device.",
		Severity: alert.High, TLP: tlp, Targets: alert.Targets{Organisations: orgs},
	}
	env, err := sg.s.Sign(a)
	if err != nil {
		t.Fatalf("Sign() = %v", err)
	}
	data, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := h.Publish(t.Context(), a, data)
	if err != nil {
		t.Fatalf("Publish(%s) = %v", a.ID, err)
	}
	return a, seqs
}

func (e *env) testFanout(t *testing.T) {
	h := e.start(t)
	sg := newSigner(t)
	sinks := map[string]*sink{}
	for _, org := range []string{"A", "B", "C"} {
		sinks[org] = newSink()
		e.connect(t, org, 0, sinks[org])
	}
	_, all := sg.publish(t, h, alert.TLPGreen)
	_, red := sg.publish(t, h, alert.TLPRed, "B")
	_, marker := sg.publish(t, h, alert.TLPClear)
	if len(all) != 1 || len(red) != 1 || len(marker) != 1 {
		t.Fatalf("sequences %v %v %v: want one each", all, red, marker)
	}
	want := map[string][]uint64{"A": {all[0], marker[0]}, "B": {all[0], red[0], marker[0]}, "C": {all[0], marker[0]}}
	for org, k := range sinks {
		var got []uint64
		for range want[org] {
			got = append(got, k.next(t).Seq)
		}
		if diff := cmp.Diff(want[org], got); diff != "" {
			t.Errorf("site %s sequences (-want +got):\n%s", org, diff)
		}
	}
	// Nothing after the marker: a duplicate would show up here.
	sg.publish(t, h, alert.TLPClear)
	for org, k := range sinks {
		if d := k.next(t); d.Seq != marker[0]+1 || d.Subject != e.prefix+".alerts.all" {
			t.Errorf("site %s: got %d on %s after the marker, want %d on %s.alerts.all", org, d.Seq, d.Subject, marker[0]+1, e.prefix)
		}
	}
}

func (e *env) testCatchUp(t *testing.T) {
	h := e.start(t)
	sg := newSigner(t)
	k := newSink()
	s := e.connect(t, "A", 0, k)
	sg.publish(t, h, alert.TLPClear)
	cursor := k.next(t).Seq
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var want []uint64
	for i := range 5 {
		var seqs []uint64
		if i%2 == 0 {
			_, seqs = sg.publish(t, h, alert.TLPClear)
		} else {
			_, seqs = sg.publish(t, h, alert.TLPAmberStrict, "A", "B")
		}
		want = append(want, seqs[0]) // A's copy is the first
		if i == 2 {
			sg.publish(t, h, alert.TLPRed, "C") // not for A
		}
	}
	k2 := newSink()
	e.connect(t, "A", cursor, k2)
	var got []uint64
	for range want {
		d := k2.next(t)
		if d.Live {
			t.Errorf("sequence %d came live; want it from the catch-up", d.Seq)
		}
		got = append(got, d.Seq)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("catch-up sequences (-want +got):\n%s", diff)
	}
	_, marker := sg.publish(t, h, alert.TLPClear)
	if d := k2.next(t); d.Seq != marker[0] {
		t.Errorf("after catch-up got %d, want the marker %d", d.Seq, marker[0])
	}
}

func (e *env) testHubRestart(t *testing.T) {
	h := e.start(t)
	sg := newSigner(t)
	k := newSink()
	e.connect(t, "B", 0, k)
	var want []uint64
	for range 2 {
		_, seqs := sg.publish(t, h, alert.TLPClear)
		want = append(want, seqs...)
	}
	for range 2 {
		k.next(t)
	}
	if err := h.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	h = e.start(t)
	for i := range 3 {
		tlp, orgs := alert.TLPClear, []string(nil)
		if i == 1 {
			tlp, orgs = alert.TLPRed, []string{"B"}
		}
		_, seqs := sg.publish(t, h, tlp, orgs...)
		want = append(want, seqs...)
	}
	var got []uint64
	for range 3 {
		got = append(got, k.next(t).Seq)
	}
	if diff := cmp.Diff(want[2:], got); diff != "" {
		t.Errorf("after restart (-want +got):\n%s", diff)
	}
	_, marker := sg.publish(t, h, alert.TLPClear)
	if d := k.next(t); d.Seq != marker[0] {
		t.Errorf("after restart got %d, want the marker %d", d.Seq, marker[0])
	}
}

func runSuite(t *testing.T, mk func(*testing.T) *env) {
	for _, tc := range []struct {
		name string
		run  func(*env, *testing.T)
	}{
		{"fanout", (*env).testFanout},
		{"catch-up", (*env).testCatchUp},
		{"hub restart", (*env).testHubRestart},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(mk(t), t) })
	}
}

func TestDelivery_embedded(t *testing.T) { runSuite(t, embeddedEnv) }
func TestDelivery_external(t *testing.T) { runSuite(t, externalEnv) }

// rawSite connects as an enrolled site without the Site logic, to try what
// the server must refuse. Asynchronous errors go to errs.
func rawSite(t *testing.T, e *env, org string, errs chan<- error, disconnected chan<- struct{}) *nats.Conn {
	t.Helper()
	cfg := e.siteCfg(t, org)
	kp, pub, err := userKey(cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(cfg.URL, nats.Nkey(pub, kp.Sign), nats.CustomInboxPrefix(inboxPrefix(org)),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case errs <- err:
			default:
			}
		}),
		nats.DisconnectErrHandler(func(*nats.Conn, error) {
			select {
			case disconnected <- struct{}{}:
			default:
			}
		}))
	if err != nil {
		t.Fatalf("connect as %s: %v", org, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// nextErr waits for an asynchronous error and checks its text.
func nextErr(t *testing.T, errs <-chan error, contains string) {
	t.Helper()
	select {
	case err := <-errs:
		if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(contains)) {
			t.Errorf("async error %q, want one containing %q", err, contains)
		}
	case <-time.After(wait):
		t.Errorf("no error containing %q", contains)
	}
}

func TestHub_sitePermissions(t *testing.T) {
	e := embeddedEnv(t)
	h := e.start(t)
	n, _ := newNames(e.prefix)
	errs := make(chan error, 10)
	disconnected := make(chan struct{}, 1)
	nc := rawSite(t, e, "A", errs, disconnected)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	consumer := func(filter string) error {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second) // ample for an allowed create
		defer cancel()
		_, err := js.CreateConsumer(ctx, n.alerts, jetstream.ConsumerConfig{
			Name: "A_" + nuid.Next(), FilterSubject: filter, AckPolicy: jetstream.AckNonePolicy, InactiveThreshold: time.Minute,
		})
		return err
	}

	t.Run("own subjects allowed", func(t *testing.T) {
		for _, f := range []string{n.alertsAll(), n.alertsOrg("A")} {
			if err := consumer(f); err != nil {
				t.Errorf("consumer on %s = %v, want nil", f, err)
			}
		}
		if _, err := nc.SubscribeSync(n.live(n.alertsOrg("A"))); err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-errs:
			t.Errorf("unexpected async error %v", err)
		default:
		}
	})
	t.Run("other org live subject", func(t *testing.T) {
		if _, err := nc.SubscribeSync(n.live(n.alertsOrg("B"))); err != nil {
			t.Fatal(err)
		}
		nextErr(t, errs, "permissions violation for subscription")
	})
	t.Run("other org consumer", func(t *testing.T) {
		for _, f := range []string{n.alertsOrg("B"), n.alertsWild(), n.prefix + ".alerts.org.*"} {
			if err := consumer(f); err == nil {
				t.Errorf("consumer on %s = nil, want an error", f)
			}
			nextErr(t, errs, "permissions violation for publish")
		}
	})
	t.Run("publish alerts and others' reports", func(t *testing.T) {
		for _, subj := range []string{n.alertsAll(), n.alertsOrg("A"), n.report("B"), n.live(n.alertsAll())} {
			if err := nc.Publish(subj, []byte("forged")); err != nil {
				t.Fatal(err)
			}
			nextErr(t, errs, "permissions violation for publish")
		}
		for _, stream := range []string{n.alerts, n.reports} {
			s, err := h.js.Stream(t.Context(), stream)
			if err != nil {
				t.Fatal(err)
			}
			if info, err := s.Info(t.Context()); err != nil || info.State.Msgs != 0 {
				t.Errorf("stream %s holds %d messages (%v), want 0", stream, info.State.Msgs, err)
			}
		}
	})
	t.Run("other inboxes", func(t *testing.T) {
		if _, err := nc.SubscribeSync("_INBOX.>"); err != nil {
			t.Fatal(err)
		}
		nextErr(t, errs, "permissions violation for subscription")
	})
	t.Run("revoked", func(t *testing.T) {
		site := e.connect(t, "A", 0, newSink())
		if err := h.RevokeSite("A"); err != nil {
			t.Fatalf("RevokeSite() = %v", err)
		}
		select {
		case <-disconnected:
		case <-time.After(wait):
			t.Fatal("revoked site still connected")
		}
		select {
		case <-site.Done():
			if !errors.Is(site.Err(), nats.ErrAuthorization) {
				t.Errorf("Err() = %v, want %v", site.Err(), nats.ErrAuthorization)
			}
		case <-time.After(wait):
			t.Fatal("revoked Site not done")
		}
		cfg := e.siteCfg(t, "A")
		cfg.Sink = newSink().fn
		if s, err := ConnectSite(t.Context(), cfg); err == nil {
			s.Close()
			t.Fatal("ConnectSite() after revocation = nil, want an error")
		}
		// Enrolling again lets it back in.
		_, pub, _ := userKey(cfg.Seed)
		if err := h.AddSite(SiteAuth{OrgID: "A", PublicKey: pub}); err != nil {
			t.Fatalf("AddSite() = %v", err)
		}
		s, err := ConnectSite(t.Context(), cfg)
		if err != nil {
			t.Fatalf("ConnectSite() after AddSite = %v", err)
		}
		s.Close()
	})
}

func TestHub_ConsumeReports(t *testing.T) {
	e := embeddedEnv(t)
	h := e.start(t)
	s := e.connect(t, "C", 0, newSink())
	type report struct{ Org, Data string }
	got := make(chan report, 10)
	calls := 0
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- h.ConsumeReports(ctx, func(_ context.Context, org string, data []byte) error {
			calls++
			if calls == 1 {
				return fmt.Errorf("database down") // redelivered later
			}
			got <- report{org, string(data)}
			return nil
		})
	}()
	// The payload claims another organisation; the subject decides.
	if err := s.Report(t.Context(), "r-1", []byte(`{"org":"A"}`)); err != nil {
		t.Fatalf("Report() = %v", err)
	}
	if err := s.Report(t.Context(), "r-1", []byte(`{"org":"A"}`)); err != nil {
		t.Fatalf("Report() again = %v", err)
	}
	select {
	case r := <-got:
		if diff := cmp.Diff(report{"C", `{"org":"A"}`}, r); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
	case <-time.After(wait):
		t.Fatal("no report")
	}
	if err := s.Report(t.Context(), "r-2", []byte("second")); err != nil {
		t.Fatalf("Report() = %v", err)
	}
	select {
	case r := <-got:
		if r.Data != "second" {
			t.Errorf("got %q after the first report, want %q (the duplicate must be dropped)", r.Data, "second")
		}
	case <-time.After(wait):
		t.Fatal("no second report")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ConsumeReports() = %v", err)
	}
}

func TestSite_sinkErrorRetries(t *testing.T) {
	e := embeddedEnv(t)
	h := e.start(t)
	sg := newSigner(t)
	k := newSink()
	failed := false
	cfg := e.siteCfg(t, "A")
	cfg.Sink = func(ctx context.Context, d Delivery) error {
		if !failed && d.Seq == 2 {
			failed = true
			return fmt.Errorf("disk full")
		}
		return k.fn(ctx, d)
	}
	s, err := ConnectSite(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	for range 3 {
		sg.publish(t, h, alert.TLPClear)
	}
	var got []uint64
	for range 3 {
		got = append(got, k.next(t).Seq)
	}
	if diff := cmp.Diff([]uint64{1, 2, 3}, got); diff != "" {
		t.Errorf("sequences (-want +got):\n%s", diff)
	}
}

func TestPublish_badInput(t *testing.T) {
	e := embeddedEnv(t)
	h := e.start(t)
	for _, tc := range []struct {
		name string
		a    *alert.Alert
	}{
		{"nil", nil},
		{"no id", &alert.Alert{TLP: alert.TLPClear}},
		{"red without orgs", &alert.Alert{ID: "x", TLP: alert.TLPRed}},
		{"org not a token", &alert.Alert{ID: "x", TLP: alert.TLPRed, Targets: alert.Targets{Organisations: []string{"a.b"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := h.Publish(t.Context(), tc.a, []byte("{}")); err == nil {
				t.Error("Publish() = nil, want an error")
			}
		})
	}
}

// TestSite_liveGap loses a live message on purpose (the stream stops
// republishing for one alert) and checks that the next live message's
// Nats-Last-Sequence makes the site catch up, in order.
func TestSite_liveGap(t *testing.T) {
	e := embeddedEnv(t)
	h := e.start(t)
	sg := newSigner(t)
	k := newSink()
	e.connect(t, "A", 0, k)
	_, first := sg.publish(t, h, alert.TLPClear)
	if d := k.next(t); d.Seq != first[0] {
		t.Fatalf("got %d, want %d", d.Seq, first[0])
	}
	stream, err := h.js.Stream(t.Context(), h.n.alerts)
	if err != nil {
		t.Fatal(err)
	}
	cfg := stream.CachedInfo().Config
	quiet := cfg
	quiet.RePublish = nil
	if _, err := h.js.UpdateStream(t.Context(), quiet); err != nil {
		t.Fatalf("UpdateStream() = %v", err)
	}
	_, lost := sg.publish(t, h, alert.TLPClear)
	if _, err := h.js.UpdateStream(t.Context(), cfg); err != nil {
		t.Fatalf("UpdateStream() = %v", err)
	}
	_, next := sg.publish(t, h, alert.TLPClear)
	// The catch-up reads the lost one and, being stored already, the next.
	want := []Delivery{{Seq: lost[0]}, {Seq: next[0]}}
	var got []Delivery
	for range want {
		d := k.next(t)
		got = append(got, Delivery{Seq: d.Seq, Live: d.Live})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("deliveries after the gap (-want +got):\n%s", diff)
	}
	_, marker := sg.publish(t, h, alert.TLPClear)
	if d := k.next(t); d.Seq != marker[0] {
		t.Errorf("got %d, want the marker %d", d.Seq, marker[0])
	}
}

// selfSigned returns a server TLS config for 127.0.0.1 and a client config
// that trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	c := testenv.SelfSigned(t)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.CertPEM)
	return c.Server, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

func TestHub_TLS(t *testing.T) {
	srvTLS, cliTLS := selfSigned(t)
	hubSeed, _, _ := NewSiteKey()
	seed, pub, err := NewSiteKey()
	if err != nil {
		t.Fatal(err)
	}
	h, err := StartHub(t.Context(), HubConfig{Dir: t.TempDir(), Listen: "127.0.0.1:0", HubSeed: hubSeed, TLS: srvTLS,
		Sites: []SiteAuth{{OrgID: "A", PublicKey: pub}}, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("StartHub() = %v", err)
	}
	t.Cleanup(func() { h.Close() })
	if !strings.HasPrefix(h.ClientURL(), "tls://") {
		t.Errorf("ClientURL() = %q, want tls://", h.ClientURL())
	}
	k := newSink()
	cfg := SiteConfig{URL: h.ClientURL(), OrgID: "A", Seed: seed, TLS: cliTLS, Sink: k.fn, Logger: testLogger(t)}
	s, err := ConnectSite(t.Context(), cfg)
	if err != nil {
		t.Fatalf("ConnectSite() over TLS = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	_, seqs := newSigner(t).publish(t, h, alert.TLPClear)
	if d := k.next(t); d.Seq != seqs[0] {
		t.Errorf("got %d, want %d", d.Seq, seqs[0])
	}
	cfg.TLS = &tls.Config{MinVersion: tls.VersionTLS12} // does not trust the hub
	if s, err := ConnectSite(t.Context(), cfg); err == nil {
		s.Close()
		t.Error("ConnectSite() without the hub's CA = nil, want an error")
	}
}

// TestSite_catchUpLarge reads a backlog of several fetch batches with the
// site's own restricted alerts mixed in, in order.
func TestSite_catchUpLarge(t *testing.T) {
	e := embeddedEnv(t)
	h := e.start(t)
	sg := newSigner(t)
	var want []uint64
	for i := range 3*fetchBatch + 17 {
		tlp, orgs := alert.TLPGreen, []string(nil)
		switch i % 7 {
		case 3:
			tlp, orgs = alert.TLPRed, []string{"A"}
		case 5:
			tlp, orgs = alert.TLPRed, []string{"B"} // not for A
		}
		_, seqs := sg.publish(t, h, tlp, orgs...)
		if i%7 != 5 {
			want = append(want, seqs[0])
		}
	}
	k := newSink()
	e.connect(t, "A", 0, k)
	var got []uint64
	for range want {
		got = append(got, k.next(t).Seq)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("catch-up sequences (-want +got):\n%s", diff)
	}
}
