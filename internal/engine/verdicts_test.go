package engine_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
)

var now = time.Date(2026, 11, 23, 7, 40, 0, 0, time.UTC)

// viewForum is an advisory on every version of Philips ViewForum: assets
// the range is qualified, so assets match it only possibly.
func viewForum(id, cve string) *advisory.Advisory {
	return &advisory.Advisory{ID: id, Title: "ViewForum flaw", Vulnerabilities: []advisory.Vulnerability{{
		CVE: cve, CVSS: 7.5,
		Affects: []advisory.Affect{{
			Product: advisory.Identity{Vendor: "Philips", Name: "ViewForum"},
			Ranges:  []advisory.Range{{Status: advisory.StatusKnownAffected, All: true, Qualified: true}},
		}},
	}}}
}

func TestRescan_AppliesVerdictsAndPolicy(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	org, err := st.CreateOrg(ctx, store.Organisation{Name: "Klinikum", Kind: store.KindHospital, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportAssets(ctx, org.ID, []inventory.Asset{
		{ID: "ws-1", Name: "Workstation 1", Kind: "workstation", Vendor: "Philips", Product: "ViewForum"},
		{ID: "ws-2", Name: "Workstation 2", Kind: "workstation", Vendor: "Philips", Product: "ViewForum"},
	}, store.Merge); err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Config{Store: st, Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.SetCatalog(engine.NewCatalog(&advisory.Set{Advisories: []*advisory.Advisory{viewForum("ADV-1", "CVE-2026-0001")}}))
	if _, err := e.Rescan(ctx, org.ID); err != nil {
		t.Fatalf("Rescan() = %v", err)
	}
	k := func(asset, adv, cve string) store.FindingKey {
		return store.FindingKey{AssetID: asset, AdvisoryID: adv, VulnID: cve}
	}
	get := func(key store.FindingKey) store.FindingRecord {
		t.Helper()
		f, err := st.Finding(ctx, org.ID, key)
		if err != nil {
			t.Fatalf("Finding(%v) = %v", key, err)
		}
		return f
	}
	f1 := get(k("ws-1", "ADV-1", "CVE-2026-0001"))
	if f1.Item.Confidence != match.Possible || f1.Item.Product == "" {
		t.Fatalf("finding before verdicts: confidence %s product %q, want a possible match with a product", f1.Item.Confidence, f1.Item.Product)
	}
	if _, err := st.JudgeFinding(ctx, org.ID, k("ws-1", "ADV-1", "CVE-2026-0001"), store.Judgement{Outcome: store.Rejected, Actor: "anna@example.org", Note: "it is a Siemens"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.JudgeFinding(ctx, org.ID, k("ws-2", "ADV-1", "CVE-2026-0001"), store.Judgement{Outcome: store.Confirmed, Actor: "anna@example.org"}); err != nil {
		t.Fatal(err)
	}
	days := 7
	if err := st.SetOrgPolicy(ctx, org.ID, store.DuePolicy{Days: map[risk.Decision]int{
		risk.Act: days, risk.Attend: days, risk.TrackStar: days, risk.Track: days,
	}}); err != nil {
		t.Fatal(err)
	}

	// A new advisory on the same product: the verdicts apply to it too.
	e.SetCatalog(engine.NewCatalog(&advisory.Set{Advisories: []*advisory.Advisory{
		viewForum("ADV-1", "CVE-2026-0001"), viewForum("ADV-2", "CVE-2026-0002"),
	}}))
	if _, err := e.Rescan(ctx, org.ID); err != nil {
		t.Fatalf("second Rescan() = %v", err)
	}
	for _, tc := range []struct {
		key       store.FindingKey
		state     store.FindingState
		conf      match.Confidence
		justified bool
	}{
		{k("ws-1", "ADV-1", "CVE-2026-0001"), store.StateNotAffected, match.Possible, true},
		{k("ws-1", "ADV-2", "CVE-2026-0002"), store.StateNotAffected, match.Possible, true},
		{k("ws-2", "ADV-1", "CVE-2026-0001"), store.StateOpen, match.Confirmed, false},
		{k("ws-2", "ADV-2", "CVE-2026-0002"), store.StateNew, match.Confirmed, false},
	} {
		f := get(tc.key)
		if f.State != tc.state || f.Item.Confidence != tc.conf || (f.Justification == store.ComponentNotPresent) != tc.justified {
			t.Errorf("%s %s: state %s confidence %s justification %q, want %s %s (justified %v)",
				tc.key.AssetID, tc.key.AdvisoryID, f.State, f.Item.Confidence, f.Justification, tc.state, tc.conf, tc.justified)
		}
		if f.Item.Decision != "" && !f.Item.Due.Equal(now.Add(time.Duration(days)*24*time.Hour)) {
			t.Errorf("%s %s: due %v, want now + %d days (the organisation's policy)", tc.key.AssetID, tc.key.AdvisoryID, f.Item.Due, days)
		}
	}
	// A third rescan changes nothing more: no duplicate history.
	h1, _ := st.FindingHistory(ctx, org.ID, k("ws-1", "ADV-2", "CVE-2026-0002"), store.ListOptions{})
	if _, err := e.Rescan(ctx, org.ID); err != nil {
		t.Fatal(err)
	}
	h2, _ := st.FindingHistory(ctx, org.ID, k("ws-1", "ADV-2", "CVE-2026-0002"), store.ListOptions{})
	if len(h1.Items) != 1 || len(h2.Items) != 1 {
		t.Errorf("history of the rejected finding = %d then %d events, want 1 and 1", len(h1.Items), len(h2.Items))
	}
}

func TestApplyVerdicts(t *testing.T) {
	t.Parallel()
	items := []scanItem{
		{"a", "ADV-1", "X Y", match.Possible},
		{"a", "ADV-2", "x  y", match.Possible},
		{"a", "ADV-3", "X Y", match.Confirmed},
		{"b", "ADV-1", "X Y", match.Possible},
		{"c", "ADV-1", "X Y", match.Possible},
	}
	its := toItems(items)
	rej := engine.ApplyVerdicts(its, []store.Verdict{
		{AssetID: "a", Product: "x y", Outcome: store.Rejected, Actor: "p"},
		{AssetID: "b", Product: "X Y", Outcome: store.Confirmed, Actor: "p"},
	})
	var got []string
	for _, r := range rej {
		got = append(got, r.Key.AssetID+"/"+r.Key.AdvisoryID)
	}
	if len(got) != 2 || got[0] != "a/ADV-1" || got[1] != "a/ADV-2" {
		t.Errorf("ApplyVerdicts() rejected %v, want a/ADV-1 and a/ADV-2", got)
	}
	wantConf := []match.Confidence{match.Possible, match.Possible, match.Confirmed, match.Confirmed, match.Possible}
	for i, it := range its {
		if it.Confidence != wantConf[i] {
			t.Errorf("item %d: confidence %s, want %s", i, it.Confidence, wantConf[i])
		}
	}
}

type scanItem struct {
	asset, adv, product string
	conf                match.Confidence
}

func toItems(in []scanItem) []scan.Item {
	out := make([]scan.Item, len(in))
	for i, s := range in {
		out[i] = scan.Item{AssetID: s.asset, AdvisoryID: s.adv, CVE: "CVE-1", Product: s.product, Confidence: s.conf}
	}
	return out
}
