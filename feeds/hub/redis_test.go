package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a real redis-server on a loopback port, owned by one test.
type redisServer struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
}

// startRedis starts redis-server (Debian's package; `make test` installs
// it) on a free loopback port. A missing binary fails the test: the relay
// is a feature, and an untested one is not shipped silently.
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server not found in PATH (%v): install Debian's redis-server package, or run `make test`, which does", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &redisServer{t: t, bin: bin, dir: t.TempDir(), port: port}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }
func (s *redisServer) url() string  { return "redis://" + s.addr() + "/0" }

func (s *redisServer) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("starting redis-server: %v", err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1})
	defer rdb.Close()
	waitFor(s.t, "redis-server to answer PING", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return rdb.Ping(ctx).Err() == nil
	})
}

func (s *redisServer) stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// relayHub serves a hub fed from s's "sse" channel until the test ends.
func relayHub(t *testing.T, s *redisServer) (*Hub, string) {
	h, base := newHub(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunRedis(ctx, h, RedisOptions{URL: s.url(), MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunRedis: %v", err)
		}
	})
	return h, base
}

// publisher publishes with a go-redis client as flask-sse would.
type publisher struct {
	rdb *redis.Client
}

func newPublisher(t *testing.T, s *redisServer) *publisher {
	rdb := redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	return &publisher{rdb: rdb}
}

// publishReceived publishes msg until Redis reports a subscriber got it:
// the relay subscribes asynchronously (and again after a restart).
func (p *publisher) publishReceived(t *testing.T, msg string) {
	t.Helper()
	waitFor(t, "the relay to be subscribed", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := p.rdb.Publish(ctx, DefaultChannel, msg).Result()
		return err == nil && n > 0
	})
}

func TestRedisRelayToEveryTransport(t *testing.T) {
	s := startRedis(t)
	h, base := relayHub(t, s)
	pub := newPublisher(t, s)
	sse := dialSSE(t, base, "")
	ws := dialWS(t, base)
	waitClients(t, h, 2)

	// The article's exact example arrives as an untyped text event.
	pub.publishReceived(t, `{"data":{"message":"测试"}}`)
	ev := sse.mustNext(t)
	if ev.typ != "" || ev.data != `{"message":"测试"}` {
		t.Fatalf("SSE got type %q data %q, want a message event with data {\"message\":\"测试\"}", ev.typ, ev.data)
	}
	if got := mustReadWS(t, ws); got != `{"message":"测试"}` {
		t.Fatalf("WebSocket got %q", got)
	}

	pub.publishReceived(t, `{"data":"hello","type":"greeting","id":"abc","retry":2500}`)
	ev = sse.mustNext(t)
	if ev.typ != "greeting" || ev.data != "hello" || ev.retry != 2500 {
		t.Fatalf("SSE got %+v, want type greeting, data hello, retry 2500", ev)
	}
	if got := mustReadWS(t, ws); got != "hello" {
		t.Fatalf("WebSocket got %q", got)
	}
	resp, err := http.Get(base + "/poll")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != 200 || body != "hello" || resp.Header.Get("ETag") != `"`+ev.id+`"` {
		t.Fatalf("poll: %s %q ETag %s, want hello with the SSE id %s", resp.Status, body, resp.Header.Get("ETag"), ev.id)
	}
	resp, err = http.Get(base + "/poll?since=0")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); !strings.Contains(body, `"origin_id":"abc"`) || !strings.Contains(body, `"type":"greeting"`) {
		t.Fatalf("poll?since=0: %s, want the flask-sse id and type", body)
	}
}

func TestRedisRelaySurvivesRestart(t *testing.T) {
	s := startRedis(t)
	h, base := relayHub(t, s)
	sse := dialSSE(t, base, "")
	waitClients(t, h, 1)
	pub := newPublisher(t, s)
	pub.publishReceived(t, `{"data":"before"}`)
	if ev := sse.mustNext(t); ev.data != "before" {
		t.Fatalf("got %+v", ev)
	}

	s.stop()
	s.start() // same port, empty server: no subscriptions survive
	pub.publishReceived(t, `{"data":"after"}`)
	if ev := sse.mustNext(t); ev.data != "after" {
		t.Fatalf("after the restart got %+v, want the new message", ev)
	}
}

func TestRedisRelayStopsWhileRedisIsDown(t *testing.T) {
	s := startRedis(t)
	h := New(Options{Logger: testLogger(t)})
	s.stop()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunRedis(ctx, h, RedisOptions{URL: s.url(), MinBackoff: time.Millisecond}) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("RunRedis: %v", err)
		}
	case <-time.After(patience):
		t.Fatal("RunRedis did not return after its context ended")
	}
}

func TestRedisBadURL(t *testing.T) {
	err := RunRedis(context.Background(), New(Options{}), RedisOptions{URL: "http://x"})
	if err == nil {
		t.Fatal("RunRedis accepted an http URL")
	}
}

func TestParseFlaskSSE(t *testing.T) {
	for _, tc := range flaskCases {
		t.Run(tc.in, func(t *testing.T) {
			got := parseFlaskSSE(tc.in)
			if got != tc.want {
				t.Errorf("parseFlaskSSE(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

var flaskCases = []struct {
	in   string
	want Event
}{
	{`{"data":{"message":"测试"}}`, Event{Data: `{"message":"测试"}`}},
	{`{"data": {"a": [1, 2]}, "type": null, "id": null, "retry": null}`, Event{Data: `{"a":[1,2]}`}},
	{`{"data":"hi","type":"t","id":7,"retry":1500}`, Event{Data: "hi", Type: "t", OriginID: "7", Retry: 1500 * time.Millisecond}},
	{`{"data":42}`, Event{Data: "42"}},
	{`{"cpu":12.5}`, Event{Data: `{"cpu":12.5}`}},                       // not flask-sse: passes through
	{`{"data":1,"extra":true}`, Event{Data: `{"data":1,"extra":true}`}}, // unknown field: passes through
	{`{"data":1,"retry":-5}`, Event{Data: `{"data":1,"retry":-5}`}},
	{`{"data":1,"type":3}`, Event{Data: `{"data":1,"type":3}`}},
	{`plain text`, Event{Data: "plain text"}},
	{`{"data":`, Event{Data: `{"data":`}},
	{`[1,2]`, Event{Data: `[1,2]`}},
}

func FuzzParseFlaskSSE(f *testing.F) {
	for _, tc := range flaskCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ev := parseFlaskSSE(in)
		if ev != (Event{Data: in}) {
			// Only a JSON object with "data" may be unwrapped.
			var m map[string]json.RawMessage
			if err := json.Unmarshal([]byte(in), &m); err != nil {
				t.Fatalf("parseFlaskSSE(%q) unwrapped invalid JSON: %+v", in, ev)
			}
			if _, ok := m["data"]; !ok {
				t.Fatalf("parseFlaskSSE(%q) unwrapped an object without data: %+v", in, ev)
			}
		}
		if ev.Retry < 0 {
			t.Fatalf("negative retry from %q", in)
		}
	})
}

func TestRedisRelayKeepsOrderOfManyMessages(t *testing.T) {
	s := startRedis(t)
	h, base := relayHub(t, s)
	c := dialSSE(t, base, "")
	waitClients(t, h, 1)
	pub := newPublisher(t, s)
	pub.publishReceived(t, `{"data":0}`)
	c.mustNext(t)
	var wg sync.WaitGroup
	const n = 500
	wg.Go(func() {
		for i := 1; i <= n; i++ {
			if err := pub.rdb.Publish(context.Background(), DefaultChannel, fmt.Sprintf(`{"data":%d}`, i)).Err(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	for i := 1; i <= n; i++ {
		if ev := c.mustNext(t); ev.data != strconv.Itoa(i) {
			t.Fatalf("message %d: got %q (order or loss)", i, ev.data)
		}
	}
	wg.Wait()
	if st := h.Stats(); st.Published != n+1 {
		t.Errorf("published %d, want %d", st.Published, n+1)
	}
}
