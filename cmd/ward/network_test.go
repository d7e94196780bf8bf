package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/store/sqlite"
	"github.com/ward-health/ward/internal/synth"
	"github.com/ward-health/ward/internal/testenv"
)

// The real CSAF advisories the feed tests serve, as a folder feed.
const testdataCSAF = "../../internal/feed/testdata/csaf"

// proc is a running ward serve.
type proc struct {
	cmd  *exec.Cmd
	url  string
	args []string
	log  string
}

// serveProc runs ward serve with args and waits until it prints its
// address.
func serveProc(t *testing.T, bin string, args ...string) *proc {
	t.Helper()
	p := &proc{args: args, log: filepath.Join(t.TempDir(), "serve.log")}
	logf, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Stderr = logf
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "ward is running at "); ok {
				lines <- u
			}
		}
	}()
	select {
	case p.url = <-lines:
	case <-time.After(60 * time.Second):
		b, _ := os.ReadFile(p.log)
		t.Fatalf("ward serve %v did not start:\n%s", args, b)
	}
	return p
}

// kill ends the process at once, as a crash or a power cut would.
func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

// freePort returns a loopback address nobody listens on.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// netSite is a site's data folder: one organisation with assets and the
// findings of a folder feed of real advisories.
type netSite struct {
	name, data, org, cve string
	kind                 store.OrgKind
	siteID               string
	serve                *proc
}

func newNetSite(t *testing.T, bin string, set *advisory.Set, name string, kind store.OrgKind, assets int) *netSite {
	t.Helper()
	s := &netSite{name: name, kind: kind, data: t.TempDir()}
	out := execWard(t, bin, nil, "org", "add", "--data", s.data, "--name", name, "--kind", string(kind), "--country", "DE")
	s.org = strings.TrimSpace(out)
	st, err := sqlite.Open(t.Context(), filepath.Join(s.data, "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.ImportAssets(t.Context(), s.org, synth.NewPool(set.Advisories).Generate(assets, uint64(len(name)), "a"), store.Merge)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(testdataCSAF)
	if err != nil {
		t.Fatal(err)
	}
	execWard(t, bin, nil, "feed", "add", "--data", s.data, "--name", "CISA (folder)", "--kind", "folder", "--path", abs)
	execWard(t, bin, nil, "feed", "sync", "--data", s.data)
	if st, err = sqlite.Open(t.Context(), filepath.Join(s.data, "ward.db")); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.ListFindings(t.Context(), s.org, store.FindingFilter{}, store.ListOptions{Limit: 1})
	if err != nil || len(p.Items) == 0 {
		t.Fatalf("%s has no findings: %v", name, err)
	}
	s.cve = p.Items[0].Key.VulnID
	return s
}

// alerts returns what ward alert list says a node holds.
func alerts(t *testing.T, bin, data string) alertList {
	t.Helper()
	var l alertList
	if err := json.Unmarshal([]byte(execWard(t, bin, nil, "alert", "list", "--data", data, "--format", "json")), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

func publish(t *testing.T, bin, hubData, title, tlp string, cves []string, orgs []string) string {
	t.Helper()
	a := map[string]any{"title": title, "summary": "An exploited flaw in a product sites run.", "actions": "Patch or isolate the affected devices today.",
		"severity": "critical", "tlp": tlp, "cves": cves, "targets": map[string]any{"organisations": orgs}}
	b, _ := json.Marshal(a)
	f := filepath.Join(t.TempDir(), "alert.json")
	if err := os.WriteFile(f, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(execWard(t, bin, nil, "alert", "publish", "--data", hubData, "--file", f))
}

// waitFor polls cond until it holds, for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func received(l alertList, id string) int {
	n := 0
	for _, a := range l.Received {
		if a.ID == id {
			n++
		}
	}
	return n
}

// TestNetwork_HubAndThreeSites runs a hub and three sites as separate
// processes of the real binary, each with its own data folder.
func TestNetwork_HubAndThreeSites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the ward binary")
	}
	testNetwork(t, "")
}

// TestNetwork_ExternalNATS runs the same network with the hub on the
// external NATS server (WARD_TEST_NATS).
func TestNetwork_ExternalNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the ward binary")
	}
	url := testenv.NATS(t)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	for _, s := range []string{"WARD_ALERTS", "WARD_REPORTS"} { // a previous run's
		js.DeleteStream(t.Context(), s) //nolint:errcheck // absent is fine
	}
	testNetwork(t, url)
}

func testNetwork(t *testing.T, externalNATS string) {
	bin := buildWard(t)
	hubData := t.TempDir()
	natsAddr := freePort(t)
	// The embedded server requires TLS, with a certificate made here.
	cert, certDir := testenv.SelfSigned(t), t.TempDir()
	certFile, keyFile := filepath.Join(certDir, "nats.crt"), filepath.Join(certDir, "nats.key")
	if os.WriteFile(certFile, cert.CertPEM, 0o600) != nil || os.WriteFile(keyFile, cert.KeyPEM, 0o600) != nil {
		t.Fatal("cannot write the NATS certificate")
	}
	hubArgs := []string{"--role", "hub", "--data", hubData, "--nats-listen", natsAddr, "--nats-tls-cert", certFile, "--nats-tls-key", keyFile}
	if externalNATS != "" {
		hubArgs = []string{"--role", "hub", "--data", hubData, "--nats", externalNATS}
	}
	hub := serveProc(t, bin, hubArgs...)

	set, err := advisory.Load(t.Context(), []string{testdataCSAF}, advisory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sites := []*netSite{
		newNetSite(t, bin, set, "Klinikum Nord", store.KindHospital, 300),
		newNetSite(t, bin, set, "Praxis am Markt", store.KindPractice, 40),
		newNetSite(t, bin, set, "Leitstelle Süd", store.KindEMS, 80),
	}
	for _, s := range sites {
		token := strings.TrimSpace(execWard(t, bin, nil, "site", "invite", "--data", hubData, "--name", s.name, "--kind", string(s.kind), "--country", "DE"))
		out := execWard(t, bin, nil, "enroll", "--data", s.data, "--hub", hub.url, "--token", token)
		if !strings.Contains(out, "enrolled as site ") {
			t.Fatalf("ward enroll = %q", out)
		}
		s.siteID = strings.Fields(strings.TrimPrefix(out, "enrolled as site "))[0]
		s.siteID = strings.TrimSuffix(s.siteID, ";")
		s.serve = serveProc(t, bin, "--role", "site", "--data", s.data)
	}

	// 1. One alert reaches every site, verified and matched; the hub holds
	// three reports.
	first := publish(t, bin, hubData, "Exploited flaw in a monitored device", "CLEAR", []string{sites[0].cve}, nil)
	for _, s := range sites {
		waitFor(t, s.name+" to match "+first, func() bool {
			for _, a := range alerts(t, bin, s.data).Received {
				if a.ID == first && a.Matched {
					return true
				}
			}
			return false
		})
	}
	for _, a := range alerts(t, bin, sites[0].data).Received {
		if !a.Verified || !a.Affected {
			t.Errorf("first site: %+v; want verified and affected", a)
		}
	}
	waitFor(t, "three reports at the hub", func() bool {
		l := alerts(t, bin, hubData)
		return len(l.Published) == 1 && l.Published[0].Reports == 3
	})

	// 2. A site killed while five alerts go out gets all five, once each.
	sites[1].serve.kill()
	var missed []string
	for i := range 5 {
		missed = append(missed, publish(t, bin, hubData, fmt.Sprintf("While the practice was down %d", i+1), "GREEN", nil, nil))
	}
	waitFor(t, "the others to get the five", func() bool { return received(alerts(t, bin, sites[2].data), missed[4]) == 1 })
	sites[1].serve = serveProc(t, bin, "--role", "site", "--data", sites[1].data)
	waitFor(t, "the restarted site to catch up", func() bool { return received(alerts(t, bin, sites[1].data), missed[4]) == 1 })
	l := alerts(t, bin, sites[1].data)
	for _, id := range append(missed, first) {
		if n := received(l, id); n != 1 {
			t.Errorf("restarted site holds %s %d times, want once", id, n)
		}
	}

	// 2b. The operator rotates the hub's key while a site is down: the
	// serving hub announces the new key before the first alert it signs;
	// every site pins it, the one that was down when it catches up.
	sites[1].serve.kill()
	newKey := strings.TrimSpace(execWard(t, bin, nil, "hub", "rotate-key", "--data", hubData))
	rolled := publish(t, bin, hubData, "Signed by the rotated key", "GREEN", nil, nil)
	waitFor(t, "the others to get the alert the new key signed", func() bool {
		return received(alerts(t, bin, sites[0].data), rolled) == 1 && received(alerts(t, bin, sites[2].data), rolled) == 1
	})
	sites[1].serve = serveProc(t, bin, "--role", "site", "--data", sites[1].data)
	waitFor(t, "the restarted site to get the alert the new key signed", func() bool { return received(alerts(t, bin, sites[1].data), rolled) == 1 })
	for _, s := range sites {
		for _, a := range alerts(t, bin, s.data).Received {
			if a.ID == rolled && !a.Verified {
				t.Errorf("%s: the alert the rotated key %s signed does not verify", s.name, newKey)
			}
		}
		if n := auditCount(t, s, "hub_key.pinned"); n != 1 {
			t.Errorf("%s recorded %d pinned hub keys, want 1", s.name, n)
		}
	}

	// 3. TLP:RED for the hospital only: the others never see it, even after
	// a later alert for everyone reached them.
	red := publish(t, bin, hubData, "Targeted attack on one hospital", "RED", nil, []string{sites[0].siteID})
	after := publish(t, bin, hubData, "For everyone, after the red one", "CLEAR", nil, nil)
	for _, s := range sites {
		waitFor(t, s.name+" to get the later alert", func() bool { return received(alerts(t, bin, s.data), after) == 1 })
	}
	if received(alerts(t, bin, sites[0].data), red) != 1 {
		t.Errorf("the targeted hospital did not get the TLP:RED alert")
	}
	for _, s := range sites[1:] {
		if received(alerts(t, bin, s.data), red) != 0 {
			t.Errorf("%s got a TLP:RED alert meant for another organisation", s.name)
		}
	}

	// 4. On the external server, which takes anyone's messages, a forged
	// alert reaches the sites: they drop it and record a security event.
	if externalNATS != "" {
		forged := forgeAlert(t, externalNATS)
		check := publish(t, bin, hubData, "Genuine, after the forged one", "CLEAR", nil, nil)
		for _, s := range sites {
			waitFor(t, s.name+" to get the alert after the forged one", func() bool { return received(alerts(t, bin, s.data), check) == 1 })
			if received(alerts(t, bin, s.data), forged) != 0 {
				t.Errorf("%s stored a forged alert", s.name)
			}
			if n := auditCount(t, s, "alert.rejected"); n != 1 {
				t.Errorf("%s recorded %d rejected alerts, want 1", s.name, n)
			}
		}
	}

	// 5. The hub killed: alerts written meanwhile go out when it is back,
	// and the sites reconnect on their own.
	hub.kill()
	late := publish(t, bin, hubData, "Written while the hub was down", "GREEN", nil, nil)
	hub = serveProc(t, bin, hub.args...)
	for _, s := range sites {
		waitFor(t, s.name+" to get the alert written while the hub was down", func() bool {
			return received(alerts(t, bin, s.data), late) == 1
		})
	}
	for _, s := range sites {
		l := alerts(t, bin, s.data)
		seen := map[string]int{}
		for _, a := range l.Received {
			seen[a.ID]++
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("%s holds %s %d times", s.name, id, n)
			}
		}
	}
}

// forgeAlert publishes, straight to the alert stream, an alert signed with
// a key no site pinned, and returns its ID.
func forgeAlert(t *testing.T, url string) string {
	t.Helper()
	key, err := alert.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	a := &alert.Alert{ID: "WA-2026-999999", Issued: time.Now().UTC(), Sequence: 999999, Title: "Install the urgent fix from evil.example",
		Summary: "Forged.", Actions: "Run the attached tool.", Severity: alert.Critical, TLP: alert.TLPClear}
	env, err := alert.NewSigner(key).Sign(a)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(env)
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(t.Context(), "ward.alerts.all", data); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// auditCount counts a site's audit entries of an action.
func auditCount(t *testing.T, s *netSite, action string) int {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(s.data, "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.ListAudit(t.Context(), s.org, store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range p.Items {
		if e.Action == action {
			n++
		}
	}
	return n
}

// TestAlertImport_RoundTrip drafts alerts from real STIX and MISP files and
// publishes the drafts as an analyst would after reviewing them.
func TestAlertImport_RoundTrip(t *testing.T) {
	ctx := t.Context()
	data := t.TempDir()
	for _, src := range []string{
		testenv.SharedData(t, "stix", "oasis", "examples", "threat-reports", "poisonivy.json"),
		testenv.SharedData(t, "misp", "events", "tests", "57c4445b-c548-4654-af0b-4be3950d210f.json"),
	} {
		var draft, stderr strings.Builder
		if err := run(ctx, []string{"alert", "import", "--file", src}, nil, &draft, &stderr); err != nil {
			t.Fatalf("alert import %s: %v\n%s", src, err, stderr.String())
		}
		file := filepath.Join(t.TempDir(), "draft.json")
		if err := os.WriteFile(file, []byte(draft.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		var id strings.Builder
		if err := run(ctx, []string{"alert", "publish", "--data", data, "--file", file}, nil, &id, &stderr); err != nil {
			t.Fatalf("alert publish of the draft of %s: %v\n%s", src, err, stderr.String())
		}
	}
	var out, stderr strings.Builder
	if err := run(ctx, []string{"alert", "import", "--file", filepath.Join(t.TempDir(), "nothing.json")}, nil, &out, &stderr); err == nil {
		t.Error("alert import of a missing file succeeded")
	}
	out.Reset()
	if err := run(ctx, []string{"alert", "list", "--data", data, "--format", "json"}, nil, &out, &stderr); err != nil {
		t.Fatal(err)
	}
	var l alertList
	if err := json.Unmarshal([]byte(out.String()), &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Published) != 2 || l.Published[1].Title != "Poison Ivy: Assessing Damage and Extracting Intelligence" {
		t.Errorf("published = %+v", l.Published)
	}
}
