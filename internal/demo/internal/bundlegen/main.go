// Command bundlegen makes the demo's advisory bundle, data/bundle.json.gz,
// and its README from the shared data folder:
//
//	go run ./internal/demo/internal/bundlegen -data ../shared/data -out internal/demo/data/bundle.json.gz
//
// (`go generate ./internal/demo` runs it with the right paths). It reads the
// inputs with the same readers ward uses ([demo.Build]), takes each input's
// repository, commit, date and licence from the shared data folder's
// README.md, and writes both files atomically. The same data and -date give
// the same bytes.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/demo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bundlegen:", err)
		os.Exit(1)
	}
}

// errUsage means the command line was wrong; the usage has been printed.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bundlegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "../shared/data", "the shared data `DIR`")
	out := fs.String("out", "internal/demo/data/bundle.json.gz", "the bundle `FILE` to write; README.md is written beside it")
	day := fs.String("date", time.Now().UTC().Format(time.DateOnly), "the generation `DATE` to record (YYYY-MM-DD)")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	generated, err := time.Parse(time.DateOnly, *day)
	if err != nil {
		return fmt.Errorf("-date: %w", err)
	}
	readme, err := os.ReadFile(filepath.Join(*data, "README.md"))
	if err != nil {
		return fmt.Errorf("the shared data folder's README: %w", err)
	}
	rows, err := parseSources(string(readme))
	if err != nil {
		return err
	}

	start := time.Now()
	f, err := demo.Build(ctx, *data, advisory.Options{})
	if err != nil {
		return err
	}
	f.Generated = generated
	for i := range f.Sources {
		s := &f.Sources[i]
		row, ok := rows[s.Folder]
		if !ok {
			return fmt.Errorf("%s: no row for %q in the shared data README", *data, s.Folder)
		}
		row.Count = s.Count
		*s = row
	}

	var bundle bytes.Buffer
	if err := f.Encode(&bundle); err != nil {
		return err
	}
	if err := writeFile(*out, bundle.Bytes()); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(filepath.Dir(*out), "README.md"), []byte(readmeText(f))); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "bundlegen: %s: %d advisories, %d KEV entries, %d EPSS scores, %d bytes, in %v\n",
		*out, len(f.Advisories), len(f.KEV), len(f.EPSS.Scores), bundle.Len(), time.Since(start).Round(time.Millisecond))
	return nil
}

// reSource reads the source column of the shared data README:
// "cisagov/CSAF @ 6960219f (2024-10-24)".
var reSource = regexp.MustCompile(`^(\S+) @ ([0-9a-f]{7,40}) \((\d{4}-\d{2}-\d{2})\)`)

// parseSources reads the table of the shared data README into sources by
// folder ("csaf/cisa-icsma/<year>/" is folder "csaf/cisa-icsma"). Rows whose
// source is not "repository @ commit (date)" are left out.
func parseSources(readme string) (map[string]demo.Source, error) {
	out := map[string]demo.Source{}
	for _, line := range strings.Split(readme, "\n") {
		cells := strings.Split(strings.TrimSpace(line), "|")
		if len(cells) != 6 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		m := reSource.FindStringSubmatch(cells[2])
		if m == nil {
			continue
		}
		folder := strings.Trim(cells[1], "`")
		folder, _, _ = strings.Cut(folder, "<")
		folder = strings.TrimSuffix(folder, "/")
		out[folder] = demo.Source{Folder: folder, Repository: m[1], Commit: m[2], Date: m[3], What: cells[3], Licence: cells[4]}
	}
	if len(out) == 0 {
		return nil, errors.New("the shared data README has no source table")
	}
	return out, nil
}

// readmeText is data/README.md: what the bundle holds, from where, under
// which licence.
func readmeText(f *demo.File) string {
	var b strings.Builder
	b.WriteString(`# The demo's advisory bundle

` + "`bundle.json.gz`" + ` holds the real public advisories that ` + "`ward serve --demo`" + ` seeds itself
with, so that the demo works offline from the binary. It is made by
` + "`go generate ./internal/demo`" + ` (internal/demo/internal/bundlegen) from the shared data
folder; do not edit it by hand. This file is written with it.

Generated: ` + f.Generated.Format(time.DateOnly) + `. Format: ` + "`" + f.Format + "`" + ` (gzipped JSON: ward's own advisory model,
exactly as ward's readers load the sources; each advisory's ` + "`source`" + ` is its file
under the shared data folder).

| folder | repository @ commit (date) | taken | what | licence |
| --- | --- | --- | --- | --- |
`)
	for _, s := range f.Sources {
		fmt.Fprintf(&b, "| `%s` | %s @ %s (%s) | %d | %s | %s |\n", s.Folder, s.Repository, s.Commit, s.Date, s.Count, s.What, s.Licence)
	}
	b.WriteString(`
What is taken: every CISA medical advisory (ICSMA); the CVE records that name a
vendor the demo organisations use (internal/demo: Organisations), by vendor
name or CPE; the whole KEV catalogue; all EPSS scores of the file.

Licences and notices: CISA's CSAF advisories are US Government works in the
public domain. The CVE records with CISA's vulnrichment (ADP) container and
the KEV catalogue are released under CC0 1.0. EPSS scores are by FIRST
(https://www.first.org/epss/), free to use with attribution; they reach ward
through the jgamblin/KEV_EPSS repository (Apache-2.0).
`)
	return b.String()
}

// writeFile writes data to name atomically: a temporary file in the same
// folder, then a rename.
func writeFile(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
