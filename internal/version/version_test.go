package version

import "testing"

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
		ok   bool
	}{
		{"1.0", "1.0.0", 0, true},
		{"1.0.1", "1.0", 1, true},
		{"1.10", "1.9", 1, true},
		{"v1.4.5", "1.4.5", 0, true},
		{"R2.2.3", "2.2.4", -1, true},
		{"Release 6.3", "6.3.0", 0, true},
		{"C.00.04", "C.00.05", -1, true},
		{"C.00.04", "C.0.4", 0, true},
		{"B.02", "C.01", -1, true},
		{"VA10A", "VA11A", -1, true},
		{"VA10A", "VA10B", -1, true},
		{"2.6A", "2.6", 1, true},
		{"2.6A", "2.6B", -1, true},
		{"1.0.0-rc1", "1.0.0", -1, true},
		{"1.0.0-alpha", "1.0.0-beta", -1, true},
		{"1.0-rc1", "1.0.1", -1, true},
		{"5.17.1-754993421", "5.17.1-754993422", -1, true},
		{"1.4499.00018", "1.4499.18", 0, true},
		{"10.0.17763.1000", "10.0.17763.5122", -1, true},
		{"A.01", "1.2", 0, false},         // a word against a number
		{"MMT-508", "2.0", 0, false},      // a model number is no version
		{"All versions", "1.0", 0, false}, // no digit
		{"", "1.0", 0, false},
		{"99999999999999999999999", "1", 1, true}, // saturates, no panic
	}
	for _, tt := range tests {
		t.Run(tt.a+"_vs_"+tt.b, func(t *testing.T) {
			got, ok := Compare(tt.a, tt.b)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("Compare(%q, %q) = %d, %v; want %d, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
			}
			if ok {
				back, _ := Compare(tt.b, tt.a)
				if back != -got {
					t.Errorf("Compare(%q, %q) = %d; not the inverse of %d", tt.b, tt.a, back, got)
				}
			}
		})
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		pattern, v string
		want, ok   bool
	}{
		{"9.x", "9.4.1", true, true},
		{"9.x", "10.0", false, true},
		{"1.X", "1.0", true, true},
		{"12.x", "12", true, true},
		{"6.3V1L10", "6.3v1l10", true, true},
		{"1.4.5", "1.4.6", false, true},
		{"*", "anything1", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"_"+tt.v, func(t *testing.T) {
			got, ok := Equal(tt.pattern, tt.v)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Equal(%q, %q) = %v, %v; want %v, %v", tt.pattern, tt.v, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestVers_Contains(t *testing.T) {
	tests := []struct {
		vers, v string
		want    bool
	}{
		{"vers:generic/>=1.0.0|<2.0.0", "1.5", true},
		{"vers:generic/>=1.0.0|<2.0.0", "2.0.0", false},
		{"vers:generic/>=1.0.0|<2.0.0", "0.9", false},
		{"vers:npm/<1.2.3", "1.2.2", true},
		{"vers:npm/<=1.2.3", "1.2.3", true},
		{"vers:npm/>2.0.0", "2.0.0", false},
		{"vers:npm/>2.0.0", "2.0.1", true},
		{"vers:all/*", "whatever", true},
		{"vers:generic/1.0|1.2", "1.2", true},
		{"vers:generic/1.0|1.2", "1.1", false},
		{"vers:generic/>=1.0|!=1.5|<2.0", "1.5", false},
		{"vers:generic/<1.0|>=2.0|<3.0", "2.5", true},
		{"vers:generic/<1.0|>=2.0|<3.0", "1.5", false},
		{"vers:all/>=V11.5.1|<V11.6.2", "V11.6.0", true},
	}
	for _, tt := range tests {
		t.Run(tt.vers+"@"+tt.v, func(t *testing.T) {
			r, err := ParseVers(tt.vers)
			if err != nil {
				t.Fatalf("ParseVers(%q) = %v", tt.vers, err)
			}
			if got, _ := r.Contains(tt.v); got != tt.want {
				t.Errorf("Contains(%q) = %v, want %v", tt.v, got, tt.want)
			}
		})
	}
}

func TestParseVers_Errors(t *testing.T) {
	for _, s := range []string{"", "1.0", "vers:", "vers:/1.0", "vers:npm/", "vers:npm/>=", "vers:npm/1.0||2.0"} {
		if _, err := ParseVers(s); err == nil {
			t.Errorf("ParseVers(%q) = nil error, want one", s)
		}
	}
}

func FuzzCompare(f *testing.F) {
	for _, s := range [][2]string{{"1.0", "1.0.0"}, {"C.00.04", "B.12"}, {"VA10A", "2.6A"}, {"1.0-rc1", "v1"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		c1, ok1 := Compare(a, b)
		c2, ok2 := Compare(b, a)
		if ok1 != ok2 || (ok1 && c1 != -c2) {
			t.Fatalf("Compare not antisymmetric: (%q,%q)=%d,%v (%q,%q)=%d,%v", a, b, c1, ok1, b, a, c2, ok2)
		}
		if c, ok := Compare(a, a); ok && c != 0 {
			t.Fatalf("Compare(%q, itself) = %d", a, c)
		}
	})
}

func FuzzParseVers(f *testing.F) {
	f.Add("vers:npm/>=1.0.0|<2.0.0", "1.5.0")
	f.Add("vers:all/*", "x")
	f.Add("vers:generic/1.0|!=1.1", "1.1")
	f.Fuzz(func(t *testing.T, s, v string) {
		r, err := ParseVers(s)
		if err != nil {
			return
		}
		r.Contains(v) // must not panic
	})
}
