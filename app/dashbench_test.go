package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"feedscope/app/dashboard"
	"feedscope/feeds/hub"
	"feedscope/internal/cputime"
	"feedscope/internal/refreshcount"
)

// The load of BenchmarkDashboard: issue 12's dashboard of 8 feeds, each
// sending 20 JSON messages a second of 10 numbers, in follow mode with a
// one-minute window.
const (
	benchFeeds      = 8
	benchRate       = 20 // messages per second per feed
	benchValues     = 10 // numbers per message
	benchWindow     = time.Minute
	benchFrameEvery = time.Second / 60 // a 60 Hz display
)

// benchHubs starts n hubs, each on its own HTTP server, and a publisher
// per hub that sends rate messages a second of benchValues numbers once
// start is closed. It returns the hubs' SSE URLs.
func benchHubs(b *testing.B, n int, start <-chan struct{}) []string {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	b.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	urls := make([]string, n)
	for i := range urls {
		h := hub.New(hub.Options{Logger: slog.New(slog.DiscardHandler)})
		srv := httptest.NewServer(h.Handler())
		b.Cleanup(srv.Close)
		b.Cleanup(h.Close)
		urls[i] = srv.URL + "/sse"
		wg.Go(func() {
			select {
			case <-start:
			case <-ctx.Done():
				return
			}
			t := time.NewTicker(time.Second / benchRate)
			defer t.Stop()
			for seq := 0; ; seq++ {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					h.Publish(hub.Event{Data: benchPayload(i, seq)})
				}
			}
		})
	}
	return urls
}

// benchPayload is message seq of feed i: {"v0":…,…,"v9":…}.
func benchPayload(i, seq int) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for k := range benchValues {
		if k > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `"v%d":%s`, k, strconv.FormatFloat(benchValue(i, k, seq), 'g', -1, 64))
	}
	sb.WriteByte('}')
	return sb.String()
}

func benchValue(i, k, seq int) float64 {
	return float64((seq*(k+1)+i*7)%200) / 4
}

// benchDashboard is the dashboard file: the feeds, and either one panel
// showing every series or six panels each showing a subset (two values of
// every feed in five panels, one feed's every value in the sixth), in three
// columns.
func benchDashboard(b *testing.B, urls []string, panels int) *dashboard.Dashboard {
	var src strings.Builder
	fmt.Fprintf(&src, "window = %q\ncolumns = %d\n", benchWindow.String(), min(panels, 3))
	for i, u := range urls {
		fmt.Fprintf(&src, "[[feed]]\nname = \"f%d\"\nurl = %q\n", i, u)
	}
	if panels == 1 {
		src.WriteString("[[panel]]\ntitle = \"all\"\nseries = [\"*\"]\n")
	} else {
		for p := range panels - 1 {
			fmt.Fprintf(&src, "[[panel]]\ntitle = \"v%d, v%d\"\nseries = [\"*/v%d\", \"*/v%d\"]\n", 2*p, 2*p+1, 2*p, 2*p+1)
		}
		src.WriteString("[[panel]]\ntitle = \"f0\"\nseries = [\"f0/*\"]\n")
	}
	d, err := dashboard.Parse("bench.toml", []byte(src.String()))
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// clockApp is the test app with a driver that runs animations as a
// display does, a tick per frame, where the test driver ticks each once:
// the charts' frame clocks are animations.
type clockApp struct {
	fyne.App
	d *clockDriver
}

func (a *clockApp) Driver() fyne.Driver { return a.d }

type clockDriver struct {
	fyne.Driver
	running []*fyne.Animation
	start   time.Time
}

// installClock makes the current app (a test app) one whose animations
// tick at every call of tick, and returns it.
func installClock(b *testing.B) *clockApp {
	a := fyne.CurrentApp()
	ca := &clockApp{App: a, d: &clockDriver{Driver: a.Driver(), start: time.Now()}}
	fyne.SetCurrentApp(ca)
	b.Cleanup(func() { fyne.SetCurrentApp(a) })
	return ca
}

func (d *clockDriver) StartAnimation(a *fyne.Animation) {
	d.Driver.StartAnimation(a)
	if a.RepeatCount == fyne.AnimationRepeatForever {
		d.running = append(d.running, a)
	}
}

func (d *clockDriver) StopAnimation(a *fyne.Animation) {
	d.Driver.StopAnimation(a)
	d.running = slices.DeleteFunc(d.running, func(r *fyne.Animation) bool { return r == a })
}

// tick is a display frame of the animation runner: every running
// animation ticks once, at its place in its period.
func (a *clockApp) tick(now time.Time) {
	for _, an := range a.d.running {
		p := float32(now.Sub(a.d.start)%an.Duration) / float32(an.Duration)
		if an.Curve != nil {
			p = an.Curve(p)
		}
		an.Tick(p)
	}
}

// dashRun is one measured run of the window on a dashboard.
type dashRun struct {
	fps, cpu, uiCPU, uiFrame, msgs, samples, stored, redraws float64
}

// benchWindowRun opens the window on the dashboard of the given number of
// panels over benchFeeds live feeds, fills the store with a window of
// history, starts the feeds and runs display frames at 60 Hz for b.Loop.
func benchWindowRun(b *testing.B, panels int) dashRun {
	test.NewTempApp(b).Settings().SetTheme(theme.DarkTheme())
	clock := installClock(b)
	count, restore := refreshcount.Install(clock)
	b.Cleanup(restore)
	a := fyne.CurrentApp()
	start := make(chan struct{})
	urls := benchHubs(b, benchFeeds, start)
	d := benchDashboard(b, urls, panels)
	u := New(a, Options{Dashboard: d, DashboardPath: "bench.toml", manualFlush: true})
	b.Cleanup(u.Close)
	u.win.Resize(fyne.NewSize(1600, 900))
	if len(u.dash.panels) != panels {
		b.Fatalf("%d panels, want %d", len(u.dash.panels), panels)
	}

	// A minute of history, so that each frame reduces and draws a full
	// window, as after the first minute of watching.
	store := u.dash.panels[0].chart.Store()
	now := time.Now()
	for t := now.Add(-benchWindow); t.Before(now); t = t.Add(time.Second / benchRate) {
		seq := int(t.Sub(now) / (time.Second / benchRate))
		for i := range benchFeeds {
			for k := range benchValues {
				if err := store.Append(fmt.Sprintf("f%d/v%d", i, k), t, benchValue(i, k, seq)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	close(start)
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(u.status.state.Text, fmt.Sprintf("%d connected", benchFeeds)) || u.dash.feeds[benchFeeds-1].bridge.msgs.Load() == 0 {
		if time.Now().After(deadline) {
			b.Fatalf("feeds not all connected: %q %q", u.status.state.Text, u.status.detail.Text)
		}
		u.flush()
		time.Sleep(20 * time.Millisecond)
	}
	u.flush()
	var rasters []*canvas.Raster
	for _, p := range u.dash.panels {
		if !p.chart.Following() {
			b.Fatal("a panel is not in follow mode")
		}
		var r *canvas.Raster
		for _, o := range test.WidgetRenderer(p.chart).Objects() {
			if o, ok := o.(*canvas.Raster); ok {
				r = o
			}
		}
		if r == nil || r.Size().Width < 100 {
			b.Fatalf("panel %q has no raster on screen", p.panel.Title)
		}
		rasters = append(rasters, r)
	}
	// A display frame: the animations tick (each chart's frame clock
	// recomputes its frame when the store changed: view, M4 reductions, Y
	// range, ticks, legend at most every legendEvery), then the painter
	// asks every raster refreshed since the last frame for its pixels.
	// The window's flush runs every flushInterval, as its ticker does
	// (bridges' status and logs, rates, the Feeds list, new series to the
	// panels).
	redraws, flushed := 0, time.Time{}
	frame := func(now time.Time) {
		if now.Sub(flushed) >= flushInterval {
			u.flush()
			flushed = now
		}
		clock.tick(now)
		for _, r := range rasters {
			if count.Refreshes(r) > 0 {
				sz := r.Size()
				r.Generator(int(sz.Width), int(sz.Height))
				redraws++
			}
		}
		count.Reset()
	}
	frame(time.Now())
	redraws = 0

	counts := func() (msgs, samples uint64, stored int) {
		for _, f := range u.dash.feeds {
			msgs += f.bridge.msgs.Load()
			samples += f.bridge.samples.Load()
		}
		for _, sr := range store.List() {
			stored += sr.Len()
		}
		return
	}
	msgs0, samples0, stored0 := counts()
	cpu := cpuMeter(b)
	proc0, procOK := cputime.Process()
	began := time.Now()
	next := began
	for b.Loop() {
		frame(time.Now())
		// Wait for the next display frame; a frame that took longer than
		// one starts the next at once (frames are dropped, not queued).
		next = next.Add(benchFrameEvery)
		if wait := time.Until(next); wait > 0 {
			time.Sleep(wait)
		} else {
			next = time.Now()
		}
	}
	wall := time.Since(began).Seconds()
	proc1, _ := cputime.Process()
	msgs1, samples1, stored1 := counts()
	r := dashRun{
		fps:     float64(b.N) / wall,
		msgs:    float64(msgs1-msgs0) / wall,
		samples: float64(samples1-samples0) / wall,
		stored:  float64(stored1-stored0) / wall,
		redraws: float64(redraws) / float64(b.N),
	}
	if ui, ok := cpu.seconds(); ok {
		r.uiCPU = ui / wall
		r.uiFrame = ui / float64(b.N)
	}
	if procOK {
		r.cpu = (proc1 - proc0).Seconds() / wall
	}
	return r
}

// hubsCPU measures what the in-process hubs themselves cost: the same
// feeds read for a second by plain HTTP readers that decode nothing, in
// CPU seconds per second of the process.
func hubsCPU(b *testing.B) float64 {
	start := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	for _, u := range benchHubs(b, benchFeeds, start) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			defer resp.Body.Close()
			buf := make([]byte, 32<<10)
			for {
				if _, err := resp.Body.Read(buf); err != nil {
					return
				}
			}
		})
	}
	close(start)
	time.Sleep(200 * time.Millisecond)
	c0, ok := cputime.Process()
	t0 := time.Now()
	time.Sleep(time.Second)
	c1, _ := cputime.Process()
	if !ok {
		return 0
	}
	return (c1 - c0).Seconds() / time.Since(t0).Seconds()
}

// onePanel is the one-panel run of this process, for the six-panel run's
// ratios.
var onePanel *dashRun

// BenchmarkDashboard runs issue 12's dashboard load (8 feeds × 20 msg/s ×
// 10 series, real SSE servers, each feed with its own supervisor and
// bridge into the window's one store) in the window, in follow mode with a
// minute of history, at a 60 Hz display, on one panel showing all 80
// series and on six panels (a charts.Group) showing subsets. Each reports
// frames per second achieved, CPU seconds per wall second of the process
// (cpu-s/s, the in-process hubs included; hubs-cpu-s/s is what they cost
// alone) and of the frame thread (ui-cpu-s/s), messages decoded and
// samples stored per second by the bridges, and samples the store took in
// per second. The six-panel run, after the one-panel run in the same
// process, reports its figures over the one-panel run's (x-one-panel):
// more panels add drawing, not decoding or storing. Not counted: the GL
// painter's texture upload and text, which need a real display.
func BenchmarkDashboard(b *testing.B) {
	hubs := hubsCPU(b)
	for _, panels := range []int{1, 6} {
		b.Run(fmt.Sprintf("panels=%d", panels), func(b *testing.B) {
			r := benchWindowRun(b, panels)
			b.ReportMetric(r.fps, "frames/s")
			b.ReportMetric(r.cpu, "cpu-s/s")
			b.ReportMetric(hubs, "hubs-cpu-s/s")
			b.ReportMetric(r.uiCPU, "ui-cpu-s/s")
			b.ReportMetric(r.uiFrame*1e3, "ui-cpu-ms/frame")
			b.ReportMetric(r.msgs, "msgs/s")
			b.ReportMetric(r.samples, "samples/s")
			b.ReportMetric(r.stored, "store-samples/s")
			b.ReportMetric(r.redraws, "panel-frames/frame")
			if panels == 1 {
				onePanel = &r
				return
			}
			if base := onePanel; base != nil && base.fps > 0 && base.cpu > 0 && base.uiFrame > 0 && base.stored > 0 {
				b.ReportMetric(r.fps/base.fps, "fps-x-one-panel")
				b.ReportMetric(r.cpu/base.cpu, "cpu-x-one-panel")
				b.ReportMetric(r.uiCPU/base.uiCPU, "ui-cpu-x-one-panel")
				b.ReportMetric(r.uiFrame/base.uiFrame, "ui-cpu-per-frame-x-one-panel")
				b.ReportMetric(r.msgs/base.msgs, "msgs-x-one-panel")
				b.ReportMetric(r.stored/base.stored, "store-x-one-panel")
			}
		})
	}
}

// cpuMeterT measures the CPU time of the benchmark's goroutine, pinned to
// its OS thread (undone at cleanup): the window's main goroutine.
type cpuMeterT struct {
	start time.Duration
	ok    bool
}

// cpuMeter pins and starts measuring; call it right before b.Loop.
func cpuMeter(b *testing.B) *cpuMeterT {
	runtime.LockOSThread()
	b.Cleanup(runtime.UnlockOSThread)
	start, ok := cputime.Thread()
	return &cpuMeterT{start: start, ok: ok}
}

// seconds is the thread's CPU time since cpuMeter.
func (m *cpuMeterT) seconds() (float64, bool) {
	end, ok := cputime.Thread()
	return (end - m.start).Seconds(), ok && m.ok
}
