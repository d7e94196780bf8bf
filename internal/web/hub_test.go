package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/store"
)

// reach is a "reach" event of GET /hub/events.
type reach struct {
	ID           string `json:"id"`
	Reached      int    `json:"reached"`
	Acknowledged int    `json:"acknowledged"`
	Affected     int    `json:"affected"`
	Mitigated    int    `json:"mitigated"`
	Shared       int    `json:"shared"`
	Last         string `json:"last"`
}

func (s *stream) nextReach() reach { return nextOf[reach](s, "reach") }

// TestAlerts_ShareAssets: the practice shares its affected assets' details
// for one alert; the hub's live stream hears of the new report, and its
// alert page lists the assets, escaped, with the charts over time.
func TestAlerts_ShareAssets(t *testing.T) {
	n := newAlertNet(t)
	ctx := t.Context()
	// The practice PC (its name is hostile markup) has CVE-2026-1002.
	id := n.publish(t, url.Values{"title": {"Practice PC flaw"}, "summary": {"s"}, "actions": {"a"}, "severity": {"high"},
		"tlp": {"GREEN"}, "cves": {"CVE-2026-1002"}, "kinds": {"practice"}})
	eventually(t, "the practice's report at the hub", func() bool {
		rs, err := n.st.AlertReports(ctx, id)
		return err == nil && len(rs) == 1 && rs[0].Affected
	})
	live := n.elena.eventsAt("/hub/events?alert=" + url.QueryEscape(id))
	first := live.nextReach()
	if first.ID != id || first.Reached != 1 || first.Affected != 1 || first.Last == "" {
		t.Errorf("first reach event = %+v, want the practice reached and affected", first)
	}
	page := n.elena.get("/hub/alerts/" + id).Body
	for _, want := range []string{`id="sites-trend-title"`, `id="mitigated-trend-title"`, `data-hub-live="/hub/events?alert=` + id + `"`, `/static/hub.js`} {
		if !strings.Contains(page, want) {
			t.Errorf("the hub's alert page lacks %q", want)
		}
	}
	if strings.Contains(page, "Assets the sites shared") {
		t.Errorf("the hub's alert page lists shared assets before any site shared them")
	}
	if hub := n.elena.get("/hub").Body; !strings.Contains(hub, `<tr data-alert="`+id+`">`) || !strings.Contains(hub, `data-count="affected"`) {
		t.Errorf("/hub rows are not marked for the live numbers:\n%s", hub)
	}

	// A second later, a viewer may not share; the practice's admin does,
	// on the alert page.
	n.clock.Advance(time.Second)
	viewer := n.token(n.practice.ID, store.RoleViewer)
	if res := n.api(nil, apiCall{tok: viewer, method: http.MethodPost, path: "/api/v1/alerts/" + id + "/share"}); res.Code != http.StatusForbidden {
		t.Errorf("viewer POST /api/v1/alerts/%s/share = %d, want 403", id, res.Code)
	}
	one := n.anna.get("/alerts/" + id).Body
	if !strings.Contains(one, `action="/alerts/`+id+`/share"`) {
		t.Fatalf("the alert page has no share form:\n%s", one)
	}
	res := n.anna.post("/alerts/"+id+"/share", url.Values{"csrf": {n.anna.csrf("/alerts/" + id)}})
	if res.Code != http.StatusSeeOther {
		t.Fatalf("POST /alerts/%s/share = %d %s, want 303", id, res.Code, res.Body)
	}
	if res := n.anna.post("/alerts/"+id+"/share", url.Values{"csrf": {"forged"}}); res.Code != http.StatusForbidden {
		t.Errorf("POST /alerts/%s/share without the CSRF token = %d, want 403", id, res.Code)
	}
	if one := n.anna.get("/alerts/" + id).Body; !strings.Contains(one, "Asset details shared by anna@example.org") || strings.Contains(one, "/share\"") {
		t.Errorf("the alert page does not say who shared, or still offers to:\n%s", one)
	}
	audit := must(n.st.ListAudit(ctx, n.practice.ID, store.ListOptions{Limit: 20}))(t)
	if !slices.ContainsFunc(audit.Items, func(e store.AuditEntry) bool {
		return e.Action == "alert.share_assets" && e.Actor == "anna@example.org" && strings.Contains(e.Detail, id)
	}) {
		t.Errorf("audit log %+v lacks alert.share_assets by anna", audit.Items)
	}

	// The new report reaches the hub's live page, which then lists the
	// assets as text.
	for r := live.nextReach(); r.Shared == 0; r = live.nextReach() {
	}
	var hub string
	eventually(t, "the shared assets on the hub's alert page", func() bool {
		hub = n.elena.get("/hub/alerts/" + id).Body
		return strings.Contains(hub, "Assets the sites shared")
	})
	shared := hub[strings.Index(hub, `id="shared-h"`):]
	if !strings.Contains(shared, "<code>pc-1</code>") || !strings.Contains(shared, "Practice PC") || strings.Contains(shared, hostileName) ||
		!strings.Contains(shared, "Praxis Weber") {
		t.Errorf("the shared assets are not listed, or not escaped:\n%s", shared)
	}

	// Over the API: sharing again keeps who shared first.
	res = n.api(nil, apiCall{tok: n.prTok, method: http.MethodPost, path: "/api/v1/alerts/" + id + "/share"})
	var body struct {
		SharedAt time.Time `json:"shared_at"`
		SharedBy string    `json:"shared_by"`
	}
	decode(t, res, &body)
	if res.Code != http.StatusOK || body.SharedBy != "anna@example.org" || body.SharedAt.IsZero() {
		t.Errorf("POST /api/v1/alerts/%s/share = %d %+v, want 200, shared by anna", id, res.Code, body)
	}
	// The hub's token reaches no site route.
	if res := n.api(nil, apiCall{tok: n.hubTok, method: http.MethodPost, path: "/api/v1/alerts/" + id + "/share"}); res.Code != http.StatusNotFound {
		t.Errorf("hub token POST /api/v1/alerts/%s/share = %d, want 404", id, res.Code)
	}
}

// TestAlerts_SiteContacts: the hub admin names whom to phone at a site
// when inviting it and on the sites page; the call list links the number.
func TestAlerts_SiteContacts(t *testing.T) {
	n := newAlertNet(t)
	ctx := t.Context()
	tok := n.elena.csrf("/hub/sites")
	res := n.elena.post("/hub/sites/invite", url.Values{"csrf": {tok}, "name": {"Rettungsdienst Süd"}, "kind": {"ems"}, "country": {"DE"},
		"contact": {"Leitstelle"}, "phone": {"call 112"}})
	if res.Code != http.StatusBadRequest || !strings.Contains(res.Body, "phone: ") || !strings.Contains(res.Body, `value="call 112"`) {
		t.Errorf("POST /hub/sites/invite with a bad phone = %d, want 400 naming the phone, input kept:\n%s", res.Code, res.Body)
	}
	res = n.elena.post("/hub/sites/invite", url.Values{"csrf": {tok}, "name": {"Rettungsdienst Süd"}, "kind": {"ems"}, "country": {"DE"},
		"contact": {"Leitstelle"}, "phone": {"+49 (89) 112-0"}})
	if res.Code != http.StatusCreated {
		t.Errorf("POST /hub/sites/invite with a contact = %d, want 201:\n%s", res.Code, res.Body)
	}

	// Changing a contact needs an administrator of the hub's organisation.
	path := "/hub/sites/" + n.hospitalSite + "/contact"
	good := url.Values{"csrf": {tok}, "contact": {"Dr. Roth <IT>"}, "phone": {"+49 (40) 1234-5678"}}
	if res := n.elena.post(path, good); res.Code != http.StatusForbidden {
		t.Errorf("responder POST %s = %d, want 403", path, res.Code)
	}
	elena := must(n.st.UserByEmail(ctx, "elena@hub.example"))(t)
	must(n.st.SetMember(ctx, n.centre.ID, elena.ID, store.RoleAdmin))(t)
	bad := url.Values{"csrf": {tok}, "contact": {"Dr. Roth"}, "phone": {"0800-WARD"}}
	res = n.elena.post(path, bad)
	if res.Code != http.StatusBadRequest || !strings.Contains(res.Body, `class="field-error"`) || !strings.Contains(res.Body, "use digits, spaces, &#43;, - and parentheses") ||
		!strings.Contains(res.Body, `value="0800-WARD"`) {
		t.Errorf("POST %s with letters in the phone = %d, want 400 with the error at the site's row:\n%s", path, res.Code, res.Body)
	}
	if res := n.elena.post(path, good); res.Code != http.StatusSeeOther {
		t.Fatalf("admin POST %s = %d %s, want 303", path, res.Code, res.Body)
	}
	sites := n.elena.get("/hub/sites").Body
	if !strings.Contains(sites, `<a href="tel:&#43;494012345678">&#43;49 (40) 1234-5678</a>`) {
		t.Errorf("/hub/sites has no tel: link for the hospital:\n%s", sites)
	}
	if !strings.Contains(sites, "Dr. Roth &lt;IT&gt;") {
		t.Errorf("/hub/sites does not show the contact, escaped")
	}

	// A critical alert the hospital does not acknowledge: after four hours
	// the call list gives its number.
	id := n.publish(t, url.Values{"title": {"Pump flaw"}, "summary": {"s"}, "actions": {"a"}, "severity": {"critical"},
		"tlp": {"GREEN"}, "kinds": {"hospital"}})
	eventually(t, "the hospital's report", func() bool {
		rs, err := n.st.AlertReports(ctx, id)
		return err == nil && len(rs) == 1
	})
	n.clock.Advance(5 * time.Hour)
	page := n.elena.get("/hub/alerts/" + id).Body
	call := page[strings.Index(page, `id="call-h"`):]
	call = call[:strings.Index(call, "</section>")]
	if !strings.Contains(call, "Not acknowledged after 4 hours") || !strings.Contains(call, `href="tel:&#43;494012345678"`) {
		t.Errorf("the call list lacks the hospital's number:\n%s", call)
	}
	if !strings.Contains(page, `<noscript><meta http-equiv="refresh"`) && strings.Contains(page, `http-equiv="refresh"`) {
		t.Errorf("the live page reloads itself even where its script runs")
	}
}
