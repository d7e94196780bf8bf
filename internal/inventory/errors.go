package inventory

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers test them with errors.Is; every one reaches the user
// wrapped in a [ParseError] that names the place.
var (
	// ErrRequired means a required field is empty. Fix the input.
	ErrRequired = errors.New("required field is empty")
	// ErrNoIdentity means an asset has nothing to match on: it needs vendor and
	// product, a CPE, or a PURL.
	ErrNoIdentity = errors.New("needs vendor and product, a cpe, or a purl")
	// ErrInvalid means a field holds a value outside its allowed set.
	ErrInvalid = errors.New("invalid value")
	// ErrDuplicate means two assets share an id.
	ErrDuplicate = errors.New("duplicate id")
	// ErrUnknownFormat means the content is none of the formats ward reads.
	ErrUnknownFormat = errors.New("unknown inventory format")
	// ErrTooLarge means the input exceeds a safety bound (size, depth, count).
	ErrTooLarge = errors.New("input too large")
	// ErrScanFailed means a network scan reported that it failed and found no
	// hosts. Fix the scan (its message is included) and run it again.
	ErrScanFailed = errors.New("the scan reported an error")
)

// ParseError names where in a file an inventory could not be read.
type ParseError struct {
	File   string // file name as given
	Line   int    // 1-based line, 0 when unknown
	Column string // column or field name, "" when not applicable
	Err    error
}

// Error returns "file:line: column c: cause", leaving out what is unknown.
func (e *ParseError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	if e.Column != "" {
		s += fmt.Sprintf(": column %s", e.Column)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause, usually one of the sentinel errors.
func (e *ParseError) Unwrap() error { return e.Err }
