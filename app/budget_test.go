package app

import (
	"fmt"
	"image"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"feedscope/feeds"
	"feedscope/internal/refreshcount"
)

// sseServer serves an SSE stream that sends one message for each value
// put on send, and nothing otherwise.
func sseServer(t *testing.T, send <-chan float64) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case v := <-send:
				fmt.Fprintf(w, "data: {\"load\":%v}\n\n", v)
				w.(http.Flusher).Flush()
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/sse"
}

// subtree adds o and every object drawn inside it to in.
func subtree(o fyne.CanvasObject, in map[fyne.CanvasObject]bool) map[fyne.CanvasObject]bool {
	in[o] = true
	switch x := o.(type) {
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			subtree(c, in)
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			subtree(c, in)
		}
	}
	return in
}

// refreshed lists what a count holds, for failure messages.
func refreshed(c *refreshcount.Counter) string {
	s := fmt.Sprintf("%d repaint requests;", c.Dirtied())
	for o, n := range c.Objects() {
		s += fmt.Sprintf(" %T×%d", o, n)
	}
	return s
}

// A flush with nothing new asks for no repaint: connected to a feed that
// sends nothing, the second flush refreshes no object of the window.
func TestFlushWithNothingNewRefreshesNothing(t *testing.T) {
	send := make(chan float64)
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{URL: sseServer(t, send), Transport: feeds.SSE, TransportSet: true})
	waitFor(t, u, "connected", connectedVia(u, feeds.SSE))
	count, restore := refreshcount.Install(a)
	defer restore()
	u.flush()
	count.Reset()
	for range 3 {
		u.flush()
	}
	if !count.Nothing() {
		t.Errorf("flushes with nothing new: %s", refreshed(count))
	}

	// A new sample of a series already shown: the flush that takes it
	// refreshes each object at most once (the status line, once its
	// second is up), and the next flush nothing again.
	send <- 1.5
	waitFor(t, u, "the series listed", func() bool { return u.seriesList.total == 1 })
	v := u.chart.Store().Version()
	send <- 2.5
	for u.chart.Store().Version() == v {
		time.Sleep(5 * time.Millisecond)
	}
	u.status.statsDue = time.Time{}
	count.Reset()
	u.flush()
	stats := subtree(u.status.stats, map[fyne.CanvasObject]bool{})
	if count.Nothing() {
		t.Error("the status line was not redrawn")
	}
	for o := range count.Objects() {
		if !stats[o] {
			t.Errorf("%T refreshed by a flush that changed only the status line", o)
		}
	}
	count.Reset()
	u.flush()
	if !count.Nothing() {
		t.Errorf("the flush after: %s", refreshed(count))
	}
}

// Every goroutine hands UI work to the main goroutine (the build declares
// the fyne.Do migration, so Fyne no longer checks): with the race detector
// on, feed goroutines delivering as fast as they can while the main
// goroutine flushes and paints the window would report any widget a feed
// goroutine touches.
func TestFeedGoroutinesNeverTouchWidgets(t *testing.T) {
	send := make(chan float64)
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{URL: sseServer(t, send), Transport: feeds.SSE, TransportSet: true})
	waitFor(t, u, "connected", connectedVia(u, feeds.SSE))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case send <- float64(i):
			case <-stop:
				return
			}
		}
	}()
	deadline := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(deadline) {
		u.flush()
		u.chart.Refresh()
		_ = u.win.Canvas().Capture()
	}
	close(stop)
	<-done
	waitFor(t, u, "samples", func() bool { return samplesOf(u, "load") > 10 })
}

// The desktop driver tells no widget when the pointer leaves the window;
// the tooltip still goes when the window loses the focus, and the window
// looks as it did before the pointer came.
func TestTooltipGoesWhenTheWindowLosesFocus(t *testing.T) {
	send := make(chan float64)
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{URL: sseServer(t, send), Transport: feeds.SSE, TransportSet: true})
	waitFor(t, u, "connected", connectedVia(u, feeds.SSE))
	for i := range 5 {
		send <- float64(i)
	}
	waitFor(t, u, "samples", func() bool { return samplesOf(u, "load") == 5 })
	u.chart.Refresh()
	before := u.win.Canvas().Capture()

	inset, _ := u.win.Canvas().InteractiveArea()
	at := a.Driver().AbsolutePositionForObject(u.chart).Add(inset)
	test.MoveMouse(u.win.Canvas(), at.Add(fyne.NewPos(u.chart.Size().Width/2, u.chart.Size().Height/2)))
	if sameImage(before, u.win.Canvas().Capture()) {
		t.Fatal("no crosshair or tooltip over the chart")
	}
	// What the desktop driver calls when the window loses the focus.
	lc, ok := a.Lifecycle().(interface{ OnExitedForeground() func() })
	if !ok || lc.OnExitedForeground() == nil {
		t.Fatalf("the window left nothing to do on leaving the foreground (%T)", a.Lifecycle())
	}
	lc.OnExitedForeground()()
	if !sameImage(before, u.win.Canvas().Capture()) {
		t.Error("the tooltip stayed after the window lost the focus")
	}
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// The statistics line changes at most once a second however fast bytes
// arrive, the age counts whole seconds, and a steady rate reads the same
// at every update.
func TestStatusLineChangesOnceASecond(t *testing.T) {
	test.NewTempApp(t)
	s := newStatusBar(func() {})
	var b bridge
	var r rates
	t0 := time.Now()
	s.setStatus(feeds.Status{State: feeds.Connected, Transport: feeds.SSE, Time: t0})
	b.lastMsg.Store(t0.UnixNano())
	s.show(t0, &b, &r, true)
	first := s.stats.Text
	for ms := 100; ms < 1000; ms += 100 {
		b.bytes.Add(997)
		s.show(t0.Add(time.Duration(ms)*time.Millisecond), &b, &r, true)
		if s.stats.Text != first {
			t.Fatalf("after %d ms the statistics changed: %q → %q", ms, first, s.stats.Text)
		}
	}
	s.show(t0.Add(1500*time.Millisecond), &b, &r, true)
	if !strings.Contains(s.stats.Text, "last 1s ago") {
		t.Errorf("after 1.5 s: %q", s.stats.Text)
	}
	for _, v := range []float64{19.6, 20.4} {
		if got := formatRate(v); got != "20" {
			t.Errorf("formatRate(%v) = %q, want 20", v, got)
		}
	}
}

// The window tells its status bar when the chart is paused: with the
// statistics second up and only the byte count changed, a flush of the
// paused window repaints nothing, and the same flush unpaused shows the
// new count.
func TestPausedWindowHoldsTheByteCount(t *testing.T) {
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{})
	u.chart.SetPaused(true)
	u.flush()
	count, restore := refreshcount.Install(a)
	defer restore()
	u.bridge.bytes.Add(4096)
	u.status.statsDue = time.Time{}
	count.Reset()
	u.flush()
	if !count.Nothing() {
		t.Errorf("paused, a new byte count alone: %s", refreshed(count))
	}
	u.chart.SetPaused(false)
	u.status.statsDue = time.Time{}
	u.flush()
	if !strings.HasSuffix(u.status.stats.Text, "4.0 KiB") {
		t.Errorf("unpaused: %q", u.status.stats.Text)
	}
}
