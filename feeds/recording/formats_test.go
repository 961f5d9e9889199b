package recording

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func ns(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

// seriesOf flattens a result as "name: value@time ..." for comparison.
func seriesOf(res *Result) []string {
	var out []string
	for _, s := range res.Series {
		var b strings.Builder
		b.WriteString(s.Name + ":")
		for i := range s.T {
			fmt.Fprintf(&b, " %g@%s", s.V[i], time.Unix(0, s.T[i]).UTC().Format(time.RFC3339Nano))
		}
		out = append(out, b.String())
	}
	return out
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		opts   Options
		format Format
		delim  byte
		want   []string
		skip   []string // columns left out
	}{
		{"long comma", "time,series,value\n2024-01-01T00:00:00Z,cpu,1.5\n2024-01-01T00:00:01Z,mem,2\n2024-01-01T00:00:01Z,cpu,3\n",
			Options{}, FormatLong, ',',
			[]string{"cpu: 1.5@2024-01-01T00:00:00Z 3@2024-01-01T00:00:01Z", "mem: 2@2024-01-01T00:00:01Z"}, nil},
		{"long semicolon", "time;series;value\n2024-01-01T00:00:00Z;cpu;1.5\n", Options{}, FormatLong, ';',
			[]string{"cpu: 1.5@2024-01-01T00:00:00Z"}, nil},
		{"long tab, CRLF", "time\tseries\tvalue\r\n2024-01-01T00:00:00Z\tcpu\t1.5\r\n", Options{}, FormatLong, '\t',
			[]string{"cpu: 1.5@2024-01-01T00:00:00Z"}, nil},
		{"long quoted series with commas", "time,series,value\n2024-01-01T00:00:00Z,\"req{code=\"\"200\"\",path=\"\"/\"\"}\",7\n", Options{}, FormatLong, ',',
			[]string{`req{code="200",path="/"}: 7@2024-01-01T00:00:00Z`}, nil},
		{"JSON Lines", `{"time":"2024-01-01T00:00:00Z","series":"cpu","value":1.5}` + "\n" +
			`{"series":"a\"b","value":-2,"time":"2024-01-01T00:00:01Z"}` + "\n" +
			`{ "time": "2024-01-01T00:00:02Z", "series": "cpu", "value": 1e3 }` + "\n", Options{}, FormatJSONL, 0,
			[]string{"cpu: 1.5@2024-01-01T00:00:00Z 1000@2024-01-01T00:00:02Z", `a"b: -2@2024-01-01T00:00:01Z`}, nil},
		{"JSON Lines with epoch times", `{"time":1704067200.5,"series":"cpu","value":1}` + "\n", Options{}, FormatJSONL, 0,
			[]string{"cpu: 1@2024-01-01T00:00:00.5Z"}, nil},
		{"wide comma, first column", "t,temp,hum\n2024-01-01 00:00:00,20.5,40\n2024-01-01 00:00:01,21,41\n", Options{}, FormatWide, ',',
			[]string{"temp: 20.5@2024-01-01T00:00:00Z 21@2024-01-01T00:00:01Z", "hum: 40@2024-01-01T00:00:00Z 41@2024-01-01T00:00:01Z"}, nil},
		{"wide semicolon with decimal commas", "time;temp;hum\n2024-01-01T00:00:00;20,5;40\n", Options{}, FormatWide, ';',
			[]string{"temp: 20.5@2024-01-01T00:00:00Z", "hum: 40@2024-01-01T00:00:00Z"}, nil},
		{"wide tab", "time\ttemp\n2012-01-01\t1\n2012-01-02\t2\n", Options{}, FormatWide, '\t',
			[]string{"temp: 1@2012-01-01T00:00:00Z 2@2012-01-02T00:00:00Z"}, nil},
		{"wide time column named timestamp, not first", "a,timestamp,b\n1,2015/01/01 01:00:00,2\n", Options{}, FormatWide, ',',
			[]string{"a: 1@2015-01-01T01:00:00Z", "b: 2@2015-01-01T01:00:00Z"}, nil},
		{"wide time column named ts", "x,TS\n5,1262307600000\n", Options{}, FormatWide, ',',
			[]string{"x: 5@2010-01-01T01:00:00Z"}, nil},
		{"wide time column chosen", "seq,when,v\n1,2010-01-01T01:00:00Z,9\n", Options{TimeColumn: "when"}, FormatWide, ',',
			[]string{"seq: 1@2010-01-01T01:00:00Z", "v: 9@2010-01-01T01:00:00Z"}, nil},
		{"wide quoted headers with commas", "\"time\",\"Temp, °C\",\"a \"\"b\"\"\"\n0,1,2\n0.5,3,4\n", Options{}, FormatWide, ',',
			[]string{"Temp, °C: 1@1970-01-01T00:00:00Z 3@1970-01-01T00:00:00.5Z", `a "b": 2@1970-01-01T00:00:00Z 4@1970-01-01T00:00:00.5Z`}, nil},
		{"wide empty cells are no sample", "time,a,b\n1,,2\n2,3,\n3,,\n", Options{Start: time.Unix(100, 0)}, FormatWide, ',',
			[]string{"a: 3@1970-01-01T00:01:42Z", "b: 2@1970-01-01T00:01:41Z"}, nil},
		{"wide NaN is no sample", "time,a\n1,NaN\n2,4\n", Options{}, FormatWide, ',',
			[]string{"a: 4@1970-01-01T00:00:02Z"}, nil},
		{"wide text column left out", "time,temp,weather,empty\n1,20,sunny,\n2,21,rain,\n", Options{}, FormatWide, ',',
			[]string{"temp: 20@1970-01-01T00:00:01Z 21@1970-01-01T00:00:02Z"}, []string{"weather", "empty"}},
		{"wide epoch milliseconds, local option has no effect", "time,v\n1262307600000,1\n", Options{Location: time.FixedZone("x", 3600)}, FormatWide, ',',
			[]string{"v: 1@2010-01-01T01:00:00Z"}, nil},
		{"wide ISO without zone in a location", "time,v\n2010-01-01T01:00:00,1\n", Options{Location: time.FixedZone("x", 3600)}, FormatWide, ',',
			[]string{"v: 1@2010-01-01T00:00:00Z"}, nil},
		{"byte order mark", "\xef\xbb\xbftime,v\n2010-01-01,1\n", Options{}, FormatWide, ',',
			[]string{"v: 1@2010-01-01T00:00:00Z"}, nil},
		{"spaces around cells", "time, a, b\n2010-01-01 , 1 , 2\n", Options{}, FormatWide, ',',
			[]string{"a: 1@2010-01-01T00:00:00Z", "b: 2@2010-01-01T00:00:00Z"}, nil},
		{"no newline at the end", "time,series,value\n2024-01-01T00:00:00Z,cpu,1", Options{}, FormatLong, ',',
			[]string{"cpu: 1@2024-01-01T00:00:00Z"}, nil},
		{"time range and every second point", "time,series,value\n1262307600,a,1\n1262307601,a,2\n1262307602,a,3\n1262307603,a,4\n1262307604,a,5\n1262307605,a,6\n",
			Options{From: time.Unix(1262307601, 0), To: time.Unix(1262307604, 0), Every: 2}, FormatLong, ',',
			[]string{"a: 2@2010-01-01T01:00:01Z 4@2010-01-01T01:00:03Z"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(t *testing.T, data []byte, gz bool) {
				res := loadBytes(t, data, tc.opts)
				if res.Format != tc.format || res.Gzip != gz || (tc.delim != 0 && res.Delimiter != tc.delim) {
					t.Errorf("format %v %q gzip %v, want %v %q %v", res.Format, res.Delimiter, res.Gzip, tc.format, tc.delim, gz)
				}
				if res.BadLines != 0 {
					t.Errorf("%d bad lines: %v", res.BadLines, res.Bad)
				}
				if got := seriesOf(res); !slices.Equal(got, tc.want) {
					t.Errorf("got\n%q\nwant\n%q", got, tc.want)
				}
				if !slices.Equal(res.SkippedColumns, tc.skip) {
					t.Errorf("skipped columns %q, want %q", res.SkippedColumns, tc.skip)
				}
			}
			check(t, []byte(tc.in), false)
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write([]byte(tc.in))
			zw.Close()
			check(t, z.Bytes(), true)
		})
	}
}
