package inventory

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// mustReadFile reads path with [ReadFile] or fails the test.
func mustReadFile(tb testing.TB, path string) *Result {
	tb.Helper()
	res, err := ReadFile(tb.Context(), path)
	if err != nil {
		tb.Fatalf("ReadFile(%q) = %v", path, err)
	}
	return res
}

// componentsByName indexes the components of a by name.
func componentsByName(a Asset) map[string]Component {
	m := make(map[string]Component, len(a.Components))
	for _, c := range a.Components {
		m[c.Name] = c
	}
	return m
}

func TestRead_CycloneDXMedicalDevice(t *testing.T) {
	t.Parallel()
	res := mustReadFile(t, "testdata/cyclonedx/narrow.sbom.json")
	if res.Format != FormatCycloneDXJSON || len(res.Assets) != 1 || res.Notices != nil {
		t.Fatalf("ReadFile() = format %q, %d assets, notices %q; want cyclonedx-json, 1, none", res.Format, len(res.Assets), res.Notices)
	}
	a := res.Assets[0]
	head := Asset{
		ID: "BomRef.8538684141258271.6150057962229712", Name: "REDACTED", Kind: "device", Product: "REDACTED",
		PatchAuthority: PatchVendor, Source: "testdata/cyclonedx/narrow.sbom.json",
	}
	if diff := cmp.Diff(head, a, cmpopts.IgnoreFields(Asset{}, "Components")); diff != "" {
		t.Errorf("asset mismatch (-want +got):\n%s", diff)
	}
	if len(a.Components) != 55 {
		t.Errorf("asset has %d components, want 55", len(a.Components))
	}
	byName := componentsByName(a)
	for _, want := range []Component{
		{
			Ref: "BomRef.060212624171178786.9840956843888784", Kind: "device", Vendor: "Qualcomm", Name: "Qualcomm Atheros QCA9563",
			CPE: "cpe:2.3:h:qualcomm:atheros_qca9563:*:*:*:*:*:*:*:*", PURL: "pkg:generic/qualcomm_atheros_qca9563",
		},
		{
			Ref: "BomRef.6730320963532548.7863229239413411", Kind: "firmware", Vendor: "wolfSSL", Name: "WolfSSL", Version: "4.8.1",
			CPE: "cpe:2.3:a:wolfssl:wolfssl:4.8.1:*:*:*:*:*:*:*", PURL: "pkg:github/wolfssl/wolfssl",
		},
		{
			Ref: "BomRef.15735835545250698.3370216198042474", Kind: "firmware", Vendor: "ChaN", Name: "fatFS", Version: "0.13c",
			CPE: "cpe:2.3:a:chan:fatfs:r0.13:*:*:*:*:*:*:*", PURL: "pkg:github/abbrev/fatfs",
		},
		{
			Ref: "BomRef.45435230008644456.13282961833513973", Kind: "library", Vendor: "The Apache Software Foundation", Name: "log4net", Version: "2.0.8",
			CPE: "cpe:2.3:a:the_apache_software_foundation:log4net:2.0.8:*:*:*:*:*:*:*", PURL: "pkg:nuget/log4net@2.0.8",
		},
	} {
		if diff := cmp.Diff(want, byName[want.Name]); diff != "" {
			t.Errorf("component %q mismatch (-want +got):\n%s", want.Name, diff)
		}
	}
}

func TestRead_CycloneDXXMLMatchesJSON(t *testing.T) {
	t.Parallel()
	fromJSON := mustReadFile(t, "testdata/cyclonedx/cern-lhc-vdm-editor.bom.json")
	fromXML := mustReadFile(t, "testdata/cyclonedx/cern-lhc-vdm-editor.bom.xml")
	if fromXML.Format != FormatCycloneDXXML {
		t.Errorf("ReadFile(xml).Format = %q, want %q", fromXML.Format, FormatCycloneDXXML)
	}
	a := fromXML.Assets[0]
	head := Asset{
		ID: "pkg:npm/lhc-vdm-editor@0.0.1", Name: "lhc-vdm-editor", Kind: "library", Product: "lhc-vdm-editor", Version: "0.0.1",
		PURL: "pkg:npm/lhc-vdm-editor@0.0.1", Source: "testdata/cyclonedx/cern-lhc-vdm-editor.bom.xml",
	}
	if diff := cmp.Diff(head, a, cmpopts.IgnoreFields(Asset{}, "Components")); diff != "" {
		t.Errorf("asset mismatch (-want +got):\n%s", diff)
	}
	want := Component{Ref: "pkg:npm/puppeteer@1.19.0", Kind: "library", Name: "puppeteer", Version: "1.19.0", PURL: "pkg:npm/puppeteer@1.19.0"}
	if diff := cmp.Diff(want, a.Components[0]); diff != "" {
		t.Errorf("first component mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(fromJSON.Assets, fromXML.Assets, cmpopts.IgnoreFields(Asset{}, "Source")); diff != "" {
		t.Errorf("JSON and XML differ (-json +xml):\n%s", diff)
	}
}

func TestRead_CycloneDXInline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		input       string
		want        []Asset
		wantNotices []string
	}{
		{
			name: "no metadata component: the file names the asset; nested components flattened",
			input: `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
				{"type":"operating-system","name":"linux","version":"5.10","supplier":{"name":"Acme Medical"},"publisher":"ignored",
				 "components":[{"type":"library","name":"openssl","version":"3.0.2","group":"org.openssl","purl":"pkg:generic/openssl@3.0.2"}]},
				{"type":"framework","name":".NET","manufacturer":{"name":"Microsoft"}}]}`,
			want: []Asset{{
				ID: "scanner.cdx.json", Source: "dir/scanner.cdx.json",
				Components: []Component{
					{Kind: "operating-system", Vendor: "Acme Medical", Name: "linux", Version: "5.10"},
					{Kind: "library", Vendor: "org.openssl", Name: "openssl", Version: "3.0.2", PURL: "pkg:generic/openssl@3.0.2"},
					{Kind: "framework", Vendor: "Microsoft", Name: ".NET"},
				},
			}},
		},
		{
			name: "metadata component without bom-ref: name@version; firmware is vendor-patched; bad identifiers dropped",
			input: `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
				"metadata":{"manufacturer":{"name":"Acme Medical"},"component":{"type":"firmware","name":"PumpOS","version":"4.2","cpe":"cpe:2.3:o:acme:pumpos:4.2:*:*:*:*:*:*:*",
				  "components":[{"type":"library","name":"zlib","version":"1.2.11","cpe":"cpe:zlib"}]}},
				"components":[{"type":"library","name":"","version":"1"},{"type":"library","name":"busybox","purl":"pkg:"}]}`,
			want: []Asset{{
				ID: "PumpOS@4.2", Name: "PumpOS", Kind: "firmware", Vendor: "Acme Medical", Product: "PumpOS", Version: "4.2",
				CPE: "cpe:2.3:o:acme:pumpos:4.2:*:*:*:*:*:*:*", PatchAuthority: PatchVendor, Source: "dir/scanner.cdx.json",
				Components: []Component{
					{Kind: "library", Name: "zlib", Version: "1.2.11"},
					{Kind: "library", Name: "busybox"},
				},
			}},
			wantNotices: []string{
				`2 malformed cpe or purl identifiers ignored, first "zlib": cpe "cpe:zlib": invalid value: want cpe:2.3:part:vendor:product:... or cpe:/part:vendor:product`,
				"1 components with no name, cpe or purl skipped",
			},
		},
		{
			name: "XML 1.6 with nested components and a trailing comment",
			input: `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
				<metadata><component type="device" bom-ref="dev-1"><supplier><name>Acme</name></supplier><name>Monitor X</name></component></metadata>
				<components><component type="application"><name>viewer</name><version>2</version>
				<components><component type="library"><publisher>Qt Company</publisher><name>qt</name><version>5.15</version></component></components>
				</component></components></bom>
				<!-- signed -->`,
			want: []Asset{{
				ID: "dev-1", Name: "Monitor X", Kind: "device", Vendor: "Acme", Product: "Monitor X", PatchAuthority: PatchVendor, Source: "dir/scanner.cdx.json",
				Components: []Component{
					{Kind: "application", Name: "viewer", Version: "2"},
					{Kind: "library", Vendor: "Qt Company", Name: "qt", Version: "5.15"},
				},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Read(t.Context(), "dir/scanner.cdx.json", strings.NewReader(tc.input))
			if err != nil {
				t.Fatalf("Read() = %v", err)
			}
			if diff := cmp.Diff(tc.want, got.Assets); diff != "" {
				t.Errorf("Read() assets mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantNotices, got.Notices); diff != "" {
				t.Errorf("Read() notices mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRead_SBOMErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   string
		wantIs  error
		wantErr string
	}{
		{
			name:    "CycloneDX VEX without components has nothing to match",
			input:   `{"bomFormat":"CycloneDX","specVersion":"1.4","version":1,"metadata":{"component":{"type":"application","name":"acme-product","version":"1"}}}`,
			wantIs:  ErrNoIdentity,
			wantErr: `x.json: asset "acme-product@1": needs vendor and product, a cpe, or a purl`,
		},
		{
			name:    "CycloneDX wrong type names the line",
			input:   "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\n\"version\":1,\n\"components\":{}}",
			wantErr: "x.json:3: column components: json: cannot unmarshal object into Go struct field",
		},
		{
			name:    "CycloneDX XML with trailing data",
			input:   "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\"><components><component type=\"library\"><name>a</name></component></components></bom>\n<bom/>",
			wantErr: "x.json:2: unexpected data after the root element",
		},
		{
			name:    "CycloneDX XML not well-formed",
			input:   "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\">\n<components>\n</bom>",
			wantErr: "x.json:3: XML syntax error on line 3: element <components> closed by </bom>",
		},
		{
			name:    "SPDX unsupported version",
			input:   `{"spdxVersion":"SPDX-9.9","SPDXID":"SPDXRef-DOCUMENT"}`,
			wantErr: "x.json: unsupported SDPX version: SPDX-9.9",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mustFailRead(t, "x.json", tc.input, tc.wantErr, tc.wantIs)
		})
	}
}

func TestRead_CycloneDXTooManyComponents(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[`)
	for i := range maxItems + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"library","name":"c%d"}`, i)
	}
	b.WriteString("]}")
	got, err := Read(t.Context(), "big.json", strings.NewReader(b.String()))
	if got != nil || !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read() = %v, %v; want nil, ErrTooLarge", got, err)
	}
}
