package web_test

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/web"
)

// liveServer is a second web server over the fixture's store and engine,
// built with cfg (Store, Engine, Now and Logger are filled in), behind an
// http.Server with short timeouts like ward serve's.
func (f *fixture) liveServer(cfg web.Config) (*web.Server, *httptest.Server) {
	f.t.Helper()
	cfg.Store, cfg.Engine, cfg.Now = f.st, f.eng, f.clock.Now
	cfg.Logger = slog.New(slog.NewTextHandler(f.t.Output(), nil))
	h, err := web.New(cfg)
	if err != nil {
		f.t.Fatalf("web.New() = %v", err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout = 3 * time.Second
	srv.Config.WriteTimeout = 3 * time.Second
	srv.Config.RegisterOnShutdown(h.Close)
	srv.Start()
	f.t.Cleanup(srv.Close)
	return h, srv
}

func clientAt(t *testing.T, base string) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func signedInAt(t *testing.T, base, email string) *client {
	t.Helper()
	c := clientAt(t, base)
	if res := c.login(email, password); res.Code != http.StatusSeeOther {
		t.Fatalf("login(%s) = %d %q, want 303", email, res.Code, res.Body)
	}
	return c
}

// stream is an open GET /events; its events arrive on a channel.
type stream struct {
	t      *testing.T
	events chan sse
	body   io.Closer
}

type sse struct {
	Event, Data string
	Comment     bool
}

func (c *client) events() *stream {
	c.t.Helper()
	return c.eventsAt("/events")
}

// eventsAt opens the event stream at path.
func (c *client) eventsAt(path string) *stream {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		res.Body.Close()
		c.t.Fatalf("GET %s = %d %q, want 200 text/event-stream", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &stream{t: c.t, events: make(chan sse, 100), body: res.Body}
	c.t.Cleanup(func() { res.Body.Close() })
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev != (sse{}) {
					s.events <- ev
				}
				ev = sse{}
			case strings.HasPrefix(line, ":"):
				s.events <- sse{Comment: true, Data: strings.TrimSpace(line[1:])}
			case strings.HasPrefix(line, "event: "):
				ev.Event = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[len("data: "):]
			}
		}
	}()
	return s
}

// next returns the next event that is not a heartbeat or retry line.
func (s *stream) next() (sse, bool) {
	s.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				return sse{}, false
			}
			if ev.Comment || ev.Event == "" {
				continue
			}
			return ev, true
		case <-timeout:
			s.t.Fatal("no event within 5 s")
		}
	}
}

type counts struct {
	Act       int `json:"act"`
	Attend    int `json:"attend"`
	TrackStar int `json:"track*"`
	Track     int `json:"track"`
	Total     int `json:"total"`
}

func (s *stream) nextCounts() counts { return nextOf[counts](s, "counts") }

// nextOf returns the data of the next event, which must be of kind event.
func nextOf[T any](s *stream, event string) T {
	s.t.Helper()
	ev, ok := s.next()
	if !ok {
		s.t.Fatalf("the stream ended, want %s", event)
	}
	if ev.Event != event {
		s.t.Fatalf("event %q, want %s", ev.Event, event)
	}
	var v T
	if err := json.Unmarshal([]byte(ev.Data), &v); err != nil {
		s.t.Fatalf("%s %q: %v", event, ev.Data, err)
	}
	return v
}

// ended reports whether the stream ends within 5 s.
func (s *stream) ended() bool {
	timeout := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-s.events:
			if !ok {
				return true
			}
		case <-timeout:
			return false
		}
	}
}

func (c *client) setState(id, to string) {
	c.t.Helper()
	tok := c.csrf("/findings/" + id)
	if res := c.post("/findings/"+id+"/state", url.Values{"csrf": {tok}, "to": {to}}); res.Code != http.StatusSeeOther {
		c.t.Fatalf("POST state %s = %d %q", to, res.Code, res.Body)
	}
}

func TestServer_Events(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	_, srv := f.liveServer(web.Config{})
	anna := signedInAt(t, srv.URL, "anna@example.org")
	mira := signedInAt(t, srv.URL, "mira@example.org") // a member of both: picks the hospital
	mira.post("/orgs/select", url.Values{"csrf": {mira.csrf("/orgs")}, "org": {f.hospital.ID}})

	st := anna.events()
	if diff := cmp.Diff(counts{Act: 1, Attend: 1, Track: 1, Total: 3}, st.nextCounts()); diff != "" {
		t.Errorf("first counts (-want +got):\n%s", diff)
	}
	// Longer than the server's read and write timeouts: the stream lives on.
	time.Sleep(3500 * time.Millisecond)

	// A change in the hospital is not the practice's business.
	hosp := findingID(t, mira.get("/").Body, "pump-1")
	mira.setState(hosp, "mitigated")
	// A change in the practice is.
	router := findingID(t, anna.get("/").Body, "router-1")
	anna.setState(router, "mitigated")
	if diff := cmp.Diff(counts{Act: 0, Attend: 1, Track: 1, Total: 2}, st.nextCounts()); diff != "" {
		t.Errorf("counts after the router was mitigated (-want +got):\n%s", diff)
	}
	// Signing out ends the stream at the next wake-up.
	anna.post("/logout", url.Values{"csrf": {anna.csrf("/")}})
	other := signedInAt(t, srv.URL, "anna@example.org")
	other.setState(router, "resolved")
	if !st.ended() {
		t.Error("the stream of a signed-out session goes on")
	}
}

func TestServer_EventsHeartbeatAndClose(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	h, srv := f.liveServer(web.Config{})
	h.SetHeartbeatForTest(50 * time.Millisecond)
	anna := signedInAt(t, srv.URL, "anna@example.org")
	st := anna.events()
	st.nextCounts()
	beats := 0
	timeout := time.After(5 * time.Second)
	for beats < 3 {
		select {
		case ev := <-st.events:
			if ev.Comment && ev.Data == "heartbeat" {
				beats++
			}
		case <-timeout:
			t.Fatalf("%d heartbeats in 5 s, want 3", beats)
		}
	}
	h.Close()
	h.Close() // twice is fine
	if !st.ended() {
		t.Error("Close() did not end the stream")
	}
	res := anna.get("/events")
	if res.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /events after Close() = %d, want 503", res.Code)
	}
	if res := anna.get("/"); res.Code != http.StatusOK {
		t.Errorf("GET / after Close() = %d, want 200", res.Code)
	}
}

func TestServer_EventsNeedSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	res := f.client().get("/events")
	if res.Code != http.StatusSeeOther || res.Location != "/login" {
		t.Errorf("GET /events signed out = %d to %q, want 303 to /login", res.Code, res.Location)
	}
}

func TestServer_RescanNotifiesAndCounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	h, srv := f.liveServer(web.Config{})
	anna := signedInAt(t, srv.URL, "anna@example.org")
	st := anna.events()
	st.nextCounts()
	// The engine's catalog is empty: the rescan resolves every finding.
	got, err := h.RescanForTest(t.Context(), f.practice.ID)
	if err != nil {
		t.Fatalf("rescan() = %v", err)
	}
	if got.Resolved != 3 {
		t.Errorf("rescan() resolved %d, want 3", got.Resolved)
	}
	if diff := cmp.Diff(counts{}, st.nextCounts()); diff != "" {
		t.Errorf("counts after the rescan (-want +got):\n%s", diff)
	}
	if _, err := h.RescanForTest(t.Context(), "org_unknown"); err == nil {
		t.Error("rescan(unknown org) = nil error")
	}
	body := metricsBody(t, srv.URL, "")
	for _, want := range []string{
		`ward_rescans_total{result="ok"} 1`,
		`ward_rescans_total{result="error"} 1`,
		`ward_rescan_findings_total{change="resolved"} 3`,
		`ward_rescan_duration_seconds_count 2`,
		`ward_live_clients 1`,
		`ward_open_findings{decision="act"} 1`, // the hospital's pump
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func metricsBody(t *testing.T, base, token string) string {
	t.Helper()
	c := clientAt(t, base)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res := c.do(req)
	if res.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d %q", res.Code, res.Body)
	}
	return res.Body
}

func TestServer_Metrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	_, srv := f.liveServer(web.Config{MetricsToken: "s3cret-token"})
	anna := signedInAt(t, srv.URL, "anna@example.org")
	anna.get("/")
	anna.get("/findings/not-a-key")
	clientAt(t, srv.URL).login("anna@example.org", "wrong")

	for _, tc := range []struct {
		name, header string
		want         int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"basic", "Basic czNjcmV0LXRva2Vu", http.StatusUnauthorized},
		{"token", "Bearer s3cret-token", http.StatusOK},
		{"lower-case scheme", "bearer s3cret-token", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := must(http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/metrics", nil))(t)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			if res := anna.do(req); res.Code != tc.want {
				t.Errorf("GET /metrics with %q = %d, want %d", tc.header, res.Code, tc.want)
			}
		})
	}
	body := metricsBody(t, srv.URL, "s3cret-token")
	for _, want := range []string{
		`ward_http_requests_total{code="200",method="GET",route="GET /{$}"} 1`,
		`ward_http_requests_total{code="404",method="GET",route="GET /findings/{id}"} 1`,
		`ward_http_requests_total{code="303",method="POST",route="POST /login"} 1`,
		`ward_http_requests_total{code="401",method="POST",route="POST /login"} 1`,
		`ward_http_request_duration_seconds_count{route="GET /{$}"} 1`,
		`ward_signins_total{result="ok"} 1`,
		`ward_signins_total{result="failed"} 1`,
		`ward_sessions 1`,
		`ward_open_findings{decision="act"} 2`,
		`ward_open_findings{decision="attend"} 1`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "s3cret") || strings.Contains(body, f.practice.ID) {
		t.Error("/metrics shows the token or an organisation id")
	}
}
