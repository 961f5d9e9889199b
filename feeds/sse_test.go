package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func sseHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
}

func TestSSEFraming(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, "\uFEFF: a byte order mark, then a comment, ignored\n\n"+
			"data: 1\n\n"+
			"event: cpu\nid: 7\ndata: 12.5\n\n"+
			"data: line one\ndata: line two\n\n"+
			": keep-alive\n\n"+
			"event: mem\r\ndata: {\"used\":3}\r\n\r\n"+
			"id: 8\x00\rdata:no space\rdata\r\r"+ // CR alone ends lines; an id with NUL is ignored
			"event: lonely\nretry: soon\n\n"+ // no data: not an event, and its type goes
			"data: last\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	f := start(t, Config{URL: srv.URL, Transport: SSE}, nil)
	if st := f.waitState(t, Connected); st.Transport != SSE {
		t.Errorf("transport %v", st.Transport)
	}
	want := []struct{ data, event, id string }{
		{"1", "", ""},
		{"12.5", "cpu", "7"},
		{"line one\nline two", "", "7"}, // events without id: keep the last id
		{`{"used":3}`, "mem", "7"},
		{"no space\n", "", "7"},
		{"last", "", "7"},
	}
	msgs := f.messages(t, len(want))
	for i, w := range want {
		m := msgs[i]
		if string(m.Data) != w.data || m.Event != w.event || m.ID != w.id {
			t.Errorf("event %d: data %q event %q id %q; want %q %q %q", i, m.Data, m.Event, m.ID, w.data, w.event, w.id)
		}
	}
}

// eventLogServer keeps every event it has sent, replays what a client
// missed after Last-Event-ID, and cuts each connection after `per` events.
type eventLogServer struct {
	mu      sync.Mutex
	total   int
	per     int
	lastIDs []string // Last-Event-ID of each request
}

func (s *eventLogServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.lastIDs = append(s.lastIDs, r.Header.Get("Last-Event-ID"))
	s.mu.Unlock()
	from := 1
	if id := r.Header.Get("Last-Event-ID"); id != "" {
		n, err := strconv.Atoi(id)
		if err != nil {
			http.Error(w, "bad id", 400)
			return
		}
		from = n + 1
	}
	sseHeaders(w)
	io.WriteString(w, "retry: 10\n\n")
	for i := from; i < from+s.per && i <= s.total; i++ {
		fmt.Fprintf(w, "id: %d\ndata: {\"seq\":%d}\n\n", i, i)
	}
	w.(http.Flusher).Flush()
	// Return: the server cuts the stream (a clean EOF).
}

func TestSSEReplayAfterCutNoGapNoDuplicate(t *testing.T) {
	ls := &eventLogServer{total: 100, per: 7}
	srv := serve(t, ls)
	f := start(t, Config{URL: srv.URL, Transport: SSE}, newFakeClock())
	msgs := f.messages(t, 100)
	for i, m := range msgs {
		if want := fmt.Sprintf(`{"seq":%d}`, i+1); string(m.Data) != want {
			t.Fatalf("message %d is %s, want %s: a gap or a duplicate", i, m.Data, want)
		}
	}
	// Each cut was a clean EOF: a disconnect to recover from, never a stop.
	for _, e := range f.seen {
		if e.Kind == KindStatus && e.Status.State == Stopped {
			t.Fatalf("stopped: %v", e.Status.Err)
		}
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.lastIDs[0] != "" || ls.lastIDs[1] != "7" || ls.lastIDs[2] != "14" {
		t.Fatalf("Last-Event-ID sent %v, want \"\", 7, 14, ...", ls.lastIDs[:3])
	}
}

func TestSSEServerRetrySetsDelay(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, "retry: 3000\ndata: 1\n\n")
	}))
	f := start(t, Config{URL: srv.URL, Transport: SSE}, newFakeClock())
	st := f.waitState(t, Reconnecting)
	if st.Delay != 3*time.Second {
		t.Fatalf("next try in %v, want the server's retry: 3s", st.Delay)
	}
	if !errors.Is(st.Err, errStreamEnded) {
		t.Fatalf("cause %v, want the stream's end", st.Err)
	}
}

// The read limit counts the event's data as delivered, not the "data: "
// framing around it: 1 MiB passes at the default limit in one line or in
// sixteen thousand.
func TestSSEOneMebibyteEvent(t *testing.T) {
	var lines strings.Builder
	for lines.Len() < 1<<20 {
		lines.WriteString(strings.Repeat("y", 63) + "\n")
	}
	for _, big := range []string{strings.Repeat("x", 1<<20), lines.String()[:1<<20]} {
		t.Run(fmt.Sprintf("%d lines", strings.Count(big, "\n")+1), func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sseHeaders(w)
				io.WriteString(w, sseData(big)+"data: after\n\n")
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			}))
			f := start(t, Config{URL: srv.URL, Transport: SSE}, nil)
			msgs := f.messages(t, 2)
			if string(msgs[0].Data) != big {
				t.Fatalf("1 MiB event arrived as %d bytes", len(msgs[0].Data))
			}
			if string(msgs[1].Data) != "after" {
				t.Fatalf("next event %q", msgs[1].Data)
			}
		})
	}
}

// sseData frames s as one event, a data: line per line of s.
func sseData(s string) string {
	return "data: " + strings.ReplaceAll(s, "\n", "\ndata: ") + "\n\n"
}

func TestSSEEventOverReadLimit(t *testing.T) {
	over := strings.Repeat(strings.Repeat("z", 99)+"\n", 1<<20/100) + strings.Repeat("z", 1<<20%100+1)
	for _, c := range []struct {
		name  string
		limit int64
		event string
	}{
		{"one line", 64 << 10, sseData(strings.Repeat("x", 200<<10))},
		{"1 MiB + 1 in lines", 0, sseData(over)},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sseHeaders(w)
				io.WriteString(w, c.event)
			}))
			f := start(t, Config{URL: srv.URL, Transport: SSE, ReadLimit: c.limit}, newFakeClock())
			st := f.waitState(t, Reconnecting)
			var tl *ErrTooLarge
			if !errors.As(st.Err, &tl) {
				t.Fatalf("cause %v, want ErrTooLarge", st.Err)
			}
			if n := countMessages(f.seen); n != 0 {
				t.Fatalf("%d messages delivered from an oversized event", n)
			}
		})
	}
}

// An event that never ends, a short line at a time, fails at the read
// limit, having cost the feed a few times the limit in allocations however
// much the server sends.
func TestSSEEndlessEventBounded(t *testing.T) {
	const limit = 256 << 10
	var sent atomic.Int64
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		chunk := []byte(strings.Repeat("data: 0123456789\n", 4<<10))
		for r.Context().Err() == nil {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	var before, after runtime.MemStats
	f := startTuned(t, Config{URL: srv.URL, Transport: SSE, ReadLimit: limit}, newFakeClock(), func(*supervisor) {
		runtime.GC()
		runtime.ReadMemStats(&before)
	})
	st := f.waitState(t, Reconnecting)
	f.stop(t)
	runtime.ReadMemStats(&after)
	if !isTooLarge(st.Err) {
		t.Fatalf("cause %v, want ErrTooLarge", st.Err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8*limit {
		t.Fatalf("allocated %d KiB for a %d KiB limit (server sent %d KiB)", grew>>10, limit>>10, sent.Load()>>10)
	}
}

func TestSSEErrors(t *testing.T) {
	cases := []struct {
		name string
		h    http.HandlerFunc
		want string
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, "500 Internal Server Error"},
		{"not an event stream", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "{}")
		}, `Content-Type "application/json"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := serve(t, c.h)
			f := start(t, Config{URL: srv.URL, Transport: SSE}, newFakeClock())
			st := f.waitState(t, Reconnecting)
			if st.Err == nil || !strings.Contains(st.Err.Error(), c.want) {
				t.Fatalf("cause %v, want %q", st.Err, c.want)
			}
		})
	}
}

func TestAutoPicksTransport(t *testing.T) {
	sseSrv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, "data: 1\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	jsonSrv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"v":2}`)
	}))
	// A WebSocket endpoint behind an http:// URL: its 400 to a plain GET
	// says what it speaks.
	wsSrv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.TextMessage, []byte("3"))
		c.ReadMessage()
	})
	// One that answers a plain GET with 426 Upgrade Required.
	ws426 := wsServerWith(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Upgrade", "websocket")
		w.WriteHeader(http.StatusUpgradeRequired)
	}, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.TextMessage, []byte("4"))
		c.ReadMessage()
	})
	for _, c := range []struct {
		url  string
		want Transport
		data string
	}{{sseSrv.URL, SSE, "1"}, {jsonSrv.URL, Poll, `{"v":2}`}, {wsSrv.URL, WebSocket, "3"}, {ws426.URL, WebSocket, "4"}} {
		f := start(t, Config{URL: c.url}, nil)
		st := f.waitState(t, Connected)
		if st.Transport != c.want {
			t.Errorf("%s: connected over %v, want %v", c.data, st.Transport, c.want)
		}
		// Polling: the probe's body is the first message, the next poll
		// the second.
		n := 1
		if c.want == Poll {
			n = 2
		}
		for _, m := range f.messages(t, n) {
			if string(m.Data) != c.data {
				t.Errorf("message %q, want %q", m.Data, c.data)
			}
		}
		f.stop(t)
	}
}

// startTuned is start with tune run on the supervisor just before it
// starts.
func startTuned(t *testing.T, cfg Config, clk clock, tune func(*supervisor)) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{recorder: newRecorder(), cancel: cancel, done: make(chan error, 1)}
	s := newSupervisor(cfg, r.handle, clk)
	tune(s)
	go func() { r.done <- s.run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// startIdle is start with the SSE idle floor shortened from 15 s to floor,
// so that a stall is noticed in milliseconds.
func startIdle(t *testing.T, cfg Config, floor time.Duration) *running {
	t.Helper()
	return startTuned(t, cfg, realClock{}, func(s *supervisor) { s.sse.idleFloor = floor })
}

// dropsSilent runs an SSE feed of url with the idle floor given, waits for
// n messages and then for the feed to drop a silent stream, and returns
// the feed and that Reconnecting.
func dropsSilent(t *testing.T, url string, floor time.Duration, n int) (*running, Status) {
	t.Helper()
	f := startIdle(t, Config{URL: url, Transport: SSE}, floor)
	f.messages(t, n)
	st := f.waitState(t, Reconnecting)
	if !errors.Is(st.Err, errSSEIdle) {
		t.Fatalf("cause %v, want a silent stream", st.Err)
	}
	return f, st
}

// A stream that stays open but sends nothing is dead: after three idle
// floors (nothing sent here lets the feed learn a longer keep-alive gap)
// the feed drops it and reconnects with Last-Event-ID, and the events the
// next stream brings arrive.
func TestSSEStalledStreamReconnects(t *testing.T) {
	const floor = 50 * time.Millisecond
	var mu sync.Mutex
	var lastIDs []string
	var wrote time.Time
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		lastIDs = append(lastIDs, r.Header.Get("Last-Event-ID"))
		n := len(lastIDs)
		if n == 1 {
			wrote = time.Now() // before the write: the silence starts after it
		}
		mu.Unlock()
		sseHeaders(w)
		if n == 1 {
			io.WriteString(w, "id: 1\ndata: a\n\nid: 2\ndata: b\n\n")
		} else {
			io.WriteString(w, "id: 3\ndata: c\n\n")
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done() // open and silent: no event, no comment, no close
	}))
	f, st := dropsSilent(t, srv.URL, floor, 2)
	mu.Lock()
	silent := st.Time.Sub(wrote)
	mu.Unlock()
	if silent < sseIdleFactor*floor {
		t.Fatalf("dropped after %v of silence, before %v", silent, sseIdleFactor*floor)
	}
	if m := f.messages(t, 1)[0]; string(m.Data) != "c" || m.ID != "3" {
		t.Fatalf("after the reconnect: data %q id %q, want c 3", m.Data, m.ID)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lastIDs) != 2 || lastIDs[1] != "2" {
		t.Fatalf("Last-Event-ID of each request %q, want \"\" then \"2\"", lastIDs)
	}
}

// Comment lines are signs of life: a server that sends only keep-alive
// comments, further apart than three idle floors allow for once the feed
// has seen their rhythm, keeps its stream; when they stop, the stream is
// dropped after three of the observed gaps, not three floors.
func TestSSEKeepAliveCommentsAndObservedGap(t *testing.T) {
	const floor, gap, comments = 200 * time.Millisecond, 400 * time.Millisecond, 5
	var mu sync.Mutex
	var lastComment time.Time
	sent := 0
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, "data: start\n\n")
		w.(http.Flusher).Flush()
		for i := 0; i < comments; i++ {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(gap):
			}
			mu.Lock()
			lastComment, sent = time.Now(), sent+1
			mu.Unlock()
			io.WriteString(w, ": keep-alive\n\n")
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
	}))
	_, st := dropsSilent(t, srv.URL, floor, 1)
	mu.Lock()
	defer mu.Unlock()
	if sent < comments {
		t.Fatalf("dropped after %d of %d keep-alive comments (%v apart): comments did not count", sent, comments, gap)
	}
	// 3 floors would be 600 ms; 3 observed gaps are 1.2 s.
	if silent := st.Time.Sub(lastComment); silent < sseIdleFactor*gap*5/6 {
		t.Fatalf("dropped %v after the last comment: the %v gap was not learned", silent, gap)
	}
}

// Auto reads the stream on the response that revealed it: a server
// without replay sends its first events once, on the first request, and
// the feed must not throw that stream away to make a second request.
func TestAutoSSEOneConnection(t *testing.T) {
	var requests atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		sseHeaders(w)
		if n == 1 {
			io.WriteString(w, "data: 1\n\ndata: 2\n\ndata: 3\n\n")
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	f := start(t, Config{URL: srv.URL}, nil)
	if st := f.waitState(t, Connected); st.Transport != SSE {
		t.Fatalf("connected over %v, want SSE", st.Transport)
	}
	for i, m := range f.messages(t, 3) {
		if want := strconv.Itoa(i + 1); string(m.Data) != want {
			t.Fatalf("message %d is %q, want %q", i, m.Data, want)
		}
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}
