// Package replay plays a loaded recording back as if it were live: one
// frame per recorded time, in time order, spaced as recorded divided by a
// speed, once or in a loop. The file transport of package feeds and
// `feedscope serve --replay` both play recordings with it.
//
// It is a package of its own, not part of feeds, because the hub (which
// feeds' tests run as a server) plays recordings too and cannot import
// feeds.
//
// # Concurrency
//
// Play runs on the caller's goroutine, calls emit from it and starts no
// other. It waits through the Clock it is given, so tests are exact and
// instant with a clock that moves on by every wait.
package replay

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"time"

	"feedscope/feeds/recording"
)

// Options configure a replay. The zero value plays once at the recorded
// pace.
type Options struct {
	// Speed divides the recorded spacing: 10 plays ten times as fast.
	// Zero means 1; math.Inf(1) plays as fast as emit returns.
	Speed float64
	// Loop starts over at the end, for ever, with the times of each pass
	// moved on so that time keeps increasing (see Play).
	Loop bool
}

// speed is the effective speed; it is positive.
func (o Options) speed() float64 {
	if o.Speed == 0 {
		return 1
	}
	return o.Speed
}

// Check reports a speed that cannot be used: negative or NaN.
func (o Options) Check() error {
	if o.Speed < 0 || math.IsNaN(o.Speed) {
		return fmt.Errorf("replay: speed %v: want a number, 0 or more", o.Speed)
	}
	return nil
}

// Clock is time as Play sees it; feeds' supervisor clock has this shape.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed, and a
	// function that stops the timer.
	After(d time.Duration) (<-chan time.Time, func() bool)
}

// RealClock is the wall clock.
type RealClock struct{}

// Now is time.Now.
func (RealClock) Now() time.Time { return time.Now() }

// After is a time.Timer.
func (RealClock) After(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// Point is one value of a frame: Series indexes the series Play was given.
type Point struct {
	Series int
	Value  float64
}

// Frame is every point recorded at one time: at most one point per series
// (a series with two points at the same time gives two frames with that
// time, so that a frame never names a series twice).
type Frame struct {
	// Time in Unix nanoseconds, moved on for every pass of a loop before
	// this one (see Play).
	Time int64
	// Pass counts the passes of a loop before this frame's, from 0.
	Pass   int
	Points []Point
}

// Play emits the points of series frame by frame, in time order, until the
// end (or, with Loop, until ctx ends). The first frame is emitted at once
// and every later one when its recorded distance from the first, divided
// by the speed, has passed since: a slow emit is caught up, not added up.
// Frames and their Points are emitted in a slice Play reuses: emit must
// copy what it keeps. An error from emit ends the replay with that error;
// the end of the recording, or of ctx, returns nil.
//
// Series out of time order are sorted first, in place (recording.Series.
// Sort). With Loop, pass k plays the recording with every time moved on by
// k times its span plus its mean spacing, so the first frame of a pass
// follows the last one of the pass before by the mean spacing (by one
// second when the recording holds a single time).
func Play(ctx context.Context, series []recording.Series, opts Options, clk Clock, emit func(Frame) error) error {
	if err := opts.Check(); err != nil {
		return err
	}
	first, last, ok := Span(series)
	if !ok {
		return nil
	}
	speed := opts.speed()
	start := clk.Now()
	var (
		f      Frame
		period int64 // known after the first pass
		times  int   // distinct times of the first pass
	)
	for pass := 0; ; pass++ {
		m := newMerger(series)
		for {
			if ctx.Err() != nil {
				return nil
			}
			t, ok := m.next(&f.Points)
			if !ok {
				break
			}
			if pass == 0 && (times == 0 || t != f.Time) {
				times++
			}
			offset := int64(pass)*period + t - first
			if err := wait(ctx, clk, start, scale(offset, speed)); err != nil {
				return nil
			}
			f.Time, f.Pass = t+int64(pass)*period, pass
			if err := emit(f); err != nil {
				return err
			}
		}
		if !opts.Loop {
			return nil
		}
		if pass == 0 {
			period = loopPeriod(first, last, times)
		}
	}
}

// loopPeriod is how far each pass of a loop moves the times on: the span
// of the recording plus its mean spacing between times, or one second for
// a recording of a single time. It is at least 1 ns, so a loop never
// stands still in time.
func loopPeriod(first, last int64, times int) int64 {
	if times < 2 {
		return int64(time.Second)
	}
	return last - first + max((last-first)/int64(times-1), 1)
}

// Span is the first and last time of series, and false when they hold no
// point; it sorts the series that need it (recording.Series.Sort).
func Span(series []recording.Series) (first, last int64, ok bool) {
	for i := range series {
		s := &series[i]
		s.Sort()
		if len(s.T) == 0 {
			continue
		}
		if !ok || s.T[0] < first {
			first = s.T[0]
		}
		if !ok || s.T[len(s.T)-1] > last {
			last = s.T[len(s.T)-1]
		}
		ok = true
	}
	return first, last, ok
}

// scale divides a recorded offset by speed. At speed 1 it is exact for any
// offset; otherwise exact to within a nanosecond for offsets of up to
// about 104 days (float64's 53 bits).
func scale(offset int64, speed float64) time.Duration {
	switch {
	case speed == 1:
		return time.Duration(offset)
	case math.IsInf(speed, 1):
		return 0
	}
	d := float64(offset) / speed
	if d >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(math.Round(d))
}

// wait blocks until at has passed since start, or ctx ends (then it
// returns ctx's error).
func wait(ctx context.Context, clk Clock, start time.Time, at time.Duration) error {
	d := start.Add(at).Sub(clk.Now())
	if d <= 0 {
		return ctx.Err()
	}
	fire, stop := clk.After(d)
	select {
	case <-ctx.Done():
		stop()
		return ctx.Err()
	case <-fire:
		return nil
	}
}

// merger walks several sorted series at once in time order: a heap of
// cursors ordered by the time of their next point, then by series index,
// so frames list their series in the order Play was given them.
type merger struct {
	series []recording.Series
	h      cursors
	taken  []cursor // the cursors of the frame being built
}

type cursor struct {
	series int
	i      int // next point
	t      int64
}

type cursors []cursor

func (c cursors) Len() int { return len(c) }
func (c cursors) Less(i, j int) bool {
	if c[i].t != c[j].t {
		return c[i].t < c[j].t
	}
	return c[i].series < c[j].series
}
func (c cursors) Swap(i, j int) { c[i], c[j] = c[j], c[i] }
func (c *cursors) Push(x any)   { *c = append(*c, x.(cursor)) }
func (c *cursors) Pop() any {
	old := *c
	x := old[len(old)-1]
	*c = old[:len(old)-1]
	return x
}

func newMerger(series []recording.Series) *merger {
	m := &merger{series: series}
	for i, s := range series {
		if len(s.T) > 0 {
			m.h = append(m.h, cursor{series: i, t: s.T[0]})
		}
	}
	heap.Init(&m.h)
	return m
}

// next fills pts with the points of the next frame and returns its time;
// ok is false at the end.
func (m *merger) next(pts *[]Point) (t int64, ok bool) {
	*pts = (*pts)[:0]
	if len(m.h) == 0 {
		return 0, false
	}
	t = m.h[0].t
	// Take the head of every cursor at t, then move them on: a series
	// with another point at t shows up again in the next frame.
	m.taken = m.taken[:0]
	for len(m.h) > 0 && m.h[0].t == t {
		c := heap.Pop(&m.h).(cursor)
		*pts = append(*pts, Point{Series: c.series, Value: m.series[c.series].V[c.i]})
		m.taken = append(m.taken, c)
	}
	for _, c := range m.taken {
		c.i++
		if s := m.series[c.series]; c.i < len(s.T) {
			c.t = s.T[c.i]
			heap.Push(&m.h, c)
		}
	}
	return t, true
}
