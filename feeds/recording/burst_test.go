package recording

import (
	"fmt"
	"testing"
)

// When a series' size is estimated, the share of the file read so far
// says how large it will be; in a file whose series come in bursts each
// looks as if it went on to the end. The blocks sized from estimates may
// together hold no more than the rows the file is expected to have (10%
// more); past that, series grow block by block as without an estimate.
func TestEstimatesKeepToTheFileSize(t *testing.T) {
	const lines = 20_000
	l := newLoader(&Result{}, Options{})
	l.size = 100 << 20                                              // a 100 MB file
	l.lr = &lineReader{nread: 1 << 20, line: lines}                 // its first MB read and used
	expected := float64(lines) / (float64(1<<20) / float64(l.size)) // rows in the whole file
	total := 0
	for i := range 100 {
		c := newColumn(fmt.Sprint("s", i), true)
		for c.n <= estimateAfter {
			if len(c.t) == cap(c.t) {
				l.grow(c)
			}
			c.add(int64(c.n), 0)
		}
		total += cap(c.t)
	}
	// 100 series, each estimated alone at 100 times its points, would
	// reserve 43 million points: 20 times the file.
	if limit := 1.1*expected + 1024 + 100*2*estimateAfter; float64(total) > limit {
		t.Errorf("blocks for %d points, the file has about %.0f", total, expected)
	}
	if l.reserved == 0 {
		t.Error("no series was sized from an estimate")
	}
}
