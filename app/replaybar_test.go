package app

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// A loaded recording replays at 10×: the series are emptied and refilled
// as the replayed time moves on (the charts follow it), far slower than
// "max"; scrubbing jumps there at once; Pause holds exactly the points up
// to the replayed time; "max" plays to the end and leaves the recording
// whole again.
func TestReplayFollowsTimeAndScrubs(t *testing.T) {
	const n = 1000 // one point a second: 100 s of replay at 10×
	path := writeLongCSV(t, "day.csv", n, "v")
	u := newTestUI(t, test.NewTempApp(t), Options{Recordings: []string{path}})
	r := recordingLoaded(t, u, "day")
	waitFor(t, u, "the replay bar", func() bool { return u.rw.bar != nil && len(u.rw.barBox.Objects) == 1 })
	b := u.rw.bar
	if b.feed.Selected != "day" || b.slider.Value != 1000 {
		t.Errorf("bar on %q at %v, want day at the end", b.feed.Selected, b.slider.Value)
	}
	first := recStart.UnixNano()
	pointsUpTo := func(pos int64) int { return int((pos-first)/int64(time.Second)) + 1 }

	b.speed.SetSelected("10×")
	test.Tap(b.play)
	rp := r.replay
	waitFor(t, u, "the replay moving through time", func() bool {
		return rp.pos.Load() >= first+int64(5*time.Second) && samplesOf(u, "v") > 0
	})
	if rp.ended.Load() || samplesOf(u, "v") >= n {
		t.Fatal("at 10× the replay ran to the end at once")
	}
	if b.play.Text != "Pause" || b.slider.Value <= 0 || b.slider.Value >= 500 {
		t.Errorf("while playing: button %q, slider %v", b.play.Text, b.slider.Value)
	}

	// Scrub to three quarters: the points up to there are back at once.
	b.slider.SetValue(750)
	waitFor(t, u, "the jump", func() bool {
		return rp.pos.Load() >= first+int64(749*time.Second) && samplesOf(u, "v") >= 749
	})
	test.Tap(b.play) // Pause
	if b.play.Text != "Play" {
		t.Errorf("paused: button %q", b.play.Text)
	}
	select {
	case <-rp.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the paused replay did not end")
	}
	pos := rp.pos.Load()
	if got, want := samplesOf(u, "v"), pointsUpTo(pos); got != want {
		t.Errorf("paused at %v: %d points, want the %d up to it", time.Unix(0, pos).UTC(), got, want)
	}
	u.flush()
	if _, to, ok := u.chart.TimeRange(); !ok || to.UnixNano() < pos || to.UnixNano() > first+int64(n*time.Second) {
		t.Errorf("the chart shows up to %v, the replay stands at %v", to.UTC(), time.Unix(0, pos).UTC())
	}

	b.speed.SetSelected("max")
	test.Tap(b.play)
	waitFor(t, u, "the end of the replay", func() bool {
		return rp.ended.Load() && b.play.Text == "Play" && samplesOf(u, "v") == n && b.slider.Value == 1000
	})
}

// Disconnect pauses a replay; the points replayed so far stay.
func TestDisconnectPausesTheReplay(t *testing.T) {
	path := writeLongCSV(t, "slowday.csv", 1000, "v")
	u := newTestUI(t, test.NewTempApp(t), Options{Recordings: []string{path}})
	r := recordingLoaded(t, u, "slowday")
	waitFor(t, u, "the replay bar", func() bool { return u.rw.bar != nil })
	test.Tap(u.rw.bar.play) // at 1×: 1000 s
	rp := r.replay
	waitFor(t, u, "the replay under way", func() bool { n := samplesOf(u, "v"); return rp.playing && n > 0 && n < 1000 })
	u.disconnect()
	u.flush()
	if rp.playing || u.rw.bar.play.Text != "Play" {
		t.Fatal("Disconnect did not pause the replay")
	}
	select {
	case <-rp.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the replay goroutine did not end")
	}
	n := samplesOf(u, "v")
	if n == 0 || n == 1000 {
		t.Errorf("after the pause the series holds %d points", n)
	}
	// Connect keeps the loaded recording: nothing is read again.
	sr := u.chart.Store().Lookup("v")
	u.connect()
	u.flush()
	if u.rw.loads != 0 || u.chart.Store().Lookup("v") != sr || samplesOf(u, "v") != n {
		t.Errorf("Connect reloaded the recording: %d loads, %d points", u.rw.loads, samplesOf(u, "v"))
	}
}

// A replay feeds the dashboard as a live feed does: its frames count in
// the feed's rates, and its points reach the derived series (and alarms)
// of the panels.
func TestReplayFeedsRatesAndDerivedSeries(t *testing.T) {
	const n = 200
	path := writeLongCSV(t, "counter.csv", n, "v") // v = 0, 1, 2, …
	d := parseDash(t, fmt.Sprintf(`
[[feed]]
name = "counter"
url = %q
[[panel]]
series = ["v"]
[[panel]]
series = [{ match = "v", fn = "delta", name = "dv" }]
`, recordingURL(path)))
	u := newTestUI(t, test.NewTempApp(t), Options{Dashboard: d, DashboardPath: filepath.Join(t.TempDir(), "d.toml")})
	r := recordingLoaded(t, u, "counter")
	if got := samplesOf(u, "dv"); got != 0 {
		t.Fatalf("before any replay the derived series has %d points", got)
	}
	waitFor(t, u, "the replay bar", func() bool { return u.rw.bar != nil })
	u.rw.bar.speed.SetSelected("max")
	test.Tap(u.rw.bar.play)
	waitFor(t, u, "the end of the replay", func() bool { return r.replay.ended.Load() && samplesOf(u, "v") == n })
	if got := u.dash.feeds[0].bridge.samples.Load(); got != n {
		t.Errorf("the feed counted %d replayed samples, want %d", got, n)
	}
	if got := samplesOf(u, "dv"); got < n-1 {
		t.Errorf("the derived series has %d points, want %d", got, n-1)
	}
	if dv := u.chart.Store().Lookup("dv"); dv == nil {
		t.Error("no derived series dv")
	} else if _, v, ok := dv.Last(math.MaxInt64); !ok || v != 1 {
		t.Errorf("the delta of a counter is %v, want 1", v)
	}
}
