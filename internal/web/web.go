// Package web is ward serve's HTTP side: the browser interface (sign-in
// with a password or OpenID Connect, the "Today" page that answers "What do
// I do today?", findings with their workflow, assets and their bulk import,
// advisories, feeds, charts, printable and PDF reports, settings, VEX
// exports), the JSON API under /api/v1 with its OpenAPI document, health,
// Prometheus metrics and live counters over server-sent events.
//
// Pages are server-rendered HTML (html/template, embedded) that work without
// JavaScript, so they work on a practice owner's phone and pass a strict
// Content-Security-Policy; one small first-party script (static/live.js)
// keeps Today's counters live where JavaScript runs.
//
// # Files
//
//   - web.go, auth.go, session.go, oidc.go: the server, sign-in, sessions.
//   - pages.go, workflow.go, settings.go, insight.go, import.go,
//     advisories.go, overview.go, reports.go, feeds.go, vex.go: the pages.
//   - alerts.go, hub.go: the early warnings a site received (/alerts) and
//     the hub's pages that write them and follow the sites' reports (/hub).
//   - api*.go: the JSON API and its OpenAPI document.
//   - metrics.go, events.go, counts.go: metrics, live counters and the
//     cached open-finding counts they and Today share.
//
// # Sessions
//
// Sessions live in memory ([sessions]): a random 32-byte id in an HttpOnly,
// SameSite=Lax cookie, expiring 12 hours after sign-in. A restart signs
// everyone out, and two replicas do not share sessions; that is fine for one
// node and will move to the store when ward serve runs more than one.
//
// # Findings in URLs
//
// A finding has no id of its own: the store addresses it by its
// [store.FindingKey] within the organisation. URLs carry the key as unpadded
// base64url of a JSON array of its four fields ([encodeKey]); a malformed
// value answers 404 like an unknown finding.
//
// # Tenants
//
// Every store call uses the organisation held in the session, after checking
// the user is still a member. An object of another organisation answers 404,
// exactly like one that does not exist.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Policies of the web interface.
const (
	sessionTTL    = 12 * time.Hour
	maxFormBytes  = 1 << 20 // request body limit of forms
	loginRate     = 10      // failed sign-ins per IP and minute
	defaultPage   = 50      // list page size
	todayLimit    = 60      // findings on Today at most; the rest are one link away
	storeTimeout  = 2 * time.Second
	sessionCookie = "ward_session"
	loginCookie   = "ward_login" // CSRF token of the sign-in form
)

// Sign-in lockout: 5 failures in a row lock the user for 15 minutes.
const (
	lockoutAfter = 5
	lockoutFor   = 15 * time.Minute
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Config is what the web interface needs.
type Config struct {
	// Store holds everything; required.
	Store store.Store
	// Engine holds the advisory catalog and re-matches inventories after
	// imports; required. Its store must be Store.
	Engine *engine.Engine
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SecureCookies marks cookies Secure; set it whenever ward is served
	// over HTTPS (always, outside a laptop).
	SecureCookies bool
	// Logger hears errors and sign-in events; nil means slog.Default().
	Logger *slog.Logger
	// PageSize is the page size of lists; 0 means 50.
	PageSize int
	// OIDC turns on single sign-on next to passwords; nil means off.
	OIDC *OIDC
	// MetricsToken, when set, is the bearer token GET /metrics requires;
	// when empty, /metrics is open to whoever reaches the server.
	MetricsToken string
	// Enroll redeems a hub's invitation token for a site presenting its
	// NATS key (POST /api/v1/enroll); nil where this node is no hub.
	Enroll func(ctx context.Context, token, natsKey string) (any, error)
	// Hub is the early-warning hub whose pages (/hub) members of the
	// organisation of kind hub use; nil where this node is no hub.
	Hub *ews.Hub
	// Site receives the early warnings the alert pages (/alerts) show the
	// other organisations; nil where this node is no site.
	Site *ews.Site
}

// Server is the web interface. Make one with [New].
type Server struct {
	store    store.Store
	engine   *engine.Engine
	now      func() time.Time
	secure   bool
	log      *slog.Logger
	pageSize int
	pages    map[string]*template.Template
	sessions *sessions
	limiter  *limiter
	counts   *countCache // open findings per organisation, for Today
	oidc     *oidcClient // nil without single sign-on
	// dummyHash is verified when the email is unknown, so a wrong email
	// takes as long as a wrong password.
	dummyHash string
	lockout   store.Lockout
	handler   http.Handler
	patterns  []string // registered routes, see [Server.Patterns]
	// Metrics and live counters (metrics.go, events.go).
	metrics      *metrics
	metricsToken string
	enroll       func(ctx context.Context, token, natsKey string) (any, error)
	warmed       chan struct{} // closed once every organisation's counts are known
	hub          *hub
	heartbeat    time.Duration
	imports      *pendingImports
	ews          *ews.Hub  // nil: no hub pages
	site         *ews.Site // nil: no alert pages
}

var _ http.Handler = (*Server)(nil)

// New returns the web interface for cfg. It starts no goroutines; call
// [Server.Close] at shutdown to end the live event streams.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Engine == nil {
		return nil, errors.New("web: Config.Store and Config.Engine are required")
	}
	s := &Server{
		store:    cfg.Store,
		engine:   cfg.Engine,
		now:      cfg.Now,
		secure:   cfg.SecureCookies,
		log:      cfg.Logger,
		pageSize: cfg.PageSize,
		lockout:  store.Lockout{After: lockoutAfter, For: lockoutFor},

		metricsToken: cfg.MetricsToken,
		enroll:       cfg.Enroll,
		ews:          cfg.Hub,
		site:         cfg.Site,
		hub:          newHub(),
		heartbeat:    heartbeatEvery,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.pageSize <= 0 || s.pageSize > store.MaxLimit {
		s.pageSize = defaultPage
	}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.dummyHash, err = store.HashPassword(randomToken()); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.sessions = newSessions(s.now)
	s.limiter = newLimiter(s.now, loginRate, time.Minute)
	s.counts = newCountCache(s.now)
	s.warmed = make(chan struct{})
	go s.warmCounts()
	if c := cfg.OIDC; c != nil {
		if c.Issuer == "" || c.ClientID == "" || c.RedirectURL == "" {
			return nil, errors.New("web: OIDC needs Issuer, ClientID and RedirectURL")
		}
		s.oidc = &oidcClient{cfg: *c}
	}
	s.metrics = newMetrics(s)
	s.routes()
	return s, nil
}

// Handler returns the HTTP handler of the interface, with the security
// headers on every response.
func (s *Server) Handler() http.Handler {
	return s.handler
}

// ServeHTTP serves the interface; see [Server.Handler].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

func (s *Server) routes() {
	m := http.NewServeMux()
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	handle := func(pattern string, h http.HandlerFunc) {
		s.patterns = append(s.patterns, pattern)
		m.HandleFunc(pattern, h)
	}
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	handle("GET /healthz", s.healthz)
	handle("GET /readyz", s.readyz)
	handle("GET /metrics", s.metricsHandler())
	handle("GET /favicon.ico", s.favicon)
	handle(eventsPattern, s.auth(s.inOrg(s.events)))
	handle("GET /login", s.loginForm)
	handle("POST /login", s.login)
	if s.oidc != nil {
		handle("GET /login/oidc", s.oidcStart)
		handle("GET /login/oidc/callback", s.oidcCallback)
	}
	handle("POST /logout", s.auth(s.logout))
	handle("GET /orgs", s.auth(s.orgs))
	handle("POST /orgs/select", s.auth(s.selectOrg))
	handle("GET /{$}", s.auth(s.inOrg(s.today)))
	handle("GET /findings", s.auth(s.inOrg(s.findings)))
	handle("GET /findings/{id}", s.auth(s.inOrg(s.finding)))
	handle("POST /findings/{id}/state", s.auth(s.inOrg(s.setState)))
	handle("GET /assets", s.auth(s.inOrg(s.assets)))
	s.insightRoutes(handle) // import, advisories, overview, reports
	handle("GET /assets/{id}", s.auth(s.inOrg(s.asset)))
	s.apiRoutes(m, handle)
	s.workflowRoutes(handle) // workflow.go
	s.alertRoutes(handle)    // alerts.go, hub.go
	handle("GET /feeds", s.auth(s.inOrg(s.feedsPage)))
	handle("POST /feeds/{id}/sync", s.auth(s.inOrg(s.admin(s.syncFeedNow))))
	m.HandleFunc("/", s.auth(func(w http.ResponseWriter, r *http.Request, _ *session) {
		s.fail(w, r, store.ErrNotFound)
	}))
	s.handler = s.metrics.instrument(securityHeaders(m))
}

// Patterns returns the route patterns the server serves, in the order they
// were registered (tests check each one for tenant isolation).
func (s *Server) Patterns() []string { return slices.Clone(s.patterns) }

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, "ok")
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !s.engine.Ready() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "loading advisory feeds")
		return
	}
	select {
	case <-s.warmed:
	case <-time.After(2 * time.Second):
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "counting open findings")
		return
	}
	if _, err := s.store.ListOrgs(ctx, store.ListOptions{Limit: 1}); err != nil {
		s.log.ErrorContext(ctx, "readiness check failed", slog.Any("error", err))
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "store unavailable")
		return
	}
	fmt.Fprint(w, "ok")
}
