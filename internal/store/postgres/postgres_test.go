package postgres

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/storetest"
	"github.com/ward-health/ward/internal/testenv"
)

// defaultURL is the test database when WARD_TEST_POSTGRES is unset.
const defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// MustOpen opens a store in a schema of its own in the test database
// ($WARD_TEST_POSTGRES), and closes the store and drops the schema when tb
// ends. It skips tb when PostgreSQL is unreachable, or fails it with
// WARD_STRICT=1.
func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	base := cmp.Or(os.Getenv("WARD_TEST_POSTGRES"), defaultURL)
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		tb.Fatalf("WARD_TEST_POSTGRES: %v", err)
	}
	admin := stdlib.OpenDB(*cfg)
	ping, cancel := context.WithTimeout(tb.Context(), 5*time.Second)
	defer cancel()
	if err := admin.PingContext(ping); err != nil {
		admin.Close()
		testenv.Service(tb, fmt.Sprintf("PostgreSQL at %s:%d/%s (set WARD_TEST_POSTGRES)", cfg.Host, cfg.Port, cfg.Database), err)
	}
	schema := "t_" + strings.ToLower(rand.Text())
	if _, err := admin.ExecContext(tb.Context(), "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		tb.Fatalf("CREATE SCHEMA: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("DROP SCHEMA: %v", err)
		}
		admin.Close()
	})
	db, err := Open(tb.Context(), withSearchPath(tb, base, schema))
	if err != nil {
		tb.Fatalf("Open() = %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close() = %v", err)
		}
	})
	return db
}

// withSearchPath returns the connection string base that uses schema.
func withSearchPath(tb testing.TB, base, schema string) string {
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return base + " search_path=" + schema // key=value form
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("WARD_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestStore(t *testing.T) {
	storetest.StoreSuite(t, func(t *testing.T) store.Store { return MustOpen(t) })
}

func TestTokens_AtRest(t *testing.T) {
	db := MustOpen(t)
	storetest.TokenAtRest(t, db, db.sql)
}

func TestImportAssets_Fault(t *testing.T) {
	db := MustOpen(t)
	storetest.ImportFault(t, db, func(t *testing.T, id string) {
		if _, err := db.sql.ExecContext(t.Context(), fmt.Sprintf(`
			CREATE FUNCTION fail_import() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF NEW.id = '%s' THEN RAISE EXCEPTION 'injected fault'; END IF;
				RETURN NEW;
			END $$;
			CREATE TRIGGER fail_import BEFORE INSERT ON assets FOR EACH ROW EXECUTE FUNCTION fail_import()`, id)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOpen(t *testing.T) {
	db := MustOpen(t)
	var schema string
	if err := db.sql.QueryRowContext(t.Context(), "SELECT current_schema()").Scan(&schema); err != nil || !strings.HasPrefix(schema, "t_") {
		t.Fatalf("current_schema() = %q, %v, want the test's own", schema, err)
	}

	for _, tc := range []struct{ name, url string }{
		{"not a URL", "postgres://[::1"},
		{"unreachable", "postgres://ward:s3cret-pw@127.0.0.1:1/ward?sslmode=disable&connect_timeout=2"},
		{"no such schema", withSearchPath(t, cmp.Or(os.Getenv("WARD_TEST_POSTGRES"), defaultURL), "t_missing")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), tc.url)
			if err == nil {
				t.Fatalf("Open(%q) succeeded", tc.url)
			}
			if strings.Contains(err.Error(), "s3cret-pw") {
				t.Errorf("Open() error shows the password: %v", err)
			}
		})
	}
}

func BenchmarkImportAssets(b *testing.B) {
	storetest.BenchImportAssets(b, func(b *testing.B) store.Store { return MustOpen(b) })
}

func BenchmarkListFindings(b *testing.B) {
	storetest.BenchListFindings(b, func(b *testing.B) store.Store { return MustOpen(b) })
}
