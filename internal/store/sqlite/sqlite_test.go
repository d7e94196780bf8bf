package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/storetest"
)

// MustOpen opens the database at path and closes it when tb ends.
func MustOpen(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(tb.Context(), path)
	if err != nil {
		tb.Fatalf("Open(%q) = %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close() = %v", err)
		}
	})
	return db
}

func tempPath(tb testing.TB) string { return filepath.Join(tb.TempDir(), "ward.db") }

func TestStore_Memory(t *testing.T) {
	storetest.StoreSuite(t, func(t *testing.T) store.Store { return MustOpen(t, Memory) })
}

func TestStore_File(t *testing.T) {
	storetest.StoreSuite(t, func(t *testing.T) store.Store { return MustOpen(t, tempPath(t)) })
}

func TestTokens_AtRest(t *testing.T) {
	db := MustOpen(t, Memory)
	storetest.TokenAtRest(t, db, db.sql)
}

func TestImportAssets_Fault(t *testing.T) {
	for name, path := range map[string]string{"memory": Memory, "file": tempPath(t)} {
		t.Run(name, func(t *testing.T) {
			db := MustOpen(t, path)
			storetest.ImportFault(t, db, func(t *testing.T, id string) {
				if _, err := db.sql.ExecContext(t.Context(), fmt.Sprintf(
					"CREATE TRIGGER fail_import BEFORE INSERT ON assets WHEN NEW.id = '%s' BEGIN SELECT RAISE(ABORT, 'injected fault'); END", id)); err != nil {
					t.Fatal(err)
				}
			})
		})
	}
}

func TestOpen(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "odd ?#% name.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	org := storetest.MustOrg(t, db, "Klinikum")
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "1"} {
		var got string
		if err := db.sql.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v, want %q", pragma, got, err, want)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file: %v", err)
	}

	// Reopening migrates nothing and keeps the data.
	db = MustOpen(t, path)
	if _, err := db.Org(ctx, org.ID); err != nil {
		t.Errorf("Org() after reopening = %v", err)
	}

	if _, err := Open(ctx, filepath.Join(dir, "missing", "ward.db")); err == nil {
		t.Error("Open(in a missing directory) succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Open(cancelled, tempPath(t)); err == nil {
		t.Error("Open(cancelled context) succeeded")
	}
}

func BenchmarkImportAssets(b *testing.B) {
	storetest.BenchImportAssets(b, func(b *testing.B) store.Store { return MustOpen(b, tempPath(b)) })
}

func BenchmarkListFindings(b *testing.B) {
	storetest.BenchListFindings(b, func(b *testing.B) store.Store { return MustOpen(b, tempPath(b)) })
}
