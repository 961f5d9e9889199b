package recording

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// TimeLayout is how Feedscope's own recordings write a time: RFC 3339 in
// UTC with a fixed nine-digit fraction, so rows sort as text and every row
// shows the full precision.
const TimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// Writer writes Feedscope's own recording formats, the ones `feedscope
// record` and the window's Export CSV produce and Load reads back point
// for point: long CSV (`time,series,value`, quoted per RFC 4180, since
// Prometheus names hold commas and quotes) or JSON Lines
// (`{"time":…,"series":…,"value":…}`). Values are written in the shortest
// form that parses back to the same float64.
type Writer struct {
	csv *csv.Writer
	w   io.Writer
	buf []byte
}

// NewWriter writes format "csv" or "jsonl" to w.
func NewWriter(w io.Writer, format string) *Writer {
	if format == "csv" {
		return &Writer{csv: csv.NewWriter(w)}
	}
	return &Writer{w: w}
}

// Header writes the CSV header row; JSON Lines has none.
func (r *Writer) Header() error {
	if r.csv != nil {
		return r.csv.Write([]string{"time", "series", "value"})
	}
	return nil
}

// Row writes one point. It is buffered until Flush.
func (r *Writer) Row(t time.Time, series string, value float64) error {
	ts := t.UTC().Format(TimeLayout)
	v := strconv.FormatFloat(value, 'g', -1, 64)
	if r.csv != nil {
		return r.csv.Write([]string{ts, series, v})
	}
	name, err := json.Marshal(series)
	if err != nil {
		return err
	}
	r.buf = append(r.buf, `{"time":"`...)
	r.buf = append(r.buf, ts...)
	r.buf = append(r.buf, `","series":`...)
	r.buf = append(r.buf, name...)
	r.buf = append(r.buf, `,"value":`...)
	r.buf = append(r.buf, v...)
	r.buf = append(r.buf, "}\n"...)
	return nil
}

// Flush writes out the rows written so far, so that a reader (tail -f)
// sees every message as it arrives.
func (r *Writer) Flush() error {
	if r.csv != nil {
		r.csv.Flush()
		return r.csv.Error()
	}
	if len(r.buf) == 0 {
		return nil
	}
	_, err := r.w.Write(r.buf)
	r.buf = r.buf[:0]
	return err
}
