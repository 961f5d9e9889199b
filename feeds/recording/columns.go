package recording

import (
	"encoding/binary"
	"sort"
)

// chunkPoints is the size of the blocks a series grows by once it is large:
// growing one slice by doubling would copy every point again and, at the
// end, leave up to half of it unused; fixed blocks are copied once, into
// slices of the exact size, when the load ends.
const chunkPoints = 1 << 16

// column collects the points of one series while a file is read.
type column struct {
	name   string
	t      []int64 // current block
	v      []float64
	fullT  [][]int64 // full blocks
	fullV  [][]float64
	n      int     // points kept
	seen   int64   // points in the time range, for Every
	lastT  int64   // newest time kept
	behind int     // points older than the one before them
	next   *column // the series that followed this one last time
	sized  bool    // the current block was sized from an estimate
	plain  bool    // the name holds no quote nor delimiter: rows can be read in place (fastRow)
	// A name of up to 16 bytes as two little-endian words, and the masks
	// of its bytes in them, for nameAt.
	word, mask [2]uint64
}

// newColumn makes the column of a series. Plain names are the ones rows
// can be read in place with (fastRows).
func newColumn(name string, plain bool) *column {
	c := &column{name: name, plain: plain}
	if len(name) <= 16 {
		var w [16]byte
		copy(w[:], name)
		for i := range name {
			c.mask[i/8] |= 0xFF << (8 * (i % 8))
		}
		c.word[0], c.word[1] = binary.LittleEndian.Uint64(w[:]), binary.LittleEndian.Uint64(w[8:])
	}
	return c
}

// nameAt reports whether b starts with the column's name: for a short
// name two word compares, not a call comparing bytes.
func (c *column) nameAt(b []byte) bool {
	if len(c.name) <= 16 && len(b) >= 16 {
		le := binary.LittleEndian
		return le.Uint64(b)&c.mask[0] == c.word[0] && le.Uint64(b[8:])&c.mask[1] == c.word[1]
	}
	return len(b) >= len(c.name) && string(b[:len(c.name)]) == c.name
}

// add appends a point; the caller has made room (loader.keep).
func (c *column) add(t int64, v float64) {
	if c.n > 0 && t < c.lastT {
		c.behind++
	}
	c.lastT = t
	c.t = append(c.t, t)
	c.v = append(c.v, v)
	c.n++
}

// growTo replaces the current block by one of capacity n holding the same
// points: the series' expected size, so that it never needs a second
// block, nor the copy at the end.
func (c *column) growTo(n int) {
	t := make([]int64, len(c.t), n)
	v := make([]float64, len(c.v), n)
	copy(t, c.t)
	copy(v, c.v)
	c.t, c.v = t, v
	c.sized = true
}

func (c *column) grow() {
	switch {
	case cap(c.t) == 0:
		c.t, c.v = make([]int64, 0, 256), make([]float64, 0, 256)
	case cap(c.t) < chunkPoints:
		t := make([]int64, len(c.t), 2*cap(c.t))
		v := make([]float64, len(c.v), 2*cap(c.v))
		copy(t, c.t)
		copy(v, c.v)
		c.t, c.v = t, v
	default:
		c.fullT = append(c.fullT, c.t)
		c.fullV = append(c.fullV, c.v)
		c.t, c.v = make([]int64, 0, chunkPoints), make([]float64, 0, chunkPoints)
	}
}

// finish returns the points as one slice pair of the exact length. A
// series held in one block that is nearly full (sized from the estimate)
// is returned as it is: copying it would touch twice the memory, for a
// slack of a few percent.
func (c *column) finish() Series {
	s := Series{Name: c.name, OutOfOrder: c.behind}
	if len(c.fullT) == 0 && (c.n >= cap(c.t)-cap(c.t)/8 || c.n < 1024) {
		s.T, s.V = c.t[:c.n:c.n], c.v[:c.n:c.n]
		*c = column{name: c.name}
		return s
	}
	s.T, s.V = make([]int64, c.n), make([]float64, c.n)
	i := 0
	for k := range c.fullT {
		copy(s.T[i:], c.fullT[k])
		copy(s.V[i:], c.fullV[k])
		i += len(c.fullT[k])
		c.fullT[k], c.fullV[k] = nil, nil
	}
	copy(s.T[i:], c.t)
	copy(s.V[i:], c.v)
	*c = column{name: c.name}
	return s
}

// Sort puts the points of a series whose OutOfOrder is not zero in time
// order, keeping the file order of points with equal times, for a store
// that keeps every series in time order.
func (s *Series) Sort() {
	if s.OutOfOrder == 0 {
		return
	}
	sort.Stable(byTime{s})
	s.OutOfOrder = 0
}

type byTime struct{ s *Series }

func (b byTime) Len() int           { return len(b.s.T) }
func (b byTime) Less(i, j int) bool { return b.s.T[i] < b.s.T[j] }
func (b byTime) Swap(i, j int) {
	b.s.T[i], b.s.T[j] = b.s.T[j], b.s.T[i]
	b.s.V[i], b.s.V[j] = b.s.V[j], b.s.V[i]
}
