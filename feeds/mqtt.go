package feeds

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// MQTT URLs: mqtt://[user[:password]@]host[:1883]/topic/filter and
// mqtts://…:8883/… . The path is the topic filter, with + and # (written
// # or %23); the query takes qos=0|1, client_id= and
// session=clean|persistent.
const (
	mqttPort    = "1883"
	mqttTLSPort = "8883"
	// mqttQueueLen and mqttQueueBytes bound what the library's goroutine
	// may hand to the supervisor's before the supervisor takes it (see
	// mqttQueue).
	mqttQueueLen   = 4096
	mqttQueueBytes = 32 << 20
	// mqttQuiesce is how long a clean disconnect waits for work in flight.
	mqttQuiesce = 100 // ms
)

// mqttTarget is what an MQTT URL asks for, checked once before the first
// attempt.
type mqttTarget struct {
	addr     string // host:port
	tls      bool
	filter   string
	qos      byte
	clientID string
	clean    bool
	user     string
	password string
}

// escapeMQTTHash writes a # in an mqtt:// or mqtts:// URL as %23, so that
// the multi-level wildcard typed as is (mqtt://host/plant/#) stays in the
// path instead of starting a URL fragment. Other URLs are returned as they
// are.
func escapeMQTTHash(raw string) string {
	lower := strings.ToLower(strings.TrimSpace(raw))
	if !strings.HasPrefix(lower, "mqtt://") && !strings.HasPrefix(lower, "mqtts://") {
		return raw
	}
	return strings.ReplaceAll(raw, "#", "%23")
}

// initMQTT matches the transport with the URL's scheme and, for an MQTT
// URL, reads the target from it. A mismatch is said plainly rather than
// guessed around: an MQTT broker does not speak HTTP and the other way
// round.
func (s *supervisor) initMQTT(u *url.URL) error {
	isMQTT := u.Scheme == "mqtt" || u.Scheme == "mqtts"
	switch {
	case !isMQTT && s.transport == MQTT:
		return &ConfigError{Msg: fmt.Sprintf("feeds: the MQTT transport needs an mqtt:// or mqtts:// URL, not %s://", u.Scheme)}
	case !isMQTT:
		return nil
	case s.transport == Auto:
		s.transport = MQTT
	case s.transport != MQTT:
		return &ConfigError{Msg: fmt.Sprintf("feeds: %s:// URLs are read with the MQTT transport, not %s (choose MQTT or Auto)", u.Scheme, s.transport.Title())}
	}
	t, err := parseMQTTURL(u)
	if err != nil {
		return err
	}
	if t.user == "" && u.User == nil {
		t.user, t.password = s.cfg.MQTTUsername, s.cfg.MQTTPassword
	}
	s.mqtt = t
	s.mqttSeen = newMQTTSeen()
	return nil
}

// parseMQTTURL reads an mqtt:// or mqtts:// URL whose # has been escaped.
// Errors never quote the URL (it may carry a password).
func parseMQTTURL(u *url.URL) (*mqttTarget, error) {
	t := &mqttTarget{tls: u.Scheme == "mqtts", qos: 0, clean: true}
	port := u.Port()
	if port == "" {
		port = mqttPort
		if t.tls {
			port = mqttTLSPort
		}
	}
	t.addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		t.user = u.User.Username()
		t.password, _ = u.User.Password()
	}
	t.filter = strings.TrimPrefix(u.Path, "/")
	if t.filter == "" {
		return nil, &ConfigError{Msg: "feeds: the MQTT URL names no topic: put the topic filter in the path, e.g. mqtt://host/plant/#"}
	}
	if err := checkTopicFilter(t.filter); err != nil {
		return nil, &ConfigError{Msg: "feeds: MQTT topic filter " + err.Error()}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, &ConfigError{Msg: fmt.Sprintf("feeds: malformed query in the MQTT URL: %v", err)}
	}
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch k {
		case "qos":
			switch v {
			case "0":
			case "1":
				t.qos = 1
			default:
				return nil, &ConfigError{Msg: fmt.Sprintf("feeds: MQTT qos=%s: want 0 or 1", v)}
			}
		case "client_id":
			if v == "" || len(v) > 65535 {
				return nil, &ConfigError{Msg: "feeds: MQTT client_id must not be empty"}
			}
			t.clientID = v
		case "session":
			switch v {
			case "clean":
			case "persistent":
				t.clean = false
			default:
				return nil, &ConfigError{Msg: fmt.Sprintf("feeds: MQTT session=%s: want clean or persistent", v)}
			}
		default:
			return nil, &ConfigError{Msg: fmt.Sprintf("feeds: unknown MQTT URL parameter %q (want qos, client_id or session)", k)}
		}
	}
	if t.clientID == "" {
		// One id for the whole run, so that a persistent session is
		// found again on every reconnect.
		var b [6]byte
		_, _ = rand.Read(b[:])
		t.clientID = "feedscope-" + hex.EncodeToString(b[:])
	}
	return t, nil
}

// checkTopicFilter applies MQTT 3.1.1 section 4.7: # only as the whole
// last level, + only as a whole level, no NUL, at most 65535 bytes.
func checkTopicFilter(f string) error {
	if len(f) > 65535 {
		return errors.New("is longer than 65535 bytes")
	}
	if strings.ContainsRune(f, 0) {
		return errors.New("contains a NUL character")
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		switch {
		case l == "#" && i != len(levels)-1:
			return fmt.Errorf("%q: # must be the last level", f)
		case l != "#" && strings.Contains(l, "#"):
			return fmt.Errorf("%q: # must be a whole level (plant/#)", f)
		case l != "+" && strings.Contains(l, "+"):
			return fmt.Errorf("%q: + must be a whole level (plant/+/temp)", f)
		}
	}
	return nil
}

// MQTTRefusedError is a broker's refusal of the connection: a CONNACK
// return code other than 0.
type MQTTRefusedError struct{ Code byte }

func (e *MQTTRefusedError) Error() string {
	switch e.Code {
	case 1:
		return "the MQTT broker does not accept protocol 3.1.1 (CONNACK 1)"
	case 2:
		return "the MQTT broker rejected the client id (CONNACK 2)"
	case 3:
		return "the MQTT broker is unavailable (CONNACK 3)"
	case 4:
		return "the MQTT broker refused the connection: bad user name or password (CONNACK 4); check the user name and password"
	case 5:
		// Mosquitto answers 5, not 4, to a wrong password.
		return "the MQTT broker refused the connection: not authorised (CONNACK 5); check the user name and password"
	}
	return fmt.Sprintf("the MQTT broker refused the connection (CONNACK %d)", e.Code)
}

// Permanent reports whether retrying cannot help: everything but "server
// unavailable" needs a change of URL, credentials or broker.
func (e *MQTTRefusedError) Permanent() bool { return e.Code != 3 }

// MQTTSubscribeError is a broker's refusal of the subscription (SUBACK
// 0x80): the filter is not allowed for this client.
type MQTTSubscribeError struct{ Filter string }

func (e *MQTTSubscribeError) Error() string {
	return fmt.Sprintf("the MQTT broker refused the subscription to %q (not authorised for this topic, or a filter it does not accept)", e.Filter)
}

// Permanent is true: the same subscription would be refused again.
func (e *MQTTSubscribeError) Permanent() bool { return true }

// runMQTT is one attempt: connect, subscribe, then deliver messages until
// the connection fails or ctx ends. The supervisor owns reconnection: the
// library's auto-reconnect and connect-retry are off, and every attempt is
// a new client that subscribes again.
func (s *supervisor) runMQTT(ctx context.Context) error {
	t := s.mqtt
	q := newMQTTQueue(s.cfg.readLimit(), s.clk)
	d := &mqttDialer{ctx: ctx, t: t, timeout: s.cfg.handshakeTimeout()}
	if t.tls {
		d.tls = s.tlsConfig()
	}
	opts := mqtt.NewClientOptions().
		// Only a name: the connection is opened by mqttDialer.
		AddBroker("tcp://" + t.addr).
		SetCustomOpenConnectionFn(d.open).
		SetClientID(t.clientID).
		SetUsername(t.user).
		SetPassword(t.password).
		SetCleanSession(t.clean).
		// Explicit, or the library retries a refused CONNECT with 3.1 and
		// reports that refusal instead of the first.
		SetProtocolVersion(4).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetKeepAlive(s.cfg.heartbeat()).
		SetPingTimeout(s.cfg.heartbeat()).
		SetConnectTimeout(s.cfg.handshakeTimeout()).
		SetWriteTimeout(wsWriteWait).
		// In order (the chart refuses samples older than the last), on
		// the library's goroutine: the handler only queues, so it never
		// holds up keep-alives (upstream #208, #453).
		SetOrderMatters(true).
		// Messages of a persistent session can arrive before our SUBACK,
		// so every message goes to the default handler.
		SetDefaultPublishHandler(q.onMessage).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) { q.fail(s.mqttLost(err)) })
	c := mqtt.NewClient(opts)

	ct := c.Connect()
	if !d.wait(ctx, ct) {
		c.Disconnect(0)
		return ctx.Err()
	}
	if err := ct.Error(); err != nil {
		return s.mqttConnectError(ct.(*mqtt.ConnectToken), d, err)
	}
	st := c.Subscribe(t.filter, t.qos, nil)
	if !waitToken(ctx, st, s.cfg.handshakeTimeout()) {
		c.Disconnect(0)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("MQTT %s: no answer to SUBSCRIBE within %s", t.addr, s.cfg.handshakeTimeout())
	}
	if err := st.Error(); err != nil {
		c.Disconnect(0)
		return s.wrapNetErr("MQTT subscribe", err)
	}
	if code, ok := st.(*mqtt.SubscribeToken).Result()[t.filter]; ok && code >= 0x80 {
		c.Disconnect(mqttQuiesce)
		return &MQTTSubscribeError{Filter: t.filter}
	}
	s.markConnected()
	// Accepted and subscribed: the link works, even if the topic is
	// quiet and the network then cuts it.
	s.lively = true

	for {
		select {
		case <-ctx.Done():
			c.Disconnect(mqttQuiesce)
			return ctx.Err()
		case m := <-q.ch:
			s.emitMQTT(q, m)
		case <-q.failed:
			// What arrived before the failure is delivered before the
			// Reconnecting that follows; after Disconnect the library
			// calls the handler no more.
			c.Disconnect(0)
			for {
				select {
				case m := <-q.ch:
					s.emitMQTT(q, m)
				default:
					return q.err()
				}
			}
		}
	}
}

// mqttConnectError turns a failed CONNECT into the error the user sees:
// the broker's refusal, or what went wrong on the network.
func (s *supervisor) mqttConnectError(ct *mqtt.ConnectToken, d *mqttDialer, err error) error {
	if rc := ct.ReturnCode(); rc > 0 && rc < 0x80 {
		return &MQTTRefusedError{Code: rc}
	}
	if derr := d.dialErr(); derr != nil {
		// The library's error says "network Error : " and then this.
		return s.wrapNetErr("MQTT", derr)
	}
	return s.wrapNetErr("MQTT", err)
}

// mqttLost words a lost connection: a broker that hangs up (it restarts,
// or takes over our client id for another connection) ends the stream.
func (s *supervisor) mqttLost(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("MQTT %s: %w", s.mqtt.addr, errStreamEnded)
	}
	return s.wrapNetErr("MQTT", err)
}

// waitToken waits for tok until timeout or ctx ends; false when it did not
// complete.
func waitToken(ctx context.Context, tok mqtt.Token, timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-tok.Done():
		return true
	case <-ctx.Done():
	case <-t.C:
	}
	return false
}

// mqttDialer opens the broker connection for the library, so that
// cancelling the feed ends a connect at once: the dial takes the context,
// and a connection still waiting for its CONNACK is closed.
type mqttDialer struct {
	ctx     context.Context
	t       *mqttTarget
	tls     *tls.Config
	timeout time.Duration

	mu      sync.Mutex
	conn    net.Conn
	err     error
	aborted bool
}

func (d *mqttDialer) open(*url.URL, mqtt.ClientOptions) (net.Conn, error) {
	nd := &net.Dialer{Timeout: d.timeout, KeepAlive: 15 * time.Second}
	var conn net.Conn
	var err error
	if d.tls != nil {
		conn, err = (&tls.Dialer{NetDialer: nd, Config: d.tls}).DialContext(d.ctx, "tcp", d.t.addr)
	} else {
		conn, err = nd.DialContext(d.ctx, "tcp", d.t.addr)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		d.err = err
		return nil, err
	}
	if d.aborted {
		conn.Close()
		return nil, context.Canceled
	}
	d.conn = conn
	return conn, nil
}

func (d *mqttDialer) dialErr() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// wait waits for the CONNECT to complete; when ctx ends first it closes
// the connection being set up and waits for the library to give up on it,
// so that none of its goroutines outlives the attempt. It reports whether
// ctx was still live.
func (d *mqttDialer) wait(ctx context.Context, ct mqtt.Token) bool {
	select {
	case <-ct.Done():
		return true
	case <-ctx.Done():
	}
	d.mu.Lock()
	d.aborted = true
	if d.conn != nil {
		d.conn.Close()
	}
	d.mu.Unlock()
	<-ct.Done()
	return false
}

// mqttQueue hands messages from the library's goroutine to the
// supervisor's. The library's handler must not block (it would stall the
// network loop and keep-alives), so the queue is bounded, in messages and
// in bytes, and when it is full the connection is given up: the message
// is dropped and counted, the supervisor delivers what is queued, drops
// the connection with an error that says how many were dropped, and
// reconnects — so the chart marks the gap, and a persistent session with
// QoS 1 gets the rest from the broker. Memory stays bounded however fast
// the broker sends and however slow the Handler is.
type mqttQueue struct {
	ch       chan mqttMessage
	limit    int64 // largest payload
	maxBytes int64
	clk      clock

	bytes   atomic.Int64 // payload bytes in ch
	dropped atomic.Int64 // messages dropped once the queue failed
	once    sync.Once
	failed  chan struct{} // closed by the first fail
	cause   error         // set before failed is closed
}

func newMQTTQueue(limit int64, clk clock) *mqttQueue {
	return &mqttQueue{
		ch:       make(chan mqttMessage, mqttQueueLen),
		limit:    limit,
		maxBytes: max(mqttQueueBytes, 2*limit),
		clk:      clk,
		failed:   make(chan struct{}),
	}
}

// onMessage runs on the library's goroutine and never blocks.
func (q *mqttQueue) onMessage(_ mqtt.Client, pm mqtt.Message) {
	select {
	case <-q.failed:
		q.dropped.Add(1)
		return
	default:
	}
	data := pm.Payload()
	n := int64(len(data))
	if n > q.limit {
		q.dropped.Add(1)
		q.fail(fmt.Errorf("MQTT: message on %q: %w", clipText([]byte(pm.Topic())), &ErrTooLarge{Limit: q.limit}))
		return
	}
	if q.bytes.Add(n) > q.maxBytes {
		q.bytes.Add(-n)
		q.overflow()
		return
	}
	select {
	case q.ch <- mqttMessage{Message{Data: data, Topic: pm.Topic(), Time: q.clk.Now()}, pm.Retained()}:
	default:
		q.bytes.Add(-n)
		q.overflow()
	}
}

func (q *mqttQueue) overflow() {
	q.dropped.Add(1)
	q.fail(errMQTTOverflow)
}

var errMQTTOverflow = errors.New("MQTT: messages arrived faster than they were taken")

// take accounts for a message the supervisor took from ch.
func (q *mqttQueue) take(m Message) { q.bytes.Add(-int64(len(m.Data))) }

// mqttMessage is a message in the queue: retained says the broker sent it
// because of our SUBSCRIBE, from what it keeps for the topic, not as it
// was published.
type mqttMessage struct {
	Message
	retained bool
}

// emitMQTT takes m from q and delivers it, unless it is a retained message
// the feed has shown already.
func (s *supervisor) emitMQTT(q *mqttQueue, m mqttMessage) {
	q.take(m.Message)
	if s.mqttSeen.fresh(m.Topic, m.Data, m.retained) {
		s.emitMessage(m.Message)
	}
}

// mqttSeen remembers, per topic, the last payload the feed delivered and
// the last retained one. A broker sends a topic's retained message again
// on every SUBSCRIBE, so on every reconnect: shown again, an old value
// would come back as a new point at the time of the reconnect. A retained
// message equal to the last shown on its topic, or to the last retained
// one, is skipped; one that changed while the feed was away is shown. Used
// on the supervisor's goroutine only.
type mqttSeen struct {
	seed   maphash.Seed
	topics map[string]seenPayloads
}

// seenPayloads are the hashes of a topic's last payload and last retained
// payload.
type seenPayloads struct{ last, retained uint64 }

// mqttSeenTopics bounds the topics remembered; a topic beyond them is
// never skipped.
const mqttSeenTopics = 10000

func newMQTTSeen() *mqttSeen {
	return &mqttSeen{seed: maphash.MakeSeed(), topics: map[string]seenPayloads{}}
}

// fresh reports whether a message is news, and remembers it if so.
func (m *mqttSeen) fresh(topic string, data []byte, retained bool) bool {
	h := maphash.Bytes(m.seed, data)
	p, ok := m.topics[topic]
	if retained && ok && (h == p.last || h == p.retained) {
		return false
	}
	if !ok && len(m.topics) >= mqttSeenTopics {
		return true
	}
	p.last = h
	if retained {
		p.retained = h
	}
	m.topics[topic] = p
	return true
}

// fail ends the connection with err; only the first cause counts.
func (q *mqttQueue) fail(err error) {
	q.once.Do(func() {
		q.cause = err
		close(q.failed)
	})
}

// err is the failure the connection ends with, saying how many messages
// it dropped. Call it only after failed is closed.
func (q *mqttQueue) err() error {
	if n := q.dropped.Load(); n > 0 && errors.Is(q.cause, errMQTTOverflow) {
		return fmt.Errorf("%w: %d dropped (the queue of %d messages or %d MiB was full)", q.cause, n, mqttQueueLen, q.maxBytes>>20)
	}
	return q.cause
}
