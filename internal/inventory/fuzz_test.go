package inventory

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// checkInvariants asserts what every importer promises, whatever the input:
// all-or-nothing, errors that name the file, and only valid, unique assets.
func checkInvariants(t *testing.T, res *Result, err error) {
	t.Helper()
	if err != nil {
		if res != nil {
			t.Fatalf("error %v came with %d assets, want none", err, len(res.Assets))
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.File != "fuzz" {
			t.Fatalf("error %#v is not a *ParseError naming the file", err)
		}
		if err.Error() == "" {
			t.Fatal("error has no message")
		}
		return
	}
	if res == nil {
		t.Fatal("no error and no result")
	}
	ids := make(map[string]bool, len(res.Assets))
	for i := range res.Assets {
		a := &res.Assets[i]
		if err := a.Validate(); err != nil {
			t.Fatalf("asset %d does not validate: %v", i, err)
		}
		if ids[a.ID] {
			t.Fatalf("asset id %q twice", a.ID)
		}
		ids[a.ID] = true
		if a.Source == "" {
			t.Fatalf("asset %q has no source", a.ID)
		}
	}
}

// maxSeed is the largest testdata file used as a fuzz seed. The fuzzer
// minimises every input that finds new code, one byte at a time; from a 60 KB
// SBOM that takes longer than a short fuzz run, so large files are left to the
// table tests and the seeds below stand in for them.
const maxSeed = 16 << 10

// addSeeds adds the small files matching each glob, and the inputs, to f's
// corpus.
func addSeeds(f *testing.F, globs []string, inputs ...string) {
	f.Helper()
	for _, g := range globs {
		paths, err := filepath.Glob(g)
		if err != nil {
			f.Fatal(err)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			if len(data) <= maxSeed {
				f.Add(data)
			}
		}
	}
	for _, in := range inputs {
		f.Add([]byte(in))
	}
}

// fuzzParser runs parse, with the checks [Read] adds, on every input and
// checks the invariants.
func fuzzParser(f *testing.F, parse parseFunc) {
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := parseValid(context.Background(), "fuzz", data, parse)
		checkInvariants(t, res, err)
	})
}

func FuzzReadCSV(f *testing.F) {
	addSeeds(f, []string{"testdata/csv/*.csv"},
		"id,vendor,product\n,Acme,Pump\n",
		"id;cpe;purl\na;cpe:2.3:a:b:c:1:*:*:*:*:*:*:*;pkg:npm/x@1\na;cpe:/a:b;\n",
		"sep=;\nid;vendor;product;\"exposure\"\nx;\"a\"\"b\";c;vpn\n",
		"id,vendor,product,,end_of_support\nx,a,b,,2020-13\n",
		"id,name,vendor,product\na,\"open quote,b,c\n",
	)
	fuzzParser(f, readCSV)
}

func FuzzReadCycloneDXJSON(f *testing.F) {
	addSeeds(f, nil,
		`{"bomFormat":"CycloneDX","specVersion":"1.4","version":1,"metadata":{"component":{"bom-ref":"BomRef.1","name":"REDACTED","type":"device"}},
		  "components":[{"bom-ref":"BomRef.2","cpe":"cpe:2.3:a:wolfssl:wolfssl:4.8.1:*:*:*:*:*:*:*","name":"WolfSSL","publisher":"wolfSSL","purl":"pkg:github/wolfssl/wolfssl","type":"firmware","version":"4.8.1"},
		  {"bom-ref":"BomRef.3","name":"log4net","supplier":{"name":"The Apache Software Foundation"},"purl":"pkg:nuget/log4net@2.0.8","type":"library","version":"2.0.8","properties":[{"name":"End-of-Support","value":"Open source"}]}]}`,
		`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"device","name":"d","components":[{"type":"firmware","name":"f","cpe":"cpe:x"}]}}}`,
		`{"bomFormat":"CycloneDX","specVersion":"1.2","components":[{"type":"library","name":"a","components":[{"name":"b","purl":"pkg:"}]}]}`,
	)
	fuzzParser(f, cycloneDXReader(cdx.BOMFileFormatJSON))
}

func FuzzReadCycloneDXXML(f *testing.F) {
	addSeeds(f, nil,
		`<?xml version="1.0" encoding="utf-8"?><bom xmlns="http://cyclonedx.org/schema/bom/1.2" serialNumber="urn:uuid:591eb851-2646-4d52-aa40-ac8b35a2b2d7" version="1">
		  <metadata><component type="library" bom-ref="pkg:npm/lhc-vdm-editor@0.0.1"><name>lhc-vdm-editor</name><version>0.0.1</version><purl>pkg:npm/lhc-vdm-editor@0.0.1</purl></component></metadata>
		  <components><component type="library" bom-ref="pkg:npm/puppeteer@1.19.0"><name>puppeteer</name><version>1.19.0</version><purl>pkg:npm/puppeteer@1.19.0</purl></component>
		  <component type="library"><group><![CDATA[asm89]]></group><name><![CDATA[stack-cors]]></name><version>1.3.0</version></component></components></bom>`,
		`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><metadata><component type="device"><name>d</name></component></metadata><components><component type="library"><name>a</name><components><component><name>b</name></component></components></component></components></bom>`,
		`<bom xmlns="http://cyclonedx.org/schema/bom/1.1"><components><component type="library"><name>a</name></component></components></bom><!-- x --> <?pi?>`,
	)
	fuzzParser(f, cycloneDXReader(cdx.BOMFileFormatXML))
}

func FuzzReadSPDX(f *testing.F) {
	addSeeds(f, nil,
		`{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"SPDX-Tools-v2.0","documentNamespace":"http://spdx.org/spdxdocs/x",
		  "packages":[{"SPDXID":"SPDXRef-Package","name":"glibc","versionInfo":"2.11.1","supplier":"Person: Jane Doe (jane.doe@example.com)","primaryPackagePurpose":"SOURCE",
		    "externalRefs":[{"referenceCategory":"SECURITY","referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*"}]},
		   {"SPDXID":"SPDXRef-fromDoap-0","name":"Jena","versionInfo":"3.12.0","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:maven/org.apache.jena/apache-jena@3.12.0"}]}],
		  "relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"SPDXRef-Package","relationshipType":"DESCRIBES"},{"spdxElementId":"SPDXRef-Package","relatedSpdxElement":"SPDXRef-fromDoap-0","relationshipType":"CONTAINS"}]}`,
		`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"d","packages":[{"SPDXID":"SPDXRef-a","name":"a","supplier":"Organization: X (x@y)"},null],"relationships":[null,{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-a"}]}`,
		`{"spdxVersion":"SPDX-2.2","SPDXID":"SPDXRef-DOCUMENT","documentDescribes":["SPDXRef-a","DocumentRef-x:SPDXRef-b"]}`,
	)
	fuzzParser(f, readSPDX)
}

func FuzzReadNmap(f *testing.F) {
	addSeeds(f, []string{"testdata/nmap/*.xml"},
		`<nmaprun><host><address addr="10.0.0.1"/><ports><port portid="104"><state state="open"/></port></ports></host></nmaprun>`,
		`<nmaprun><host><address addr="::1" addrtype="ipv6"/><os><osmatch accuracy="9"><osclass vendor="a" osfamily="b"><cpe>cpe:/o:a:b</cpe></osclass></osmatch></os></host><runstats><finished errormsg="x"/></runstats></nmaprun>`,
	)
	fuzzParser(f, readNmap)
}

// FuzzRead exercises format detection in front of every parser.
func FuzzRead(f *testing.F) {
	addSeeds(f, []string{"testdata/*/*.csv", "testdata/*/*.json", "testdata/*/*.xml"},
		"", "\xef\xbb\xbf", "{}", "<x/>", "id,colour\n", "{\"bomFormat\":\"CycloneDX\"}", "{\"spdxVersion\":\"SPDX-2.3\"}", "<nmaprun/>",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := read(context.Background(), "fuzz", bytes.NewReader(data), 1<<20)
		checkInvariants(t, res, err)
	})
}
