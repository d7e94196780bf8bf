package web

import (
	"net/http"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// advisorySummary is an advisory in the list.
type advisorySummary struct {
	ID        string    `json:"id"`
	Title     string    `json:"title,omitempty"`
	Publisher string    `json:"publisher,omitempty"`
	Published time.Time `json:"published,omitzero"`
	Updated   time.Time `json:"updated,omitzero"`
	TLP       string    `json:"tlp,omitempty"`
	URL       string    `json:"url,omitempty"`
	CVEs      []string  `json:"cves"`
}

func toAdvisorySummary(a *advisory.Advisory) advisorySummary {
	out := advisorySummary{ID: a.ID, Title: a.Title, Publisher: a.Publisher, Published: a.Published,
		Updated: a.Updated, TLP: a.TLP, URL: a.URL, CVEs: []string{}}
	for i := range a.Vulnerabilities {
		if id := a.Vulnerabilities[i].ID(); id != "" {
			out.CVEs = append(out.CVEs, id)
		}
	}
	return out
}

// advisoryBody is an advisory with the caller's findings on it: the
// advisory is public, the findings are the organisation's own.
type advisoryBody struct {
	advisory.Advisory
	// Affected are the caller's findings from this advisory, most urgent
	// first; AffectedMore says there are more than shown.
	Affected     []affectedBody `json:"affected"`
	AffectedMore bool           `json:"affected_more,omitempty"`
}

type affectedBody struct {
	Finding  string             `json:"finding"`
	AssetID  string             `json:"asset_id"`
	VulnID   string             `json:"vuln_id,omitempty"`
	State    store.FindingState `json:"state"`
	Decision risk.Decision      `json:"decision,omitempty"`
}

func (s *Server) apiAdvisories(w http.ResponseWriter, r *http.Request, _ *principal) {
	opts, err := listOptions(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	limit, _ := opts.PageSize() // listOptions checked it
	list, next := s.engine.Catalog().List(r.URL.Query().Get("q"), opts.Cursor, limit)
	out := listBody[advisorySummary]{Items: make([]advisorySummary, 0, len(list)), Next: next}
	for _, a := range list {
		out.Items = append(out.Items, toAdvisorySummary(a))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

func (s *Server) apiAdvisory(w http.ResponseWriter, r *http.Request, p *principal) {
	a, ok := s.engine.Catalog().Advisory(r.PathValue("id"))
	if !ok {
		s.apiFail(w, r, store.ErrNotFound)
		return
	}
	page, err := s.store.ListFindings(r.Context(), p.OrgID, store.FindingFilter{AdvisoryID: a.ID},
		store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := advisoryBody{Advisory: *a, Affected: make([]affectedBody, 0, len(page.Items)), AffectedMore: page.Next != ""}
	out.Source = "" // where this node read it is no business of the caller
	for i := range page.Items {
		f := &page.Items[i]
		out.Affected = append(out.Affected, affectedBody{Finding: encodeKey(f.Key), AssetID: f.Key.AssetID,
			VulnID: f.Key.VulnID, State: f.State, Decision: f.Item.Decision})
	}
	s.writeJSON(w, r, http.StatusOK, out)
}
