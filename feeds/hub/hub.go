package hub

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for the zero Options.
const (
	DefaultLogSize     = 10000
	DefaultClientQueue = 4096
	DefaultKeepAlive   = 15 * time.Second
	DefaultRetry       = 3 * time.Second
	DefaultWriteWait   = 10 * time.Second
	DefaultPingPeriod  = 30 * time.Second
)

// Options configures a Hub. The zero value means the documented defaults.
type Options struct {
	// LogSize is how many recent events the hub keeps for SSE replay and
	// ?since polling (default 10,000).
	LogSize int
	// ClientQueue bounds how many events a streaming client may have
	// pending before it is disconnected as too slow (default 4,096, at
	// most LogSize). An SSE client that resumes with Last-Event-ID may
	// start with a larger backlog: its bound is the larger of the two.
	ClientQueue int
	// KeepAlive is how long an SSE stream may stay idle before the hub
	// sends a comment line to keep proxies and clients from timing it out
	// (default 15 s).
	KeepAlive time.Duration
	// Retry is the reconnect delay announced to SSE clients with `retry:`
	// when they connect (default 3 s).
	Retry time.Duration
	// WriteWait bounds every write to a client; a client that does not
	// take a write within it is disconnected (default 10 s).
	WriteWait time.Duration
	// PingPeriod is how often WebSocket clients get a protocol ping; a
	// client that answers none within twice the period is disconnected
	// (default 30 s).
	PingPeriod time.Duration
	// Logger receives connection and source events (default slog.Default()).
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.LogSize <= 0 {
		o.LogSize = DefaultLogSize
	}
	if o.ClientQueue <= 0 {
		o.ClientQueue = DefaultClientQueue
	}
	if o.ClientQueue > o.LogSize {
		o.ClientQueue = o.LogSize
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = DefaultKeepAlive
	}
	if o.Retry <= 0 {
		o.Retry = DefaultRetry
	}
	if o.WriteWait <= 0 {
		o.WriteWait = DefaultWriteWait
	}
	if o.PingPeriod <= 0 {
		o.PingPeriod = DefaultPingPeriod
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Event is one message of the stream.
type Event struct {
	// ID is assigned by Publish: 1 for the first event of a hub, then
	// increasing by one. It is the SSE `id:` and the poll ETag.
	ID uint64
	// Time is when the hub published the event (set by Publish when zero).
	Time time.Time
	// Type is the SSE event type; empty means the default "message".
	Type string
	// Data is the payload, sent as is: one WebSocket text message, the SSE
	// data lines, the /poll body.
	Data string
	// Retry, when positive, is sent to SSE clients as `retry:` with this
	// event.
	Retry time.Duration
	// OriginID is the id the source gave the message (flask-sse's "id"),
	// kept for /poll?since; it is not the SSE id (see RunRedis).
	OriginID string
}

// entry is an event in the log with its SSE framing, encoded once for every
// client.
type entry struct {
	ev  Event
	sse []byte
}

// ErrClosed is returned by Serve for a hub that was already closed.
var ErrClosed = errors.New("hub: closed")

// Hub fans one stream out to every client. Create it with New.
type Hub struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	ring     []entry // ring[(id-1) % len(ring)] holds event id
	last     uint64  // id of the newest event, 0 before the first
	wake     chan struct{}
	clients  map[*client]struct{}
	room     chan struct{} // closed when a client moves on; see awaitRoom
	closed   bool
	done     chan struct{}
	hijacked map[io.Closer]struct{} // WebSocket connections, which http.Server.Close does not close
	active   sync.WaitGroup

	roomWanted atomic.Bool
	published  atomic.Uint64
	dropped    atomic.Uint64
}

// client is one streaming connection's position in the log.
type client struct {
	cursor atomic.Uint64 // id of the last event handed to the connection
}

// New returns a hub with no events and no clients.
func New(opts Options) *Hub {
	opts = opts.withDefaults()
	return &Hub{
		opts:     opts,
		log:      opts.Logger,
		ring:     make([]entry, opts.LogSize),
		wake:     make(chan struct{}),
		clients:  make(map[*client]struct{}),
		done:     make(chan struct{}),
		hijacked: make(map[io.Closer]struct{}),
	}
}

// Publish appends ev to the log and wakes every client; it never waits for
// a client. ID is assigned here (any ID in ev is ignored), Time is set to
// now when zero. It returns the event's id; after Close it drops the event
// and returns 0.
func (h *Hub) Publish(ev Event) uint64 {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return 0
	}
	h.last++
	ev.ID = h.last
	slot := &h.ring[(ev.ID-1)%uint64(len(h.ring))]
	// Reuse the slot's buffer: the log then allocates nothing once full.
	// Readers copy bytes out under h.mu, so nobody holds the old slice.
	slot.sse = appendSSE(slot.sse[:0], ev)
	slot.ev = ev
	close(h.wake)
	h.wake = make(chan struct{})
	h.mu.Unlock()
	h.published.Add(1)
	return ev.ID
}

// Stats is a snapshot of a hub's counters.
type Stats struct {
	LastID    uint64 // id of the newest event, 0 before the first
	Clients   int    // connected SSE and WebSocket clients
	Published uint64 // events published since New
	Dropped   uint64 // clients disconnected for being too slow
}

// Stats reports the hub's counters.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return Stats{LastID: h.last, Clients: len(h.clients), Published: h.published.Load(), Dropped: h.dropped.Load()}
}

// oldestLocked is the id of the oldest event still in the log.
func (h *Hub) oldestLocked() uint64 {
	if h.last < uint64(len(h.ring)) {
		return 1
	}
	return h.last - uint64(len(h.ring)) + 1
}

// latest returns the newest event, or false before the first.
func (h *Hub) latest() (Event, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last == 0 {
		return Event{}, false
	}
	return h.ring[(h.last-1)%uint64(len(h.ring))].ev, true
}

// since returns up to max events after id, the id of the newest event and
// whether events after id have already left the log. An id beyond the
// newest means the client saw an earlier run of the server: it gets the
// whole log.
func (h *Hub) since(id uint64, max int) (evs []Event, last uint64, lost bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	from, lost := h.startLocked(id)
	for i := from; i <= h.last && len(evs) < max; i++ {
		evs = append(evs, h.ring[(i-1)%uint64(len(h.ring))].ev)
	}
	return evs, h.last, lost
}

// startLocked is the first id to send to a client that has id.
func (h *Hub) startLocked(id uint64) (from uint64, lost bool) {
	if id > h.last {
		id = 0
	}
	oldest := h.oldestLocked()
	if id+1 < oldest {
		return oldest, h.last > 0
	}
	return id + 1, false
}

// register adds a streaming client positioned after id (see since for an id
// beyond the newest). It returns the client and its backlog.
func (h *Hub) register(id uint64) (c *client, backlog uint64, lost bool, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, 0, false, ErrClosed
	}
	from, lost := h.startLocked(id)
	c = &client{}
	c.cursor.Store(from - 1)
	h.clients[c] = struct{}{}
	h.signalRoomLocked()
	return c, h.last - (from - 1), lost, nil
}

func (h *Hub) unregister(c *client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.signalRoomLocked()
	h.mu.Unlock()
}

// errTooSlow says a client's pending events exceeded its bound.
type errTooSlow struct {
	pending, bound uint64
}

func (e errTooSlow) Error() string {
	return "client too slow: " + strconv.FormatUint(e.pending, 10) + " events pending, bound " + strconv.FormatUint(e.bound, 10)
}

// next copies into buf the SSE framing of the client's next events (at most
// max) and returns their data for transports that send only the payload. It
// returns the channel that is closed on the next Publish when nothing is
// pending, and errTooSlow when the client's backlog exceeds bound.
func (h *Hub) next(c *client, bound uint64, max int, buf []byte, data []string) ([]byte, []string, <-chan struct{}, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cur := c.cursor.Load()
	if pending := h.last - cur; pending > bound || cur+1 < h.oldestLocked() {
		return buf, data, nil, errTooSlow{pending: pending, bound: bound}
	}
	if cur == h.last {
		return buf, data, h.wake, nil
	}
	for i := cur + 1; i <= h.last && max > 0; i, max = i+1, max-1 {
		e := &h.ring[(i-1)%uint64(len(h.ring))]
		buf = append(buf, e.sse...)
		data = append(data, e.ev.Data)
		cur = i
	}
	c.cursor.Store(cur)
	return buf, data, nil, nil
}

// advanced tells a waiting awaitRoom that a client moved on.
func (h *Hub) advanced() {
	if h.roomWanted.Load() {
		h.mu.Lock()
		h.signalRoomLocked()
		h.mu.Unlock()
	}
}

func (h *Hub) signalRoomLocked() {
	if h.room != nil {
		close(h.room)
		h.room = nil
	}
}

// awaitRoom blocks until at least one streaming client is connected and
// the slowest one has fewer than window events pending. It paces a source
// that publishes as fast as clients take messages (the generator at rate
// 0), so the log never runs away from the clients and none is dropped.
func (h *Hub) awaitRoom(ctx context.Context, window uint64) error {
	for {
		h.mu.Lock()
		// Flag first, then look: a client that advances after the look
		// sees the flag and closes h.room (see advanced).
		h.roomWanted.Store(true)
		if h.room == nil {
			h.room = make(chan struct{})
		}
		room := h.room
		ok := len(h.clients) > 0
		for c := range h.clients {
			if h.last-c.cursor.Load() >= window {
				ok = false
				break
			}
		}
		if ok {
			h.roomWanted.Store(false)
		}
		closed := h.closed
		h.mu.Unlock()
		if closed {
			return ErrClosed
		}
		if ok {
			return nil
		}
		select {
		case <-room:
		case <-h.done:
			return ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close ends every open stream, makes new requests fail with 503 and
// drops later Publish calls. It does not wait; Serve does.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
		h.signalRoomLocked()
	}
}

func (h *Hub) trackHijacked(c io.Closer, add bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if add {
		h.hijacked[c] = struct{}{}
	} else {
		delete(h.hijacked, c)
	}
}

func (h *Hub) closeHijacked() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.hijacked {
		c.Close()
	}
}

// Handler returns the hub's HTTP handler: /, /sse, /ws, /poll, /healthz.
// It can be mounted on any server; streams end when their request's
// context ends or the hub is closed.
func (h *Hub) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.onIndex)
	mux.HandleFunc("GET /healthz", h.onHealth)
	mux.HandleFunc("GET /sse", h.onSSE)
	mux.HandleFunc("GET /ws", h.onWS)
	mux.HandleFunc("GET /poll", h.onPoll)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		if h.closed {
			h.mu.Unlock()
			http.Error(w, "server shutting down", http.StatusServiceUnavailable)
			return
		}
		// Counted under h.mu so that Close followed by active.Wait sees
		// every handler that got past this check.
		h.active.Add(1)
		h.mu.Unlock()
		defer h.active.Done()
		mux.ServeHTTP(w, r)
	})
}

// Serve serves the hub on ln until ctx ends or serving fails. On return
// the hub is closed, ln and every client connection are closed, and every
// handler has returned.
func (h *Hub) Serve(ctx context.Context, ln net.Listener) error {
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		ln.Close()
		return ErrClosed
	}
	srv := &http.Server{
		Handler:           h.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelWarn),
	}
	h.log.Info("serving", "url", "http://"+ln.Addr().String()+"/")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	h.Close()
	// Close, not Shutdown: streams never go idle, and h.Close has already
	// told every handler to finish.
	srv.Close()
	if err == nil {
		<-errc
	}
	// WebSocket handlers got h.done and are saying goodbye; one stuck in
	// a write to a peer that reads nothing would hold us up to WriteWait.
	idle := make(chan struct{})
	go func() { h.active.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-time.After(time.Second):
		h.closeHijacked()
		<-idle
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// StartDemo serves a hub fed by the built-in generator (DefaultRate
// messages/s) on a free 127.0.0.1 port. It returns the base URL
// ("http://127.0.0.1:PORT") and stop, which shuts everything down and
// returns once every goroutine has ended. Cancelling ctx also stops it.
func StartDemo(ctx context.Context) (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	// The app is the only client: its connections are not news.
	h := New(Options{Logger: slog.New(minLevel{slog.Default().Handler(), slog.LevelWarn})})
	var wg sync.WaitGroup
	wg.Go(func() { _ = h.Serve(ctx, ln) })
	wg.Go(func() { _ = RunGenerator(ctx, h, GeneratorOptions{}) })
	return "http://" + ln.Addr().String(), func() { cancel(); wg.Wait() }, nil
}

// sanitizeLine keeps a value on one line so it cannot inject SSE fields.
func sanitizeLine(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
	}
	return s
}

// minLevel drops records below its level.
type minLevel struct {
	slog.Handler
	level slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.level && m.Handler.Enabled(ctx, l)
}

func (m minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{m.Handler.WithAttrs(attrs), m.level}
}

func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{m.Handler.WithGroup(name), m.level}
}
