package feeds

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
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
	for _, code := range []int{401, 403, 404} {
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

// A connection that stayed up and delivered data resets the backoff; one
// that fails at once does not.
func TestBackoffResetsAfterStableConnection(t *testing.T) {
	// 2 failures, 5 good polls (5 s of fake time), 2 failures, then good.
	h, _ := scripted(500, 500, 200, 200, 200, 200, 200, 500, 500, 200)
	srv := serve(t, h)
	f := start(t, Config{URL: srv.URL, Transport: Poll, Backoff: Backoff{Jitter: -1}}, newFakeClock())
	var attempts []int
	for len(attempts) < 4 {
		attempts = append(attempts, f.waitState(t, Reconnecting).Attempt)
	}
	want := []int{1, 2, 1, 2}
	for i := range want {
		if attempts[i] != want[i] {
			t.Fatalf("attempts %v, want %v", attempts, want)
		}
	}
}

func TestOneAttemptInFlight(t *testing.T) {
	// A listener that accepts and drops at once: every attempt fails fast.
	// The supervisor must still wait its delay between attempts, never
	// overlapping them.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var open, maxOpen atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n := open.Add(1)
			if n > maxOpen.Load() {
				maxOpen.Store(n)
			}
			time.Sleep(5 * time.Millisecond)
			open.Add(-1)
			c.Close()
		}
	}()
	clk := newFakeClock()
	f := start(t, Config{URL: "http://" + ln.Addr().String(), Transport: Poll, Backoff: Backoff{Jitter: -1}}, clk)
	var last Status
	for i := 0; i < 12; i++ {
		last = f.waitState(t, Reconnecting)
	}
	f.stop(t)
	ln.Close()
	<-done
	if maxOpen.Load() > 1 {
		t.Fatalf("%d connection attempts at once", maxOpen.Load())
	}
	if last.Attempt != 12 || last.Delay != DefaultBackoffMax {
		t.Fatalf("attempt %d waits %v, want attempt 12 at the %v cap", last.Attempt, last.Delay, DefaultBackoffMax)
	}
	for _, w := range clk.waits {
		if w <= 0 || w > DefaultBackoffMax {
			t.Fatalf("waited %v", w)
		}
	}
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
