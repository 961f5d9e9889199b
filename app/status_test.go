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
