package charts

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"feedscope/charts/series"
	"feedscope/internal/cputime"
	"feedscope/internal/refreshcount"
)

const benchW, benchH = 1600, 900

// benchStore holds n points per series of a noisy random walk, 1 ms apart:
// the worst case for the line drawer, whose strips grow with the line's
// height in them.
func benchStore(b testing.TB, nSeries, n int) *series.Store {
	s, err := series.New(series.Options{Capacity: max(n, 1)})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	for k := range nSeries {
		sr, _ := s.Series(fmt.Sprint("s", k))
		v := 0.0
		for i := range n {
			v += r.NormFloat64()
			if err := sr.AppendNanos(int64(i)*int64(time.Millisecond), v); err != nil {
				b.Fatal(err)
			}
		}
	}
	return s
}

// benchRenderer shows the store's chart in a 1600x900 test window (all
// data in view) and returns its renderer: a frame is what the frame clock
// does when data changed — Refresh (time range, M4 reductions, Y range,
// ticks, legend, layout) — plus what the painter then asks of the raster.
func benchRenderer(b testing.TB, s *series.Store) *chartRenderer {
	a := test.NewTempApp(b)
	a.Settings().SetTheme(theme.DarkTheme())
	c := New(s)
	c.SetLocation(time.UTC)
	c.SetWindow(WindowAll)
	c.SetDefaultVisible(1000)
	w := test.NewWindow(c)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(benchW, benchH))
	b.Cleanup(w.Close)
	return rendererOf(c)
}

func (r *chartRenderer) frameForBench() {
	r.frame(false)
	sz := r.raster.Size()
	r.generate(int(sz.Width), int(sz.Height))
}

// scanBaseline is the bare cost of looking at every value once (min/max
// with plain comparisons) over the same points: what a frame would cost
// without the reduction, before drawing anything.
func scanBaseline(s *series.Store) (ns float64) {
	var vals [][]float64
	for _, sr := range s.List() {
		var v []float64
		for _, x := range sr.Points(-1<<62, 1<<62) {
			v = append(v, x)
		}
		vals = append(vals, v)
	}
	best := time.Duration(1 << 62)
	sink := 0.0
	for range 5 {
		start := time.Now()
		for _, v := range vals {
			lo, hi := v[0], v[0]
			for _, x := range v {
				if x < lo {
					lo = x
				}
				if x > hi {
					hi = x
				}
			}
			sink += lo + hi
		}
		best = min(best, time.Since(start))
	}
	if sink == 0.5 {
		println()
	}
	return float64(best.Nanoseconds())
}

// BenchmarkFrame measures one frame of a 1600x900 chart (plot about
// 1540x830 device pixels, anti-aliased) with every point in view, and
// reports it against a bare min/max scan of the same points measured in the
// same run.
func BenchmarkFrame(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000, 10_000_000} {
		b.Run(fmt.Sprintf("points=%s", si(n)), func(b *testing.B) {
			s := benchStore(b, 1, n)
			r := benchRenderer(b, s)
			base := scanBaseline(s)
			r.frameForBench()
			b.ReportAllocs()
			cpu := cpuMeter(b)
			for b.Loop() {
				r.frameForBench()
			}
			cpu.report()
			per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(per/1e6, "ms/frame")
			b.ReportMetric(base/1e6, "scan-ms")
			b.ReportMetric(per/base, "frame/scan")
			b.ReportMetric(s.List()[0].BytesPerPoint(), "B/point")
		})
	}
}

// BenchmarkStreaming10x100k: ten series of 100k points each in view, each
// receiving 17 new points per frame (1 kHz per series at 60 fps). It
// reports the frame time and the share of one core that 60 fps takes.
func BenchmarkStreaming10x100k(b *testing.B) {
	s := benchStore(b, 10, 100_000)
	r := benchRenderer(b, s)
	all := s.List()
	next := int64(100_000)
	b.ReportAllocs()
	cpu := cpuMeter(b)
	for b.Loop() {
		for range 17 {
			for _, sr := range all {
				sr.AppendNanos(next*int64(time.Millisecond), float64(next%100))
			}
			next++
		}
		r.frameForBench()
	}
	if cpuPer, ok := cpu.report(); ok {
		b.ReportMetric(cpuPer*60/1e9, "cpu-cores@60fps")
	}
	per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(per/1e6, "ms/frame")
	b.ReportMetric(per*60/1e9, "cores@60fps")
}

// cpuMeterT measures the thread CPU time of a benchmark loop.
type cpuMeterT struct {
	b     *testing.B
	start time.Duration
	ok    bool
}

// cpuMeter pins the benchmark goroutine to its thread (undone at cleanup)
// and starts measuring; call it right before b.Loop.
func cpuMeter(b *testing.B) *cpuMeterT {
	runtime.LockOSThread()
	b.Cleanup(runtime.UnlockOSThread)
	start, ok := cputime.Thread()
	return &cpuMeterT{b: b, start: start, ok: ok}
}

// report adds cpu-ms/frame and returns CPU nanoseconds per iteration.
func (m *cpuMeterT) report() (float64, bool) {
	end, ok := cputime.Thread()
	if !m.ok || !ok || m.b.N == 0 {
		return 0, false
	}
	per := float64((end - m.start).Nanoseconds()) / float64(m.b.N)
	m.b.ReportMetric(per/1e6, "cpu-ms/frame")
	return per, true
}

func si(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}

// dashboard is a bench window of panels over one store: a plain chart when
// there is one panel, a group of charts in a 3-column grid otherwise.
type dashboard struct {
	charts []*Chart
	group  *Group
	next   int64 // the next sample's time, ms
}

func newDashboard(b *testing.B, s *series.Store, panels, seriesEach int) *dashboard {
	d := &dashboard{next: int64(s.List()[0].Len())}
	var objs []fyne.CanvasObject
	if panels > 1 {
		d.group = NewGroup()
	}
	for i := range panels {
		c := New(s)
		c.SetLocation(time.UTC)
		c.SetDefaultVisible(0)
		for k := range seriesEach {
			c.SetSeriesVisible(s.List()[(i+k)%len(s.List())].Name(), true)
		}
		if d.group != nil {
			d.group.Add(c)
		}
		d.charts = append(d.charts, c)
		objs = append(objs, c)
	}
	d.charts[0].SetWindow(time.Minute)
	w := test.NewWindow(container.NewGridWithColumns(min(panels, 3), objs...))
	w.SetPadded(false)
	w.Resize(fyne.NewSize(benchW, benchH))
	b.Cleanup(w.Close)
	d.frame()
	return d
}

// stream appends 17 points to every series: 1 kHz each at 60 fps.
func (d *dashboard) stream() {
	for range 17 {
		for _, sr := range d.charts[0].Store().List() {
			sr.AppendNanos(d.next*int64(time.Millisecond), float64(d.next%100))
		}
		d.next++
	}
}

// frame is a display frame: every frame clock ticks, then the painter
// asks each refreshed raster for its pixels.
func (d *dashboard) frame() {
	for _, c := range d.charts {
		rendererOf(c).tick(0)
	}
	for _, c := range d.charts {
		r := rendererOf(c)
		r.generate(int(c.plotSize.Width), int(c.plotSize.Height))
	}
}

func (d *dashboard) frames() (n int) {
	for _, c := range d.charts {
		n += rendererOf(c).refreshes
	}
	return n
}

// BenchmarkGroupFollow: a dashboard in follow mode (one-minute window) over
// one store streaming 6 series at 1 kHz each, drawn by one chart showing
// all six, or by a group of six panels in the same 1600x900 window showing
// one series each or all six each. Beside the frame time it reports the
// same run's cost of the one-chart frame (x-one-chart), how many frames
// each panel computed per display frame and how many rasters were refreshed
// per display frame: a group adds drawing work (more axes, smaller plots,
// each series drawn once per panel showing it), not frames per panel, and
// not store or decode work, which happens once per sample whatever shows
// it. The window repaints once per display frame however many of its
// objects were refreshed.
func BenchmarkGroupFollow(b *testing.B) {
	for _, bc := range []struct{ panels, each int }{{1, 6}, {6, 1}, {6, 6}} {
		b.Run(fmt.Sprintf("panels=%d/series-each=%d", bc.panels, bc.each), func(b *testing.B) {
			a := test.NewTempApp(b)
			a.Settings().SetTheme(theme.DarkTheme())
			s := benchStore(b, 6, 100_000)
			one := newDashboard(b, s, 1, 6)
			start := time.Now()
			const baseFrames = 30
			for range baseFrames {
				one.stream()
				one.frame()
			}
			base := float64(time.Since(start).Nanoseconds()) / baseFrames
			d := newDashboard(b, s, bc.panels, bc.each)
			d.next = one.next
			count, restore := refreshcount.Install(a)
			defer restore()
			before := d.frames()
			b.ReportAllocs()
			cpu := cpuMeter(b)
			for b.Loop() {
				d.stream()
				d.frame()
			}
			cpu.report()
			rasters := 0
			for _, c := range d.charts {
				rasters += count.Refreshes(rendererOf(c).raster)
			}
			n := float64(b.N)
			per := float64(b.Elapsed().Nanoseconds()) / n
			b.ReportMetric(per/1e6, "ms/frame")
			b.ReportMetric(per/base, "x-one-chart")
			b.ReportMetric(float64(d.frames()-before)/n/float64(bc.panels), "frames/panel")
			b.ReportMetric(float64(rasters)/n, "rasters/frame")
		})
	}
}
