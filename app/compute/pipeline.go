package compute

import (
	"errors"
	"iter"
	"math"
	"strings"
	"time"
)

// Errors returned by Pipeline.Push; test them with errors.Is.
var (
	// ErrOutOfOrder is a point whose time is not after the previous
	// accepted point's. Unlike series.Store, equal times are refused too: a
	// rate over zero seconds has no value.
	ErrOutOfOrder = errors.New("compute: point not after the previous point")
	// ErrNotFinite is an input value that is NaN or infinite.
	ErrNotFinite = errors.New("compute: value is NaN or infinite")
	// ErrOverflow is a derived value that is not finite (scale 1e300 of a
	// large value); nothing is emitted for that point.
	ErrOverflow = errors.New("compute: derived value is not finite")
)

// Stats counts what a pipeline did with its input since it was made or
// last Reset.
type Stats struct {
	In         uint64 // points accepted
	Out        uint64 // derived points emitted
	OutOfOrder uint64 // points refused with ErrOutOfOrder
	NotFinite  uint64 // points refused with ErrNotFinite
	Overflow   uint64 // derived values dropped with ErrOverflow
	// Truncated counts points that left a moving window early because it
	// held MaxWindowPoints.
	Truncated uint64
}

// Pipeline turns the points of one series into derived points, one point at
// a time. Make it with Parse. It is not safe for concurrent use: one
// goroutine feeds it, as one feeds a series.
type Pipeline struct {
	defs   []def
	stages []stage
	has    bool
	last   int64
	stats  Stats
}

// Parse compiles a pipeline text such as "rate | avg 1m | scale 8e-6". An
// empty (or blank) text is the identity: values pass through unchanged,
// though out-of-order and non-finite points are still refused. A text that
// does not parse returns a *SyntaxError.
func Parse(src string) (*Pipeline, error) {
	defs, err := parse(src)
	if err != nil {
		return nil, err
	}
	p := &Pipeline{defs: defs}
	for _, d := range defs {
		p.stages = append(p.stages, p.newStage(d))
	}
	return p, nil
}

func (p *Pipeline) newStage(d def) stage {
	switch d.f {
	case fnRate, fnDelta, fnDerivative:
		return &diff{f: d.f}
	case fnAvg:
		return &avg{w: int64(d.window), truncated: &p.stats.Truncated}
	case fnMin:
		return &extreme{w: int64(d.window), truncated: &p.stats.Truncated}
	case fnMax:
		return &extreme{w: int64(d.window), max: true, truncated: &p.stats.Truncated}
	case fnScale:
		return &linear{mul: d.num}
	default: // fnOffset
		return &linear{mul: 1, add: d.num}
	}
}

// String returns the pipeline in canonical form ("rate | avg 1m | scale
// 8e-06"), which Parse reads back to the same pipeline.
func (p *Pipeline) String() string {
	parts := make([]string, len(p.defs))
	for i, d := range p.defs {
		parts[i] = d.String()
	}
	return strings.Join(parts, " | ")
}

// Identity reports whether the pipeline has no stages.
func (p *Pipeline) Identity() bool { return len(p.stages) == 0 }

// Push feeds one point (t in Unix nanoseconds, as series.Series.AppendNanos
// takes it) and returns the derived value at the same time t, with ok
// false when there is none yet: a rate needs two points. A refused point
// returns ErrOutOfOrder or ErrNotFinite, is counted, and changes nothing.
// Each call costs O(1) amortised whatever the window lengths.
func (p *Pipeline) Push(t int64, v float64) (out float64, ok bool, err error) {
	if v != v || v > math.MaxFloat64 || v < -math.MaxFloat64 {
		p.stats.NotFinite++
		return 0, false, ErrNotFinite
	}
	if p.has && t <= p.last {
		p.stats.OutOfOrder++
		return 0, false, ErrOutOfOrder
	}
	p.has, p.last = true, t
	p.stats.In++
	for _, s := range p.stages {
		if v, ok = s.step(t, v); !ok {
			return 0, false, nil
		}
	}
	if v != v || v > math.MaxFloat64 || v < -math.MaxFloat64 {
		p.stats.Overflow++
		return 0, false, ErrOverflow
	}
	p.stats.Out++
	return v, true, nil
}

// PushTime is Push with a time.Time.
func (p *Pipeline) PushTime(t time.Time, v float64) (float64, bool, error) {
	return p.Push(t.UnixNano(), v)
}

// Reset forgets every point and zeroes Stats, as if the pipeline were new.
func (p *Pipeline) Reset() {
	for _, s := range p.stages {
		s.reset()
	}
	p.has, p.last = false, 0
	p.stats = Stats{}
}

// Replay resets the pipeline and feeds it the stored history in, calling
// emit for each derived point until emit returns false: this recomputes a
// derived series after its definition changed. in fits series.Series.Points.
// Refused points are skipped and counted in Stats, as with Push.
func (p *Pipeline) Replay(in iter.Seq2[int64, float64], emit func(t int64, v float64) bool) {
	p.Reset()
	for t, v := range in {
		out, ok, _ := p.Push(t, v)
		if ok && !emit(t, out) {
			return
		}
	}
}

// Stats returns the counters since the pipeline was made or last Reset.
func (p *Pipeline) Stats() Stats { return p.stats }
