package vexdoc_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gocsaf/csaf/v3/csaf"
	"github.com/google/go-cmp/cmp"
	"github.com/openvex/go-vex/pkg/vex"

	"github.com/ward-health/ward/internal/vexdoc"
)

var now = time.Date(2026, 11, 23, 7, 40, 0, 0, time.UTC)

var meta = vexdoc.Meta{Namespace: "https://ward.example.org", Publisher: "Praxis Weber", OrgID: "org_1", Now: now}

func statements() []vexdoc.Statement {
	pc := vexdoc.Product{AssetID: "pc-1", Name: "Practice PC (Medisoft PC)"}
	router := vexdoc.Product{AssetID: "router-1", Name: "Router", CPE: "cpe:2.3:h:avm:fritz\\!box_7590:-:*:*:*:*:*:*:*", PURL: "pkg:generic/avm/fritzbox@7.57"}
	lib := router
	lib.Component = "openssl 1.1.1"
	return []vexdoc.Statement{
		{CVE: "CVE-2026-1002", AdvisoryID: "ADV-2", Title: "PC flaw", Product: pc, Status: vexdoc.NotAffected,
			Justification: "component_not_present", Impact: "Not this product: it is a Siemens PC", Timestamp: now},
		{CVE: "CVE-2026-1001", AdvisoryID: "ADV-1", Title: "Router flaw", Product: router, Status: vexdoc.Affected,
			Action: "Update the router firmware today.", Timestamp: now},
		{CVE: "CVE-2026-1001", AdvisoryID: "ADV-9", Title: "Router flaw again", Product: router, Status: vexdoc.Fixed, Timestamp: now},
		{CVE: "CVE-2026-1003", AdvisoryID: "ADV-3", Product: lib, Status: vexdoc.Fixed, Timestamp: now},
		{AdvisoryID: "ICSMA-26-001-01", Title: "No CVE", Product: pc, Status: vexdoc.UnderInvestigation, Timestamp: now},
		{CVE: "CVE-2026-1004", AdvisoryID: "ADV-4", Product: router, Status: vexdoc.Affected, Mitigation: true, Timestamp: now},
	}
}

func TestCSAF_ValidVEXProfile(t *testing.T) {
	t.Parallel()
	doc, err := vexdoc.CSAF(meta, statements())
	if err != nil {
		t.Fatalf("CSAF() = %v", err)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := vexdoc.CheckCSAF(b); err != nil {
		t.Fatalf("CheckCSAF() = %v\n%s", err, b)
	}
	type status struct{ Fixed, KnownAffected, KnownNotAffected, UnderInvestigation []string }
	got := map[string]status{}
	for _, v := range doc.Vulnerabilities {
		id := v.CVE
		if id == "" {
			id = v.IDs[0].Text
		}
		ps := v.ProductStatus
		got[id] = status{ps.Fixed, ps.KnownAffected, ps.KnownNotAffected, ps.UnderInvestigation}
	}
	// Products are numbered in the order of first use: vulnerabilities by id, assets by id.
	want := map[string]status{
		"CVE-2026-1001":   {KnownAffected: []string{"WARD-0001"}}, // affected wins over fixed
		"CVE-2026-1002":   {KnownNotAffected: []string{"WARD-0002"}},
		"CVE-2026-1003":   {Fixed: []string{"WARD-0003"}},
		"CVE-2026-1004":   {KnownAffected: []string{"WARD-0001"}},
		"ICSMA-26-001-01": {UnderInvestigation: []string{"WARD-0002"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("product status mismatch (-want +got):\n%s", d)
	}
	if n := doc.ProductTree.FullProductNames; len(n) != 3 || n[2].Name != "openssl 1.1.1 in Router" || n[0].Helper == nil || n[0].Helper.PURL == "" {
		t.Errorf("product tree = %+v, want router (with helper), pc, openssl in router", n)
	}
	// gocsaf's typed model reads it and finds it valid too.
	var adv csaf.Advisory
	if err := json.Unmarshal(b, &adv); err != nil {
		t.Fatalf("json.Unmarshal(csaf.Advisory) = %v", err)
	}
	if err := adv.Validate(); err != nil {
		t.Errorf("csaf.Advisory.Validate() = %v", err)
	}
}

func TestCheckCSAF_Rejects(t *testing.T) {
	t.Parallel()
	doc, err := vexdoc.CSAF(meta, statements())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(m map[string]any)
		want   string
	}{
		{"no remediation", func(m map[string]any) {
			for _, v := range m["vulnerabilities"].([]any) {
				delete(v.(map[string]any), "remediations")
			}
		}, "6.1.27.10"},
		{"no impact", func(m map[string]any) {
			for _, v := range m["vulnerabilities"].([]any) {
				delete(v.(map[string]any), "flags")
				delete(v.(map[string]any), "threats")
			}
		}, "6.1.27.9"},
		{"undefined product", func(m map[string]any) {
			m["product_tree"] = map[string]any{"full_product_names": []any{map[string]any{"product_id": "X", "name": "x"}}}
		}, "6.1.1"},
		{"schema: bad category", func(m map[string]any) {
			m["document"].(map[string]any)["publisher"].(map[string]any)["category"] = "friend"
		}, "csaf schema"},
		{"no notes", func(m map[string]any) { delete(m["document"].(map[string]any), "notes") }, "6.1.27.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := json.Marshal(doc)
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			tc.change(m)
			b, _ = json.Marshal(m)
			err := vexdoc.CheckCSAF(b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CheckCSAF() = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func TestOpenVEX(t *testing.T) {
	t.Parallel()
	doc, err := vexdoc.OpenVEX(meta, statements())
	if err != nil {
		t.Fatalf("OpenVEX() = %v", err)
	}
	var buf strings.Builder
	if err := doc.ToJSON(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := vex.Parse([]byte(buf.String()))
	if err != nil {
		t.Fatalf("vex.Parse() = %v", err)
	}
	if !strings.HasPrefix(back.ID, "https://ward.example.org/vex/openvex/") || back.Author != "Praxis Weber" {
		t.Errorf("id %q author %q, want the namespace's and the organisation", back.ID, back.Author)
	}
	got := map[string]string{}
	for _, s := range back.Statements {
		if err := s.Validate(); err != nil {
			t.Errorf("statement %s: %v", s.Vulnerability.Name, err)
		}
		p := s.Products[0]
		key := string(s.Vulnerability.Name) + " " + p.ID
		if len(p.Subcomponents) > 0 {
			key += " " + p.Subcomponents[0].ID
		}
		got[key] = string(s.Status) + " " + string(s.Justification)
	}
	want := map[string]string{
		"CVE-2026-1001 urn:ward:org_1:asset:router-1":                                                         "affected ",
		"CVE-2026-1002 urn:ward:org_1:asset:pc-1":                                                             "not_affected component_not_present",
		"CVE-2026-1003 urn:ward:org_1:asset:router-1 urn:ward:org_1:asset:router-1:component:openssl%201.1.1": "fixed ",
		"CVE-2026-1004 urn:ward:org_1:asset:router-1":                                                         "affected ",
		"ICSMA-26-001-01 urn:ward:org_1:asset:pc-1":                                                           "under_investigation ",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("statements mismatch (-want +got):\n%s", d)
	}
	if _, err := vexdoc.OpenVEX(meta, []vexdoc.Statement{{CVE: "CVE-1", Product: vexdoc.Product{AssetID: "a"}, Status: "maybe"}}); err == nil {
		t.Errorf("OpenVEX(status maybe) = nil, want an error")
	}
}
