package advisory

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/testenv"
)

func TestReadOSV(t *testing.T) {
	t.Parallel()
	semver := func(intro, fixed string) Range {
		return Range{Status: StatusKnownAffected, Introduced: intro, Fixed: fixed, Scheme: "semver"}
	}
	tests := []struct {
		file string
		head Advisory // the fields besides Vulnerabilities and Summary
		want Vulnerability
	}{
		{
			// Several introduced..fixed pairs, "0" introduced, a Go module
			// path as PURL, and the zero dates of the vulndb repository.
			file: "GO-2024-2458.json",
			head: Advisory{
				ID: "GO-2024-2458", Format: "osv", Publisher: "GO",
				Title: "CRI-O's pods can break out of resource confinement on cgroupv2 in github.com/cri-o/cri-o",
				URL:   "https://osv.dev/vulnerability/GO-2024-2458",
			},
			want: Vulnerability{
				CVE: "CVE-2023-6476", Aliases: []string{"GO-2024-2458", "GHSA-p4rx-7wvg-fwrc"},
				Affects: []Affect{{
					Product:       Identity{Name: "github.com/cri-o/cri-o", PURLs: []string{"pkg:golang/github.com/cri-o/cri-o"}},
					Ranges:        []Range{semver("", "1.27.3"), semver("1.28.0", "1.28.3"), semver("1.29.0", "1.29.1")},
					DefaultStatus: StatusKnownNotAffected,
				}},
			},
		},
		{
			file: "GO-2024-2963.json",
			head: Advisory{
				ID: "GO-2024-2963", Format: "osv", Publisher: "GO",
				Title:     "Denial of service due to improper 100-continue handling in net/http",
				Published: ts(2024, 7, 2, 20, 11, 0, 0), Updated: ts(2024, 7, 2, 20, 11, 0, 0),
				URL: "https://osv.dev/vulnerability/GO-2024-2963",
			},
			want: Vulnerability{
				CVE: "CVE-2024-24791", Aliases: []string{"GO-2024-2963"},
				Affects: []Affect{{
					Product:       Identity{Name: "stdlib", PURLs: []string{"pkg:golang/stdlib"}},
					Ranges:        []Range{semver("", "1.21.12"), semver("1.22.0-0", "1.22.5")},
					DefaultStatus: StatusKnownNotAffected,
				}},
			},
		},
		{
			// Events out of order: sorted before pairing.
			file: "equals_with_patch.osv.json",
			head: Advisory{
				ID: "GHSA-fhjf-83wg-r2j9", Format: "osv", Publisher: "GHSA",
				Title:     "Prototype Pollution in mixin-deep",
				Published: ts(2019, 8, 27, 17, 42, 33, 0), Updated: ts(2021, 7, 27, 21, 26, 1, 0),
				URL: "https://osv.dev/vulnerability/GHSA-fhjf-83wg-r2j9",
			},
			want: Vulnerability{
				CVE: "CVE-2019-10746", Aliases: []string{"GHSA-fhjf-83wg-r2j9"},
				Affects: []Affect{{
					Product:       Identity{Name: "mixin-deep", PURLs: []string{"pkg:npm/mixin-deep"}},
					Ranges:        []Range{semver("", "1.3.2"), semver("2.0.0", "2.0.1")},
					DefaultStatus: StatusKnownNotAffected,
				}},
			},
		},
		{
			// Maven: group:artifact as namespace/name, ECOSYSTEM ranges.
			file: "maven_greater_than.osv.json",
			head: Advisory{
				ID: "GHSA-76mp-659p-rw65", Format: "osv", Publisher: "GHSA",
				Title:     "Users registered with email verification can self re-activate their disabled accounts",
				Published: ts(2021, 5, 18, 18, 36, 21, 0), Updated: ts(2021, 6, 8, 17, 0, 19, 0),
				URL: "https://osv.dev/vulnerability/GHSA-76mp-659p-rw65",
			},
			want: Vulnerability{
				CVE: "CVE-2021-32620", Aliases: []string{"GHSA-76mp-659p-rw65"},
				Affects: []Affect{{
					Product: Identity{Name: "org.xwiki.commons:xwiki-commons-core", PURLs: []string{"pkg:maven/org.xwiki.commons/xwiki-commons-core"}},
					Ranges: []Range{
						{Status: StatusKnownAffected, Introduced: "11.6.1", Fixed: "11.10.13", Scheme: "maven"},
						{Status: StatusKnownAffected, Introduced: "12.0", Fixed: "12.6.7", Scheme: "maven"},
						{Status: StatusKnownAffected, Introduced: "12.10.0", Fixed: "12.10.2", Scheme: "maven"},
					},
					DefaultStatus: StatusKnownNotAffected,
				}},
			},
		},
		{
			// versions[] only.
			file: "equals_no_patch.osv.json",
			head: Advisory{
				ID: "GHSA-4g4c-8gqh-m4vm", Format: "osv", Publisher: "GHSA",
				Title:     "Inclusion of Functionality from Untrusted Control Sphere in Ruby",
				Published: ts(2019, 7, 16, 0, 41, 55, 0), Updated: ts(2021, 5, 10, 22, 18, 29, 0),
				URL: "https://osv.dev/vulnerability/GHSA-4g4c-8gqh-m4vm",
			},
			want: Vulnerability{
				CVE: "CVE-2019-13589", Aliases: []string{"GHSA-4g4c-8gqh-m4vm"},
				Affects: []Affect{{
					Product:       Identity{Name: "paranoid2", PURLs: []string{"pkg:gem/paranoid2"}},
					Ranges:        []Range{{Status: StatusKnownAffected, Exact: []string{"1.1.6"}, Scheme: "rubygems"}},
					DefaultStatus: StatusKnownNotAffected,
				}},
			},
		},
		{
			// GIT ranges only, and no package: named by the repository.
			file: "CVE-2023-41045.json",
			head: Advisory{
				ID: "CVE-2023-41045", Format: "osv", Publisher: "CVE",
				Title:     "Graylog is a free and open log management platform. Graylog makes use of only one single source port for DNS queries. Graylog binds a single socket for outgoing DNS queries and while that socket is b…",
				Published: ts(2023, 8, 31, 18, 15, 9, 0), Updated: ts(2023, 9, 6, 20, 2, 28, 0),
				URL: "https://osv.dev/vulnerability/CVE-2023-41045",
			},
			want: Vulnerability{
				CVE: "CVE-2023-41045", Aliases: []string{"GHSA-g96c-x7rh-99r3"},
				CVSSVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N",
				Affects: []Affect{{
					Product: Identity{Name: "https://github.com/graylog2/graylog2-server"},
					Ranges: []Range{
						{Status: StatusKnownAffected, Scheme: "git", Text: "git: >= 0, < 466af814523cffae9fbc7e77bab7472988f03c3e"},
						{Status: StatusKnownAffected, Scheme: "git", Text: "git: < a101f4f12180fd3dfa7d3345188a099877a3c327"},
					},
				}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata/osv", tt.file)
			got := mustReadOne(t, ReadOSV, path)
			want := tt.head
			want.Source = path
			want.Vulnerabilities = []Vulnerability{tt.want}
			got.Summary = ""
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("ReadOSV(%s) mismatch (-want +got):\n%s", tt.file, diff)
			}
		})
	}
}

// TestReadOSV_Mixed checks a record with both GIT and ECOSYSTEM ranges and a
// versions list: the GIT range is left out.
func TestReadOSV_Mixed(t *testing.T) {
	t.Parallel()
	a := mustReadOne(t, ReadOSV, "testdata/osv/PYSEC-2023-74.json")
	af := a.Vulnerabilities[0].Affects
	if len(af) != 1 {
		t.Fatalf("ReadOSV(PYSEC-2023-74) gave %d affects, want 1", len(af))
	}
	rs := af[0].Ranges
	if len(rs) != 2 {
		t.Fatalf("ReadOSV(PYSEC-2023-74) gave %d ranges, want 2", len(rs))
	}
	if diff := cmp.Diff(Range{Status: StatusKnownAffected, Introduced: "2.3.0", Fixed: "2.31.0", Scheme: "pypi"}, rs[0]); diff != "" {
		t.Errorf("ReadOSV(PYSEC-2023-74) ranges[0] mismatch (-want +got):\n%s", diff)
	}
	if len(rs[1].Exact) != 66 {
		t.Errorf("ReadOSV(PYSEC-2023-74) ranges[1] has %d exact versions, want 66", len(rs[1].Exact))
	}
	if got, want := af[0].Product.PURLs, []string{"pkg:pypi/requests"}; !cmp.Equal(got, want) {
		t.Errorf("ReadOSV(PYSEC-2023-74) PURLs = %v, want %v", got, want)
	}
}

// TestReadOSV_Distribution checks a record of several Alpine releases and a
// GIT range of another package.
func TestReadOSV_Distribution(t *testing.T) {
	t.Parallel()
	a := mustReadOne(t, ReadOSV, "testdata/osv/CVE-2018-5407.json")
	v := a.Vulnerabilities[0]
	if v.CVSSVector != "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N" || v.CVSS != 0 {
		t.Errorf("ReadOSV(CVE-2018-5407) CVSS = %v %q, want 0 and the vector", v.CVSS, v.CVSSVector)
	}
	want := Affect{
		Product:       Identity{Name: "openssl", PURLs: []string{"pkg:apk/alpine/openssl?arch=source"}},
		Ranges:        []Range{{Status: StatusKnownAffected, Fixed: "1.0.2q-r0", Scheme: "alpine"}},
		DefaultStatus: StatusKnownNotAffected,
	}
	if diff := cmp.Diff(want, v.Affects[0]); diff != "" {
		t.Errorf("ReadOSV(CVE-2018-5407) affects[0] mismatch (-want +got):\n%s", diff)
	}
	last := v.Affects[len(v.Affects)-1]
	if last.Product.Name != "https://github.com/nodejs/node" || last.Ranges[0].Scheme != "git" {
		t.Errorf("ReadOSV(CVE-2018-5407) last affect = %+v, want the node repository's GIT range", last)
	}
}

func TestReadOSV_Events(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		events string
		want   []Range
	}{
		{
			name:   "last_affected",
			events: `[{"introduced":"1.0.0"},{"last_affected":"1.4.2"}]`,
			want:   []Range{{Status: StatusKnownAffected, Introduced: "1.0.0", LastAffected: "1.4.2", Scheme: "semver"}},
		},
		{
			name:   "introduced 0 alone",
			events: `[{"introduced":"0"}]`,
			want:   []Range{{Status: StatusKnownAffected, All: true, Scheme: "semver"}},
		},
		{
			name:   "limit is ignored",
			events: `[{"introduced":"1.0.0"},{"limit":"1.2.0"}]`,
			want:   []Range{{Status: StatusKnownAffected, Introduced: "1.0.0", Scheme: "semver"}},
		},
		{
			name:   "open range then another",
			events: `[{"introduced":"1.0.0"},{"introduced":"2.0.0"},{"fixed":"2.1.0"}]`,
			want: []Range{
				{Status: StatusKnownAffected, Introduced: "1.0.0", Scheme: "semver"},
				{Status: StatusKnownAffected, Introduced: "2.0.0", Fixed: "2.1.0", Scheme: "semver"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := `{"id":"GHSA-x","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"@scope/pkg"},"ranges":[{"type":"SEMVER","events":` + tt.events + `}]}]}`
			advs, err := ReadOSV(t.Context(), "x", []byte(data), Options{})
			if err != nil {
				t.Fatalf("ReadOSV() error = %v", err)
			}
			af := advs[0].Vulnerabilities[0].Affects[0]
			if diff := cmp.Diff(tt.want, af.Ranges); diff != "" {
				t.Errorf("ReadOSV() ranges mismatch (-want +got):\n%s", diff)
			}
			if got, want := af.Product.PURLs, []string{"pkg:npm/%40scope/pkg"}; !cmp.Equal(got, want) {
				t.Errorf("ReadOSV() PURLs = %v, want %v", got, want)
			}
		})
	}
}

func TestReadOSV_Severity(t *testing.T) {
	t.Parallel()
	const v3, v4 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
	tests := []struct {
		name       string
		severity   string
		wantScore  float64
		wantVector string
	}{
		{"vector only", `[{"type":"CVSS_V3","score":"` + v3 + `"}]`, 0, v3},
		{"3.x before 4.0", `[{"type":"CVSS_V4","score":"` + v4 + `"},{"type":"CVSS_V3","score":"` + v3 + `"}]`, 0, v3},
		{"numeric score", `[{"type":"CVSS_V3","score":"7.5"}]`, 7.5, ""},
		{"NaN is no score", `[{"type":"CVSS_V2","score":"NaN"}]`, 0, ""},
		{"other types ignored", `[{"type":"Ubuntu","score":"high"}]`, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := `{"id":"GHSA-x","modified":"2024-01-01T00:00:00Z","severity":` + tt.severity + `}`
			advs, err := ReadOSV(t.Context(), "x", []byte(data), Options{})
			if err != nil {
				t.Fatalf("ReadOSV() error = %v", err)
			}
			v := advs[0].Vulnerabilities[0]
			if v.CVSS != tt.wantScore || v.CVSSVector != tt.wantVector {
				t.Errorf("ReadOSV() CVSS = %v %q, want %v %q", v.CVSS, v.CVSSVector, tt.wantScore, tt.wantVector)
			}
		})
	}
}

func TestEcosystemPURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ecosystem, name, want string
	}{
		{"Go", "golang.org/x/net", "pkg:golang/golang.org/x/net"},
		{"npm", "lodash", "pkg:npm/lodash"},
		{"PyPI", "Django_REST", "pkg:pypi/django-rest"},
		{"Maven", "org.apache.logging.log4j:log4j-core", "pkg:maven/org.apache.logging.log4j/log4j-core"},
		{"Maven", "no-group", ""},
		{"crates.io", "hyper", "pkg:cargo/hyper"},
		{"RubyGems", "rails", "pkg:gem/rails"},
		{"NuGet", "Newtonsoft.Json", "pkg:nuget/Newtonsoft.Json"},
		{"Packagist", "symfony/http-kernel", "pkg:composer/symfony/http-kernel"},
		{"Hex", "plug", "pkg:hex/plug"},
		{"Pub", "http", "pkg:pub/http"},
		{"Debian:12", "openssl", "pkg:deb/debian/openssl"},
		{"Alpine:v3.19", "openssl", "pkg:apk/alpine/openssl"},
		{"Ubuntu:22.04:LTS", "openssl", "pkg:deb/ubuntu/openssl"},
		{"OSS-Fuzz", "libxml2", ""},
		{"Go", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ecosystem+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ecosystemPURL(tt.ecosystem, tt.name); got != tt.want {
				t.Errorf("ecosystemPURL(%q, %q) = %q, want %q", tt.ecosystem, tt.name, got, tt.want)
			}
		})
	}
}

func TestReadOSV_Withdrawn(t *testing.T) {
	t.Parallel()
	advs, err := ReadOSV(t.Context(), "x", mustReadFixture(t, "testdata/osv/withdrawn.osv.json"), Options{})
	if err != nil || advs == nil || len(advs) != 0 {
		t.Errorf("ReadOSV(withdrawn) = %v, %v; want an empty non-nil slice and no error", advs, err)
	}
}

func TestReadOSV_Invalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		wantErr error
		wantMsg string
	}{
		{"no id", `{"modified":"2024-01-01T00:00:00Z"}`, ErrInvalid, "id is missing"},
		{"no modified", `{"id":"GO-2024-1"}`, ErrInvalid, "modified is missing"},
		{"bad modified", `{"id":"GO-2024-1","modified":"today"}`, ErrInvalid, "modified:"},
		{"events not a list", `{"id":"GO-2024-1","modified":"2024-01-01T00:00:00Z","affected":[{"ranges":[{"type":"SEMVER","events":{}}]}]}`, ErrInvalid, "affected.ranges.events"},
		{"array", `[{"id":"GO-2024-1"}]`, ErrInvalid, "array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadOSV(t.Context(), "x", []byte(tt.data), Options{})
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) || !strings.HasPrefix(err.Error(), "osv: ") {
				t.Errorf("ReadOSV() error = %v, want %v containing %q", err, tt.wantErr, tt.wantMsg)
			}
		})
	}
}

// TestReadOSV_GoVulnDB reads the whole shared copy of the Go vulnerability
// database through Load.
func TestReadOSV_GoVulnDB(t *testing.T) {
	dir := testenv.SharedData(t, "osv", "data")
	set, err := Load(t.Context(), []string{dir}, Options{})
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	for _, e := range set.Errors {
		t.Errorf("Load() source error: %s", e.Error())
	}
	// 1,415 records, 7 of them withdrawn.
	if got, want := len(set.Advisories), 1408; got != want {
		t.Errorf("Load() gave %d advisories, want %d", got, want)
	}
	for _, a := range set.Advisories {
		for _, af := range a.Vulnerabilities[0].Affects {
			if len(af.Product.PURLs) != 1 || !strings.HasPrefix(af.Product.PURLs[0], "pkg:golang/") {
				t.Errorf("%s: PURLs = %v, want one pkg:golang PURL", a.ID, af.Product.PURLs)
			}
			for _, r := range af.Ranges {
				if r.Qualified || r.Text != "" {
					t.Errorf("%s: range %+v is not a plain semver range", a.ID, r)
				}
			}
		}
	}
}
