package dashboard

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Files nested deeper, or with longer dotted keys, than any dashboard are
// refused at once with the line where they go too far: the TOML library
// spends seconds on a few KiB of them (testdata/fuzz/FuzzParse holds such
// inputs).
func TestDeepFilesRefused(t *testing.T) {
	const n = 3000
	for _, tc := range []struct {
		name, src string
		line      int
		msg       string
	}{
		{"nested inline tables", twoFeeds + "y = " + strings.Repeat("{b = ", n) + "1" + strings.Repeat("}", n) + "\n", 16, "nested more than 32 levels"},
		{"nested arrays", twoFeeds + "\n" + "hidden = " + strings.Repeat("[\n", n) + strings.Repeat("]", n) + "\n", 17 + maxNesting, "nested more than 32 levels"},
		{"dotted key", "title = \"t\"\n" + strings.Repeat("a.", n) + "a = 1\n", 2, "key of more than 32 parts"},
		{"dotted table name", "[" + strings.Repeat("a.", n) + "a]\n", 1, "key of more than 32 parts"},
		{"dotted array of tables", "# c\n\n[[" + strings.Repeat(`"a". `, n) + "a]]\n", 3, "key of more than 32 parts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse("deep.toml", []byte(tc.src))
			var e *Error
			if d != nil || !errors.As(err, &e) {
				t.Fatalf("loaded %v, %v; want an *Error", d, err)
			}
			if e.File != "deep.toml" || e.Line != tc.line || !strings.Contains(e.Msg, tc.msg) || !strings.Contains(e.Msg, "not a dashboard file") {
				t.Errorf("error %q: line %d; want line %d saying %q", err, e.Line, tc.line, tc.msg)
			}
		})
	}
}

// The limits leave real files alone: nesting and dotted keys up to them
// load (and fail only for what the dashboard does not know), and dots,
// brackets and braces in strings and comments, or in numbers and times,
// count for nothing.
func TestShapeLimitsLeaveFilesAlone(t *testing.T) {
	deepest := twoFeeds + "x = " + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting) + "\n"
	longest := twoFeeds + strings.Repeat("k.", maxKeyParts-1) + "k = 1\n"
	for _, src := range []string{deepest, longest} {
		_, err := Parse("ok.toml", []byte(src))
		var e *Error
		if !errors.As(err, &e) || e.Line != 16 || !strings.Contains(e.Msg, "unknown key") {
			t.Errorf("at the limits: %v; want only the unknown key on line 16", err)
		}
	}
	dots := strings.Repeat(".[{", 100)
	src := strings.Replace(twoFeeds, `title = "t"`, fmt.Sprintf("title = %q # %s\n# %s\n", dots, dots, dots), 1) +
		"no_data = \"1.5s\"\n" + "y = { min = 0.5, max = 1.25 }\n" +
		"thresholds = [{ value = 1.5, label = '''" + dots + "''' }, { value = 2.5 }]\n"
	d, err := Parse("ok.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != dots || d.Panels[0].NoData != 1500*time.Millisecond || d.Panels[0].Y.Max != 1.25 || d.Panels[0].Thresholds[0].Label != dots {
		t.Errorf("loaded %+v %+v", d, d.Panels[0])
	}
}

// BenchmarkScanPositions times the line finder on nested arrays (a shape
// it was quadratic on) of two depths: the deep one's cost per byte over
// the shallow one's (x-per-byte) stays at or below 1 when the scan is
// linear (noting the first maxPath levels is a fixed cost), where it was
// about 6 for a depth eight times larger.
func BenchmarkScanPositions(b *testing.B) {
	perByte := func(depth int) float64 {
		src := []byte("a = " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n")
		best := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			scanPositions(src)
			best = min(best, time.Since(start))
		}
		return float64(best.Nanoseconds()) / float64(len(src))
	}
	small := perByte(1000)
	var large float64
	for b.Loop() {
		large = perByte(8000)
	}
	b.ReportMetric(small, "ns/byte-depth-1000")
	b.ReportMetric(large, "ns/byte-depth-8000")
	b.ReportMetric(large/small, "x-per-byte")
}
