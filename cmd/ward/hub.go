package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
)

// runHub runs the hub's own operator commands: ward hub rotate-key.
func runHub(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, fs, sf := subcommand("hub", args, stderr)
	switch sub {
	case "rotate-key":
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() != 0 {
			return fmt.Errorf("%w: ward hub rotate-key takes no arguments", errUsage)
		}
		return withStore(ctx, sf, func(s store.Store) error {
			keys, err := s.SigningKeys(ctx)
			if err != nil {
				return err
			}
			h, err := ews.NewHub(ctx, ews.HubConfig{Store: s}) // makes the first key of a new hub
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				fmt.Fprintln(stdout, h.KeyID())
				fmt.Fprintln(stderr, "the hub had no signing key: this is its first; sites pin it when they enrol")
				return nil
			}
			k, err := h.RotateKey(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, k.ID)
			fmt.Fprintln(stderr, "rotated; the serving hub signs with the new key from its next alert, and announces it to the sites first")
			return nil
		})
	}
	fmt.Fprint(stderr, "usage: ward hub rotate-key [--data DIR | --db URL]\n")
	return errUsage
}
