package compute

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var parseTests = []struct {
	src       string
	canonical string // "" for an error
	col       int    // error column
	expected  string // part of the error's Expected
	found     string
}{
	{src: "", canonical: ""},
	{src: "  \t", canonical: ""},
	{src: "rate", canonical: "rate"},
	{src: "rate|avg 30s", canonical: "rate | avg 30s"},
	{src: " rate | avg 1m | scale 8e-6 ", canonical: "rate | avg 1m | scale 8e-06"},
	{src: "delta | derivative | min 1h0m0s | max 90s | offset -273.15", canonical: "delta | derivative | min 1h | max 1m30s | offset -273.15"},
	{src: "avg 250ms", canonical: "avg 250ms"},
	{src: "Scale 1024", canonical: "scale 1024"},
	{src: "rate |", col: 7, expected: "a function (rate, delta", found: "end of input"},
	{src: "| rate", col: 1, expected: "a function", found: `"|"`},
	{src: "rate | | avg 1m", col: 8, expected: "a function", found: `"|"`},
	{src: "rte", col: 1, expected: "a function (rate, delta, derivative, avg, min, max, scale, offset)", found: `"rte"`},
	{src: "rate avg 1m", col: 6, expected: `"|" or end of input after "rate"`, found: `"avg"`},
	{src: "avg", col: 4, expected: `a window after "avg"`, found: "end of input"},
	{src: "avg | rate", col: 5, expected: `a window after "avg"`, found: `"|"`},
	{src: "avg 30", col: 5, expected: "a duration such as 30s", found: `"30"`},
	{src: "min 1d", col: 5, expected: "a duration", found: `"1d"`},
	{src: "max 0s", col: 5, expected: "longer than zero", found: `"0s"`},
	{src: "max -5s", col: 5, expected: "longer than zero", found: `"-5s"`},
	{src: "scale", col: 6, expected: `a number after "scale"`, found: "end of input"},
	{src: "scale x", col: 7, expected: "a finite number", found: `"x"`},
	{src: "scale NaN", col: 7, expected: "a finite number", found: `"NaN"`},
	{src: "offset inf", col: 8, expected: "a finite number", found: `"inf"`},
	{src: "scale 1e999", col: 7, expected: "a finite number", found: `"1e999"`},
	{src: "scale 2 3", col: 9, expected: `"|" or end of input after "scale 2"`, found: `"3"`},
	{src: "rate | ävg 1m", col: 8, expected: "a function", found: `"ävg"`},
	{src: strings.Repeat("rate | ", 200) + "rate", col: MaxSource + 1, expected: "at most 1024 bytes"},
}

func TestParse(t *testing.T) {
	for _, tc := range parseTests {
		t.Run(tc.src, func(t *testing.T) {
			p, err := Parse(tc.src)
			if tc.expected == "" {
				if err != nil {
					t.Fatalf("Parse(%q): %v", tc.src, err)
				}
				if got := p.String(); got != tc.canonical {
					t.Errorf("String() = %q, want %q", got, tc.canonical)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) = %v, want a *SyntaxError", tc.src, err)
			}
			if se.Column() != tc.col || !strings.Contains(se.Expected, tc.expected) || (tc.found != "" && se.Found != tc.found) {
				t.Errorf("Parse(%q) error %q: column %d, expected %q, found %s; want column %d, expected ~%q, found %s",
					tc.src, err, se.Column(), se.Expected, se.Found, tc.col, tc.expected, tc.found)
			}
		})
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := Parse("rate | avg 30")
	want := `compute: column 12: expected a duration such as 30s, 5m or 1h (units ms, s, m, h), found "30"`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	_, err = Parse("scale " + strings.Repeat("x", 40))
	if err == nil || !strings.Contains(err.Error(), `found "xxxxxxxxxxxxxxxxxxxxxxxx…"`) {
		t.Errorf("a long token is not clipped in %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range parseTests {
		f.Add(tc.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(src) || se.Expected == "" || se.Found == "" {
				t.Fatalf("Parse(%q): bad error %#v", src, err)
			}
			return
		}
		// The canonical form reads back to itself.
		c := p.String()
		q, err := Parse(c)
		if err != nil || q.String() != c {
			t.Fatalf("canonical %q of %q does not read back: %v, %v", c, src, q, err)
		}
		// Any pipeline takes points without panicking and emits only
		// finite values.
		for i, v := range []float64{0, 1, -1, 1e308, -1e308, 5e-324, 3, 2, 1} {
			out, ok, _ := p.Push(int64(i)*1e9, v)
			if ok && (math.IsNaN(out) || math.IsInf(out, 0)) {
				t.Fatalf("%q emitted %v", src, out)
			}
		}
	})
}

// Durations are written without the zero units time.Duration.String
// keeps, and read back to the same value (dashboard files, the Settings
// dialog and the window-length menu write them this way too).
func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1h", 90 * time.Minute: "1h30m", 5 * time.Minute: "5m", 90 * time.Second: "1m30s",
		15 * time.Second: "15s", 500 * time.Millisecond: "500ms", time.Hour + time.Second: "1h0m1s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
		if back, err := time.ParseDuration(FormatDuration(d)); err != nil || back != d {
			t.Errorf("%q does not parse back to %v", FormatDuration(d), d)
		}
	}
}
