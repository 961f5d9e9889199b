package feeds

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeClock makes reconnect and poll timing instant and exact: every wait
// returns at once and moves the clock on by what was asked.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) (<-chan time.Time, func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch, func() bool { return false }
}

// recorder collects a feed's events for a test to wait on.
type recorder struct {
	ch   chan Event
	seen []Event
}

func newRecorder() *recorder { return &recorder{ch: make(chan Event, 1<<16)} }

func (r *recorder) handle(e Event) {
	// Never block the feed: a test that stopped reading must still be
	// able to stop it.
	select {
	case r.ch <- e:
	default:
	}
}

// waitFor returns the first event from now on that matches, failing the
// test after 10 s.
func (r *recorder) waitFor(t *testing.T, what string, match func(Event) bool) Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-r.ch:
			r.seen = append(r.seen, e)
			if match(e) {
				return e
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s; saw %s", what, describe(r.seen))
		}
	}
}

func (r *recorder) waitState(t *testing.T, st State) Status {
	t.Helper()
	return r.waitFor(t, st.String(), func(e Event) bool {
		return e.Kind == KindStatus && e.Status.State == st
	}).Status
}

// messages waits for n messages and returns them.
func (r *recorder) messages(t *testing.T, n int) []Message {
	t.Helper()
	var out []Message
	for len(out) < n {
		e := r.waitFor(t, "a message", func(e Event) bool { return e.Kind == KindMessage })
		out = append(out, e.Message)
	}
	return out
}

func describe(evs []Event) string {
	s := ""
	for i, e := range evs {
		if i > 30 {
			s += " ..."
			break
		}
		if e.Kind == KindMessage {
			s += " msg(" + truncate(string(e.Message.Data), 40) + ")"
		} else {
			s += " " + e.Status.State.String()
			if e.Status.Err != nil {
				s += "(" + e.Status.Err.Error() + ")"
			}
		}
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// running is a feed started by a test.
type running struct {
	*recorder
	cancel context.CancelFunc
	done   chan error
}

// start runs cfg until the test ends (or stop is called), with clk as its
// clock (nil: real time).
func start(t *testing.T, cfg Config, clk clock) *running {
	t.Helper()
	if clk == nil {
		clk = realClock{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{recorder: newRecorder(), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- newSupervisor(cfg, r.handle, clk).run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the feed and returns what Run returned.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok {
			close(r.done)
		}
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10 s of its context ending")
		return nil
	}
}

// finished waits for Run to return by itself.
func (r *running) finished(t *testing.T) error {
	t.Helper()
	select {
	case err := <-r.done:
		close(r.done)
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("Run did not stop by itself; saw %s", describe(r.seen))
		return nil
	}
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// eventually waits up to 10 s for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// serve starts an httptest server that closes when the test ends, after
// the feeds the test started (cleanups run last-registered first, and a
// test starts its server before its feed).
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
