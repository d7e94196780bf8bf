package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
)

// runAlert runs ward alert publish|list.
func runAlert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, fs, sf := subcommand("alert", args, stderr)
	switch sub {
	case "publish":
		file := fs.String("file", "", "alert `FILE` (JSON, see docs/alerts.md); - reads standard input")
		by := fs.String("by", "", "author `NAME` recorded with the alert (default: the user running ward)")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if *file == "" {
			return fmt.Errorf("%w: --file: required", errUsage)
		}
		a, err := readAlertFile(*file)
		if err != nil {
			return inputError{err}
		}
		author := *by
		if author == "" {
			author = "cli:" + os.Getenv("USER")
		}
		return publishAlert(ctx, sf, a, author, stdout, stderr)
	case "import":
		file := fs.String("file", "", "a STIX 2.1 bundle or a MISP event (JSON) `FILE`")
		publish := fs.Bool("publish", false, "publish the draft at once instead of printing it for review")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if *file == "" {
			return fmt.Errorf("%w: --file: required", errUsage)
		}
		data, err := os.ReadFile(*file)
		if err != nil {
			return inputError{err}
		}
		imp, err := importAlert(data)
		if err != nil {
			return inputError{fmt.Errorf("%s: %w", *file, err)}
		}
		for _, n := range imp.Notices {
			fmt.Fprintf(stderr, "%s: %s\n", *file, n)
		}
		if !*publish {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(imp.Alert)
		}
		return publishAlert(ctx, sf, imp.Alert, "import:"+filepath.Base(*file), stdout, stderr)
	case "list":
		format := formatFlag(fs)
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return withStore(ctx, sf, func(s store.Store) error {
			list, err := listAlerts(ctx, s)
			if err != nil {
				return err
			}
			if *format == "json" {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			return printAlerts(stdout, list)
		})
	}
	fmt.Fprint(stderr, "usage: ward alert publish --file FILE | ward alert import --file STIX-OR-MISP.json [--publish] | ward alert list [--format table|json]\n")
	return errUsage
}

// publishAlert signs a and queues it in the hub's outbox, printing its ID.
func publishAlert(ctx context.Context, sf *storeFlags, a *alert.Alert, by string, stdout, stderr io.Writer) error {
	return withStore(ctx, sf, func(s store.Store) error {
		h, err := ews.NewHub(ctx, ews.HubConfig{Store: s})
		if err != nil {
			return err
		}
		rec, err := h.Publish(ctx, a, by)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, rec.ID)
		fmt.Fprintln(stderr, "signed and queued; the serving hub sends it within seconds")
		return nil
	})
}

// importAlert drafts an alert from a STIX 2.1 bundle or a MISP event,
// told apart by their top-level shape.
func importAlert(data []byte) (*alert.Imported, error) {
	var probe struct {
		Type  string          `json:"type"`
		Event json.RawMessage `json:"Event"`
		Info  *string         `json:"info"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", alert.ErrInvalid, err)
	}
	switch {
	case probe.Type == "bundle":
		return alert.FromSTIX(data)
	case probe.Event != nil || probe.Info != nil:
		return alert.FromMISP(data)
	}
	return nil, fmt.Errorf("%w: neither a STIX bundle nor a MISP event", alert.ErrInvalid)
}

// formatFlag registers --format table|json.
func formatFlag(fs *flag.FlagSet) *string {
	return fs.String("format", "table", "`FORMAT`: table or json")
}

// readAlertFile reads and validates an alert file.
func readAlertFile(name string) (*alert.Alert, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	a, err := alert.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}

// alertList is what ward alert list shows: the alerts this node published
// as a hub, with what the sites reported, and those its organisations
// received as sites.
type alertList struct {
	Published []publishedAlert `json:"published"`
	Received  []receivedAlert  `json:"received"`
}

type publishedAlert struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Severity     string    `json:"severity"`
	TLP          string    `json:"tlp"`
	CreatedAt    time.Time `json:"created_at"`
	PublishedAt  time.Time `json:"published_at,omitzero"`
	Reports      int       `json:"reports"`
	Acknowledged int       `json:"acknowledged"`
	Affected     int       `json:"affected"`
	Mitigated    int       `json:"mitigated_assets"`
}

type receivedAlert struct {
	Org          string         `json:"org"`
	OrgID        string         `json:"org_id"`
	ID           string         `json:"id"`
	Title        string         `json:"title"`
	Severity     string         `json:"severity"`
	TLP          string         `json:"tlp"`
	ReceivedAt   time.Time      `json:"received_at"`
	Verified     bool           `json:"verified"`
	KeyID        string         `json:"key_id"`
	Matched      bool           `json:"matched"`
	Affected     bool           `json:"affected"`
	Assets       map[string]int `json:"assets"`
	Acknowledged bool           `json:"acknowledged"`
}

func listAlerts(ctx context.Context, s store.Store) (alertList, error) {
	out := alertList{Published: []publishedAlert{}, Received: []receivedAlert{}}
	published, err := store.All(ctx, s.ListHubAlerts)
	if err != nil {
		return out, err
	}
	for _, a := range published {
		reports, err := s.AlertReports(ctx, a.ID)
		if err != nil {
			return out, err
		}
		pa := publishedAlert{ID: a.ID, Title: a.Title, Severity: a.Severity, TLP: a.TLP, CreatedAt: a.CreatedAt,
			PublishedAt: a.PublishedAt, Reports: len(reports)}
		for _, r := range reports {
			if r.Acknowledged {
				pa.Acknowledged++
			}
			if r.Affected {
				pa.Affected++
			}
			pa.Mitigated += r.Mitigated
		}
		out.Published = append(out.Published, pa)
	}
	links, err := s.HubLinks(ctx)
	if err != nil {
		return out, err
	}
	site := ews.NewSite(ews.SiteConfig{Store: s})
	for _, l := range links {
		org, err := s.Org(ctx, l.OrgID)
		if err != nil {
			return out, err
		}
		received, err := store.All(ctx, func(ctx context.Context, opts store.ListOptions) (store.Page[store.ReceivedAlert], error) {
			return s.ListReceivedAlerts(ctx, l.OrgID, opts)
		})
		if err != nil {
			return out, err
		}
		for _, a := range received {
			// Verified again from the stored bytes, as shown.
			_, _, verr := site.Alert(ctx, l.OrgID, a.ID)
			out.Received = append(out.Received, receivedAlert{Org: org.Name, OrgID: org.ID, ID: a.ID, Title: a.Title, Severity: a.Severity,
				TLP: a.TLP, ReceivedAt: a.ReceivedAt, Verified: verr == nil, KeyID: a.KeyID, Matched: !a.MatchedAt.IsZero(),
				Affected: a.Affected, Assets: a.Assets, Acknowledged: !a.Acknowledged.IsZero()})
		}
	}
	return out, nil
}

func printAlerts(w io.Writer, list alertList) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if len(list.Published) > 0 {
		fmt.Fprintln(tw, "PUBLISHED\tSEVERITY\tTLP\tSENT\tREPORTS\tACK\tAFFECTED\tTITLE")
		for _, a := range list.Published {
			sent := "queued"
			if !a.PublishedAt.IsZero() {
				sent = a.PublishedAt.Local().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", a.ID, a.Severity, a.TLP, sent, a.Reports, a.Acknowledged, a.Affected, a.Title)
		}
	}
	if len(list.Received) > 0 {
		if len(list.Published) > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintln(tw, "RECEIVED\tORG\tSEVERITY\tTLP\tSIGNATURE\tAFFECTED ASSETS\tACK\tTITLE")
		for _, a := range list.Received {
			sig := "verified"
			if !a.Verified {
				sig = "FAILED"
			}
			affected := "no"
			if !a.Matched {
				affected = "not matched yet"
			} else if a.Affected {
				n := 0
				for _, c := range a.Assets {
					n += c
				}
				affected = fmt.Sprintf("%d (act %d)", n, a.Assets["act"])
			}
			ack := "no"
			if a.Acknowledged {
				ack = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Org, a.Severity, a.TLP, sig, affected, ack, a.Title)
		}
	}
	if len(list.Published)+len(list.Received) == 0 {
		fmt.Fprintln(tw, "no alerts")
	}
	return tw.Flush()
}

// runSite runs ward site invite|list|revoke, the hub's view of its sites.
func runSite(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, fs, sf := subcommand("site", args, stderr)
	switch sub {
	case "invite":
		name := fs.String("name", "", "the organisation's `NAME`")
		kind := fs.String("kind", "", "`KIND`: hospital, practice, ems, lab, provider or other")
		country := fs.String("country", "", "ISO 3166-1 alpha-2 `CODE`, e.g. DE")
		contact := fs.String("contact", "", "whom the hub phones there (`NAME`), optional")
		phone := fs.String("phone", "", "their phone `NUMBER` (digits, spaces, +, - and parentheses), optional")
		ttl := fs.Duration("ttl", 7*24*time.Hour, "how long the invitation stays valid")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return withStore(ctx, sf, func(s store.Store) error {
			h, err := ews.NewHub(ctx, ews.HubConfig{Store: s})
			if err != nil {
				return err
			}
			token, err := h.Invite(ctx, store.SiteInvite{Name: *name, Kind: store.OrgKind(*kind), Country: *country,
				Contact: *contact, Phone: *phone, CreatedBy: "cli:" + os.Getenv("USER")}, *ttl)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, token)
			return nil
		})
	case "list":
		format := formatFlag(fs)
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return withStore(ctx, sf, func(s store.Store) error {
			sites, err := store.All(ctx, s.ListSites)
			if err != nil {
				return err
			}
			if *format == "json" {
				type siteJSON struct {
					ID         string    `json:"id"`
					Name       string    `json:"name"`
					Kind       string    `json:"kind"`
					Country    string    `json:"country"`
					Contact    string    `json:"contact,omitempty"`
					Phone      string    `json:"phone,omitempty"`
					EnrolledAt time.Time `json:"enrolled_at"`
					RevokedAt  time.Time `json:"revoked_at,omitzero"`
				}
				out := make([]siteJSON, len(sites))
				for i, x := range sites {
					out[i] = siteJSON{x.ID, x.Name, string(x.Kind), x.Country, x.Contact, x.Phone, x.EnrolledAt, x.RevokedAt}
				}
				return json.NewEncoder(stdout).Encode(out)
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tKIND\tCOUNTRY\tPHONE\tENROLLED\tSTATUS")
			for _, x := range sites {
				status := "enrolled"
				if !x.RevokedAt.IsZero() {
					status = "revoked " + x.RevokedAt.Local().Format("2006-01-02 15:04")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.Name, x.Kind, x.Country, cmp.Or(x.Phone, "-"),
					x.EnrolledAt.Local().Format("2006-01-02 15:04"), status)
			}
			return tw.Flush()
		})
	case "revoke":
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: ward site revoke SITE-ID", errUsage)
		}
		return withStore(ctx, sf, func(s store.Store) error {
			h, err := ews.NewHub(ctx, ews.HubConfig{Store: s})
			if err != nil {
				return err
			}
			if err := h.Revoke(ctx, fs.Arg(0)); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "revoked; the serving hub cuts the site off within seconds\n")
			return nil
		})
	}
	fmt.Fprint(stderr, "usage: ward site invite --name N --kind K --country CC | ward site list | ward site revoke ID\n")
	return errUsage
}

// runEnroll runs ward enroll: an organisation of this node joins a hub.
func runEnroll(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("enroll", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	hub := fs.String("hub", "", "the hub's web `URL`, e.g. https://hub.example.eu")
	org := fs.String("org", "", "the organisation `ID` that enrols (default: the only one)")
	tokenFlag := fs.String("token", "", "the one-time enrolment `TOKEN` from the hub (or $WARD_ENROLL_TOKEN)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	token := *tokenFlag
	if token == "" {
		token = os.Getenv("WARD_ENROLL_TOKEN")
	}
	if *hub == "" || token == "" {
		return fmt.Errorf("%w: ward enroll --hub URL --token TOKEN (or the token in $WARD_ENROLL_TOKEN)", errUsage)
	}
	return withStore(ctx, &sf, func(s store.Store) error {
		id, err := onlyOrg(ctx, s, *org)
		if err != nil {
			return err
		}
		l, err := ews.Enroll(ctx, s, nil, *hub, token, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "enrolled as site %s; alerts come from %s (hub key %s pinned)\n", l.SiteID, l.NATSURL, alert.KeyID(l.HubKeys[0]))
		return nil
	})
}

// onlyOrg returns id, or the node's only organisation when id is "".
func onlyOrg(ctx context.Context, s store.Store, id string) (string, error) {
	if id != "" {
		return id, nil
	}
	p, err := s.ListOrgs(ctx, store.ListOptions{Limit: 2})
	if err != nil {
		return "", err
	}
	if len(p.Items) != 1 {
		return "", fmt.Errorf("%w: --org: this node has %d organisations; name one", errUsage, len(p.Items))
	}
	return p.Items[0].ID, nil
}
