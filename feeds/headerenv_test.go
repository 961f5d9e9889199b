package feeds

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

func TestExpandEnv(t *testing.T) {
	env := map[string]string{"TOKEN": "t0k$n", "EMPTY": "", "A_1": "x"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct{ in, want, err string }{
		{"Bearer ${TOKEN}", "Bearer t0k$n", ""},
		{"${A_1}-${A_1}", "x-x", ""},
		{"[${EMPTY}]", "[]", ""},
		{"pa$$word $TOKEN", "pa$$word $TOKEN", ""}, // bare $ is part of a token
		{"${not a name} ${1X} ${", "${not a name} ${1X} ${", ""},
		{"Bearer ${MISSING}", "", "environment variable MISSING is not set"},
	} {
		got, err := expandEnv(tc.in, lookup)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("expandEnv(%q): error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expandEnv(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// A header value's ${NAME} is the environment's NAME when the feed
// connects, on every transport, while the caller's header keeps the
// reference; an unset variable stops the feed with an error naming it.
func TestHeaderFromEnvironment(t *testing.T) {
	const token = "s3cr3t$tok"
	t.Setenv("FEEDSCOPE_TEST_TOKEN", token)
	up := websocket.Upgrader{}
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/ws":
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			c.WriteMessage(websocket.TextMessage, []byte(`{"v":1}`))
			c.ReadMessage() // until the client goes
		case "/sse":
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte("data: {\"v\":1}\n\n"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		default:
			w.Write([]byte(`{"v":1}`))
		}
	}))
	for _, tr := range []Transport{Poll, WebSocket, SSE} {
		t.Run(tr.String(), func(t *testing.T) {
			hdr := http.Header{"Authorization": {"Bearer ${FEEDSCOPE_TEST_TOKEN}"}}
			path := map[Transport]string{Poll: "/poll", WebSocket: "/ws", SSE: "/sse"}[tr]
			f := start(t, Config{URL: srv.URL + path, Transport: tr, Header: hdr}, nil)
			f.messages(t, 1)
			if err := f.stop(t); err != nil {
				t.Fatal(err)
			}
			if got := hdr.Get("Authorization"); got != "Bearer ${FEEDSCOPE_TEST_TOKEN}" {
				t.Errorf("the caller's header became %q", got)
			}
		})
	}

	f := start(t, Config{URL: srv.URL, Transport: Poll, Header: http.Header{"Authorization": {"Bearer ${FEEDSCOPE_TEST_UNSET}"}}}, nil)
	st := f.waitState(t, Stopped)
	if st.Err == nil || !strings.Contains(st.Err.Error(), "FEEDSCOPE_TEST_UNSET is not set") || !strings.Contains(st.Err.Error(), "Authorization") {
		t.Errorf("unset variable: %v", st.Err)
	}
}
