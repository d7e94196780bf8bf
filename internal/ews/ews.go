// Package ews is ward's early-warning service: the hub's side, which signs
// alerts, keeps them in an outbox until the network took them and records
// the exposure reports sites send back; and the site's side, which receives
// alerts, checks their signatures against the hub keys it pinned at
// enrolment, stores them, matches them against the organisation's own
// findings and inventory, and reports back only counts.
//
// The transport is package alertnet (NATS JetStream); the alert model and
// its signatures are package alert; what is kept is the store's
// [store.Network]. Nothing here trusts the network: a message that does not
// verify is dropped and recorded as a security event, and the hub learns a
// report's site from the subject NATS let it publish on, never from the
// report itself.
package ews

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Report is the exposure report a site sends the hub about one alert, as
// JSON on the wire.
type Report struct {
	AlertID      string         `json:"alert_id"`
	At           time.Time      `json:"at"`
	Acknowledged bool           `json:"acknowledged"`
	Affected     bool           `json:"affected"`
	Assets       map[string]int `json:"assets,omitempty"` // affected assets by decision
	Mitigated    int            `json:"mitigated"`
	Shared       []SharedAsset  `json:"shared,omitempty"` // only when the site shares details
}

// SharedAsset is what a site tells of one affected asset when it chose to.
type SharedAsset struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Vendor   string `json:"vendor,omitempty"`
	Product  string `json:"product,omitempty"`
	Version  string `json:"version,omitempty"`
	Decision string `json:"decision,omitempty"`
}

// ErrReport means a report from a site breaks a rule; the message names
// the field.
var ErrReport = errors.New("invalid exposure report")

// ErrHubNotTold is returned, wrapped, by a site action that was recorded
// at the site but whose report could not reach the hub now; the next report
// of the alert (a recheck, another action) carries it.
var ErrHubNotTold = errors.New("recorded here, but the hub was not told yet")

const (
	maxReportSize = 1 << 20
	maxShared     = 1000
	reportSkew    = 5 * time.Minute // how far ahead of the hub's clock a report's time may be
)

// ParseReport decodes a site's report strictly: unknown fields, trailing
// data, oversize input and out-of-range values are errors.
func ParseReport(data []byte) (*Report, error) {
	if len(data) > maxReportSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrReport, maxReportSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReport, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: data after the report", ErrReport)
	}
	switch {
	case r.AlertID == "" || len(r.AlertID) > 128:
		return nil, fmt.Errorf("%w: alert_id: required, at most 128 characters", ErrReport)
	case r.At.IsZero():
		return nil, fmt.Errorf("%w: at: required", ErrReport)
	case r.Mitigated < 0:
		return nil, fmt.Errorf("%w: mitigated: must be 0 or more", ErrReport)
	case len(r.Shared) > maxShared:
		return nil, fmt.Errorf("%w: shared: at most %d assets", ErrReport, maxShared)
	case len(r.Assets) > 16:
		return nil, fmt.Errorf("%w: assets: at most 16 decisions", ErrReport)
	}
	for k, n := range r.Assets {
		if n < 0 || k == "" || len(k) > 32 {
			return nil, fmt.Errorf("%w: assets: %q: a count of 0 or more under a short decision name", ErrReport, k)
		}
	}
	return &r, nil
}
