package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/store"
)

// testChannels covers [store.Notifications]: round trips, order, isolation
// and validation.
func testChannels(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := MustOrg(t, s, "Klinikum").ID, MustOrg(t, s, "Praxis").ID
	mail, err := s.AddChannel(ctx, a, store.Channel{Kind: store.ChannelEmail, Target: "it@klinikum.example, oncall@klinikum.example", MinSeverity: "high"})
	if err != nil {
		t.Fatalf("AddChannel(email) = %v", err)
	}
	hook, err := s.AddChannel(ctx, a, store.Channel{Kind: store.ChannelWebhook, Target: "https://siem.klinikum.example/ward", MinSeverity: "low", Secret: "s3cret"})
	if err != nil {
		t.Fatalf("AddChannel(webhook) = %v", err)
	}
	if _, err := s.AddChannel(ctx, b, store.Channel{Kind: store.ChannelSyslog, Target: "udp://10.0.0.5:514", MinSeverity: "critical"}); err != nil {
		t.Fatalf("AddChannel(syslog) = %v", err)
	}
	got, err := s.ListChannels(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]store.Channel{mail, hook}, got); d != "" {
		t.Errorf("ListChannels(a) (-want +got):\n%s", d)
	}
	// Another organisation's channel can be neither seen nor removed.
	if err := s.RemoveChannel(ctx, b, mail.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RemoveChannel(other org's) = %v, want ErrNotFound", err)
	}
	if err := s.RemoveChannel(ctx, a, mail.ID); err != nil {
		t.Fatalf("RemoveChannel() = %v", err)
	}
	if got, _ := s.ListChannels(ctx, a); len(got) != 1 || got[0].ID != hook.ID {
		t.Errorf("after removal: %v, want the webhook only", got)
	}
	if _, err := s.AddChannel(ctx, "org_missing", store.Channel{Kind: store.ChannelEmail, Target: "a@b.example", MinSeverity: "low"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AddChannel(unknown org) = %v, want ErrNotFound", err)
	}
	for _, tc := range []struct {
		c     store.Channel
		field string
	}{
		{store.Channel{Kind: "sms", Target: "+49", MinSeverity: "low"}, "kind"},
		{store.Channel{Kind: store.ChannelEmail, Target: "not an address", MinSeverity: "low"}, "target"},
		{store.Channel{Kind: store.ChannelWebhook, Target: "http://siem.example/x", MinSeverity: "low"}, "target"},
		{store.Channel{Kind: store.ChannelSyslog, Target: "10.0.0.5", MinSeverity: "low"}, "target"},
		{store.Channel{Kind: store.ChannelEmail, Target: "a@b.example", MinSeverity: "urgent"}, "min_severity"},
		{store.Channel{Kind: store.ChannelEmail, Target: "a@b.example", MinSeverity: "low", Secret: "x"}, "secret"},
	} {
		_, err := s.AddChannel(ctx, a, tc.c)
		if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("AddChannel(%+v) = %v, want ErrInvalid naming %s", tc.c, err, tc.field)
		}
	}
	hc := store.Channel{MinSeverity: "high"}
	for sev, want := range map[string]bool{"critical": true, "high": true, "medium": false, "low": false, "bogus": false} {
		if hc.Wants(sev) != want {
			t.Errorf("Wants(%q) with min high = %v, want %v", sev, !want, want)
		}
	}
}
