package feeds

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Run runs the feed described by cfg until ctx ends or the feed stops for
// good, delivering every message and state change to h. It returns the
// final error (nil when ctx ended it). No goroutine it started outlives it.
func Run(ctx context.Context, cfg Config, h Handler) error {
	return newSupervisor(cfg, h, realClock{}).run(ctx)
}

// supervisor is the one reconnect loop of a feed (the original article's
// lockReconnect: there is never a second). Every connection attempt runs
// on its goroutine, and so does every call of the Handler.
type supervisor struct {
	cfg Config
	h   Handler
	clk clock

	url       *url.URL
	pollURL   string    // url as http(s), for poll and SSE requests
	transport Transport // resolved; Auto until the first response decides
	client    *http.Client
	httpTr    *http.Transport
	sse       sseState
	poll      pollState
	mqtt      *mqttTarget // set for mqtt:// and mqtts:// URLs
	mqttSeen  *mqttSeen   // what an MQTT feed has shown, across reconnects
	file      *fileTarget // set for file: URLs

	connected bool // Connected was emitted for the current connection
	delivered bool // the current connection delivered a message
	// lively is set when the current connection, without a message,
	// showed the server at work: an SSE keep-alive comment, a WebSocket
	// pong or ping, a poll's "nothing new", a granted MQTT subscription.
	// Such a link works, only quietly: it resets the backoff as a message
	// does.
	lively bool
	// answered is set when the current attempt's SSE request got an
	// HTTP response, whatever its status.
	answered bool
	// serverRetry is the reconnect delay an SSE server asked for with
	// retry:; zero when none (retry: 0 included: the backoff decides).
	serverRetry time.Duration
}

func newSupervisor(cfg Config, h Handler, clk clock) *supervisor {
	return &supervisor{cfg: cfg, h: h, clk: clk, transport: cfg.Transport}
}

func (s *supervisor) run(ctx context.Context) error {
	if err := s.init(); err != nil {
		s.emitStatus(Status{State: Stopped, Err: err})
		return err
	}
	defer s.httpTr.CloseIdleConnections()
	s.emitStatus(Status{State: Connecting})

	attempt := 0 // attempts in a row that delivered nothing
	for {
		start := s.clk.Now()
		s.connected, s.delivered, s.lively, s.answered = false, false, false, false
		// A server's retry: holds until an attempt the server answered
		// (an error status included) brings none; an attempt that never
		// got an answer says nothing about it.
		retry := s.serverRetry
		s.serverRetry = 0
		err := s.connect(ctx)
		if !s.connected && !s.answered {
			s.serverRetry = retry
		}
		if ctx.Err() != nil {
			s.emitStatus(Status{State: Stopped})
			return nil
		}
		if err == nil {
			err = errStreamEnded
		}
		if errors.Is(err, errRecordingEnded) {
			s.emitStatus(Status{State: Stopped})
			return nil
		}
		if isPermanent(err) {
			s.emitStatus(Status{State: Stopped, Err: err})
			return err
		}
		if s.proven() {
			// The link works, even if it drops often: come back at the
			// first step, not after the failures before it.
			attempt = 0
		}
		attempt++
		delay := s.nextDelay(err, attempt, start)
		s.emitStatus(Status{State: Reconnecting, Attempt: attempt, Delay: delay, Err: err})
		fire, stop := s.clk.After(delay)
		select {
		case <-ctx.Done():
			stop()
			s.emitStatus(Status{State: Stopped})
			return nil
		case <-fire:
		}
	}
}

// nextDelay is the wait before retry number attempt, after a connection
// that started at start ended with err. The server's word comes first:
// Retry-After on a 429 or 503, then an SSE retry: field, which sets the
// first delay exactly (as a browser's EventSource does) but never past the
// cap; attempts that deliver nothing after it back off from it as they
// would from the backoff's first step. Otherwise the backoff decides.
// Whoever decides, after a connection that proved the link works, the
// next one starts no sooner than the floor after it. Without the growth
// and the floor, a server that sends retry: 1 and hangs up, or then goes
// away, would be reconnected to a thousand times a second.
func (s *supervisor) nextDelay(err error, attempt int, start time.Time) time.Duration {
	b := s.cfg.Backoff
	var delay time.Duration
	switch hint := retryHint(err); {
	case hint > 0:
		delay = hint
	case s.serverRetry > 0:
		delay = Backoff{Initial: s.serverRetry, Max: b.Max, Factor: b.Factor, Jitter: -1}.Delay(attempt)
	default:
		delay = b.Delay(attempt)
	}
	if s.proven() {
		if wait := start.Add(b.floor()).Sub(s.clk.Now()); wait > delay {
			delay = wait
		}
	}
	return delay
}

// init checks the URL and builds the HTTP client shared by every attempt.
func (s *supervisor) init() error {
	u, err := url.Parse(escapeMQTTHash(s.cfg.URL))
	if err != nil {
		return malformedURL(err)
	}
	switch u.Scheme {
	case "http", "https", "ws", "wss", "mqtt", "mqtts", "file":
	case "":
		return &ConfigError{Msg: fmt.Sprintf("feeds: URL %q has no scheme (want http://, https://, ws://, wss://, mqtt://, mqtts://, or file: for a recording)", redact(u))}
	default:
		return &ConfigError{Msg: fmt.Sprintf("feeds: unsupported URL scheme %q (want http, https, ws, wss, mqtt, mqtts or file)", u.Scheme)}
	}
	if u.Host == "" && u.Scheme != "file" {
		return &ConfigError{Msg: fmt.Sprintf("feeds: URL %q has no host", redact(u))}
	}
	if !s.transport.known() {
		return &ConfigError{Msg: fmt.Sprintf("feeds: unknown transport %d", int(s.transport))}
	}
	if err := s.initMQTT(u); err != nil {
		return err
	}
	if err := s.initFile(u); err != nil {
		return err
	}
	if s.transport == Auto && (u.Scheme == "ws" || u.Scheme == "wss") {
		s.transport = WebSocket
	}
	s.url = u
	s.pollURL = s.httpURL()
	if s.cfg.Header, err = expandEnvHeader(s.cfg.Header); err != nil {
		return err
	}

	s.httpTr = &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout: s.cfg.handshakeTimeout(),
			// TCP keep-alives find a peer whose host is gone; the SSE
			// reader's idle watchdog finds a stream that merely stalls.
			KeepAlive: 15 * time.Second,
		}).DialContext,
		TLSClientConfig:       s.tlsConfig(),
		TLSHandshakeTimeout:   s.cfg.handshakeTimeout(),
		ResponseHeaderTimeout: s.cfg.requestTimeout(),
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	// No Client.Timeout: it would cut every SSE stream (it covers reading
	// the body). Polls bound themselves with a per-request context.
	s.client = &http.Client{Transport: s.httpTr, CheckRedirect: checkRedirect}
	return nil
}

func (s *supervisor) tlsConfig() *tls.Config {
	var c *tls.Config
	if s.cfg.TLS != nil {
		c = s.cfg.TLS.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if s.cfg.InsecureSkipVerify {
		c.InsecureSkipVerify = true
	}
	return c
}

const maxRedirects = 10

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return &ConfigError{Msg: fmt.Sprintf("feeds: stopped after %d redirects (a redirect loop?)", maxRedirects)}
	}
	return nil
}

// connect runs one connection until it fails or ctx ends.
func (s *supervisor) connect(ctx context.Context) error {
	switch s.transport {
	case Auto:
		return s.runAuto(ctx)
	case Poll:
		return s.runPoll(ctx, s.clk.Now())
	case WebSocket:
		return s.runWS(ctx)
	case SSE:
		return s.runSSE(ctx)
	case LongPoll:
		return s.runLongPoll(ctx)
	case MQTT:
		return s.runMQTT(ctx)
	case File:
		return s.runFile(ctx)
	}
	return fmt.Errorf("feeds: unknown transport %d", int(s.transport))
}

func (s *supervisor) emitStatus(st Status) {
	st.Transport = s.transport
	st.Time = s.clk.Now()
	s.h(Event{Kind: KindStatus, Status: st})
}

// markConnected emits Connected once per connection.
func (s *supervisor) markConnected() {
	if !s.connected {
		s.connected = true
		s.emitStatus(Status{State: Connected})
	}
}

// proven reports whether the current connection showed the link works: it
// delivered a message or, quiet, a keep-alive.
func (s *supervisor) proven() bool { return s.delivered || s.lively }

func (s *supervisor) emitMessage(m Message) {
	s.delivered = true
	s.h(Event{Kind: KindMessage, Message: m})
}

// httpURL is the feed's URL with a ws scheme turned into http, and wsURL
// the other way round, so that a user can switch an endpoint's transport
// without editing the scheme.
func (s *supervisor) httpURL() string { return s.withScheme("http", "https") }
func (s *supervisor) wsURL() string   { return s.withScheme("ws", "wss") }

// withScheme is the feed's URL with the plain or the secure scheme given,
// keeping whether it was secure.
func (s *supervisor) withScheme(plain, secure string) string {
	u := *s.url
	if u.Scheme == "https" || u.Scheme == "wss" {
		u.Scheme = secure
	} else {
		u.Scheme = plain
	}
	return u.String()
}

// wrapNetErr adds what was being done to a transport error, without the
// URL's password.
func (s *supervisor) wrapNetErr(op string, err error) error {
	var se *StatusError
	var ce *ConfigError
	if errors.As(err, &se) || errors.As(err, &ce) {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error repeats the URL, with any password; say it once, redacted.
		err = ue.Err
	}
	if isCertError(err) {
		return fmt.Errorf("%s %s: TLS certificate not trusted: %w", op, s.url.Host, err)
	}
	return fmt.Errorf("%s %s: %w", op, s.url.Host, err)
}
