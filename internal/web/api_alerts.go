package web

import (
	"bytes"
	"net/http"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/store"
)

// alertAPIRoutes registers the early-warning routes of the API: a site's
// received alerts, and the hub's published ones.
func (s *Server) alertAPIRoutes(handle func(string, http.HandlerFunc)) {
	handle("GET "+apiPrefix+"/alerts", s.api(store.RoleViewer, s.apiSite(s.apiAlerts)))
	handle("POST "+apiPrefix+"/alerts/{id}/ack", s.api(store.RoleResponder, s.apiSite(s.apiAlertAction(s.site.Acknowledge))))
	handle("POST "+apiPrefix+"/alerts/{id}/share", s.api(store.RoleResponder, s.apiSite(s.apiAlertAction(s.site.ShareAssets))))
	handle("GET "+apiPrefix+"/hub/alerts", s.api(store.RoleViewer, s.apiHub(s.apiHubAlerts)))
	handle("POST "+apiPrefix+"/hub/alerts", s.api(store.RoleResponder, s.apiHub(s.apiPublishAlert)))
}

// apiSite lets through tokens of an organisation that receives alerts;
// the others get 404.
func (s *Server) apiSite(next apiHandler) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		kind, err := s.orgKind(r.Context(), p.OrgID)
		if err == nil && (s.site == nil || kind == store.KindHub) {
			err = store.ErrNotFound
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		next(w, r, p)
	}
}

// apiHub lets through tokens of the organisation that runs the hub; the
// others get 404.
func (s *Server) apiHub(next apiHandler) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		kind, err := s.orgKind(r.Context(), p.OrgID)
		if err == nil && (s.ews == nil || kind != store.KindHub) {
			err = store.ErrNotFound
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		next(w, r, p)
	}
}

// receivedBody is a received alert in the API.
type receivedBody struct {
	ID             string         `json:"id"`
	Seq            uint64         `json:"seq"`
	Title          string         `json:"title"`
	Severity       string         `json:"severity"`
	TLP            string         `json:"tlp"`
	KeyID          string         `json:"key_id"`
	ReceivedAt     time.Time      `json:"received_at"`
	MatchedAt      *time.Time     `json:"matched_at,omitempty"`
	Affected       bool           `json:"affected"`
	Assets         map[string]int `json:"assets"`
	AcknowledgedAt *time.Time     `json:"acknowledged_at,omitempty"`
	AckBy          string         `json:"ack_by,omitempty"`
	SharedAt       *time.Time     `json:"shared_at,omitempty"`
	SharedBy       string         `json:"shared_by,omitempty"`
}

// when returns t, or nil for the zero time.
func when(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func receivedJSON(a *store.ReceivedAlert) receivedBody {
	assets := a.Assets
	if assets == nil {
		assets = map[string]int{}
	}
	return receivedBody{ID: a.ID, Seq: a.Seq, Title: a.Title, Severity: a.Severity, TLP: a.TLP, KeyID: a.KeyID,
		ReceivedAt: a.ReceivedAt, MatchedAt: when(a.MatchedAt), Affected: a.Affected, Assets: assets,
		AcknowledgedAt: when(a.Acknowledged), AckBy: a.AckBy, SharedAt: when(a.SharedAt), SharedBy: a.SharedBy}
}

func (s *Server) apiAlerts(w http.ResponseWriter, r *http.Request, p *principal) {
	opts, err := listOptions(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list, err := s.store.ListReceivedAlerts(r.Context(), p.OrgID, opts)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	body := listBody[receivedBody]{Items: []receivedBody{}, Next: list.Next}
	for i := range list.Items {
		body.Items = append(body.Items, receivedJSON(&list.Items[i]))
	}
	s.writeJSON(w, r, http.StatusOK, body)
}

// apiAlertAction does act (see [Server.alertAction]) to the alert of the
// path as the token's actor, and answers the alert.
func (s *Server) apiAlertAction(act siteAlertAction) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, p *principal) {
		a, err := act(r.Context(), p.OrgID, r.PathValue("id"), p.actor())
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		s.writeJSON(w, r, http.StatusOK, receivedJSON(&a))
	}
}

// hubAlertBody is a published alert in the API, with what the sites
// reported.
type hubAlertBody struct {
	ID           string     `json:"id"`
	Seq          uint64     `json:"seq"`
	Title        string     `json:"title"`
	Severity     string     `json:"severity"`
	TLP          string     `json:"tlp"`
	CreatedBy    string     `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
	PublishedAt  *time.Time `json:"published_at,omitempty"`
	Reached      int        `json:"reached"`
	Acknowledged int        `json:"acknowledged"`
	Affected     int        `json:"affected"`
}

func hubAlertJSON(a *store.HubAlert, n reach) hubAlertBody {
	return hubAlertBody{ID: a.ID, Seq: a.Seq, Title: a.Title, Severity: a.Severity, TLP: a.TLP, CreatedBy: a.CreatedBy,
		CreatedAt: a.CreatedAt, PublishedAt: when(a.PublishedAt), Reached: n.Reached, Acknowledged: n.Acknowledged, Affected: n.Affected}
}

func (s *Server) apiHubAlerts(w http.ResponseWriter, r *http.Request, p *principal) {
	opts, err := listOptions(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list, err := s.store.ListHubAlerts(r.Context(), opts)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	body := listBody[hubAlertBody]{Items: []hubAlertBody{}, Next: list.Next}
	for i := range list.Items {
		reports, err := s.store.AlertReports(r.Context(), list.Items[i].ID)
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		body.Items = append(body.Items, hubAlertJSON(&list.Items[i], reachOf(reports)))
	}
	s.writeJSON(w, r, http.StatusOK, body)
}

// apiPublishAlert publishes the alert file of docs/alerts.md.
func (s *Server) apiPublishAlert(w http.ResponseWriter, r *http.Request, p *principal) {
	data, err := readBody(w, r, maxJSONBytes, "application/json")
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	a, err := alert.Parse(bytes.NewReader(data))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	pub, err := s.ews.Publish(r.Context(), a, p.actor())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, hubAlertJSON(&pub, reach{}))
}
