package recording

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"time"
)

// longFast turns the fast path of readLong off when false: a test loads
// the same bytes both ways and wants the same result.
var longFast = true

// readLong reads the rows of a long CSV after its header.
func (l *loader) readLong() {
	lr := l.lr
	for {
		if longFast {
			l.fastRows()
		}
		rec, err := lr.next()
		if err != nil {
			if err == errLineTooLong {
				l.lineError(err)
				continue
			}
			return
		}
		if len(rec) == 0 || (longFast && l.fastRow(rec)) {
			continue
		}
		l.longRec(rec, lr.line)
	}
}

// longRec reads one row the general way.
func (l *loader) longRec(rec []byte, line int64) {
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
}

// fastRow reads a row that is good and plain, in one pass without
// scanning for quotes or delimiters first, and reports whether it did. A
// row it does not take (a new series, a quote, a bad cell, padding) is
// left to longRec, so both read every row alike (FuzzLongFastPath).
//
// A row is plain when its time parses as it stands, the series is one
// already seen whose name holds no quote or delimiter, and the value parses
// as it stands. Then the cells cannot hold a quote, so the row splits at
// the delimiters around the name exactly as longRec splits it. The series
// is guessed first as the one that followed the previous series last time,
// then looked up by name without allocating.
func (l *loader) fastRow(rec []byte) bool {
	t, ti, ok := l.fastTime(rec)
	if !ok {
		return false
	}
	rest := rec[ti+1:]
	var c *column
	if p := l.prev; p != nil && p.next != nil && p.next.plain {
		n := p.next.name
		if len(rest) > len(n) && rest[len(n)] == l.delim && string(rest[:len(n)]) == n {
			c = p.next
		}
	}
	if c == nil {
		j := bytes.IndexByte(rest, l.delim)
		if j < 0 {
			return false
		}
		if c = l.byName[string(rest[:j])]; c == nil || !c.plain {
			return false
		}
	}
	v, err := parseFloat(rest[len(c.name)+1:])
	if err != nil || v != v || v > maxFloat || v < -maxFloat {
		return false
	}
	if l.prev != nil {
		l.prev.next = c
	}
	l.prev = c
	l.keep(c, t, v)
	return true
}

// timeLen is the length of a time as feedscope record writes it
// (TimeLayout in UTC): 2026-03-14T09:26:53.000001234Z.
const timeLen = 30

// fastTime parses the time cell that starts rec and returns it and the
// index of the delimiter after it. A time in TimeLayout in the minute of
// the last one is read in place; anything else is cut at the first
// delimiter and goes through the time parser. A cell it refuses is left to
// the general path, which trims padding and words the error.
func (l *loader) fastTime(rec []byte) (int64, int, bool) {
	if t, ok := l.layoutTime(rec); ok {
		return t, timeLen, true
	}
	ti := bytes.IndexByte(rec, l.delim)
	if ti < 0 {
		return 0, 0, false
	}
	t, err := l.tp.parse(rec[:ti])
	return t, ti, err == nil
}

// layoutTime reads a time in TimeLayout, followed by the delimiter, that
// shares its minute with the last text time. The minute (prefix) holds
// digits, '-', '/', 'T', ' ' and ':' only, and the checks here the rest,
// so no delimiter comes before rec[timeLen]: the cell is the whole time.
func (l *loader) layoutTime(rec []byte) (int64, bool) {
	if len(rec) <= timeLen || rec[timeLen] != l.delim {
		return 0, false
	}
	// The samples of one message share its time: a time written as the
	// last one is that one, without parsing it again.
	le := binary.LittleEndian
	if l.lastOK && le.Uint64(rec) == le.Uint64(l.lastRaw[:]) && le.Uint64(rec[8:]) == le.Uint64(l.lastRaw[8:]) &&
		le.Uint64(rec[16:]) == le.Uint64(l.lastRaw[16:]) && le.Uint64(rec[22:]) == le.Uint64(l.lastRaw[22:]) {
		return l.lastT, true
	}
	p := &l.tp
	if p.prefixOK && p.kind == kindText && rec[29] == 'Z' && rec[16] == ':' && rec[19] == '.' &&
		le.Uint64(rec) == le.Uint64(p.prefix[:8]) && le.Uint64(rec[8:]) == le.Uint64(p.prefix[8:]) {
		s1, s2 := rec[17]-'0', rec[18]-'0'
		if s1 <= 5 && s2 <= 9 {
			if nsec, n := fraction(rec[20:29]); n == 9 {
				t := (p.prefixSec+int64(s1)*10+int64(s2))*1e9 + int64(nsec)
				copy(l.lastRaw[:], rec[:timeLen])
				l.lastT, l.lastOK = t, true
				return t, true
			}
		}
	}
	return 0, false
}

// fastRows reads, straight from the line reader's buffer, the rows that
// follow in the form feedscope record writes them, each of the series that
// followed the previous row's series last time (the order a recording
// repeats): without looking for the end of a line before reading it, which
// the value's own end tells. It stops at the first row that is not such a
// row, or not complete in the buffer, and leaves it to the line reader.
func (l *loader) fastRows() {
	lr := l.lr
	buf := lr.buf[:lr.w]
	r, delim, plainKeep := lr.r, l.delim, l.every <= 1
	for {
		p := l.prev
		if p == nil || p.next == nil || !p.next.plain {
			return
		}
		c := p.next
		b := buf[r:]
		t, ok := l.layoutTime(b)
		if !ok {
			return
		}
		vs := timeLen + 1 + len(c.name)
		if len(b) <= vs || b[vs] != delim || !c.nameAt(b[timeLen+1:]) {
			return
		}
		vs++
		end := vs + newlineIn(b[vs:])
		if end < vs || end > lr.max {
			return
		}
		val := b[vs:end]
		if n := len(val); n > 0 && val[n-1] == '\r' {
			val = val[:n-1]
		}
		v, ok := parseShort(val)
		if !ok {
			var err error
			if v, err = parseFloat(val); err != nil || v != v || v > maxFloat || v < -maxFloat {
				return
			}
		}
		l.prev = c
		lr.line++
		r += end + 1
		lr.r, lr.s = r, r // before keep, whose estimate of the series' size reads it
		if plainKeep && len(c.t) < cap(c.t) && t >= l.from && t <= l.to {
			c.add(t, v) // what keep does for such a point, without the call
			continue
		}
		l.keep(c, t, v)
	}
}

// newlineIn returns the index of the first newline in b, or -1. Values are
// short: the first eight bytes are searched as one word.
func newlineIn(b []byte) int {
	if len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b) ^ 0x0A0A0A0A0A0A0A0A
		if m := (x - 0x0101010101010101) & ^x & 0x8080808080808080; m != 0 {
			return bits.TrailingZeros64(m) / 8
		}
	}
	return bytes.IndexByte(b, '\n')
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
