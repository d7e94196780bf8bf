// Package taxii serves the hub's alerts over TAXII 2.1, so that MISP,
// OpenCTI and other threat-intelligence platforms can pull them: a
// discovery document at /taxii2/, one API root (/taxii2/ward/) with one
// read-only collection of STIX 2.1 objects (a report per alert, an
// indicator per indicator, a vulnerability per CVE, the hub's identity).
//
// Clients authenticate with an API token of an organisation of kind hub,
// as a bearer token or as the password of HTTP basic authentication (the
// user name is ignored), which is what most TAXII clients offer. Alerts
// labelled TLP:RED or TLP:AMBER+STRICT are meant for named organisations
// only and are never served.
package taxii

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/store"
)

// The media types of TAXII 2.1 and STIX 2.1.
const (
	mediaTAXII = "application/taxii+json;version=2.1"
	mediaSTIX  = "application/stix+json;version=2.1"
)

// Prefix is where the server is mounted.
const Prefix = "/taxii2/"

// root is the one API root's path element.
const root = "ward"

// collectionID is the alerts collection's id, the same on every hub.
var collectionID = strings.TrimPrefix(alert.STIXID("collection", "ward alerts"), "collection--")

// Config configures the server.
type Config struct {
	Store  store.Store
	Name   string // the hub's name, for the identity object and titles
	Logger *slog.Logger
}

// Server is the TAXII 2.1 server; it is an [http.Handler].
type Server struct {
	cfg Config
	mux *http.ServeMux
}

// New returns a TAXII server over the hub's store.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Name = cmp.Or(cfg.Name, "ward hub")
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	base := Prefix + root
	s.mux.HandleFunc("GET "+Prefix+"{$}", s.auth(s.discovery))
	s.mux.HandleFunc("GET "+base+"/{$}", s.auth(s.apiRoot))
	s.mux.HandleFunc("GET "+base+"/collections/{$}", s.auth(s.collections))
	s.mux.HandleFunc("GET "+base+"/collections/{id}/{$}", s.auth(s.collection))
	s.mux.HandleFunc("GET "+base+"/collections/{id}/objects/{$}", s.auth(s.objects))
	s.mux.HandleFunc("GET "+base+"/collections/{id}/objects/{object}/{$}", s.auth(s.objects))
	s.mux.HandleFunc("GET "+base+"/collections/{id}/manifest/{$}", s.auth(s.manifest))
	s.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, http.StatusNotFound, "not found", "TAXII 2.1 serves GET on /taxii2/ and /taxii2/ward/...")
	})
	return s
}

// ServeHTTP implements [http.Handler].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

// auth admits requests with a token of a hub organisation.
func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := ""
		if h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			token = strings.TrimSpace(h)
		} else if _, pw, ok := r.BasicAuth(); ok {
			token = pw
		}
		if !strings.HasPrefix(token, store.TokenPrefix) {
			w.Header().Set("WWW-Authenticate", `Basic realm="ward TAXII"`)
			s.fail(w, http.StatusUnauthorized, "authentication required", "an API token of the hub's organisation, as bearer token or basic-auth password")
			return
		}
		t, err := s.cfg.Store.LookupToken(r.Context(), store.HashToken(token))
		if err == nil {
			var org store.Organisation
			if org, err = s.cfg.Store.Org(r.Context(), t.OrgID); err == nil && org.Kind != store.KindHub {
				err = store.ErrNotFound
			}
		}
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				s.cfg.Logger.ErrorContext(r.Context(), "taxii: token lookup", slog.Any("error", err))
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="ward TAXII"`)
			s.fail(w, http.StatusUnauthorized, "authentication failed", "not a usable token of the hub's organisation")
			return
		}
		if !accepts(r.Header.Get("Accept")) {
			s.fail(w, http.StatusNotAcceptable, "not acceptable", "this server answers "+mediaTAXII)
			return
		}
		next(w, r)
	}
}

// accepts reports whether an Accept header allows TAXII 2.1 JSON.
func accepts(h string) bool {
	if h == "" {
		return true
	}
	for _, part := range strings.Split(h, ",") {
		mt := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(strings.SplitN(part, ";q=", 2)[0]), " ", ""))
		switch mt {
		case "*/*", "application/*", "application/json", "application/taxii+json", mediaTAXII:
			return true
		}
	}
	return false
}

func (s *Server) write(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"title":"internal error"}`)
	}
	w.Header().Set("Content-Type", mediaTAXII)
	w.WriteHeader(code)
	w.Write(b) //nolint:errcheck // the client went away
}

// fail answers a TAXII error message.
func (s *Server) fail(w http.ResponseWriter, code int, title, description string) {
	s.write(w, code, map[string]any{"title": title, "description": description, "http_status": strconv.Itoa(code)})
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	s.write(w, http.StatusOK, map[string]any{
		"title":       s.cfg.Name + " (ward)",
		"description": "Early warnings of the health sector's support centre, as STIX 2.1.",
		"default":     Prefix + root + "/",
		"api_roots":   []string{Prefix + root + "/"},
	})
}

func (s *Server) apiRoot(w http.ResponseWriter, r *http.Request) {
	s.write(w, http.StatusOK, map[string]any{
		"title": s.cfg.Name + " alerts", "versions": []string{mediaTAXII}, "max_content_length": 0,
	})
}

func (s *Server) collectionInfo() map[string]any {
	return map[string]any{"id": collectionID, "title": "Alerts", "description": "Every alert the hub published, but TLP:RED and TLP:AMBER+STRICT ones.",
		"can_read": true, "can_write": false, "media_types": []string{mediaSTIX}}
}

func (s *Server) collections(w http.ResponseWriter, r *http.Request) {
	s.write(w, http.StatusOK, map[string]any{"collections": []any{s.collectionInfo()}})
}

func (s *Server) collection(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") != collectionID {
		s.fail(w, http.StatusNotFound, "no such collection", "")
		return
	}
	s.write(w, http.StatusOK, s.collectionInfo())
}

// entry is one STIX object with when the collection got it.
type entry struct {
	added  time.Time
	object alert.STIXObject
}

// entries returns every object of the collection, oldest first: each
// published alert's objects, added when it was published, and the hub's
// identity, added with the first.
func (s *Server) entries(ctx context.Context) ([]entry, error) {
	alerts, err := store.All(ctx, s.cfg.Store.ListHubAlerts)
	if err != nil {
		return nil, err
	}
	identity := alert.STIXIdentity(s.cfg.Name)
	var out []entry
	seen := map[string]bool{}
	for i := len(alerts) - 1; i >= 0; i-- { // oldest first
		rec := alerts[i]
		if rec.PublishedAt.IsZero() || alert.TLP(rec.TLP).Restricted() {
			continue
		}
		var env alert.Envelope
		if err := json.Unmarshal(rec.Envelope, &env); err != nil {
			return nil, err
		}
		a, err := alert.Parse(strings.NewReader(string(env.Payload)))
		if err != nil {
			return nil, err
		}
		if len(out) == 0 {
			out = append(out, entry{rec.PublishedAt, identity})
		}
		for _, o := range a.ToSTIX(identity["id"].(string)) {
			id := o["id"].(string)
			if seen[id] {
				continue // a vulnerability named by an earlier alert
			}
			seen[id] = true
			out = append(out, entry{rec.PublishedAt, o})
		}
	}
	return out, nil
}

// page applies the TAXII filters and paging of r to the collection.
func (s *Server) page(w http.ResponseWriter, r *http.Request) ([]entry, bool, string, bool) {
	if r.PathValue("id") != collectionID {
		s.fail(w, http.StatusNotFound, "no such collection", "")
		return nil, false, "", false
	}
	all, err := s.entries(r.Context())
	if err != nil {
		s.cfg.Logger.ErrorContext(r.Context(), "taxii: objects", slog.Any("error", err))
		s.fail(w, http.StatusInternalServerError, "internal error", "")
		return nil, false, "", false
	}
	q := r.URL.Query()
	var after time.Time
	if v := q.Get("added_after"); v != "" {
		if after, err = time.Parse(time.RFC3339Nano, v); err != nil {
			s.fail(w, http.StatusBadRequest, "bad added_after", "want an RFC 3339 timestamp")
			return nil, false, "", false
		}
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			s.fail(w, http.StatusBadRequest, "bad limit", "want a positive number")
			return nil, false, "", false
		}
		limit = min(limit, 1000)
	}
	offset := 0
	if v := q.Get("next"); v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err == nil {
			offset, err = strconv.Atoi(string(b))
		}
		if err != nil || offset < 0 {
			s.fail(w, http.StatusBadRequest, "bad next", "use the next value of the previous page")
			return nil, false, "", false
		}
	}
	ids, types := splitQuery(q.Get("match[id]")), splitQuery(q.Get("match[type]"))
	if obj := r.PathValue("object"); obj != "" {
		ids = []string{obj}
	}
	var matched []entry
	for _, e := range all {
		if (after.IsZero() || e.added.After(after)) && (len(ids) == 0 || slices.Contains(ids, e.object["id"].(string))) &&
			(len(types) == 0 || slices.Contains(types, e.object["type"].(string))) {
			matched = append(matched, e)
		}
	}
	if len(ids) == 1 && len(matched) == 0 && r.PathValue("object") != "" {
		s.fail(w, http.StatusNotFound, "no such object", "")
		return nil, false, "", false
	}
	if offset > len(matched) {
		offset = len(matched)
	}
	end := min(offset+limit, len(matched))
	next := ""
	if end < len(matched) {
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
	}
	pageItems := matched[offset:end]
	if len(pageItems) > 0 {
		w.Header().Set("X-TAXII-Date-Added-First", pageItems[0].added.UTC().Format(time.RFC3339Nano))
		w.Header().Set("X-TAXII-Date-Added-Last", pageItems[len(pageItems)-1].added.UTC().Format(time.RFC3339Nano))
	}
	return pageItems, next != "", next, true
}

func splitQuery(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

func (s *Server) objects(w http.ResponseWriter, r *http.Request) {
	items, more, next, ok := s.page(w, r)
	if !ok {
		return
	}
	objects := make([]alert.STIXObject, len(items))
	for i, e := range items {
		objects[i] = e.object
	}
	env := map[string]any{"more": more, "objects": objects}
	if next != "" {
		env["next"] = next
	}
	s.write(w, http.StatusOK, env)
}

func (s *Server) manifest(w http.ResponseWriter, r *http.Request) {
	items, more, next, ok := s.page(w, r)
	if !ok {
		return
	}
	objects := make([]map[string]any, len(items))
	for i, e := range items {
		objects[i] = map[string]any{"id": e.object["id"], "date_added": e.added.UTC().Format(time.RFC3339Nano),
			"version": e.object["modified"], "media_type": mediaSTIX}
	}
	env := map[string]any{"more": more, "objects": objects}
	if next != "" {
		env["next"] = next
	}
	s.write(w, http.StatusOK, env)
}
