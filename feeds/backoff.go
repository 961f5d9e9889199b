package feeds

import (
	"math/rand/v2"
	"time"
)

// Backoff defaults.
const (
	DefaultBackoffInitial = 250 * time.Millisecond
	// DefaultBackoffMax is the cap: a monitoring window should be back
	// within seconds of its server (Reconnect now skips even that).
	DefaultBackoffMax    = 10 * time.Second
	DefaultBackoffFactor = 2.0
	// DefaultBackoffJitter spreads each delay over [d*(1-j), d*(1+j)] so
	// that many clients cut off together do not come back together.
	DefaultBackoffJitter = 0.5
	// DefaultBackoffFloor is the least time between the starts of two
	// connections when the first delivered data.
	DefaultBackoffFloor = time.Second
)

// Backoff is the reconnect policy. Delays grow exponentially with jitter,
// capped, across attempts that delivered nothing (refused, handshake
// failed, an error status, closed before any message). A connection that
// delivered at least one message, or on a quiet link a keep-alive (an SSE
// comment, a WebSocket pong or ping, a poll's 304, a long poll's 204 or
// 408, a granted MQTT subscription), starts the count again, so the next try comes at the first step;
// Floor then keeps a server that accepts, sends one message and hangs up
// from being reconnected to in a tight loop.
//
// Its zero value means the defaults: the first retry comes within 0.5 s
// (250 ms ± 50 %), each following delay doubles, none exceeds 10 s, and
// connections that delivered start at least 1 s apart.
type Backoff struct {
	Initial time.Duration // first delay; default 250 ms
	Max     time.Duration // cap; default 10 s
	Factor  float64       // growth per attempt; default 2
	// Jitter is the fraction a delay varies by, in [0, 1]; default 0.5.
	// Set it negative for no jitter.
	Jitter float64
	// Floor is the least time from the start of a connection that
	// delivered data to the start of the next one; default 1 s. Set it
	// negative for none.
	Floor time.Duration
	// Rand returns a number in [0, 1); default math/rand/v2. Tests inject
	// a fixed one so delays are exact.
	Rand func() float64
}

// Delay returns the delay before retry number attempt (1-based).
func (b Backoff) Delay(attempt int) time.Duration {
	initial := orDefault(b.Initial, DefaultBackoffInitial)
	maxDelay := b.max()
	factor := b.Factor
	if factor < 1 {
		factor = DefaultBackoffFactor
	}
	jitter := b.Jitter
	switch {
	case jitter == 0:
		jitter = DefaultBackoffJitter
	case jitter < 0:
		jitter = 0
	case jitter > 1:
		jitter = 1
	}
	d := float64(initial)
	for i := 1; i < attempt && d < float64(maxDelay); i++ {
		d *= factor
	}
	if jitter > 0 {
		r := rand.Float64
		if b.Rand != nil {
			r = b.Rand
		}
		d *= 1 - jitter + 2*jitter*r()
	}
	if d > float64(maxDelay) {
		d = float64(maxDelay)
	}
	if d < 0 {
		d = 0
	}
	return time.Duration(d)
}

func (b Backoff) max() time.Duration { return orDefault(b.Max, DefaultBackoffMax) }

func (b Backoff) floor() time.Duration {
	if b.Floor < 0 {
		return 0
	}
	return orDefault(b.Floor, DefaultBackoffFloor)
}
