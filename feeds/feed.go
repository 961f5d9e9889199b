package feeds

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Transport says how a feed reaches its server.
type Transport int

const (
	// Auto picks WebSocket for ws:// and wss:// URLs; for http(s) the
	// Content-Type of the first response decides (text/event-stream means
	// SSE, anything else polling).
	Auto Transport = iota
	// Poll fetches the URL with GET at a fixed interval.
	Poll
	// WebSocket keeps one WebSocket connection open.
	WebSocket
	// SSE reads a text/event-stream (Server-Sent Events).
	SSE
	// LongPoll sends one GET after another, each of which the server may
	// hold until it has something new (Prefer: wait), carrying the cursor
	// in the conditional headers as Poll does. Auto never chooses it: a
	// response does not tell a long-polling server from a polling one.
	LongPoll
)

// MQTT subscribes to a topic filter on an MQTT 3.1.1 broker (mqtt:// and
// mqtts:// URLs).
const MQTT Transport = LongPoll + 1

// File replays a recording that package recording reads (long or wide
// CSV, JSON Lines, gzipped or not): one message per recorded time, carrying
// its samples in Message.Samples, spaced as recorded divided by the speed.
// Auto picks it for file URLs: file:///abs/path.csv (or
// file://localhost/abs/path.csv) and file:rel/path.csv, relative to the
// working directory; characters such as ? and # in a path are written
// %3F and %23. The query may set speed=X (10 plays ten times as fast, 0 as
// fast as the handler takes messages; default 1) and loop=1 (start over at
// the end, each pass later in time than the last). Without loop the end of
// the recording stops the feed with no error, and Run returns nil. A file
// that cannot be read stops it with a permanent error.
const File Transport = MQTT + 1

var transportNames = [...]string{Auto: "auto", Poll: "poll", WebSocket: "ws", SSE: "sse", LongPoll: "longpoll", MQTT: "mqtt", File: "file"}

// known reports whether t is a transport this package has.
func (t Transport) known() bool {
	return t >= 0 && int(t) < len(transportNames) && transportNames[t] != ""
}

// String returns the short name used on the command line: auto, poll, ws,
// sse, longpoll, mqtt, file.
func (t Transport) String() string {
	if t.known() {
		return transportNames[t]
	}
	return fmt.Sprintf("Transport(%d)", int(t))
}

// Title returns the name shown in menus: Auto, Polling, WebSocket, SSE,
// Long polling, MQTT, Recording file.
func (t Transport) Title() string {
	switch t {
	case Auto:
		return "Auto"
	case Poll:
		return "Polling"
	case WebSocket:
		return "WebSocket"
	case SSE:
		return "SSE"
	case LongPoll:
		return "Long polling"
	case MQTT:
		return "MQTT"
	case File:
		return "Recording file"
	}
	return t.String()
}

// Transports lists every transport in menu order.
var Transports = []Transport{Auto, Poll, LongPoll, WebSocket, SSE, MQTT, File}

// ParseTransport accepts the names String and Title return, in any case,
// plus "polling", "websocket", "long-poll", "recording" and "" (Auto).
func ParseTransport(s string) (Transport, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return Auto, nil
	case "poll", "polling", "http":
		return Poll, nil
	case "ws", "wss", "websocket":
		return WebSocket, nil
	case "sse", "eventsource", "event-stream":
		return SSE, nil
	case "longpoll", "long-poll", "longpolling", "long polling":
		return LongPoll, nil
	case "mqtt", "mqtts":
		return MQTT, nil
	case "file", "recording", "recording file", "replay":
		return File, nil
	}
	return Auto, fmt.Errorf("feeds: unknown transport %q (want auto, poll, longpoll, ws, sse, mqtt or file)", s)
}

// Defaults for the zero values of Config's fields.
const (
	DefaultPollInterval     = time.Second
	DefaultRequestTimeout   = 10 * time.Second
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultHeartbeat        = 15 * time.Second
	DefaultReadLimit        = 1 << 20
	DefaultHold             = 30 * time.Second
)

// Config describes a feed. Its zero value, given a URL, is a working feed:
// every zero field means the documented default.
type Config struct {
	// URL of the server: http(s)://, ws(s):// or mqtt(s):// (see
	// Transport MQTT for the form of MQTT URLs), or of a recording to
	// replay: file:///abs/path or file:relative/path (see Transport File).
	URL string
	// Transport to use; Auto (the zero value) decides from the URL and
	// the first response.
	Transport Transport
	// Header is sent with every request and WebSocket handshake
	// (Authorization, Cookie, Origin, ...). Its values never appear in
	// errors or states. ${NAME} in a value is the environment variable
	// NAME, read when Run starts; an unset one stops the feed.
	Header http.Header

	// PollInterval is the time between polls. Long polling waits at least
	// this long between requests that bring nothing new, so a server that
	// does not hold requests is not hammered. Default 1 s.
	PollInterval time.Duration
	// RequestTimeout bounds one poll request, and the time to receive the
	// response headers of an SSE stream. Default 10 s.
	RequestTimeout time.Duration
	// Hold is how long a long-polling request may wait at the server for
	// something new, asked for with Prefer: wait=N (whole seconds,
	// rounded up). The request itself times out RequestTimeout later.
	// Default 30 s.
	Hold time.Duration
	// HandshakeTimeout bounds a WebSocket handshake. Default 10 s.
	HandshakeTimeout time.Duration
	// Heartbeat is the WebSocket ping interval: a peer that answers
	// nothing within two intervals is declared dead and the feed
	// reconnects. It is also the MQTT keep-alive. Default 15 s.
	Heartbeat time.Duration
	// PingText, when set, is sent as a text message after a Heartbeat
	// interval without a data message or a PongText reply (protocol pongs
	// do not count), and a connection that then answers nothing within
	// the next interval is dropped: the application heartbeat of the
	// original article's browser client, e.g. "ping".
	PingText string
	// PongText is the reply to PingText (e.g. "pong"); a text message
	// equal to it counts as a heartbeat, never as data.
	PongText string
	// ReadLimit is the largest message (WebSocket frame, SSE event, poll
	// body) accepted, in bytes. Default 1 MiB. Larger messages are an
	// error that reconnects.
	ReadLimit int64

	// MQTTUsername and MQTTPassword are sent in the MQTT CONNECT when the
	// URL carries no user name of its own. The password never appears in
	// errors or states.
	MQTTUsername string
	MQTTPassword string

	// TLS, when non-nil, is used for https, wss and mqtts (for example to
	// trust a private CA).
	TLS *tls.Config
	// InsecureSkipVerify turns off TLS certificate verification. Off by
	// default; the app shows a warning while it is on.
	InsecureSkipVerify bool

	// Backoff decides reconnect delays; the zero value means the defaults
	// documented on Backoff.
	Backoff Backoff
}

func (c Config) pollInterval() time.Duration {
	return orDefault(c.PollInterval, DefaultPollInterval)
}
func (c Config) requestTimeout() time.Duration {
	return orDefault(c.RequestTimeout, DefaultRequestTimeout)
}
func (c Config) hold() time.Duration { return orDefault(c.Hold, DefaultHold) }
func (c Config) handshakeTimeout() time.Duration {
	return orDefault(c.HandshakeTimeout, DefaultHandshakeTimeout)
}
func (c Config) heartbeat() time.Duration { return orDefault(c.Heartbeat, DefaultHeartbeat) }
func (c Config) readLimit() int64 {
	if c.ReadLimit > 0 {
		return c.ReadLimit
	}
	return DefaultReadLimit
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// State is where a feed's connection stands.
type State int

const (
	// Connecting: the first attempt, or a new transport, is under way.
	Connecting State = iota
	// Connected: the connection is up (for polling: the last request
	// succeeded).
	Connected
	// Reconnecting: the connection failed; the next attempt comes after
	// Status.Delay.
	Reconnecting
	// Stopped: the feed has ended, for good (Status.Err says why; nil
	// when its context was cancelled).
	Stopped
)

func (s State) String() string {
	switch s {
	case Connecting:
		return "Connecting"
	case Connected:
		return "Connected"
	case Reconnecting:
		return "Reconnecting"
	case Stopped:
		return "Stopped"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Status is a state change.
type Status struct {
	State State
	// Transport in use (resolved: never Auto once known).
	Transport Transport
	// Attempt counts attempts that delivered nothing since the last
	// connection that showed the link works: one that delivered a message
	// or a keep-alive (Reconnecting only; the first retry is attempt 1).
	Attempt int
	// Delay until the next attempt (Reconnecting only).
	Delay time.Duration
	// Err is the cause of Reconnecting, or the final error of Stopped
	// (nil when the feed was stopped by its context).
	Err error
	// Time the state was entered.
	Time time.Time
}

// Message is one payload from the server.
type Message struct {
	// Data is the payload: a poll body, a WebSocket frame, an SSE
	// event's data or an MQTT message's payload. The receiver owns it.
	Data []byte
	// Event is the SSE event type ("" when the event had no event: line).
	Event string
	// ID is the SSE event id, when there is one.
	ID string
	// Topic is the MQTT topic the message was published on; the decoder
	// names its series after it.
	Topic string
	// ContentType of the HTTP response that carried the message (polling
	// and SSE), used by the decoder to recognise Prometheus text.
	ContentType string
	// Binary is true for a binary WebSocket frame.
	Binary bool
	// Samples and Texts, when either is set, are the message already
	// decoded, and Data is empty: the file transport replays samples read
	// from a recording (their names and values exact, whatever the names
	// look like) and reports the recording's bad lines as texts. A
	// Decoder passes them through. The receiver owns both.
	Samples []Sample
	Texts   []Text
	// Time of arrival.
	Time time.Time
}

// Kind tells which field of an Event is set.
type Kind int

const (
	// KindMessage: Event.Message holds a message.
	KindMessage Kind = iota
	// KindStatus: Event.Status holds a state change.
	KindStatus
)

// Event is one thing a feed delivers: a message or a state change.
type Event struct {
	Kind    Kind
	Message Message
	Status  Status
}

// Handler receives a feed's events, in order, from one goroutine at a
// time. It should return quickly: the feed does not read while it runs.
type Handler func(Event)
