package ews

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/store"
)

// SMTP is the node's mail relay for e-mail channels.
type SMTP struct {
	Addr     string // host:port
	From     string
	User     string // empty: no authentication
	Password string // from the environment, never a flag
}

// Notifier sends a received alert to an organisation's channels.
type Notifier struct {
	Store  store.Notifications
	SMTP   *SMTP        // nil: e-mail channels are skipped with a warning
	Client *http.Client // nil: a client with a 10-second timeout
	Now    func() time.Time
}

// Notice is what every channel says of an alert: its content and the
// organisation's exposure, never another organisation's.
type Notice struct {
	AlertID    string            `json:"alert_id"`
	Issued     time.Time         `json:"issued"`
	Severity   string            `json:"severity"`
	TLP        string            `json:"tlp"`
	Title      string            `json:"title"`
	Summary    string            `json:"summary"`
	Actions    string            `json:"actions"`
	CVEs       []string          `json:"cves,omitempty"`
	Advisories []string          `json:"advisories,omitempty"`
	Indicators []alert.Indicator `json:"indicators,omitempty"`
	Affected   bool              `json:"affected"`
	Assets     map[string]int    `json:"affected_assets,omitempty"`
}

func newNotice(a *alert.Alert, rec store.ReceivedAlert) Notice {
	return Notice{AlertID: a.ID, Issued: a.Issued, Severity: string(a.Severity), TLP: string(a.TLP), Title: a.Title,
		Summary: a.Summary, Actions: a.Actions, CVEs: a.CVEs, Advisories: a.Advisories, Indicators: a.Indicators,
		Affected: rec.Affected, Assets: rec.Assets}
}

// Notify sends n to every channel of org that wants its severity, each
// tried up to three times. It returns the failures joined; one channel's
// failure does not keep the others from being tried.
func (nf *Notifier) Notify(ctx context.Context, org string, n Notice) error {
	channels, err := nf.Store.ListChannels(ctx, org)
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range channels {
		if !c.Wants(n.Severity) {
			continue
		}
		var err error
		for attempt := range 3 {
			if attempt > 0 {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(time.Duration(attempt) * 2 * time.Second):
				}
			}
			if err = nf.send(ctx, &c, n); err == nil {
				break
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.String(), err))
		}
	}
	return errors.Join(errs...)
}

func (nf *Notifier) send(ctx context.Context, c *store.Channel, n Notice) error {
	switch c.Kind {
	case store.ChannelWebhook:
		return nf.webhook(ctx, c, n)
	case store.ChannelSyslog:
		return nf.syslog(ctx, c, n)
	case store.ChannelEmail:
		return nf.email(c, n)
	}
	return fmt.Errorf("unknown channel kind %q", c.Kind)
}

// webhook POSTs the notice as JSON. With a secret, the header
// X-Ward-Signature carries "sha256=" and the hex HMAC-SHA256 of the body,
// so the receiver can tell ward's calls from others.
func (nf *Notifier) webhook(ctx context.Context, c *store.Channel, n Notice) error {
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ward")
	if c.Secret != "" {
		mac := hmac.New(sha256.New, []byte(c.Secret))
		mac.Write(body)
		req.Header.Set("X-Ward-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	client := nf.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the webhook answered %s", resp.Status)
	}
	return nil
}

// syslogSeverity maps alert severities to RFC 5424 severities.
var syslogSeverity = map[string]int{"critical": 2, "high": 3, "medium": 4, "low": 5}

// syslog sends one RFC 5424 message (facility local0) with the notice as
// structured data and its title as the message, over UDP or TCP (octet
// counting framing, RFC 6587).
func (nf *Notifier) syslog(ctx context.Context, c *store.Channel, n Notice) error {
	u, err := url.Parse(c.Target)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	sd := fmt.Sprintf(`[ward@32473 alert="%s" severity="%s" tlp="%s" affected="%t" assets="%d"]`,
		sdEscape(n.AlertID), sdEscape(n.Severity), sdEscape(n.TLP), n.Affected, total(n.Assets))
	msg := fmt.Sprintf("<%d>1 %s %s ward - alert %s %s", 16*8+syslogSeverity[n.Severity],
		nf.now().UTC().Format(time.RFC3339Nano), cmp.Or(host, "-"), sd, oneLine(n.Title))
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, u.Scheme, u.Host)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second)) //nolint:errcheck // a dead peer fails the write
	if u.Scheme == "tcp" {
		msg = fmt.Sprintf("%d %s", len(msg), msg)
	}
	_, err = conn.Write([]byte(msg))
	return err
}

// email sends a plain-text message through the node's relay, with
// STARTTLS whenever the relay offers it.
func (nf *Notifier) email(c *store.Channel, n Notice) error {
	if nf.SMTP == nil || nf.SMTP.Addr == "" {
		return errors.New("no mail relay configured (ward serve --smtp)")
	}
	to, err := mail.ParseAddressList(c.Target)
	if err != nil {
		return err
	}
	var rcpt []string
	for _, a := range to {
		rcpt = append(rcpt, a.Address)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: [ward %s] %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
		nf.SMTP.From, strings.Join(rcpt, ", "), strings.ToUpper(n.Severity), oneLine(n.Title), nf.now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "%s\r\n\r\nIn the next 15 minutes:\r\n%s\r\n\r\n", n.Summary, n.Actions)
	if n.Affected {
		fmt.Fprintf(&b, "Your organisation is affected: %d assets (act %d, attend %d).\r\n", total(n.Assets), n.Assets["act"], n.Assets["attend"])
	} else {
		fmt.Fprintf(&b, "None of your recorded assets matched.\r\n")
	}
	if len(n.CVEs) > 0 {
		fmt.Fprintf(&b, "CVEs: %s\r\n", strings.Join(n.CVEs, ", "))
	}
	fmt.Fprintf(&b, "\r\nAlert %s, TLP:%s. Handle according to the TLP label.\r\n", n.AlertID, n.TLP)
	var auth smtp.Auth
	if nf.SMTP.User != "" {
		host, _, _ := net.SplitHostPort(nf.SMTP.Addr)
		auth = smtp.PlainAuth("", nf.SMTP.User, nf.SMTP.Password, host) // refuses to send the password without TLS
	}
	return smtp.SendMail(nf.SMTP.Addr, auth, nf.SMTP.From, rcpt, []byte(b.String())) // net/smtp dot-stuffs the lines itself
}

func (nf *Notifier) now() time.Time {
	if nf.Now != nil {
		return nf.Now()
	}
	return time.Now()
}

// sdEscape escapes an RFC 5424 structured-data parameter value.
func sdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, `]`, `\]`).Replace(s)
}

// oneLine makes s safe for a header or a syslog message: no line breaks,
// no control characters.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func total(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}
