package advisory

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/testenv"
)

// ts builds a UTC time; ms is milliseconds.
func ts(y int, mo time.Month, d, h, mi, s, ms int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ms*int(time.Millisecond), time.UTC)
}

// mustReadFixture reads a file under testdata, gunzipped when it is gzip.
func mustReadFixture(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	data, err = inflate(data, maxInflated)
	if err != nil {
		tb.Fatalf("inflate(%s) error = %v", path, err)
	}
	return data
}

// mustReadOne reads path with read and returns its only advisory.
func mustReadOne(tb testing.TB, read readerFunc, path string) *Advisory {
	tb.Helper()
	advs, err := read(tb.Context(), path, mustReadFixture(tb, path), Options{})
	if err != nil {
		tb.Fatalf("read(%s) error = %v", path, err)
	}
	if len(advs) != 1 {
		tb.Fatalf("read(%s) returned %d advisories, want 1", path, len(advs))
	}
	return advs[0]
}

func TestReadCVE5(t *testing.T) {
	t.Parallel()
	noneNo := func(v Vulnerability) Vulnerability {
		v.Exploitation, v.Automatable = "none", "no"
		return v
	}
	tests := []struct {
		file string
		want *Advisory
	}{
		{
			// Microsoft's "lessThan: publication": the end is not a version,
			// so every version from 20.00 on is only a possible match.
			file: "CVE-2020-16994.json",
			want: &Advisory{
				ID: "CVE-2020-16994", Format: "cve5",
				Title:     "Azure Sphere Unsigned Code Execution Vulnerability",
				Publisher: "microsoft",
				Published: ts(2020, 11, 11, 6, 47, 57, 0),
				Updated:   ts(2024, 10, 1, 15, 56, 32, 391),
				URL:       "https://www.cve.org/CVERecord?id=CVE-2020-16994",
				Summary:   "Azure Sphere Unsigned Code Execution Vulnerability",
				Vulnerabilities: []Vulnerability{noneNo(Vulnerability{
					CVE:        "CVE-2020-16994",
					CVSS:       7.3,
					CVSSVector: "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:L/I:H/A:L/E:U/RL:O/RC:C",
					Affects: []Affect{{
						Product: Identity{Vendor: "Microsoft", Name: "Azure Sphere", CPEs: []string{"cpe:2.3:a:microsoft:azure_sphere:*:*:*:*:*:*:*:*"}},
						Ranges: []Range{{
							Status: StatusKnownAffected, Introduced: "20.00", Qualified: true,
							Text: ">= 20.00, < publication",
						}},
					}},
				})},
			},
		},
		{
			// The Linux kernel CNA: git ranges (Text only, and their
			// defaultStatus speaks of commits, so it is dropped) beside
			// release ranges with wildcard ends and defaultStatus affected.
			file: "CVE-2021-46928.json",
			want: &Advisory{
				ID: "CVE-2021-46928", Format: "cve5",
				Title:     "parisc: Clear stale IIR value on instruction access rights trap",
				Publisher: "Linux",
				Published: ts(2024, 2, 27, 9, 43, 57, 390),
				Updated:   ts(2024, 7, 5, 17, 21, 4, 116),
				URL:       "https://www.cve.org/CVERecord?id=CVE-2021-46928",
				Vulnerabilities: []Vulnerability{noneNo(Vulnerability{
					CVE: "CVE-2021-46928",
					Affects: []Affect{
						{
							Product: Identity{Vendor: "Linux", Name: "Linux"},
							Ranges: []Range{
								{Status: StatusKnownAffected, Scheme: "git", Text: "git: >= 1da177e4c3f4, < d01e9ce1af61"},
								{Status: StatusKnownAffected, Scheme: "git", Text: "git: >= 1da177e4c3f4, < e96373f0a5f4"},
								{Status: StatusKnownAffected, Scheme: "git", Text: "git: >= 1da177e4c3f4, < 484730e5862f"},
							},
						},
						{
							Product: Identity{Vendor: "Linux", Name: "Linux"},
							Ranges: []Range{
								{Status: StatusKnownNotAffected, Introduced: "5.10.90", Fixed: "5.11", Text: ">= 5.10.90, <= 5.10.*"},
								{Status: StatusKnownNotAffected, Introduced: "5.15.13", Fixed: "5.16", Text: ">= 5.15.13, <= 5.15.*"},
								{Status: StatusKnownNotAffected, Introduced: "5.16"},
							},
							DefaultStatus: StatusKnownAffected,
						},
					},
				})},
			},
		},
		{
			// Only the CISA ADP names the product: the CNA wrote "n/a".
			file: "CVE-2023-48957.json",
			want: &Advisory{
				ID: "CVE-2023-48957", Format: "cve5",
				Title:     "PureVPN Linux client 2.0.2-Productions fails to properly handle DNS queries, allowing them to bypass the VPN tunnel and be sent directly to the ISP or default DNS servers.",
				Publisher: "mitre",
				Published: ts(2024, 8, 25, 0, 0, 0, 0),
				Updated:   ts(2024, 8, 26, 16, 52, 52, 92),
				URL:       "https://www.cve.org/CVERecord?id=CVE-2023-48957",
				Vulnerabilities: []Vulnerability{{
					CVE: "CVE-2023-48957", Exploitation: "poc", Automatable: "no",
					Affects: []Affect{{
						Product: Identity{Vendor: "purevpn", Name: "purevpn", CPEs: []string{"cpe:2.3:a:purevpn:purevpn:*:*:*:*:*:macos:*:*"}},
						Ranges:  []Range{{Status: StatusKnownAffected, Exact: []string{"2.0.2"}}},
					}},
				}},
			},
		},
		{
			// Version "0" is from the beginning; lessThanOrEqual is LastAffected.
			file: "CVE-2024-4846.json",
			want: &Advisory{
				ID: "CVE-2024-4846", Format: "cve5",
				Title:     "Authentication bypass in the 2FA feature in Devolutions Server 2024.1.14.0 and earlier allows an authenticated attacker to authenticate to another user without being asked for the 2FA via another bro…",
				Publisher: "DEVOLUTIONS",
				Published: ts(2024, 6, 25, 12, 18, 18, 180),
				Updated:   ts(2024, 8, 1, 20, 55, 9, 986),
				URL:       "https://www.cve.org/CVERecord?id=CVE-2024-4846",
				Vulnerabilities: []Vulnerability{noneNo(Vulnerability{
					CVE: "CVE-2024-4846",
					Affects: []Affect{{
						Product:       Identity{Vendor: "Devolutions", Name: "Server"},
						Ranges:        []Range{{Status: StatusKnownAffected, LastAffected: "2024.1.14.0"}},
						DefaultStatus: StatusKnownNotAffected,
					}},
				})},
			},
		},
		{
			// collectionURL + packageName of a registry ward knows: a PURL.
			file: "CVE-2024-29133.json",
			want: &Advisory{
				ID: "CVE-2024-29133", Format: "cve5",
				Title:     "Apache Commons Configuration: StackOverflowError calling ListDelimiterHandler.flatten(Object, int) with a cyclical object tree",
				Publisher: "apache",
				Published: ts(2024, 3, 21, 9, 5, 47, 597),
				Updated:   ts(2024, 6, 4, 17, 57, 30, 67),
				URL:       "https://www.cve.org/CVERecord?id=CVE-2024-29133",
				Vulnerabilities: []Vulnerability{noneNo(Vulnerability{
					CVE: "CVE-2024-29133", CWE: "CWE-787",
					Affects: []Affect{{
						Product: Identity{
							Vendor: "Apache Software Foundation", Name: "Apache Commons Configuration",
							PURLs:   []string{"pkg:maven/org.apache.commons/commons-configuration2"},
							Display: "Apache Commons Configuration (org.apache.commons:commons-configuration2)",
						},
						Ranges:        []Range{{Status: StatusKnownAffected, Introduced: "2.0", Fixed: "2.10.1", Scheme: "semver"}},
						DefaultStatus: StatusKnownNotAffected,
					}},
				})},
			},
		},
		{
			// CVSS 3.1 is preferred to a higher 4.0 score; "V3.2 SP2" is no
			// version, so all versions are possible matches.
			file: "CVE-2024-42344.json",
			want: &Advisory{
				ID: "CVE-2024-42344", Format: "cve5",
				Title:     "A vulnerability has been identified in SINEMA Remote Connect Client (All versions < V3.2 SP2). The affected application inserts sensitive information into a log file which is readable by all legitima…",
				Publisher: "siemens",
				Published: ts(2024, 9, 10, 9, 36, 47, 430),
				Updated:   ts(2024, 9, 10, 14, 54, 10, 749),
				URL:       "https://www.cve.org/CVERecord?id=CVE-2024-42344",
				Vulnerabilities: []Vulnerability{noneNo(Vulnerability{
					CVE: "CVE-2024-42344", CWE: "CWE-532",
					CVSS: 4.4, CVSSVector: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:L/E:P/RL:O/RC:C",
					Affects: []Affect{{
						Product: Identity{Vendor: "Siemens", Name: "SINEMA Remote Connect Client"},
						Ranges:  []Range{{Status: StatusKnownAffected, All: true, Qualified: true, Text: ">= 0, < V3.2 SP2"}},
					}},
				})},
			},
		},
		{
			// An empty range ("2022 su3" < "2022 su3") says nothing: every
			// version has the default status, affected.
			file: "CVE-2023-35083.json",
			want: &Advisory{
				ID: "CVE-2023-35083", Format: "cve5",
				Title:     "Allows an authenticated attacker with network access to read arbitrary files on Endpoint Manager recently discovered on 2022 SU3 and all previous versions potentially leading to the leakage of sensit…",
				Publisher: "hackerone",
				Published: ts(2023, 10, 18, 3, 52, 12, 988),
				Updated:   ts(2024, 9, 13, 14, 55, 27, 624),
				URL:       "https://www.cve.org/CVERecord?id=CVE-2023-35083",
				Vulnerabilities: []Vulnerability{noneNo(Vulnerability{
					CVE: "CVE-2023-35083",
					Affects: []Affect{{
						Product:       Identity{Vendor: "Ivanti", Name: "Endpoint Manager"},
						DefaultStatus: StatusKnownAffected,
					}},
				})},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata/cve5", tt.file)
			got := mustReadOne(t, ReadCVE5, path)
			tt.want.Source = path
			got.Summary = "" // long; the title shows the description is read
			tt.want.Summary = ""
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadCVE5(%s) mismatch (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

// TestReadCVE5_Affects checks the affects of records too large to spell out.
func TestReadCVE5_Affects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		index int // which affect
		count int // how many affects in all
		want  Affect
	}{
		{
			// changes[] at the range's own end add nothing: the unaffected
			// part from 8.1.23-h1 on is empty.
			name: "changes", file: "CVE-2022-0028.json", index: 1, count: 9,
			want: Affect{
				Product: Identity{Vendor: "Palo Alto Networks", Name: "PAN-OS"},
				Ranges: []Range{
					{Status: StatusKnownAffected, Introduced: "8.1", Fixed: "8.1.23-h1"},
					{Status: StatusKnownAffected, Introduced: "9.0", Fixed: "9.0.16-h3"},
					{Status: StatusKnownAffected, Introduced: "9.1", Fixed: "9.1.14-h4"},
					{Status: StatusKnownAffected, Introduced: "10.0", Fixed: "10.0.11-h1"},
					{Status: StatusKnownAffected, Introduced: "10.1", Fixed: "10.1.6-h6"},
					{Status: StatusKnownAffected, Introduced: "10.2", Fixed: "10.2.2-h2"},
				},
			},
		},
		{
			name: "version All", file: "CVE-2022-0028.json", index: 0, count: 9,
			want: Affect{
				Product: Identity{Vendor: "Palo Alto Networks", Name: "Cloud NGFW"},
				Ranges:  []Range{{Status: StatusKnownNotAffected, All: true, Text: "All"}},
			},
		},
		{
			// The CISA ADP's own affected block, with a bound that is no version.
			name: "adp affected", file: "CVE-2022-0028.json", index: 5, count: 9,
			want: Affect{
				Product: Identity{Vendor: "paloaltonetworks", Name: "pan-os", CPEs: []string{"cpe:2.3:o:paloaltonetworks:pan-os:9.1.0:*:*:*:*:*:*:*"}},
				Ranges:  []Range{{Status: StatusKnownAffected, Introduced: "9.1.0", Qualified: true, Text: ">= 9.1.0, < 9.1 < 9.1.14-h4"}},
			},
		},
		{
			// rpm: unaffected from the fixed build on, affected before.
			name: "rpm", file: "CVE-2024-8445.json", index: 0, count: 6,
			want: Affect{
				Product: Identity{
					Vendor: "Red Hat", Name: "Red Hat Enterprise Linux 7 Extended Lifecycle Support",
					CPEs:    []string{"cpe:/o:redhat:rhel_els:7"},
					Display: "Red Hat Enterprise Linux 7 Extended Lifecycle Support (389-ds-base)",
				},
				Ranges:        []Range{{Status: StatusKnownNotAffected, Introduced: "0:1.3.11.1-7.el7_9", Scheme: "rpm"}},
				DefaultStatus: StatusKnownAffected,
			},
		},
		{
			name: "no versions", file: "CVE-2024-8445.json", index: 1, count: 6,
			want: Affect{
				Product: Identity{
					Vendor: "Red Hat", Name: "Red Hat Directory Server 11",
					CPEs:    []string{"cpe:/a:redhat:directory_server:11"},
					Display: "Red Hat Directory Server 11 (redhat-ds:11/389-ds-base)",
				},
				DefaultStatus: StatusKnownNotAffected,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := mustReadOne(t, ReadCVE5, filepath.Join("testdata/cve5", tt.file))
			affects := a.Vulnerabilities[0].Affects
			if len(affects) != tt.count {
				t.Fatalf("ReadCVE5(%s) gave %d affects, want %d", tt.file, len(affects), tt.count)
			}
			if diff := cmp.Diff(tt.want, affects[tt.index]); diff != "" {
				t.Errorf("ReadCVE5(%s) affects[%d] mismatch (-want +got):\n%s", tt.file, tt.index, diff)
			}
		})
	}
}

func TestReadCVE5_Rejected(t *testing.T) {
	t.Parallel()
	advs, err := ReadCVE5(t.Context(), "x", mustReadFixture(t, "testdata/cve5/CVE-2024-4542.json"), Options{})
	if err != nil || advs == nil || len(advs) != 0 {
		t.Errorf("ReadCVE5(rejected) = %v, %v; want an empty non-nil slice and no error", advs, err)
	}
}

// cve5Versions builds a minimal record with one affected entry whose
// versions[] is the given JSON.
func cve5Versions(versions string) []byte {
	return fmt.Appendf(nil, `{"dataType":"CVE_RECORD","cveMetadata":{"cveId":"CVE-2024-0001","state":"PUBLISHED"},
"containers":{"cna":{"affected":[{"vendor":"V","product":"P","versions":%s}]}}}`, versions)
}

// TestReadCVE5_Versions checks how versions[] entries become ranges.
func TestReadCVE5_Versions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		versions string
		want     []Range
	}{
		{
			name:     "changes split a range",
			versions: `[{"version":"1.0","lessThan":"3.0","status":"affected","versionType":"semver","changes":[{"at":"2.5","status":"unaffected"},{"at":"1.5.2","status":"unaffected"},{"at":"2.0","status":"affected"}]}]`,
			want: []Range{
				{Status: StatusKnownAffected, Introduced: "1.0", Fixed: "1.5.2", Scheme: "semver"},
				{Status: StatusFixed, Introduced: "1.5.2", Fixed: "2.0", Scheme: "semver"},
				{Status: StatusKnownAffected, Introduced: "2.0", Fixed: "2.5", Scheme: "semver"},
				{Status: StatusFixed, Introduced: "2.5", Fixed: "3.0", Scheme: "semver"},
			},
		},
		{
			name:     "changes with an inclusive end",
			versions: `[{"version":"0","lessThanOrEqual":"4.*","status":"affected","changes":[{"at":"4.2","status":"unaffected"}]}]`,
			want: []Range{
				{Status: StatusKnownAffected, Fixed: "4.2"},
				{Status: StatusFixed, Introduced: "4.2", Fixed: "5", Text: ">= 4.2, <= 4.*"},
			},
		},
		{
			name:     "unknown status is left out",
			versions: `[{"version":"1.0","status":"unknown"},{"version":"2.0","status":"affected"}]`,
			want:     []Range{{Status: StatusKnownAffected, Exact: []string{"2.0"}}},
		},
		{
			name:     "lessThan star is no upper bound",
			versions: `[{"version":"2.0","lessThan":"*","status":"affected","versionType":"maven"}]`,
			want:     []Range{{Status: StatusKnownAffected, Introduced: "2.0", Scheme: "maven"}},
		},
		{
			name:     "unspecified start is the beginning",
			versions: `[{"version":"unspecified","lessThan":"1.4","status":"affected","versionType":"custom"}]`,
			want:     []Range{{Status: StatusKnownAffected, Fixed: "1.4"}},
		},
		{
			name:     "n/a is text",
			versions: `[{"version":"n/a","status":"affected"}]`,
			want:     []Range{{Status: StatusKnownAffected, Text: "n/a"}},
		},
		{
			name:     "vendor words",
			versions: `[{"version":"All versions","status":"affected"},{"version":"<= 2.3","status":"affected"}]`,
			want: []Range{
				{Status: StatusKnownAffected, All: true, Text: "All versions"},
				{Status: StatusKnownAffected, LastAffected: "2.3", Text: "<= 2.3"},
			},
		},
		{
			name:     "git exact commit",
			versions: `[{"version":"a87cb3e48ee8","status":"affected","versionType":"git"}]`,
			want:     []Range{{Status: StatusKnownAffected, Scheme: "git", Text: "git: a87cb3e48ee8"}},
		},
		{
			name:     "python is pypi",
			versions: `[{"version":"3.8.0","lessThan":"3.8.19","status":"affected","versionType":"python"}]`,
			want:     []Range{{Status: StatusKnownAffected, Introduced: "3.8.0", Fixed: "3.8.19", Scheme: "pypi"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			advs, err := ReadCVE5(t.Context(), "x", cve5Versions(tt.versions), Options{})
			if err != nil {
				t.Fatalf("ReadCVE5() error = %v", err)
			}
			got := advs[0].Vulnerabilities[0].Affects[0].Ranges
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadCVE5() ranges mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadCVE5_Invalid(t *testing.T) {
	t.Parallel()
	many := `[` + strings.Repeat(`{"vendor":"v","product":"p"},`, maxCVE5Affected) + `{"vendor":"v","product":"p"}]`
	tests := []struct {
		name    string
		data    string
		wantErr error
		wantMsg string
	}{
		{"no cveId", `{"cveMetadata":{"state":"PUBLISHED"},"containers":{"cna":{}}}`, ErrInvalid, "cveMetadata.cveId is missing"},
		{"not a CVE id", `{"cveMetadata":{"cveId":"GHSA-1"},"containers":{"cna":{}}}`, ErrInvalid, `"GHSA-1" is not a CVE id`},
		{"no cna", `{"cveMetadata":{"cveId":"CVE-2024-1"}}`, ErrInvalid, "containers.cna is missing"},
		{"bad date", `{"cveMetadata":{"cveId":"CVE-2024-1","datePublished":"yesterday"},"containers":{"cna":{}}}`, ErrInvalid, "cveMetadata.datePublished"},
		{"syntax", "{\"cveMetadata\":\n{\"cveId\": CVE}}", ErrInvalid, "line 2, column 11"},
		{"type", `{"cveMetadata":{"cveId":7}}`, ErrInvalid, "cveMetadata.cveId"},
		{"trailing data", `{"cveMetadata":{"cveId":"CVE-2024-1"},"containers":{"cna":{}}} {}`, ErrInvalid, "after top-level value"},
		{"too many affected", `{"cveMetadata":{"cveId":"CVE-2024-1"},"containers":{"cna":{"affected":` + many + `}}}`, ErrTooLarge, "10001 affected entries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadCVE5(t.Context(), "x", []byte(tt.data), Options{})
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) || !strings.HasPrefix(err.Error(), "cve5: ") {
				t.Errorf("ReadCVE5() error = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
		})
	}
}

// TestReadCVE5_AllVulnrichment reads every record of the shared vulnrichment
// copy through Load.
func TestReadCVE5_AllVulnrichment(t *testing.T) {
	dir := testenv.SharedData(t, "cve-vulnrichment")
	set, err := Load(t.Context(), []string{dir}, Options{})
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	for _, e := range set.Errors {
		t.Errorf("Load() source error: %s", e.Error())
	}
	// 1,792 records, one of them REJECTED.
	if got, want := len(set.Advisories), 1791; got != want {
		t.Errorf("Load() gave %d advisories, want %d", got, want)
	}
	var ssvc, cvss, affects, noAffect int
	for _, a := range set.Advisories {
		v := a.Vulnerabilities[0]
		if v.Exploitation != "" {
			ssvc++
		}
		if v.CVSS > 0 {
			cvss++
		}
		affects += len(v.Affects)
		if len(v.Affects) == 0 {
			noAffect++
		}
	}
	t.Logf("%d advisories: %d with SSVC, %d with CVSS, %d affects, %d without any", len(set.Advisories), ssvc, cvss, affects, noAffect)
	if ssvc != 1791 {
		t.Errorf("%d advisories carry CISA's SSVC exploitation, want 1791", ssvc)
	}
}
