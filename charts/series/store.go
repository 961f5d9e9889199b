package series

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults used when the matching Options field is zero.
const (
	DefaultCapacity  = 1_000_000
	DefaultMaxSeries = 4096
	// MaxCapacity bounds one series to 2^28 points (4 GiB) so a typo in a
	// setting cannot ask for unbounded memory.
	MaxCapacity = 1 << 28
)

// Errors returned by Append and friends; test them with errors.Is.
var (
	ErrOutOfOrder    = errors.New("series: point older than the newest point of its series")
	ErrNotFinite     = errors.New("series: value is NaN or infinite")
	ErrTooManySeries = errors.New("series: too many series")
	ErrEmptyName     = errors.New("series: empty series name")
	ErrNoSeries      = errors.New("series: no such series")
)

// Options configure a Store. The zero value means the documented defaults.
type Options struct {
	// Capacity is the most points kept per series; the oldest are
	// overwritten. Zero means DefaultCapacity. Memory grows with use, up to
	// 16 bytes a point plus the block index (about 0.4 bytes a point).
	Capacity int
	// MaxAge, when positive, also drops points older than the newest point
	// of their series minus MaxAge.
	MaxAge time.Duration
	// Silence, when positive, breaks the line between two points further
	// apart than this, as if MarkBreak had been called between them.
	Silence time.Duration
	// MaxSeries is the most series a store accepts; zero means
	// DefaultMaxSeries. Appending to a new series beyond it returns
	// ErrTooManySeries.
	MaxSeries int
}

// Store holds named series. Create it with New.
type Store struct {
	opts    Options
	version atomic.Uint64

	mu     sync.RWMutex
	byName map[string]*Series
	list   []*Series
	made   int // series ever made: the next one's Index
}

// New returns an empty store, or an error for options that make no sense.
func New(opts Options) (*Store, error) {
	if opts.Capacity < 0 || opts.Capacity > MaxCapacity {
		return nil, fmt.Errorf("series: capacity %d out of range 1..%d", opts.Capacity, MaxCapacity)
	}
	if opts.MaxAge < 0 || opts.Silence < 0 || opts.MaxSeries < 0 {
		return nil, errors.New("series: negative MaxAge, Silence or MaxSeries")
	}
	if opts.Capacity == 0 {
		opts.Capacity = DefaultCapacity
	}
	if opts.MaxSeries == 0 {
		opts.MaxSeries = DefaultMaxSeries
	}
	return &Store{opts: opts, byName: make(map[string]*Series)}, nil
}

// Version changes whenever any series changes (append, break, clear, new
// series). A UI compares it with the value it last drew.
func (s *Store) Version() uint64 { return s.version.Load() }

func (s *Store) changed() { s.version.Add(1) }

// Series returns the series called name, creating it if needed. Keep the
// result to append without a map lookup per point.
func (s *Store) Series(name string) (*Series, error) {
	if name == "" {
		return nil, ErrEmptyName
	}
	s.mu.RLock()
	sr := s.byName[name]
	s.mu.RUnlock()
	if sr != nil {
		return sr, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sr = s.byName[name]; sr != nil {
		return sr, nil
	}
	if len(s.list) >= s.opts.MaxSeries {
		return nil, fmt.Errorf("%w (limit %d): %q", ErrTooManySeries, s.opts.MaxSeries, name)
	}
	sr = newSeries(s, name, s.made)
	s.made++
	s.byName[name] = sr
	s.list = append(s.list, sr)
	s.changed()
	return sr, nil
}

// Lookup returns the series called name, or nil if there is none.
func (s *Store) Lookup(name string) *Series {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byName[name]
}

// List returns every series in creation order (which is also colour order).
func (s *Store) List() []*Series {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*Series(nil), s.list...)
}

// Names returns the series names in creation order.
func (s *Store) Names() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, len(s.list))
	for i, sr := range s.list {
		names[i] = sr.Name()
	}
	return names
}

// Len returns the number of series.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.list)
}

// Append stores one point of the series called name, creating the series on
// first use.
func (s *Store) Append(name string, t time.Time, v float64) error {
	sr, err := s.Series(name)
	if err != nil {
		return err
	}
	return sr.Append(t, v)
}

// Sample is one value of a named series, for AppendBatch.
type Sample struct {
	Name  string
	Value float64
}

// AppendBatch stores samples that share one timestamp (one decoded message).
// It stores every good sample and returns the errors of the others joined.
func (s *Store) AppendBatch(t time.Time, samples []Sample) error {
	var errs []error
	for _, smp := range samples {
		if err := s.Append(smp.Name, t, smp.Value); err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", smp.Name, err))
		}
	}
	return errors.Join(errs...)
}

// Rename gives the series called old the name name, keeping its points,
// its place in List and its colour. It fails when there is no series old
// or name is taken or empty.
func (s *Store) Rename(old, name string) error {
	if name == "" {
		return ErrEmptyName
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sr := s.byName[old]
	if sr == nil {
		return fmt.Errorf("%w: %q", ErrNoSeries, old)
	}
	if old == name {
		return nil
	}
	if s.byName[name] != nil {
		return fmt.Errorf("series: %q exists already", name)
	}
	delete(s.byName, old)
	s.byName[name] = sr
	sr.name.Store(&name)
	s.changed()
	return nil
}

// Remove drops the series called name and its points. The others keep
// their colours (Index does not change); a later series of that name is a
// new one. It reports whether there was such a series.
func (s *Store) Remove(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sr := s.byName[name]
	if sr == nil {
		return false
	}
	delete(s.byName, name)
	s.list = slices.DeleteFunc(s.list, func(x *Series) bool { return x == sr })
	s.changed()
	return true
}

// MarkBreak breaks every series' line before its next point: call it when
// the feed disconnects so the chart does not bridge the outage.
func (s *Store) MarkBreak() {
	for _, sr := range s.List() {
		sr.MarkBreak()
	}
}

// Clear removes every point of every series; names and colours stay.
func (s *Store) Clear() {
	for _, sr := range s.List() {
		sr.Clear()
	}
}

// Span returns the oldest and newest time of any series, and false when the
// store has no points.
func (s *Store) Span() (oldest, newest int64, ok bool) {
	for _, sr := range s.List() {
		o, n, has := sr.Span()
		if !has {
			continue
		}
		if !ok || o < oldest {
			oldest = o
		}
		if !ok || n > newest {
			newest = n
		}
		ok = true
	}
	return oldest, newest, ok
}

// Stats summarises a series over a time window.
type Stats struct {
	Count          int
	Last           float64
	LastTime       time.Time
	Min, Max, Mean float64
}

// Stats returns the statistics of the series called name over the points
// with from <= time <= to.
func (s *Store) Stats(name string, from, to time.Time) (Stats, error) {
	sr := s.Lookup(name)
	if sr == nil {
		return Stats{}, fmt.Errorf("%w: %q", ErrNoSeries, name)
	}
	return sr.Stats(from.UnixNano(), to.UnixNano()), nil
}

// Points iterates over the stored points of the series called name with
// from <= time <= to, oldest first. It copies points out in chunks, so the
// loop body may take as long as it likes (writing a CSV file) without
// holding up appends; points evicted meanwhile are skipped.
func (s *Store) Points(name string, from, to time.Time) iter.Seq2[time.Time, float64] {
	sr := s.Lookup(name)
	return func(yield func(time.Time, float64) bool) {
		if sr == nil {
			return
		}
		for t, v := range sr.Points(from.UnixNano(), to.UnixNano()) {
			if !yield(time.Unix(0, t).UTC(), v) {
				return
			}
		}
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
