package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/postgres"
	"github.com/ward-health/ward/internal/store/sqlite"
)

// storeFlags are the flags every store-backed command takes.
// subcommand splits "SUB args..." of command cmd and makes SUB's flag set
// with the store flags registered.
func subcommand(cmd string, args []string, stderr io.Writer) (sub string, rest []string, fs *flag.FlagSet, sf *storeFlags) {
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	fs = flag.NewFlagSet(cmd+" "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf = &storeFlags{}
	sf.register(fs)
	return sub, args, fs, sf
}

type storeFlags struct {
	data, db string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "ward-data", "data `DIR`: the SQLite file lives here")
	fs.StringVar(&f.db, "db", "", "PostgreSQL `URL` (postgres://...) instead of SQLite under --data")
}

// open opens the configured store, creating the data folder for SQLite.
func (f *storeFlags) open(ctx context.Context) (store.Store, error) {
	if f.db != "" {
		if !strings.HasPrefix(f.db, "postgres://") && !strings.HasPrefix(f.db, "postgresql://") {
			return nil, fmt.Errorf("%w: --db wants a postgres:// URL", errUsage)
		}
		return postgres.Open(ctx, f.db)
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	return sqlite.Open(ctx, filepath.Join(f.data, "ward.db"))
}

// runAdmin runs the operator commands: org, user and token.
func runAdmin(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet(cmd+" "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	switch cmd + " " + sub {
	case "org add":
		name := fs.String("name", "", "organisation `NAME`")
		kind := fs.String("kind", "", "`KIND`: hospital, practice, ems, lab, provider or other")
		country := fs.String("country", "", "`CC`: ISO 3166 alpha-2 country code")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return withStore(ctx, &sf, func(s store.Store) error {
			o, err := s.CreateOrg(ctx, store.Organisation{Name: *name, Kind: store.OrgKind(*kind), Country: strings.ToUpper(*country)})
			if err != nil {
				return err
			}
			_, err = s.AppendAudit(ctx, o.ID, "cli", "org.create", o.Name)
			fmt.Fprintln(stdout, o.ID)
			return err
		})
	case "org list":
		format := fs.String("format", "table", "`FORMAT`: table or json")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return withStore(ctx, &sf, func(s store.Store) error {
			var all []store.Organisation
			for opts := (store.ListOptions{Limit: store.MaxLimit}); ; {
				page, err := s.ListOrgs(ctx, opts)
				if err != nil {
					return err
				}
				all = append(all, page.Items...)
				if page.Next == "" {
					break
				}
				opts.Cursor = page.Next
			}
			return printOrgs(stdout, all, *format)
		})
	case "user add":
		email := fs.String("email", "", "the user's `EMAIL`")
		name := fs.String("name", "", "display `NAME`")
		org := fs.String("org", "", "make the user a member of `ORG` (id)")
		role := fs.String("role", "viewer", "the member's `ROLE`: viewer, responder or admin")
		fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input; else one is made and printed once")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		pw, made, err := password(stdin, *fromStdin)
		if err != nil {
			return err
		}
		hash, err := store.HashPassword(pw)
		if err != nil {
			return err
		}
		return withStore(ctx, &sf, func(s store.Store) error {
			u, err := s.CreateUser(ctx, store.User{Email: *email, DisplayName: *name, PasswordHash: hash})
			if err != nil {
				return err
			}
			if *org != "" {
				if _, err := s.SetMember(ctx, *org, u.ID, store.Role(*role)); err != nil {
					return err
				}
				if _, err := s.AppendAudit(ctx, *org, "cli", "member.add", u.Email+" as "+*role); err != nil {
					return err
				}
			}
			fmt.Fprintln(stdout, u.ID)
			if made {
				fmt.Fprintf(stderr, "ward: password for %s (shown once): %s\n", u.Email, pw)
			}
			return nil
		})
	case "token create":
		org := fs.String("org", "", "the token's organisation `ORG` (id)")
		role := fs.String("role", "viewer", "the token's `ROLE`: viewer, responder or admin")
		name := fs.String("name", "cli", "a `NAME` to recognise the token by")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return withStore(ctx, &sf, func(s store.Store) error {
			t, plain, err := s.CreateToken(ctx, *org, *name, store.Role(*role))
			if err != nil {
				return err
			}
			if _, err := s.AppendAudit(ctx, *org, "cli", "token.create", t.Name+" ("+string(t.Role)+")"); err != nil {
				return err
			}
			fmt.Fprintln(stdout, plain) // only the token: scripts capture it
			return nil
		})
	}
	return fmt.Errorf("%w: usage: ward org add|list, ward user add, ward token create (see ward help)", errUsage)
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

func withStore(ctx context.Context, sf *storeFlags, fn func(store.Store) error) error {
	s, err := sf.open(ctx)
	if err != nil {
		return err
	}
	err = fn(s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return inputError{err} // the operator's input: exit 2, the store's message
	}
	return err
}

// inputError is an error in what the operator typed: it exits as a usage
// error but keeps its own message.
type inputError struct{ error }

func (e inputError) Is(target error) bool { return target == errUsage }
func (e inputError) Unwrap() error        { return e.error }

// password reads one from stdin, or makes a random one.
func password(stdin io.Reader, fromStdin bool) (pw string, made bool, err error) {
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
		if len(pw) < 12 {
			return "", false, fmt.Errorf("%w: the password must have at least 12 characters", errUsage)
		}
		return pw, false, nil
	}
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", false, err
	}
	return base64.RawURLEncoding.EncodeToString(b), true, nil
}

func printOrgs(w io.Writer, orgs []store.Organisation, format string) error {
	switch format {
	case "json":
		type row struct {
			ID      string `json:"id"`
			Name    string `json:"name"`
			Kind    string `json:"kind"`
			Country string `json:"country"`
			Created string `json:"created_at"`
		}
		rows := make([]row, 0, len(orgs))
		for _, o := range orgs {
			rows = append(rows, row{o.ID, o.Name, string(o.Kind), o.Country, o.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "table":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tKIND\tCOUNTRY")
		for _, o := range orgs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.ID, o.Name, o.Kind, o.Country)
		}
		return tw.Flush()
	}
	return fmt.Errorf("%w: --format %q: want table or json", errUsage, format)
}
