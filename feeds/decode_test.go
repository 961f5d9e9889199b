package feeds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"unsafe"
)

// arrival is the Message.Time of every table case.
var arrival = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// decodeCase is one message and what a user must get from it. A sample
// with a zero Time means the arrival time. A wanted Text's Reason is a
// prefix of the actual reason (which may carry details such as offsets).
type decodeCase struct {
	name        string
	data        string
	event       string
	contentType string
	time        TimeSource
	samples     []Sample
	texts       []Text
}

func s(series string, v float64) Sample { return Sample{Series: series, Value: v} }

func st(series string, v float64, t time.Time) Sample {
	return Sample{Series: series, Value: v, Time: t}
}

func tx(text, reason string) Text { return Text{Text: text, Reason: reason} }

const promText004 = "text/plain; version=0.0.4; charset=utf-8"

var (
	tsMillis = time.UnixMilli(1764096000123)
	json4    = `{"ts":1764096000123,"cpu":12.5,"mem":{"used":4123456,"free":812345},"load":0.42}`
)

var decodeCases = []decodeCase{
	// Bare numbers.
	{name: "bare number", data: "12.5", samples: []Sample{s("value", 12.5)}},
	{name: "bare number named by SSE event", data: "42\n", event: "temperature", samples: []Sample{s("temperature", 42)}},
	{name: "bare negative exponent", data: " -3.5e2 ", samples: []Sample{s("value", -350)}},
	{name: "bare 1e308 is a sample", data: "1e308", samples: []Sample{s("value", 1e308)}},
	{name: "bare 1e999 is out of range", data: "1e999", texts: []Text{tx("1e999", "number out of range")}},
	{name: "bare NaN", data: "NaN", texts: []Text{tx("NaN", "NaN")}},
	{name: "bare Inf", data: "-Inf", texts: []Text{tx("-Inf", "-Inf")}},
	{name: "JSON numeric string", data: `"12.5"`, samples: []Sample{s("value", 12.5)}},
	{name: "JSON NaN string", data: `"NaN"`, event: "temp", texts: []Text{tx("temp", "NaN")}},
	{name: "JSON non-numeric string", data: `"收到"`, texts: []Text{tx(`"收到"`, "not a number")}},
	{name: "empty message", data: " \r\n"},

	// JSON objects.
	{name: "json4 with ms timestamp", data: json4, samples: []Sample{
		st("cpu", 12.5, tsMillis), st("mem.used", 4123456, tsMillis),
		st("mem.free", 812345, tsMillis), st("load", 0.42, tsMillis),
	}},
	{name: "json4 under ArrivalTime", data: json4, time: ArrivalTime, samples: []Sample{
		s("cpu", 12.5), s("mem.used", 4123456), s("mem.free", 812345), s("load", 0.42),
	}},
	{name: "nested path and array index", data: `{"disk":{"sda":{"read":7}},"cores":[10,20]}`, samples: []Sample{
		s("disk.sda.read", 7), s("cores.0", 10), s("cores.1", 20),
	}},
	{name: "numeric strings, booleans, null, text leaves", data: `{"a":"12.5","b":"high","c":null,"up":true,"down":false}`, samples: []Sample{
		s("a", 12.5), s("up", 1), s("down", 0),
	}},
	{name: "article example without numbers", data: `{"data":{"message":"测试"}}`, texts: []Text{
		tx(`{"data":{"message":"测试"}}`, "no numbers"),
	}},
	{name: "empty object", data: `{}`, texts: []Text{tx(`{}`, "no numbers")}},
	{name: "escaped key", data: `{"a\u0062\n":1,"\ud83d\ude00":2}`, samples: []Sample{s("ab\n", 1), s("😀", 2)}},
	{name: "duplicate keys keep both", data: `{"a":1,"a":2}`, samples: []Sample{s("a", 1), s("a", 2)}},
	{name: "NaN and Inf strings are texts", data: `{"a":"NaN","b":"-Infinity","c":3}`, samples: []Sample{s("c", 3)},
		texts: []Text{tx("a", "NaN"), tx("b", "-Inf")}},
	{name: "1e308 leaf and 1e999 leaf", data: `{"big":1e308,"huge":1e999,"hs":"-1e999"}`, samples: []Sample{s("big", 1e308)},
		texts: []Text{tx("huge: 1e999", "number out of range"), tx("hs: -1e999", "number out of range")}},

	// Time fields.
	{name: "epoch seconds", data: `{"time":1764096000,"v":1}`, samples: []Sample{st("v", 1, time.Unix(1764096000, 0))}},
	{name: "fractional epoch seconds", data: `{"ts":1764096000.25,"v":1}`, samples: []Sample{st("v", 1, time.Unix(1764096000, 250e6))}},
	{name: "epoch microseconds", data: `{"ts":1764096000123456,"v":1}`, samples: []Sample{st("v", 1, time.UnixMicro(1764096000123456))}},
	{name: "epoch nanoseconds", data: `{"ts":1764096000123456789,"v":1}`, samples: []Sample{st("v", 1, time.Unix(0, 1764096000123456789))}},
	{name: "fractional epoch milliseconds", data: `{"ts":1764096000123.5,"v":1}`, samples: []Sample{st("v", 1, time.Unix(0, 1764096000123500000))}},
	{name: "epoch seconds with exponent", data: `{"ts":1.764096e9,"v":1}`, samples: []Sample{st("v", 1, time.Unix(1764096000, 0))}},
	{name: "epoch as string", data: `{"ts":"1764096000123","v":1}`, samples: []Sample{st("v", 1, tsMillis)}},
	{name: "RFC 3339 with zone, time field last", data: `{"v":1,"timestamp":"2026-11-25T20:00:00.5+08:00"}`,
		samples: []Sample{st("v", 1, time.Date(2026, 11, 25, 12, 0, 0, 5e8, time.UTC))}},
	{name: "RFC 3339 under ArrivalTime is still not a series", data: `{"timestamp":"2026-11-25T20:00:00+08:00","v":1}`, time: ArrivalTime,
		samples: []Sample{s("v", 1)}},
	{name: "nested time is an ordinary series", data: `{"x":{"ts":5}}`, samples: []Sample{s("x.ts", 5)}},
	{name: "unparsable time falls back to arrival", data: `{"ts":"yesterday","v":1}`, samples: []Sample{s("v", 1)},
		texts: []Text{tx(`"yesterday"`, "not a time")}},
	{name: "time field alone", data: `{"ts":1764096000}`, texts: []Text{tx(`{"ts":1764096000}`, "no numbers")}},

	// JSON arrays and NDJSON.
	{name: "array of numbers", data: `[1, 2.5, "3"]`, samples: []Sample{s("0", 1), s("1", 2.5), s("2", 3)}},
	{name: "array of objects with own times", data: `[{"ts":1764096000,"v":1},{"ts":1764096001,"v":2}]`, samples: []Sample{
		st("v", 1, time.Unix(1764096000, 0)), st("v", 2, time.Unix(1764096001, 0)),
	}},
	{name: "NDJSON", data: "{\"ts\":1764096000,\"v\":1}\n{\"ts\":1764096001,\"v\":2}\r\n{\"v\":3}\n", samples: []Sample{
		st("v", 1, time.Unix(1764096000, 0)), st("v", 2, time.Unix(1764096001, 0)), s("v", 3),
	}},
	{name: "NDJSON with a broken line", data: "{\"v\":1}\n{\"v\":\n{\"v\":3}", samples: []Sample{s("v", 1), s("v", 3)},
		texts: []Text{tx(`{"v":`, "malformed JSON")}},

	// Malformed JSON: nothing of the value survives.
	{name: "truncated object", data: `{"a":1,"b":`, texts: []Text{tx(`{"a":1,"b":`, "malformed JSON")}},
	{name: "leading zero", data: `{"a":01}`, texts: []Text{tx(`{"a":01}`, "malformed JSON")}},
	{name: "trailing dot", data: `{"a":1.}`, texts: []Text{tx(`{"a":1.}`, "malformed JSON")}},
	{name: "leading dot", data: `{"a":.5}`, texts: []Text{tx(`{"a":.5}`, "malformed JSON")}},
	{name: "bad escape", data: `{"a\x":1}`, texts: []Text{tx(`{"a\x":1}`, "malformed JSON")}},
	{name: "trailing garbage", data: `{"a":1}x`, texts: []Text{tx(`{"a":1}x`, "malformed JSON")}},
	{name: "single quotes", data: `{'a':1}`, texts: []Text{tx(`{'a':1}`, "malformed JSON")}},
	{name: "raw control character in string", data: "{\"a\":\"x\ty\",\"b\":1}", texts: []Text{tx("{\"a\":\"x\ty\",\"b\":1}", "malformed JSON")}},
	{name: "pretty-printed broken JSON is one text", data: "{\n  \"a\": 1,\n  \"b\": tru\n}", texts: []Text{
		tx("{\n  \"a\": 1,\n  \"b\": tru\n}", "malformed JSON"),
	}},
	{name: "nesting at the limit", data: strings.Repeat(`{"a":`, MaxJSONDepth) + "1" + strings.Repeat("}", MaxJSONDepth),
		samples: []Sample{s(strings.TrimSuffix(strings.Repeat("a.", MaxJSONDepth), "."), 1)}},
	{name: "nesting past the limit", data: strings.Repeat("[", MaxJSONDepth+1) + strings.Repeat("]", MaxJSONDepth+1),
		texts: []Text{tx(strings.Repeat("[", MaxJSONDepth+1)+strings.Repeat("]", MaxJSONDepth+1), "JSON nesting deeper than 64")}},

	// Plain text.
	{name: "key=value", data: "a=1 b=2", samples: []Sample{s("a", 1), s("b", 2)}},
	{name: "key:value with commas", data: "a:1,b:2", samples: []Sample{s("a", 1), s("b", 2)}},
	{name: "key: value with blanks", data: "a: 1, b: -2.5", samples: []Sample{s("a", 1), s("b", -2.5)}},
	{name: "comma-separated numbers", data: "1,2,3", samples: []Sample{s("0", 1), s("1", 2), s("2", 3)}},
	{name: "whitespace-separated numbers per line", data: "1 2\t3\n4 5 6\n", samples: []Sample{
		s("0", 1), s("1", 2), s("2", 3), s("0", 4), s("1", 5), s("2", 6),
	}},
	{name: "lines of key=value", data: "a=1\r\na=2\n", samples: []Sample{s("a", 1), s("a", 2)}},
	{name: "line with a time", data: "ts=1764096000123 cpu=3\ntime=2026-11-25T20:00:01+08:00 cpu=4", samples: []Sample{
		st("cpu", 3, tsMillis), st("cpu", 4, arrival.Add(time.Second)),
	}},
	{name: "line time under ArrivalTime", data: "ts=1764096000123 cpu=3", time: ArrivalTime, samples: []Sample{s("cpu", 3)}},
	{name: "reply text", data: "收到", texts: []Text{tx("收到", "not a number")}},
	{name: "words", data: "hello world", texts: []Text{tx("hello world", "not a number")}},
	{name: "numbers and a word", data: "a=1 b=oops", samples: []Sample{s("a", 1)}, texts: []Text{tx("b=oops", "not a number")}},
	{name: "text NaN field", data: "a=NaN b=2", samples: []Sample{s("b", 2)}, texts: []Text{tx("a=NaN", "NaN")}},
	{name: "invalid UTF-8", data: "a=1 \xff\xfe", texts: []Text{tx("a=1 \uFFFD", "invalid UTF-8")}},
	{name: "true is not a number", data: "true", texts: []Text{tx("true", "not a number")}},

	// Prometheus text exposition.
	{name: "prometheus by content", data: "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.42\n",
		samples: []Sample{s("node_load1", 0.42)}},
	{name: "prometheus name value line", data: "cpu 12.5\nmem 3", samples: []Sample{s("cpu", 12.5), s("mem", 3)}},
	{name: "prometheus labels sorted, timestamp", contentType: promText004,
		data: "http_requests_total{method=\"get\",code=\"200\"} 1027 1764096000123\nhttp_requests_total{method=\"post\",code=\"500\"} 3 1764096000123",
		samples: []Sample{
			st(`http_requests_total{code="200",method="get"}`, 1027, tsMillis),
			st(`http_requests_total{code="500",method="post"}`, 3, tsMillis),
		}},
	{name: "prometheus timestamp under ArrivalTime", contentType: promText004, time: ArrivalTime,
		data: "up 1 1764096000123\n", samples: []Sample{s("up", 1)}},
	{name: "prometheus label escaping", data: "files{path=\"C:\\\\dir\\\"x\\\"\\n\"} 2\n",
		samples: []Sample{s(`files{path="C:\\dir\"x\"\n"}`, 2)}},
	{name: "prometheus histogram", data: "# TYPE rpc_seconds histogram\n" +
		"rpc_seconds_bucket{svc=\"a\",le=\"0.1\"} 3\nrpc_seconds_bucket{svc=\"a\",le=\"1\"} 5\nrpc_seconds_bucket{svc=\"a\",le=\"+Inf\"} 6\n" +
		"rpc_seconds_sum{svc=\"a\"} 2.5\nrpc_seconds_count{svc=\"a\"} 6\n",
		samples: []Sample{
			s(`rpc_seconds_bucket{le="0.1",svc="a"}`, 3), s(`rpc_seconds_bucket{le="1",svc="a"}`, 5),
			s(`rpc_seconds_bucket{le="+Inf",svc="a"}`, 6), s(`rpc_seconds_sum{svc="a"}`, 2.5), s(`rpc_seconds_count{svc="a"}`, 6),
		}},
	{name: "prometheus summary", data: "# TYPE gc_seconds summary\ngc_seconds{quantile=\"0.5\"} 0.01\ngc_seconds{quantile=\"1\"} 0.2\ngc_seconds_sum 4\ngc_seconds_count 100\n",
		samples: []Sample{
			s(`gc_seconds{quantile="0.5"}`, 0.01), s(`gc_seconds{quantile="1"}`, 0.2), s("gc_seconds_sum", 4), s("gc_seconds_count", 100),
		}},
	{name: "prometheus families sorted by name", data: "zeta 1\nalpha 2\n", samples: []Sample{s("alpha", 2), s("zeta", 1)}},
	{name: "prometheus NaN value", data: "# TYPE q gauge\nq NaN\nr 1\n", samples: []Sample{s("r", 1)}, texts: []Text{tx("q", "NaN")}},
	{name: "prometheus UTF-8 name", contentType: promText004, data: "{\"my.metric\",a=\"b\"} 1\n", samples: []Sample{s(`{"my.metric",a="b"}`, 1)}},
	{name: "prometheus 1.0.0 text", contentType: "text/plain; version=1.0.0; escaping=allow-utf-8; charset=utf-8",
		data: "{\"my.metric\"} 7", samples: []Sample{s(`{"my.metric"}`, 7)}},
	{name: "plain text/plain is judged by content", contentType: "text/plain; charset=utf-8", data: `{"a":1}`, samples: []Sample{s("a", 1)}},
	{name: "declared prometheus that is not", contentType: promText004, data: "{\"a\":1}", texts: []Text{tx(`{"a":1}`, "Prometheus text: ")}},
	{name: "openmetrics", contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8",
		data:    "# TYPE jobs counter\njobs_total{q=\"x\"} 5 1764096000.5\n# EOF\n",
		samples: []Sample{st(`jobs_total{q="x"}`, 5, time.Unix(1764096000, 5e8))}},
}

func (c decodeCase) message() Message {
	return Message{Data: []byte(c.data), Event: c.event, ContentType: c.contentType, Time: arrival}
}

func TestDecode(t *testing.T) {
	for _, c := range decodeCases {
		t.Run(c.name, func(t *testing.T) {
			d := Decoder{Time: c.time}
			r := d.Decode(c.message())
			checkResult(t, r, c.samples, c.texts)
			checkInvariants(t, r)
			// The Decoder is reused: a second message must not see the
			// first one's samples, and must decode the same way.
			r = d.Decode(c.message())
			checkResult(t, r, c.samples, c.texts)
		})
	}
}

func checkResult(t *testing.T, r Result, samples []Sample, texts []Text) {
	t.Helper()
	if len(r.Samples) != len(samples) {
		t.Fatalf("got %d samples %v, want %d %v", len(r.Samples), r.Samples, len(samples), samples)
	}
	for i, w := range samples {
		g := r.Samples[i]
		if w.Time.IsZero() {
			w.Time = arrival
		}
		if g.Series != w.Series || math.Float64bits(g.Value) != math.Float64bits(w.Value) || !g.Time.Equal(w.Time) {
			t.Errorf("sample %d = {%q %v %v}, want {%q %v %v}", i, g.Series, g.Value, g.Time.UTC(), w.Series, w.Value, w.Time.UTC())
		}
	}
	if len(r.Texts) != len(texts) {
		t.Fatalf("got %d texts %q, want %d %q", len(r.Texts), r.Texts, len(texts), texts)
	}
	for i, w := range texts {
		g := r.Texts[i]
		if g.Text != w.Text || !strings.HasPrefix(g.Reason, w.Reason) || !g.Time.Equal(arrival) {
			t.Errorf("text %d = %+v, want text %q, reason starting %q, at arrival", i, g, w.Text, w.Reason)
		}
	}
}

// checkInvariants holds for every message, however hostile.
func checkInvariants(t *testing.T, r Result) {
	t.Helper()
	if len(r.Samples) > MaxSamplesPerMessage {
		t.Fatalf("%d samples, more than the cap %d", len(r.Samples), MaxSamplesPerMessage)
	}
	if len(r.Texts) > maxTextsPerMessage+2 {
		t.Fatalf("%d texts, more than the cap %d", len(r.Texts), maxTextsPerMessage+2)
	}
	for _, s := range r.Samples {
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			t.Fatalf("non-finite sample %+v", s)
		}
		if !utf8.ValidString(s.Series) || s.Series == "" || len(s.Series) > MaxSeriesNameLen+64 {
			t.Fatalf("bad series name %q", s.Series)
		}
	}
	for _, x := range r.Texts {
		if !utf8.ValidString(x.Text) || len(x.Text) > MaxTextLen || x.Reason == "" {
			t.Fatalf("bad text %+v", x)
		}
	}
}

func TestDecodeBounds(t *testing.T) {
	t.Run("many fields", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{")
		const n = MaxSamplesPerMessage + 50
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"f%d":%d`, i, i)
		}
		b.WriteString("}")
		var d Decoder
		r := d.Decode(Message{Data: []byte(b.String()), Time: arrival})
		checkInvariants(t, r)
		if len(r.Samples) != MaxSamplesPerMessage {
			t.Fatalf("got %d samples, want the cap %d", len(r.Samples), MaxSamplesPerMessage)
		}
		last := r.Samples[len(r.Samples)-1]
		if last.Series != "f9999" || last.Value != 9999 {
			t.Errorf("last sample %+v, want f9999=9999", last)
		}
		if len(r.Texts) != 1 || r.Texts[0].Text != "50 samples dropped" {
			t.Errorf("texts %+v, want one saying 50 samples dropped", r.Texts)
		}
	})
	t.Run("many lines of text", func(t *testing.T) {
		data := strings.Repeat("a=1 b=2\n", MaxSamplesPerMessage)
		var d Decoder
		r := d.Decode(Message{Data: []byte(data), Time: arrival})
		checkInvariants(t, r)
		if len(r.Samples) != MaxSamplesPerMessage || len(r.Texts) != 1 ||
			r.Texts[0].Text != strconv.Itoa(MaxSamplesPerMessage)+" samples dropped" {
			t.Fatalf("got %d samples, texts %+v", len(r.Samples), r.Texts)
		}
	})
	t.Run("many bad lines", func(t *testing.T) {
		data := strings.Repeat("收到\n", 1000)
		var d Decoder
		r := d.Decode(Message{Data: []byte(data), Time: arrival})
		checkInvariants(t, r)
		if len(r.Texts) != maxTextsPerMessage+1 || r.Texts[maxTextsPerMessage].Text != "900 more texts dropped" {
			t.Fatalf("got %d texts, last %+v", len(r.Texts), r.Texts[len(r.Texts)-1])
		}
	})
	t.Run("deep nesting does not recurse without bound", func(t *testing.T) {
		data := strings.Repeat(`{"a":[`, 100000)
		var d Decoder
		r := d.Decode(Message{Data: []byte(data), Time: arrival})
		checkInvariants(t, r)
		if len(r.Samples) != 0 || len(r.Texts) != 1 || !strings.HasPrefix(r.Texts[0].Reason, "JSON nesting deeper") {
			t.Fatalf("got %+v", r)
		}
	})
	t.Run("long text is cut on a rune boundary", func(t *testing.T) {
		data := strings.Repeat("收", 200) // 600 bytes
		var d Decoder
		r := d.Decode(Message{Data: []byte(data), Time: arrival})
		checkInvariants(t, r)
		want := strings.Repeat("收", (MaxTextLen-len("…"))/3) + "…"
		if len(r.Texts) != 1 || r.Texts[0].Text != want {
			t.Fatalf("got %+v, want text %q", r.Texts, want)
		}
	})
	t.Run("long series name", func(t *testing.T) {
		key := strings.Repeat("k", MaxSeriesNameLen+1)
		var d Decoder
		r := d.Decode(Message{Data: []byte(`{"` + key + `":1,"ok":2}`), Time: arrival})
		checkInvariants(t, r)
		if len(r.Samples) != 1 || r.Samples[0].Series != "ok" || len(r.Texts) != 1 {
			t.Fatalf("got %+v", r)
		}
	})
}

// TestDecodeInternsNames checks that a steady feed does not allocate a
// series name per message.
func TestDecodeInternsNames(t *testing.T) {
	var d Decoder
	m := Message{Data: []byte(json4), Time: arrival}
	first := d.Decode(m).Samples[0].Series
	second := d.Decode(m).Samples[0].Series
	if unsafe.StringData(first) != unsafe.StringData(second) {
		t.Error("the same path gave two different strings")
	}
	if a := testing.AllocsPerRun(100, func() { d.Decode(m) }); a != 0 {
		t.Errorf("Decode of a known JSON object allocates %v times, want 0", a)
	}
	text := Message{Data: []byte("a=1 b=2 3"), Time: arrival}
	d.Decode(text)
	if a := testing.AllocsPerRun(100, func() { d.Decode(text) }); a != 0 {
		t.Errorf("Decode of a known text line allocates %v times, want 0", a)
	}
}

func TestTimeSourceString(t *testing.T) {
	for ts, want := range map[TimeSource]string{PayloadTime: "payload", ArrivalTime: "arrival", 7: "TimeSource(7)"} {
		if got := ts.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(ts), got, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c.data), c.event, c.contentType)
	}
	f.Fuzz(func(t *testing.T, data []byte, event, contentType string) {
		var d Decoder
		for _, ts := range []TimeSource{PayloadTime, ArrivalTime} {
			d.Time = ts
			r := d.Decode(Message{Data: data, Event: event, ContentType: contentType, Time: arrival})
			if !utf8.ValidString(event) {
				continue // the series of a bare number is the event, as given
			}
			checkInvariants(t, r)
		}
	})
}

// leafPair is one (series, value) a JSON document yields.
type leafPair struct {
	path string
	bits uint64
}

// referenceLeaves walks a valid JSON document with encoding/json's token
// stream and applies the decoder's leaf rules: numbers, numeric strings
// and booleans, named by dotted path; non-finite and out-of-range values
// and over-long names are not samples.
func referenceLeaves(t *testing.T, data []byte) []leafPair {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []leafPair
	add := func(path string, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) || len(path) > MaxSeriesNameLen {
			return
		}
		if path == "" {
			path = "value"
		}
		out = append(out, leafPair{path, math.Float64bits(v)})
	}
	join := func(path, k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	var walk func(path string)
	walk = func(path string) {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		switch v := tok.(type) {
		case json.Delim:
			for i := 0; dec.More(); i++ {
				if v == '{' {
					k, err := dec.Token()
					if err != nil {
						t.Fatalf("encoding/json: %v", err)
					}
					walk(join(path, k.(string)))
				} else {
					walk(join(path, strconv.Itoa(i)))
				}
			}
			if _, err := dec.Token(); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
		case json.Number:
			if f, err := strconv.ParseFloat(string(v), 64); err == nil {
				add(path, f)
			}
		case string:
			if v != "" && maybeNumber(v[0]) {
				if f, err := strconv.ParseFloat(v, 64); err == nil {
					add(path, f)
				}
			}
		case bool:
			if v {
				add(path, 1)
			} else {
				add(path, 0)
			}
		}
	}
	walk("")
	return out
}

// FuzzJSONScanner checks the hand-written scanner against encoding/json:
// the same verdict on validity, and for valid documents the same (path,
// value) pairs in the same order, values bit for bit.
func FuzzJSONScanner(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c.data))
	}
	for _, s := range []string{
		`{"a":[1,{"b":-0.0}],"c":"1e-400"}`, `[1e-400, 4.9e-324, 2.2250738585072011e-308]`,
		`{"\u00e9\ud800x":1}`, `"\ud83d\ude00"`, `0`, `-`, `[1,]`, `{"a":1,}`, `[01]`, `1E+2`, `"\u12"`,
		`{"":{"":3}}`, `[true,false,null]`, `" 12"`, `"0x1p4"`, `"1_0"`, `"+5"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := Decoder{json: jsonState{rawPaths: true}}
		d.msg.Time = arrival
		err := d.scanJSON(data)
		if errors.Is(err, errTooDeep) || d.droppedSmp > 0 {
			return // our bounds, stricter than encoding/json's
		}
		if valid := json.Valid(data); valid != (err == nil) {
			t.Fatalf("scanner says %v, encoding/json says valid=%v, for %q", err, valid, data)
		}
		if err != nil || !utf8.Valid(data) {
			// encoding/json replaces invalid UTF-8 in keys; Decode
			// rejects such messages before scanning.
			return
		}
		want := referenceLeaves(t, data)
		var got []leafPair
		for _, s := range d.res.Samples {
			got = append(got, leafPair{s.Series, math.Float64bits(s.Value)})
		}
		if len(got) != len(want) {
			t.Fatalf("for %q got %v, want %v", data, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("for %q pair %d = %v, want %v", data, i, got[i], want[i])
			}
		}
	})
}

// TestFastFloatMatchesStrconv checks the fast number path bit for bit on
// literals of every length it accepts, including the 15-digit edge.
func TestFastFloatMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		n := 1 + rng.IntN(17)
		var b []byte
		if rng.IntN(2) == 0 {
			b = append(b, '-')
		}
		for j := 0; j < n; j++ {
			b = append(b, byte('0'+rng.IntN(10)))
		}
		if dot := rng.IntN(n + 1); dot > 0 && dot < n {
			b = slices.Insert(b, len(b)-n+dot, '.')
		}
		want, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := fastFloat(b); ok && math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("fastFloat(%s) = %v, strconv says %v", b, got, want)
		}
	}
}

func TestClipText(t *testing.T) {
	for _, n := range []int{0, 1, MaxTextLen - 1, MaxTextLen, MaxTextLen + 1, MaxTextLen + 3, MaxTextLen + 10} {
		for _, fill := range []string{"a", "收", "\xea", "a\xff"} {
			in := []byte(strings.Repeat(fill, n+1)[:n])
			got := clipText(in)
			if !utf8.ValidString(got) || len(got) > MaxTextLen {
				t.Errorf("clipText(%d bytes of %q) = %d bytes %q", n, fill, len(got), got)
			}
			if utf8.Valid(in) && len(in) <= MaxTextLen && got != string(in) {
				t.Errorf("clipText changed a short valid text %q into %q", in, got)
			}
		}
	}
}

func ExampleDecoder() {
	var d Decoder
	msg := Message{
		Data: []byte(`{"ts":1764096000,"cpu":12.5,"mem":{"used":4096},"status":"ok"}`),
		Time: time.Now(),
	}
	r := d.Decode(msg)
	for _, s := range r.Samples {
		fmt.Println(s.Series, s.Value, s.Time.UTC().Format(time.RFC3339))
	}
	r = d.Decode(Message{Data: []byte("收到"), Time: time.Now()})
	for _, t := range r.Texts {
		fmt.Printf("%s (%s)\n", t.Text, t.Reason)
	}
	// Output:
	// cpu 12.5 2025-11-25T18:40:00Z
	// mem.used 4096 2025-11-25T18:40:00Z
	// 收到 (not a number)
}
