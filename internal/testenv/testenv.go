// Package testenv finds what tests need outside the repository: the shared
// real-data folder now, services later. A test that cannot find what it
// needs is skipped with a message naming it, unless WARD_STRICT=1 is set (CI
// sets it), in which case it fails.
package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Strict reports whether missing test dependencies are failures.
func Strict() bool { return os.Getenv("WARD_STRICT") == "1" }

// SharedData returns the folder of real public data (shared/data beside the
// repository, or $WARD_SHARED_DATA), joined with elem. It skips the test, or
// fails it in strict mode, when the folder is absent.
func SharedData(tb testing.TB, elem ...string) string {
	tb.Helper()
	root := os.Getenv("WARD_SHARED_DATA")
	if root == "" {
		root = findShared()
	}
	p := filepath.Join(append([]string{root}, elem...)...)
	if root == "" {
		missing(tb, "the shared data folder (../shared/data beside the repository, or set WARD_SHARED_DATA)")
	} else if _, err := os.Stat(p); err != nil {
		missing(tb, p)
	}
	return p
}

// Service skips tb, or fails it in strict mode, when err says that a service
// the test needs (described by name, e.g. "PostgreSQL at $WARD_TEST_POSTGRES")
// is unreachable. It does nothing when err is nil.
func Service(tb testing.TB, name string, err error) {
	tb.Helper()
	if err != nil {
		missing(tb, fmt.Sprintf("%s: %v", name, err))
	}
}

func missing(tb testing.TB, what string) {
	tb.Helper()
	if Strict() {
		tb.Fatalf("missing %s (WARD_STRICT=1)", what)
	}
	tb.Skipf("skipped: missing %s", what)
}

// findShared walks up from the working directory to the module root and
// looks for ../shared/data beside it.
func findShared() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "data")
			if _, err := os.Stat(p); err == nil {
				return p
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
