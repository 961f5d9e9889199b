package feeds

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// The JSON scanner is hand-written and strict (RFC 8259) because it is the
// hot path: encoding/json's map+walk costs ~1.8 µs and 29 allocations per
// small object, this one a small fraction of that and none. It is fuzzed
// differentially against encoding/json (FuzzJSONScanner).

// jsonState is the scanner's reusable state.
type jsonState struct {
	data []byte
	pos  int
	// mute > 0 while a value is parsed only to be skipped.
	mute int
	// Time field of the record (top-level object) being scanned.
	recTime    time.Time
	recHasTime bool
	// rawPaths turns off records and time fields: every leaf is reported
	// under its full path. The differential fuzz test uses it.
	rawPaths bool
}

// jsonError is a syntax error at a byte offset of the scanned text.
type jsonError struct {
	off int
	msg string
}

func (e *jsonError) Error() string { return fmt.Sprintf("%s at offset %d", e.msg, e.off) }

var errTooDeep = errors.New("nesting deeper than " + strconv.Itoa(MaxJSONDepth))

func (d *Decoder) jsonErr(msg string) error { return &jsonError{off: d.json.pos, msg: msg} }

func (d *Decoder) unexpected(what string) error {
	j := &d.json
	if j.pos >= len(j.data) {
		return d.jsonErr("unexpected end of input, want " + what)
	}
	r, _ := utf8.DecodeRune(j.data[j.pos:])
	return d.jsonErr(fmt.Sprintf("unexpected %q, want %s", r, what))
}

// decodeJSON decodes one JSON value, or several separated by whitespace
// (NDJSON). A malformed value is rolled back and reported as a Text; on a
// single line the scanner resumes at the next line.
func (d *Decoder) decodeJSON(b []byte) {
	j := &d.json
	j.data, j.pos = b, 0
	defer func() { j.data = nil }()
	for {
		d.skipWS()
		if j.pos >= len(b) {
			return
		}
		start := j.pos
		nS, nT, dropped := len(d.res.Samples), len(d.res.Texts), d.droppedSmp
		err := d.topValue()
		if err == nil {
			err = d.afterValue()
		}
		if err == nil {
			continue
		}
		d.res.Samples = d.res.Samples[:nS]
		clear(d.res.Texts[nT:])
		d.res.Texts = d.res.Texts[:nT]
		d.droppedSmp = dropped
		reason := "malformed JSON: " + err.Error()
		if errors.Is(err, errTooDeep) {
			reason = "JSON " + err.Error()
		}
		end := lineEnd(b, start)
		if j.pos > end && !startsRecord(b[end:]) {
			// The broken value spans lines (pretty-printed JSON): its
			// remaining lines would only be noise.
			d.addText(b[start:], reason)
			return
		}
		d.addText(b[start:end], reason)
		j.pos = end
	}
}

// scanJSON decodes exactly one JSON value with nothing but whitespace
// around it; the differential fuzz test compares it with encoding/json.
func (d *Decoder) scanJSON(b []byte) error {
	j := &d.json
	j.data, j.pos = b, 0
	defer func() { j.data = nil }()
	d.skipWS()
	if j.pos >= len(b) {
		return d.unexpected("a value")
	}
	if err := d.topValue(); err != nil {
		return err
	}
	d.skipWS()
	if j.pos < len(b) {
		return d.jsonErr("data after the JSON value")
	}
	return nil
}

// startsRecord reports whether b, after blanks, starts an object or array:
// the next NDJSON record after a broken line.
func startsRecord(b []byte) bool {
	b = trimSpace(b)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

func lineEnd(b []byte, from int) int {
	for i := from; i < len(b); i++ {
		if b[i] == '\n' {
			return i
		}
	}
	return len(b)
}

// afterValue accepts what may follow a top-level value: the end, a line
// break, or whitespace and another object or array.
func (d *Decoder) afterValue() error {
	j := &d.json
	p := j.pos
	for p < len(j.data) && (j.data[p] == ' ' || j.data[p] == '\t' || j.data[p] == '\r') {
		p++
	}
	if p == len(j.data) || j.data[p] == '\n' || (p > j.pos && (j.data[p] == '{' || j.data[p] == '[')) {
		j.pos = p
		return nil
	}
	j.pos = p
	return d.jsonErr("data after the JSON value")
}

func (d *Decoder) skipWS() {
	j := &d.json
	for j.pos < len(j.data) && isSpace(j.data[j.pos]) {
		j.pos++
	}
}

// topValue scans one top-level value. Objects (at the top or as elements
// of a top-level array) are records: their series are named from inside
// the object and they may carry their own time field.
func (d *Decoder) topValue() error {
	j := &d.json
	d.path = d.path[:0]
	if j.rawPaths {
		return d.value(0)
	}
	switch j.data[j.pos] {
	case '{':
		return d.record()
	case '[':
		start, nS, nT := j.pos, len(d.res.Samples), len(d.res.Texts)
		j.pos++
		d.skipWS()
		if j.pos < len(j.data) && j.data[j.pos] == ']' {
			j.pos++
			d.noNumbers(start, nS, nT)
			return nil
		}
		for i := 0; ; i++ {
			d.skipWS()
			if j.pos < len(j.data) && j.data[j.pos] == '{' {
				if err := d.record(); err != nil {
					return err
				}
			} else {
				d.path = strconv.AppendInt(d.path[:0], int64(i), 10)
				if err := d.value(1); err != nil {
					return err
				}
				d.path = d.path[:0]
			}
			if more, err := d.elementEnd(); err != nil || !more {
				if err == nil {
					d.noNumbers(start, nS, nT)
				}
				return err
			}
		}
	}
	start, nS, nT := j.pos, len(d.res.Samples), len(d.res.Texts)
	if err := d.value(0); err != nil {
		return err
	}
	if j.data[start] == '"' && len(d.res.Samples) == nS && len(d.res.Texts) == nT {
		d.addText(j.data[start:j.pos], "not a number")
	}
	return nil
}

// record scans a top-level object and stamps its samples with its time
// field, or the arrival time.
func (d *Decoder) record() error {
	j := &d.json
	start, nS, nT := j.pos, len(d.res.Samples), len(d.res.Texts)
	j.recHasTime = false
	d.path = d.path[:0]
	if err := d.object(1, true); err != nil {
		return err
	}
	if j.recHasTime && d.Time == PayloadTime {
		for i := nS; i < len(d.res.Samples); i++ {
			d.res.Samples[i].Time = j.recTime
		}
	}
	d.noNumbers(start, nS, nT)
	return nil
}

// noNumbers reports a value that produced nothing at all.
func (d *Decoder) noNumbers(start, nS, nT int) {
	if len(d.res.Samples) == nS && len(d.res.Texts) == nT && d.droppedSmp == 0 {
		d.addText(d.json.data[start:d.json.pos], "no numbers")
	}
}

func (d *Decoder) value(depth int) error {
	j := &d.json
	if j.pos >= len(j.data) {
		return d.unexpected("a value")
	}
	switch c := j.data[j.pos]; {
	case c == '{':
		return d.object(depth+1, false)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		s, err := d.str()
		if err != nil {
			return err
		}
		d.stringLeaf(s)
		return nil
	case c == 't':
		return d.literal("true", 1)
	case c == 'f':
		return d.literal("false", 0)
	case c == 'n':
		if err := d.literal("null", 0); err != nil {
			return err
		}
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		lit, err := d.number()
		if err != nil {
			return err
		}
		d.numberLeaf(lit)
		return nil
	}
	return d.unexpected("a value")
}

// literal scans true, false or null; true and false are samples 1 and 0.
func (d *Decoder) literal(word string, v float64) error {
	j := &d.json
	if len(j.data)-j.pos < len(word) || string(j.data[j.pos:j.pos+len(word)]) != word {
		return d.unexpected(word)
	}
	j.pos += len(word)
	if word != "null" {
		d.leaf(v)
	}
	return nil
}

func (d *Decoder) object(depth int, rec bool) error {
	j := &d.json
	if depth > MaxJSONDepth {
		return errTooDeep
	}
	j.pos++ // '{'
	d.skipWS()
	if j.pos < len(j.data) && j.data[j.pos] == '}' {
		j.pos++
		return nil
	}
	for {
		if j.pos >= len(j.data) || j.data[j.pos] != '"' {
			return d.unexpected("a string key")
		}
		base := len(d.path)
		if base > 0 {
			d.path = append(d.path, '.')
		}
		keyAt := len(d.path)
		if err := d.key(); err != nil {
			return err
		}
		d.skipWS()
		if j.pos >= len(j.data) || j.data[j.pos] != ':' {
			return d.unexpected("':'")
		}
		j.pos++
		d.skipWS()
		var err error
		if rec && !j.rawPaths && isTimeKey(d.path[keyAt:]) {
			err = d.timeField()
		} else {
			err = d.value(depth)
		}
		if err != nil {
			return err
		}
		d.path = d.path[:base]
		d.skipWS()
		if j.pos >= len(j.data) {
			return d.unexpected("',' or '}'")
		}
		switch j.data[j.pos] {
		case ',':
			j.pos++
			d.skipWS()
			continue
		case '}':
			j.pos++
			return nil
		}
		return d.unexpected("',' or '}'")
	}
}

// elementEnd consumes what follows an array element: a ',' (more to
// come) or the closing ']'.
func (d *Decoder) elementEnd() (more bool, err error) {
	j := &d.json
	d.skipWS()
	if j.pos < len(j.data) {
		switch j.data[j.pos] {
		case ',':
			j.pos++
			return true, nil
		case ']':
			j.pos++
			return false, nil
		}
	}
	return false, d.unexpected("',' or ']'")
}

func (d *Decoder) array(depth int) error {
	j := &d.json
	if depth > MaxJSONDepth {
		return errTooDeep
	}
	j.pos++ // '['
	d.skipWS()
	if j.pos < len(j.data) && j.data[j.pos] == ']' {
		j.pos++
		return nil
	}
	base := len(d.path)
	for i := 0; ; i++ {
		if base > 0 {
			d.path = append(d.path, '.')
		}
		d.path = strconv.AppendInt(d.path, int64(i), 10)
		d.skipWS()
		if err := d.value(depth); err != nil {
			return err
		}
		d.path = d.path[:base]
		if more, err := d.elementEnd(); err != nil || !more {
			return err
		}
	}
}

// timeField scans the value of a record's time field: it sets the record
// time and is never a series.
func (d *Decoder) timeField() error {
	j := &d.json
	if j.pos >= len(j.data) {
		return d.unexpected("a value")
	}
	start := j.pos
	switch c := j.data[j.pos]; {
	case c == '"' || c == '-' || (c >= '0' && c <= '9'):
		var lit []byte
		var err error
		if c == '"' {
			lit, err = d.str()
		} else {
			lit, err = d.number()
		}
		if err != nil || d.Time == ArrivalTime {
			return err
		}
		t, ok := parseTime(lit)
		if !ok {
			d.addText(j.data[start:j.pos], "not a time (want RFC 3339 or epoch s/ms/µs/ns)")
			return nil
		}
		j.recTime, j.recHasTime = t, true
		return nil
	case c == 'n':
		return d.literal("null", 0)
	}
	j.mute++
	err := d.value(1)
	j.mute--
	if err == nil && d.Time == PayloadTime {
		d.addText(j.data[start:j.pos], "not a time (want RFC 3339 or epoch s/ms/µs/ns)")
	}
	return err
}

// number scans a number with the strict JSON grammar and returns its
// literal.
func (d *Decoder) number() ([]byte, error) {
	j := &d.json
	b, p := j.data, j.pos
	start := p
	if b[p] == '-' {
		p++
	}
	switch {
	case p < len(b) && b[p] == '0':
		p++
	case p < len(b) && b[p] >= '1' && b[p] <= '9':
		for p++; p < len(b) && b[p] >= '0' && b[p] <= '9'; p++ {
		}
	default:
		j.pos = p
		return nil, d.unexpected("a digit")
	}
	if p < len(b) && b[p] == '.' {
		p++
		if p >= len(b) || b[p] < '0' || b[p] > '9' {
			j.pos = p
			return nil, d.unexpected("a digit after '.'")
		}
		for p++; p < len(b) && b[p] >= '0' && b[p] <= '9'; p++ {
		}
	}
	if p < len(b) && (b[p] == 'e' || b[p] == 'E') {
		p++
		if p < len(b) && (b[p] == '+' || b[p] == '-') {
			p++
		}
		if p >= len(b) || b[p] < '0' || b[p] > '9' {
			j.pos = p
			return nil, d.unexpected("a digit in the exponent")
		}
		for p++; p < len(b) && b[p] >= '0' && b[p] <= '9'; p++ {
		}
	}
	j.pos = p
	return b[start:p], nil
}

// key scans an object key, appending it (unescaped) to d.path.
func (d *Decoder) key() error {
	j := &d.json
	j.pos++ // '"'
	start := j.pos
	for j.pos < len(j.data) {
		c := j.data[j.pos]
		switch {
		case c == '"':
			d.path = append(d.path, j.data[start:j.pos]...)
			j.pos++
			return nil
		case c == '\\':
			d.path = append(d.path, j.data[start:j.pos]...)
			var err error
			d.path, err = d.unescape(d.path)
			return err
		case c < 0x20:
			return d.unexpected("a character (control characters must be escaped)")
		}
		j.pos++
	}
	return d.unexpected("'\"'")
}

// str scans a string value and returns its content: a slice of the input
// when it has no escapes, else the unescaped text in d.scratch.
func (d *Decoder) str() ([]byte, error) {
	j := &d.json
	j.pos++ // '"'
	start := j.pos
	for j.pos < len(j.data) {
		c := j.data[j.pos]
		switch {
		case c == '"':
			j.pos++
			return j.data[start : j.pos-1], nil
		case c == '\\':
			var err error
			d.scratch, err = d.unescape(append(d.scratch[:0], j.data[start:j.pos]...))
			return d.scratch, err
		case c < 0x20:
			return nil, d.unexpected("a character (control characters must be escaped)")
		}
		j.pos++
	}
	return nil, d.unexpected("'\"'")
}

// unescape continues a string at an escape, appending its decoded rest to
// dst, through the closing quote. Lone surrogates become U+FFFD, as
// encoding/json does.
func (d *Decoder) unescape(dst []byte) ([]byte, error) {
	j := &d.json
	b := j.data
	for j.pos < len(b) {
		c := b[j.pos]
		switch {
		case c == '"':
			j.pos++
			return dst, nil
		case c < 0x20:
			return dst, d.unexpected("a character (control characters must be escaped)")
		case c != '\\':
			dst = append(dst, c)
			j.pos++
			continue
		}
		if j.pos+1 >= len(b) {
			j.pos++
			return dst, d.unexpected("an escape")
		}
		e := b[j.pos+1]
		switch e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(b[j.pos+2:])
			if !ok {
				j.pos += 2
				return dst, d.jsonErr("invalid \\u escape")
			}
			j.pos += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4u(b[j.pos:]); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						j.pos += 6
						dst = utf8.AppendRune(dst, dec)
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default:
			j.pos++
			return dst, d.unexpected("an escape character")
		}
		j.pos += 2
	}
	return dst, d.unexpected("'\"'")
}

// hex4u reads `\uXXXX`.
func hex4u(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	return hex4(b[2:])
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// numberLeaf turns a number literal into a sample.
func (d *Decoder) numberLeaf(lit []byte) {
	if d.json.mute > 0 {
		return
	}
	if v, ok := fastFloat(lit); ok {
		d.leaf(v)
		return
	}
	// Zero-copy: on success ParseFloat keeps nothing; on error its
	// *NumError holds the string, and that error is dropped right here.
	v, err := strconv.ParseFloat(unsafe.String(&lit[0], len(lit)), 64)
	if err != nil {
		d.leafText(lit, numberReason(err))
		return
	}
	d.leaf(v)
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastFloat converts the common literals (at most 15 digits, a fraction,
// no exponent) exactly as strconv.ParseFloat does: the digits form an
// integer below 2^53, and one IEEE division by an exact power of ten is
// correctly rounded (Clinger's fast path, which strconv also takes).
// Anything else reports false and goes to strconv.
func fastFloat(lit []byte) (float64, bool) {
	neg := lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	var m uint64
	digits, frac, dot := 0, 0, false
	for _, c := range lit {
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.':
			dot = true
		default:
			return 0, false
		}
	}
	if digits > 15 {
		return 0, false
	}
	v := float64(m) / pow10[frac]
	if neg {
		v = -v
	}
	return v, true
}

// stringLeaf turns a numeric string ("12.5") into a sample; other strings
// are ignored, except "NaN", "Inf" and out-of-range numbers, which are
// reported.
func (d *Decoder) stringLeaf(s []byte) {
	if d.json.mute > 0 || len(s) == 0 || !maybeNumber(s[0]) {
		return
	}
	v, err := strconv.ParseFloat(unsafe.String(&s[0], len(s)), 64)
	if err != nil {
		if numberReason(err) != "not a number" {
			d.leafText(s, numberReason(err))
		}
		return
	}
	d.leaf(v)
}

// maybeNumber is a cheap filter before ParseFloat: what a number, NaN or
// Inf can start with.
func maybeNumber(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'n' || c == 'N' || c == 'i' || c == 'I'
}

func (d *Decoder) leaf(v float64) {
	if d.json.mute > 0 || d.full() {
		return
	}
	what := d.path
	if len(what) == 0 {
		what = []byte(d.bareName())
	}
	if !d.finite(v, what) {
		return
	}
	name, ok := d.seriesName()
	if !ok {
		return
	}
	d.addSample(name, d.msg.Time, v)
}

// leafText reports a leaf that is not a sample as "path: literal".
func (d *Decoder) leafText(lit []byte, reason string) {
	n := len(d.path)
	if n > 0 {
		d.path = append(d.path, ": "...)
	}
	d.path = append(d.path, lit...)
	d.addText(d.path, reason)
	d.path = d.path[:n]
}

func (d *Decoder) seriesName() (string, bool) {
	if len(d.path) == 0 {
		return d.bareName(), true
	}
	if len(d.path) > MaxSeriesNameLen {
		d.addText(d.path, fmt.Sprintf("series name longer than %d bytes", MaxSeriesNameLen))
		return "", false
	}
	return d.intern(d.path), true
}
