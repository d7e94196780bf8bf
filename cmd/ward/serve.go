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
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/demo"
	"github.com/ward-health/ward/internal/engine"
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
	if err := parseFlags(fs, args); err != nil {
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
	eng, err := engine.New(engine.Config{Store: s, Logger: logger, Base: base, MirrorDir: mirrorDir(*mirror, &sf)})
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
	// The catalog loads from the mirror in the background (/readyz answers
	// 503 until it has), then the feeds are synced on their schedule.
	go func() {
		if err := eng.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			logger.ErrorContext(ctx, "feeds stopped", slog.Any("error", err))
		}
	}()
	h, err := web.New(web.Config{Store: s, Engine: eng, SecureCookies: *secure, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "ward is running at %s\n", url)
	for _, l := range logins {
		fmt.Fprintf(stdout, "  %-36s %-42s password %s  (%d findings)\n", l.Organisation, l.Email, l.Password, l.Findings)
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
