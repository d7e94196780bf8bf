package testenv

import (
	"net"
	"net/url"
	"os"
	"testing"
	"time"
)

// NATS returns the URL of the external NATS server with JetStream that
// tests share ($WARD_TEST_NATS, default nats://127.0.0.1:4222). It skips
// tb, or fails it in strict mode, when nothing listens there. Tests on it
// use their own stream names and subjects and delete them afterwards.
func NATS(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("WARD_TEST_NATS")
	if u == "" {
		u = "nats://127.0.0.1:4222"
	}
	parsed, err := url.Parse(u)
	if err == nil {
		var c net.Conn
		if c, err = net.DialTimeout("tcp", parsed.Host, 2*time.Second); err == nil {
			c.Close()
		}
	}
	Service(tb, "NATS with JetStream at $WARD_TEST_NATS ("+u+")", err)
	return u
}
