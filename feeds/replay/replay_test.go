package replay

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"feedscope/feeds/recording"
)

// stepClock moves on by every wait at once and records the waits.
type stepClock struct {
	now   time.Time
	waits []time.Duration
}

func (c *stepClock) Now() time.Time { return c.now }
func (c *stepClock) After(d time.Duration) (<-chan time.Time, func() bool) {
	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch, func() bool { return false }
}

// frames plays series and describes every frame as "time:name=value,...".
func frames(t *testing.T, series []recording.Series, opts Options, limit int) ([]string, []time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := &stepClock{now: time.Unix(1000, 0)}
	var out []string
	err := Play(ctx, series, opts, clk, func(f Frame) error {
		var parts []string
		for _, p := range f.Points {
			parts = append(parts, fmt.Sprintf("%s=%v", series[p.Series].Name, p.Value))
		}
		out = append(out, fmt.Sprintf("%d:%s", f.Time, strings.Join(parts, ",")))
		if len(out) == limit {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Play: %v", err)
	}
	return out, clk.waits
}

func TestPlayFrames(t *testing.T) {
	for _, tc := range []struct {
		name   string
		series []recording.Series
		opts   Options
		limit  int
		want   string
		waits  string
	}{
		{
			name: "one frame per time, series in order",
			series: []recording.Series{
				{Name: "a", T: []int64{0, 10, 30}, V: []float64{1, 2, 3}},
				{Name: "b", T: []int64{10, 20}, V: []float64{4, 5}},
			},
			want:  "0:a=1 10:a=2,b=4 20:b=5 30:a=3",
			waits: "[10ns 10ns 10ns]",
		},
		{
			name: "a series twice at one time gives two frames",
			series: []recording.Series{
				{Name: "a", T: []int64{5, 5, 6}, V: []float64{1, 2, 3}},
				{Name: "b", T: []int64{5}, V: []float64{9}},
			},
			want:  "5:a=1,b=9 5:a=2 6:a=3",
			waits: "[1ns]",
		},
		{
			name: "out of order is sorted first",
			series: []recording.Series{
				{Name: "a", T: []int64{30, 10, 20}, V: []float64{3, 1, 2}, OutOfOrder: 1},
			},
			want:  "10:a=1 20:a=2 30:a=3",
			waits: "[10ns 10ns]",
		},
		{
			name:   "speed 2 halves the waits",
			series: []recording.Series{{Name: "a", T: []int64{0, 10, 30}, V: []float64{1, 2, 3}}},
			opts:   Options{Speed: 2},
			want:   "0:a=1 10:a=2 30:a=3",
			waits:  "[5ns 10ns]",
		},
		{
			name:   "infinite speed never waits",
			series: []recording.Series{{Name: "a", T: []int64{0, 10, 30}, V: []float64{1, 2, 3}}},
			opts:   Options{Speed: math.Inf(1)},
			want:   "0:a=1 10:a=2 30:a=3",
			waits:  "[]",
		},
		{
			name:   "a loop moves on by the span and the mean spacing",
			series: []recording.Series{{Name: "a", T: []int64{0, 10, 30}, V: []float64{1, 2, 3}}},
			opts:   Options{Loop: true},
			limit:  7,
			want:   "0:a=1 10:a=2 30:a=3 45:a=1 55:a=2 75:a=3 90:a=1",
			waits:  "[10ns 20ns 15ns 10ns 20ns 15ns]",
		},
		{
			name:   "an empty series beside others",
			series: []recording.Series{{Name: "e"}, {Name: "a", T: []int64{0, 1}, V: []float64{1, 2}}},
			want:   "0:a=1 1:a=2",
			waits:  "[1ns]",
		},
		{
			name:   "empty",
			series: []recording.Series{{Name: "a"}},
			opts:   Options{Loop: true},
			want:   "",
			waits:  "[]",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, waits := frames(t, tc.series, tc.opts, tc.limit)
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("frames %q, want %q", g, tc.want)
			}
			if g := fmt.Sprint(waits); g != tc.waits {
				t.Errorf("waits %s, want %s", g, tc.waits)
			}
		})
	}
}

func TestPlayStopsOnEmitErrorAndBadSpeed(t *testing.T) {
	series := []recording.Series{{Name: "a", T: []int64{0, 1}, V: []float64{1, 2}}}
	stop := errors.New("full")
	n := 0
	err := Play(context.Background(), series, Options{}, &stepClock{}, func(Frame) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Play: %v after %d frames, want the emit error after 1", err, n)
	}
	for _, s := range []float64{-1, math.NaN()} {
		if err := Play(context.Background(), series, Options{Speed: s}, &stepClock{}, func(Frame) error { return nil }); err == nil {
			t.Errorf("speed %v accepted", s)
		}
	}
}
