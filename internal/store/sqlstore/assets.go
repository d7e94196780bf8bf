package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
)

// assetBatch is how many assets one INSERT writes.
const assetBatch = 100

// assetCols are the columns of an asset row that an import writes.
var assetCols = []string{"org_id", "id", "name", "kind", "vendor", "product", "zone", "exposure", "clinical_role", "search", "data", "created_at", "updated_at"}

// upsertAssets is the INSERT of n assets that replaces those with the same
// IDs and keeps their created_at.
func upsertAssets(n int) string {
	var set []string
	for _, c := range assetCols[2:] {
		if c != "created_at" {
			set = append(set, c+" = excluded."+c)
		}
	}
	return "INSERT INTO assets (" + strings.Join(assetCols, ", ") + ") VALUES " + rowMarks(n, len(assetCols)) +
		" ON CONFLICT (org_id, id) DO UPDATE SET " + strings.Join(set, ", ")
}

// assetArgs appends the values of a's row.
func assetArgs(args []any, org string, a *inventory.Asset, now time.Time) ([]any, error) {
	data, err := jsonText(a)
	if err != nil {
		return nil, fmt.Errorf("asset %q: %w", a.ID, err)
	}
	search := strings.ToLower(strings.Join([]string{a.ID, a.Name, a.Vendor, a.Product}, "\n"))
	return append(args, org, a.ID, a.Name, a.Kind, a.Vendor, a.Product, a.Zone,
		string(a.ExposureOrDefault()), string(a.RoleOrDefault()), search, data, micros(now), micros(now)), nil
}

// ImportAssets implements [store.Assets].
func (db *DB) ImportAssets(ctx context.Context, org string, assets []inventory.Asset, mode store.ImportMode) (store.ImportCounts, error) {
	var counts store.ImportCounts
	index := make(map[string]int, len(assets))
	for i := range assets {
		a := &assets[i]
		if err := a.Validate(); err != nil {
			return counts, fmt.Errorf("import assets: %w: assets[%d]: %w", store.ErrInvalid, i, err)
		}
		if j, dup := index[a.ID]; dup {
			return counts, fmt.Errorf("import assets: %w: assets[%d]: id %q: also assets[%d]", store.ErrInvalid, i, a.ID, j)
		}
		index[a.ID] = i
	}
	err := db.inTx(ctx, func(c conn) error {
		if err := db.lockOrg(ctx, c, org); err != nil {
			return err
		}
		existing, err := assetIDs(ctx, c, org)
		if err != nil {
			return err
		}
		now := db.now()
		for batch := range slices.Chunk(assets, assetBatch) {
			args := make([]any, 0, len(batch)*len(assetCols))
			for i := range batch {
				if args, err = assetArgs(args, org, &batch[i], now); err != nil {
					return err
				}
				if _, ok := existing[batch[i].ID]; ok {
					counts.Updated++
				} else {
					counts.Added++
				}
			}
			if _, err := c.exec(ctx, upsertAssets(len(batch)), args...); err != nil {
				return err
			}
		}
		if mode != store.Replace {
			return nil
		}
		var gone []any
		for id := range existing {
			if _, keep := index[id]; !keep {
				gone = append(gone, id)
			}
		}
		for batch := range slices.Chunk(gone, 500) {
			if _, err := c.exec(ctx, "DELETE FROM assets WHERE org_id = ? AND id IN ("+marks(len(batch))+")", append([]any{org}, batch...)...); err != nil {
				return err
			}
		}
		counts.Removed = len(gone)
		return nil
	})
	if err != nil {
		return store.ImportCounts{}, fmt.Errorf("import assets: %w", err)
	}
	db.analyze(ctx, counts.Added+counts.Updated+counts.Removed, "assets")
	return counts, nil
}

// assetIDs returns the IDs of org's assets.
func assetIDs(ctx context.Context, c conn, org string) (map[string]struct{}, error) {
	rows, err := c.query(ctx, "SELECT id FROM assets WHERE org_id = ?", org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[string]struct{}{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = struct{}{}
	}
	return ids, rows.Err()
}

// UpsertAsset implements [store.Assets].
func (db *DB) UpsertAsset(ctx context.Context, org string, a inventory.Asset) (store.AssetRecord, error) {
	if err := a.Validate(); err != nil {
		return store.AssetRecord{}, fmt.Errorf("upsert asset: %w: %w", store.ErrInvalid, err)
	}
	args, err := assetArgs(nil, org, &a, db.now())
	if err == nil {
		_, err = db.conn().exec(ctx, upsertAssets(1), args...)
	}
	if err != nil {
		return store.AssetRecord{}, fmt.Errorf("upsert asset: %w", db.constraint(err, fmt.Sprintf("organisation %q", org)))
	}
	return db.Asset(ctx, org, a.ID)
}

const assetSelect = "SELECT data, created_at, updated_at FROM assets"

func scanAsset(r scanner) (store.AssetRecord, error) {
	var a store.AssetRecord
	err := r.Scan(jsonDest{&a.Asset}, at(&a.CreatedAt), at(&a.UpdatedAt))
	return a, err
}

// Asset implements [store.Assets].
func (db *DB) Asset(ctx context.Context, org, id string) (store.AssetRecord, error) {
	a, err := scanAsset(db.conn().queryRow(ctx, assetSelect+" WHERE org_id = ? AND id = ?", org, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.AssetRecord{}, fmt.Errorf("asset %q: %w", id, err)
	}
	return a, nil
}

// DeleteAsset implements [store.Assets].
func (db *DB) DeleteAsset(ctx context.Context, org, id string) error {
	res, err := db.conn().exec(ctx, "DELETE FROM assets WHERE org_id = ? AND id = ?", org, id)
	if err == nil {
		err = affected(res, fmt.Sprintf("asset %q", id))
	}
	if err != nil {
		return fmt.Errorf("delete asset: %w", err)
	}
	return nil
}

// likeEscaper escapes LIKE's wildcards and its escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ListAssets implements [store.Assets].
func (db *DB) ListAssets(ctx context.Context, org string, f store.AssetFilter, opts store.ListOptions) (store.Page[store.AssetRecord], error) {
	if err := f.Validate(); err != nil {
		return store.Page[store.AssetRecord]{}, fmt.Errorf("list assets: %w", err)
	}
	w := &where{}
	w.add("org_id = ?", org)
	for _, eq := range [][2]string{{"kind", f.Kind}, {"zone", f.Zone}, {"clinical_role", string(f.ClinicalRole)}, {"exposure", string(f.Exposure)}} {
		if eq[1] != "" {
			w.add(eq[0]+" = ?", eq[1])
		}
	}
	if f.Query != "" {
		w.add(`search LIKE ? ESCAPE '\'`, "%"+likeEscaper.Replace(strings.ToLower(f.Query))+"%")
	}
	if f.Decision != "" {
		assetDecision(w, f.Decision)
	}
	in(w, "id", f.IDs)
	p, err := list(ctx, db.conn(), opts, assetSelect, w,
		func(w *where, c idCursor) { w.add("id > ?", c.ID) },
		"id", scanAsset, func(a store.AssetRecord) idCursor { return idCursor{a.Asset.ID} })
	if err != nil {
		return p, fmt.Errorf("list assets: %w", err)
	}
	return p, nil
}
