package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/ward-health/ward/internal/chart"
	"github.com/ward-health/ward/internal/inventory"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
)

// decisionStyle is how the charts and tables show a decision. Colours
// keep at least 3:1 contrast on white, and each line has its own dash, so
// the lines differ by more than colour.
type decisionStyle struct {
	Decision risk.Decision
	Label    string
	Words    string
	Colour   string
	Dash     string
}

var decisionStyles = []decisionStyle{
	{risk.Act, "Act", "fix within days", "#b71c1c", ""},
	{risk.Attend, "Attend", "fix within weeks", "#b35000", "10 5"},
	{risk.TrackStar, "Track*", "watch closely", "#7a5d00", "3 4"},
	{risk.Track, "Track", "normal update cycle", "#555555", "14 4 3 4"},
}

// trendRange is a choice of the overview's time axis.
type trendRange struct {
	Value, Label string
	Span, Step   time.Duration
	Layout       string
}

var trendRanges = []trendRange{
	{"7d", "7 days", 7 * 24 * time.Hour, 6 * time.Hour, "2 Jan 15:04"},
	{"30d", "30 days", 30 * 24 * time.Hour, 24 * time.Hour, "2 Jan"},
	{"12w", "12 weeks", 12 * 7 * 24 * time.Hour, 7 * 24 * time.Hour, "2 Jan"},
	{"1y", "1 year", 52 * 7 * 24 * time.Hour, 7 * 24 * time.Hour, "Jan 2006"},
}

// decisionCount is the open findings of one decision.
type decisionCount struct {
	decisionStyle
	Count int
	Link  string
}

// trendRow is one point of the trend, for the table beside the chart.
type trendRow struct {
	At     string
	Counts []int // by decisionStyles
	Total  int
}

// groupRow is one clinical role or zone of the exposure breakdown.
type groupRow struct {
	Name   string
	Assets int
	Counts []int // by decisionStyles
	Total  int
	Link   string
}

// exposure is what the overview and the exposure report show.
type exposure struct {
	Generated  time.Time
	Range      trendRange
	Open       []decisionCount
	OpenTotal  int
	Trend      chart.Lines
	TrendRows  []trendRow
	ByDecision chart.Bars
	ByRole     chart.Bars
	ByZone     chart.Bars
	RoleRows   []groupRow
	ZoneRows   []groupRow
}

// exposureOf gathers org's exposure at now over rng.
func (s *Server) exposureOf(ctx context.Context, org string, now time.Time, rng trendRange) (exposure, error) {
	e := exposure{Generated: now, Range: rng}
	counts, err := s.store.CountFindings(ctx, org, store.FindingFilter{States: store.OpenStates})
	if err != nil {
		return e, err
	}
	by := map[risk.Decision]int{}
	for _, c := range counts {
		by[c.Decision] += c.Count
		e.OpenTotal += c.Count
	}
	open := "&state=new&state=open&state=in_progress"
	var bars []chart.Bar
	for _, d := range decisionStyles {
		e.Open = append(e.Open, decisionCount{d, by[d.Decision], "/findings?decision=" + string(d.Decision) + open})
		bars = append(bars, chart.Bar{Label: d.Label, Count: by[d.Decision], Fill: d.Colour})
	}
	e.ByDecision = chart.NewBars("by-decision", "Open findings by decision", bars)

	// The trend's points end at now, a whole number of steps after since.
	since := now.Add(-rng.Span)
	points, err := s.store.FindingTrend(ctx, org, since, now, rng.Step)
	if err != nil {
		return e, err
	}
	times := make([]time.Time, len(points))
	series := make([]chart.Series, len(decisionStyles))
	for i, d := range decisionStyles {
		series[i] = chart.Series{Label: d.Label, Stroke: d.Colour, Dash: d.Dash, Values: make([]int, len(points))}
	}
	for j, p := range points {
		times[j] = p.At
		row := trendRow{At: p.At.UTC().Format(rng.Layout), Total: p.Total()}
		for i, d := range decisionStyles {
			series[i].Values[j] = p.Open[d.Decision]
			row.Counts = append(row.Counts, p.Open[d.Decision])
		}
		e.TrendRows = append(e.TrendRows, row)
	}
	e.Trend = chart.NewLines("trend", "Open findings over "+rng.Label+", by decision", times, rng.Layout, series)

	ex, err := s.store.ExposureBreakdown(ctx, org)
	if err != nil {
		return e, err
	}
	e.RoleRows, e.ByRole = groupRows(ex.ByRole, "role", "by-role", "Open findings by clinical role")
	e.ZoneRows, e.ByZone = groupRows(ex.ByZone, "zone", "by-zone", "Open findings by zone")
	return e, nil
}

// groupRows turns exposure groups into table rows and a bar chart; param
// is the asset list's filter of the group.
func groupRows(groups []store.ExposureGroup, param, id, title string) ([]groupRow, chart.Bars) {
	var (
		rows []groupRow
		bars []chart.Bar
	)
	for _, g := range groups {
		name := g.Name
		if name == "" {
			name = "(none)"
		}
		r := groupRow{Name: name, Assets: g.Assets, Total: g.Total()}
		if g.Name != "" {
			r.Link = "/assets?" + url.Values{param: {g.Name}}.Encode()
		}
		for _, d := range decisionStyles {
			r.Counts = append(r.Counts, g.Findings[d.Decision])
		}
		rows = append(rows, r)
		bars = append(bars, chart.Bar{Label: name, Count: r.Total, Fill: "#0b4f8a"})
	}
	return rows, chart.NewBars(id, title, bars)
}

// pickRange returns the range named v, or 30 days.
func pickRange(v string) trendRange {
	for _, r := range trendRanges {
		if r.Value == v {
			return r
		}
	}
	return trendRanges[1]
}

type overviewPage struct {
	basePage
	exposure
	Decisions []decisionStyle
	Ranges    []option
	Roles     []inventory.ClinicalRole
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, sess *session) {
	v := r.URL.Query().Get("range")
	rng := pickRange(v)
	if v != "" && v != rng.Value {
		s.fail(w, r, fmt.Errorf("%w: range %q", store.ErrInvalid, v))
		return
	}
	e, err := s.exposureOf(r.Context(), sess.OrgID, s.now(), rng)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := overviewPage{exposure: e, Decisions: decisionStyles}
	for _, tr := range trendRanges {
		page.Ranges = append(page.Ranges, option{Value: tr.Value, Label: tr.Label, Selected: tr.Value == rng.Value})
	}
	page.basePage = s.base(sess, "Overview")
	page.Nav = "overview"
	s.render(w, r, http.StatusOK, "overview.html", page)
}
