package charts

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// linked shows n charts stacked in one test window, each of its own store
// (cpu, mem, ...: 600 s of data, the i-th ending i*20 s earlier, so the
// feeds do not end together), all in one group with a 5-minute window.
func linked(t *testing.T, n int, height float32) (*Group, []*Chart, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.LightTheme())
	g := NewGroup()
	var charts []*Chart
	var objs []fyne.CanvasObject
	for i := range n {
		s := newStore(t)
		name := []string{"cpu", "mem", "disk", "net", "load", "temp"}[i%6]
		fillWave(t, s, name, 600-20*i, 20+10*float64(i), 120+60*float64(i), 50)
		c := New(s)
		c.SetLocation(time.UTC)
		g.Add(c)
		charts = append(charts, c)
		objs = append(objs, c)
	}
	if err := charts[0].SetWindow(5 * time.Minute); err != nil {
		t.Fatal(err)
	}
	w := test.NewWindow(container.NewGridWithRows(n, objs...))
	w.SetPadded(false)
	w.Resize(fyne.NewSize(800, height))
	t.Cleanup(w.Close)
	displayFrame(g)
	return g, charts, w
}

// displayFrame is one display frame: every member's frame clock ticks.
func displayFrame(g *Group) {
	for _, c := range g.members {
		if r := c.renderer; r != nil {
			r.tick(0)
		}
	}
}

// inWindow maps a position in c to the window's canvas (the charts sit in
// a grid at the window's origin).
func inWindow(c *Chart, p fyne.Position) fyne.Position { return c.Position().Add(p) }

// sameView checks that every chart shows from..to, drawn as well as said.
func sameView(t *testing.T, what string, charts []*Chart) (from, to int64) {
	t.Helper()
	f, e, ok := charts[0].TimeRange()
	if !ok {
		t.Fatalf("%s: no time range", what)
	}
	from, to = f.UnixNano(), e.UnixNano()
	for i, c := range charts {
		f, e, _ := c.TimeRange()
		r := rendererOf(c)
		if f.UnixNano() != from || e.UnixNano() != to || r.from != from || r.to != to {
			t.Errorf("%s: chart %d shows %v..%v (drawn %v..%v), chart 0 %v..%v", what, i,
				f.UnixNano(), e.UnixNano(), r.from, r.to, from, to)
		}
	}
	return from, to
}

func TestGroupFollowsNewestAcrossStores(t *testing.T) {
	g, charts, _ := linked(t, 3, 900)
	_, to := sameView(t, "follow", charts)
	if want := base.Add(599 * time.Second).UnixNano(); to != want {
		t.Errorf("right edge %v, want the newest sample of any member %v", time.Unix(0, to), time.Unix(0, want))
	}
	// A sample in the third store only moves every member's edge.
	charts[2].Store().Append("disk", base.Add(610*time.Second), 1)
	displayFrame(g)
	if _, to := sameView(t, "after new data", charts); to != base.Add(610*time.Second).UnixNano() {
		t.Errorf("edge %v after a newer sample in one member", time.Unix(0, to))
	}
}

func TestGroupZoomPanPauseLive(t *testing.T) {
	g, charts, w := linked(t, 3, 900)
	from0, to0 := sameView(t, "start", charts)

	// Zoom in the first: one notch up.
	c0 := charts[0]
	c0.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: plotCenter(c0)}, Scrolled: fyne.Delta{DY: 10}})
	displayFrame(g)
	from, to := sameView(t, "zoom", charts)
	if got := float64(to-from) / float64(to0-from0); got < 0.84 || got > 0.86 {
		t.Errorf("zoom scaled the span by %.3f", got)
	}
	for i, c := range charts {
		if c.Following() {
			t.Errorf("chart %d still following after a zoom in chart 0", i)
		}
		if got := rendererOf(c).status.Text; got != "Zoomed" {
			t.Errorf("chart %d status %q, want Zoomed", i, got)
		}
	}

	// Pan the second with the pointer: 100 px right shows earlier times.
	c1 := charts[1]
	test.Drag(w.Canvas(), inWindow(c1, plotCenter(c1)), 100, 0)
	displayFrame(g)
	fromP, _ := sameView(t, "pan", charts)
	want := int64(100 / float64(c1.plotSize.Width) * float64(to-from))
	if d := from - fromP; d < want-int64(time.Second) || d > want+int64(time.Second) {
		t.Errorf("drag moved the view back %v, want %v", time.Duration(d), time.Duration(want))
	}

	// Keys in the third: ← pans, space pauses all.
	c2 := charts[2]
	c2.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	c2.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	displayFrame(g)
	fromK, toK := sameView(t, "keys", charts)
	for i, c := range charts {
		if !c.Paused() || rendererOf(c).status.Text != "Paused" {
			t.Errorf("chart %d not paused by space in chart 2", i)
		}
	}
	// Paused: new data is kept but moves nothing.
	charts[0].Store().Append("cpu", base.Add(700*time.Second), 1)
	displayFrame(g)
	if f, e := sameView(t, "paused", charts); f != fromK || e != toK {
		t.Error("new data moved a paused group")
	}

	// Live in the first brings all back to the newest sample.
	test.Tap(rendererOf(c0).liveBtn)
	displayFrame(g)
	_, toL := sameView(t, "live", charts)
	if toL != base.Add(700*time.Second).UnixNano() {
		t.Errorf("Live edge %v, want the newest sample", time.Unix(0, toL))
	}
	for i, c := range charts {
		if !c.Following() || c.Paused() || !rendererOf(c).liveBtn.Disabled() {
			t.Errorf("chart %d not live after Live in chart 0", i)
		}
	}

	// SetTimeRange and SetWindow through any member.
	if err := charts[2].SetTimeRange(base.Add(10*time.Second), base.Add(70*time.Second)); err != nil {
		t.Fatal(err)
	}
	displayFrame(g)
	if f, e := sameView(t, "SetTimeRange", charts); f != base.Add(10*time.Second).UnixNano() || e != base.Add(70*time.Second).UnixNano() {
		t.Error("SetTimeRange in one member did not set it in all")
	}
	if err := charts[1].SetWindow(time.Minute); err != nil {
		t.Fatal(err)
	}
	displayFrame(g)
	if f, e := sameView(t, "SetWindow", charts); e-f != int64(time.Minute) || !charts[0].Following() || charts[2].Window() != time.Minute {
		t.Error("SetWindow in one member did not set it in all")
	}
}

// tooltipShown reports whether c's tooltip is on screen.
func tooltipShown(c *Chart) bool {
	r := rendererOf(c)
	return r.tipBg.Visible() || r.tipText[0].Visible()
}

// crossTime is the moment c's crosshair marks, if shown.
func crossTime(c *Chart) (int64, bool) {
	r := rendererOf(c)
	if !r.cross.Visible() {
		return 0, false
	}
	return r.timeAt(r.cross.Position1.X), true
}

func TestGroupCrosshair(t *testing.T) {
	g, charts, w := linked(t, 3, 900)
	c1 := charts[1]
	p := c1.plot.Add(fyne.NewPos(c1.plotSize.Width*0.3, 20))
	test.MoveMouse(w.Canvas(), inWindow(c1, p))
	at, ok := g.HoverTime()
	if !ok {
		t.Fatal("no hover time with the pointer over a member's plot")
	}
	if want := rendererOf(c1).timeAt(p.X); at.UnixNano() != want {
		t.Errorf("hover time %v, want the time under the pointer %v", at, time.Unix(0, want))
	}
	// One pixel of the narrowest plot is the most the moments may differ.
	px := int64(0)
	for _, c := range charts {
		r := rendererOf(c)
		px = max(px, int64(float64(r.to-r.from)/float64(c.plotSize.Width)))
	}
	for i, c := range charts {
		ct, ok := crossTime(c)
		if !ok {
			t.Errorf("chart %d draws no crosshair while chart 1 is hovered", i)
			continue
		}
		if d := ct - at.UnixNano(); d > px || d < -px {
			t.Errorf("chart %d crosshair at %v, %v from the hover time", i, time.Unix(0, ct), time.Duration(d))
		}
		if tooltipShown(c) != (i == 1) {
			t.Errorf("chart %d tooltip shown = %v; want it only in the hovered chart", i, tooltipShown(c))
		}
	}
	if want := formatReadout(at.UnixNano(), 5*time.Minute, time.UTC); rendererOf(c1).tipText[0].Text != want {
		t.Errorf("tooltip reads %q, want %q", rendererOf(c1).tipText[0].Text, want)
	}

	// The crosshair follows the view: a zoom keeps it at the same place
	// across the plot in every member.
	charts[0].TypedRune('+')
	displayFrame(g)
	at2, _ := g.HoverTime()
	for i, c := range charts {
		if ct, ok := crossTime(c); !ok || ct-at2.UnixNano() > px || at2.UnixNano()-ct > px {
			t.Errorf("after a zoom chart %d crosshair at %v, hover time %v", i, time.Unix(0, ct), at2)
		}
	}

	// Over another member: the tooltip moves there.
	c2 := charts[2]
	test.MoveMouse(w.Canvas(), inWindow(c2, plotCenter(c2)))
	if tooltipShown(c1) || !tooltipShown(c2) {
		t.Error("tooltip did not move to the newly hovered chart")
	}

	// Leaving: none anywhere. Over a member's legend counts as leaving
	// the plot; so does leaving the window.
	for _, out := range []fyne.Position{inWindow(c2, fyne.NewPos(2, 2)), {X: -5, Y: -5}} {
		test.MoveMouse(w.Canvas(), inWindow(c1, p))
		test.MoveMouse(w.Canvas(), out)
		if _, ok := g.HoverTime(); ok {
			t.Errorf("pointer at %v: hover time still set", out)
		}
		for i, c := range charts {
			if rendererOf(c).cross.Visible() || tooltipShown(c) {
				t.Errorf("pointer at %v: chart %d still shows the crosshair or tooltip", out, i)
			}
		}
	}
	// A frame while the pointer is away does not bring it back.
	charts[0].Store().Append("cpu", base.Add(650*time.Second), 3)
	displayFrame(g)
	for i, c := range charts {
		if rendererOf(c).cross.Visible() {
			t.Errorf("chart %d crosshair back after a frame", i)
		}
	}
}

func TestGroupRemovedChartKeepsItsOwnView(t *testing.T) {
	g, charts, w := linked(t, 3, 900)
	charts[0].TypedRune('+')
	displayFrame(g)
	from, to := sameView(t, "zoom", charts)

	gone := charts[2]
	g.Remove(gone)
	if gone.Group() != nil || len(g.Members()) != 2 {
		t.Fatal("Remove left the chart in the group")
	}
	if f, e, _ := gone.TimeRange(); f.UnixNano() != from || e.UnixNano() != to || gone.Following() {
		t.Error("a removed chart lost the view it had")
	}
	// The group zooms on; the removed chart stays.
	charts[0].TypedRune('+')
	displayFrame(g)
	if f, e, _ := gone.TimeRange(); f.UnixNano() != from || e.UnixNano() != to {
		t.Error("a zoom in the group moved a removed chart")
	}
	// The removed chart zooms alone.
	f0, e0, _ := charts[0].TimeRange()
	gone.TypedRune('-')
	displayFrame(g)
	if f, e, _ := charts[0].TimeRange(); !f.Equal(f0) || !e.Equal(e0) {
		t.Error("a removed chart's zoom moved the group")
	}
	if f, e, _ := gone.TimeRange(); e.Sub(f) <= time.Duration(to-from) {
		t.Error("a removed chart did not zoom on its own")
	}
	// And hovers alone: its crosshair, no one else's.
	test.MoveMouse(w.Canvas(), inWindow(gone, plotCenter(gone)))
	if !rendererOf(gone).cross.Visible() || rendererOf(charts[0]).cross.Visible() {
		t.Error("hovering a removed chart drew the group's crosshair")
	}
	test.MoveMouse(w.Canvas(), inWindow(charts[0], plotCenter(charts[0])))
	if rendererOf(gone).cross.Visible() {
		t.Error("hovering the group drew a crosshair in a removed chart")
	}
	// Joining another group takes that group's view.
	h := NewGroup()
	other := New(charts[0].Store())
	other.SetWindow(10 * time.Second)
	h.Add(other)
	h.Add(charts[1])
	if charts[1].Group() != h || len(g.Members()) != 1 || charts[1].Window() != 10*time.Second || !charts[1].Following() {
		t.Error("a chart added to another group did not move there with that group's view")
	}
}

// Two linked charts with the pointer over the first: the crosshair in
// both, at the same moment, the tooltip in the first.
func TestGoldenGroupCrosshair(t *testing.T) {
	_, charts, w := linked(t, 2, 600)
	c := charts[0]
	test.MoveMouse(w.Canvas(), inWindow(c, c.plot.Add(fyne.NewPos(c.plotSize.Width*0.6, c.plotSize.Height*0.3))))
	test.AssertImageMatches(t, "group_crosshair.png", capture(w))
}

// A chart never shown still follows the group's view (no frame clock
// runs: the change applies at once), and draws it when it is shown.
func TestGroupBeforeShown(t *testing.T) {
	test.NewTempApp(t)
	s := newStore(t)
	fillWave(t, s, "cpu", 600, 20, 120, 50)
	a, b := New(s), New(s)
	g := NewGroup()
	g.Add(a)
	g.Add(b)
	if err := a.SetTimeRange(base, base.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if f, e, _ := b.TimeRange(); !f.Equal(base) || !e.Equal(base.Add(time.Minute)) {
		t.Errorf("unshown member's range %v..%v", f, e)
	}
	// Shown, it draws the group's range.
	w := test.NewWindow(b)
	t.Cleanup(w.Close)
	if r := rendererOf(b); r.from != base.UnixNano() || r.to != base.Add(time.Minute).UnixNano() {
		t.Errorf("a member shown later draws %v..%v", r.from, r.to)
	}
}

// A member taken out of the window while hovered leaves no crosshair in
// the others: no MouseOut will come.
func TestGroupHoveredMemberDestroyed(t *testing.T) {
	g, charts, w := linked(t, 2, 600)
	c := charts[0]
	test.MoveMouse(w.Canvas(), inWindow(c, plotCenter(c)))
	if !rendererOf(charts[1]).cross.Visible() {
		t.Fatal("no crosshair in the other member")
	}
	rendererOf(c).Destroy()
	if _, ok := g.HoverTime(); ok || rendererOf(charts[1]).cross.Visible() {
		t.Error("crosshair stayed after the hovered member was destroyed")
	}
}
