package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/synth"
)

func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "inventory" {
		return fmt.Errorf("%w: usage: ward gen inventory --assets N --advisories PATH... [--seed S] [--out FILE]", errUsage)
	}
	fs := flag.NewFlagSet("gen inventory", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var adv multiFlag
	fs.Var(&adv, "advisories", "advisory file or directory `PATH` to draw products and versions from (repeatable)")
	n := fs.Int("assets", 1000, "how many `N` assets to make")
	seed := fs.Uint64("seed", 1, "random `SEED`: the same seed makes the same inventory")
	prefix := fs.String("prefix", "A", "asset id `PREFIX`")
	products := fs.Int("products", 0, "draw from at most `N` distinct products (0: all), as real fleets repeat a few products")
	out := fs.String("out", "", "write the CSV to `FILE` instead of standard output")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	if len(adv) == 0 || *n <= 0 || *n > 10_000_000 {
		fs.Usage()
		return fmt.Errorf("%w: gen inventory needs --advisories and 1 <= --assets <= 10000000", errUsage)
	}
	set, err := advisory.Load(ctx, adv, advisory.Options{Progress: func(done, total int) {}})
	if err != nil {
		return err
	}
	pool := synth.NewPool(set.Advisories)
	pool.Limit(*products, *seed)
	if pool.Len() == 0 {
		return fmt.Errorf("gen inventory: no named products in %v", []string(adv))
	}
	assets := pool.Generate(*n, *seed, *prefix)
	fmt.Fprintf(stderr, "ward: %d assets drawn from %d products of %d advisories\n", len(assets), pool.Len(), len(set.Advisories))
	return writeOut(*out, stdout, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := inventory.WriteCSV(bw, assets); err != nil {
			return err
		}
		return bw.Flush()
	})
}
