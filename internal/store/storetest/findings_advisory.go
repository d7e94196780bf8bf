package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// testListFindingsAdvisory checks the advisory filter of ListFindings and
// CountFindings, alone and with the asset filter.
func testListFindingsAdvisory(t *testing.T, s store.Store) {
	ctx := t.Context()
	org, _, _, _, f4, f5 := listFixture(t, s)
	keys := func(items ...scan.Item) []store.FindingKey {
		var ks []store.FindingKey
		for i := range items {
			ks = append(ks, store.KeyOf(&items[i]))
		}
		return ks
	}
	for _, tc := range []struct {
		name string
		f    store.FindingFilter
		want []store.FindingKey
	}{
		{"advisory", store.FindingFilter{AdvisoryID: "ADV-3"}, keys(f4, f5)},
		{"advisory and asset", store.FindingFilter{AdvisoryID: "ADV-3", AssetID: "a3"}, keys(f5)},
		{"advisory of another asset", store.FindingFilter{AdvisoryID: "ADV-2", AssetID: "a3"}, nil},
		{"unknown advisory", store.FindingFilter{AdvisoryID: "ADV-9"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []store.FindingKey
			for _, f := range all(t, 1, func(o store.ListOptions) (store.Page[store.FindingRecord], error) {
				return s.ListFindings(ctx, org, tc.f, o)
			}) {
				got = append(got, f.Key)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("ListFindings(%+v) mismatch (-want +got):\n%s", tc.f, d)
			}
			counts, err := s.CountFindings(ctx, org, tc.f)
			if err != nil {
				t.Fatalf("CountFindings() = %v", err)
			}
			n := 0
			for _, c := range counts {
				n += c.Count
			}
			if n != len(tc.want) {
				t.Errorf("CountFindings(%+v) = %d findings, want %d", tc.f, n, len(tc.want))
			}
			if other, err := s.ListFindings(ctx, "no-such-org", tc.f, store.ListOptions{}); err != nil || len(other.Items) != 0 {
				t.Errorf("ListFindings(other org) = %d items, %v; want none", len(other.Items), err)
			}
		})
	}
}
