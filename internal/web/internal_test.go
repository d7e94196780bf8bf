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

// TestReportTrend replays a report history: at each step every site counts
// with its newest report so far.
func TestReportTrend(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return start.Add(time.Duration(min) * time.Minute) }
	history := []store.ExposureReport{
		{SiteID: "a", At: at(0), Affected: true},
		{SiteID: "b", At: at(5)},
		{SiteID: "a", At: at(10), Acknowledged: true, Affected: true},
		{SiteID: "a", At: at(20), Acknowledged: true, Mitigated: 3},
	}
	sites, mitigated := reportTrend(history, start, at(24)) // a step a minute
	values := func(i int) []int { return sites.Series[i].Values }
	pick := func(v []int) []int { return []int{v[0], v[4], v[5], v[10], v[19], v[20], v[24]} }
	for _, tc := range []struct {
		name string
		got  []int
		want []int
	}{
		{"reached", pick(values(0)), []int{1, 1, 2, 2, 2, 2, 2}},
		{"acknowledged", pick(values(1)), []int{0, 0, 0, 1, 1, 1, 1}},
		{"affected", pick(values(2)), []int{1, 1, 1, 1, 1, 0, 0}},
		{"mitigated", pick(mitigated.Series[0].Values), []int{0, 0, 0, 0, 0, 3, 3}},
	} {
		if d := cmp.Diff(tc.want, tc.got); d != "" {
			t.Errorf("reportTrend() %s at 0, 4, 5, 10, 19, 20, 24 min mismatch (-want +got):\n%s", tc.name, d)
		}
	}
	if n := len(values(0)); n != trendPoints+1 {
		t.Errorf("reportTrend() has %d points, want %d", n, trendPoints+1)
	}
}
