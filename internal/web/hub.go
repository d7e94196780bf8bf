package web

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/chart"
	"github.com/ward-health/ward/internal/ews"
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
	handle("POST /hub/sites/{id}/contact", s.auth(s.inOrg(s.hubOrg(s.admin(s.hubContact)))))
	handle(hubEventsPattern, s.auth(s.inOrg(s.hubOrg(s.hubEvents)))) // events.go
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
	LiveURL    string // the stream of the listed alerts' numbers
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
	var live []string
	for _, a := range list.Items {
		reports, err := s.store.AlertReports(ctx, a.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		live = append(live, "alert="+url.QueryEscape(a.ID))
		page.Rows = append(page.Rows, hubAlertRow{ID: a.ID, Title: a.Title, Severity: a.Severity, TLP: a.TLP,
			Created: a.CreatedAt.UTC().Format(alertTime), By: a.CreatedBy, Published: !a.PublishedAt.IsZero(), reach: reachOf(reports)})
	}
	page.LiveURL = "/hub/events?" + strings.Join(live, "&")
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
	Shared              []ews.SharedAsset // the assets' details, when the site shared them
	SharedBad           bool              // the site sent details that do not decode
}

// unackedSite is a targeted site that has not acknowledged.
type unackedSite struct {
	Name, Kind, Country, Enrolled string
	Reported                      bool
	Affected                      bool // first: they have the flaw
	contactCell
}

// contactCell is whom the hub calls at a site.
type contactCell struct {
	Contact, Phone string
	Tel            template.URL // a tel: link to Phone; empty when there is none
}

// contactOf returns a site's contact, with a tel: link when its phone
// number is one the store accepts (digits, spaces, +, - and parentheses:
// nothing a URL could misread).
func contactOf(st store.Site) contactCell {
	c := contactCell{Contact: st.Contact, Phone: st.Phone}
	if st.Phone != "" && store.CheckContact("", st.Phone) == nil {
		dial := strings.Map(func(r rune) rune {
			if r == '+' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, st.Phone)
		c.Tel = template.URL("tel:" + dial) //nolint:gosec // only digits and a plus, checked above
	}
	return c
}

type hubAlertData struct {
	basePage
	LiveURL      string // the stream of this alert's numbers
	LastReport   string // the newest report's time, as the stream sends it
	Row          hubAlertRow
	KeyID        string
	Summary      string
	Actions      string
	CVEs         []string
	Targets      alert.Targets
	Reports      []reportRow
	Charts       []chart.Bars // affected and acknowledged, by country and by kind
	Trend        *chart.Lines // sites reached, acknowledged, affected over time
	Mitigated    *chart.Lines // assets mitigated over time
	SharedBy     []reportRow  // the reports that name assets
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
	page.LiveURL, page.Live = "/hub/events?alert="+url.QueryEscape(ha.ID), true
	if s.now().Sub(ha.CreatedAt) < time.Hour {
		page.Refresh = 15 // without JavaScript: the reports arrive in the first minutes
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
	page.LastReport = newestReport(reports) // events.go
	for i := range reports {
		rep := &reports[i]
		st := byID[rep.SiteID]
		reported[rep.SiteID] = true
		acked[rep.SiteID], affected[rep.SiteID] = rep.Acknowledged, rep.Affected
		row := reportRow{Site: cmp.Or(rep.SiteName, st.Name), Kind: string(st.Kind), Country: st.Country,
			Acknowledged: rep.Acknowledged, Affected: rep.Affected, Assets: decisionCounts(rep.Assets), Mitigated: rep.Mitigated,
			At: rep.At.UTC().Format("2 Jan 15:04")}
		if len(rep.Shared) > 0 {
			row.SharedBad = json.Unmarshal(rep.Shared, &row.Shared) != nil
			page.SharedBy = append(page.SharedBy, row)
		}
		page.Reports = append(page.Reports, row)
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
	if len(reports) > 0 {
		history, err := s.store.ReportHistory(ctx, ha.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		page.Trend, page.Mitigated = reportTrend(history, start, s.now())
	}
	deadline := start.Add(time.Duration(hours) * time.Hour)
	page.Deadline, page.Passed = deadline.UTC().Format(alertTime), !s.now().Before(deadline)
	for _, st := range sites {
		if !st.RevokedAt.IsZero() || !a.For(st.ID, string(st.Kind), st.Country) {
			continue
		}
		page.TargetsCount++
		if !acked[st.ID] {
			page.Unacked = append(page.Unacked, unackedSite{Name: st.Name, Kind: string(st.Kind), Country: st.Country,
				Enrolled: st.EnrolledAt.UTC().Format("2 Jan 2006"), Reported: reported[st.ID], Affected: affected[st.ID],
				contactCell: contactOf(st)})
		}
	}
	slices.SortStableFunc(page.Unacked, func(a, b unackedSite) int { return trueFirst(a.Affected, b.Affected) })
	s.render(w, r, http.StatusOK, "hub_alert.html", page)
}

// trendPoints is how many steps the charts over time have.
const trendPoints = 24

// reportTrend replays an alert's report history from start to end: at
// each of trendPoints+1 even steps, the sites that had reported,
// acknowledged and were affected (each site's latest report so far), and
// the assets they had mitigated.
func reportTrend(history []store.ExposureReport, start, end time.Time) (sites, mitigated *chart.Lines) {
	if len(history) > 0 && history[0].At.Before(start) {
		start = history[0].At
	}
	if !end.After(start) {
		end = start.Add(time.Minute)
	}
	layout := "15:04"
	switch span := end.Sub(start); {
	case span > 36*time.Hour:
		layout = "2 Jan"
	case span < time.Hour:
		layout = "15:04:05"
	}
	step := end.Sub(start) / trendPoints
	times := make([]time.Time, trendPoints+1)
	reached, acked, affected, mit := make([]int, len(times)), make([]int, len(times)), make([]int, len(times)), make([]int, len(times))
	latest := map[string]store.ExposureReport{}
	next := 0
	for i := range times {
		times[i] = start.Add(time.Duration(i) * step).UTC()
		if i == trendPoints {
			times[i] = end.UTC()
		}
		for next < len(history) && !history[next].At.After(times[i]) {
			latest[history[next].SiteID] = history[next]
			next++
		}
		for _, r := range latest {
			reached[i]++
			if r.Acknowledged {
				acked[i]++
			}
			if r.Affected {
				affected[i]++
			}
			mit[i] += r.Mitigated
		}
	}
	s := chart.NewLines("sites-trend", "Sites over time (UTC)", times, layout, []chart.Series{
		{Label: "reached", Stroke: "#555555", Values: reached},
		{Label: "acknowledged", Stroke: "#0b4f8a", Dash: "6 3", Values: acked},
		{Label: "affected", Stroke: "#8a1c00", Dash: "2 3", Values: affected},
	})
	m := chart.NewLines("mitigated-trend", "Assets mitigated over time (UTC)", times, layout, []chart.Series{
		{Label: "mitigated assets", Stroke: "#1b6b2f", Values: mit},
	})
	return &s, &m
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
	contactCell
	FormContact, FormPhone string // the edit form's values: as stored, or as refused
	Error                  string // why a change of its contact was refused
}

type hubSitesData struct {
	basePage
	Rows           []siteRow
	Kinds          []option
	Name           string
	Country        string
	Contact, Phone string
	Error          string
	// The refused contact of site EditID, shown again with EditError.
	EditID, EditContact, EditPhone, EditError string
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
		row := siteRow{ID: st.ID, Name: st.Name, Kind: string(st.Kind), Country: st.Country, Enrolled: st.EnrolledAt.UTC().Format("2 Jan 2006"),
			contactCell: contactOf(st)}
		row.FormContact, row.FormPhone = st.Contact, st.Phone
		if st.ID == page.EditID {
			row.FormContact, row.FormPhone, row.Error = page.EditContact, page.EditPhone, page.EditError
		}
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
		Country: strings.ToUpper(strings.TrimSpace(f.Get("country"))), Contact: strings.TrimSpace(f.Get("contact")),
		Phone: strings.TrimSpace(f.Get("phone")), CreatedBy: sess.Email}
	refused := hubSitesData{Name: inv.Name, Country: inv.Country, Contact: inv.Contact, Phone: inv.Phone}
	if inv.Kind == store.KindHub {
		refused.Error = "The hub does not invite itself: pick the kind of the organisation you invite."
		s.renderSites(w, r, sess, http.StatusBadRequest, refused)
		return
	}
	expires := s.now().Add(inviteTTL)
	token, err := s.ews.Invite(r.Context(), inv, inviteTTL)
	if errors.Is(err, store.ErrInvalid) {
		refused.Error = strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": ")
		s.renderSites(w, r, sess, http.StatusBadRequest, refused)
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

// hubContact replaces whom the hub calls at a site (admins).
func (s *Server) hubContact(w http.ResponseWriter, r *http.Request, sess *session) {
	if !s.writer(w, r, sess) {
		return
	}
	id := r.PathValue("id")
	contact, phone := strings.TrimSpace(r.PostForm.Get("contact")), strings.TrimSpace(r.PostForm.Get("phone"))
	st, err := s.store.SetSiteContact(r.Context(), id, contact, phone)
	if errors.Is(err, store.ErrInvalid) {
		msg := strings.TrimPrefix(err.Error(), "set site contact: ")
		s.renderSites(w, r, sess, http.StatusBadRequest, hubSitesData{EditID: id, EditContact: contact, EditPhone: phone,
			EditError: strings.TrimPrefix(msg, store.ErrInvalid.Error()+": ")})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.store.AppendAudit(r.Context(), sess.OrgID, sess.Email, "site.contact",
		fmt.Sprintf("%s (%s): contact %q, phone %q", st.Name, st.ID, st.Contact, st.Phone)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/hub/sites#site-"+url.PathEscape(id), http.StatusSeeOther)
}

// hubRevoke cuts a site off.
func (s *Server) hubRevoke(w http.ResponseWriter, r *http.Request, sess *session) {
	if err := s.ews.Revoke(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/hub/sites", http.StatusSeeOther)
}
