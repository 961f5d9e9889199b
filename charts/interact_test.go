package charts

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"feedscope/charts/series"
)

func rendererOf(c *Chart) *chartRenderer { return test.WidgetRenderer(c).(*chartRenderer) }

// twoSeries shows cpu and mem, 600 s of data, in a 5-minute follow window.
func twoSeries(t *testing.T) (*Chart, fyne.Window, *series.Store) {
	s := newStore(t)
	fillWave(t, s, "cpu", 600, 20, 120, 50)
	fillWave(t, s, "mem", 600, 10, 300, 30)
	c := New(s)
	c.SetWindow(5 * time.Minute)
	w := show(t, c, theme.LightTheme())
	return c, w, s
}

func plotCenter(c *Chart) fyne.Position {
	return c.plot.Add(fyne.NewPos(c.plotSize.Width/2, c.plotSize.Height/2))
}

func TestHoverListsEveryVisibleSeries(t *testing.T) {
	c, w, s := twoSeries(t)
	r := rendererOf(c)
	p := plotCenter(c)
	before := r.refreshes
	test.MoveMouse(w.Canvas(), p)
	if !r.cross.Visible() || !r.tipBg.Visible() {
		t.Fatal("crosshair or tooltip hidden while hovering the plot")
	}
	if r.refreshes != before {
		t.Error("a pointer move recomputed the frame")
	}
	at := r.timeAt(p.X)
	if want := formatReadout(at, 5*time.Minute, time.UTC); r.tipText[0].Text != want {
		t.Errorf("tooltip time %q, want %q", r.tipText[0].Text, want)
	}
	for i, name := range []string{"cpu", "mem"} {
		_, v, _ := s.Lookup(name).Nearest(at)
		if want := name + ": " + formatValue(v, 0); r.tipText[i+1].Text != want || !r.tipText[i+1].Visible() {
			t.Errorf("tooltip row %d = %q, want %q", i+1, r.tipText[i+1].Text, want)
		}
	}
	test.AssertImageMatches(t, "hover.png", capture(w))
	test.MoveMouse(w.Canvas(), fyne.NewPos(1, 1)) // over the legend row
	if r.cross.Visible() || r.tipBg.Visible() {
		t.Error("crosshair still shown outside the plot")
	}
}

func TestScrollZoomsAroundPointerAndLiveReturns(t *testing.T) {
	c, w, _ := twoSeries(t)
	r := rendererOf(c)
	from0, to0 := r.from, r.to
	p := c.plot.Add(fyne.NewPos(c.plotSize.Width/4, 20))
	frac := float64(p.X-c.plot.X) / float64(c.plotSize.Width)
	anchor := r.timeAt(p.X)
	// test.Scroll leaves the event's position empty; the desktop driver
	// fills it, so deliver this one directly to check the anchor.
	c.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: p}, Scrolled: fyne.Delta{DY: 10}}) // one notch up: zoom in
	if c.Following() {
		t.Fatal("zoom kept follow mode")
	}
	span0, span := float64(to0-from0), float64(r.to-r.from)
	if got := span / span0; got < 0.84 || got > 0.86 {
		t.Errorf("one notch scaled the span by %.3f, want 0.85", got)
	}
	// The Y labels may change width and move the plot; the time at the
	// same fraction of the plot stays.
	if d := r.from + int64(frac*span) - anchor; d > int64(time.Second) || d < -int64(time.Second) {
		t.Errorf("time under the pointer moved by %v", time.Duration(d))
	}
	test.Scroll(w.Canvas(), p, 0, -20)
	if float64(r.to-r.from) <= span {
		t.Error("scrolling down did not zoom out")
	}
	if !r.liveBtn.Visible() || r.liveBtn.Disabled() {
		t.Fatal("Live control not offered after zooming")
	}
	test.Tap(r.liveBtn)
	if !c.Following() || r.from != from0 || r.to != to0 {
		t.Errorf("Live did not return to follow mode: following=%v %v..%v", c.Following(), r.from, r.to)
	}
}

func TestDragPansWhileDataStreams(t *testing.T) {
	c, w, s := twoSeries(t)
	r := rendererOf(c)
	from0, to0 := r.from, r.to
	test.Drag(w.Canvas(), plotCenter(c), 100, 0)
	if c.Following() {
		t.Fatal("pan kept follow mode")
	}
	want := int64(100 / float64(c.plotSize.Width) * float64(to0-from0))
	if d := from0 - r.from; d < want-int64(time.Second) || d > want+int64(time.Second) {
		t.Errorf("dragging 100 px right moved the view back %v, want %v", time.Duration(d), time.Duration(want))
	}
	from1, to1 := r.from, r.to
	// Data keeps arriving; the panned view stays put, and is redrawn.
	fillWaveFrom(t, s, "cpu", 600, 60)
	before := r.refreshes
	r.tick(0)
	if r.refreshes == before {
		t.Error("new data did not trigger a frame")
	}
	if r.from != from1 || r.to != to1 {
		t.Error("new data moved a panned view")
	}
	test.Drag(w.Canvas(), plotCenter(c), -50, 0) // panning again works mid-stream
	if r.from <= from1 {
		t.Error("second drag did not pan")
	}
}

func fillWaveFrom(t testing.TB, s *series.Store, name string, start, n int) {
	t.Helper()
	for i := start; i < start+n; i++ {
		if err := s.Append(name, base.Add(time.Duration(i)*time.Second), float64(i%17)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTapLegendTogglesSeries(t *testing.T) {
	c, w, _ := twoSeries(t)
	r := rendererOf(c)
	var mem legendHit
	for _, h := range c.legendHits {
		if h.name == "mem" {
			mem = h
		}
	}
	if mem.name == "" {
		t.Fatal("no legend entry for mem")
	}
	at := mem.pos.Add(fyne.NewPos(mem.size.Width/2, mem.size.Height/2))
	test.TapCanvas(w.Canvas(), at)
	if c.SeriesVisible("mem") || len(r.frames) != 1 || r.frames[0].sr.Name() != "cpu" {
		t.Fatalf("mem still drawn after tapping its legend entry (%d series drawn)", len(r.frames))
	}
	test.AssertImageMatches(t, "legend_hidden.png", capture(w))
	test.TapCanvas(w.Canvas(), at)
	if !c.SeriesVisible("mem") || len(r.frames) != 2 {
		t.Fatal("second tap did not show mem again")
	}
	test.TapCanvas(w.Canvas(), plotCenter(c)) // the plot itself toggles nothing
	if !c.SeriesVisible("cpu") || !c.SeriesVisible("mem") {
		t.Error("tapping the plot changed visibility")
	}
}

func TestPauseFreezesViewButKeepsData(t *testing.T) {
	c, _, s := twoSeries(t)
	r := rendererOf(c)
	c.SetPaused(true)
	from, to := r.from, r.to
	fillWaveFrom(t, s, "cpu", 600, 100)
	before := r.refreshes
	r.tick(0)
	if r.refreshes != before || r.from != from || r.to != to {
		t.Error("a paused chart redrew for new data")
	}
	if n := s.Lookup("cpu").Len(); n != 700 {
		t.Errorf("stored %d points while paused, want 700", n)
	}
	c.SetPaused(false)
	if c.Paused() || !c.Following() || r.to != base.Add(699*time.Second).UnixNano() {
		t.Error("resuming did not jump to the newest point")
	}
}

func TestFrameClockRedrawsOnlyWhenDirty(t *testing.T) {
	c, _, s := twoSeries(t)
	r := rendererOf(c)
	before := r.refreshes
	r.tick(0)
	r.tick(0)
	if r.refreshes != before {
		t.Errorf("clock redrew %d times with nothing new", r.refreshes-before)
	}
	for i := range 1000 { // a burst of samples is one frame
		s.Append("cpu", base.Add(600*time.Second+time.Duration(i)*time.Millisecond), 1)
	}
	r.tick(0)
	if r.refreshes != before+1 {
		t.Errorf("1000 appends gave %d frames, want 1", r.refreshes-before)
	}
	if r.to != base.Add(600*time.Second+999*time.Millisecond).UnixNano() {
		t.Error("follow mode did not move to the newest point")
	}
	c.Refresh()
	r.Destroy()
	if r.clock != nil {
		t.Error("Destroy left the clock running")
	}
}

func TestDefaultVisibleAndSeriesList(t *testing.T) {
	s := newStore(t)
	for i := range 12 {
		s.Append(string(rune('a'+i)), base, float64(i))
	}
	c := New(s)
	show(t, c, theme.LightTheme())
	infos := c.Series()
	if len(infos) != 12 || !infos[7].Visible || infos[8].Visible || infos[3].Color != SeriesColor(3) {
		t.Fatalf("series list %+v", infos)
	}
	c.SetDefaultVisible(2)
	if !c.SeriesVisible("b") || c.SeriesVisible("c") {
		t.Error("SetDefaultVisible(2)")
	}
	c.SetSeriesVisible("k", true)
	if !c.SeriesVisible("k") || len(rendererOf(c).frames) != 3 {
		t.Error("an explicit choice must override the default")
	}
}

func TestYRange(t *testing.T) {
	c, _, s := twoSeries(t)
	r := rendererOf(c)
	from, to, _ := c.TimeRange()
	lo, hi := 1e9, -1e9
	for _, n := range []string{"cpu", "mem"} {
		st, _ := s.Stats(n, from, to)
		lo, hi = min(lo, st.Min), max(hi, st.Max)
	}
	if h := (hi - lo) * yHeadroom; r.yMin > lo-h*0.99 || r.yMax < hi+h*0.99 || r.yMin < lo-h*1.01 || r.yMax > hi+h*1.01 {
		t.Errorf("auto range %v..%v, want the data %v..%v with %v%% headroom", r.yMin, r.yMax, lo, hi, yHeadroom*100)
	}
	if err := c.SetYRange(0, 200); err != nil || r.yMin != 0 || r.yMax != 200 {
		t.Errorf("fixed range: %v %v..%v", err, r.yMin, r.yMax)
	}
	if got := r.yLabels[len(r.yTicks)-1].text; got != "200" {
		t.Errorf("top tick %q", got)
	}
	for _, bad := range [][2]float64{{1, 1}, {2, 1}} {
		if err := c.SetYRange(bad[0], bad[1]); err == nil {
			t.Errorf("SetYRange(%v) accepted", bad)
		}
	}
	c.SetAutoY()
	if r.yMax == 200 {
		t.Error("SetAutoY kept the fixed range")
	}
	if err := c.SetWindow(-time.Second); err == nil {
		t.Error("negative window accepted")
	}
}

func TestSnapshotAtHiDPIScale(t *testing.T) {
	c, _, _ := twoSeries(t)
	img, err := c.Image(fyne.NewSize(400, 225), 2)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 450 {
		t.Fatalf("image %v, want 800x450 device pixels", b)
	}
	test.AssertImageMatches(t, "hidpi.png", img)
	if _, err := c.Image(fyne.NewSize(0, 10), 1); err == nil {
		t.Error("empty size accepted")
	}
}

func TestSavePNG(t *testing.T) {
	c, _, _ := twoSeries(t)
	path := filepath.Join(t.TempDir(), "chart.png")
	if err := c.SavePNG(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 450 {
		t.Errorf("PNG is %v, want the chart's 800x450", b)
	}
	if err := c.SavePNG(filepath.Join(t.TempDir(), "missing", "x.png")); err == nil || !strings.Contains(err.Error(), "charts:") {
		t.Errorf("unwritable path: %v", err)
	}
}

// TestAppendWhileRendering runs feed goroutines against frames; run with
// -race.
func TestAppendWhileRendering(t *testing.T) {
	s := newStore(t)
	s.Append("a", base, 0)
	c := New(s)
	c.SetWindow(WindowAll)
	w := show(t, c, theme.LightTheme())
	r := rendererOf(c)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 3 {
		wg.Go(func() {
			name := string(rune('a' + g))
			for i := 1; i < 50_000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				s.Append(name, base.Add(time.Duration(i)*time.Millisecond), float64(i%100))
				if i%1000 == 0 {
					s.MarkBreak()
				}
			}
		})
	}
	for range 10 {
		r.tick(0)
		capture(w)
		test.MoveMouse(w.Canvas(), plotCenter(c))
	}
	close(stop)
	wg.Wait()
	if !r.hasData || len(r.frames) == 0 {
		t.Error("no frames drawn")
	}
}

// TestSnapshotWithoutWindow is the app's `snapshot` command: a chart that
// was never shown renders through the software driver alone.
func TestSnapshotWithoutWindow(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.LightTheme())
	s := newStore(t)
	fillWave(t, s, "rx.bytes", 600, 400e3, 120, 1.2e6)
	c := New(s)
	c.SetLocation(time.UTC)
	img, err := c.Image(fyne.NewSize(800, 450), 1)
	if err != nil {
		t.Fatal(err)
	}
	// Same data, size and theme as the one_series golden, but that chart
	// shows 5 minutes; this one the default minute.
	if c.Window() != time.Minute {
		t.Fatalf("default window %v", c.Window())
	}
	test.AssertImageMatches(t, "snapshot.png", img)
}

func TestKeyboardPansZoomsAndReturnsLive(t *testing.T) {
	c, w, _ := twoSeries(t)
	r := rendererOf(c)
	test.TapCanvas(w.Canvas(), plotCenter(c))
	if w.Canvas().Focused() != c {
		t.Fatal("tapping the chart did not focus it")
	}
	from0, to0 := r.from, r.to
	span := to0 - from0
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft})
	if c.Following() || r.from != from0-span/10 || r.to != to0-span/10 {
		t.Errorf("← moved %v..%v to %v..%v, want back by a tenth", from0, to0, r.from, r.to)
	}
	test.Type(c, "+")
	if got := float64(r.to-r.from) / float64(span); got < 0.84 || got > 0.86 {
		t.Errorf("+ scaled the span by %.3f", got)
	}
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	if !c.Paused() {
		t.Error("space did not pause")
	}
	test.Type(c, "l")
	if !c.Following() || c.Paused() || r.to != to0 {
		t.Error("l did not return to Live")
	}
}

func TestSetTimeRange(t *testing.T) {
	c, _, _ := twoSeries(t)
	r := rendererOf(c)
	from, to := base.Add(10*time.Second), base.Add(70*time.Second)
	if err := c.SetTimeRange(from, to); err != nil {
		t.Fatal(err)
	}
	if c.Following() || r.from != from.UnixNano() || r.to != to.UnixNano() {
		t.Errorf("view %v..%v, want %v..%v", r.from, r.to, from.UnixNano(), to.UnixNano())
	}
	if got := r.xLabels[0].text; got != "09:26:10" {
		t.Errorf("first time label %q", got)
	}
	for _, bad := range [][2]time.Time{{to, from}, {from, from}, {from, from.Add(200 * 365 * 24 * time.Hour)}} {
		if err := c.SetTimeRange(bad[0], bad[1]); err == nil {
			t.Errorf("SetTimeRange(%v, %v) accepted", bad[0], bad[1])
		}
	}
}

// Hovering a gap reads no value: the tooltip lists only the series whose
// line is drawn under the pointer, not the nearest point across the gap.
func TestHoverInGapListsNoValue(t *testing.T) {
	s := newStore(t)
	for i := range 300 {
		if i == 150 {
			s.MarkBreak()
		}
		if i >= 150 && i < 250 {
			continue // disconnected
		}
		s.Append("temp", base.Add(time.Duration(i)*time.Second), 20)
	}
	c := New(s)
	c.SetWindow(5 * time.Minute)
	w := show(t, c, theme.LightTheme())
	r := rendererOf(c)
	xAt := func(sec int) float32 {
		at := base.Add(time.Duration(sec) * time.Second).UnixNano()
		return c.plot.X + float32(float64(at-r.from)/float64(r.to-r.from))*c.plotSize.Width
	}
	y := c.plot.Y + c.plotSize.Height/2
	test.MoveMouse(w.Canvas(), fyne.NewPos(xAt(200), y))
	if r.tipText[1].Visible() && r.tipText[1].Text != "" && r.tipSwatch[1].Visible() {
		t.Fatalf("tooltip in the gap lists %q", r.tipText[1].Text)
	}
	test.MoveMouse(w.Canvas(), fyne.NewPos(xAt(100), y))
	if want := "temp: " + formatValue(20, 0); r.tipText[1].Text != want || !r.tipSwatch[1].Visible() {
		t.Fatalf("tooltip on the line reads %q, want %q", r.tipText[1].Text, want)
	}
}

// A panel of a dashboard lists only its own series: its legend, Series
// and drawing leave out the store's others, and the legend entries it
// keeps still toggle.
func TestSetListedFiltersLegendAndDrawing(t *testing.T) {
	c, w, _ := twoSeries(t)
	r := rendererOf(c)
	c.SetListed(func(name string) bool { return name == "mem" })
	w.Canvas().Refresh(c)
	r.tick(0)
	if got := c.Series(); len(got) != 1 || got[0].Name != "mem" {
		t.Fatalf("Series() with a filter: %+v", got)
	}
	if len(c.legendHits) != 1 || c.legendHits[0].name != "mem" {
		t.Fatalf("legend entries with a filter: %+v", c.legendHits)
	}
	for _, tx := range r.legendText {
		if strings.HasPrefix(tx.Text, "cpu") {
			t.Fatalf("the legend still lists cpu: %q", tx.Text)
		}
	}
	if len(r.frames) != 1 || r.frames[0].sr.Name() != "mem" {
		t.Fatalf("%d series drawn with a filter, want mem alone", len(r.frames))
	}
	c.SetListed(nil)
	r.tick(0)
	if len(c.Series()) != 2 || len(r.frames) != 2 {
		t.Fatal("SetListed(nil) did not list every series again")
	}
}
