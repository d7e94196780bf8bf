package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/alertnet"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/web"
)

// hostileTitle is an alert title that must render as text.
const hostileTitle = `Router flaw <script>alert(1)</script>`

// alertNet is the fixture with the early-warning network running: a real
// NATS hub on a loopback port, the hub's and the site's services on the
// fixture's store, the practice and the hospital enrolled, and the
// support centre's analyst elena.
type alertNet struct {
	*fixture
	hub           *ews.Hub
	site          *ews.Site
	centre        store.Organisation
	practiceSite  string // the practice's site ID at the hub
	hospitalSite  string
	elena, anna   *client
	hubTok, prTok string
}

func newAlertNet(t *testing.T) *alertNet {
	t.Helper()
	f := newFixture(t, 0)
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	n := &alertNet{fixture: f}
	n.centre = must(f.st.CreateOrg(ctx, store.Organisation{Name: "Health Sector Support Centre", Kind: store.KindHub, Country: "DE"}))(t)
	elena := must(f.st.CreateUser(ctx, store.User{Email: "elena@hub.example", DisplayName: "Elena Rossi", PasswordHash: must(store.HashPassword(password))(t)}))(t)
	must(f.st.SetMember(ctx, n.centre.ID, elena.ID, store.RoleResponder))(t)

	seed, _, err := alertnet.NewSiteKey()
	if err != nil {
		t.Fatal(err)
	}
	nh, err := alertnet.StartHub(ctx, alertnet.HubConfig{Dir: t.TempDir(), Listen: "127.0.0.1:0", HubSeed: seed})
	if err != nil {
		t.Fatalf("alertnet.StartHub() = %v", err)
	}
	t.Cleanup(func() { nh.Close() })
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	// The services' clock is the fixture's, a nanosecond later at each
	// reading: ews names a report's message "alert/time" without the site,
	// so two sites reporting at one instant would be taken for one.
	var ticks atomic.Int64
	clock := func() time.Time { return f.clock.Now().Add(time.Duration(ticks.Add(1))) }
	// The hub's pages hear of reports, as in ward serve.
	var live atomic.Pointer[web.Server]
	onReport := func(id string) {
		if h := live.Load(); h != nil {
			h.NotifyReport(id)
		}
	}
	n.hub = must(ews.NewHub(ctx, ews.HubConfig{Store: f.st, Net: nh, Logger: log, Now: clock, Poll: 50 * time.Millisecond, OnReport: onReport}))(t)
	n.site = ews.NewSite(ews.SiteConfig{Store: f.st, Logger: log, Now: clock,
		Assets: func(ctx context.Context, org string) ([]inventory.Asset, error) {
			return engine.AllAssets(ctx, f.st, org)
		}})
	t.Cleanup(func() { n.site.Close() })
	// Every site enrols before the hub runs and connects after the hub's
	// first round admitted them: each change of the NATS users reloads the
	// server, and a site connecting during a reload may be dropped.
	var links []store.HubLink
	for _, o := range []store.Organisation{f.practice, f.hospital} {
		token := must(n.hub.Invite(ctx, store.SiteInvite{Name: o.Name, Kind: o.Kind, Country: o.Country, CreatedBy: "test"}, time.Hour))(t)
		l, err := ews.EnrollWith(ctx, f.st, o.ID, func(ctx context.Context, key string) (ews.Enrollment, error) {
			return n.hub.Enroll(ctx, token, key, nh.ClientURL())
		})
		if err != nil {
			t.Fatalf("EnrollWith(%s) = %v", o.Name, err)
		}
		links = append(links, l)
	}
	n.practiceSite, n.hospitalSite = links[0].SiteID, links[1].SiteID
	// The hub's first round ends with its outbox sent: an alert for no one
	// shows when.
	first := must(n.hub.Publish(ctx, &alert.Alert{Title: "Network check", Summary: "s", Actions: "a", Severity: alert.Low,
		TLP: alert.TLPRed, Targets: alert.Targets{Organisations: []string{"nobody"}}}, "test"))(t)
	go n.hub.Run(ctx) //nolint:errcheck // ends with the test
	eventually(t, "the hub's first round", func() bool {
		a, err := f.st.HubAlert(ctx, first.ID)
		return err == nil && !a.PublishedAt.IsZero()
	})
	for _, l := range links {
		if err := n.site.Connect(ctx, l); err != nil {
			t.Fatalf("Connect(%s) = %v", l.OrgID, err)
		}
	}
	// The node is both hub and site, as ward serve's standalone role: it
	// redeems invitations too (POST /api/v1/enroll).
	enroll := func(ctx context.Context, token, key string) (any, error) {
		return n.hub.Enroll(ctx, token, key, nh.ClientURL())
	}
	h, err := web.New(web.Config{Store: f.st, Engine: f.eng, Now: f.clock.Now, Logger: log, Hub: n.hub, Site: n.site, Enroll: enroll})
	if err != nil {
		t.Fatalf("web.New() = %v", err)
	}
	live.Store(h)
	f.srv = httptest.NewServer(h.Handler())
	t.Cleanup(f.srv.Close)
	t.Cleanup(h.Close)
	n.elena, n.anna = f.signedIn("elena@hub.example"), f.signedIn("anna@example.org")
	n.hubTok, n.prTok = f.token(n.centre.ID, store.RoleResponder), f.token(f.practice.ID, store.RoleAdmin)
	return n
}

// eventually polls cond until it holds, or fails the test after 20 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var hubAlertRE = regexp.MustCompile(`^/hub/alerts/([^/]+)$`)

// publish posts the compose form as elena and returns the new alert's ID.
func (n *alertNet) publish(t *testing.T, form url.Values) string {
	t.Helper()
	form.Set("csrf", n.elena.csrf("/hub"))
	res := n.elena.post("/hub/alerts", form)
	m := hubAlertRE.FindStringSubmatch(res.Location)
	if res.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("POST /hub/alerts = %d %q %.2000s, want 303 to /hub/alerts/ID", res.Code, res.Location, res.Body)
	}
	return m[1]
}

// reportRow returns the row of site's report on the hub's alert page.
func reportRow(body, site string) string {
	i := strings.Index(body, `<table id="reports"`)
	if i < 0 {
		return ""
	}
	for _, row := range strings.Split(body[i:], "<tr>") {
		if strings.Contains(row, `<td data-label="Site">`+site+"</td>") {
			return row
		}
	}
	return ""
}

func TestAlerts_PublishReceiveAcknowledge(t *testing.T) {
	n := newAlertNet(t)

	// Each kind of organisation sees its own pages only.
	for _, tc := range []struct {
		c    *client
		path string
		want int
	}{
		{n.elena, "/hub", 200}, {n.elena, "/hub/sites", 200}, {n.elena, "/alerts", 404},
		{n.anna, "/alerts", 200}, {n.anna, "/hub", 404}, {n.anna, "/hub/sites", 404}, {n.anna, "/hub/alerts/x", 404},
	} {
		if res := tc.c.get(tc.path); res.Code != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, res.Code, tc.want)
		}
	}

	// A bad CVE is named next to its field, and nothing is published.
	bad := url.Values{"title": {"t"}, "summary": {"s"}, "actions": {"a"}, "severity": {"high"}, "tlp": {"GREEN"}, "cves": {"CVE-2026-1001 not-a-cve"}}
	bad.Set("csrf", n.elena.csrf("/hub"))
	res := n.elena.post("/hub/alerts", bad)
	if res.Code != http.StatusBadRequest || !strings.Contains(res.Body, `id="cves-err"`) || !strings.Contains(res.Body, "not a CVE id") ||
		!strings.Contains(res.Body, `value="CVE-2026-1001 not-a-cve"`) {
		t.Errorf("POST /hub/alerts with a bad CVE = %d, want 400 with the error at the cves field and the input kept:\n%.3000s", res.Code, res.Body)
	}
	if p := must(n.st.ListHubAlerts(t.Context(), store.ListOptions{}))(t); len(p.Items) != 1 { // the network check
		t.Errorf("a rejected form published %d alerts", len(p.Items))
	}

	id := n.publish(t, url.Values{"title": {hostileTitle}, "summary": {"Criminals use it <b>now</b>."},
		"actions": {"Switch off remote access.\nCall your provider."}, "severity": {"critical"}, "tlp": {"CLEAR"},
		"cves": {"cve-2026-1001, CVE-2026-9999"}, "references": {"https://example.org/advisory"}})

	// The practice has the router with CVE-2026-1001: it is affected.
	var list string
	eventually(t, "the alert on the practice's /alerts, matched", func() bool {
		list = n.anna.get("/alerts").Body
		return strings.Contains(list, "/alerts/"+id) && strings.Contains(list, "Affects you")
	})
	if strings.Contains(list, "<script>alert(1)") || !strings.Contains(list, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("/alerts does not escape the alert's title:\n%s", list)
	}
	one := n.anna.get("/alerts/" + id)
	for _, want := range []string{"Signature verified, hub key", "What to do in the next 15 minutes", "Switch off remote access.",
		`href="/findings?vuln=CVE-2026-1001"`, "Criminals use it &lt;b&gt;now&lt;/b&gt;.",
		`<a href="https://example.org/advisory" rel="noopener noreferrer">`, "We have read this alert"} {
		if !strings.Contains(one.Body, want) {
			t.Errorf("GET /alerts/%s lacks %q:\n%s", id, want, one.Body)
		}
	}
	if strings.Contains(one.Body, "<script>alert") {
		t.Errorf("GET /alerts/%s renders the title's script", id)
	}
	if res := n.anna.get("/findings?vuln=CVE-2026-1001"); !strings.Contains(res.Body, "Router") || strings.Contains(res.Body, "ECG cart") {
		t.Errorf("GET /findings?vuln=CVE-2026-1001 does not list only the router's finding:\n%s", res.Body)
	}
	if today := n.anna.get("/").Body; !strings.Contains(today, `href="/alerts/`+id+`"`) || !strings.Contains(today, "urgent warning") {
		t.Errorf("Today shows no banner for the unacknowledged critical alert:\n%s", today)
	}

	// A viewer token may not acknowledge; the practice's responder does.
	viewer := n.token(n.practice.ID, store.RoleViewer)
	if res := n.api(nil, apiCall{tok: viewer, method: http.MethodPost, path: "/api/v1/alerts/" + id + "/ack"}); res.Code != http.StatusForbidden {
		t.Errorf("viewer POST /api/v1/alerts/%s/ack = %d, want 403", id, res.Code)
	}
	res = n.anna.post("/alerts/"+id+"/ack", url.Values{"csrf": {n.anna.csrf("/alerts/" + id)}})
	if res.Code != http.StatusSeeOther {
		t.Fatalf("POST /alerts/%s/ack = %d %s, want 303", id, res.Code, res.Body)
	}
	if one := n.anna.get("/alerts/" + id).Body; !strings.Contains(one, "Acknowledged by anna@example.org") {
		t.Errorf("the alert page does not say who acknowledged:\n%s", one)
	}
	if today := n.anna.get("/").Body; strings.Contains(today, "urgent warning") {
		t.Errorf("Today still shows the acknowledged alert")
	}

	// The hub sees the acknowledgement and the exposure in its report table.
	var page string
	eventually(t, "the practice's acknowledgement on the hub's alert page", func() bool {
		page = n.elena.get("/hub/alerts/" + id).Body
		row := reportRow(page, "Praxis Weber")
		return strings.Contains(row, `<strong class="good">yes</strong>`) && strings.Contains(row, "1 Act")
	})
	for _, want := range []string{`id="affected-country`, `id="acked-kind`, "Klinikum Nord"} {
		if !strings.Contains(page, want) {
			t.Errorf("the hub's alert page lacks %q:\n%s", want, page)
		}
	}
	// Four hours have not passed on the fixture's clock: the hospital is
	// listed as not acknowledged so far; after them it is to be called.
	if !strings.Contains(page, "have not acknowledged so far") {
		t.Errorf("the hub's alert page does not list the sites yet to acknowledge:\n%s", page)
	}
	n.clock.Advance(5 * time.Hour)
	page = n.elena.get("/hub/alerts/" + id).Body
	call := page[strings.Index(page, `id="call-h"`):]
	call = call[:strings.Index(call, "</section>")]
	if !strings.Contains(call, "Not acknowledged after 4 hours") || !strings.Contains(call, `<td data-label="Site">Klinikum Nord</td>`) || strings.Contains(call, "Praxis Weber") {
		t.Errorf("after 5 hours the call list is not the hospital alone:\n%s", call)
	}
	if hub := n.elena.get("/hub").Body; !strings.Contains(hub, "/hub/alerts/"+id) || strings.Contains(hub, "<script>alert") {
		t.Errorf("/hub does not list the alert safely:\n%s", hub)
	}
}

func TestAlerts_Tenants(t *testing.T) {
	n := newAlertNet(t)
	ctx := t.Context()
	// TLP:RED for the hospital only: the practice never receives it.
	red := n.publish(t, url.Values{"title": {"Pump flaw"}, "summary": {"s"}, "actions": {"a"}, "severity": {"high"},
		"tlp": {"RED"}, "organisations": {n.hospitalSite}})
	all := n.publish(t, url.Values{"title": {"For everyone"}, "summary": {"s"}, "actions": {"a"}, "severity": {"low"}, "tlp": {"CLEAR"}})
	eventually(t, "both alerts at the hospital and the second at the practice", func() bool {
		_, err1 := n.st.ReceivedAlert(ctx, n.hospital.ID, red)
		_, err2 := n.st.ReceivedAlert(ctx, n.hospital.ID, all)
		_, err3 := n.st.ReceivedAlert(ctx, n.practice.ID, all)
		return err1 == nil && err2 == nil && err3 == nil
	})
	if res := n.anna.get("/alerts/" + red); res.Code != http.StatusNotFound {
		t.Errorf("the practice's GET /alerts/%s (the hospital's) = %d, want 404", red, res.Code)
	}
	if res := n.anna.post("/alerts/"+red+"/ack", url.Values{"csrf": {n.anna.csrf("/alerts")}}); res.Code != http.StatusNotFound {
		t.Errorf("the practice's POST /alerts/%s/ack = %d, want 404", red, res.Code)
	}
	if res := n.anna.get("/alerts"); strings.Contains(res.Body, "Pump flaw") || !strings.Contains(res.Body, "For everyone") {
		t.Errorf("the practice's /alerts shows the hospital's alert or not its own:\n%s", res.Body)
	}
	var got struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	n.apiGet(n.prTok, "/api/v1/alerts", &got)
	if len(got.Items) != 1 || got.Items[0].ID != all {
		t.Errorf("the practice's GET /api/v1/alerts = %+v, want only %s", got.Items, all)
	}
	if res := n.api(nil, apiCall{tok: n.prTok, method: http.MethodPost, path: "/api/v1/alerts/" + red + "/ack"}); res.Code != http.StatusNotFound {
		t.Errorf("the practice's POST /api/v1/alerts/%s/ack = %d, want 404", red, res.Code)
	}
	if r, err := n.st.ReceivedAlert(ctx, n.hospital.ID, red); err != nil || !r.Acknowledged.IsZero() {
		t.Errorf("the hospital's alert = %+v, %v; want unacknowledged", r, err)
	}
	// A site's token reaches no hub route; the hub's none of a site's.
	for _, tc := range []struct{ tok, method, path, body string }{
		{n.prTok, http.MethodGet, "/api/v1/hub/alerts", ""},
		{n.prTok, http.MethodPost, "/api/v1/hub/alerts", `{"title":"t","summary":"s","actions":"a","severity":"low","tlp":"CLEAR","targets":{}}`},
		{n.hubTok, http.MethodGet, "/api/v1/alerts", ""},
		{n.hubTok, http.MethodPost, "/api/v1/alerts/" + all + "/ack", ""},
	} {
		if res := n.api(nil, apiCall{tok: tc.tok, method: tc.method, path: tc.path, body: tc.body}); res.Code != http.StatusNotFound {
			t.Errorf("%s %s with the other side's token = %d, want 404", tc.method, tc.path, res.Code)
		}
	}
}

func TestAlerts_HubAPI(t *testing.T) {
	n := newAlertNet(t)
	body := `{"title":"KEV: CAD remote access","summary":"Exploited tonight.","actions":"Disable the vendor's remote access.",
		"severity":"critical","tlp":"GREEN","cves":["CVE-2026-2001"],"targets":{"kinds":["hospital"]}}`
	res := n.api(nil, apiCall{tok: n.hubTok, method: http.MethodPost, path: "/api/v1/hub/alerts", body: body})
	if res.Code != http.StatusCreated {
		t.Fatalf("POST /api/v1/hub/alerts = %d %s, want 201", res.Code, res.Body)
	}
	var pub struct {
		ID string `json:"id"`
	}
	decode(t, res, &pub)
	res = n.api(nil, apiCall{tok: n.hubTok, method: http.MethodPost, path: "/api/v1/hub/alerts", body: `{"title":"x","extra":1}`})
	if res.Code != http.StatusBadRequest {
		t.Errorf("POST /api/v1/hub/alerts with an unknown field = %d, want 400", res.Code)
	}
	eventually(t, "the hospital's report", func() bool {
		var got struct {
			Items []struct {
				ID       string `json:"id"`
				Reached  int    `json:"reached"`
				Affected int    `json:"affected"`
			} `json:"items"`
		}
		n.apiGet(n.hubTok, "/api/v1/hub/alerts", &got)
		return len(got.Items) == 2 && got.Items[0].ID == pub.ID && got.Items[0].Reached == 1 && got.Items[0].Affected == 1
	})
	res = n.api(nil, apiCall{tok: n.token(n.practice.ID, store.RoleAdmin), method: http.MethodGet, path: "/api/v1/alerts"})
	var got struct {
		Items []json.RawMessage `json:"items"`
	}
	decode(t, res, &got)
	if len(got.Items) != 0 {
		t.Errorf("the practice received an alert for hospitals: %s", got.Items)
	}
}

func TestAlerts_Sites(t *testing.T) {
	n := newAlertNet(t)
	page := n.elena.get("/hub/sites").Body
	for _, want := range []string{`<td data-label="Site">Praxis Weber</td>`, `<td data-label="Site">Klinikum Nord</td>`, "receives alerts"} {
		if !strings.Contains(page, want) {
			t.Errorf("/hub/sites lacks %q:\n%s", want, page)
		}
	}
	tok := n.elena.csrf("/hub/sites")
	res := n.elena.post("/hub/sites/invite", url.Values{"csrf": {tok}, "name": {"Rettungsdienst Süd"}, "kind": {"ems"}, "country": {"de"}})
	if res.Code != http.StatusCreated || !strings.Contains(res.Body, "ward enroll --hub http://") || !strings.Contains(res.Body, " --token ") {
		t.Errorf("POST /hub/sites/invite = %d, want 201 with the enrol command:\n%s", res.Code, res.Body)
	}
	res = n.elena.post("/hub/sites/invite", url.Values{"csrf": {tok}, "name": {"X"}, "kind": {"ems"}, "country": {"Germany"}})
	if res.Code != http.StatusBadRequest || !strings.Contains(res.Body, "country") {
		t.Errorf("POST /hub/sites/invite with a bad country = %d, want 400 naming the country:\n%s", res.Code, res.Body)
	}
	// Revoking needs an administrator of the hub's organisation.
	path := "/hub/sites/" + n.practiceSite + "/revoke"
	if res := n.elena.post(path, url.Values{"csrf": {tok}}); res.Code != http.StatusForbidden {
		t.Errorf("responder POST %s = %d, want 403", path, res.Code)
	}
	elena := must(n.st.UserByEmail(t.Context(), "elena@hub.example"))(t)
	must(n.st.SetMember(t.Context(), n.centre.ID, elena.ID, store.RoleAdmin))(t)
	if res := n.elena.post(path, url.Values{"csrf": {tok}}); res.Code != http.StatusSeeOther {
		t.Fatalf("admin POST %s = %d %s, want 303", path, res.Code, res.Body)
	}
	if s := must(n.st.Site(t.Context(), n.practiceSite))(t); s.RevokedAt.IsZero() {
		t.Errorf("site %s not revoked", n.practiceSite)
	}
}

// TestAlerts_AcknowledgeHubUnreachable checks that an acknowledgement the
// hub cannot be told of is kept, and says so: on the page and in the API.
func TestAlerts_AcknowledgeHubUnreachable(t *testing.T) {
	n := newAlertNet(t)
	id := n.publish(t, url.Values{"title": {"Router flaw"}, "summary": {"s"}, "actions": {"a"}, "severity": {"high"}, "tlp": {"CLEAR"},
		"cves": {"CVE-2026-1001"}})
	eventually(t, "the alert at the practice", func() bool { return strings.Contains(n.anna.get("/alerts").Body, "/alerts/"+id) })
	n.site.Close() // the site's connection to the hub is gone
	res := n.anna.post("/alerts/"+id+"/ack", url.Values{"csrf": {n.anna.csrf("/alerts/" + id)}})
	if res.Code != http.StatusSeeOther || res.Location != "/alerts/"+id+"?hub=later" {
		t.Fatalf("POST /alerts/%s/ack with the hub away = %d %q, want 303 to ?hub=later", id, res.Code, res.Location)
	}
	if page := n.anna.get(res.Location).Body; !strings.Contains(page, "Recorded here.") || !strings.Contains(page, "Acknowledged by anna@example.org") {
		t.Errorf("the alert page after an unreported acknowledgement:\n%s", page)
	}
	res = n.api(nil, apiCall{tok: n.prTok, method: http.MethodPost, path: "/api/v1/alerts/" + id + "/share"})
	if res.Code != http.StatusServiceUnavailable || !strings.Contains(res.Body, "the hub was not told") {
		t.Errorf("POST /api/v1/alerts/%s/share with the hub away = %d %s, want 503", id, res.Code, res.Body)
	}
	if rec := must(n.st.ReceivedAlert(t.Context(), n.practice.ID, id))(t); rec.SharedAt.IsZero() || rec.Acknowledged.IsZero() {
		t.Errorf("received alert %s: acknowledged %v, shared %v; want both kept", id, rec.Acknowledged, rec.SharedAt)
	}
}
