package recording

import (
	"bytes"
	"errors"
	"io"
)

// lineReader hands out the lines of a stream from one fixed buffer, so the
// memory it takes does not depend on the input: a line longer than max is
// skipped up to its newline and reported, not grown into.
type lineReader struct {
	src  io.Reader
	buf  []byte
	r, w int   // buf[r:w] is not handed out yet
	s    int   // start of the record being assembled (extend)
	line int64 // physical line number of the last line handed out
	eof  bool
	err  error // read error other than io.EOF
	max  int
	// filled is called after every read from src; it returns false to stop
	// (cancellation).
	filled func() bool
	nread  int64 // bytes read from src
	bom    bool  // a UTF-8 byte order mark was checked for
}

// errLineTooLong marks a record longer than the line limit.
var errLineTooLong = errors.New("line too long")

// errStopped is returned when filled asked to stop.
var errStopped = errors.New("stopped")

func newLineReader(src io.Reader, max int, filled func() bool) *lineReader {
	size := max + 1
	if size < 256<<10 {
		size = 256 << 10
	}
	return &lineReader{src: src, buf: make([]byte, size), max: max, filled: filled}
}

// fill reads more input, moving buf[lr.s:lr.w] to the front first. It
// returns false at the end of input (or a read error, or a stop).
func (lr *lineReader) fill() bool {
	if lr.eof {
		return false
	}
	if lr.s > 0 {
		n := copy(lr.buf, lr.buf[lr.s:lr.w])
		lr.r -= lr.s
		lr.w = n
		lr.s = 0
	}
	if lr.w == len(lr.buf) {
		return true // full: the caller sees the record is too long
	}
	for {
		n, err := lr.src.Read(lr.buf[lr.w:])
		lr.w += n
		lr.nread += int64(n)
		if lr.filled != nil && !lr.filled() {
			lr.eof, lr.err = true, errStopped
			return false
		}
		if err != nil {
			lr.eof = true
			if err != io.EOF {
				lr.err = err
			}
			return n > 0
		}
		if n > 0 {
			if !lr.bom {
				lr.stripBOM()
			}
			return true
		}
	}
}

func (lr *lineReader) stripBOM() {
	if lr.line > 0 || lr.r > 0 {
		lr.bom = true
		return
	}
	if lr.w-lr.r < 3 && !lr.eof {
		return
	}
	lr.bom = true
	if bytes.HasPrefix(lr.buf[lr.r:lr.w], []byte("\xef\xbb\xbf")) {
		lr.r += 3
		lr.s = lr.r
	}
}

// next returns the next line without its line ending, starting a new
// record. At the end of input it returns io.EOF. For a line longer than the
// limit it returns errLineTooLong once the rest of that line has been
// skipped; lr.line is then its number.
func (lr *lineReader) next() ([]byte, error) {
	lr.s = lr.r
	return lr.scan(lr.r)
}

// extend returns the record begun by the last next with the following line
// added (a quoted field that holds a newline).
func (lr *lineReader) extend() ([]byte, error) {
	if lr.r > lr.s && lr.buf[lr.r-1] == '\n' {
		return lr.scan(lr.r)
	}
	return nil, io.EOF
}

func (lr *lineReader) scan(from int) ([]byte, error) {
	for {
		if i := bytes.IndexByte(lr.buf[from:lr.w], '\n'); i >= 0 {
			end := from + i
			lr.line++
			lr.r = end + 1
			if end-lr.s > lr.max {
				return nil, errLineTooLong
			}
			return trimCR(lr.buf[lr.s:end]), nil
		}
		from = lr.w
		if lr.w-lr.s > lr.max {
			lr.line++
			return nil, lr.skipLine()
		}
		off := lr.s
		if !lr.fill() {
			if lr.w > lr.r && lr.err != errStopped {
				// The last line has no newline.
				lr.line++
				lr.r = lr.w
				return trimCR(lr.buf[lr.s:lr.w]), nil
			}
			return nil, io.EOF
		}
		from -= off - lr.s
	}
}

// skipLine drops input up to and including the next newline.
func (lr *lineReader) skipLine() error {
	for {
		if i := bytes.IndexByte(lr.buf[lr.r:lr.w], '\n'); i >= 0 {
			lr.r += i + 1
			lr.s = lr.r
			return errLineTooLong
		}
		lr.r, lr.s = lr.w, lr.w
		if !lr.fill() {
			return errLineTooLong
		}
	}
}

func trimCR(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		return b[:n-1]
	}
	return b
}
