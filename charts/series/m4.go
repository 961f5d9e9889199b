package series

import "sort"

// Reduced is the M4 reduction of one series over a time window: for every
// pixel column the first, minimum, maximum and last point, in time order, so
// that a line drawn through them covers the same pixels as a line through
// every point (Jugel et al., PVLDB 2014). Reuse one Reduced across frames:
// Reduce only reslices its buffers.
type Reduced struct {
	T []int64   // Unix nanoseconds
	V []float64 // values
	// Starts holds the index in T/V where each polyline begins; a break
	// separates consecutive polylines. Starts[0] is 0 when T is not empty.
	Starts []int
	// InView is the number of stored points with from <= time <= to, and
	// Min/Max their extremes (valid when InView > 0). T and V may also hold
	// one point on either side of the window, so the line runs off the edge
	// instead of stopping short of it; those do not count here.
	InView   int
	Min, Max float64
}

func (r *Reduced) reset() {
	r.T, r.V, r.Starts = r.T[:0], r.V[:0], r.Starts[:0]
	r.InView, r.Min, r.Max = 0, 0, 0
}

// Reduce fills out with the M4 reduction of the points with from <= time <=
// to into cols pixel columns of equal duration. With fewer than
// linearBelow points a column on average it looks at each point once
// (O(cols) points in all); with more, it binary-searches each column's
// bounds and reads whole 64-point blocks from the index, O(cols × log n +
// n/64). It holds the series' read lock only while it runs.
func (sr *Series) Reduce(from, to int64, cols int, out *Reduced) {
	out.reset()
	if cols <= 0 || to <= from {
		return
	}
	sr.mu.RLock()
	defer sr.mu.RUnlock()
	if sr.n == 0 {
		return
	}
	lo, hi := sr.window(from, to)
	// Column c holds times in [bound(c), bound(c+1)): integer bounds, so
	// the linear and the indexed paths agree on every point's column.
	span := float64(to - from)
	bound := func(c int) int64 {
		if c >= cols {
			return maxInt64
		}
		return from + int64(float64(c)*span/float64(cols))
	}
	colOf := func(t int64) int {
		c := int(float64(t-from) * float64(cols) / span)
		c = max(0, min(c, cols-1))
		for c > 0 && t < bound(c) {
			c--
		}
		for c+1 < cols && t >= bound(c+1) {
			c++
		}
		return c
	}
	// Below dense enough for whole blocks inside a column, one pass over
	// the points beats a binary search and a block walk per column.
	linear := hi-lo < cols*linearBelow
	// Breaks strictly inside (lo, hi) split the window into segments; a
	// break at lo or hi only cuts the line to the off-window neighbour.
	bi := sort.Search(len(sr.brk), func(k int) bool { return sr.brk[k] > sr.seq0+uint64(lo) })
	pen := false // a polyline is open
	if lo > 0 && !sr.isBreak(lo) {
		out.Starts = append(out.Starts, 0)
		sr.emit(out, lo-1)
		pen = true
	}
	if lo < hi {
		imin, imax, _ := sr.minMax(lo, hi)
		out.InView, out.Min, out.Max = hi-lo, sr.v[sr.phys(imin)], sr.v[sr.phys(imax)]
	}
	for a := lo; a < hi; {
		e := hi
		if bi < len(sr.brk) {
			if b := int(sr.brk[bi] - sr.seq0); b < hi {
				e = b
				bi++
			}
		}
		if !pen || a != lo {
			out.Starts = append(out.Starts, len(out.T))
		}
		pen = true
		if linear {
			sr.reduceLinear(out, a, e, colOf, bound)
		} else {
			for i := a; i < e; {
				next := bound(colOf(sr.at(i)) + 1)
				j := sr.lowerBound(i+1, e, next)
				sr.emitColumn(out, i, j)
				i = j
			}
		}
		a = e
	}
	if hi < sr.n && !sr.isBreak(hi) {
		if !pen {
			out.Starts = append(out.Starts, len(out.T))
		}
		sr.emit(out, hi)
	}
	// A polyline of one point draws nothing but is harmless; drop empty
	// trailing starts so Starts[k] < len(T) always holds.
	for len(out.Starts) > 0 && out.Starts[len(out.Starts)-1] >= len(out.T) {
		out.Starts = out.Starts[:len(out.Starts)-1]
	}
}

// linearBelow is the average points per column under which Reduce walks
// the points once instead of searching column bounds and reading blocks.
const linearBelow = 96

// reduceLinear emits the M4 points of logical range [a, e) in one pass.
func (sr *Series) reduceLinear(out *Reduced, a, e int, colOf func(int64) int, bound func(int) int64) {
	L := len(sr.t)
	p := sr.phys(a)
	ts, vs := sr.t, sr.v
	c := colOf(ts[p])
	next := bound(c + 1)
	first, imin, imax := a, a, a
	vmin, vmax := vs[p], vs[p]
	for i := a; i < e; i++ {
		t, v := ts[p], vs[p]
		if t >= next {
			sr.emitM4(out, first, imin, imax, i-1)
			c = colOf(t)
			next = bound(c + 1)
			first, imin, imax, vmin, vmax = i, i, i, v, v
		} else {
			if v < vmin {
				vmin, imin = v, i
			}
			if v > vmax {
				vmax, imax = v, i
			}
		}
		p++
		if p == L {
			p = 0
		}
	}
	sr.emitM4(out, first, imin, imax, e-1)
}

// emitM4 appends a column's first, min, max and last in time order.
func (sr *Series) emitM4(out *Reduced, first, imin, imax, last int) {
	a, b := imin, imax
	if a > b {
		a, b = b, a
	}
	sr.emit(out, first)
	if a != first {
		sr.emit(out, a)
	}
	if b != a && b != first {
		sr.emit(out, b)
	}
	if last != b && last != first {
		sr.emit(out, last)
	}
}

// isBreak reports whether logical point i starts a new line.
func (sr *Series) isBreak(i int) bool {
	seq := sr.seq0 + uint64(i)
	k := sort.Search(len(sr.brk), func(k int) bool { return sr.brk[k] >= seq })
	return k < len(sr.brk) && sr.brk[k] == seq
}

func (sr *Series) emit(out *Reduced, i int) {
	p := sr.phys(i)
	out.T = append(out.T, sr.t[p])
	out.V = append(out.V, sr.v[p])
}

// emitColumn appends the M4 points of logical range [i, j) in time order.
func (sr *Series) emitColumn(out *Reduced, i, j int) {
	if j-i <= 4 {
		for k := i; k < j; k++ {
			sr.emit(out, k)
		}
		return
	}
	a, b, _ := sr.minMax(i, j)
	sr.emitM4(out, i, a, b, j-1)
}

// minMax returns the logical indices of the minimum and maximum value in
// logical range [lo, hi) (non-empty) and the sum of its values, reading
// whole blocks from the index and raw points only at the edges.
func (sr *Series) minMax(lo, hi int) (imin, imax int, sum float64) {
	L := len(sr.t)
	p0 := sr.phys(lo)
	n := hi - lo
	pmin, pmax := p0, p0
	vmin, vmax := sr.v[p0], sr.v[p0]
	scan := func(a, b int) {
		v := sr.v
		for a < b && a&(blockSize-1) != 0 {
			x := v[a]
			if x < vmin {
				vmin, pmin = x, a
			}
			if x > vmax {
				vmax, pmax = x, a
			}
			sum += x
			a++
		}
		for ; a+blockSize <= b; a += blockSize {
			bl := &sr.blk[a>>blockShift]
			if bl.min < vmin {
				vmin, pmin = bl.min, a+int(bl.imin)
			}
			if bl.max > vmax {
				vmax, pmax = bl.max, a+int(bl.imax)
			}
			sum += bl.sum
		}
		for ; a < b; a++ {
			x := v[a]
			if x < vmin {
				vmin, pmin = x, a
			}
			if x > vmax {
				vmax, pmax = x, a
			}
			sum += x
		}
	}
	if p0+n <= L {
		scan(p0, p0+n)
	} else {
		scan(p0, L)
		scan(0, p0+n-L)
	}
	logical := func(p int) int {
		i := p - sr.start
		if i < 0 {
			i += L
		}
		return i
	}
	return logical(pmin), logical(pmax), sum
}
