package inventory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/testenv"
)

func TestRead_DetectsFormatFromContent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input, want string
	}{
		{"csv", "id,cpe\na,cpe:/a:x:y\n", FormatCSV},
		{"csv with semicolons", "id;cpe\na;cpe:/a:x:y\n", FormatCSV},
		{"cyclonedx json", "\n  {\"specVersion\":\"1.5\",\"bomFormat\":\"CycloneDX\",\"components\":[{\"type\":\"library\",\"name\":\"a\"}]}", FormatCycloneDXJSON},
		{"cyclonedx xml", "<?xml version=\"1.0\"?>\n<!-- x --><bom xmlns=\"http://cyclonedx.org/schema/bom/1.3\"><components><component type=\"library\"><name>a</name></component></components></bom>", FormatCycloneDXXML},
		{"spdx json", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"d","packages":[{"SPDXID":"SPDXRef-p","name":"a"}]}`, FormatSPDXJSON},
		{"cyclonedx xml with a namespace prefix", `<cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.5"><cdx:components><cdx:component type="library"><cdx:name>a</cdx:name></cdx:component></cdx:components></cdx:bom>`, FormatCycloneDXXML},
		{"nmap xml", "<?xml version=\"1.0\"?><!DOCTYPE nmaprun><nmaprun></nmaprun>", FormatNmapXML},
		{"byte order mark", "\xef\xbb\xbf{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.4\",\"components\":[{\"type\":\"library\",\"name\":\"a\"}]}", FormatCycloneDXJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The name says CSV for all of them: only the content counts.
			got, err := Read(t.Context(), "inventory.csv", strings.NewReader(tc.input))
			if err != nil {
				t.Fatalf("Read() = %v", err)
			}
			if got.Format != tc.want {
				t.Errorf("Read().Format = %q, want %q", got.Format, tc.want)
			}
		})
	}
}

func TestRead_UnknownFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input, wantErr string
		wantIs               error
	}{
		{"empty", " \n", "in: unknown inventory format: the file is empty", ErrUnknownFormat},
		{"text", "hello, world\n", "in:1: unknown inventory format: not CycloneDX, SPDX or nmap XML", ErrUnknownFormat},
		{"csv with one ward column", "id,colour\n1,red\n", "in:1: unknown inventory format", ErrUnknownFormat},
		{"other json", `{"document":{"category":"csaf_vex"}}`, "in: unknown inventory format: JSON, but neither CycloneDX (bomFormat) nor SPDX (spdxVersion)", ErrUnknownFormat},
		{"other xml", `<html><body/></html>`, `in: unknown inventory format: XML with root element "html"`, ErrUnknownFormat},
		{"bom in another namespace", `<bom xmlns="urn:example"/>`, `in: unknown inventory format: XML with root element "bom"`, ErrUnknownFormat},
		{"broken json names the line", "{\n\"bomFormat\": \"CycloneDX\",\n\"components\": [}\n", "in:3: invalid character '}'", nil},
		{"broken xml names the line", "<?xml version=\"1.0\"?>\n<nmaprun\n", "in:3: XML syntax error on line 3: unexpected EOF", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mustFailRead(t, "in", tc.input, tc.wantErr, tc.wantIs)
		})
	}
}

func TestRead_TooLarge(t *testing.T) {
	t.Parallel()
	input := "id,vendor,product\n" + strings.Repeat("a,b,c\n", 100)
	got, err := read(t.Context(), "big.csv", strings.NewReader(input), 64)
	if got != nil || !errors.Is(err, ErrTooLarge) {
		t.Errorf("read() = %v, %v; want nil, ErrTooLarge", got, err)
	}
	if _, err := read(t.Context(), "ok.csv", strings.NewReader(input[:24]), 24); err != nil {
		t.Errorf("read() at the limit = %v, want success", err)
	}
}

func TestRead_Canceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Read(ctx, "x.csv", strings.NewReader("id,cpe\na,cpe:/a:b:c\n")); !errors.Is(err, context.Canceled) {
		t.Errorf("Read() = %v, want context.Canceled", err)
	}
}

func TestReadFile_Errors(t *testing.T) {
	t.Parallel()
	if _, err := ReadFile(t.Context(), filepath.Join(t.TempDir(), "missing.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want os.ErrNotExist", err)
	}
	dir := t.TempDir()
	if _, err := ReadFile(t.Context(), dir); err == nil || err.Error() != "inventory: "+dir+" is a directory" {
		t.Errorf("ReadFile(dir) = %v, want an error naming the directory", err)
	}
}

// mustFailRead reads input as name and fails the test unless Read returns no
// result and an error containing wantErr that, when wantIs is set, wraps it.
func mustFailRead(t *testing.T, name, input, wantErr string, wantIs error) error {
	t.Helper()
	got, err := Read(t.Context(), name, strings.NewReader(input))
	if got != nil || err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Fatalf("Read() = %v, %v; want nil, an error containing %q", got, err, wantErr)
	}
	if wantIs != nil && !errors.Is(err, wantIs) {
		t.Errorf("Read() error = %v, want errors.Is %v", err, wantIs)
	}
	return err
}

// writeFile writes content to name in dir and returns its path.
func writeFile(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestReadAll(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := writeFile(t, dir, "a.csv", "id,vendor,product,ward\npump-1,Baxter,Sigma,ICU\n")
	b := writeFile(t, dir, "b.csv", "id;vendor;product\npump-2;Baxter;Sigma\nvent-1;Draeger;Evita\n")
	dup := writeFile(t, dir, "dup.csv", "id,vendor,product\nx-1,Acme,Pump\npump-1,Acme,Pump\n")
	bad := writeFile(t, dir, "bad.csv", "id,vendor,product,exposure\nz-1,Acme,Pump,wifi\n")

	t.Run("merge", func(t *testing.T) {
		got, err := ReadAll(t.Context(), []string{a, b, "testdata/cyclonedx/narrow.sbom.json"})
		if err != nil {
			t.Fatalf("ReadAll() = %v", err)
		}
		var ids []string
		for _, as := range got.Assets {
			ids = append(ids, as.ID)
		}
		want := []string{"pump-1", "pump-2", "vent-1", "BomRef.8538684141258271.6150057962229712"}
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Errorf("ReadAll() ids mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{a + ": unknown columns kept as attributes: ward"}, got.Notices); diff != "" {
			t.Errorf("ReadAll() notices mismatch (-want +got):\n%s", diff)
		}
		if got.Format != FormatMixed {
			t.Errorf("ReadAll().Format = %q, want %q", got.Format, FormatMixed)
		}
	})
	t.Run("same format", func(t *testing.T) {
		got, err := ReadAll(t.Context(), []string{a, b})
		if err != nil || got.Format != FormatCSV {
			t.Errorf("ReadAll() = %v, %v; want format csv", got, err)
		}
	})
	t.Run("duplicate across files names both", func(t *testing.T) {
		got, err := ReadAll(t.Context(), []string{a, dup})
		want := fmt.Sprintf(`%s: column id: duplicate id "pump-1": in %s:2 and in %s:3`, dup, a, dup)
		if got != nil || !errors.Is(err, ErrDuplicate) || err.Error() != want {
			t.Errorf("ReadAll() = %v, %v; want nil, %q", got, err, want)
		}
	})
	t.Run("errors of every file", func(t *testing.T) {
		got, err := ReadAll(t.Context(), []string{bad, a, dup})
		if got != nil || !errors.Is(err, ErrInvalid) || !errors.Is(err, ErrDuplicate) {
			t.Errorf("ReadAll() = %v, %v; want nil and both errors", got, err)
		}
	})
}

// sharedData returns a path in the shared data folder (see testenv).
func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	return testenv.SharedData(tb, filepath.FromSlash(rel))
}

// TestReadFile_SharedSBOMs reads every real CycloneDX SBOM and SPDX JSON
// document in shared/data. VEX and SaaSBOM examples describe no matchable
// software and must fail with ErrNoIdentity rather than succeed empty.
func TestReadFile_SharedSBOMs(t *testing.T) {
	t.Parallel()
	root := sharedData(t, "sbom")
	var n int
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".xml") && strings.Contains(p, "cyclonedx")) {
			return err
		}
		n++
		res, err := ReadFile(t.Context(), p)
		switch {
		case strings.Contains(p, "/VEX/") || strings.Contains(p, "/SaaSBOM/"):
			if err != nil && !errors.Is(err, ErrNoIdentity) {
				t.Errorf("ReadFile(%s) = %v, want success or ErrNoIdentity", p, err)
			}
		case err != nil:
			t.Errorf("ReadFile(%s) = %v", p, err)
		case len(res.Assets) != 1:
			t.Errorf("ReadFile(%s) = %d assets, want 1", p, len(res.Assets))
		}
		return nil
	})
	if err != nil || n < 50 {
		t.Errorf("walked %d files, %v; want more than 50", n, err)
	}
}

func BenchmarkRead_CSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("id,name,vendor,product,version,cpe,exposure,clinical_role,patient_data,end_of_support,room\n")
	for i := range 10_000 {
		fmt.Fprintf(&sb, "a-%d,Pump %d,Baxter,Sigma Spectrum,8.00.%d,cpe:2.3:h:baxter:sigma_spectrum:8.00.%d:*:*:*:*:*:*:*,internal,life sustaining,no,2027-06,ICU %d\n", i, i, i, i, i)
	}
	data := sb.String()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Read(b.Context(), "bench.csv", strings.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead_CycloneDX(b *testing.B) {
	for _, rel := range []string{"sbom/cyclonedx-examples/SBOM/keycloak-10.0.2/bom.json", "sbom/cyclonedx-examples/SBOM/dropwizard-1.3.15/bom.xml"} {
		data, err := os.ReadFile(sharedData(b, rel))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Ext(rel), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Read(b.Context(), rel, strings.NewReader(string(data))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
