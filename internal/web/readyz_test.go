package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/web"
)

// TestServer_ReadyzWaitsForFeeds checks that /readyz answers 503 until the
// engine has loaded the catalog from its feed mirror, then 200.
func TestServer_ReadyzWaitsForFeeds(t *testing.T) {
	t.Parallel()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	eng, err := engine.New(engine.Config{Store: st, Logger: logger, MirrorDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	h, err := web.New(web.Config{Store: st, Engine: eng, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	get := func() (int, string) {
		t.Helper()
		res, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get(); code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz before the catalog is loaded = %d %q, want 503", code, body)
	}
	if err := eng.Load(t.Context()); err != nil {
		t.Fatalf("Load() = %v", err)
	}
	if code, body := get(); code != http.StatusOK || body != "ok" {
		t.Errorf("GET /readyz after Load = %d %q, want 200 ok", code, body)
	}
}
