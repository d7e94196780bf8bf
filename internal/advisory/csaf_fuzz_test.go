package advisory

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzReadCSAF(f *testing.F) {
	for _, file := range []string{
		"icsma-17-017-01.json",                          // vers:all/*
		"icsma-18-240-01.json",                          // >= a | <= b
		"bsi-2022-0001.json",                            // cpe helpers, first_fixed
		"2022-evd-uc-03-ms-001.json",                    // VEX, every status
		"oasis_csaf_tc-csaf_2_0-2021-6-1-27-09-11.json", // product groups
		"invalid/oasis_csaf_tc-csaf_2_0-2021-6-1-08-01.json",
		"invalid/oasis_csaf_tc-csaf_2_0-2021-6-2-20-01.json",
	} {
		data, err := os.ReadFile(filepath.Join(csafTestdata, file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`[[[[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		advs, err := ReadCSAF(t.Context(), "fuzz.json", data, Options{})
		if err != nil {
			if advs != nil {
				t.Fatalf("ReadCSAF() = %d advisories with error %v, want none", len(advs), err)
			}
			return
		}
		if len(advs) != 1 || advs[0] == nil || advs[0].ID == "" {
			t.Fatalf("ReadCSAF() = %v, want exactly one advisory with an id", advs)
		}
		for _, v := range advs[0].Vulnerabilities {
			for _, a := range v.Affects {
				if a.ProductID == "" || len(a.Ranges) == 0 {
					t.Fatalf("ReadCSAF() affect %+v has no product id or no ranges", a)
				}
			}
		}
	})
}
