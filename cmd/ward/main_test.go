package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Golden files in testdata/ are rewritten with UPDATE_GOLDEN=1 go test ./cmd/ward.

const regression = "../../internal/scan/testdata/regression/"

func scanArgs(extra ...string) []string {
	return append([]string{"scan",
		"--inventory", regression + "inventory.csv",
		"--advisories", regression + "advisories",
		"--kev", regression + "kev.json",
		"--epss", regression + "epss.csv",
		"--now", "2026-11-23T08:00:00Z",
		"--quiet",
	}, extra...)
}

func runWard(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(t.Context(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

func TestScan_Formats(t *testing.T) {
	for _, f := range []string{"table", "json", "csv", "sarif", "html"} {
		t.Run(f, func(t *testing.T) {
			out, stderr, err := runWard(t, scanArgs("--format", f)...)
			if err != nil {
				t.Fatalf("run() = %v; stderr:\n%s", err, stderr)
			}
			ext := map[string]string{"table": "txt"}[f]
			if ext == "" {
				ext = f
			}
			golden(t, "scan."+ext, out)
		})
	}
}

// TestScan_JSONContract checks the fields the issue names.
func TestScan_JSONContract(t *testing.T) {
	out, _, err := runWard(t, scanArgs("--format", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Summary  map[string]any   `json:"summary"`
		Findings []map[string]any `json:"findings"`
		Errors   []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Errors == nil || rep.Summary == nil || len(rep.Findings) == 0 {
		t.Fatalf("report lacks summary, findings or errors: %s", out[:200])
	}
	for _, k := range []string{"asset_id", "advisory_id", "cve_id", "status", "confidence", "evidence", "decision", "due", "action"} {
		if _, ok := rep.Findings[0][k]; !ok {
			t.Errorf("finding lacks %q", k)
		}
	}
	for _, f := range rep.Findings {
		if s := f["status"]; s != "known_affected" && s != "under_investigation" {
			t.Errorf("without --all, status %v must not be listed", s)
		}
	}
}

func TestScan_All(t *testing.T) {
	// cri-o 1.28.3 is the fixed version in GO-2024-2458; 1.28.1 is affected.
	inv := filepath.Join(t.TempDir(), "k8s.csv")
	os.WriteFile(inv, []byte("id,name,purl\nk1,node 1,pkg:golang/github.com/cri-o/cri-o@v1.28.3\nk2,node 2,pkg:golang/github.com/cri-o/cri-o@v1.28.1\n"), 0o644)
	osv := "../../internal/advisory/testdata/osv/GO-2024-2458.json"
	without, _, err := runWard(t, "scan", "--quiet", "--format", "csv", "--inventory", inv, "--advisories", osv)
	if err != nil {
		t.Fatal(err)
	}
	with, _, err := runWard(t, "scan", "--quiet", "--format", "csv", "--all", "--inventory", inv, "--advisories", osv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(without, "k1,") || !strings.Contains(without, "k2,") {
		t.Errorf("without --all: want only the affected k2:\n%s", without)
	}
	if !strings.Contains(with, "k1,") || !strings.Contains(with, "k2,") {
		t.Errorf("with --all: want k1 (fixed or not affected) and k2:\n%s", with)
	}
}

func TestScan_FailOn(t *testing.T) {
	_, _, err := runWard(t, scanArgs("--format", "json", "--fail-on", "act")...)
	if !errors.Is(err, errFindings) {
		t.Errorf("--fail-on act: err = %v, want errFindings", err)
	}
	if code := exitCode(err, &bytes.Buffer{}); code != exitFindings {
		t.Errorf("exit code = %d, want %d", code, exitFindings)
	}
}

func TestScan_OutFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.html")
	stdout, _, err := runWard(t, scanArgs("--format", "html", "--out", out)...)
	if err != nil {
		t.Fatal(err)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing with --out", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("report file: %v, has chart: %v", err, bytes.Contains(b, []byte("<svg")))
	}
}

func TestScan_BadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("id,vendor,product,exposure\na1,Philips,IntelliVue MX40,internal\na2,Philips,IntelliVue MX40,wifi\n"), 0o644)
	broken := filepath.Join(dir, "advisories")
	os.MkdirAll(broken, 0o755)
	os.WriteFile(filepath.Join(broken, "broken.json"), []byte(`{"document": {"csaf_version": "2.0"`), 0o644)
	os.WriteFile(filepath.Join(broken, "unknown.json"), []byte(`{"hello": "world"}`), 0o644)

	t.Run("bad inventory row names file, line and column", func(t *testing.T) {
		stdout, _, err := runWard(t, "scan", "--quiet", "--inventory", bad, "--advisories", regression+"advisories")
		if err == nil || !strings.Contains(err.Error(), "bad.csv:3") || !strings.Contains(err.Error(), "exposure") {
			t.Errorf("err = %v, want bad.csv:3 and the column", err)
		}
		if stdout != "" {
			t.Errorf("a failed import printed a report: %q", stdout)
		}
	})
	t.Run("broken advisories are reported and the scan goes on", func(t *testing.T) {
		out, stderr, err := runWard(t, "scan", "--quiet", "--format", "json",
			"--inventory", regression+"inventory.csv", "--advisories", broken, "--advisories", regression+"advisories/csaf")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"broken.json", "unknown.json"} {
			if !strings.Contains(stderr, want) || !strings.Contains(out, want) {
				t.Errorf("%s not reported on stderr and in errors", want)
			}
		}
		if !strings.Contains(out, `"ICSMA-17-255-01"`) {
			t.Errorf("scan did not go on with the good advisories")
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{{"scan"}, {"scan", "--format", "pdf", "--inventory", bad, "--advisories", broken}, {"frobnicate"}, {}} {
			_, _, err := runWard(t, args...)
			if !errors.Is(err, errUsage) {
				t.Errorf("run(%q) = %v, want a usage error", args, err)
			}
		}
	})
}

func TestGenInventory(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gen.csv")
	_, stderr, err := runWard(t, "gen", "inventory", "--assets", "200", "--advisories", regression+"advisories/csaf", "--out", out)
	if err != nil {
		t.Fatalf("gen: %v\n%s", err, stderr)
	}
	again := filepath.Join(t.TempDir(), "gen2.csv")
	runWard(t, "gen", "inventory", "--assets", "200", "--advisories", regression+"advisories/csaf", "--out", again)
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Errorf("the same seed made two different inventories")
	}
	if n := bytes.Count(a, []byte("\n")); n != 201 {
		t.Errorf("gen wrote %d lines, want 201", n)
	}
	// The generated inventory scans, and finds something.
	js, _, err := runWard(t, "scan", "--quiet", "--format", "json", "--inventory", out, "--advisories", regression+"advisories/csaf")
	if err != nil || !strings.Contains(js, `"known_affected"`) {
		t.Errorf("scan of a generated inventory: %v, findings: %v", err, strings.Contains(js, `"known_affected"`))
	}
}

// TestAdmin runs the operator commands against a SQLite store in a temp dir.
func TestAdmin(t *testing.T) {
	data := t.TempDir()
	org, stderr, err := runWard(t, "org", "add", "--data", data, "--name", "Praxis Dr. Weber", "--kind", "practice", "--country", "de")
	if err != nil {
		t.Fatalf("org add: %v\n%s", err, stderr)
	}
	org = strings.TrimSpace(org)
	out, _, err := runWard(t, "org", "list", "--data", data, "--format", "json")
	if err != nil || !strings.Contains(out, `"name": "Praxis Dr. Weber"`) || !strings.Contains(out, `"country": "DE"`) {
		t.Errorf("org list = %s, %v", out, err)
	}
	uid, stderr, err := runWard(t, "user", "add", "--data", data, "--email", "anna@example.org", "--name", "Anna Weber", "--org", org, "--role", "admin")
	if err != nil || strings.TrimSpace(uid) == "" || !strings.Contains(stderr, "password for anna@example.org") {
		t.Errorf("user add = %q, %q, %v", uid, stderr, err)
	}
	tok, _, err := runWard(t, "token", "create", "--data", data, "--org", org, "--role", "responder")
	if err != nil || !strings.HasPrefix(tok, "ward_") || strings.Count(tok, "\n") != 1 {
		t.Errorf("token create = %q, %v; want only the token", tok, err)
	}
	for name, args := range map[string][]string{
		"bad kind":       {"org", "add", "--data", data, "--name", "X", "--kind", "clinic", "--country", "DE"},
		"duplicate user": {"user", "add", "--data", data, "--email", "ANNA@example.org"},
		"unknown org":    {"token", "create", "--data", data, "--org", "nope", "--role", "viewer"},
		"bad role":       {"token", "create", "--data", data, "--org", org, "--role", "root"},
		"no subcommand":  {"org"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := runWard(t, args...); !errors.Is(err, errUsage) {
				t.Errorf("run(%v) = %v, want a usage error", args, err)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServe_Demo starts `ward serve --demo` on a free port with a fresh data
// folder, signs in as the practice owner with the printed password and finds
// the router on Today; then stops it and starts it again on the same data.
func TestServe_Demo(t *testing.T) {
	data := t.TempDir()
	for round := range 2 {
		ctx, cancel := context.WithCancel(t.Context())
		var out syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--demo", "--data", data, "--addr", "127.0.0.1:0"}, strings.NewReader(""), &out, io.Discard)
		}()
		var base, password string
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			s := out.String()
			if m := regexp.MustCompile(`running at (http://\S+)`).FindStringSubmatch(s); m != nil {
				base = m[1]
			}
			if m := regexp.MustCompile(`anna\.weber@praxis-weber\.example\s+password (\S+)`).FindStringSubmatch(s); m != nil {
				password = m[1]
			}
			if base != "" && password != "" {
				break
			}
		}
		if base == "" || password == "" {
			cancel()
			t.Fatalf("round %d: serve printed no URL and login:\n%s", round, out.String())
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		resp, err := c.Get(base + "/login")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF token on the login page")
		}
		resp, err = c.PostForm(base+"/login", url.Values{"email": {"anna.weber@praxis-weber.example"}, "password": {password}, "csrf": {string(m[1])}})
		if err != nil {
			t.Fatal(err)
		}
		today, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(today, []byte("What to do today")) || !bytes.Contains(today, []byte("Internet router")) {
			t.Errorf("round %d: Today after sign-in: %d\n%.2000s", round, resp.StatusCode, today)
		}
		// The demo's sites hear the demo's hub, after a restart too.
		title := fmt.Sprintf("Demo alert of start %d", round+1)
		file := filepath.Join(t.TempDir(), "alert.json")
		if err := os.WriteFile(file, fmt.Appendf(nil, `{"title": %q, "summary": "A test.", "actions": "None.", "severity": "low", "tlp": "CLEAR"}`, title), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := run(ctx, []string{"alert", "publish", "--data", data, "--file", file}, nil, io.Discard, io.Discard); err != nil {
			t.Fatalf("round %d: ward alert publish: %v", round, err)
		}
		var alerts []byte
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !bytes.Contains(alerts, []byte(title)); time.Sleep(200 * time.Millisecond) {
			if resp, err := c.Get(base + "/alerts"); err == nil {
				alerts, _ = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
		}
		if !bytes.Contains(alerts, []byte(title)) {
			t.Errorf("round %d: the practice's Alerts page lacks %q after 30 s:\n%.2000s", round, title, alerts)
		}
		// The demo's own alert, published once, reached all three sites
		// and they reported; each start's test alert came on top.
		list := func() alertList {
			var listed bytes.Buffer
			if err := run(ctx, []string{"alert", "list", "--data", data, "--format", "json"}, nil, &listed, io.Discard); err != nil {
				t.Fatalf("round %d: ward alert list: %v", round, err)
			}
			var l alertList
			if err := json.Unmarshal(listed.Bytes(), &l); err != nil {
				t.Fatal(err)
			}
			return l
		}
		demoAlerts := func(l alertList) (out []publishedAlert) {
			for _, a := range l.Published {
				if strings.HasPrefix(a.Title, "Exploited now:") {
					out = append(out, a)
				}
			}
			return out
		}
		l := list()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if d := demoAlerts(l); len(d) == 1 && d[0].Reports == 3 {
				break
			}
			l = list()
		}
		if d := demoAlerts(l); len(d) != 1 || d[0].Reports != 3 || d[0].Affected == 0 || len(l.Published) != round+2 {
			t.Errorf("round %d: the hub published %d alerts, the demo's %+v; want %d, and the demo's once with 3 reports, some affected",
				round, len(l.Published), d, round+2)
		}
		var sites bytes.Buffer
		if err := run(ctx, []string{"site", "list", "--data", data}, nil, &sites, io.Discard); err != nil {
			t.Fatalf("round %d: ward site list: %v", round, err)
		}
		if n := strings.Count(sites.String(), "+49 30 23125 10"); n != 3 {
			t.Errorf("round %d: ward site list shows %d demo phone numbers, want 3:\n%s", round, n, sites.String())
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("round %d: serve returned %v", round, err)
		}
	}
}
