package compute

// MaxWindowPoints bounds the points one moving window holds (16 bytes each,
// so 16 MiB), whatever its duration and the sample rate. Past it the oldest
// points leave the window early and Stats.Truncated counts them: the window
// then covers less time than it says, rather than memory growing without end.
const MaxWindowPoints = 1 << 20

const firstRing = 64

type point struct {
	t int64
	v float64
}

// ring is a double-ended queue of points that grows by doubling up to
// MaxWindowPoints.
type ring struct {
	buf  []point
	head int // index of the front
	n    int
}

func (r *ring) full() bool { return r.n == MaxWindowPoints }

func (r *ring) clear() { r.head, r.n = 0, 0 }

func (r *ring) idx(i int) int {
	i += r.head
	if i >= len(r.buf) {
		i -= len(r.buf)
	}
	return i
}

func (r *ring) at(i int) point { return r.buf[r.idx(i)] }

func (r *ring) front() point { return r.buf[r.head] }

func (r *ring) back() point { return r.buf[r.idx(r.n-1)] }

func (r *ring) pushBack(p point) {
	if r.n == len(r.buf) {
		r.grow()
	}
	r.buf[r.idx(r.n)] = p
	r.n++
}

func (r *ring) popFront() point {
	p := r.buf[r.head]
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.n--
	return p
}

func (r *ring) popBack() point {
	r.n--
	return r.buf[r.idx(r.n)]
}

func (r *ring) grow() {
	size := min(max(2*len(r.buf), firstRing), MaxWindowPoints)
	buf := make([]point, size)
	for i := range r.n {
		buf[i] = r.at(i)
	}
	r.buf, r.head = buf, 0
}
