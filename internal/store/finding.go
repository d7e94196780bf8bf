package store

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// FindingState is where a finding is in its workflow.
type FindingState string

// The finding states. Scans create findings as new and resolve those no
// longer matched; people move them through the rest.
const (
	StateNew          FindingState = "new"           // found by a scan, nobody looked yet
	StateOpen         FindingState = "open"          // confirmed, to be worked on
	StateInProgress   FindingState = "in_progress"   // someone is working on it
	StateMitigated    FindingState = "mitigated"     // exposure reduced (ring-fenced, mitigation applied), flaw still there
	StateResolved     FindingState = "resolved"      // fixed, or no longer matched
	StateRiskAccepted FindingState = "risk_accepted" // accepted until AcceptExpiresAt, for Reason
	StateNotAffected  FindingState = "not_affected"  // the match does not apply (a VEX statement)
)

// FindingStates lists every state in workflow order.
var FindingStates = []FindingState{StateNew, StateOpen, StateInProgress, StateMitigated, StateResolved, StateRiskAccepted, StateNotAffected}

// transitions lists the states a person may move a finding to from each
// state. Nobody moves a finding to new; accepting again renews an acceptance.
var transitions = map[FindingState][]FindingState{
	StateNew:          {StateOpen, StateInProgress, StateMitigated, StateResolved, StateRiskAccepted, StateNotAffected},
	StateOpen:         {StateInProgress, StateMitigated, StateResolved, StateRiskAccepted, StateNotAffected},
	StateInProgress:   {StateOpen, StateMitigated, StateResolved, StateRiskAccepted, StateNotAffected},
	StateMitigated:    {StateOpen, StateInProgress, StateResolved, StateRiskAccepted, StateNotAffected},
	StateRiskAccepted: {StateOpen, StateInProgress, StateMitigated, StateResolved, StateRiskAccepted},
	StateNotAffected:  {StateOpen},
	StateResolved:     {StateOpen},
}

// CanMoveTo reports whether a person may move a finding from s to to.
func (s FindingState) CanMoveTo(to FindingState) bool {
	return slices.Contains(transitions[s], to)
}

// Live reports whether s describes exposure that still exists: a finding in
// a live state that a scan no longer matches is resolved. Resolved and
// not_affected findings are not live.
func (s FindingState) Live() bool {
	return s != StateResolved && s != StateNotAffected
}

// VEXJustification says why a product is not affected, in the terms CSAF
// and OpenVEX share.
type VEXJustification string

// The VEX justifications.
const (
	ComponentNotPresent                         VEXJustification = "component_not_present"
	VulnerableCodeNotPresent                    VEXJustification = "vulnerable_code_not_present"
	VulnerableCodeNotInExecutePath              VEXJustification = "vulnerable_code_not_in_execute_path"
	VulnerableCodeCannotBeControlledByAdversary VEXJustification = "vulnerable_code_cannot_be_controlled_by_adversary"
	InlineMitigationsAlreadyExist               VEXJustification = "inline_mitigations_already_exist"
)

// VEXJustifications lists every VEX justification.
var VEXJustifications = []VEXJustification{
	ComponentNotPresent, VulnerableCodeNotPresent, VulnerableCodeNotInExecutePath,
	VulnerableCodeCannotBeControlledByAdversary, InlineMitigationsAlreadyExist,
}

// Transition is a requested change of a finding's state.
type Transition struct {
	To      FindingState
	Actor   string // who asks: a user or token; required
	Comment string
	// Reason says why; required for risk_accepted.
	Reason string
	// AcceptExpiresAt ends a risk acceptance; required for risk_accepted,
	// after now, and only for it.
	AcceptExpiresAt time.Time
	// Justification is required for not_affected, and only for it.
	Justification VEXJustification
}

// Check returns ErrTransition when a finding in state from may not move to
// tr.To, and ErrInvalid when tr misses a field tr.To needs or sets one it
// does not take.
func (tr *Transition) Check(from FindingState, now time.Time) error {
	if !from.CanMoveTo(tr.To) {
		return fmt.Errorf("%s -> %s: %w", from, tr.To, ErrTransition)
	}
	if err := cmp.Or(
		CheckText("actor", tr.Actor, true, MaxName),
		CheckText("comment", tr.Comment, false, MaxText),
		CheckText("reason", tr.Reason, tr.To == StateRiskAccepted, MaxText),
	); err != nil {
		return err
	}
	accepting := tr.To == StateRiskAccepted
	switch {
	case accepting && !tr.AcceptExpiresAt.After(now):
		return fmt.Errorf("%w: accept_expires_at: required, in the future", ErrInvalid)
	case !accepting && !tr.AcceptExpiresAt.IsZero():
		return fmt.Errorf("%w: accept_expires_at: only for %s", ErrInvalid, StateRiskAccepted)
	}
	notAffected := tr.To == StateNotAffected
	switch {
	case notAffected && !slices.Contains(VEXJustifications, tr.Justification):
		return fmt.Errorf("%w: justification %q: want one of %v", ErrInvalid, tr.Justification, VEXJustifications)
	case !notAffected && tr.Justification != "":
		return fmt.Errorf("%w: justification: only for %s", ErrInvalid, StateNotAffected)
	}
	return nil
}
