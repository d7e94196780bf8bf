package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBenchAlerts runs "ward bench alerts" as a process of the real binary
// (its workers are further processes of it) on a small network and checks
// that every site got every alert and that both fan-outs were measured.
func TestBenchAlerts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	bin := buildWard(t)
	adv, err := filepath.Abs(testdataCSAF)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), bin, "bench", "alerts", "--sites", "20", "--procs", "2", "--alerts", "3",
		"--interval", "20ms", "--timeout", "30s", "--advisories", adv)
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ward bench alerts: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^60 deliveries \(20 sites × 3 alerts`),
		regexp.MustCompile(`ratio ward p99 / raw p99: \d+\.\d`),
		regexp.MustCompile(`verified\+matched\+stored +60 `),
		regexp.MustCompile(`raw NATS fan-out +60 `),
		regexp.MustCompile(`16 distinct inventories of 200 assets shared round-robin; \d+ deliveries found the site affected, 0 rejected`),
	} {
		if !want.MatchString(out) {
			t.Errorf("ward bench alerts output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(stderr.String(), "%!") {
		t.Errorf("ward bench alerts progress has a format error:\n%s", stderr.String())
	}
}
