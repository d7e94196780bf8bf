package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// minPassword is the shortest initial password an administrator may set
// for a new user.
const minPassword = 12

type memberRow struct {
	UserID, Email, Label string
	Roles                []option
	Self                 bool
}

type tokenRow struct {
	ID, Name          string
	Role              store.Role
	Created, LastUsed string
	Revoked           string
	Usable            bool
}

type policyRow struct {
	Decision risk.Decision
	Label    string
	Days     string // the organisation's, "" when it keeps the default
	Default  int
}

type verdictRow struct {
	AssetID, Product, Note, Actor, At string
	Outcome                           store.Outcome
}

type settingsPage struct {
	basePage
	Members  []memberRow
	Roles    []option
	Tokens   []tokenRow
	Policy   []policyRow
	Verdicts []verdictRow
	// NewToken is a token just made: shown once, never again.
	NewToken     string
	NewTokenName string
	Notice       string
	// HubLink is the organisation's enrolment with a hub, nil where it
	// receives no early warnings; Enroll is the enrolment form.
	HubLink *hubLinkView
	Enroll  enrollForm
}

var decisionWords = map[risk.Decision]string{
	risk.Act:       "Do now (act)",
	risk.Attend:    "Do soon (attend)",
	risk.TrackStar: "Watch closely (track*)",
	risk.Track:     "Routine (track)",
}

func (s *Server) settings(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderSettings(w, r, sess, http.StatusOK, settingsPage{Notice: noticeWords[r.URL.Query().Get("done")]})
}

// noticeWords are what a settings change says when it is done.
var noticeWords = map[string]string{
	"member": "The member list is saved.", "token": "The token is revoked.",
	"policy": "The due-date policy is saved and the due dates are recalculated.", "verdict": "The verdict is forgotten.",
	"enrolled": "This organisation is enrolled with the hub: ward connects to its alert service now (the connection shows below), " +
		"and its alerts arrive on the Alerts page.",
}

// renderSettings fills page from the store and renders it.
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, sess *session, code int, page settingsPage) {
	ctx := r.Context()
	members, err := s.memberEmails(ctx, sess.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	roles := asStrings(store.Roles)
	page.Roles = options(roles, []string{string(store.RoleViewer)})
	for _, m := range members {
		page.Members = append(page.Members, memberRow{UserID: m.userID, Email: m.email, Label: m.label,
			Roles: options(roles, []string{string(m.role)}), Self: m.userID == sess.UserID})
	}
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		toks, err := s.store.ListTokens(ctx, sess.OrgID, opts)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, t := range toks.Items {
			row := tokenRow{ID: t.ID, Name: t.Name, Role: t.Role, Created: t.CreatedAt.Format("2 Jan 2006"), Usable: t.RevokedAt.IsZero()}
			if !t.LastUsedAt.IsZero() {
				row.LastUsed = t.LastUsedAt.Format("2 Jan 2006 15:04")
			}
			if !t.RevokedAt.IsZero() {
				row.Revoked = t.RevokedAt.Format("2 Jan 2006")
			}
			page.Tokens = append(page.Tokens, row)
		}
		if toks.Next == "" {
			break
		}
		opts.Cursor = toks.Next
	}
	p, err := s.store.OrgPolicy(ctx, sess.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	def := risk.DefaultPolicy()
	for _, d := range risk.Decisions {
		row := policyRow{Decision: d, Label: decisionWords[d], Default: int(def.Due[d] / (24 * time.Hour))}
		if n, ok := p.Days[d]; ok {
			row.Days = strconv.Itoa(n)
		}
		page.Policy = append(page.Policy, row)
	}
	vs, err := s.store.ListVerdicts(ctx, sess.OrgID, store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, v := range vs.Items {
		page.Verdicts = append(page.Verdicts, verdictRow{AssetID: v.AssetID, Product: v.Product, Note: v.Note,
			Actor: v.Actor, At: v.At.Format("2 Jan 2006"), Outcome: v.Outcome})
	}
	page.basePage = s.base(sess, "Settings")
	page.Nav = "settings"
	if page.Alerts {
		if page.HubLink, err = s.hubLink(ctx, sess.OrgID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, code, "settings.html", page)
}

// settingsDone sends the browser back to the settings with a notice.
func settingsDone(w http.ResponseWriter, r *http.Request, what string) {
	http.Redirect(w, r, "/settings?done="+what, http.StatusSeeOther)
}

// addMember adds a user, by email, to the organisation. A user who does
// not exist yet is created with the initial password the administrator
// gives.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostForm.Get("email"))
	role := store.Role(r.PostForm.Get("role"))
	if err := role.Validate(); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.store.UserByEmail(ctx, email)
	created := false
	if errors.Is(err, store.ErrNotFound) {
		pw := r.PostForm.Get("password")
		if utf8.RuneCountInString(pw) < minPassword {
			s.fail(w, r, fmt.Errorf("%w: password: a new user needs an initial password of at least %d characters", store.ErrInvalid, minPassword))
			return
		}
		hash, herr := store.HashPassword(pw)
		if herr != nil {
			s.fail(w, r, fmt.Errorf("%w: password: %w", store.ErrInvalid, herr))
			return
		}
		u, err = s.store.CreateUser(ctx, store.User{Email: email, DisplayName: strings.TrimSpace(r.PostForm.Get("name")), PasswordHash: hash})
		created = err == nil
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.store.Member(ctx, sess.OrgID, u.ID); err == nil {
		s.fail(w, r, fmt.Errorf("member %s: %w", u.Email, store.ErrConflict))
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	if _, err := s.store.SetMember(ctx, sess.OrgID, u.ID, role); err != nil {
		s.fail(w, r, err)
		return
	}
	detail := u.Email + " as " + string(role)
	if created {
		detail += " (new user)"
	}
	if !s.audited(w, r, sess, "member.add", detail) {
		return
	}
	settingsDone(w, r, "member")
}

// otherAdmins reports whether org has an administrator other than userID.
func (s *Server) otherAdmins(r *http.Request, org, userID string) (bool, error) {
	members, err := s.memberEmails(r.Context(), org)
	if err != nil {
		return false, err
	}
	for _, m := range members {
		if m.role == store.RoleAdmin && m.userID != userID {
			return true, nil
		}
	}
	return false, nil
}

// lastAdmin refuses to leave the organisation without an administrator.
var errLastAdmin = fmt.Errorf("%w: the organisation needs at least one administrator", store.ErrInvalid)

func (s *Server) setRole(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	userID := r.PathValue("user")
	role := store.Role(r.PostForm.Get("role"))
	if err := role.Validate(); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.store.Member(ctx, sess.OrgID, userID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if m.Role == store.RoleAdmin && role != store.RoleAdmin {
		ok, err := s.otherAdmins(r, sess.OrgID, userID)
		if err == nil && !ok {
			err = errLastAdmin
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if _, err := s.store.SetMember(ctx, sess.OrgID, userID, role); err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.store.User(ctx, userID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.audited(w, r, sess, "member.role", fmt.Sprintf("%s: %s -> %s", u.Email, m.Role, role)) {
		return
	}
	settingsDone(w, r, "member")
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	userID := r.PathValue("user")
	m, err := s.store.Member(ctx, sess.OrgID, userID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if m.Role == store.RoleAdmin {
		ok, err := s.otherAdmins(r, sess.OrgID, userID)
		if err == nil && !ok {
			err = errLastAdmin
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	u, err := s.store.User(ctx, userID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.store.RemoveMember(ctx, sess.OrgID, userID); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.audited(w, r, sess, "member.remove", u.Email+" ("+string(m.Role)+")") {
		return
	}
	settingsDone(w, r, "member")
}

// createToken makes an API token and shows it once, on this response only.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request, sess *session) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	role := store.Role(r.PostForm.Get("role"))
	t, plain, err := s.store.CreateToken(r.Context(), sess.OrgID, name, role)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.audited(w, r, sess, "token.create", fmt.Sprintf("%s %q as %s", t.ID, t.Name, t.Role)) {
		return
	}
	s.renderSettings(w, r, sess, http.StatusCreated, settingsPage{NewToken: plain, NewTokenName: t.Name})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, sess *session) {
	id := r.PathValue("token")
	if err := s.store.RevokeToken(r.Context(), sess.OrgID, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.audited(w, r, sess, "token.revoke", id) {
		return
	}
	settingsDone(w, r, "token")
}

// setPolicy stores the due-date policy and recalculates the due dates.
// An empty field keeps ward's default for that decision.
func (s *Server) setPolicy(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	p := store.DuePolicy{Days: map[risk.Decision]int{}}
	var words []string
	for _, d := range risk.Decisions {
		v := strings.TrimSpace(r.PostForm.Get(string(d)))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			s.fail(w, r, fmt.Errorf("%w: %s: %q is not a whole number of days", store.ErrInvalid, d, v))
			return
		}
		p.Days[d] = n
		words = append(words, fmt.Sprintf("%s=%d", d, n))
	}
	if err := s.store.SetOrgPolicy(ctx, sess.OrgID, p); err != nil {
		s.fail(w, r, err)
		return
	}
	detail := strings.Join(words, ",")
	if detail == "" {
		detail = "defaults"
	}
	if !s.audited(w, r, sess, "policy.set", detail) {
		return
	}
	if _, err := s.rescan(ctx, sess.OrgID); err != nil {
		s.fail(w, r, err)
		return
	}
	settingsDone(w, r, "policy")
}

func (s *Server) deleteVerdict(w http.ResponseWriter, r *http.Request, sess *session) {
	asset, product := r.PostForm.Get("asset"), r.PostForm.Get("product")
	if err := s.store.DeleteVerdict(r.Context(), sess.OrgID, asset, product); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.audited(w, r, sess, "verdict.delete", asset+": "+product) {
		return
	}
	settingsDone(w, r, "verdict")
}

type auditPage struct {
	basePage
	Entries []store.AuditEntry
	Next    string
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, sess *session) {
	q := r.URL.Query()
	list, err := s.store.ListAudit(r.Context(), sess.OrgID, store.ListOptions{Cursor: q.Get("cursor"), Limit: s.pageSize})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := auditPage{Entries: list.Items}
	if list.Next != "" {
		q.Set("cursor", list.Next)
		page.Next = pageURL("/settings/audit", q)
	}
	page.basePage = s.base(sess, "Audit log")
	page.Nav = "settings"
	s.render(w, r, http.StatusOK, "audit.html", page)
}
