package feeds

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Limits that keep one hostile or mistaken message from exhausting memory.
const (
	// MaxSamplesPerMessage caps the samples one Decode returns; the rest
	// are dropped and reported by a single Text.
	MaxSamplesPerMessage = 10000
	// MaxJSONDepth caps the nesting of JSON objects and arrays; a deeper
	// value is rejected as a whole.
	MaxJSONDepth = 64
	// MaxSeriesNameLen caps the length in bytes of a series name; a longer
	// path is reported as a Text instead of becoming a series.
	MaxSeriesNameLen = 512
	// MaxTextLen caps Text.Text in bytes (cut on a rune boundary).
	MaxTextLen = 256
	// maxTextsPerMessage caps the Texts of one Decode; the rest are
	// counted in one final Text.
	maxTextsPerMessage = 100
	// maxInterned caps the intern table of series names. Past it, names
	// are still correct but allocated per message: a feed that invents a
	// new key per message must not grow the table forever.
	maxInterned = 100000
)

// TimeSource picks the time of decoded samples.
type TimeSource int

const (
	// PayloadTime (the default) uses a payload's time, timestamp or ts
	// field (or a Prometheus sample's timestamp) when there is one, else
	// the message's arrival time.
	PayloadTime TimeSource = iota
	// ArrivalTime always uses Message.Time.
	ArrivalTime
)

// String returns "payload" or "arrival".
func (t TimeSource) String() string {
	switch t {
	case PayloadTime:
		return "payload"
	case ArrivalTime:
		return "arrival"
	}
	return fmt.Sprintf("TimeSource(%d)", int(t))
}

// Sample is one value of one series at one time.
type Sample struct {
	Series string
	Time   time.Time
	Value  float64
}

// Text is a message (or part of one) that carried no number: a reply such
// as "收到", malformed JSON, a NaN. Text is cut to MaxTextLen bytes and is
// always valid UTF-8; Reason says briefly why it is not a sample.
type Text struct {
	Time   time.Time
	Text   string
	Reason string
}

// Result of one Decode. Its slices belong to the Decoder and are valid
// until the next Decode: copy what must outlive it.
type Result struct {
	Samples []Sample
	Texts   []Text
}

// Decoder turns messages into samples. It recognises bare numbers, JSON
// (objects, arrays, NDJSON), key=value text and the Prometheus text
// exposition format; anything else becomes a Text. Decode never fails.
//
// The zero value is ready to use. A Decoder is not safe for concurrent
// use: give each feed its own.
type Decoder struct {
	// Time picks the time of samples: PayloadTime (default) or
	// ArrivalTime.
	Time TimeSource

	res          Result
	msg          Message
	droppedSmp   int
	droppedTexts int

	// names interns series names so a steady feed allocates none.
	names map[string]string
	// path is the series name being built (dotted JSON path, line key,
	// Prometheus name with labels).
	path []byte
	// scratch holds unescaped JSON strings.
	scratch []byte

	json jsonState
	prom promState
}

// Decode turns one message into samples and texts. It never panics and
// never returns an error: whatever is not a number comes back as a Text.
func (d *Decoder) Decode(m Message) Result {
	d.res.Samples = d.res.Samples[:0]
	clear(d.res.Texts) // drop references to old strings
	d.res.Texts = d.res.Texts[:0]
	d.droppedSmp, d.droppedTexts = 0, 0
	d.msg = m
	if m.Samples != nil || m.Texts != nil {
		d.passThrough(m)
	} else {
		d.decode(m.Data)
	}
	if m.Topic != "" {
		d.underTopic(m.Topic)
	}
	d.msg.Data = nil
	if d.droppedSmp > 0 {
		d.forceText(fmt.Sprintf("%d samples dropped", d.droppedSmp),
			fmt.Sprintf("more than %d samples in one message", MaxSamplesPerMessage))
	}
	if d.droppedTexts > 0 {
		d.forceText(fmt.Sprintf("%d more texts dropped", d.droppedTexts),
			fmt.Sprintf("more than %d texts in one message", maxTextsPerMessage))
	}
	return d.res
}

// passThrough takes the samples and texts of a message its transport has
// decoded (a recording's), under the same limits as decoded ones.
func (d *Decoder) passThrough(m Message) {
	for _, s := range m.Samples {
		if d.full() {
			continue
		}
		if v := s.Value; v != v || v > maxFloat || v < -maxFloat {
			d.finite(v, []byte(s.Series)) // the Text saying why
			continue
		}
		if d.Time == ArrivalTime {
			s.Time = m.Time
		}
		d.addSample(s.Series, s.Time, s.Value)
	}
	for _, t := range m.Texts {
		d.addText([]byte(t.Text), t.Reason)
	}
}

func (d *Decoder) decode(data []byte) {
	if !utf8.Valid(data) {
		d.addText(data, "invalid UTF-8")
		return
	}
	b := trimSpace(data)
	if len(b) == 0 {
		return // keep-alives and empty polls carry nothing
	}
	if isPromContentType(d.msg.ContentType) {
		if err := d.decodeProm(data); err != nil {
			d.addText(b, "Prometheus text: "+err.Error())
		}
		return
	}
	switch b[0] {
	case '{', '[', '"':
		d.decodeJSON(b)
		return
	}
	if looksLikeProm(b) && d.decodeProm(data) == nil {
		return
	}
	d.decodeText(b)
}

// full reports whether the sample cap is reached, counting the drop.
func (d *Decoder) full() bool {
	if len(d.res.Samples) >= MaxSamplesPerMessage {
		d.droppedSmp++
		return true
	}
	return false
}

func (d *Decoder) addSample(series string, t time.Time, v float64) {
	d.res.Samples = append(d.res.Samples, Sample{Series: series, Time: t, Value: v})
}

// addText records b (cut to MaxTextLen) as a Text.
func (d *Decoder) addText(b []byte, reason string) {
	if len(d.res.Texts) >= maxTextsPerMessage {
		d.droppedTexts++
		return
	}
	d.forceText(clipText(b), reason)
}

func (d *Decoder) forceText(s, reason string) {
	d.res.Texts = append(d.res.Texts, Text{Time: d.msg.Time, Text: s, Reason: reason})
}

// clipText returns b as valid UTF-8 of at most MaxTextLen bytes.
func clipText(b []byte) string {
	const ellipsis = "…"
	cut := len(b) > MaxTextLen
	if cut {
		b = b[:min(len(b), MaxTextLen+utf8.UTFMax)] // room to find a rune boundary
	}
	if !utf8.Valid(b) {
		b = bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	if !cut && len(b) <= MaxTextLen {
		return string(b)
	}
	n := min(len(b), MaxTextLen-len(ellipsis))
	for n > 0 && n < len(b) && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]) + ellipsis
}

// intern returns b as a string, the same string every time for the same
// bytes (the lookup m[string(b)] does not allocate).
func (d *Decoder) intern(b []byte) string {
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.names == nil {
		d.names = make(map[string]string)
	}
	if len(d.names) < maxInterned {
		d.names[s] = s
	}
	return s
}

// bareName is the series of a message that is a single number: the MQTT
// topic, the SSE event type, or "value".
func (d *Decoder) bareName() string {
	if d.msg.Topic != "" {
		return d.msg.Topic
	}
	if d.msg.Event != "" {
		return d.msg.Event
	}
	return "value"
}

// underTopic names the samples of an MQTT message after its topic: a
// single number is the topic itself, every other series n becomes topic/n
// ({"t":21.5} on plant/line1 is plant/line1/t), so that one payload shape
// published on many topics gives one series per topic.
func (d *Decoder) underTopic(topic string) {
	kept := d.res.Samples[:0]
	for _, s := range d.res.Samples {
		// bareName hands out topic itself: the same bytes, not merely the
		// same text, so a JSON key that happens to equal the topic still
		// gets its prefix.
		bare := unsafe.StringData(s.Series) == unsafe.StringData(topic)
		if bare {
			d.path = append(d.path[:0], topic...)
		} else {
			d.path = append(append(append(d.path[:0], topic...), '/'), s.Series...)
		}
		if len(d.path) > MaxSeriesNameLen {
			d.addText(d.path, fmt.Sprintf("series name longer than %d bytes", MaxSeriesNameLen))
			continue
		}
		if !bare {
			s.Series = d.intern(d.path)
		}
		kept = append(kept, s)
	}
	d.res.Samples = kept
}

// finite reports whether v can be a sample; otherwise it records a Text
// for what (a series name or a literal) and returns false.
func (d *Decoder) finite(v float64, what []byte) bool {
	switch {
	case v != v:
		d.addText(what, "NaN")
	case v > maxFloat:
		d.addText(what, "+Inf")
	case v < -maxFloat:
		d.addText(what, "-Inf")
	default:
		return true
	}
	return false
}

const maxFloat = 1.7976931348623157e308

// numberReason explains why strconv.ParseFloat rejected a literal that
// looked like a number.
func numberReason(err error) string {
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return "number out of range"
	}
	return "not a number"
}

func isTimeKey(k []byte) bool {
	switch len(k) {
	case 2:
		return bytes.EqualFold(k, []byte("ts"))
	case 4:
		return bytes.EqualFold(k, []byte("time"))
	case 9:
		return bytes.EqualFold(k, []byte("timestamp"))
	}
	return false
}

// Epoch magnitudes: a number of seconds below 1e11 reaches the year 5138;
// larger numbers are read as ms, then µs, then ns.
const (
	maxEpochSeconds = 1e11
	maxEpochMillis  = 1e14
	maxEpochMicros  = 1e17
)

// epochTime reads a decimal literal (JSON number grammar, or a plain
// decimal string) as time since 1970, in s, ms, µs or ns by magnitude.
// Integers and plain decimals are converted exactly; only literals with an
// exponent go through float64.
func epochTime(lit []byte) (time.Time, bool) {
	s := lit
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	dot := -1
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && dot < 0:
			dot = i
		case c == 'e' || c == 'E':
			return epochFloat(lit)
		default:
			return time.Time{}, false
		}
	}
	intPart, frac := s, []byte(nil)
	if dot >= 0 {
		intPart, frac = s[:dot], s[dot+1:]
	}
	if len(intPart) == 0 && len(frac) == 0 {
		return time.Time{}, false
	}
	var n int64
	for _, c := range intPart {
		if n > (1<<63-1)/10-1 {
			return time.Time{}, false
		}
		n = n*10 + int64(c-'0')
	}
	// fracDigits reads the first k fraction digits as an integer.
	fracDigits := func(k int) int64 {
		var f int64
		for i := 0; i < k; i++ {
			f *= 10
			if i < len(frac) {
				f += int64(frac[i] - '0')
			}
		}
		return f
	}
	var sec, nsec int64
	switch {
	case n < maxEpochSeconds:
		sec, nsec = n, fracDigits(9)
	case n < maxEpochMillis:
		sec, nsec = n/1e3, n%1e3*1e6+fracDigits(6)
	case n < maxEpochMicros:
		sec, nsec = n/1e6, n%1e6*1e3+fracDigits(3)
	default:
		sec, nsec = n/1e9, n%1e9
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec), true
}

func epochFloat(lit []byte) (time.Time, bool) {
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || f != f {
		return time.Time{}, false
	}
	a := f
	if a < 0 {
		a = -a
	}
	var ns float64
	switch {
	case a < maxEpochSeconds:
		ns = f * 1e9
	case a < maxEpochMillis:
		ns = f * 1e6
	case a < maxEpochMicros:
		ns = f * 1e3
	default:
		ns = f
	}
	if ns >= 9.2e18 || ns <= -9.2e18 {
		return time.Time{}, false
	}
	return time.Unix(0, int64(ns)), true
}

// parseTime reads a time field's string value: RFC 3339, or epoch digits.
func parseTime(s []byte) (time.Time, bool) {
	if t, ok := epochTime(s); ok {
		return t, true
	}
	if len(s) == 0 {
		return time.Time{}, false
	}
	// A zero-copy string: on error time.Parse keeps it inside the
	// *time.ParseError, which is dropped here at once.
	t, err := time.Parse(time.RFC3339Nano, unsafe.String(&s[0], len(s)))
	return t, err == nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
