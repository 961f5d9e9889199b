package recording

import (
	"bytes"
	"errors"
)

var (
	// errOpenQuote: the record ends inside a quoted field; the next line
	// belongs to it.
	errOpenQuote = errors.New("quoted field not closed")
	errBareQuote = errors.New(`bare " in a field without quotes`)
	errQuote     = errors.New(`extraneous or missing " in a quoted field`)
)

// splitRecord splits one CSV record into fields, appended to dst[:0]. It
// reads what encoding/csv reads (RFC 4180 quotes, "" for a quote, newlines
// inside quoted fields, strict about stray quotes) but does not allocate:
// unquoted fields are slices of rec, quoted ones are unescaped into buf,
// which is returned for reuse. encoding/csv's Reader copies every record
// into a new string slice, too slow for the points per second a recording
// needs.
func splitRecord(rec []byte, delim byte, dst [][]byte, buf []byte) ([][]byte, []byte, error) {
	dst = dst[:0]
	if bytes.IndexByte(rec, '"') < 0 {
		for {
			i := bytes.IndexByte(rec, delim)
			if i < 0 {
				return append(dst, rec), buf, nil
			}
			dst = append(dst, rec[:i])
			rec = rec[i+1:]
		}
	}
	// Unescaped text is never longer than rec, so buf never moves while
	// fields point into it.
	if cap(buf) < len(rec) {
		buf = make([]byte, 0, len(rec))
	}
	buf = buf[:0]
	for {
		if len(rec) == 0 || rec[0] != '"' {
			i := bytes.IndexByte(rec, delim)
			field := rec
			if i >= 0 {
				field = rec[:i]
			}
			if bytes.IndexByte(field, '"') >= 0 {
				return dst, buf, errBareQuote
			}
			dst = append(dst, field)
			if i < 0 {
				return dst, buf, nil
			}
			rec = rec[i+1:]
			continue
		}
		start := len(buf)
		rec = rec[1:]
		for {
			i := bytes.IndexByte(rec, '"')
			if i < 0 {
				return dst, buf, errOpenQuote
			}
			buf = appendCRLF(buf, rec[:i])
			rec = rec[i+1:]
			if len(rec) > 0 && rec[0] == '"' {
				buf = append(buf, '"')
				rec = rec[1:]
				continue
			}
			break
		}
		dst = append(dst, buf[start:len(buf):len(buf)])
		switch {
		case len(rec) == 0:
			return dst, buf, nil
		case rec[0] == delim:
			rec = rec[1:]
		default:
			return dst, buf, errQuote
		}
	}
}

// appendCRLF appends b with every \r\n turned into \n, as encoding/csv
// reads a line break inside a quoted field.
func appendCRLF(buf, b []byte) []byte {
	for {
		i := bytes.Index(b, []byte("\r\n"))
		if i < 0 {
			return append(buf, b...)
		}
		buf = append(buf, b[:i]...)
		b = b[i+1:]
	}
}
