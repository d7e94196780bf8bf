package version

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrVers means a vers: range string is malformed.
var ErrVers = errors.New("malformed vers range")

// Constraint is one comparator and version of a vers range.
type Constraint struct {
	Op      string // =, !=, <, <=, >, >=
	Version string
}

// Vers is a parsed vers: range ("vers:npm/>=1.0.0|<2.0.0").
type Vers struct {
	Scheme      string
	All         bool // vers:<scheme>/*
	Constraints []Constraint
}

// maxConstraints bounds the work on hostile input.
const maxConstraints = 256

// ParseVers parses a vers URI as the package-url vers specification defines it.
func ParseVers(s string) (Vers, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), "vers:")
	if !ok {
		return Vers{}, fmt.Errorf("%w: %q lacks the vers: prefix", ErrVers, s)
	}
	scheme, cons, ok := strings.Cut(rest, "/")
	if !ok || scheme == "" {
		return Vers{}, fmt.Errorf("%w: %q lacks a scheme", ErrVers, s)
	}
	v := Vers{Scheme: strings.ToLower(scheme)}
	cons = strings.TrimSpace(cons)
	if cons == "*" {
		v.All = true
		return v, nil
	}
	parts := strings.Split(cons, "|")
	if len(parts) > maxConstraints {
		return Vers{}, fmt.Errorf("%w: more than %d constraints", ErrVers, maxConstraints)
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			return Vers{}, fmt.Errorf("%w: empty constraint in %q", ErrVers, s)
		}
		op := "="
		for _, o := range []string{">=", "<=", "!=", "<", ">", "="} {
			if after, ok := strings.CutPrefix(p, o); ok {
				op, p = o, strings.TrimSpace(after)
				break
			}
		}
		if p == "" || p == "*" {
			return Vers{}, fmt.Errorf("%w: constraint without a version in %q", ErrVers, s)
		}
		v.Constraints = append(v.Constraints, Constraint{Op: op, Version: p})
	}
	return v, nil
}

// Contains reports whether version ver lies in the range. ok is false when a
// version in the range cannot be compared with ver.
func (r Vers) Contains(ver string) (in bool, ok bool) {
	if r.All {
		return true, true
	}
	var bounds []Constraint
	for _, c := range r.Constraints {
		switch c.Op {
		case "=":
			if eq, ok := Equal(c.Version, ver); ok && eq {
				return true, true
			}
		case "!=":
			if eq, ok := Equal(c.Version, ver); ok && eq {
				return false, true
			}
		default:
			bounds = append(bounds, c)
		}
	}
	if len(bounds) == 0 {
		return false, Comparable(ver)
	}
	// Sort the bounds by version, then read them as intervals: the spec's
	// algorithm. A comparison failure makes the answer unknown.
	comparable := true
	slices.SortStableFunc(bounds, func(a, b Constraint) int {
		c, ok := Compare(a.Version, b.Version)
		if !ok {
			comparable = false
		}
		return c
	})
	cmpTo := func(c Constraint) int {
		x, ok := Compare(ver, c.Version)
		if !ok {
			comparable = false
		}
		return x
	}
	satisfies := func(c Constraint) bool {
		x := cmpTo(c)
		switch c.Op {
		case "<":
			return x < 0
		case "<=":
			return x <= 0
		case ">":
			return x > 0
		default: // ">="
			return x >= 0
		}
	}
	isLower := func(c Constraint) bool { return c.Op == ">" || c.Op == ">=" }
	for i, c := range bounds {
		if i == 0 && !isLower(c) && satisfies(c) {
			return true, comparable
		}
		if i == len(bounds)-1 && isLower(c) && satisfies(c) {
			return true, comparable
		}
		if isLower(c) && i+1 < len(bounds) && !isLower(bounds[i+1]) && satisfies(c) && satisfies(bounds[i+1]) {
			return true, comparable
		}
	}
	return false, comparable
}
