package recording

import (
	"bytes"
	"fmt"
	"time"
)

// readLong reads the rows of a long CSV after its header.
func (l *loader) readLong() {
	l.eachLine(func(rec []byte, line int64) {
		// The rows feedscope record writes have no quotes: split them
		// here, without a field slice, which is most of the speed.
		if i := bytes.IndexByte(rec, l.delim); i >= 0 && bytes.IndexByte(rec, '"') < 0 {
			j := bytes.IndexByte(rec[i+1:], l.delim)
			if j >= 0 && bytes.IndexByte(rec[i+1+j+1:], l.delim) < 0 {
				l.longRow(rec[:i], rec[i+1:i+1+j], rec[i+1+j+1:], line)
				return
			}
		}
		f, err := l.split(rec)
		if err != nil {
			l.bad(line, err.Error())
			return
		}
		l.longLine(f, line)
	})
}

func (l *loader) longLine(f [][]byte, line int64) {
	if len(f) != 3 {
		l.bad(line, fmt.Sprintf("%d fields, want 3 (time, series, value)", len(f)))
		return
	}
	l.longRow(f[0], f[1], f[2], line)
}

func (l *loader) longRow(ts, name, val []byte, line int64) {
	t, err := l.time(ts)
	if err != nil {
		l.bad(line, err.Error()+" "+quote(ts))
		return
	}
	v, err := l.number(val)
	if err != nil {
		l.bad(line, "bad number "+quote(val))
		return
	}
	if v != v || v > maxFloat || v < -maxFloat {
		l.bad(line, errNotFinite.Error())
		return
	}
	c, why := l.column(name)
	if c == nil {
		l.bad(line, why)
		return
	}
	l.keep(c, t, v)
}

const maxFloat = 1.7976931348623157e308

var timeZero time.Time
