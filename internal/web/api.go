package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
)

// The JSON API lives under apiPrefix. It authenticates every request with
// an API token of the store ([store.Tokens]) sent as "Authorization: Bearer
// ward_…"; session cookies never authenticate it, so it needs no CSRF
// token. A token acts in its one organisation with its role: viewers read,
// responders also change findings, admins also change assets.
const apiPrefix = "/api/v1"

// Body limits of the API.
const (
	maxJSONBytes   = 1 << 20  // JSON request bodies
	maxImportBytes = 64 << 20 // inventory files posted to the import
)

// principal is who calls the API: a token of one organisation.
type principal struct {
	OrgID string
	Role  store.Role
	Token store.Token
}

// actor names the token in histories and the audit log.
func (p *principal) actor() string { return "token:" + p.Token.Name + " (" + p.Token.ID + ")" }

// may reports whether p's role is at least role.
func (p *principal) may(role store.Role) bool { return roleRank(p.Role) >= roleRank(role) }

func roleRank(r store.Role) int { return slices.Index(store.Roles, r) }

// apiHandler is a handler of the API for an authenticated token.
type apiHandler func(w http.ResponseWriter, r *http.Request, p *principal)

// apiError is the body of every API error.
type apiError struct {
	Error string `json:"error"`
	// Errors name each bad row of an import.
	Errors []importError `json:"errors,omitempty"`
}

// errUnauthorized, errForbidden, errTooLarge and errMediaType are the API's
// own failures; [Server.apiFail] maps them to 401, 403, 413 and 415.
var (
	errUnauthorized = errors.New("a valid API token is required: Authorization: Bearer ward_…")
	errForbidden    = errors.New("the token's role may not do this")
	errTooLarge     = errors.New("the request body is too large")
	errMediaType    = errors.New("unsupported Content-Type")
)

// apiRoutes registers the API's routes with handle; m gets the API's
// catch-all, which answers JSON 404 for unknown paths under the prefix.
func (s *Server) apiRoutes(m *http.ServeMux, handle func(string, http.HandlerFunc)) {
	v := store.RoleViewer
	handle("GET "+apiPrefix+"/openapi.json", s.openAPI)
	handle("GET "+apiPrefix+"/me", s.api(v, s.apiMe))
	handle("GET "+apiPrefix+"/report", s.api(v, s.apiReport))

	handle("GET "+apiPrefix+"/assets", s.api(v, s.apiAssets))
	handle("POST "+apiPrefix+"/assets", s.api(store.RoleAdmin, s.apiCreateAsset))
	handle("POST "+apiPrefix+"/assets/import", s.api(store.RoleAdmin, s.apiImportAssets))
	handle("GET "+apiPrefix+"/assets/{id}", s.api(v, s.apiAsset))
	handle("PUT "+apiPrefix+"/assets/{id}", s.api(store.RoleAdmin, s.apiPutAsset))
	handle("PATCH "+apiPrefix+"/assets/{id}", s.api(store.RoleAdmin, s.apiPatchAsset))
	handle("DELETE "+apiPrefix+"/assets/{id}", s.api(store.RoleAdmin, s.apiDeleteAsset))

	handle("GET "+apiPrefix+"/findings", s.api(v, s.apiFindings))
	handle("GET "+apiPrefix+"/findings/{id}", s.api(v, s.apiFinding))
	handle("PATCH "+apiPrefix+"/findings/{id}", s.api(store.RoleResponder, s.apiPatchFinding))
	handle("GET "+apiPrefix+"/findings/{id}/history", s.api(v, s.apiFindingHistory))

	handle("GET "+apiPrefix+"/advisories", s.api(v, s.apiAdvisories))
	handle("GET "+apiPrefix+"/advisories/{id}", s.api(v, s.apiAdvisory))

	handle("GET "+apiPrefix+"/feeds", s.api(v, s.apiFeeds))
	handle("POST "+apiPrefix+"/feeds/{id}/sync", s.api(store.RoleAdmin, s.apiSyncFeed))

	handle("POST "+apiPrefix+"/enroll", s.apiEnroll)
	s.alertAPIRoutes(handle) // api_alerts.go

	// Unknown paths answer 404 and known paths with another method 405, in
	// JSON, without authentication: neither says anything about data.
	m.HandleFunc(apiPrefix+"/", func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			r2 := r.Clone(r.Context())
			r2.Method = method
			if _, pattern := m.Handler(r2); pattern != apiPrefix+"/" && pattern != "" {
				allow = append(allow, method)
			}
		}
		if len(allow) == 0 {
			s.apiFail(w, r, store.ErrNotFound)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeJSON(w, r, http.StatusMethodNotAllowed, apiError{Error: r.Method + " is not allowed here; allowed: " + strings.Join(allow, ", ")})
	})
}

// api authenticates the bearer token, checks that its role is at least
// role and calls next. Cookies are ignored.
func (s *Server) api(role store.Role, next apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		tok = strings.TrimSpace(tok)
		if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(tok, store.TokenPrefix) || len(tok) > 256 {
			s.apiFail(w, r, errUnauthorized)
			return
		}
		t, err := s.store.LookupToken(r.Context(), store.HashToken(tok))
		if errors.Is(err, store.ErrNotFound) {
			s.log.InfoContext(r.Context(), "api token rejected", slog.String("path", r.URL.Path), slog.String("ip", clientIP(r)))
			s.apiFail(w, r, errUnauthorized)
			return
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		p := &principal{OrgID: t.OrgID, Role: t.Role, Token: t}
		if !p.may(role) {
			s.apiFail(w, r, errForbidden)
			return
		}
		next(w, r, p)
	}
}

// apiFail maps err to a status and a JSON error, once, here. Messages of
// invalid input name the field and are shown; unknown errors are logged
// and answered "internal error".
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := http.StatusInternalServerError, "internal error"
	var body apiError
	var imp *importErrors
	switch {
	case errors.As(err, &imp):
		code, msg = http.StatusBadRequest, imp.Error()
		body.Errors = imp.rows
	case errors.Is(err, errUnauthorized):
		code, msg = http.StatusUnauthorized, err.Error()
		w.Header().Set("WWW-Authenticate", `Bearer realm="ward"`)
	case errors.Is(err, errForbidden):
		code, msg = http.StatusForbidden, err.Error()
	case errors.Is(err, errTooLarge):
		code, msg = http.StatusRequestEntityTooLarge, err.Error()
	case errors.Is(err, errMediaType):
		code, msg = http.StatusUnsupportedMediaType, err.Error()
	case errors.Is(err, store.ErrNotFound):
		code, msg = http.StatusNotFound, "not found"
	case errors.Is(err, store.ErrTransition):
		code, msg = http.StatusConflict, err.Error()
	case errors.Is(err, store.ErrConflict), errors.Is(err, engine.ErrSyncRunning):
		code, msg = http.StatusConflict, err.Error()
	case errors.Is(err, store.ErrInvalid), errors.Is(err, alert.ErrInvalid):
		code, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, ews.ErrHubNotTold):
		code, msg = http.StatusServiceUnavailable, ews.ErrHubNotTold.Error()+"; the next report of the alert tells it"
	default:
		s.log.ErrorContext(r.Context(), "api request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	body.Error = msg
	s.writeJSON(w, r, code, body)
}

// writeJSON answers v as JSON with code.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.ErrorContext(r.Context(), "api response failed", slog.String("path", r.URL.Path), slog.Any("error", err))
		code, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(append(b, '\n')) //nolint:errcheck // the client went away
}

// readBody reads the request body of at most limit bytes, after checking
// that its media type is one of types.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, types ...string) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(types, mt) {
		return nil, fmt.Errorf("%w %q: want %s", errMediaType, r.Header.Get("Content-Type"), strings.Join(types, ", "))
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, fmt.Errorf("%w: more than %d bytes", errTooLarge, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: body: %w", store.ErrInvalid, err)
	}
	return b, nil
}

// decodeJSON reads a JSON request body into v strictly: unknown fields and
// trailing data are errors.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := readBody(w, r, maxJSONBytes, "application/json", "application/merge-patch+json")
	if err != nil {
		return err
	}
	return strictJSON(b, v)
}

// strictJSON decodes b into v, refusing unknown fields and trailing data.
func strictJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: body: %w", store.ErrInvalid, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("%w: body: data after the JSON value", store.ErrInvalid)
	}
	return nil
}

// listOptions reads the paging parameters cursor and limit.
func listOptions(r *http.Request) (store.ListOptions, error) {
	q := r.URL.Query()
	opts := store.ListOptions{Cursor: q.Get("cursor")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > store.MaxLimit {
			return opts, fmt.Errorf("%w: limit %q: want 1 to %d", store.ErrInvalid, l, store.MaxLimit)
		}
		opts.Limit = n
	}
	if len(opts.Cursor) > 4096 {
		return opts, fmt.Errorf("%w: cursor: too long", store.ErrInvalid)
	}
	return opts, nil
}

// listBody is every list's answer: a page of items and the cursor of the
// next page, absent on the last.
type listBody[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// queryList returns the values of a repeatable query parameter; each value
// may also hold several, separated by commas.
func queryList(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

type meBody struct {
	Organisation orgBody   `json:"organisation"`
	Token        tokenBody `json:"token"`
}

type orgBody struct {
	ID      string        `json:"id"`
	Name    string        `json:"name"`
	Kind    store.OrgKind `json:"kind"`
	Country string        `json:"country"`
}

type tokenBody struct {
	ID   string     `json:"id"`
	Name string     `json:"name"`
	Role store.Role `json:"role"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, p *principal) {
	org, err := s.store.Org(r.Context(), p.OrgID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, meBody{
		Organisation: orgBody{ID: org.ID, Name: org.Name, Kind: org.Kind, Country: org.Country},
		Token:        tokenBody{ID: p.Token.ID, Name: p.Token.Name, Role: p.Role},
	})
}

// audit records an API change in the organisation's audit log; a failure
// is logged, the change stands.
func (s *Server) audit(r *http.Request, p *principal, action, detail string) {
	if _, err := s.store.AppendAudit(r.Context(), p.OrgID, p.actor(), action, detail); err != nil {
		s.log.ErrorContext(r.Context(), "audit failed", slog.String("action", action), slog.Any("error", err))
	}
}
