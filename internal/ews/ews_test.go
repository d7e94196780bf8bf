package ews_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/alertnet"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/synth"
	"github.com/ward-health/ward/internal/testenv"
)

// The real CSAF advisories the feed tests serve.
const testdataCSAF = "../feed/testdata/csaf"

// node is one ward node: its store and, for a site, its organisation.
type node struct {
	store store.Store
	org   string
}

func openNode(t *testing.T, name string) *node {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), name+".db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &node{store: s}
}

// siteNode makes a site whose inventory, drawn from real advisories'
// products, has findings; it returns the site and a CVE it is affected by.
func siteNode(t *testing.T, name string, kind store.OrgKind, seed uint64) (*node, string) {
	t.Helper()
	ctx := t.Context()
	n := openNode(t, name)
	org, err := n.store.CreateOrg(ctx, store.Organisation{Name: name, Kind: kind, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	n.org = org.ID
	set, err := advisory.Load(ctx, []string{testdataCSAF}, advisory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.store.ImportAssets(ctx, org.ID, synth.NewPool(set.Advisories).Generate(200, seed, "a"), store.Merge); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Store: n.store, Base: set})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	if _, err := eng.Rescan(ctx, org.ID); err != nil {
		t.Fatal(err)
	}
	p, err := n.store.ListFindings(ctx, org.ID, store.FindingFilter{}, store.ListOptions{Limit: 1})
	if err != nil || len(p.Items) == 0 || p.Items[0].Key.VulnID == "" {
		t.Fatalf("no finding with a CVE at %s: %v %v", name, p.Items, err)
	}
	return n, p.Items[0].Key.VulnID
}

// hubFixture is a hub with its transport on a loopback port.
type hubFixture struct {
	*node
	net *alertnet.Hub
	hub *ews.Hub
	dir string
}

func startHub(t *testing.T) *hubFixture { return startHubTLS(t, nil) }

// startHubTLS starts a hub whose NATS server, when cert is not nil,
// requires TLS with cert, which enrolment hands the sites.
func startHubTLS(t *testing.T, cert *testenv.Cert) *hubFixture {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	h := &hubFixture{node: openNode(t, "hub"), dir: t.TempDir()}
	seed, _, err := alertnet.NewSiteKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg, hcfg := alertnet.HubConfig{Dir: h.dir, Listen: "127.0.0.1:0", HubSeed: seed}, ews.HubConfig{Store: h.store, Poll: 50 * time.Millisecond}
	if cert != nil {
		cfg.TLS, hcfg.NATSCA = cert.Server, cert.CertPEM
	}
	h.net, err = alertnet.StartHub(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.net.Close() })
	hcfg.Net = h.net
	h.hub, err = ews.NewHub(ctx, hcfg)
	if err != nil {
		t.Fatal(err)
	}
	go h.hub.Run(ctx) //nolint:errcheck // ends with the test
	return h
}

// enroll invites n's organisation at the hub and enrols it, then connects.
func (h *hubFixture) enroll(t *testing.T, n *node, s *ews.Site) store.HubLink {
	t.Helper()
	ctx := t.Context()
	o, err := n.store.Org(ctx, n.org)
	if err != nil {
		t.Fatal(err)
	}
	token, err := h.hub.Invite(ctx, store.SiteInvite{Name: o.Name, Kind: o.Kind, Country: o.Country, CreatedBy: "test"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ews.EnrollWith(ctx, n.store, n.org, func(ctx context.Context, key string) (ews.Enrollment, error) {
		return h.hub.Enroll(ctx, token, key, h.net.ClientURL())
	})
	if err != nil {
		t.Fatalf("EnrollWith() = %v", err)
	}
	if err := s.Connect(ctx, l); err != nil {
		t.Fatalf("Connect() = %v", err)
	}
	return l
}

func newSite(t *testing.T, n *node) *ews.Site {
	s := ews.NewSite(ews.SiteConfig{Store: n.store, Notifier: &ews.Notifier{Store: n.store},
		Assets: func(ctx context.Context, org string) ([]inventory.Asset, error) {
			return engine.AllAssets(ctx, n.store, org)
		}})
	t.Cleanup(func() { s.Close() })
	return s
}

// eventually polls cond until it holds or 20 seconds passed.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func received(t *testing.T, n *node) []store.ReceivedAlert {
	t.Helper()
	p, err := n.store.ListReceivedAlerts(t.Context(), n.org, store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func newAlert(title string, cves ...string) *alert.Alert {
	return &alert.Alert{Title: title, Summary: "A flaw in a device you may run is exploited.", Actions: "Check the device; isolate it.",
		Severity: alert.Critical, TLP: alert.TLPClear, CVEs: cves}
}

func TestAlert_DeliveredMatchedReported(t *testing.T) {
	ctx := t.Context()
	h := startHub(t)
	var (
		sites []*node
		cve   string // one the first site is affected by
	)
	for i, kind := range []store.OrgKind{store.KindHospital, store.KindPractice, store.KindEMS} {
		n, c := siteNode(t, string(kind), kind, uint64(i+1))
		if i == 0 {
			cve = c
		}
		sites = append(sites, n)
	}
	var services []*ews.Site
	for _, n := range sites {
		s := newSite(t, n)
		h.enroll(t, n, s)
		services = append(services, s)
	}
	// The hospital's SIEM takes critical alerts by webhook.
	hooks := newInbox()
	if _, err := sites[0].store.AddChannel(ctx, sites[0].org, store.Channel{Kind: store.ChannelWebhook,
		Target: webhookServer(t, hooks, "k"), MinSeverity: "critical", Secret: "k"}); err != nil {
		t.Fatal(err)
	}
	rec, err := h.hub.Publish(ctx, newAlert("Exploited flaw", cve), "analyst")
	if err != nil {
		t.Fatalf("Publish() = %v", err)
	}
	for _, n := range sites {
		eventually(t, "the alert matched at "+n.org, func() bool {
			got := received(t, n)
			return len(got) == 1 && !got[0].MatchedAt.IsZero()
		})
		if got := received(t, n)[0]; got.ID != rec.ID || got.Title != "Exploited flaw" {
			t.Errorf("received %+v, want alert %s", got, rec.ID)
		}
	}
	if got := received(t, sites[0])[0]; !got.Affected || got.Assets["act"]+got.Assets["attend"]+got.Assets["track*"]+got.Assets["track"]+got.Assets["none"] == 0 {
		t.Errorf("first site: affected %v, assets %v; want affected with counts", got.Affected, got.Assets)
	}
	hooks.wait(t, "webhook", 1)
	if !strings.Contains(hooks.get("webhook")[0], `"affected":true`) {
		t.Errorf("webhook = %s, want the hospital's exposure", hooks.get("webhook")[0])
	}
	eventually(t, "three reports at the hub", func() bool {
		r, err := h.store.AlertReports(ctx, rec.ID)
		return err == nil && len(r) == 3
	})
	reports, _ := h.store.AlertReports(ctx, rec.ID)
	for _, r := range reports {
		if r.Shared != nil {
			t.Errorf("report of %s shares asset details the site did not choose to share", r.SiteID)
		}
	}

	// The hospital shares its assets' details for this alert: the hub gets
	// a new report that names them; the others still share nothing.
	hospital := sites[0]
	affectedAssets := received(t, hospital)[0].Assets
	shared, err := services[0].ShareAssets(ctx, hospital.org, rec.ID, "jonas@klinikum.example")
	if err != nil || shared.SharedAt.IsZero() || shared.SharedBy != "jonas@klinikum.example" {
		t.Fatalf("ShareAssets() = %+v, %v; want sharing on, by jonas", shared, err)
	}
	var details []ews.SharedAsset
	eventually(t, "the hub to receive the hospital's asset details", func() bool {
		reports, err := h.store.AlertReports(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reports {
			if r.Shared != nil {
				if err := json.Unmarshal(r.Shared, &details); err != nil {
					t.Fatal(err)
				}
				return true
			}
		}
		return false
	})
	total := 0
	for _, n := range affectedAssets {
		total += n
	}
	if len(details) != total || details[0].ID == "" || details[0].Name == "" || details[0].Decision == "" {
		t.Errorf("shared details = %+v; want %d assets with ID, name and decision", details, total)
	}
	if log, err := hospital.store.ListAudit(ctx, hospital.org, store.ListOptions{Limit: 10}); err != nil ||
		!slices.ContainsFunc(log.Items, func(e store.AuditEntry) bool {
			return e.Action == "alert.share_assets" && e.Actor == "jonas@klinikum.example"
		}) {
		t.Errorf("audit log = %+v, %v; want alert.share_assets by jonas", log.Items, err)
	}

	// The hospital mitigates every affected asset; its next check tells the
	// hub, which then counts it mitigated and no longer affected.
	p, err := hospital.store.ListFindings(ctx, hospital.org, store.FindingFilter{VulnID: cve}, store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	assets := map[string]bool{}
	for _, f := range p.Items {
		if _, err := hospital.store.UpdateFindingState(ctx, hospital.org, f.Key, store.Transition{To: store.StateMitigated, Actor: "jonas"}); err != nil {
			t.Fatal(err)
		}
		assets[f.Key.AssetID] = true
	}
	if err := services[0].Recheck(ctx, hospital.org); err != nil {
		t.Fatalf("Recheck() = %v", err)
	}
	eventually(t, "the hub to learn of the mitigation", func() bool {
		reports, err := h.store.AlertReports(ctx, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reports {
			if r.Mitigated == len(assets) && !r.Affected {
				return true
			}
		}
		return false
	})
}

func TestAlert_ForgedRejected(t *testing.T) {
	ctx := t.Context()
	h := startHub(t)
	n, _ := siteNode(t, "Klinikum", store.KindHospital, 1)
	h.enroll(t, n, newSite(t, n))

	// An alert signed by a key the site never pinned, and a hub alert whose
	// payload was changed after signing.
	key, err := alert.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	forged := newAlert("Install this urgent update from evil.example")
	forged.ID, forged.Issued, forged.Sequence = "WA-2026-999999", time.Now().UTC(), 999999
	env, err := alert.NewSigner(key).Sign(forged)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(env)
	if _, err := h.net.Publish(ctx, forged, data); err != nil {
		t.Fatal(err)
	}
	good, err := h.hub.Publish(ctx, newAlert("Genuine alert"), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := h.store.HubAlert(ctx, good.ID)
	if err != nil {
		t.Fatal(err)
	}
	var altered alert.Envelope
	if err := json.Unmarshal(stored.Envelope, &altered); err != nil {
		t.Fatal(err)
	}
	altered.Payload = []byte(strings.Replace(string(altered.Payload), "Genuine alert", "Genuine alerT", 1))
	a2 := newAlert("altered")
	a2.ID = good.ID + "-x"
	data, _ = json.Marshal(altered)
	if _, err := h.net.Publish(ctx, a2, data); err != nil {
		t.Fatal(err)
	}
	last, err := h.hub.Publish(ctx, newAlert("Last alert"), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the last alert", func() bool {
		return slices.ContainsFunc(received(t, n), func(a store.ReceivedAlert) bool { return a.ID == last.ID })
	})
	got := received(t, n)
	if len(got) != 2 {
		t.Fatalf("received %d alerts, want the two genuine ones: %+v", len(got), got)
	}
	for _, a := range got {
		if strings.Contains(a.Title, "evil") || a.Title == "Genuine alerT" {
			t.Errorf("a forged or altered alert was stored: %q", a.Title)
		}
	}
	audit, err := n.store.ListAudit(ctx, n.org, store.ListOptions{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	rejected := 0
	for _, e := range audit.Items {
		if e.Action == "alert.rejected" {
			rejected++
		}
	}
	if rejected != 2 {
		t.Errorf("audit log holds %d rejected alerts, want 2", rejected)
	}
}

func TestAlert_CatchUpExactlyOnce(t *testing.T) {
	ctx := t.Context()
	h := startHub(t)
	n, _ := siteNode(t, "Praxis", store.KindPractice, 2)
	s := newSite(t, n)
	h.enroll(t, n, s)
	first, err := h.hub.Publish(ctx, newAlert("Before the outage"), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first alert", func() bool { return len(received(t, n)) == 1 })
	s.Close()
	var want []string
	for i := range 5 {
		rec, err := h.hub.Publish(ctx, newAlert("While offline "+string(rune('A'+i))), "analyst")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, rec.ID)
	}
	eventually(t, "the hub to send them", func() bool {
		pending, err := h.store.UnpublishedAlerts(ctx)
		return err == nil && len(pending) == 0
	})
	s2 := newSite(t, n)
	if err := s2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the five missed alerts", func() bool { return len(received(t, n)) == 6 })
	got := received(t, n)
	ids := map[string]int{}
	for _, a := range got {
		ids[a.ID]++
	}
	for _, id := range append(want, first.ID) {
		if ids[id] != 1 {
			t.Errorf("alert %s held %d times, want once", id, ids[id])
		}
	}
}

// TestSite_ConnectInBackground checks that an enrolment whose hub does not
// answer at once is connected in the background later.
func TestSite_ConnectInBackground(t *testing.T) {
	h := startHub(t)
	n, _ := siteNode(t, "Praxis", store.KindPractice, 1)
	s := newSite(t, n)
	good := h.enroll(t, n, s)
	s.Close() // the first connection, gone
	s = newSite(t, n)
	bad := good
	bad.NATSURL = "nats://127.0.0.1:1" // as if the hub's server did not answer yet
	s.ConnectInBackground(bad)
	// The retry reads the stored enrolment, whose address answers.
	eventually(t, "the background retry to connect", func() bool { return s.Connected(n.org) })
}

// TestHub_ReportTimeKeptInRange checks that a report dated far in the
// future is recorded at the hub's time, so that it neither stretches the
// charts nor hides the site's later reports.
func TestHub_ReportTimeKeptInRange(t *testing.T) {
	ctx := t.Context()
	h := startHub(t)
	n, _ := siteNode(t, "Praxis", store.KindPractice, 1)
	l := h.enroll(t, n, newSite(t, n))
	rec, err := h.hub.Publish(ctx, newAlert("Clock test"), "test")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := alertnet.ConnectSite(ctx, alertnet.SiteConfig{URL: l.NATSURL, OrgID: l.SiteID, Seed: l.NATSSeed,
		Sink: func(context.Context, alertnet.Delivery) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	send := func(id string, r ews.Report) {
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := conn.Report(ctx, id, data); err != nil {
			t.Fatal(err)
		}
	}
	latest := func() store.ExposureReport {
		reports, err := h.store.AlertReports(ctx, rec.ID)
		if err != nil || len(reports) != 1 {
			return store.ExposureReport{}
		}
		return reports[0]
	}
	eventually(t, "the site's own report", func() bool { return !latest().At.IsZero() })
	send("future", ews.Report{AlertID: rec.ID, At: time.Now().Add(100 * 365 * 24 * time.Hour), Acknowledged: true})
	eventually(t, "the future-dated report", func() bool { return latest().Acknowledged })
	if at := latest().At; at.After(time.Now().Add(time.Minute)) {
		t.Errorf("a report dated a century ahead was recorded at %s", at)
	}
	send("later", ews.Report{AlertID: rec.ID, At: time.Now().Add(2 * time.Second), Acknowledged: true, Affected: true})
	eventually(t, "the report after it", func() bool { return latest().Affected })
}

// TestSite_AcknowledgeAndShareAtOnce checks that an acknowledgement and a
// share of the same alerts at the same time both stay recorded.
func TestSite_AcknowledgeAndShareAtOnce(t *testing.T) {
	ctx := t.Context()
	h := startHub(t)
	n, cve := siteNode(t, "Klinikum", store.KindHospital, 1)
	s := newSite(t, n)
	h.enroll(t, n, s)
	const alerts = 10
	for i := range alerts {
		if _, err := h.hub.Publish(ctx, newAlert(fmt.Sprintf("Flaw %d", i), cve), "analyst"); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the alerts at the site", func() bool { return len(received(t, n)) == alerts })
	var wg sync.WaitGroup
	for _, rec := range received(t, n) {
		wg.Go(func() {
			if _, err := s.Acknowledge(ctx, n.org, rec.ID, "anna"); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if _, err := s.ShareAssets(ctx, n.org, rec.ID, "jonas"); err != nil {
				t.Error(err)
			}
		})
		wg.Go(func() {
			if err := s.Recheck(ctx, n.org); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, rec := range received(t, n) {
		if rec.Acknowledged.IsZero() || rec.SharedAt.IsZero() {
			t.Errorf("alert %s: acknowledged %v, shared %v; want both", rec.ID, rec.Acknowledged, rec.SharedAt)
		}
	}
}

// TestSite_RecheckTellsUntoldAcknowledgement checks that an acknowledgement
// made while the hub was away reaches it with the next recheck.
func TestSite_RecheckTellsUntoldAcknowledgement(t *testing.T) {
	ctx := t.Context()
	h := startHub(t)
	n, cve := siteNode(t, "Klinikum", store.KindHospital, 1)
	s := newSite(t, n)
	l := h.enroll(t, n, s)
	rec, err := h.hub.Publish(ctx, newAlert("Flaw", cve), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the alert at the site", func() bool { return len(received(t, n)) == 1 })
	s.Close()
	s = newSite(t, n) // not connected yet
	if _, err := s.Acknowledge(ctx, n.org, rec.ID, "anna"); !errors.Is(err, ews.ErrHubNotTold) {
		t.Fatalf("Acknowledge() with the hub away = %v, want ErrHubNotTold", err)
	}
	if l, err = n.store.HubLink(ctx, n.org); err != nil {
		t.Fatal(err)
	}
	if err := s.Connect(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := s.Recheck(ctx, n.org); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the acknowledgement at the hub", func() bool {
		reports, err := h.store.AlertReports(ctx, rec.ID)
		return err == nil && len(reports) == 1 && reports[0].Acknowledged
	})
}
