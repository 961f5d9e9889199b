package feeds

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"feedscope/feeds/hub"
)

// watchedHub is a real hub served through a handler that counts requests,
// notes when each started and how many were in flight at once.
type watchedHub struct {
	*hub.Hub
	srv      *httptest.Server
	conns    atomic.Int32 // TCP connections accepted
	inFlight atomic.Int32
	maxIn    atomic.Int32

	mu     sync.Mutex
	starts []time.Time
	prefer string // the last request's Prefer header
	// cut, when set, takes the request with number cutAt (1 for the
	// first) instead of the hub.
	cutAt int
	cut   func(w http.ResponseWriter)
}

func newWatchedHub(t *testing.T) *watchedHub {
	t.Helper()
	wh := &watchedHub{Hub: hub.New(hub.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})}
	handler := wh.Handler()
	wh.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := wh.inFlight.Add(1)
		defer wh.inFlight.Add(-1)
		for m := wh.maxIn.Load(); n > m && !wh.maxIn.CompareAndSwap(m, n); m = wh.maxIn.Load() {
		}
		wh.mu.Lock()
		wh.starts = append(wh.starts, time.Now())
		wh.prefer = r.Header.Get("Prefer")
		cut := wh.cut
		if len(wh.starts) != wh.cutAt {
			cut = nil
		}
		wh.mu.Unlock()
		if cut != nil {
			cut(w)
			return
		}
		handler.ServeHTTP(w, r)
	}))
	wh.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			wh.conns.Add(1)
		}
	}
	wh.srv.Start()
	// Cleanups run last-registered first: the hub ends held requests
	// before the server waits for its handlers.
	t.Cleanup(wh.srv.Close)
	t.Cleanup(wh.Close)
	return wh
}

// requestsSince counts the requests that started after t0.
func (wh *watchedHub) requestsSince(t0 time.Time) int {
	wh.mu.Lock()
	defer wh.mu.Unlock()
	n := 0
	for _, s := range wh.starts {
		if s.After(t0) {
			n++
		}
	}
	return n
}

// expectSeq checks that msgs are {"seq":from}, {"seq":from+1}, ...
func expectSeq(t *testing.T, msgs []Message, from int) {
	t.Helper()
	for i, m := range msgs {
		if want := fmt.Sprintf(`{"seq":%d}`, from+i); string(m.Data) != want {
			t.Fatalf("message %d is %s, want %s", from+i, m.Data, want)
		}
	}
}

// reconnects drains what the feed delivered and returns its Reconnecting
// states.
func reconnects(f *running) []Status {
	for len(f.ch) > 0 {
		f.seen = append(f.seen, <-f.ch)
	}
	var out []Status
	for _, e := range f.seen {
		if e.Kind == KindStatus && e.Status.State == Reconnecting {
			out = append(out, e.Status)
		}
	}
	return out
}

// noMoreMessages fails if a message arrives within d: a duplicate.
func noMoreMessages(t *testing.T, f *running, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case e := <-f.ch:
			if e.Kind == KindMessage {
				t.Fatalf("an extra message arrived: %s", e.Message.Data)
			}
		case <-deadline:
			return
		}
	}
}

// Messages published while no request is in flight, before the client
// had any cursor (after the first hold ended with 204), all arrive, in
// order: the 204's ETag is where the stream starts.
func TestLongPollKeepsWhatCameBeforeItsFirstMessage(t *testing.T) {
	wh := newWatchedHub(t)
	f := start(t, Config{URL: wh.srv.URL + "/poll", Transport: LongPoll, Hold: time.Second, PollInterval: 3 * time.Second}, nil)
	eventually(t, "a request held at the hub", func() bool { return wh.inFlight.Load() == 1 })
	eventually(t, "the hold over, no request in flight", func() bool { return wh.inFlight.Load() == 0 })
	for i := range 3 {
		wh.Publish(hub.Event{Data: fmt.Sprintf(`{"seq":%d}`, i)})
	}
	expectSeq(t, f.messages(t, 3), 0)
	f.stop(t)
}

func TestLongPollHubEveryMessageOnceInOrder(t *testing.T) {
	wh := newWatchedHub(t)
	const n, rate = 1000, 200
	// Polling at 100 ms: a client that did not ask the server to hold
	// would make ten requests a second while nothing happens.
	f := start(t, Config{URL: wh.srv.URL + "/poll", Transport: LongPoll, Hold: time.Second, PollInterval: 100 * time.Millisecond}, nil)
	// The first request, with no cursor yet, is held for the first message.
	eventually(t, "a request held at the hub", func() bool { return wh.inFlight.Load() == 1 })
	go func() {
		tick := time.NewTicker(time.Second / rate)
		defer tick.Stop()
		for i := 0; i < n; i++ {
			<-tick.C
			wh.Publish(hub.Event{Data: fmt.Sprintf(`{"seq":%d}`, i)})
		}
	}()
	expectSeq(t, f.messages(t, n), 0)

	// Nothing is published now: each request is held for the hold, so a
	// quiet window of W sees about W/hold requests (the bound:
	// fewer than 1.2 per hold).
	const window = 6 * time.Second
	t0 := time.Now()
	noMoreMessages(t, f, window)
	t.Logf("%d requests in the quiet %v", wh.requestsSince(t0), window)
	if got, limit := wh.requestsSince(t0), 1.2*float64(window/time.Second); float64(got) >= limit {
		t.Errorf("%d requests in a quiet %v with a 1 s hold, want fewer than %.1f", got, window, limit)
	}
	if m := wh.maxIn.Load(); m != 1 {
		t.Errorf("%d requests in flight at once, want 1", m)
	}
	wh.mu.Lock()
	prefer := wh.prefer
	wh.mu.Unlock()
	if prefer != "wait=1" {
		t.Errorf("Prefer %q, want wait=1", prefer)
	}
	if r := reconnects(f); len(r) > 0 {
		t.Errorf("reconnected: %v", r[0].Err)
	}
}

func TestLongPollCutMidHoldLosesNothing(t *testing.T) {
	wh := newWatchedHub(t)
	for i := 0; i < 3; i++ {
		wh.Publish(hub.Event{Data: fmt.Sprintf(`{"seq":%d}`, i)})
	}
	// The second request (the first with a cursor) is held, then its
	// connection dies mid-response; what is published meanwhile must
	// come after the reconnect, from the cursor on.
	wh.cutAt = 2
	wh.cut = func(w http.ResponseWriter) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		time.Sleep(100 * time.Millisecond)
		for i := 3; i < 20; i++ {
			wh.Publish(hub.Event{Data: fmt.Sprintf(`{"seq":%d}`, i)})
		}
		io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"se")
		conn.Close()
	}
	f := start(t, Config{URL: wh.srv.URL + "/poll", Transport: LongPoll, Hold: 30 * time.Second}, nil)
	// The first request has no cursor and gets the newest message.
	expectSeq(t, f.messages(t, 1), 2)
	expectSeq(t, f.messages(t, 17), 3)
	noMoreMessages(t, f, 300*time.Millisecond)
	if r := reconnects(f); len(r) != 1 {
		t.Fatalf("%d reconnects, want 1 (the cut)", len(r))
	}
}

// oneMessageThen answers the first request with a message (ETag "1") and
// every later one with then, counting them in requests.
func oneMessageThen(requests *atomic.Int32, then http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			w.Header().Set("ETag", `"1"`)
			io.WriteString(w, "1")
			return
		}
		then(w, r)
	})
}

// Nothing new, said at once by a server that does not hold: the next
// request waits for the poll interval (the fake clock records each wait).
func TestLongPollServerThatDoesNotHoldIsPolledAtTheInterval(t *testing.T) {
	for _, c := range []struct {
		name    string
		nothing func(w http.ResponseWriter)
	}{
		{"304", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotModified) }},
		{"204", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }},
		{"408", func(w http.ResponseWriter) { w.WriteHeader(http.StatusRequestTimeout) }},
		// A server that ignores the cursor: the same message again.
		{"same 200", func(w http.ResponseWriter) { w.Header().Set("ETag", `"1"`); io.WriteString(w, "1") }},
		{"200 without validators", func(w http.ResponseWriter) { io.WriteString(w, "1") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := serve(t, oneMessageThen(&requests, func(w http.ResponseWriter, _ *http.Request) { c.nothing(w) }))
			const interval = 250 * time.Millisecond
			clk := newFakeClock()
			f := start(t, Config{URL: srv.URL, Transport: LongPoll, PollInterval: interval}, clk)
			eventually(t, "20 requests", func() bool { return requests.Load() >= 20 })
			f.stop(t)
			clk.mu.Lock()
			defer clk.mu.Unlock()
			if len(clk.waits) < 15 {
				t.Fatalf("%d waits in %d requests, want one before every request that follows nothing new", len(clk.waits), requests.Load())
			}
			for _, w := range clk.waits {
				if w != interval {
					t.Fatalf("waits %v, want each the poll interval %v", clk.waits, interval)
				}
			}
			if r := reconnects(f); len(r) > 0 {
				t.Fatalf("reconnected: %v (nothing new is not a failure)", r[0].Err)
			}
		})
	}
}

// A server that holds longer than the client waits: the request times out
// after the hold plus RequestTimeout, and the next goes out at once —
// no failure, no backoff.
func TestLongPollTimeoutIsNothingNew(t *testing.T) {
	var requests atomic.Int32
	srv := serve(t, oneMessageThen(&requests, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	f := start(t, Config{URL: srv.URL, Transport: LongPoll, Hold: time.Second, RequestTimeout: 200 * time.Millisecond}, nil)
	f.messages(t, 1)
	t0 := time.Now()
	eventually(t, "two timed-out requests", func() bool { return requests.Load() >= 4 })
	if d := time.Since(t0); d < 2*time.Second {
		t.Errorf("three requests in %v: they did not wait for hold + margin (1.2 s each)", d)
	}
	f.stop(t)
	if r := reconnects(f); len(r) > 0 {
		t.Fatalf("reconnected: %v (a timeout is nothing new)", r[0].Err)
	}
}

// A server that judges If-Modified-Since even when If-None-Match is there
// (RFC 9110 says it must not) and has two messages with the same date:
// a client that sends both is told 304 for the second and never gets it.
func TestPollSendsTheDateOnlyWithoutAnETag(t *testing.T) {
	date := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC).Format(http.TimeFormat)
	msgs := []string{`{"seq":0}`, `{"seq":1}`}
	var sawDate atomic.Bool
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-Modified-Since") != "" {
			sawDate.Store(true)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		next := 0
		if tag := r.Header.Get("If-None-Match"); tag != "" {
			id, _ := strconv.Atoi(tag[1 : len(tag)-1])
			next = id + 1
		}
		if next >= len(msgs) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, next))
		w.Header().Set("Last-Modified", date)
		io.WriteString(w, msgs[next])
	}))
	for _, tr := range []Transport{Poll, LongPoll} {
		t.Run(tr.String(), func(t *testing.T) {
			f := start(t, Config{URL: srv.URL, Transport: tr}, newFakeClock())
			expectSeq(t, f.messages(t, 2), 0)
			if sawDate.Load() {
				t.Error("If-Modified-Since sent beside an ETag")
			}
		})
	}
}

func TestParseTransportLongPoll(t *testing.T) {
	for _, s := range []string{"longpoll", "long-poll", "longpolling", "Long polling", LongPoll.String(), LongPoll.Title()} {
		if got, err := ParseTransport(s); err != nil || got != LongPoll {
			t.Errorf("ParseTransport(%q) = %v, %v; want LongPoll", s, got, err)
		}
	}
	// Every transport reads back from both of its names.
	for _, tr := range Transports {
		for _, s := range []string{tr.String(), tr.Title()} {
			if got, err := ParseTransport(s); err != nil || got != tr {
				t.Errorf("ParseTransport(%q) = %v, %v; want %v", s, got, err, tr)
			}
		}
	}
}
