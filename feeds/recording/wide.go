package recording

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// timeColumnNames are the header names taken as the time column when
// Options.TimeColumn is empty; without one the first column is the time.
var timeColumnNames = []string{"time", "timestamp", "ts"}

// wideColumn is one value column of a wide CSV.
type wideColumn struct {
	c       *column
	numbers bool      // a number has been read
	pending int64     // bad cells before the first number
	first   []BadLine // the first of them
}

// readWide reads a wide CSV after its header.
func (l *loader) readWide(header [][]byte, headerLine int64) {
	names := make([]string, len(header))
	for i, h := range header {
		names[i] = strings.TrimSpace(strings.ToValidUTF8(string(h), "\uFFFD"))
	}
	tcol := -1
	if want := l.opts.TimeColumn; want != "" {
		tcol = indexFold(names, want)
		if tcol < 0 {
			l.bad(headerLine, fmt.Sprintf("no column named %q: the first column is taken as the time", want))
		}
	} else {
		for _, n := range timeColumnNames {
			if tcol = indexFold(names, n); tcol >= 0 {
				break
			}
		}
	}
	if tcol < 0 {
		tcol = 0
	}
	cols := make([]wideColumn, len(names))
	used := map[string]bool{}
	for i, n := range names {
		if i == tcol {
			continue
		}
		if n == "" {
			n = "column " + strconv.Itoa(i+1)
		}
		for base, k := n, 2; used[n]; k++ {
			n = fmt.Sprintf("%s (%d)", base, k)
		}
		used[n] = true
		cols[i].c = &column{name: n}
	}
	// A wide CSV is read column by column as the header says, so the
	// series limit applies to the header.
	if n := len(names) - 1; n > l.maxSer {
		l.bad(headerLine, fmt.Sprintf("%d value columns, more than %d: the rest are left out", n, l.maxSer))
		for i, k := 0, 0; i < len(cols); i++ {
			if cols[i].c != nil {
				if k++; k > l.maxSer {
					cols[i].c = nil
				}
			}
		}
	}
	l.eachLine(func(rec []byte, line int64) {
		f, err := l.split(rec)
		if err != nil {
			l.bad(line, err.Error())
			return
		}
		if len(f) != len(cols) {
			if len(f) == 1 && len(bytes.TrimSpace(f[0])) == 0 {
				return // a line of spaces
			}
			l.bad(line, fmt.Sprintf("%d fields, the header has %d", len(f), len(cols)))
			return
		}
		t, err := l.time(f[tcol])
		if err != nil {
			l.bad(line, err.Error()+" "+quote(f[tcol]))
			return
		}
		reason := ""
		for i, cell := range f {
			wc := &cols[i]
			if wc.c == nil || len(cell) == 0 {
				continue
			}
			v, err := l.number(cell)
			if err != nil {
				if len(bytes.TrimSpace(cell)) == 0 {
					continue
				}
				why := fmt.Sprintf("column %q: bad number %s", wc.c.name, quote(cell))
				if wc.numbers {
					if reason == "" {
						reason = why
					}
				} else {
					wc.pending++
					if len(wc.first) < MaxReported {
						wc.first = append(wc.first, BadLine{line, why})
					}
				}
				continue
			}
			if v != v || v > maxFloat || v < -maxFloat {
				continue // loggers write NaN for "no sample"
			}
			if !wc.numbers {
				wc.numbers = true
				l.res.BadLines += wc.pending
				l.pending = append(l.pending, wc.first...)
				wc.first = nil
			}
			l.keep(wc.c, t, v)
		}
		if reason != "" {
			l.bad(line, reason)
		}
	})
	for i := range cols {
		wc := &cols[i]
		switch {
		case wc.c == nil:
		case wc.numbers:
			l.cols = append(l.cols, wc.c)
		default:
			l.res.SkippedColumns = append(l.res.SkippedColumns, wc.c.name)
		}
	}
}

func indexFold(names []string, want string) int {
	for i, n := range names {
		if strings.EqualFold(n, want) {
			return i
		}
	}
	return -1
}
