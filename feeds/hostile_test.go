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
			var before runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			f := start(t, Config{URL: srv.URL, Transport: c.tr, ReadLimit: limit}, newFakeClock())
			want := Reconnecting
			if c.stop {
				want = Stopped
			}
			st := f.waitState(t, want)
			if st.Err == nil || !c.want(st.Err) {
				t.Fatalf("%v with cause %v", want, st.Err)
			}
			f.stop(t)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			// Bounded by the read limit, not by what the server sent.
			if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 32<<20 {
				t.Fatalf("heap grew by %d MiB", grew>>20)
			}
		})
	}
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
