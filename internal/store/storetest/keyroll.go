package storetest

import (
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/testenv"
)

// testKeyRollover rotates the hub's key with its announcement in the
// outbox, and checks that a stale rotation changes nothing.
func testKeyRollover(t *testing.T, s store.Store) {
	ctx := t.Context()
	k1 := store.SigningKey{ID: "k1", Public: key(1, 32), Private: key(2, 64), CreatedAt: day(0)}
	k2 := store.SigningKey{ID: "k2", Public: key(3, 32), Private: key(4, 64), CreatedAt: day(1)}
	k3 := store.SigningKey{ID: "k3", Public: key(5, 32), Private: key(6, 64), CreatedAt: day(2)}
	wantErr(t, "RotateSigningKey(no current key)", s.RotateSigningKey(ctx, "k0", k1, []byte(`{"k":1}`)), store.ErrNotFound)
	wantErr(t, "AddSigningKey(k1)", s.AddSigningKey(ctx, k1), nil)
	wantErr(t, "RotateSigningKey(k2)", s.RotateSigningKey(ctx, "k1", k2, []byte(`{"k":2}`)), nil)

	// A second operator who still saw k1 as current loses: nothing changes.
	wantErr(t, "RotateSigningKey(stale prev)", s.RotateSigningKey(ctx, "k1", k3, []byte(`{"k":3}`)), store.ErrConflict)
	again := k1
	again.CreatedAt = day(3)
	wantErr(t, "RotateSigningKey(known ID)", s.RotateSigningKey(ctx, "k2", again, []byte(`{"k":1}`)), store.ErrConflict)
	wantInvalid(t, "RotateSigningKey(no announcement)", s.RotateSigningKey(ctx, "k2", k3, nil), "announcement")
	wantInvalid(t, "RotateSigningKey(bad key)", s.RotateSigningKey(ctx, "k2", store.SigningKey{ID: "x", Public: key(1, 31), Private: key(1, 64)}, []byte("{}")), "public")
	keys, err := s.SigningKeys(ctx)
	wantErr(t, "SigningKeys()", err, nil)
	r1 := k1
	r1.RetiredAt = day(1)
	if d := cmp.Diff([]store.SigningKey{k2, r1}, keys); d != "" {
		t.Errorf("SigningKeys() after the rotation mismatch (-want +got):\n%s", d)
	}

	wantErr(t, "RotateSigningKey(k3)", s.RotateSigningKey(ctx, "k2", k3, []byte(`{"k":3}`)), nil)
	anns, err := s.UnpublishedKeyAnnouncements(ctx)
	wantErr(t, "UnpublishedKeyAnnouncements()", err, nil)
	want := []store.KeyAnnouncement{
		{KeyID: "k2", Envelope: []byte(`{"k":2}`), CreatedAt: day(1)},
		{KeyID: "k3", Envelope: []byte(`{"k":3}`), CreatedAt: day(2)},
	}
	if d := cmp.Diff(want, anns); d != "" {
		t.Errorf("UnpublishedKeyAnnouncements() mismatch (-want +got):\n%s", d)
	}
	wantErr(t, "MarkKeyAnnouncementPublished(k2)", s.MarkKeyAnnouncementPublished(ctx, "k2", day(4)), nil)
	wantErr(t, "MarkKeyAnnouncementPublished(k2 again)", s.MarkKeyAnnouncementPublished(ctx, "k2", day(5)), nil)
	wantErr(t, "MarkKeyAnnouncementPublished(k1: never announced)", s.MarkKeyAnnouncementPublished(ctx, "k1", day(4)), store.ErrNotFound)
	wantInvalid(t, "MarkKeyAnnouncementPublished(no time)", s.MarkKeyAnnouncementPublished(ctx, "k3", time.Time{}), "at")
	anns, err = s.UnpublishedKeyAnnouncements(ctx)
	wantErr(t, "UnpublishedKeyAnnouncements()", err, nil)
	if d := cmp.Diff(want[1:], anns); d != "" {
		t.Errorf("UnpublishedKeyAnnouncements() after publishing k2 mismatch (-want +got):\n%s", d)
	}
}

// testPinHubKey pins a hub's announced keys, with the cursor, once.
func testPinHubKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Klinikum").ID
	_, err := s.PinHubKey(ctx, org, key(1, 32), 1)
	wantErr(t, "PinHubKey(no hub link)", err, store.ErrNotFound)
	mustLink(t, s, org, newLink("site_k", 3)) // pins key(7) and key(8)

	for _, tc := range []struct {
		name       string
		key        []byte
		seq        uint64
		want       bool
		wantCursor uint64
	}{
		{"old seq", key(9, 32), 3, false, 3},
		{"new key", key(9, 32), 4, true, 4},
		{"announced again", key(9, 32), 5, false, 5},
		{"pinned at enrolment", key(7, 32), 6, false, 6},
		{"another", key(10, 32), 8, true, 8},
	} {
		got, err := s.PinHubKey(ctx, org, tc.key, tc.seq)
		wantErr(t, "PinHubKey("+tc.name+")", err, nil)
		if got != tc.want {
			t.Errorf("PinHubKey(%s) = %v, want %v", tc.name, got, tc.want)
		}
		if c := cursor(t, s, org); c != tc.wantCursor {
			t.Errorf("cursor after %s = %d, want %d", tc.name, c, tc.wantCursor)
		}
	}
	_, err = s.PinHubKey(ctx, org, key(11, 31), 9)
	wantInvalid(t, "PinHubKey(short key)", err, "key")
	l, err := s.HubLink(ctx, org)
	wantErr(t, "HubLink()", err, nil)
	if d := cmp.Diff([][]byte{key(10, 32), key(9, 32), key(7, 32), key(8, 32)}, l.HubKeys); d != "" {
		t.Errorf("pinned keys mismatch (-want +got):\n%s", d)
	}
	if l.Cursor != 8 {
		t.Errorf("cursor after a refused pin = %d, want 8", l.Cursor)
	}
}

// testHubLinkCA keeps the certificates a site trusts for its hub's NATS
// server, and refuses what is not one.
func testHubLinkCA(t *testing.T, s store.Store) {
	ctx := t.Context()
	org := MustOrg(t, s, "Praxis").ID
	l := newLink("site_p", 0)
	l.NATSURL, l.NATSCA = "tls://hub.example.org:4222", testenv.SelfSigned(t).CertPEM
	mustLink(t, s, org, l)
	l.OrgID = org
	got, err := s.HubLink(ctx, org)
	wantErr(t, "HubLink()", err, nil)
	if d := cmp.Diff(l, got); d != "" {
		t.Errorf("HubLink() with a CA mismatch (-want +got):\n%s", d)
	}
	for name, ca := range map[string][]byte{
		"not PEM":      []byte("hello"),
		"a key":        pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}),
		"garbage cert": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}}),
		"trailing":     append(testenv.SelfSigned(t).CertPEM, "junk"...),
	} {
		bad := newLink("site_p", 0)
		bad.NATSCA = ca
		wantInvalid(t, "SetHubLink(nats_ca "+name+")", s.SetHubLink(ctx, org, bad), "nats_ca")
	}
}

// testKeyRolloverRace rotates from the same key at once, as two operators
// or hub nodes might: one wins, every other gets ErrConflict.
func testKeyRolloverRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	wantErr(t, "AddSigningKey(k1)", s.AddSigningKey(ctx, store.SigningKey{ID: "k1", Public: key(1, 32), Private: key(2, 64), CreatedAt: day(0)}), nil)
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			k := store.SigningKey{ID: fmt.Sprintf("r%d", i), Public: key(byte(10+i), 32), Private: key(byte(20+i), 64), CreatedAt: day(1)}
			errs[i] = s.RotateSigningKey(ctx, "k1", k, []byte(`{}`))
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("rotation %d = %v, want nil or ErrConflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d rotations from the same key won, want 1", won, n)
	}
}
