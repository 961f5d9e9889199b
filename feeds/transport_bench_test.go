package feeds

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/gorilla/websocket"

	"feedscope/feeds/mqtttest"
)

// BenchmarkTransport measures messages per second through the feed layer
// on loopback, each beside a bare read loop against the same server in the
// same run (net/http, gorilla/websocket, and for SSE a bufio line reader),
// and reports the ratio (target ≥ 0.8).
// The servers write pre-framed batches so that the reader, not the
// server, is what is measured.
func BenchmarkTransport(b *testing.B) {
	b.Run("poll", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"cpu":12.5,"load":0.42}`)
		}))
		defer srv.Close()
		compare(b, bareGets(b, srv.URL), Config{URL: srv.URL, Transport: Poll, PollInterval: time.Nanosecond})
	})

	b.Run("longpoll", func(b *testing.B) {
		// Always a message after the client's cursor, as a long-poll
		// server with a backlog answers: every request gets the next one
		// at once.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n, _ := strconv.ParseUint(strings.Trim(r.Header.Get("If-None-Match"), `"`), 10, 64)
			w.Header().Set("ETag", `"`+strconv.FormatUint(n+1, 10)+`"`)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"cpu":12.5,"load":0.42}`)
		}))
		defer srv.Close()
		compare(b, bareGets(b, srv.URL), Config{URL: srv.URL, Transport: LongPoll})
	})

	b.Run("ws", func(b *testing.B) {
		batch := wsBatch(`{"cpu":12.5,"load":0.42}`, 1000)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := upgrader.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			go func() { // answer pings and notice the close
				for {
					if _, _, err := c.ReadMessage(); err != nil {
						c.UnderlyingConn().Close()
						return
					}
				}
			}()
			for {
				if _, err := c.UnderlyingConn().Write(batch); err != nil {
					return
				}
			}
		}))
		defer srv.Close()
		url := "ws" + strings.TrimPrefix(srv.URL, "http")
		bare := func(n int) {
			c, _, err := websocket.DefaultDialer.Dial(url, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			for i := 0; i < n; i++ {
				if _, _, err := c.ReadMessage(); err != nil {
					b.Fatal(err)
				}
			}
		}
		compare(b, bare, Config{URL: url, Transport: WebSocket})
	})

	b.Run("sse", func(b *testing.B) {
		batch := bytes.Repeat([]byte("data: {\"cpu\":12.5,\"load\":0.42}\n\n"), 1000)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			for r.Context().Err() == nil {
				if _, err := w.Write(batch); err != nil {
					return
				}
			}
		}))
		defer srv.Close()
		// The least any SSE client must do: read lines and count an event
		// per blank line, keeping the data in a reused buffer.
		bare := func(n int) {
			c := &http.Client{Transport: &http.Transport{}}
			defer c.CloseIdleConnections()
			resp, err := c.Get(srv.URL)
			if err != nil {
				b.Fatal(err)
			}
			defer resp.Body.Close()
			br := bufio.NewReader(resp.Body)
			var data []byte
			for count := 0; count < n; {
				line, err := br.ReadSlice('\n')
				if err != nil {
					b.Fatal(err)
				}
				line = bytes.TrimRight(line, "\r\n")
				if len(line) == 0 {
					count++
					data = data[:0]
				} else if v, ok := bytes.CutPrefix(line, []byte("data:")); ok {
					data = append(data, v...)
				}
			}
		}
		compare(b, bare, Config{URL: srv.URL, Transport: SSE})
	})

	b.Run("mqtt", func(b *testing.B) {
		// A real broker, fed flat out with pre-framed QoS 0 PUBLISH
		// batches: both readers subscribe to the same stream.
		broker := mqtttest.New(b, nil)
		stopPub := floodMQTT(b, broker.Addr(), "bench/host1", `{"cpu":12.5,"load":0.42}`)
		defer stopPub()
		bare := func(n int) {
			var count atomic.Int64
			done := make(chan struct{})
			opts := mqtt.NewClientOptions().AddBroker("tcp://" + broker.Addr()).
				SetClientID("bench-bare").SetAutoReconnect(false)
			opts.SetDefaultPublishHandler(func(mqtt.Client, mqtt.Message) {
				if count.Add(1) == int64(n) {
					close(done)
				}
			})
			c := mqtt.NewClient(opts)
			if tok := c.Connect(); tok.Wait() && tok.Error() != nil {
				b.Fatal(tok.Error())
			}
			defer c.Disconnect(0)
			if tok := c.Subscribe("bench/#", 0, nil); tok.Wait() && tok.Error() != nil {
				b.Fatal(tok.Error())
			}
			<-done
		}
		compare(b, bare, Config{URL: broker.URL("bench/#")})
	})
}

// floodMQTT publishes payload on topic as fast as the broker takes it,
// writing pre-framed QoS 0 PUBLISH packets in batches so that the
// publisher is not what limits the rate. The returned func stops it.
func floodMQTT(b *testing.B, addr, topic, payload string) (stop func()) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	const id = "bench-flood"
	// CONNECT: protocol "MQTT" level 4, clean session, no keep-alive.
	vh := []byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0, 0, byte(len(id))}
	connect := append([]byte{0x10, byte(len(vh) + len(id))}, append(vh, id...)...)
	var connack [4]byte
	if _, err := conn.Write(connect); err != nil {
		b.Fatal(err)
	}
	if _, err := io.ReadFull(conn, connack[:]); err != nil || connack[0] != 0x20 || connack[3] != 0 {
		b.Fatalf("CONNACK %x: %v", connack, err)
	}
	n := 2 + len(topic) + len(payload)
	if n > 127 {
		b.Fatal("floodMQTT: short messages only")
	}
	pkt := append([]byte{0x30, byte(n), 0, byte(len(topic))}, topic...)
	batch := bytes.Repeat(append(pkt, payload...), 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, err := conn.Write(batch); err != nil {
				return
			}
		}
	}()
	return func() { conn.Close(); <-done }
}

// bareGets is a plain net/http loop of n GETs of url, each sending back
// the ETag of the previous response as a poller does.
func bareGets(b *testing.B, url string) func(n int) {
	return func(n int) {
		c := &http.Client{Transport: &http.Transport{}}
		defer c.CloseIdleConnections()
		etag := ""
		for i := 0; i < n; i++ {
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			if etag != "" {
				req.Header.Set("If-None-Match", etag)
			}
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			etag = resp.Header.Get("ETag")
			io.ReadAll(resp.Body)
			resp.Body.Close()
		}
	}
}

// compare times messages through a bare loop and through Run, in
// alternating rounds so both see the same machine load, and reports the
// best round of each: on a shared machine the best round is the one least
// disturbed by others.
func compare(b *testing.B, bare func(n int), cfg Config) {
	b.Helper()
	const rounds = 3
	n := max(b.N/rounds, 1000)
	var bareRate, feedRate float64
	for r := 0; r < rounds; r++ {
		t0 := time.Now()
		bare(n)
		bareRate = max(bareRate, float64(n)/time.Since(t0).Seconds())
		feedRate = max(feedRate, feedRound(b, n, cfg))
	}
	b.ReportMetric(feedRate, "msgs/s")
	b.ReportMetric(bareRate, "bare-msgs/s")
	b.ReportMetric(feedRate/bareRate, "ratio")
}

// feedRound returns the rate at which Run delivers n messages.
func feedRound(b *testing.B, n int, cfg Config) float64 {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	count := 0
	var elapsed time.Duration
	t0 := time.Now()
	err := Run(ctx, cfg, func(e Event) {
		if e.Kind == KindStatus && e.Status.State == Reconnecting {
			b.Errorf("feed reconnected: %v", e.Status.Err)
		}
		if e.Kind == KindMessage {
			if count++; count == n {
				elapsed = time.Since(t0) // not the close handshake that follows
				cancel()
			}
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	return float64(n) / elapsed.Seconds()
}

// wsBatch frames msg n times as unmasked server-to-client text frames.
func wsBatch(msg string, n int) []byte {
	var frame []byte
	frame = append(frame, 0x81) // FIN, text
	if len(msg) > 125 {
		panic("wsBatch: short messages only")
	}
	frame = append(frame, byte(len(msg)))
	frame = append(frame, msg...)
	return bytes.Repeat(frame, n)
}
