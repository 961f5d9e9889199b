package app

import (
	"strconv"
	"strings"
	"testing"
	"time"

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
