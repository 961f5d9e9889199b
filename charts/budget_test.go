package charts

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"feedscope/internal/refreshcount"
)

// describe names the chart's objects a refresh count lists.
func (r *chartRenderer) describe(o fyne.CanvasObject) string {
	switch {
	case o == r.raster:
		return "raster"
	case o == r.cross:
		return "crosshair"
	case o == r.liveBtn:
		return "Live button"
	}
	for i, l := range r.xGrid {
		if o == l || o == r.yGrid[i] {
			return "grid line"
		}
	}
	for _, tx := range r.legendText {
		if o == tx {
			return "legend " + tx.Text
		}
	}
	return "other"
}

// Every repaint repaints the whole window, so a frame with one new sample
// may refresh the raster once and the legend at most once, nothing else:
// not the grid, the crosshair or the Live control. A frame with nothing new
// asks for no repaint at all.
func TestFrameBudget(t *testing.T) {
	c, w, s := twoSeries(t)
	r := rendererOf(c)
	count, restore := refreshcount.Install(fyne.CurrentApp())
	defer restore()
	_ = w

	r.tick(0)
	if !count.Nothing() {
		t.Errorf("a frame with nothing new: %d refreshes, %d repaint requests", count.Total(), count.Dirtied())
	}

	s.Append("cpu", base.Add(600*time.Second), 42)
	r.legendAt = time.Time{} // the legend's values are due
	wasHidden := map[fyne.CanvasObject]bool{}
	for _, o := range r.objects {
		wasHidden[o] = !o.Visible()
	}
	r.tick(0)
	if n := count.Refreshes(r.raster); n != 1 {
		t.Errorf("raster refreshed %d times in one frame, want 1", n)
	}
	for o, n := range count.Objects() {
		what := r.describe(o)
		switch {
		case what == "raster":
		case n > 1:
			t.Errorf("%s refreshed %d times in one frame", what, n)
		case wasHidden[o] && o.Visible():
			// Show on a line refreshes it: a new tick came into view.
		case what == "grid line" || what == "crosshair" || what == "Live button":
			t.Errorf("%s refreshed in a frame that changed no %s", what, what)
		}
	}
	if got := r.legendText[0].Text; got != "cpu  42" {
		t.Errorf("legend %q after a due frame, want the new value", got)
	}

	// Within legendEvery the legend keeps its values; hidden series keep
	// theirs on every frame.
	count.Reset()
	s.Append("cpu", base.Add(601*time.Second), 43)
	r.tick(0)
	if got := r.legendText[0].Text; got != "cpu  42" {
		t.Errorf("legend rewritten to %q within %v", got, legendEvery)
	}
	c.SetSeriesVisible("mem", false)
	memText := r.legendText[1].Text
	s.Append("mem", base.Add(602*time.Second), 7)
	r.legendAt = time.Time{}
	r.tick(0)
	if r.legendText[1].Text != memText {
		t.Errorf("hidden series' legend rewritten on a frame: %q → %q", memText, r.legendText[1].Text)
	}
	if got := r.legendText[0].Text; got != "cpu  43" {
		t.Errorf("visible series' legend %q, want its newest value", got)
	}
}

// The crosshair and tooltip go when the pointer leaves the chart, and when
// it leaves the window (a move to outside the canvas).
func TestTooltipLeavesWithThePointer(t *testing.T) {
	c, w, _ := twoSeries(t)
	r := rendererOf(c)
	for _, out := range []fyne.Position{
		{X: -5, Y: -5}, // beyond the window's edge
		{X: w.Canvas().Size().Width + 10, Y: 200},
	} {
		test.MoveMouse(w.Canvas(), plotCenter(c))
		if !r.cross.Visible() || !r.tipBg.Visible() {
			t.Fatal("no crosshair or tooltip over the plot")
		}
		test.MoveMouse(w.Canvas(), out)
		if r.cross.Visible() || r.tipBg.Visible() || r.tipText[0].Visible() {
			t.Errorf("pointer at %v: crosshair %v, tooltip %v", out, r.cross.Visible(), r.tipBg.Visible())
		}
	}
	// Leaving the chart for another widget of the window.
	test.MoveMouse(w.Canvas(), plotCenter(c))
	c.MouseOut()
	if r.cross.Visible() || r.tipBg.Visible() {
		t.Error("tooltip stayed after MouseOut")
	}
	// A frame while the pointer is away does not bring it back.
	c.Refresh()
	if r.cross.Visible() || r.tipBg.Visible() {
		t.Error("tooltip came back with a frame after the pointer left")
	}
}
