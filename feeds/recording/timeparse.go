package recording

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"strconv"
	"time"
)

var (
	errBadTime     = errors.New("bad time")
	errTimeRange   = errors.New("time out of range (years 1678 to 2261)")
	errTimeKind    = errors.New("time is not written like the first time of the file")
	errNoTime      = errors.New("empty time")
	errBadNumber   = errors.New("bad number")
	errNotFinite   = errors.New("value is NaN or infinite")
	errInvalidUTF8 = errors.New("invalid UTF-8")
)

// Numeric times are told apart by the magnitude of the first one in a file:
// from 1e17 on they are nanoseconds since 1970, then microseconds,
// milliseconds and seconds (1e8 s is 1973); below 1e8 they are seconds from
// the start of the recording. The unit then holds for the whole file, so a
// recording that starts at second 0 is not read as 1970 halfway through.
const (
	minEpochNanos   = 1e17
	minEpochMicros  = 1e14
	minEpochMillis  = 1e11
	minEpochSeconds = 1e8
)

// Time kinds fixed by the first time of a file.
const (
	kindUnknown = iota
	kindText
	kindNumeric
)

// timeParser turns the time cells of one file into Unix nanoseconds.
type timeParser struct {
	loc   *time.Location // zone of times written without one; nil is UTC
	start int64          // Unix nanos of second 0 for relative seconds
	kind  int
	unit  float64 // nanoseconds per unit of a numeric time
	rel   bool
	// The date, hour and minute of the last text time and their Unix
	// seconds: consecutive rows mostly share them, and then only the
	// seconds are parsed.
	prefix    [16]byte
	prefixSec int64
	prefixOK  bool
}

// parse returns the time written in b as Unix nanoseconds.
func (p *timeParser) parse(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, errNoTime
	}
	numeric := b[0] != '+' && (len(b) < 5 || (b[4] != '-' && b[4] != '/'))
	switch p.kind {
	case kindUnknown:
		if numeric {
			f, err := parseFloat(b)
			if err != nil {
				return 0, errBadTime
			}
			p.setUnit(math.Abs(f))
			p.kind = kindNumeric
		} else {
			if _, err := parseTextTime(b, p.loc); err != nil {
				return 0, err
			}
			p.kind = kindText
		}
		return p.parse(b)
	case kindText:
		if numeric {
			if _, err := parseFloat(b); err == nil {
				return 0, errTimeKind
			}
			return 0, errBadTime
		}
		return p.parseText(b)
	}
	if !numeric {
		if _, err := parseTextTime(b, p.loc); err == nil {
			return 0, errTimeKind
		}
		return 0, errBadTime
	}
	return p.parseNumber(b)
}

// parseText is parseTextTime with the fast path for a time in UTC
// (Z, or no zone read as UTC) that shares its minute with the last one.
func (p *timeParser) parseText(b []byte) (int64, error) {
	if len(b) >= 19 && b[16] == ':' && (p.loc == nil || p.loc == time.UTC) {
		if p.prefixOK && string(b[:16]) == string(p.prefix[:]) {
			rest := b[16:]
			if sec, ok := digits(rest[1:3]); ok && sec <= 59 {
				rest = rest[3:]
				nsec := 0
				if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
					var n int
					if nsec, n = fraction(rest[1:]); n > 0 {
						rest = rest[1+n:]
					}
				}
				if len(rest) == 0 || (len(rest) == 1 && rest[0] == 'Z') {
					return (p.prefixSec+int64(sec))*1e9 + int64(nsec), nil
				}
			}
		}
		ns, err := parseTextTime(b, p.loc)
		p.prefixOK = false
		if err == nil && (b[len(b)-1] == 'Z' || b[len(b)-1] >= '0' && b[len(b)-1] <= '9' && bytes.IndexAny(b[16:], "+-") < 0) {
			// The minute is Unix seconds rounded down to a minute, as
			// long as the time is in range (checked by parseTextTime).
			sec := ns / 1e9
			if ns < 0 && ns%1e9 != 0 {
				sec--
			}
			p.prefixSec = sec - sec%60
			if sec%60 < 0 {
				p.prefixSec -= 60
			}
			copy(p.prefix[:], b[:16])
			p.prefixOK = true
		}
		return ns, err
	}
	return parseTextTime(b, p.loc)
}

func (p *timeParser) setUnit(f float64) {
	switch {
	case f >= minEpochNanos:
		p.unit = 1
	case f >= minEpochMicros:
		p.unit = 1e3
	case f >= minEpochMillis:
		p.unit = 1e6
	case f >= minEpochSeconds:
		p.unit = 1e9
	default:
		p.unit, p.rel = 1e9, true
	}
}

func (p *timeParser) parseNumber(b []byte) (int64, error) {
	base := int64(0)
	if p.rel {
		base = p.start
	}
	// Integers and decimal fractions are read exactly: nanosecond epochs
	// do not fit a float64's 53 bits, nor do microseconds with a fraction.
	ip, fp, dotted := bytes.Cut(b, []byte("."))
	if n, ok := parseInt(ip); ok || (dotted && (len(ip) == 0 || string(ip) == "-" || string(ip) == "+")) {
		u := int64(p.unit)
		if n > math.MaxInt64/u || n < math.MinInt64/u {
			return 0, errTimeRange
		}
		ns := n * u
		if dotted {
			f, k := fraction(fp)
			if k != len(fp) || (k == 0 && len(ip) == 0) {
				return 0, errBadTime
			}
			part := int64(f) * u / 1e9
			if len(ip) > 0 && ip[0] == '-' {
				part = -part
			}
			var err error
			if ns, err = addNanos(ns, part); err != nil {
				return 0, err
			}
		}
		return addNanos(base, ns)
	}
	f, err := parseFloat(b)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errBadTime
	}
	ns := f * p.unit
	if ns >= math.MaxInt64 || ns <= math.MinInt64 {
		return 0, errTimeRange
	}
	return addNanos(base, int64(math.Round(ns)))
}

func addNanos(a, b int64) (int64, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, errTimeRange
	}
	return s, nil
}

// parseInt parses an optionally signed decimal integer that fits an
// int64.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

// parseTextTime reads YYYY-MM-DD or YYYY/MM/DD, optionally followed by T or
// a space, hh:mm[:ss[.fraction]] and a zone (Z, ±hh:mm, ±hhmm or ±hh).
// That one shape covers RFC 3339, ISO 8601 with or without a zone, the
// spreadsheet form "2006-01-02 15:04:05.000", a date alone and
// "2015/01/01 01:00:00". A time without a zone is in loc (nil: UTC).
// Digits of the fraction beyond nanoseconds are dropped, as time.Parse does.
func parseTextTime(b []byte, loc *time.Location) (int64, error) {
	if len(b) < 10 {
		return 0, errBadTime
	}
	sep := b[4]
	if (sep != '-' && sep != '/') || b[7] != sep {
		return 0, errBadTime
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return 0, errBadTime
	}
	var hour, minute, sec, nsec int
	i := 10
	if i < len(b) {
		if b[i] != 'T' && b[i] != ' ' {
			return 0, errBadTime
		}
		// The hour may have one digit, as spreadsheets write 9:05.
		h := 2
		if len(b) > i+2 && b[i+2] == ':' {
			h = 1
		}
		if len(b) < i+h+4 || b[i+h+1] != ':' {
			return 0, errBadTime
		}
		var ok4, ok5 bool
		hour, ok4 = digits(b[i+1 : i+1+h])
		minute, ok5 = digits(b[i+h+2 : i+h+4])
		if !ok4 || !ok5 || hour > 23 || minute > 59 {
			return 0, errBadTime
		}
		i += h + 4
		if i < len(b) && b[i] == ':' {
			var ok bool
			if len(b) < i+3 {
				return 0, errBadTime
			}
			if sec, ok = digits(b[i+1 : i+3]); !ok || sec > 59 {
				return 0, errBadTime
			}
			i += 3
			if i < len(b) && (b[i] == '.' || b[i] == ',') {
				var n int
				if nsec, n = fraction(b[i+1:]); n == 0 {
					return 0, errBadTime
				}
				i += 1 + n
			}
		}
	}
	offset, zoned := 0, false
	if i < len(b) {
		switch c := b[i]; {
		case c == 'Z' && i+1 == len(b):
			zoned = true
		case c == '+' || c == '-':
			z := b[i+1:]
			var hh, mm int
			var ok bool
			switch {
			case len(z) == 5 && z[2] == ':':
				hh, ok = digits(z[0:2])
				if ok {
					mm, ok = digits(z[3:5])
				}
			case len(z) == 4:
				hh, ok = digits(z[0:2])
				if ok {
					mm, ok = digits(z[2:4])
				}
			case len(z) == 2:
				hh, ok = digits(z)
			}
			if !ok || hh > 23 || mm > 59 {
				return 0, errBadTime
			}
			offset, zoned = (hh*60+mm)*60, true
			if c == '-' {
				offset = -offset
			}
		default:
			return 0, errBadTime
		}
	}
	if !zoned && loc != nil && loc != time.UTC {
		t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
		if y := t.Year(); y < 1678 || y > 2261 {
			return 0, errTimeRange
		}
		return t.UnixNano(), nil
	}
	secs := daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+sec-offset)
	// int64 nanoseconds reach from 1677-09-21 to 2262-04-11.
	const lo, hi = -9_223_372_036, 9_223_372_035
	if secs < lo || secs > hi {
		return 0, errTimeRange
	}
	return secs*1e9 + int64(nsec), nil
}

// fraction reads the digits of a fraction of a second as nanoseconds
// (digits past the ninth are dropped) and returns how many it read.
func fraction(b []byte) (nsec, n int) {
	// Eight digits at once (SWAR): the nine digits feedscope record
	// writes were a tenth of the time of a long CSV row one by one.
	if len(b) >= 9 {
		x := binary.LittleEndian.Uint64(b)
		if x&0xF0F0F0F0F0F0F0F0 == 0x3030303030303030 && (x+0x0606060606060606)&0xF0F0F0F0F0F0F0F0 == 0x3030303030303030 {
			x -= 0x3030303030303030
			x = (x*10 + x>>8) & 0x00FF00FF00FF00FF
			x = (x*100 + x>>16) & 0x0000FFFF0000FFFF
			x = (x*10000 + x>>32) & 0xFFFFFFFF
			nsec, n = int(x)*10, 8
			if c := b[8]; c >= '0' && c <= '9' {
				nsec += int(c - '0')
				n = 9
				for n < len(b) && b[n] >= '0' && b[n] <= '9' {
					n++
				}
				return nsec, n
			}
			return nsec, n
		}
	}
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		if n < 9 {
			nsec = nsec*10 + int(b[n]-'0')
		}
		n++
	}
	if n < 9 {
		nsec *= pow10i[9-n]
	}
	return nsec, n
}

var pow10i = [...]int{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

// digits parses a run of decimal digits.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to the given date of
// the proleptic Gregorian calendar (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// parseFloat parses a decimal number. The common case (at most 15
// significant digits and a short fraction, what loggers and strconv's
// shortest formatting write) is computed exactly as one division of two
// exactly representable numbers, which is correctly rounded; anything else
// goes to strconv.
func parseFloat(b []byte) (float64, error) {
	if f, ok := parseShort(b); ok {
		return f, nil
	}
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	var mant uint64
	seen, nd, frac, dot := 0, 0, 0, false
	for ; i < len(b); i++ {
		c := b[i]
		if c >= '0' && c <= '9' {
			seen++
			if mant != 0 || c != '0' {
				nd++
			}
			if nd <= 19 {
				mant = mant*10 + uint64(c-'0')
			}
			if dot {
				frac++
			}
			continue
		}
		if c == '.' && !dot {
			dot = true
			continue
		}
		break
	}
	if i == len(b) && seen > 0 && nd <= 15 && frac < len(pow10) {
		return decimal(mant, frac, neg), nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, nil // ±Inf or 0, like strconv; the caller judges it
		}
		return 0, errBadNumber
	}
	return f, nil
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseShort reads a number of at most 8 digits with an optional sign and
// decimal point ("57.123", "-0.5", "1024") with a few word operations
// instead of a loop whose branches the varying lengths of values keep
// mispredicting. It reports false for anything else. At most 8 digits
// and 7 decimals keep mant/10^frac one correctly rounded division of
// exact numbers, as in parseFloat.
func parseShort(b []byte) (float64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	n := len(b)
	if n == 0 || n > 9 {
		return 0, false
	}
	// The bytes of b, little-endian, one more word for a ninth (a dot).
	var lo, hi uint64
	if cap(b) >= 9 {
		lo, hi = binary.LittleEndian.Uint64(b[:8:8]), uint64(b[8:9][0])
	} else {
		var a [9]byte
		copy(a[:], b)
		lo, hi = binary.LittleEndian.Uint64(a[:8]), uint64(a[8])
	}
	frac := 0
	// A dot: the byte equal to '.' among the first n, found with the
	// zero-byte trick on x^'.'.
	dots := lo ^ 0x2E2E2E2E2E2E2E2E
	dots = (dots - 0x0101010101010101) & ^dots & 0x8080808080808080
	if n < 8 {
		dots &= 1<<(8*n) - 1
	}
	if dots != 0 {
		d := bits.TrailingZeros64(dots) / 8
		frac = n - 1 - d
		keep := uint64(1)<<(8*d) - 1
		lo = lo&keep | (lo>>8|hi<<56)&^keep
		n--
		if n == 0 {
			return 0, false
		}
	} else if n == 9 {
		if hi != '.' {
			return 0, false
		}
		n--
	}
	if n == 9 {
		return 0, false
	}
	// Right-align the n digits and fill the front with '0's.
	if n < 8 {
		lo = lo<<(8*(8-n)) | 0x3030303030303030&(1<<(8*(8-n))-1)
	}
	if lo&0xF0F0F0F0F0F0F0F0 != 0x3030303030303030 || (lo+0x0606060606060606)&0xF0F0F0F0F0F0F0F0 != 0x3030303030303030 {
		return 0, false
	}
	lo -= 0x3030303030303030
	lo = (lo*10 + lo>>8) & 0x00FF00FF00FF00FF
	lo = (lo*100 + lo>>16) & 0x0000FFFF0000FFFF
	lo = (lo*10000 + lo>>32) & 0xFFFFFFFF
	return decimal(lo, frac, neg), true
}

// decimal is ±mant/10^frac for a mant below 2^53 and frac below 23: both
// exact as float64, so the one division rounds correctly, as strconv does.
func decimal(mant uint64, frac int, neg bool) float64 {
	f := float64(mant)
	if frac > 0 {
		f /= pow10[frac]
	}
	if neg {
		f = -f
	}
	return f
}
