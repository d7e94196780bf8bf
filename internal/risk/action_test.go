package risk

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
)

// standardBlock is what every ring-fence blocks.
var standardBlock = []string{
	"all internet traffic, in and out",
	"remote access from other segments (RDP, SMB, SSH, VNC, Telnet)",
	"vendor remote access, except sessions you open and watch",
}

func TestAssess_Action(t *testing.T) {
	// The router is org-patched, internet-facing and administrative: with no
	// exploitation that is track, due 180 days on (2026-08-29).
	router := inventory.Asset{ID: "rtr-1", Name: "Edge router", Kind: "router", Vendor: "Fortinet", Product: "FortiOS",
		Exposure: inventory.ExposureInternet, ClinicalRole: inventory.RoleAdministrative, PatchAuthority: inventory.PatchOrg}
	// The pump is vendor-patched, internal and life-sustaining: track*, due
	// 60 days on (2026-05-01).
	pump := inventory.Asset{ID: "pump-icu-07", Name: "Infusion pump ICU bed 7", Kind: "infusion-pump",
		Exposure: inventory.ExposureInternal, ClinicalRole: inventory.RoleLifeSustaining, PatchAuthority: inventory.PatchVendor}
	routerFence := &RingFence{
		Zone:  "a restricted segment with no route to the internet",
		Allow: []string{"only the connections it needs for its clinical or business work (ask the vendor for the list)"},
		Block: standardBlock,
		Until: "until Fortinet releases a fix; review by 2026-08-29",
	}
	pumpFence := &RingFence{
		Zone:  "the medical-device network segment (its own VLAN, no route to the internet)",
		Allow: []string{"the pump server (drug library and status) only"},
		Block: standardBlock,
		Until: "until Examplemed releases a fix; review by 2026-05-01",
	}
	const pumpAsk = "Ask Examplemed when a fix will be available (see https://example.org/ICSMA-25-041-01)."
	// With a fix released, the vendor must come and install it.
	vendorFence := &RingFence{Zone: pumpFence.Zone, Allow: pumpFence.Allow, Block: standardBlock,
		Until: "until Examplemed has installed the fix; review by 2026-05-01"}
	const vendorAsk = "Ask Examplemed for a date to install the fix (see https://example.org/ICSMA-25-041-01)."

	tests := []struct {
		name    string
		vendor  string // the advisory product's vendor
		product string // the advisory product's name
		rems    []advisory.Remediation
		edit    func(f *match.Finding, a *inventory.Asset) // optional
		asset   inventory.Asset
		want    Action
	}{
		{
			name: "fixed status needs nothing", vendor: "Fortinet", product: "FortiOS", asset: router,
			edit: func(f *match.Finding, _ *inventory.Asset) { f.Status = advisory.StatusFixed },
			want: Action{Kind: ActNone, Summary: "No action: FortiOS is already fixed."},
		},
		{
			name: "known not affected needs nothing", vendor: "Fortinet", product: "FortiOS", asset: router,
			edit: func(f *match.Finding, _ *inventory.Asset) { f.Status = advisory.StatusKnownNotAffected },
			want: Action{Kind: ActNone, Summary: "No action: FortiOS is not affected."},
		},
		{
			name: "fixed version, org patches: update, no ring-fence", vendor: "Fortinet", product: "FortiOS", asset: router,
			rems: []advisory.Remediation{{Category: advisory.RemedyVendorFix, Details: "Upgrade to FortiOS 7.4.3 or later.", URL: "https://fortiguard.example/FG-IR-24-015"}},
			edit: func(f *match.Finding, _ *inventory.Asset) { f.FixedIn = "7.4.3" },
			want: Action{
				Kind:    ActUpdate,
				Summary: "Update FortiOS to version 7.4.3 or later.",
				Steps:   []string{"Vendor says: “Upgrade to FortiOS 7.4.3 or later.” (https://fortiguard.example/FG-IR-24-015)"},
			},
		},
		{
			name: "vendor fix without a version, org patches", vendor: "Fortinet", product: "FortiOS", asset: router,
			rems: []advisory.Remediation{{Category: advisory.RemedyVendorFix, Details: "Apply the hotfix."}},
			want: Action{
				Kind:    ActUpdate,
				Summary: "Install Fortinet's fix for FortiOS.",
				Steps:   []string{"Vendor says: “Apply the hotfix.”"},
			},
		},
		{
			name: "fixed version, vendor patches: vendor, ring-fenced", vendor: "Examplemed", product: "InfuFlow 3", asset: pump,
			edit: func(f *match.Finding, _ *inventory.Asset) { f.FixedIn = "4.3.0" },
			want: Action{
				Kind:      ActVendor,
				Summary:   "Ask Examplemed to install the fix (version 4.3.0 or later) on Infusion pump ICU bed 7 (pump-icu-07); only the vendor may change this device.",
				Steps:     []string{vendorAsk},
				RingFence: vendorFence,
			},
		},
		{
			name: "only a mitigation: quoted, ring-fenced, ask for a fix", vendor: "Examplemed", product: "InfuFlow 3", asset: pump,
			rems: []advisory.Remediation{{Category: advisory.RemedyMitigation, Details: "Block TCP port 5000\n\t on the   pump network."}},
			want: Action{
				Kind:      ActMitigate,
				Summary:   "No fix yet: apply Examplemed's mitigation and ring-fence Infusion pump ICU bed 7 (pump-icu-07).",
				Steps:     []string{"Mitigation: “Block TCP port 5000 on the pump network.”", pumpAsk},
				RingFence: pumpFence,
			},
		},
		{
			name: "a workaround counts as a mitigation", vendor: "Examplemed", product: "InfuFlow 3", asset: pump,
			rems: []advisory.Remediation{{Category: advisory.RemedyWorkaround, Details: "Disable the web server.", URL: "https://examplemed.example/psirt"}},
			want: Action{
				Kind:      ActMitigate,
				Summary:   "No fix yet: apply Examplemed's mitigation and ring-fence Infusion pump ICU bed 7 (pump-icu-07).",
				Steps:     []string{"Mitigation: “Disable the web server.” (https://examplemed.example/psirt)", pumpAsk},
				RingFence: pumpFence,
			},
		},
		{
			name: "none available: ring-fence", vendor: "Examplemed", product: "InfuFlow 3", asset: pump,
			rems: []advisory.Remediation{{Category: advisory.RemedyNoneAvailable, Details: "There is no fix."}},
			want: Action{
				Kind:      ActRingFence,
				Summary:   "No fix yet: ring-fence Infusion pump ICU bed 7 (pump-icu-07) until Examplemed releases one.",
				Steps:     []string{pumpAsk},
				RingFence: pumpFence,
			},
		},
		{
			name: "a remediation for another product is ignored", vendor: "Examplemed", product: "InfuFlow 3", asset: pump,
			rems: []advisory.Remediation{
				{Category: advisory.RemedyVendorFix, Details: "Update InfuFlow 2 to 2.9.", URL: "https://examplemed.example/fix2", ProductIDs: []string{"CSAFPID-0002"}},
				{Category: advisory.RemedyNoneAvailable, Details: "InfuFlow 2 has no fix.", ProductIDs: []string{"CSAFPID-0003"}},
			},
			want: Action{
				Kind:      ActRingFence,
				Summary:   "No fix yet: ring-fence Infusion pump ICU bed 7 (pump-icu-07) until Examplemed releases one.",
				Steps:     []string{pumpAsk},
				RingFence: pumpFence,
			},
		},
		{
			name: "a remediation listing this product applies", vendor: "Examplemed", product: "InfuFlow 3", asset: pump,
			rems: []advisory.Remediation{{Category: advisory.RemedyVendorFix, Details: "Firmware 4.3.0 fixes this.",
				URL: "https://examplemed.example/fix", ProductIDs: []string{"CSAFPID-0002", "CSAFPID-0001"}}},
			want: Action{
				Kind:    ActVendor,
				Summary: "Ask Examplemed to install the fix on Infusion pump ICU bed 7 (pump-icu-07); only the vendor may change this device.",
				Steps: []string{
					"Vendor says: “Firmware 4.3.0 fixes this.” (https://examplemed.example/fix)",
					"Ask Examplemed for a date to install the fix (https://examplemed.example/fix).",
				},
				RingFence: vendorFence,
			},
		},
		{
			name: "possible match: first step asks to confirm it", vendor: "Fortinet", product: "FortiOS", asset: router,
			rems: []advisory.Remediation{{Category: advisory.RemedyVendorFix, Details: "Upgrade."}},
			edit: func(f *match.Finding, _ *inventory.Asset) {
				f.FixedIn, f.Confidence, f.Evidence = "7.4.3", match.Possible, `product "FortiOS" is similar to "FortiOS 7"`
			},
			want: Action{
				Kind:    ActUpdate,
				Summary: "Update FortiOS to version 7.4.3 or later.",
				Steps: []string{
					`First check that Edge router (rtr-1) really is the affected product (product "FortiOS" is similar to "FortiOS 7"); confirm or reject this match.`,
					"Vendor says: “Upgrade.”",
				},
			},
		},
		{
			name: "out of support before the due date: replace and ring-fence despite a fix", vendor: "Fortinet", product: "FortiOS", asset: router,
			edit: func(f *match.Finding, a *inventory.Asset) {
				f.FixedIn = "7.4.3"
				a.EndOfSupport = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
			},
			want: Action{
				Kind:      ActUpdate,
				Summary:   "Update FortiOS to version 7.4.3 or later.",
				Steps:     []string{"Edge router (rtr-1) is out of support since 2026-06-30: plan its replacement."},
				RingFence: routerFence,
			},
		},
		{
			name: "out of support after the due date changes nothing", vendor: "Fortinet", product: "FortiOS", asset: router,
			edit: func(f *match.Finding, a *inventory.Asset) {
				f.FixedIn = "7.4.3"
				a.EndOfSupport = time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
			},
			want: Action{Kind: ActUpdate, Summary: "Update FortiOS to version 7.4.3 or later."},
		},
		{
			name: "a component is named inside its asset", vendor: "OpenSSL", product: "OpenSSL", asset: router,
			edit: func(f *match.Finding, _ *inventory.Asset) { f.Component, f.FixedIn = "openssl 1.1.1k", "1.1.1l" },
			want: Action{Kind: ActUpdate, Summary: "Update OpenSSL (inside Edge router (rtr-1)) to version 1.1.1l or later."},
		},
		{
			name: "no vendor in the advisory: the asset's vendor is asked", vendor: "", product: "FortiOS", asset: router,
			want: Action{
				Kind:      ActRingFence,
				Summary:   "No fix yet: ring-fence Edge router (rtr-1) until Fortinet releases one.",
				Steps:     []string{"Ask Fortinet when a fix will be available (see https://example.org/ICSMA-25-041-01)."},
				RingFence: routerFence,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			adv := oneVuln("ICSMA-25-041-01", advisory.Vulnerability{CVE: "CVE-2025-20417", Remediations: tt.rems}, tt.vendor, tt.product)
			f := testFinding(adv, "")
			a := tt.asset
			if tt.edit != nil {
				tt.edit(f, &a)
			}
			got := NewAssessor(DefaultPolicy(), nil, nil).Assess(f, &a, now).Action
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Assess().Action mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRingFence(t *testing.T) {
	due := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	const (
		medicalZone  = "the medical-device network segment (its own VLAN, no route to the internet)"
		clinicalZone = "the clinical-servers segment (no route to the internet, reachable only from clinical workstations)"
		plainZone    = "a restricted segment with no route to the internet"
		defaultAllow = "only the connections it needs for its clinical or business work (ask the vendor for the list)"
	)
	tests := []struct {
		name      string
		asset     inventory.Asset
		wantZone  string
		wantAllow []string
	}{
		{
			name:      "DICOM on port 104",
			asset:     inventory.Asset{ID: "ws-1", Services: []inventory.Service{{Port: 104, Protocol: "tcp"}}},
			wantZone:  plainZone,
			wantAllow: []string{"DICOM (port 104) to and from the PACS and modalities only"},
		},
		{
			name:      "DICOM by service name on another port",
			asset:     inventory.Asset{ID: "ws-2", Services: []inventory.Service{{Port: 4242, Protocol: "tcp", Name: "DICOM-SCP"}}},
			wantZone:  plainZone,
			wantAllow: []string{"DICOM (port 4242) to and from the PACS and modalities only"},
		},
		{
			name: "HL7 and DICOM on a clinical-support server",
			asset: inventory.Asset{ID: "pacs-1", ClinicalRole: inventory.RoleClinicalSupport, Services: []inventory.Service{
				{Port: 443, Protocol: "tcp", Name: "https"}, {Port: 11112, Protocol: "tcp"}, {Port: 2575, Protocol: "tcp"}}},
			wantZone: clinicalZone,
			wantAllow: []string{
				"DICOM (port 11112) to and from the PACS and modalities only",
				"HL7 (port 2575) to and from the interface engine only",
			},
		},
		{
			name:      "infusion pump",
			asset:     inventory.Asset{ID: "pump-1", Kind: "infusion-pump", ClinicalRole: inventory.RoleLifeSustaining},
			wantZone:  medicalZone,
			wantAllow: []string{"the pump server (drug library and status) only"},
		},
		{
			name:      "pump named only by its product",
			asset:     inventory.Asset{ID: "pump-2", Product: "Alaris Pump Module", ClinicalRole: inventory.RoleTreatment},
			wantZone:  medicalZone,
			wantAllow: []string{"the pump server (drug library and status) only"},
		},
		{
			name:      "patient monitor",
			asset:     inventory.Asset{ID: "mon-1", Kind: "Patient Monitor", ClinicalRole: inventory.RoleDiagnostic},
			wantZone:  medicalZone,
			wantAllow: []string{"the central monitoring station only"},
		},
		{
			name:      "imaging without services seen",
			asset:     inventory.Asset{ID: "ct-1", Kind: "CT scanner", ClinicalRole: inventory.RoleDiagnostic},
			wantZone:  medicalZone,
			wantAllow: []string{"DICOM to and from the PACS only"},
		},
		{
			name:      "imaging with its DICOM port seen is not advised twice",
			asset:     inventory.Asset{ID: "ct-2", Kind: "imaging", ClinicalRole: inventory.RoleDiagnostic, Services: []inventory.Service{{Port: 104, Protocol: "tcp"}}},
			wantZone:  medicalZone,
			wantAllow: []string{"DICOM (port 104) to and from the PACS and modalities only"},
		},
		{
			name:      "nothing known",
			asset:     inventory.Asset{ID: "pc-1", Kind: "workstation", Services: []inventory.Service{{Port: 3389, Protocol: "tcp", Name: "ms-wbt-server"}}},
			wantZone:  plainZone,
			wantAllow: []string{defaultAllow},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := &RingFence{Zone: tt.wantZone, Allow: tt.wantAllow, Block: standardBlock,
				Until: "until Examplemed releases a fix; review by 2026-03-16"}
			if diff := cmp.Diff(want, ringFence(&tt.asset, "Examplemed", false, due)); diff != "" {
				t.Errorf("ringFence() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	words := func(w string, n int) string { return strings.Repeat(w+" ", n) }
	tests := []struct {
		name    string
		in      string
		wantLen int  // of the text between the quote marks, without " …"; 0: not checked
		cut     bool // the text is too long and must be cut
		atWord  bool // the cut must fall before a space
	}{
		{name: "whitespace folded", in: "  Block TCP\n\tport 5000 \r\n on the  pump network. "},
		{name: "exactly the limit is kept whole", in: strings.Repeat("a", maxQuote), wantLen: maxQuote},
		{name: "long ASCII cut at a word", in: words("firmware", 100), wantLen: 395, cut: true, atWord: true},
		{name: "long multibyte cut at a word", in: words("Gerätefirmware für Intensivstationen", 30), cut: true, atWord: true},
		{name: "no spaces: cut at a rune boundary", in: strings.Repeat("放射線", 100), wantLen: 399, cut: true},
		{name: "two-byte runes, no spaces", in: strings.Repeat("é", 300), wantLen: 400, cut: true},
		{name: "only an early space: cut at the limit", in: "a " + strings.Repeat("ü", 300), wantLen: 400, cut: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := quote(tt.in)
			body, ok := strings.CutPrefix(got, "“")
			if ok {
				body, ok = strings.CutSuffix(body, "”")
			}
			if !ok {
				t.Fatalf("quote() = %q, want it in “ ” marks", got)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("quote() = %q, not valid UTF-8", got)
			}
			folded := strings.Join(strings.Fields(tt.in), " ")
			if !tt.cut {
				if body != folded {
					t.Errorf("quote() = %q, want %q", body, folded)
				}
				return
			}
			body, ok = strings.CutSuffix(body, " …")
			if !ok {
				t.Fatalf("quote() = %q, want a cut text ending in \" …\"", got)
			}
			if !strings.HasPrefix(folded, body) {
				t.Fatalf("quote() = %q, not a prefix of the folded text", got)
			}
			if len(body) > maxQuote || len(body) <= maxQuote/2 {
				t.Errorf("quote() kept %d bytes, want (%d, %d]", len(body), maxQuote/2, maxQuote)
			}
			if tt.wantLen != 0 && len(body) != tt.wantLen {
				t.Errorf("quote() kept %d bytes, want %d", len(body), tt.wantLen)
			}
			if rest := folded[len(body):]; tt.atWord && !strings.HasPrefix(rest, " ") {
				t.Errorf("quote() cut inside a word: kept …%q, next %q…", body[len(body)-20:], rest[:20])
			}
		})
	}
}
