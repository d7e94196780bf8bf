package match

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
)

// The advisories below restate real ones in ward's model, so that matching
// is tested apart from the readers (the readers have their own tests; the
// scan package tests the whole path on the real files).

// icsma21019 is ICSMA-21-019-01 (Philips Interventional Workstations):
// exact versions in the product tree, known_affected.
func icsma21019() *advisory.Advisory {
	return &advisory.Advisory{ID: "ICSMA-21-019-01", Title: "Philips Interventional Workstations", Vulnerabilities: []advisory.Vulnerability{{
		CVE: "CVE-2020-27298",
		Affects: []advisory.Affect{
			{ProductID: "CSAFPID-0001", Product: advisory.Identity{Vendor: "Philips", Name: "Interventional Workspot"},
				Ranges: advisory.ParseVersionText("(Release 1.3.2 1.4.0 1.4.1 1.4.3 1.4.5)", advisory.StatusKnownAffected)},
			{ProductID: "CSAFPID-0002", Product: advisory.Identity{Vendor: "Philips", Name: "ViewForum"},
				Ranges: advisory.ParseVersionText("6.3V1L10", advisory.StatusKnownAffected)},
			{ProductID: "CSAFPID-0003", Product: advisory.Identity{Vendor: "Philips", Name: "Coronary Tools/Dynamic Coronary Roadmap/Stentboost Live"},
				Ranges: advisory.ParseVersionText("1.0", advisory.StatusKnownAffected)},
		},
	}}}
}

// rangeAdvisory is a CISA-style "<= C.00.04" range with a fixed version.
func rangeAdvisory() *advisory.Advisory {
	return &advisory.Advisory{ID: "ICSMA-TEST-RANGE", Vulnerabilities: []advisory.Vulnerability{{
		CVE: "CVE-2099-0001",
		Affects: []advisory.Affect{
			{ProductID: "P1", Product: advisory.Identity{Vendor: "GE Healthcare", Name: "CARESCAPE Telemetry Server"},
				Ranges: advisory.ParseVersionText("<= C.00.04", advisory.StatusKnownAffected)},
			{ProductID: "P2", Product: advisory.Identity{Vendor: "GE Healthcare", Name: "CARESCAPE Telemetry Server"},
				Ranges: advisory.ParseVersionText("C.00.05", advisory.StatusFixed)},
			{ProductID: "P3", Product: advisory.Identity{Vendor: "General Electric (GE)", Name: "ApexPro Telemetry Server"},
				Ranges: advisory.ParseVersionText(">= 4.0 | <= 4.6", advisory.StatusKnownAffected)},
		},
	}}}
}

// nvdRunningOn is CVE-2023-... style NVD data: an application CPE with a
// version range, running on Linux.
func nvdRunningOn() *advisory.Advisory {
	return &advisory.Advisory{ID: "CVE-2023-0001", Vulnerabilities: []advisory.Vulnerability{{
		CVE: "CVE-2023-0001",
		Affects: []advisory.Affect{{
			Product:   advisory.Identity{CPEs: []string{"cpe:2.3:a:veritas:netbackup:*:*:*:*:*:*:*:*"}},
			Ranges:    []advisory.Range{{Status: advisory.StatusKnownAffected, LastAffected: "10.1"}},
			Platforms: []advisory.Identity{{CPEs: []string{"cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*"}}},
		}, {
			Product: advisory.Identity{CPEs: []string{"cpe:2.3:o:contec:solarview_compact_firmware:6.00:*:*:*:*:*:*:*"}},
		}},
	}}}
}

// osvGo is an OSV-style Go module record.
func osvGo() *advisory.Advisory {
	return &advisory.Advisory{ID: "GO-2099-0001", Vulnerabilities: []advisory.Vulnerability{{
		CVE: "CVE-2099-0002",
		Affects: []advisory.Affect{{
			Product: advisory.Identity{Name: "golang.org/x/net", PURLs: []string{"pkg:golang/golang.org/x/net"}},
			Ranges:  []advisory.Range{{Status: advisory.StatusKnownAffected, Introduced: "0", Fixed: "0.17.0", Scheme: "semver"}},
		}},
	}}}
}

type want struct {
	asset, vuln string
	status      advisory.Status
	conf        Confidence
	path        Path
	fixed       string
}

func TestMatcher_Match(t *testing.T) {
	advs := []*advisory.Advisory{icsma21019(), rangeAdvisory(), nvdRunningOn(), osvGo()}
	m := NewMatcher(NewNames(), advs)
	tests := []struct {
		name  string
		asset inventory.Asset
		want  []want
	}{
		{"exact version in list", inventory.Asset{ID: "a1", Vendor: "Philips", Product: "Interventional Workspot", Version: "1.4.3"},
			[]want{{"a1", "CVE-2020-27298", advisory.StatusKnownAffected, Confirmed, ViaName, ""}}},
		{"version not in list", inventory.Asset{ID: "a2", Vendor: "Philips", Product: "Interventional Workspot", Version: "1.4.2"}, nil},
		{"misspelt vendor, vendor prefix in product", inventory.Asset{ID: "a3", Vendor: "Phillips", Product: "Philips ViewForum", Version: "R6.3V1L10"},
			[]want{{"a3", "CVE-2020-27298", advisory.StatusKnownAffected, Confirmed, ViaName, ""}}},
		{"alternative in a slash list", inventory.Asset{ID: "a4", Vendor: "Philips", Product: "StentBoost Live", Version: "1.0"},
			[]want{{"a4", "CVE-2020-27298", advisory.StatusKnownAffected, Confirmed, ViaName, ""}}},
		{"version unknown", inventory.Asset{ID: "a5", Vendor: "Philips", Product: "ViewForum"},
			[]want{{"a5", "CVE-2020-27298", advisory.StatusKnownAffected, Possible, ViaName, ""}}},
		{"at the last affected version", inventory.Asset{ID: "b1", Vendor: "GE HealthCare", Product: "CARESCAPE Telemetry Server", Version: "C.00.04"},
			[]want{{"b1", "CVE-2099-0001", advisory.StatusKnownAffected, Confirmed, ViaName, "C.00.05"}}},
		{"below the last affected version", inventory.Asset{ID: "b2", Vendor: "GE Healthcare", Product: "CARESCAPE Telemetry Server", Version: "B.01.12"},
			[]want{{"b2", "CVE-2099-0001", advisory.StatusKnownAffected, Confirmed, ViaName, "C.00.05"}}},
		{"the fixed version", inventory.Asset{ID: "b3", Vendor: "GE Healthcare", Product: "CARESCAPE Telemetry Server", Version: "C.00.05"},
			[]want{{"b3", "CVE-2099-0001", advisory.StatusFixed, Confirmed, ViaName, ""}}},
		{"range lower bound, vendor alias", inventory.Asset{ID: "b4", Vendor: "GE Healthcare", Product: "ApexPro Telemetry Server", Version: "4.0"},
			[]want{{"b4", "CVE-2099-0001", advisory.StatusKnownAffected, Confirmed, ViaName, ""}}},
		{"below range", inventory.Asset{ID: "b5", Vendor: "GE Healthcare", Product: "ApexPro Telemetry Server", Version: "3.9"}, nil},
		{"above range", inventory.Asset{ID: "b6", Vendor: "GE Healthcare", Product: "ApexPro Telemetry Server", Version: "4.6.1"}, nil},
		{"similar name is only possible", inventory.Asset{ID: "b7", Vendor: "GE Healthcare", Product: "CARESCAPE Telemetry Server Plus", Version: "C.00.01"},
			[]want{{"b7", "CVE-2099-0001", advisory.StatusKnownAffected, Possible, ViaName, "C.00.05"}}},
		{"different product of the same vendor", inventory.Asset{ID: "b8", Vendor: "GE Healthcare", Product: "Vivid E95 Ultrasound", Version: "1.0"}, nil},
		{"same product name, another vendor", inventory.Asset{ID: "b9", Vendor: "Acme", Product: "CARESCAPE Telemetry Server", Version: "C.00.01"}, nil},
		{"incomparable version", inventory.Asset{ID: "b10", Vendor: "GE Healthcare", Product: "ApexPro Telemetry Server", Version: "ABC"},
			[]want{{"b10", "CVE-2099-0001", advisory.StatusKnownAffected, Possible, ViaName, ""}}},
		{"cpe range running on linux", inventory.Asset{ID: "c1", CPE: "cpe:2.3:a:veritas:netbackup:10.0:*:*:*:*:*:*:*",
			Components: []inventory.Component{{Name: "Linux", CPE: "cpe:2.3:o:linux:linux_kernel:5.15:*:*:*:*:*:*:*"}}},
			[]want{{"c1", "CVE-2023-0001", advisory.StatusKnownAffected, Confirmed, ViaCPE, ""}}},
		{"cpe range, running on windows: not affected", inventory.Asset{ID: "c2", CPE: "cpe:2.3:a:veritas:netbackup:10.0:*:*:*:*:*:*:*",
			Components: []inventory.Component{{Name: "Windows", CPE: "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*"}}}, nil},
		{"cpe range, platform unknown: possible", inventory.Asset{ID: "c3", CPE: "cpe:2.3:a:veritas:netbackup:10.1:*:*:*:*:*:*:*"},
			[]want{{"c3", "CVE-2023-0001", advisory.StatusKnownAffected, Possible, ViaCPE, ""}}},
		{"cpe above range", inventory.Asset{ID: "c4", CPE: "cpe:2.3:a:veritas:netbackup:10.2:*:*:*:*:*:*:*"}, nil},
		{"cpe pinned version equal", inventory.Asset{ID: "c5", CPE: "cpe:2.3:o:contec:solarview_compact_firmware:6.00:*:*:*:*:*:*:*"},
			[]want{{"c5", "CVE-2023-0001", advisory.StatusKnownAffected, Confirmed, ViaCPE, ""}}},
		{"cpe pinned version differs", inventory.Asset{ID: "c6", CPE: "cpe:2.3:o:contec:solarview_compact_firmware:6.10:*:*:*:*:*:*:*"}, nil},
		{"over-generic cpe is refused", inventory.Asset{ID: "c7", CPE: "cpe:2.3:a:*:*:*:*:*:*:*:*:*:*", Vendor: "x", Product: "y"}, nil},
		{"cpe 2.2 uri", inventory.Asset{ID: "c8", CPE: "cpe:/o:contec:solarview_compact_firmware:6.00"},
			[]want{{"c8", "CVE-2023-0001", advisory.StatusKnownAffected, Confirmed, ViaCPE, ""}}},
		{"purl in range, in a component", inventory.Asset{ID: "d1", Vendor: "Acme", Product: "Gateway",
			Components: []inventory.Component{{Name: "golang.org/x/net", Version: "0.16.0", PURL: "pkg:golang/golang.org/x/net@v0.16.0"}}},
			[]want{{"d1", "CVE-2099-0002", advisory.StatusKnownAffected, Confirmed, ViaPURL, "0.17.0"}}},
		{"purl fixed", inventory.Asset{ID: "d2", PURL: "pkg:golang/golang.org/x/net@v0.17.0"}, nil},
		{"purl other package", inventory.Asset{ID: "d3", PURL: "pkg:golang/golang.org/x/text@v0.3.0"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []want
			for _, f := range m.MatchAsset(&tt.asset) {
				if f.Status == advisory.StatusKnownNotAffected {
					continue
				}
				if f.Status == advisory.StatusFixed && tt.want == nil {
					continue
				}
				got = append(got, want{f.AssetID, f.VulnID, f.Status, f.Confidence, f.Path, f.FixedIn})
				if strings.TrimSpace(f.Evidence) == "" {
					t.Errorf("finding %s/%s has no evidence", f.AssetID, f.VulnID)
				}
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("MatchAsset(%s) (-want +got):\n%s", tt.asset.ID, diff)
			}
		})
	}
}

// TestInventoryIndex_SameAsMatcher checks that matching one advisory against
// an indexed inventory finds exactly what the advisory index finds.
func TestInventoryIndex_SameAsMatcher(t *testing.T) {
	advs := []*advisory.Advisory{icsma21019(), rangeAdvisory(), nvdRunningOn(), osvGo()}
	assets := []inventory.Asset{
		{ID: "a1", Vendor: "Philips", Product: "Interventional Workspot", Version: "1.4.3"},
		{ID: "a5", Vendor: "Philips", Product: "ViewForum"},
		{ID: "b1", Vendor: "GE HealthCare", Product: "CARESCAPE Telemetry Server", Version: "C.00.04"},
		{ID: "b7", Vendor: "GE Healthcare", Product: "CARESCAPE Telemetry Server Plus", Version: "C.00.01"},
		{ID: "c1", CPE: "cpe:2.3:a:veritas:netbackup:10.0:*:*:*:*:*:*:*"},
		{ID: "d2", PURL: "pkg:golang/golang.org/x/net@v0.10.0"},
	}
	names := NewNames()
	want := NewMatcher(names, advs).Match(assets)
	ix := NewInventoryIndex(names, assets)
	var got []Finding
	for _, a := range advs {
		got = append(got, ix.MatchAdvisory(a)...)
	}
	sortFindings(got)
	key := func(fs []Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.AssetID+" "+f.VulnID+" "+string(f.Status)+" "+string(f.Confidence))
		}
		return out
	}
	if diff := cmp.Diff(key(want), key(got)); diff != "" {
		t.Errorf("InventoryIndex differs from Matcher (-matcher +index):\n%s", diff)
	}
	if len(want) < 5 {
		t.Errorf("Match() found %d findings, want at least 5", len(want))
	}
}
