package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/ward-health/ward/internal/alertnet"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
)

// The roles of a node in the early-warning network.
const (
	roleStandalone = "standalone" // hub and site in one process: the demo, a single organisation
	roleHub        = "hub"        // the sector support centre
	roleSite       = "site"       // a hospital, practice or EMS service
)

// networkFlags are ward serve's flags of the early-warning network.
type networkFlags struct {
	role        string
	natsListen  string
	natsURL     string
	natsPublic  string
	natsCert    string      // PEM certificate file of the embedded server's TLS
	natsKey     string      // its private key file
	serverTLS   *tls.Config // loaded by check from natsCert and natsKey
	natsTrust   []byte      // the PEM certificates enrolment hands sites
	smtp        ews.SMTP
	rules       ews.Rules
	shareAssets bool
}

func (f *networkFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.role, "role", roleStandalone, "`ROLE` of this node: hub, site or standalone (both in one process)")
	fs.StringVar(&f.natsListen, "nats-listen", "", "`ADDR` where the hub's embedded NATS server accepts sites (default 0.0.0.0:4222 for a hub, a loopback port for standalone)")
	fs.StringVar(&f.natsURL, "nats", "", "external NATS `URL` for the hub instead of the embedded server (for scale)")
	fs.StringVar(&f.natsPublic, "nats-advertise", "", "NATS `URL` that enrolment tells sites (default: from --nats-listen or --nats)")
	fs.StringVar(&f.natsCert, "nats-tls-cert", "", "PEM certificate `FILE` (chain) of the embedded NATS server: sites must then use TLS and trust these certificates")
	fs.StringVar(&f.natsKey, "nats-tls-key", "", "PEM private key `FILE` of --nats-tls-cert")
	fs.StringVar(&f.smtp.Addr, "smtp", "", "mail relay `HOST:PORT` for e-mail notifications (password in $WARD_SMTP_PASSWORD)")
	fs.StringVar(&f.smtp.From, "smtp-from", "ward@localhost", "sender `ADDRESS` of e-mail notifications")
	fs.StringVar(&f.smtp.User, "smtp-user", "", "mail relay `USER` (empty: no authentication)")
	fs.BoolVar(&f.shareAssets, "share-assets", false, "site: send the hub the affected assets' details (name, vendor, product, version) with every report, not only for the alerts where someone shares them")
	fs.BoolVar(&f.rules.KEV, "alert-kev", false, "hub: raise an alert for every CVE added to CISA KEV")
	fs.Float64Var(&f.rules.MinCVSS, "alert-cvss", 0, "hub: raise an alert for every new advisory with a CVSS `SCORE` at least this high (0: off)")
	fs.BoolVar(&f.rules.MedicalOnly, "alert-medical-only", true, "hub: --alert-cvss only for medical-device advisories")
}

func (f *networkFlags) check() error {
	switch f.role {
	case roleStandalone, roleHub, roleSite:
	default:
		return fmt.Errorf("%w: --role %q: want hub, site or standalone", errUsage, f.role)
	}
	if f.role == roleSite && (f.natsListen != "" || f.natsURL != "" || f.natsCert != "") {
		return fmt.Errorf("%w: --nats-listen, --nats and --nats-tls-cert are the hub's; a site learns its hub's address when it enrols", errUsage)
	}
	if (f.natsCert == "") != (f.natsKey == "") {
		return fmt.Errorf("%w: --nats-tls-cert and --nats-tls-key go together", errUsage)
	}
	if f.natsCert != "" && f.natsURL != "" {
		return fmt.Errorf("%w: --nats-tls-cert is the embedded server's; the external server of --nats has its own TLS", errUsage)
	}
	var err error
	f.serverTLS, f.natsTrust, err = f.natsTLS()
	return err
}

// natsTLS loads the embedded server's certificate and key, and returns its
// TLS configuration and the PEM certificates that enrolment hands sites to
// trust; nil, nil without --nats-tls-cert.
func (f *networkFlags) natsTLS() (*tls.Config, []byte, error) {
	if f.natsCert == "" {
		return nil, nil, nil
	}
	pair, err := tls.LoadX509KeyPair(f.natsCert, f.natsKey)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: --nats-tls-cert, --nats-tls-key: %v", errUsage, err)
	}
	var trust []byte
	for _, der := range pair.Certificate {
		trust = append(trust, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, trust, nil
}

// network is the running early-warning service of a node.
type network struct {
	hub     *ews.Hub
	net     *alertnet.Hub
	site    *ews.Site
	natsURL string // what enrolment tells sites
	natsCA  []byte // and the certificates it hands them, for TLS
}

// startNetwork starts the hub's half (hub, standalone) and the site's half
// (site, standalone) of the early-warning service. onAlert tells the web
// interface of a received alert; onReport of a site's report.
func startNetwork(ctx context.Context, f *networkFlags, sf *storeFlags, s store.Store, logger *slog.Logger,
	onAlert func(org string, a store.ReceivedAlert), onReport func(alertID string)) (*network, error) {
	n := &network{}
	log := logger.With(slog.String("part", "ews"))
	if f.role != roleSite {
		listen := f.natsListen
		if listen == "" {
			listen = "127.0.0.1:0"
			if f.role == roleHub {
				listen = "0.0.0.0:4222"
			}
		}
		sites, err := ews.EnrolledSites(ctx, s)
		if err != nil {
			return nil, err
		}
		cfg := alertnet.HubConfig{Dir: filepath.Join(sf.data, "nats"), Listen: listen, URL: f.natsURL, Sites: sites, TLS: f.serverTLS, Logger: log}
		if f.natsURL == "" {
			// The hub's own user of its embedded server, made anew at each
			// start: no secret to keep.
			if cfg.HubSeed, _, err = alertnet.NewSiteKey(); err != nil {
				return nil, err
			}
		}
		if n.net, err = alertnet.StartHub(ctx, cfg); err != nil {
			return nil, fmt.Errorf("early warning: %w", err)
		}
		n.natsURL, n.natsCA = f.natsPublic, f.natsTrust
		if n.natsURL == "" {
			n.natsURL = n.net.ClientURL()
		}
		if n.hub, err = ews.NewHub(ctx, ews.HubConfig{Store: s, Net: n.net, Logger: log, OnReport: onReport, NATSCA: n.natsCA}); err != nil {
			n.close()
			return nil, err
		}
		go func() {
			if err := n.hub.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				log.ErrorContext(ctx, "hub stopped", slog.Any("error", err))
			}
		}()
		log.InfoContext(ctx, "hub ready", slog.String("nats", n.natsURL), slog.Int("sites", len(sites)))
	}
	if f.role != roleHub {
		smtp := f.smtp
		smtp.Password = os.Getenv("WARD_SMTP_PASSWORD")
		n.site = ews.NewSite(ews.SiteConfig{Store: s, Logger: log, OnAlert: onAlert, ShareAssets: f.shareAssets,
			Notifier: &ews.Notifier{Store: s, SMTP: &smtp},
			Assets:   func(ctx context.Context, org string) ([]inventory.Asset, error) { return engine.AllAssets(ctx, s, org) }})
		if f.role == roleStandalone {
			if err := n.enrollLocal(ctx, s); err != nil {
				n.close()
				return nil, err
			}
		}
		if err := n.site.Start(ctx); err != nil {
			n.close()
			return nil, err
		}
		// The hub learns of mitigations within ten minutes.
		go n.site.Run(ctx, 10*time.Minute) //nolint:errcheck // ends with ctx
	}
	return n, nil
}

// enrollLocal enrols every organisation of a standalone node that has no
// hub yet, but the hub's operator, with the node's own hub, so alerts flow
// to them over NATS as they would between machines. Those enrolled at an
// earlier start learn the embedded server's address of this one (a
// loopback port chosen anew at each start).
func (n *network) enrollLocal(ctx context.Context, s store.Store) error {
	orgs, err := store.All(ctx, s.ListOrgs)
	if err != nil {
		return err
	}
	sites, err := store.All(ctx, s.ListSites)
	if err != nil {
		return err
	}
	own := map[string]bool{} // sites of this node's hub
	for _, site := range sites {
		own[site.ID] = true
	}
	for _, o := range orgs {
		if o.Kind == store.KindHub {
			continue // the hub's operator, not a site
		}
		if l, err := s.HubLink(ctx, o.ID); err == nil {
			if own[l.SiteID] && (l.NATSURL != n.natsURL || !bytes.Equal(l.NATSCA, n.natsCA)) {
				l.NATSURL, l.NATSCA = n.natsURL, n.natsCA
				if err := s.SetHubLink(ctx, o.ID, l); err != nil {
					return err
				}
			}
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		token, err := n.hub.Invite(ctx, store.SiteInvite{Name: o.Name, Kind: o.Kind, Country: o.Country, CreatedBy: "standalone"}, time.Minute)
		if err != nil {
			return err
		}
		if _, err := ews.EnrollWith(ctx, s, o.ID, func(ctx context.Context, key string) (ews.Enrollment, error) {
			return n.hub.Enroll(ctx, token, key, n.natsURL)
		}); err != nil {
			return err
		}
	}
	return nil
}

func (n *network) close() {
	if n.site != nil {
		n.site.Close()
	}
	if n.net != nil {
		n.net.Close()
	}
}

// hubName is the name of the organisation that runs the hub, for what the
// hub publishes under its name; "ward hub" when there is none.
func hubName(ctx context.Context, s store.Store) string {
	orgs, err := store.All(ctx, s.ListOrgs)
	if err == nil {
		for _, o := range orgs {
			if o.Kind == store.KindHub {
				return o.Name
			}
		}
	}
	return "ward hub"
}
