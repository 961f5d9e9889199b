package hub

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// replayCSV has names a JSON reader would mangle (a time field, a dot, a
// Prometheus name with quotes and a comma) and values that only an exact
// round trip keeps; two of its rows share a time.
const replayCSV = `time,series,value
2026-06-01T12:00:00Z,ts,0.30000000000000004
2026-06-01T12:00:00.001Z,a.b,1e-300
2026-06-01T12:00:00.003Z,"up{job=""x,y""}",-0
2026-06-01T12:00:00.003Z,ts_,2
2026-06-01T12:00:00.004Z,TIME,123456789.123456789
`

// replayWant is replayCSV as published: one message per time, the time
// field first, ts renamed to ts__ (ts_ is taken), TIME to TIME_.
var replayWant = []string{
	`{"ts":"2026-06-01T12:00:00Z","ts__":0.30000000000000004}`,
	`{"ts":"2026-06-01T12:00:00.001Z","a.b":1e-300}`,
	`{"ts":"2026-06-01T12:00:00.003Z","up{job=\"x,y\"}":-0,"ts_":2}`,
	`{"ts":"2026-06-01T12:00:00.004Z","TIME_":1.2345678912345679e+08}`,
}

func writeReplayFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rec.csv")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func published(h *Hub) []string {
	evs, _, _ := h.since(0, 1000)
	var out []string
	for _, e := range evs {
		out = append(out, e.Data)
	}
	return out
}

func TestReplayPublishesOneMessagePerTime(t *testing.T) {
	h := New(Options{Logger: testLogger(t)})
	defer h.Close()
	path := writeReplayFile(t, replayCSV)
	if err := RunReplay(context.Background(), h, ReplayOptions{Path: path}); err != nil {
		t.Fatal(err)
	}
	if got := published(h); strings.Join(got, "\n") != strings.Join(replayWant, "\n") {
		t.Errorf("published\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(replayWant, "\n"))
	}
}

func TestReplayLoopsUntilStopped(t *testing.T) {
	h := New(Options{Logger: testLogger(t)})
	defer h.Close()
	path := writeReplayFile(t, replayCSV)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunReplay(ctx, h, ReplayOptions{Path: path, Speed: 100, Loop: true}) }()
	waitFor(t, "two passes", func() bool { return len(published(h)) >= 2*len(replayWant) })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := published(h)
	// The second pass is the first moved on by the span (4 ms) and the
	// mean spacing (4 ms / 3 intervals).
	want := strings.Replace(replayWant[0], "12:00:00Z", "12:00:00.005333333Z", 1)
	if got[len(replayWant)] != want {
		t.Errorf("second pass starts with %s, want %s", got[len(replayWant)], want)
	}
}

func TestReplayAsFastAsClientsTake(t *testing.T) {
	h, base := newHub(t, Options{})
	path := writeReplayFile(t, replayCSV)
	done := make(chan error, 1)
	go func() { done <- RunReplay(context.Background(), h, ReplayOptions{Path: path, Speed: -1}) }()
	// It waits for a client, then sends it everything.
	time.Sleep(50 * time.Millisecond)
	if n := len(published(h)); n != 0 {
		t.Fatalf("%d messages published before any client came", n)
	}
	c := dialSSE(t, base, "")
	for i, want := range replayWant {
		var ev sseEvent
		within(t, "an event", c.resp.Body, func() { ev = c.mustNext(t) })
		if ev.data != want {
			t.Errorf("event %d: %s, want %s", i, ev.data, want)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestReplayUnreadableFile(t *testing.T) {
	h := New(Options{Logger: testLogger(t)})
	defer h.Close()
	err := RunReplay(context.Background(), h, ReplayOptions{Path: filepath.Join(t.TempDir(), "gone.csv")})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "gone.csv") {
		t.Fatalf("err %v, want one naming the missing file", err)
	}
}

func TestCommandReplayFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--replay", "x.csv", "--stdin"}, "pick one"},
		{[]string{"--replay", "x.csv", "--rate", "5"}, "--rate applies"},
		{[]string{"--speed", "2"}, "need --replay"},
		{[]string{"--loop"}, "need --replay"},
		{[]string{"--replay", "x.csv", "--speed", "-1"}, "--speed -1"},
		{[]string{"--replay", "x.csv", "--speed", "NaN"}, "--speed NaN"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			if _, err := parseFlags(tc.args, &bytes.Buffer{}, &stderr); err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q, want it to mention %q", stderr.String(), tc.want)
			}
		})
	}
	var stderr bytes.Buffer
	err := Command(context.Background(), []string{"--addr", "127.0.0.1:0", "--replay", filepath.Join(t.TempDir(), "gone.csv")}, nil, &bytes.Buffer{}, &stderr)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("serve --replay of a missing file: %v, want it to fail naming the file", err)
	}
}
