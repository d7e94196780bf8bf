package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// testStats covers [store.Stats] and the filters the pages use
// (FindingFilter.AdvisoryID, AssetFilter.Decision): counts over time from
// the findings' history, the exposure breakdown, and that neither sees
// another organisation's findings.
func testStats(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	other := MustOrg(t, s, "Praxis").ID

	pump := newAsset("pump-1")
	pump.ClinicalRole, pump.Zone = inventory.RoleLifeSustaining, "icu"
	ct := newAsset("ct-1")
	ct.ClinicalRole, ct.Zone = inventory.RoleDiagnostic, "radiology"
	pc := newAsset("pc-1")
	pc.Zone = "office" // administrative by default
	mustImport(t, s, org, pump, ct, pc)
	mustImport(t, s, other, newAsset("pump-1"), newAsset("other-1"))

	// The store stamps person-made changes with its own clock, so the
	// timeline is laid out in the past, around now.
	base := time.Now().UTC().Add(-10*time.Hour - 30*time.Minute).Truncate(time.Second)
	a := newItem("pump-1", "ADV-1", "CVE-1", risk.Act, base)
	b := newItem("ct-1", "ADV-1", "CVE-2", risk.Attend, base)
	c := newItem("pc-1", "ADV-2", "CVE-3", risk.Track, base)
	mustSync(t, s, org, base, a, b, c)
	mustSync(t, s, org, base.Add(2*time.Hour), a, b)    // c no longer matched: resolved
	mustSync(t, s, org, base.Add(3*time.Hour), a, b, c) // c matched again: reopened
	mustMove(t, s, org, store.KeyOf(&b), transitionTo(store.StateMitigated))
	// The other organisation's findings count for it alone.
	mustSync(t, s, other, base, newItem("pump-1", "ADV-1", "CVE-1", risk.Act, base), newItem("other-1", "ADV-1", "CVE-1", risk.Act, base))

	t.Run("FindingTrend", func(t *testing.T) {
		got, err := s.FindingTrend(ctx, org, base.Add(-time.Hour), base.Add(12*time.Hour), time.Hour)
		if err != nil {
			t.Fatalf("FindingTrend() = %v", err)
		}
		var want []store.TrendPoint
		for i := range 14 {
			at := base.Add(time.Duration(i-1) * time.Hour)
			open := map[risk.Decision]int{}
			if i >= 1 {
				open[risk.Act] = 1
				if i <= 11 { // mitigated about 10.5 hours after base
					open[risk.Attend] = 1
				}
				if i != 3 { // resolved from base+2h to base+3h
					open[risk.Track] = 1
				}
			}
			want = append(want, store.TrendPoint{At: at, Open: open})
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("FindingTrend() mismatch (-want +got):\n%s", d)
		}
		if n := got[1].Total(); n != 3 {
			t.Errorf("FindingTrend()[1].Total() = %d, want 3", n)
		}
	})
	t.Run("FindingTrend_Invalid", func(t *testing.T) {
		for name, r := range map[string]struct {
			since, until time.Time
			step         time.Duration
		}{
			"no step":        {base, base, 0},
			"until before":   {base, base.Add(-time.Hour), time.Hour},
			"too many steps": {base, base.Add(time.Duration(store.MaxTrendPoints) * time.Minute), time.Minute},
		} {
			_, err := s.FindingTrend(ctx, org, r.since, r.until, r.step)
			wantErr(t, "FindingTrend("+name+")", err, store.ErrInvalid)
		}
	})
	t.Run("FindingTrend_UnknownOrg", func(t *testing.T) {
		got, err := s.FindingTrend(ctx, "org_unknown", base, base, time.Hour)
		if err != nil || len(got) != 1 || got[0].Total() != 0 {
			t.Errorf("FindingTrend(unknown org) = %v, %v; want one empty point", got, err)
		}
	})
	t.Run("ExposureBreakdown", func(t *testing.T) {
		got, err := s.ExposureBreakdown(ctx, org)
		if err != nil {
			t.Fatalf("ExposureBreakdown() = %v", err)
		}
		// b is mitigated, so the CT counts nowhere.
		want := store.Exposure{
			ByRole: []store.ExposureGroup{
				{Name: string(inventory.RoleLifeSustaining), Assets: 1, Findings: map[risk.Decision]int{risk.Act: 1}},
				{Name: string(inventory.RoleAdministrative), Assets: 1, Findings: map[risk.Decision]int{risk.Track: 1}},
			},
			ByZone: []store.ExposureGroup{
				{Name: "icu", Assets: 1, Findings: map[risk.Decision]int{risk.Act: 1}},
				{Name: "office", Assets: 1, Findings: map[risk.Decision]int{risk.Track: 1}},
			},
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("ExposureBreakdown() mismatch (-want +got):\n%s", d)
		}
		o, err := s.ExposureBreakdown(ctx, other)
		if err != nil {
			t.Fatalf("ExposureBreakdown(other) = %v", err)
		}
		if len(o.ByZone) != 1 || o.ByZone[0].Assets != 2 || o.ByZone[0].Total() != 2 {
			t.Errorf("ExposureBreakdown(other).ByZone = %+v, want one group of 2 assets and 2 findings", o.ByZone)
		}
	})
	t.Run("KnownAssetIDs", func(t *testing.T) {
		got, err := s.KnownAssetIDs(ctx, org, []string{"pump-1", "other-1", "nope", "pc-1"})
		if err != nil {
			t.Fatalf("KnownAssetIDs() = %v", err)
		}
		slices.Sort(got)
		if d := cmp.Diff([]string{"pc-1", "pump-1"}, got); d != "" {
			t.Errorf("KnownAssetIDs() mismatch (-want +got):\n%s", d)
		}
	})
	t.Run("FindingFilter_AdvisoryID", func(t *testing.T) {
		var got []string
		for _, f := range all(t, 1, func(o store.ListOptions) (store.Page[store.FindingRecord], error) {
			return s.ListFindings(ctx, org, store.FindingFilter{AdvisoryID: "ADV-1"}, o)
		}) {
			got = append(got, f.Key.AssetID)
		}
		if d := cmp.Diff([]string{"pump-1", "ct-1"}, got); d != "" {
			t.Errorf("ListFindings(AdvisoryID) assets mismatch (-want +got):\n%s", d)
		}
	})
	t.Run("AssetFilter_Decision", func(t *testing.T) {
		for d, want := range map[risk.Decision][]string{
			risk.Act:    {"pump-1"},
			risk.Attend: nil, // mitigated is not open
			risk.Track:  {"pc-1"},
		} {
			if diff := cmp.Diff(want, assetIDs(t, s, org, store.AssetFilter{Decision: d})); diff != "" {
				t.Errorf("ListAssets(Decision %s) mismatch (-want +got):\n%s", d, diff)
			}
		}
		_, err := s.ListAssets(ctx, org, store.AssetFilter{Decision: "soon"}, store.ListOptions{})
		wantErr(t, "ListAssets(Decision soon)", err, store.ErrInvalid)
	})
}
