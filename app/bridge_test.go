package app

import (
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"feedscope/charts"
	"feedscope/charts/series"
	"feedscope/feeds"
)

func TestBridgeLogIsBoundedAndKeepsTheNewest(t *testing.T) {
	var b bridge
	const n = 10*maxLogEntries + 7
	for i := range n {
		b.addLog(logEntry{Kind: logMessage, Text: strconv.Itoa(i)})
		if len(b.logs) > 2*maxLogEntries {
			t.Fatalf("pending log grew to %d", len(b.logs))
		}
	}
	p := b.take()
	if len(p.logs) != maxLogEntries || p.lost != n-maxLogEntries {
		t.Fatalf("took %d entries, %d lost; want %d and %d", len(p.logs), p.lost, maxLogEntries, n-maxLogEntries)
	}
	if p.logs[len(p.logs)-1].Text != strconv.Itoa(n-1) || p.logs[0].Text != strconv.Itoa(n-maxLogEntries) {
		t.Errorf("kept %s..%s, want the newest", p.logs[0].Text, p.logs[len(p.logs)-1].Text)
	}
	if q := b.take(); len(q.logs) != 0 || q.lost != 0 || q.changed {
		t.Errorf("second take not empty: %+v", q)
	}
}

func TestClipLog(t *testing.T) {
	now := time.Now()
	long := strings.Repeat("é", maxLogText) // two bytes a rune: cut mid-rune
	for _, tc := range []struct {
		m    feeds.Message
		want string
	}{
		{feeds.Message{Data: []byte("{\"a\":1}\n{\"a\":2}"), Time: now}, `{"a":1} {"a":2}`},
		{feeds.Message{Data: []byte("42"), Event: "tick", Time: now}, "[tick] 42"},
		{feeds.Message{Data: []byte{0xff, 0, 1}, Binary: true, Time: now}, "binary message, 3 B"},
		{feeds.Message{Data: []byte(long), Time: now}, strings.Repeat("é", maxLogText/2) + "…"},
	} {
		if got := clipLog(tc.m); got != tc.want {
			t.Errorf("clipLog(%q) = %q, want %q", tc.m.Data, got, tc.want)
		}
	}
}

func TestRates(t *testing.T) {
	var r rates
	t0 := time.Now()
	for i := range 25 {
		r.update(t0.Add(time.Duration(i)*flushInterval), uint64(i*2), uint64(i*12))
	}
	// 2 messages and 12 samples per 100 ms flush.
	if r.msgsPS < 19.9 || r.msgsPS > 20.1 || r.samplesPS < 119.9 || r.samplesPS > 120.1 {
		t.Errorf("rates %v msg/s, %v samples/s; want 20 and 120", r.msgsPS, r.samplesPS)
	}
}

// pollThroughBridge runs a polling feed of h through a bridge until
// series "v" holds want points, then stops it.
func pollThroughBridge(t *testing.T, h http.HandlerFunc, want int) *bridge {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	store, err := series.New(series.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := &bridge{store: store}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- b.run(ctx, feeds.Config{URL: srv.URL, Transport: feeds.Poll, PollInterval: 10 * time.Millisecond,
			Backoff: feeds.Backoff{Initial: 10 * time.Millisecond}}, feeds.PayloadTime)
	}()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(10 * time.Second)
	for store.Lookup("v") == nil || store.Lookup("v").Len() < want {
		if time.Now().After(deadline) {
			t.Fatalf("series v never reached %d points (dropped %d)", want, b.dropped.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return b
}

// A reconnect breaks the chart's lines: nothing is drawn across the
// outage, and the series goes on after it.
func TestBridgeMarksReconnectAsGap(t *testing.T) {
	var n atomic.Int32
	b := pollThroughBridge(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			io.WriteString(w, `{"ts":1000,"v":1}`)
		case 2:
			http.Error(w, "down", http.StatusServiceUnavailable)
		default:
			io.WriteString(w, `{"ts":1010,"v":2}`)
		}
	}, 2)
	sr := b.store.Lookup("v")
	mid := time.Unix(1005, 0).UnixNano()
	if _, v, ok := sr.ValueAt(mid, 0); ok {
		t.Fatalf("a value (%v) is drawn across the reconnect", v)
	}
	if _, v, ok := sr.ValueAt(time.Unix(1010, 0).UnixNano(), 0); !ok || v != 2 {
		t.Fatalf("after the reconnect: %v, %v", v, ok)
	}
}

// A payload stamped far in the future is charted at its arrival, so it
// neither drags the live view there nor locks out every later point.
func TestBridgeFutureTimestampUsesArrival(t *testing.T) {
	var n atomic.Int32
	b := pollThroughBridge(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			io.WriteString(w, `{"ts":"9999-12-31T23:59:59Z","v":1}`)
			return
		}
		io.WriteString(w, `{"v":2}`)
	}, 3)
	_, newest, _ := b.store.Span()
	if ahead := time.Until(time.Unix(0, newest)); ahead > time.Minute {
		t.Fatalf("newest point is %v in the future", ahead)
	}
	found := false
	for _, e := range b.take().logs {
		found = found || strings.Contains(e.Text, "arrival time used")
	}
	if !found {
		t.Error("the log does not say the payload time was replaced")
	}
}

// Once a new epoch begins, a retired run's messages and states change
// nothing: not the store, the counters, the status or the log.
func TestBridgeDropsWhatARetiredRunDelivers(t *testing.T) {
	store, err := series.New(series.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := &bridge{store: store}
	old := b.handler(b.newEpoch(), feeds.ArrivalTime)
	now := time.Now()
	old(feeds.Event{Kind: feeds.KindMessage, Message: feeds.Message{Data: []byte(`{"v":1}`), Time: now}})
	if store.Lookup("v") == nil || b.msgs.Load() != 1 {
		t.Fatal("the current run's message was not taken")
	}
	b.take()

	cur := b.handler(b.newEpoch(), feeds.ArrivalTime)
	old(feeds.Event{Kind: feeds.KindMessage, Message: feeds.Message{Data: []byte(`{"v":2,"late":3}`), Time: now.Add(time.Second)}})
	old(feeds.Event{Kind: feeds.KindStatus, Status: feeds.Status{State: feeds.Stopped, Time: now}})
	if n := store.Lookup("v").Len(); n != 1 || store.Lookup("late") != nil || b.msgs.Load() != 1 {
		t.Errorf("a retired run reached the store: v has %d points, late %v, %d messages", n, store.Lookup("late") != nil, b.msgs.Load())
	}
	if p := b.take(); p.changed || len(p.logs) != 0 {
		t.Errorf("a retired run reached the window: %+v", p)
	}
	cur(feeds.Event{Kind: feeds.KindMessage, Message: feeds.Message{Data: []byte(`{"v":4}`), Time: now.Add(2 * time.Second)}})
	if n := store.Lookup("v").Len(); n != 2 {
		t.Errorf("the new run's message: v has %d points, want 2", n)
	}
}

func TestSilenceThreshold(t *testing.T) {
	t0 := time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC)
	ms := time.Millisecond
	for _, tc := range []struct {
		name   string
		rhythm []time.Duration // the feed's intervals, repeated
		gap    time.Duration   // then one gap of this
		silent bool
	}{
		{"1 s feed, 2.5 s gap", []time.Duration{1000 * ms}, 2500 * ms, false}, // under 3 × 1 s
		{"1 s feed, 3.5 s gap", []time.Duration{1000 * ms}, 3500 * ms, true},
		{"100 ms feed, 1.9 s gap", []time.Duration{100 * ms}, 1900 * ms, false}, // the 2 s floor
		{"100 ms feed, 2.1 s gap", []time.Duration{100 * ms}, 2100 * ms, true},
		{"10 s feed, 25 s gap", []time.Duration{10000 * ms}, 25000 * ms, false},
		{"10 s feed, 31 s gap", []time.Duration{10000 * ms}, 31000 * ms, true},
		// The median, not the shortest or the longest interval, sets the pace.
		{"1 s feed with bursts, 2.5 s gap", []time.Duration{1000 * ms, 1000 * ms, 5 * ms}, 2500 * ms, false},
		{"1 s feed with stalls, 3.5 s gap", []time.Duration{1000 * ms, 1000 * ms, 1900 * ms}, 3500 * ms, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s silence
			at := t0
			for i := range 99 {
				if s.arrive(at) {
					t.Fatalf("message %d of a steady feed counted as after a silence", i)
				}
				at = at.Add(tc.rhythm[i%len(tc.rhythm)])
			}
			if got := s.arrive(at.Add(tc.gap - tc.rhythm[98%len(tc.rhythm)])); got != tc.silent {
				t.Errorf("silent = %v, want %v", got, tc.silent)
			}
		})
	}
}

// Where a feed falls silent the chart's line breaks, as it does at a
// reconnect: the golden image shows the gap.
func TestGoldenSilence(t *testing.T) {
	store, err := series.New(series.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := &bridge{store: store}
	h := b.handler(b.newEpoch(), feeds.PayloadTime)
	base := time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC)
	for i := range 300 {
		if i >= 150 && i < 190 {
			continue // the server says nothing for 40 s
		}
		at := base.Add(time.Duration(i) * time.Second)
		v := 20 + 5*math.Sin(float64(i)/20)
		h(feeds.Event{Kind: feeds.KindMessage, Message: feeds.Message{
			Data: []byte(`{"ts":` + strconv.FormatInt(at.Unix(), 10) + `,"temp":` + strconv.FormatFloat(v, 'f', 3, 64) + `}`),
			Time: at,
		}})
	}
	if _, v, ok := store.Lookup("temp").ValueAt(base.Add(170*time.Second).UnixNano(), 0); ok {
		t.Errorf("a value (%v) is drawn across the silence", v)
	}

	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.LightTheme())
	c := charts.New(store)
	c.SetLocation(time.UTC)
	_ = c.SetWindow(5 * time.Minute)
	w := test.NewWindow(c)
	defer w.Close()
	w.SetPadded(false)
	w.Resize(fyne.NewSize(800, 450))
	test.AssertImageMatches(t, "silence.png", w.Canvas().Capture())
}
