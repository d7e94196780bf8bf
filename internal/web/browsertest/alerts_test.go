package browsertest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/alertnet"
	"github.com/ward-health/ward/internal/demo"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/testenv"
	"github.com/ward-health/ward/internal/web"
)

// hospital is the hospital's demo login; hubLogin the support centre's.
const (
	hospital = "st-elisabeth"
	hubLogin = "health-support-centre"
)

// newNetworkSite is [newSite] as `ward serve --demo` runs it standalone: the
// support centre runs the hub on a loopback NATS server, and the three
// demo organisations are enrolled sites. It returns the site and a CVE the
// hospital has a finding of.
func newNetworkSite(t *testing.T) (*site, string) {
	t.Helper()
	testenv.Chromium(t)
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatalf("sqlite.Open() = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := demo.Bundle()
	if err != nil {
		t.Fatalf("demo.Bundle() = %v", err)
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	eng, err := engine.New(engine.Config{Store: st, Logger: logger})
	if err != nil {
		t.Fatalf("engine.New() = %v", err)
	}
	eng.SetCatalog(engine.NewCatalog(set))
	logins, err := demo.Seed(ctx, st, set, time.Now().UTC())
	if err != nil {
		t.Fatalf("demo.Seed() = %v", err)
	}
	seed, _, err := alertnet.NewSiteKey()
	if err != nil {
		t.Fatal(err)
	}
	nh, err := alertnet.StartHub(ctx, alertnet.HubConfig{Dir: t.TempDir(), Listen: "127.0.0.1:0", HubSeed: seed, Logger: logger})
	if err != nil {
		t.Fatalf("alertnet.StartHub() = %v", err)
	}
	t.Cleanup(func() { nh.Close() })
	// The hub's pages hear of reports, as in ward serve.
	var live atomic.Pointer[web.Server]
	onReport := func(id string) {
		if h := live.Load(); h != nil {
			h.NotifyReport(id)
		}
	}
	hub, err := ews.NewHub(ctx, ews.HubConfig{Store: st, Net: nh, Logger: logger, Poll: 100 * time.Millisecond, OnReport: onReport})
	if err != nil {
		t.Fatalf("ews.NewHub() = %v", err)
	}
	siteSvc := ews.NewSite(ews.SiteConfig{Store: st, Logger: logger,
		Assets: func(ctx context.Context, org string) ([]inventory.Asset, error) {
			return engine.AllAssets(ctx, st, org)
		}})
	t.Cleanup(func() { siteSvc.Close() })

	// Every organisation enrols before the hub runs, and connects after its
	// first round (an alert for no one) admitted them: a site connecting
	// while the hub reloads its NATS users may be dropped.
	orgs, err := st.ListOrgs(ctx, store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var links []store.HubLink
	cve := ""
	ids := map[string]string{}
	for _, o := range orgs.Items {
		ids[o.Name] = o.ID
		if o.Kind == store.KindHub {
			continue
		}
		token, err := hub.Invite(ctx, store.SiteInvite{Name: o.Name, Kind: o.Kind, Country: o.Country, CreatedBy: "test"}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		l, err := ews.EnrollWith(ctx, st, o.ID, func(ctx context.Context, key string) (ews.Enrollment, error) {
			return hub.Enroll(ctx, token, key, nh.ClientURL())
		})
		if err != nil {
			t.Fatalf("EnrollWith(%s) = %v", o.Name, err)
		}
		links = append(links, l)
		if o.Kind == store.KindHospital {
			p, err := st.ListFindings(ctx, o.ID, store.FindingFilter{}, store.ListOptions{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range p.Items {
				if strings.HasPrefix(f.Key.VulnID, "CVE-") {
					cve = f.Key.VulnID
					break
				}
			}
		}
	}
	if cve == "" {
		t.Fatal("the demo hospital has no finding with a CVE")
	}
	first, err := hub.Publish(ctx, &alert.Alert{Title: "Network check", Summary: "s", Actions: "a", Severity: alert.Low,
		TLP: alert.TLPRed, Targets: alert.Targets{Organisations: []string{"nobody"}}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	go hub.Run(ctx) //nolint:errcheck // ends with the test
	for deadline := time.Now().Add(actionTimeout); ; {
		if a, err := st.HubAlert(ctx, first.ID); err == nil && !a.PublishedAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the hub did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, l := range links {
		if err := siteSvc.Connect(ctx, l); err != nil {
			t.Fatalf("Connect(%s) = %v", l.OrgID, err)
		}
	}

	h, err := web.New(web.Config{Store: st, Engine: eng, Logger: logger, Hub: hub, Site: siteSvc})
	if err != nil {
		t.Fatalf("web.New() = %v", err)
	}
	live.Store(h)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(h.Close) // ends the live streams first
	return &site{URL: srv.URL, Store: st, Engine: eng, Web: h, Logins: logins, Alerts: siteSvc, OrgIDs: ids}, cve
}

// saveScreenshot saves a PNG of the whole page at path (quality 100 makes
// a PNG; below, a JPEG).
func (b *browser) saveScreenshot(path string) {
	b.t.Helper()
	if err := os.WriteFile(path, run(b, chromedp.FullScreenshot(100)), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// until reloads path until the JavaScript expression holds on it.
func (b *browser) until(path, expr, what string) {
	b.t.Helper()
	deadline := time.Now().Add(actionTimeout)
	for {
		b.open(path)
		if run(b, chromedp.Evaluate[bool](expr)) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: not shown on %s within %s", what, path, actionTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestAlertPublishAndAcknowledge: Elena at the support centre writes an
// alert in the compose form and publishes it; the hospital's CISO finds it
// under Alerts and on Today, reads what to do and acknowledges it; Elena's
// alert page shows the hospital's acknowledgement in its report table.
func TestAlertPublishAndAcknowledge(t *testing.T) {
	s, cve := newNetworkSite(t)
	b := newBrowser(t, s.URL)
	elena, jonas := s.login(t, hubLogin), s.login(t, hospital)

	b.signIn(elena.Email, elena.Password)
	b.submit(`nav a[href="/hub"]`)
	if h := b.text("h1"); h != "Early warnings to the sector" {
		t.Fatalf("the Hub link shows %q", h)
	}
	b.saveScreenshot("/tmp/hub-compose.png")
	b.fill("#title", "Infusion pump flaw exploited")
	b.fill("#summary", "Criminals exploit a flaw in a common device. Hospitals are targeted.")
	b.fill("#actions", "Block the device's remote service at the firewall.\nCall the vendor's hotline.")
	b.do(chromedp.SetValue(chromedp.CSS("#severity"), "critical"), chromedp.SetValue(chromedp.CSS("#tlp"), "AMBER"))
	b.fill("#cves", cve)
	b.submit(`#compose button[type=submit]`)
	hubPath := b.path()
	if !strings.HasPrefix(hubPath, "/hub/alerts/") {
		t.Fatalf("publishing led to %s, want /hub/alerts/ID", hubPath)
	}
	id := strings.TrimPrefix(hubPath, "/hub/alerts/")
	b.submit(`form[action="/logout"] button`)

	// The hospital receives and matches it.
	b.signIn(jonas.Email, jonas.Password)
	link := fmt.Sprintf(`a[href="/alerts/%s"]`, id)
	b.until("/alerts", fmt.Sprintf(`document.querySelector(%s) !== null && document.body.innerText.includes("Affects you")`, jsString(link)),
		"the alert, matched, on the hospital's Alerts page")
	b.saveScreenshot("/tmp/site-alerts.png")
	// Settings shows the hospital's link to the hub, up, and no enrolment
	// form: it is enrolled.
	b.open("/settings")
	if got := b.text("#hublink"); !strings.Contains(got, "up now") || b.count(`form[action="/settings/enroll"]`) != 0 {
		t.Errorf("the Settings page's early-warning section says %q, or offers to enrol again", got)
	}
	b.open("/")
	if b.count(".banner "+link) != 1 {
		t.Errorf("Today shows no banner linking the unacknowledged critical alert")
	}
	b.submit(".banner " + link)
	if h := b.text("h1"); h != "Infusion pump flaw exploited" {
		t.Errorf("the alert page's heading = %q", h)
	}
	if got := b.text("#todo-h + p"); !strings.Contains(got, "Block the device's remote service") {
		t.Errorf("what to do in 15 minutes = %q", got)
	}
	if b.count(fmt.Sprintf(`a[href="/findings?vuln=%s"]`, cve)) != 1 {
		t.Errorf("the alert page does not link the findings of %s", cve)
	}
	b.saveScreenshot("/tmp/site-alert.png")
	b.submit(`form[action$="/ack"] button`)
	if got := b.text(`section[aria-labelledby="ack-h"]`); !strings.Contains(got, "Acknowledged by "+jonas.Email) {
		t.Errorf("after acknowledging, the page says %q", got)
	}
	b.submit(`form[action="/logout"] button`)

	// The hub sees the acknowledgement.
	b.signIn(elena.Email, elena.Password)
	b.until(hubPath, `[...document.querySelectorAll("#reports tr")].some(r => r.innerText.includes("St.") && r.querySelector("strong.good"))`,
		"the hospital's acknowledgement in the hub's report table")
	if n := b.count("figure.chart svg"); n != 6 {
		t.Errorf("the hub's alert page shows %d charts, want 6 (two over time, four bars)", n)
	}

	// The hospital shares its affected assets for this alert: Elena's open
	// page shows them without a reload, through its event stream.
	b.waitFor(`document.querySelector("[data-hub-live]").getAttribute("data-live-state") === "live"`)
	run(b, chromedp.Evaluate[bool](`window.notReloaded = true`))
	if _, err := s.Alerts.ShareAssets(t.Context(), s.OrgIDs[jonas.Organisation], id, jonas.Email); err != nil {
		t.Fatalf("ShareAssets() = %v", err)
	}
	b.waitFor(`document.querySelectorAll("#shared-h").length === 1 && window.notReloaded === true`)
	if got := b.text(`#live-note`); !strings.Contains(got, "New reports arrived") {
		t.Errorf("the live note says %q", got)
	}
	b.saveScreenshot("/tmp/hub-alert.png")
}
