package recording

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestTimeForms(t *testing.T) {
	utc := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixNano()
	}
	start := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	plus1 := time.FixedZone("UTC+1", 3600)
	for _, tc := range []struct {
		name string
		in   []string // one file's times: the first fixes the kind
		loc  *time.Location
		want []int64
	}{
		{"RFC 3339", []string{"2010-01-01T01:00:00Z", "2010-01-01T01:00:00.5Z"}, nil,
			[]int64{utc("2010-01-01T01:00:00Z"), utc("2010-01-01T01:00:00.5Z")}},
		{"RFC 3339 nanoseconds as record writes", []string{"2026-03-14T09:26:53.000001234Z", "2026-03-14T09:26:54.999999999Z"}, nil,
			[]int64{utc("2026-03-14T09:26:53.000001234Z"), utc("2026-03-14T09:26:54.999999999Z")}},
		{"RFC 3339 offsets", []string{"2010-01-01T01:00:00+02:00", "2010-01-01T01:00:00-0530", "2010-01-01T01:00:00+01"}, nil,
			[]int64{utc("2009-12-31T23:00:00Z"), utc("2010-01-01T06:30:00Z"), utc("2010-01-01T00:00:00Z")}},
		{"ISO 8601 without zone is UTC", []string{"2010-01-01T01:00:00", "2010-01-01T01:00"}, nil,
			[]int64{utc("2010-01-01T01:00:00Z"), utc("2010-01-01T01:00:00Z")}},
		{"ISO 8601 without zone in a set location", []string{"2010-01-01T01:00:00", "2010-07-01 01:00:00.25"}, plus1,
			[]int64{utc("2010-01-01T00:00:00Z"), utc("2010-07-01T00:00:00.25Z")}},
		{"a zone written wins over the location", []string{"2010-01-01T01:00:00Z"}, plus1,
			[]int64{utc("2010-01-01T01:00:00Z")}},
		{"spreadsheet form", []string{"2006-01-02 15:04:05", "2006-01-02 15:04:05.123", "2006-01-02 15:04:05,5"}, nil,
			[]int64{utc("2006-01-02T15:04:05Z"), utc("2006-01-02T15:04:05.123Z"), utc("2006-01-02T15:04:05.5Z")}},
		{"a date alone", []string{"2012-01-01", "2012-02-29"}, nil,
			[]int64{utc("2012-01-01T00:00:00Z"), utc("2012-02-29T00:00:00Z")}},
		{"slashes", []string{"2015/01/01 01:00:00", "2015/12/31 23:59:59.9"}, nil,
			[]int64{utc("2015-01-01T01:00:00Z"), utc("2015-12-31T23:59:59.9Z")}},
		{"more than nine fraction digits are cut", []string{"2015-01-01T00:00:00.1234567899Z"}, nil,
			[]int64{utc("2015-01-01T00:00:00.123456789Z")}},
		{"before 1970", []string{"1969-12-31T23:59:59.5Z"}, nil, []int64{-500_000_000}},
		{"epoch seconds", []string{"1262307600", "1262307600.25"}, nil,
			[]int64{utc("2010-01-01T01:00:00Z"), utc("2010-01-01T01:00:00.25Z")}},
		{"epoch milliseconds", []string{"1262307600000", "1262307600001"}, nil,
			[]int64{utc("2010-01-01T01:00:00Z"), utc("2010-01-01T01:00:00.001Z")}},
		{"epoch microseconds", []string{"1262307600000000", "1262307600000001"}, nil,
			[]int64{utc("2010-01-01T01:00:00Z"), utc("2010-01-01T01:00:00.000001Z")}},
		{"epoch nanoseconds, exactly", []string{"1262307600000000001", "1262307600123456789"}, nil,
			[]int64{utc("2010-01-01T01:00:00.000000001Z"), utc("2010-01-01T01:00:00.123456789Z")}},
		{"seconds from the start", []string{"0", "0.001", "1.5", "86400"}, nil,
			[]int64{start.UnixNano(), start.UnixNano() + 1e6, start.UnixNano() + 1.5e9, start.Add(24 * time.Hour).UnixNano()}},
		{"seconds from the start keep their unit past 1e8", []string{"5", "100000000"}, nil,
			[]int64{start.UnixNano() + 5e9, start.UnixNano() + 1e17}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := timeParser{loc: tc.loc, start: start.UnixNano()}
			for i, in := range tc.in {
				got, err := p.parse([]byte(in))
				if err != nil || got != tc.want[i] {
					t.Errorf("%q: got %d (%v), %v; want %d (%v)", in, got, time.Unix(0, got).UTC(), err, tc.want[i], time.Unix(0, tc.want[i]).UTC())
				}
			}
		})
	}
}

func TestBadTimes(t *testing.T) {
	for _, tc := range []struct {
		first, bad string
	}{
		{"2010-01-01T00:00:00Z", "2010-13-01T00:00:00Z"},
		{"2010-01-01T00:00:00Z", "2010-02-30"},
		{"2010-01-01T00:00:00Z", "2011-02-29"},
		{"2010-01-01T00:00:00Z", "2010-01-01T24:00:00Z"},
		{"2010-01-01T00:00:00Z", "2010-01-01T00:60:00Z"},
		{"2010-01-01T00:00:00Z", "2010-01-01T00:00:60Z"},
		{"2010-01-01T00:00:00Z", "2010-01-01T00:00:00+24:00"},
		{"2010-01-01T00:00:00Z", "2010-01-01T00:00:00."},
		{"2010-01-01T00:00:00Z", "2010-01-01T00:00:00Zjunk"},
		{"2010-01-01T00:00:00Z", "2010-01-01X00:00:00"},
		{"2010-01-01T00:00:00Z", "2010-01-01T00"},
		{"2010-01-01T00:00:00Z", "1262307600"},     // a number in a file of text times
		{"2010-01-01T00:00:00Z", "2300-01-01"},     // beyond int64 nanoseconds
		{"2010-01-01T00:00:00Z", "1600-01-01"},     // before them
		{"2010-01-01T00:00:00Z", "2010-01-01\xff"}, // invalid UTF-8
		{"2010-01-01T00:00:00Z", ""},
		{"1262307600", "2010-01-01"}, // text in a file of numbers
		{"1262307600", "12a"},
		{"1262307600", "1e300"},
		{"1262307600", "NaN"},
	} {
		p := timeParser{}
		if _, err := p.parse([]byte(tc.first)); err != nil {
			t.Fatalf("first %q: %v", tc.first, err)
		}
		if got, err := p.parse([]byte(tc.bad)); err == nil {
			t.Errorf("after %q, %q parsed as %v; want an error", tc.first, tc.bad, time.Unix(0, got).UTC())
		}
	}
}

var badZoneMinutes = regexp.MustCompile(`[+-]\d\d:?[6-9]\d$`)

// FuzzTextTime checks the hand-written parser against time.Parse: what
// time.Parse reads as RFC 3339 (or the spreadsheet form) must give the
// same instant, and nothing may panic.
func FuzzTextTime(f *testing.F) {
	for _, s := range []string{"2010-01-01T01:00:00Z", "2026-03-14T09:26:53.000001234Z", "2010-01-01T01:00:00+02:00",
		"2006-01-02 15:04:05.123", "2012-02-29", "2015/01/01 01:00:00", "1969-12-31T23:59:59.999999999-23:59",
		"2262-04-11T23:47:16.854775807Z", "1677-09-21T00:12:43.145224192Z", "0000-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := timeParser{}
		got, err := p.parse([]byte(s))
		again, err2 := p.parse([]byte(s)) // through the same-minute cache
		if (err == nil) != (err2 == nil) || got != again {
			t.Fatalf("%q: %d, %v then %d, %v", s, got, err, again, err2)
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02"} {
			want, perr := time.Parse(layout, s)
			// time.Parse also takes a run of spaces for one and, outside
			// its strict RFC 3339 path, zone minutes of 60 and more: not
			// forms recordings use.
			if perr != nil || want.Year() < 1678 || want.Year() > 2261 || strings.Contains(s, "  ") || badZoneMinutes.MatchString(s) {
				continue
			}
			if err != nil || got != want.UnixNano() {
				t.Fatalf("%q: got %d, %v; time.Parse(%q) gives %d", s, got, err, layout, want.UnixNano())
			}
		}
	})
}

// FuzzParseFloat checks the fast path of parseFloat against strconv.
func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", "52.345", "123456789012345", "0.1", ".5", "5.", "+3", "1e10", "NaN", "-", ".", "00012.500",
		"1.", "-.5", "+.", "12345678", "1234567.8", "12345678.", "123456789", ".12345678", "1.2.3", "5,5", "-0.0000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseFloat([]byte(s))
		want, serr := strconvParse(s)
		if (err == nil) != (serr == nil) {
			t.Fatalf("%q: error %v, strconv %v", s, err, serr)
		}
		if err == nil && got != want && !(got != got && want != want) {
			t.Fatalf("%q: %v, strconv %v", s, got, want)
		}
	})
}

func strconvParse(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
		return v, nil
	}
	return v, err
}

func TestFraction(t *testing.T) {
	for _, tc := range []struct {
		in    string
		ns, n int
	}{
		{"5", 500_000_000, 1}, {"123", 123_000_000, 3}, {"12345678", 123_456_780, 8},
		{"123456789", 123_456_789, 9}, {"000000001Z", 1, 9}, {"1234567891234", 123_456_789, 13},
		{"12345678Z", 123_456_780, 8}, {"1234567:9", 123_456_700, 7}, {"Z", 0, 0},
	} {
		if ns, n := fraction([]byte(tc.in)); ns != tc.ns || n != tc.n {
			t.Errorf("%q: %d, %d; want %d, %d", tc.in, ns, n, tc.ns, tc.n)
		}
	}
}
