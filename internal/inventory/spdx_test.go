package inventory

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRead_SPDX(t *testing.T) {
	t.Parallel()
	// The package the example DESCRIBES is glibc; the others are its components.
	glibc := Asset{
		ID: "glibc@2.11.1", Name: "glibc", Vendor: "Jane Doe", Product: "glibc", Version: "2.11.1",
		CPE: "cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*",
	}
	components := []Component{
		{Ref: "SPDXRef-fromDoap-1", Name: "Apache Commons Lang"},
		{Ref: "SPDXRef-fromDoap-0", Name: "Jena", Version: "3.12.0", PURL: "pkg:maven/org.apache.jena/apache-jena@3.12.0"},
		{Ref: "SPDXRef-Saxon", Name: "Saxon", Version: "8.8"},
	}
	tests := []struct {
		name string
		file string
		want Asset
	}{
		{
			name: "2.3",
			file: "testdata/spdx/SPDXJSONExample-v2.3.spdx.json",
			want: func() Asset {
				a := glibc
				a.Components = append(components, Component{Ref: "SPDXRef-CentOS-7", Kind: "container", Name: "centos", Version: "centos7.9.2009"})
				return a
			}(),
		},
		{
			name: "2.2 with documentDescribes",
			file: "testdata/spdx/SPDXJSONExample-v2.2.spdx.json",
			want: func() Asset {
				a := glibc
				a.Components = components
				return a
			}(),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.want.Source = tc.file
			got := mustReadFile(t, tc.file)
			if diff := cmp.Diff(&Result{Format: FormatSPDXJSON, Assets: []Asset{tc.want}}, got); diff != "" {
				t.Errorf("ReadFile() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRead_SPDXDocumentAsAsset(t *testing.T) {
	t.Parallel()
	input := `{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"ward-site-image",
		"documentNamespace":"https://example.org/spdx/1","creationInfo":{"created":"2024-01-01T00:00:00Z","creators":["Tool: x"]},
		"packages":[
		  {"SPDXID":"SPDXRef-a","name":"openssl","versionInfo":"3.0.13","supplier":"Organization: OpenSSL Software Foundation","primaryPackagePurpose":"LIBRARY",
		   "externalRefs":[{"referenceCategory":"SECURITY","referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*"},
		                   {"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:deb/debian/openssl@3.0.13"}]},
		  {"SPDXID":"SPDXRef-b","name":"nginx","versionInfo":"NOASSERTION","supplier":"NOASSERTION","primaryPackagePurpose":"APPLICATION"}],
		"relationships":[
		  {"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-a"},
		  {"spdxElementId":"SPDXRef-b","relationshipType":"DESCRIBED_BY","relatedSpdxElement":"SPDXRef-DOCUMENT"}]}`
	got, err := Read(t.Context(), "image.spdx.json", strings.NewReader(input))
	if err != nil {
		t.Fatalf("Read() = %v", err)
	}
	// Two described packages: the document is the asset.
	want := []Asset{{
		ID: "ward-site-image", Name: "ward-site-image", Source: "image.spdx.json",
		Components: []Component{
			{
				Ref: "SPDXRef-a", Kind: "library", Vendor: "OpenSSL Software Foundation", Name: "openssl", Version: "3.0.13",
				CPE: "cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*", PURL: "pkg:deb/debian/openssl@3.0.13",
			},
			{Ref: "SPDXRef-b", Kind: "application", Name: "nginx"},
		},
	}}
	if diff := cmp.Diff(want, got.Assets); diff != "" {
		t.Errorf("Read() assets mismatch (-want +got):\n%s", diff)
	}
}
