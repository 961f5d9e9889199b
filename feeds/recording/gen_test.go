package recording

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// point is one sample as feedscope record sees it.
type point struct {
	series string
	t      int64
	v      float64
}

// writeRecording writes points as feedscope record does, flushing every
// 4096 rows like Export CSV.
func writeRecording(w io.Writer, format string, pts []point) error {
	rw := NewWriter(w, format)
	if err := rw.Header(); err != nil {
		return err
	}
	for i, p := range pts {
		if err := rw.Row(time.Unix(0, p.t), p.series, p.v); err != nil {
			return err
		}
		if i%4096 == 4095 {
			if err := rw.Flush(); err != nil {
				return err
			}
		}
	}
	return rw.Flush()
}

// genStart is the first time of generated recordings.
var genStart = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC).UnixNano()

// genPoints returns rows of nSeries series sampled every 10 ms (with some
// jitter in the nanoseconds), values like those of a monitored server.
func genPoints(rows, nSeries int) []point {
	names := make([]string, nSeries)
	for i := range names {
		names[i] = fmt.Sprintf("host%d.cpu", i)
	}
	pts := make([]point, 0, rows*nSeries)
	for r := 0; r < rows; r++ {
		t := genStart + int64(r)*10_000_000 + int64(r%7)*1_234
		for s := 0; s < nSeries; s++ {
			v := math.Round((50+40*math.Sin(float64(r+s)/100))*1000) / 1000
			pts = append(pts, point{names[s], t, v})
		}
	}
	return pts
}

// writeLong writes a generated long CSV of about size bytes to w.
func writeLong(w io.Writer, size int64, nSeries int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}
	rw := NewWriter(cw, "csv")
	if err := rw.Header(); err != nil {
		return err
	}
	for r := 0; cw.n < size; r += 1000 {
		for _, p := range genPointsFrom(r, 1000, nSeries) {
			if err := rw.Row(time.Unix(0, p.t), p.series, p.v); err != nil {
				return err
			}
		}
		if err := rw.Flush(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func genPointsFrom(row, rows, nSeries int) []point {
	pts := genPoints(rows, nSeries)
	for i := range pts {
		pts[i].t += int64(row) * 10_000_000
	}
	return pts
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeWide writes rows of a wide CSV: a time column in RFC 3339 with
// milliseconds, then nSeries value columns.
func writeWide(w io.Writer, rows, nSeries int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString("time")
	for s := 0; s < nSeries; s++ {
		fmt.Fprintf(bw, ",sensor%d", s)
	}
	bw.WriteByte('\n')
	var b []byte
	for r := 0; r < rows; r++ {
		b = time.Unix(0, genStart+int64(r)*10_000_000).UTC().AppendFormat(b[:0], "2006-01-02T15:04:05.000Z07:00")
		for s := 0; s < nSeries; s++ {
			b = append(b, ',')
			b = strconv.AppendFloat(b, math.Round((20+5*math.Sin(float64(r+s)/50))*100)/100, 'g', -1, 64)
		}
		b = append(b, '\n')
		bw.Write(b)
	}
	return bw.Flush()
}
