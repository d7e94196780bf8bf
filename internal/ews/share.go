package ews

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/store"
)

// ShareAssets switches on, for org's alert id, the sharing of the affected
// assets' details with the hub (by is who decided; the audit log records
// it), and sends the hub a report that carries them. Later reports on the
// alert carry them too. It cannot be switched off: the hub holds what it
// was sent. The choice is stored even when the hub is not reachable; the
// error then says so, and the next report (a recheck, an
// acknowledgement) carries the details.
func (s *Site) ShareAssets(ctx context.Context, org, id, by string) (store.ReceivedAlert, error) {
	return s.withAlert(ctx, org, id, func(rec store.ReceivedAlert, exp *exposure) (store.ReceivedAlert, error) {
		if rec.SharedAt.IsZero() {
			var err error
			if rec, err = s.cfg.Store.ShareAlertAssets(ctx, org, id, by, s.cfg.Now().UTC()); err != nil {
				return rec, err
			}
			if _, err := s.cfg.Store.AppendAudit(ctx, org, by, "alert.share_assets", id+": asset details shared with the hub"); err != nil {
				return rec, err
			}
		}
		if err := s.report(ctx, rec, exp); err != nil {
			return rec, fmt.Errorf("share assets: %w: %w", ErrHubNotTold, err)
		}
		return rec, nil
	})
}

// sharedAssets returns the identity of the assets in exp that org has, by
// ID, at most maxShared of them: what the hub learns when the site shares.
func (s *Site) sharedAssets(ctx context.Context, org string, exp *exposure) ([]SharedAsset, error) {
	ids := slices.Sorted(maps.Keys(exp.decision))
	if len(ids) > maxShared {
		ids = ids[:maxShared]
	}
	assets, err := store.AssetsByID(ctx, s.cfg.Store, org, ids)
	if err != nil {
		return nil, err
	}
	out := make([]SharedAsset, 0, len(ids))
	for _, id := range ids {
		sa := SharedAsset{ID: id, Decision: string(exp.decision[id])}
		if i, ok := slices.BinarySearchFunc(assets, id, func(a inventory.Asset, id string) int { return strings.Compare(a.ID, id) }); ok {
			a := assets[i]
			sa.Name, sa.Vendor, sa.Product, sa.Version = a.Name, a.Vendor, a.Product, a.Version
		}
		out = append(out, sa)
	}
	return out, nil
}
