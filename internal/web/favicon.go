package web

import (
	"net/http"
)

// favicon answers the icon request browsers make on their own, without a
// session: sent to the sign-in page instead, that request used to replace
// the sign-in form's CSRF cookie, so the first sign-in failed.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	b, err := staticFS.ReadFile("static/favicon.svg")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b) //nolint:errcheck // the client went away
}
