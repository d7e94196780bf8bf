package advisory

import (
	"bytes"
	"compress/gzip"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/testenv"
)

func TestReadEPSS(t *testing.T) {
	t.Parallel()
	daily := mustReadFixture(t, "testdata/epss/epss_scores-2026-08-22.subset.derived.csv")
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(daily)
	zw.Close()

	tests := []struct {
		name      string
		file      string
		data      []byte
		wantModel string
		wantDate  string
		wantRows  int
		wantCVE   string
		wantScore EPSSScore
	}{
		{
			name: "FIRST daily layout", file: "epss_scores-2026-08-22.subset.derived.csv", data: daily,
			wantModel: "unknown", wantDate: "2026-08-22", wantRows: 10,
			wantCVE: "CVE-2025-34291", wantScore: EPSSScore{Score: 0.83844, Percentile: 0.99670},
		},
		{
			name: "gzip", file: "scores.csv.gz", data: zipped.Bytes(),
			wantModel: "unknown", wantDate: "2026-08-22", wantRows: 10,
			wantCVE: "CVE-2022-0492", wantScore: EPSSScore{Score: 0.05528, Percentile: 0.92203},
		},
		{
			name: "KEV_EPSS layout", file: "epss_kev_nvd.subset.derived.csv",
			data:     mustReadFixture(t, "testdata/epss/epss_kev_nvd.subset.derived.csv"),
			wantRows: 5, wantCVE: "CVE-2008-4128", wantScore: EPSSScore{Score: 0.32953, Percentile: 0.98226},
		},
		{
			name: "model version and date", file: "x.csv",
			data:      []byte("#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000\ncve,epss,percentile\ncve-2023-0001,0.5,0.9\n"),
			wantModel: "v2023.03.01", wantDate: "2023-03-07", wantRows: 1,
			wantCVE: "CVE-2023-0001", wantScore: EPSSScore{Score: 0.5, Percentile: 0.9},
		},
		{
			name: "date from the file name", file: "/feeds/epss_scores-2024-05-01.csv",
			data:     []byte("cve,epss\nCVE-2023-0001,0.25\n"),
			wantDate: "2024-05-01", wantRows: 1,
			wantCVE: "CVE-2023-0001", wantScore: EPSSScore{Score: 0.25},
		},
		{
			name: "BOM and CRLF", file: "x.csv",
			data:     []byte("\ufeffcve,epss,percentile\r\nCVE-2023-0001,0.1,0.2\r\n"),
			wantRows: 1, wantCVE: "CVE-2023-0001", wantScore: EPSSScore{Score: 0.1, Percentile: 0.2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadEPSS(t.Context(), tt.file, bytes.NewReader(tt.data))
			if err != nil {
				t.Fatalf("ReadEPSS() error = %v", err)
			}
			if got.ModelVersion != tt.wantModel {
				t.Errorf("ReadEPSS() ModelVersion = %q, want %q", got.ModelVersion, tt.wantModel)
			}
			date := ""
			if !got.Date.IsZero() {
				date = got.Date.Format("2006-01-02")
			}
			if date != tt.wantDate {
				t.Errorf("ReadEPSS() Date = %q, want %q", date, tt.wantDate)
			}
			if len(got.Scores) != tt.wantRows {
				t.Errorf("ReadEPSS() gave %d scores, want %d", len(got.Scores), tt.wantRows)
			}
			if diff := cmp.Diff(tt.wantScore, got.Scores[tt.wantCVE]); diff != "" {
				t.Errorf("ReadEPSS() %s mismatch (-want +got):\n%s", tt.wantCVE, diff)
			}
		})
	}
}

func TestReadEPSS_Invalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		wantErr error
		wantMsg string
	}{
		{"no epss column", "cve,score\nCVE-2023-1,0.1\n", ErrInvalid, "f.csv:1: invalid document: the header needs a cve and an epss column"},
		{"score not a number", "#model_version:v1\ncve,epss,percentile\nCVE-2023-1,0.1,0.2\nCVE-2023-2,high,0.2\n", ErrInvalid, "f.csv:4: invalid document: epss: \"high\" is not a number"},
		{"percentile above 1", "cve,epss,percentile\nCVE-2023-1,0.1,1.5\n", ErrInvalid, "f.csv:2: invalid document: percentile: 1.5 is not between 0 and 1"},
		{"NaN", "cve,epss\nCVE-2023-1,NaN\n", ErrInvalid, "f.csv:2"},
		{"not a CVE", "cve,epss\nGHSA-1,0.1\n", ErrInvalid, `f.csv:2: invalid document: "GHSA-1" is not a CVE id`},
		{"missing field", "#model_version:v1\ncve,epss,percentile\nCVE-2023-1,0.1\n", ErrInvalid, "f.csv:3"},
		{"bad score_date", "#score_date:someday\ncve,epss\n", ErrInvalid, "f.csv:1: invalid document: score_date"},
		{"empty", "", ErrInvalid, "f.csv:1"},
		{"truncated gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", nil, "f.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadEPSS(t.Context(), "f.csv", strings.NewReader(tt.data))
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || !strings.Contains(err.Error(), tt.wantMsg) || !strings.HasPrefix(err.Error(), "epss: ") {
				t.Errorf("ReadEPSS() error = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
		})
	}
}

// TestReadEPSS_Shared reads the shared EPSS files whole.
func TestReadEPSS_Shared(t *testing.T) {
	dir := testenv.SharedData(t, "epss") + "/"
	var scores []map[string]EPSSScore
	for _, f := range []string{"epss_scores-kev-subset.derived.csv", "epss_kev_nvd.csv"} {
		e, err := ReadEPSS(t.Context(), f, bytes.NewReader(mustReadFixture(t, dir+f)))
		if err != nil {
			t.Fatalf("ReadEPSS(%s) error = %v", f, err)
		}
		if len(e.Scores) != 1556 {
			t.Errorf("ReadEPSS(%s) gave %d scores, want 1556", f, len(e.Scores))
		}
		scores = append(scores, e.Scores)
	}
	// The derived file holds the same scores in FIRST's layout.
	if diff := cmp.Diff(scores[0], scores[1]); diff != "" {
		t.Errorf("the two layouts differ (-daily +enriched):\n%s", diff)
	}
}
