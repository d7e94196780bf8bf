package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
)

// alertPages are the templates of the early-warning pages; parsePages
// parses them with pageNames.
var alertPages = []string{"alerts.html", "alerts_one.html", "hub.html", "hub_alert.html", "hub_sites.html", "hub_invited.html"}

// alertTime is how the alert pages show a time.
const alertTime = "2 Jan 2006 15:04 UTC"

// alertRoutes registers the site's alert pages and the hub's pages. They
// are always registered; a node without a site or a hub answers 404, as it
// does for organisations of the wrong kind.
func (s *Server) alertRoutes(handle func(pattern string, h http.HandlerFunc)) {
	handle("GET /alerts", s.auth(s.inOrg(s.siteOrg(s.alertsPage))))
	handle("GET /alerts/{id}", s.auth(s.inOrg(s.siteOrg(s.alertPage))))
	// Acknowledging tells the hub; sharing switches on sending it the
	// affected assets' details for the alert, which it gets at once.
	handle("POST /alerts/{id}/ack", s.auth(s.inOrg(s.siteOrg(s.alertAction(s.site.Acknowledge)))))
	handle("POST /alerts/{id}/share", s.auth(s.inOrg(s.siteOrg(s.alertAction(s.site.ShareAssets)))))
	s.hubRoutes(handle) // hub.go
}

// orgKind returns the kind of the session's organisation, from the store.
func (s *Server) orgKind(ctx context.Context, org string) (store.OrgKind, error) {
	o, err := s.store.Org(ctx, org)
	if err != nil {
		return "", err
	}
	return o.Kind, nil
}

// siteOrg lets through members of an organisation that receives alerts:
// this node is a site, and the organisation is not the hub's. Others get
// 404, like a page that does not exist.
func (s *Server) siteOrg(next sessionHandler) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		if s.site == nil {
			s.fail(w, r, store.ErrNotFound)
			return
		}
		kind, err := s.orgKind(r.Context(), sess.OrgID)
		if err == nil && kind == store.KindHub {
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

// countItem is a number with what it counts.
type countItem struct {
	Label, Words string
	Count        int
}

// decisionCounts lists counts of assets by decision in the order of
// decisionStyles, leaving out zeros.
func decisionCounts(by map[string]int) []countItem {
	var out []countItem
	for _, d := range decisionStyles {
		if n := by[string(d.Decision)]; n > 0 {
			out = append(out, countItem{Label: d.Label, Words: d.Words, Count: n})
		}
	}
	return out
}

// urgent reports whether an alert of this severity asks for action now.
func urgent(severity string) bool {
	return severity == string(alert.Critical) || severity == string(alert.High)
}

// alertRow is one received alert in the list.
type alertRow struct {
	ID, Title, Severity, TLP, Received string
	Matched                            bool
	Affected                           bool
	Assets                             []countItem
	AckBy, AckAt                       string
	SharedBy, SharedAt                 string // who switched on sharing the assets' details, and when
	Urgent                             bool   // critical or high, not acknowledged
}

func receivedRow(a *store.ReceivedAlert) alertRow {
	row := alertRow{ID: a.ID, Title: a.Title, Severity: a.Severity, TLP: a.TLP, Received: a.ReceivedAt.UTC().Format(alertTime),
		Matched: !a.MatchedAt.IsZero(), Affected: a.Affected, Assets: decisionCounts(a.Assets), AckBy: a.AckBy}
	if !a.Acknowledged.IsZero() {
		row.AckAt = a.Acknowledged.UTC().Format(alertTime)
	}
	if !a.SharedAt.IsZero() {
		row.SharedBy, row.SharedAt = a.SharedBy, a.SharedAt.UTC().Format(alertTime)
	}
	row.Urgent = row.AckAt == "" && urgent(a.Severity)
	return row
}

type alertsPage struct {
	basePage
	Rows    []alertRow
	Next    string
	HubLink *hubLinkView // the organisation's enrolment, for everyone (enroll.go)
}

// alertsPage lists the organisation's received alerts: unacknowledged
// critical and high ones first, the rest newest first.
func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	q := r.URL.Query()
	list, err := s.store.ListReceivedAlerts(r.Context(), sess.OrgID, store.ListOptions{Cursor: q.Get("cursor"), Limit: s.pageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := alertsPage{basePage: s.base(sess, "Alerts"), Next: list.Next}
	page.Nav = "alerts"
	if page.HubLink, err = s.hubLink(r.Context(), sess.OrgID); err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range list.Items {
		page.Rows = append(page.Rows, receivedRow(&list.Items[i]))
	}
	slices.SortStableFunc(page.Rows, func(a, b alertRow) int { return trueFirst(a.Urgent, b.Urgent) })
	s.render(w, r, http.StatusOK, "alerts.html", page)
}

// trueFirst orders true before false, for stable sorts.
func trueFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// linkItem is a link with its text.
type linkItem struct {
	Text, Href string
}

type alertOnePage struct {
	basePage
	Row        alertRow
	KeyID      string
	Issued     string
	Summary    string
	Actions    string
	CVEs       []linkItem
	Advisories []linkItem
	References []string
	Indicators []alert.Indicator
	HubLater   bool // the last action was recorded but not yet reported to the hub
}

// alertPage shows one received alert, its signature checked again.
func (s *Server) alertPage(w http.ResponseWriter, r *http.Request, sess *session) {
	rec, a, err := s.site.Alert(r.Context(), sess.OrgID, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := alertOnePage{basePage: s.base(sess, rec.Title), Row: receivedRow(&rec), KeyID: rec.KeyID,
		Summary: a.Summary, Actions: a.Actions, References: a.References, Indicators: a.Indicators,
		HubLater: r.URL.Query().Get("hub") == "later"}
	page.Nav = "alerts"
	if !a.Issued.IsZero() {
		page.Issued = a.Issued.UTC().Format(alertTime)
	}
	for _, c := range a.CVEs {
		page.CVEs = append(page.CVEs, linkItem{Text: c, Href: "/findings?vuln=" + url.QueryEscape(c)})
	}
	for _, adv := range a.Advisories {
		page.Advisories = append(page.Advisories, linkItem{Text: adv, Href: "/advisories/" + url.PathEscape(adv)})
	}
	s.render(w, r, http.StatusOK, "alerts_one.html", page)
}

// siteAlertAction is something a responder does to a received alert as
// by, through the site's service: [ews.Site.Acknowledge] or
// [ews.Site.ShareAssets] (method values: s.site may be nil where this node
// is no site, and siteOrg and apiSite then answer 404 before it is used).
type siteAlertAction func(ctx context.Context, org, id, by string) (store.ReceivedAlert, error)

// alertAction does act to the alert of the form's path as the user, and
// returns to its page.
func (s *Server) alertAction(act siteAlertAction) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		if !s.writer(w, r, sess) {
			return
		}
		id := r.PathValue("id")
		to := "/alerts/" + url.PathEscape(id)
		if _, err := act(r.Context(), sess.OrgID, id, sess.Email); errors.Is(err, ews.ErrHubNotTold) {
			s.log.WarnContext(r.Context(), "alert action not reported", slog.String("alert", id), slog.Any("error", err))
			to += "?hub=later"
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	}
}

// alertBanner returns the organisation's critical and high alerts that no
// one acknowledged, for Today's banner; none where this node is no site.
func (s *Server) alertBanner(ctx context.Context, sess *session) ([]alertRow, error) {
	if s.site == nil || sess.OrgKind == store.KindHub {
		return nil, nil
	}
	list, err := s.store.ListReceivedAlerts(ctx, sess.OrgID, store.ListOptions{Limit: s.pageSize})
	if err != nil {
		return nil, err
	}
	var out []alertRow
	for i := range list.Items {
		if row := receivedRow(&list.Items[i]); row.Urgent {
			out = append(out, row)
		}
	}
	return out, nil
}
