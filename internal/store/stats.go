package store

import (
	"context"
	"fmt"
	"time"

	"github.com/ward-health/ward/internal/risk"
)

// Stats answers the questions the overview charts and reports ask of an
// organisation's findings. Like every other part of the contract it is
// scoped to one organisation: an unknown organisation has no findings.
type Stats interface {
	// FindingTrend returns how many of org's findings were open ([OpenStates])
	// at since, since+step, ... up to and including until, by decision. A
	// finding counts from its FirstSeen in state new, then follows its
	// history; its decision is the one it has now (decisions are not
	// versioned). It returns ErrInvalid when step is not positive, until is
	// before since, or the range holds more than [MaxTrendPoints] points.
	FindingTrend(ctx context.Context, org string, since, until time.Time, step time.Duration) ([]TrendPoint, error)
	// ExposureBreakdown counts org's open findings ([OpenStates]) and the
	// assets they are on, by the assets' effective clinical role and by
	// zone. Findings of deleted assets are left out.
	ExposureBreakdown(ctx context.Context, org string) (Exposure, error)
	// KnownAssetIDs returns which of ids are IDs of org's assets, in no
	// particular order. An import preview uses it to tell additions from
	// updates.
	KnownAssetIDs(ctx context.Context, org string, ids []string) ([]string, error)
}

// OpenStates are the states of a finding that still needs work: what the
// overview calls open.
var OpenStates = []FindingState{StateNew, StateOpen, StateInProgress}

// MaxTrendPoints bounds the points of one [Stats.FindingTrend].
const MaxTrendPoints = 1000

// TrendPoint is how many findings were open at a time, by decision.
type TrendPoint struct {
	At time.Time
	// Open counts open findings by decision; a decision with none is absent.
	// Findings without a decision count under "".
	Open map[risk.Decision]int
}

// Total returns the open findings of all decisions.
func (p TrendPoint) Total() int {
	n := 0
	for _, c := range p.Open {
		n += c
	}
	return n
}

// CheckTrend returns ErrInvalid for a trend range [Stats.FindingTrend]
// refuses, and else the number of points it has.
func CheckTrend(since, until time.Time, step time.Duration) (int, error) {
	switch {
	case step <= 0:
		return 0, fmt.Errorf("%w: step %v: want a positive duration", ErrInvalid, step)
	case until.Before(since):
		return 0, fmt.Errorf("%w: until %v is before since %v", ErrInvalid, until, since)
	}
	n := until.Sub(since)/step + 1
	if n > MaxTrendPoints {
		return 0, fmt.Errorf("%w: %d points: want at most %d", ErrInvalid, n, MaxTrendPoints)
	}
	return int(n), nil
}

// Exposure is an organisation's open findings by clinical role and zone.
type Exposure struct {
	// ByRole has one group per effective clinical role that has open
	// findings, in the order of inventory.ClinicalRoles.
	ByRole []ExposureGroup
	// ByZone has one group per zone that has open findings, by name; assets
	// without a zone are under "".
	ByZone []ExposureGroup
}

// ExposureGroup is the open findings of one clinical role or zone.
type ExposureGroup struct {
	Name string
	// Assets counts the group's assets with at least one open finding.
	Assets int
	// Findings counts its open findings by decision.
	Findings map[risk.Decision]int
}

// Total returns the group's open findings of all decisions.
func (g ExposureGroup) Total() int {
	n := 0
	for _, c := range g.Findings {
		n += c
	}
	return n
}
