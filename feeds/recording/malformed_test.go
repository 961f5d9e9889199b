package recording

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestMalformedLines(t *testing.T) {
	long10MB := strings.Repeat("9", 10<<20)
	for _, tc := range []struct {
		name   string
		in     string
		points int64
		bad    []BadLine // every bad line, in order (fewer than MaxReported)
	}{
		{"long: short row, bad number, bad time, too many fields",
			"time,series,value\n" +
				"2024-01-01T00:00:00Z,cpu,1\n" +
				"2024-01-01T00:00:01Z,cpu\n" +
				"2024-01-01T00:00:02Z,cpu,abc\n" +
				"2024-13-01T00:00:03Z,cpu,3\n" +
				"2024-01-01T00:00:04Z,cpu,4,5\n" +
				"2024-01-01T00:00:05Z,cpu,NaN\n" +
				"2024-01-01T00:00:06Z,,6\n" +
				"2024-01-01T00:00:07Z,cpu,7\n",
			2, []BadLine{
				{3, "2 fields, want 3 (time, series, value)"},
				{4, `bad number "abc"`},
				{5, `bad time "2024-13-01T00:00:03Z"`},
				{6, "4 fields, want 3 (time, series, value)"},
				{7, "value is NaN or infinite"},
				{8, "empty series name"},
			}},
		{"long: a 10 MB line, then good lines",
			"time,series,value\n2024-01-01T00:00:00Z,cpu,1\n2024-01-01T00:00:01Z,cpu," + long10MB + "\n2024-01-01T00:00:02Z,cpu,2\n",
			2, []BadLine{{3, "line longer than 1048576 bytes"}}},
		{"long: a 10 MB line without a newline at the end",
			"time,series,value\n2024-01-01T00:00:00Z,cpu,1\n" + long10MB,
			1, []BadLine{{3, "line longer than 1048576 bytes"}}},
		{"long: invalid UTF-8 in a series name",
			"time,series,value\n2024-01-01T00:00:00Z,cp\xffu,1\n2024-01-01T00:00:01Z,cpu,2\n",
			1, []BadLine{{2, `series name is not valid UTF-8: "cp\xffu"`}}},
		{"long: a quote left open runs to the end",
			"time,series,value\n2024-01-01T00:00:00Z,cpu,1\n2024-01-01T00:00:01Z,\"cpu,2\n2024-01-01T00:00:02Z,cpu,3\n",
			1, []BadLine{{3, "quoted field not closed"}}},
		{"long: a stray quote",
			"time,series,value\n2024-01-01T00:00:00Z,c\"pu,1\n2024-01-01T00:00:01Z,cpu,2\n",
			1, []BadLine{{2, `bare " in a field without quotes`}}},
		{"JSON Lines: broken object, invalid UTF-8, missing value",
			`{"time":"2024-01-01T00:00:00Z","series":"cpu","value":1}` + "\n" +
				`{"time":"2024-01-01T00:00:01Z","series":"cpu","value":` + "\n" +
				`{"time":"2024-01-01T00:00:02Z","series":"c` + "\xff" + `","value":2}` + "\n" +
				`{"time":"2024-01-01T00:00:03Z","series":"cpu"}` + "\n" +
				`{"time":"2024-01-01T00:00:04Z","series":"cpu","value":4}` + "\n",
			2, []BadLine{
				{2, "bad JSON: unexpected end of JSON input"},
				{3, `series name is not valid UTF-8: "c\xff"`},
				{4, "no value"},
			}},
		{"wide: short row, bad time, bad cell in a numeric column",
			"time,a,b\n" +
				"2024-01-01 00:00:00,1,2\n" +
				"2024-01-01 00:00:01,3\n" +
				"yesterday,4,5\n" +
				"2024-01-01 00:00:03,x\xff,6\n" +
				"2024-01-01 00:00:04,7,8\n",
			5, []BadLine{
				{3, "2 fields, the header has 3"},
				{4, `bad time "yesterday"`},
				{5, `column "a": bad number "x\xff"`},
			}},
		{"wide: bad cells before a column's first number count too",
			"time,a\n1,oops\n2,5\n3,6\n",
			2, []BadLine{{2, `column "a": bad number "oops"`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := loadBytes(t, []byte(tc.in), Options{})
			if res.Points != tc.points {
				t.Errorf("%d points, want %d", res.Points, tc.points)
			}
			if res.BadLines != int64(len(tc.bad)) || !equalBad(res.Bad, tc.bad) {
				t.Errorf("%d bad lines %q\nwant %d %q", res.BadLines, res.Bad, len(tc.bad), tc.bad)
			}
			if len(tc.bad) > 0 && !strings.Contains(res.Summary(), tc.bad[0].String()) {
				t.Errorf("summary %q does not name %q", res.Summary(), tc.bad[0])
			}
		})
	}
}

func equalBad(a, b []BadLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBadLinesCountedBeyondTheReported(t *testing.T) {
	var b strings.Builder
	b.WriteString("time,series,value\n")
	for i := range 1000 {
		if i%2 == 0 {
			b.WriteString("2024-01-01T00:00:00Z,cpu,1\n")
		} else {
			b.WriteString("garbage\n")
		}
	}
	res := loadBytes(t, []byte(b.String()), Options{})
	if res.Points != 500 || res.BadLines != 500 || len(res.Bad) != MaxReported || res.Bad[0].Line != 3 || res.Bad[MaxReported-1].Line != 21 {
		t.Errorf("%d points, %d bad lines, reported %v", res.Points, res.BadLines, res.Bad)
	}
}

// A line of 10 MB must not make the reader hold 10 MB: its buffer stays
// at the line limit.
func TestLongLineBoundedMemory(t *testing.T) {
	data := []byte("time,series,value\n2024-01-01T00:00:00Z,cpu," + strings.Repeat("1", 64<<20) + "\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := loadBytes(t, data, Options{MaxLineBytes: 64 << 10})
	runtime.ReadMemStats(&after)
	if res.BadLines != 1 || res.Bad[0].Reason != "line longer than 65536 bytes" {
		t.Errorf("bad lines %v", res.Bad)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Errorf("a 64 MB line allocated %d bytes", grew)
	}
}

func TestTruncatedGzip(t *testing.T) {
	var src, z bytes.Buffer
	src.WriteString("time,series,value\n")
	for i := range 20000 {
		src.WriteString("2024-01-01T00:00:00Z,cpu," + strings.Repeat("1", 1+i%5) + "\n")
	}
	zw := gzip.NewWriter(&z)
	zw.Write(src.Bytes())
	zw.Close()
	cut := z.Bytes()[:z.Len()/2]
	res := loadBytes(t, cut, Options{})
	if res.ReadErr == nil || !errors.Is(res.ReadErr, io.ErrUnexpectedEOF) {
		t.Errorf("ReadErr = %v, want unexpected EOF", res.ReadErr)
	}
	if res.Points < 1000 || res.Points >= 20000 {
		t.Errorf("%d points kept from half the file", res.Points)
	}
	if !strings.Contains(res.Summary(), "truncated") {
		t.Errorf("summary %q does not say the file is truncated", res.Summary())
	}
}

func TestUnreadable(t *testing.T) {
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "missing.csv"), dir} {
		if res, err := Load(context.Background(), path, Options{}); err == nil {
			t.Errorf("%s: loaded %v, want an error", path, res.Summary())
		}
	}
	// A file that says gzip and is not.
	bad := filepath.Join(dir, "bad.csv.gz")
	os.WriteFile(bad, []byte{0x1f, 0x8b, 0, 0}, 0o600)
	if _, err := Load(context.Background(), bad, Options{}); err == nil || !strings.Contains(err.Error(), "bad.csv.gz") {
		t.Errorf("bad gzip header: %v", err)
	}
	// An empty file is read, and holds nothing.
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o600)
	if res, err := Load(context.Background(), empty, Options{}); err != nil || res.Points != 0 || len(res.Series) != 0 {
		t.Errorf("empty file: %v, %v", res, err)
	}
}

func TestTooManySeries(t *testing.T) {
	var b strings.Builder
	b.WriteString("time,series,value\n")
	for i := range 10 {
		b.WriteString("2024-01-01T00:00:00Z,s" + string(rune('a'+i)) + ",1\n")
	}
	res := loadBytes(t, []byte(b.String()), Options{MaxSeries: 4})
	if len(res.Series) != 4 || res.BadLines != 6 || res.Bad[0] != (BadLine{6, "more than 4 series"}) {
		t.Errorf("%d series, %d bad lines %v", len(res.Series), res.BadLines, res.Bad)
	}
}

// The limit holds for a line the buffer could hold, too.
func TestLineLimit(t *testing.T) {
	in := "time,series,value\n2024-01-01T00:00:00Z,cpu," + strings.Repeat("1", 5000) + "\n2024-01-01T00:00:01Z,cpu,2\n"
	res := loadBytes(t, []byte(in), Options{MaxLineBytes: 1000})
	if res.Points != 1 || res.BadLines != 1 || res.Bad[0] != (BadLine{2, "line longer than 1000 bytes"}) {
		t.Errorf("%d points, bad lines %v", res.Points, res.Bad)
	}
}

// A line limit beyond MaxLineLimit does not allocate a buffer that large.
func TestLineLimitCapped(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := loadBytes(t, []byte("time,series,value\n2024-01-01T00:00:00Z,cpu,1\n"), Options{MaxLineBytes: 1 << 40})
	runtime.ReadMemStats(&after)
	if res.Points != 1 || after.TotalAlloc-before.TotalAlloc > 2*MaxLineLimit {
		t.Errorf("%d points, %d bytes allocated", res.Points, after.TotalAlloc-before.TotalAlloc)
	}
}
