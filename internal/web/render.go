package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"

	"github.com/ward-health/ward/internal/store"
)

// basePage is what the layout needs from every page.
type basePage struct {
	Title    string
	CSRF     string
	User     string // display name or email; "" when signed out
	Org      string // current organisation's name
	Nav      string // the active navigation item
	CanWrite bool   // the user may change findings
	Admin    bool   // the user may change the organisation's settings
	Refresh  int    // when above 0, the page reloads itself after this many seconds
	Live     bool   // a script keeps the page current: Refresh only without JavaScript
	Alerts   bool   // the organisation receives early warnings (nav: Alerts)
	Hub      bool   // the organisation runs the hub (nav: Hub)
}

func (s *Server) base(sess *session, title string) basePage {
	name := sess.Name
	if name == "" {
		name = sess.Email
	}
	return basePage{
		Title: title, CSRF: sess.CSRF, User: name, Org: sess.OrgName,
		CanWrite: sess.Role == store.RoleResponder || sess.Role == store.RoleAdmin,
		Admin:    sess.Role == store.RoleAdmin,
		Alerts:   s.site != nil && sess.OrgKind != store.KindHub,
		Hub:      s.ews != nil && sess.OrgKind == store.KindHub,
	}
}

// pageNames are the templates that are pages; each is parsed with the layout.
var pageNames = []string{"login.html", "orgs.html", "today.html", "findings.html", "finding.html", "assets.html", "asset.html", "error.html", "feeds.html"}

func parsePages() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, name := range slices.Concat(pageNames, workflowPages, insightPages, alertPages) {
		t, err := template.New("layout.html").Funcs(template.FuncMap{"pathEscape": url.PathEscape}).ParseFS(templateFS, "templates/layout.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes page name with data, or 500 when the template fails.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, data); err != nil {
		s.log.ErrorContext(r.Context(), "template failed", slog.String("template", name), slog.Any("error", err))
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes()) //nolint:errcheck // the client went away
}

type errorPage struct {
	basePage
	Message string
}

// fail maps err to a status and a safe message, once, here. Details go to
// the log for unknown errors only.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := http.StatusInternalServerError, "Something went wrong. Please try again later."
	switch {
	case errors.Is(err, store.ErrNotFound):
		code, msg = http.StatusNotFound, "This page does not exist, or you may not see it."
	case errors.Is(err, store.ErrTransition):
		code, msg = http.StatusConflict, "This finding cannot move to that state from where it is now. Please reload it."
	case errors.Is(err, store.ErrConflict):
		code, msg = http.StatusConflict, "This already exists."
	case errors.Is(err, store.ErrInvalid):
		code, msg = http.StatusBadRequest, "Some of the input is not valid. Please check it and try again."
	default:
		s.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, code, "error.html", errorPage{basePage: basePage{Title: http.StatusText(code)}, Message: msg})
}
