package feeds

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// proxiedHost is a name that resolves nowhere: a request for it arrives
// only through the proxy.
const proxiedHost = "feeds.proxied.invalid"

// Feeds go through the proxy the environment names (HTTP_PROXY), for
// polling and for WebSocket (a CONNECT tunnel). Go reads the proxy
// variables once per process, so the feeds run in a child process of this
// test with HTTP_PROXY set; the proxy runs here and answers for a host
// that does not resolve.
func TestProxyFromEnvironment(t *testing.T) {
	if os.Getenv("FEEDSCOPE_PROXY_CHILD") != "" {
		proxyChild(t)
		return
	}
	wsSrv := wsServer(t, func(c *websocket.Conn, r *http.Request) {
		c.WriteMessage(websocket.TextMessage, []byte("7"))
		c.ReadMessage()
	})
	var (
		mu   sync.Mutex
		seen []string
	)
	var tunnels sync.WaitGroup
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.Host)
		mu.Unlock()
		if r.Method == http.MethodConnect {
			// The WebSocket dial: tunnel to the test's server.
			backend, err := net.Dial("tcp", strings.TrimPrefix(wsSrv.URL, "http://"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			conn, brw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				backend.Close()
				return
			}
			io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
			tunnels.Add(2)
			go func() { defer tunnels.Done(); io.Copy(backend, brw); backend.Close() }()
			go func() { defer tunnels.Done(); io.Copy(conn, bufio.NewReader(backend)); conn.Close() }()
			return
		}
		if r.URL.Host != proxiedHost {
			http.Error(w, "not a proxied request: "+r.URL.String(), http.StatusBadRequest)
			return
		}
		io.WriteString(w, "42")
	}))
	t.Cleanup(func() { proxy.Close(); tunnels.Wait() })

	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyFromEnvironment$", "-test.v")
	cmd.Env = append(os.Environ(), "FEEDSCOPE_PROXY_CHILD=1", "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("feeds through the proxy: %v\n%s", err, out)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"GET " + proxiedHost, "CONNECT " + proxiedHost + ":80"} {
		found := false
		for _, s := range seen {
			found = found || s == want
		}
		if !found {
			t.Errorf("the proxy saw %q, not %q", seen, want)
		}
	}
}

// proxyChild runs a polling and a WebSocket feed to proxiedHost; only the
// proxy can answer them.
func proxyChild(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{URL: "http://" + proxiedHost + "/poll", Transport: Poll}, "42"},
		{Config{URL: "ws://" + proxiedHost + "/ws", Transport: WebSocket}, "7"},
	} {
		f := start(t, c.cfg, nil)
		if m := f.messages(t, 1)[0]; string(m.Data) != c.want {
			t.Errorf("%v: message %q, want %q", c.cfg.Transport, m.Data, c.want)
		}
		f.stop(t)
	}
}
