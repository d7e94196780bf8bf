package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// chromiumNames are the commands tried, in order, when $WARD_CHROMIUM is
// unset: Debian's package first.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// Chromium returns the path of a Chromium (or Chrome) binary for browser
// tests: $WARD_CHROMIUM, or the first of chromium, chromium-browser,
// google-chrome, google-chrome-stable and headless-shell on $PATH. It skips
// the test, or fails it in strict mode, when there is none. Install one on
// Debian with `apt-get install -y chromium` (.ci/run does).
func Chromium(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("WARD_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			missing(tb, "Chromium at $WARD_CHROMIUM: "+err.Error())
		}
		return p
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(tb, "Chromium for the browser tests (apt-get install -y chromium, or set WARD_CHROMIUM)")
	return ""
}
