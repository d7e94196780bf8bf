package web

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
)

// importTypes are the media types the import accepts. The format is
// recognised from the content ([inventory.Read]), so any of them works for
// any format.
var importTypes = []string{
	"text/csv", "application/json", "application/xml", "text/xml", "text/plain",
	"application/vnd.cyclonedx+json", "application/vnd.cyclonedx+xml", "application/spdx+json",
}

// importName names the body in errors.
const importName = "body"

// importError is one bad row (or place) of an imported file.
type importError struct {
	Line    int    `json:"line,omitempty"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// importErrors is an import refused for the rows it names.
type importErrors struct {
	rows []importError
}

func (e *importErrors) Error() string {
	if len(e.rows) == 1 {
		return "the inventory has an error; nothing was imported"
	}
	return fmt.Sprintf("the inventory has %d errors; nothing was imported", len(e.rows))
}

// rowErrors flattens the errors of [inventory.Read] into one entry per
// place; each [inventory.ParseError] names its line and column.
func rowErrors(err error) *importErrors {
	out := &importErrors{}
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var pe *inventory.ParseError
		if errors.As(err, &pe) {
			out.rows = append(out.rows, importError{Line: pe.Line, Column: pe.Column, Message: pe.Err.Error()})
			return
		}
		out.rows = append(out.rows, importError{Message: err.Error()})
	}
	walk(err)
	return out
}

type importBody struct {
	Format  string   `json:"format"`
	Assets  int      `json:"assets"`
	Added   int      `json:"added"`
	Updated int      `json:"updated"`
	Removed int      `json:"removed"`
	Notices []string `json:"notices,omitempty"`
	// Findings says what the rescan after the import changed.
	Findings *syncBody `json:"findings,omitempty"`
}

// syncBody says what a rescan changed.
type syncBody struct {
	New      int `json:"new"`
	Updated  int `json:"updated"`
	Reopened int `json:"reopened"`
	Resolved int `json:"resolved"`
}

// apiImportAssets imports a whole inventory file (ward CSV, CycloneDX,
// SPDX or nmap XML) all or nothing, then rescans the organisation.
// ?mode=replace also deletes the assets the file does not name.
func (s *Server) apiImportAssets(w http.ResponseWriter, r *http.Request, p *principal) {
	ctx := r.Context()
	mode := store.Merge
	switch m := r.URL.Query().Get("mode"); m {
	case "", "merge":
	case "replace":
		mode = store.Replace
	default:
		s.apiFail(w, r, fmt.Errorf("%w: mode %q: want merge or replace", store.ErrInvalid, m))
		return
	}
	body, err := readBody(w, r, maxImportBytes, importTypes...)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	res, err := inventory.Read(ctx, importName, bytes.NewReader(body))
	if err != nil {
		if ctx.Err() != nil {
			s.apiFail(w, r, ctx.Err())
			return
		}
		s.apiFail(w, r, rowErrors(err))
		return
	}
	counts, err := s.store.ImportAssets(ctx, p.OrgID, res.Assets, mode)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.audit(r, p, "asset.import", fmt.Sprintf("%s: %d assets, %d added, %d updated, %d removed",
		res.Format, len(res.Assets), counts.Added, counts.Updated, counts.Removed))
	out := importBody{
		Format: res.Format, Assets: len(res.Assets), Added: counts.Added, Updated: counts.Updated,
		Removed: counts.Removed, Notices: trimNames(res.Notices),
	}
	if sc, err := s.rescan(ctx, p.OrgID); err != nil {
		s.log.ErrorContext(ctx, "rescan after import failed", slog.String("org", p.OrgID), slog.Any("error", err))
	} else {
		out.Findings = &syncBody{New: sc.New, Updated: sc.Updated, Reopened: sc.Reopened, Resolved: sc.Resolved}
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// trimNames drops the file name the reader puts before each notice.
func trimNames(notices []string) []string {
	out := make([]string, 0, len(notices))
	for _, n := range notices {
		out = append(out, strings.TrimPrefix(n, importName+": "))
	}
	return out
}
