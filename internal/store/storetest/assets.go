package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
)

// richAsset uses every field of an asset, to check the round trip.
func richAsset(id string) inventory.Asset {
	return inventory.Asset{
		ID: id, Name: "Infusion pump ICU-3", Kind: "infusion-pump", Vendor: "B. Braun", Product: "Space",
		Version: "690L", Model: "8713030", CPE: "cpe:2.3:h:bbraun:space:-:*:*:*:*:*:*:*", PURL: "pkg:generic/bbraun/space@690L",
		Location: "ICU 3", Zone: "med-devices", Exposure: inventory.ExposureInternal, ClinicalRole: inventory.RoleLifeSustaining,
		PatientData: true, PatchAuthority: inventory.PatchVendor, EndOfSupport: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), Owner: "Biomed",
		Components: []inventory.Component{{Ref: "fw", Kind: "firmware", Vendor: "B. Braun", Name: "Space FW", Version: "690L", CPE: "cpe:2.3:o:bbraun:fw:690l:*:*:*:*:*:*:*"}},
		Services:   []inventory.Service{{Port: 443, Protocol: "tcp", Name: "https", Product: "lighttpd", Version: "1.4"}},
		Attributes: map[string]string{"ward": "ICU", "serial": "12345"},
		Source:     "inventory.csv:7",
	}
}

func testAssets(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum")
	a := richAsset("pump-1")
	got, err := s.UpsertAsset(ctx, org.ID, a)
	if err != nil {
		t.Fatalf("UpsertAsset() = %v", err)
	}
	want := store.AssetRecord{Asset: a, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if d := diff(want, got); d != "" {
		t.Errorf("UpsertAsset() mismatch (-want +got):\n%s", d)
	}
	if read, err := s.Asset(ctx, org.ID, a.ID); err != nil || !cmp.Equal(got, read) {
		t.Errorf("Asset() = %+v, %v, want %+v", read, err, got)
	}

	a.Version, a.Components = "700", nil
	updated, err := s.UpsertAsset(ctx, org.ID, a)
	if err != nil {
		t.Fatalf("UpsertAsset(update) = %v", err)
	}
	want = store.AssetRecord{Asset: a, CreatedAt: got.CreatedAt, UpdatedAt: time.Now()}
	if d := diff(want, updated); d != "" || !updated.CreatedAt.Equal(got.CreatedAt) {
		t.Errorf("UpsertAsset(update) mismatch, CreatedAt kept (-want +got):\n%s", d)
	}

	for _, tc := range []struct {
		name  string
		org   string
		asset inventory.Asset
		want  []error
	}{
		{"no identity", org.ID, inventory.Asset{ID: "x"}, []error{store.ErrInvalid, inventory.ErrNoIdentity}},
		{"no id", org.ID, inventory.Asset{Vendor: "v", Product: "p"}, []error{store.ErrInvalid, inventory.ErrRequired}},
		{"bad exposure", org.ID, inventory.Asset{ID: "x", CPE: "cpe:2.3:a:x:y", Exposure: "cloud"}, []error{store.ErrInvalid, inventory.ErrInvalid}},
		{"unknown organisation", "org_unknown", newAsset("x"), []error{store.ErrNotFound}},
	} {
		t.Run("UpsertAsset/"+tc.name, func(t *testing.T) {
			_, err := s.UpsertAsset(ctx, tc.org, tc.asset)
			for _, w := range tc.want {
				wantErr(t, "UpsertAsset()", err, w)
			}
		})
	}

	wantErr(t, "DeleteAsset()", s.DeleteAsset(ctx, org.ID, a.ID), nil)
	_, err = s.Asset(ctx, org.ID, a.ID)
	wantErr(t, "Asset(deleted)", err, store.ErrNotFound)
	wantErr(t, "DeleteAsset(deleted)", s.DeleteAsset(ctx, org.ID, a.ID), store.ErrNotFound)
}

func testImportAssets(t *testing.T, s store.Store) {
	ctx := t.Context()
	changed := newAsset("b")
	changed.Version = "2.0"
	for _, tc := range []struct {
		name       string
		mode       store.ImportMode
		batch      []inventory.Asset
		want       store.ImportCounts
		wantIDs    []string
		wantChange bool // b carries version 2.0
	}{
		{"merge", store.Merge, []inventory.Asset{changed, newAsset("c")}, store.ImportCounts{Added: 1, Updated: 1}, []string{"a", "b", "c"}, true},
		{"replace", store.Replace, []inventory.Asset{changed, newAsset("c")}, store.ImportCounts{Added: 1, Updated: 1, Removed: 1}, []string{"b", "c"}, true},
		{"replace with nothing", store.Replace, nil, store.ImportCounts{Removed: 2}, nil, false},
		{"merge nothing", store.Merge, nil, store.ImportCounts{}, []string{"a", "b"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			org := MustOrg(t, s, tc.name)
			mustImport(t, s, org.ID, newAsset("a"), newAsset("b"))
			got, err := s.ImportAssets(ctx, org.ID, tc.batch, tc.mode)
			if err != nil {
				t.Fatalf("ImportAssets() = %v", err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("ImportAssets() counts mismatch (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantIDs, assetIDs(t, s, org.ID, store.AssetFilter{})); d != "" {
				t.Errorf("assets after ImportAssets() mismatch (-want +got):\n%s", d)
			}
			if tc.wantChange {
				if b, err := s.Asset(ctx, org.ID, "b"); err != nil || b.Asset.Version != "2.0" {
					t.Errorf("Asset(b) = %+v, %v, want version 2.0", b.Asset, err)
				}
			}
		})
	}
}

// testImportAllOrNothing imports batches that fail validation: nothing of
// them is stored and the existing assets stay.
func testImportAllOrNothing(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum")
	mustImport(t, s, org.ID, newAsset("existing"))
	before, _ := s.Asset(ctx, org.ID, "existing")

	thousand := make([]inventory.Asset, 1000)
	for i := range thousand {
		thousand[i] = newAsset(fmt.Sprintf("a-%04d", i))
	}
	thousand[999] = inventory.Asset{ID: "a-0999", Name: "nothing to match on"}
	dup := []inventory.Asset{newAsset("x"), newAsset("y"), newAsset("x")}
	for _, tc := range []struct {
		name  string
		org   string
		batch []inventory.Asset
		mode  store.ImportMode
		want  error
	}{
		{"1000th invalid, merge", org.ID, thousand, store.Merge, inventory.ErrNoIdentity},
		{"1000th invalid, replace", org.ID, thousand, store.Replace, store.ErrInvalid},
		{"duplicate id", org.ID, dup, store.Replace, store.ErrInvalid},
		{"unknown organisation", "org_unknown", dup[:2], store.Merge, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.ImportAssets(ctx, tc.org, tc.batch, tc.mode)
			wantErr(t, "ImportAssets()", err, tc.want)
			if d := cmp.Diff([]string{"existing"}, assetIDs(t, s, org.ID, store.AssetFilter{})); d != "" {
				t.Errorf("assets after failed ImportAssets() mismatch (-want +got):\n%s", d)
			}
			if after, _ := s.Asset(ctx, org.ID, "existing"); !cmp.Equal(before, after) {
				t.Errorf("failed ImportAssets() changed the existing asset")
			}
		})
	}
}

// testImportCancelled cancels the context while a large import runs: the
// store ends with all of it or none of it.
func testImportCancelled(t *testing.T, s store.Store) {
	org := MustOrg(t, s, "Klinikum")
	mustImport(t, s, org.ID, newAsset("existing"))
	batch := make([]inventory.Asset, 5000)
	for i := range batch {
		batch[i] = newAsset(fmt.Sprintf("a-%04d", i))
	}
	for _, after := range []time.Duration{0, time.Millisecond, 20 * time.Millisecond} {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(after, cancel)
		_, err := s.ImportAssets(ctx, org.ID, batch, store.Replace)
		cancel()
		switch n := len(assetIDs(t, s, org.ID, store.AssetFilter{})); {
		case err != nil && n != 1:
			t.Fatalf("cancelled after %v: ImportAssets() = %v and left %d assets, want the 1 before", after, err, n)
		case err == nil && n != len(batch):
			t.Fatalf("cancelled after %v: ImportAssets() succeeded with %d assets, want %d", after, n, len(batch))
		case err == nil: // it finished first: start again from the one asset
			if _, err := s.ImportAssets(t.Context(), org.ID, []inventory.Asset{newAsset("existing")}, store.Replace); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func testListAssets(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum")
	mk := func(id, name, kind, vendor, product, zone string, e inventory.Exposure, r inventory.ClinicalRole) inventory.Asset {
		return inventory.Asset{ID: id, Name: name, Kind: kind, Vendor: vendor, Product: product, Zone: zone, Exposure: e, ClinicalRole: r}
	}
	mustImport(t, s, org.ID,
		mk("ct-1", "CT scanner", "ct", "Siemens Healthineers", "SOMATOM", "imaging", inventory.ExposureInternal, inventory.RoleDiagnostic),
		mk("pump-1", "Pumpe Intensiv", "infusion-pump", "B. Braun", "Space", "med", inventory.ExposurePartner, inventory.RoleLifeSustaining),
		mk("pump-2", "Pumpe OP", "infusion-pump", "B. Braun", "Space", "med", "", inventory.RoleLifeSustaining),
		mk("pc-1", "Empfang", "workstation", "Dell", "OptiPlex", "office", inventory.ExposureInternet, ""),
		mk("pc_2", "100% Büro", "workstation", "Dell", "OptiPlex", "office", inventory.ExposureIsolated, inventory.RoleAdministrative),
	)
	for _, tc := range []struct {
		name string
		f    store.AssetFilter
		want []string
	}{
		{"all", store.AssetFilter{}, []string{"ct-1", "pc-1", "pc_2", "pump-1", "pump-2"}},
		{"kind", store.AssetFilter{Kind: "infusion-pump"}, []string{"pump-1", "pump-2"}},
		{"zone", store.AssetFilter{Zone: "office"}, []string{"pc-1", "pc_2"}},
		{"clinical role", store.AssetFilter{ClinicalRole: inventory.RoleLifeSustaining}, []string{"pump-1", "pump-2"}},
		{"unset role is administrative", store.AssetFilter{ClinicalRole: inventory.RoleAdministrative}, []string{"pc-1", "pc_2"}},
		{"unset exposure is internal", store.AssetFilter{Exposure: inventory.ExposureInternal}, []string{"ct-1", "pump-2"}},
		{"query name ignoring case", store.AssetFilter{Query: "PUMPE"}, []string{"pump-1", "pump-2"}},
		{"query vendor", store.AssetFilter{Query: "healthineers"}, []string{"ct-1"}},
		{"query product", store.AssetFilter{Query: "optiplex"}, []string{"pc-1", "pc_2"}},
		{"query id", store.AssetFilter{Query: "ct-"}, []string{"ct-1"}},
		{"query non-ASCII", store.AssetFilter{Query: "BÜRO"}, []string{"pc_2"}},
		{"query underscore is literal", store.AssetFilter{Query: "c_"}, []string{"pc_2"}},
		{"query percent is literal", store.AssetFilter{Query: "%"}, []string{"pc_2"}},
		{"combined", store.AssetFilter{Kind: "infusion-pump", Exposure: inventory.ExposurePartner, Query: "space"}, []string{"pump-1"}},
		{"none", store.AssetFilter{Zone: "lab"}, nil},
		{"ids", store.AssetFilter{IDs: []string{"pump-2", "ct-1", "gone"}}, []string{"ct-1", "pump-2"}},
		{"ids and kind", store.AssetFilter{IDs: []string{"pump-2", "ct-1"}, Kind: "ct"}, []string{"ct-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, assetIDs(t, s, org.ID, tc.f)); d != "" {
				t.Errorf("ListAssets(%+v) mismatch (-want +got):\n%s", tc.f, d)
			}
		})
	}
	for _, f := range []store.AssetFilter{{Exposure: "cloud"}, {ClinicalRole: "surgical"}, {IDs: make([]string, store.MaxLimit+1)}} {
		_, err := s.ListAssets(ctx, org.ID, f, store.ListOptions{})
		wantErr(t, fmt.Sprintf("ListAssets(%+v)", f), err, store.ErrInvalid)
	}
}
