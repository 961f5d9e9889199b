package compute

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

// pt is an input or output point with its time in seconds.
type pt struct {
	t float64
	v float64
}

func sec(s float64) int64 { return int64(s * 1e9) }

// run feeds in to the pipeline src and returns what it emitted.
func run(t *testing.T, src string, in []pt) []pt {
	t.Helper()
	p, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	var out []pt
	for _, x := range in {
		if v, ok, _ := p.Push(sec(x.t), x.v); ok {
			out = append(out, pt{float64(sec(x.t)) / 1e9, v})
		}
	}
	return out
}

func near(a, b []pt) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].t != b[i].t || math.Abs(a[i].v-b[i].v) > 1e-9*math.Max(1, math.Abs(b[i].v)) {
			return false
		}
	}
	return true
}

func TestFunctions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		in   []pt
		want []pt
	}{
		{"identity", "", []pt{{0, 1}, {1, 2}}, []pt{{0, 1}, {1, 2}}},
		{"rate steady", "rate", []pt{{0, 0}, {1, 10}, {3, 30}}, []pt{{1, 10}, {3, 10}}},
		// The counter restarts between 2 and 3: it rose by 4 from zero, so
		// the rate is 4/s, not -96/s.
		{"rate counter reset", "rate", []pt{{0, 0}, {1, 50}, {2, 100}, {3, 4}, {4, 14}},
			[]pt{{1, 50}, {2, 50}, {3, 4}, {4, 10}}},
		{"rate reset to zero", "rate", []pt{{0, 7}, {2, 0}, {3, 5}}, []pt{{2, 0}, {3, 5}}},
		// Across a 100 s gap the rate is the mean rate over the gap.
		{"rate across gap", "rate", []pt{{0, 0}, {1, 10}, {101, 210}}, []pt{{1, 10}, {101, 2}}},
		{"rate sub-second", "rate", []pt{{0, 0}, {0.25, 1}}, []pt{{0.25, 4}}},
		{"delta signed", "delta", []pt{{0, 5}, {1, 8}, {2, 3}}, []pt{{1, 3}, {2, -5}}},
		{"derivative signed", "derivative", []pt{{0, 0}, {2, 10}, {4, 4}}, []pt{{2, 5}, {4, -3}}},
		{"scale", "scale 8e-6", []pt{{0, 1e6}}, []pt{{0, 8}}},
		{"offset", "offset -273.15", []pt{{0, 300}}, []pt{{0, 26.85}}},
		// The window is (t-w, t]: at t=3 the point at t=1 has just left.
		{"avg window", "avg 2s", []pt{{0, 1}, {1, 2}, {2, 3}, {3, 10}},
			[]pt{{0, 1}, {1, 1.5}, {2, 2.5}, {3, 6.5}}},
		// Each point counts once, however the points are spaced.
		{"avg counts points", "avg 10s", []pt{{0, 0}, {1, 0}, {9, 9}}, []pt{{0, 0}, {1, 0}, {9, 3}}},
		// After a gap longer than the window only new points are in it.
		{"avg after gap", "avg 5s", []pt{{0, 100}, {1, 100}, {60, 1}, {61, 3}},
			[]pt{{0, 100}, {1, 100}, {60, 1}, {61, 2}}},
		{"min window", "min 3s", []pt{{0, 5}, {1, 3}, {2, 4}, {3, 6}, {4, 7}, {5, 8}},
			[]pt{{0, 5}, {1, 3}, {2, 3}, {3, 3}, {4, 4}, {5, 6}}},
		{"max window", "max 3s", []pt{{0, 5}, {1, 3}, {2, 4}, {3, 2}, {4, 1}, {5, 0}},
			[]pt{{0, 5}, {1, 5}, {2, 5}, {3, 4}, {4, 4}, {5, 2}}},
		{"max equal values", "max 2s", []pt{{0, 4}, {1, 4}, {2, 1}, {3, 1}},
			[]pt{{0, 4}, {1, 4}, {2, 4}, {3, 1}}},
		// Stages compose left to right: bytes counter -> bytes/s -> mean ->
		// Mbit/s.
		{"compose rate avg scale", "rate | avg 2s | scale 8e-6",
			[]pt{{0, 0}, {1, 1e6}, {2, 3e6}, {3, 6e6}},
			[]pt{{1, 8}, {2, 12}, {3, 20}}},
		{"compose order matters", "scale 2 | offset 1", []pt{{0, 3}}, []pt{{0, 7}}},
		{"compose order matters 2", "offset 1 | scale 2", []pt{{0, 3}}, []pt{{0, 8}}},
		{"rate of rate", "rate | delta", []pt{{0, 0}, {1, 1}, {2, 3}, {3, 6}},
			[]pt{{2, 1}, {3, 1}}},
		{"case insensitive", "RATE | Avg 1m", []pt{{0, 0}, {1, 2}}, []pt{{1, 2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, tc.src, tc.in); !near(got, tc.want) {
				t.Errorf("%q over %v = %v, want %v", tc.src, tc.in, got, tc.want)
			}
		})
	}
}

func TestPushRefuses(t *testing.T) {
	p, err := Parse("rate")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		t       float64
		v       float64
		wantErr error
		wantV   float64
		wantOK  bool
	}{
		{10, 100, nil, 0, false},
		{9, 0, ErrOutOfOrder, 0, false},  // older
		{10, 0, ErrOutOfOrder, 0, false}, // same time: no rate over 0 s
		{11, math.NaN(), ErrNotFinite, 0, false},
		{11, math.Inf(1), ErrNotFinite, 0, false},
		{11, math.Inf(-1), ErrNotFinite, 0, false},
		// The refused points changed nothing: the rate is from t=10.
		{12, 120, nil, 10, true},
	}
	for i, s := range steps {
		v, ok, err := p.Push(sec(s.t), s.v)
		if !errors.Is(err, s.wantErr) || ok != s.wantOK || v != s.wantV {
			t.Errorf("step %d Push(%v, %v) = %v, %v, %v; want %v, %v, %v", i, s.t, s.v, v, ok, err, s.wantV, s.wantOK, s.wantErr)
		}
	}
	want := Stats{In: 2, Out: 1, OutOfOrder: 2, NotFinite: 3}
	if got := p.Stats(); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func TestOverflowDropped(t *testing.T) {
	p, err := Parse("scale 1e300")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := p.Push(0, 1e10); ok || !errors.Is(err, ErrOverflow) {
		t.Errorf("Push = %v, %v; want nothing and ErrOverflow", ok, err)
	}
	if v, ok, err := p.Push(1, 2); !ok || err != nil || v != 2e300 {
		t.Errorf("Push = %v, %v, %v; want 2e300", v, ok, err)
	}
	if got := p.Stats(); got.Overflow != 1 || got.Out != 1 {
		t.Errorf("Stats = %+v", got)
	}
}

// An average keeps its precision when a huge value passes through its
// window and leaves again.
func TestAvgRecoversPrecision(t *testing.T) {
	p, err := Parse("avg 2s")
	if err != nil {
		t.Fatal(err)
	}
	p.Push(sec(0), 1e308)
	if _, ok, err := p.Push(sec(1), 1e308); ok || !errors.Is(err, ErrOverflow) {
		t.Fatalf("a sum past MaxFloat64 gave %v, %v; want ErrOverflow", ok, err)
	}
	var v float64
	for i := 2; i < 10; i++ {
		v, _, _ = p.Push(sec(float64(i)), 0.1)
	}
	if math.Abs(v-0.1) > 1e-15 {
		t.Errorf("avg after the huge values left = %v, want 0.1", v)
	}
	p.Reset()
	p.Push(sec(0), 1e17)
	p.Push(sec(1), 1)
	v, _, _ = p.Push(sec(2), 1) // 1e17 has left: mean of 1 and 1
	if v != 1 {
		t.Errorf("avg after 1e17 left = %v, want 1", v)
	}
}

// Moving min and max agree with a brute-force scan of the window on a long
// irregular series.
func TestExtremesMatchBruteForce(t *testing.T) {
	for _, src := range []string{"min 7s", "max 7s", "avg 7s"} {
		p, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		var hist []pt
		x := uint64(1)
		tm := 0.0
		for i := range 5000 {
			x = x*6364136223846793005 + 1442695040888963407
			tm += float64(x>>60) * 0.5 // spacing 0..7.5 s, sometimes 0.5
			if x>>60 == 0 {
				tm += 0.25
			}
			v := float64(int64(x>>33)%1000) / 10
			hist = append(hist, pt{tm, v})
			got, ok, err := p.Push(sec(tm), v)
			if !ok || err != nil {
				t.Fatalf("%s point %d not emitted: %v", src, i, err)
			}
			var want, sum float64
			n := 0
			for j := len(hist) - 1; j >= 0 && sec(hist[j].t) > sec(tm)-sec(7); j-- {
				w := hist[j].v
				switch {
				case n == 0:
					want = w
				case src[:3] == "min":
					want = math.Min(want, w)
				case src[:3] == "max":
					want = math.Max(want, w)
				}
				sum += w
				n++
			}
			if src[:3] == "avg" {
				want = sum / float64(n)
			}
			if math.Abs(got-want) > 1e-9 {
				t.Fatalf("%s at point %d (t=%v) = %v, want %v", src, i, tm, got, want)
			}
		}
	}
}

// Replay over stored history gives what live pushes gave, after a reset.
func TestReplay(t *testing.T) {
	in := []pt{{0, 0}, {1, 10}, {2, 25}, {3, 5}, {4, 15}, {4, 99}, {6, 35}}
	live := run(t, "rate | max 3s", in)
	p, err := Parse("rate | max 3s")
	if err != nil {
		t.Fatal(err)
	}
	p.Push(sec(100), 1) // state that Replay must forget
	hist := func(yield func(int64, float64) bool) {
		for _, x := range in {
			if !yield(sec(x.t), x.v) {
				return
			}
		}
	}
	var replayed []pt
	p.Replay(hist, func(ts int64, v float64) bool {
		replayed = append(replayed, pt{float64(ts) / 1e9, v})
		return true
	})
	if !slices.Equal(live, replayed) {
		t.Errorf("replay = %v, live = %v", replayed, live)
	}
	if st := p.Stats(); st.OutOfOrder != 1 || st.In != 6 {
		t.Errorf("replay Stats = %+v, want 1 out of order and 6 in", st)
	}
	n := 0
	p.Replay(hist, func(int64, float64) bool { n++; return n < 2 })
	if n != 2 {
		t.Errorf("emit returned false but Replay went on: %d calls", n)
	}
}

func TestWindowBounded(t *testing.T) {
	// Rising values keep every point in a moving min's deque, the worst
	// case for its memory.
	p, err := Parse("avg 1h | min 1h")
	if err != nil {
		t.Fatal(err)
	}
	n := MaxWindowPoints + 10
	for i := range n {
		p.Push(int64(i)*int64(time.Microsecond), float64(i))
	}
	st := p.Stats()
	if st.Truncated != 20 {
		t.Errorf("Truncated = %d, want 20 (10 per window)", st.Truncated)
	}
	if st.Out != uint64(n) {
		t.Errorf("Out = %d, want %d", st.Out, n)
	}
}

func TestPushTime(t *testing.T) {
	p, _ := Parse("derivative")
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	p.PushTime(t0, 1)
	if v, ok, _ := p.PushTime(t0.Add(500*time.Millisecond), 2); !ok || v != 2 {
		t.Errorf("derivative = %v, %v; want 2", v, ok)
	}
}
