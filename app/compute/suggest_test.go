package compute

import (
	"iter"
	"testing"
)

func values(vs ...float64) iter.Seq2[int64, float64] {
	return func(yield func(int64, float64) bool) {
		for i, v := range vs {
			if !yield(int64(i), v) {
				return
			}
		}
	}
}

func TestSuggestRate(t *testing.T) {
	tests := []struct {
		name    string
		history iter.Seq2[int64, float64]
		want    bool
	}{
		{"http_requests_total", nil, true},
		{"node/node_network_receive_bytes_total{device=\"eth0\"}", nil, true},
		{`x_total{path="/a_total{"}`, nil, true},
		// _total inside the labels is not the metric name.
		{`load1{job="x_total"}`, values(1, 2, 1, 2, 1), false},
		{"node_load1", nil, false},
		{"totals", nil, false},
		{"bytes", values(1, 2, 2, 5, 9), true},
		{"bytes", values(1, 2, 2, 5, 9, 8), false},  // one drop: not a counter
		{"bytes", values(1, 2, 3, 4), false},        // too few points to tell
		{"bytes", values(3, 3, 3, 3, 3, 3), false},  // flat: never grew
		{"temp", values(20, 21, 19, 22, 23), false}, // a gauge
		{"bytes", values(-5, -4, -3, -2, -1), true}, // grows, though negative
		{"bytes", values(), false},
	}
	for _, tc := range tests {
		if got := SuggestRate(tc.name, tc.history); got != tc.want {
			t.Errorf("SuggestRate(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A decreasing history stops the scan at the first drop.
func TestSuggestRateStopsEarly(t *testing.T) {
	n := 0
	h := func(yield func(int64, float64) bool) {
		for i := range 1000 {
			n++
			if !yield(int64(i), float64(-i)) {
				return
			}
		}
	}
	SuggestRate("x", h)
	if n != 2 {
		t.Errorf("read %d points, want 2", n)
	}
}
