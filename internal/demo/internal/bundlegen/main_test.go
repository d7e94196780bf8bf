package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/demo"
	"github.com/ward-health/ward/internal/testenv"
)

func TestParseSources(t *testing.T) {
	readme := "# Real public data\n\n" +
		"| folder | source (repository @ commit, date) | what | licence |\n" +
		"| --- | --- | --- | --- |\n" +
		"| `csaf/cisa-icsma/<year>/` | cisagov/CSAF @ 6960219f (2024-10-24) | CISA medical advisories | US Government work, public domain |\n" +
		"| `csaf/cisa-icsa-2024/` | same | 344 industrial-control advisories | public domain |\n" +
		"| `kev/` | cisagov/kev-data @ eacf03ec (2025-08-25) | the KEV catalogue | CC0-1.0 |\n" +
		"Not a row | `x` | y @ 1234567 (2024-01-01) |\n"
	got, err := parseSources(readme)
	if err != nil {
		t.Fatalf("parseSources() = %v", err)
	}
	want := map[string]demo.Source{
		"csaf/cisa-icsma": {Folder: "csaf/cisa-icsma", Repository: "cisagov/CSAF", Commit: "6960219f", Date: "2024-10-24",
			What: "CISA medical advisories", Licence: "US Government work, public domain"},
		"kev": {Folder: "kev", Repository: "cisagov/kev-data", Commit: "eacf03ec", Date: "2025-08-25", What: "the KEV catalogue", Licence: "CC0-1.0"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseSources() mismatch (-want +got):\n%s", diff)
	}
	if _, err := parseSources("# no table\n"); err == nil {
		t.Errorf("parseSources(no table) = nil error")
	}
}

func TestRun_Usage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-colour"}, "usage"},
		{"extra argument", []string{"now"}, "usage"},
		{"bad date", []string{"-date", "24.10.2024"}, "-date"},
		{"no data folder", []string{"-data", filepath.Join(t.TempDir(), "absent")}, "README"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(t.Context(), tt.args, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run(%q) = %v, want an error about %s", tt.args, err, tt.want)
			}
			if errors.Is(err, errUsage) && errOut.Len() == 0 {
				t.Errorf("run(%q) printed no usage", tt.args)
			}
		})
	}
}

// TestRun regenerates the bundle into a temporary folder, for the day the
// embedded one records, and checks that it is the embedded bundle: the
// generator is reproducible and the committed bundle is current.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 1,900 advisory files")
	}
	root := testenv.SharedData(t)
	embedded, err := demo.Open()
	if err != nil {
		t.Fatalf("demo.Open() = %v", err)
	}
	out := filepath.Join(t.TempDir(), "bundle.json.gz")
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"-data", root, "-out", out, "-date", embedded.Generated.Format(time.DateOnly)}, &stdout, &stderr); err != nil {
		t.Fatalf("run() = %v; stderr: %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "advisories") {
		t.Errorf("run() printed %q, want a summary", stdout.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := embedded.Encode(&want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gunzip(t, got), gunzip(t, want.Bytes())) {
		t.Errorf("the regenerated bundle differs from the embedded one: run go generate ./internal/demo")
	}
	readme, err := os.ReadFile(filepath.Join(filepath.Dir(out), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(readme) != demo.Readme() {
		t.Errorf("the regenerated README.md differs from internal/demo/data/README.md")
	}
}

func gunzip(tb testing.TB, b []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
