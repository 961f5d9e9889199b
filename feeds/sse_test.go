package feeds

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
		io.WriteString(w, ": a comment, ignored\n\n"+
			"data: 1\n\n"+
			"event: cpu\nid: 7\ndata: 12.5\n\n"+
			"data: line one\ndata: line two\n\n"+
			": keep-alive\n\n"+
			"event: mem\r\ndata: {\"used\":3}\r\n\r\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	f := start(t, Config{URL: srv.URL, Transport: SSE}, nil)
	if st := f.waitState(t, Connected); st.Transport != SSE {
		t.Errorf("transport %v", st.Transport)
	}
	msgs := f.messages(t, 4)
	want := []struct{ data, event, id string }{
		{"1", "", ""},
		{"12.5", "cpu", "7"},
		{"line one\nline two", "", "7"}, // events without id: keep the last id
		{`{"used":3}`, "mem", "7"},
	}
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

func TestSSEOneMebibyteEvent(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, "data: "+big+"\n\ndata: after\n\n")
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
}

func TestSSEEventOverReadLimit(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, "data: "+strings.Repeat("x", 200<<10)+"\n\n")
	}))
	f := start(t, Config{URL: srv.URL, Transport: SSE, ReadLimit: 64 << 10}, newFakeClock())
	st := f.waitState(t, Reconnecting)
	var tl *ErrTooLarge
	if !errors.As(st.Err, &tl) {
		t.Fatalf("cause %v, want ErrTooLarge", st.Err)
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
	for _, c := range []struct {
		url  string
		want Transport
		data string
	}{{sseSrv.URL, SSE, "1"}, {jsonSrv.URL, Poll, `{"v":2}`}, {wsSrv.URL, WebSocket, "3"}} {
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
