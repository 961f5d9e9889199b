package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestSSEReplayAfterCutHasNoLossAndNoDuplicate(t *testing.T) {
	h, base := newHub(t, Options{Retry: 1500 * time.Millisecond})
	c := dialSSE(t, base, "")
	for i := 1; i <= 50; i++ {
		h.Publish(Event{Data: fmt.Sprintf(`{"n":%d}`, i)})
	}
	var lastID string
	for i := 1; i <= 20; i++ {
		ev := c.mustNext(t)
		if want := fmt.Sprintf(`{"n":%d}`, i); ev.data != want {
			t.Fatalf("event %d: data %q, want %q", i, ev.data, want)
		}
		lastID = ev.id
	}
	if c.retry != 1500 {
		t.Errorf("retry on connect = %d ms, want 1500", c.retry)
	}
	c.close() // the cut, with 30 events not yet read
	for i := 51; i <= 80; i++ {
		h.Publish(Event{Data: fmt.Sprintf(`{"n":%d}`, i)})
	}

	c2 := dialSSE(t, base, lastID)
	prev, _ := strconv.ParseUint(lastID, 10, 64)
	for i := 21; i <= 80; i++ {
		ev := c2.mustNext(t)
		id, err := strconv.ParseUint(ev.id, 10, 64)
		if err != nil || id != prev+1 {
			t.Fatalf("after resuming at %s: id %q follows %d", lastID, ev.id, prev)
		}
		prev = id
		if want := fmt.Sprintf(`{"n":%d}`, i); ev.data != want {
			t.Fatalf("after resuming: data %q, want %q (lost or repeated)", ev.data, want)
		}
	}
}

func TestSSEResumeFromEvictedIDSaysEventsWereLost(t *testing.T) {
	h, base := newHub(t, Options{LogSize: 10})
	for i := 1; i <= 30; i++ {
		h.Publish(Event{Data: strconv.Itoa(i)})
	}
	c := dialSSE(t, base, "5")
	ev := c.mustNext(t)
	if ev.id != "21" || ev.data != "21" {
		t.Fatalf("first event after an evicted id: %+v, want the oldest in the log (21)", ev)
	}
	if len(c.comments) == 0 || !strings.Contains(c.comments[0], "no longer in the log") {
		t.Errorf("comments %q: want a note that events were lost", c.comments)
	}
}

func TestSSEResumeFromEarlierServerRunGetsTheLog(t *testing.T) {
	h, base := newHub(t, Options{})
	h.Publish(Event{Data: "a"})
	h.Publish(Event{Data: "b"})
	// An id beyond the newest comes from before a restart.
	c := dialSSE(t, base, "9999")
	if ev := c.mustNext(t); ev.id != "1" || ev.data != "a" {
		t.Fatalf("got %+v, want event 1 (a)", ev)
	}
}

func TestSSEBadLastEventIDIsRejected(t *testing.T) {
	_, base := newHub(t, Options{})
	req, _ := http.NewRequest("GET", base+"/sse", nil)
	req.Header.Set("Last-Event-ID", "abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Last-Event-ID") {
		t.Fatalf("%s %q, want 400 naming Last-Event-ID", resp.Status, body)
	}
}

func TestSSEKeepAliveOnIdleStream(t *testing.T) {
	h, base := newHub(t, Options{KeepAlive: 20 * time.Millisecond})
	c := dialSSE(t, base, "")
	within(t, "keep-alive comment", c.resp.Body, func() {
		for len(c.comments) == 0 {
			line, err := c.r.ReadString('\n')
			if err != nil {
				return
			}
			if strings.HasPrefix(line, ":") {
				c.comments = append(c.comments, line)
			}
		}
	})
	if len(c.comments) == 0 || !strings.Contains(c.comments[0], "keep-alive") {
		t.Fatalf("comments %q, want a keep-alive", c.comments)
	}
	// The stream still carries events after keep-alives.
	h.Publish(Event{Data: "x"})
	if ev := c.mustNext(t); ev.data != "x" {
		t.Fatalf("got %+v", ev)
	}
}

func TestSSEFramesTypeRetryAndMultilineData(t *testing.T) {
	h, base := newHub(t, Options{})
	c := dialSSE(t, base, "")
	h.Publish(Event{Type: "tick\ndata: injected", Data: "one\r\ntwo\nthree", Retry: 2 * time.Second})
	ev := c.mustNext(t)
	if ev.data != "one\ntwo\nthree" {
		t.Errorf("data %q, want the three lines back", ev.data)
	}
	if ev.typ != "tick data: injected" {
		t.Errorf("type %q: a newline in the type must not start a new field", ev.typ)
	}
	if ev.retry != 2000 {
		t.Errorf("retry %d, want 2000", ev.retry)
	}
	// An event with empty data must not end the stream (as it does in
	// r3labs' server).
	h.Publish(Event{})
	h.Publish(Event{Data: "after empty"})
	if ev := c.mustNext(t); ev.data != "" {
		t.Errorf("empty event came back as %q", ev.data)
	}
	if ev := c.mustNext(t); ev.data != "after empty" {
		t.Errorf("after an empty event got %+v", ev)
	}
}

func TestWSStreamsAndAnswersTheArticleProtocol(t *testing.T) {
	h, base := newHub(t, Options{})
	conn := dialWS(t, base)
	h.Publish(Event{Data: `{"v":1}`})
	if got := mustReadWS(t, conn); got != `{"v":1}` {
		t.Fatalf("got %q", got)
	}
	for _, tc := range []struct{ send, want string }{
		{"ping", "pong"},
		{"hello", "收到"},
		{"Ping", "收到"},
	} {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(tc.send)); err != nil {
			t.Fatal(err)
		}
		if got := mustReadWS(t, conn); got != tc.want {
			t.Errorf("sent %q, got %q, want %q", tc.send, got, tc.want)
		}
	}
}

func TestWSProtocolPingsAreSent(t *testing.T) {
	_, base := newHub(t, Options{PingPeriod: 20 * time.Millisecond})
	conn := dialWS(t, base)
	pinged := make(chan struct{}, 1)
	conn.SetPingHandler(func(string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return nil
	})
	go func() {
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case <-pinged:
	case <-time.After(patience):
		t.Fatal("no protocol ping")
	}
}

// A client that stops reading must not hold up the others: while its
// writer is stuck, another client gets every message in lockstep with the
// publisher, far more bytes than the kernel buffers the stuck one.
func TestWSStalledClientDoesNotDelayOthers(t *testing.T) {
	h, base := newHub(t, Options{WriteWait: time.Minute})
	stalled := dialWS(t, base) // never read
	_ = stalled
	fast := dialWS(t, base)
	waitClients(t, h, 2)
	payload := strings.Repeat("x", 16<<10)
	const n = 2000 // 32 MiB: more than loopback socket buffers hold
	for i := 1; i <= n; i++ {
		data := strconv.Itoa(i) + payload
		h.Publish(Event{Data: data})
		if got := mustReadWS(t, fast); got != data {
			t.Fatalf("message %d: got %d bytes starting %q", i, len(got), got[:min(len(got), 8)])
		}
	}
	if st := h.Stats(); st.Clients != 2 || st.Dropped != 0 {
		t.Fatalf("stats %+v: the stalled client should still be connected, stuck in a write", st)
	}
}

// health is what GET /healthz answers.
type health struct {
	Status    string `json:"status"`
	LastID    uint64 `json:"last_id"`
	Clients   int    `json:"clients"`
	Published uint64 `json:"published"`
	Dropped   uint64 `json:"dropped"`
}

func healthz(t *testing.T, base string) health {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got health
	dec := json.NewDecoder(resp.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %s %v", resp.Status, err)
	}
	return got
}

// An SSE client that stops reading is dropped as the WebSocket one is
// below, and /healthz counts it.
func TestSSEClientTooSlowIsDisconnected(t *testing.T) {
	h, base := newHub(t, Options{WriteWait: 200 * time.Millisecond, ClientQueue: 100})
	stalled, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	if _, err := io.WriteString(stalled, "GET /sse HTTP/1.1\r\nHost: hub\r\nAccept: text/event-stream\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	fast := dialWS(t, base)
	waitClients(t, h, 2)
	payload := strings.Repeat("z", 16<<10)
	for i := 1; h.Stats().Dropped == 0; i++ {
		if i > 100000 {
			t.Fatal("the stalled SSE client was never disconnected")
		}
		data := strconv.Itoa(i) + payload
		h.Publish(Event{Data: data})
		if got := mustReadWS(t, fast); got != data {
			t.Fatalf("fast client, message %d: got %q...", i, got[:min(len(got), 8)])
		}
	}
	waitClients(t, h, 1)
	if got := healthz(t, base); got.Dropped != 1 || got.Clients != 1 {
		t.Errorf("healthz after dropping the stalled client: %+v", got)
	}
	// The stalled client finds its connection closed after what the
	// kernel had buffered.
	stalled.SetReadDeadline(time.Now().Add(patience))
	if _, err := io.Copy(io.Discard, stalled); err != nil {
		t.Fatalf("stalled SSE client: connection still open: %v", err)
	}
}

func TestWSClientTooSlowIsDisconnected(t *testing.T) {
	h, base := newHub(t, Options{WriteWait: 200 * time.Millisecond, ClientQueue: 100})
	stalled := dialWS(t, base)
	fast := dialWS(t, base)
	waitClients(t, h, 2)
	payload := strings.Repeat("y", 16<<10)
	for i := 1; h.Stats().Dropped == 0; i++ {
		if i > 100000 {
			t.Fatal("the stalled client was never disconnected")
		}
		data := strconv.Itoa(i) + payload
		h.Publish(Event{Data: data})
		if got := mustReadWS(t, fast); got != data {
			t.Fatalf("fast client, message %d: got %q...", i, got[:min(len(got), 8)])
		}
	}
	waitClients(t, h, 1)
	// The stalled client finds its connection closed after what the
	// kernel had buffered.
	stalled.SetReadDeadline(time.Now().Add(patience))
	for {
		if _, _, err := stalled.ReadMessage(); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("stalled client: connection still open: %v", err)
			}
			break
		}
	}
}

func TestShutdownClosesEveryClient(t *testing.T) {
	h := New(Options{Logger: testLogger(t)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	sse := dialSSE(t, base, "")
	ws := dialWS(t, base)
	waitClients(t, h, 2)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("Serve did not return")
	}
	if _, err := sse.next(); err == nil {
		t.Error("SSE stream still open after shutdown")
	}
	ws.SetReadDeadline(time.Now().Add(patience))
	_, _, err = ws.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Errorf("WebSocket read after shutdown: %v, want close 1001 going away", err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("listener still accepts")
	}
}

func TestPollLatestWithValidators(t *testing.T) {
	h, base := newHub(t, Options{})
	get := func(hdr map[string]string) (*http.Response, string) {
		t.Helper()
		return pollReq(t, base+"/poll", hdr)
	}
	if resp, _ := get(nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("before any message: %s, want 204", resp.Status)
	}
	// Published in an earlier second: its date is a strong validator
	// (see TestPollDateNeverHidesAMessageOfTheSameSecond for one that is not).
	h.Publish(Event{Data: `{"a":1}`, Time: time.Now().Add(-2 * time.Second)})
	resp, body := get(nil)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.StatusCode != 200 || body != `{"a":1}` || etag != `"1"` || lm == "" || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%s %q ETag %q Last-Modified %q Content-Type %q", resp.Status, body, etag, lm, resp.Header.Get("Content-Type"))
	}
	if resp, _ := get(map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match current: %s, want 304", resp.Status)
	}
	if resp, _ := get(map[string]string{"If-Modified-Since": lm}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since current: %s, want 304", resp.Status)
	}
	h.Publish(Event{Data: "plain text"})
	resp, body = get(map[string]string{"If-None-Match": etag, "If-Modified-Since": lm})
	if resp.StatusCode != 200 || body != "plain text" || resp.Header.Get("ETag") != `"2"` {
		t.Errorf("after a new message: %s %q ETag %q, want 200 with ETag \"2\" (If-None-Match decides)", resp.Status, body, resp.Header.Get("ETag"))
	}
}

func TestPollSinceReturnsTheMessagesAfterAnID(t *testing.T) {
	h, base := newHub(t, Options{LogSize: 5})
	for _, d := range []string{`{"n":1}`, "two", `{"n":3}`, "4", `"five"`, "6", "7"} {
		h.Publish(Event{Data: d})
	}
	var got []struct {
		ID   uint64          `json:"id"`
		Data json.RawMessage `json:"data"`
	}
	fetch := func(q string) *http.Response {
		resp, err := http.Get(base + "/poll?since=" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got = nil
		if resp.StatusCode == 200 {
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
		}
		return resp
	}
	resp := fetch("4")
	if len(got) != 3 || got[0].ID != 5 || string(got[0].Data) != `"five"` || got[1].ID != 6 || string(got[2].Data) != `7` {
		t.Fatalf("since=4: %s", fmtPoll(got))
	}
	if resp.Header.Get("X-Events-Lost") != "" {
		t.Errorf("since=4 lost nothing, header says %q", resp.Header.Get("X-Events-Lost"))
	}
	resp = fetch("1")
	if len(got) != 5 || got[0].ID != 3 || resp.Header.Get("X-Events-Lost") != "true" {
		t.Fatalf("since=1 with a log of 5: %s, X-Events-Lost %q", fmtPoll(got), resp.Header.Get("X-Events-Lost"))
	}
	if fetch("7"); len(got) != 0 {
		t.Fatalf("since=newest: %s, want []", fmtPoll(got))
	}
	if resp := fetch("x"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("since=x: %s, want 400", resp.Status)
	}
	if fetch("3"); string(got[0].Data) != `4` || got[0].ID != 4 {
		t.Fatalf("since=3: %s", fmtPoll(got))
	}
}

func fmtPoll[T any](v []T) string { b, _ := json.Marshal(v); return string(b) }

func TestIndexAndHealth(t *testing.T) {
	h, base := newHub(t, Options{})
	h.Publish(Event{Data: "x"})
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"/sse", "/ws", "/poll", "/healthz", "EventSource"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("index page lacks %q", want)
		}
	}
	dialWS(t, base)
	waitClients(t, h, 1)
	h.Publish(Event{Data: "y"})
	if got := healthz(t, base); got != (health{Status: "ok", LastID: 2, Clients: 1, Published: 2}) {
		t.Fatalf("healthz: %+v", got)
	}
	resp, err = http.Get(base + "/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/nope: %s, want 404", resp.Status)
	}
}
