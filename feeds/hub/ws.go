package hub

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wsReadLimit bounds a message from a client: the protocol only expects
// "ping" and short remarks.
const wsReadLimit = 64 << 10

// Replies to the article's text protocol: "ping" gets "pong", anything
// else "收到" ("received").
const (
	wsPing     = "ping"
	wsPong     = "pong"
	wsReceived = "收到"
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	// Idle clients hold no write buffer: it goes back to the pool after
	// each message (gorilla's documented use of WriteBufferPool).
	WriteBufferPool: &sync.Pool{},
	// The default CheckOrigin stays: a web page from another origin must
	// not be able to read the stream through a visitor's browser.
}

// onWS streams every event's data as one text message. The connection has
// exactly one writer (this goroutine) and one reader (readWS), as gorilla
// requires; the reader hands replies to the writer over a small channel.
func (h *Hub) onWS(w http.ResponseWriter, r *http.Request) {
	c, _, _, err := h.register(h.Stats().LastID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer h.unregister(c)
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has already answered with the HTTP error
	}
	defer conn.Close()
	h.trackHijacked(conn.NetConn(), true)
	defer h.trackHijacked(conn.NetConn(), false)
	log := h.log.With("transport", "ws", "remote", r.RemoteAddr)
	log.Info("client connected")

	replies := make(chan string, 16)
	quit := make(chan struct{})
	readDone := make(chan error, 1)
	go func() { readDone <- h.readWS(conn, replies, quit, log) }()
	defer func() {
		// Closing the connection ends the reader's blocking read; quit
		// ends a reader waiting to hand over a reply.
		close(quit)
		conn.Close()
		<-readDone
	}()

	ping := time.NewTicker(h.opts.PingPeriod)
	defer ping.Stop()
	bound := uint64(h.opts.ClientQueue)
	var (
		data []string
		buf  []byte
	)
	for {
		var wake <-chan struct{}
		buf, data, wake, err = h.next(c, bound, batchMax, buf[:0], data[:0])
		if err != nil {
			h.dropped.Add(1)
			log.Warn("disconnecting client", "reason", err)
			h.closeWS(conn, websocket.ClosePolicyViolation, "too slow")
			return
		}
		if len(data) > 0 {
			for _, d := range data {
				if err := h.writeWS(conn, d); err != nil {
					h.writeFailed(log, err)
					return
				}
			}
			h.advanced()
			continue
		}
		select {
		case <-wake:
		case s := <-replies:
			if err := h.writeWS(conn, s); err != nil {
				h.writeFailed(log, err)
				return
			}
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.opts.WriteWait)); err != nil {
				log.Info("client gone", "reason", err)
				return
			}
		case err := <-readDone:
			readDone <- err // for the deferred wait
			log.Info("client disconnected", "reason", err)
			return
		case <-r.Context().Done():
			return
		case <-h.done:
			h.closeWS(conn, websocket.CloseGoingAway, "server shutting down")
			return
		}
	}
}

// writeFailed logs why a write failed; a peer that did not take a write
// within WriteWait is a slow client, dropped like one over its queue.
func (h *Hub) writeFailed(log *slog.Logger, err error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		h.dropped.Add(1)
		log.Warn("disconnecting client", "reason", "too slow: a write took longer than "+h.opts.WriteWait.String())
		return
	}
	log.Info("client gone", "reason", err)
}

func (h *Hub) writeWS(conn *websocket.Conn, s string) error {
	if err := conn.SetWriteDeadline(time.Now().Add(h.opts.WriteWait)); err != nil {
		return err
	}
	return conn.WriteMessage(websocket.TextMessage, []byte(s))
}

// closeWS says goodbye with a close frame; the deferred Close drops the
// connection whether or not the peer answers.
func (h *Hub) closeWS(conn *websocket.Conn, code int, reason string) {
	msg := websocket.FormatCloseMessage(code, reason)
	_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
}

// readWS answers the text protocol and keeps the read deadline moving
// while the peer answers pings. It returns when the connection fails.
func (h *Hub) readWS(conn *websocket.Conn, replies chan<- string, quit <-chan struct{}, log *slog.Logger) error {
	pongWait := 2 * h.opts.PingPeriod
	conn.SetReadLimit(wsReadLimit)
	_ = conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error {
		return conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		kind, msg, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		// Any message shows the peer is alive, not only a pong.
		_ = conn.SetReadDeadline(time.Now().Add(pongWait))
		if kind != websocket.TextMessage {
			continue
		}
		reply := wsReceived
		if string(msg) == wsPing {
			reply = wsPong
		} else {
			log.Info("client says", "text", string(msg))
		}
		select {
		case replies <- reply:
		case <-quit:
			return errors.New("connection closed")
		}
	}
}
