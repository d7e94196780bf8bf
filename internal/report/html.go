package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"slices"
	"time"

	"github.com/ward-health/ward/internal/advisory"
	"github.com/ward-health/ward/internal/chart"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/scan"
)

//go:embed report.html.tmpl
var htmlText string

// htmlPage is the compiled printable report. It escapes everything it is
// given; the page carries no script.
var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{"day": day}).Parse(htmlText))

// page is what the HTML template renders.
type page struct {
	Generated    string
	GeneratedISO string
	Lead         string
	Summary      scan.Summary
	Charts       []chart.Bars
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

// writeHTML writes one self-contained, printable HTML page.
func writeHTML(b *bufio.Writer, rep *scan.Report) error {
	p := page{
		Generated:    generated(rep.GeneratedAt),
		GeneratedISO: rep.GeneratedAt.UTC().Format(time.RFC3339),
		Summary:      rep.Summary,
	}
	var decisionBars []chart.Bar
	for _, g := range groups(rep.Findings) {
		if g.Decision != "" {
			decisionBars = append(decisionBars, chart.Bar{Label: g.Title, Count: len(g.Items), Fill: g.Colour})
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
	p.Charts = []chart.Bars{
		chart.NewBars("by-decision", "Findings per decision", decisionBars),
		chart.NewBars("by-role", "Affected assets by clinical role", roleBars(rep.Assets)),
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
func roleBars(assets map[string]*scan.AssetBrief) []chart.Bar {
	counts := map[string]int{}
	for _, a := range assets {
		role := a.ClinicalRole
		if role == "" {
			role = string(inventory.RoleAdministrative)
		}
		counts[role]++
	}
	var bars []chart.Bar
	for _, r := range inventory.ClinicalRoles {
		bars = append(bars, chart.Bar{Label: string(r), Count: counts[string(r)]})
		delete(counts, string(r))
	}
	others := make([]string, 0, len(counts))
	for r := range counts {
		others = append(others, r)
	}
	slices.Sort(others)
	for _, r := range others {
		bars = append(bars, chart.Bar{Label: r, Count: counts[r]})
	}
	for i := range bars {
		bars[i].Fill = "#3e6a8a"
	}
	return bars
}
