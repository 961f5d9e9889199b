package feeds

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// t0 is the first time of the test recordings.
var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// writeRecording writes a long CSV (time,series,value) and returns a
// file:// URL for it with query q.
func writeRecording(t *testing.T, rows string, q string) (u, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "rec.csv")
	if err := os.WriteFile(path, []byte("time,series,value\n"+rows), 0o600); err != nil {
		t.Fatal(err)
	}
	// Built, not pasted: a test's temporary directory has # in its name.
	return (&url.URL{Scheme: "file", Path: path, RawQuery: q}).String(), path
}

func at(d time.Duration) string { return t0.Add(d).Format(time.RFC3339Nano) }

// pacedRows: names that other payloads would mangle (a time key, a dot, a
// Prometheus name with a comma in its labels) and values that only an
// exact round trip keeps.
var pacedRows = strings.Join([]string{
	at(0) + ",ts,0.30000000000000004",
	at(100*time.Millisecond) + ",a.b,1e-300",
	at(300*time.Millisecond) + `,"up{job=""x,y""}",-0`,
	at(300*time.Millisecond) + ",ts,2",
	at(time.Second) + ",a.b,123456789.123456789",
}, "\n") + "\n"

// wantFrames are pacedRows as messages: one per recorded time.
var wantFrames = [][]Sample{
	{{"ts", t0, 0.30000000000000004}},
	{{"a.b", t0.Add(100 * time.Millisecond), 1e-300}},
	{{"ts", t0.Add(300 * time.Millisecond), 2}, {`up{job="x,y"}`, t0.Add(300 * time.Millisecond), math.Copysign(0, -1)}},
	{{"a.b", t0.Add(time.Second), 123456789.123456789}},
}

func TestFileReplayPacing(t *testing.T) {
	for _, tc := range []struct {
		query string
		waits []time.Duration
	}{
		{"", []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 700 * time.Millisecond}},
		{"speed=1", []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 700 * time.Millisecond}},
		{"speed=10", []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 70 * time.Millisecond}},
		{"speed=0.5", []time.Duration{200 * time.Millisecond, 400 * time.Millisecond, 1400 * time.Millisecond}},
		{"speed=0", nil},
	} {
		name := tc.query
		if name == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			u, _ := writeRecording(t, pacedRows, tc.query)
			clk := newFakeClock()
			r := start(t, Config{URL: u}, clk)
			if err := r.finished(t); err != nil {
				t.Fatalf("Run returned %v at the end of the recording, want nil", err)
			}
			var states []string
			var frames [][]Sample
			var times []time.Time
			for len(r.ch) > 0 {
				e := <-r.ch
				if e.Kind == KindStatus {
					states = append(states, e.Status.State.String()+"/"+e.Status.Transport.String())
					if e.Status.Err != nil {
						t.Errorf("%s with error %v", e.Status.State, e.Status.Err)
					}
					continue
				}
				if len(e.Message.Texts) > 0 || len(e.Message.Data) > 0 {
					t.Errorf("unexpected message %+v", e.Message)
				}
				frames = append(frames, e.Message.Samples)
				times = append(times, e.Message.Time)
			}
			if got, want := strings.Join(states, " "), "Connecting/file Connected/file Stopped/file"; got != want {
				t.Errorf("states %s, want %s", got, want)
			}
			checkFrames(t, frames, wantFrames)
			if got := clk.waits; !slices.Equal(got, tc.waits) {
				t.Errorf("waits %v, want %v", got, tc.waits)
			}
			// Each message goes out when its wait is over.
			for i := 1; i < len(times); i++ {
				var want time.Duration
				if tc.waits != nil {
					want = tc.waits[i-1]
				}
				if d := times[i].Sub(times[i-1]); d != want {
					t.Errorf("message %d came %v after the one before, want %v", i, d, want)
				}
			}
		})
	}
}

func checkFrames(t *testing.T, got, want [][]Sample) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("message %d: %v, want %v", i, got[i], want[i])
		}
		for j, w := range want[i] {
			g := got[i][j]
			if g.Series != w.Series || !g.Time.Equal(w.Time) || math.Float64bits(g.Value) != math.Float64bits(w.Value) {
				t.Errorf("message %d sample %d: %q %v %v (bits %x), want %q %v %v (bits %x)", i, j,
					g.Series, g.Time, g.Value, math.Float64bits(g.Value), w.Series, w.Time, w.Value, math.Float64bits(w.Value))
			}
		}
	}
}

func TestFileReplayLoopMovesTimeOn(t *testing.T) {
	u, _ := writeRecording(t, pacedRows, "loop=1")
	clk := newFakeClock()
	r := start(t, Config{URL: u}, clk)
	msgs := r.messages(t, 3*len(wantFrames)+1)
	if err := r.stop(t); err != nil {
		t.Fatalf("Run returned %v when stopped, want nil", err)
	}
	// The recording spans 1 s over 4 times: a pass is 1 s plus the mean
	// spacing, 1/3 s.
	period := time.Second + time.Second/3
	for pass := 0; pass < 3; pass++ {
		var frames, want [][]Sample
		for i, m := range msgs[pass*len(wantFrames) : (pass+1)*len(wantFrames)] {
			frames = append(frames, m.Samples)
			var w []Sample
			for _, s := range wantFrames[i] {
				s.Time = s.Time.Add(time.Duration(pass) * period)
				w = append(w, s)
			}
			want = append(want, w)
		}
		checkFrames(t, frames, want)
	}
	// The pace goes on across the seam: 1/3 s from the last time of a
	// pass to the first of the next.
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 700 * time.Millisecond, time.Second / 3}
	want = append(want, want...)
	want = append(want, want[:3]...)
	clk.mu.Lock()
	got := clk.waits[:len(want)]
	clk.mu.Unlock()
	if !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v", got, want)
	}
}

func TestFileReplayOneTimeLoopsEverySecond(t *testing.T) {
	u, _ := writeRecording(t, at(0)+",x,1\n"+at(0)+",y,2\n", "loop=true")
	clk := newFakeClock()
	r := start(t, Config{URL: u}, clk)
	msgs := r.messages(t, 3)
	r.stop(t)
	for i, m := range msgs {
		if len(m.Samples) != 2 || !m.Samples[0].Time.Equal(t0.Add(time.Duration(i)*time.Second)) {
			t.Errorf("pass %d: %v, want x and y at %v", i, m.Samples, t0.Add(time.Duration(i)*time.Second))
		}
	}
}

func TestFileReplayUnreadableFileStopsForGood(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.csv")
	clk := newFakeClock()
	r := start(t, Config{URL: (&url.URL{Scheme: "file", Path: missing}).String()}, clk)
	err := r.finished(t)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.csv") {
		t.Fatalf("Run returned %v, want an error naming the missing file", err)
	}
	st := r.waitState(t, Stopped)
	if !errors.Is(st.Err, fs.ErrNotExist) {
		t.Errorf("Stopped with %v, want the missing file", st.Err)
	}
	for _, e := range r.seen {
		if e.Kind == KindStatus && (e.Status.State == Reconnecting || e.Status.State == Connected) {
			t.Errorf("%s: an unreadable file must stop the feed at once", e.Status.State)
		}
	}
	if len(clk.waits) != 0 {
		t.Errorf("waited %v before stopping", clk.waits)
	}
}

func TestFileReplayReportsBadLines(t *testing.T) {
	rows := at(0) + ",x,1\nnot a time,x,2\n" + at(time.Second) + ",x,oops\n" + at(2*time.Second) + ",x,3\n"
	u, _ := writeRecording(t, rows, "speed=0")
	r := start(t, Config{URL: u}, newFakeClock())
	if err := r.finished(t); err != nil {
		t.Fatal(err)
	}
	var texts []string
	var values []float64
	var dec Decoder
	for len(r.ch) > 0 {
		e := <-r.ch
		if e.Kind != KindMessage {
			continue
		}
		res := dec.Decode(e.Message)
		for _, s := range res.Samples {
			values = append(values, s.Value)
		}
		for _, tx := range res.Texts {
			texts = append(texts, tx.Text)
		}
	}
	if len(texts) == 0 || texts[0] != "2 bad lines skipped" {
		t.Fatalf("texts %q, want the count of bad lines first", texts)
	}
	joined := strings.Join(texts, "; ")
	if !strings.Contains(joined, "line 3") || !strings.Contains(joined, "line 4") {
		t.Errorf("texts %q do not name lines 3 and 4", texts)
	}
	if len(values) != 2 || values[0] != 1 || values[1] != 3 {
		t.Errorf("values %v, want the good lines: [1 3]", values)
	}
}

func TestFileURLs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rel.csv"), []byte("time,v\n"+at(0)+",7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, tc := range []struct {
		url       string
		transport Transport
		err       string // "" means the file replays
	}{
		{url: "file:rel.csv"},
		{url: "file:rel.csv", transport: File},
		{url: (&url.URL{Scheme: "file", Path: filepath.Join(dir, "rel.csv"), RawQuery: "speed=2.5&loop=0"}).String()},
		{url: (&url.URL{Scheme: "file", Host: "localhost", Path: filepath.Join(dir, "rel.csv")}).String()},
		{url: "file://example.com/rel.csv", err: `names host "example.com"`},
		{url: "file://", err: "names no file"},
		{url: "file:rel.csv?speed=-1", err: "speed=-1"},
		{url: "file:rel.csv?speed=fast", err: "speed=fast"},
		{url: "file:rel.csv?loop=maybe", err: "loop=maybe"},
		{url: "file:rel.csv?rate=2", err: `unknown parameter "rate"`},
		{url: "file:rel.csv", transport: Poll, err: "not Polling"},
		{url: "http://example.com/", transport: File, err: "needs a file: URL"},
	} {
		t.Run(tc.url+"/"+tc.transport.String(), func(t *testing.T) {
			var values []float64
			var dec Decoder
			err := Run(context.Background(), Config{URL: tc.url, Transport: tc.transport}, func(e Event) {
				if e.Kind == KindMessage {
					for _, s := range dec.Decode(e.Message).Samples {
						values = append(values, s.Value)
					}
				}
			})
			if tc.err == "" {
				if err != nil || len(values) != 1 || values[0] != 7 {
					t.Errorf("Run: %v, values %v; want nil and [7]", err, values)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Run: %v, want a ConfigError with %q", err, tc.err)
			}
		})
	}
}

func TestDecoderPassesReplayedSamplesThrough(t *testing.T) {
	arrival := t0.Add(time.Hour)
	m := Message{Time: arrival, Samples: []Sample{
		{"ts", t0, 1},
		{"bad", t0, math.NaN()},
		{`up{job="a"}`, t0, 2},
	}}
	for _, tc := range []struct {
		src  TimeSource
		want time.Time
	}{{PayloadTime, t0}, {ArrivalTime, arrival}} {
		d := Decoder{Time: tc.src}
		r := d.Decode(m)
		if len(r.Samples) != 2 || r.Samples[0].Series != "ts" || r.Samples[1].Series != `up{job="a"}` {
			t.Fatalf("%s: samples %v, want ts and up{job=\"a\"}", tc.src, r.Samples)
		}
		for _, s := range r.Samples {
			if !s.Time.Equal(tc.want) {
				t.Errorf("%s: sample time %v, want %v", tc.src, s.Time, tc.want)
			}
		}
		if len(r.Texts) != 1 || r.Texts[0].Reason != "NaN" {
			t.Errorf("%s: texts %v, want the NaN", tc.src, r.Texts)
		}
	}
}
