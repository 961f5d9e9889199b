package charts

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"feedscope/charts/series"
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
	sz := r.chart.plotSize
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
	start, ok := threadCPU()
	return &cpuMeterT{b: b, start: start, ok: ok}
}

// report adds cpu-ms/frame and returns CPU nanoseconds per iteration.
func (m *cpuMeterT) report() (float64, bool) {
	end, ok := threadCPU()
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
