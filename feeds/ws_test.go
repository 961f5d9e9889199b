package feeds

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// wsServer runs fn for each connection; fn owns the connection.
func wsServer(t *testing.T, fn func(c *websocket.Conn, r *http.Request)) *httptest.Server {
	t.Helper()
	var (
		mu     sync.Mutex
		closed bool
		wg     sync.WaitGroup
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Hijacked connections outlive httptest's Close: count them, and
		// never Add once the test has started to Wait.
		mu.Lock()
		if closed {
			mu.Unlock()
			http.Error(w, "closing", http.StatusServiceUnavailable)
			return
		}
		wg.Add(1)
		mu.Unlock()
		defer wg.Done()
		c, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		fn(c, r)
	}))
	t.Cleanup(func() {
		mu.Lock()
		closed = true
		mu.Unlock()
		srv.CloseClientConnections()
		srv.Close()
		wg.Wait()
	})
	return srv
}

func wsURL(srv *httptest.Server) string { return "ws" + strings.TrimPrefix(srv.URL, "http") }

func TestWebSocketTextAndBinaryWithHeaders(t *testing.T) {
	seen := make(chan http.Header, 1)
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		seen <- r.Header
		c.WriteMessage(websocket.TextMessage, []byte(`{"a":1}`))
		c.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
	hdr := http.Header{}
	hdr.Set("Authorization", "Bearer t0k")
	hdr.Set("Origin", "https://feedscope.example")
	hdr.Set("Cookie", "session=1")
	f := start(t, Config{URL: wsURL(srv), Header: hdr}, nil)
	if st := f.waitState(t, Connected); st.Transport != WebSocket {
		t.Errorf("connected over %v, want ws (Auto resolves ws:// URLs)", st.Transport)
	}
	msgs := f.messages(t, 2)
	if string(msgs[0].Data) != `{"a":1}` || msgs[0].Binary {
		t.Errorf("first message %q binary=%v", msgs[0].Data, msgs[0].Binary)
	}
	if string(msgs[1].Data) != "\x01\x02\x03" || !msgs[1].Binary {
		t.Errorf("second message %q binary=%v", msgs[1].Data, msgs[1].Binary)
	}
	h := <-seen
	if h.Get("Authorization") != "Bearer t0k" || h.Get("Origin") != "https://feedscope.example" || h.Get("Cookie") != "session=1" {
		t.Errorf("handshake headers %v", h)
	}
}

func TestWebSocketHTTPURLIsConverted(t *testing.T) {
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.TextMessage, []byte("5"))
		c.ReadMessage()
	})
	f := start(t, Config{URL: srv.URL, Transport: WebSocket}, nil)
	if m := f.messages(t, 1); string(m[0].Data) != "5" {
		t.Fatalf("got %q", m[0].Data)
	}
}

func TestWebSocketReconnectsAfterServerCloses(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		mu.Lock()
		conns++
		n := conns
		mu.Unlock()
		c.WriteMessage(websocket.TextMessage, []byte{byte('0' + n)})
		switch n {
		case 1: // clean close handshake
			c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"))
		case 2: // abrupt: TCP dropped without a close frame
			c.UnderlyingConn().Close()
		default:
			c.ReadMessage()
		}
	})
	f := start(t, Config{URL: wsURL(srv), Backoff: Backoff{Initial: 10 * time.Millisecond}}, nil)
	for want := byte('1'); want <= '3'; want++ {
		if m := f.messages(t, 1); m[0].Data[0] != want {
			t.Fatalf("message %q, want %q", m[0].Data, want)
		}
		if want < '3' {
			st := f.waitState(t, Reconnecting)
			if st.Attempt < 1 || st.Err == nil {
				t.Fatalf("reconnecting %+v", st)
			}
		}
	}
}

// A server that accepts and then never sends nor answers pings is found
// dead by the heartbeat within two intervals.
func TestWebSocketHeartbeatFindsSilentPeer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		<-release // never reads, so never answers a ping
	})
	hb := 100 * time.Millisecond
	f := start(t, Config{URL: wsURL(srv), Heartbeat: hb}, nil)
	f.waitState(t, Connected)
	began := time.Now()
	st := f.waitState(t, Reconnecting)
	if !strings.Contains(st.Err.Error(), "no heartbeat") {
		t.Fatalf("cause %v, want a heartbeat timeout", st.Err)
	}
	// Loose upper bound only (shared machines are slow); the exact bound is
	// the read deadline of 2 intervals set by alive().
	if d := time.Since(began); d > 20*hb {
		t.Fatalf("silent peer found after %v", d)
	}
}

// The application heartbeat of the article's browser client: after an idle
// interval the client sends "ping"; the server's "pong" keeps the link
// alive and is never delivered as data.
func TestWebSocketApplicationHeartbeat(t *testing.T) {
	pings := make(chan string, 100)
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		// This server ignores protocol pings (answers none): only the
		// text heartbeat keeps the client's deadline moving.
		c.SetPingHandler(func(string) error { return nil })
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			pings <- string(data)
			if string(data) == "ping" {
				c.WriteMessage(websocket.TextMessage, []byte("pong"))
			} else {
				c.WriteMessage(websocket.TextMessage, []byte("收到"))
			}
		}
	})
	hb := 50 * time.Millisecond
	f := start(t, Config{URL: wsURL(srv), Heartbeat: hb, PingText: "ping", PongText: "pong"}, nil)
	f.waitState(t, Connected)
	for i := 0; i < 5; i++ {
		select {
		case p := <-pings:
			if p != "ping" {
				t.Fatalf("server got %q", p)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no text heartbeat reached the server")
		}
	}
	f.stop(t)
	for _, e := range f.seen {
		if e.Kind == KindMessage {
			t.Fatalf("heartbeat reply delivered as data: %q", e.Message.Data)
		}
		if e.Kind == KindStatus && e.Status.State == Reconnecting {
			t.Fatalf("connection dropped although pongs arrived: %v", e.Status.Err)
		}
	}
	for len(f.ch) > 0 {
		if e := <-f.ch; e.Kind == KindMessage || e.Status.State == Reconnecting {
			t.Fatalf("unexpected %v", describe([]Event{e}))
		}
	}
}

func TestWebSocketCleanCloseOnStop(t *testing.T) {
	closed := make(chan error, 1)
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.TextMessage, []byte("1"))
		_, _, err := c.ReadMessage()
		closed <- err
	})
	f := start(t, Config{URL: wsURL(srv)}, nil)
	f.messages(t, 1)
	f.stop(t)
	select {
	case err := <-closed:
		if !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
			t.Fatalf("server saw %v, want a normal close frame", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server saw no close")
	}
}

func TestWebSocketReadLimit(t *testing.T) {
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.TextMessage, make([]byte, 4096))
		c.ReadMessage()
	})
	f := start(t, Config{URL: wsURL(srv), ReadLimit: 1024}, newFakeClock())
	st := f.waitState(t, Reconnecting)
	var tl *ErrTooLarge
	if !errors.As(st.Err, &tl) {
		t.Fatalf("cause %v, want ErrTooLarge", st.Err)
	}
}

func TestWebSocketUpgradeAnsweredWithHTML(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>hello</html>")
	}))
	f := start(t, Config{URL: wsURL(srv)}, newFakeClock())
	st := f.waitState(t, Reconnecting)
	if st.Err == nil || !strings.Contains(st.Err.Error(), "not a WebSocket endpoint") {
		t.Fatalf("cause %v", st.Err)
	}
}

func TestWebSocketGarbageAfterHandshake(t *testing.T) {
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		// Not a valid frame: reserved bits set, bogus opcode.
		c.UnderlyingConn().Write([]byte{0xff, 0xff, 0xff, 0xff, 0xff})
		time.Sleep(50 * time.Millisecond)
	})
	f := start(t, Config{URL: wsURL(srv)}, newFakeClock())
	f.waitState(t, Connected)
	st := f.waitState(t, Reconnecting)
	if st.Err == nil {
		t.Fatal("garbage was not an error")
	}
}
