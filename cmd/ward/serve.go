package main

import (
	"context"
	"fmt"
	"io"
)

// runServe is a placeholder until the site system lands (issue "ward serve").
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fmt.Fprintln(stderr, "ward serve: not yet: the web UI, API and store are the next piece of work.")
	fmt.Fprintln(stderr, "Until then, try: ward scan --inventory testdata/... --advisories ...  (see README.md)")
	return fmt.Errorf("serve is not available yet")
}
