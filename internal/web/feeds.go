package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/store"
)

// Feeds belong to the node, not to an organisation: every member sees their
// state (what ward knows and how fresh it is), admins of any organisation
// may start a sync (it is idempotent, and one runs at a time), and adding
// or removing feeds is the operator's, on the command line (ward feed add).

// feedView is a feed as the feeds page and the API show it.
type feedView struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Kind        store.FeedKind   `json:"kind"`
	Source      string           `json:"source"` // URL without credentials, or folder
	Interval    string           `json:"interval"`
	Enabled     bool             `json:"enabled"`
	LastAttempt *time.Time       `json:"last_attempt,omitempty"`
	LastSuccess *time.Time       `json:"last_success,omitempty"`
	LastError   string           `json:"last_error,omitempty"`
	Counts      store.FeedCounts `json:"counts"`
	Running     bool             `json:"running"`
	Progress    *feedProgress    `json:"progress,omitempty"`
}

type feedProgress struct {
	Phase string `json:"phase"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

func toFeedView(f engine.FeedStatus) feedView {
	v := feedView{
		ID: f.ID, Name: f.Name, Kind: f.Kind, Source: f.Path, Interval: f.Interval.String(), Enabled: f.Enabled,
		LastAttempt: timeOrNil(f.LastAttempt), LastSuccess: timeOrNil(f.LastSuccess), LastError: f.LastError,
		Counts: f.Counts, Running: f.Running,
	}
	if f.URL != "" {
		v.Source = redactURL(f.URL)
	}
	if f.Running {
		v.Progress = &feedProgress{Phase: f.Progress.Phase, Done: f.Progress.Done, Total: f.Progress.Total}
	}
	return v
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// redactURL drops credentials a feed URL may carry.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unreadable URL)"
	}
	u.User = nil
	return u.String()
}

func (s *Server) feedViews(r *http.Request) ([]feedView, error) {
	fs, err := s.engine.Feeds(r.Context())
	if err != nil {
		return nil, err
	}
	views := make([]feedView, len(fs))
	for i, f := range fs {
		views[i] = toFeedView(f)
	}
	return views, nil
}

type feedsPage struct {
	basePage
	Feeds   []feedView
	Running bool // some sync runs: the page refreshes itself
	Ready   bool // the catalog is loaded
	Notice  string
}

func (s *Server) feedsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	views, err := s.feedViews(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := feedsPage{basePage: s.base(sess, "Advisory feeds"), Feeds: views, Ready: s.engine.Ready()}
	page.Nav = "advisories"
	for _, v := range views {
		page.Running = page.Running || v.Running
	}
	if page.Running || !page.Ready {
		page.Refresh = 3 // follow the progress, with or without JavaScript
	}
	switch r.URL.Query().Get("sync") {
	case "started":
		page.Notice = "The sync has started. This page follows its progress."
	case "running":
		page.Notice = "That feed is syncing already."
	}
	s.render(w, r, http.StatusOK, "feeds.html", page)
}

func (s *Server) syncFeedNow(w http.ResponseWriter, r *http.Request, sess *session) {
	id := r.PathValue("id")
	err := s.engine.StartSync(id)
	switch {
	case errors.Is(err, engine.ErrSyncRunning):
		http.Redirect(w, r, "/feeds?sync=running", http.StatusSeeOther)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if !s.audited(w, r, sess, "feed.sync", id) {
		return
	}
	http.Redirect(w, r, "/feeds?sync=started", http.StatusSeeOther)
}

func (s *Server) apiFeeds(w http.ResponseWriter, r *http.Request, p *principal) {
	views, err := s.feedViews(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, struct {
		Items []feedView `json:"items"`
		Ready bool       `json:"ready"`
	}{views, s.engine.Ready()})
}

func (s *Server) apiSyncFeed(w http.ResponseWriter, r *http.Request, p *principal) {
	id := r.PathValue("id")
	if err := s.engine.StartSync(id); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.audit(r, p, "feed.sync", id)
	w.Header().Set("Location", apiPrefix+"/feeds")
	s.writeJSON(w, r, http.StatusAccepted, struct {
		Status string `json:"status"`
	}{"started"})
}
