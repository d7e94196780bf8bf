package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// findingBody is a finding as the API shows it. Its id is the URL form of
// its key ([encodeKey]); Item is what the latest scan found.
type findingBody struct {
	ID              string                 `json:"id"`
	AssetID         string                 `json:"asset_id"`
	AdvisoryID      string                 `json:"advisory_id"`
	VulnID          string                 `json:"vuln_id,omitempty"`
	Component       string                 `json:"component,omitempty"`
	State           store.FindingState     `json:"state"`
	Decision        risk.Decision          `json:"decision,omitempty"`
	Due             time.Time              `json:"due,omitzero"`
	Assignee        string                 `json:"assignee,omitempty"`
	Reason          string                 `json:"reason,omitempty"`
	AcceptExpiresAt time.Time              `json:"accept_expires_at,omitzero"`
	Justification   store.VEXJustification `json:"justification,omitempty"`
	FirstSeen       time.Time              `json:"first_seen"`
	LastSeen        time.Time              `json:"last_seen"`
	UpdatedAt       time.Time              `json:"updated_at"`
	Item            scan.Item              `json:"item"`
}

func toFindingBody(f *store.FindingRecord) findingBody {
	return findingBody{
		ID: encodeKey(f.Key), AssetID: f.Key.AssetID, AdvisoryID: f.Key.AdvisoryID, VulnID: f.Key.VulnID,
		Component: f.Key.Component, State: f.State, Decision: f.Item.Decision, Due: f.Item.Due,
		Assignee: f.Assignee, Reason: f.Reason, AcceptExpiresAt: f.AcceptExpiresAt,
		Justification: f.Justification, FirstSeen: f.FirstSeen, LastSeen: f.LastSeen,
		UpdatedAt: f.UpdatedAt, Item: f.Item,
	}
}

// findingFilter reads the filters of the findings list: state, decision
// and confidence (repeatable or comma-separated), asset, advisory, kev.
func findingFilter(r *http.Request) (store.FindingFilter, error) {
	q := r.URL.Query()
	f := store.FindingFilter{
		States:      fromStrings[store.FindingState](queryList(r, "state")),
		Decisions:   fromStrings[risk.Decision](queryList(r, "decision")),
		Confidences: fromStrings[match.Confidence](queryList(r, "confidence")),
		AssetID:     q.Get("asset"),
		AdvisoryID:  q.Get("advisory"),
	}
	switch k := q.Get("kev"); k {
	case "", "false":
	case "true":
		f.KEVOnly = true
	default:
		return f, fmt.Errorf("%w: kev %q: want true or false", store.ErrInvalid, k)
	}
	return f, f.Validate()
}

func (s *Server) apiFindings(w http.ResponseWriter, r *http.Request, p *principal) {
	opts, err := listOptions(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	f, err := findingFilter(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	page, err := s.store.ListFindings(r.Context(), p.OrgID, f, opts)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := listBody[findingBody]{Items: make([]findingBody, 0, len(page.Items)), Next: page.Next}
	for i := range page.Items {
		out.Items = append(out.Items, toFindingBody(&page.Items[i]))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

func (s *Server) apiFinding(w http.ResponseWriter, r *http.Request, p *principal) {
	key, err := decodeKey(r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	f, err := s.store.Finding(r.Context(), p.OrgID, key)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, toFindingBody(&f))
}

// findingPatch is the body of PATCH /findings/{id}: a state change, an
// assignee, or both. Absent fields change nothing.
type findingPatch struct {
	State *store.FindingState `json:"state"`
	// Note is kept in the history with the change.
	Note            string                 `json:"note"`
	Reason          string                 `json:"reason"`
	Justification   store.VEXJustification `json:"justification"`
	AcceptExpiresAt time.Time              `json:"accept_expires_at"`
	// Assignee sets the assignee; "" clears it.
	Assignee *string `json:"assignee"`
}

func (s *Server) apiPatchFinding(w http.ResponseWriter, r *http.Request, p *principal) {
	ctx := r.Context()
	key, err := decodeKey(r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	f, err := s.store.Finding(ctx, p.OrgID, key)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var patch findingPatch
	if err := decodeJSON(w, r, &patch); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if patch.State == nil && patch.Assignee == nil {
		s.apiFail(w, r, fmt.Errorf("%w: body: want state, assignee or both", store.ErrInvalid))
		return
	}
	if patch.State == nil && (patch.Reason != "" || patch.Justification != "" || !patch.AcceptExpiresAt.IsZero()) {
		s.apiFail(w, r, fmt.Errorf("%w: reason, justification and accept_expires_at go with a state", store.ErrInvalid))
		return
	}
	if patch.State != nil && !slices.Contains(store.FindingStates, *patch.State) {
		s.apiFail(w, r, fmt.Errorf("%w: state %q: want one of %v", store.ErrInvalid, *patch.State, store.FindingStates))
		return
	}
	if patch.Assignee != nil {
		if err := store.CheckText("assignee", *patch.Assignee, false, store.MaxName); err != nil {
			s.apiFail(w, r, err)
			return
		}
	}
	if patch.State != nil {
		tr := store.Transition{
			To: *patch.State, Actor: p.actor(), Comment: patch.Note, Reason: patch.Reason,
			AcceptExpiresAt: patch.AcceptExpiresAt, Justification: patch.Justification,
		}
		// Check before changing anything, so that a bad state does not
		// leave the assignee changed.
		if err := tr.Check(f.State, s.now()); err != nil {
			s.apiFail(w, r, err)
			return
		}
		if f, err = s.store.UpdateFindingState(ctx, p.OrgID, key, tr); err != nil {
			s.apiFail(w, r, err)
			return
		}
		s.audit(r, p, "finding.state", fmt.Sprintf("%s %s %s -> %s", key.AssetID, key.AdvisoryID, key.VulnID, f.State))
	}
	if patch.Assignee != nil {
		a := strings.TrimSpace(*patch.Assignee)
		if f, err = s.store.AssignFinding(ctx, p.OrgID, key, a, p.actor()); err != nil {
			s.apiFail(w, r, err)
			return
		}
		s.audit(r, p, "finding.assign", fmt.Sprintf("%s %s %s -> %q", key.AssetID, key.AdvisoryID, key.VulnID, a))
	}
	s.writeJSON(w, r, http.StatusOK, toFindingBody(&f))
}

type eventBody struct {
	ID      int64              `json:"id"`
	At      time.Time          `json:"at"`
	Actor   string             `json:"actor"`
	From    store.FindingState `json:"from"`
	To      store.FindingState `json:"to"`
	Comment string             `json:"comment,omitempty"`
}

func (s *Server) apiFindingHistory(w http.ResponseWriter, r *http.Request, p *principal) {
	opts, err := listOptions(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	key, err := decodeKey(r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	page, err := s.store.FindingHistory(r.Context(), p.OrgID, key, opts)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := listBody[eventBody]{Items: make([]eventBody, 0, len(page.Items)), Next: page.Next}
	for _, e := range page.Items {
		out.Items = append(out.Items, eventBody{ID: e.ID, At: e.At, Actor: e.Actor, From: e.From, To: e.To, Comment: e.Comment})
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// reportBody summarises an organisation's exposure.
type reportBody struct {
	Organisation string         `json:"organisation"`
	Total        int            `json:"total"`
	Open         int            `json:"open"` // findings in a live state
	ByState      map[string]int `json:"by_state"`
	ByDecision   map[string]int `json:"by_decision"` // open findings only; "none" for those without
	Counts       []countBody    `json:"counts"`
}

type countBody struct {
	State    store.FindingState `json:"state"`
	Decision risk.Decision      `json:"decision,omitempty"`
	Count    int                `json:"count"`
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request, p *principal) {
	f, err := findingFilter(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	counts, err := s.store.CountFindings(r.Context(), p.OrgID, f)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := reportBody{Organisation: p.OrgID, ByState: map[string]int{}, ByDecision: map[string]int{}, Counts: []countBody{}}
	for _, st := range store.FindingStates {
		out.ByState[string(st)] = 0
	}
	for _, d := range risk.Decisions {
		out.ByDecision[string(d)] = 0
	}
	for _, c := range counts {
		out.Total += c.Count
		out.ByState[string(c.State)] += c.Count
		if c.State.Live() {
			out.Open += c.Count
			d := string(c.Decision)
			if d == "" {
				d = "none"
			}
			out.ByDecision[d] += c.Count
		}
		out.Counts = append(out.Counts, countBody{State: c.State, Decision: c.Decision, Count: c.Count})
	}
	s.writeJSON(w, r, http.StatusOK, out)
}
