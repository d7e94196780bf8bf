package storetest

import (
	"bytes"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
)

// TokenAtRest checks, reading the tokens table of db (the database of s)
// directly, that a token's plaintext is stored nowhere and its SHA-256 hash
// is.
func TokenAtRest(t *testing.T, s store.Store, db *sql.DB) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum")
	_, plain, err := s.CreateToken(ctx, org.ID, "scanner", store.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimPrefix(plain, store.TokenPrefix)
	rows, err := db.QueryContext(ctx, "SELECT * FROM tokens")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	hashes := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			var b []byte
			switch v := v.(type) {
			case []byte:
				b = v
			case string:
				b = []byte(v)
			default:
				b = []byte(fmt.Sprint(v))
			}
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("column %s holds the token's plaintext", cols[i])
			}
			if bytes.Equal(b, store.HashToken(plain)) {
				hashes++
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if hashes != 1 {
		t.Errorf("the token's SHA-256 hash is in %d columns, want 1", hashes)
	}
}

// ImportFault checks that an import failing inside the database, after
// earlier rows were written, leaves the store as it was. failOn makes the
// database refuse to store the asset with the given ID (a trigger, say).
func ImportFault(t *testing.T, s store.Store, failOn func(t *testing.T, assetID string)) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum")
	mustImport(t, s, org.ID, newAsset("existing"))
	before, err := s.Asset(ctx, org.ID, "existing")
	if err != nil {
		t.Fatal(err)
	}
	batch := make([]inventory.Asset, 2000)
	for i := range batch {
		batch[i] = newAsset(fmt.Sprintf("a-%04d", i))
	}
	changed := newAsset("existing")
	changed.Version = "9"
	batch[0] = changed
	failOn(t, batch[999].ID) // the 1000th
	for _, mode := range []store.ImportMode{store.Merge, store.Replace} {
		if _, err := s.ImportAssets(ctx, org.ID, batch, mode); err == nil {
			t.Fatalf("ImportAssets(mode %d) succeeded, want the injected fault", mode)
		}
		if d := cmp.Diff([]string{"existing"}, assetIDs(t, s, org.ID, store.AssetFilter{})); d != "" {
			t.Errorf("assets after a failed ImportAssets(mode %d) mismatch (-want +got):\n%s", mode, d)
		}
		if after, _ := s.Asset(ctx, org.ID, "existing"); !cmp.Equal(before, after) {
			t.Errorf("a failed ImportAssets(mode %d) changed the existing asset", mode)
		}
	}
}
