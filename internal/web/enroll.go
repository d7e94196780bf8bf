package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
)

// enrollTimeout bounds a site's enrolment from the Settings page: the call
// to the hub's enrolment endpoint, then the first connection.
const enrollTimeout = 15 * time.Second

// hubLinkView is an organisation's enrolment with a hub as the Settings and
// Alerts pages show it. It holds no secret: never the NATS seed.
type hubLinkView struct {
	Enrolled                            bool
	HubURL, NATSURL, SiteID, EnrolledAt string
	Keys                                []string // the IDs of the pinned hub keys
	Cursor                              uint64   // the last alert stream message handled
	Connected                           bool     // the NATS connection is up right now
	TLS                                 bool
	Local                               bool // the alert service is on this machine (loopback)
}

// enrollForm is the enrolment form as posted, without the token, which is
// never shown again, and its errors.
type enrollForm struct {
	Hub    string
	Errors map[string]string // by field: hub, token
	Error  string            // the hub did not enrol the organisation
}

// hubLink returns org's enrolment for the pages; Enrolled is false when org
// has none.
func (s *Server) hubLink(ctx context.Context, org string) (*hubLinkView, error) {
	l, err := s.store.HubLink(ctx, org)
	if errors.Is(err, store.ErrNotFound) {
		return &hubLinkView{}, nil
	}
	if err != nil {
		return nil, err
	}
	v := &hubLinkView{Enrolled: true, HubURL: l.HubURL, NATSURL: l.NATSURL, SiteID: l.SiteID,
		EnrolledAt: l.EnrolledAt.UTC().Format(alertTime), Cursor: l.Cursor, TLS: ews.LinkTLS(l)}
	if u, err := url.Parse(l.NATSURL); err == nil {
		v.Local = loopback(u.Hostname())
	}
	if s.site != nil {
		v.Connected = s.site.Connected(org)
	}
	for _, k := range l.HubKeys {
		v.Keys = append(v.Keys, alert.KeyID(k))
	}
	return v, nil
}

// enrollSite redeems a hub's enrolment token for the organisation, as
// `ward enroll` does, and connects it at once so that alerts arrive without
// a restart. A failed enrolment stores nothing and says why on the page.
func (s *Server) enrollSite(w http.ResponseWriter, r *http.Request, sess *session) {
	ctx := r.Context()
	form := enrollForm{Hub: strings.TrimSpace(r.PostForm.Get("hub"))}
	token := strings.TrimSpace(r.PostForm.Get("token"))
	hubURL, err := hubAddress(form.Hub)
	switch {
	case err != nil:
		form.Errors = map[string]string{"hub": err.Error()}
	case token == "":
		form.Errors = map[string]string{"token": "enrolment token: please paste the token the hub gave you"}
	}
	if form.Errors != nil {
		s.renderSettings(w, r, sess, http.StatusBadRequest, settingsPage{Enroll: form})
		return
	}
	if _, err := s.store.HubLink(ctx, sess.OrgID); err == nil {
		s.fail(w, r, fmt.Errorf("enrolment: %w", store.ErrConflict)) // the form is only offered before
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, enrollTimeout)
	defer cancel()
	l, err := ews.Enroll(ctx, s.store, &http.Client{Timeout: enrollTimeout}, hubURL, token, sess.OrgID)
	if err != nil {
		s.log.WarnContext(ctx, "enrolment failed", slog.String("org", sess.OrgID), slog.String("hub", hubURL), slog.Any("error", err))
		// Only a hub's own refusal is shown: the page must not let an
		// administrator read other servers' answers through this form.
		why := "the hub could not be reached at this address"
		if refused := (*ews.RefusedError)(nil); errors.As(err, &refused) {
			why = shorten(refused.Error(), 300)
		}
		form.Error = "The hub did not enrol this organisation: " + why +
			". Check the address and the token: a token works once, and only until it expires."
		s.renderSettings(w, r, sess, http.StatusBadRequest, settingsPage{Enroll: form})
		return
	}
	if !s.audited(w, r, sess, "hub.enroll", fmt.Sprintf("site %s at hub %s, alerts from %s, hub key %s pinned",
		l.SiteID, l.HubURL, l.NATSURL, alert.KeyID(l.HubKeys[0]))) {
		return
	}
	s.site.ConnectInBackground(l)
	settingsDone(w, r, "enrolled")
}

// hubAddress checks the hub's web address an administrator typed: https,
// or plain http to this machine only (the token travels in the request).
// It returns the address without a trailing slash.
func hubAddress(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("hub address: please give the hub's web address, such as https://hub.example.eu")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return "", errors.New("hub address: not a web address; one looks like https://hub.example.eu")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback(u.Hostname()):
	case u.Scheme == "http":
		return "", errors.New("hub address: use https://; plain http:// is only for a hub on this machine (localhost)")
	default:
		return "", errors.New("hub address: must start with https://")
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", errors.New("hub address: only scheme, host, port and path; no user name, query or fragment")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
