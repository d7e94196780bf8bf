package advisory

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/testenv"
)

// nvdByID reads an NVD file and returns its advisories by id.
func nvdByID(tb testing.TB, path string) map[string]*Advisory {
	tb.Helper()
	advs, err := ReadNVD(tb.Context(), path, mustReadFixture(tb, path), Options{})
	if err != nil {
		tb.Fatalf("ReadNVD(%s) error = %v", path, err)
	}
	out := map[string]*Advisory{}
	for _, a := range advs {
		out[a.ID] = a
	}
	return out
}

func TestReadNVD(t *testing.T) {
	t.Parallel()
	const single = "testdata/nvd/cve-2022-44006.json.gz"
	backclick := &Advisory{
		ID: "CVE-2022-44006", Format: "nvd", Source: single,
		Title:     "An issue was discovered in BACKCLICK Professional 5.9.63. Due to improper validation or sanitization of upload filenames, an externally reachable, unauthenticated update function permits writing file…",
		Publisher: "NVD",
		Published: ts(2022, 11, 16, 23, 15, 12, 870),
		Updated:   ts(2022, 11, 20, 14, 2, 24, 783),
		URL:       "https://nvd.nist.gov/vuln/detail/CVE-2022-44006",
		Summary:   "An issue was discovered in BACKCLICK Professional 5.9.63. Due to improper validation or sanitization of upload filenames, an externally reachable, unauthenticated update function permits writing files outside the intended target location. Achieving remote code execution is possible, e.g., by uploading an executable file.",
		Vulnerabilities: []Vulnerability{{
			CVE: "CVE-2022-44006", CWE: "CWE-22",
			CVSS: 9.8, CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			Affects: []Affect{{
				// The CPE pins the version: no range.
				Product:       Identity{Vendor: "backclick", Name: "backclick", CPEs: []string{"cpe:2.3:a:backclick:backclick:5.9.63:*:*:*:professional:*:*:*"}},
				DefaultStatus: StatusKnownAffected,
			}},
		}},
	}

	// The same CVE as one response item ({"cve": ...}) and as a bare CVE
	// object ({"id": ...}).
	item := mustReadFixture(t, single)
	var wrapper struct {
		CVE json.RawMessage `json:"cve"`
	}
	if err := json.Unmarshal(item, &wrapper); err != nil {
		t.Fatal(err)
	}
	response := []byte(`{"resultsPerPage":1,"format":"NVD_CVE","version":"2.0","vulnerabilities":[` + string(item) + `]}`)
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"item", item},
		{"bare CVE object", wrapper.CVE},
		{"response", response},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadNVD(t.Context(), single, tt.data, Options{})
			if err != nil {
				t.Fatalf("ReadNVD() error = %v", err)
			}
			if diff := cmp.Diff([]*Advisory{backclick}, got); diff != "" {
				t.Errorf("ReadNVD() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadNVD_Configurations checks real configurations of a response page.
func TestReadNVD_Configurations(t *testing.T) {
	t.Parallel()
	page := nvdByID(t, "testdata/nvd/cves-2023.json.gz")
	// 200 CVEs, one of them rejected.
	if len(page) != 199 {
		t.Errorf("ReadNVD(cves-2023) gave %d advisories, want 199", len(page))
	}
	if _, ok := page["CVE-2022-44577"]; ok {
		t.Errorf("ReadNVD(cves-2023) kept the rejected CVE-2022-44577")
	}
	solarview := Identity{Vendor: "contec", Name: "solarview compact", CPEs: []string{"cpe:2.3:h:contec:solarview_compact:-:*:*:*:*:*:*:*"}}
	tests := []struct {
		id   string
		want []Affect
	}{
		{
			// Firmware running on its hardware.
			id: "CVE-2022-40881",
			want: []Affect{{
				Product:       Identity{Vendor: "contec", Name: "solarview compact firmware", CPEs: []string{"cpe:2.3:o:contec:solarview_compact_firmware:6.00:*:*:*:*:*:*:*"}},
				DefaultStatus: StatusKnownAffected,
				Platforms:     []Identity{solarview},
			}},
		},
		{
			// An application running on either of two operating systems.
			id: "CVE-2022-45461",
			want: []Affect{{
				Product: Identity{Vendor: "veritas", Name: "netbackup", CPEs: []string{"cpe:2.3:a:veritas:netbackup:*:*:*:*:*:*:*:*"}},
				Ranges:  []Range{{Status: StatusKnownAffected, LastAffected: "10.1"}},
				Platforms: []Identity{
					{Vendor: "linux", Name: "linux kernel", CPEs: []string{"cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*"}},
					{Vendor: "opengroup", Name: "unix", CPEs: []string{"cpe:2.3:o:opengroup:unix:-:*:*:*:*:*:*:*"}},
				},
			}},
		},
		{
			id: "CVE-2022-38390",
			want: []Affect{{
				Product: Identity{Vendor: "ibm", Name: "business automation workflow", CPEs: []string{"cpe:2.3:a:ibm:business_automation_workflow:*:*:*:*:traditional:*:*:*"}},
				Ranges:  []Range{{Status: StatusKnownAffected, Introduced: "18.0.0.0", LastAffected: "18.0.0.2"}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			a, ok := page[tt.id]
			if !ok {
				t.Fatalf("ReadNVD(cves-2023) has no %s", tt.id)
			}
			got := a.Vulnerabilities[0].Affects
			if len(got) > len(tt.want) {
				got = got[:len(tt.want)]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadNVD(cves-2023) %s affects mismatch (-want +got):\n%s", tt.id, diff)
			}
		})
	}
}

// nvdConfigs builds a bare CVE object with the given configurations JSON.
func nvdConfigs(configs string) []byte {
	return []byte(`{"id":"CVE-2024-0001","published":"2024-01-01T00:00:00.000","lastModified":"2024-01-02T00:00:00.000",
"descriptions":[{"lang":"es","value":"uno"},{"lang":"en","value":"one"}],"configurations":` + configs + `}`)
}

// TestReadNVD_Bounds checks the cases the real pages lack.
func TestReadNVD_Bounds(t *testing.T) {
	t.Parallel()
	app := func(cpe string) Identity { return cpeIdentity(cpe) }
	tests := []struct {
		name    string
		configs string
		want    []Affect
	}{
		{
			name:    "start excluding",
			configs: `[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:acme:pump_ctl:*:*:*:*:*:*:*:*","versionStartExcluding":"2.0","versionEndIncluding":"2.4"}]}]}]`,
			want: []Affect{{
				Product: Identity{Vendor: "acme", Name: "pump ctl", CPEs: []string{"cpe:2.3:a:acme:pump_ctl:*:*:*:*:*:*:*:*"}},
				Ranges:  []Range{{Status: StatusKnownAffected, Vers: "vers:generic/>2.0|<=2.4"}},
			}},
		},
		{
			name:    "start including, end excluding",
			configs: `[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:acme:pacs:*:*:*:*:*:*:*:*","versionStartIncluding":"3.1","versionEndExcluding":"3.1.9"}]}]}]`,
			want: []Affect{{
				Product: app("cpe:2.3:a:acme:pacs:*:*:*:*:*:*:*:*"),
				Ranges:  []Range{{Status: StatusKnownAffected, Introduced: "3.1", Fixed: "3.1.9"}},
			}},
		},
		{
			// "Not running on X": the requirement is dropped, never inverted.
			name: "negated platform node",
			configs: `[{"operator":"AND","nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:acme:pacs:1.0:*:*:*:*:*:*:*"}]},
{"operator":"OR","negate":true,"cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*"}]}]}]`,
			want: []Affect{{Product: app("cpe:2.3:a:acme:pacs:1.0:*:*:*:*:*:*:*"), DefaultStatus: StatusKnownAffected}},
		},
		{
			name: "negated configuration",
			configs: `[{"operator":"AND","negate":true,"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:acme:pacs:1.0:*:*:*:*:*:*:*"}]},
{"operator":"OR","cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*"}]}]}]`,
			want: []Affect{{Product: app("cpe:2.3:a:acme:pacs:1.0:*:*:*:*:*:*:*"), DefaultStatus: StatusKnownAffected}},
		},
		{
			name:    "negated vulnerable node",
			configs: `[{"nodes":[{"operator":"OR","negate":true,"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:acme:pacs:1.0:*:*:*:*:*:*:*"}]}]}]`,
			want:    []Affect{},
		},
		{
			name:    "escaped CPE",
			configs: `[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:b\\:braun:space\\_station:*:*:*:*:*:*:*:*","versionEndExcluding":"5.*"}]}]}]`,
			want: []Affect{{
				Product: Identity{Vendor: "b:braun", Name: "space_station", CPEs: []string{`cpe:2.3:a:b\:braun:space\_station:*:*:*:*:*:*:*:*`}},
				Ranges:  []Range{{Status: StatusKnownAffected, Fixed: "6", Text: "< 5.*"}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			advs, err := ReadNVD(t.Context(), "x", nvdConfigs(tt.configs), Options{})
			if err != nil {
				t.Fatalf("ReadNVD() error = %v", err)
			}
			if got := advs[0].Title; got != "one" {
				t.Errorf("ReadNVD() title = %q, want the English description", got)
			}
			if diff := cmp.Diff(tt.want, advs[0].Vulnerabilities[0].Affects); diff != "" {
				t.Errorf("ReadNVD() affects mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadNVD_CVSS(t *testing.T) {
	t.Parallel()
	metric := func(typ string, score float64, vector string) string {
		b, _ := json.Marshal(map[string]any{"type": typ, "cvssData": map[string]any{"baseScore": score, "vectorString": vector}})
		return string(b)
	}
	tests := []struct {
		name    string
		metrics string
		want    float64
	}{
		{"primary before a higher secondary", `{"cvssMetricV31":[` + metric("Secondary", 9.8, "S") + `,` + metric("Primary", 7.5, "P") + `]}`, 7.5},
		{"secondary when no primary", `{"cvssMetricV31":[` + metric("Secondary", 9.8, "S") + `]}`, 9.8},
		{"3.0 before 4.0", `{"cvssMetricV40":[` + metric("Primary", 9.3, "4") + `],"cvssMetricV30":[` + metric("Primary", 5.0, "3") + `]}`, 5.0},
		{"4.0 before 2.0", `{"cvssMetricV40":[` + metric("Secondary", 6.9, "4") + `],"cvssMetricV2":[` + metric("Primary", 10, "2") + `]}`, 6.9},
		{"2.0 alone", `{"cvssMetricV2":[` + metric("Primary", 4.3, "2") + `]}`, 4.3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(`{"cve":{"id":"CVE-2024-0001","metrics":` + tt.metrics + `}}`)
			advs, err := ReadNVD(t.Context(), "x", data, Options{})
			if err != nil {
				t.Fatalf("ReadNVD() error = %v", err)
			}
			if got := advs[0].Vulnerabilities[0].CVSS; got != tt.want {
				t.Errorf("ReadNVD() CVSS = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadNVD_Invalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		wantErr error
		wantMsg string
	}{
		{"no shape", `{"resultsPerPage":0}`, ErrInvalid, "none of vulnerabilities, cve or id"},
		{"item without cve", `{"vulnerabilities":[{"cve":{"id":"CVE-2024-1"}},{}]}`, ErrInvalid, "vulnerabilities[1].cve is missing"},
		{"cve without id", `{"vulnerabilities":[{"cve":{"published":"2024-01-01T00:00:00"}}]}`, ErrInvalid, "vulnerabilities[0].cve: id is missing"},
		{"bad date", `{"cve":{"id":"CVE-2024-1","published":"soon"}}`, ErrInvalid, "cve: published"},
		{"syntax", `{"vulnerabilities":[}`, ErrInvalid, "line 1, column 21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadNVD(t.Context(), "x", []byte(tt.data), Options{})
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) || !strings.HasPrefix(err.Error(), "nvd: ") {
				t.Errorf("ReadNVD() error = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
		})
	}
	advs, err := ReadNVD(t.Context(), "x", []byte(`{"resultsPerPage":0,"vulnerabilities":[]}`), Options{})
	if err != nil || advs == nil || len(advs) != 0 {
		t.Errorf("ReadNVD(empty page) = %v, %v; want an empty non-nil slice", advs, err)
	}
}

// TestReadNVD_SharedPages reads the other real pages of the shared data.
func TestReadNVD_SharedPages(t *testing.T) {
	dir := testenv.SharedData(t, "nvd", "nvd-api", "testdata", "responses")
	// cves-1999: 200 CVEs, 3 rejected; the other files are the API's CPE,
	// match-string, history and source responses, which Load skips.
	set, err := Load(t.Context(), []string{dir}, Options{})
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if len(set.Errors) != 0 {
		t.Errorf("Load() errors = %v", set.Errors)
	}
	if got, want := len(set.Advisories), 197+199+1; got != want {
		t.Errorf("Load() gave %d advisories, want %d", got, want)
	}
	if set.Skipped != 4 {
		t.Errorf("Load() skipped %d files, want 4", set.Skipped)
	}
}
