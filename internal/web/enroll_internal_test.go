package web

import (
	"net/url"
	"strings"
	"testing"
)

func TestHubAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want, err string
	}{
		{"https", "https://hub.example.eu", "https://hub.example.eu", ""},
		{"https with port and path", "https://hub.example.eu:8443/ward/", "https://hub.example.eu:8443/ward", ""},
		{"http to localhost", "http://localhost:8080", "http://localhost:8080", ""},
		{"http to loopback v6", "http://[::1]:8080", "http://[::1]:8080", ""},
		{"empty", "", "", "please give"},
		{"no scheme", "hub.example.eu", "", "not a web address"},
		{"no host", "https://", "", "not a web address"},
		{"ftp", "ftp://hub.example.eu", "", "must start with https://"},
		{"javascript", "javascript:alert(1)", "", "not a web address"},
		{"http to the network", "http://10.0.0.5:8080", "", "plain http:// is only"},
		{"user", "https://u:p@hub.example.eu", "", "no user name"},
		{"query", "https://hub.example.eu/?x=1", "", "no user name, query"},
		{"fragment", "https://hub.example.eu/#x", "", "fragment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := hubAddress(tc.in)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), "hub address: ") || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("hubAddress(%q) = %q, %v; want an error naming the hub address with %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("hubAddress(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// FuzzHubAddress: whatever an administrator types, an address accepted is
// https, or http to this machine, with nothing but a host, port and path,
// and is accepted again unchanged.
func FuzzHubAddress(f *testing.F) {
	for _, s := range []string{"https://hub.example.eu", "http://localhost:8080/", "http://[::1]", "http://127.0.0.1:1",
		"HTTPS://Hub.Example.EU:443/a/b//", "http://10.0.0.5", "https://u@h", "https://h/?", "https://h/#", "//h", "https:h", "%zz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := hubAddress(in)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "hub address: ") {
				t.Errorf("hubAddress(%q) error %q does not name the field", in, err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("hubAddress(%q) = %q, which does not parse: %v", in, got, err)
		}
		if !(u.Scheme == "https" || u.Scheme == "http" && loopback(u.Hostname())) || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Errorf("hubAddress(%q) = %q, not an https address without user, query or fragment", in, got)
		}
		if again, err := hubAddress(got); err != nil || again != got {
			t.Errorf("hubAddress(%q) = %q, %v; want it unchanged", got, again, err)
		}
	})
}
