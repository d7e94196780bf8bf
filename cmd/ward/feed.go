package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/store"
)

// mirrorFlag registers --mirror: the folder of the feeds' mirrors, by
// default under --data.
func mirrorFlag(fs *flag.FlagSet) *string {
	return fs.String("mirror", "", "feed mirror `DIR` (default: DATA/mirror)")
}

func mirrorDir(flagValue string, sf *storeFlags) string {
	if flagValue != "" {
		return flagValue
	}
	return filepath.Join(sf.data, "mirror")
}

// runFeed runs ward feed add|list|sync.
func runFeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, fs, sf := subcommand("feed", args, stderr)
	mirror := mirrorFlag(fs)
	withEngine := func(fn func(e *engine.Engine) error) error {
		return withStore(ctx, sf, func(s store.Store) error {
			logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			e, err := engine.New(engine.Config{Store: s, Logger: logger, MirrorDir: mirrorDir(*mirror, sf)})
			if err != nil {
				return err
			}
			defer e.Close()
			return fn(e)
		})
	}
	switch sub {
	case "add":
		name := fs.String("name", "", "feed `NAME`")
		kind := fs.String("kind", "", "`KIND`: csaf, folder, kev, epss or cve5")
		url := fs.String("url", "", "source `URL` (https): a CSAF provider's provider-metadata.json or domain, a KEV or EPSS file")
		path := fs.String("path", "", "local `DIR` to read instead of a URL (air-gapped sites)")
		interval := fs.Duration("interval", store.DefaultFeedInterval, "sync every `DURATION`")
		var keys multiFlag
		fs.Var(&keys, "key", "armored OpenPGP public key `FILE` that CSAF signatures must verify against (repeatable)")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		f := store.Feed{Name: *name, Kind: store.FeedKind(*kind), URL: *url, Path: *path, Interval: *interval, Enabled: true}
		for _, k := range keys {
			b, err := os.ReadFile(k)
			if err != nil {
				return fmt.Errorf("%w: --key: %w", errUsage, err)
			}
			f.Keys = append(f.Keys, string(b))
		}
		if f.Path != "" {
			abs, err := filepath.Abs(f.Path)
			if err != nil {
				return err
			}
			f.Path = abs
		}
		return withEngine(func(e *engine.Engine) error {
			out, err := e.AddFeed(ctx, f)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, out.ID)
			return nil
		})
	case "list":
		format := fs.String("format", "table", "`FORMAT`: table or json")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if *format != "table" && *format != "json" {
			return fmt.Errorf("%w: --format %q: want table or json", errUsage, *format)
		}
		return withEngine(func(e *engine.Engine) error {
			feeds, err := e.Feeds(ctx)
			if err != nil {
				return err
			}
			return printFeeds(stdout, feeds, *format)
		})
	case "sync":
		id := fs.String("feed", "", "sync only the feed with this `ID` (default: every enabled feed)")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return withEngine(func(e *engine.Engine) error {
			feeds, err := e.Feeds(ctx)
			if err != nil {
				return err
			}
			var errs []error
			found := false
			for _, f := range feeds {
				if (*id != "" && f.ID != *id) || (*id == "" && !f.Enabled) {
					continue
				}
				found = true
				p := newProgress(stderr)
				rep, err := e.SyncFeed(ctx, f.ID, func(pr engine.Progress) {
					p.update(f.Name+" ("+pr.Phase+")", pr.Done, pr.Total)
				})
				p.done()
				if err != nil {
					fmt.Fprintf(stdout, "%s: failed: %v\n", f.Name, err)
					errs = append(errs, err)
					continue
				}
				printReport(stdout, f.Name, rep)
			}
			if *id != "" && !found {
				return fmt.Errorf("feed %q: %w", *id, store.ErrNotFound)
			}
			return errors.Join(errs...)
		})
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command \"feed %s\"", errUsage, sub)
}

func printReport(w io.Writer, name string, r *engine.SyncReport) {
	fmt.Fprintf(w, "%s: %d advisories added, %d changed, %d removed; files %d added, %d changed, %d removed, %d failed; %d organisations re-matched: %d new findings, %d resolved, %d reopened (%v)\n",
		name, len(r.Added), len(r.Changed), len(r.Removed), r.Files.Added, r.Files.Changed, r.Files.Removed, r.Files.Failed,
		r.Orgs, r.Findings.New, r.Findings.Resolved, r.Findings.Reopened, r.Took.Round(time.Millisecond))
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	for _, n := range r.Notices {
		fmt.Fprintf(w, "  notice: %s\n", n)
	}
}

// feedJSON is a feed as ward feed list --format json prints it.
type feedJSON struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Kind        store.FeedKind   `json:"kind"`
	URL         string           `json:"url,omitempty"`
	Path        string           `json:"path,omitempty"`
	Interval    string           `json:"interval"`
	Enabled     bool             `json:"enabled"`
	LastAttempt time.Time        `json:"last_attempt,omitzero"`
	LastSuccess time.Time        `json:"last_success,omitzero"`
	LastError   string           `json:"last_error,omitempty"`
	Counts      store.FeedCounts `json:"counts"`
	Running     bool             `json:"running,omitempty"`
	Progress    *engine.Progress `json:"progress,omitempty"`
}

func printFeeds(w io.Writer, feeds []engine.FeedStatus, format string) error {
	if format == "json" {
		out := make([]feedJSON, 0, len(feeds))
		for _, f := range feeds {
			j := feedJSON{ID: f.ID, Name: f.Name, Kind: f.Kind, URL: f.URL, Path: f.Path, Interval: f.Interval.String(),
				Enabled: f.Enabled, LastAttempt: f.LastAttempt, LastSuccess: f.LastSuccess, LastError: f.LastError,
				Counts: f.Counts, Running: f.Running}
			if f.Running {
				p := f.Progress
				j.Progress = &p
			}
			out = append(out, j)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKIND\tSOURCE\tEVERY\tLAST SUCCESS\tADVISORIES\tLAST ERROR")
	for _, f := range feeds {
		src := f.URL + f.Path
		last := "never"
		if !f.LastSuccess.IsZero() {
			last = f.LastSuccess.UTC().Format(time.RFC3339)
		}
		every := f.Interval.String()
		if !f.Enabled {
			every = "off"
		}
		errText := strings.ReplaceAll(f.LastError, "\t", " ")
		if len(errText) > 80 {
			errText = errText[:77] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", f.ID, f.Name, f.Kind, src, every, last, f.Counts.Advisories, errText)
	}
	return tw.Flush()
}
