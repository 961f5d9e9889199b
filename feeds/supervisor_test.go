package feeds

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// scripted answers request i with statuses[i] (the last one repeats).
func scripted(statuses ...int) (http.Handler, *atomic.Int32) {
	var n atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		code := statuses[min(i, len(statuses)-1)]
		if code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "7")
		}
		w.WriteHeader(code)
		if code == http.StatusOK {
			io.WriteString(w, "1.5")
		}
	}), &n
}

func TestServerErrorThenRecovers(t *testing.T) {
	h, _ := scripted(500, 500, 200)
	srv := serve(t, h)
	clk := newFakeClock()
	f := start(t, Config{URL: srv.URL, Transport: Poll, Backoff: Backoff{Jitter: -1}}, clk)
	if st := f.waitState(t, Connecting); st.Transport != Poll {
		t.Errorf("connecting with %v", st.Transport)
	}
	r1 := f.waitState(t, Reconnecting)
	r2 := f.waitState(t, Reconnecting)
	f.waitState(t, Connected)
	if m := f.messages(t, 1); string(m[0].Data) != "1.5" {
		t.Errorf("message %q", m[0].Data)
	}
	var se *StatusError
	if !errors.As(r1.Err, &se) || se.Code != 500 {
		t.Errorf("first cause %v, want a 500", r1.Err)
	}
	if r1.Attempt != 1 || r2.Attempt != 2 {
		t.Errorf("attempts %d, %d", r1.Attempt, r2.Attempt)
	}
	if r1.Delay != 250*time.Millisecond || r2.Delay != 500*time.Millisecond {
		t.Errorf("delays %v, %v; want 250ms, 500ms", r1.Delay, r2.Delay)
	}
}

func TestPermanentErrorsStop(t *testing.T) {
	for _, code := range []int{401, 403, 404, 410} {
		for _, tr := range []Transport{Poll, SSE, WebSocket, Auto} {
			t.Run(tr.String()+"/"+http.StatusText(code), func(t *testing.T) {
				h, n := scripted(code)
				srv := serve(t, h)
				f := start(t, Config{URL: srv.URL, Transport: tr}, newFakeClock())
				st := f.waitState(t, Stopped)
				var se *StatusError
				if !errors.As(st.Err, &se) || se.Code != code {
					t.Fatalf("stopped with %v, want status %d", st.Err, code)
				}
				if err := f.finished(t); !errors.As(err, &se) {
					t.Fatalf("Run returned %v", err)
				}
				if n.Load() != 1 {
					t.Fatalf("%d requests: a permanent error was retried", n.Load())
				}
				for _, e := range f.seen {
					if e.Kind == KindStatus && e.Status.State == Reconnecting {
						t.Fatal("reconnected after a permanent error")
					}
				}
			})
		}
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	for _, code := range []int{429, 503} {
		h, _ := scripted(code, 200)
		srv := serve(t, h)
		f := start(t, Config{URL: srv.URL, Transport: Poll}, newFakeClock())
		if st := f.waitState(t, Reconnecting); st.Delay != 7*time.Second {
			t.Errorf("%d: next try in %v, want Retry-After's 7s", code, st.Delay)
		}
		f.waitState(t, Connected)
		f.stop(t)
		srv.Close()
	}
	// The floor holds after a connection that delivered, Retry-After or
	// not: polled at t0, refused with Retry-After: 7 at t0+1s, the next
	// poll waits for t0 plus a 10 s floor.
	h, _ := scripted(200, 503, 200)
	srv := serve(t, h)
	f := start(t, Config{URL: srv.URL, Transport: Poll, PollInterval: time.Second, Backoff: Backoff{Floor: 10 * time.Second}}, newFakeClock())
	if st := f.waitState(t, Reconnecting); st.Delay != 9*time.Second {
		t.Errorf("after a poll that delivered, Retry-After 7 s: next try in %v, want the floor's 9 s", st.Delay)
	}
}

func TestMalformedURLStops(t *testing.T) {
	for _, u := range []string{"", "localhost:8080/x", "ftp://example.com/", "http://", "http://[::1"} {
		f := start(t, Config{URL: u}, newFakeClock())
		st := f.waitState(t, Stopped)
		var ce *ConfigError
		if !errors.As(st.Err, &ce) {
			t.Errorf("URL %q: stopped with %v, want a ConfigError", u, st.Err)
		}
		if err := f.finished(t); err == nil {
			t.Errorf("URL %q: Run returned nil", u)
		}
	}
}

func TestTLSVerifiedByDefault(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "3")
	}))
	t.Cleanup(srv.Close)
	srv.Config.ErrorLog = discardLog()

	f := start(t, Config{URL: srv.URL, Transport: Poll}, newFakeClock())
	st := f.waitState(t, Stopped)
	if st.Err == nil || !strings.Contains(st.Err.Error(), "certificate") {
		t.Fatalf("stopped with %v, want a certificate error", st.Err)
	}
	f.finished(t)

	f = start(t, Config{URL: srv.URL, Transport: Poll, InsecureSkipVerify: true}, newFakeClock())
	if m := f.messages(t, 1); string(m[0].Data) != "3" {
		t.Fatalf("got %q", m[0].Data)
	}
	f.stop(t)

	// A private CA configured by the user is trusted.
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	f = start(t, Config{URL: srv.URL, Transport: Poll, TLS: &tls.Config{RootCAs: pool}}, newFakeClock())
	f.messages(t, 1)
}

// A connection that delivered data resets the backoff; attempts that
// deliver nothing escalate.
func TestBackoffResetsAfterDelivery(t *testing.T) {
	// 2 failures, one good poll, 2 failures, then good. (The good
	// connection lasts one 1 s poll interval, so the floor has passed.)
	h, _ := scripted(500, 500, 200, 500, 500, 200)
	srv := serve(t, h)
	f := start(t, Config{URL: srv.URL, Transport: Poll, Backoff: Backoff{Jitter: -1}}, newFakeClock())
	var got []Status
	for len(got) < 4 {
		got = append(got, f.waitState(t, Reconnecting))
	}
	want := []struct {
		attempt int
		delay   time.Duration
	}{{1, 250 * time.Millisecond}, {2, 500 * time.Millisecond}, {1, 250 * time.Millisecond}, {2, 500 * time.Millisecond}}
	for i, w := range want {
		if got[i].Attempt != w.attempt || got[i].Delay != w.delay {
			t.Fatalf("reconnect %d: attempt %d after %v, want attempt %d after %v",
				i+1, got[i].Attempt, got[i].Delay, w.attempt, w.delay)
		}
	}
}

// A link that drops every 1.2 s while every connection works: a server
// that fails after every 60 messages at 50 messages/s, for a minute. The
// feed never waits more than one floor: no silence reaches 1 s, and every
// retry comes at the first step.
func TestFlappingLinkStaysContinuous(t *testing.T) {
	var n atomic.Int64
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%61 == 0 {
			http.Error(w, "upstream restarting", http.StatusBadGateway)
			return
		}
		io.WriteString(w, "1")
	}))
	const interval = 20 * time.Millisecond
	f := start(t, Config{URL: srv.URL, Transport: Poll, PollInterval: interval}, newFakeClock())
	var first, prev time.Time
	var longest time.Duration
	msgs, drops := 0, 0
	for {
		e := f.waitFor(t, "an event", func(Event) bool { return true })
		if e.Kind == KindStatus {
			if e.Status.State == Reconnecting {
				drops++
				if e.Status.Attempt != 1 || e.Status.Delay > 500*time.Millisecond {
					t.Fatalf("after a connection that delivered: attempt %d, next try in %v; want attempt 1 within 0.5 s",
						e.Status.Attempt, e.Status.Delay)
				}
			}
			continue
		}
		msgs++
		at := e.Message.Time
		if first.IsZero() {
			first = at
		} else {
			longest = max(longest, at.Sub(prev))
		}
		prev = at
		if at.Sub(first) >= time.Minute {
			break
		}
	}
	t.Logf("%d messages and %d drops in a minute; longest silence %v", msgs, drops, longest)
	if longest > DefaultBackoffFloor {
		t.Errorf("the feed fell silent for %v; a link that works must be back within the %v floor", longest, DefaultBackoffFloor)
	}
	if drops < 30 {
		t.Errorf("only %d drops: the server did not flap as meant", drops)
	}
}

// A server that accepts, sends one message and hangs up is reconnected to
// once per floor, not in a tight loop and not with a growing delay.
func TestFloorBetweenConnectionStarts(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sseHeaders(w)
		io.WriteString(w, "data: 1\n\n")
	}))
	f := start(t, Config{URL: srv.URL, Transport: SSE, Backoff: Backoff{Jitter: -1}}, newFakeClock())
	var starts []time.Time
	for len(starts) < 6 {
		e := f.waitFor(t, "Connected or Reconnecting", func(e Event) bool {
			return e.Kind == KindStatus && (e.Status.State == Connected || e.Status.State == Reconnecting)
		})
		if e.Status.State == Connected {
			starts = append(starts, e.Status.Time)
			continue
		}
		if e.Status.Attempt != 1 || e.Status.Delay != DefaultBackoffFloor {
			t.Fatalf("attempt %d after %v, want attempt 1 after the %v floor", e.Status.Attempt, e.Status.Delay, DefaultBackoffFloor)
		}
	}
	for i := 1; i < len(starts); i++ {
		if d := starts[i].Sub(starts[i-1]); d < DefaultBackoffFloor {
			t.Fatalf("connections %d and %d started %v apart", i, i+1, d)
		}
	}
}

// A quiet link that works (keep-alives, "nothing new", pongs, no message)
// and is cut now and then, as by a proxy's idle timeout, comes back at the
// first step every time, not after a backoff grown across healthy hours.
func TestQuietLinkThatDropsStartsAgain(t *testing.T) {
	alternate := func(first, then int) http.Handler {
		var n atomic.Int32
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1)%2 == 1 {
				w.WriteHeader(first)
			} else {
				w.WriteHeader(then)
			}
		})
	}
	pongThenClose := func(c *websocket.Conn, r *http.Request) {
		done := make(chan struct{})
		c.SetPingHandler(func(data string) error {
			c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
			close(done)
			return nil
		})
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		<-done
		time.Sleep(20 * time.Millisecond) // the pong on its way
		c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "idle cut"), time.Now().Add(time.Second))
	}
	for _, c := range []struct {
		name string
		cfg  Config
		srv  func(t *testing.T) string
		clk  clock
	}{
		{"SSE keep-alive comments", Config{Transport: SSE}, func(t *testing.T) string {
			return serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sseHeaders(w)
				io.WriteString(w, ": keep-alive\n\n")
			})).URL
		}, newFakeClock()},
		{"polls answered 304", Config{Transport: Poll}, func(t *testing.T) string {
			return serve(t, alternate(http.StatusNotModified, http.StatusBadGateway)).URL
		}, newFakeClock()},
		{"long polls answered 204", Config{Transport: LongPoll}, func(t *testing.T) string {
			return serve(t, alternate(http.StatusNoContent, http.StatusBadGateway)).URL
		}, newFakeClock()},
		{"WebSocket pongs", Config{Transport: WebSocket, Heartbeat: 50 * time.Millisecond}, func(t *testing.T) string {
			return wsServer(t, pongThenClose).URL
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.URL = c.srv(t)
			cfg.Backoff = Backoff{Jitter: -1}
			f := start(t, cfg, c.clk)
			for range 3 {
				if st := f.waitState(t, Reconnecting); st.Attempt != 1 {
					t.Fatalf("attempt %d after %v; want 1: the link worked", st.Attempt, st.Err)
				}
			}
			f.stop(t)
		})
	}
}

// Attempts that deliver nothing escalate to the cap.
func TestRefusedPortEscalatesToCap(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: every attempt is refused
	for _, tr := range []Transport{Poll, SSE, WebSocket} {
		t.Run(tr.String(), func(t *testing.T) {
			f := start(t, Config{URL: "http://" + addr, Transport: tr, Backoff: Backoff{Jitter: -1}}, newFakeClock())
			want := []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
				4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
			for i, w := range want {
				st := f.waitState(t, Reconnecting)
				if st.Attempt != i+1 || st.Delay != w {
					t.Fatalf("attempt %d after %v (%v); want attempt %d after %v", st.Attempt, st.Delay, st.Err, i+1, w)
				}
			}
		})
	}
}

// retry: sets the next delay exactly, is cleared by a connection that
// brings none, and cannot push the delay past the cap.
func TestSSERetryPolicy(t *testing.T) {
	// Each connection sends the next script entry as its whole stream and
	// hangs up (the last entry repeats); "500" answers 500 instead, and
	// "cut" closes the connection without an answer.
	serveScript := func(t *testing.T, script ...string) string {
		var n atomic.Int32
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			i := int(n.Add(1)) - 1
			switch entry := script[min(i, len(script)-1)]; entry {
			case "500":
				w.WriteHeader(http.StatusInternalServerError)
			case "cut":
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					conn.Close()
				}
			default:
				sseHeaders(w)
				io.WriteString(w, entry)
			}
		}))
		return srv.URL
	}
	delays := func(t *testing.T, url string, b Backoff, n int) []time.Duration {
		f := start(t, Config{URL: url, Transport: SSE, Backoff: b}, newFakeClock())
		var out []time.Duration
		for len(out) < n {
			out = append(out, f.waitState(t, Reconnecting).Delay)
		}
		return out
	}
	exact := Backoff{Jitter: -1}
	cases := []struct {
		name   string
		script []string
		b      Backoff
		want   []time.Duration
	}{
		{"below the backoff: exactly", []string{"retry: 100\ndata: 1\n\n"}, Backoff{Jitter: -1, Floor: 50 * time.Millisecond},
			[]time.Duration{100 * time.Millisecond, 100 * time.Millisecond}},
		// A server that asks for 1 ms and hangs up after each event gets
		// connections a floor apart, not a thousand a second.
		{"below the floor after a connection that delivered: the floor", []string{"retry: 1\ndata: 1\n\n"}, exact,
			[]time.Duration{DefaultBackoffFloor, DefaultBackoffFloor}},
		// Connections that bring no event back off from the server's
		// delay, so retry: 1 cannot make a tight loop of them either.
		{"no event after it: doubles from it", []string{"retry: 100\n\n"}, exact,
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{"held, doubling, while the server does not answer", []string{"retry: 100\ndata: 1\n\n", "cut"}, Backoff{Jitter: -1, Floor: 50 * time.Millisecond},
			[]time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{"cleared by an error status: the backoff", []string{"retry: 3000\ndata: 1\n\n", "500"}, exact,
			[]time.Duration{3 * time.Second, 2 * DefaultBackoffInitial, 4 * DefaultBackoffInitial}},
		{"retry: 0 leaves it to the backoff", []string{"retry: 0\n\n"}, exact,
			[]time.Duration{DefaultBackoffInitial, 2 * DefaultBackoffInitial}},
		{"above the backoff and the floor: exactly", []string{"retry: 3000\ndata: 1\n\n"}, exact,
			[]time.Duration{3 * time.Second, 3 * time.Second}},
		{"cleared when the server stops sending it", []string{"retry: 3000\ndata: 1\n\n", "data: 2\n\n"}, exact,
			[]time.Duration{3 * time.Second, DefaultBackoffFloor, DefaultBackoffFloor}},
		{"capped at the default cap", []string{"retry: 600000\ndata: 1\n\n"}, exact,
			[]time.Duration{DefaultBackoffMax}},
		{"capped at a configured cap", []string{"retry: 60000\ndata: 1\n\n"}, Backoff{Jitter: -1, Max: 2 * time.Second},
			[]time.Duration{2 * time.Second}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := delays(t, serveScript(t, c.script...), c.b, len(c.want))
			for i := range c.want {
				if got[i] != c.want[i] {
					t.Fatalf("delays %v, want %v", got, c.want)
				}
			}
		})
	}
}

// The original article's lockReconnect: one connection attempt at a time.
// The server holds every connection open and counts those open at once,
// while each attempt times out quickly; a second attempt started before
// the first was given up would show as two open connections.
func TestOneAttemptInFlight(t *testing.T) {
	for _, tr := range []Transport{Poll, SSE, WebSocket} {
		t.Run(tr.String(), func(t *testing.T) {
			hs := newHoldingServer(t)
			f := start(t, Config{URL: "http://" + hs.addr(), Transport: tr,
				RequestTimeout: 50 * time.Millisecond, HandshakeTimeout: 50 * time.Millisecond,
				Backoff: Backoff{Initial: 30 * time.Millisecond, Max: 60 * time.Millisecond, Jitter: -1}}, nil)
			for i := 0; i < 10; i++ {
				if st := f.waitState(t, Reconnecting); st.Delay <= 0 || st.Delay > 60*time.Millisecond {
					t.Fatalf("attempt %d waits %v", st.Attempt, st.Delay)
				}
			}
			f.stop(t)
			accepted, most := hs.counts()
			if accepted < 10 {
				t.Fatalf("the server saw %d connections for 10 failed attempts", accepted)
			}
			if most != 1 {
				t.Fatalf("%d connections open at once over %d attempts", most, accepted)
			}
		})
	}
}

// holdingServer accepts every connection and keeps it open, sending
// nothing, until the client closes it.
type holdingServer struct {
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]bool
	accepted int
	most     int
}

func newHoldingServer(t *testing.T) *holdingServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &holdingServer{ln: ln, conns: map[net.Conn]bool{}}
	hs.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			hs.mu.Lock()
			hs.conns[c] = true
			hs.accepted++
			hs.most = max(hs.most, len(hs.conns))
			hs.mu.Unlock()
			hs.wg.Go(func() {
				_, _ = io.Copy(io.Discard, c) // until the client hangs up
				hs.mu.Lock()
				delete(hs.conns, c)
				hs.mu.Unlock()
				c.Close()
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		hs.mu.Lock()
		for c := range hs.conns {
			c.Close()
		}
		hs.mu.Unlock()
		hs.wg.Wait()
	})
	return hs
}

func (hs *holdingServer) addr() string { return hs.ln.Addr().String() }

func (hs *holdingServer) counts() (accepted, most int) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return hs.accepted, hs.most
}

// oneMessage serves "7" over tr and then holds a stream open until down
// is closed.
func oneMessage(tr Transport, down <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch tr {
		case Poll:
			io.WriteString(w, "7")
		case SSE:
			sseHeaders(w)
			io.WriteString(w, "data: 7\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-down:
			}
		case WebSocket:
			c, err := upgrader.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			c.WriteMessage(websocket.TextMessage, []byte("7"))
			<-down // hijacked: http.Server.Close does not end it
		}
	})
}

// The server stops and comes back on the same port: the feed heals, over
// every transport.
func TestServerRestartsOnSamePort(t *testing.T) {
	for _, tr := range []Transport{Poll, SSE, WebSocket} {
		t.Run(tr.String(), func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			down := make(chan struct{})
			srv := &http.Server{Handler: oneMessage(tr, down)}
			served := make(chan struct{})
			go func() { defer close(served); srv.Serve(ln) }()

			f := start(t, Config{URL: "http://" + addr, Transport: tr, PollInterval: 20 * time.Millisecond,
				Backoff: Backoff{Initial: 20 * time.Millisecond, Max: 100 * time.Millisecond}}, nil)
			f.messages(t, 1)
			close(down)
			srv.Close()
			<-served
			f.waitState(t, Reconnecting)

			ln2, err := net.Listen("tcp", addr)
			if err != nil {
				t.Fatalf("port %s not free again: %v", addr, err)
			}
			down2 := make(chan struct{})
			srv2 := &http.Server{Handler: oneMessage(tr, down2)}
			go srv2.Serve(ln2)
			t.Cleanup(func() { close(down2); srv2.Close() })
			f.waitState(t, Connected)
			if m := f.messages(t, 1); string(m[0].Data) != "7" {
				t.Fatalf("after the restart got %q", m[0].Data)
			}
		})
	}
}

// 500 then 200: every transport retries a server error and recovers.
func TestServerErrorThenRecoversEveryTransport(t *testing.T) {
	for _, tr := range []Transport{SSE, WebSocket} {
		t.Run(tr.String(), func(t *testing.T) {
			var n atomic.Int32
			down := make(chan struct{})
			ok := oneMessage(tr, down)
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					http.Error(w, "boom", http.StatusInternalServerError)
					return
				}
				ok.ServeHTTP(w, r)
			}))
			f := start(t, Config{URL: srv.URL, Transport: tr}, newFakeClock())
			t.Cleanup(func() { close(down) }) // before the feed stops: cleanups run last-first
			st := f.waitState(t, Reconnecting)
			var se *StatusError
			if !errors.As(st.Err, &se) || se.Code != 500 {
				t.Fatalf("cause %v, want a 500", st.Err)
			}
			f.waitState(t, Connected)
			if m := f.messages(t, 1); string(m[0].Data) != "7" {
				t.Fatalf("got %q", m[0].Data)
			}
		})
	}
}

func TestStopEndsWithStoppedNil(t *testing.T) {
	h, _ := scripted(200)
	srv := serve(t, h)
	f := start(t, Config{URL: srv.URL, Transport: Poll}, nil)
	f.messages(t, 1)
	if err := f.stop(t); err != nil {
		t.Fatalf("Run returned %v after cancel, want nil", err)
	}
	st := f.waitState(t, Stopped)
	if st.Err != nil {
		t.Fatalf("Stopped with %v", st.Err)
	}
}
