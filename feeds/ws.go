package feeds

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// wsWriteWait bounds one write (ping, pong, heartbeat text).
	wsWriteWait = 10 * time.Second
	// wsCloseGrace is how long the server gets to answer our close frame
	// when the feed stops; then the connection is dropped, so that
	// stopping never waits on a peer that does not answer.
	wsCloseGrace = 500 * time.Millisecond
)

// wsConn is one WebSocket connection: the supervisor's goroutine reads,
// one writer goroutine does every write (gorilla/websocket allows one
// concurrent writer; a second panics).
//
// Two heartbeats watch it. Protocol pings go out every interval, and any
// frame from the server (a pong included) moves the read deadline: a peer
// silent for two intervals is dead. The optional text heartbeat is the
// original article's heartCheck: it counts only data messages and text
// replies as activity, since servers (Python's websockets among them)
// answer protocol pings by themselves even when the application behind
// them is stuck.
type wsConn struct {
	s    *supervisor
	conn *websocket.Conn
	hb   time.Duration
	// lastData is when the last data message or text heartbeat reply
	// arrived, in unix nanos.
	lastData atomic.Int64
	// replyLost is set when the text heartbeat went unanswered and the
	// writer dropped the connection.
	replyLost atomic.Bool
	closing   atomic.Bool // our close frame is out: stop extending the deadline
	heard     atomic.Bool // a pong or ping came: the peer is at work
	pongs     chan string // answers to the server's pings, for the writer
	// deadlineSet is when the read deadline last moved; only the reader
	// (and the handlers it runs) touch it.
	deadlineSet time.Time
}

func (s *supervisor) runWS(ctx context.Context) error {
	d := websocket.Dialer{
		NetDialContext:   (&net.Dialer{Timeout: s.cfg.handshakeTimeout(), KeepAlive: 15 * time.Second}).DialContext,
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: s.cfg.handshakeTimeout(),
		TLSClientConfig:  s.tlsConfig(),
	}
	target, header := s.wsTarget()
	conn, resp, err := d.DialContext(ctx, target, header)
	if err != nil {
		if resp != nil {
			se := statusError(resp, s.clk)
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				se.Detail = "not a WebSocket endpoint (the handshake was not answered with 101 Switching Protocols)"
			}
			return se
		}
		return s.wrapNetErr("WebSocket", err)
	}
	defer conn.Close()
	s.markConnected()

	w := &wsConn{s: s, conn: conn, hb: s.cfg.heartbeat(), pongs: make(chan string, 1)}
	conn.SetReadLimit(s.cfg.readLimit())
	w.lastData.Store(time.Now().UnixNano())
	w.alive()
	conn.SetPongHandler(func(string) error { w.alive(); w.heard.Store(true); return nil })
	conn.SetPingHandler(func(data string) error {
		w.alive()
		w.heard.Store(true)
		select {
		case w.pongs <- data:
		default: // a pong is already queued; one answer is enough
		}
		return nil
	})

	// Stopping never waits on the server: wsCloseGrace after ctx ends the
	// connection is dropped, whether or not the close handshake finished
	// and whatever the writer was blocked on.
	drop := time.AfterFunc(time.Hour, func() { conn.Close() })
	drop.Stop()
	unwatch := context.AfterFunc(ctx, func() { drop.Reset(wsCloseGrace) })
	defer func() {
		unwatch()
		drop.Stop()
	}()

	readDone := make(chan struct{})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		w.write(ctx, readDone)
	}()
	err = w.read()
	close(readDone)
	<-writerDone
	s.lively = s.lively || w.heard.Load()
	return err
}

// wsTarget is the URL to dial and the handshake's headers. gorilla/websocket
// refuses a URL with user info (errMalformedURL), so the user name and
// password travel as Basic auth, as net/http sends them for polling and
// SSE, unless the user's headers already carry an Authorization.
func (s *supervisor) wsTarget() (string, http.Header) {
	h := s.cfg.Header.Clone()
	u, err := url.Parse(s.wsURL())
	if err != nil || u.User == nil {
		return s.wsURL(), h
	}
	user := u.User
	u.User = nil
	if h == nil {
		h = http.Header{}
	}
	if h.Get("Authorization") == "" {
		pw, _ := user.Password()
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user.Username()+":"+pw)))
	}
	return u.String(), h
}

// alive records a sign of life from the server and moves the read
// deadline: a peer that sends nothing for two heartbeat intervals, not even
// a pong, is dead. The deadline moves at most every quarter interval, so a
// busy stream does not pay for it on every message; it then lies between
// 1.75 and 2 intervals after the last sign of life.
func (w *wsConn) alive() { w.aliveAt(time.Now()) }

func (w *wsConn) aliveAt(now time.Time) {
	if now.Sub(w.deadlineSet) < w.hb/4 || w.closing.Load() {
		return
	}
	w.deadlineSet = now
	_ = w.conn.SetReadDeadline(now.Add(2 * w.hb))
}

func (w *wsConn) read() error {
	s := w.s
	_, realTime := s.clk.(realClock)
	for {
		mt, data, err := w.conn.ReadMessage()
		if err != nil {
			return w.readErr(err)
		}
		// One clock read per message serves the deadline and the arrival
		// time (tests give the supervisor a fake clock for the latter).
		now := time.Now()
		w.aliveAt(now)
		if w.closing.Load() {
			continue // closing: drain until the server answers our close
		}
		w.lastData.Store(now.UnixNano())
		if mt == websocket.TextMessage && s.cfg.PongText != "" && string(data) == s.cfg.PongText {
			continue // the application heartbeat's reply is never data
		}
		if !realTime {
			now = s.clk.Now()
		}
		s.emitMessage(Message{Data: data, Binary: mt == websocket.BinaryMessage, Time: now})
	}
}

func (w *wsConn) readErr(err error) error {
	var ce *websocket.CloseError
	var ne net.Error
	switch {
	case w.replyLost.Load():
		return fmt.Errorf("WebSocket: no heartbeat from %s: nothing in answer to %q within %s", w.s.url.Host, w.s.cfg.PingText, w.hb)
	case errors.As(err, &ce):
		if ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway {
			return errStreamEnded
		}
		return fmt.Errorf("WebSocket: server closed the connection: %w", err)
	case errors.Is(err, websocket.ErrReadLimit):
		return fmt.Errorf("WebSocket: %w", &ErrTooLarge{Limit: w.s.cfg.readLimit()})
	case errors.As(err, &ne) && ne.Timeout() && !w.closing.Load():
		return fmt.Errorf("WebSocket: no heartbeat from %s for %s: %w", w.s.url.Host, 2*w.hb, err)
	}
	return w.s.wrapNetErr("WebSocket", err)
}

// write is the connection's only writer: protocol pings every interval,
// the text heartbeat, pongs, and the close handshake when ctx ends.
func (w *wsConn) write(ctx context.Context, readDone <-chan struct{}) {
	ping := time.NewTicker(w.hb)
	defer ping.Stop()
	// The text heartbeat (the article's heartCheck): after an interval
	// without a data message or a reply, send the text; if neither arrives
	// within the next interval, the connection is dead.
	pingText := w.s.cfg.PingText
	var textDue <-chan time.Time
	var text *time.Timer
	if pingText != "" {
		text = time.NewTimer(w.hb)
		defer text.Stop()
		textDue = text.C
	}
	var sent time.Time // when the unanswered text went out; zero when none
	for {
		select {
		case <-readDone:
			return
		case data := <-w.pongs:
			if !w.send(websocket.PongMessage, []byte(data)) {
				return
			}
		case <-ping.C:
			if !w.send(websocket.PingMessage, nil) {
				return
			}
		case <-textDue:
			last := time.Unix(0, w.lastData.Load())
			if !sent.IsZero() {
				if !last.After(sent) {
					w.replyLost.Store(true)
					w.conn.Close() // the reader returns, naming replyLost
					return
				}
				sent = time.Time{}
			}
			if idle := time.Since(last); idle < w.hb {
				text.Reset(w.hb - idle)
				continue
			}
			// Stamped before the write, so a reply that beats our clock
			// read still counts as an answer.
			sent = time.Now()
			if !w.send(websocket.TextMessage, []byte(pingText)) {
				return
			}
			text.Reset(w.hb)
		case <-ctx.Done():
			w.closing.Store(true)
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			_ = w.conn.SetWriteDeadline(time.Now().Add(wsCloseGrace))
			if w.conn.WriteMessage(websocket.CloseMessage, msg) == nil {
				// The reader returns once the server echoes the close.
				_ = w.conn.SetReadDeadline(time.Now().Add(wsCloseGrace))
			} else {
				w.conn.Close()
			}
			<-readDone
			return
		}
	}
}

// send writes one frame; on failure it drops the connection so the reader
// notices at once rather than at its deadline.
func (w *wsConn) send(mt int, data []byte) bool {
	_ = w.conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
	if err := w.conn.WriteMessage(mt, data); err != nil {
		w.conn.Close()
		return false
	}
	return true
}
