package series

import (
	"iter"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// blockShift sets the index granularity: one min/max/sum summary per 64
// physical slots, so a 10M-point scan reads 156k summaries instead.
const (
	blockShift = 6
	blockSize  = 1 << blockShift
	firstAlloc = 1024 // slots allocated on the first append; doubles up to Capacity
	chunk      = 4096 // points copied per lock in Points
)

// block summarises one aligned run of blockSize physical slots. It is valid
// for every slot written since the last write to its first slot, which is
// all that a query covering the whole block can see (see minMax).
type block struct {
	min, max   float64
	sum        float64
	imin, imax uint8 // offsets of min and max inside the block
}

// Series is one named ring buffer. Get it from Store.Series.
type Series struct {
	store *Store
	name  atomic.Pointer[string] // Store.Rename changes it
	index int

	mu      sync.RWMutex
	cap     int // maximum slots (Options.Capacity rounded up to blockSize)
	t       []int64
	v       []float64
	blk     []block
	start   int    // physical slot of the oldest point
	n       int    // points stored
	seq0    uint64 // sequence number of the oldest point
	brk     []uint64
	brkNext bool // the next point starts a new line
	dropped uint64
	whole   bool // made by Adopt: the store's MaxAge does not cut it
}

func newSeries(s *Store, name string, index int) *Series {
	c := (s.opts.Capacity + blockSize - 1) &^ (blockSize - 1)
	sr := &Series{store: s, index: index, cap: c}
	sr.name.Store(&name)
	return sr
}

// Name returns the series name.
func (sr *Series) Name() string { return *sr.name.Load() }

// Index returns the series' creation order in its store, starting at 0; it
// picks the series' colour.
func (sr *Series) Index() int { return sr.index }

// Append stores a point. It returns ErrNotFinite for NaN/Inf and
// ErrOutOfOrder for a time before the newest point; neither changes the
// store. Steady state (once the ring has reached its size) allocates nothing.
func (sr *Series) Append(t time.Time, v float64) error {
	return sr.AppendNanos(t.UnixNano(), v)
}

// AppendNanos is Append with the time as Unix nanoseconds.
func (sr *Series) AppendNanos(t int64, v float64) error {
	if v != v || v > maxFloat || v < -maxFloat {
		return ErrNotFinite
	}
	sr.mu.Lock()
	err := sr.appendLocked(t, v)
	sr.mu.Unlock()
	if err == nil {
		sr.store.changed()
	}
	return err
}

const maxFloat = 1.7976931348623157e308

func (sr *Series) appendLocked(t int64, v float64) error {
	L := len(sr.t)
	if sr.n > 0 {
		last := sr.t[sr.phys(sr.n-1)]
		if t < last {
			sr.dropped++
			return ErrOutOfOrder
		}
		if sil := int64(sr.store.opts.Silence); sil > 0 && t-last > sil {
			sr.brkNext = true
		}
	}
	if sr.n == L {
		if L < sr.cap {
			sr.grow()
			L = len(sr.t)
		} else {
			sr.evictOldest()
		}
	}
	seq := sr.seq0 + uint64(sr.n)
	if sr.brkNext {
		sr.brkNext = false
		if sr.n > 0 {
			sr.addBreak(seq)
		}
	}
	p := sr.start + sr.n
	if p >= L {
		p -= L
	}
	sr.t[p] = t
	sr.v[p] = v
	b := &sr.blk[p>>blockShift]
	off := uint8(p & (blockSize - 1))
	if off == 0 {
		*b = block{min: v, max: v, sum: v}
	} else {
		if v < b.min {
			b.min, b.imin = v, off
		}
		if v > b.max {
			b.max, b.imax = v, off
		}
		b.sum += v
	}
	sr.n++
	if age := int64(sr.store.opts.MaxAge); age > 0 && !sr.whole {
		for sr.n > 1 && sr.t[sr.start] < t-age {
			sr.evictOldest()
		}
	}
	return nil
}

func (sr *Series) evictOldest() {
	sr.start++
	if sr.start == len(sr.t) {
		sr.start = 0
	}
	sr.n--
	sr.seq0++
	for len(sr.brk) > 0 && sr.brk[0] <= sr.seq0 {
		// A break at the oldest point no longer separates anything.
		sr.brk = sr.brk[1:]
	}
}

// addBreak records that the point with sequence seq starts a new line. The
// list is bounded so a silence shorter than the sample interval cannot add
// 8 bytes to every point: past cap/8 breaks, the oldest one is forgotten.
func (sr *Series) addBreak(seq uint64) {
	if len(sr.brk) >= sr.cap/8+1 {
		sr.brk = sr.brk[1:]
	}
	sr.brk = append(sr.brk, seq)
}

// grow doubles the slots (up to cap), unwrapping the ring and rebuilding the
// block index. It runs O(log cap) times in a series' life.
func (sr *Series) grow() {
	L := len(sr.t)
	nl := firstAlloc
	if L > 0 {
		nl = 2 * L
	}
	if nl > sr.cap {
		nl = sr.cap
	}
	nt := make([]int64, nl)
	nv := make([]float64, nl)
	for i := 0; i < sr.n; i++ {
		p := sr.phys(i)
		nt[i], nv[i] = sr.t[p], sr.v[p]
	}
	sr.t, sr.v, sr.start = nt, nv, 0
	sr.buildIndex()
}

// buildIndex makes the block index of the points in slots 0..n-1 (the ring
// unwrapped, start 0) for slots of len(sr.t).
func (sr *Series) buildIndex() {
	sr.blk = make([]block, (len(sr.t)+blockSize-1)>>blockShift)
	for p := 0; p < sr.n; p++ {
		b := &sr.blk[p>>blockShift]
		off := uint8(p & (blockSize - 1))
		v := sr.v[p]
		if off == 0 {
			*b = block{min: v, max: v, sum: v}
			continue
		}
		if v < b.min {
			b.min, b.imin = v, off
		}
		if v > b.max {
			b.max, b.imax = v, off
		}
		b.sum += v
	}
}

// phys maps a logical index (0 = oldest) to a slot.
func (sr *Series) phys(i int) int {
	p := sr.start + i
	if p >= len(sr.t) {
		p -= len(sr.t)
	}
	return p
}

func (sr *Series) at(i int) int64 { return sr.t[sr.phys(i)] }

// lowerBound returns the first logical index in [lo, hi) whose time is >= t,
// or hi.
func (sr *Series) lowerBound(lo, hi int, t int64) int {
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if sr.at(m) < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// window returns the logical range of points with from <= time <= to.
func (sr *Series) window(from, to int64) (lo, hi int) {
	lo = sr.lowerBound(0, sr.n, from)
	if to == maxInt64 {
		return lo, sr.n
	}
	return lo, sr.lowerBound(lo, sr.n, to+1)
}

const maxInt64 = int64(^uint64(0) >> 1)

// MarkBreak makes the next point start a new line.
func (sr *Series) MarkBreak() {
	sr.mu.Lock()
	sr.brkNext = true
	sr.mu.Unlock()
	sr.store.changed()
}

// Clear removes every point; the series keeps its name and colour.
func (sr *Series) Clear() {
	sr.mu.Lock()
	sr.seq0 += uint64(sr.n)
	sr.n = 0
	sr.brk = sr.brk[:0]
	sr.brkNext = false
	sr.mu.Unlock()
	sr.store.changed()
}

// Len returns the number of points stored.
func (sr *Series) Len() int {
	sr.mu.RLock()
	defer sr.mu.RUnlock()
	return sr.n
}

// Dropped returns how many points were rejected as out of order.
func (sr *Series) Dropped() uint64 {
	sr.mu.RLock()
	defer sr.mu.RUnlock()
	return sr.dropped
}

// BytesPerPoint returns the memory held per stored point, index included
// (16 for the columns plus about 0.5 for the index once the ring is full).
func (sr *Series) BytesPerPoint() float64 {
	sr.mu.RLock()
	defer sr.mu.RUnlock()
	if sr.n == 0 {
		return 0
	}
	bytes := 16*len(sr.t) + 32*len(sr.blk) + 8*cap(sr.brk)
	return float64(bytes) / float64(sr.n)
}

// Span returns the times of the oldest and newest points.
func (sr *Series) Span() (oldest, newest int64, ok bool) {
	sr.mu.RLock()
	defer sr.mu.RUnlock()
	if sr.n == 0 {
		return 0, 0, false
	}
	return sr.at(0), sr.at(sr.n - 1), true
}

// Last returns the newest point with time <= at (pass math.MaxInt64 for the
// newest overall).
func (sr *Series) Last(at int64) (t int64, v float64, ok bool) {
	sr.mu.RLock()
	defer sr.mu.RUnlock()
	i := sr.lowerBound(0, sr.n, at)
	if i < sr.n && sr.at(i) == at {
		i = sr.lowerBound(i, sr.n, at+1)
	}
	if i == 0 {
		return 0, 0, false
	}
	p := sr.phys(i - 1)
	return sr.t[p], sr.v[p], true
}

// Nearest returns the point closest in time to at.
func (sr *Series) Nearest(at int64) (t int64, v float64, ok bool) {
	sr.mu.RLock()
	defer sr.mu.RUnlock()
	if sr.n == 0 {
		return 0, 0, false
	}
	i := sr.lowerBound(0, sr.n, at)
	if i == sr.n || (i > 0 && at-sr.at(i-1) <= sr.at(i)-at) {
		i--
	}
	p := sr.phys(i)
	return sr.t[p], sr.v[p], true
}

// ValueAt returns the point a reader would take for time at: the nearest
// one, provided the line is drawn at at (at lies between two points with no
// break between them) or the point is within slack of at. In a gap, before
// the first point or after the last, beyond slack, there is no value.
func (sr *Series) ValueAt(at, slack int64) (t int64, v float64, ok bool) {
	sr.mu.RLock()
	defer sr.mu.RUnlock()
	if sr.n == 0 {
		return 0, 0, false
	}
	i := sr.lowerBound(0, sr.n, at) // first point at or after at
	near := i
	if i == sr.n || (i > 0 && at-sr.at(i-1) <= sr.at(i)-at) {
		near = i - 1
	}
	t = sr.at(near)
	onLine := i > 0 && i < sr.n && !sr.breakBefore(i)
	if !onLine && (t-at > slack || at-t > slack) {
		return 0, 0, false
	}
	return t, sr.v[sr.phys(near)], true
}

// breakBefore reports whether a break separates point i from point i-1.
func (sr *Series) breakBefore(i int) bool {
	seq := sr.seq0 + uint64(i)
	_, found := slices.BinarySearch(sr.brk, seq)
	return found
}

// Stats returns the statistics of the points with from <= time <= to, using
// the block index so it costs O(blocks) rather than O(points).
func (sr *Series) Stats(from, to int64) Stats {
	sr.mu.RLock()
	defer sr.mu.RUnlock()
	lo, hi := sr.window(from, to)
	if lo >= hi {
		return Stats{}
	}
	imin, imax, sum := sr.minMax(lo, hi)
	p := sr.phys(hi - 1)
	return Stats{
		Count:    hi - lo,
		Last:     sr.v[p],
		LastTime: time.Unix(0, sr.t[p]).UTC(),
		Min:      sr.v[sr.phys(imin)],
		Max:      sr.v[sr.phys(imax)],
		Mean:     sum / float64(hi-lo),
	}
}

// Points iterates over the points with from <= time <= to, oldest first,
// copying them out chunk by chunk (see Store.Points). It resumes by sequence
// number, so equal timestamps are neither repeated nor lost.
func (sr *Series) Points(from, to int64) iter.Seq2[int64, float64] {
	return func(yield func(int64, float64) bool) {
		ts := make([]int64, chunk)
		vs := make([]float64, chunk)
		var next uint64
		first := true
		for {
			sr.mu.RLock()
			lo, hi := sr.window(from, to)
			if !first {
				lo = max(lo, int(max(next, sr.seq0)-sr.seq0))
			}
			k := 0
			for ; k < chunk && lo+k < hi; k++ {
				p := sr.phys(lo + k)
				ts[k], vs[k] = sr.t[p], sr.v[p]
			}
			next = sr.seq0 + uint64(lo+k)
			sr.mu.RUnlock()
			first = false
			for j := 0; j < k; j++ {
				if !yield(ts[j], vs[j]) {
					return
				}
			}
			if k < chunk {
				return
			}
		}
	}
}
