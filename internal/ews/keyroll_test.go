package ews_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/testenv"
)

// bareSite makes a site organisation with an empty inventory.
func bareSite(t *testing.T, name string) *node {
	t.Helper()
	n := openNode(t, name)
	org, err := n.store.CreateOrg(t.Context(), store.Organisation{Name: name, Kind: store.KindHospital, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	n.org = org.ID
	return n
}

// auditCount returns how many of n's audit events have action.
func auditCount(t *testing.T, n *node, action string) int {
	t.Helper()
	p, err := n.store.ListAudit(t.Context(), n.org, store.ListOptions{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	c := 0
	for _, e := range p.Items {
		if e.Action == action {
			c++
		}
	}
	return c
}

// pinned returns the ids of the hub keys n pinned.
func pinned(t *testing.T, n *node) []string {
	t.Helper()
	l, err := n.store.HubLink(t.Context(), n.org)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range l.HubKeys {
		ids = append(ids, alert.KeyID(k))
	}
	slices.Sort(ids)
	return ids
}

// holds reports whether n stored the alerts with ids, and nothing else.
func holds(t *testing.T, n *node, ids ...string) bool {
	t.Helper()
	var got []string
	for _, a := range received(t, n) {
		got = append(got, a.ID)
	}
	slices.Sort(got)
	slices.Sort(ids)
	return slices.Equal(got, ids)
}

func TestRotateKey_SitesFollow(t *testing.T) {
	ctx := t.Context()
	h := startHub(t)
	online, offline := bareSite(t, "Klinikum"), bareSite(t, "Praxis")
	h.enroll(t, online, newSite(t, online))
	away := newSite(t, offline)
	h.enroll(t, offline, away)
	first, err := h.hub.Publish(ctx, newAlert("Signed by the first key"), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first alert at both sites", func() bool {
		return holds(t, online, first.ID) && holds(t, offline, first.ID)
	})
	away.Close()

	// Rotated by the serving hub, then by another process through the
	// store, as `ward hub rotate-key` does: the serving hub signs with the
	// newest key and announces both.
	if _, err := h.hub.RotateKey(ctx); err != nil {
		t.Fatalf("RotateKey() = %v", err)
	}
	second, err := h.hub.Publish(ctx, newAlert("Signed by the second key"), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	cli, err := ews.NewHub(ctx, ews.HubConfig{Store: h.store})
	if err != nil {
		t.Fatal(err)
	}
	k3, err := cli.RotateKey(ctx)
	if err != nil {
		t.Fatalf("RotateKey() in another process = %v", err)
	}
	third, err := h.hub.Publish(ctx, newAlert("Signed by the third key"), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	var env alert.Envelope
	if err := json.Unmarshal(third.Envelope, &env); err != nil || env.KeyID != k3.ID {
		t.Fatalf("the serving hub signed with key %s (%v), want the rotated %s", env.KeyID, err, k3.ID)
	}

	keys, err := h.store.SigningKeys(ctx)
	if err != nil || len(keys) != 3 {
		t.Fatalf("SigningKeys() = %d keys, %v; want 3", len(keys), err)
	}
	want := []string{keys[0].ID, keys[1].ID, keys[2].ID}
	slices.Sort(want)
	ids := []string{first.ID, second.ID, third.ID}
	eventually(t, "the three alerts at the site online", func() bool { return holds(t, online, ids...) })
	if got := pinned(t, online); !slices.Equal(got, want) {
		t.Errorf("the site online pinned %v, want %v", got, want)
	}
	if n := auditCount(t, online, "hub_key.pinned"); n != 2 {
		t.Errorf("the site online recorded %d pinned keys, want 2", n)
	}

	// The site that was away catches up in order: each announcement before
	// the alerts its key signed.
	back := newSite(t, offline)
	if err := back.Start(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the missed alerts at the site that was away", func() bool { return holds(t, offline, ids...) })
	if got := pinned(t, offline); !slices.Equal(got, want) {
		t.Errorf("the site that was away pinned %v, want %v", got, want)
	}
	for _, n := range []*node{online, offline} {
		if r := auditCount(t, n, "alert.rejected") + auditCount(t, n, "hub_key.rejected"); r != 0 {
			t.Errorf("%s rejected %d messages, want none", n.org, r)
		}
	}
	// Stored alerts open again against the pinned keys (pages show them).
	if _, _, err := back.Alert(ctx, offline.org, third.ID); err != nil {
		t.Errorf("Alert(%s) = %v", third.ID, err)
	}
	if pending, err := h.store.UnpublishedKeyAnnouncements(ctx); err != nil || len(pending) != 0 {
		t.Errorf("UnpublishedKeyAnnouncements() = %v, %v; want none left", pending, err)
	}
	// A site enrolling now pins every key, the rotated ones included.
	late := bareSite(t, "Rettungsdienst")
	h.enroll(t, late, newSite(t, late))
	if got := pinned(t, late); !slices.Equal(got, want) {
		t.Errorf("a site enrolled after the rotations pinned %v, want %v", got, want)
	}
}

func TestKeyAnnouncement_ForgedRejected(t *testing.T) {
	ctx := t.Context()
	h := startHub(t)
	n := bareSite(t, "Klinikum")
	h.enroll(t, n, newSite(t, n))
	before := pinned(t, n)
	hubKey := before[0]

	evil1, _ := alert.GenerateKey()
	evil2, _ := alert.GenerateKey()
	// Vouched for by a key the site never pinned.
	unknown, err := alert.AnnounceKey(evil1, evil2, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Claims the hub's key vouched for it; that signature is the attacker's.
	env, ka, err := alert.ParseKeyAnnouncement(unknown)
	if err != nil {
		t.Fatal(err)
	}
	ka.PreviousKeyID = hubKey
	env.Announcement, _ = json.Marshal(ka)
	env.Signatures[0].KeyID = hubKey
	env.Signatures[0].Signature = ed25519.Sign(evil1, append([]byte("ward-key-v1\n"), env.Announcement...))
	env.Signatures[1].Signature = ed25519.Sign(evil2, append([]byte("ward-key-v1\n"), env.Announcement...))
	claimed, _ := json.Marshal(env)
	// Unsigned, and not even well formed.
	unsigned := bytes.Replace(claimed, []byte(`"signatures":[`), []byte(`"signatures":[],"x":[`), 1)
	for i, msg := range [][]byte{unknown, claimed, unsigned} {
		if _, err := h.net.Announce(ctx, "forged/"+string(rune('a'+i)), msg); err != nil {
			t.Fatal(err)
		}
	}
	// An alert the attacker's announced key signed.
	forged := newAlert("Install this urgent update from evil.example")
	forged.ID, forged.Issued, forged.Sequence = "WA-2026-999999", time.Now().UTC(), 999999
	fenv, err := alert.NewSigner(evil2).Sign(forged)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(fenv)
	if _, err := h.net.Publish(ctx, forged, data); err != nil {
		t.Fatal(err)
	}
	good, err := h.hub.Publish(ctx, newAlert("Genuine alert"), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the genuine alert", func() bool { return holds(t, n, good.ID) })
	if got := pinned(t, n); !slices.Equal(got, before) {
		t.Errorf("pinned keys after forged announcements = %v, want %v", got, before)
	}
	if c := auditCount(t, n, "hub_key.rejected"); c != 3 {
		t.Errorf("audit log holds %d rejected key announcements, want 3", c)
	}
	if c := auditCount(t, n, "alert.rejected"); c != 1 {
		t.Errorf("audit log holds %d rejected alerts, want 1", c)
	}
	if c := auditCount(t, n, "hub_key.pinned"); c != 0 {
		t.Errorf("audit log holds %d pinned keys, want none", c)
	}
}

func TestEnroll_TLS(t *testing.T) {
	ctx := t.Context()
	cert := testenv.SelfSigned(t)
	h := startHubTLS(t, &cert)
	n := bareSite(t, "Klinikum")
	l := h.enroll(t, n, newSite(t, n))
	if !bytes.HasPrefix([]byte(l.NATSURL), []byte("tls://")) || !bytes.Equal(l.NATSCA, cert.CertPEM) {
		t.Fatalf("enrolment gave %s and %d bytes of certificates, want tls:// and the hub's certificate", l.NATSURL, len(l.NATSCA))
	}
	rec, err := h.hub.Publish(ctx, newAlert("Over TLS"), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the alert over TLS", func() bool { return holds(t, n, rec.ID) })

	// Without TLS, or without trusting the hub's certificate, the site is
	// refused; so is any plain connection.
	for name, edit := range map[string]func(l *store.HubLink){
		"plain":               func(l *store.HubLink) { l.NATSURL, l.NATSCA = "nats://"+l.NATSURL[len("tls://"):], nil },
		"certificate unknown": func(l *store.HubLink) { l.NATSCA = nil },
	} {
		t.Run(name, func(t *testing.T) {
			bad := l
			edit(&bad)
			s := newSite(t, n)
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := s.Connect(cctx, bad); err == nil {
				t.Errorf("Connect(%s) = nil, want refused", bad.NATSURL)
			}
		})
	}
	if nc, err := nats.Connect("nats://" + l.NATSURL[len("tls://"):]); err == nil {
		nc.Close()
		t.Error("a plain NATS connection was accepted")
	}
}

// TestKeyAnnouncement_RetiredKeyRefused checks that a retired hub key,
// stolen perhaps, cannot bring in a key of its own: only the current key
// vouches for the next one.
func TestKeyAnnouncement_RetiredKeyRefused(t *testing.T) {
	ctx := t.Context()
	h := startHub(t)
	n := bareSite(t, "Klinikum")
	h.enroll(t, n, newSite(t, n))
	keys, err := h.store.SigningKeys(ctx)
	if err != nil || len(keys) != 1 {
		t.Fatalf("SigningKeys() = %d, %v", len(keys), err)
	}
	retired := ed25519.PrivateKey(keys[0].Private)
	if _, err := h.hub.RotateKey(ctx); err != nil {
		t.Fatal(err)
	}
	rotated, err := h.hub.Publish(ctx, newAlert("Signed with the new key"), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the alert signed with the new key", func() bool { return holds(t, n, rotated.ID) })
	before := pinned(t, n)

	evil, _ := alert.GenerateKey()
	msg, err := alert.AnnounceKey(retired, evil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.net.Announce(ctx, "retired-vouches", msg); err != nil {
		t.Fatal(err)
	}
	good, err := h.hub.Publish(ctx, newAlert("Genuine alert"), "analyst")
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the genuine alert", func() bool { return holds(t, n, rotated.ID, good.ID) })
	if got := pinned(t, n); !slices.Equal(got, before) {
		t.Errorf("pinned keys after a retired key's announcement = %v, want %v", got, before)
	}
	if c := auditCount(t, n, "hub_key.rejected"); c != 1 {
		t.Errorf("audit log holds %d rejected key announcements, want 1", c)
	}
}
