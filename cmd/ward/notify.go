package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/ward-health/ward/internal/store"
)

// runNotify runs ward notify add|list|remove: where an organisation's
// alerts go besides its pages.
func runNotify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, fs, sf := subcommand("notify", args, stderr)
	org := fs.String("org", "", "organisation `ID` (default: the only one)")
	switch sub {
	case "add":
		kind := fs.String("kind", "", "`KIND`: email, webhook or syslog")
		target := fs.String("target", "", "addresses (email), an https URL (webhook) or udp://host:port | tcp://host:port (syslog)")
		min := fs.String("min-severity", "high", "least urgent `SEVERITY` sent: critical, high, medium or low")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return withStore(ctx, sf, func(s store.Store) error {
			id, err := onlyOrg(ctx, s, *org)
			if err != nil {
				return err
			}
			// A webhook's signing secret comes from the environment, not the
			// process list.
			c := store.Channel{Kind: store.ChannelKind(*kind), Target: *target, MinSeverity: *min}
			if c.Kind == store.ChannelWebhook {
				c.Secret = os.Getenv("WARD_WEBHOOK_SECRET")
			}
			c, err = s.AddChannel(ctx, id, c)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, c.ID)
			return nil
		})
	case "list":
		format := formatFlag(fs)
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		return withStore(ctx, sf, func(s store.Store) error {
			id, err := onlyOrg(ctx, s, *org)
			if err != nil {
				return err
			}
			list, err := s.ListChannels(ctx, id)
			if err != nil {
				return err
			}
			if *format == "json" {
				type channelJSON struct {
					ID          string `json:"id"`
					Kind        string `json:"kind"`
					Target      string `json:"target"`
					MinSeverity string `json:"min_severity"`
					Signed      bool   `json:"signed"`
				}
				out := make([]channelJSON, len(list))
				for i, c := range list {
					out[i] = channelJSON{c.ID, string(c.Kind), c.Target, c.MinSeverity, c.Secret != ""}
				}
				return json.NewEncoder(stdout).Encode(out)
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tTARGET\tFROM SEVERITY")
			for _, c := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Kind, c.Target, c.MinSeverity)
			}
			return tw.Flush()
		})
	case "remove":
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("%w: ward notify remove CHANNEL-ID", errUsage)
		}
		return withStore(ctx, sf, func(s store.Store) error {
			id, err := onlyOrg(ctx, s, *org)
			if err != nil {
				return err
			}
			return s.RemoveChannel(ctx, id, fs.Arg(0))
		})
	}
	fmt.Fprint(stderr, "usage: ward notify add --kind email|webhook|syslog --target T [--min-severity high] | ward notify list | ward notify remove ID\n")
	return errUsage
}
