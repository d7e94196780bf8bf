package web

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ward-health/ward/internal/store"
)

func TestDecodeKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  store.FindingKey
	}{
		{"full", store.FindingKey{AssetID: "pump/1", AdvisoryID: "ICSMA-24-1", VulnID: "CVE-2024-1", Component: "openssl 1.1.1"}},
		{"no vuln", store.FindingKey{AssetID: "a", AdvisoryID: "b"}},
		{"unicode", store.FindingKey{AssetID: "Röntgen ü", AdvisoryID: "<x>&\"'"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeKey(encodeKey(tc.key))
			if err != nil {
				t.Fatalf("decodeKey(encodeKey()) = %v", err)
			}
			if d := cmp.Diff(tc.key, got); d != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", d)
			}
		})
	}
	for _, bad := range []string{"", "!!", "bnVsbA", "WyJhIl0", "WyIiLCIiLCIiLCIiXQ"} {
		if _, err := decodeKey(bad); err != store.ErrNotFound {
			t.Errorf("decodeKey(%q) = %v, want ErrNotFound", bad, err)
		}
	}
}

func TestDueWords(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 7, 40, 0, 0, time.UTC)
	tests := []struct {
		name        string
		due         time.Time
		want        string
		wantOverdue bool
	}{
		{"none", time.Time{}, "", false},
		{"in 2 days", now.Add(48 * time.Hour), "due in 2 days", false},
		{"tomorrow", now.Add(20 * time.Hour), "due tomorrow", false},
		{"later today", now.Add(time.Hour), "due today", false},
		{"earlier today", now.Add(-time.Hour), "due today", true},
		{"yesterday", now.Add(-24 * time.Hour), "overdue by 1 day", true},
		{"3 days ago", now.Add(-72 * time.Hour), "overdue by 3 days", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, overdue := dueWords(tc.due, now)
			if got != tc.want || overdue != tc.wantOverdue {
				t.Errorf("dueWords() = %q, %v, want %q, %v", got, overdue, tc.want, tc.wantOverdue)
			}
		})
	}
}
