package recording

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
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

// recordTimeLayout and recordWriter write exactly what app/record.go's
// rowWriter writes (feedscope record and Export CSV): the app package
// imports Fyne, so its writer is mirrored here rather than imported.
const recordTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

type recordWriter struct {
	csv *csv.Writer
	w   io.Writer
	buf []byte
}

func newRecordWriter(w io.Writer, format string) *recordWriter {
	if format == "csv" {
		return &recordWriter{csv: csv.NewWriter(w)}
	}
	return &recordWriter{w: w}
}

func (r *recordWriter) header() error {
	if r.csv != nil {
		return r.csv.Write([]string{"time", "series", "value"})
	}
	return nil
}

func (r *recordWriter) row(p point) error {
	t := time.Unix(0, p.t).UTC().Format(recordTimeLayout)
	v := strconv.FormatFloat(p.v, 'g', -1, 64)
	if r.csv != nil {
		return r.csv.Write([]string{t, p.series, v})
	}
	name, err := json.Marshal(p.series)
	if err != nil {
		return err
	}
	r.buf = append(r.buf, `{"time":"`...)
	r.buf = append(r.buf, t...)
	r.buf = append(r.buf, `","series":`...)
	r.buf = append(r.buf, name...)
	r.buf = append(r.buf, `,"value":`...)
	r.buf = append(r.buf, v...)
	r.buf = append(r.buf, "}\n"...)
	return nil
}

func (r *recordWriter) flush() error {
	if r.csv != nil {
		r.csv.Flush()
		return r.csv.Error()
	}
	_, err := r.w.Write(r.buf)
	r.buf = r.buf[:0]
	return err
}

// writeRecording writes points as feedscope record does, flushing every
// 4096 rows like Export CSV.
func writeRecording(w io.Writer, format string, pts []point) error {
	rw := newRecordWriter(w, format)
	if err := rw.header(); err != nil {
		return err
	}
	for i, p := range pts {
		if err := rw.row(p); err != nil {
			return err
		}
		if i%4096 == 4095 {
			if err := rw.flush(); err != nil {
				return err
			}
		}
	}
	return rw.flush()
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
	rw := newRecordWriter(cw, "csv")
	if err := rw.header(); err != nil {
		return err
	}
	for r := 0; cw.n < size; r += 1000 {
		for _, p := range genPointsFrom(r, 1000, nSeries) {
			if err := rw.row(p); err != nil {
				return err
			}
		}
		if err := rw.flush(); err != nil {
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
