package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/demo"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/taxii"
	"github.com/ward-health/ward/internal/web"
)

// runServe runs the site system: the store, the web UI and, with --demo,
// the three sample organisations.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `ADDR`ess")
	withDemo := fs.Bool("demo", false, "seed three sample organisations from the embedded real advisories and print their logins")
	mirror := mirrorFlag(fs)
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure (set it when ward is served over TLS, e.g. behind a proxy)")
	var nf networkFlags
	nf.register(fs)
	var sso web.OIDC
	fs.StringVar(&sso.Issuer, "oidc-issuer", "", "OpenID Connect issuer `URL` for single sign-on (client secret from $WARD_OIDC_CLIENT_SECRET)")
	fs.StringVar(&sso.ClientID, "oidc-client-id", "", "OpenID Connect client `ID` of ward")
	fs.StringVar(&sso.RedirectURL, "oidc-redirect-url", "", "ward's callback `URL` as browsers reach it, ending in /login/oidc/callback")
	fs.StringVar(&sso.Name, "oidc-name", "", "the provider's `NAME` on the sign-in button")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := nf.check(); err != nil {
		return err
	}
	s, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	var (
		logins []demo.Login
		base   *advisory.Set
	)
	if *withDemo {
		if base, err = demo.Bundle(); err != nil {
			return err
		}
	}
	// Feed syncs change findings behind the web interface's back: it hears
	// of them, to refresh live counters.
	var (
		live atomic.Pointer[web.Server]
		hub  atomic.Pointer[ews.Hub] // a hub raises alerts from what feeds bring
	)
	eng, err := engine.New(engine.Config{Store: s, Logger: logger, Base: base, MirrorDir: mirrorDir(*mirror, &sf),
		OnChange: func(org string) {
			if h := live.Load(); h != nil {
				h.NotifyOrg(org)
			}
		},
		OnSynced: func(ctx context.Context, rep *engine.SyncReport, cat *engine.Catalog) {
			if h := hub.Load(); h != nil && nf.rules.Active() {
				h.Raise(ctx, nf.rules, rep, cat)
			}
		}})
	if err != nil {
		return err
	}
	defer eng.Close()
	if *withDemo {
		start := time.Now()
		if logins, err = demo.Seed(ctx, s, base, time.Now().UTC()); err != nil {
			return err
		}
		logger.InfoContext(ctx, "demo ready", slog.Duration("took", time.Since(start).Round(time.Millisecond)))
	}
	// The early-warning network: the hub's half, the site's, or both.
	netw, err := startNetwork(ctx, &nf, &sf, s, logger,
		func(org string, _ store.ReceivedAlert) {
			if h := live.Load(); h != nil {
				h.NotifyOrg(org)
			}
		},
		func(alertID string) {
			if h := live.Load(); h != nil {
				h.NotifyReport(alertID)
			}
		})
	if err != nil {
		return err
	}
	defer netw.close()
	hub.Store(netw.hub)
	if *withDemo && netw.hub != nil {
		if err := demo.SeedContacts(ctx, s, base); err != nil {
			return err
		}
		if _, err := demo.SeedAlert(ctx, s, netw.hub, engine.NewCatalog(base)); err != nil {
			return err
		}
	}
	// Secrets come from the environment, not flags that every user of the
	// machine could read in the process list.
	cfg := web.Config{Store: s, Engine: eng, SecureCookies: *secure, Logger: logger,
		MetricsToken: os.Getenv("WARD_METRICS_TOKEN"), Hub: netw.hub, Site: netw.site}
	if netw.hub != nil {
		cfg.Enroll = func(ctx context.Context, token, natsKey string) (any, error) {
			return netw.hub.Enroll(ctx, token, natsKey, netw.natsURL)
		}
	}
	if sso.Issuer != "" {
		sso.ClientSecret = os.Getenv("WARD_OIDC_CLIENT_SECRET")
		cfg.OIDC = &sso
	}
	h, err := web.New(cfg)
	if err != nil {
		return err
	}
	live.Store(h)
	// The catalog loads from the mirror in the background (/readyz answers
	// 503 until it has), then the feeds are synced on their schedule.
	go func() {
		if err := eng.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			logger.ErrorContext(ctx, "feeds stopped", slog.Any("error", err))
		}
	}()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	var handler http.Handler = h
	if netw.hub != nil {
		// The hub's alerts for MISP, OpenCTI and other TAXII 2.1 clients.
		mux := http.NewServeMux()
		mux.Handle(taxii.Prefix, taxii.New(taxii.Config{Store: s, Name: hubName(ctx, s), Logger: logger}))
		mux.Handle("/", h)
		handler = mux
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	srv.RegisterOnShutdown(h.Close) // end the live event streams, or Shutdown waits for them
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "ward is running at %s\n", url)
	for _, l := range logins {
		what := fmt.Sprintf("(%d findings)", l.Findings)
		if l.Findings == 0 {
			what = "(the hub: writes alerts)"
		}
		fmt.Fprintf(stdout, "  %-36s %-42s password %s  %s\n", l.Organisation, l.Email, l.Password, what)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
