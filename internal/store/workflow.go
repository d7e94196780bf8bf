package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/risk"
)

// Comments adds notes to findings.
type Comments interface {
	// CommentFinding appends a comment by actor to the finding's history
	// (an event whose From and To are its current state) and returns the
	// event. It returns ErrNotFound, or ErrInvalid without an actor or a
	// comment, or with one that is too long.
	CommentFinding(ctx context.Context, org string, key FindingKey, actor, comment string) (FindingEvent, error)
}

// Verdicts stores what people decided about "possible" matches: whether an
// asset is, or is not, the product an advisory names. A verdict holds for
// the asset and product, not for one advisory: the exposure engine applies
// it to every later scan ([Verdict]).
type Verdicts interface {
	// JudgeFinding records j on the match of org's finding key: its asset
	// is (confirmed) or is not (rejected) the product the finding names
	// (Item.Product). It replaces an earlier verdict on the same asset and
	// product ([ProductKey]) and, in the same transaction, applies it to
	// org's findings of that asset and product:
	//   - confirmed: their match becomes confirmed and new ones move to open;
	//     ones an earlier rejection made not_affected reopen;
	//   - rejected: live ones that may move there become not_affected with
	//     the justification component_not_present and the note as reason.
	// Each change is written to the finding's history. It returns
	// ErrNotFound for an unknown finding, and ErrInvalid when j fails
	// [Judgement.Validate], the finding names no product, or its match is
	// confirmed by identifiers and was never judged.
	JudgeFinding(ctx context.Context, org string, key FindingKey, j Judgement) (Verdict, error)
	// ListVerdicts pages through org's verdicts by asset and product key.
	ListVerdicts(ctx context.Context, org string, opts ListOptions) (Page[Verdict], error)
	// DeleteVerdict forgets org's verdict on asset and product (any
	// spelling with the same [ProductKey]), or returns ErrNotFound.
	// Findings keep their state; the next scan no longer applies it.
	DeleteVerdict(ctx context.Context, org, assetID, product string) error
}

// Settings stores each organisation's settings.
type Settings interface {
	// OrgPolicy returns org's due-date policy; a new organisation's is
	// empty. It returns ErrNotFound for an unknown organisation.
	OrgPolicy(ctx context.Context, org string) (DuePolicy, error)
	// SetOrgPolicy replaces org's due-date policy. It returns ErrInvalid
	// when p fails [DuePolicy.Validate] and ErrNotFound for an unknown
	// organisation.
	SetOrgPolicy(ctx context.Context, org string, p DuePolicy) error
}

// Outcome is what a person decided about a possible match.
type Outcome string

// The outcomes.
const (
	Confirmed Outcome = "confirmed" // the asset is the product: the finding applies
	Rejected  Outcome = "rejected"  // the asset is not the product: not affected
)

// Judgement is a person's verdict on a finding's match.
type Judgement struct {
	Outcome Outcome
	Actor   string // who decided; required
	Note    string // why; optional
}

// Validate returns ErrInvalid for an unknown outcome, a missing actor or a
// note that is too long.
func (j *Judgement) Validate() error {
	if j.Outcome != Confirmed && j.Outcome != Rejected {
		return fmt.Errorf("%w: outcome %q: want %s or %s", ErrInvalid, j.Outcome, Confirmed, Rejected)
	}
	return cmp.Or(CheckText("actor", j.Actor, true, MaxName), CheckText("note", j.Note, false, MaxText))
}

// Verdict is a stored judgement on an asset and a product.
type Verdict struct {
	AssetID string
	// Product is the product as the judged finding named it; verdicts are
	// keyed by its [ProductKey].
	Product string
	Outcome Outcome
	Note    string
	Actor   string
	At      time.Time
	// AdvisoryID and VulnID name the finding that was judged.
	AdvisoryID string
	VulnID     string
}

// ProductKey is how verdicts compare product names: lower case, with runs
// of white space made one space, so that "GE  HealthCare X" and
// "ge healthcare x" are one product.
func ProductKey(product string) string {
	return strings.ToLower(strings.Join(strings.Fields(product), " "))
}

// Due-date policy bounds, in days.
const MaxDueDays = 3650

// DuePolicy is an organisation's due dates: how many days each decision may
// wait. Decisions it does not name keep the node's default.
type DuePolicy struct {
	Days map[risk.Decision]int
}

// Validate returns ErrInvalid for an unknown decision or days outside 0 to
// [MaxDueDays].
func (p *DuePolicy) Validate() error {
	for _, d := range slices.Sorted(maps.Keys(p.Days)) {
		if !slices.Contains(risk.Decisions, d) {
			return fmt.Errorf("%w: decision %q: want one of %v", ErrInvalid, d, risk.Decisions)
		}
		if n := p.Days[d]; n < 0 || n > MaxDueDays {
			return fmt.Errorf("%w: %s: %d days: want 0 to %d", ErrInvalid, d, n, MaxDueDays)
		}
	}
	return nil
}

// Over returns base with p's days in place of base's for the decisions p
// names. A base without due dates counts as [risk.DefaultPolicy].
func (p DuePolicy) Over(base risk.Policy) risk.Policy {
	if base.Due == nil {
		base = risk.DefaultPolicy()
	}
	out := risk.Policy{Due: make(map[risk.Decision]time.Duration, len(base.Due))}
	for d, v := range base.Due {
		out.Due[d] = v
	}
	for d, n := range p.Days {
		out.Due[d] = time.Duration(n) * 24 * time.Hour
	}
	return out
}
