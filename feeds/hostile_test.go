package feeds

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gorilla/websocket"
)

// Hostile servers: each gets a clear error or a bounded result, never a
// crash, a hang or memory that grows with what the server sends.
func TestHostileServers(t *testing.T) {
	const limit = 256 << 10
	endless := func(w io.Writer, r *http.Request, chunk []byte) {
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	cases := []struct {
		name string
		tr   Transport
		h    http.HandlerFunc
		// want is matched against the cause of the first Reconnecting,
		// or of Stopped when stop is set.
		want func(error) bool
		stop bool
	}{
		{"SSE line that never ends", SSE, func(w http.ResponseWriter, r *http.Request) {
			sseHeaders(w)
			io.WriteString(w, "data: ")
			endless(w, r, []byte(strings.Repeat("x", 32<<10)))
		}, isTooLarge, false},
		{"poll body that never ends", Poll, func(w http.ResponseWriter, r *http.Request) {
			endless(w, r, []byte(strings.Repeat("1,", 16<<10)))
		}, isTooLarge, false},
		{"redirect loop", Poll, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/again"+r.URL.Path, http.StatusFound)
		}, func(err error) bool { return strings.Contains(err.Error(), "redirect") }, true},
		{"upgrade answered with 200 and HTML", WebSocket, func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<!doctype html><p>not here")
		}, func(err error) bool { return strings.Contains(err.Error(), "not a WebSocket endpoint") }, false},
		{"100 MiB WebSocket frame", WebSocket, func(w http.ResponseWriter, r *http.Request) {
			c, err := upgrader.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			// A binary frame header announcing 100 MiB, then the bytes.
			hdr := []byte{0x82, 127, 0, 0, 0, 0, 0x06, 0x40, 0, 0}
			conn := c.UnderlyingConn()
			conn.Write(hdr)
			chunk := make([]byte, 64<<10)
			for i := 0; i < 100<<4; i++ {
				conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
				if _, err := conn.Write(chunk); err != nil {
					return
				}
			}
		}, isTooLarge, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := serve(t, c.h)
			before := liveHeap()
			f := start(t, Config{URL: srv.URL, Transport: c.tr, ReadLimit: limit}, newFakeClock())
			want := Reconnecting
			if c.stop {
				want = Stopped
			}
			st := f.waitState(t, want)
			if st.Err == nil || !c.want(st.Err) {
				t.Fatalf("%v with cause %v", want, st.Err)
			}
			for i := 1; i < 3 && !c.stop; i++ {
				f.waitState(t, Reconnecting) // the same fault, over again
			}
			f.stop(t)
			// What the runs left reachable, after a collection: at most one
			// read limit's worth plus hostileOverhead, however much the
			// server sent and however often. The recorder's event buffer is
			// the test's own.
			harness := int64(cap(f.ch)) * int64(unsafe.Sizeof(Event{}))
			kept := int64(liveHeap()) - int64(before) - harness
			t.Logf("live heap after the run: %+d KiB", kept>>10)
			if kept > limit+hostileOverhead {
				t.Fatalf("the run left %d KiB reachable, over the read limit (%d KiB) plus %d KiB",
					kept>>10, limit>>10, hostileOverhead>>10)
			}
		})
	}
}

// hostileOverhead is what a finished run may leave reachable besides a
// read buffer: pooled HTTP connections and the test server's state.
const hostileOverhead = 256 << 10

// liveHeap is the heap in use after a collection: what is still reachable.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func isTooLarge(err error) bool {
	var tl *ErrTooLarge
	return errors.As(err, &tl)
}

// User-supplied secrets (Authorization, Cookie, a URL's password) never
// appear in a state's error, whatever goes wrong.
func TestSecretsStayOutOfErrors(t *testing.T) {
	const secret = "hunter2-S3CR3T"
	hdr := http.Header{}
	hdr.Set("Authorization", "Bearer "+secret)
	hdr.Set("Cookie", "session="+secret)
	failing := map[string]http.HandlerFunc{
		"401": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no: "+r.Header.Get("Authorization"), http.StatusUnauthorized)
		},
		"500": func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "oops "+r.Header.Get("Cookie"), http.StatusInternalServerError)
		},
		"redirect loop": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path+"x", http.StatusFound) },
		"hang up": func(w http.ResponseWriter, r *http.Request) {
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		},
	}
	for name, h := range failing {
		for _, tr := range []Transport{Poll, WebSocket, SSE} {
			t.Run(fmt.Sprintf("%s/%v", name, tr), func(t *testing.T) {
				srv := serve(t, h)
				u := strings.Replace(srv.URL, "http://", "http://user:"+secret+"@", 1)
				f := start(t, Config{URL: u, Transport: tr, Header: hdr}, newFakeClock())
				st := f.waitFor(t, "an error", func(e Event) bool {
					return e.Kind == KindStatus && e.Status.Err != nil
				}).Status
				if strings.Contains(st.Err.Error(), secret) {
					t.Fatalf("secret in error: %v", st.Err)
				}
			})
		}
	}
	// A dead address: the error names the host, not the password.
	f := start(t, Config{URL: "http://user:" + secret + "@127.0.0.1:1/", Transport: Poll}, newFakeClock())
	st := f.waitState(t, Reconnecting)
	if strings.Contains(st.Err.Error(), secret) {
		t.Fatalf("secret in error: %v", st.Err)
	}
	if f := start(t, Config{URL: "http://user:" + secret + "@[::1"}, nil); true {
		st := f.waitState(t, Stopped)
		if strings.Contains(st.Err.Error(), secret) {
			t.Fatalf("secret in error: %v", st.Err)
		}
	}
}

// Messages a WebSocket server sends that are not valid UTF-8, or are
// binary, still arrive untouched: judging them is the decoder's job.
func TestWebSocketInvalidUTF8Delivered(t *testing.T) {
	srv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.BinaryMessage, []byte{0xff, 0xfe, '1'})
		c.ReadMessage()
	})
	f := start(t, Config{URL: wsURL(srv)}, nil)
	m := f.messages(t, 1)[0]
	if string(m.Data) != "\xff\xfe1" {
		t.Fatalf("got %q", m.Data)
	}
	var d Decoder
	if r := d.Decode(m); len(r.Samples) != 0 || len(r.Texts) != 1 {
		t.Fatalf("decoded %+v, want one text", r)
	}
}

// Hostile payloads decode to a bounded result: extreme values and times
// become samples or texts, never a panic or an unbounded output.
func TestHostilePayloads(t *testing.T) {
	arrival := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	var many strings.Builder
	many.WriteString("{")
	for i := 0; i < 20000; i++ {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `"f%d":%d`, i, i)
	}
	many.WriteString("}")
	cases := []struct {
		name    string
		data    string
		samples int
		check   func(r Result) string
	}{
		{"20,000 numeric fields", many.String(), MaxSamplesPerMessage, func(r Result) string {
			if len(r.Texts) != 1 || !strings.Contains(r.Texts[0].Text, "10000 samples dropped") {
				return fmt.Sprintf("texts %+v, want one saying how many were dropped", r.Texts)
			}
			return ""
		}},
		{"NaN, Inf and 1e308", `{"a":"NaN","b":"Inf","c":1e308,"d":"-Infinity"}`, 0, nil},
		{"bare NaN is not JSON", `{"a":NaN,"c":1}`, 0, func(r Result) string {
			if len(r.Texts) != 1 || !strings.Contains(r.Texts[0].Reason, "malformed JSON") {
				return fmt.Sprintf("texts %+v", r.Texts)
			}
			return ""
		}},
		{"far-future timestamp", `{"ts":"9999-12-31T23:59:59Z","v":1}`, 1, func(r Result) string {
			if r.Samples[0].Time.Year() != 9999 {
				return fmt.Sprintf("time %v", r.Samples[0].Time)
			}
			return ""
		}},
		{"1970 timestamp", `{"ts":1,"v":1}`, 1, func(r Result) string {
			if r.Samples[0].Time.Year() != 1970 {
				return fmt.Sprintf("time %v", r.Samples[0].Time)
			}
			return ""
		}},
		{"invalid UTF-8", "\xc3\x28 1", 0, func(r Result) string {
			if len(r.Texts) == 0 {
				return "no text event"
			}
			return ""
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d Decoder
			r := d.Decode(Message{Data: []byte(c.data), Time: arrival})
			if c.name == "NaN, Inf and 1e308" {
				// Only the finite value is a sample; the rest are texts.
				if len(r.Samples) != 1 || r.Samples[0].Value != 1e308 || len(r.Texts) == 0 {
					t.Fatalf("samples %+v texts %+v", r.Samples, r.Texts)
				}
				return
			}
			if len(r.Samples) != c.samples {
				t.Fatalf("%d samples, want %d", len(r.Samples), c.samples)
			}
			if c.check != nil {
				if msg := c.check(r); msg != "" {
					t.Fatal(msg)
				}
			}
		})
	}
}
