package store

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Notifications stores where each organisation's alerts are sent besides
// its pages: e-mail, a webhook, the organisation's syslog (its SIEM).
type Notifications interface {
	// AddChannel stores c for org with a new ID and CreatedAt and returns
	// it. ErrInvalid when c fails [Channel.Validate], ErrNotFound for an
	// unknown organisation.
	AddChannel(ctx context.Context, org string, c Channel) (Channel, error)
	// ListChannels returns org's channels, oldest first.
	ListChannels(ctx context.Context, org string) ([]Channel, error)
	// RemoveChannel deletes org's channel id, or returns ErrNotFound.
	RemoveChannel(ctx context.Context, org, id string) error
}

// ChannelKind is how a channel delivers.
type ChannelKind string

// The channel kinds.
const (
	ChannelEmail   ChannelKind = "email"   // Target: addresses, comma-separated
	ChannelWebhook ChannelKind = "webhook" // Target: an https (or loopback http) URL; JSON POST
	ChannelSyslog  ChannelKind = "syslog"  // Target: udp://host:port or tcp://host:port; RFC 5424
)

// ChannelKinds lists the channel kinds.
var ChannelKinds = []ChannelKind{ChannelEmail, ChannelWebhook, ChannelSyslog}

// Severities lists alert severities, most urgent first (as package alert
// names them).
var Severities = []string{"critical", "high", "medium", "low"}

// Channel is one place an organisation's alerts go.
type Channel struct {
	ID     string
	OrgID  string
	Kind   ChannelKind
	Target string
	// MinSeverity is the least urgent severity sent: "high" sends critical
	// and high alerts.
	MinSeverity string
	// Secret signs webhook bodies (HMAC-SHA256); empty for other kinds.
	Secret    string
	CreatedAt time.Time
}

// Wants reports whether an alert of severity goes to c.
func (c *Channel) Wants(severity string) bool {
	i := slices.Index(Severities, severity)
	return i >= 0 && i <= slices.Index(Severities, c.MinSeverity)
}

// Validate reports the first field of c that is empty or out of range.
func (c *Channel) Validate() error {
	if !slices.Contains(Severities, c.MinSeverity) {
		return invalid("min_severity %q: want one of %v", c.MinSeverity, Severities)
	}
	if err := CheckText("target", c.Target, true, 2000); err != nil {
		return err
	}
	switch c.Kind {
	case ChannelEmail:
		if _, err := mail.ParseAddressList(c.Target); err != nil {
			return invalid("target: e-mail addresses: %v", err)
		}
	case ChannelWebhook:
		u, err := url.Parse(c.Target)
		if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
			return invalid("target: want an https URL (http only to this machine)")
		}
	case ChannelSyslog:
		u, err := url.Parse(c.Target)
		if err != nil || (u.Scheme != "udp" && u.Scheme != "tcp") || u.Port() == "" {
			return invalid("target: want udp://host:port or tcp://host:port")
		}
	default:
		return invalid("kind %q: want one of %v", c.Kind, ChannelKinds)
	}
	if c.Kind != ChannelWebhook && c.Secret != "" {
		return invalid("secret: only webhooks have one")
	}
	return CheckText("secret", c.Secret, false, 200)
}

func isLoopback(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}

// String names a channel for logs and lists, without its secret.
func (c *Channel) String() string {
	return fmt.Sprintf("%s %s (%s and above)", c.Kind, c.Target, c.MinSeverity)
}
