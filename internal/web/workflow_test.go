package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openvex/go-vex/pkg/vex"

	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/vexdoc"
	"github.com/ward-health/ward/internal/web"
)

// findingURL is the page of a finding of the practice.
func findingURL(k store.FindingKey) string {
	return "/findings/" + web.EncodeKeyForTest(k)
}

// auditActions returns org's audit actions, newest first.
func (f *fixture) auditActions(org string) []string {
	f.t.Helper()
	p := must(f.st.ListAudit(f.t.Context(), org, store.ListOptions{Limit: store.MaxLimit}))(f.t)
	var out []string
	for _, e := range p.Items {
		out = append(out, e.Action)
	}
	return out
}

func TestWorkflow_Transitions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	k := f.key("router-1", "CVE-2026-1001")
	page := c.get(findingURL(k))
	if page.Code != http.StatusOK {
		t.Fatalf("GET finding = %d", page.Code)
	}
	for _, want := range []string{`value="risk_accepted"`, `value="not_affected"`, `value="component_not_present"`,
		`action="/findings/` + web.EncodeKeyForTest(k) + `/assign"`, `value="mira@example.org"`, `min="2026-11-24"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("finding page lacks %s", want)
		}
	}
	tok := csrfRE.FindStringSubmatch(page.Body)[1]
	post := func(form url.Values) response {
		form.Set("csrf", tok)
		return c.post(findingURL(k)+"/transition", form)
	}
	tomorrow := now.AddDate(0, 0, 1).Format(time.DateOnly)
	steps := []struct {
		name     string
		form     url.Values
		wantCode int
		want     store.FindingState
	}{
		{"in progress", url.Values{"to": {"in_progress"}, "comment": {"on it"}}, http.StatusSeeOther, store.StateInProgress},
		{"accept without reason", url.Values{"to": {"risk_accepted"}, "expires": {tomorrow}}, http.StatusBadRequest, store.StateInProgress},
		{"accept without date", url.Values{"to": {"risk_accepted"}, "reason": {"vendor patch in Q1"}}, http.StatusBadRequest, store.StateInProgress},
		{"accept in the past", url.Values{"to": {"risk_accepted"}, "reason": {"x"}, "expires": {"2026-11-01"}}, http.StatusBadRequest, store.StateInProgress},
		{"accept", url.Values{"to": {"risk_accepted"}, "reason": {"vendor patch in Q1"}, "expires": {"2027-03-31"}}, http.StatusSeeOther, store.StateRiskAccepted},
		{"not affected from accepted", url.Values{"to": {"not_affected"}, "reason": {"x"}, "justification": {"component_not_present"}}, http.StatusConflict, store.StateRiskAccepted},
		{"mitigated", url.Values{"to": {"mitigated"}}, http.StatusSeeOther, store.StateMitigated},
		{"not affected without justification", url.Values{"to": {"not_affected"}, "reason": {"x"}}, http.StatusBadRequest, store.StateMitigated},
		{"not affected with an unknown one", url.Values{"to": {"not_affected"}, "reason": {"x"}, "justification": {"trust_me"}}, http.StatusBadRequest, store.StateMitigated},
		{"not affected without reason", url.Values{"to": {"not_affected"}, "justification": {"component_not_present"}}, http.StatusBadRequest, store.StateMitigated},
		{"not affected", url.Values{"to": {"not_affected"}, "reason": {"the remote admin module is not installed"}, "justification": {"vulnerable_code_not_present"}}, http.StatusSeeOther, store.StateNotAffected},
		{"new is not offered", url.Values{"to": {"new"}}, http.StatusBadRequest, store.StateNotAffected},
		{"open again", url.Values{"to": {"open"}}, http.StatusSeeOther, store.StateOpen},
		{"resolved", url.Values{"to": {"resolved"}}, http.StatusSeeOther, store.StateResolved},
	}
	for _, st := range steps {
		res := post(st.form)
		if res.Code != st.wantCode {
			t.Fatalf("%s: POST transition = %d, want %d", st.name, res.Code, st.wantCode)
		}
		fr := must(f.st.Finding(t.Context(), f.practice.ID, k))(t)
		if fr.State != st.want {
			t.Fatalf("%s: state %s, want %s", st.name, fr.State, st.want)
		}
		if st.name == "accept" && !fr.AcceptExpiresAt.Equal(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("accept: expires %v, want the end of 31 March 2027", fr.AcceptExpiresAt)
		}
		if st.name == "not affected" && (fr.Justification != store.VulnerableCodeNotPresent || fr.Reason != "the remote admin module is not installed") {
			t.Errorf("not affected: justification %q reason %q", fr.Justification, fr.Reason)
		}
	}
	body := c.get(findingURL(k)).Body
	for _, want := range []string{
		"anna@example.org moved it from new to in_progress: “on it”",
		"moved it from in_progress to risk_accepted",
		"moved it from mitigated to not_affected",
		"moved it from open to resolved",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	if n := strings.Count(strings.Join(f.auditActions(f.practice.ID), " "), "finding.state"); n != 6 {
		t.Errorf("audit has %d finding.state entries, want 6 (one per accepted change)", n)
	}
}

func TestWorkflow_AssignAndComment(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	k := f.key("router-1", "CVE-2026-1001")
	tok := c.csrf(findingURL(k))
	tests := []struct {
		name, assignee string
		wantCode       int
		want           string
	}{
		{"member", "mira@example.org", http.StatusSeeOther, "mira@example.org"},
		{"member in other case", "Mira@Example.org", http.StatusSeeOther, "mira@example.org"},
		{"stranger", "eve@example.org", http.StatusBadRequest, "mira@example.org"},
		{"nobody", "", http.StatusSeeOther, ""},
	}
	for _, tc := range tests {
		res := c.post(findingURL(k)+"/assign", url.Values{"csrf": {tok}, "assignee": {tc.assignee}})
		if res.Code != tc.wantCode {
			t.Fatalf("%s: POST assign = %d, want %d", tc.name, res.Code, tc.wantCode)
		}
		if fr := must(f.st.Finding(t.Context(), f.practice.ID, k))(t); fr.Assignee != tc.want {
			t.Fatalf("%s: assignee %q, want %q", tc.name, fr.Assignee, tc.want)
		}
	}
	// A user of another organisation only is no assignee here.
	must(f.st.CreateUser(t.Context(), store.User{Email: "nurse@klinikum.example", PasswordHash: must(store.HashPassword(password))(t)}))(t)
	if res := c.post(findingURL(k)+"/assign", url.Values{"csrf": {tok}, "assignee": {"nurse@klinikum.example"}}); res.Code != http.StatusBadRequest {
		t.Errorf("POST assign to a non-member = %d, want 400", res.Code)
	}
	if res := c.post(findingURL(k)+"/comment", url.Values{"csrf": {tok}, "comment": {"Called AVM <support>"}}); res.Code != http.StatusSeeOther {
		t.Fatalf("POST comment = %d", res.Code)
	}
	if res := c.post(findingURL(k)+"/comment", url.Values{"csrf": {tok}, "comment": {"  "}}); res.Code != http.StatusBadRequest {
		t.Errorf("POST empty comment = %d, want 400", res.Code)
	}
	body := c.get(findingURL(k)).Body
	for _, want := range []string{"anna@example.org: “Called AVM &lt;support&gt;”", "assigned to mira@example.org", "unassigned"} {
		if !strings.Contains(body, want) {
			t.Errorf("finding page lacks %q", want)
		}
	}
	if fr := must(f.st.Finding(t.Context(), f.practice.ID, k))(t); fr.State != store.StateNew {
		t.Errorf("state after comments = %s, want new", fr.State)
	}
	got := strings.Join(f.auditActions(f.practice.ID), " ")
	for _, want := range []string{"finding.assign", "finding.comment"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit lacks %s: %s", want, got)
		}
	}
}

func TestWorkflow_Verdict(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	pc := f.key("pc-1", "CVE-2026-1002")
	page := c.get(findingURL(pc)).Body
	if !strings.Contains(page, "Is this really your Practice PC?") || !strings.Contains(page, `value="rejected"`) {
		t.Fatalf("the possible match's page offers no verdict")
	}
	tok := csrfRE.FindStringSubmatch(page)[1]
	// The router's match is confirmed by identifiers: nothing to judge.
	router := f.key("router-1", "CVE-2026-1001")
	if strings.Contains(c.get(findingURL(router)).Body, `value="rejected"`) {
		t.Errorf("the confirmed match's page offers a verdict")
	}
	if res := c.post(findingURL(router)+"/verdict", url.Values{"csrf": {tok}, "outcome": {"rejected"}}); res.Code != http.StatusBadRequest {
		t.Errorf("POST verdict on a confirmed match = %d, want 400", res.Code)
	}
	if res := c.post(findingURL(pc)+"/verdict", url.Values{"csrf": {tok}, "outcome": {"perhaps"}}); res.Code != http.StatusBadRequest {
		t.Errorf("POST verdict perhaps = %d, want 400", res.Code)
	}
	res := c.post(findingURL(pc)+"/verdict", url.Values{"csrf": {tok}, "outcome": {"rejected"}, "note": {"it is a Siemens PC"}})
	if res.Code != http.StatusSeeOther {
		t.Fatalf("POST verdict = %d, want 303", res.Code)
	}
	fr := must(f.st.Finding(t.Context(), f.practice.ID, pc))(t)
	if fr.State != store.StateNotAffected || fr.Justification != store.ComponentNotPresent {
		t.Errorf("after rejection: state %s justification %q, want not_affected, component_not_present", fr.State, fr.Justification)
	}
	page = c.get(findingURL(pc)).Body
	for _, want := range []string{"Remembered: anna@example.org said", "is not Practice PC", "The affected part is not in this device"} {
		if !strings.Contains(page, want) {
			t.Errorf("finding page after the verdict lacks %q", want)
		}
	}
	settings := c.get("/settings").Body
	if !strings.Contains(settings, "is not this product: it is a Siemens PC") {
		t.Errorf("settings do not list the verdict")
	}
	// Forgetting it: the verdict goes, the finding keeps its state.
	res = c.post("/settings/verdicts/delete", url.Values{"csrf": {tok}, "asset": {"pc-1"}, "product": {"Practice PC"}})
	if res.Code != http.StatusSeeOther {
		t.Fatalf("POST verdicts/delete = %d", res.Code)
	}
	if v := must(f.st.ListVerdicts(t.Context(), f.practice.ID, store.ListOptions{}))(t); len(v.Items) != 0 {
		t.Errorf("verdicts after delete = %v", v.Items)
	}
	got := strings.Join(f.auditActions(f.practice.ID), " ")
	for _, want := range []string{"finding.verdict", "verdict.delete"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit lacks %s", want)
		}
	}
}

// selectOrg switches c to org.
func selectOrg(t *testing.T, c *client, org string) {
	t.Helper()
	if res := c.post("/orgs/select", url.Values{"csrf": {c.csrf("/orgs")}, "org": {org}}); res.Code != http.StatusSeeOther {
		t.Fatalf("select org = %d", res.Code)
	}
}

func TestWorkflow_Roles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	viewer := f.signedIn("mira@example.org")
	selectOrg(t, viewer, f.practice.ID)
	responder := f.signedIn("mira@example.org")
	selectOrg(t, responder, f.hospital.ID)
	k := findingURL(f.key("router-1", "CVE-2026-1001"))
	vtok := viewer.csrf("/")
	if strings.Contains(viewer.get(k).Body, "/transition") {
		t.Errorf("the finding page offers a viewer the state form")
	}
	if strings.Contains(viewer.get("/").Body, `href="/settings"`) {
		t.Errorf("a viewer sees the settings link")
	}
	for _, tc := range []struct {
		name string
		c    *client
		do   func(tok string) response
	}{
		{"viewer transition", viewer, func(tok string) response {
			return viewer.post(k+"/transition", url.Values{"csrf": {tok}, "to": {"open"}})
		}},
		{"viewer assign", viewer, func(tok string) response { return viewer.post(k+"/assign", url.Values{"csrf": {tok}}) }},
		{"viewer comment", viewer, func(tok string) response {
			return viewer.post(k+"/comment", url.Values{"csrf": {tok}, "comment": {"x"}})
		}},
		{"viewer verdict", viewer, func(tok string) response {
			return viewer.post(findingURL(f.key("pc-1", "CVE-2026-1002"))+"/verdict", url.Values{"csrf": {tok}, "outcome": {"rejected"}})
		}},
		{"viewer settings", viewer, func(string) response { return viewer.get("/settings") }},
		{"viewer audit", viewer, func(string) response { return viewer.get("/settings/audit") }},
		{"viewer policy", viewer, func(tok string) response {
			return viewer.post("/settings/policy", url.Values{"csrf": {tok}, "act": {"1"}})
		}},
		{"viewer token", viewer, func(tok string) response {
			return viewer.post("/settings/tokens", url.Values{"csrf": {tok}, "name": {"x"}, "role": {"admin"}})
		}},
		{"responder settings", responder, func(string) response { return responder.get("/settings") }},
		{"responder member", responder, func(string) response {
			return responder.post("/settings/members", url.Values{"csrf": {responder.csrf("/")}, "email": {"x@example.org"}, "role": {"admin"}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res := tc.do(vtok); res.Code != http.StatusForbidden {
				t.Errorf("%s = %d, want 403", tc.name, res.Code)
			}
		})
	}
	if fr := must(f.st.Finding(t.Context(), f.practice.ID, f.key("router-1", "CVE-2026-1001")))(t); fr.State != store.StateNew || fr.Assignee != "" {
		t.Errorf("finding changed by refused requests: %s %q", fr.State, fr.Assignee)
	}
	if toks := must(f.st.ListTokens(t.Context(), f.practice.ID, store.ListOptions{}))(t); len(toks.Items) != 0 {
		t.Errorf("a viewer made a token")
	}
}

func TestWorkflow_TenantIsolation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	anna := f.signedIn("anna@example.org")
	tok := anna.csrf("/")
	pump := findingURL(f.key("pump-1", "CVE-2026-2001"))
	hospTok, _ := must2(f.st.CreateToken(t.Context(), f.hospital.ID, "pacs", store.RoleAdmin))(t)
	nurse := must(f.st.CreateUser(t.Context(), store.User{Email: "nurse@klinikum.example", PasswordHash: must(store.HashPassword(password))(t)}))(t)
	must(f.st.SetMember(t.Context(), f.hospital.ID, nurse.ID, store.RoleAdmin))(t)
	for name, do := range map[string]func() response{
		"transition": func() response { return anna.post(pump+"/transition", url.Values{"csrf": {tok}, "to": {"open"}}) },
		"assign":     func() response { return anna.post(pump+"/assign", url.Values{"csrf": {tok}}) },
		"comment":    func() response { return anna.post(pump+"/comment", url.Values{"csrf": {tok}, "comment": {"x"}}) },
		"verdict":    func() response { return anna.post(pump+"/verdict", url.Values{"csrf": {tok}, "outcome": {"rejected"}}) },
		"revoke":     func() response { return anna.post("/settings/tokens/"+hospTok.ID+"/revoke", url.Values{"csrf": {tok}}) },
		"role": func() response {
			return anna.post("/settings/members/"+nurse.ID+"/role", url.Values{"csrf": {tok}, "role": {"viewer"}})
		},
		"remove": func() response { return anna.post("/settings/members/"+nurse.ID+"/remove", url.Values{"csrf": {tok}}) },
	} {
		if res := do(); res.Code != http.StatusNotFound {
			t.Errorf("%s on the hospital's object = %d, want 404", name, res.Code)
		}
	}
	if fr := must(f.st.Finding(t.Context(), f.hospital.ID, f.key("pump-1", "CVE-2026-2001")))(t); fr.State != store.StateNew || fr.Assignee != "" {
		t.Errorf("hospital finding changed: %s %q", fr.State, fr.Assignee)
	}
	if m := must(f.st.Member(t.Context(), f.hospital.ID, nurse.ID))(t); m.Role != store.RoleAdmin {
		t.Errorf("hospital member's role changed to %s", m.Role)
	}
	toks := must(f.st.ListTokens(t.Context(), f.hospital.ID, store.ListOptions{}))(t)
	if !toks.Items[0].RevokedAt.IsZero() {
		t.Errorf("the hospital's token was revoked")
	}
	for _, path := range []string{"/settings", "/settings/audit", "/vex/openvex.json", "/vex/csaf.json"} {
		body := anna.get(path).Body
		for _, unwanted := range []string{"pump", "nurse@", "pacs", "Klinikum"} {
			if strings.Contains(body, unwanted) {
				t.Errorf("GET %s as anna shows the hospital's %q", path, unwanted)
			}
		}
	}
}

func must2[A, B any](a A, b B, err error) func(t *testing.T) (A, B) {
	return func(t *testing.T) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatalf("setup: %v", err)
		}
		return a, b
	}
}

func TestSettings_Members(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	page := c.get("/settings")
	if page.Code != http.StatusOK || !strings.Contains(page.Body, "Mira Okafor (mira@example.org)") {
		t.Fatalf("GET /settings = %d, lacks the members", page.Code)
	}
	tok := csrfRE.FindStringSubmatch(page.Body)[1]
	mira := must(f.st.UserByEmail(t.Context(), "mira@example.org"))(t)
	anna := must(f.st.UserByEmail(t.Context(), "anna@example.org"))(t)
	steps := []struct {
		name     string
		path     string
		form     url.Values
		wantCode int
	}{
		{"add new user without password", "/settings/members", url.Values{"email": {"tom@example.org"}, "role": {"responder"}}, http.StatusBadRequest},
		{"add new user", "/settings/members", url.Values{"email": {"tom@example.org"}, "name": {"Tom"}, "role": {"responder"}, "password": {"a long enough secret"}}, http.StatusSeeOther},
		{"add existing member", "/settings/members", url.Values{"email": {"mira@example.org"}, "role": {"admin"}}, http.StatusConflict},
		{"add with bad role", "/settings/members", url.Values{"email": {"x@example.org"}, "role": {"owner"}, "password": {"a long enough secret"}}, http.StatusBadRequest},
		{"promote mira", "/settings/members/" + mira.ID + "/role", url.Values{"role": {"responder"}}, http.StatusSeeOther},
		{"demote the last admin", "/settings/members/" + anna.ID + "/role", url.Values{"role": {"viewer"}}, http.StatusBadRequest},
		{"remove the last admin", "/settings/members/" + anna.ID + "/remove", url.Values{}, http.StatusBadRequest},
		{"remove mira", "/settings/members/" + mira.ID + "/remove", url.Values{}, http.StatusSeeOther},
		{"remove mira again", "/settings/members/" + mira.ID + "/remove", url.Values{}, http.StatusNotFound},
	}
	for _, st := range steps {
		st.form.Set("csrf", tok)
		if res := c.post(st.path, st.form); res.Code != st.wantCode {
			t.Fatalf("%s: POST %s = %d, want %d: %s", st.name, st.path, res.Code, st.wantCode, res.Body)
		}
	}
	tom := must(f.st.UserByEmail(t.Context(), "tom@example.org"))(t)
	if m := must(f.st.Member(t.Context(), f.practice.ID, tom.ID))(t); m.Role != store.RoleResponder {
		t.Errorf("tom's role = %s, want responder", m.Role)
	}
	if _, err := f.st.Member(t.Context(), f.practice.ID, mira.ID); err == nil {
		t.Errorf("mira is still a member")
	}
	if m := must(f.st.Member(t.Context(), f.hospital.ID, mira.ID))(t); m.Role != store.RoleResponder {
		t.Errorf("mira's hospital membership changed: %s", m.Role)
	}
	if res := f.client().login("tom@example.org", "a long enough secret"); res.Code != http.StatusSeeOther {
		t.Errorf("the new member's sign-in = %d, want 303", res.Code)
	}
	got := strings.Join(f.auditActions(f.practice.ID), " ")
	for _, want := range []string{"member.add", "member.role", "member.remove"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit lacks %s: %s", want, got)
		}
	}
	if res := c.post("/settings/members", url.Values{"email": {"x@example.org"}, "role": {"viewer"}}); res.Code != http.StatusForbidden {
		t.Errorf("POST /settings/members without a CSRF token = %d, want 403", res.Code)
	}
}

func TestSettings_Tokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	tok := c.csrf("/settings")
	res := c.post("/settings/tokens", url.Values{"csrf": {tok}, "name": {"inventory sync"}, "role": {"responder"}})
	if res.Code != http.StatusCreated {
		t.Fatalf("POST /settings/tokens = %d, want 201", res.Code)
	}
	m := regexp.MustCompile(`value="(ward_[A-Za-z0-9_-]+)"`).FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatalf("the new token is not shown")
	}
	got := must(f.st.LookupToken(t.Context(), store.HashToken(m[1])))(t)
	if got.OrgID != f.practice.ID || got.Role != store.RoleResponder || got.Name != "inventory sync" {
		t.Errorf("token = %+v, want the practice's responder token", got)
	}
	if strings.Contains(c.get("/settings").Body, m[1]) {
		t.Errorf("the token is shown a second time")
	}
	if res := c.post("/settings/tokens", url.Values{"csrf": {tok}, "name": {""}, "role": {"admin"}}); res.Code != http.StatusBadRequest {
		t.Errorf("POST token without a name = %d, want 400", res.Code)
	}
	if res := c.post("/settings/tokens/"+got.ID+"/revoke", url.Values{"csrf": {tok}}); res.Code != http.StatusSeeOther {
		t.Fatalf("POST revoke = %d", res.Code)
	}
	if _, err := f.st.LookupToken(t.Context(), store.HashToken(m[1])); err == nil {
		t.Errorf("the revoked token still works")
	}
	if !strings.Contains(c.get("/settings").Body, "revoked 23 Nov 2026") {
		t.Errorf("settings do not show the token as revoked")
	}
	audit := must(f.st.ListAudit(t.Context(), f.practice.ID, store.ListOptions{}))(t)
	for _, e := range audit.Items {
		if strings.Contains(e.Detail, m[1]) || strings.Contains(e.Detail, strings.TrimPrefix(m[1], store.TokenPrefix)) {
			t.Errorf("the audit log holds the token: %+v", e)
		}
	}
	if a := strings.Join(f.auditActions(f.practice.ID), " "); !strings.Contains(a, "token.create") || !strings.Contains(a, "token.revoke") {
		t.Errorf("audit lacks the token entries: %s", a)
	}
}

func TestSettings_Policy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	c := f.signedIn("anna@example.org")
	tok := c.csrf("/settings")
	if res := c.post("/settings/policy", url.Values{"csrf": {tok}, "act": {"-1"}}); res.Code != http.StatusBadRequest {
		t.Errorf("POST policy act=-1 = %d, want 400", res.Code)
	}
	if res := c.post("/settings/policy", url.Values{"csrf": {tok}, "act": {"two"}}); res.Code != http.StatusBadRequest {
		t.Errorf("POST policy act=two = %d, want 400", res.Code)
	}
	res := c.post("/settings/policy", url.Values{"csrf": {tok}, "act": {"1"}, "attend": {""}, "track*": {"30"}})
	if res.Code != http.StatusSeeOther || res.Location != "/settings?done=policy" {
		t.Fatalf("POST policy = %d to %q", res.Code, res.Location)
	}
	p := must(f.st.OrgPolicy(t.Context(), f.practice.ID))(t)
	if len(p.Days) != 2 || p.Days[risk.Act] != 1 || p.Days[risk.TrackStar] != 30 {
		t.Errorf("policy = %v, want act 1, track* 30", p.Days)
	}
	page := c.get("/settings?done=policy").Body
	for _, want := range []string{`name="act" type="number" min="0" max="3650" inputmode="numeric" value="1"`, "due dates are recalculated", `placeholder="14"`} {
		if !strings.Contains(page, want) {
			t.Errorf("settings lack %q", want)
		}
	}
	if a := f.auditActions(f.practice.ID); a[0] != "policy.set" {
		t.Errorf("latest audit entry = %s, want policy.set", a[0])
	}
}

func TestSettings_AuditPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	for i := range 5 {
		must(f.st.AppendAudit(t.Context(), f.practice.ID, "ward", "test.entry", "entry "+string(rune('A'+i))))(t)
	}
	c := f.signedIn("anna@example.org")
	nextRE := regexp.MustCompile(`<a href="([^"]+)" rel="next">Next page</a>`)
	var seen []string
	path := "/settings/audit"
	for pages := 0; path != ""; pages++ {
		if pages > 10 {
			t.Fatal("more than 10 pages")
		}
		res := c.get(path)
		if res.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, res.Code)
		}
		seen = append(seen, regexp.MustCompile(`entry [A-E]`).FindAllString(res.Body, -1)...)
		path = ""
		if m := nextRE.FindStringSubmatch(res.Body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if got := strings.Join(seen, ","); got != "entry E,entry D,entry C,entry B,entry A" {
		t.Errorf("audit entries over all pages = %s, want newest first, each once", got)
	}
	if res := c.get("/settings/audit?cursor=garbage"); res.Code != http.StatusBadRequest {
		t.Errorf("GET audit with a bad cursor = %d, want 400", res.Code)
	}
}

func TestVEX_Exports(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	ctx := t.Context()
	must(f.st.JudgeFinding(ctx, f.practice.ID, f.key("pc-1", "CVE-2026-1002"), store.Judgement{Outcome: store.Rejected, Actor: "anna@example.org", Note: "a Siemens PC"}))(t)
	must(f.st.UpdateFindingState(ctx, f.practice.ID, f.key("ecg-1", "CVE-2026-1003"), store.Transition{To: store.StateResolved, Actor: "anna@example.org"}))(t)
	viewer := f.signedIn("mira@example.org")
	selectOrg(t, viewer, f.practice.ID)

	res := viewer.get("/vex/openvex.json")
	if res.Code != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /vex/openvex.json = %d %s", res.Code, res.Header.Get("Content-Type"))
	}
	doc, err := vex.Parse([]byte(res.Body))
	if err != nil {
		t.Fatalf("vex.Parse() = %v", err)
	}
	got := map[string]string{}
	for _, s := range doc.Statements {
		if err := s.Validate(); err != nil {
			t.Errorf("statement %s: %v", s.Vulnerability.Name, err)
		}
		got[string(s.Vulnerability.Name)] = string(s.Status) + " " + string(s.Justification)
	}
	want := map[string]string{
		"CVE-2026-1001": "affected ",
		"CVE-2026-1002": "not_affected component_not_present",
		"CVE-2026-1003": "fixed ",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("OpenVEX %s = %q, want %q", k, got[k], v)
		}
	}
	if doc.Author != "Praxis Weber" {
		t.Errorf("author = %q", doc.Author)
	}

	res = viewer.get("/vex/csaf.json")
	if res.Code != http.StatusOK {
		t.Fatalf("GET /vex/csaf.json = %d", res.Code)
	}
	if err := vexdoc.CheckCSAF([]byte(res.Body)); err != nil {
		t.Errorf("the CSAF export fails the VEX profile: %v", err)
	}
	var csaf struct {
		Vulnerabilities []struct {
			CVE           string         `json:"cve"`
			ProductStatus map[string]any `json:"product_status"`
			Threats       []struct {
				Details string `json:"details"`
			} `json:"threats"`
		} `json:"vulnerabilities"`
	}
	if err := json.Unmarshal([]byte(res.Body), &csaf); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, v := range csaf.Vulnerabilities {
		for k := range v.ProductStatus {
			status[v.CVE] = k
		}
		if v.CVE == "CVE-2026-1002" && (len(v.Threats) != 1 || !strings.Contains(v.Threats[0].Details, "a Siemens PC")) {
			t.Errorf("the not-affected statement lacks the reason: %+v", v.Threats)
		}
	}
	for cve, want := range map[string]string{"CVE-2026-1001": "known_affected", "CVE-2026-1002": "known_not_affected", "CVE-2026-1003": "fixed"} {
		if status[cve] != want {
			t.Errorf("CSAF %s = %q, want %q", cve, status[cve], want)
		}
	}
}
