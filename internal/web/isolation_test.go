package web_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/web"
)

// isoEnv is what the tenant-isolation cases work with: org A (the
// practice) signed in as its admin, in a browser and with an admin token,
// and the ids of org B's (the hospital's) objects.
//
// To cover a new route, add org B's objects to newIsoEnv (as fields here)
// and a case to isolationCases.
type isoEnv struct {
	f       *fixture
	browser *client // anna: admin of org A only
	csrf    string  // the browser's form token
	tokA    string  // an admin token of org A
	orgB    string
	// Org B's objects.
	assetB, findingB, advisoryB string
	userB, emailB, tokenB       string // a member of org B only, an API token of org B
}

// isoCase checks one route: org A's request for org B's objects.
type isoCase struct {
	// path is the URL, with org B's ids in it.
	path func(e *isoEnv) string
	// form is posted by the browser (its csrf token is added); body and
	// ctype are sent with the token to API routes.
	form        url.Values
	body, ctype string
	// want is the status: 404 for every route that names an object of org
	// B; lists and pages answer 200 but show nothing of org B.
	want int
	// public routes need no credentials; the others' API routes must also
	// refuse a browser session (401).
	public bool
	// after undoes in org A what the request did, so the next cases start
	// from the same state.
	after func(t *testing.T, e *isoEnv)
	// stream marks a response that does not end (server-sent events): its
	// first event is read.
	stream bool
}

func fixed(p string) func(*isoEnv) string { return func(*isoEnv) string { return p } }

// isolationCases has a case for every pattern Server.Patterns returns;
// TestIsolation fails for a route without one.
var isolationCases = map[string]isoCase{
	// Pages.
	"GET /healthz":     {path: fixed("/healthz"), want: 200, public: true},
	"GET /metrics":     {path: fixed("/metrics"), want: 200, public: true}, // sums over all organisations, names none
	"GET /favicon.ico": {path: fixed("/favicon.ico"), want: 200, public: true},
	"GET /events":      {path: fixed("/events"), want: 200, stream: true}, // org A's counts only
	"GET /readyz":      {path: fixed("/readyz"), want: 200, public: true},
	"GET /login":       {path: fixed("/login"), want: 303}, // signed in: to Today
	"POST /login": {path: fixed("/login"), want: 403, // no sign-in form token: nothing happens
		form: url.Values{"email": {"mira@example.org"}, "password": {password}}},
	"POST /logout": {path: fixed("/logout"), want: 303, after: func(t *testing.T, e *isoEnv) {
		e.browser = e.f.signedIn("anna@example.org")
		e.csrf = e.browser.csrf("/")
	}},
	"GET /orgs":          {path: fixed("/orgs"), want: 200},
	"POST /orgs/select":  {path: fixed("/orgs/select"), want: 404, form: url.Values{"org": nil}},
	"GET /{$}":           {path: fixed("/"), want: 200},
	"GET /findings":      {path: fixed("/findings?state=new"), want: 200},
	"GET /findings/{id}": {path: func(e *isoEnv) string { return "/findings/" + e.findingB }, want: 404},
	"GET /assets":        {path: fixed("/assets?q=pump"), want: 200},
	"GET /assets/{id}":   {path: func(e *isoEnv) string { return "/assets/" + e.assetB }, want: 404},
	"POST /findings/{id}/state": {path: func(e *isoEnv) string { return "/findings/" + e.findingB + "/state" }, want: 404,
		form: url.Values{"to": {"mitigated"}}},

	// Workflow and settings.
	"POST /findings/{id}/transition": {path: func(e *isoEnv) string { return "/findings/" + e.findingB + "/transition" }, want: 404,
		form: url.Values{"to": {"mitigated"}}},
	"POST /findings/{id}/assign": {path: func(e *isoEnv) string { return "/findings/" + e.findingB + "/assign" }, want: 404,
		form: url.Values{"assignee": {"anna@example.org"}}},
	"POST /findings/{id}/comment": {path: func(e *isoEnv) string { return "/findings/" + e.findingB + "/comment" }, want: 404,
		form: url.Values{"comment": {"seen"}}},
	"POST /findings/{id}/verdict": {path: func(e *isoEnv) string { return "/findings/" + e.findingB + "/verdict" }, want: 404,
		form: url.Values{"outcome": {"rejected"}}},
	"GET /settings": {path: fixed("/settings"), want: 200},
	// Adding org B's member to org A is allowed (people are not owned by an
	// organisation) and changes only org A; the case undoes it.
	"POST /settings/members": {path: fixed("/settings/members"), want: 303,
		form:  url.Values{"email": {"bo@klinikum-nord.example"}, "role": {"viewer"}},
		after: func(t *testing.T, e *isoEnv) { must(0, e.f.st.RemoveMember(t.Context(), e.f.practice.ID, e.userB))(t) }},
	"POST /settings/members/{user}/role": {path: func(e *isoEnv) string { return "/settings/members/" + e.userB + "/role" }, want: 404,
		form: url.Values{"role": {"viewer"}}},
	"POST /settings/members/{user}/remove": {path: func(e *isoEnv) string { return "/settings/members/" + e.userB + "/remove" }, want: 404},
	"POST /settings/tokens":                {path: fixed("/settings/tokens"), want: 201, form: url.Values{"name": {"siem"}, "role": {"viewer"}}},
	"POST /settings/tokens/{token}/revoke": {path: func(e *isoEnv) string { return "/settings/tokens/" + e.tokenB + "/revoke" }, want: 404},
	"POST /settings/policy":                {path: fixed("/settings/policy"), want: 303, form: url.Values{"act": {"1"}}},
	"POST /settings/verdicts/delete":       {path: fixed("/settings/verdicts/delete"), want: 404, form: url.Values{"asset": {"pump-1"}, "product": {"Space"}}},
	// Import, advisories, overview, reports: org A's data only.
	"GET /assets/import":          {path: fixed("/assets/import"), want: 200},
	"POST /assets/import":         {path: fixed("/assets/import"), want: 400}, // not a file upload
	"POST /assets/import/confirm": {path: fixed("/assets/import/confirm"), want: 410, form: url.Values{"token": {"someone-elses"}}},
	"GET /advisories":             {path: fixed("/advisories?q=CVE-2026-2001"), want: 200},
	// Org B's advisory is in the catalog, which every organisation reads;
	// org B's affected pump must not show.
	"GET /advisories/{id}":      {path: func(e *isoEnv) string { return "/advisories/" + e.advisoryB }, want: 200},
	"GET /overview":             {path: fixed("/overview"), want: 200},
	"GET /reports":              {path: fixed("/reports"), want: 200},
	"GET /reports/exposure":     {path: fixed("/reports/exposure"), want: 200},
	"GET /reports/exposure.pdf": {path: fixed("/reports/exposure.pdf"), want: 200},

	// Feeds are the node's: org A sees them, and org B has none of its own.
	"GET /feeds":            {path: fixed("/feeds"), want: 200},
	"POST /feeds/{id}/sync": {path: fixed("/feeds/feed_unknown/sync"), want: 404},
	"GET /settings/audit":   {path: fixed("/settings/audit"), want: 200},
	// This server is no site: no enrolment (enroll_test.go checks roles).
	"POST /settings/enroll": {path: fixed("/settings/enroll"), want: 404, form: url.Values{"hub": {"https://hub.example.eu"}, "token": {"t"}}},
	"GET /vex/openvex.json": {path: fixed("/vex/openvex.json"), want: 200},
	"GET /vex/csaf.json":    {path: fixed("/vex/csaf.json"), want: 200},

	// Early warnings. This server is neither hub nor site, so every alert
	// route answers 404; alerts_test.go checks tenants with both running.
	"GET /alerts":                    {path: fixed("/alerts"), want: 404},
	"GET /alerts/{id}":               {path: fixed("/alerts/alert_unknown"), want: 404},
	"POST /alerts/{id}/ack":          {path: fixed("/alerts/alert_unknown/ack"), want: 404},
	"POST /alerts/{id}/share":        {path: fixed("/alerts/alert_unknown/share"), want: 404},
	"GET /hub":                       {path: fixed("/hub"), want: 404},
	"POST /hub/alerts":               {path: fixed("/hub/alerts"), want: 404, form: url.Values{"title": {"x"}}},
	"GET /hub/alerts/{id}":           {path: fixed("/hub/alerts/alert_unknown"), want: 404},
	"GET /hub/sites":                 {path: fixed("/hub/sites"), want: 404},
	"POST /hub/sites/invite":         {path: fixed("/hub/sites/invite"), want: 404, form: url.Values{"name": {"x"}}},
	"POST /hub/sites/{id}/revoke":    {path: fixed("/hub/sites/site_unknown/revoke"), want: 404},
	"POST /hub/sites/{id}/contact":   {path: fixed("/hub/sites/site_unknown/contact"), want: 404, form: url.Values{"phone": {"112"}}},
	"GET /hub/events":                {path: fixed("/hub/events?alert=alert_unknown"), want: 404},
	"GET /api/v1/alerts":             {path: fixed("/api/v1/alerts"), want: 404},
	"POST /api/v1/alerts/{id}/ack":   {path: fixed("/api/v1/alerts/alert_unknown/ack"), want: 404},
	"POST /api/v1/alerts/{id}/share": {path: fixed("/api/v1/alerts/alert_unknown/share"), want: 404},
	"GET /api/v1/hub/alerts":         {path: fixed("/api/v1/hub/alerts"), want: 404},
	"POST /api/v1/hub/alerts":        {path: fixed("/api/v1/hub/alerts"), want: 404, body: `{"title":"x"}`},

	// API.
	"GET /api/v1/feeds":            {path: fixed("/api/v1/feeds"), want: 200},
	"POST /api/v1/feeds/{id}/sync": {path: fixed("/api/v1/feeds/feed_unknown/sync"), want: 404},
	"GET /api/v1/openapi.json":     {path: fixed("/api/v1/openapi.json"), want: 200, public: true},
	// The invitation token is the credential; this node is no hub.
	"POST /api/v1/enroll": {path: fixed("/api/v1/enroll"), want: 404, public: true},
	"GET /api/v1/me":      {path: fixed("/api/v1/me"), want: 200},

	"GET /api/v1/report": {path: fixed("/api/v1/report"), want: 200},
	"GET /api/v1/assets": {path: fixed("/api/v1/assets?q=pump"), want: 200},
	// Ids are per organisation: org A may create its own pump-1, and is not
	// told that org B has one (no 409).
	"POST /api/v1/assets": {path: fixed("/api/v1/assets"), want: 201,
		body: `{"id":"pump-1","vendor":"Acme","product":"Pump"}`, after: deleteA("pump-1")},
	"POST /api/v1/assets/import": {path: fixed("/api/v1/assets/import?mode=replace"), want: 200, ctype: "text/csv",
		body: "id,vendor,product\npump-1,Acme,Pump\n", after: deleteA("pump-1")},
	"GET /api/v1/assets/{id}": {path: func(e *isoEnv) string { return "/api/v1/assets/" + e.assetB }, want: 404},
	"PUT /api/v1/assets/{id}": {path: func(e *isoEnv) string { return "/api/v1/assets/" + e.assetB }, want: 404,
		body: `{"vendor":"Acme","product":"Pump"}`},
	"PATCH /api/v1/assets/{id}": {path: func(e *isoEnv) string { return "/api/v1/assets/" + e.assetB }, want: 404,
		body: `{"zone":"moved"}`},
	"DELETE /api/v1/assets/{id}": {path: func(e *isoEnv) string { return "/api/v1/assets/" + e.assetB }, want: 404},
	"GET /api/v1/findings": {path: func(e *isoEnv) string {
		return "/api/v1/findings?asset=" + e.assetB + "&advisory=" + e.advisoryB
	}, want: 200},
	"GET /api/v1/findings/{id}": {path: func(e *isoEnv) string { return "/api/v1/findings/" + e.findingB }, want: 404},
	"PATCH /api/v1/findings/{id}": {path: func(e *isoEnv) string { return "/api/v1/findings/" + e.findingB }, want: 404,
		body: `{"state":"mitigated","assignee":"anna"}`},
	"GET /api/v1/findings/{id}/history": {path: func(e *isoEnv) string { return "/api/v1/findings/" + e.findingB + "/history" }, want: 404},
	"GET /api/v1/advisories":            {path: fixed("/api/v1/advisories?q=2026"), want: 200},
	// Advisories are public; the findings listed with one are the caller's.
	"GET /api/v1/advisories/{id}": {path: func(e *isoEnv) string { return "/api/v1/advisories/" + e.advisoryB }, want: 200},
}

// deleteA deletes org A's asset id, which a case created.
func deleteA(id string) func(t *testing.T, e *isoEnv) {
	return func(t *testing.T, e *isoEnv) {
		if err := e.f.st.DeleteAsset(t.Context(), e.f.practice.ID, id); err != nil {
			t.Errorf("clean up org A's %s: %v", id, err)
		}
	}
}

func newIsoEnv(t *testing.T) *isoEnv {
	f := newFixture(t, 0)
	// The catalog holds org B's advisory (and no product, so rescans of org
	// A find nothing).
	f.eng.SetCatalog(engine.NewCatalog(&advisory.Set{Advisories: []*advisory.Advisory{{
		ID: "ADV-CVE-2026-2001", Format: "csaf", Title: "Flaw CVE-2026-2001",
		Vulnerabilities: []advisory.Vulnerability{{CVE: "CVE-2026-2001"}},
	}}}))
	e := &isoEnv{
		f: f, browser: f.signedIn("anna@example.org"), tokA: f.token(f.practice.ID, store.RoleAdmin),
		orgB: f.hospital.ID, assetB: "pump-1", advisoryB: "ADV-CVE-2026-2001",
		findingB: web.EncodeKeyForTest(f.key("pump-1", "CVE-2026-2001")),
	}
	e.csrf = e.browser.csrf("/")
	// Org B's finding has a history and an assignee, so changes show.
	ctx := t.Context()
	key := f.key("pump-1", "CVE-2026-2001")
	must(f.st.UpdateFindingState(ctx, f.hospital.ID, key, store.Transition{To: store.StateOpen, Actor: "mira@example.org"}))(t)
	must(f.st.AssignFinding(ctx, f.hospital.ID, key, "mira", "mira@example.org"))(t)
	e.emailB = "bo@klinikum-nord.example"
	bo := must(f.st.CreateUser(ctx, store.User{Email: e.emailB, DisplayName: "Bo", PasswordHash: must(store.HashPassword(password))(t)}))(t)
	must(f.st.SetMember(ctx, f.hospital.ID, bo.ID, store.RoleAdmin))(t)
	e.userB = bo.ID
	tok, _ := must2(f.st.CreateToken(ctx, f.hospital.ID, "siem", store.RoleViewer))(t)
	e.tokenB = tok.ID
	return e
}

// snapshot is everything org B has that a request might change.
type snapshot struct {
	Org      store.Organisation
	Assets   []store.AssetRecord
	Findings []store.FindingRecord
	History  [][]store.FindingEvent
	Audit    []store.AuditEntry
	Tokens   []store.Token
	Members  []store.Membership
	Verdicts []store.Verdict
	Policy   store.DuePolicy
}

func takeSnapshot(t *testing.T, st store.Store, org string) snapshot {
	t.Helper()
	ctx := t.Context()
	all := store.ListOptions{Limit: store.MaxLimit}
	s := snapshot{
		Org:      must(st.Org(ctx, org))(t),
		Assets:   must(st.ListAssets(ctx, org, store.AssetFilter{}, all))(t).Items,
		Findings: must(st.ListFindings(ctx, org, store.FindingFilter{}, all))(t).Items,
		Audit:    must(st.ListAudit(ctx, org, all))(t).Items,
		Tokens:   must(st.ListTokens(ctx, org, all))(t).Items,
		Members:  must(st.ListMembers(ctx, org, all))(t).Items,
		Verdicts: must(st.ListVerdicts(ctx, org, all))(t).Items,
		Policy:   must(st.OrgPolicy(ctx, org))(t),
	}
	for _, f := range s.Findings {
		s.History = append(s.History, must(st.FindingHistory(ctx, org, f.Key, all))(t).Items)
	}
	return s
}

// leaks are strings of org B that org A's responses must never contain.
func (e *isoEnv) leaks() []string {
	return []string{e.orgB, "Klinikum Nord", "Infusion", "B. Braun"}
}

// TestIsolation sends, for every registered route, org A's request for org
// B's objects, and checks the status, that the response shows nothing of
// org B, and that org B's data did not change.
func TestIsolation(t *testing.T) {
	e := newIsoEnv(t)
	before := takeSnapshot(t, e.f.st, e.orgB)
	srv := must(web.New(web.Config{Store: e.f.st, Engine: e.f.eng}))(t)
	patterns := srv.Patterns()
	for name := range isolationCases {
		if !slices.Contains(patterns, name) {
			t.Errorf("isolationCases[%q]: no such route; remove the case", name)
		}
	}
	for _, pattern := range patterns {
		t.Run(pattern, func(t *testing.T) {
			tc, ok := isolationCases[pattern]
			if !ok {
				t.Fatalf("route %q has no tenant-isolation case: add one to isolationCases", pattern)
			}
			method, _, _ := strings.Cut(pattern, " ")
			path := tc.path(e)
			var res response
			switch {
			case tc.stream:
				res = e.firstEvent(t, path)
			case strings.HasPrefix(path, "/api/"):
				res = e.f.api(nil, apiCall{tok: e.tokA, method: method, path: path, body: tc.body, ctype: tc.ctype})
			default:
				res = e.browse(method, path, tc.form)
			}
			if res.Code != tc.want {
				t.Errorf("%s %s as org A = %d %.300s, want %d", method, path, res.Code, res.Body, tc.want)
			}
			for _, leak := range e.leaks() {
				if strings.Contains(res.Body, leak) || strings.Contains(res.Location, leak) {
					t.Errorf("%s %s as org A shows org B's %q:\n%.1000s", method, path, leak, res.Body)
				}
			}
			if tc.after != nil {
				tc.after(t, e)
			}
			if strings.HasPrefix(path, "/api/") && !tc.public {
				// A browser session never authenticates the API.
				res := e.f.api(e.browser, apiCall{method: method, path: path, body: tc.body, ctype: tc.ctype})
				if res.Code != http.StatusUnauthorized {
					t.Errorf("%s %s with org A's session cookie = %d, want 401", method, path, res.Code)
				}
			}
			if d := cmp.Diff(before, takeSnapshot(t, e.f.st, e.orgB)); d != "" {
				t.Fatalf("%s %s as org A changed org B (-before +after):\n%s", method, path, d)
			}
		})
	}
	// A token of org A lists nothing of org B.
	for _, path := range []string{"/api/v1/assets", "/api/v1/findings", "/api/v1/findings?asset=pump-1", "/api/v1/report"} {
		var page struct {
			Items []struct {
				ID      string
				AssetID string `json:"asset_id"`
			} `json:"items"`
		}
		e.f.apiGet(e.tokA, path, &page)
		for _, it := range page.Items {
			if it.ID == "pump-1" || it.AssetID == "pump-1" {
				t.Errorf("GET %s with org A's token lists org B's pump-1", path)
			}
		}
	}
}

// firstEvent opens an event stream as org A's browser and returns the
// response with its first event as the body.
func (e *isoEnv) firstEvent(t *testing.T, path string) response {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req := must(http.NewRequestWithContext(ctx, http.MethodGet, e.browser.base+path, nil))(t)
	res := must(e.browser.hc.Do(req))(t)
	defer res.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() && (b.Len() == 0 || sc.Text() != "") {
		b.WriteString(sc.Text() + "\n")
	}
	return response{Code: res.StatusCode, Body: b.String(), Header: res.Header}
}

// browse sends a browser request of org A: GETs plainly, POSTs with the
// form and the session's csrf token.
func (e *isoEnv) browse(method, path string, form url.Values) response {
	if method == http.MethodGet {
		return e.browser.get(path)
	}
	v := url.Values{"csrf": {e.csrf}}
	for k, vs := range form {
		v[k] = vs
	}
	if _, ok := v["org"]; ok {
		v.Set("org", e.orgB)
	}
	if path == "/login" {
		delete(v, "csrf")
		return e.f.client().post(path, v)
	}
	return e.browser.post(path, v)
}
