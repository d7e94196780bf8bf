package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/scan"
)

//go:embed report.html.tmpl
var htmlText string

// htmlPage is the compiled printable report. It escapes everything it is
// given; the page carries no script.
var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{"day": day}).Parse(htmlText))

// Chart geometry, in SVG user units.
const (
	chartWidth  = 460
	chartLabelW = 130 // labels end here, bars start here
	chartBarMax = 280
	chartBarH   = 24
	chartGap    = 10
	chartPad    = 6
)

// page is what the HTML template renders.
type page struct {
	Generated    string
	GeneratedISO string
	Lead         string
	Summary      scan.Summary
	Charts       []chart
	Sections     []section
	Notices      []string
	MoreNotices  int
	Errors       []advisory.SourceError
	MoreErrors   int
}

// section is one decision's findings.
type section struct {
	decisionInfo
	Items []entry
}

// entry is a finding and what the report knows about its asset (nil when
// nothing).
type entry struct {
	scan.Item
	Asset *scan.AssetBrief
}

// chart is a horizontal bar chart drawn as inline SVG.
type chart struct {
	ID, Title, Desc string
	LabelX, BarX    int
	Width, Height   int
	Bars            []bar
}

// bar is one bar of a chart and where it goes.
type bar struct {
	Label          string
	Count          int
	Fill           string
	Y, W, H, TextY int
	ValueX         int
}

// writeHTML writes one self-contained, printable HTML page.
func writeHTML(b *bufio.Writer, rep *scan.Report) error {
	p := page{
		Generated:    generated(rep.GeneratedAt),
		GeneratedISO: rep.GeneratedAt.UTC().Format(time.RFC3339),
		Summary:      rep.Summary,
	}
	var decisionBars []bar
	for _, g := range groups(rep.Findings) {
		if g.Decision != "" {
			decisionBars = append(decisionBars, bar{Label: g.Title, Count: len(g.Items), Fill: g.Colour})
		}
		if len(g.Items) == 0 {
			continue
		}
		s := section{decisionInfo: g.decisionInfo}
		for _, it := range g.Items {
			s.Items = append(s.Items, entry{Item: it, Asset: rep.Assets[it.AssetID]})
		}
		p.Sections = append(p.Sections, s)
	}
	p.Lead = lead(rep, decisionBars[0].Count)
	p.Charts = []chart{
		newChart("by-decision", "Findings per decision", decisionBars),
		newChart("by-role", "Affected assets by clinical role", roleBars(rep.Assets)),
	}
	p.Notices, p.MoreNotices = head(rep.Notices)
	p.Errors, p.MoreErrors = head(rep.Errors)
	return htmlPage.Execute(b, p)
}

// lead is the report's first sentence: how much was found and where to
// start.
func lead(rep *scan.Report, act int) string {
	s := rep.Summary
	if len(rep.Findings) == 0 {
		return fmt.Sprintf("No asset matched a known flaw: nothing to fix among %d assets.", s.Assets)
	}
	text := fmt.Sprintf("%d findings on %d of %d assets.", s.Findings, s.AffectedAssets, s.Assets)
	if act > 0 {
		return text + fmt.Sprintf(" Start with the %d under “Act”: each needs work within days.", act)
	}
	return text + " None needs work within days."
}

// roleBars counts affected assets by clinical role, in the order of
// [inventory.ClinicalRoles], then any other roles alphabetically.
func roleBars(assets map[string]*scan.AssetBrief) []bar {
	counts := map[string]int{}
	for _, a := range assets {
		role := a.ClinicalRole
		if role == "" {
			role = string(inventory.RoleAdministrative)
		}
		counts[role]++
	}
	var bars []bar
	for _, r := range inventory.ClinicalRoles {
		bars = append(bars, bar{Label: string(r), Count: counts[string(r)]})
		delete(counts, string(r))
	}
	others := make([]string, 0, len(counts))
	for r := range counts {
		others = append(others, r)
	}
	slices.Sort(others)
	for _, r := range others {
		bars = append(bars, bar{Label: r, Count: counts[r]})
	}
	for i := range bars {
		bars[i].Fill = "#3e6a8a"
	}
	return bars
}

// newChart lays the bars out, scaled to the largest count.
func newChart(id, title string, bars []bar) chart {
	c := chart{ID: id, Title: title, LabelX: chartLabelW - 10, BarX: chartLabelW, Width: chartWidth, Bars: bars}
	top := 0
	for _, b := range bars {
		top = max(top, b.Count)
	}
	desc := make([]string, len(bars))
	for i := range bars {
		b := &bars[i]
		b.Y = chartPad + i*(chartBarH+chartGap)
		b.H = chartBarH
		if top > 0 {
			b.W = b.Count * chartBarMax / top
		}
		if b.Count > 0 {
			b.W = max(b.W, 2)
		}
		b.TextY = b.Y + chartBarH/2 + 5
		b.ValueX = chartLabelW + b.W + 8
		desc[i] = fmt.Sprintf("%s: %d", b.Label, b.Count)
	}
	c.Desc = strings.Join(desc, ", ") + "."
	c.Height = 2*chartPad + len(bars)*(chartBarH+chartGap) - chartGap
	return c
}
