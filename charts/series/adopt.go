package series

import (
	"errors"
	"fmt"
	"math"
)

// Loaded is a series' points made ready for a store by NewLoaded — checked
// and indexed, the part that takes time, on any goroutine — so that
// Store.Adopt takes them in at once. A Loaded is adopted once.
type Loaded struct {
	t   []int64
	v   []float64
	blk []block
}

// NewLoaded prepares the points t (Unix nanoseconds, oldest first) and v
// for Store.Adopt, taking the two slices as their storage without a copy:
// the caller must not use them afterwards. It fails when the slices differ
// in length, a time is older than the one before it or a value is NaN or
// infinite.
func NewLoaded(t []int64, v []float64) (*Loaded, error) {
	if len(t) != len(v) {
		return nil, fmt.Errorf("series: %d times but %d values", len(t), len(v))
	}
	if len(t) > MaxCapacity {
		return nil, fmt.Errorf("series: %d points, more than %d", len(t), MaxCapacity)
	}
	for i := 1; i < len(t); i++ {
		if t[i] < t[i-1] {
			return nil, fmt.Errorf("%w: point %d", ErrOutOfOrder, i)
		}
	}
	for i, x := range v {
		if x != x || x > math.MaxFloat64 || x < -math.MaxFloat64 {
			return nil, fmt.Errorf("%w: point %d", ErrNotFinite, i)
		}
	}
	sr := &Series{t: t[:len(t):len(t)], v: v[:len(v):len(v)], n: len(t)}
	sr.buildIndex()
	return &Loaded{t: sr.t, v: sr.v, blk: sr.blk}, nil
}

// Len is the number of points.
func (l *Loaded) Len() int { return len(l.t) }

// Adopt makes a new series called name holding the points of l, without
// a copy. Such a series is kept whole: its capacity is its number of
// points (rounded up to a block) whatever Options.Capacity says, and
// Options.MaxAge does not cut it, so a loaded recording is not trimmed to
// the live history. Appending to it beyond its capacity drops its oldest
// points, as for any series.
//
// It fails, creating nothing, when name is taken or empty, the store has
// MaxSeries series, or l was adopted already.
func (s *Store) Adopt(name string, l *Loaded) (*Series, error) {
	if name == "" {
		return nil, ErrEmptyName
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.t == nil && l.v == nil && l.blk == nil {
		return nil, errors.New("series: these points were adopted already")
	}
	if s.byName[name] != nil {
		return nil, fmt.Errorf("series: %q exists already", name)
	}
	if len(s.list) >= s.opts.MaxSeries {
		return nil, fmt.Errorf("%w (limit %d): %q", ErrTooManySeries, s.opts.MaxSeries, name)
	}
	sr := &Series{store: s, index: s.made, whole: true, t: l.t, v: l.v, blk: l.blk, n: len(l.t)}
	sr.cap = max((len(l.t)+blockSize-1)&^(blockSize-1), blockSize)
	*l = Loaded{}
	sr.name.Store(&name)
	s.made++
	s.byName[name] = sr
	s.list = append(s.list, sr)
	s.changed()
	return sr, nil
}
