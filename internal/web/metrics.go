package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// metrics are the Prometheus metrics of one [Server], in a registry of its
// own (no package-level state): HTTP traffic by route pattern, rescans,
// sessions, live clients and, read at scrape time, the open findings of
// the node by decision.
type metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	rescans        *prometheus.CounterVec
	rescanDuration prometheus.Histogram
	rescanChanges  *prometheus.CounterVec
	signIns        *prometheus.CounterVec
}

// routeOther labels requests that matched no pattern (the mux answered
// itself, e.g. with a redirect to a cleaned path).
const routeOther = "other"

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ward_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ward_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests by route pattern; event streams are not included.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		rescans: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ward_rescans_total",
			Help: "Rescans of an organisation's inventory by result (ok, error).",
		}, []string{"result"}),
		rescanDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "ward_rescan_duration_seconds",
			Help:    "Time a rescan took, matching and storing included.",
			Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		rescanChanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ward_rescan_findings_total",
			Help: "Findings that rescans stored, by change (new, updated, reopened, resolved).",
		}, []string{"change"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ward_signins_total",
			Help: "Sign-in attempts by result (ok, failed, rate_limited).",
		}, []string{"result"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.latency, m.rescans, m.rescanDuration, m.rescanChanges, m.signIns,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ward_sessions",
			Help: "Signed-in browser sessions that have not expired.",
		}, func() float64 { return float64(s.sessions.count()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "ward_live_clients",
			Help: "Browsers connected to the live counters (/events).",
		}, func() float64 { return float64(s.hub.count()) }),
		&openFindings{s: s},
	)
	for _, r := range []string{"ok", "failed", "rate_limited"} {
		m.signIns.WithLabelValues(r)
	}
	for _, r := range []string{"ok", "error"} {
		m.rescans.WithLabelValues(r)
	}
	return m
}

// openFindings collects, at scrape time, the open findings (new, open, in
// progress) of every organisation of the node by decision.
type openFindings struct{ s *Server }

var openFindingsDesc = prometheus.NewDesc("ward_open_findings",
	"Open findings (new, open, in progress) of all organisations by decision, read from the store at scrape time.",
	[]string{"decision"}, nil)

func (c *openFindings) Describe(ch chan<- *prometheus.Desc) { ch <- openFindingsDesc }

func (c *openFindings) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	by := map[risk.Decision]int{}
	for _, d := range risk.Decisions {
		by[d] = 0
	}
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		orgs, err := c.s.store.ListOrgs(ctx, opts)
		if err != nil {
			c.s.log.ErrorContext(ctx, "metrics: open findings", slog.Any("error", err))
			ch <- prometheus.NewInvalidMetric(openFindingsDesc, err)
			return
		}
		for _, o := range orgs.Items {
			counts, err := c.s.counts.get(ctx, c.s.store, o.ID)
			if err != nil {
				c.s.log.ErrorContext(ctx, "metrics: open findings", slog.String("org", o.ID), slog.Any("error", err))
				ch <- prometheus.NewInvalidMetric(openFindingsDesc, err)
				return
			}
			for _, n := range counts {
				by[n.Decision] += n.Count
			}
		}
		if orgs.Next == "" {
			break
		}
		opts.Cursor = orgs.Next
	}
	for d, n := range by {
		label := string(d)
		if label == "" {
			label = "none"
		}
		ch <- prometheus.MustNewConstMetric(openFindingsDesc, prometheus.GaugeValue, float64(n), label)
	}
}

// instrument counts and times every request by the pattern the mux chose.
// The mux writes the pattern into the request it was given, so it can be
// read here once the handler returns.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = routeOther
		}
		code := sw.code
		if code == 0 {
			code = http.StatusOK
		}
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(code)).Inc()
		if route != eventsPattern {
			m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}
	})
}

// statusWriter remembers the status code; Unwrap lets
// [http.ResponseController] reach Flush and deadlines underneath.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// metricsHandler serves the registry; with a token configured, only to
// requests that bear it.
func (s *Server) metricsHandler() http.HandlerFunc {
	h := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{ErrorLog: slogPrinter{s.log}})
	return func(w http.ResponseWriter, r *http.Request) {
		if s.metricsToken != "" {
			auth := r.Header.Get("Authorization")
			tok, ok := cutPrefixFold(auth, "Bearer ")
			if !ok || !sameToken(s.metricsToken, tok) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="ward metrics"`)
				http.Error(w, "A bearer token is required.", http.StatusUnauthorized)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	}
}

// cutPrefixFold is strings.CutPrefix ignoring the case of prefix.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// slogPrinter sends promhttp's errors to the server's logger.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	p.log.ErrorContext(context.Background(), "metrics: serving failed", slog.Any("error", v))
}

// rescan re-matches org's inventory ([engine.Engine.Rescan]), records the
// rescan in the metrics and tells org's live clients. Every rescan the web
// interface starts goes through here.
func (s *Server) rescan(ctx context.Context, org string) (store.SyncCounts, error) {
	start := time.Now()
	counts, err := s.engine.Rescan(ctx, org)
	s.metrics.rescanDuration.Observe(time.Since(start).Seconds())
	if err != nil {
		s.metrics.rescans.WithLabelValues("error").Inc()
		return counts, err
	}
	s.metrics.rescans.WithLabelValues("ok").Inc()
	s.metrics.rescanChanges.WithLabelValues("new").Add(float64(counts.New))
	s.metrics.rescanChanges.WithLabelValues("updated").Add(float64(counts.Updated))
	s.metrics.rescanChanges.WithLabelValues("reopened").Add(float64(counts.Reopened))
	s.metrics.rescanChanges.WithLabelValues("resolved").Add(float64(counts.Resolved))
	s.NotifyOrg(org)
	return counts, nil
}
