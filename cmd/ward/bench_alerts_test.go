package main

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/alertnet"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/synth"
	"github.com/ward-health/ward/internal/testenv"
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

// BenchmarkSiteDelivery measures what one simulated site of "ward bench
// alerts" does with one alert: decode and verify the envelope, look its
// references up in the findings of a 200-asset inventory. Times N sites is
// the CPU the bench's workers need per alert, NATS aside.
func BenchmarkSiteDelivery(b *testing.B) {
	set, err := advisory.Load(b.Context(), []string{testenv.SharedData(b, "csaf", "cisa-icsma")}, advisory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	advs := benchAdvisories(set.Advisories, 20)
	key, err := alert.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	signer := alert.NewSigner(key)
	var data [][]byte
	for j, adv := range advs {
		env, err := signer.Sign(benchAlert(adv, "b", j))
		if err != nil {
			b.Fatal(err)
		}
		raw, err := json.Marshal(env)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, raw)
	}
	w := &alertsWorker{keys: alert.NewKeyring(signer.PublicKey()), out: newEventWriter(io.Discard)}
	defer w.out.close()
	inv := newBenchFindings(match.NewMatcher(match.NewNames(), set.Advisories), synth.NewPool(set.Advisories).Generate(200, 1, "inv-"))
	deliver := func(r *benchReceiver, data []byte) {
		if err := r.deliver(b.Context(), alertnet.Delivery{Data: data}); err != nil {
			b.Fatal(err)
		}
	}
	// The bench means something only when some alerts affect the site.
	check := &benchReceiver{w: w, findings: inv, stored: map[string]int{}}
	for _, d := range data {
		deliver(check, d)
	}
	if !slices.ContainsFunc(slices.Collect(maps.Values(check.stored)), func(n int) bool { return n > 0 }) {
		b.Fatal("no alert found the inventory affected")
	}
	i := 0
	for b.Loop() {
		deliver(&benchReceiver{w: w, findings: inv, stored: map[string]int{}}, data[i%len(data)])
		i++
	}
}
