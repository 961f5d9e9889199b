package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

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
// text/event-stream body: to the parser alone, whole and a byte at a time,
// and through a server to the feed. Each must agree with refSSE, a plain
// reading of the standard's rules over the whole body at once.
func FuzzSSEStream(f *testing.F) {
	for _, seed := range []string{
		"data: 1\n\n",
		"event: cpu\nid: 7\nretry: 10\ndata: 12.5\n\n",
		"data: a\ndata: b\r\n\r\n: comment\n\n",
		"data: a\r\ndata: b\r\n\r\n",
		"id\nretry: x\nevent\ndata\n\n",
		"data: " + strings.Repeat("x", fuzzLimit*2) + "\n\n",
		"\xff\xfe\n\n\n",
		"\uFEFFdata:a\rdata:b\r\r\uFEFFdata: c\n\n",
		"id: 1\x002\ndata: nul\n\nid: 3\n\ndata: inherits\r\n\r\n",
		"event: lonely\n\ndata: typeless\n\ndata: cut off by the end\n",
		": " + strings.Repeat("c", fuzzLimit*2) + "\ndata: after a long comment\n\n",
		strings.Repeat("data: "+strings.Repeat("y", 1000)+"\n", 5) + "\n",
		"retry: 99999999999999999999999\nretry: 12\n",
		"event: " + strings.Repeat("e", fuzzLimit+sseFieldRoom),
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
		want := refSSE(body, fuzzLimit)
		for name, in := range map[string]io.Reader{
			"whole":       bytes.NewReader(body),
			"byte a read": iotest.OneByteReader(bytes.NewReader(body)),
		} {
			var got refResult
			r := newSSEReader(in, fuzzLimit, "")
			for {
				ev, err := r.next()
				if err != nil {
					got.tooLarge = isTooLarge(err)
					if !got.tooLarge && err != io.EOF {
						t.Fatalf("%s: %v", name, err)
					}
					break
				}
				got.events = append(got.events, sseEvent{data: bytes.Clone(ev.data), typ: ev.typ, id: ev.id})
			}
			got.lastID, got.retry, got.retrySeen = r.lastID, r.retry, r.retrySeen
			if diff := want.diff(got); diff != "" {
				t.Fatalf("%s: %s", name, diff)
			}
		}

		next.set(body)
		evs := runOnce(t, Config{URL: srv.URL, Transport: SSE, ReadLimit: fuzzLimit})
		checkDelivered(t, evs)
		var got refResult
		for _, e := range evs {
			switch {
			case e.Kind == KindMessage:
				got.events = append(got.events, sseEvent{data: e.Message.Data, typ: e.Message.Event, id: e.Message.ID})
			case e.Status.State == Reconnecting:
				got.tooLarge = isTooLarge(e.Status.Err)
				if !got.tooLarge && !errors.Is(e.Status.Err, errStreamEnded) {
					t.Fatalf("feed: %v", e.Status.Err)
				}
			}
		}
		got.lastID, got.retry, got.retrySeen = want.lastID, want.retry, want.retrySeen
		if diff := want.diff(got); diff != "" {
			t.Fatalf("feed: %s", diff)
		}
	})
}

// refResult is what reading a whole SSE body yields.
type refResult struct {
	events    []sseEvent
	tooLarge  bool // the body ended in ErrTooLarge rather than its end
	lastID    string
	retry     time.Duration
	retrySeen bool
}

func (want refResult) diff(got refResult) string {
	if len(got.events) != len(want.events) {
		return fmt.Sprintf("%d events, want %d: %q, want %q", len(got.events), len(want.events), got.events, want.events)
	}
	for i, w := range want.events {
		g := got.events[i]
		if !bytes.Equal(g.data, w.data) || g.typ != w.typ || g.id != w.id {
			return fmt.Sprintf("event %d is %q %q %q, want %q %q %q", i, g.data, g.typ, g.id, w.data, w.typ, w.id)
		}
	}
	if got.tooLarge != want.tooLarge || got.lastID != want.lastID || got.retry != want.retry || got.retrySeen != want.retrySeen {
		return fmt.Sprintf("ended too large %v, last id %q, retry %v (%v); want %v %q %v (%v)",
			got.tooLarge, got.lastID, got.retry, got.retrySeen, want.tooLarge, want.lastID, want.retry, want.retrySeen)
	}
	return ""
}

// refSSE reads body by the WHATWG EventSource rules, the whole body at
// once, with this package's limits: event data up to limit bytes, and a
// line longer than limit+sseFieldRoom judged by its head (ErrTooLarge for
// data, event and id, ignored otherwise).
func refSSE(body []byte, limit int) refResult {
	var res refResult
	maxLine := limit + sseFieldRoom
	s := string(body)
	var lines []string
	for s != "" {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			if len(s) > maxLine {
				lines = append(lines, s) // judged before its end arrives
			}
			break
		}
		lines = append(lines, s[:i])
		if strings.HasPrefix(s[i:], "\r\n") {
			i++
		}
		s = s[i+1:]
	}
	var data []string
	typ, id := "", ""
	for n, line := range lines {
		long := len(line) > maxLine // a leading BOM counts here
		if long {
			line = line[:maxLine]
		}
		if n == 0 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if line == "" {
			res.lastID = id
			if data != nil {
				res.events = append(res.events, sseEvent{data: []byte(strings.Join(data, "\n")), typ: typ, id: id})
			}
			data, typ = nil, ""
			continue
		}
		if line[0] == ':' {
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch name {
		case "data":
			if long || len(strings.Join(append(data, value), "\n")) > limit {
				res.tooLarge = true
				return res
			}
			data = append(data, value)
		case "event", "id":
			if long {
				res.tooLarge = true
				return res
			}
			if name == "event" {
				typ = value
			} else if !strings.Contains(value, "\x00") {
				id = value
			}
		case "retry":
			ms, err := strconv.ParseUint(value, 10, 64)
			switch {
			case long || strings.Trim(value, "0123456789") != "":
				continue
			case err == nil && ms <= uint64(maxServerRetry/time.Millisecond):
				res.retry = time.Duration(ms) * time.Millisecond
			case err == nil || errors.Is(err, strconv.ErrRange):
				res.retry = maxServerRetry // only digits, too many of them
			default:
				continue
			}
			res.retrySeen = true
		}
	}
	return res
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
