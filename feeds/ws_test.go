package feeds

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// wsServer runs fn for each connection; fn owns the connection.
func wsServer(t *testing.T, fn func(c *websocket.Conn, r *http.Request)) *httptest.Server {
	t.Helper()
	return wsServerWith(t, nil, fn)
}

// wsServerWith is wsServer answering requests that are not a WebSocket
// handshake with plain instead (nil: the upgrader's 400).
func wsServerWith(t *testing.T, plain http.HandlerFunc, fn func(c *websocket.Conn, r *http.Request)) *httptest.Server {
	t.Helper()
	var (
		mu     sync.Mutex
		closed bool
		wg     sync.WaitGroup
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Hijacked connections outlive httptest's Close: count them, and
		// never Add once the test has started to Wait.
		if plain != nil && !websocket.IsWebSocketUpgrade(r) {
			plain(w, r)
			return
		}
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

// A ws://user:password@host URL connects (gorilla/websocket refuses user
// info in the URL itself) and sends them as Basic auth, as polling and SSE
// do; an Authorization header of the user's own wins.
func TestWebSocketUserInfoIsBasicAuth(t *testing.T) {
	seen := make(chan http.Header, 2)
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		seen <- r.Header
		c.WriteMessage(websocket.TextMessage, []byte("1"))
		c.ReadMessage()
	})
	withUser := strings.Replace(wsURL(srv), "ws://", "ws://ann:s%40cret@", 1)
	f := start(t, Config{URL: withUser}, nil)
	f.messages(t, 1)
	if user, pw, ok := (&http.Request{Header: <-seen}).BasicAuth(); !ok || user != "ann" || pw != "s@cret" {
		t.Errorf("Basic auth %q/%q (ok=%v), want ann/s@cret", user, pw, ok)
	}
	f.stop(t)

	own := http.Header{}
	own.Set("Authorization", "Bearer t0k")
	f = start(t, Config{URL: withUser, Header: own}, nil)
	f.messages(t, 1)
	if got := (<-seen).Get("Authorization"); got != "Bearer t0k" {
		t.Errorf("Authorization %q, want the user's own header", got)
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
// dead by the protocol heartbeat within two intervals.
func TestWebSocketHeartbeatFindsSilentPeer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		<-release // never reads, so never answers a ping
	})
	const hb = 300 * time.Millisecond
	f := start(t, Config{URL: wsURL(srv), Heartbeat: hb}, nil)
	f.waitState(t, Connected)
	began := time.Now()
	st := f.waitState(t, Reconnecting)
	if !strings.Contains(st.Err.Error(), "no heartbeat") {
		t.Fatalf("cause %v, want a heartbeat timeout", st.Err)
	}
	if d := time.Since(began); d > 2*hb+heartbeatSlack {
		t.Fatalf("silent peer found after %v, want within 2 intervals (%v)", d, 2*hb)
	}
}

// A quiet server that sends no data and answers protocol pings (as
// servers do by themselves) keeps the connection: the client pings every
// interval, and each pong moves its deadline of two intervals.
func TestWebSocketProtocolPingsKeepAQuietLink(t *testing.T) {
	pings := make(chan struct{}, 100)
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.SetPingHandler(func(data string) error {
			pings <- struct{}{}
			return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		})
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
	const hb = 100 * time.Millisecond
	f := start(t, Config{URL: wsURL(srv), Heartbeat: hb}, nil)
	f.waitState(t, Connected)
	for range 8 { // four deadlines' worth of quiet
		select {
		case <-pings:
		case <-time.After(10 * time.Second):
			t.Fatal("the client stopped sending protocol pings")
		}
	}
	for {
		select {
		case e := <-f.ch:
			if e.Kind == KindStatus && e.Status.State != Connected {
				t.Fatalf("a quiet link that answers pings went %v (%v)", e.Status.State, e.Status.Err)
			}
			continue
		default:
		}
		break
	}
	f.stop(t)
}

// heartbeatSlack is what the heartbeat bounds allow for scheduling on a
// busy machine: well under the interval, so that one interval too many
// fails.
const heartbeatSlack = 150 * time.Millisecond

// The text heartbeat against a server that answers protocol pings (as
// most servers do by themselves) and is quiet apart from its "pong": the
// pongs must not stand in for data, so the text goes out once per interval
// of quiet, and the replies keep the connection.
func TestWebSocketTextHeartbeatDespiteProtocolPongs(t *testing.T) {
	pings := make(chan int, 100) // connection number of each text ping
	var conns atomic.Int32
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		n := int(conns.Add(1))
		c.WriteMessage(websocket.TextMessage, []byte("1"))
		for { // the default ping handler answers protocol pings while reading
			_, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			if string(data) == "ping" {
				pings <- n
				c.WriteMessage(websocket.TextMessage, []byte("pong"))
			}
		}
	})
	const hb = 150 * time.Millisecond
	f := start(t, Config{URL: wsURL(srv), Heartbeat: hb, PingText: "ping", PongText: "pong"}, nil)
	f.messages(t, 1)
	time.Sleep(4*hb + hb/2)
	f.stop(t)
	checkTextHeartbeat(t, f, len(pings), func() []int {
		var on []int
		for len(pings) > 0 {
			on = append(on, <-pings)
		}
		return on
	})
}

// checkTextHeartbeat checks that, over four quiet intervals, at least
// three text pings reached the server, all on its first connection, and
// the feed never reconnected nor delivered a reply as data.
func checkTextHeartbeat(t *testing.T, f *running, n int, on func() []int) {
	t.Helper()
	for len(f.ch) > 0 {
		f.seen = append(f.seen, <-f.ch)
	}
	for _, e := range f.seen {
		if e.Kind == KindStatus && e.Status.State == Reconnecting {
			t.Fatalf("the feed reconnected: %v", e.Status.Err)
		}
		if e.Kind == KindMessage && string(e.Message.Data) == "pong" {
			t.Fatal("the heartbeat reply was delivered as data")
		}
	}
	t.Logf("%d text pings in 4 quiet intervals", n)
	if n < 3 {
		t.Fatalf("the server saw %d text pings in 4 quiet intervals, want at least 3", n)
	}
	for _, c := range on() {
		if c != 1 {
			t.Fatalf("a text ping came on connection %d", c)
		}
	}
}

// The same against the article's own kind of server: Python's websockets
// library, which answers protocol pings by itself.
func TestWebSocketTextHeartbeatAgainstPythonServer(t *testing.T) {
	py := articleServer(t)
	const hb = 150 * time.Millisecond
	f := start(t, Config{URL: "ws://127.0.0.1:" + py.port + "/", Heartbeat: hb, PingText: "ping", PongText: "pong"}, nil)
	if m := f.messages(t, 1); string(m[0].Data) != `{"cpu": 12.5}` {
		t.Fatalf("got %q", m[0].Data)
	}
	time.Sleep(4*hb + hb/2)
	f.stop(t)
	lines := py.stop(t)
	var on []int
	for _, l := range lines {
		var c int
		if _, err := fmt.Sscanf(l, "ping %d", &c); err == nil {
			on = append(on, c)
		}
	}
	checkTextHeartbeat(t, f, len(on), func() []int { return on })
}

// pythonServer is testdata/article_ws_server.py running under python3.
type pythonServer struct {
	cmd   *exec.Cmd
	port  string
	lines chan string
}

// articleServer starts the article's Python server. python3 with the
// websockets library is a test dependency (Debian's python3-websockets,
// which make test installs): without it the test fails, never skips.
func articleServer(t *testing.T) *pythonServer {
	t.Helper()
	var python string
	for _, p := range []string{os.Getenv("FEEDSCOPE_PYTHON"), "python3", "/usr/bin/python3"} {
		if p != "" && exec.Command(p, "-c", "import websockets").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		t.Fatal("no python3 with the websockets library (install Debian's python3-websockets, as make test does, or set FEEDSCOPE_PYTHON)")
	}
	cmd := exec.Command(python, "-u", "testdata/article_ws_server.py")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	py := &pythonServer{cmd: cmd, lines: make(chan string, 1000)}
	go func() {
		defer close(py.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			py.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { py.stop(t) })
	select {
	case l := <-py.lines:
		port, ok := strings.CutPrefix(l, "port ")
		if !ok {
			t.Fatalf("the Python server said %q, want its port", l)
		}
		py.port = port
	case <-time.After(10 * time.Second):
		t.Fatal("the Python server did not start within 10 s")
	}
	return py
}

// stop ends the server and returns what it printed after its port.
func (py *pythonServer) stop(t *testing.T) []string {
	if py.cmd.Process == nil || py.cmd.ProcessState != nil {
		return nil
	}
	py.cmd.Process.Kill()
	var lines []string
	for l := range py.lines {
		lines = append(lines, l)
	}
	py.cmd.Wait()
	return lines
}

// With the text heartbeat on, a server that stops answering anything is
// dropped two intervals after the last thing it sent.
func TestWebSocketTextHeartbeatDropsSilentPeer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.TextMessage, []byte("1"))
		<-release // then never reads: no pong, no reply
	})
	const hb = 300 * time.Millisecond
	f := start(t, Config{URL: wsURL(srv), Heartbeat: hb, PingText: "ping", PongText: "pong"}, nil)
	f.messages(t, 1)
	began := time.Now()
	st := f.waitState(t, Reconnecting)
	if !strings.Contains(st.Err.Error(), "no heartbeat") {
		t.Fatalf("cause %v, want a heartbeat timeout", st.Err)
	}
	if d := time.Since(began); d > 2*hb+heartbeatSlack {
		t.Fatalf("silent peer found after %v, want within 2 intervals (%v)", d, 2*hb)
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

// Run returns within a second of its context ending even when the peer
// never answers our close frame: a stopped feed must not hold up the
// window or the next feed.
func TestWebSocketStopDoesNotWaitForPeer(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func(c *websocket.Conn, release <-chan struct{})
	}{
		{"silent peer", func(c *websocket.Conn, release <-chan struct{}) { <-release }},
		{"peer that streams and never reads", func(c *websocket.Conn, release <-chan struct{}) {
			for {
				select {
				case <-release:
					return
				case <-time.After(5 * time.Millisecond):
				}
				if c.WriteMessage(websocket.TextMessage, []byte("2")) != nil {
					return
				}
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			srv := wsServer(t, func(conn *websocket.Conn, r *http.Request) {
				conn.WriteMessage(websocket.TextMessage, []byte("1"))
				c.fn(conn, release) // never reads: our close frame goes unanswered
			})
			f := start(t, Config{URL: wsURL(srv)}, nil)
			f.messages(t, 1)
			began := time.Now()
			if err := f.stop(t); err != nil {
				t.Fatalf("Run returned %v", err)
			}
			if d := time.Since(began); d > time.Second {
				t.Fatalf("Run returned %v after cancel, want within 1 s", d)
			}
		})
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
