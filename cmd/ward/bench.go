package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/synth"
)

// runBench runs "ward bench serve": it fills a store with a large
// organisation, starts the real "ward serve" on it as a child process and
// lets many signed-in users load its pages at once, then reports latency
// percentiles per page and the server's memory.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && strings.HasPrefix(args[0], "alerts") {
		return runBenchAlerts(ctx, args, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "serve" {
		return fmt.Errorf("%w: bench wants a target: ward bench serve", errUsage)
	}
	fs := flag.NewFlagSet("bench serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf storeFlags
	sf.register(fs)
	fs.Lookup("data").DefValue, sf.data = "", "" // a temporary folder unless given
	mirror := mirrorFlag(fs)
	var adv multiFlag
	fs.Var(&adv, "advisories", "advisory folder `DIR`: a folder feed, and the products the assets are drawn from (repeatable)")
	var facts benchFacts
	fs.StringVar(&facts.kev, "kev", "", "CISA KEV `FILE`, synced as a KEV feed")
	fs.StringVar(&facts.epss, "epss", "", "FIRST EPSS `FILE`, synced as an EPSS feed")
	nAssets := fs.Int("assets", 100_000, "assets of the benchmark organisation")
	products := fs.Int("products", 500, "distinct products the assets are drawn from")
	nUsers := fs.Int("users", 50, "concurrent signed-in users")
	duration := fs.Duration("duration", 30*time.Second, "how long the users load pages")
	think := fs.Duration("think", time.Second, "mean pause of a user between pages (0: load as fast as answers come)")
	syncOne := fs.String("sync-one", "", "after the load, add a feed holding this one advisory `FILE` and time its sync in the running server, re-match included")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if len(adv) == 0 || *nAssets <= 0 || *nUsers <= 0 || *duration <= 0 {
		fs.Usage()
		return fmt.Errorf("%w: bench serve needs --advisories, and --assets, --users, --duration above 0", errUsage)
	}
	if sf.data == "" { // the SQLite file, or with --db the mirror, goes here
		dir, err := os.MkdirTemp("", "ward-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		sf.data = dir
	}
	*mirror = mirrorDir(*mirror, &sf)
	emails, password, err := benchSetup(ctx, &sf, *mirror, adv, facts, *nAssets, *products, *nUsers, stderr)
	if err != nil {
		return err
	}
	child, base, err := startServe(ctx, &sf, *mirror, stderr)
	if err != nil {
		return err
	}
	defer child.stop()

	fmt.Fprintf(stderr, "ward: %d users signing in to %s\n", len(emails), base)
	users := make([]*benchUser, len(emails))
	for i, e := range emails {
		if users[i], err = signIn(ctx, base, e, password); err != nil {
			return fmt.Errorf("bench: sign in %s: %w", e, err)
		}
	}
	fmt.Fprintf(stderr, "ward: loading pages for %s\n", *duration)
	res := loadPages(ctx, base, users, *duration, *think)
	mem, err := child.memory()
	if err != nil {
		return err
	}
	if err := printBench(stdout, res, *duration, *think, len(users), mem); err != nil {
		return err
	}
	if *syncOne == "" {
		return nil
	}
	took, err := timeSyncOne(ctx, &sf, base, *syncOne)
	if err != nil {
		return err
	}
	if mem, err = child.memory(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "a feed sync adding %s, re-match included, took %s end to end; ward serve resident memory: peak %d MB, now %d MB\n",
		filepath.Base(*syncOne), took.Round(time.Millisecond), mem.Peak>>20, mem.Now>>20)
	return nil
}

// timeSyncOne adds a folder feed holding the one advisory file, has the
// running server sync it (through the API, as an admin would) and returns
// how long it took until the server reported it done.
func timeSyncOne(ctx context.Context, sf *storeFlags, base, file string) (time.Duration, error) {
	dir, err := os.MkdirTemp(sf.data, "bench-one-")
	if err != nil {
		return 0, err
	}
	if err := copyInto(dir, file); err != nil {
		return 0, err
	}
	s, err := sf.open(ctx)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	org, err := findOrg(ctx, s, benchOrg)
	if err != nil || org == "" {
		return 0, fmt.Errorf("bench: sync-one: no benchmark organisation (%v)", err)
	}
	f, err := s.AddFeed(ctx, store.Feed{Name: "bench one " + filepath.Base(dir), Kind: store.FeedFolder, Path: dir, Interval: 24 * time.Hour, Enabled: true})
	if err != nil {
		return 0, err
	}
	_, tok, err := s.CreateToken(ctx, org, "bench", store.RoleAdmin)
	if err != nil {
		return 0, err
	}
	call := func(method, path string, v any) error {
		req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if res.StatusCode >= 300 {
			b, _ := io.ReadAll(res.Body)
			return fmt.Errorf("%s %s = %d %s", method, path, res.StatusCode, b)
		}
		if v == nil {
			return nil
		}
		return json.NewDecoder(res.Body).Decode(v)
	}
	start := time.Now()
	if err := call(http.MethodPost, "/api/v1/feeds/"+f.ID+"/sync", nil); err != nil {
		return 0, err
	}
	for {
		var list struct {
			Items []struct {
				ID          string     `json:"id"`
				Running     bool       `json:"running"`
				LastSuccess *time.Time `json:"last_success"`
				LastError   string     `json:"last_error"`
			} `json:"items"`
		}
		if err := call(http.MethodGet, "/api/v1/feeds", &list); err != nil {
			return 0, err
		}
		for _, it := range list.Items {
			if it.ID != f.ID || it.Running {
				continue
			}
			if it.LastError != "" {
				return 0, fmt.Errorf("bench: sync-one failed: %s", it.LastError)
			}
			if it.LastSuccess != nil {
				return time.Since(start), nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// benchFacts are the optional KEV and EPSS files.
type benchFacts struct{ kev, epss string }

// benchSetup stores one hospital with n synthetic assets drawn from the
// advisories, syncs the advisories, KEV and EPSS as feeds into the mirror
// (which matches the hospital against them, as in production) and adds
// users who share one password. It returns their emails and the password.
// A store that holds the hospital of an earlier run is reused as it is.
func benchSetup(ctx context.Context, sf *storeFlags, mirror string, paths []string, facts benchFacts, n, products, users int, stderr io.Writer) ([]string, string, error) {
	s, err := sf.open(ctx)
	if err != nil {
		return nil, "", err
	}
	defer s.Close()
	password := rand.Text()
	hash, err := store.HashPassword(password)
	if err != nil {
		return nil, "", err
	}
	if emails, err := reuseBench(ctx, s, hash); err != nil || emails != nil {
		if emails != nil {
			fmt.Fprintf(stderr, "ward: reusing the benchmark organisation and its %d users in the store\n", len(emails))
		}
		return emails, password, err
	}
	start := time.Now()
	p := newProgress(stderr)
	set, err := advisory.Load(ctx, paths, advisory.Options{Progress: func(done, total int) { p.update("advisories", done, total) }})
	p.done()
	if err != nil {
		return nil, "", err
	}
	pool := synth.NewPool(set.Advisories)
	pool.Limit(products, 1)
	if pool.Len() == 0 {
		return nil, "", fmt.Errorf("bench: no named products in %v", paths)
	}
	org, err := s.CreateOrg(ctx, store.Organisation{Name: benchOrg, Kind: store.KindHospital, Country: "DE"})
	if err != nil {
		return nil, "", err
	}
	if _, err := s.ImportAssets(ctx, org.ID, pool.Generate(n, 1, "B"), store.Merge); err != nil {
		return nil, "", err
	}
	fmt.Fprintf(stderr, "ward: %d assets stored in %s\n", n, time.Since(start).Round(time.Millisecond))

	eng, err := engine.New(engine.Config{Store: s, MirrorDir: mirror, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, "", err
	}
	defer eng.Close()
	var feeds []store.Feed
	for _, dir := range paths {
		feeds = append(feeds, store.Feed{Name: "bench " + dir, Kind: store.FeedFolder, Path: dir})
	}
	for _, f := range []struct {
		kind store.FeedKind
		file string
	}{{store.FeedKEV, facts.kev}, {store.FeedEPSS, facts.epss}} {
		if f.file == "" {
			continue
		}
		// A feed with a path reads a folder: the file goes into one of its own.
		dir := filepath.Join(sf.data, "bench-"+string(f.kind))
		if err := copyInto(dir, f.file); err != nil {
			return nil, "", err
		}
		feeds = append(feeds, store.Feed{Name: "bench " + string(f.kind), Kind: f.kind, Path: dir})
	}
	for _, f := range feeds {
		f.Enabled = true
		added, err := eng.AddFeed(ctx, f)
		if err != nil {
			return nil, "", err
		}
		start := time.Now()
		rep, err := eng.SyncFeed(ctx, added.ID, nil)
		if err != nil {
			return nil, "", err
		}
		fmt.Fprintf(stderr, "ward: synced %s: %d advisories, %d new findings (%s)\n", f.Name, len(rep.Added), rep.Findings.New, time.Since(start).Round(time.Millisecond))
	}

	emails := make([]string, users)
	for i := range emails {
		emails[i] = fmt.Sprintf("bench-%d-%s@bench.example", i+1, strings.ToLower(org.ID[len(org.ID)-6:]))
		u, err := s.CreateUser(ctx, store.User{Email: emails[i], DisplayName: "Bench user " + strconv.Itoa(i+1), PasswordHash: hash})
		if err != nil {
			return nil, "", err
		}
		if _, err := s.SetMember(ctx, org.ID, u.ID, store.RoleResponder); err != nil {
			return nil, "", err
		}
	}
	return emails, password, nil
}

// copyInto copies file into dir, made if need be.
func copyInto(dir, file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, filepath.Base(file)), b, 0o600)
}

// benchOrg names the organisation the benchmark makes.
const benchOrg = "Bench University Hospital"

// reuseBench finds the benchmark organisation of an earlier run in s, gives
// its members the password of hash and returns their emails; nil when there
// is none.
func reuseBench(ctx context.Context, s store.Store, hash string) ([]string, error) {
	org, err := findOrg(ctx, s, benchOrg)
	if err != nil || org == "" {
		return nil, err
	}
	ms, err := s.ListMembers(ctx, org, store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	emails := make([]string, 0, len(ms.Items))
	for _, m := range ms.Items {
		u, err := s.UpdateUser(ctx, m.UserID, store.UserUpdate{PasswordHash: &hash})
		if err != nil {
			return nil, err
		}
		emails = append(emails, u.Email)
	}
	return emails, nil
}

// findOrg returns the id of the organisation named name, or "".
func findOrg(ctx context.Context, s store.Store, name string) (string, error) {
	for opts := (store.ListOptions{Limit: store.MaxLimit}); ; {
		p, err := s.ListOrgs(ctx, opts)
		if err != nil {
			return "", err
		}
		for _, o := range p.Items {
			if o.Name == name {
				return o.ID, nil
			}
		}
		if p.Next == "" {
			return "", nil
		}
		opts.Cursor = p.Next
	}
}

// child is a running "ward serve".
type child struct {
	cmd  *exec.Cmd
	done chan error
}

// startServe starts this binary's "ward serve" on a free local port over
// the store of sf and waits until it answers.
func startServe(ctx context.Context, sf *storeFlags, mirror string, stderr io.Writer) (*child, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := []string{"serve", "--addr", addr, "--mirror", mirror}
	if sf.db != "" {
		args = append(args, "--db", sf.db)
	} else {
		args = append(args, "--data", sf.data)
	}
	cmd := exec.Command(exe, args...)
	logs, err := os.CreateTemp("", "ward-bench-serve-*.log")
	if err != nil {
		return nil, "", err
	}
	defer logs.Close()
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	c := &child{cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	base := "http://" + addr
	deadline := time.Now().Add(2 * time.Minute)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				fmt.Fprintf(stderr, "ward: serve is up (pid %d, log %s)\n", cmd.Process.Pid, logs.Name())
				return c, base, nil
			}
		}
		select {
		case err := <-c.done:
			return nil, "", fmt.Errorf("bench: ward serve exited: %v (log %s)", err, logs.Name())
		case <-ctx.Done():
			c.stop()
			return nil, "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, "", fmt.Errorf("bench: ward serve not ready after 2 minutes (log %s)", logs.Name())
		}
	}
}

func (c *child) stop() {
	c.cmd.Process.Signal(os.Interrupt) //nolint:errcheck // it may have exited
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill() //nolint:errcheck // best effort
	}
}

// memory reads the child's peak and current resident memory, in bytes,
// from /proc (Linux).
func (c *child) memory() (procMemory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return procMemory{}, fmt.Errorf("bench: server memory: %w", err)
	}
	defer f.Close()
	var m procMemory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmHWM":
			m.Peak = kb << 10
		case "VmRSS":
			m.Now = kb << 10
		}
	}
	return m, sc.Err()
}

type procMemory struct{ Peak, Now int64 }

// benchUser is one signed-in browser.
type benchUser struct{ client *http.Client }

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs email in through the sign-in form, as a browser does.
func signIn(ctx context.Context, base, email, password string) (*benchUser, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body, code, err := fetch(ctx, c, http.MethodGet, base+"/login", nil)
	if err != nil {
		return nil, err
	}
	m := csrfField.FindSubmatch(body)
	if code != http.StatusOK || m == nil {
		return nil, fmt.Errorf("GET /login = %d, no CSRF field", code)
	}
	form := url.Values{"email": {email}, "password": {password}, "csrf": {string(m[1])}}
	if _, code, err = fetch(ctx, c, http.MethodPost, base+"/login", form); err != nil {
		return nil, err
	}
	if code != http.StatusSeeOther {
		return nil, fmt.Errorf("POST /login = %d, want 303", code)
	}
	return &benchUser{client: c}, nil
}

func fetch(ctx context.Context, c *http.Client, method, u string, form url.Values) ([]byte, int, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, 0, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return b, res.StatusCode, err
}

// benchPages are the pages each user loads in turn.
var benchPages = []struct{ name, path string }{
	{"Today", "/"},
	{"Assets", "/assets"},
	{"Assets, filtered", "/assets?q=siemens"},
	{"Findings", "/findings"},
}

type pageResult struct {
	name      string
	latencies []time.Duration
	errors    int
	firstErr  error
}

// loadPages has every user load the pages in turn for d, pausing between
// 0.5 and 1.5 times think after each.
func loadPages(ctx context.Context, base string, users []*benchUser, d, think time.Duration) []*pageResult {
	results := make([]*pageResult, len(benchPages))
	for i, p := range benchPages {
		results[i] = &pageResult{name: p.name}
	}
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() {
			for k := i; ctx.Err() == nil; k++ {
				p := benchPages[k%len(benchPages)]
				start := time.Now()
				_, code, err := fetch(ctx, u.client, http.MethodGet, base+p.path, nil)
				took := time.Since(start)
				if ctx.Err() != nil {
					return // cut off by the end, not an answer
				}
				if err == nil && code != http.StatusOK {
					err = fmt.Errorf("GET %s = %d", p.path, code)
				}
				mu.Lock()
				r := results[k%len(benchPages)]
				r.latencies = append(r.latencies, took)
				if err != nil {
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
				}
				mu.Unlock()
				if think > 0 {
					select {
					case <-ctx.Done():
					case <-time.After(think/2 + mathrand.N(think)):
					}
				}
			}
		})
	}
	wg.Wait()
	return results
}

func printBench(w io.Writer, res []*pageResult, d, think time.Duration, users int, mem procMemory) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "page\trequests\treq/s\tp50\tp95\tp99\tmax\terrors\t\n")
	var failed error
	for _, r := range res {
		slices.Sort(r.latencies)
		q := func(p float64) string {
			if len(r.latencies) == 0 {
				return "-"
			}
			return ms(r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))])
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%s\t%d\t\n", r.name, len(r.latencies),
			float64(len(r.latencies))/d.Seconds(), q(0.50), q(0.95), q(0.99), q(1), r.errors)
		if r.firstErr != nil && failed == nil {
			failed = fmt.Errorf("bench: %s: %d errors, first: %w", r.name, r.errors, r.firstErr)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d users for %s, pausing %s on average; ward serve resident memory: peak %d MB, now %d MB\n",
		users, d, think, mem.Peak>>20, mem.Now>>20)
	return failed
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}
