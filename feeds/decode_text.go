package feeds

import (
	"bytes"
	"strconv"
	"time"
	"unsafe"
)

// decodeText reads plain text line by line. A line is a list of fields
// separated by commas, semicolons or whitespace; a field is `key=value`,
// `key:value` (or `key: value`) or a bare number. Bare numbers are named
// by position (0, 1, 2, ...), except a line holding a single number,
// which is named after the SSE event (or "value"). A time, timestamp or ts
// key sets the time of the line's samples.
func (d *Decoder) decodeText(b []byte) {
	for len(b) > 0 {
		end := bytes.IndexByte(b, '\n')
		if end < 0 {
			end = len(b)
		}
		if line := trimSpace(b[:end]); len(line) > 0 {
			d.textLine(line)
		}
		if end == len(b) {
			break
		}
		b = b[end+1:]
	}
}

func isFieldSep(c byte) bool { return c == ',' || c == ';' || isSpace(c) }

// nextField returns the next field of a line and the rest of the line.
func nextField(line []byte) (field, rest []byte) {
	i := 0
	for i < len(line) && isFieldSep(line[i]) {
		i++
	}
	line = line[i:]
	i = 0
	for i < len(line) && !isFieldSep(line[i]) {
		i++
	}
	return line[:i], line[i:]
}

func (d *Decoder) textLine(line []byte) {
	nS := len(d.res.Samples)
	var (
		t       time.Time
		hasTime bool
		bad     []byte // first field that is not a number
		nBad    int
		pos     int // index of the next bare number
		bare    int // bare numbers on the line
	)
	for f, rest := nextField(line); len(f) > 0; f, rest = nextField(rest) {
		key, val := splitField(f)
		if key != nil && len(val) == 0 {
			// `key: value` with a space after the separator.
			val, rest = nextField(rest)
		}
		if key != nil && isTimeKey(key) {
			if d.Time == PayloadTime {
				if tt, ok := parseTime(val); ok {
					t, hasTime = tt, true
				} else {
					d.addText(f, "not a time (want RFC 3339 or epoch s/ms/µs/ns)")
				}
			}
			continue
		}
		if len(val) == 0 {
			nBad++
			bad = f
			continue
		}
		v, err := strconv.ParseFloat(unsafe.String(&val[0], len(val)), 64)
		if err != nil {
			if numberReason(err) != "not a number" {
				d.addText(f, numberReason(err))
			} else {
				nBad++
				bad = f
			}
			if key == nil {
				pos++
			}
			continue
		}
		if !d.finite(v, f) {
			if key == nil {
				pos++
			}
			continue
		}
		if d.full() {
			continue
		}
		var name string
		if key != nil {
			if len(key) > MaxSeriesNameLen {
				d.addText(key, "series name too long")
				continue
			}
			name = d.intern(key)
		} else {
			d.path = strconv.AppendInt(d.path[:0], int64(pos), 10)
			name = d.intern(d.path)
			pos++
			bare++
		}
		d.addSample(name, d.msg.Time, v)
	}
	if bare == 1 && pos == 1 && len(d.res.Samples) == nS+1 && d.res.Samples[nS].Series == "0" {
		d.res.Samples[nS].Series = d.bareName()
	}
	if hasTime {
		for i := nS; i < len(d.res.Samples); i++ {
			d.res.Samples[i].Time = t
		}
	}
	switch {
	case nBad == 0:
	case len(d.res.Samples) == nS:
		d.addText(line, "not a number")
	default:
		d.addText(bad, "not a number")
	}
}

// splitField splits `key=value` or `key:value`; key is nil for a bare
// field. '=' wins over ':' so that `time=12:00:00Z` keeps its colons.
func splitField(f []byte) (key, val []byte) {
	i := bytes.IndexByte(f, '=')
	if i < 0 {
		i = bytes.IndexByte(f, ':')
	}
	if i <= 0 {
		return nil, f
	}
	return f[:i], f[i+1:]
}
