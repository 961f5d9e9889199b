package compute

// stage is one step of a pipeline. step takes one point, with a time
// strictly after the previous point's, and returns the derived value at the
// same time, or false when it has nothing to emit yet (the first point of a
// rate, say). reset forgets all state, as if the stage were new.
type stage interface {
	step(t int64, v float64) (float64, bool)
	reset()
}

// fn names a pipeline function.
type fn uint8

const (
	fnRate fn = iota
	fnDelta
	fnDerivative
	fnAvg
	fnMin
	fnMax
	fnScale
	fnOffset
)

// arg says what a function takes after its name.
type arg uint8

const (
	argNone arg = iota
	argWindow
	argNumber
)

var fnNames = [...]string{
	fnRate:       "rate",
	fnDelta:      "delta",
	fnDerivative: "derivative",
	fnAvg:        "avg",
	fnMin:        "min",
	fnMax:        "max",
	fnScale:      "scale",
	fnOffset:     "offset",
}

var fnArgs = [...]arg{
	fnRate:       argNone,
	fnDelta:      argNone,
	fnDerivative: argNone,
	fnAvg:        argWindow,
	fnMin:        argWindow,
	fnMax:        argWindow,
	fnScale:      argNumber,
	fnOffset:     argNumber,
}

func (f fn) String() string { return fnNames[f] }

const nanosPerSecond = 1e9

// diff is rate, delta and derivative: each looks at the previous point only.
type diff struct {
	f   fn
	has bool
	t   int64
	v   float64
}

func (d *diff) step(t int64, v float64) (float64, bool) {
	if !d.has {
		d.has, d.t, d.v = true, t, v
		return 0, false
	}
	inc := v - d.v
	if d.f == fnRate && v < d.v {
		// A counter that drops was restarted from zero, so it rose by its
		// whole new value since then; this is Prometheus' reset rule, and
		// an increase lost inside the same interval cannot be seen.
		inc = v
	}
	dt := t - d.t
	d.t, d.v = t, v
	if d.f == fnDelta {
		return inc, true
	}
	return inc / (float64(dt) / nanosPerSecond), true
}

func (d *diff) reset() { d.has = false }

// linear is scale and offset.
type linear struct {
	mul, add float64
}

func (l *linear) step(_ int64, v float64) (float64, bool) { return v*l.mul + l.add, true }
func (l *linear) reset()                                  {}

// avg is the mean of the points in the window (t-w, t]: every point counts
// once, as in Prometheus' avg_over_time, whatever the spacing.
type avg struct {
	w   int64
	q   ring
	sum kahan
	// stale counts points removed since the sum was last recomputed from
	// the window; once it passes the window's length the sum is rebuilt,
	// which bounds rounding drift (and recovers from an overflow) at O(1)
	// amortised cost.
	stale     int
	truncated *uint64
}

func (a *avg) step(t int64, v float64) (float64, bool) {
	for a.q.n > 0 && a.q.front().t <= t-a.w {
		a.sum.add(-a.q.popFront().v)
		a.stale++
	}
	if a.q.full() {
		a.sum.add(-a.q.popFront().v)
		a.stale++
		*a.truncated++
	}
	a.q.pushBack(point{t, v})
	if a.stale > a.q.n {
		a.stale = 0
		a.sum = kahan{}
		for i := range a.q.n {
			a.sum.add(a.q.at(i).v)
		}
	} else {
		a.sum.add(v)
	}
	return a.sum.value() / float64(a.q.n), true
}

func (a *avg) reset() {
	a.q.clear()
	a.sum = kahan{}
	a.stale = 0
}

// extreme is the moving min or max over (t-w, t], kept in a monotonic deque:
// a point that can never again be the extreme (an older point no better than
// a newer one) is dropped when the newer one arrives, so each point enters
// and leaves the deque once and a step costs O(1) amortised.
type extreme struct {
	w         int64
	max       bool
	q         ring
	truncated *uint64
}

func (e *extreme) step(t int64, v float64) (float64, bool) {
	for e.q.n > 0 && e.q.front().t <= t-e.w {
		e.q.popFront()
	}
	if e.max {
		for e.q.n > 0 && e.q.back().v <= v {
			e.q.popBack()
		}
	} else {
		for e.q.n > 0 && e.q.back().v >= v {
			e.q.popBack()
		}
	}
	if e.q.full() {
		e.q.popFront()
		*e.truncated++
	}
	e.q.pushBack(point{t, v})
	return e.q.front().v, true
}

func (e *extreme) reset() { e.q.clear() }

// kahan is a Neumaier compensated sum, so a moving average whose window
// holds values of very different sizes does not lose the small ones.
type kahan struct{ s, c float64 }

func (k *kahan) add(x float64) {
	t := k.s + x
	if abs(k.s) >= abs(x) {
		k.c += (k.s - t) + x
	} else {
		k.c += (x - t) + k.s
	}
	k.s = t
}

func (k *kahan) value() float64 { return k.s + k.c }

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
