package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
)

// Policies of bulk import.
const (
	maxUploadBytes  = 32 << 20 // body limit of an inventory upload
	uploadMemory    = 8 << 20  // parts above this go to temporary files
	importTTL       = 15 * time.Minute
	maxPending      = 8   // previews held at once, over all sessions: each may hold a 32 MB file's assets
	previewRowLimit = 500 // rows the preview lists
	importTimeout   = 2 * time.Minute
)

// pendingImport is a checked upload waiting for the user to confirm it.
type pendingImport struct {
	session, org string
	file, format string
	assets       []inventory.Asset
	added        int
	updated      int
	expires      time.Time
}

// pendingImports holds previews by one-time token. A preview belongs to
// one session and organisation; a session holds one preview at a time, and
// the oldest previews give way when the node holds maxPending.
type pendingImports struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*pendingImport
}

func newPendingImports(now func() time.Time) *pendingImports {
	return &pendingImports{now: now, m: map[string]*pendingImport{}}
}

// put keeps p and returns its token.
func (pi *pendingImports) put(p *pendingImport) string {
	now := pi.now()
	p.expires = now.Add(importTTL)
	tok := randomToken()
	pi.mu.Lock()
	defer pi.mu.Unlock()
	for t, old := range pi.m {
		if old.session == p.session || !now.Before(old.expires) {
			delete(pi.m, t)
		}
	}
	for len(pi.m) >= maxPending {
		oldest := ""
		for t, old := range pi.m {
			if oldest == "" || old.expires.Before(pi.m[oldest].expires) {
				oldest = t
			}
		}
		delete(pi.m, oldest)
	}
	pi.m[tok] = p
	return tok
}

// take removes and returns the live preview tok of session and org.
func (pi *pendingImports) take(tok, session, org string) (*pendingImport, bool) {
	pi.mu.Lock()
	defer pi.mu.Unlock()
	for t, p := range pi.m {
		if sameToken(t, tok) && p.session == session && p.org == org {
			delete(pi.m, t)
			return p, pi.now().Before(p.expires)
		}
	}
	return nil, false
}

// upload parses a multipart form of at most maxUploadBytes before [Server.auth]
// checks its CSRF token, and only for browsers that hold a session: auth
// then finds the form's fields in r.PostForm.
func (s *Server) upload(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			next(w, r) // auth refuses it
			return
		}
		if _, ok := s.sessions.get(c.Value); !ok {
			next(w, r)
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
			if err := r.ParseMultipartForm(uploadMemory); err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					http.Error(w, fmt.Sprintf("The file is too large: the limit is %d MB.", maxUploadBytes>>20), http.StatusRequestEntityTooLarge)
					return
				}
				http.Error(w, "The upload could not be read.", http.StatusBadRequest)
				return
			}
		}
		next(w, r)
	}
}

// badRow is one problem of an upload, where the parser could place it.
type badRow struct {
	File, Column, Problem string
	Line                  int
}

// previewRow is a row the import would store.
type previewRow struct {
	inventory.Asset
	Update bool
}

type importPage struct {
	basePage
	Formats  []string
	Error    string   // the upload as a whole failed
	File     string   // the uploaded file's name
	Format   string   // what it was read as
	Bad      []badRow // every problem, by line
	Notices  []string
	Rows     []previewRow
	MoreRows int
	Added    int
	Updated  int
	Token    string // confirms the preview; "" when it cannot be saved
	Expires  string
	// Done reports a saved import.
	Done   bool
	Counts store.ImportCounts
	Sync   store.SyncCounts
}

var importFormats = []string{"ward CSV", "CycloneDX 1.4–1.6 (JSON or XML)", "SPDX 2.3 (JSON)", "nmap XML (-oX)"}

// mayImport answers 403 and returns false unless the user may change the
// inventory.
func (s *Server) mayImport(w http.ResponseWriter, sess *session) bool {
	if sess.Role == store.RoleResponder || sess.Role == store.RoleAdmin {
		return true
	}
	http.Error(w, "You may look at assets but not import them. Please ask an administrator.", http.StatusForbidden)
	return false
}

func (s *Server) importPage(sess *session) importPage {
	p := importPage{Formats: importFormats}
	p.basePage = s.base(sess, "Import assets")
	p.Nav = "assets"
	return p
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request, sess *session) {
	s.render(w, r, http.StatusOK, "import.html", s.importPage(sess))
}

// importPreview reads the upload and shows what saving it would do; it
// saves nothing.
func (s *Server) importPreview(w http.ResponseWriter, r *http.Request, sess *session) {
	if !s.mayImport(w, sess) {
		return
	}
	page := s.importPage(sess)
	if r.MultipartForm == nil {
		page.Error = "Please choose a file to upload."
		s.render(w, r, http.StatusBadRequest, "import.html", page)
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		page.Error = "Please choose a file to upload."
		s.render(w, r, http.StatusBadRequest, "import.html", page)
		return
	}
	defer f.Close()
	page.File = hdr.Filename
	ctx, cancel := context.WithTimeout(r.Context(), importTimeout)
	defer cancel()
	res, err := inventory.Read(ctx, hdr.Filename, f)
	if err != nil {
		page.Bad = badRows(err)
		if len(page.Bad) == 0 {
			s.log.ErrorContext(ctx, "import read failed", slog.Any("error", err))
			page.Error = "The file could not be read."
		}
		s.render(w, r, http.StatusUnprocessableEntity, "import.html", page)
		return
	}
	page.Format, page.Notices = res.Format, res.Notices
	if len(res.Assets) == 0 {
		page.Error = "The file holds no assets."
		s.render(w, r, http.StatusUnprocessableEntity, "import.html", page)
		return
	}
	ids := make([]string, len(res.Assets))
	for i, a := range res.Assets {
		ids[i] = a.ID
	}
	known, err := s.store.KnownAssetIDs(ctx, sess.OrgID, ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range res.Assets {
		update := slices.Contains(known, a.ID)
		if update {
			page.Updated++
		} else {
			page.Added++
		}
		if len(page.Rows) < previewRowLimit {
			page.Rows = append(page.Rows, previewRow{Asset: a, Update: update})
		}
	}
	page.MoreRows = len(res.Assets) - len(page.Rows)
	p := &pendingImport{session: sess.ID, org: sess.OrgID, file: hdr.Filename, format: res.Format,
		assets: res.Assets, added: page.Added, updated: page.Updated}
	page.Token = s.imports.put(p)
	page.Expires = p.expires.UTC().Format("15:04 UTC")
	s.render(w, r, http.StatusOK, "import.html", page)
}

// badRows lists the problems in err, a joined list of
// [inventory.ParseError] values, by line; errors without a place come last.
func badRows(err error) []badRow {
	var out []badRow
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
			out = append(out, badRow{File: pe.File, Line: pe.Line, Column: pe.Column, Problem: pe.Err.Error()})
			return
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return
		}
		out = append(out, badRow{Problem: err.Error()})
	}
	walk(err)
	slices.SortStableFunc(out, func(a, b badRow) int {
		switch {
		case a.Line == 0 && b.Line != 0:
			return 1
		case a.Line != 0 && b.Line == 0:
			return -1
		}
		return a.Line - b.Line
	})
	return out
}

// importConfirm saves a preview in one transaction and re-matches the
// inventory.
func (s *Server) importConfirm(w http.ResponseWriter, r *http.Request, sess *session) {
	if !s.mayImport(w, sess) {
		return
	}
	ctx := r.Context()
	p, ok := s.imports.take(r.PostForm.Get("token"), sess.ID, sess.OrgID)
	if !ok {
		page := s.importPage(sess)
		page.Error = "This preview has expired or was already saved. Please upload the file again."
		s.render(w, r, http.StatusGone, "import.html", page)
		return
	}
	counts, err := s.store.ImportAssets(ctx, sess.OrgID, p.assets, store.Merge)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.store.AppendAudit(ctx, sess.OrgID, sess.Email, "asset.import",
		fmt.Sprintf("%s (%s): %d added, %d updated", p.file, p.format, counts.Added, counts.Updated)); err != nil {
		s.fail(w, r, err)
		return
	}
	page := s.importPage(sess)
	page.Done, page.Counts, page.File, page.Format = true, counts, p.file, p.format
	sync, err := s.rescan(ctx, sess.OrgID)
	if err != nil {
		// The assets are saved; the next rescan finds their flaws.
		s.log.ErrorContext(ctx, "rescan after import failed", slog.String("org", sess.OrgID), slog.Any("error", err))
		page.Error = "The assets are saved, but checking them against the advisories failed. ward tries again with the next feed update."
	}
	page.Sync = sync
	s.render(w, r, http.StatusOK, "import.html", page)
}
