package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

// demoSample is what the app's decoder sees in a generator message.
type demoSample struct {
	TS       time.Time `json:"ts"`
	Seq      uint64    `json:"seq"`
	Sine     float64   `json:"sine"`
	Noise    float64   `json:"noise"`
	Sawtooth float64   `json:"sawtooth"`
	Walk     float64   `json:"walk"`
	Counter  uint64    `json:"counter"`
}

func decodeSample(t *testing.T, data string) demoSample {
	t.Helper()
	var s demoSample
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("generator message %q: %v", data, err)
	}
	return s
}

func runGenerator(t *testing.T, h *Hub, opts GeneratorOptions) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunGenerator(ctx, h, opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunGenerator: %v", err)
		}
	})
}

func TestGeneratorSignals(t *testing.T) {
	h, base := newHub(t, Options{})
	c := dialSSE(t, base, "")
	waitClients(t, h, 1)
	start := time.Now()
	runGenerator(t, h, GeneratorOptions{Rate: 500, Seed: 1})
	var prev demoSample
	for i := 0; i < 200; i++ {
		s := decodeSample(t, c.mustNext(t).data)
		if i > 0 && (s.Seq != prev.Seq+1 || s.TS.Before(prev.TS)) {
			t.Fatalf("sample %d: seq %d ts %v after seq %d ts %v", i, s.Seq, s.TS, prev.Seq, prev.TS)
		}
		if s.Counter != s.Seq {
			t.Errorf("counter %d, seq %d", s.Counter, s.Seq)
		}
		if s.TS.Before(start.Add(-time.Second)) || s.TS.After(time.Now().Add(time.Second)) {
			t.Errorf("ts %v is not the time of the sample", s.TS)
		}
		if math.Abs(s.Sine) > 1 || s.Noise < 0 || s.Noise >= 1 || s.Sawtooth < 0 || s.Sawtooth >= 1 || math.IsNaN(s.Walk) {
			t.Errorf("sample out of range: %+v", s)
		}
		prev = s
	}
}

func TestGeneratorRejectsNaNRate(t *testing.T) {
	if err := RunGenerator(context.Background(), New(Options{}), GeneratorOptions{Rate: math.NaN()}); err == nil {
		t.Fatal("NaN rate accepted")
	}
}

// At rate 0 on the command line (negative in the API) the generator runs
// as fast as the slowest client reads: it must stay within that client's
// queue, so nobody is dropped and the log never runs ahead.
func TestGeneratorAsFastAsClientsTakeThem(t *testing.T) {
	const queue = 64
	h, base := newHub(t, Options{ClientQueue: queue})
	runGenerator(t, h, GeneratorOptions{Rate: -1, Seed: 2})
	c := dialSSE(t, base, "0")
	var last uint64
	for i := 0; i < 2000; i++ {
		ev := c.mustNext(t)
		id, _ := strconv.ParseUint(ev.id, 10, 64)
		if id != last+1 {
			t.Fatalf("id %d after %d", id, last)
		}
		last = id
		if i%100 == 0 {
			time.Sleep(time.Millisecond) // a reader slower than the generator
		}
		// The kernel buffers whatever the server wrote; what the hub
		// holds for the client is bounded by the pacing window.
		if p := maxPending(h); p > queue/2 {
			t.Fatalf("generator ran %d events ahead of the only client (queue %d)", p, queue)
		}
	}
	if st := h.Stats(); st.Dropped != 0 {
		t.Fatalf("stats %+v: the paced client was dropped", st)
	}
}

func TestLinesPublishesEachLine(t *testing.T) {
	h := New(Options{Logger: testLogger(t)})
	long := strings.Repeat("z", MaxLineSize+10)
	in := "12 3.5\r\n\nsecond\n" + long + "\nafter long\nlast without newline"
	if err := RunLines(context.Background(), h, strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	evs, _, _ := h.since(0, 100)
	var got []string
	for _, ev := range evs {
		got = append(got, ev.Data)
	}
	want := []string{"12 3.5", "second", "after long", "last without newline"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("published %q, want %q (empty and over-long lines dropped)", got, want)
	}
}

func TestLinesEndsWhenReaderCloses(t *testing.T) {
	h := New(Options{Logger: testLogger(t)})
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- RunLines(context.Background(), h, pr) }()
	fmt.Fprintln(pw, "one")
	waitFor(t, "the line to be published", func() bool { return h.Stats().LastID == 1 })
	pw.CloseWithError(io.ErrClosedPipe)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a read error was not reported")
		}
	case <-time.After(patience):
		t.Fatal("RunLines did not return")
	}
}

func TestStartDemo(t *testing.T) {
	base, stop, err := StartDemo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("base URL %q, want loopback", base)
	}
	c := dialSSE(t, base, "")
	s := decodeSample(t, c.mustNext(t).data)
	if s.Seq == 0 {
		t.Fatalf("sample %+v", s)
	}
	c.close()
	stop()
	stop() // idempotent
}

// maxPending is the largest number of events any client has not yet been
// handed.
func maxPending(h *Hub) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	var m uint64
	for c := range h.clients {
		m = max(m, h.last-c.cursor.Load())
	}
	return m
}
