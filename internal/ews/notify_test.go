package ews_test

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
)

// inbox collects what the test's receivers got, by channel.
type inbox struct {
	mu  sync.Mutex
	got map[string][]string
	ch  chan struct{}
}

func newInbox() *inbox { return &inbox{got: map[string][]string{}, ch: make(chan struct{}, 100)} }

func (b *inbox) add(kind, msg string) {
	b.mu.Lock()
	b.got[kind] = append(b.got[kind], msg)
	b.mu.Unlock()
	b.ch <- struct{}{}
}

func (b *inbox) get(kind string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.got[kind]...)
}

// webhookServer is a real HTTP endpoint that records bodies and checks
// the signature.
func webhookServer(t *testing.T, b *inbox, secret string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		if r.Header.Get("X-Ward-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			b.add("webhook-refused", string(body))
			return
		}
		b.add("webhook", string(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// syslogUDP and syslogTCP are real listeners on loopback ports.
func syslogUDP(t *testing.T, b *inbox) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 8192)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			b.add("syslog-udp", string(buf[:n]))
		}
	}()
	return "udp://" + pc.LocalAddr().String()
}

func syslogTCP(t *testing.T, b *inbox) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			data, _ := io.ReadAll(c)
			c.Close()
			b.add("syslog-tcp", string(data))
		}
	}()
	return "tcp://" + ln.Addr().String()
}

// smtpRelay speaks just enough SMTP over a real socket to take a message,
// as a relay would; no mail server runs on the test machine.
func smtpRelay(t *testing.T, b *inbox) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				say := func(s string) { io.WriteString(c, s+"\r\n") }
				say("220 relay.test ESMTP")
				var data strings.Builder
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
					case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
						say("250 relay.test")
					case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"):
						say("250 ok")
					case cmd == "DATA":
						say("354 go on")
						for {
							l, err := r.ReadString('\n')
							if err != nil || l == ".\r\n" {
								break
							}
							data.WriteString(l)
						}
						say("250 queued")
						b.add("email", data.String())
					case cmd == "QUIT":
						say("221 bye")
						return
					default:
						say("250 ok")
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func (b *inbox) wait(t *testing.T, kind string, n int) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for len(b.get(kind)) < n {
		select {
		case <-b.ch:
		case <-deadline:
			t.Fatalf("%s: got %d messages, want %d", kind, len(b.get(kind)), n)
		}
	}
}

func TestNotifier_Channels(t *testing.T) {
	ctx := t.Context()
	n := openNode(t, "site")
	org, err := n.store.CreateOrg(ctx, store.Organisation{Name: "Klinikum", Kind: store.KindHospital, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	b := newInbox()
	for _, c := range []store.Channel{
		{Kind: store.ChannelWebhook, Target: webhookServer(t, b, "s3cret"), MinSeverity: "high", Secret: "s3cret"},
		{Kind: store.ChannelSyslog, Target: syslogUDP(t, b), MinSeverity: "critical"},
		{Kind: store.ChannelSyslog, Target: syslogTCP(t, b), MinSeverity: "low"},
		{Kind: store.ChannelEmail, Target: "it@klinikum.example", MinSeverity: "high"},
	} {
		if _, err := n.store.AddChannel(ctx, org.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	nf := &ews.Notifier{Store: n.store, SMTP: &ews.SMTP{Addr: smtpRelay(t, b), From: "ward@klinikum.example"}}
	crit := ews.Notice{AlertID: "WA-2026-000007", Severity: "critical", TLP: "GREEN", Title: "Exploited\r\nBcc: victim@example.org",
		Summary: "A flaw.", Actions: "Patch.", Affected: true, Assets: map[string]int{"act": 3, "attend": 1}}
	if err := nf.Notify(ctx, org.ID, crit); err != nil {
		t.Fatalf("Notify(critical) = %v", err)
	}
	for _, kind := range []string{"webhook", "syslog-udp", "syslog-tcp", "email"} {
		b.wait(t, kind, 1)
	}
	var hook ews.Notice
	if err := json.Unmarshal([]byte(b.get("webhook")[0]), &hook); err != nil || hook.AlertID != crit.AlertID || hook.Assets["act"] != 3 {
		t.Errorf("webhook body = %s (%v)", b.get("webhook")[0], err)
	}
	if udp := b.get("syslog-udp")[0]; !strings.HasPrefix(udp, "<130>1 ") || !strings.Contains(udp, `alert="WA-2026-000007"`) || !strings.Contains(udp, `assets="4"`) {
		t.Errorf("syslog over UDP = %q, want an RFC 5424 local0.crit message naming the alert", udp)
	}
	if tcp := b.get("syslog-tcp")[0]; !strings.Contains(tcp, " <130>1 ") {
		t.Errorf("syslog over TCP = %q, want an octet-counted RFC 5424 message", tcp)
	}
	mail := b.get("email")[0]
	if !strings.Contains(mail, "Subject: [ward CRITICAL] Exploited  Bcc: victim@example.org") || strings.Contains(mail, "\r\nBcc:") {
		t.Errorf("e-mail = %q: the title must stay on the subject line", mail)
	}
	if !strings.Contains(mail, "affected: 4 assets (act 3, attend 1)") {
		t.Errorf("e-mail = %q, want the affected counts", mail)
	}

	// A medium alert goes only to the channel that takes everything.
	med := crit
	med.AlertID, med.Severity = "WA-2026-000008", "medium"
	if err := nf.Notify(ctx, org.ID, med); err != nil {
		t.Fatalf("Notify(medium) = %v", err)
	}
	b.wait(t, "syslog-tcp", 2)
	if len(b.get("webhook")) != 1 || len(b.get("email")) != 1 || len(b.get("syslog-udp")) != 1 {
		t.Errorf("a medium alert reached channels set to high or critical: %v", b.got)
	}
	if len(b.get("webhook-refused")) != 0 {
		t.Errorf("the webhook refused a signature")
	}
}
