package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/alertnet"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/synth"
)

// Shape of "ward bench alerts".
const (
	benchInventories  = 16    // distinct inventories per worker, shared round-robin by its sites
	benchSitesPerProc = 2_500 // connections one worker holds at most (20,000 open files a process)
	benchConnectPar   = 16    // sites a worker connects at once
	benchRawSubject   = "ward.live.alerts.all"
	benchRawHeader    = "Ward-Bench-Alert"
	benchDefaultAdv   = "../shared/data/csaf/cisa-icsma"
	benchHubFiles     = 500             // files the hub's process holds besides the sites' sockets
	workerGrace       = 3 * time.Second // a worker's time to close its sites once the parent is gone
)

// runBenchAlerts runs "ward bench alerts" (the parent: an embedded hub and
// the publisher) and "ward bench alerts-worker" (a process holding a slice
// of the sites, started by the parent).
func runBenchAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if args[0] == "alerts-worker" {
		return runAlertsWorker(ctx, args[1:], os.Stdin, stdout, stderr)
	}
	if args[0] != "alerts" {
		return fmt.Errorf("%w: bench wants a target: ward bench serve or ward bench alerts", errUsage)
	}
	fs := flag.NewFlagSet("bench alerts", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg alertsBench
	fs.IntVar(&cfg.sites, "sites", 1000, "sites connected to the hub")
	fs.IntVar(&cfg.procs, "procs", 0, "worker processes holding the sites (0: one per 2,500 sites)")
	fs.IntVar(&cfg.alerts, "alerts", 20, "alerts published")
	fs.IntVar(&cfg.assets, "assets", 200, "assets of each site's inventory")
	var adv multiFlag
	fs.Var(&adv, "advisories", "advisory folder `DIR` the alerts and inventories are drawn from (repeatable; default "+benchDefaultAdv+")")
	fs.DurationVar(&cfg.interval, "interval", 200*time.Millisecond, "pause between two publications")
	fs.DurationVar(&cfg.timeout, "timeout", 2*time.Minute, "how long to wait for the last delivery after the last publication")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if cfg.procs == 0 {
		cfg.procs = (cfg.sites + benchSitesPerProc - 1) / benchSitesPerProc
	}
	if cfg.sites <= 0 || cfg.alerts <= 0 || cfg.assets <= 0 || cfg.procs <= 0 || cfg.procs > cfg.sites {
		fs.Usage()
		return fmt.Errorf("%w: bench alerts needs --sites, --alerts, --assets above 0 and --procs between 1 and --sites", errUsage)
	}
	if (cfg.sites+cfg.procs-1)/cfg.procs > benchSitesPerProc {
		return fmt.Errorf("%w: %d sites over %d processes is more than %d connections a process", errUsage, cfg.sites, cfg.procs, benchSitesPerProc)
	}
	var lim syscall.Rlimit // the hub's server holds one socket a site, besides its own files
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && uint64(cfg.sites)+benchHubFiles > lim.Cur {
		return fmt.Errorf("%w: %d sites need about %d open files in this process, which may hold %d (ulimit -n)", errUsage, cfg.sites, uint64(cfg.sites)+benchHubFiles, lim.Cur)
	}
	cfg.advisories = adv
	if len(cfg.advisories) == 0 {
		if _, err := os.Stat(benchDefaultAdv); err != nil {
			return fmt.Errorf("%w: bench alerts needs --advisories (no %s here)", errUsage, benchDefaultAdv)
		}
		cfg.advisories = []string{benchDefaultAdv}
	}
	for i, p := range cfg.advisories {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		cfg.advisories[i] = abs
	}
	return cfg.run(ctx, stdout, stderr)
}

// alertsBench is one run of "ward bench alerts".
type alertsBench struct {
	sites, procs, alerts, assets int
	advisories                   []string
	interval, timeout            time.Duration
	warnings                     map[string]*benchWarning // by message, from the workers' sites
}

// benchWarning counts one kind of warning the sites logged.
type benchWarning struct {
	n     int
	first string // the first one's error
}

// warn counts a warning event.
func (b *alertsBench) warn(ev workerEvent) {
	if b.warnings == nil {
		b.warnings = map[string]*benchWarning{}
	}
	w := b.warnings[ev.Msg]
	if w == nil {
		w = &benchWarning{first: ev.Err}
		b.warnings[ev.Msg] = w
	}
	w.n++
}

// workerConfig is what the parent hands a worker, in a 0600 file: the
// hub's address and signing key, and the sites the worker holds.
type workerConfig struct {
	URL         string            `json:"url"`
	AlertKey    ed25519.PublicKey `json:"alert_key"`
	Advisories  []string          `json:"advisories"`
	Assets      int               `json:"assets"`
	Inventories int               `json:"inventories"`
	Sites       []workerSite      `json:"sites"`
}

type workerSite struct {
	Index int    `json:"i"`
	OrgID string `json:"org"`
	Seed  string `json:"seed"`
}

// workerEvent is one line a worker writes on standard output.
type workerEvent struct {
	Kind     string `json:"e"`           // "connected", "ready", "got", "rejected", "error"
	Phase    string `json:"p,omitempty"` // "ward" or "raw"
	Site     int    `json:"s,omitempty"`
	Alert    int    `json:"a,omitempty"`
	At       int64  `json:"t,omitempty"` // UnixNano
	Findings int    `json:"f,omitempty"`
	Msg      string `json:"m,omitempty"`
	Err      string `json:"x,omitempty"` // with "warn": the error logged
	worker   int
}

// benchWorker is one started worker process.
type benchWorker struct {
	child
	stdin io.WriteCloser
}

func (b *alertsBench) run(ctx context.Context, stdout, stderr io.Writer) error {
	set, err := advisory.Load(ctx, b.advisories, advisory.Options{})
	if err != nil {
		return err
	}
	picked := benchAdvisories(set.Advisories, b.alerts)
	if len(picked) == 0 {
		return fmt.Errorf("bench: no advisory with a CVE in %v", b.advisories)
	}
	dir, err := os.MkdirTemp("", "ward-bench-alerts-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	start := time.Now()
	hubSeed, _, err := alertnet.NewSiteKey()
	if err != nil {
		return err
	}
	sites := make([]workerSite, b.sites)
	auth := make([]alertnet.SiteAuth, b.sites)
	for i := range sites {
		seed, pub, err := alertnet.NewSiteKey()
		if err != nil {
			return err
		}
		org := fmt.Sprintf("site-%05d", i)
		sites[i] = workerSite{Index: i, OrgID: org, Seed: string(seed)}
		auth[i] = alertnet.SiteAuth{OrgID: org, PublicKey: pub}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	hub, err := alertnet.StartHub(ctx, alertnet.HubConfig{Dir: filepath.Join(dir, "hub"), Listen: "127.0.0.1:0", HubSeed: hubSeed, Sites: auth, Logger: log})
	if err != nil {
		return err
	}
	defer hub.Close()
	key, err := alert.GenerateKey()
	if err != nil {
		return err
	}
	signer := alert.NewSigner(key)
	fmt.Fprintf(stderr, "ward: hub on %s with %d sites admitted in %s; starting %d worker processes\n",
		hub.ClientURL(), b.sites, time.Since(start).Round(time.Millisecond), b.procs)

	events := make(chan workerEvent, 4096)
	quit := make(chan struct{}) // closed when the events are no longer read
	workers := make([]*benchWorker, b.procs)
	defer func() {
		close(quit)
		for _, w := range workers {
			if w != nil {
				w.stdin.Close() // the worker exits when its standard input closes
				w.stop()
			}
		}
	}()
	for p := range b.procs {
		lo, hi := p*b.sites/b.procs, (p+1)*b.sites/b.procs
		wc := workerConfig{URL: hub.ClientURL(), AlertKey: signer.PublicKey(), Advisories: b.advisories,
			Assets: b.assets, Inventories: benchInventories, Sites: sites[lo:hi]}
		if workers[p], err = startWorker(dir, p, wc, events, quit, stderr); err != nil {
			return err
		}
	}

	connectStart := time.Now()
	if err := b.awaitReady(ctx, "ward", workers, events, stderr); err != nil {
		return err
	}
	connectWard := time.Since(connectStart)
	fmt.Fprintf(stderr, "ward: %d sites connected in %s (%d inventories of %d assets shared round-robin in each worker); publishing %d alerts every %s\n",
		b.sites, connectWard.Round(time.Millisecond), benchInventories, b.assets, b.alerts, b.interval)

	runID := strconv.FormatInt(time.Now().Unix(), 36)
	cpu0 := benchCPU(workers)
	wardRes, err := b.measure(ctx, "ward", events, func(j int) (time.Time, error) {
		adv := picked[j%len(picked)]
		a := benchAlert(adv, runID, j)
		env, err := signer.Sign(a)
		if err != nil {
			return time.Time{}, err
		}
		data, err := json.Marshal(env)
		if err != nil {
			return time.Time{}, err
		}
		t0 := time.Now()
		_, err = hub.Publish(ctx, a, data)
		return t0, err
	})
	if err != nil {
		return err
	}
	wardRes.cpu = benchCPU(workers).minus(cpu0)

	// Raw fan-out: the workers close the sites and open one new plain
	// connection per site, with the site's own credentials, subscribed to
	// the live subject the sites listen on; the hub publishes there directly.
	fmt.Fprintf(stderr, "ward: measuring raw NATS fan-out on %s: new plain connections, one per site\n", benchRawSubject)
	for _, w := range workers {
		if _, err := io.WriteString(w.stdin, "raw\n"); err != nil {
			return fmt.Errorf("bench: worker %d: %w", w.cmd.Process.Pid, err)
		}
	}
	connectStart = time.Now()
	if err := b.awaitReady(ctx, "raw", workers, events, stderr); err != nil {
		return err
	}
	connectRaw := time.Since(connectStart)
	pub, err := hubConn(hub.ClientURL(), hubSeed)
	if err != nil {
		return err
	}
	defer pub.Close()
	env, err := signer.Sign(benchAlert(picked[0], runID, 0))
	if err != nil {
		return err
	}
	payload, err := json.Marshal(env) // the size of a real alert
	if err != nil {
		return err
	}
	cpu0 = benchCPU(workers)
	rawRes, err := b.measure(ctx, "raw", events, func(j int) (time.Time, error) {
		m := nats.NewMsg(benchRawSubject)
		m.Header.Set(benchRawHeader, strconv.Itoa(j))
		m.Data = payload
		t0 := time.Now()
		if err := pub.PublishMsg(m); err != nil {
			return t0, err
		}
		return t0, pub.Flush()
	})
	if err != nil {
		return err
	}
	rawRes.cpu = benchCPU(workers).minus(cpu0)
	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		return err
	}
	parent, err := (&child{cmd: &exec.Cmd{Process: self}}).memory()
	if err != nil {
		return err
	}
	wardMem, err := benchMemory(workers)
	if err != nil {
		return err
	}
	return b.print(stdout, wardRes, rawRes, connectWard, connectRaw, parent, wardMem)
}

// benchAdvisories picks up to n advisories that name CVEs, spread over the set.
func benchAdvisories(all []*advisory.Advisory, n int) []*advisory.Advisory {
	var withCVE []*advisory.Advisory
	for _, a := range all {
		if len(advisoryCVEs(a)) > 0 {
			withCVE = append(withCVE, a)
		}
	}
	if len(withCVE) <= n {
		return withCVE
	}
	out := make([]*advisory.Advisory, n)
	for i := range out {
		out[i] = withCVE[i*len(withCVE)/n]
	}
	return out
}

func advisoryCVEs(a *advisory.Advisory) []string {
	var cves []string
	for _, v := range a.Vulnerabilities {
		if strings.HasPrefix(v.CVE, "CVE-") && !slices.Contains(cves, v.CVE) {
			cves = append(cves, v.CVE)
		}
	}
	return cves
}

// benchAlert is the j-th alert of a run: TLP:CLEAR, for everyone, naming
// the advisory and its CVEs. Its Sequence is j+1.
func benchAlert(adv *advisory.Advisory, runID string, j int) *alert.Alert {
	title := adv.Title
	if title == "" || len(title) > 150 {
		title = adv.ID
	}
	return &alert.Alert{
		ID: fmt.Sprintf("bench-%s-%d", runID, j), Issued: time.Now().UTC(), Sequence: uint64(j + 1),
		Title: "Check " + title, Summary: "Vulnerabilities published in " + adv.ID + ".",
		Actions: "Find the affected devices and isolate them from the network.", Severity: alert.High, TLP: alert.TLPClear,
		CVEs: advisoryCVEs(adv), Advisories: []string{adv.ID},
	}
}

// hubConn connects as the hub's user, which may publish anywhere.
func hubConn(url string, seed []byte) (*nats.Conn, error) {
	kp, err := nkeys.FromSeed(seed)
	if err != nil {
		return nil, err
	}
	pub, err := kp.PublicKey()
	if err != nil {
		return nil, err
	}
	nc, err := nats.Connect(url, nats.Name("ward-bench-raw"), nats.Nkey(pub, kp.Sign))
	if err != nil {
		return nil, fmt.Errorf("bench: raw publisher: %w", err)
	}
	return nc, nil
}

// startWorker writes the worker's sites to a 0600 file and starts
// "ward bench alerts-worker" on it; its events go to events.
func startWorker(dir string, p int, wc workerConfig, events chan<- workerEvent, quit <-chan struct{}, stderr io.Writer) (*benchWorker, error) {
	data, err := json.Marshal(wc)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(dir, fmt.Sprintf("worker-%d.json", p))
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "bench", "alerts-worker", "--config", file)
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start worker: %w", err)
	}
	w := &benchWorker{child: child{cmd: cmd, done: make(chan error, 1)}, stdin: stdin}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var ev workerEvent
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				ev = workerEvent{Kind: "error", Msg: "unreadable line " + strconv.Quote(sc.Text())}
			}
			ev.worker = p
			select {
			case events <- ev:
			case <-quit:
			}
		}
		err := cmd.Wait()
		select {
		case events <- workerEvent{Kind: "exit", Msg: fmt.Sprint(err), worker: p}:
		case <-quit:
		}
		w.done <- err
	}()
	return w, nil
}

// awaitReady waits until every worker reported phase ready, showing the
// connections made so far.
func (b *alertsBench) awaitReady(ctx context.Context, phase string, workers []*benchWorker, events <-chan workerEvent, stderr io.Writer) error {
	ready, connected := 0, 0
	last := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	show := func() {
		what := "sites connected through alertnet"
		if phase == "raw" {
			what = "plain connections subscribed"
		}
		fmt.Fprintf(stderr, "ward: %d/%d %s (%d%%), %d/%d workers ready\n",
			connected, b.sites, what, connected*100/b.sites, ready, len(workers))
	}
	for ready < len(workers) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if time.Since(last) >= 2*time.Second {
				show()
				last = time.Now()
			}
		case ev := <-events:
			switch ev.Kind {
			case "connected":
				connected++
			case "ready":
				ready++
			case "warn":
				b.warn(ev)
			case "error", "exit":
				return fmt.Errorf("bench: worker %d while connecting (%s, %d/%d sites connected): %s", ev.worker, phase, connected, b.sites, ev.Msg)
			}
		}
	}
	show()
	return nil
}

// phaseResult is what one phase measured.
type phaseResult struct {
	latencies []time.Duration
	wall      time.Duration // first publication to last delivery
	findings  int           // deliveries whose site was affected
	rejected  int
	cpu       cpuUse // used during the phase
}

// cpuUse is the processor time the parent (hub and NATS server) and the
// workers (the sites) used.
type cpuUse struct{ hub, sites time.Duration }

func (c cpuUse) minus(d cpuUse) cpuUse { return cpuUse{c.hub - d.hub, c.sites - d.sites} }

// benchCPU reads the processor time used so far; what cannot be read
// counts as zero (the figures are a diagnosis, not the measurement).
func benchCPU(workers []*benchWorker) cpuUse {
	c := cpuUse{hub: procCPU(os.Getpid())}
	for _, w := range workers {
		c.sites += procCPU(w.cmd.Process.Pid)
	}
	return c
}

// procCPU reads a process's user and system time from /proc (Linux, 100
// ticks a second).
func procCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	_, rest, _ := bytes.Cut(data, []byte(") ")) // after the command name
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// measure publishes b.alerts times with publish and collects the
// deliveries, until every site has every message or the timeout passes.
func (b *alertsBench) measure(ctx context.Context, phase string, events <-chan workerEvent, publish func(j int) (time.Time, error)) (*phaseResult, error) {
	want := b.sites * b.alerts
	sent := make([]time.Time, b.alerts)
	got := make([][]bool, b.alerts)
	for j := range got {
		got[j] = make([]bool, b.sites)
	}
	res := &phaseResult{latencies: make([]time.Duration, 0, want)}
	var first, lastAt time.Time
	var early []workerEvent // deliveries read before their publish time was known
	record := func(ev workerEvent) {
		if ev.Alert < 0 || ev.Alert >= b.alerts || ev.Site < 0 || ev.Site >= b.sites || got[ev.Alert][ev.Site] {
			return
		}
		got[ev.Alert][ev.Site] = true
		at := time.Unix(0, ev.At)
		res.latencies = append(res.latencies, at.Sub(sent[ev.Alert]))
		if ev.Findings > 0 {
			res.findings++
		}
		if at.After(lastAt) {
			lastAt = at
		}
	}
	handle := func(ev workerEvent) error {
		switch {
		case ev.Kind == "got" && ev.Phase == phase:
			if ev.Alert >= 0 && ev.Alert < b.alerts && sent[ev.Alert].IsZero() {
				early = append(early, ev)
				return nil
			}
			record(ev)
		case ev.Kind == "rejected":
			res.rejected++
		case ev.Kind == "warn":
			b.warn(ev)
		case ev.Kind == "error" || ev.Kind == "exit":
			return fmt.Errorf("bench: worker %d during %s: %s", ev.worker, phase, ev.Msg)
		}
		return nil
	}
	next := time.NewTimer(0)
	defer next.Stop()
	var deadline <-chan time.Time
	for j := 0; len(res.latencies) < want; {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-next.C:
			t0, err := publish(j)
			if err != nil {
				return nil, fmt.Errorf("bench: %s: publish %d: %w", phase, j, err)
			}
			sent[j] = t0
			if j == 0 {
				first = t0
			}
			for _, ev := range early {
				record(ev)
			}
			early = early[:0]
			if j++; j < b.alerts {
				next.Reset(b.interval)
			} else {
				deadline = time.After(b.timeout)
			}
		case ev := <-events:
			if err := handle(ev); err != nil {
				return nil, err
			}
		case <-deadline:
			return nil, fmt.Errorf("bench: %s: %d of %d deliveries missing %s after the last publication%s",
				phase, want-len(res.latencies), want, b.timeout, missingByAlert(got))
		}
	}
	res.wall = lastAt.Sub(first)
	return res, nil
}

func missingByAlert(got [][]bool) string {
	var parts []string
	for j, sites := range got {
		if n := len(sites) - countTrue(sites); n > 0 {
			parts = append(parts, fmt.Sprintf("alert %d: %d sites", j, n))
		}
	}
	if len(parts) > 5 {
		parts = append(parts[:5], "…")
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// benchMemory reads each worker's resident memory.
func benchMemory(workers []*benchWorker) ([]procMemory, error) {
	out := make([]procMemory, len(workers))
	for i, w := range workers {
		m, err := w.memory()
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

func (b *alertsBench) print(w io.Writer, wardRes, rawRes *phaseResult, connectWard, connectRaw time.Duration, parent procMemory, workers []procMemory) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "path\tdeliveries\tp50\tp99\tmax\talerts/s\t\n")
	rows := []struct {
		name string
		r    *phaseResult
	}{{"ward: publish → verified+matched+stored", wardRes}, {"raw NATS fan-out", rawRes}}
	for _, row := range rows {
		l := row.r.latencies
		slices.Sort(l)
		rate := float64(len(l)) / max(row.r.wall.Seconds(), 1e-9)
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%.0f\t\n", row.name, len(l), ms(quantile(l, 0.50)), ms(quantile(l, 0.99)), ms(quantile(l, 1)), rate)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	wp99, rp99 := quantile(wardRes.latencies, 0.99), quantile(rawRes.latencies, 0.99)
	ratio := float64(wp99) / max(float64(rp99), 1)
	fmt.Fprintf(w, "%d deliveries (%d sites × %d alerts, every %s: %.0f deliveries/s offered); ratio ward p99 / raw p99: %.1f\n",
		len(wardRes.latencies), b.sites, b.alerts, b.interval, float64(b.sites)/b.interval.Seconds(), ratio)
	fmt.Fprintf(w, "%d distinct inventories of %d assets shared round-robin; %d deliveries found the site affected, %d rejected\n",
		benchInventories, b.assets, wardRes.findings, wardRes.rejected)
	for _, row := range rows {
		n := time.Duration(max(len(row.r.latencies), 1))
		fmt.Fprintf(w, "CPU per delivery, %s: hub and NATS server %s, sites %s\n", row.name,
			(row.r.cpu.hub / n).Round(time.Microsecond), (row.r.cpu.sites / n).Round(time.Microsecond))
	}
	fmt.Fprintf(w, "setup: %d sites connected in %s over %d processes (raw: %d new plain connections in %s)\n",
		b.sites, connectWard.Round(time.Millisecond), b.procs, b.sites, connectRaw.Round(time.Millisecond))
	var ws []string
	for _, m := range workers {
		ws = append(ws, strconv.FormatInt(m.Peak>>20, 10))
	}
	fmt.Fprintf(w, "resident memory, peak: parent (hub and NATS server) %d MB; workers %s MB\n", parent.Peak>>20, strings.Join(ws, ", "))
	for _, msg := range slices.Sorted(maps.Keys(b.warnings)) {
		fmt.Fprintf(w, "site warnings: %q ×%d, first: %s\n", msg, b.warnings[msg].n, b.warnings[msg].first)
	}
	if wardRes.rejected > 0 {
		return fmt.Errorf("bench: %d deliveries rejected", wardRes.rejected)
	}
	return nil
}

func quantile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// runAlertsWorker is "ward bench alerts-worker --config FILE": it connects
// the sites of FILE, verifies, matches and stores what they receive, and
// writes events to stdout. A line "raw" on stdin switches to the raw
// fan-out; the end of stdin stops it.
func runAlertsWorker(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench alerts-worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("config", "", "the worker's configuration `FILE`, written by ward bench alerts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return fmt.Errorf("bench worker: %w", err)
	}
	os.Remove(*file) // it holds the sites' seeds
	var cfg workerConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return fmt.Errorf("bench worker: %s: %w", *file, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmds := make(chan string)
	go func() { // the parent's commands; their end is the parent's end
		defer func() {
			cancel()
			// Sites still connecting or closing wait for a server that may
			// be gone (10 s per request): the operating system closes their
			// sockets just as well.
			time.AfterFunc(workerGrace, func() { os.Exit(exitError) })
		}()
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case cmds <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	out := newEventWriter(stdout)
	defer out.close()
	w := &alertsWorker{cfg: cfg, out: out, keys: alert.NewKeyring(cfg.AlertKey), log: slog.New(warnEvents{out})}
	if err := w.run(ctx, cmds); err != nil && ctx.Err() == nil {
		out.emit(workerEvent{Kind: "error", Msg: err.Error()})
		return err
	}
	return nil
}

// alertsWorker holds one worker's sites.
type alertsWorker struct {
	cfg  workerConfig
	out  *eventWriter
	keys *alert.Keyring
	log  *slog.Logger
	invs []benchFindings
}

// benchFindings is one simulated inventory's findings, by CVE and by
// advisory: what a site's store holds once the engine matched its
// inventory, and what a site looks an alert's references up in.
type benchFindings map[string][]int32 // CVE or advisory ID -> finding numbers

// newBenchFindings matches assets against every advisory once.
func newBenchFindings(m *match.Matcher, assets []inventory.Asset) benchFindings {
	out := benchFindings{}
	for i, f := range m.Match(assets) {
		out[f.AdvisoryID] = append(out[f.AdvisoryID], int32(i))
		if f.VulnID != "" {
			out[f.VulnID] = append(out[f.VulnID], int32(i))
		}
	}
	return out
}

func (w *alertsWorker) run(ctx context.Context, cmds <-chan string) error {
	set, err := advisory.Load(ctx, w.cfg.Advisories, advisory.Options{})
	if err != nil {
		return err
	}
	pool := synth.NewPool(set.Advisories)
	m := match.NewMatcher(match.NewNames(), set.Advisories)
	for k := range max(w.cfg.Inventories, 1) {
		w.invs = append(w.invs, newBenchFindings(m, pool.Generate(w.cfg.Assets, uint64(k+1), fmt.Sprintf("inv%d-", k))))
	}
	sites, err := w.connectSites(ctx)
	defer func() {
		closeAll(sites)
	}()
	if err != nil {
		return err
	}
	w.out.emit(workerEvent{Kind: "ready", Phase: "ward"})
	select {
	case <-ctx.Done():
		return nil
	case <-cmds:
	}
	closeAll(sites)
	sites = nil
	raw, err := w.connectRaw(ctx)
	defer func() {
		for _, nc := range raw {
			nc.Close()
		}
	}()
	if err != nil {
		return err
	}
	w.out.emit(workerEvent{Kind: "ready", Phase: "raw"})
	<-ctx.Done()
	return nil
}

func closeAll(sites []*alertnet.Site) {
	var wg sync.WaitGroup
	for _, s := range sites {
		if s != nil {
			wg.Go(func() { s.Close() })
		}
	}
	wg.Wait()
}

// forEachSite runs fn for every site, benchConnectPar at a time, and
// returns the first error.
func (w *alertsWorker) forEachSite(ctx context.Context, fn func(i int, s workerSite) error) error {
	sem := make(chan struct{}, benchConnectPar)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for i, s := range w.cfg.Sites {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		mu.Lock()
		stop := first != nil || ctx.Err() != nil
		mu.Unlock()
		if stop {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(i, s); err != nil {
				mu.Lock()
				first = cmpOr(first, err)
				mu.Unlock()
				return
			}
			w.out.emit(workerEvent{Kind: "connected"})
		})
	}
	wg.Wait()
	return cmpOr(first, ctx.Err())
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (w *alertsWorker) connectSites(ctx context.Context) ([]*alertnet.Site, error) {
	sites := make([]*alertnet.Site, len(w.cfg.Sites))
	err := w.forEachSite(ctx, func(i int, s workerSite) error {
		r := &benchReceiver{w: w, site: s.Index, findings: w.invs[s.Index%len(w.invs)], stored: map[string]int{}}
		conn, err := alertnet.ConnectSite(ctx, alertnet.SiteConfig{URL: w.cfg.URL, OrgID: s.OrgID, Seed: []byte(s.Seed), Sink: r.deliver, Logger: w.log})
		sites[i] = conn
		return err
	})
	return sites, err
}

func (w *alertsWorker) connectRaw(ctx context.Context) ([]*nats.Conn, error) {
	conns := make([]*nats.Conn, len(w.cfg.Sites))
	err := w.forEachSite(ctx, func(i int, s workerSite) error {
		kp, err := nkeys.FromSeed([]byte(s.Seed))
		if err != nil {
			return err
		}
		pub, err := kp.PublicKey()
		if err != nil {
			return err
		}
		nc, err := nats.Connect(w.cfg.URL, nats.Name("ward-bench-raw-"+s.OrgID), nats.Nkey(pub, kp.Sign),
			nats.CustomInboxPrefix("_INBOX_"+s.OrgID))
		if err != nil {
			return fmt.Errorf("raw %s: %w", s.OrgID, err)
		}
		conns[i] = nc
		site := s.Index
		if _, err := nc.Subscribe(benchRawSubject, func(m *nats.Msg) {
			at := time.Now().UnixNano()
			j, err := strconv.Atoi(m.Header.Get(benchRawHeader))
			if err != nil {
				return
			}
			w.out.emit(workerEvent{Kind: "got", Phase: "raw", Site: site, Alert: j, At: at})
		}); err != nil {
			return fmt.Errorf("raw %s: %w", s.OrgID, err)
		}
		return nc.FlushTimeout(10 * time.Second)
	})
	return conns, err
}

// benchReceiver is one site's Sink: it verifies, matches and stores, as a
// site does ([ews.Site] looks the alert's CVEs and advisories up in the
// findings its engine stored), but in memory.
type benchReceiver struct {
	w        *alertsWorker
	site     int
	findings benchFindings
	stored   map[string]int // alert id -> findings; the Sink is called from one goroutine at a time
}

func (r *benchReceiver) deliver(_ context.Context, d alertnet.Delivery) error {
	var env alert.Envelope
	a, err := openBenchEnvelope(r.w.keys, d.Data, &env)
	if err != nil {
		r.w.out.emit(workerEvent{Kind: "rejected", Site: r.site, Msg: err.Error()})
		return nil // dropped, as a site drops a forged alert
	}
	if _, dup := r.stored[a.ID]; dup {
		return nil
	}
	var hit []int32
	for _, ref := range slices.Concat(a.CVEs, a.Advisories) {
		hit = append(hit, r.findings[ref]...)
	}
	slices.Sort(hit)
	findings := len(slices.Compact(hit))
	r.stored[a.ID] = findings
	r.w.out.emit(workerEvent{Kind: "got", Phase: "ward", Site: r.site, Alert: int(a.Sequence) - 1, At: time.Now().UnixNano(), Findings: findings})
	return nil
}

// openBenchEnvelope decodes an envelope strictly and verifies it.
func openBenchEnvelope(keys *alert.Keyring, data []byte, env *alert.Envelope) (*alert.Alert, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(env); err != nil {
		return nil, fmt.Errorf("%w: envelope: %v", alert.ErrSignature, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the envelope", alert.ErrSignature)
	}
	return keys.Open(env)
}

// warnEvents hands the sites' warnings to the parent, which counts them:
// at thousands of sites, printing each would drown the output.
type warnEvents struct{ out *eventWriter }

func (h warnEvents) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h warnEvents) Handle(_ context.Context, r slog.Record) error {
	ev := workerEvent{Kind: "warn", Msg: r.Message}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			ev.Err = a.Value.String()
		}
		return true
	})
	h.out.emit(ev)
	return nil
}

func (h warnEvents) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h warnEvents) WithGroup(string) slog.Handler      { return h }

// eventWriter writes a worker's events as JSON lines, buffered and
// flushed every few milliseconds (the events carry their own times).
type eventWriter struct {
	mu   sync.Mutex
	bw   *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newEventWriter(w io.Writer) *eventWriter {
	e := &eventWriter{bw: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-e.stop:
				return
			case <-t.C:
				e.mu.Lock()
				e.bw.Flush() //nolint:errcheck // the parent is gone: stdin ends too
				e.mu.Unlock()
			}
		}
	}()
	return e
}

func (e *eventWriter) emit(ev workerEvent) {
	line, err := json.Marshal(ev)
	if err != nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.bw.Write(line) //nolint:errcheck // see flush
	e.bw.WriteByte('\n')
}

func (e *eventWriter) close() {
	close(e.stop)
	<-e.done
	e.mu.Lock()
	defer e.mu.Unlock()
	e.bw.Flush() //nolint:errcheck // see flush
}
