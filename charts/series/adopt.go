package series

import (
	"fmt"
	"math"
)

// Adopt makes a new series called name holding the points t (Unix
// nanoseconds, oldest first) and v, taking the two slices as its storage
// without a copy: the caller must not use them afterwards. Such a series
// is kept whole: its capacity is its number of points (rounded up to a
// block) whatever Options.Capacity says, and Options.MaxAge does not cut
// it, so a loaded recording is not trimmed to the live history. Appending
// to it beyond its capacity drops its oldest points, as for any series.
//
// It fails, creating nothing, when name is taken or empty, the slices
// differ in length, a time is older than the one before it or a value is
// NaN or infinite.
func (s *Store) Adopt(name string, t []int64, v []float64) (*Series, error) {
	if name == "" {
		return nil, ErrEmptyName
	}
	if len(t) != len(v) {
		return nil, fmt.Errorf("series: adopt %q: %d times but %d values", name, len(t), len(v))
	}
	if len(t) > MaxCapacity {
		return nil, fmt.Errorf("series: adopt %q: %d points, more than %d", name, len(t), MaxCapacity)
	}
	for i := 1; i < len(t); i++ {
		if t[i] < t[i-1] {
			return nil, fmt.Errorf("%w: adopt %q: point %d", ErrOutOfOrder, name, i)
		}
	}
	for i, x := range v {
		if x != x || x > math.MaxFloat64 || x < -math.MaxFloat64 {
			return nil, fmt.Errorf("%w: adopt %q: point %d", ErrNotFinite, name, i)
		}
	}
	// The index is built before the store is locked: it is the long part.
	sr := &Series{store: s, whole: true, t: t[:len(t):len(t)], v: v[:len(v):len(v)], n: len(t)}
	sr.cap = max((len(t)+blockSize-1)&^(blockSize-1), blockSize)
	sr.buildIndex()

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byName[name] != nil {
		return nil, fmt.Errorf("series: %q exists already", name)
	}
	if len(s.list) >= s.opts.MaxSeries {
		return nil, fmt.Errorf("%w (limit %d): %q", ErrTooManySeries, s.opts.MaxSeries, name)
	}
	sr.index = s.made
	sr.name.Store(&name)
	s.made++
	s.byName[name] = sr
	s.list = append(s.list, sr)
	s.changed()
	return sr, nil
}
