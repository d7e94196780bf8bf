package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// Live counters: GET /events is a server-sent event stream of the current
// organisation's open findings counts. It sends the counts when it starts
// and again whenever they change (a rescan of the organisation, a state
// change: anything that calls [Server.NotifyOrg]), and a comment line as a
// heartbeat so that proxies keep the connection open and a dead browser is
// noticed. static/live.js shows them on the Today page.
const (
	eventsPattern  = "GET /events"
	heartbeatEvery = 25 * time.Second
	// eventsWriteTimeout bounds each write of a stream; the server's own
	// WriteTimeout would otherwise end every stream after it.
	eventsWriteTimeout = 10 * time.Second
	// eventsRetry is how long browsers wait before reconnecting (ms).
	eventsRetry = 5000
)

// hub knows the live clients of each organisation. NotifyOrg wakes them
// without blocking: each client has a buffer of one wake-up, so a burst of
// changes costs one store query per client.
type hub struct {
	mu     sync.Mutex
	subs   map[string]map[chan struct{}]struct{}
	n      int
	closed bool
	done   chan struct{}
}

func newHub() *hub {
	return &hub{subs: map[string]map[chan struct{}]struct{}{}, done: make(chan struct{})}
}

// subscribe adds a client of org; ok is false once the hub is closed.
func (h *hub) subscribe(org string) (wake chan struct{}, unsubscribe func(), ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, nil, false
	}
	wake = make(chan struct{}, 1)
	if h.subs[org] == nil {
		h.subs[org] = map[chan struct{}]struct{}{}
	}
	h.subs[org][wake] = struct{}{}
	h.n++
	return wake, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[org][wake]; ok {
			delete(h.subs[org], wake)
			h.n--
			if len(h.subs[org]) == 0 {
				delete(h.subs, org)
			}
		}
	}, true
}

func (h *hub) notify(org string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for wake := range h.subs[org] {
		select {
		case wake <- struct{}{}:
		default: // already woken; it will read the newest counts
		}
	}
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// NotifyOrg tells the live clients of org that its findings changed; they
// read the new counts and send them if they differ from what they showed.
// It never blocks and does no I/O itself. Call it after every change to an
// organisation's findings that did not go through the web interface's own
// rescan or state change, which call it already.
func (s *Server) NotifyOrg(org string) {
	s.counts.forget(org)
	s.hub.notify(org)
}

// Close ends every live event stream and refuses new ones, so that
// [http.Server.Shutdown] does not wait for them; register it with
// [http.Server.RegisterOnShutdown]. It is safe to call more than once. The
// rest of the interface keeps serving.
func (s *Server) Close() { s.hub.close() }

// liveCounts are the numbers behind the Today page's counters.
type liveCounts struct {
	Act       int `json:"act"`
	Attend    int `json:"attend"`
	TrackStar int `json:"track*"`
	Track     int `json:"track"`
	Total     int `json:"total"`
}

func (s *Server) openCounts(r *http.Request, org string) (liveCounts, error) {
	counts, err := s.counts.get(r.Context(), s.store, org)
	if err != nil {
		return liveCounts{}, err
	}
	var c liveCounts
	for _, n := range counts {
		switch n.Decision {
		case risk.Act:
			c.Act += n.Count
		case risk.Attend:
			c.Attend += n.Count
		case risk.TrackStar:
			c.TrackStar += n.Count
		case risk.Track:
			c.Track += n.Count
		}
		c.Total += n.Count
	}
	return c, nil
}

// errSignedOut ends a stream whose session or membership ended.
var errSignedOut = errors.New("signed out")

func (s *Server) events(w http.ResponseWriter, r *http.Request, sess *session) {
	var (
		last liveCounts
		sent bool
	)
	s.stream(w, r, sess, sess.OrgID, func(emit emitFunc) error {
		c, err := s.openCounts(r, sess.OrgID)
		if err != nil {
			return err
		}
		if sent && c == last {
			return nil
		}
		if err := emit("counts", c); err != nil {
			return err
		}
		last, sent = c, true
		return nil
	})
}

// emitFunc sends one event of a stream, its data as JSON.
type emitFunc func(event string, data any) error

// stream serves a server-sent event stream to sess. It calls send at the
// start and after each wake-up of topic (an organisation, or
// [hubReportsTopic]); send emits what changed since it last did. Between
// wake-ups a comment line goes out as a heartbeat, so that proxies keep
// the connection open and a dead browser is noticed. The stream ends when
// the client leaves, the server closes, or the session or membership
// ended (checked before anything is sent).
func (s *Server) stream(w http.ResponseWriter, r *http.Request, sess *session, topic string, send func(emitFunc) error) {
	ctx := r.Context()
	wake, unsubscribe, ok := s.hub.subscribe(topic)
	if !ok {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "The server is shutting down.", http.StatusServiceUnavailable)
		return
	}
	defer unsubscribe()

	// The server's ReadTimeout does not end the stream (net/http clears
	// the read deadline once the request is read); its WriteTimeout would,
	// so each write sets its own deadline.
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)

	write := func(format string, args ...any) error {
		rc.SetWriteDeadline(time.Now().Add(eventsWriteTimeout)) //nolint:errcheck // not every writer has deadlines
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return err
		}
		return rc.Flush()
	}
	emit := func(event string, data any) error {
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		return write("event: %s\ndata: %s\n\n", event, b)
	}
	// stillIn checks, before anything is sent, that the session and the
	// membership still hold: signing out or losing the membership ends
	// the stream.
	stillIn := func() error {
		if _, ok := s.sessions.get(sess.ID); !ok {
			return errSignedOut
		}
		if _, err := s.store.Member(ctx, sess.OrgID, sess.UserID); errors.Is(err, store.ErrNotFound) {
			return errSignedOut
		} else if err != nil {
			return err
		}
		return nil
	}
	sendNow := func() error {
		if err := stillIn(); err != nil {
			return err
		}
		return send(emit)
	}

	err := write("retry: %d\n\n", eventsRetry)
	if err == nil {
		err = sendNow()
	}
	tick := time.NewTicker(s.heartbeat)
	defer tick.Stop()
	for err == nil {
		select {
		case <-ctx.Done():
			return
		case <-s.hub.done:
			return
		case <-wake:
			err = sendNow()
		case <-tick.C:
			if err = stillIn(); err == nil {
				err = write(": heartbeat\n\n")
			}
		}
	}
	if !errors.Is(err, errSignedOut) && ctx.Err() == nil {
		s.log.WarnContext(ctx, "event stream ended", slog.String("org", sess.OrgID), slog.String("path", r.URL.Path), slog.Any("error", err))
	}
}

// The hub's live pages: GET /hub/events?alert=ID&alert=… is a stream of
// what the sites reported on those alerts (at most maxLiveAlerts): a
// "reach" event per alert when the stream starts and whenever its numbers
// change. [Server.NotifyReport] wakes it. static/hub.js shows them on the
// hub's alert list and alert pages.
const (
	hubEventsPattern = "GET /hub/events"
	maxLiveAlerts    = 100
	// hubReportsTopic is the hub's topic among the organisations' (no
	// organisation ID holds a NUL).
	hubReportsTopic = "\x00reports"
)

// liveReach is what the hub's pages show of one alert.
type liveReach struct {
	ID           string `json:"id"`
	Reached      int    `json:"reached"`
	Acknowledged int    `json:"acknowledged"`
	Affected     int    `json:"affected"`
	Mitigated    int    `json:"mitigated"`
	Shared       int    `json:"shared"` // sites that shared their assets' details
	Last         string `json:"last"`   // the newest report's time: a change the numbers may not show
}

// newestReport returns the time of the newest of reports, as the live
// pages compare it; "" for none.
func newestReport(reports []store.ExposureReport) string {
	var newest time.Time
	for _, rep := range reports {
		if rep.At.After(newest) {
			newest = rep.At
		}
	}
	if newest.IsZero() {
		return ""
	}
	return newest.UTC().Format(time.RFC3339Nano)
}

// NotifyReport tells the hub's live pages that a site reported on
// alertID. It never blocks and does no I/O itself.
func (s *Server) NotifyReport(alertID string) {
	s.hub.notify(hubReportsTopic)
}

func (s *Server) hubEvents(w http.ResponseWriter, r *http.Request, sess *session) {
	ids := r.URL.Query()["alert"]
	if len(ids) == 0 || len(ids) > maxLiveAlerts {
		s.fail(w, r, fmt.Errorf("%w: alert: name 1 to %d alerts", store.ErrInvalid, maxLiveAlerts))
		return
	}
	last := map[string]liveReach{}
	s.stream(w, r, sess, hubReportsTopic, func(emit emitFunc) error {
		for _, id := range ids {
			reports, err := s.store.AlertReports(r.Context(), id)
			if err != nil {
				return err
			}
			n := reachOf(reports)
			lr := liveReach{ID: id, Reached: n.Reached, Acknowledged: n.Acknowledged, Affected: n.Affected, Last: newestReport(reports)}
			for _, rep := range reports {
				lr.Mitigated += rep.Mitigated
				if len(rep.Shared) > 0 {
					lr.Shared++
				}
			}
			if prev, ok := last[id]; ok && prev == lr {
				continue
			}
			if err := emit("reach", lr); err != nil {
				return err
			}
			last[id] = lr
		}
		return nil
	})
}
