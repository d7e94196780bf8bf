package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/store"
)

// workflowPages are the page templates of the findings workflow and the
// settings; parsePages parses them with pageNames.
var workflowPages = []string{"settings.html", "audit.html"}

// workflowRoutes registers the findings workflow, the settings and the VEX
// exports.
func (s *Server) workflowRoutes(handle func(pattern string, h http.HandlerFunc)) {
	handle("POST /findings/{id}/transition", s.auth(s.inOrg(s.transition)))
	handle("POST /findings/{id}/assign", s.auth(s.inOrg(s.assign)))
	handle("POST /findings/{id}/comment", s.auth(s.inOrg(s.comment)))
	handle("POST /findings/{id}/verdict", s.auth(s.inOrg(s.verdict)))
	handle("GET /settings", s.auth(s.inOrg(s.admin(s.settings))))
	handle("POST /settings/members", s.auth(s.inOrg(s.admin(s.addMember))))
	handle("POST /settings/members/{user}/role", s.auth(s.inOrg(s.admin(s.setRole))))
	handle("POST /settings/members/{user}/remove", s.auth(s.inOrg(s.admin(s.removeMember))))
	handle("POST /settings/tokens", s.auth(s.inOrg(s.admin(s.createToken))))
	handle("POST /settings/tokens/{token}/revoke", s.auth(s.inOrg(s.admin(s.revokeToken))))
	handle("POST /settings/policy", s.auth(s.inOrg(s.admin(s.setPolicy))))
	handle("POST /settings/verdicts/delete", s.auth(s.inOrg(s.admin(s.deleteVerdict))))
	handle("POST /settings/enroll", s.auth(s.inOrg(s.siteOrg(s.admin(s.enrollSite))))) // enroll.go
	handle("GET /settings/audit", s.auth(s.inOrg(s.admin(s.auditLog))))
	handle("GET /vex/openvex.json", s.auth(s.inOrg(s.openVEX)))
	handle("GET /vex/csaf.json", s.auth(s.inOrg(s.csafVEX)))
}

// forbid answers 403 with a page that says why.
func (s *Server) forbid(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusForbidden, "error.html", errorPage{basePage: basePage{Title: http.StatusText(http.StatusForbidden)}, Message: msg})
}

// writer lets responders and admins through, as setState does.
func (s *Server) writer(w http.ResponseWriter, r *http.Request, sess *session) bool {
	if sess.Role != store.RoleResponder && sess.Role != store.RoleAdmin {
		s.forbid(w, r, "You may look at findings but not change them. Please ask an administrator.")
		return false
	}
	return true
}

// admin lets only the organisation's administrators through.
func (s *Server) admin(next sessionHandler) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		if sess.Role != store.RoleAdmin {
			s.forbid(w, r, "Only administrators of this organisation may change its settings.")
			return
		}
		next(w, r, sess)
	}
}

// stateMove is a state the finding page offers, with what it needs.
type stateMove struct {
	Value, Label string
	// Reason and Expiry are needed for risk acceptance, Justification for
	// not affected.
	Reason, Expiry, Justification bool
}

// allMoves are every state a person may move a finding to, in the order
// the page offers them.
var allMoves = []stateMove{
	{Value: string(store.StateOpen), Label: "Open: to be worked on"},
	{Value: string(store.StateInProgress), Label: "In progress: someone is on it"},
	{Value: string(store.StateMitigated), Label: "Mitigated: ring-fenced or protected, flaw still there"},
	{Value: string(store.StateResolved), Label: "Resolved: fixed"},
	{Value: string(store.StateRiskAccepted), Label: "Risk accepted: we live with it until a date", Reason: true, Expiry: true},
	{Value: string(store.StateNotAffected), Label: "Not affected: the flaw does not apply here", Justification: true},
}

// justificationWords are the VEX justifications (OpenVEX and CSAF share
// them) in plain words.
var justificationWords = map[store.VEXJustification]string{
	store.ComponentNotPresent:                         "The affected part is not in this device",
	store.VulnerableCodeNotPresent:                    "The flawed code is not in this version",
	store.VulnerableCodeNotInExecutePath:              "The flawed code is never run here",
	store.VulnerableCodeCannotBeControlledByAdversary: "An attacker cannot reach or control the flawed code",
	store.InlineMitigationsAlreadyExist:               "Built-in protections already stop it",
}

// workflowView is what the finding page shows of the workflow.
type workflowView struct {
	Moves          []stateMove
	Justifications []option
	Members        []option // possible assignees; Selected is the current one
	MinExpiry      string   // tomorrow, yyyy-mm-dd
	// Judge says the match is possible (or was judged) and names a
	// product, so a person may confirm or reject it.
	Judge   bool
	Verdict *store.Verdict // the verdict on this asset and product, if any
	Reason  string
	Expires string // a risk acceptance's end, "2 Jan 2006"
	Justify string // the justification in plain words
}

// workflowFor builds the workflow part of finding f's page.
func (s *Server) workflowFor(ctx context.Context, sess *session, f *store.FindingRecord) (workflowView, error) {
	v := workflowView{Reason: f.Reason, Justify: justificationWords[f.Justification]}
	if !f.AcceptExpiresAt.IsZero() {
		v.Expires = f.AcceptExpiresAt.Format("2 Jan 2006")
	}
	for _, m := range allMoves {
		if f.State.CanMoveTo(store.FindingState(m.Value)) {
			v.Moves = append(v.Moves, m)
		}
	}
	for _, j := range store.VEXJustifications {
		v.Justifications = append(v.Justifications, option{Value: string(j), Label: justificationWords[j]})
	}
	v.MinExpiry = s.now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	members, err := s.memberEmails(ctx, sess.OrgID)
	if err != nil {
		return v, err
	}
	for _, m := range members {
		v.Members = append(v.Members, option{Value: m.email, Label: m.label, Selected: m.email == f.Assignee})
	}
	if f.Item.Product != "" {
		verdicts, err := s.store.ListVerdicts(ctx, sess.OrgID, store.ListOptions{Limit: store.MaxLimit})
		for err == nil {
			for i := range verdicts.Items {
				vd := &verdicts.Items[i]
				if vd.AssetID == f.Key.AssetID && store.ProductKey(vd.Product) == store.ProductKey(f.Item.Product) {
					v.Verdict = vd
				}
			}
			if verdicts.Next == "" || v.Verdict != nil {
				break
			}
			verdicts, err = s.store.ListVerdicts(ctx, sess.OrgID, store.ListOptions{Limit: store.MaxLimit, Cursor: verdicts.Next})
		}
		if err != nil {
			return v, err
		}
		v.Judge = f.Item.Confidence == match.Possible || v.Verdict != nil
	}
	return v, nil
}

type member struct {
	userID, email, label string
	role                 store.Role
}

// memberEmails lists org's members with their emails, by email.
func (s *Server) memberEmails(ctx context.Context, org string) ([]member, error) {
	var out []member
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		ms, err := s.store.ListMembers(ctx, org, opts)
		if err != nil {
			return nil, err
		}
		for _, m := range ms.Items {
			u, err := s.store.User(ctx, m.UserID)
			if err != nil {
				return nil, err
			}
			label := u.Email
			if u.DisplayName != "" {
				label = u.DisplayName + " (" + u.Email + ")"
			}
			out = append(out, member{userID: u.ID, email: u.Email, label: label, role: m.Role})
		}
		if ms.Next == "" {
			break
		}
		opts.Cursor = ms.Next
	}
	slices.SortFunc(out, func(a, b member) int { return strings.Compare(strings.ToLower(a.email), strings.ToLower(b.email)) })
	return out, nil
}

// findingKey reads the finding key of the URL; it answers 404 and returns
// false when it is malformed.
func (s *Server) findingKey(w http.ResponseWriter, r *http.Request) (store.FindingKey, bool) {
	key, err := decodeKey(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return key, false
	}
	return key, true
}

// backToFinding sends the browser back to the finding's page.
func backToFinding(w http.ResponseWriter, r *http.Request, key store.FindingKey) {
	http.Redirect(w, r, "/findings/"+encodeKey(key), http.StatusSeeOther)
}

// transition moves a finding to any state the store allows from where it
// is, with what that state needs (reason and expiry date, justification).
func (s *Server) transition(w http.ResponseWriter, r *http.Request, sess *session) {
	if !s.writer(w, r, sess) {
		return
	}
	key, ok := s.findingKey(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	tr := store.Transition{
		To: store.FindingState(r.PostForm.Get("to")), Actor: sess.Email,
		Comment: strings.TrimSpace(r.PostForm.Get("comment")),
	}
	if !slices.ContainsFunc(allMoves, func(m stateMove) bool { return m.Value == string(tr.To) }) {
		s.fail(w, r, fmt.Errorf("%w: state %q", store.ErrInvalid, tr.To))
		return
	}
	switch tr.To {
	case store.StateRiskAccepted:
		tr.Reason = strings.TrimSpace(r.PostForm.Get("reason"))
		day, err := time.Parse(time.DateOnly, r.PostForm.Get("expires"))
		if err != nil {
			s.fail(w, r, fmt.Errorf("%w: expires: want a date", store.ErrInvalid))
			return
		}
		tr.AcceptExpiresAt = day.AddDate(0, 0, 1) // accepted until the end of that day (UTC)
	case store.StateNotAffected:
		tr.Justification = store.VEXJustification(r.PostForm.Get("justification"))
		tr.Reason = strings.TrimSpace(r.PostForm.Get("reason"))
		if tr.Reason == "" {
			s.fail(w, r, fmt.Errorf("%w: reason: required", store.ErrInvalid))
			return
		}
	}
	// The store checks the move and its fields against its clock.
	f, err := s.store.UpdateFindingState(ctx, sess.OrgID, key, tr)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.NotifyOrg(sess.OrgID)
	detail := fmt.Sprintf("%s %s %s -> %s", key.AssetID, key.AdvisoryID, key.VulnID, f.State)
	if f.Justification != "" {
		detail += " (" + string(f.Justification) + ")"
	}
	if !f.AcceptExpiresAt.IsZero() {
		detail += " until " + f.AcceptExpiresAt.Format(time.DateOnly)
	}
	if !s.audited(w, r, sess, "finding.state", detail) {
		return
	}
	backToFinding(w, r, key)
}

// audited appends to the audit log and answers the request when it fails.
func (s *Server) audited(w http.ResponseWriter, r *http.Request, sess *session, action, detail string) bool {
	if _, err := s.store.AppendAudit(r.Context(), sess.OrgID, sess.Email, action, detail); err != nil {
		s.fail(w, r, err)
		return false
	}
	return true
}

// assign sets the finding's assignee: a member of the organisation, by
// email, or nobody.
func (s *Server) assign(w http.ResponseWriter, r *http.Request, sess *session) {
	if !s.writer(w, r, sess) {
		return
	}
	key, ok := s.findingKey(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	email := strings.TrimSpace(r.PostForm.Get("assignee"))
	if email != "" {
		u, err := s.store.UserByEmail(ctx, email)
		if err == nil {
			_, err = s.store.Member(ctx, sess.OrgID, u.ID)
			email = u.Email
		}
		if errors.Is(err, store.ErrNotFound) {
			err = fmt.Errorf("%w: assignee: not a member of this organisation", store.ErrInvalid)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if _, err := s.store.AssignFinding(ctx, sess.OrgID, key, email, sess.Email); err != nil {
		s.fail(w, r, err)
		return
	}
	who := email
	if who == "" {
		who = "nobody"
	}
	if !s.audited(w, r, sess, "finding.assign", fmt.Sprintf("%s %s %s -> %s", key.AssetID, key.AdvisoryID, key.VulnID, who)) {
		return
	}
	backToFinding(w, r, key)
}

// comment adds a comment to the finding's history.
func (s *Server) comment(w http.ResponseWriter, r *http.Request, sess *session) {
	if !s.writer(w, r, sess) {
		return
	}
	key, ok := s.findingKey(w, r)
	if !ok {
		return
	}
	if _, err := s.store.CommentFinding(r.Context(), sess.OrgID, key, sess.Email, strings.TrimSpace(r.PostForm.Get("comment"))); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.audited(w, r, sess, "finding.comment", fmt.Sprintf("%s %s %s", key.AssetID, key.AdvisoryID, key.VulnID)) {
		return
	}
	backToFinding(w, r, key)
}

// verdict records that a possible match is, or is not, the asset's
// product; rescans remember it.
func (s *Server) verdict(w http.ResponseWriter, r *http.Request, sess *session) {
	if !s.writer(w, r, sess) {
		return
	}
	key, ok := s.findingKey(w, r)
	if !ok {
		return
	}
	v, err := s.store.JudgeFinding(r.Context(), sess.OrgID, key, store.Judgement{
		Outcome: store.Outcome(r.PostForm.Get("outcome")), Actor: sess.Email,
		Note: strings.TrimSpace(r.PostForm.Get("note")),
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.NotifyOrg(sess.OrgID)
	if !s.audited(w, r, sess, "finding.verdict", fmt.Sprintf("%s %s as %s (judged on %s %s)",
		v.AssetID, v.Outcome, v.Product, v.AdvisoryID, v.VulnID)) {
		return
	}
	backToFinding(w, r, key)
}
