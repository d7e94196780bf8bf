package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
)

// assetBody is an asset as the API shows it: the inventory fields and when
// the store first and last wrote it.
type assetBody struct {
	inventory.Asset
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toAssetBody(a store.AssetRecord) assetBody {
	return assetBody{Asset: a.Asset, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func (s *Server) apiAssets(w http.ResponseWriter, r *http.Request, p *principal) {
	opts, err := listOptions(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := store.AssetFilter{
		Kind: q.Get("kind"), Zone: q.Get("zone"), Query: q.Get("q"),
		ClinicalRole: inventory.ClinicalRole(q.Get("role")),
		Exposure:     inventory.Exposure(q.Get("exposure")),
	}
	if err := f.Validate(); err != nil {
		s.apiFail(w, r, err)
		return
	}
	page, err := s.store.ListAssets(r.Context(), p.OrgID, f, opts)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := listBody[assetBody]{Items: make([]assetBody, 0, len(page.Items)), Next: page.Next}
	for _, a := range page.Items {
		out.Items = append(out.Items, toAssetBody(a))
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

func (s *Server) apiAsset(w http.ResponseWriter, r *http.Request, p *principal) {
	a, err := s.store.Asset(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, toAssetBody(a))
}

// validAsset returns ErrInvalid naming the field when a fails
// [inventory.Asset.Validate] or its id is too long.
func validAsset(a *inventory.Asset) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("%w: %w", store.ErrInvalid, err)
	}
	return store.CheckText("id", a.ID, true, store.MaxName)
}

func (s *Server) apiCreateAsset(w http.ResponseWriter, r *http.Request, p *principal) {
	ctx := r.Context()
	var a inventory.Asset
	if err := decodeJSON(w, r, &a); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if err := validAsset(&a); err != nil {
		s.apiFail(w, r, err)
		return
	}
	switch _, err := s.store.Asset(ctx, p.OrgID, a.ID); {
	case err == nil:
		s.apiFail(w, r, fmt.Errorf("asset %q: %w", a.ID, store.ErrConflict))
		return
	case !errors.Is(err, store.ErrNotFound):
		s.apiFail(w, r, err)
		return
	}
	s.saveAsset(w, r, p, a, http.StatusCreated, "asset.create")
}

// saveAsset stores a, rescans the organisation and answers the stored asset.
func (s *Server) saveAsset(w http.ResponseWriter, r *http.Request, p *principal, a inventory.Asset, code int, action string) {
	if a.Source == "" {
		a.Source = "api"
	}
	rec, err := s.store.UpsertAsset(r.Context(), p.OrgID, a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.audit(r, p, action, a.ID)
	s.rescanAfter(r, p)
	if code == http.StatusCreated {
		w.Header().Set("Location", apiPrefix+"/assets/"+url.PathEscape(a.ID))
	}
	s.writeJSON(w, r, code, toAssetBody(rec))
}

// rescanAfter re-matches the organisation's inventory after a change. A
// failure is logged: the change is stored and the next rescan catches up.
func (s *Server) rescanAfter(r *http.Request, p *principal) {
	if _, err := s.rescan(r.Context(), p.OrgID); err != nil {
		s.log.ErrorContext(r.Context(), "rescan after api change failed", slog.String("org", p.OrgID), slog.Any("error", err))
	}
}

func (s *Server) apiPutAsset(w http.ResponseWriter, r *http.Request, p *principal) {
	id := r.PathValue("id")
	if _, err := s.store.Asset(r.Context(), p.OrgID, id); err != nil {
		s.apiFail(w, r, err) // PUT replaces; POST creates
		return
	}
	var a inventory.Asset
	if err := decodeJSON(w, r, &a); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.updateAsset(w, r, p, id, a)
}

func (s *Server) apiPatchAsset(w http.ResponseWriter, r *http.Request, p *principal) {
	id := r.PathValue("id")
	old, err := s.store.Asset(r.Context(), p.OrgID, id)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	b, err := readBody(w, r, maxJSONBytes, "application/json", "application/merge-patch+json")
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	// A merge patch: the fields the body names replace the stored ones.
	if bytes.Contains(b, []byte("null")) {
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(b, &probe); err == nil {
			for k, v := range probe {
				if string(v) == "null" {
					s.apiFail(w, r, fmt.Errorf("%w: %s: null is not allowed; send \"\" or an empty list", store.ErrInvalid, k))
					return
				}
			}
		}
	}
	a := old.Asset
	if err := strictJSON(b, &a); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.updateAsset(w, r, p, id, a)
}

// updateAsset stores a as asset id, whose id the body may repeat but not
// change.
func (s *Server) updateAsset(w http.ResponseWriter, r *http.Request, p *principal, id string, a inventory.Asset) {
	switch a.ID {
	case "":
		a.ID = id
	case id:
	default:
		s.apiFail(w, r, fmt.Errorf("%w: id %q: differs from the URL's %q; ids cannot change", store.ErrInvalid, a.ID, id))
		return
	}
	if err := validAsset(&a); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.saveAsset(w, r, p, a, http.StatusOK, "asset.update")
}

func (s *Server) apiDeleteAsset(w http.ResponseWriter, r *http.Request, p *principal) {
	id := r.PathValue("id")
	if err := s.store.DeleteAsset(r.Context(), p.OrgID, id); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.audit(r, p, "asset.delete", id)
	s.rescanAfter(r, p)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
