package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"feedscope/feeds"
	"feedscope/internal/refreshcount"
)

// Disconnected, nothing can arrive: the statistics line gives the newest
// message's clock time, and a minute of flushes repaints nothing. A
// running feed that has gone quiet still counts the age in seconds.
func TestDisconnectedStatusLineStaysPut(t *testing.T) {
	a := test.NewTempApp(t)
	s := newStatusBar(func() {})
	w := test.NewWindow(s.content)
	defer w.Close()
	var b bridge
	var r rates
	t0 := time.Date(2026, 3, 4, 15, 4, 5, 0, time.Local)
	b.lastMsg.Store(t0.UnixNano())
	b.bytes.Store(2048)
	b.msgs.Store(40)
	s.setStatus(feeds.Status{State: feeds.Stopped, Time: t0})
	flush := func(now time.Time, running bool) {
		r.update(now, b.msgs.Load(), b.samples.Load())
		s.show(now, &b, &r, running)
	}
	now := t0
	for range 30 { // the rates settle to 0
		now = now.Add(100 * time.Millisecond)
		flush(now, false)
	}
	if got := s.stats.Text; !strings.Contains(got, "last at 15:04:05") || !strings.Contains(got, "0.0 msg/s") {
		t.Fatalf("disconnected: %q", got)
	}
	count, restore := refreshcount.Install(a)
	defer restore()
	for range 600 {
		now = now.Add(100 * time.Millisecond)
		flush(now, false)
	}
	if !count.Nothing() {
		t.Errorf("a minute disconnected repainted: %s", refreshed(count))
	}
	flush(now.Add(24*time.Hour), false)
	if got := s.stats.Text; !strings.Contains(got, "last at 2026-03-04 15:04:05") {
		t.Errorf("a day later: %q", got)
	}
	s.setStatus(feeds.Status{State: feeds.Connected, Transport: feeds.SSE, Time: now})
	flush(t0.Add(65*time.Second), true)
	if got := s.stats.Text; !strings.Contains(got, "last 1m05s ago") {
		t.Errorf("running, quiet for 65 s: %q", got)
	}
}

// Paused on a steady feed, the chart repaints nothing, so the statistics
// line would be the window's only repaint: the byte count alone is shown
// every 10 s, while the rates and the age, which tell whether the feed is
// alive, still change within a second. Unpaused, the bytes count every
// second again.
func TestPausedStatusLineHoldsTheByteCount(t *testing.T) {
	test.NewTempApp(t)
	s := newStatusBar(func() {})
	var b bridge
	var r rates
	t0 := time.Now()
	s.setStatus(feeds.Status{State: feeds.Connected, Transport: feeds.SSE, Time: t0})
	now, arriving := t0, true
	flush := func() {
		now = now.Add(100 * time.Millisecond)
		if arriving { // 20 messages of 100 bytes a second
			b.msgs.Add(2)
			b.bytes.Add(200)
			b.lastMsg.Store(now.UnixNano())
		}
		r.update(now, b.msgs.Load(), b.samples.Load())
		s.show(now, &b, &r, true)
	}
	for range 50 { // the rates settle
		flush()
	}
	s.chartPaused = true
	changes, shown := 0, s.stats.Text
	for range 600 {
		flush()
		if s.stats.Text != shown {
			changes, shown = changes+1, s.stats.Text
			if want := formatBytes(b.bytes.Load()); !strings.HasSuffix(shown, want) {
				t.Fatalf("a changed line shows a stale byte count: %q, want %s", shown, want)
			}
		}
	}
	if changes < 5 || changes > 6 {
		t.Errorf("a paused minute at 20 msg/s changed the statistics line %d times, want 6 (every 10 s)", changes)
	}
	if !strings.Contains(shown, "20 msg/s") || !strings.Contains(shown, "<1s ago") {
		t.Fatalf("paused on a live feed: %q", shown)
	}

	arriving = false // the feed stalls: the age shows it at once
	for range 12 {
		flush()
	}
	if !strings.Contains(s.stats.Text, "last 1s ago") {
		t.Errorf("paused, 1.2 s after the last message: %q", s.stats.Text)
	}

	arriving, s.chartPaused = true, false
	for range 30 {
		flush()
	}
	before := s.stats.Text
	for range 10 {
		flush()
	}
	if s.stats.Text == before {
		t.Errorf("unpaused, a second on: %q → %q", before, s.stats.Text)
	}
}
