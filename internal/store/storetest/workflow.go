package storetest

import (
	"testing"
	"time"

	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// workflowTests are the contract tests of comments, verdicts and settings;
// [StoreSuite] runs them.
var workflowTests = []struct {
	name string
	test func(t *testing.T, s store.Store)
}{
	{"CommentFinding", testCommentFinding},
	{"JudgeFinding_Rejected", testJudgeRejected},
	{"JudgeFinding_Confirmed", testJudgeConfirmed},
	{"JudgeFinding_Errors", testJudgeErrors},
	{"ListVerdicts", testListVerdicts},
	{"OrgPolicy", testOrgPolicy},
	{"WorkflowIsolation", testWorkflowIsolation},
}

// possibleItem returns a possible match of asset with product.
func possibleItem(asset, adv, cve, product string) scan.Item {
	it := newItem(asset, adv, cve, risk.Attend, day(14))
	it.Confidence, it.Product, it.Evidence = match.Possible, product, "name only"
	return it
}

func testCommentFinding(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	it := newItem("pump-1", "ICSMA-1", "CVE-2024-1", risk.Act, day(2))
	k := store.KeyOf(&it)
	mustSync(t, s, org, day(0), it)
	e, err := s.CommentFinding(ctx, org, k, "alice@example.org", "called the vendor")
	wantErr(t, "CommentFinding()", err, nil)
	want := store.FindingEvent{ID: e.ID, At: time.Now(), Actor: "alice@example.org", From: store.StateNew, To: store.StateNew, Comment: "called the vendor"}
	if d := diff(want, e); d != "" {
		t.Errorf("CommentFinding() mismatch (-want +got):\n%s", d)
	}
	if d := diff([]store.FindingEvent{want}, history(t, s, org, k)); d != "" {
		t.Errorf("history after a comment mismatch (-want +got):\n%s", d)
	}
	if f := mustFinding(t, s, org, k); f.State != store.StateNew {
		t.Errorf("state after a comment = %s, want new", f.State)
	}
	for name, tc := range map[string]struct {
		actor, comment string
		key            store.FindingKey
		want           error
	}{
		"no actor":     {"", "x", k, store.ErrInvalid},
		"no comment":   {"a", " ", k, store.ErrInvalid},
		"unknown":      {"a", "x", store.FindingKey{AssetID: "nope", AdvisoryID: "x"}, store.ErrNotFound},
		"other org id": {"a", "x", k, nil},
	} {
		o := org
		if name == "other org id" {
			o, tc.want = MustOrg(t, s, "Other").ID, store.ErrNotFound
		}
		_, err := s.CommentFinding(ctx, o, tc.key, tc.actor, tc.comment)
		wantErr(t, "CommentFinding("+name+")", err, tc.want)
	}
}

func testJudgeRejected(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	a := possibleItem("pc-1", "ADV-1", "CVE-2024-1", "Medisoft Practice PC")
	b := possibleItem("pc-1", "ADV-2", "CVE-2024-2", "medisoft  practice pc") // same product, other spelling
	c := possibleItem("pc-1", "ADV-3", "CVE-2024-3", "Other Product")
	d := possibleItem("pc-2", "ADV-1", "CVE-2024-1", "Medisoft Practice PC") // other asset
	e := possibleItem("pc-1", "ADV-4", "CVE-2024-4", "Medisoft Practice PC")
	mustSync(t, s, org, day(0), a, b, c, d, e)
	ke := store.KeyOf(&e)
	mustMove(t, s, org, ke, transitionTo(store.StateResolved)) // resolved is not live: it stays

	v, err := s.JudgeFinding(ctx, org, store.KeyOf(&a), store.Judgement{Outcome: store.Rejected, Actor: "alice@example.org", Note: "it is a Siemens PC"})
	wantErr(t, "JudgeFinding(rejected)", err, nil)
	want := store.Verdict{AssetID: "pc-1", Product: "Medisoft Practice PC", Outcome: store.Rejected, Note: "it is a Siemens PC",
		Actor: "alice@example.org", At: time.Now(), AdvisoryID: "ADV-1", VulnID: "CVE-2024-1"}
	if df := diff(want, v); df != "" {
		t.Errorf("JudgeFinding() mismatch (-want +got):\n%s", df)
	}
	for _, tc := range []struct {
		it    scan.Item
		state store.FindingState
	}{{a, store.StateNotAffected}, {b, store.StateNotAffected}, {c, store.StateNew}, {d, store.StateNew}, {e, store.StateResolved}} {
		f := mustFinding(t, s, org, store.KeyOf(&tc.it))
		if f.State != tc.state {
			t.Errorf("%s %s: state %s, want %s", tc.it.AssetID, tc.it.AdvisoryID, f.State, tc.state)
		}
		if tc.state == store.StateNotAffected {
			if f.Justification != store.ComponentNotPresent || f.Reason == "" {
				t.Errorf("%s: justification %q reason %q, want component_not_present and a reason", tc.it.AdvisoryID, f.Justification, f.Reason)
			}
			h := history(t, s, org, store.KeyOf(&tc.it))
			if len(h) != 1 || h[0].To != store.StateNotAffected || h[0].Actor != "alice@example.org" {
				t.Errorf("%s: history %+v, want one move to not_affected by alice", tc.it.AdvisoryID, h)
			}
		}
	}
	got := all(t, 1, func(o store.ListOptions) (store.Page[store.Verdict], error) { return s.ListVerdicts(ctx, org, o) })
	if df := diff([]store.Verdict{want}, got); df != "" {
		t.Errorf("ListVerdicts() mismatch (-want +got):\n%s", df)
	}

	// Changing one's mind: confirmed reopens what the rejection closed.
	v, err = s.JudgeFinding(ctx, org, store.KeyOf(&b), store.Judgement{Outcome: store.Confirmed, Actor: "bob@example.org"})
	wantErr(t, "JudgeFinding(confirmed after rejected)", err, nil)
	if v.Outcome != store.Confirmed || v.Product != "medisoft  practice pc" {
		t.Errorf("JudgeFinding() = %+v, want confirmed, product as b names it", v)
	}
	for _, it := range []scan.Item{a, b} {
		f := mustFinding(t, s, org, store.KeyOf(&it))
		if f.State != store.StateOpen || f.Justification != "" || f.Item.Confidence != match.Confirmed {
			t.Errorf("%s after confirmation: state %s justification %q confidence %s, want open, none, confirmed",
				it.AdvisoryID, f.State, f.Justification, f.Item.Confidence)
		}
	}
	if n := len(all(t, 10, func(o store.ListOptions) (store.Page[store.Verdict], error) { return s.ListVerdicts(ctx, org, o) })); n != 1 {
		t.Errorf("verdicts after a second judgement = %d, want 1 (replaced)", n)
	}
	wantErr(t, "DeleteVerdict()", s.DeleteVerdict(ctx, org, "pc-1", "MEDISOFT PRACTICE PC"), nil)
	wantErr(t, "DeleteVerdict() again", s.DeleteVerdict(ctx, org, "pc-1", "Medisoft Practice PC"), store.ErrNotFound)
	if f := mustFinding(t, s, org, store.KeyOf(&a)); f.State != store.StateOpen {
		t.Errorf("state after DeleteVerdict = %s, want open (kept)", f.State)
	}
}

func testJudgeConfirmed(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	a := possibleItem("ecg-1", "ADV-1", "CVE-2024-1", "Schiller AT-102")
	b := possibleItem("ecg-1", "ADV-2", "", "Schiller AT-102")
	mustSync(t, s, org, day(0), a, b)
	mustMove(t, s, org, store.KeyOf(&b), transitionTo(store.StateInProgress))
	if _, err := s.JudgeFinding(ctx, org, store.KeyOf(&a), store.Judgement{Outcome: store.Confirmed, Actor: "alice@example.org", Note: "label checked"}); err != nil {
		t.Fatalf("JudgeFinding(confirmed) = %v", err)
	}
	fa, fb := mustFinding(t, s, org, store.KeyOf(&a)), mustFinding(t, s, org, store.KeyOf(&b))
	if fa.State != store.StateOpen || fb.State != store.StateInProgress {
		t.Errorf("states after confirmation = %s, %s, want open, in_progress", fa.State, fb.State)
	}
	for _, f := range []store.FindingRecord{fa, fb} {
		if f.Item.Confidence != match.Confirmed {
			t.Errorf("%s: confidence %s, want confirmed", f.Key.AdvisoryID, f.Item.Confidence)
		}
	}
	n := all(t, 10, func(o store.ListOptions) (store.Page[store.FindingRecord], error) {
		return s.ListFindings(ctx, org, store.FindingFilter{Confidences: []match.Confidence{match.Possible}}, o)
	})
	if len(n) != 0 {
		t.Errorf("possible findings after confirmation = %d, want 0", len(n))
	}
	h := history(t, s, org, store.KeyOf(&b))
	if last := h[len(h)-1]; last.From != store.StateInProgress || last.To != store.StateInProgress || last.Actor != "alice@example.org" {
		t.Errorf("last event of b = %+v, want in_progress -> in_progress by alice", last)
	}
	// Judging again is allowed once judged, though the match is now confirmed.
	if _, err := s.JudgeFinding(ctx, org, store.KeyOf(&a), store.Judgement{Outcome: store.Rejected, Actor: "alice@example.org"}); err != nil {
		t.Errorf("JudgeFinding(rejected after confirmed) = %v", err)
	}
	if f := mustFinding(t, s, org, store.KeyOf(&a)); f.State != store.StateNotAffected {
		t.Errorf("state after rejection = %s, want not_affected", f.State)
	}
}

func testJudgeErrors(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	sure := newItem("pump-1", "ADV-1", "CVE-2024-1", risk.Act, day(2))
	sure.Product = "B. Braun Space"
	noProduct := possibleItem("pump-1", "ADV-2", "CVE-2024-2", "")
	p := possibleItem("pump-1", "ADV-3", "CVE-2024-3", "B. Braun Space")
	mustSync(t, s, org, day(0), sure, noProduct, p)
	ok := store.Judgement{Outcome: store.Rejected, Actor: "alice@example.org"}
	for _, tc := range []struct {
		name string
		key  store.FindingKey
		j    store.Judgement
		want error
	}{
		{"confirmed by identifiers", store.KeyOf(&sure), ok, store.ErrInvalid},
		{"no product", store.KeyOf(&noProduct), ok, store.ErrInvalid},
		{"bad outcome", store.KeyOf(&p), store.Judgement{Outcome: "maybe", Actor: "a"}, store.ErrInvalid},
		{"no actor", store.KeyOf(&p), store.Judgement{Outcome: store.Rejected}, store.ErrInvalid},
		{"unknown finding", store.FindingKey{AssetID: "x", AdvisoryID: "y"}, ok, store.ErrNotFound},
	} {
		_, err := s.JudgeFinding(ctx, org, tc.key, tc.j)
		wantErr(t, "JudgeFinding("+tc.name+")", err, tc.want)
	}
	if f := mustFinding(t, s, org, store.KeyOf(&p)); f.State != store.StateNew {
		t.Errorf("state after refused judgements = %s, want new", f.State)
	}
	if v := all(t, 10, func(o store.ListOptions) (store.Page[store.Verdict], error) { return s.ListVerdicts(ctx, org, o) }); len(v) != 0 {
		t.Errorf("verdicts after refused judgements = %v, want none", v)
	}
	wantErr(t, "DeleteVerdict(unknown)", s.DeleteVerdict(ctx, org, "pump-1", "B. Braun Space"), store.ErrNotFound)
}

func testListVerdicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	var items []scan.Item
	for _, asset := range []string{"c", "a", "b"} {
		for _, product := range []string{"Zeta", "alpha"} {
			items = append(items, possibleItem(asset, "ADV-"+product, "CVE-1", product))
		}
	}
	mustSync(t, s, org, day(0), items...)
	for i := range items {
		if _, err := s.JudgeFinding(ctx, org, store.KeyOf(&items[i]), store.Judgement{Outcome: store.Rejected, Actor: "a"}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, v := range all(t, 4, func(o store.ListOptions) (store.Page[store.Verdict], error) { return s.ListVerdicts(ctx, org, o) }) {
		got = append(got, v.AssetID+"/"+v.Product)
	}
	want := []string{"a/alpha", "a/Zeta", "b/alpha", "b/Zeta", "c/alpha", "c/Zeta"}
	if d := diff(want, got); d != "" {
		t.Errorf("ListVerdicts() order mismatch (-want +got):\n%s", d)
	}
	_, err := s.ListVerdicts(ctx, org, store.ListOptions{Cursor: "garbage"})
	wantErr(t, "ListVerdicts(bad cursor)", err, store.ErrInvalid)
}

func testOrgPolicy(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	p, err := s.OrgPolicy(ctx, org)
	wantErr(t, "OrgPolicy(new)", err, nil)
	if len(p.Days) != 0 {
		t.Errorf("OrgPolicy(new) = %v, want empty", p.Days)
	}
	set := store.DuePolicy{Days: map[risk.Decision]int{risk.Act: 1, risk.TrackStar: 30}}
	wantErr(t, "SetOrgPolicy()", s.SetOrgPolicy(ctx, org, set), nil)
	p, err = s.OrgPolicy(ctx, org)
	wantErr(t, "OrgPolicy()", err, nil)
	if d := diff(set, p); d != "" {
		t.Errorf("OrgPolicy() mismatch (-want +got):\n%s", d)
	}
	set2 := store.DuePolicy{Days: map[risk.Decision]int{risk.Attend: 0}}
	wantErr(t, "SetOrgPolicy(replace)", s.SetOrgPolicy(ctx, org, set2), nil)
	if p, _ = s.OrgPolicy(ctx, org); diff(set2, p) != "" {
		t.Errorf("OrgPolicy() after replace = %v, want %v", p.Days, set2.Days)
	}
	for name, bad := range map[string]map[risk.Decision]int{
		"negative": {risk.Act: -1}, "too long": {risk.Act: store.MaxDueDays + 1}, "unknown": {"urgent": 1},
	} {
		wantErr(t, "SetOrgPolicy("+name+")", s.SetOrgPolicy(ctx, org, store.DuePolicy{Days: bad}), store.ErrInvalid)
	}
	if p, _ = s.OrgPolicy(ctx, org); diff(set2, p) != "" {
		t.Errorf("OrgPolicy() after refused sets = %v, want %v", p.Days, set2.Days)
	}
	_, err = s.OrgPolicy(ctx, "org_unknown")
	wantErr(t, "OrgPolicy(unknown)", err, store.ErrNotFound)
	wantErr(t, "SetOrgPolicy(unknown)", s.SetOrgPolicy(ctx, "org_unknown", set), store.ErrNotFound)
}

func testWorkflowIsolation(t *testing.T, s store.Store) {
	ctx := t.Context()
	mine, theirs := MustOrg(t, s, "Mine").ID, MustOrg(t, s, "Theirs").ID
	it := possibleItem("pc-1", "ADV-1", "CVE-1", "Medisoft PC")
	mustSync(t, s, theirs, day(0), it)
	k := store.KeyOf(&it)
	_, err := s.JudgeFinding(ctx, mine, k, store.Judgement{Outcome: store.Rejected, Actor: "a"})
	wantErr(t, "JudgeFinding(other org's finding)", err, store.ErrNotFound)
	if _, err := s.JudgeFinding(ctx, theirs, k, store.Judgement{Outcome: store.Rejected, Actor: "a"}); err != nil {
		t.Fatal(err)
	}
	if v := all(t, 10, func(o store.ListOptions) (store.Page[store.Verdict], error) { return s.ListVerdicts(ctx, mine, o) }); len(v) != 0 {
		t.Errorf("ListVerdicts(mine) = %v, want none of theirs", v)
	}
	wantErr(t, "DeleteVerdict(other org's)", s.DeleteVerdict(ctx, mine, "pc-1", "Medisoft PC"), store.ErrNotFound)
	wantErr(t, "SetOrgPolicy(mine)", s.SetOrgPolicy(ctx, mine, store.DuePolicy{Days: map[risk.Decision]int{risk.Act: 1}}), nil)
	if p, _ := s.OrgPolicy(ctx, theirs); len(p.Days) != 0 {
		t.Errorf("OrgPolicy(theirs) = %v after setting mine, want empty", p.Days)
	}
}
