package storetest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// randomItems returns n items over a few assets with random decisions and
// due dates, from a fixed seed.
func randomItems(n int, seed uint64) []scan.Item {
	r := rand.New(rand.NewPCG(seed, seed))
	items := make([]scan.Item, n)
	for i := range items {
		d := risk.Decisions[r.IntN(len(risk.Decisions))]
		items[i] = newItem(fmt.Sprintf("asset-%03d", r.IntN(n/4+1)), fmt.Sprintf("ADV-%d", r.IntN(5)), fmt.Sprintf("CVE-%d-%d", seed, i), d, day(r.IntN(30)))
		items[i].KEV = r.IntN(10) == 0
	}
	return items
}

// urgencyOrder sorts keys as ListFindings orders findings of items.
func urgencyOrder(items []scan.Item) []store.FindingKey {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b scan.Item) int {
		return cmp.Or(cmp.Compare(a.Decision.Rank(), b.Decision.Rank()), a.Due.Compare(b.Due),
			cmp.Compare(a.AssetID, b.AssetID), cmp.Compare(a.AdvisoryID, b.AdvisoryID), cmp.Compare(a.CVE, b.CVE), cmp.Compare(a.Component, b.Component))
	})
	keys := make([]store.FindingKey, len(items))
	for i := range items {
		keys[i] = store.KeyOf(&items[i])
	}
	return keys
}

func findingKeys(t *testing.T, s store.Store, org string, limit int) []store.FindingKey {
	t.Helper()
	var keys []store.FindingKey
	for _, f := range all(t, limit, func(o store.ListOptions) (store.Page[store.FindingRecord], error) {
		return s.ListFindings(t.Context(), org, store.FindingFilter{}, o)
	}) {
		keys = append(keys, f.Key)
	}
	return keys
}

func testPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID

	var assets []inventory.Asset
	var ids []string
	for i := range 25 {
		id := fmt.Sprintf("a-%02d", i)
		assets, ids = append(assets, newAsset(id)), append(ids, id)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(assets), func(i, j int) { assets[i], assets[j] = assets[j], assets[i] })
	mustImport(t, s, org, assets...)
	for _, limit := range []int{1, 7, 25, 26, store.MaxLimit} {
		got := []string{}
		for _, a := range all(t, limit, func(o store.ListOptions) (store.Page[store.AssetRecord], error) {
			return s.ListAssets(ctx, org, store.AssetFilter{}, o)
		}) {
			got = append(got, a.Asset.ID)
		}
		if d := gocmp.Diff(ids, got); d != "" {
			t.Errorf("ListAssets() pages of %d mismatch (-want +got):\n%s", limit, d)
		}
	}

	items := randomItems(120, 7)
	mustSync(t, s, org, day(0), items...)
	want := urgencyOrder(items)
	for _, limit := range []int{1, 13, 120} {
		if d := gocmp.Diff(want, findingKeys(t, s, org, limit)); d != "" {
			t.Errorf("ListFindings() pages of %d mismatch (-want +got):\n%s", limit, d)
		}
	}

	var audit []int64
	for i := range 9 {
		e, err := s.AppendAudit(ctx, org, "a", "action", fmt.Sprint(i))
		if err != nil {
			t.Fatal(err)
		}
		audit = append([]int64{e.ID}, audit...)
	}
	var gotAudit []int64
	for _, e := range all(t, 4, func(o store.ListOptions) (store.Page[store.AuditEntry], error) { return s.ListAudit(ctx, org, o) }) {
		gotAudit = append(gotAudit, e.ID)
	}
	if d := gocmp.Diff(audit, gotAudit); d != "" {
		t.Errorf("ListAudit() pages mismatch (-want +got):\n%s", d)
	}

	auditPage, err := s.ListAudit(ctx, org, store.ListOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		opts      store.ListOptions
		wantItems int
		want      error
	}{
		{"default limit", store.ListOptions{}, store.DefaultLimit, nil},
		{"largest limit", store.ListOptions{Limit: store.MaxLimit}, len(items), nil},
		{"negative limit", store.ListOptions{Limit: -1}, 0, store.ErrInvalid},
		{"limit too large", store.ListOptions{Limit: store.MaxLimit + 1}, 0, store.ErrInvalid},
		{"garbage cursor", store.ListOptions{Cursor: "!!"}, 0, store.ErrInvalid},
		{"cursor of JSON garbage", store.ListOptions{Cursor: "bm90IGpzb24"}, 0, store.ErrInvalid},
		{"cursor of another list", store.ListOptions{Cursor: auditPage.Next}, 0, store.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.ListFindings(ctx, org, store.FindingFilter{}, tc.opts)
			wantErr(t, "ListFindings()", err, tc.want)
			if len(p.Items) != tc.wantItems {
				t.Errorf("ListFindings() returned %d items, want %d", len(p.Items), tc.wantItems)
			}
		})
	}
}

// testPagingInserts changes a list between pages: rows added before the
// cursor are not seen, rows added after it are, and none is seen twice.
func testPagingInserts(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	var assets []inventory.Asset
	for i := 0; i < 40; i += 2 {
		assets = append(assets, newAsset(fmt.Sprintf("b-%02d", i)))
	}
	mustImport(t, s, org, assets...)

	first, err := s.ListAssets(ctx, org, store.AssetFilter{}, store.ListOptions{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	mustImport(t, s, org, newAsset("a-before"), newAsset("b-03"), newAsset("b-11"), newAsset("b-39"))
	for _, id := range []string{"b-08", "b-20"} { // the cursor's own row, and one ahead
		if err := s.DeleteAsset(ctx, org, id); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, a := range first.Items {
		got = append(got, a.Asset.ID)
	}
	opts := store.ListOptions{Limit: 5, Cursor: first.Next}
	for opts.Cursor != "" {
		p, err := s.ListAssets(ctx, org, store.AssetFilter{}, opts)
		if err != nil {
			t.Fatalf("ListAssets() = %v", err)
		}
		for _, a := range p.Items {
			got = append(got, a.Asset.ID)
		}
		opts.Cursor = p.Next
	}
	want := []string{"b-00", "b-02", "b-04", "b-06", "b-08", "b-10", "b-11", "b-12", "b-14", "b-16", "b-18",
		"b-22", "b-24", "b-26", "b-28", "b-30", "b-32", "b-34", "b-36", "b-38", "b-39"}
	if d := gocmp.Diff(want, got); d != "" {
		t.Errorf("ListAssets() across inserts mismatch (-want +got):\n%s", d)
	}

	items := randomItems(60, 3)
	mustSync(t, s, org, day(0), items...)
	page1, err := s.ListFindings(ctx, org, store.FindingFilter{}, store.ListOptions{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	more := randomItems(60, 4) // sorting before and after the cursor
	mustSync(t, s, org, day(1), append(slices.Clone(items), more...)...)
	seen := map[store.FindingKey]int{}
	for _, f := range page1.Items {
		seen[f.Key]++
	}
	for _, k := range findingKeysFrom(t, s, org, page1.Next) {
		seen[k]++
	}
	last := page1.Items[len(page1.Items)-1].Key
	order := urgencyOrder(append(slices.Clone(items), more...))
	cursorAt := slices.Index(order, last)
	for i, k := range order {
		switch n := seen[k]; {
		case n > 1:
			t.Errorf("ListFindings() returned %v %d times", k, n)
		case n == 0 && (i > cursorAt || slices.Contains(urgencyOrder(items), k)):
			t.Errorf("ListFindings() never returned %v", k)
		}
	}
}

// findingKeysFrom walks ListFindings from cursor to the end.
func findingKeysFrom(t *testing.T, s store.Store, org, cursor string) []store.FindingKey {
	t.Helper()
	var keys []store.FindingKey
	for opts := (store.ListOptions{Limit: 20, Cursor: cursor}); opts.Cursor != ""; {
		p, err := s.ListFindings(t.Context(), org, store.FindingFilter{}, opts)
		if err != nil {
			t.Fatalf("ListFindings() = %v", err)
		}
		for _, f := range p.Items {
			keys = append(keys, f.Key)
		}
		opts.Cursor = p.Next
	}
	return keys
}
