package ews_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/alert"
	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/testenv"
)

func TestRules_Raise(t *testing.T) {
	ctx := t.Context()
	set, err := advisory.Load(ctx, []string{
		testenv.SharedData(t, "csaf", "cisa-icsma"), testenv.SharedData(t, "csaf", "cisa-icsa-2024"),
		testenv.SharedData(t, "kev", "known_exploited_vulnerabilities.json"),
	}, advisory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Store: openNode(t, "hub").store, Base: set})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	cat := eng.Catalog()

	// Real KEV entries, one of them used by ransomware; a real medical
	// advisory scored 9 or more and a real industrial one.
	var kev, ransomware []string
	for cve, e := range set.KEV {
		if e.KnownRansomware && len(ransomware) == 0 {
			ransomware = append(ransomware, cve)
		} else if len(kev) < 4 {
			kev = append(kev, cve)
		}
	}
	var medical, industrial *advisory.Advisory
	for _, a := range set.Advisories {
		score := 0.0
		for _, v := range a.Vulnerabilities {
			score = max(score, v.CVSS)
		}
		switch {
		case score < 9 || a.Published.IsZero():
		case strings.HasPrefix(a.ID, "ICSMA-") && medical == nil:
			medical = a
		case strings.HasPrefix(a.ID, "ICSA-") && !ews.Medical(a) && industrial == nil:
			industrial = a
		}
	}
	if len(ransomware) == 0 || len(kev) < 4 || medical == nil || industrial == nil {
		t.Fatalf("the shared data lacks what the test needs: %v %v %v %v", ransomware, kev, medical, industrial)
	}

	n := openNode(t, "hub")
	now := medical.Published.Add(24 * time.Hour)
	h, err := ews.NewHub(ctx, ews.HubConfig{Store: n.store, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rules := ews.Rules{KEV: true, MinCVSS: 9, MedicalOnly: true}
	rep := &engine.SyncReport{Feed: "kev", KEVAdded: slices.Concat(ransomware, kev[:1])}
	if got := h.Raise(ctx, rules, rep, cat); len(got) != 2 {
		t.Fatalf("Raise(two KEV additions) = %v, want two alerts", got)
	}
	// A sync of advisories: the medical one is news, the industrial one
	// is not (medical only), and neither is a medical one from long ago.
	rep = &engine.SyncReport{Feed: "csaf", Added: []string{medical.ID, industrial.ID}}
	if got := h.Raise(ctx, rules, rep, cat); len(got) != 1 {
		t.Fatalf("Raise(medical and industrial advisories) = %v, want one alert", got)
	}
	later, err := ews.NewHub(ctx, ews.HubConfig{Store: n.store, Now: func() time.Time { return now.Add(60 * 24 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := later.Raise(ctx, rules, rep, cat); len(got) != 0 {
		t.Errorf("Raise() of a two-month-old advisory = %v, want none", got)
	}
	// One sync raises at most MaxPerSync alerts.
	rules.MaxPerSync = 2
	if got := h.Raise(ctx, rules, &engine.SyncReport{Feed: "kev", KEVAdded: kev}, cat); len(got) != 2 {
		t.Errorf("Raise(4 KEV additions, at most 2) = %v, want 2", got)
	}

	p, err := n.store.ListHubAlerts(ctx, store.ListOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 5 {
		t.Fatalf("the outbox holds %d alerts, want 5", len(p.Items))
	}
	byRule := map[string]int{}
	for _, a := range p.Items {
		byRule[a.CreatedBy]++
		if a.Title == "" || !a.PublishedAt.IsZero() {
			t.Errorf("alert %+v: want a title, queued in the outbox", a)
		}
	}
	if byRule["rule:kev"] != 4 || byRule["rule:cvss>=9"] != 1 {
		t.Errorf("alerts by rule = %v, want 4 KEV and 1 CVSS", byRule)
	}
	// The ransomware one is critical and says so.
	oldest := p.Items[len(p.Items)-1]
	if oldest.Severity != string(alert.Critical) || !strings.Contains(oldest.Title, ransomware[0]) {
		t.Errorf("the ransomware KEV alert = %q (%s), want critical naming %s", oldest.Title, oldest.Severity, ransomware[0])
	}
}
