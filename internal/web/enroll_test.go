package web_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/store"
)

// TestSettings_Enroll: an organisation new to the node enrols with the hub
// from the Settings page, over the hub's real enrolment endpoint, and then
// receives the hub's alerts without a restart. Bad input and a bad token
// store nothing; only an administrator of a site may enrol.
func TestSettings_Enroll(t *testing.T) {
	n := newAlertNet(t)
	ctx := t.Context()
	ems := must(n.st.CreateOrg(ctx, store.Organisation{Name: "Rettungsdienst Süd", Kind: store.KindEMS, Country: "DE"}))(t)
	hash := must(store.HashPassword(password))(t)
	for email, role := range map[string]store.Role{"lena@rd.example": store.RoleAdmin, "tom@rd.example": store.RoleResponder, "vera@rd.example": store.RoleViewer} {
		u := must(n.st.CreateUser(ctx, store.User{Email: email, PasswordHash: hash}))(t)
		must(n.st.SetMember(ctx, ems.ID, u.ID, role))(t)
	}
	lena, tom, vera := n.signedIn("lena@rd.example"), n.signedIn("tom@rd.example"), n.signedIn("vera@rd.example")

	// Members who are not administrators see that the organisation is not
	// enrolled, and may not enrol it.
	if res := tom.get("/alerts"); !strings.Contains(res.Body, "not enrolled with a hub") || strings.Contains(res.Body, `action="/settings/enroll"`) {
		t.Errorf("a responder's /alerts does not show the enrolment status, or shows the form:\n%s", res.Body)
	}
	for name, c := range map[string]*client{"responder": tom, "viewer": vera} {
		if res := c.post("/settings/enroll", url.Values{"csrf": {c.csrf("/alerts")}, "hub": {n.srv.URL}, "token": {"t"}}); res.Code != http.StatusForbidden {
			t.Errorf("%s POST /settings/enroll = %d, want 403", name, res.Code)
		}
	}
	// The hub's own organisation receives no alerts: no such route for it.
	if res := n.elena.post("/settings/enroll", url.Values{"csrf": {n.elena.csrf("/hub")}, "hub": {n.srv.URL}, "token": {"t"}}); res.Code != http.StatusNotFound {
		t.Errorf("the hub organisation's POST /settings/enroll = %d, want 404", res.Code)
	}

	page := lena.get("/settings").Body
	for _, want := range []string{`id="ews-h"`, `action="/settings/enroll"`, `name="token" type="password"`, `autocomplete="off"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the admin's /settings lacks %q", want)
		}
	}
	csrf := lena.csrf("/settings")
	const secret = "secret-token-that-must-not-show"
	// A server that is no hub: what it answers must not reach the page.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "internal-page-content", http.StatusForbidden)
	}))
	defer other.Close()
	// A "hub" that sends the token on elsewhere: the redirect is refused.
	var forwarded atomic.Bool
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { forwarded.Store(true) }))
	defer sink.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, sink.URL+"/api/v1/enroll", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	for _, tc := range []struct {
		name, hub, token, field, want string
	}{
		{"no address", "", secret, "hub", "hub address: please give"},
		{"ftp", "ftp://hub.example.eu", secret, "hub", "must start with https://"},
		{"plain http to another machine", "http://hub.example.eu", secret, "hub", "plain http:// is only for a hub on this machine"},
		{"user in the address", "https://bob@hub.example.eu", secret, "hub", "no user name"},
		{"no token", n.srv.URL, "", "token", "enrolment token: please paste"},
		{"hub not there", "http://127.0.0.1:1", secret, "", "The hub did not enrol this organisation: the hub could not be reached"},
		{"not a hub", other.URL, secret, "", "The hub did not enrol this organisation: the hub answered 403 Forbidden."},
		{"redirect", redirector.URL, secret, "", "The hub did not enrol this organisation: the hub answered 307 Temporary Redirect."},
		{"bad token", n.srv.URL, secret, "", "The hub did not enrol this organisation: the hub answered 404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := lena.post("/settings/enroll", url.Values{"csrf": {csrf}, "hub": {tc.hub}, "token": {tc.token}})
			if res.Code != http.StatusBadRequest || !strings.Contains(res.Body, tc.want) {
				t.Errorf("POST /settings/enroll = %d, want 400 with %q:\n%s", res.Code, tc.want, res.Body)
			}
			if tc.field != "" && !strings.Contains(res.Body, `id="enroll-`+tc.field+`-err"`) {
				t.Errorf("the error is not at the %s field:\n%s", tc.field, res.Body)
			}
			if !strings.Contains(res.Body, `value="`+tc.hub+`"`) || strings.Contains(res.Body, secret) || strings.Contains(res.Body, "internal-page-content") {
				t.Errorf("the form does not keep the address, or shows the token:\n%s", res.Body)
			}
			if forwarded.Load() {
				t.Error("the enrolment followed a redirect to another server")
			}
			if _, err := n.st.HubLink(ctx, ems.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("HubLink() after a failed enrolment = %v, want ErrNotFound", err)
			}
		})
	}

	token := must(n.hub.Invite(ctx, store.SiteInvite{Name: ems.Name, Kind: ems.Kind, Country: ems.Country, CreatedBy: "test"}, time.Hour))(t)
	res := lena.post("/settings/enroll", url.Values{"csrf": {csrf}, "hub": {n.srv.URL + "/"}, "token": {token}})
	if res.Code != http.StatusSeeOther || res.Location != "/settings?done=enrolled" {
		t.Fatalf("POST /settings/enroll = %d %q %s, want 303 to /settings?done=enrolled", res.Code, res.Location, res.Body)
	}
	l := must(n.st.HubLink(ctx, ems.ID))(t)
	if l.HubURL != n.srv.URL {
		t.Errorf("HubLink() = hub %q, want %q", l.HubURL, n.srv.URL)
	}
	eventually(t, "the enrolled site's connection", func() bool { return n.site.Connected(ems.ID) })
	page = lena.get(res.Location).Body
	for _, want := range []string{"enrolled with the hub", "<code>" + l.SiteID + "</code>", "<code>" + alert.KeyID(l.HubKeys[0]) + "</code>",
		"up now", "<code>" + l.NATSURL + "</code>", "not encrypted"} {
		if !strings.Contains(page, want) {
			t.Errorf("/settings after enrolment lacks %q", want)
		}
	}
	if strings.Contains(page, `action="/settings/enroll"`) || strings.Contains(page, string(l.NATSSeed)) {
		t.Errorf("/settings after enrolment still offers the form, or shows the NATS seed")
	}
	audit := must(n.st.ListAudit(ctx, ems.ID, store.ListOptions{Limit: 20}))(t)
	if !slices.ContainsFunc(audit.Items, func(e store.AuditEntry) bool {
		return e.Action == "hub.enroll" && e.Actor == "lena@rd.example" && strings.Contains(e.Detail, l.SiteID) && !strings.Contains(e.Detail, token)
	}) {
		t.Errorf("audit log %+v lacks hub.enroll by lena, without the token", audit.Items)
	}
	if res := lena.post("/settings/enroll", url.Values{"csrf": {csrf}, "hub": {n.srv.URL}, "token": {token}}); res.Code != http.StatusConflict {
		t.Errorf("a second POST /settings/enroll = %d, want 409", res.Code)
	}

	// An alert published at the hub now reaches the new site.
	id := n.publish(t, url.Values{"title": {"For every site"}, "summary": {"s"}, "actions": {"a"}, "severity": {"high"}, "tlp": {"CLEAR"}})
	eventually(t, "the alert on the new site's /alerts", func() bool {
		return strings.Contains(tom.get("/alerts").Body, "/alerts/"+id)
	})
	if res := tom.get("/alerts"); !strings.Contains(res.Body, "up now") || !strings.Contains(res.Body, l.SiteID) {
		t.Errorf("the responder's /alerts does not show the connection:\n%s", res.Body)
	}
}
