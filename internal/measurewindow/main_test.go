package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"feedscope/app/dashboard"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{7}, 7},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{1, 100, 2}, 2}, // one wild run does not move it
	} {
		in := append([]float64(nil), c.in...)
		if got := median(in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
		if !slices.Equal(in, c.in) {
			t.Errorf("median reordered its input: %v", in)
		}
	}
}

// The row gives each figure's median and the range of the per-round
// ratios, so one round taken under a burst of load shows as a wide range,
// not as the result.
func TestRowGivesMediansAndRatioRange(t *testing.T) {
	apps := []figures{{cpu: 30, repaints: 20, rssMB: 190}, {cpu: 60, repaints: 19, rssMB: 191}, {cpu: 33, repaints: 20, rssMB: 192}}
	bares := []figures{{cpu: 30, repaints: 20}, {cpu: 30, repaints: 20}, {cpu: 30, repaints: 20}}
	got := row("demo", apps, bares)
	for _, want := range []string{"| demo | 33.0 | 20.0 | 16.5 | 191 | 30.0 | 20.0 | 15.0 |", "1.10× (1.00–2.00)"} {
		if !strings.Contains(got, want) {
			t.Errorf("row = %q, want it to contain %q", got, want)
		}
	}
	one := row("static", []figures{{cpu: 3, rssMB: 170}}, []figures{{cpu: 2}})
	if !strings.HasSuffix(one, "| — | 1.50× |") {
		t.Errorf("one round, no repaints: %q", one)
	}
}

// The dashboards the dashboard cases open must be ones the app accepts,
// with the panels they promise.
func TestDashboardCasesParse(t *testing.T) {
	r := runner{dir: t.TempDir()}
	for _, c := range []struct {
		panels string
		n      int
		cols   int
	}{{onePanel, 1, 1}, {sixPanels, 6, 3}} {
		path, err := r.dashboard("d.toml", "8080", c.panels)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d, err := dashboard.Parse(filepath.Base(path), b)
		if err != nil {
			t.Fatalf("%s:\n%s\n%v", path, b, err)
		}
		if len(d.Panels) != c.n || d.Columns != c.cols || len(d.Feeds) != 1 || d.Feeds[0].URL != "http://127.0.0.1:8080/sse" {
			t.Errorf("parsed %d panels, %d columns, feeds %+v; want %d panels, %d columns, one feed on port 8080", len(d.Panels), d.Columns, d.Feeds, c.n, c.cols)
		}
	}
}
