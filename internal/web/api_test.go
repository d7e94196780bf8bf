package web_test

import (
	"encoding/json"
	"io"
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

// token makes an API token of org with role and returns its secret.
func (f *fixture) token(org string, role store.Role) string {
	f.t.Helper()
	_, plain, err := f.st.CreateToken(f.t.Context(), org, "test-"+string(role), role)
	if err != nil {
		f.t.Fatalf("CreateToken() = %v", err)
	}
	return plain
}

// apiCall is one API request: a token (or none), method, path, body and
// its Content-Type (default application/json when there is a body).
type apiCall struct {
	tok, method, path, body, ctype string
}

// api sends the call with c (a browser, whose cookies go along) or, with c
// nil, a client without cookies.
func (f *fixture) api(c *client, call apiCall) response {
	f.t.Helper()
	if c == nil {
		c = f.client()
	}
	var body io.Reader
	if call.body != "" {
		body = strings.NewReader(call.body)
	}
	req, err := http.NewRequestWithContext(f.t.Context(), call.method, f.srv.URL+call.path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if call.tok != "" {
		req.Header.Set("Authorization", "Bearer "+call.tok)
	}
	switch {
	case call.ctype != "":
		req.Header.Set("Content-Type", call.ctype)
	case call.body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	return c.do(req)
}

// get is a GET with tok that must answer 200; it decodes the body into v.
func (f *fixture) apiGet(tok, path string, v any) {
	f.t.Helper()
	res := f.api(nil, apiCall{tok: tok, method: http.MethodGet, path: path})
	if res.Code != http.StatusOK {
		f.t.Fatalf("GET %s = %d %s, want 200", path, res.Code, res.Body)
	}
	decode(f.t, res, v)
}

func decode(t *testing.T, res response, v any) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if err := json.Unmarshal([]byte(res.Body), v); err != nil {
		t.Fatalf("decode %q: %v", res.Body, err)
	}
}

type errBody struct {
	Error  string `json:"error"`
	Errors []struct {
		Line    int    `json:"line"`
		Column  string `json:"column"`
		Message string `json:"message"`
	} `json:"errors"`
}

// wantError checks that res is a JSON error with code.
func wantError(t *testing.T, res response, code int) errBody {
	t.Helper()
	if res.Code != code {
		t.Fatalf("status = %d %s, want %d", res.Code, res.Body, code)
	}
	var e errBody
	decode(t, res, &e)
	if e.Error == "" {
		t.Errorf("error body %q has no error", res.Body)
	}
	return e
}

func TestAPI_Auth(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	viewer := f.token(f.practice.ID, store.RoleViewer)
	responder := f.token(f.practice.ID, store.RoleResponder)
	revoked, err := f.st.ListTokens(t.Context(), f.practice.ID, store.ListOptions{})
	if err != nil || len(revoked.Items) != 2 {
		t.Fatalf("ListTokens() = %v, %v", revoked, err)
	}
	gone := f.token(f.practice.ID, store.RoleAdmin)
	toks, _ := f.st.ListTokens(t.Context(), f.practice.ID, store.ListOptions{})
	for _, tk := range toks.Items {
		if tk.Role == store.RoleAdmin {
			if err := f.st.RevokeToken(t.Context(), f.practice.ID, tk.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	anna := f.signedIn("anna@example.org") // an admin's session
	finding := "/api/v1/findings/" + web.EncodeKeyForTest(f.key("router-1", "CVE-2026-1001"))
	tests := []struct {
		name string
		c    *client
		call apiCall
		want int
	}{
		{"no token", nil, apiCall{method: "GET", path: "/api/v1/me"}, 401},
		{"session cookie only", anna, apiCall{method: "GET", path: "/api/v1/me"}, 401},
		{"session cookie, write", anna, apiCall{method: "DELETE", path: "/api/v1/assets/router-1"}, 401},
		{"unknown token", nil, apiCall{tok: store.NewToken(), method: "GET", path: "/api/v1/me"}, 401},
		{"revoked token", nil, apiCall{tok: gone, method: "GET", path: "/api/v1/me"}, 401},
		{"not a ward token", nil, apiCall{tok: "abc", method: "GET", path: "/api/v1/me"}, 401},
		{"viewer reads", nil, apiCall{tok: viewer, method: "GET", path: "/api/v1/findings"}, 200},
		{"viewer changes a finding", nil, apiCall{tok: viewer, method: "PATCH", path: finding, body: `{"state":"open"}`}, 403},
		{"viewer creates an asset", nil, apiCall{tok: viewer, method: "POST", path: "/api/v1/assets", body: `{"id":"x","vendor":"a","product":"b"}`}, 403},
		{"responder deletes an asset", nil, apiCall{tok: responder, method: "DELETE", path: "/api/v1/assets/router-1"}, 403},
		{"responder imports", nil, apiCall{tok: responder, method: "POST", path: "/api/v1/assets/import", body: "id,vendor,product\nx,a,b\n", ctype: "text/csv"}, 403},
		{"unknown route", nil, apiCall{tok: viewer, method: "GET", path: "/api/v1/nope"}, 404},
		{"wrong method", nil, apiCall{tok: viewer, method: "DELETE", path: "/api/v1/findings"}, 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := f.api(tc.c, tc.call)
			if tc.want == 200 {
				if res.Code != 200 {
					t.Fatalf("status = %d %s, want 200", res.Code, res.Body)
				}
				return
			}
			wantError(t, res, tc.want)
			if tc.want == 401 && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want Bearer", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
	if res := f.api(nil, apiCall{method: "POST", path: "/api/v1/assets/router-1"}); res.Header.Get("Allow") != "GET, PUT, PATCH, DELETE" {
		t.Errorf("POST /api/v1/assets/router-1: Allow = %q, want GET, PUT, PATCH, DELETE", res.Header.Get("Allow"))
	}
	if _, err := f.st.Asset(t.Context(), f.practice.ID, "router-1"); err != nil {
		t.Errorf("router-1 after refused deletes: %v", err)
	}
	if fr := must(f.st.Finding(t.Context(), f.practice.ID, f.key("router-1", "CVE-2026-1001")))(t); fr.State != store.StateNew {
		t.Errorf("finding state after a refused change = %s, want new", fr.State)
	}
}

func TestAPI_Me(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	var me struct {
		Organisation struct{ ID, Name, Kind, Country string }
		Token        struct{ Name, Role string }
	}
	f.apiGet(f.token(f.hospital.ID, store.RoleResponder), "/api/v1/me", &me)
	if me.Organisation.ID != f.hospital.ID || me.Organisation.Name != "Klinikum Nord" || me.Token.Role != "responder" {
		t.Errorf("me = %+v", me)
	}
}

type assetJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Kind         string `json:"kind"`
	Zone         string `json:"zone"`
	Vendor       string `json:"vendor"`
	Product      string `json:"product"`
	ClinicalRole string `json:"clinical_role"`
	Source       string `json:"source"`
}

type assetList struct {
	Items []assetJSON `json:"items"`
	Next  string      `json:"next"`
}

// allIDs follows next from path and returns every item's id.
func allIDs(f *fixture, tok, path string) []string {
	f.t.Helper()
	var ids []string
	for range 100 {
		var page struct {
			Items []struct{ ID string } `json:"items"`
			Next  string                `json:"next"`
		}
		f.apiGet(tok, path, &page)
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if page.Next == "" {
			return ids
		}
		u, _ := url.Parse(path)
		q := u.Query()
		q.Set("cursor", page.Next)
		u.RawQuery = q.Encode()
		path = u.String()
	}
	f.t.Fatalf("%s: more than 100 pages", path)
	return nil
}

func TestAPI_AssetsList(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	tok := f.token(f.practice.ID, store.RoleViewer)
	tests := []struct {
		path string
		want []string
	}{
		{"/api/v1/assets?limit=2", []string{"ecg-1", "pc-1", "printer-1", "reader-1", "router-1"}},
		{"/api/v1/assets?limit=1&zone=clinical", []string{"ecg-1"}},
		{"/api/v1/assets?kind=router", []string{"router-1"}},
		{"/api/v1/assets?q=laserjet", []string{"printer-1"}},
		{"/api/v1/assets?role=administrative&limit=3", []string{"ecg-1", "pc-1", "printer-1", "reader-1", "router-1"}},
		{"/api/v1/assets?role=life-sustaining", nil},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			if d := cmp.Diff(tc.want, allIDs(f, tok, tc.path)); d != "" {
				t.Errorf("ids (-want +got):\n%s", d)
			}
		})
	}
	for _, bad := range []string{"/api/v1/assets?role=surgeon", "/api/v1/assets?limit=0", "/api/v1/assets?limit=501", "/api/v1/assets?limit=x", "/api/v1/assets?cursor=%7Bnope"} {
		t.Run(bad, func(t *testing.T) {
			wantError(t, f.api(nil, apiCall{tok: tok, method: "GET", path: bad}), 400)
		})
	}
}

func TestAPI_AssetWrites(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	admin := f.token(f.practice.ID, store.RoleAdmin)
	call := func(method, path, body string) response {
		return f.api(nil, apiCall{tok: admin, method: method, path: path, body: body})
	}
	res := call("POST", "/api/v1/assets", `{"id":"us-1","name":"Ultrasound","kind":"ultrasound","vendor":"GE HealthCare","product":"Vivid","zone":"clinical","clinical_role":"diagnostic"}`)
	if res.Code != http.StatusCreated || res.Location != "/api/v1/assets/us-1" {
		t.Fatalf("create = %d %s (Location %q), want 201", res.Code, res.Body, res.Location)
	}
	var a assetJSON
	decode(t, res, &a)
	if a.ID != "us-1" || a.ClinicalRole != "diagnostic" || a.Source != "api" {
		t.Errorf("created = %+v", a)
	}
	wantError(t, call("POST", "/api/v1/assets", `{"id":"us-1","vendor":"x","product":"y"}`), 409)

	res = call("PATCH", "/api/v1/assets/us-1", `{"zone":"radiology","name":"Ultrasound 2"}`)
	decode(t, res, &a)
	if res.Code != 200 || a.Zone != "radiology" || a.Name != "Ultrasound 2" || a.Vendor != "GE HealthCare" {
		t.Errorf("patch = %d %+v", res.Code, a)
	}
	res = call("PUT", "/api/v1/assets/us-1", `{"vendor":"Philips","product":"Affiniti"}`)
	a = assetJSON{}
	decode(t, res, &a)
	if res.Code != 200 || a.Vendor != "Philips" || a.Name != "" || a.ID != "us-1" {
		t.Errorf("put = %d %+v", res.Code, a)
	}
	for name, tc := range map[string]struct {
		method, path, body, ctype string
		want                      int
	}{
		"unknown field":      {"POST", "/api/v1/assets", `{"id":"z","vendor":"a","product":"b","colour":"red"}`, "", 400},
		"trailing data":      {"POST", "/api/v1/assets", `{"id":"z","vendor":"a","product":"b"} {}`, "", 400},
		"no identity":        {"POST", "/api/v1/assets", `{"id":"z"}`, "", 400},
		"bad exposure":       {"POST", "/api/v1/assets", `{"id":"z","vendor":"a","product":"b","exposure":"moon"}`, "", 400},
		"not JSON":           {"POST", "/api/v1/assets", `id=z`, "application/x-www-form-urlencoded", 415},
		"too large":          {"POST", "/api/v1/assets", `{"id":"z","name":"` + strings.Repeat("a", 2<<20) + `"}`, "", 413},
		"id change":          {"PATCH", "/api/v1/assets/us-1", `{"id":"us-2"}`, "", 400},
		"null":               {"PATCH", "/api/v1/assets/us-1", `{"vendor":null}`, "", 400},
		"put unknown":        {"PUT", "/api/v1/assets/nope", `{"vendor":"a","product":"b"}`, "", 404},
		"patch unknown":      {"PATCH", "/api/v1/assets/nope", `{"zone":"x"}`, "", 404},
		"delete unknown":     {"DELETE", "/api/v1/assets/nope", "", "", 404},
		"get after no write": {"GET", "/api/v1/assets/z", "", "", 404},
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, f.api(nil, apiCall{tok: admin, method: tc.method, path: tc.path, body: tc.body, ctype: tc.ctype}), tc.want)
		})
	}
	if res := call("DELETE", "/api/v1/assets/us-1", ""); res.Code != http.StatusNoContent {
		t.Fatalf("delete = %d %s, want 204", res.Code, res.Body)
	}
	wantError(t, call("GET", "/api/v1/assets/us-1", ""), 404)
	audit := must(f.st.ListAudit(t.Context(), f.practice.ID, store.ListOptions{}))(t)
	var actions []string
	for _, e := range audit.Items {
		if strings.HasPrefix(e.Actor, "token:") {
			actions = append(actions, e.Action)
		}
	}
	if d := cmp.Diff([]string{"asset.delete", "asset.update", "asset.update", "asset.create"}, actions); d != "" {
		t.Errorf("audit actions (-want +got):\n%s", d)
	}
}

// pumpCatalog is a catalog with one advisory that affects Acme InfuseOne
// before 2.0.
func pumpCatalog() *engine.Catalog {
	return engine.NewCatalog(&advisory.Set{Advisories: []*advisory.Advisory{{
		ID: "ICSMA-26-001-01", Format: "csaf", Title: "Acme InfuseOne pumps", Publisher: "CISA",
		Vulnerabilities: []advisory.Vulnerability{{
			CVE: "CVE-2026-9001", CVSS: 9.1,
			Affects: []advisory.Affect{{
				Product: advisory.Identity{Vendor: "Acme Medical", Name: "InfuseOne"},
				Ranges:  []advisory.Range{{Status: advisory.StatusKnownAffected, Fixed: "2.0"}},
			}},
		}},
	}}})
}

func TestAPI_Import(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	f.eng.SetCatalog(pumpCatalog())
	admin := f.token(f.hospital.ID, store.RoleAdmin)
	imp := func(body, ctype, query string) response {
		return f.api(nil, apiCall{tok: admin, method: "POST", path: "/api/v1/assets/import" + query, body: body, ctype: ctype})
	}
	bad := "id,name,vendor,product,version,exposure\n" +
		"pump-2,Pump 2,Acme Medical,InfuseOne,1.5,internal\n" +
		"pump-3,Pump 3,Acme Medical,InfuseOne,1.5,moon\n" +
		",Pump 4,Acme Medical,InfuseOne,1.5,internal\n"
	e := wantError(t, imp(bad, "text/csv", ""), 400)
	if len(e.Errors) != 2 || e.Errors[0].Line != 3 || e.Errors[1].Line != 4 {
		t.Errorf("import errors = %+v, want lines 3 and 4", e.Errors)
	}
	if _, err := f.st.Asset(t.Context(), f.hospital.ID, "pump-2"); err == nil {
		t.Errorf("a refused import stored pump-2")
	}
	wantError(t, imp(`{"not":"an inventory"}`, "application/json", ""), 400)
	wantError(t, imp("id,vendor\n", "image/png", ""), 415)
	wantError(t, imp("id,vendor,product\nx,a,b\n", "text/csv", "?mode=all"), 400)

	good := "id,name,vendor,product,version,clinical_role\n" +
		"pump-2,Pump 2,Acme Medical,InfuseOne,1.5,life-sustaining\n" +
		"pump-3,Pump 3,Acme Medical,InfuseOne,2.1,life-sustaining\n"
	res := imp(good, "text/csv; charset=utf-8", "")
	var out struct {
		Format        string
		Assets, Added int
		Findings      struct{ New, Resolved int }
	}
	if res.Code != 200 {
		t.Fatalf("import = %d %s", res.Code, res.Body)
	}
	decode(t, res, &out)
	// The rescan finds pump-2 (1.5 < 2.0) and resolves pump-1's finding,
	// whose advisory the catalog does not hold.
	if out.Format != "csv" || out.Assets != 2 || out.Added != 2 || out.Findings.New != 1 || out.Findings.Resolved != 1 {
		t.Errorf("import = %s", res.Body)
	}
	var list struct {
		Items []struct {
			ID       string
			AssetID  string `json:"asset_id"`
			Decision string
		} `json:"items"`
	}
	f.apiGet(admin, "/api/v1/findings?advisory=ICSMA-26-001-01", &list)
	if len(list.Items) != 1 || list.Items[0].AssetID != "pump-2" {
		t.Errorf("findings of the advisory = %+v, want pump-2's", list.Items)
	}
	var adv struct {
		ID       string
		Affected []struct {
			AssetID string `json:"asset_id"`
		}
	}
	f.apiGet(admin, "/api/v1/advisories/ICSMA-26-001-01", &adv)
	if len(adv.Affected) != 1 || adv.Affected[0].AssetID != "pump-2" {
		t.Errorf("advisory affected = %+v", adv.Affected)
	}
	// The practice sees the advisory but none of the hospital's findings.
	f.apiGet(f.token(f.practice.ID, store.RoleViewer), "/api/v1/advisories/ICSMA-26-001-01", &adv)
	if len(adv.Affected) != 0 {
		t.Errorf("practice sees the hospital's affected assets: %+v", adv.Affected)
	}
	// Replace: the file is the whole inventory.
	res = imp("id,vendor,product,version\npump-2,Acme Medical,InfuseOne,2.0\n", "text/csv", "?mode=replace")
	if res.Code != 200 || !strings.Contains(res.Body, `"removed":2`) {
		t.Errorf("replace = %d %s, want 2 removed", res.Code, res.Body)
	}
}

func TestAPI_Findings(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	viewer := f.token(f.practice.ID, store.RoleViewer)
	responder := f.token(f.practice.ID, store.RoleResponder)
	type finding struct {
		ID, State, Decision, Assignee, Justification string
		AssetID                                      string `json:"asset_id"`
	}
	var list struct {
		Items []finding `json:"items"`
		Next  string    `json:"next"`
	}
	f.apiGet(viewer, "/api/v1/findings?decision=act,attend", &list)
	var assets []string
	for _, it := range list.Items {
		assets = append(assets, it.AssetID)
	}
	if d := cmp.Diff([]string{"router-1", "pc-1"}, assets); d != "" {
		t.Errorf("act,attend findings (-want +got):\n%s", d)
	}
	f.apiGet(viewer, "/api/v1/findings?asset=ecg-1&state=new", &list)
	if len(list.Items) != 1 || list.Items[0].Decision != "track" {
		t.Fatalf("ecg findings = %+v", list.Items)
	}
	if got := allIDs(f, viewer, "/api/v1/findings?limit=1"); len(got) != 3 {
		t.Errorf("paged findings = %d, want 3", len(got))
	}
	wantError(t, f.api(nil, apiCall{tok: viewer, method: "GET", path: "/api/v1/findings?state=gone"}), 400)

	id := list.Items[0].ID
	path := "/api/v1/findings/" + id
	patch := func(body string) response {
		return f.api(nil, apiCall{tok: responder, method: "PATCH", path: path, body: body})
	}
	var got finding
	res := patch(`{"state":"not_affected","justification":"component_not_present","note":"no such board","assignee":"Dr. Weber"}`)
	if res.Code != 200 {
		t.Fatalf("patch = %d %s", res.Code, res.Body)
	}
	decode(t, res, &got)
	if got.State != "not_affected" || got.Justification != "component_not_present" || got.Assignee != "Dr. Weber" {
		t.Errorf("patched = %+v", got)
	}
	wantError(t, patch(`{"state":"mitigated"}`), 409) // not_affected only reopens
	wantError(t, patch(`{"state":"open","justification":"component_not_present"}`), 400)
	wantError(t, patch(`{"state":"risk_accepted"}`), 409)
	wantError(t, patch(`{}`), 400)
	wantError(t, patch(`{"state":"fixed"}`), 400)
	wantError(t, patch(`{"reason":"x"}`), 400)
	wantError(t, patch(`{"state":"open","extra":1}`), 400)
	res = patch(`{"state":"open","note":"board is there after all"}`)
	if res.Code != 200 {
		t.Fatalf("reopen = %d %s", res.Code, res.Body)
	}
	exp := now.Add(30 * 24 * time.Hour).Format(time.RFC3339)
	wantError(t, patch(`{"state":"risk_accepted","accept_expires_at":"`+exp+`"}`), 400) // no reason
	if res := patch(`{"state":"risk_accepted","reason":"replaced next month","accept_expires_at":"` + exp + `"}`); res.Code != 200 {
		t.Errorf("accept = %d %s", res.Code, res.Body)
	}
	var hist struct {
		Items []struct{ Actor, From, To, Comment string } `json:"items"`
		Next  string                                      `json:"next"`
	}
	f.apiGet(viewer, path+"/history?limit=2", &hist)
	if len(hist.Items) != 2 || hist.Next == "" || !strings.HasPrefix(hist.Items[1].Actor, "token:test-responder") {
		t.Errorf("history page 1 = %+v", hist)
	}
	var to []string
	for _, id := range allIDsOfHistory(f, viewer, path+"/history?limit=2") {
		to = append(to, id)
	}
	if d := cmp.Diff([]string{"not_affected", "not_affected", "open", "risk_accepted"}, to); d != "" {
		t.Errorf("history states (-want +got):\n%s", d)
	}
	wantError(t, f.api(nil, apiCall{tok: viewer, method: "GET", path: "/api/v1/findings/bm9wZQ/history"}), 404)
}

// allIDsOfHistory returns the to-states of every event of a history.
func allIDsOfHistory(f *fixture, tok, path string) []string {
	var out []string
	for range 50 {
		var page struct {
			Items []struct{ To string } `json:"items"`
			Next  string                `json:"next"`
		}
		f.apiGet(tok, path, &page)
		for _, e := range page.Items {
			out = append(out, e.To)
		}
		if page.Next == "" {
			break
		}
		path = strings.Split(path, "&cursor=")[0] + "&cursor=" + url.QueryEscape(page.Next)
	}
	return out
}

func TestAPI_AdvisoriesAndReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	f.eng.SetCatalog(pumpCatalog())
	tok := f.token(f.practice.ID, store.RoleViewer)
	var list struct {
		Items []struct {
			ID   string
			CVEs []string `json:"cves"`
		} `json:"items"`
	}
	f.apiGet(tok, "/api/v1/advisories?q=cve-2026-9001", &list)
	if len(list.Items) != 1 || !slices.Contains(list.Items[0].CVEs, "CVE-2026-9001") {
		t.Errorf("advisories = %+v", list.Items)
	}
	f.apiGet(tok, "/api/v1/advisories?q=nothing-like-it", &list)
	if len(list.Items) != 0 {
		t.Errorf("advisories of a query matching none = %+v", list.Items)
	}
	wantError(t, f.api(nil, apiCall{tok: tok, method: "GET", path: "/api/v1/advisories/ICSMA-00-000-00"}), 404)

	var rep struct {
		Total, Open int
		ByDecision  map[string]int `json:"by_decision"`
		ByState     map[string]int `json:"by_state"`
	}
	f.apiGet(tok, "/api/v1/report", &rep)
	if rep.Total != 3 || rep.Open != 3 || rep.ByDecision["act"] != 1 || rep.ByDecision["attend"] != 1 || rep.ByState["new"] != 3 {
		t.Errorf("report = %+v", rep)
	}
	f.apiGet(f.token(f.hospital.ID, store.RoleViewer), "/api/v1/report", &rep)
	if rep.Total != 1 {
		t.Errorf("hospital report total = %d, want 1", rep.Total)
	}
}

// TestAPI_EscapedID addresses an asset whose id has a slash and spaces by
// the Location the create answers.
func TestAPI_EscapedID(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	admin := f.token(f.practice.ID, store.RoleAdmin)
	res := f.api(nil, apiCall{tok: admin, method: "POST", path: "/api/v1/assets", body: `{"id":"ward 3/pump 1","vendor":"a","product":"b"}`})
	if res.Code != http.StatusCreated {
		t.Fatalf("create = %d %s", res.Code, res.Body)
	}
	var a assetJSON
	f.apiGet(admin, res.Location, &a)
	if a.ID != "ward 3/pump 1" {
		t.Errorf("GET %s = %+v", res.Location, a)
	}
}
