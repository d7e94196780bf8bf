package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/ward-health/ward/internal/store"
)

// enrollRequest is what a site posts to redeem its invitation.
type enrollRequest struct {
	Token   string `json:"token"`
	NATSKey string `json:"nats_key"`
}

// apiEnroll redeems a hub's one-time invitation for a site: the token is
// the credential, so the route takes no session or API token. Failed
// attempts count toward the same per-address limit as failed sign-ins.
func (s *Server) apiEnroll(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if s.enroll == nil {
		s.apiFail(w, r, store.ErrNotFound) // not a hub
		return
	}
	ip := clientIP(r)
	if s.limiter.blocked(ip) {
		w.Header().Set("Retry-After", "60")
		s.writeJSON(w, r, http.StatusTooManyRequests, apiError{Error: "too many failed attempts; try again in a minute"})
		return
	}
	var req enrollRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiFail(w, r, err)
		return
	}
	e, err := s.enroll(ctx, req.Token, req.NATSKey)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.limiter.fail(ip)
			s.log.WarnContext(ctx, "enrolment refused", slog.String("ip", ip))
		}
		s.apiFail(w, r, err)
		return
	}
	s.log.InfoContext(ctx, "site enrolled", slog.String("ip", ip))
	s.writeJSON(w, r, http.StatusOK, e)
}
