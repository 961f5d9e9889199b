package feeds

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// fuzzLimit keeps fuzz inputs' messages small so that the limit is hit.
const fuzzLimit = 4 << 10

// fuzzBody is what the fuzz servers send next; one server serves every
// input of a fuzz run.
type fuzzBody struct {
	mu   sync.Mutex
	body []byte
}

func (f *fuzzBody) set(b []byte) { f.mu.Lock(); f.body = b; f.mu.Unlock() }
func (f *fuzzBody) get() []byte  { f.mu.Lock(); defer f.mu.Unlock(); return f.body }

// runOnce runs a feed until its first connection ends, and returns what
// it delivered.
func runOnce(t *testing.T, cfg Config) []Event {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var evs []Event
	err := newSupervisor(cfg, func(e Event) {
		evs = append(evs, e)
		if e.Kind == KindStatus && (e.Status.State == Reconnecting || e.Status.State == Stopped) {
			cancel()
		}
	}, newFakeClock()).run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return evs
}

// checkDelivered holds for whatever a server sent: messages within the
// read limit, and every failure a state with a cause.
func checkDelivered(t *testing.T, evs []Event) {
	for _, e := range evs {
		switch e.Kind {
		case KindMessage:
			if len(e.Message.Data) > fuzzLimit {
				t.Fatalf("message of %d bytes over the read limit", len(e.Message.Data))
			}
			if strings.ContainsAny(e.Message.Event+e.Message.ID, "\r\n") {
				t.Fatalf("event type %q or id %q spans lines: framing broke", e.Message.Event, e.Message.ID)
			}
		case KindStatus:
			if e.Status.State == Reconnecting && e.Status.Err == nil {
				t.Fatal("Reconnecting without a cause")
			}
		}
	}
}

// FuzzSSEStream feeds arbitrary bytes to the SSE path as a
// text/event-stream body.
func FuzzSSEStream(f *testing.F) {
	for _, seed := range []string{
		"data: 1\n\n",
		"event: cpu\nid: 7\nretry: 10\ndata: 12.5\n\n",
		"data: a\ndata: b\r\n\r\n: comment\n\n",
		"id\nretry: x\nevent\ndata\n\n",
		"data: " + strings.Repeat("x", fuzzLimit*2) + "\n\n",
		"\xff\xfe\n\n\n",
	} {
		f.Add([]byte(seed))
	}
	var next fuzzBody
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write(next.get())
	}))
	defer srv.Close()
	f.Fuzz(func(t *testing.T, body []byte) {
		next.set(body)
		evs := runOnce(t, Config{URL: srv.URL, Transport: SSE, ReadLimit: fuzzLimit})
		checkDelivered(t, evs)
		// What comes out is what went in: every message's data occurs in
		// the body, line by line.
		for _, e := range evs {
			if e.Kind != KindMessage {
				continue
			}
			for _, line := range bytes.Split(e.Message.Data, []byte("\n")) {
				if !bytes.Contains(body, line) {
					t.Fatalf("delivered %q, which the server never sent", line)
				}
			}
		}
	})
}

// FuzzWebSocketFrames feeds arbitrary bytes to the WebSocket path as the
// frames that follow a good handshake.
func FuzzWebSocketFrames(f *testing.F) {
	for _, seed := range [][]byte{
		append([]byte{0x81, 2}, "42"...),
		append([]byte{0x82, 3}, 1, 2, 3),
		{0x88, 2, 0x03, 0xe8},                  // close 1000
		{0x89, 0},                              // ping
		{0x01, 1, 'a', 0x80, 1, 'b'},           // fragmented
		{0x82, 127, 0, 0, 0, 0, 6, 0x40, 0, 0}, // announces 100 MiB
		{0xff, 0xff, 0xff},
	} {
		f.Add(seed)
	}
	var next fuzzBody
	up := websocket.Upgrader{}
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		wg.Add(1)
		defer wg.Done()
		c.UnderlyingConn().Write(next.get())
		c.UnderlyingConn().Close()
	}))
	defer func() { srv.Close(); wg.Wait() }()
	f.Fuzz(func(t *testing.T, frames []byte) {
		next.set(frames)
		evs := runOnce(t, Config{URL: srv.URL, Transport: WebSocket, ReadLimit: fuzzLimit})
		checkDelivered(t, evs)
		for _, e := range evs {
			if e.Kind == KindMessage && len(e.Message.Data) > len(frames) {
				t.Fatalf("delivered %d bytes from %d bytes of frames", len(e.Message.Data), len(frames))
			}
		}
	})
}
