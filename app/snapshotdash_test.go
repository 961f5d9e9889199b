package app

import (
	"testing"
	"time"

	"feedscope/app/compute"
	"feedscope/app/dashboard"
	"feedscope/charts"
)

// A panel is drawn firing when one of its alarm thresholds fired over the
// points collected, even if it cleared before the end; not when a value
// was beyond the line for less than the threshold's for, nor for a
// threshold that is only a line.
func TestPanelFired(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	hot := compute.Threshold{Value: 50, Alarm: true, For: 2 * time.Second}
	for _, tc := range []struct {
		name   string
		th     compute.Threshold
		values []float64 // one a second
		want   bool
	}{
		{"never beyond", hot, []float64{10, 20, 49, 50, 30}, false},
		{"beyond for long enough", hot, []float64{10, 60, 61, 62, 63}, true},
		{"fired then cleared", hot, []float64{60, 61, 62, 63, 10, 10}, true},
		{"beyond too briefly", hot, []float64{60, 61, 10, 60, 10}, false},
		{"a line, not an alarm", compute.Threshold{Value: 50}, []float64{60, 61, 62, 63}, false},
		{"below", compute.Threshold{Value: 5, Dir: compute.Below, Alarm: true}, []float64{10, 4}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(time.Hour)
			for i, v := range tc.values {
				if err := store.Append("temp", t0.Add(time.Duration(i)*time.Second), v); err != nil {
					t.Fatal(err)
				}
			}
			p := dashboard.Panel{Series: []dashboard.SeriesRef{{Match: "temp"}}, Thresholds: []compute.Threshold{tc.th}}
			if got := panelFired(p, map[string]bool{"temp": true}, nil, store); got != tc.want {
				t.Errorf("panelFired = %v, want %v", got, tc.want)
			}
			// A series the panel does not show fires nothing.
			if panelFired(p, map[string]bool{"other": true}, nil, store) {
				t.Error("fired on a series the panel does not show")
			}
		})
	}
}

// A panel's thresholds become the chart's: colour names parsed, the
// shaded side the direction's, a line without shade unshaded.
func TestChartThresholds(t *testing.T) {
	got, err := chartThresholds([]compute.Threshold{
		{Value: 1, Colour: "blue", Label: "a", Shade: true},
		{Value: 2, Colour: "#102030", Shade: true, Dir: compute.Below},
		{Value: 3, Dir: compute.Below},
	})
	if err != nil {
		t.Fatal(err)
	}
	blue, red := mustColour(t, "blue"), mustColour(t, "")
	want := []struct {
		v     float64
		shade charts.ShadeDir
		col   any
		label string
	}{{1, charts.ShadeAbove, blue, "a"}, {2, charts.ShadeBelow, mustColour(t, "#102030"), ""}, {3, charts.ShadeNone, red, ""}}
	if len(got) != len(want) {
		t.Fatalf("%d thresholds, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Value != w.v || g.Shade != w.shade || g.Color != w.col || g.Label != w.label {
			t.Errorf("threshold %d = %+v, want %+v", i, g, w)
		}
	}
	if _, err := chartThresholds([]compute.Threshold{{Colour: "plaid"}}); err == nil {
		t.Error("no error for an unknown colour")
	}
}

func mustColour(t *testing.T, s string) any {
	t.Helper()
	c, err := compute.ParseColour(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
