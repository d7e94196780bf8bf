package web

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/chart"
	"github.com/ward-health/ward/internal/store"
)

// Policies of the hub's pages.
const (
	inviteTTL    = 7 * 24 * time.Hour // how long an invitation from the sites page is valid
	defaultHours = 4                  // critical alerts: unacknowledged after this many hours
)

// hubRoutes registers the hub's pages.
func (s *Server) hubRoutes(handle func(pattern string, h http.HandlerFunc)) {
	handle("GET /hub", s.auth(s.inOrg(s.hubOrg(s.hubPage))))
	handle("POST /hub/alerts", s.auth(s.inOrg(s.hubOrg(s.hubPublish))))
	handle("GET /hub/alerts/{id}", s.auth(s.inOrg(s.hubOrg(s.hubAlertPage))))
	handle("GET /hub/sites", s.auth(s.inOrg(s.hubOrg(s.hubSites))))
	handle("POST /hub/sites/invite", s.auth(s.inOrg(s.hubOrg(s.hubInvite))))
	handle("POST /hub/sites/{id}/revoke", s.auth(s.inOrg(s.hubOrg(s.admin(s.hubRevoke)))))
}

// hubOrg lets through members of the organisation of kind hub, where this
// node runs the hub. Others get 404, like a page that does not exist.
func (s *Server) hubOrg(next sessionHandler) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		if s.ews == nil {
			s.fail(w, r, store.ErrNotFound)
			return
		}
		kind, err := s.orgKind(r.Context(), sess.OrgID)
		if err == nil && kind != store.KindHub {
			err = store.ErrNotFound
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sess.OrgKind = kind
		next(w, r, sess)
	}
}

// allSites returns every enrolled site, revoked ones included, by name.
func (s *Server) allSites(ctx context.Context) ([]store.Site, error) {
	var out []store.Site
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		p, err := s.store.ListSites(ctx, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out, nil
		}
		opts.Cursor = p.Next
	}
}

// reach is what the sites reported of one alert, in numbers.
type reach struct {
	Reached, Acknowledged, Affected int
}

func reachOf(reports []store.ExposureReport) reach {
	var n reach
	for _, r := range reports {
		n.Reached++
		if r.Acknowledged {
			n.Acknowledged++
		}
		if r.Affected {
			n.Affected++
		}
	}
	return n
}

// hubAlertRow is one published alert in the hub's list.
type hubAlertRow struct {
	ID, Title, Severity, TLP, Created, By string
	Published                             bool
	reach
}

// composeForm is the compose form's values and its errors by field.
type composeForm struct {
	Title, Summary, Actions, Severity, TLP, CVEs, Advisories, References string
	Kinds, Countries, Orgs                                               []option
	Errors                                                               map[string]string
	Error                                                                string // an error naming no field
}

type hubPageData struct {
	basePage
	Rows       []hubAlertRow
	Next       string
	Form       composeForm
	Severities []option
	TLPs       []option
}

// hubPage lists the published alerts with what the sites reported, and
// the compose form.
func (s *Server) hubPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderHub(w, r, sess, http.StatusOK, composeForm{Severity: string(alert.High), TLP: string(alert.TLPGreen)}, nil)
}

func (s *Server) renderHub(w http.ResponseWriter, r *http.Request, sess *session, code int, form composeForm, picked *alert.Targets) {
	ctx := r.Context()
	list, err := s.store.ListHubAlerts(ctx, store.ListOptions{Cursor: r.URL.Query().Get("cursor"), Limit: s.pageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := hubPageData{basePage: s.base(sess, "Hub"), Next: list.Next, Form: form}
	page.Nav = "hub"
	for _, a := range list.Items {
		reports, err := s.store.AlertReports(ctx, a.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Rows = append(page.Rows, hubAlertRow{ID: a.ID, Title: a.Title, Severity: a.Severity, TLP: a.TLP,
			Created: a.CreatedAt.UTC().Format(alertTime), By: a.CreatedBy, Published: !a.PublishedAt.IsZero(), reach: reachOf(reports)})
	}
	sites, err := s.allSites(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if picked == nil {
		picked = &alert.Targets{}
	}
	page.Form.Kinds = options(siteKinds(), picked.Kinds)
	var countries []string
	for _, st := range sites {
		if st.RevokedAt.IsZero() {
			countries = append(countries, st.Country)
			page.Form.Orgs = append(page.Form.Orgs, option{Value: st.ID, Label: st.Name + " (" + string(st.Kind) + ", " + st.Country + ")",
				Selected: slices.Contains(picked.Organisations, st.ID)})
		}
	}
	slices.Sort(countries)
	page.Form.Countries = options(slices.Compact(countries), picked.Countries)
	page.Severities = options([]string{string(alert.Critical), string(alert.High), string(alert.Medium), string(alert.Low)}, []string{form.Severity})
	page.TLPs = options([]string{string(alert.TLPClear), string(alert.TLPGreen), string(alert.TLPAmber), string(alert.TLPAmberStrict), string(alert.TLPRed)}, []string{form.TLP})
	s.render(w, r, code, "hub.html", page)
}

// siteKinds are the organisation kinds an alert may target: all but the hub.
func siteKinds() []string {
	var out []string
	for _, k := range store.OrgKinds {
		if k != store.KindHub {
			out = append(out, string(k))
		}
	}
	return out
}

// splitList splits a form field of ids separated by commas, spaces or
// line breaks.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// formField names the compose form's field that an alert.ErrInvalid
// message is about ("invalid alert: cves[1]: …" is about "cves").
func formField(err error) (field, msg string) {
	rest := strings.TrimPrefix(err.Error(), alert.ErrInvalid.Error()+": ")
	field, msg, ok := strings.Cut(rest, ": ")
	if !ok {
		return "", rest
	}
	field, _, _ = strings.Cut(field, "[")
	field = strings.TrimPrefix(field, "targets.")
	if field == "cves/advisories/references" {
		field = "cves"
	}
	return field, msg
}

// hubPublish validates the compose form and publishes the alert.
func (s *Server) hubPublish(w http.ResponseWriter, r *http.Request, sess *session) {
	if !s.writer(w, r, sess) {
		return
	}
	f := r.PostForm
	form := composeForm{Title: strings.TrimSpace(f.Get("title")), Summary: strings.TrimSpace(f.Get("summary")),
		Actions: strings.TrimSpace(f.Get("actions")), Severity: f.Get("severity"), TLP: f.Get("tlp"),
		CVEs: f.Get("cves"), Advisories: f.Get("advisories"), References: f.Get("references")}
	a := &alert.Alert{Title: form.Title, Summary: form.Summary, Actions: form.Actions,
		Severity: alert.Severity(form.Severity), TLP: alert.TLP(form.TLP),
		CVEs: splitList(strings.ToUpper(form.CVEs)), Advisories: splitList(form.Advisories), References: splitList(form.References),
		Targets: alert.Targets{Kinds: f["kinds"], Countries: f["countries"], Organisations: f["organisations"]}}
	if err := a.Validate(); err != nil {
		field, msg := formField(err)
		if msg == "required" {
			msg = "Please fill this in."
		}
		form.Errors = map[string]string{field: msg}
		if field == "" || !slices.Contains([]string{"title", "summary", "actions", "severity", "tlp", "cves", "advisories", "references", "kinds", "countries", "organisations"}, field) {
			form.Error = err.Error()
		}
		s.renderHub(w, r, sess, http.StatusBadRequest, form, &a.Targets)
		return
	}
	pub, err := s.ews.Publish(r.Context(), a, sess.Email)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/hub/alerts/"+url.PathEscape(pub.ID), http.StatusSeeOther)
}

// reportRow is one site's report on an alert.
type reportRow struct {
	Site, Kind, Country string
	Acknowledged        bool
	Affected            bool
	Assets              []countItem
	Mitigated           int
	At                  string
}

// unackedSite is a targeted site that has not acknowledged.
type unackedSite struct {
	Name, Kind, Country, Enrolled string
	Reported                      bool
	Affected                      bool // first: they have the flaw
}

type hubAlertData struct {
	basePage
	Row          hubAlertRow
	KeyID        string
	Summary      string
	Actions      string
	CVEs         []string
	Targets      alert.Targets
	Reports      []reportRow
	Charts       []chart.Bars // affected and acknowledged, by country and by kind
	Critical     bool
	Hours        int
	Deadline     string // when the hours end
	Passed       bool   // the hours have passed
	Unacked      []unackedSite
	TargetsCount int
}

// hubAlertPage shows one published alert and what the sites reported.
func (s *Server) hubAlertPage(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	ha, err := s.store.HubAlert(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, keyID, err := s.openHubAlert(&ha)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hours := defaultHours
	if v := r.URL.Query().Get("hours"); v != "" {
		if hours, err = strconv.Atoi(v); err != nil || hours < 0 || hours > 24*30 {
			s.fail(w, r, fmt.Errorf("%w: hours: want 0 to 720", store.ErrInvalid))
			return
		}
	}
	reports, err := s.store.AlertReports(ctx, ha.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sites, err := s.allSites(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byID := map[string]store.Site{}
	for _, st := range sites {
		byID[st.ID] = st
	}
	page := hubAlertData{basePage: s.base(sess, ha.Title), KeyID: keyID, Summary: a.Summary, Actions: a.Actions, CVEs: a.CVEs,
		Targets: a.Targets, Critical: a.Severity == alert.Critical, Hours: hours,
		Row: hubAlertRow{ID: ha.ID, Title: ha.Title, Severity: ha.Severity, TLP: ha.TLP, Created: ha.CreatedAt.UTC().Format(alertTime),
			By: ha.CreatedBy, Published: !ha.PublishedAt.IsZero(), reach: reachOf(reports)}}
	page.Nav = "hub"
	if s.now().Sub(ha.CreatedAt) < time.Hour {
		page.Refresh = 15 // the reports arrive in the first minutes
	}
	acked, reported, affected := map[string]bool{}, map[string]bool{}, map[string]bool{}
	type tally struct{ affected, acked int }
	byCountry, byKind := map[string]*tally{}, map[string]*tally{}
	add := func(m map[string]*tally, k string, rep *store.ExposureReport) {
		t := m[k]
		if t == nil {
			t = &tally{}
			m[k] = t
		}
		if rep.Affected {
			t.affected++
		}
		if rep.Acknowledged {
			t.acked++
		}
	}
	for i := range reports {
		rep := &reports[i]
		st := byID[rep.SiteID]
		reported[rep.SiteID] = true
		acked[rep.SiteID], affected[rep.SiteID] = rep.Acknowledged, rep.Affected
		page.Reports = append(page.Reports, reportRow{Site: cmp.Or(rep.SiteName, st.Name), Kind: string(st.Kind), Country: st.Country,
			Acknowledged: rep.Acknowledged, Affected: rep.Affected, Assets: decisionCounts(rep.Assets), Mitigated: rep.Mitigated,
			At: rep.At.UTC().Format("2 Jan 15:04")})
		add(byCountry, cmp.Or(st.Country, "?"), rep)
		add(byKind, cmp.Or(string(st.Kind), "?"), rep)
	}
	bars := func(m map[string]*tally, count func(*tally) int, fill string) []chart.Bar {
		var out []chart.Bar
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, chart.Bar{Label: k, Count: count(m[k]), Fill: fill})
		}
		return out
	}
	aff := func(t *tally) int { return t.affected }
	ack := func(t *tally) int { return t.acked }
	page.Charts = []chart.Bars{
		chart.NewBars("affected-country", "Sites affected, by country", bars(byCountry, aff, "#8a1c00")),
		chart.NewBars("acked-country", "Sites that acknowledged, by country", bars(byCountry, ack, "#0b4f8a")),
		chart.NewBars("affected-kind", "Sites affected, by kind", bars(byKind, aff, "#8a1c00")),
		chart.NewBars("acked-kind", "Sites that acknowledged, by kind", bars(byKind, ack, "#0b4f8a")),
	}
	start := cmp.Or(ha.PublishedAt, ha.CreatedAt)
	deadline := start.Add(time.Duration(hours) * time.Hour)
	page.Deadline, page.Passed = deadline.UTC().Format(alertTime), !s.now().Before(deadline)
	for _, st := range sites {
		if !st.RevokedAt.IsZero() || !a.For(st.ID, string(st.Kind), st.Country) {
			continue
		}
		page.TargetsCount++
		if !acked[st.ID] {
			page.Unacked = append(page.Unacked, unackedSite{Name: st.Name, Kind: string(st.Kind), Country: st.Country,
				Enrolled: st.EnrolledAt.UTC().Format("2 Jan 2006"), Reported: reported[st.ID], Affected: affected[st.ID]})
		}
	}
	slices.SortStableFunc(page.Unacked, func(a, b unackedSite) int { return trueFirst(a.Affected, b.Affected) })
	s.render(w, r, http.StatusOK, "hub_alert.html", page)
}

// openHubAlert checks a published alert's signature against the hub's own
// keys and decodes it.
func (s *Server) openHubAlert(ha *store.HubAlert) (*alert.Alert, string, error) {
	var env alert.Envelope
	if err := json.Unmarshal(ha.Envelope, &env); err != nil {
		return nil, "", fmt.Errorf("hub alert %s: %w", ha.ID, err)
	}
	ring := alert.NewKeyring()
	for _, k := range s.ews.PublicKeys() {
		ring.Add(ed25519.PublicKey(k))
	}
	a, err := ring.Open(&env)
	if err != nil {
		return nil, "", fmt.Errorf("hub alert %s: %w", ha.ID, err)
	}
	return a, env.KeyID, nil
}

// siteRow is one enrolled site.
type siteRow struct {
	ID, Name, Kind, Country, Enrolled, Revoked string
}

type hubSitesData struct {
	basePage
	Rows    []siteRow
	Kinds   []option
	Name    string
	Country string
	Error   string
}

// hubSites lists the enrolled sites and the invitation form.
func (s *Server) hubSites(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderSites(w, r, sess, http.StatusOK, hubSitesData{})
}

func (s *Server) renderSites(w http.ResponseWriter, r *http.Request, sess *session, code int, page hubSitesData) {
	sites, err := s.allSites(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kind := r.PostForm.Get("kind")
	page.basePage = s.base(sess, "Sites")
	page.Nav = "sites"
	page.Kinds = options(siteKinds(), []string{kind})
	for _, st := range sites {
		row := siteRow{ID: st.ID, Name: st.Name, Kind: string(st.Kind), Country: st.Country, Enrolled: st.EnrolledAt.UTC().Format("2 Jan 2006")}
		if !st.RevokedAt.IsZero() {
			row.Revoked = st.RevokedAt.UTC().Format("2 Jan 2006")
		}
		page.Rows = append(page.Rows, row)
	}
	s.render(w, r, code, "hub_sites.html", page)
}

type hubInvitedData struct {
	basePage
	Name, Token, Command, Expires string
}

// hubInvite makes a one-time invitation and shows its token once.
func (s *Server) hubInvite(w http.ResponseWriter, r *http.Request, sess *session) {
	if !s.writer(w, r, sess) {
		return
	}
	f := r.PostForm
	inv := store.SiteInvite{Name: strings.TrimSpace(f.Get("name")), Kind: store.OrgKind(f.Get("kind")),
		Country: strings.ToUpper(strings.TrimSpace(f.Get("country"))), CreatedBy: sess.Email}
	if inv.Kind == store.KindHub {
		s.renderSites(w, r, sess, http.StatusBadRequest, hubSitesData{Name: inv.Name, Country: inv.Country,
			Error: "The hub does not invite itself: pick the kind of the organisation you invite."})
		return
	}
	expires := s.now().Add(inviteTTL)
	token, err := s.ews.Invite(r.Context(), inv, inviteTTL)
	if errors.Is(err, store.ErrInvalid) {
		s.renderSites(w, r, sess, http.StatusBadRequest, hubSitesData{Name: inv.Name, Country: inv.Country,
			Error: strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": ")})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	scheme := "https"
	if r.TLS == nil && !s.secure {
		scheme = "http"
	}
	hubURL := scheme + "://" + r.Host
	page := hubInvitedData{basePage: s.base(sess, "Invitation"), Name: inv.Name, Token: token,
		Command: "ward enroll --hub " + hubURL + " --token " + token, Expires: expires.UTC().Format(alertTime)}
	page.Nav = "sites"
	s.render(w, r, http.StatusCreated, "hub_invited.html", page)
}

// hubRevoke cuts a site off.
func (s *Server) hubRevoke(w http.ResponseWriter, r *http.Request, sess *session) {
	if err := s.ews.Revoke(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/hub/sites", http.StatusSeeOther)
}
