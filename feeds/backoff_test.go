package feeds

import (
	"testing"
	"time"
)

func TestBackoffDelays(t *testing.T) {
	mid := func() float64 { return 0.5 } // the middle of the jitter range: no change
	cases := []struct {
		name string
		b    Backoff
		want []time.Duration
	}{
		{"defaults double and cap at 10s", Backoff{Rand: mid},
			[]time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second,
				4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}},
		{"custom", Backoff{Initial: time.Second, Max: 5 * time.Second, Factor: 3, Jitter: -1},
			[]time.Duration{time.Second, 3 * time.Second, 5 * time.Second, 5 * time.Second}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i, want := range c.want {
				if got := c.b.Delay(i + 1); got != want {
					t.Errorf("attempt %d: delay %v, want %v", i+1, got, want)
				}
			}
		})
	}
}

func TestBackoffJitterBounds(t *testing.T) {
	for _, r := range []float64{0, 0.25, 0.999999} {
		b := Backoff{Rand: func() float64 { return r }}
		if d := b.Delay(1); d > 500*time.Millisecond || d < 125*time.Millisecond {
			t.Errorf("rand %v: first retry after %v, want within [125ms, 500ms]", r, d)
		}
		if d := b.Delay(1000); d > DefaultBackoffMax {
			t.Errorf("rand %v: attempt 1000 waits %v, over the %v cap", r, d, DefaultBackoffMax)
		}
		if d := b.Delay(1000); d < DefaultBackoffMax/2 {
			t.Errorf("rand %v: attempt 1000 waits only %v", r, d)
		}
	}
	// Real randomness: every draw stays in bounds.
	var b Backoff
	for i := 0; i < 1000; i++ {
		if d := b.Delay(1); d <= 0 || d > 500*time.Millisecond {
			t.Fatalf("first retry after %v", d)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		"0":                             0,
		"-3":                            0,
		"junk":                          0,
		"999999999":                     maxRetryAfter,
		"Wed, 25 Nov 2026 12:00:30 GMT": 30 * time.Second,
		"Wed, 25 Nov 2026 11:00:00 GMT": 0,
	}
	for in, want := range cases {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", in, got, want)
		}
	}
}
