package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
)

// MustTestReport returns a small, realistic report with fixed times: five
// findings across all four decisions, one in CISA KEV, one possible match,
// one with ring-fence advice, and hostile text that every format must
// escape.
func MustTestReport(tb testing.TB) *scan.Report {
	tb.Helper()
	now := time.Date(2025, 3, 10, 7, 30, 0, 0, time.UTC)
	days := func(n int) time.Time { return now.AddDate(0, 0, n) }
	items := []scan.Item{
		{
			AssetID: "fw-01", AssetName: "Internet firewall", AssetSource: "inventory/cmdb.csv:12",
			AdvisoryID: "CVE-2024-3400", AdvisoryTitle: "PAN-OS: OS command injection in GlobalProtect",
			AdvisoryURL: "https://security.paloaltonetworks.com/CVE-2024-3400", Source: "cve",
			CVE: "CVE-2024-3400", Product: "Palo Alto Networks PAN-OS", Status: advisory.StatusKnownAffected,
			Confidence: match.Confirmed, Path: match.ViaCPE,
			Evidence: "cpe:2.3:o:paloaltonetworks:pan-os:10.2.7 is within < 10.2.9-h1", FixedIn: "10.2.9-h1",
			Decision: risk.Act, Due: days(2),
			Why: "exploited in the wild (CISA KEV, added 2024-04-12); reachable from the internet; attack can be automated",
			KEV: true, EPSS: 0.94339, CVSS: 10,
			Action: "Update PAN-OS to version 10.2.9-h1 or later.", ActionKind: risk.ActUpdate,
			Steps: []string{"Vendor says: “Upgrade to PAN-OS 10.2.9-h1 or a later hotfix.” (https://security.paloaltonetworks.com/CVE-2024-3400)"},
		},
		{
			AssetID: "pump-icu-07", AssetName: "Infusion pump ICU bed 7", AssetSource: "inventory/medical.csv:88",
			AdvisoryID: "ICSMA-25-041-01", AdvisoryTitle: "Examplemed InfuFlow 3 infusion pump",
			AdvisoryURL: "https://www.cisa.gov/news-events/ics-medical-advisories/icsma-25-041-01", Source: "csaf",
			CVE: "CVE-2025-20417", Product: "Examplemed InfuFlow 3", Status: advisory.StatusKnownAffected,
			Confidence: match.Confirmed, Path: match.ViaName, Evidence: "product name and firmware 4.2.1 match; fixed in none",
			Decision: risk.Act, Due: days(2),
			Why:  "public exploit code exists; life-sustaining device; attack can be automated",
			EPSS: 0.012, CVSS: 8.8,
			Action: "No fix yet: apply Examplemed's mitigation and ring-fence Infusion pump ICU bed 7 (pump-icu-07).", ActionKind: risk.ActMitigate,
			Steps: []string{
				`Mitigation: “Block TCP port 5000 <script>alert("pwned")</script> & restrict the "service" account.”`,
				"Ask Examplemed when a fix will be available (see https://www.cisa.gov/news-events/ics-medical-advisories/icsma-25-041-01).",
			},
			RingFence: &risk.RingFence{
				Zone:  "the medical-device network segment (its own VLAN, no route to the internet)",
				Allow: []string{"the pump server (drug library and status) only"},
				Block: []string{"all internet traffic, in and out", "remote access from other segments (RDP, SMB, SSH, VNC, Telnet)", "vendor remote access, except sessions you open and watch"},
				Until: "until Examplemed releases a fix; review by 2025-03-12",
			},
		},
		{
			AssetID: "pacs-01", AssetName: "PACS archive", AssetSource: "inventory/cmdb.csv:31",
			AdvisoryID: "ICSMA-25-002-02", AdvisoryTitle: "Exampleview PACS Server",
			AdvisoryURL: "https://www.cisa.gov/news-events/ics-medical-advisories/icsma-25-002-02", Source: "csaf",
			CVE: "CVE-2025-10992", Product: "Exampleview PACS Server", Status: advisory.StatusKnownAffected,
			Confidence: match.Possible, Path: match.ViaName,
			Evidence: `inventory "ExampleView PACS" ~ advisory "Exampleview PACS Server" (name differs)`, FixedIn: "7.3.2",
			Decision: risk.Attend, Due: days(14),
			Why:    "no known exploitation; reachable by partners; holds patient data",
			CVSS:   7.5,
			Action: "Update Exampleview PACS Server to version 7.3.2 or later.", ActionKind: risk.ActUpdate,
			Steps: []string{`First check that PACS archive (pacs-01) really is the affected product (inventory "ExampleView PACS" ~ advisory "Exampleview PACS Server" (name differs)); confirm or reject this match.`},
		},
		{
			AssetID: "lab-pc-03", AssetName: "=cmd|' /C calc'!A0", AssetSource: "inventory/cmdb.csv:57",
			Component: "@openssl 1.1.1k", AdvisoryID: "CVE-2023-0286", AdvisoryTitle: "X.400 address type confusion in X.509 GeneralName",
			AdvisoryURL: "https://www.openssl.org/news/secadv/20230207.txt", Source: "cve",
			CVE: "CVE-2023-0286", Product: "OpenSSL OpenSSL", Status: advisory.StatusKnownAffected,
			Confidence: match.Confirmed, Path: match.ViaPURL, Evidence: "-pkg:generic/openssl@1.1.1k is within < 1.1.1t", FixedIn: "1.1.1t",
			Decision: risk.TrackStar, Due: days(60),
			Why:  "no known exploitation; EPSS 0% chance of exploitation in 30 days; inside the clinical network",
			EPSS: 0.00337, CVSS: 7.4,
			Action: "Update OpenSSL (inside =cmd|' /C calc'!A0 (lab-pc-03)) to version 1.1.1t or later.", ActionKind: risk.ActUpdate,
		},
		{
			AssetID: "prn-02", AssetName: "Reception printer", AssetSource: "inventory/nmap.xml",
			AdvisoryID: "CVE-2024-51978", AdvisoryTitle: "Default administrator password derived from serial number",
			Source: "cve", CVE: "CVE-2024-51978", Product: "Exampleprint MFP 400", Status: advisory.StatusKnownAffected,
			Confidence: match.Confirmed, Path: match.ViaCPE, Evidence: "+firmware 1.04 is within <= 1.05",
			Decision: risk.Track, Due: days(180),
			Why:    "no known exploitation; inside the clinical network; administrative asset",
			CVSS:   5.3,
			Action: "Install Exampleprint's fix for MFP 400.", ActionKind: risk.ActUpdate,
		},
	}
	return &scan.Report{
		GeneratedAt: now,
		Summary: scan.Summary{
			Assets: 42, Advisories: 17, Vulnerabilities: 23, Findings: 5, AffectedAssets: 5,
			ByDecision:   map[string]int{"act": 2, "attend": 1, "track*": 1, "track": 1},
			ByConfidence: map[string]int{"confirmed": 4, "possible": 1},
			ByStatus:     map[string]int{"known_affected": 5},
			KEVFindings:  1, SourceErrors: 2,
		},
		Findings: items,
		Errors: []advisory.SourceError{
			{Source: "advisories/broken.json", Message: "unknown advisory format"},
			{Source: "advisories/icsma-25-041-01.json", Message: "hash mismatch: .sha512 does not match the file"},
		},
		Notices: []string{"inventory/cmdb.csv:40: no version for “Reception PC 2”; matched by name only"},
		Assets: map[string]*scan.AssetBrief{
			"fw-01":       {ID: "fw-01", Name: "Internet firewall", Kind: "firewall", Location: "Server room", Owner: "IT operations", ClinicalRole: "administrative", Exposure: "internet"},
			"pump-icu-07": {ID: "pump-icu-07", Name: "Infusion pump ICU bed 7", Kind: "infusion pump", Location: "ICU, bed 7", Owner: "Biomedical engineering", ClinicalRole: "life-sustaining", Exposure: "internal"},
			"pacs-01":     {ID: "pacs-01", Name: "PACS archive", Kind: "server", Location: "Data centre", Owner: "Radiology IT", ClinicalRole: "clinical-support", Exposure: "partner"},
			"lab-pc-03":   {ID: "lab-pc-03", Name: "=cmd|' /C calc'!A0", Kind: "workstation", Location: "Laboratory", ClinicalRole: "diagnostic", Exposure: "internal"},
			"prn-02":      {ID: "prn-02", Name: "Reception printer", Kind: "printer", Location: "Reception", Exposure: "internal"},
		},
	}
}

// render writes rep in format, failing the test on error.
func render(tb testing.TB, rep *scan.Report, format string) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := Write(&b, rep, format); err != nil {
		tb.Fatalf("Write(%q) = %v", format, err)
	}
	return b.Bytes()
}

func TestWrite_Golden(t *testing.T) {
	t.Parallel()
	rep := MustTestReport(t)
	ext := map[string]string{"table": "txt", "json": "json", "csv": "csv", "sarif": "sarif", "html": "html"}
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			got := render(t, rep, format)
			if again := render(t, rep, format); !bytes.Equal(got, again) {
				t.Fatalf("Write(%q) is not deterministic", format)
			}
			path := filepath.Join("testdata", "golden", "report."+ext[format])
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Write(%q) differs from %s (-want +got):\n%s", format, path, diff)
			}
		})
	}
}

func TestWrite_Checks(t *testing.T) {
	t.Parallel()
	rep := MustTestReport(t)
	tests := []struct {
		format string
		check  func(t *testing.T, out []byte)
	}{
		{"table", func(t *testing.T, out []byte) {
			text := string(out)
			for _, want := range []string{"ACT — fix within days (2)", "[KEV]", "[possible match: confirm]", "SOURCE ERRORS (2)"} {
				if !strings.Contains(text, want) {
					t.Errorf("table lacks %q", want)
				}
			}
			for _, line := range strings.Split(text, "\n") {
				if n := len([]rune(line)); n > tableWidth {
					t.Errorf("line of %d runes, want <= %d: %q", n, tableWidth, line)
				}
			}
		}},
		{"json", func(t *testing.T, out []byte) {
			var got scan.Report
			dec := json.NewDecoder(bytes.NewReader(out))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if diff := cmp.Diff(rep.Findings, got.Findings); diff != "" {
				t.Errorf("findings after a JSON round trip (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(rep.Summary, got.Summary); diff != "" {
				t.Errorf("summary after a JSON round trip (-want +got):\n%s", diff)
			}
		}},
		{"csv", func(t *testing.T, out []byte) {
			recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if len(recs) != len(rep.Findings)+1 {
				t.Fatalf("%d rows, want %d", len(recs), len(rep.Findings)+1)
			}
			if got, want := strings.Join(recs[0], ","), "asset_id,asset_name,component,advisory_id,cve_id,product,status,confidence,decision,due,kev,epss,cvss,action,evidence,fixed_in"; got != want {
				t.Errorf("header = %s, want %s", got, want)
			}
			for i, rec := range recs {
				for j, c := range rec {
					if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
						t.Errorf("row %d cell %d = %q starts with a formula character", i, j, c)
					}
				}
			}
			if got := recs[4][1]; got != `'=cmd|' /C calc'!A0` {
				t.Errorf("asset_name = %q, want the formula defused with a leading '", got)
			}
			if got := recs[1][9]; got != "2025-03-12" {
				t.Errorf("due = %q, want 2025-03-12", got)
			}
		}},
		{"sarif", func(t *testing.T, out []byte) {
			var log struct {
				Schema  string `json:"$schema"`
				Version string `json:"version"`
				Runs    []struct {
					Tool struct {
						Driver struct {
							Name  string
							Rules []struct{ ID string }
						}
					}
					Results []struct {
						RuleID    string
						Level     string
						Locations []struct {
							PhysicalLocation *struct {
								ArtifactLocation struct{ URI string }
								Region           *struct{ StartLine int }
							}
						}
					}
				}
			}
			if err := json.Unmarshal(out, &log); err != nil {
				t.Fatalf("parse: %v", err)
			}
			if log.Version != "2.1.0" || log.Schema != "https://json.schemastore.org/sarif-2.1.0.json" {
				t.Errorf("version, schema = %q, %q; want 2.1.0 and the 2.1.0 schema", log.Version, log.Schema)
			}
			if len(log.Runs) != 1 {
				t.Fatalf("%d runs, want 1", len(log.Runs))
			}
			run := log.Runs[0]
			if got, want := len(run.Results), len(rep.Findings); got != want {
				t.Errorf("%d results, want %d", got, want)
			}
			if got, want := len(run.Tool.Driver.Rules), 5; got != want {
				t.Errorf("%d rules, want %d", got, want)
			}
			var levels []string
			for _, r := range run.Results {
				levels = append(levels, r.Level)
			}
			if diff := cmp.Diff([]string{"error", "error", "warning", "note", "note"}, levels); diff != "" {
				t.Errorf("levels (-want +got):\n%s", diff)
			}
			pl := run.Results[0].Locations[0].PhysicalLocation
			if pl == nil || pl.ArtifactLocation.URI != "inventory/cmdb.csv" || pl.Region == nil || pl.Region.StartLine != 12 {
				t.Errorf("first location = %+v, want inventory/cmdb.csv line 12", pl)
			}
		}},
		{"html", func(t *testing.T, out []byte) {
			page := string(out)
			if strings.Contains(strings.ToLower(page), "<script") {
				t.Error("page contains <script; data must be escaped and the page carries no script")
			}
			for _, want := range []string{`<html lang="en">`, "<svg", "&lt;script&gt;", "@page", "break-before: page", `<th scope="col">`, "Ring-fence until fixed", "known exploited"} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			t.Parallel()
			tc.check(t, render(t, rep, tc.format))
		})
	}
}

func TestWrite_Empty(t *testing.T) {
	t.Parallel()
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			if out := render(t, &scan.Report{}, format); len(out) == 0 {
				t.Errorf("Write(%q) of an empty report wrote nothing", format)
			}
		})
	}
}

func TestWrite_UnknownFormat(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	err := Write(&b, MustTestReport(t), "pdf")
	if !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("Write(pdf) = %v, want ErrUnknownFormat", err)
	}
	if !strings.Contains(err.Error(), strings.Join(Formats(), ", ")) {
		t.Errorf("Write(pdf) = %v, want it to list the formats", err)
	}
	if b.Len() != 0 {
		t.Errorf("Write(pdf) wrote %d bytes, want none", b.Len())
	}
}

func TestWrite_ManySourceErrors(t *testing.T) {
	t.Parallel()
	rep := MustTestReport(t)
	rep.Errors = nil
	for i := range 25 {
		rep.Errors = append(rep.Errors, advisory.SourceError{Source: fmt.Sprintf("feed/%02d.json", i), Message: "unknown advisory format"})
	}
	for _, tc := range []struct{ format, want string }{
		{"table", "  ... and 5 more\n"},
		{"html", "<li>… and 5 more</li>"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			out := string(render(t, rep, tc.format))
			if !strings.Contains(out, tc.want) {
				t.Errorf("Write(%q) lacks %q", tc.format, tc.want)
			}
			if strings.Contains(out, "feed/20.json") {
				t.Errorf("Write(%q) lists the 21st source error", tc.format)
			}
		})
	}
}

func TestWrite_TerminalEscapes(t *testing.T) {
	t.Parallel()
	rep := MustTestReport(t)
	rep.Findings[0].Action = "Update\x1b]8;;http://evil\x07 now\u202e."
	out := string(render(t, rep, "table"))
	if strings.ContainsAny(out, "\x1b\x07\u202e") {
		t.Errorf("table passes control characters through: %q", out)
	}
}

func TestSarifSource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      *sarifPhysical
	}{
		{"none", "", nil},
		{"file and line", "inventory/cmdb.csv:12", &sarifPhysical{ArtifactLocation: sarifArtifact{URI: "inventory/cmdb.csv"}, Region: &sarifRegion{StartLine: 12}}},
		{"file only", "inventory/nmap.xml", &sarifPhysical{ArtifactLocation: sarifArtifact{URI: "inventory/nmap.xml"}}},
		{"no line number", "sheet.csv:B7", &sarifPhysical{ArtifactLocation: sarifArtifact{URI: "./sheet.csv:B7"}}},
		{"space in name", "medical devices.csv:3", &sarifPhysical{ArtifactLocation: sarifArtifact{URI: "medical%20devices.csv"}, Region: &sarifRegion{StartLine: 3}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, sarifSource(tc.src)); diff != "" {
				t.Errorf("sarifSource(%q) (-want +got):\n%s", tc.src, diff)
			}
		})
	}
}
