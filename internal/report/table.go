package report

import (
	"bufio"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/scan"
)

// tableWidth is the column at which the table format wraps text.
const tableWidth = 100

// Indents of a finding's first and following lines in the table format.
const (
	firstIndent = "  "
	restIndent  = "      "
)

// writeTable writes the report for a terminal: a summary, then the findings
// grouped by decision, then notices and source errors. Text from advisories
// and inventories is cleaned of control characters so it cannot drive the
// terminal.
func writeTable(b *bufio.Writer, rep *scan.Report) error {
	s := rep.Summary
	fmt.Fprintf(b, "ward exposure report, generated %s\n\n", generated(rep.GeneratedAt))
	var counts []string
	for _, d := range risk.Decisions {
		counts = append(counts, fmt.Sprintf("%s %d", d, s.ByDecision[string(d)]))
	}
	for _, kv := range []struct {
		k string
		v any
	}{
		{"Assets scanned", s.Assets},
		{"Advisories", s.Advisories},
		{"Findings", s.Findings},
		{"Affected assets", s.AffectedAssets},
		{"By decision", strings.Join(counts, ", ")},
		{"Known exploited (KEV)", s.KEVFindings},
		{"Source errors", s.SourceErrors},
	} {
		fmt.Fprintf(b, "  %-23s %v\n", kv.k+":", kv.v)
	}
	if len(rep.Findings) == 0 {
		b.WriteString("\nNo findings: no asset matched an advisory.\n")
	}
	for _, g := range groups(rep.Findings) {
		if len(g.Items) == 0 {
			continue
		}
		title := fmt.Sprintf("%s — %s (%d)", strings.ToUpper(g.Title), g.Within, len(g.Items))
		fmt.Fprintf(b, "\n%s\n%s\n", title, strings.Repeat("=", utf8.RuneCountInString(title)))
		for i := range g.Items {
			if i > 0 {
				b.WriteByte('\n')
			}
			tableItem(b, &g.Items[i])
		}
	}
	notices, more := head(rep.Notices)
	tableList(b, "NOTES", notices, more)
	errs, more := head(rep.Errors)
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Source + ": " + e.Message
	}
	tableList(b, "SOURCE ERRORS", lines, more)
	return nil
}

// tableItem writes one finding as three short blocks: when, what and where;
// the product and advisory; what to do.
func tableItem(b *bufio.Writer, it *scan.Item) {
	due := "no due date"
	if d := day(it.Due); d != "" {
		due = "due " + d
	}
	parts := []string{due, clean(assetLabel(it))}
	if it.KEV {
		parts = append(parts, "[KEV]")
	}
	parts = append(parts, clean(it.CVE))
	if it.Confidence == match.Possible {
		parts = append(parts, "[possible match: confirm]")
	}
	wrap(b, parts, "  ", firstIndent, restIndent)
	what := it.Product
	if it.Component != "" {
		what += " (component " + it.Component + ")"
	}
	if strings.TrimSpace(what) != "" {
		what += " · "
	}
	what += "advisory " + it.AdvisoryID
	wrap(b, words(what), " ", restIndent, restIndent)
	wrap(b, words(it.Action), " ", restIndent, restIndent)
}

// tableList writes a titled list, and how many entries it left out.
func tableList(b *bufio.Writer, title string, lines []string, more int) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s (%d)\n", title, len(lines)+more)
	for _, l := range lines {
		wrap(b, words(l), " ", firstIndent, restIndent)
	}
	if more > 0 {
		fmt.Fprintf(b, "%s... and %d more\n", firstIndent, more)
	}
}

// wrap writes parts joined by sep, breaking lines between parts so that no
// line passes [tableWidth] unless a single part is longer. The first line
// starts with first, the others with rest.
func wrap(b *bufio.Writer, parts []string, sep, first, rest string) {
	line := first
	n := utf8.RuneCountInString(line)
	start := n
	for _, p := range parts {
		if p == "" {
			continue
		}
		w := utf8.RuneCountInString(p)
		switch {
		case n == start:
		case n+utf8.RuneCountInString(sep)+w > tableWidth:
			b.WriteString(line + "\n")
			line, n = rest, utf8.RuneCountInString(rest)
			start = n
		default:
			line += sep
			n += utf8.RuneCountInString(sep)
		}
		line += p
		n += w
	}
	b.WriteString(line + "\n")
}

// words cleans s and splits it into words.
func words(s string) []string {
	return strings.Fields(clean(s))
}

// clean replaces control and formatting characters (escape sequences,
// bidirectional overrides) with spaces, so that untrusted text prints as
// text.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
}
