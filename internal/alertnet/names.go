package alertnet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrOrgID means an organisation id cannot be used in a subject: it must
	// match [A-Za-z0-9_-]{1,64}. Fix the enrolment record.
	ErrOrgID = errors.New("alertnet: organisation id not usable in a subject")
	// ErrConfig means a HubConfig or SiteConfig is incomplete or
	// contradictory; the message names the field.
	ErrConfig = errors.New("alertnet: bad configuration")
	// ErrExternal means the operation needs the embedded server: with an
	// external NATS server the operator manages users there.
	ErrExternal = errors.New("alertnet: users are managed on the external server")
	// ErrClosed means the hub or site was closed.
	ErrClosed = errors.New("alertnet: closed")
)

var (
	reToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// DefaultPrefix is the first subject token and stream-name stem.
const DefaultPrefix = "ward"

// names derives every subject and stream name from a prefix.
type names struct {
	prefix  string
	alerts  string // alert stream name
	reports string // report stream name
}

func newNames(prefix string) (names, error) {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if !reToken.MatchString(prefix) {
		return names{}, fmt.Errorf("%w: prefix %q must match [A-Za-z0-9_-]{1,64}", ErrConfig, prefix)
	}
	up := strings.ToUpper(prefix)
	return names{prefix: prefix, alerts: up + "_ALERTS", reports: up + "_REPORTS"}, nil
}

func checkOrg(org string) error {
	if !reToken.MatchString(org) {
		return fmt.Errorf("%w: %q", ErrOrgID, org)
	}
	return nil
}

func (n names) alertsAll() string           { return n.prefix + ".alerts.all" }
func (n names) alertsOrg(org string) string { return n.prefix + ".alerts.org." + org }
func (n names) alertsWild() string          { return n.prefix + ".alerts.>" }
func (n names) liveWild() string            { return n.prefix + ".live.alerts.>" }
func (n names) live(subject string) string {
	return n.prefix + ".live." + strings.TrimPrefix(subject, n.prefix+".")
}
func (n names) report(org string) string { return n.prefix + ".reports." + org }
func (n names) reportsWild() string      { return n.prefix + ".reports.>" }

// orgOfReport returns the organisation of a report subject.
func (n names) orgOfReport(subject string) (string, error) {
	org, ok := strings.CutPrefix(subject, n.prefix+".reports.")
	if !ok {
		return "", fmt.Errorf("report subject %q: %w", subject, ErrOrgID)
	}
	return org, checkOrg(org)
}

func inboxPrefix(org string) string { return "_INBOX_" + org }

// sitePermissions is what a site may do; see the package documentation.
func (n names) sitePermissions(org string) (pub, sub []string) {
	pub = []string{
		n.report(org),
		"$JS.API.CONSUMER.CREATE." + n.alerts + ".*." + n.alertsAll(),
		"$JS.API.CONSUMER.CREATE." + n.alerts + ".*." + n.alertsOrg(org),
		"$JS.API.CONSUMER.MSG.NEXT." + n.alerts + ".*",
		"$JS.API.CONSUMER.DELETE." + n.alerts + ".*",
	}
	sub = []string{n.live(n.alertsAll()), n.live(n.alertsOrg(org)), inboxPrefix(org) + ".>"}
	return pub, sub
}

func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// serverLog sends the embedded server's log lines to slog.
type serverLog struct{ l *slog.Logger }

func (s serverLog) log(level slog.Level, format string, v ...any) {
	s.l.Log(context.Background(), level, "nats: "+fmt.Sprintf(format, v...))
}
func (s serverLog) Noticef(format string, v ...any) { s.log(slog.LevelDebug, format, v...) } // its start-up banner
func (s serverLog) Warnf(format string, v ...any)   { s.log(slog.LevelWarn, format, v...) }
func (s serverLog) Fatalf(format string, v ...any)  { s.log(slog.LevelError, format, v...) }
func (s serverLog) Errorf(format string, v ...any)  { s.log(slog.LevelError, format, v...) }
func (s serverLog) Debugf(format string, v ...any)  { s.log(slog.LevelDebug, format, v...) }
func (s serverLog) Tracef(format string, v ...any)  { s.log(slog.LevelDebug-4, format, v...) }
