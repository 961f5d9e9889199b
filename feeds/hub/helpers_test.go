package hub

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// patience is how long a test waits for something that should happen at
// once; generous, because the test machine is small and shared.
const patience = 30 * time.Second

// testLogger sends the hub's log to the test's log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlogWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tlogWriter struct{ t testing.TB }

func (w tlogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// serveHub serves h on a free loopback port until the test ends and
// returns its base URL.
func serveHub(t testing.TB, h *Hub) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// newHub is New with the test's logger and serveHub.
func newHub(t testing.TB, opts Options) (*Hub, string) {
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	h := New(opts)
	return h, serveHub(t, h)
}

// sseEvent is one event as a client parses it.
type sseEvent struct {
	id, typ, data string
	retry         int
}

// sseClient reads a text/event-stream the way the spec says browsers do.
type sseClient struct {
	resp     *http.Response
	r        *bufio.Reader
	retry    int
	comments []string
}

func dialSSE(t testing.TB, base, lastID string) *sseClient {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/sse", nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		t.Fatalf("GET /sse: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	c := &sseClient{resp: resp, r: bufio.NewReader(resp.Body)}
	t.Cleanup(c.close)
	return c
}

func (c *sseClient) close() { c.resp.Body.Close() }

// next returns the next dispatched event. The caller bounds the wait by
// closing the client (see within).
func (c *sseClient) next() (sseEvent, error) {
	var ev sseEvent
	var data []string
	hasData := false
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if hasData {
				ev.data = strings.Join(data, "\n")
				return ev, nil
			}
			ev = sseEvent{}
			continue
		}
		if strings.HasPrefix(line, ":") {
			c.comments = append(c.comments, strings.TrimSpace(line[1:]))
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			ev.id = value
		case "event":
			ev.typ = value
		case "data":
			data = append(data, value)
			hasData = true
		case "retry":
			n, _ := strconv.Atoi(value)
			ev.retry = n
			c.retry = n
		}
	}
}

// within runs f and fails the test if it takes longer than patience,
// closing closer to unblock it.
func within(t testing.TB, what string, closer io.Closer, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(patience):
		closer.Close()
		<-done
		t.Fatalf("%s: nothing after %v", what, patience)
	}
}

func (c *sseClient) mustNext(t testing.TB) sseEvent {
	t.Helper()
	var ev sseEvent
	var err error
	within(t, "reading SSE", c.resp.Body, func() { ev, err = c.next() })
	if err != nil {
		t.Fatalf("reading SSE: %v", err)
	}
	return ev
}

func dialWS(t testing.TB, base string) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
	if err != nil {
		t.Fatalf("dial /ws: %v", err)
	}
	resp.Body.Close()
	t.Cleanup(func() { conn.Close() })
	return conn
}

func mustReadWS(t testing.TB, conn *websocket.Conn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(patience))
	kind, msg, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("reading WebSocket: %v", err)
	}
	if kind != websocket.TextMessage {
		t.Fatalf("WebSocket message kind %d, want text", kind)
	}
	return string(msg)
}

// waitFor polls cond until it holds or patience runs out.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %v", what, patience)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitClients waits until the hub has n streaming clients registered, so
// a test publishes only once they are listening.
func waitClients(t testing.TB, h *Hub, n int) {
	t.Helper()
	waitFor(t, strconv.Itoa(n)+" clients", func() bool { return h.Stats().Clients == n })
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
