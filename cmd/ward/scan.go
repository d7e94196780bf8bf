package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/report"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
)

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var inv, adv, keys, aliasFiles multiFlag
	fs.Var(&inv, "inventory", "inventory `FILE`: ward CSV, CycloneDX (JSON/XML), SPDX JSON or nmap XML (repeatable)")
	fs.Var(&adv, "advisories", "advisory file or directory `PATH`: CSAF, CVE JSON 5, NVD API 2.0, OSV; KEV and EPSS files too (repeatable)")
	kev := fs.String("kev", "", "CISA KEV `FILE` (JSON or CSV)")
	epss := fs.String("epss", "", "FIRST EPSS daily `FILE` (CSV, may be gzipped)")
	format := fs.String("format", "table", "output `FORMAT`: "+strings.Join(report.Formats(), ", "))
	out := fs.String("out", "", "write the report to `FILE` instead of standard output")
	nowFlag := fs.String("now", "", "count due dates from this `RFC3339` time instead of now")
	failOn := fs.String("fail-on", "", "exit with status 3 when any finding is at or above this `DECISION` (act, attend, track*, track)")
	all := fs.Bool("all", false, "also list fixed and not-affected findings, with their evidence")
	due := fs.String("due", "", "days per decision, e.g. `act=2,attend=14,track*=60,track=180`")
	fs.Var(&keys, "key", "armored OpenPGP public key `FILE`: CSAF files with an .asc beside them must verify (repeatable)")
	fs.Var(&aliasFiles, "aliases", "extra vendor alias `FILE` (lines \"canonical: alias; alias\") (repeatable)")
	quiet := fs.Bool("quiet", false, "no progress on standard error")
	stats := fs.Bool("stats", false, "print how long each stage took on standard error")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: ward scan --inventory FILE... --advisories PATH... [flags]")
		fmt.Fprintln(stderr, "\nMatches every asset against every advisory and says what to do first.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if len(inv) == 0 || len(adv) == 0 && *kev == "" {
		fs.Usage()
		return fmt.Errorf("%w: scan needs --inventory and --advisories", errUsage)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q (repeat --inventory or --advisories for several files)", errUsage, fs.Arg(0))
	}
	if !validFormat(*format) {
		return fmt.Errorf("%w: --format %q: want one of %s", errUsage, *format, strings.Join(report.Formats(), ", "))
	}
	opts := scan.Options{Inventory: inv, Advisories: adv, KEV: *kev, EPSS: *epss, All: *all}
	var err error
	if opts.Policy, err = risk.ParsePolicy(*due); err != nil {
		return fmt.Errorf("%w: --due: %v", errUsage, err)
	}
	var threshold risk.Decision
	if *failOn != "" {
		if threshold, err = risk.ParseDecision(*failOn); err != nil {
			return fmt.Errorf("%w: --fail-on: %v", errUsage, err)
		}
	}
	if *nowFlag != "" {
		if opts.Now, err = time.Parse(time.RFC3339, *nowFlag); err != nil {
			return fmt.Errorf("%w: --now %q: want RFC3339, e.g. 2026-11-23T08:00:00Z", errUsage, *nowFlag)
		}
	}
	for _, k := range keys {
		b, err := os.ReadFile(k)
		if err != nil {
			return fmt.Errorf("--key: %w", err)
		}
		opts.Keys = append(opts.Keys, string(b))
	}
	for _, a := range aliasFiles {
		b, err := os.ReadFile(a)
		if err != nil {
			return fmt.Errorf("--aliases: %w", err)
		}
		opts.Aliases = append(opts.Aliases, string(b))
	}
	if !*quiet {
		p := newProgress(stderr)
		opts.Progress = p.update
		defer p.done()
	}

	rep, err := scan.Run(ctx, opts)
	if err != nil {
		return err
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(stderr, "ward: skipped %s: %s\n", e.Source, e.Message)
	}
	for _, n := range rep.Notices {
		fmt.Fprintf(stderr, "ward: note: %s\n", n)
	}
	start := time.Now()
	if err := writeReport(rep, *format, *out, stdout); err != nil {
		return err
	}
	if *stats {
		t := rep.Timings
		fmt.Fprintf(stderr, "ward: %d assets, %d advisories, %d findings\n", rep.Summary.Assets, rep.Summary.Advisories, len(rep.Findings))
		fmt.Fprintf(stderr, "ward: read inventory %v, read advisories %v, index %v, match %v, decide %v, write %v\n",
			t.ReadInventory.Round(time.Millisecond), t.ReadAdvisories.Round(time.Millisecond), t.Index.Round(time.Millisecond),
			t.Match.Round(time.Millisecond), t.Decide.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	}
	if threshold != "" {
		for _, it := range rep.Findings {
			if it.Decision != "" && it.Decision.Rank() <= threshold.Rank() {
				return errFindings
			}
		}
	}
	return nil
}

func validFormat(f string) bool {
	for _, x := range report.Formats() {
		if x == f {
			return true
		}
	}
	return false
}

// writeReport renders to stdout, or to a file written atomically.
func writeReport(rep *scan.Report, format, out string, stdout io.Writer) error {
	return writeOut(out, stdout, func(w io.Writer) error { return report.Write(w, rep, format) })
}

// writeOut runs write on stdout, or on a temporary file beside out that is
// renamed to out once complete, so that a reader never sees half of it.
func writeOut(out string, stdout io.Writer, write func(io.Writer) error) error {
	if out == "" {
		return write(stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}
