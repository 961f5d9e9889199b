package hub

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// benchPayload is the size and shape of a generator message.
const benchPayload = `{"ts":"2026-11-25T18:00:00.123Z","seq":42,"sine":0.707107,"noise":0.131,"sawtooth":0.4,"walk":12.3,"counter":42}`

var clientCounts = []int{1, 10, 100}

// BenchmarkFanout publishes b.N messages as fast as the slowest client
// takes them (the generator's rate 0) and waits until every client has
// all of them. msgs/s is the stream rate every client received; the
// baseline sub-benchmarks move the same bytes to the same number of
// loopback clients without the hub, and "x-baseline" is the hub's rate as
// a fraction of that.
func BenchmarkFanout(b *testing.B) {
	for _, tr := range []string{"sse", "ws", "poll"} {
		for _, n := range clientCounts {
			var base float64
			b.Run(fmt.Sprintf("%s/clients=%d/baseline", tr, n), func(b *testing.B) {
				base = runBare(b, tr, n)
			})
			b.Run(fmt.Sprintf("%s/clients=%d/hub", tr, n), func(b *testing.B) {
				rate := runFanout(b, tr, n)
				if base > 0 {
					b.ReportMetric(rate/base, "x-baseline")
				}
			})
		}
	}
}

// report sets the metrics shared by hub and baseline runs.
func report(b *testing.B, msgs, clients int, d time.Duration) float64 {
	rate := float64(msgs) / d.Seconds()
	b.ReportMetric(rate, "msgs/s")
	b.ReportMetric(rate*float64(clients), "deliveries/s")
	b.ReportMetric(0, "ns/op")
	return rate
}

func runFanout(b *testing.B, transport string, clients int) float64 {
	// Pollers are not paced (they hold no place in the hub), so the log
	// keeps the whole run for them.
	h := New(Options{Logger: testLogger(b), LogSize: max(DefaultLogSize, b.N)})
	base := serveHub(b, h)
	var ready, done sync.WaitGroup
	errs := make(chan error, clients)
	for range clients {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			errs <- benchClient(transport, base, uint64(b.N), ready.Done)
		}()
	}
	ready.Wait()
	if transport != "poll" {
		waitClients(b, h, clients)
	}
	window := uint64(h.opts.ClientQueue) / 2
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if transport != "poll" {
			if err := h.awaitRoom(context.Background(), window); err != nil {
				b.Fatal(err)
			}
		}
		h.Publish(Event{Data: benchPayload})
	}
	done.Wait()
	d := time.Since(start)
	b.StopTimer()
	for range clients {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	if st := h.Stats(); st.Dropped != 0 {
		b.Fatalf("%d clients dropped", st.Dropped)
	}
	return report(b, b.N, clients, d)
}

// benchClient reads until it has event id n, calling ready once connected.
func benchClient(transport, base string, n uint64, ready func()) error {
	switch transport {
	case "sse":
		resp, err := http.Get(base + "/sse")
		if err != nil {
			ready()
			return err
		}
		defer resp.Body.Close()
		ready()
		return readSSEUntil(resp.Body, n)
	case "ws":
		conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
		ready()
		if err != nil {
			return err
		}
		defer conn.Close()
		for got := uint64(0); got < n; got++ {
			if _, _, err := conn.ReadMessage(); err != nil {
				return err
			}
		}
		return nil
	default:
		ready()
		var since uint64
		var evs []struct {
			ID uint64 `json:"id"`
		}
		for since < n {
			resp, err := http.Get(base + "/poll?since=" + strconv.FormatUint(since, 10))
			if err != nil {
				return err
			}
			evs = evs[:0]
			err = json.NewDecoder(resp.Body).Decode(&evs)
			resp.Body.Close()
			if err != nil {
				return err
			}
			for _, ev := range evs {
				if ev.ID != since+1 {
					return fmt.Errorf("poll: id %d after %d", ev.ID, since)
				}
				since = ev.ID
			}
		}
		return nil
	}
}

// readSSEUntil counts events (blank lines after data) until the n-th.
func readSSEUntil(r io.Reader, n uint64) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var got uint64
	data := false
	for got < n {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		switch {
		case len(line) == 1 && data:
			got++
			data = false
		case bytes.HasPrefix(line, []byte("data:")):
			data = true
		}
	}
	return nil
}

// runBare is the baseline: the same messages, framed the same way, written
// to the same number of loopback clients by a plain server with one writer
// goroutine per client and the same batching, with no hub in between.
func runBare(b *testing.B, transport string, clients int) float64 {
	frame := appendSSE(nil, Event{ID: 1, Data: benchPayload})
	var handler http.HandlerFunc
	switch transport {
	case "sse":
		handler = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			batch := bytes.Repeat(frame, batchMax)
			for sent := 0; sent < b.N; sent += batchMax {
				k := min(batchMax, b.N-sent)
				if _, err := w.Write(batch[:k*len(frame)]); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	case "ws":
		handler = func(w http.ResponseWriter, r *http.Request) {
			conn, err := upgrader.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer conn.Close()
			for range b.N {
				if err := conn.WriteMessage(websocket.TextMessage, []byte(benchPayload)); err != nil {
					return
				}
			}
			// Wait for the reader to finish before closing.
			conn.ReadMessage()
		}
	default:
		// A static answer of the same size as the hub's for one batch.
		page := []byte("[" + strings.TrimSuffix(strings.Repeat(`{"id":1,"time":"2026-11-25T18:00:00.123Z","data":`+benchPayload+`},`, batchMax), ",") + "]")
		handler = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(page)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String()

	var done sync.WaitGroup
	errs := make(chan error, clients)
	b.ResetTimer()
	start := time.Now()
	for range clients {
		done.Add(1)
		go func() {
			defer done.Done()
			errs <- bareClient(transport, url, b.N)
		}()
	}
	done.Wait()
	d := time.Since(start)
	b.StopTimer()
	for range clients {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	return report(b, b.N, clients, d)
}

func bareClient(transport, url string, n int) error {
	switch transport {
	case "sse":
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		return readSSEUntil(resp.Body, uint64(n))
	case "ws":
		conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(url, "http"), nil)
		if err != nil {
			return err
		}
		defer conn.Close()
		for range n {
			if _, _, err := conn.ReadMessage(); err != nil {
				return err
			}
		}
		conn.WriteMessage(websocket.TextMessage, []byte("done"))
		return nil
	default:
		var evs []struct {
			ID uint64 `json:"id"`
		}
		for got := 0; got < n; got += len(evs) {
			resp, err := http.Get(url)
			if err != nil {
				return err
			}
			evs = evs[:0]
			err = json.NewDecoder(resp.Body).Decode(&evs)
			resp.Body.Close()
			if err != nil {
				return err
			}
		}
		return nil
	}
}

// BenchmarkMemoryPerClient connects idle streaming clients and reports
// the hub process's heap and stack growth per client. The clients are raw
// sockets that sent their request, read the response headers and nothing
// more, so what is measured is the server side (plus one client socket
// each). A WebSocket client is counted after its upgrade: it has read the
// 101 and, against the hub, had a ping answered, so the hub's reader and
// writer for it both run. The baseline is a plain server whose handler
// holds each request open (after the upgrade, for WebSocket).
func BenchmarkMemoryPerClient(b *testing.B) {
	const clients = 200
	for _, tr := range []string{"sse", "ws"} {
		var base float64
		// One measurement per call: b.N does not apply to a snapshot.
		b.Run(tr+"/baseline", func(b *testing.B) {
			base = memoryPerClient(b, tr, clients, false)
			b.ReportMetric(base, "B/client")
			b.ReportMetric(0, "ns/op")
		})
		b.Run(tr+"/hub", func(b *testing.B) {
			per := memoryPerClient(b, tr, clients, true)
			b.ReportMetric(per, "B/client")
			b.ReportMetric(0, "ns/op")
			if base > 0 {
				b.ReportMetric(per/base, "x-baseline")
			}
		})
	}
}

func memoryPerClient(b *testing.B, transport string, clients int, useHub bool) float64 {
	var handler http.Handler
	var h *Hub
	held := make(chan struct{})
	var open sync.WaitGroup
	if useHub {
		h = New(Options{Logger: testLogger(b)})
		handler = h.Handler()
	} else {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if transport == "ws" {
				conn, err := upgrader.Upgrade(w, r, nil)
				if err != nil {
					return
				}
				defer conn.Close()
			} else {
				w.Header().Set("Content-Type", "text/event-stream")
				w.(http.Flusher).Flush()
			}
			open.Done()
			<-held
		})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	addr := ln.Addr().String()

	before := heapAndStacks()
	conns := make([]net.Conn, 0, clients)
	for range clients {
		if !useHub {
			open.Add(1)
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		req := "GET /" + transport + " HTTP/1.1\r\nHost: " + addr + "\r\n"
		if transport == "ws" {
			req += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		}
		if _, err := io.WriteString(c, req+"\r\n"); err != nil {
			b.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		if err := settle(c, transport, useHub && transport == "ws"); err != nil {
			b.Fatal(err)
		}
	}
	if useHub {
		waitClients(b, h, clients)
	} else {
		open.Wait()
	}
	after := heapAndStacks()

	close(held)
	if h != nil {
		h.Close()
	}
	for _, c := range conns {
		c.Close()
	}
	srv.Close()
	if h != nil {
		h.active.Wait()
	}
	return float64(after-before) / float64(clients)
}

// settle reads c's response headers, so that the server has answered (for
// WebSocket: finished the upgrade). With roundTrip it then sends the text
// "ping" and waits for "pong", so that the hub's per-client reader and
// writer are both running. Nothing is kept: a buffer per client would be
// counted as the server's.
func settle(c net.Conn, transport string, roundTrip bool) error {
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	var buf [1024]byte
	n := 0
	for !bytes.Contains(buf[:n], []byte("\r\n\r\n")) {
		if n == len(buf) {
			return errors.New("response headers over 1 KiB")
		}
		k, err := c.Read(buf[n:])
		if err != nil {
			return fmt.Errorf("reading the response: %w", err)
		}
		n += k
	}
	if transport == "ws" && !bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 101 ")) {
		return fmt.Errorf("no upgrade: %q", buf[:n])
	}
	if !roundTrip {
		return nil
	}
	// A client's frames are masked (RFC 6455 5.3): FIN+text, masked,
	// length 4, the key, then the payload XOR the key.
	key := [4]byte{0x12, 0x34, 0x56, 0x78}
	frame := append([]byte{0x81, 0x80 | 4}, key[:]...)
	for i, ch := range []byte(wsPing) {
		frame = append(frame, ch^key[i%4])
	}
	if _, err := c.Write(frame); err != nil {
		return err
	}
	if _, err := io.ReadFull(c, buf[:2+len(wsPong)]); err != nil {
		return fmt.Errorf("reading the pong: %w", err)
	}
	if want := append([]byte{0x81, byte(len(wsPong))}, wsPong...); !bytes.Equal(buf[:len(want)], want) {
		return fmt.Errorf("answer to ping: %q", buf[:len(want)])
	}
	return nil
}

func heapAndStacks() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}
