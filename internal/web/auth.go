package web

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/store"
)

// sessionHandler is a handler that needs a signed-in user.
type sessionHandler func(w http.ResponseWriter, r *http.Request, sess *session)

// auth sends browsers without a session to /login, limits the body of
// forms and checks the CSRF token of every POST.
func (s *Server) auth(next sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var sess session
		ok := false
		if c, err := r.Cookie(sessionCookie); err == nil {
			sess, ok = s.sessions.get(c.Value)
		}
		if ok {
			// A user disabled or deleted since signing in is signed out.
			u, err := s.store.User(r.Context(), sess.UserID)
			switch {
			case errors.Is(err, store.ErrNotFound) || err == nil && u.Disabled:
				s.sessions.delete(sess.ID)
				ok = false
			case err != nil:
				s.fail(w, r, err)
				return
			}
		}
		if !ok {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				http.Error(w, "Please sign in again.", http.StatusForbidden)
				return
			}
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodPost {
			if !s.parseForm(w, r) {
				return
			}
			if !sameToken(sess.CSRF, r.PostForm.Get("csrf")) {
				s.log.WarnContext(r.Context(), "csrf token rejected",
					slog.String("path", r.URL.Path), slog.String("user", sess.UserID))
				http.Error(w, "This form has expired. Please go back, reload the page and try again.", http.StatusForbidden)
				return
			}
		}
		next(w, r, &sess)
	}
}

// parseForm reads a form of at most maxFormBytes; it answers the request
// and returns false when it cannot.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "The form is too large.", http.StatusRequestEntityTooLarge)
			return false
		}
		http.Error(w, "The form could not be read.", http.StatusBadRequest)
		return false
	}
	return true
}

// inOrg sends users without a current organisation to /orgs, and checks
// that the user is still a member of it.
func (s *Server) inOrg(next sessionHandler) sessionHandler {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		if sess.OrgID == "" {
			http.Redirect(w, r, "/orgs", http.StatusSeeOther)
			return
		}
		m, err := s.store.Member(r.Context(), sess.OrgID, sess.UserID)
		if errors.Is(err, store.ErrNotFound) {
			s.sessions.setOrg(sess.ID, store.Organisation{}, "")
			http.Redirect(w, r, "/orgs", http.StatusSeeOther)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		sess.Role = m.Role
		next(w, r, sess)
	}
}

type loginPage struct {
	basePage
	Email string
	Error string
	SSO   string // the single sign-on provider's name; empty without
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, ok := s.sessions.get(c.Value); ok {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
	}
	s.renderLogin(w, r, http.StatusOK, "", "")
}

// renderLogin shows the sign-in form with a CSRF token, which a cookie
// carries too (double submit: there is no session yet). A token the
// browser already holds is kept, so that a second tab, a prefetch or a
// stray request for /login does not expire a form already shown.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, code int, email, msg string) {
	tok := randomToken()
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) == len(tok) {
		tok = c.Value
	}
	http.SetCookie(w, &http.Cookie{
		Name: loginCookie, Value: tok, Path: "/login", MaxAge: 3600,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode,
	})
	w.Header().Set("Cache-Control", "no-store")
	page := loginPage{basePage: basePage{Title: "Sign in", CSRF: tok}, Email: email, Error: msg}
	if s.oidc != nil {
		page.SSO = cmp.Or(s.oidc.cfg.Name, "single sign-on")
	}
	s.render(w, r, code, "login.html", page)
}

const wrongLogin = "Email or password is wrong."

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ip := clientIP(r)
	if s.limiter.blocked(ip) {
		s.log.WarnContext(ctx, "sign-in rate limited", slog.String("ip", ip))
		s.metrics.signIns.WithLabelValues("rate_limited").Inc()
		w.Header().Set("Retry-After", "60")
		s.renderLogin(w, r, http.StatusTooManyRequests, "", "Too many attempts. Please wait a minute and try again.")
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(c.Value, r.PostForm.Get("csrf")) {
		http.Error(w, "This form has expired. Please go back, reload the page and try again.", http.StatusForbidden)
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")

	u, err := s.store.UserByEmail(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid):
		store.VerifyPassword(s.dummyHash, password) //nolint:errcheck // only to take the same time
		s.limiter.fail(ip)
		s.log.InfoContext(ctx, "sign-in failed", slog.String("reason", "unknown email"), slog.String("ip", ip))
		s.metrics.signIns.WithLabelValues("failed").Inc()
		s.renderLogin(w, r, http.StatusUnauthorized, email, wrongLogin)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	ok, err := store.VerifyPassword(u.PasswordHash, password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	locked := u.LockedUntil.After(s.now())
	if !ok || locked || u.Disabled {
		reason := "wrong password"
		switch {
		case locked:
			reason = "locked"
		case u.Disabled:
			reason = "disabled"
		}
		s.limiter.fail(ip)
		if !locked {
			if _, err := s.store.RecordSignIn(ctx, u.ID, false, s.lockout); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		s.log.InfoContext(ctx, "sign-in failed", slog.String("reason", reason),
			slog.String("user", u.ID), slog.String("ip", ip))
		s.auditUser(ctx, u.ID, u.Email, "signin.fail", reason+" from "+ip)
		s.metrics.signIns.WithLabelValues("failed").Inc()
		s.renderLogin(w, r, http.StatusUnauthorized, email, wrongLogin)
		return
	}
	s.startSession(w, r, u, "from "+ip)
}

// startSession signs u in: a fresh session, the audit entry, and the way
// on to the user's organisation (or the choice of one).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u store.User, how string) {
	ctx := r.Context()
	u, err := s.store.RecordSignIn(ctx, u.ID, true, s.lockout)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.delete(c.Value) // a fresh id on every sign-in
	}
	sess := s.sessions.create(u)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.ID, Path: "/", MaxAge: int(sessionTTL / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/login", MaxAge: -1})
	s.auditUser(ctx, u.ID, u.Email, "signin.ok", how)
	s.log.InfoContext(ctx, "signed in", slog.String("user", u.ID), slog.String("how", how))
	s.metrics.signIns.WithLabelValues("ok").Inc()

	ms, err := s.store.UserMemberships(ctx, u.ID, store.ListOptions{Limit: 2})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(ms.Items) == 1 {
		org, err := s.store.Org(ctx, ms.Items[0].OrgID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.sessions.setOrg(sess.ID, org, ms.Items[0].Role)
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/orgs", http.StatusSeeOther)
}

// auditUser records a sign-in event in every organisation of the user:
// each of them may want to know. Failures are logged, not shown.
func (s *Server) auditUser(ctx context.Context, userID, actor, action, detail string) {
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		ms, err := s.store.UserMemberships(ctx, userID, opts)
		if err != nil {
			s.log.ErrorContext(ctx, "audit failed", slog.String("action", action), slog.Any("error", err))
			return
		}
		for _, m := range ms.Items {
			if _, err := s.store.AppendAudit(ctx, m.OrgID, actor, action, detail); err != nil {
				s.log.ErrorContext(ctx, "audit failed", slog.String("action", action),
					slog.String("org", m.OrgID), slog.Any("error", err))
			}
		}
		if ms.Next == "" {
			return
		}
		opts.Cursor = ms.Next
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *session) {
	s.sessions.delete(sess.ID)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type orgChoice struct {
	ID, Name string
	Role     store.Role
	Current  bool
}

type orgsPage struct {
	basePage
	Orgs []orgChoice
}

func (s *Server) orgs(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	var page orgsPage
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		ms, err := s.store.UserMemberships(ctx, sess.UserID, opts)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, m := range ms.Items {
			org, err := s.store.Org(ctx, m.OrgID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			page.Orgs = append(page.Orgs, orgChoice{ID: org.ID, Name: org.Name, Role: m.Role, Current: org.ID == sess.OrgID})
		}
		if ms.Next == "" {
			break
		}
		opts.Cursor = ms.Next
	}
	page.basePage = s.base(sess, "Your organisations")
	s.render(w, r, http.StatusOK, "orgs.html", page)
}

func (s *Server) selectOrg(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	id := r.PostForm.Get("org")
	m, err := s.store.Member(ctx, id, sess.UserID)
	if err != nil {
		s.fail(w, r, err) // not a member: 404, as for an unknown organisation
		return
	}
	org, err := s.store.Org(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sessions.setOrg(sess.ID, org, m.Role)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// pageURL returns path with query q.
func pageURL(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
