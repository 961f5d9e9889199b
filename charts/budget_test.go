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
	case o == r.tipBg:
		return "tooltip"
	case o == r.liveBtn:
		return "Live button"
	}
	for i, tx := range r.tipText {
		if o == tx || o == r.tipSwatch[i] {
			return "tooltip"
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

// A group of three charts: a view change redraws each member once in the
// next frame however many events came before it, and nothing else; a
// change that changes no view redraws nothing; a pointer move refreshes
// only crosshairs; new data redraws only the members whose view or data
// it changed.
func TestGroupFrameBudget(t *testing.T) {
	g, charts, w := linked(t, 3, 900)
	count, restore := refreshcount.Install(fyne.CurrentApp())
	defer restore()
	frames := func() (n []int) {
		for _, c := range charts {
			n = append(n, rendererOf(c).refreshes)
		}
		return n
	}
	var describe func(fyne.CanvasObject) string
	onlyRasters := func(what string, want map[*Chart]bool) {
		t.Helper()
		for _, c := range charts {
			r := rendererOf(c)
			n := count.Refreshes(r.raster)
			if want[c] && n != 1 || !want[c] && n != 0 {
				t.Errorf("%s: a member's raster refreshed %d times (redraw wanted: %v)", what, n, want[c])
			}
		}
		for o, k := range count.Objects() {
			// "other" holds the Live button's insides, which Fyne's
			// button refreshes as it likes once the button is.
			if d := describe(o); k > 1 && d != "other" {
				t.Errorf("%s: %s refreshed %d times in one frame", what, d, k)
			}
		}
	}
	describe = func(o fyne.CanvasObject) string {
		for _, c := range charts {
			if d := rendererOf(c).describe(o); d != "other" {
				return d
			}
		}
		return "other"
	}
	all := map[*Chart]bool{charts[0]: true, charts[1]: true, charts[2]: true}

	displayFrame(g)
	if !count.Nothing() {
		t.Errorf("a frame with nothing new: %d refreshes, %d repaint requests", count.Total(), count.Dirtied())
	}

	// Three zoom steps and a drag before one frame: one redraw each.
	before := frames()
	c0 := charts[0]
	for range 3 {
		c0.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: plotCenter(c0)}, Scrolled: fyne.Delta{DY: 10}})
	}
	c0.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: plotCenter(c0)}, Dragged: fyne.Delta{DX: 30}})
	if n := count.Refreshes(rendererOf(c0).raster); n != 0 {
		t.Errorf("the zoom redrew its chart %d times before the frame", n)
	}
	displayFrame(g)
	displayFrame(g) // and nothing more in the next
	for i, n := range frames() {
		if n != before[i]+1 {
			t.Errorf("member %d computed %d frames for one view change, want 1", i, n-before[i])
		}
	}
	onlyRasters("zoom", all)

	// A change that changes no view: Live twice, the window it has.
	charts[1].Live()
	displayFrame(g)
	count.Reset()
	before = frames()
	charts[2].Live()
	if err := charts[0].SetWindow(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	displayFrame(g)
	if !count.Nothing() || frames()[0] != before[0] || frames()[1] != before[1] || frames()[2] != before[2] {
		t.Errorf("Live when live redrew: %d refreshes, frames %v → %v", count.Total(), before, frames())
	}

	// New data in one store that does not move the shared edge (older
	// than the newest sample): only that member redraws.
	count.Reset()
	charts[2].Store().Append("disk", base.Add(590*time.Second), 1)
	displayFrame(g)
	onlyRasters("data in one member", map[*Chart]bool{charts[2]: true})
	// Newer than any: every follow edge moves.
	count.Reset()
	charts[2].Store().Append("disk", base.Add(620*time.Second), 1)
	displayFrame(g)
	onlyRasters("a new newest sample", all)
	// Paused: nothing, whatever arrives.
	charts[1].SetPaused(true)
	displayFrame(g)
	count.Reset()
	charts[0].Store().Append("cpu", base.Add(630*time.Second), 1)
	displayFrame(g)
	if !count.Nothing() {
		t.Errorf("new data in a paused group: %d refreshes", count.Total())
	}
	charts[1].Live()
	displayFrame(g)

	// The pointer: crosshairs only, each at most once, no frame.
	before = frames()
	for _, x := range []float32{0.3, 0.5} {
		count.Reset()
		c1 := charts[1]
		test.MoveMouse(w.Canvas(), inWindow(c1, c1.plot.Add(fyne.NewPos(c1.plotSize.Width*x, 20))))
		for o, n := range count.Objects() {
			if what := describe(o); what != "crosshair" && what != "tooltip" || n > 1 {
				t.Errorf("pointer move refreshed %s %d times", what, n)
			}
		}
		for i, c := range charts {
			if !rendererOf(c).cross.Visible() {
				t.Errorf("member %d shows no crosshair", i)
			}
		}
	}
	if f := frames(); f[0] != before[0] || f[1] != before[1] || f[2] != before[2] {
		t.Errorf("pointer moves computed frames: %v → %v", before, f)
	}
}
