package advisory

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
)

// addSeeds adds every fixture matching the globs (gunzipped) to the corpus.
func addSeeds(f *testing.F, globs ...string) {
	f.Helper()
	for _, g := range globs {
		files, err := filepath.Glob(g)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			if !skipName(filepath.Base(file)) {
				f.Add(mustReadFixture(f, file))
			}
		}
	}
}

// checkAdvisories holds the readers' invariants on success: a non-nil result
// that encodes as JSON (no NaN), advisories with an id and a format, non-nil
// affects, and ranges with a status.
func checkAdvisories(t *testing.T, advs []*Advisory, err error) {
	t.Helper()
	if err != nil {
		return
	}
	if advs == nil {
		t.Fatal("nil result without an error")
	}
	if _, err := json.Marshal(advs); err != nil {
		t.Fatalf("the result does not encode: %v", err)
	}
	for _, a := range advs {
		if a == nil || a.ID == "" || a.Format == "" {
			t.Fatalf("advisory without id or format: %+v", a)
		}
		for _, v := range a.Vulnerabilities {
			if v.Affects == nil {
				t.Fatalf("%s: nil affects", a.ID)
			}
			for _, af := range v.Affects {
				for _, r := range af.Ranges {
					if r.Status == StatusUnknown {
						t.Fatalf("%s: range without status: %+v", a.ID, r)
					}
				}
			}
		}
	}
}

func FuzzReadCVE5(f *testing.F) {
	addSeeds(f, "testdata/cve5/*.json")
	f.Add(cve5Versions(`[{"version":"1.0","lessThan":"3.0","status":"affected","changes":[{"at":"2.0","status":"unaffected"},{"at":"2.5","status":"unknown"}]}]`))
	f.Add(cve5Versions(`[{"version":"0","lessThanOrEqual":"5.10.*","status":"unaffected","versionType":"git"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		advs, err := ReadCVE5(t.Context(), "fuzz", data, Options{})
		checkAdvisories(t, advs, err)
	})
}

func FuzzReadNVD(f *testing.F) {
	addSeeds(f, "testdata/nvd/cve-2022-44006.json.gz", "testdata/nvd/cves-CVE-2023-0001.json.gz")
	f.Add(nvdConfigs(`[{"operator":"AND","nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:x\\:y:z:*:*:*:*:*:*:*:*","versionStartExcluding":"1"}]},{"negate":true,"cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:o:a:b:-"}]}]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		advs, err := ReadNVD(t.Context(), "fuzz", data, Options{})
		checkAdvisories(t, advs, err)
	})
}

func FuzzReadOSV(f *testing.F) {
	addSeeds(f, "testdata/osv/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		advs, err := ReadOSV(t.Context(), "fuzz", data, Options{})
		checkAdvisories(t, advs, err)
	})
}

func FuzzReadKEV(f *testing.F) {
	addSeeds(f, "testdata/kev/*.json", "testdata/kev/*.csv")
	f.Add([]byte("cveID,dateAdded\nCVE-2024-1,2024-01-01\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kev, err := ReadKEV(t.Context(), "fuzz", data)
		if err == nil && kev == nil {
			t.Fatal("nil KEV without an error")
		}
		for id, e := range kev {
			if id != e.CVE || id == "" {
				t.Fatalf("entry %q filed under %q", e.CVE, id)
			}
		}
	})
}

func FuzzReadEPSS(f *testing.F) {
	addSeeds(f, "testdata/epss/*.csv")
	f.Add([]byte("#model_version:v1,score_date:2024-01-01\ncve,epss,percentile\nCVE-2024-1,0.5,0.5\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ReadEPSS(t.Context(), "fuzz", bytes.NewReader(data))
		if err == nil && (e == nil || e.Scores == nil) {
			t.Fatal("nil EPSS without an error")
		}
	})
}

// FuzzDetectFormat runs the loader's detection and dispatch on any content.
func FuzzDetectFormat(f *testing.F) {
	addSeeds(f, "testdata/cve5/*.json", "testdata/osv/*.json", "testdata/kev/*", "testdata/epss/*", "testdata/nvd/cve-2022-44006.json.gz")
	f.Add([]byte(`{"feed":{"entry":[]}}`))
	f.Add([]byte(`{"document":{"csaf_version":"2.0"}}`))
	f.Add([]byte(`"2024/a.json","2024-10-03T16:03:00.000Z"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := detectFormat(data)
		if (got == formatUnknown) == (err == nil) {
			t.Fatalf("detectFormat() = %v, %v: an unknown format needs an error, and only it", got, err)
		}
		advs, _, _, _, err := readData(t.Context(), "fuzz", data, Options{})
		switch got {
		case formatCVE5, formatNVD, formatOSV:
			checkAdvisories(t, advs, err)
		}
	})
}
