// Package chart lays out the charts ward draws on the server as SVG: a
// horizontal bar chart ([Bars]) and a line chart over time ([Lines]). The
// printable scan report (package report) and the web pages share them, so a
// chart looks the same wherever it appears.
//
// Charts carry no script and no style element: colours are presentation
// attributes, and each chart names itself with a title and a description
// (the values in words) for screen readers. Pages that show a chart should
// also offer its numbers as a table.
package chart

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"
)

// Bar chart geometry, in SVG user units.
const (
	barWidth  = 460
	barLabelW = 130 // labels end here, bars start here
	barMax    = 280
	barH      = 24
	barGap    = 10
	barPad    = 6
)

// Bar is one bar to draw.
type Bar struct {
	Label string
	Count int
	Fill  string // a CSS colour
}

// PlacedBar is a bar and where it goes.
type PlacedBar struct {
	Bar
	Y, W, H, TextY int
	ValueX         int
}

// Bars is a horizontal bar chart, laid out. Make one with [NewBars].
type Bars struct {
	ID, Title, Desc string
	LabelX, BarX    int
	Width, Height   int
	Bars            []PlacedBar
}

// NewBars lays bars out, scaled to the largest count. id must be unique in
// the page; it prefixes the ids of the chart's title and description.
func NewBars(id, title string, bars []Bar) Bars {
	c := Bars{ID: id, Title: title, LabelX: barLabelW - 10, BarX: barLabelW, Width: barWidth}
	top := 0
	for _, b := range bars {
		top = max(top, b.Count)
	}
	desc := make([]string, len(bars))
	for i, b := range bars {
		p := PlacedBar{Bar: b, Y: barPad + i*(barH+barGap), H: barH}
		if top > 0 {
			p.W = b.Count * barMax / top
		}
		if b.Count > 0 {
			p.W = max(p.W, 2)
		}
		p.TextY = p.Y + barH/2 + 5
		p.ValueX = barLabelW + p.W + 8
		c.Bars = append(c.Bars, p)
		desc[i] = fmt.Sprintf("%s: %d", b.Label, b.Count)
	}
	c.Desc = strings.Join(desc, ", ") + "."
	c.Height = 2*barPad + len(bars)*(barH+barGap) - barGap
	if len(bars) == 0 {
		c.Desc, c.Height = "No data.", 2*barPad
	}
	return c
}

// SVG returns the chart as an inline SVG element.
func (c Bars) SVG() template.HTML { return render("bars", c) }

// Line chart geometry, in SVG user units.
const (
	lineWidth  = 640
	lineHeight = 312
	lineLeft   = 48  // y axis labels end here
	lineRight  = 36  // room after the last point and its label
	lineTop    = 12  // room above the highest value
	lineBottom = 252 // the x axis
	lineLegend = 300 // baseline of the legend
	lineTicks  = 5   // y axis ticks at most
)

// Series is one line: a value at each of the chart's times.
type Series struct {
	Label  string
	Stroke string // a CSS colour
	// Dash is an SVG stroke-dasharray, so that lines differ by more than
	// colour; "" draws a solid line.
	Dash   string
	Values []int
}

// PlacedSeries is a series and where it goes.
type PlacedSeries struct {
	Series
	Points    string // the polyline's points
	LegendX   int    // the legend's sample line runs from LegendX to LegendEnd
	LegendEnd int
	Last      int // the latest value
}

// Tick is a labelled position on an axis.
type Tick struct {
	Pos   int
	Label string
}

// Lines is a line chart over time, laid out. Make one with [NewLines].
type Lines struct {
	ID, Title, Desc string
	Width, Height   int
	Left, Right     int // the plot's x range
	Top, Bottom     int // the plot's y range
	LegendY         int
	XTicks, YTicks  []Tick
	Series          []PlacedSeries
}

// NewLines lays out series drawn over times, which must be ascending and as
// many as each series has values. Time labels use layout (time.Format).
func NewLines(id, title string, times []time.Time, layout string, series []Series) Lines {
	c := Lines{ID: id, Title: title, Width: lineWidth, Height: lineHeight,
		Left: lineLeft, Right: lineWidth - lineRight, Top: lineTop, Bottom: lineBottom, LegendY: lineLegend}
	top := 0
	for _, s := range series {
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	step := niceStep(top)
	top = max(step, (top+step-1)/step*step)
	y := func(v int) int { return c.Bottom - v*(c.Bottom-c.Top)/top }
	x := func(i int) int {
		if len(times) < 2 {
			return c.Left
		}
		return c.Left + i*(c.Right-c.Left)/(len(times)-1)
	}
	for v := 0; v <= top; v += step {
		c.YTicks = append(c.YTicks, Tick{y(v), fmt.Sprint(v)})
	}
	if n := len(times); n > 0 {
		every := max(1, (n+5)/6) // at most about six labels
		for i := 0; i < n; i += every {
			c.XTicks = append(c.XTicks, Tick{x(i), times[i].Format(layout)})
		}
	}
	desc := make([]string, 0, len(series))
	for i, s := range series {
		p := PlacedSeries{Series: s, LegendX: c.Left + i*(c.Right-c.Left)/max(len(series), 1)}
		p.LegendEnd = p.LegendX + 22
		pts := make([]string, len(s.Values))
		for j, v := range s.Values {
			pts[j] = fmt.Sprintf("%d,%d", x(j), y(v))
		}
		p.Points = strings.Join(pts, " ")
		if len(s.Values) > 0 {
			p.Last = s.Values[len(s.Values)-1]
		}
		c.Series = append(c.Series, p)
		desc = append(desc, fmt.Sprintf("%s: %d now", s.Label, p.Last))
	}
	c.Desc = "No data."
	if len(times) > 0 {
		c.Desc = fmt.Sprintf("From %s to %s. %s.", times[0].Format(layout), times[len(times)-1].Format(layout), strings.Join(desc, ", "))
	}
	return c
}

// SVG returns the chart as an inline SVG element.
func (c Lines) SVG() template.HTML { return render("lines", c) }

// niceStep returns a round tick step (1, 2 or 5 times a power of ten) that
// cuts 0..top into at most lineTicks parts.
func niceStep(top int) int {
	if top <= lineTicks {
		return 1
	}
	raw := float64(top) / lineTicks
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return int(m * p)
		}
	}
	return int(10 * p)
}

// svg holds the charts' markup; it escapes every label.
var svg = template.Must(template.New("svg").Parse(`
{{- define "bars" -}}
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Desc}}</desc>
{{- range .Bars}}
<text x="{{$.LabelX}}" y="{{.TextY}}" text-anchor="end">{{.Label}}</text>
<rect x="{{$.BarX}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}" stroke="#1a1a1a" stroke-width="1"/>
<text class="value" x="{{.ValueX}}" y="{{.TextY}}">{{.Count}}</text>
{{- end}}
</svg>
{{- end -}}
{{- define "lines" -}}
<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" viewBox="0 0 {{.Width}} {{.Height}}" width="{{.Width}}" height="{{.Height}}">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Desc}}</desc>
{{- range .YTicks}}
<line x1="{{$.Left}}" y1="{{.Pos}}" x2="{{$.Right}}" y2="{{.Pos}}" stroke="#c8c8c8" stroke-width="1"/>
<text x="{{$.Left}}" dx="-6" y="{{.Pos}}" dy="5" text-anchor="end">{{.Label}}</text>
{{- end}}
<line x1="{{.Left}}" y1="{{.Bottom}}" x2="{{.Right}}" y2="{{.Bottom}}" stroke="#1a1a1a" stroke-width="1"/>
{{- range .XTicks}}
<text x="{{.Pos}}" y="{{$.Bottom}}" dy="18" text-anchor="middle">{{.Label}}</text>
{{- end}}
{{- range .Series}}
<polyline points="{{.Points}}" fill="none" stroke="{{.Stroke}}" stroke-width="3"{{if .Dash}} stroke-dasharray="{{.Dash}}"{{end}}/>
{{- end}}
{{- range .Series}}
<line x1="{{.LegendX}}" y1="{{$.LegendY}}" x2="{{.LegendEnd}}" y2="{{$.LegendY}}" transform="translate(0 -5)" stroke="{{.Stroke}}" stroke-width="3"{{if .Dash}} stroke-dasharray="{{.Dash}}"{{end}}/>
<text x="{{.LegendX}}" dx="28" y="{{$.LegendY}}">{{.Label}} ({{.Last}})</text>
{{- end}}
</svg>
{{- end -}}`))

// render executes the named chart template; the templates are fixed and
// their data plain, so an error is a bug.
func render(name string, data any) template.HTML {
	var b bytes.Buffer
	if err := svg.ExecuteTemplate(&b, name, data); err != nil {
		panic(fmt.Sprintf("chart: %s: %v", name, err))
	}
	return template.HTML(b.String()) //nolint:gosec // html/template escaped every value
}
