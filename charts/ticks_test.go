package charts

import (
	"slices"
	"testing"
	"time"
)

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		v, step float64
		want    string
	}{
		{1234, 0, "1.234k"},
		{3.4e6, 0, "3.4M"},
		{1.2e9, 0, "1.2G"},
		{-1500, 500, "-1.5k"},
		{1200, 200, "1.2k"},
		{1e6, 200e3, "1.0M"},
		{800e3, 200e3, "800k"},
		{0.05, 0.01, "0.05"},
		{12.5, 0, "12.5"},
		{0, 0, "0"},
		{0, 0.5, "0.0"},
		{42, 10, "42"},
		{0.000123, 0, "0.000123"},
	} {
		if got := formatValue(c.v, c.step); got != c.want {
			t.Errorf("formatValue(%v, %v) = %q, want %q", c.v, c.step, got, c.want)
		}
	}
}

func TestValueTicksAre125(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 10, 5, []float64{0, 2, 4, 6, 8, 10}},
		{-3, 7, 4, []float64{-2.5, 0, 2.5, 5}}, // 10/4 = 2.5 rounds up to 5
		{13.2, 78.4, 8, []float64{20, 30, 40, 50, 60, 70}},
		{0.001, 0.009, 4, []float64{0.002, 0.004, 0.006, 0.008}},
	} {
		got, step := valueTicks(c.lo, c.hi, c.n, nil)
		if c.lo == -3 {
			// 10/4 = 2.5 is not 1-2-5: the step must be 5.
			if step != 5 || !slices.Equal(got, []float64{0, 5}) {
				t.Errorf("valueTicks(-3, 7, 4) = %v step %v, want [0 5] step 5", got, step)
			}
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("valueTicks(%v, %v, %d) = %v, want %v", c.lo, c.hi, c.n, got, c.want)
			continue
		}
		for i := range got {
			if d := got[i] - c.want[i]; d > 1e-12 || d < -1e-12 {
				t.Errorf("valueTicks(%v, %v, %d) = %v, want %v", c.lo, c.hi, c.n, got, c.want)
				break
			}
		}
	}
}

func TestTimeTicksReadable(t *testing.T) {
	at := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixNano()
	}
	for _, c := range []struct {
		from, to string
		n        int
		want     []string
	}{
		{"2025-03-14T09:26:03Z", "2025-03-14T09:27:00Z", 6, []string{"09:26:10", "09:26:20", "09:26:30", "09:26:40", "09:26:50", "09:27:00"}},
		{"2025-03-14T09:00:00Z", "2025-03-14T10:00:00Z", 4, []string{"09:00", "09:15", "09:30", "09:45", "10:00"}},
		{"2025-03-13T20:00:00Z", "2025-03-14T04:00:00Z", 4, []string{"20:00", "22:00", "Mar 14", "02:00", "04:00"}},
		{"2025-03-01T00:00:00Z", "2025-03-05T00:00:00Z", 5, []string{"Mar 1", "Mar 2", "Mar 3", "Mar 4", "Mar 5"}},
		{"2025-03-14T09:26:00.100Z", "2025-03-14T09:26:00.900Z", 4, []string{"09:26:00.200", "09:26:00.400", "09:26:00.600", "09:26:00.800"}},
	} {
		ticks, step := timeTicks(at(c.from), at(c.to), c.n, time.UTC, nil)
		var got []string
		for _, tk := range ticks {
			got = append(got, formatTime(tk, step, time.UTC))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s..%s: %v (step %v), want %v", c.from, c.to, got, step, c.want)
		}
	}
}
