package demo

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/ward-health/ward/internal/engine"
	"github.com/ward-health/ward/internal/ews"
	"github.com/ward-health/ward/internal/store"
)

// SeedAlert has the demo's hub publish one alert, on a hub that has
// published none: the CISA KEV entry that most demo sites have open
// findings of (ransomware use, then the latest addition, breaking ties),
// so that the first look at the sites' Alerts pages and the hub's shows the
// network at work. It returns the alert's ID, or "" when it published none.
func SeedAlert(ctx context.Context, s store.Store, hub *ews.Hub, cat *engine.Catalog) (string, error) {
	published, err := s.ListHubAlerts(ctx, store.ListOptions{Limit: 1})
	if err != nil || len(published.Items) > 0 {
		return "", err
	}
	orgs, err := store.All(ctx, s.ListOrgs)
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	sites := map[string]map[string]bool{} // CVE -> organisations with an open finding of it
	for _, o := range orgs {
		if o.Kind == store.KindHub {
			continue
		}
		findings, err := store.All(ctx, func(ctx context.Context, opts store.ListOptions) (store.Page[store.FindingRecord], error) {
			return s.ListFindings(ctx, o.ID, store.FindingFilter{KEVOnly: true, States: store.OpenStates}, opts)
		})
		if err != nil {
			return "", fmt.Errorf("demo: %w", err)
		}
		for _, f := range findings {
			if _, ok := cat.Set.KEV[f.Key.VulnID]; !ok {
				continue
			}
			if sites[f.Key.VulnID] == nil {
				sites[f.Key.VulnID] = map[string]bool{}
			}
			sites[f.Key.VulnID][o.ID] = true
		}
	}
	if len(sites) == 0 {
		return "", nil
	}
	rank := func(cve string) int { // sites first, then ransomware use
		r := 2 * len(sites[cve])
		if cat.Set.KEV[cve].KnownRansomware {
			r++
		}
		return r
	}
	cves := slices.SortedFunc(maps.Keys(sites), func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(b), rank(a)), cat.Set.KEV[b].DateAdded.Compare(cat.Set.KEV[a].DateAdded), cmp.Compare(a, b))
	})
	rec, err := hub.Publish(ctx, ews.KEVAlert(cat, cves[0]), "demo")
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	return rec.ID, nil
}
