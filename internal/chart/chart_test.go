package chart

import (
	"strings"
	"testing"
	"time"
)

func TestNewBars(t *testing.T) {
	t.Parallel()
	c := NewBars("b", "Findings", []Bar{{"Act", 10, "#c62828"}, {"Track", 5, "#9e9e9e"}, {"None", 0, "#d0d0d0"}})
	if got, want := []int{c.Bars[0].W, c.Bars[1].W, c.Bars[2].W}, []int{barMax, barMax / 2, 0}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("NewBars() widths = %v, want %v", got, want)
	}
	if c.Desc != "Act: 10, Track: 5, None: 0." {
		t.Errorf("NewBars().Desc = %q", c.Desc)
	}
	if empty := NewBars("e", "Nothing", nil); empty.Desc != "No data." || !strings.Contains(string(empty.SVG()), "<svg") {
		t.Errorf("NewBars(nil) = %+v", empty)
	}
}

func TestNewLines(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	times := []time.Time{t0, t0.AddDate(0, 0, 1), t0.AddDate(0, 0, 2)}
	c := NewLines("l", "Open <findings>", times, "2 Jan", []Series{
		{Label: "Act <now>", Stroke: "#c62828", Values: []int{0, 7, 3}},
		{Label: "Track", Stroke: "#9e9e9e", Dash: "6 4", Values: []int{1, 1, 1}},
	})
	// 7 rounds up to a top of 8 with a step of 2: 0 sits on the axis, 8 on top.
	if got, want := c.Series[0].Points, "48,252 326,42 604,162"; got != want {
		t.Errorf("NewLines() points = %q, want %q", got, want)
	}
	if n := len(c.YTicks); n != 5 {
		t.Errorf("NewLines() y ticks = %d, want 5 (0, 2, 4, 6, 8)", n)
	}
	svg := string(c.SVG())
	for _, want := range []string{"Open &lt;findings&gt;", "Act &lt;now&gt; (3)", `stroke-dasharray="6 4"`, "From 1 Nov to 3 Nov."} {
		if !strings.Contains(svg, want) {
			t.Errorf("Lines.SVG() lacks %q:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<now>") {
		t.Errorf("Lines.SVG() does not escape a label:\n%s", svg)
	}
}

func TestNiceStep(t *testing.T) {
	t.Parallel()
	for top, want := range map[int]int{0: 1, 5: 1, 7: 2, 12: 5, 40: 10, 101: 50, 2000: 500} {
		if got := niceStep(top); got != want {
			t.Errorf("niceStep(%d) = %d, want %d", top, got, want)
		}
	}
}
