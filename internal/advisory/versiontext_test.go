package advisory

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseVersionText uses version texts found in real CISA CSAF files.
func TestParseVersionText(t *testing.T) {
	st := StatusKnownAffected
	tests := []struct {
		in   string
		want []Range
	}{
		{"vers:all/*", []Range{{All: true}}},
		{"1.4.5", []Range{{Exact: []string{"1.4.5"}}}},
		{"(Release 1.3.2 1.4.0 1.4.1 1.4.3 1.4.5)", []Range{{Exact: []string{"1.3.2", "1.4.0", "1.4.1", "1.4.3", "1.4.5"}}}},
		{"<= C.00.04", []Range{{LastAffected: "C.00.04"}}},
		{"< B.06.18", []Range{{Fixed: "B.06.18"}}},
		{">= 5.01 | <= 6.3.1", []Range{{Introduced: "5.01", LastAffected: "6.3.1"}}},
		{">=11.1.0|<11.1.7", []Range{{Introduced: "11.1.0", Fixed: "11.1.7"}}},
		{"B.02 | C.02 | C.03", []Range{{Exact: []string{"B.02", "C.02", "C.03"}}}},
		{"2131 and 2141", []Range{{Exact: []string{"2131", "2141"}}}},
		{"2.3.6 and  below", []Range{{LastAffected: "2.3.6"}}},
		{"9.x (with Wireless Battery Modules >= 22D19 | <= v22D28)", []Range{{Exact: []string{"9.x"}, Qualified: true}}},
		{"vers:all/>=V11.5.1|<V11.6.2", []Range{{Vers: "vers:all/>=V11.5.1|<V11.6.2", Scheme: "all"}}},
		{"> 2.0", []Range{{Vers: "vers:generic/>2.0"}}},
		{"MMT-508 MiniMed pump", []Range{{}}},
		{"< august 28", []Range{{}}},
		{"distributed  < april 1, 2018", []Range{{}}},
		{"<=N", []Range{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := ParseVersionText(tt.in, st)
			for i := range got {
				if got[i].Status != st {
					t.Errorf("status = %q, want %q", got[i].Status, st)
				}
				if got[i].Text == "" {
					t.Errorf("Text is empty; the source's words must be kept")
				}
				got[i].Status, got[i].Text = "", ""
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseVersionText(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func FuzzParseVersionText(f *testing.F) {
	for _, s := range []string{"<= C.00.04", ">= 5.01 | <= 6.3.1", "(Release 1.3.2 1.4.0)", "vers:npm/<1.0", "9.x (with a >= 1 | <= 2)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs := ParseVersionText(s, StatusKnownAffected)
		if len(rs) == 0 {
			t.Fatalf("ParseVersionText(%q) returned no range", s)
		}
	})
}
