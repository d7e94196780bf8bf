package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/web"
)

// now is the fixed clock of the tests: Monday, 7:40, before patients.
var now = time.Date(2026, 11, 23, 7, 40, 0, 0, time.UTC)

const (
	password     = "correct horse battery"
	routerAction = "Update the router firmware today."
	hostileName  = `<script>alert(1)</script>`
)

// fixture is a server over a real in-memory store with two organisations:
// Anna's practice (anna is its admin; mira is a viewer) and a hospital
// (mira is a responder there).
type fixture struct {
	t        *testing.T
	clock    *clock
	st       store.Store
	eng      *engine.Engine
	srv      *httptest.Server
	practice store.Organisation
	hospital store.Organisation
}

func newFixture(t *testing.T, pageSize int) *fixture {
	t.Helper()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatalf("sqlite.Open() = %v", err)
	}
	t.Cleanup(func() { st.Close() })

	f := &fixture{t: t, st: st, clock: &clock{t: now}}
	f.practice = must(st.CreateOrg(ctx, store.Organisation{Name: "Praxis Weber", Kind: store.KindPractice, Country: "DE"}))(t)
	f.hospital = must(st.CreateOrg(ctx, store.Organisation{Name: "Klinikum Nord", Kind: store.KindHospital, Country: "DE"}))(t)
	hash := must(store.HashPassword(password))(t)
	anna := must(st.CreateUser(ctx, store.User{Email: "anna@example.org", DisplayName: "Anna Weber", PasswordHash: hash}))(t)
	mira := must(st.CreateUser(ctx, store.User{Email: "mira@example.org", DisplayName: "Mira Okafor", PasswordHash: hash}))(t)
	must(st.SetMember(ctx, f.practice.ID, anna.ID, store.RoleAdmin))(t)
	must(st.SetMember(ctx, f.practice.ID, mira.ID, store.RoleViewer))(t)
	must(st.SetMember(ctx, f.hospital.ID, mira.ID, store.RoleResponder))(t)

	must(st.ImportAssets(ctx, f.practice.ID, []inventory.Asset{
		{ID: "router-1", Name: "Router", Kind: "router", Vendor: "AVM", Product: "FRITZ!Box", Zone: "office"},
		{ID: "pc-1", Name: hostileName, Kind: "workstation", Vendor: "Medisoft", Product: "Practice PC", Zone: "office"},
		{ID: "ecg-1", Name: "ECG cart", Kind: "ecg", Vendor: "Schiller", Product: "AT-102", Zone: "clinical"},
		{ID: "printer-1", Name: "Printer", Kind: "printer", Vendor: "HP", Product: "LaserJet", Zone: "office"},
		{ID: "reader-1", Name: "Card reader", Kind: "reader", Vendor: "Cherry", Product: "ST-1506", Zone: "office"},
	}, store.Merge))(t)
	must(st.ImportAssets(ctx, f.hospital.ID, []inventory.Asset{
		{ID: "pump-1", Name: "Infusion pump 1", Kind: "infusion-pump", Vendor: "B. Braun", Product: "Space", Zone: "devices"},
	}, store.Merge))(t)

	router := item("router-1", "Router", "CVE-2026-1001", risk.Act, now.Add(48*time.Hour))
	router.KEV, router.Action, router.Product = true, routerAction, "FRITZ!Box"
	router.Steps = []string{"Open the router page", "Install the update", "Restart"}
	router.RingFence = &risk.RingFence{Zone: "office", Allow: []string{"provider DNS"}, Block: []string{"remote admin"}, Until: "updated"}
	pc := item("pc-1", hostileName, "CVE-2026-1002", risk.Attend, now.Add(-72*time.Hour))
	pc.Confidence, pc.Product, pc.Action = match.Possible, "Practice PC", "Install the vendor's patch on the practice PC."
	ecg := item("ecg-1", "ECG cart", "CVE-2026-1003", risk.Track, now.Add(180*24*time.Hour))
	ecg.Action = "Update the ECG cart in the normal cycle."
	must(st.SyncFindings(ctx, f.practice.ID, []scan.Item{router, pc, ecg}, now.Add(-time.Hour)))(t)
	pump := item("pump-1", "Infusion pump 1", "CVE-2026-2001", risk.Act, now.Add(24*time.Hour))
	pump.Action = "Ring-fence the hospital's infusion pumps."
	must(st.SyncFindings(ctx, f.hospital.ID, []scan.Item{pump}, now.Add(-time.Hour)))(t)

	st.Now = f.clock.Now
	f.eng = must(engine.New(engine.Config{Store: st, Now: f.clock.Now, MirrorDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}))(t)
	t.Cleanup(func() { f.eng.Close() })
	if err := f.eng.Load(ctx); err != nil {
		t.Fatalf("engine Load() = %v", err)
	}
	h, err := web.New(web.Config{
		Store: st, Engine: f.eng, Now: f.clock.Now, PageSize: pageSize,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatalf("web.New() = %v", err)
	}
	f.srv = httptest.NewServer(h.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

// clock is a settable clock for the server and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func item(asset, name, cve string, d risk.Decision, due time.Time) scan.Item {
	return scan.Item{
		AssetID: asset, AssetName: name, AdvisoryID: "ADV-" + cve, AdvisoryTitle: "Flaw " + cve, CVE: cve,
		Confidence: match.Confirmed, Evidence: "version 1.0 is in the affected range", Decision: d, Due: due,
		Why: "It is reachable from the office network.", Action: "Update " + name + ".", CVSS: 9.8,
	}
}

// must returns a function that fails the test on err, else returns v.
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatalf("setup: %v", err)
		}
		return v
	}
}

// client is a browser: it keeps cookies and does not follow redirects.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func (f *fixture) client() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return &client{t: f.t, base: f.srv.URL, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	Code     int
	Body     string
	Location string
	Header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{Code: res.StatusCode, Body: string(b), Location: res.Header.Get("Location"), Header: res.Header}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the page at path.
func (c *client) csrf(path string) string {
	c.t.Helper()
	res := c.get(path)
	m := csrfRE.FindStringSubmatch(res.Body)
	if m == nil {
		c.t.Fatalf("GET %s: no csrf field in %d %q", path, res.Code, res.Body)
	}
	return m[1]
}

// login signs in and returns the response to the form.
func (c *client) login(email, pw string) response {
	c.t.Helper()
	tok := c.csrf("/login")
	return c.post("/login", url.Values{"csrf": {tok}, "email": {email}, "password": {pw}})
}

// signedIn returns a client signed in as email.
func (f *fixture) signedIn(email string) *client {
	c := f.client()
	if res := c.login(email, password); res.Code != http.StatusSeeOther {
		f.t.Fatalf("login(%s) = %d %q, want 303", email, res.Code, res.Body)
	}
	return c
}

func (f *fixture) key(asset, cve string) store.FindingKey {
	return store.FindingKey{AssetID: asset, AdvisoryID: "ADV-" + cve, VulnID: cve}
}

// findingID returns the URL id of a finding, as the pages link it.
func findingID(t *testing.T, body string, asset string) string {
	t.Helper()
	re := regexp.MustCompile(`/findings/([A-Za-z0-9_-]+)`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		if k := web.DecodeKeyForTest(m[1]); k.AssetID == asset {
			return m[1]
		}
	}
	t.Fatalf("no link to a finding on %s in %q", asset, body)
	return ""
}

func TestServer_Health(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.client()
	for _, path := range []string{"/healthz", "/readyz"} {
		if res := c.get(path); res.Code != http.StatusOK || res.Body != "ok" {
			t.Errorf("GET %s = %d %q, want 200 ok", path, res.Code, res.Body)
		}
	}
	f.st.Close()
	if res := c.get("/readyz"); res.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with the store closed = %d, want 503", res.Code)
	}
	if res := c.get("/healthz"); res.Code != http.StatusOK {
		t.Errorf("GET /healthz with the store closed = %d, want 200", res.Code)
	}
}

func TestServer_SecurityHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	}
	anon, anna := f.client(), f.signedIn("anna@example.org")
	tests := []struct {
		name string
		c    *client
		path string
	}{
		{"login", anon, "/login"},
		{"healthz", anon, "/healthz"},
		{"static", anon, "/static/ward.css"},
		{"redirect", anon, "/findings"},
		{"today", anna, "/"},
		{"not found", anna, "/nowhere"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.c.get(tc.path)
			got := map[string]string{}
			for k := range want {
				got[k] = res.Header.Get(k)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("GET %s headers mismatch (-want +got):\n%s", tc.path, d)
			}
		})
	}
	if res := anon.get("/static/ward.css"); res.Code != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("GET /static/ward.css = %d %s, want 200 text/css", res.Code, res.Header.Get("Content-Type"))
	}
}

func TestServer_RequiresSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.client()
	for _, path := range []string{"/", "/findings", "/findings/abc", "/assets", "/assets/router-1", "/orgs", "/nowhere"} {
		t.Run(path, func(t *testing.T) {
			if res := c.get(path); res.Code != http.StatusSeeOther || res.Location != "/login" {
				t.Errorf("GET %s = %d to %q, want 303 to /login", path, res.Code, res.Location)
			}
		})
	}
	if res := c.post("/logout", url.Values{}); res.Code != http.StatusForbidden {
		t.Errorf("POST /logout without a session = %d, want 403", res.Code)
	}
}

func TestServer_Login(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	tests := []struct {
		name, email, password string
		wantCode              int
		wantLocation          string
	}{
		{"right", "anna@example.org", password, http.StatusSeeOther, "/"},
		{"email in other case", "Anna@Example.org", password, http.StatusSeeOther, "/"},
		{"wrong password", "anna@example.org", "wrong", http.StatusUnauthorized, ""},
		{"unknown email", "nobody@example.org", password, http.StatusUnauthorized, ""},
		{"empty", "", "", http.StatusUnauthorized, ""},
		{"two organisations", "mira@example.org", password, http.StatusSeeOther, "/orgs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := f.client()
			res := c.login(tc.email, tc.password)
			if res.Code != tc.wantCode || res.Location != tc.wantLocation {
				t.Fatalf("login() = %d to %q, want %d to %q", res.Code, res.Location, tc.wantCode, tc.wantLocation)
			}
			if tc.wantCode != http.StatusSeeOther {
				if !strings.Contains(res.Body, "Email or password is wrong.") {
					t.Errorf("login() body lacks the generic message: %q", res.Body)
				}
				return
			}
			var cookie string
			for _, v := range res.Header.Values("Set-Cookie") {
				if strings.HasPrefix(v, "ward_session=") {
					cookie = v
				}
			}
			for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
				if !strings.Contains(cookie, attr) {
					t.Errorf("session cookie %q lacks %s", cookie, attr)
				}
			}
			if strings.Contains(cookie, "Secure") {
				t.Errorf("session cookie %q is Secure without SecureCookies", cookie)
			}
		})
	}

	// Audit: one ok and one failure (the wrong password) in the practice.
	audit := must(f.st.ListAudit(t.Context(), f.practice.ID, store.ListOptions{}))(t)
	got := map[string]int{}
	for _, e := range audit.Items {
		got[e.Action]++
	}
	if d := cmp.Diff(map[string]int{"signin.ok": 3, "signin.fail": 1}, got); d != "" {
		t.Errorf("audit actions mismatch (-want +got):\n%s", d)
	}

	t.Run("logout", func(t *testing.T) {
		c := f.signedIn("anna@example.org")
		tok := c.csrf("/")
		if res := c.post("/logout", url.Values{"csrf": {tok}}); res.Code != http.StatusSeeOther || res.Location != "/login" {
			t.Fatalf("POST /logout = %d to %q, want 303 to /login", res.Code, res.Location)
		}
		if res := c.get("/"); res.Code != http.StatusSeeOther || res.Location != "/login" {
			t.Errorf("GET / after logout = %d to %q, want 303 to /login", res.Code, res.Location)
		}
	})
}

func TestServer_Lockout(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.client()
	for i := range 5 {
		if res := c.login("anna@example.org", "wrong"); res.Code != http.StatusUnauthorized {
			t.Fatalf("wrong login %d = %d, want 401", i, res.Code)
		}
	}
	res := c.login("anna@example.org", password)
	if res.Code != http.StatusUnauthorized || !strings.Contains(res.Body, "Email or password is wrong.") {
		t.Errorf("login() while locked = %d, want 401 with the generic message", res.Code)
	}
	u := must(f.st.UserByEmail(t.Context(), "anna@example.org"))(t)
	if want := now.Add(15 * time.Minute); !u.LockedUntil.Equal(want) { // the store's clock is the fixture's
		t.Errorf("LockedUntil = %v, want %v", u.LockedUntil, want)
	}
	f.clock.Advance(16 * time.Minute)
	if res := c.login("anna@example.org", password); res.Code != http.StatusSeeOther {
		t.Errorf("login() after the lockout = %d, want 303", res.Code)
	}
}

func TestServer_SecureCookies(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	h, err := web.New(web.Config{Store: f.st, Engine: f.eng, Now: f.clock.Now, SecureCookies: true,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/login", nil))
	login := rec.Result().Cookies()
	if len(login) != 1 || !login[0].Secure {
		t.Fatalf("GET /login cookies = %v, want one Secure cookie", login)
	}
	tok := csrfRE.FindStringSubmatch(rec.Body.String())[1]
	form := url.Values{"csrf": {tok}, "email": {"anna@example.org"}, "password": {password}}
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(login[0])
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var session *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "ward_session" {
			session = c
		}
	}
	if rec.Code != http.StatusSeeOther || session == nil || !session.Secure || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Errorf("POST /login = %d, session cookie %v, want 303 and a Secure, HttpOnly, SameSite=Lax cookie", rec.Code, session)
	}
	if len(session.Value) < 43 {
		t.Errorf("session id %q is shorter than 32 bytes of base64url", session.Value)
	}
}

func TestServer_LoginRateLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.client()
	for i := range 10 {
		if res := c.login("nobody@example.org", "x"); res.Code != http.StatusUnauthorized {
			t.Fatalf("login %d = %d, want 401", i, res.Code)
		}
	}
	if res := c.login("anna@example.org", password); res.Code != http.StatusTooManyRequests {
		t.Errorf("login 11 = %d, want 429", res.Code)
	}
}

// Staff behind one NAT address all sign in: only failures count.
func TestServer_LoginRateLimit_SuccessesPass(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	for i := range 30 {
		if res := f.client().login("anna@example.org", password); res.Code != http.StatusSeeOther {
			t.Fatalf("sign-in %d = %d, want 303", i, res.Code)
		}
	}
}

func TestServer_CSRF(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	anna := f.signedIn("anna@example.org")
	id := findingID(t, anna.get("/").Body, "router-1")
	tests := []struct {
		name string
		form url.Values
	}{
		{"missing", url.Values{"to": {"mitigated"}}},
		{"wrong", url.Values{"to": {"mitigated"}, "csrf": {"not-the-token"}}},
		{"other session's", url.Values{"to": {"mitigated"}, "csrf": {f.signedIn("anna@example.org").csrf("/")}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if res := anna.post("/findings/"+id+"/state", tc.form); res.Code != http.StatusForbidden {
				t.Errorf("POST state with %s token = %d, want 403", tc.name, res.Code)
			}
		})
	}
	fr := must(f.st.Finding(t.Context(), f.practice.ID, f.key("router-1", "CVE-2026-1001")))(t)
	if fr.State != store.StateNew {
		t.Errorf("state after rejected posts = %s, want new", fr.State)
	}
	t.Run("login form", func(t *testing.T) {
		c := f.client()
		res := c.post("/login", url.Values{"email": {"anna@example.org"}, "password": {password}})
		if res.Code != http.StatusForbidden {
			t.Errorf("POST /login without a token = %d, want 403", res.Code)
		}
	})
	t.Run("body limit", func(t *testing.T) {
		tok := anna.csrf("/")
		big := url.Values{"csrf": {tok}, "to": {"mitigated"}, "comment": {strings.Repeat("x", 2<<20)}}
		if res := anna.post("/findings/"+id+"/state", big); res.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("POST of 2 MiB = %d, want 413", res.Code)
		}
	})
}

func TestServer_Today(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	body := f.signedIn("anna@example.org").get("/").Body
	for _, want := range []string{
		routerAction,
		"It is reachable from the office network.",
		"Criminals use this now",
		"due in 2 days",
		"overdue by 3 days",
		"Please check: is this really your Practice PC?",
		"Done / mitigated",
		`lang="en"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("Today lacks %q", want)
		}
	}
	for _, unwanted := range []string{"CVSS", "9.8", "Update the ECG cart", "infusion pumps", "<style", "style=", "<script>"} {
		if strings.Contains(body, unwanted) {
			t.Errorf("Today contains %q", unwanted)
		}
	}
	if o, r := strings.Index(body, "overdue by 3 days"), strings.Index(body, routerAction); o > r {
		t.Errorf("the overdue card comes after the router card")
	}
	if !regexp.MustCompile(`(?s)<span class="count"[^>]*>1</span> Do now`).MatchString(body) {
		t.Errorf("Today lacks the counter of 1 act item")
	}
}

func TestServer_MarkMitigated(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	today := c.get("/").Body
	id := findingID(t, today, "router-1")
	tok := csrfRE.FindStringSubmatch(today)[1]
	res := c.post("/findings/"+id+"/state", url.Values{"csrf": {tok}, "to": {"mitigated"}})
	if res.Code != http.StatusSeeOther || res.Location != "/" {
		t.Fatalf("POST state = %d to %q, want 303 to /", res.Code, res.Location)
	}
	key := f.key("router-1", "CVE-2026-1001")
	if fr := must(f.st.Finding(t.Context(), f.practice.ID, key))(t); fr.State != store.StateMitigated {
		t.Errorf("state = %s, want mitigated", fr.State)
	}
	if strings.Contains(c.get("/").Body, routerAction) {
		t.Errorf("Today still shows the mitigated finding")
	}
	detail := c.get("/findings/" + id)
	if detail.Code != http.StatusOK || !strings.Contains(detail.Body, "anna@example.org moved it from new to mitigated") {
		t.Errorf("finding page = %d, lacks the history line: %q", detail.Code, detail.Body)
	}
	for _, want := range []string{"Open the router page", "provider DNS", "remote admin", "version 1.0 is in the affected range"} {
		if !strings.Contains(detail.Body, want) {
			t.Errorf("finding page lacks %q", want)
		}
	}
	// mitigated -> mitigated is not a transition the store allows.
	if res := c.post("/findings/"+id+"/state", url.Values{"csrf": {tok}, "to": {"mitigated"}}); res.Code != http.StatusConflict {
		t.Errorf("POST mitigated again = %d, want 409", res.Code)
	}
	if res := c.post("/findings/"+id+"/state", url.Values{"csrf": {tok}, "to": {"risk_accepted"}}); res.Code != http.StatusBadRequest {
		t.Errorf("POST risk_accepted = %d, want 400", res.Code)
	}
}

func TestServer_Viewer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("mira@example.org")
	tok := c.csrf("/orgs")
	c.post("/orgs/select", url.Values{"csrf": {tok}, "org": {f.practice.ID}})
	today := c.get("/").Body
	if strings.Contains(today, "Done / mitigated") {
		t.Errorf("Today offers a viewer the done button")
	}
	id := findingID(t, today, "router-1")
	if res := c.post("/findings/"+id+"/state", url.Values{"csrf": {tok}, "to": {"mitigated"}}); res.Code != http.StatusForbidden {
		t.Errorf("POST state as viewer = %d, want 403", res.Code)
	}
}

func TestServer_TenantIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	anna := f.signedIn("anna@example.org")
	mira := f.signedIn("mira@example.org")
	tok := mira.csrf("/orgs")
	if res := mira.post("/orgs/select", url.Values{"csrf": {tok}, "org": {f.hospital.ID}}); res.Code != http.StatusSeeOther {
		t.Fatalf("select hospital = %d, want 303", res.Code)
	}
	pumpID := findingID(t, mira.get("/").Body, "pump-1")

	annaTok := anna.csrf("/")
	tests := []struct {
		name string
		do   func() response
	}{
		{"finding", func() response { return anna.get("/findings/" + pumpID) }},
		{"asset", func() response { return anna.get("/assets/pump-1") }},
		{"state", func() response {
			return anna.post("/findings/"+pumpID+"/state", url.Values{"csrf": {annaTok}, "to": {"mitigated"}})
		}},
		{"select org", func() response {
			return anna.post("/orgs/select", url.Values{"csrf": {annaTok}, "org": {f.hospital.ID}})
		}},
		{"garbage id", func() response { return anna.get("/findings/%3Cscript%3E") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if res := tc.do(); res.Code != http.StatusNotFound {
				t.Errorf("%s of the other organisation = %d, want 404", tc.name, res.Code)
			}
		})
	}
	for path, unwanted := range map[string]string{"/": "infusion", "/findings": "Infusion", "/assets": "Infusion", "/assets?q=pump": "Infusion"} {
		if strings.Contains(anna.get(path).Body, unwanted) {
			t.Errorf("GET %s as anna shows the hospital's %q", path, unwanted)
		}
	}
	key := f.key("pump-1", "CVE-2026-2001")
	if fr := must(f.st.Finding(t.Context(), f.hospital.ID, key))(t); fr.State != store.StateNew {
		t.Errorf("hospital finding state = %s, want new", fr.State)
	}
	if res := mira.get("/assets/pump-1"); res.Code != http.StatusOK || !strings.Contains(res.Body, "CVE-2026-2001") {
		t.Errorf("GET /assets/pump-1 as the hospital's member = %d, want 200 with its finding", res.Code)
	}
}

func TestServer_Pagination(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	c := f.signedIn("anna@example.org")
	nextRE := regexp.MustCompile(`<a href="([^"]+)" rel="next">Next page</a>`)
	tests := []struct {
		name, path string
		linkRE     *regexp.Regexp
		want       []string
	}{
		{"assets", "/assets", regexp.MustCompile(`<td><a href="/assets/([^"]+)"`), []string{"ecg-1", "pc-1", "printer-1", "reader-1", "router-1"}},
		{"findings", "/findings", regexp.MustCompile(`href="/findings/([A-Za-z0-9_-]+)"`), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			path, pages := tc.path, 0
			for path != "" {
				pages++
				if pages > 10 {
					t.Fatal("more than 10 pages")
				}
				res := c.get(path)
				if res.Code != http.StatusOK {
					t.Fatalf("GET %s = %d", path, res.Code)
				}
				for _, m := range tc.linkRE.FindAllStringSubmatch(res.Body, -1) {
					got = append(got, m[1])
				}
				path = ""
				if m := nextRE.FindStringSubmatch(res.Body); m != nil {
					path = strings.ReplaceAll(m[1], "&amp;", "&")
				}
			}
			if tc.want != nil {
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("assets over all pages mismatch (-want +got):\n%s", d)
				}
			} else if len(got) != 3 {
				t.Errorf("findings over all pages = %d, want 3", len(got))
			}
			if pages < 2 {
				t.Errorf("pages = %d, want at least 2", pages)
			}
		})
	}
	t.Run("filter kept", func(t *testing.T) {
		res := c.get("/findings?decision=act&decision=attend")
		m := nextRE.FindStringSubmatch(res.Body)
		if m != nil {
			t.Errorf("2 findings on a page of 2 still offer a next page %q", m[1])
		}
		if res := c.get("/findings?decision=urgent"); res.Code != http.StatusBadRequest {
			t.Errorf("GET /findings?decision=urgent = %d, want 400", res.Code)
		}
	})
}

func TestServer_EscapesHostileName(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	for _, path := range []string{"/", "/findings", "/assets", "/assets/pc-1"} {
		t.Run(path, func(t *testing.T) {
			res := c.get(path)
			if res.Code != http.StatusOK {
				t.Fatalf("GET %s = %d", path, res.Code)
			}
			if strings.Contains(res.Body, hostileName) {
				t.Errorf("GET %s contains the raw hostile name", path)
			}
			if !strings.Contains(res.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("GET %s lacks the escaped name", path)
			}
		})
	}
}

func TestServer_Orgs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("mira@example.org")
	if res := c.get("/"); res.Code != http.StatusSeeOther || res.Location != "/orgs" {
		t.Fatalf("GET / before picking = %d to %q, want 303 to /orgs", res.Code, res.Location)
	}
	page := c.get("/orgs").Body
	for _, want := range []string{"Praxis Weber", "Klinikum Nord"} {
		if !strings.Contains(page, want) {
			t.Errorf("/orgs lacks %q", want)
		}
	}
	tok := csrfRE.FindStringSubmatch(page)[1]
	c.post("/orgs/select", url.Values{"csrf": {tok}, "org": {f.hospital.ID}})
	if body := c.get("/").Body; !strings.Contains(body, "Ring-fence the hospital&#39;s infusion pumps.") {
		t.Errorf("Today in the hospital lacks its finding")
	}
	c.post("/orgs/select", url.Values{"csrf": {tok}, "org": {f.practice.ID}})
	if body := c.get("/").Body; !strings.Contains(body, routerAction) || strings.Contains(body, "infusion pumps") {
		t.Errorf("Today after switching to the practice shows the wrong organisation")
	}
}

func TestServer_SessionEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		end  func(f *fixture)
	}{
		{"after 12 hours", func(f *fixture) { f.clock.Advance(12*time.Hour + time.Second) }},
		{"user disabled", func(f *fixture) {
			u := must(f.st.UserByEmail(f.t.Context(), "anna@example.org"))(f.t)
			disabled := true
			must(f.st.UpdateUser(f.t.Context(), u.ID, store.UserUpdate{Disabled: &disabled}))(f.t)
		}},
		{"membership removed", func(f *fixture) {
			u := must(f.st.UserByEmail(f.t.Context(), "anna@example.org"))(f.t)
			if err := f.st.RemoveMember(f.t.Context(), f.practice.ID, u.ID); err != nil {
				f.t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, 0)
			c := f.signedIn("anna@example.org")
			if res := c.get("/"); res.Code != http.StatusOK {
				t.Fatalf("GET / = %d, want 200", res.Code)
			}
			f.clock.Advance(11 * time.Hour)
			if res := c.get("/"); res.Code != http.StatusOK {
				t.Fatalf("GET / after 11 hours = %d, want 200", res.Code)
			}
			tc.end(f)
			if res := c.get("/"); res.Code != http.StatusSeeOther {
				t.Errorf("GET / %s = %d, want 303", tc.name, res.Code)
			}
		})
	}
}

// TestServer_TodayGroups checks that one asset's findings from one advisory
// make one card, and that its button moves them all.
func TestServer_TodayGroups(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	var items []scan.Item
	for _, cve := range []string{"CVE-2026-3001", "CVE-2026-3002", "CVE-2026-3003"} {
		it := item("router-1", "Router", cve, risk.Act, now.Add(48*time.Hour))
		it.AdvisoryID, it.Action = "ADV-ROUTER", routerAction
		items = append(items, it)
	}
	must(f.st.SyncFindings(t.Context(), f.practice.ID, items, now))(t)
	c := f.signedIn("anna@example.org")
	today := c.get("/").Body
	if n := strings.Count(today, routerAction); n != 1 {
		t.Fatalf("Today shows the router's action %d times, want one card", n)
	}
	if !strings.Contains(today, "also closes 2 more flaws from this advisory (CVE-2026-3001, CVE-2026-3002, CVE-2026-3003)") {
		t.Errorf("the card does not name the other flaws: %q", today)
	}
	id := findingID(t, today, "router-1")
	form := url.Values{"csrf": {csrfRE.FindStringSubmatch(today)[1]}, "to": {"mitigated"}}
	for _, m := range regexp.MustCompile(`name="also" value="([^"]+)"`).FindAllStringSubmatch(today, -1) {
		form.Add("also", m[1])
	}
	if res := c.post("/findings/"+id+"/state", form); res.Code != http.StatusSeeOther {
		t.Fatalf("POST state = %d", res.Code)
	}
	for _, it := range items {
		k := store.FindingKey{AssetID: "router-1", AdvisoryID: "ADV-ROUTER", VulnID: it.CVE}
		if fr := must(f.st.Finding(t.Context(), f.practice.ID, k))(t); fr.State != store.StateMitigated {
			t.Errorf("%s: state %s, want mitigated", it.CVE, fr.State)
		}
	}
	// A key of another asset smuggled into the group is refused.
	other := findingID(t, c.get("/findings").Body, "pc-1")
	form.Set("also", other)
	if res := c.post("/findings/"+id+"/state", form); res.Code != http.StatusBadRequest {
		t.Errorf("POST with another asset's finding in the group = %d, want 400", res.Code)
	}
}
