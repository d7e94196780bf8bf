package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/feed/feedtest"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/synth"
	"github.com/ward-health/ward/internal/testenv"
)

// buildWard builds the ward binary for tests that run it as a process.
func buildWard(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ward")
	out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// crashSite is a data folder with one organisation, its assets and a feed.
type crashSite struct {
	data, feed string
}

func newCrashSite(t *testing.T, bin string, env []string, p *feedtest.Provider, set *advisory.Set) crashSite {
	t.Helper()
	ctx := t.Context()
	data := t.TempDir()
	s, err := sqlite.Open(ctx, filepath.Join(data, "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	org, err := s.CreateOrg(ctx, store.Organisation{Name: "Klinikum", Kind: store.KindHospital, Country: "DE"})
	if err == nil {
		_, err = s.ImportAssets(ctx, org.ID, synth.NewPool(set.Advisories).Generate(2000, 3, "a"), store.Merge)
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(data, "provider.asc")
	if err := os.WriteFile(key, []byte(p.Key()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := execWard(t, bin, env, "feed", "add", "--data", data, "--name", "CISA (test)", "--kind", "csaf", "--url", p.MetadataURL(), "--key", key)
	return crashSite{data: data, feed: strings.TrimSpace(out)}
}

func execWard(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ward %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// siteState is what must not differ between a clean and a crashed run.
type siteState struct {
	Advisories []string
	Findings   []string // key and state
	Feed       store.FeedCounts
}

func readSite(t *testing.T, site crashSite) siteState {
	t.Helper()
	ctx := t.Context()
	var st siteState
	set, err := advisory.Load(ctx, []string{filepath.Join(site.data, "mirror", site.feed)}, advisory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range set.Advisories {
		st.Advisories = append(st.Advisories, a.ID+" "+a.Updated.String())
	}
	s, err := sqlite.Open(ctx, filepath.Join(site.data, "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	orgs, err := s.ListOrgs(ctx, store.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		p, err := s.ListFindings(ctx, orgs.Items[0].ID, store.FindingFilter{}, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range p.Items {
			st.Findings = append(st.Findings, strings.Join([]string{f.Key.AssetID, f.Key.AdvisoryID, f.Key.VulnID, f.Key.Component, string(f.State), string(f.Item.Decision)}, "|"))
		}
		if p.Next == "" {
			break
		}
		opts.Cursor = p.Next
	}
	slices.Sort(st.Findings)
	f, err := s.Feed(ctx, site.feed)
	if err != nil {
		t.Fatal(err)
	}
	st.Feed = store.FeedCounts{Advisories: f.Counts.Advisories, Failed: f.Counts.Failed}
	return st
}

// TestFeedSync_KilledMidSync runs the real binary's feed sync, kills it
// (SIGKILL) half-way, runs it again, and checks that the mirror and the
// findings are those of a run that was never interrupted.
func TestFeedSync_KilledMidSync(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the ward binary")
	}
	set, err := advisory.Load(t.Context(), []string{testenv.SharedData(t, "csaf", "cisa-icsma")}, advisory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := feedtest.NewProvider(t, testenv.SharedData(t, "csaf", "cisa-icsma"))
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(certFile, p.CertificatePEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "SSL_CERT_FILE="+certFile)
	bin := buildWard(t)

	clean := newCrashSite(t, bin, env, p, set)
	execWard(t, bin, env, "feed", "sync", "--data", clean.data)
	want := readSite(t, clean)
	if len(want.Advisories) < 100 || len(want.Findings) == 0 {
		t.Fatalf("clean run: %d advisories, %d findings; want >= 100 and some", len(want.Advisories), len(want.Findings))
	}

	crashed := newCrashSite(t, bin, env, p, set)
	p.SetDelay(20 * time.Millisecond)
	p.ResetHits()
	cmd := exec.CommandContext(t.Context(), bin, "feed", "sync", "--data", crashed.data)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for p.DocumentHits() < len(want.Advisories)/3 {
		if time.Now().After(deadline) {
			t.Fatal("the sync fetches no documents")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if n := p.DocumentHits(); n >= len(want.Advisories) {
		t.Fatalf("killed after %d of %d documents: not mid-sync", n, len(want.Advisories))
	}
	p.SetDelay(0)
	execWard(t, bin, env, "feed", "sync", "--data", crashed.data)
	if d := cmp.Diff(want, readSite(t, crashed)); d != "" {
		t.Errorf("after a kill and a rerun, the site differs from a clean run (-clean +crashed):\n%s", d)
	}
	// A further sync finds nothing to do and changes nothing.
	out := execWard(t, bin, env, "feed", "sync", "--data", crashed.data)
	if !strings.Contains(out, "0 advisories added, 0 changed, 0 removed") {
		t.Errorf("third sync = %q, want nothing added, changed or removed", out)
	}
	if d := cmp.Diff(want, readSite(t, crashed)); d != "" {
		t.Errorf("a sync with nothing new changed the site (-clean +after):\n%s", d)
	}
	// The list shows the feed's counts.
	list := execWard(t, bin, env, "feed", "list", "--data", crashed.data, "--format", "json")
	if !strings.Contains(list, `"name": "CISA (test)"`) || !strings.Contains(list, `"last_success"`) {
		t.Errorf("feed list --format json = %s", list)
	}
}

func TestFeed_Commands(t *testing.T) {
	data := t.TempDir()
	folder := t.TempDir()
	if err := os.WriteFile(filepath.Join(folder, "kev.json"), []byte(`{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"1","dateReleased":"2026-01-01T00:00:00.000Z","count":1,"vulnerabilities":[{"cveID":"CVE-2026-0001","vendorProject":"Acme","product":"Widget","vulnerabilityName":"x","dateAdded":"2026-01-01","shortDescription":"x","requiredAction":"x","dueDate":"2026-01-22","knownRansomwareCampaignUse":"Unknown","notes":"","cwes":[]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	id, stderr, err := runWard(t, "feed", "add", "--data", data, "--name", "KEV stick", "--kind", "kev", "--path", folder, "--interval", "1h")
	if err != nil {
		t.Fatalf("feed add = %v\n%s", err, stderr)
	}
	id = strings.TrimSpace(id)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"unknown kind", []string{"feed", "add", "--data", data, "--name", "x", "--kind", "rss", "--url", "https://x.org/a.json"}, exitUsage},
		{"same name", []string{"feed", "add", "--data", data, "--name", "KEV stick", "--kind", "kev", "--path", folder}, exitUsage},
		{"url and path", []string{"feed", "add", "--data", data, "--name", "y", "--kind", "kev", "--path", folder, "--url", "https://x.org/a.json"}, exitUsage},
		{"short interval", []string{"feed", "add", "--data", data, "--name", "y", "--kind", "kev", "--path", folder, "--interval", "1s"}, exitUsage},
		{"unknown format", []string{"feed", "list", "--data", data, "--format", "xml"}, exitUsage},
		{"unknown feed", []string{"feed", "sync", "--data", data, "--feed", "feed_unknown"}, exitUsage},
		{"unknown subcommand", []string{"feed", "remove", "--data", data}, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runWard(t, tc.args...)
			if got := exitCode(err, io.Discard); got != tc.want {
				t.Errorf("ward %s: exit %d (%v), want %d", strings.Join(tc.args, " "), got, err, tc.want)
			}
		})
	}
	out, stderr, err := runWard(t, "feed", "sync", "--data", data)
	if err != nil || !strings.Contains(out, "KEV stick: 0 advisories added") || !strings.Contains(out, "files 1 added") {
		t.Fatalf("feed sync = %q, %v\n%s", out, err, stderr)
	}
	out, _, err = runWard(t, "feed", "list", "--data", data, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		ID          string `json:"id"`
		Kind        string `json:"kind"`
		Interval    string `json:"interval"`
		LastSuccess string `json:"last_success"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("feed list --format json: %v\n%s", err, out)
	}
	if len(list) != 1 || list[0].ID != id || list[0].Kind != "kev" || list[0].Interval != "1h0m0s" || list[0].LastSuccess == "" {
		t.Errorf("feed list --format json = %+v", list)
	}
}
