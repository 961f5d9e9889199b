package feeds

import (
	"math/rand/v2"
	"time"
)

// Backoff defaults.
const (
	DefaultBackoffInitial = 250 * time.Millisecond
	DefaultBackoffMax     = 30 * time.Second
	DefaultBackoffFactor  = 2.0
	// DefaultBackoffJitter spreads each delay over [d*(1-j), d*(1+j)] so
	// that many clients cut off together do not come back together.
	DefaultBackoffJitter = 0.5
)

// Backoff is the reconnect policy: exponential growth with jitter, capped.
// Its zero value means the defaults: the first retry comes within 0.5 s
// (250 ms ± 50 %), each following delay doubles, and none exceeds 30 s.
type Backoff struct {
	Initial time.Duration // first delay; default 250 ms
	Max     time.Duration // cap; default 30 s
	Factor  float64       // growth per attempt; default 2
	// Jitter is the fraction a delay varies by, in [0, 1]; default 0.5.
	// Set it negative for no jitter.
	Jitter float64
	// Rand returns a number in [0, 1); default math/rand/v2. Tests inject
	// a fixed one so delays are exact.
	Rand func() float64
}

// Delay returns the delay before retry number attempt (1-based).
func (b Backoff) Delay(attempt int) time.Duration {
	initial := orDefault(b.Initial, DefaultBackoffInitial)
	maxDelay := orDefault(b.Max, DefaultBackoffMax)
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
