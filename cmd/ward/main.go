// Command ward is the health sector's cyber-defence system: one binary for
// the hub (the sector support centre) and the sites (hospitals, practices,
// EMS). Subcommands wire internal packages together; they hold no logic of
// their own.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, decided in one place (exitCode).
const (
	exitOK       = 0
	exitError    = 1 // the command failed
	exitUsage    = 2 // the command line is wrong
	exitFindings = 3 // scan --fail-on: findings at or above the threshold
)

// errUsage marks command-line mistakes; errFindings marks a --fail-on hit.
var (
	errUsage    = errors.New("usage")
	errFindings = errors.New("findings at or above the --fail-on decision")
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	case errors.Is(err, errUsage):
		if msg := err.Error(); msg != errUsage.Error() {
			fmt.Fprintln(stderr, "ward:", msg)
		}
		return exitUsage
	default:
		fmt.Fprintln(stderr, "ward:", err)
		return exitError
	}
}

const usage = `ward — cyber-defence for hospitals, practices and emergency medical services

Usage:
  ward scan --inventory FILE... --advisories PATH... [flags]   match assets against advisories
  ward gen inventory --assets N --advisories PATH... [flags]   make a sample inventory from real advisories
  ward org add --name N --kind K --country CC [--data DIR|--db URL]   add an organisation (prints its id)
  ward org list [--format table|json]                          list organisations
  ward user add --email E [--org ORG --role ROLE] [--password-stdin]  add a user
  ward token create --org ORG --role ROLE                      make an API token (prints only the token)
  ward feed add --name N --kind csaf|folder|kev|epss|cve5 --url URL|--path DIR [--interval 6h]   add an advisory feed
  ward feed list [--format table|json]                         list feeds: last success, last error, counts
  ward feed sync [--feed ID]                                   sync feeds now and re-match what changed
  ward serve [--demo] [--role hub|site|standalone] [--addr A] [--data DIR|--db URL]   web UI, API, feeds, early warning
  ward alert publish --file alert.json                         sign an alert and queue it for the sites (hub)
  ward alert import --file STIX-OR-MISP.json [--publish]      draft an alert from a STIX 2.1 bundle or a MISP event (hub)
  ward alert list [--format table|json]                        alerts published (hub) and received (site)
  ward site invite --name N --kind K --country CC              invite an organisation (prints only the token)
  ward site list | ward site revoke ID                         enrolled sites; cut one off
  ward hub rotate-key                                          new alert signing key, announced to the sites (prints its id)
  ward enroll --hub URL --token T [--org ORG]                  join a hub's early-warning network (site)
  ward notify add --kind email|webhook|syslog --target T [--min-severity S]   send alerts there too (site)
  ward notify list | ward notify remove ID                     an organisation's notification channels
  ward bench serve --advisories PATH... [--assets N --users N] load-test ward serve with many users
  ward bench alerts [--sites N --alerts N]                     time alerts from a hub to N simulated sites, against raw NATS
  ward version

Run "ward COMMAND -h" for a command's flags.
`

// run is ward's testable entry point.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "scan":
		return runScan(ctx, args[1:], stdout, stderr)
	case "gen":
		return runGen(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "feed":
		return runFeed(ctx, args[1:], stdout, stderr)
	case "org", "user", "token":
		return runAdmin(ctx, args[0], args[1:], stdin, stdout, stderr)
	case "alert":
		return runAlert(ctx, args[1:], stdout, stderr)
	case "site":
		return runSite(ctx, args[1:], stdout, stderr)
	case "hub":
		return runHub(ctx, args[1:], stdout, stderr)
	case "enroll":
		return runEnroll(ctx, args[1:], stdout, stderr)
	case "notify":
		return runNotify(ctx, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "ward", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

func version() string { return "0.1.0-dev" }

// multiFlag collects a repeatable flag, one value per use (paths may
// contain commas).
type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint(*m) }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
