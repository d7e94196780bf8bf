package alert

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func mustAlert(t testing.TB) *Alert {
	t.Helper()
	f, err := os.Open("testdata/alert.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse(testdata/alert.json) = %v", err)
	}
	return a
}

func published(t testing.TB, seq uint64) *Alert {
	a := mustAlert(t)
	a.ID = "A-" + strings.Repeat("0", 3) + string(rune('0'+seq%10))
	a.Issued = time.Date(2026, 11, 23, 9, 5, 0, 0, time.UTC)
	a.Sequence = seq
	return a
}

func TestParse_Errors(t *testing.T) {
	base, _ := os.ReadFile("testdata/alert.json")
	tests := []struct {
		name, json, want string
	}{
		{"unknown field", strings.Replace(string(base), `"title"`, `"colour": "red", "title"`, 1), "unknown field"},
		{"trailing data", string(base) + `{"x":1}`, "data after"},
		{"no title", strings.Replace(string(base), `"Philips IntelliVue patient monitors: remote code execution, exploited elsewhere"`, `"   "`, 1), "title: required"},
		{"bad severity", strings.Replace(string(base), `"critical"`, `"urgent"`, 1), "severity"},
		{"bad tlp", strings.Replace(string(base), `"GREEN"`, `"WHITE"`, 1), "tlp"},
		{"red without organisations", strings.Replace(string(base), `"GREEN"`, `"RED"`, 1), "targets.organisations"},
		{"bad cve", strings.Replace(string(base), `"CVE-2017-9657"`, `"CVE-17-1"`, 1), "cves[0]"},
		{"bad ipv4", strings.Replace(string(base), `"203.0.113.17"`, `"203.0.113.300"`, 1), "indicators[0]"},
		{"ipv6 as ipv4", strings.Replace(string(base), `"203.0.113.17"`, `"2001:db8::1"`, 1), "indicators[0]"},
		{"bad cidr", strings.Replace(string(base), `"198.51.100.0/24"`, `"198.51.100.0/33"`, 1), "indicators[1]"},
		{"bad domain", strings.Replace(string(base), `"update-intellivue.example.net"`, `"<script>.example"`, 1), "indicators[2]"},
		{"short hash", strings.Replace(string(base), `"0b9f1e1e`, `"0b9f`, 1), "indicators[3]"},
		{"javascript url", strings.Replace(string(base), `"https://www.cisa.gov`, `"javascript://www.cisa.gov`, 1), "references[0]"},
		{"bad kind", strings.Replace(string(base), `["hospital"]`, `["clinic"]`, 1), "targets.kinds[0]"},
		{"bad country", strings.Replace(string(base), `"DE"`, `"Germany"`, 1), "targets.countries[0]"},
		{"too large", `{"title": "` + strings.Repeat("x", maxAlertSize) + `"}`, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.json))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

func TestAlert_For(t *testing.T) {
	tests := []struct {
		name               string
		tlp                TLP
		targets            Targets
		org, kind, country string
		want               bool
	}{
		{"everyone", TLPClear, Targets{}, "o1", "practice", "FR", true},
		{"kind and country", TLPGreen, Targets{Kinds: []string{"hospital"}, Countries: []string{"DE"}}, "o1", "hospital", "DE", true},
		{"wrong kind", TLPGreen, Targets{Kinds: []string{"hospital"}}, "o1", "ems", "DE", false},
		{"wrong country", TLPGreen, Targets{Countries: []string{"DE"}}, "o1", "hospital", "AT", false},
		{"named organisation only", TLPAmber, Targets{Organisations: []string{"o2"}}, "o1", "hospital", "DE", false},
		{"named organisation", TLPAmber, Targets{Organisations: []string{"o2"}}, "o2", "hospital", "DE", true},
		{"red reaches only the named", TLPRed, Targets{Kinds: []string{"hospital"}, Organisations: []string{"o2"}}, "o1", "hospital", "DE", false},
		{"red reaches the named", TLPRed, Targets{Organisations: []string{"o2"}}, "o2", "practice", "FR", true},
		{"amber+strict reaches only the named", TLPAmberStrict, Targets{Countries: []string{"DE"}, Organisations: []string{"o3"}}, "o1", "hospital", "DE", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Alert{TLP: tt.tlp, Targets: tt.targets}
			if got := a.For(tt.org, tt.kind, tt.country); got != tt.want {
				t.Errorf("For(%s, %s, %s) = %v, want %v", tt.org, tt.kind, tt.country, got, tt.want)
			}
		})
	}
}

func TestSignOpen(t *testing.T) {
	key, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s := NewSigner(key)
	ring := NewKeyring(s.PublicKey())
	env, err := s.Sign(published(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ring.Open(env)
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	if got.Title != mustAlert(t).Title || got.Sequence != 1 {
		t.Errorf("Open() = %+v", got)
	}

	other, _ := GenerateKey()
	forgedBy := NewSigner(other)
	forged, _ := forgedBy.Sign(published(t, 2))
	forged.KeyID = s.KeyID() // claims to be the hub
	altered := *env
	altered.Payload = bytes.Replace(env.Payload, []byte(`"critical"`), []byte(`"low"`), 1)
	badSig := *env
	badSig.Signature = append([]byte{}, env.Signature...)
	badSig.Signature[0] ^= 1
	unknown, _ := forgedBy.Sign(published(t, 3))
	short := *env
	short.Signature = env.Signature[:10]
	for name, e := range map[string]*Envelope{"forged": forged, "altered payload": &altered, "altered signature": &badSig, "unknown key": unknown, "short signature": &short} {
		t.Run(name, func(t *testing.T) {
			if _, err := ring.Open(e); !errors.Is(err, ErrSignature) {
				t.Errorf("Open(%s) = %v, want ErrSignature", name, err)
			}
		})
	}

	t.Run("rotation keeps old keys", func(t *testing.T) {
		next, _ := GenerateKey()
		s2 := NewSigner(next)
		ring.Add(s2.PublicKey())
		env2, _ := s2.Sign(published(t, 4))
		for _, e := range []*Envelope{env, env2} {
			if _, err := ring.Open(e); err != nil {
				t.Errorf("Open() after rotation = %v", err)
			}
		}
		ring.Remove(s.KeyID())
		if _, err := ring.Open(env); !errors.Is(err, ErrSignature) {
			t.Errorf("Open() with a removed key = %v, want ErrSignature", err)
		}
	})
	t.Run("unpublished alert", func(t *testing.T) {
		env, _ := s.Sign(mustAlert(t))
		ring := NewKeyring(s.PublicKey())
		if _, err := ring.Open(env); !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(no id) = %v, want ErrInvalid", err)
		}
	})
	var _ ed25519.PublicKey = s.PublicKey()
}

func TestReplayGuard(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	g := NewReplayGuard(3, 30*24*time.Hour)
	mk := func(id string, seq uint64, age time.Duration) *Alert {
		return &Alert{ID: id, Sequence: seq, Issued: now.Add(-age)}
	}
	steps := []struct {
		a    *Alert
		want error
	}{
		{mk("a1", 1, time.Hour), nil},
		{mk("a2", 2, time.Hour), nil},
		{mk("a1", 1, time.Hour), ErrReplay}, // the same alert again
		{mk("a3", 3, time.Hour), nil},
		{mk("a4", 4, time.Hour), nil}, // a1 leaves the window: floor 1
		{mk("a0", 1, time.Hour), ErrReplay},
		{mk("a5", 5, 40*24*time.Hour), ErrReplay}, // too old
		{mk("a6", 6, 0), nil},
	}
	for i, s := range steps {
		err := g.Accept(s.a, now)
		if !errors.Is(err, s.want) || (s.want == nil && err != nil) {
			t.Errorf("step %d: Accept(%s) = %v, want %v", i, s.a.ID, err, s.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	base, _ := os.ReadFile("testdata/alert.json")
	f.Add(base)
	f.Add([]byte(`{"title":"t","summary":"s","actions":"a","severity":"low","tlp":"CLEAR","targets":{}}`))
	f.Add([]byte(`{"indicators":[{"type":"cidr","value":"::/0"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(bytes.NewReader(data))
		if err != nil {
			if a != nil {
				t.Fatal("Parse returned an alert with an error")
			}
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("Parse accepted an invalid alert: %v", err)
		}
	})
}
