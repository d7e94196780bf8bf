package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/scan"
	"github.com/ward-health/ward/internal/store"
)

// assessAndSync matches org's assets against the catalog with org's
// due-date policy over the engine's, applies the verdicts people gave on
// possible matches ([ApplyVerdicts]), stores the findings and moves those
// of rejected matches that are still live to not_affected.
func (e *Engine) assessAndSync(ctx context.Context, org string, assets []inventory.Asset, now time.Time) (*scan.Report, store.SyncCounts, error) {
	p, err := e.store.OrgPolicy(ctx, org)
	if err != nil {
		return nil, store.SyncCounts{}, err
	}
	verdicts, err := AllVerdicts(ctx, e.store, org)
	if err != nil {
		return nil, store.SyncCounts{}, err
	}
	rep := scan.Assess(assets, e.Catalog().Set, scan.Options{Now: now, Policy: p.Over(e.policy)})
	rejected := ApplyVerdicts(rep.Findings, verdicts)
	counts, err := e.store.SyncFindings(ctx, org, rep.Findings, now)
	if err != nil {
		return nil, store.SyncCounts{}, err
	}
	for _, r := range rejected {
		f, err := e.store.Finding(ctx, org, r.Key)
		if err != nil {
			return nil, store.SyncCounts{}, err
		}
		if !f.State.Live() || !f.State.CanMoveTo(store.StateNotAffected) {
			continue
		}
		reason := "Not this product (" + r.Verdict.Product + "), as " + r.Verdict.Actor + " decided on " + r.Verdict.At.Format("2 Jan 2006")
		if r.Verdict.Note != "" {
			reason += ": " + r.Verdict.Note
		}
		if _, err := e.store.UpdateFindingState(ctx, org, r.Key, store.Transition{
			To: store.StateNotAffected, Actor: store.SystemActor, Comment: "an earlier verdict applies",
			Reason: reason, Justification: store.ComponentNotPresent,
		}); err != nil {
			return nil, store.SyncCounts{}, fmt.Errorf("verdict on %v: %w", r.Key, err)
		}
	}
	if len(rejected) > 0 {
		e.log.DebugContext(ctx, "verdicts applied", slog.String("org", org), slog.Int("rejected", len(rejected)))
	}
	return rep, counts, nil
}

// AllVerdicts reads every verdict of org from s, page by page.
func AllVerdicts(ctx context.Context, s store.Verdicts, org string) ([]store.Verdict, error) {
	var out []store.Verdict
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		page, err := s.ListVerdicts(ctx, org, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Next == "" {
			return out, nil
		}
		opts.Cursor = page.Next
	}
}

// Rejection is a scan item that a rejected verdict says does not apply.
type Rejection struct {
	Key     store.FindingKey
	Verdict store.Verdict
}

// ApplyVerdicts applies verdicts to the possible matches among items, in
// place: a confirmed verdict on the item's asset and product
// ([store.ProductKey]) makes its match confirmed and says so in its
// evidence; a rejected one leaves the item as it is and is returned, so
// that its finding can be marked not affected. Confirmed matches are left
// alone: identifiers outrank a person's memory of a name.
func ApplyVerdicts(items []scan.Item, verdicts []store.Verdict) []Rejection {
	if len(verdicts) == 0 {
		return nil
	}
	type key struct{ asset, product string }
	by := make(map[key]*store.Verdict, len(verdicts))
	for i := range verdicts {
		v := &verdicts[i]
		by[key{v.AssetID, store.ProductKey(v.Product)}] = v
	}
	var rejected []Rejection
	for i := range items {
		it := &items[i]
		if it.Confidence != match.Possible || it.Product == "" {
			continue
		}
		v, ok := by[key{it.AssetID, store.ProductKey(it.Product)}]
		if !ok {
			continue
		}
		switch v.Outcome {
		case store.Confirmed:
			it.Confidence = match.Confirmed
			it.Evidence = strings.TrimSpace(it.Evidence + " Confirmed by " + v.Actor + " on " + v.At.Format("2 Jan 2006") + ": the asset is " + v.Product + ".")
		case store.Rejected:
			rejected = append(rejected, Rejection{Key: store.KeyOf(it), Verdict: *v})
		}
	}
	return rejected
}
