package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
)

// ErrUnknownFormat means [Write] was asked for a format it does not know.
// It is a usage error: show the message, which lists the valid formats, and
// let the user choose again.
var ErrUnknownFormat = errors.New("unknown report format")

// maxListed bounds how many notices or source errors a human-readable
// format lists before it says how many more there are.
const maxListed = 20

// renderer writes one format into a buffer.
type renderer struct {
	name   string
	render func(b *bufio.Writer, rep *scan.Report) error
}

// renderers is the table of formats, in the order help texts list them.
func renderers() []renderer {
	return []renderer{
		{"table", writeTable},
		{"json", writeJSON},
		{"csv", writeCSV},
		{"sarif", writeSARIF},
		{"html", writeHTML},
	}
}

// Formats returns the names of the formats [Write] accepts, in the order a
// help text should list them.
func Formats() []string {
	rs := renderers()
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.name
	}
	return names
}

// Write renders rep in the named format (one of [Formats], case-insensitive)
// to w, streaming: a report of a million findings is never held twice in
// memory. Callers that must never leave half a report (a file) write to a
// temporary file and rename it. An unknown format returns an error wrapping
// [ErrUnknownFormat] and writes nothing.
func Write(w io.Writer, rep *scan.Report, format string) error {
	if rep == nil {
		return errors.New("report: no report to write")
	}
	name := strings.ToLower(strings.TrimSpace(format))
	for _, r := range renderers() {
		if r.name != name {
			continue
		}
		b := bufio.NewWriterSize(w, 64<<10)
		if err := r.render(b, rep); err != nil {
			return fmt.Errorf("report %s: %w", name, err)
		}
		if err := b.Flush(); err != nil {
			return fmt.Errorf("report %s: %w", name, err)
		}
		return nil
	}
	return fmt.Errorf("report format %q: %w (want one of %s)", format, ErrUnknownFormat, strings.Join(Formats(), ", "))
}

// writeJSON writes the report as JSON with the field names of
// [scan.Report]: the summary indented, then one finding per line, so that a
// large report streams and stays greppable. Empty lists are written as []
// rather than null.
func writeJSON(b *bufio.Writer, rep *scan.Report) error {
	head := struct {
		GeneratedAt time.Time    `json:"generated_at"`
		Summary     scan.Summary `json:"summary"`
	}{rep.GeneratedAt, rep.Summary}
	hb, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return err
	}
	b.Write(hb[:len(hb)-2]) // without the closing newline and brace
	b.WriteString(",\n  \"findings\": [")
	for i := range rep.Findings {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		if err := encodeCompact(b, &rep.Findings[i]); err != nil {
			return err
		}
	}
	if len(rep.Findings) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("],\n  \"errors\": ")
	errs := rep.Errors
	if errs == nil {
		errs = []advisory.SourceError{}
	}
	if err := encodeCompact(b, errs); err != nil {
		return err
	}
	if len(rep.Notices) > 0 {
		b.WriteString(",\n  \"notices\": ")
		if err := encodeCompact(b, rep.Notices); err != nil {
			return err
		}
	}
	b.WriteString("\n}\n")
	return nil
}

// encodeCompact writes v as compact JSON without a trailing newline.
func encodeCompact(b *bufio.Writer, v any) error {
	js, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = b.Write(js)
	return err
}

// encodeJSON writes v as two-space indented JSON. encoding/json sorts map
// keys, so the output is deterministic.
func encodeJSON(b *bufio.Writer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// group is the findings that share a decision.
type group struct {
	decisionInfo
	Items []scan.Item
}

// groups sorts items into one group per decision, most urgent first, then
// one group for findings without a known decision (fixed or not affected).
// Each group keeps the items' order. Empty groups are kept; callers skip
// them.
func groups(items []scan.Item) []group {
	gs := make([]group, len(risk.Decisions)+1)
	for i := range gs {
		d := risk.Decision("")
		if i < len(risk.Decisions) {
			d = risk.Decisions[i]
		}
		gs[i].decisionInfo = infoFor(d)
	}
	for _, it := range items {
		i := it.Decision.Rank() // len(risk.Decisions) for "" and unknown decisions
		gs[i].Items = append(gs[i].Items, it)
	}
	return gs
}

// decisionInfo is how every format names and shows a decision.
type decisionInfo struct {
	Decision risk.Decision
	Title    string // "Act"
	Within   string // "fix within days"
	Blurb    string // one plain sentence for the printed report
	Class    string // CSS class and HTML id
	Colour   string // bar colour in charts
	Level    string // SARIF level
}

// infoFor returns how a decision is named and shown. Unknown decisions are
// shown as "no decision".
func infoFor(d risk.Decision) decisionInfo {
	switch d {
	case risk.Act:
		return decisionInfo{d, "Act", "fix within days",
			"Work on these first: each needs a fix or an isolation within days.",
			"act", "#c62828", "error"}
	case risk.Attend:
		return decisionInfo{d, "Attend", "fix within weeks",
			"Plan these now: each needs a fix within weeks.",
			"attend", "#ef6c00", "warning"}
	case risk.TrackStar:
		return decisionInfo{d, "Track*", "watch closely, fix in the normal cycle",
			"Fix these in the normal update cycle and watch them: they may become urgent.",
			"track-star", "#f2c12e", "note"}
	case risk.Track:
		return decisionInfo{d, "Track", "fix in the normal cycle",
			"Fix these in the normal update cycle.",
			"track", "#9e9e9e", "note"}
	}
	return decisionInfo{"", "No decision", "fixed, not affected or not decided",
		"These need no work: the product is fixed or not affected.",
		"none", "#d0d0d0", "none"}
}

// day formats a date as YYYY-MM-DD in its own time zone, or "" when unset.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// generated formats the time a report was made, in UTC.
func generated(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// assetLabel names an item's asset for people: "name (id)", else the id.
func assetLabel(it *scan.Item) string {
	if it.AssetName != "" {
		return it.AssetName + " (" + it.AssetID + ")"
	}
	return it.AssetID
}

// head returns at most [maxListed] elements of s and how many it left out.
func head[T any](s []T) ([]T, int) {
	if len(s) <= maxListed {
		return s, 0
	}
	return s[:maxListed], len(s) - maxListed
}
