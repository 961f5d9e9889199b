package series

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newStore(t testing.TB, o Options) *Store {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func collect(sr *Series, from, to int64) (ts []int64, vs []float64) {
	for t, v := range sr.Points(from, to) {
		ts = append(ts, t)
		vs = append(vs, v)
	}
	return ts, vs
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{{Capacity: -1}, {Capacity: MaxCapacity + 1}, {MaxAge: -1}, {Silence: -1}, {MaxSeries: -1}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestAppendRejectsBadPoints(t *testing.T) {
	s := newStore(t, Options{})
	if err := s.Append("", time.Unix(1, 0), 1); !errors.Is(err, ErrEmptyName) {
		t.Errorf("empty name: %v", err)
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if err := s.Append("a", time.Unix(1, 0), v); !errors.Is(err, ErrNotFinite) {
			t.Errorf("%v: %v", v, err)
		}
	}
	if err := s.Append("a", time.Unix(10, 0), 1); err != nil {
		t.Fatal(err)
	}
	// A sender restarting with its clock behind.
	if err := s.Append("a", time.Unix(5, 0), 2); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("older point: %v", err)
	}
	if err := s.Append("a", time.Unix(10, 0), 3); err != nil {
		t.Errorf("equal time must be accepted: %v", err)
	}
	sr := s.Lookup("a")
	ts, vs := collect(sr, math.MinInt64, math.MaxInt64)
	if !slices.Equal(ts, []int64{10e9, 10e9}) || !slices.Equal(vs, []float64{1, 3}) || sr.Dropped() != 1 {
		t.Errorf("got %v %v dropped %d", ts, vs, sr.Dropped())
	}
}

func TestTooManySeries(t *testing.T) {
	s := newStore(t, Options{MaxSeries: 2})
	for _, n := range []string{"a", "b"} {
		if err := s.Append(n, time.Unix(1, 0), 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Append("c", time.Unix(1, 0), 1); !errors.Is(err, ErrTooManySeries) {
		t.Errorf("third series: %v", err)
	}
	if got := s.Names(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("names %v", got)
	}
}

func TestRingKeepsNewestAndIndexStaysExact(t *testing.T) {
	const capacity = 1000 // rounded up to 1024 slots
	s := newStore(t, Options{Capacity: capacity})
	sr, _ := s.Series("x")
	r := rand.New(rand.NewPCG(1, 2))
	var all []float64
	for i := range 5000 {
		v := r.NormFloat64()
		all = append(all, v)
		if err := sr.AppendNanos(int64(i), v); err != nil {
			t.Fatal(err)
		}
	}
	n := sr.Len()
	if n != 1024 {
		t.Fatalf("len %d", n)
	}
	ts, vs := collect(sr, math.MinInt64, math.MaxInt64)
	if ts[0] != int64(5000-n) || ts[len(ts)-1] != 4999 || !slices.Equal(vs, all[5000-n:]) {
		t.Fatalf("ring content wrong: first %d last %d", ts[0], ts[len(ts)-1])
	}
	// Stats over random windows match a plain scan.
	for range 200 {
		a := int64(r.IntN(5200)) - 100
		b := a + int64(r.IntN(1500))
		st := sr.Stats(a, b)
		var want Stats
		sum := 0.0
		for i, t0 := range ts {
			if t0 < a || t0 > b {
				continue
			}
			v := vs[i]
			if want.Count == 0 || v < want.Min {
				want.Min = v
			}
			if want.Count == 0 || v > want.Max {
				want.Max = v
			}
			want.Count++
			want.Last = v
			sum += v
		}
		if st.Count != want.Count || (want.Count > 0 && (st.Min != want.Min || st.Max != want.Max || st.Last != want.Last ||
			math.Abs(st.Mean-sum/float64(want.Count)) > 1e-9)) {
			t.Fatalf("stats [%d,%d]: got %+v want %+v", a, b, st, want)
		}
	}
}

func TestMaxAge(t *testing.T) {
	s := newStore(t, Options{MaxAge: 10 * time.Second})
	for i := range 100 {
		s.Append("x", time.Unix(int64(i), 0), float64(i))
	}
	o, n, _ := s.Span()
	if o != 89e9 || n != 99e9 {
		t.Errorf("span %d..%d, want 89s..99s", o/1e9, n/1e9)
	}
}

func TestPointsResumesAcrossChunksWithEqualTimes(t *testing.T) {
	s := newStore(t, Options{})
	sr, _ := s.Series("x")
	for i := range 3*chunk + 7 {
		sr.AppendNanos(int64(i/3), float64(i)) // three points per timestamp
	}
	_, vs := collect(sr, 0, math.MaxInt64)
	if len(vs) != 3*chunk+7 {
		t.Fatalf("got %d points", len(vs))
	}
	for i, v := range vs {
		if v != float64(i) {
			t.Fatalf("point %d = %v", i, v)
		}
	}
	n := 0
	for range s.Points("x", time.Unix(0, 10), time.Unix(0, 19)) {
		n++
	}
	if n != 30 {
		t.Errorf("window got %d points, want 30", n)
	}
	for range s.Points("nope", time.Unix(0, 0), time.Unix(0, 10)) {
		t.Fatal("missing series yielded a point")
	}
}

func TestBreaksSplitLines(t *testing.T) {
	s := newStore(t, Options{Silence: 5 * time.Second})
	sr, _ := s.Series("x")
	add := func(sec int64) {
		if err := sr.Append(time.Unix(sec, 0), float64(sec)); err != nil {
			t.Fatal(err)
		}
	}
	add(0)
	add(1)
	add(2)
	s.MarkBreak() // disconnect
	add(3)
	add(4)
	add(20) // silence of 16 s
	add(21)
	var r Reduced
	sr.Reduce(0, 21e9, 1000, &r)
	want := []int{0, 3, 5}
	if !slices.Equal(r.Starts, want) || len(r.T) != 7 {
		t.Errorf("starts %v (len %d), want %v", r.Starts, len(r.T), want)
	}
	// A window starting right at a break does not reach back across it.
	sr.Reduce(3e9, 4e9, 100, &r)
	if r.T[0] != 3e9 {
		t.Errorf("window after a break begins with %v", r.T)
	}
	// A window inside a line reaches one point past each edge.
	sr.Reduce(1e9+1, 1e9+2, 100, &r)
	if !slices.Equal(r.T, []int64{1e9, 2e9}) || r.InView != 0 {
		t.Errorf("edges: %v inview %d", r.T, r.InView)
	}
}

func TestClearKeepsNames(t *testing.T) {
	s := newStore(t, Options{})
	s.Append("a", time.Unix(5, 0), 1)
	v := s.Version()
	s.Clear()
	if s.Version() == v || s.Lookup("a").Len() != 0 || s.Len() != 1 {
		t.Fatal("clear")
	}
	if err := s.Append("a", time.Unix(1, 0), 1); err != nil {
		t.Errorf("after clear, older times are fine: %v", err)
	}
}

// TestReduceMatchesBruteForce checks the M4 property at the value level:
// per column, the reduced points have the same first, last, min and max as
// all points of that column, on random data with breaks and a wrapped ring.
func TestReduceMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 30 {
		s := newStore(t, Options{Capacity: 20000})
		sr, _ := s.Series("x")
		tm := int64(0)
		v := 0.0
		for range 30000 + r.IntN(20000) {
			tm += int64(r.IntN(50))
			v += r.NormFloat64()
			if r.IntN(3000) == 0 {
				sr.MarkBreak()
			}
			sr.AppendNanos(tm, v)
		}
		ts, vs := collect(sr, math.MinInt64, math.MaxInt64)
		from := ts[0] + int64(r.IntN(int(tm-ts[0])/2))
		to := from + 1 + int64(r.IntN(int(tm-from)))
		cols := 1 + r.IntN(2000)
		if trial%2 == 0 {
			cols = 1 + r.IntN(20) // dense columns: the block-index path
		}
		var red Reduced
		sr.Reduce(from, to, cols, &red)
		type agg struct {
			n                     int
			first, last, min, max float64
		}
		// Column c holds [from + c·span/cols, from + (c+1)·span/cols).
		col := func(t int64) int {
			c := 0
			for c+1 < cols && t >= from+int64(float64(c+1)*float64(to-from)/float64(cols)) {
				c++
			}
			return c
		}
		want := map[int]*agg{}
		got := map[int]*agg{}
		add := func(m map[int]*agg, t int64, v float64) {
			if t < from || t > to {
				return
			}
			a := m[col(t)]
			if a == nil {
				m[col(t)] = &agg{1, v, v, v, v}
				return
			}
			a.n++
			a.last = v
			a.min = min(a.min, v)
			a.max = max(a.max, v)
		}
		for i := range ts {
			add(want, ts[i], vs[i])
		}
		for i := range red.T {
			add(got, red.T[i], red.V[i])
		}
		if len(got) != len(want) {
			t.Fatalf("trial %d: %d columns, want %d", trial, len(got), len(want))
		}
		for c, w := range want {
			g := got[c]
			if g.first != w.first || g.last != w.last || g.min != w.min || g.max != w.max || g.n > 4*(1+len(red.Starts)) {
				t.Fatalf("trial %d col %d: got %+v want %+v", trial, c, g, w)
			}
		}
	}
}

func TestConcurrentAppendAndRead(t *testing.T) {
	s := newStore(t, Options{Capacity: 5000})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			name := string(rune('a' + g))
			for i := range 20000 {
				s.Append(name, time.Unix(0, int64(i)), float64(i%97))
				if i%5000 == 0 {
					s.MarkBreak()
				}
			}
		})
	}
	var red Reduced
	for range 200 {
		for _, sr := range s.List() {
			sr.Reduce(0, 20000, 300, &red)
			sr.Stats(0, 20000)
			for range sr.Points(0, 100) {
			}
		}
	}
	wg.Wait()
	for _, sr := range s.List() {
		if sr.Len() != 5056 { // 5000 rounded up to whole blocks
			t.Errorf("%s: %d points", sr.Name(), sr.Len())
		}
	}
}

// BenchmarkAppend appends to a full ring (steady state): ns and allocs
// per point, and bytes held per point.
func BenchmarkAppend(b *testing.B) {
	s := newStore(b, Options{Capacity: 1 << 20})
	sr, _ := s.Series("x")
	i := int64(0)
	for ; i < 1<<20; i++ {
		sr.AppendNanos(i, float64(i&1023))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sr.AppendNanos(i, float64(i&1023))
		i++
	}
	b.ReportMetric(sr.BytesPerPoint(), "B/point")
}

// BenchmarkAppendByName is Append through the store's name lookup, as a
// feed without a kept *Series does it.
func BenchmarkAppendByName(b *testing.B) {
	s := newStore(b, Options{Capacity: 1 << 16})
	t0 := time.Unix(0, 0)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		s.Append("cpu.user", t0.Add(time.Duration(i)), 1)
		i++
	}
}

func TestValueAtRespectsGaps(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	sec := func(i int) time.Time { return time.Unix(1000+int64(i), 0) }
	ns := func(i int) int64 { return sec(i).UnixNano() }
	for i := range 10 {
		if i == 5 {
			s.MarkBreak() // the line stops after 4 and starts again at 8
		}
		if i >= 5 && i < 8 {
			continue
		}
		s.Append("x", sec(i), float64(i))
	}
	sr := s.Lookup("x")
	slack := int64(100 * time.Millisecond)
	cases := []struct {
		at     int64
		want   float64
		wantOK bool
	}{
		{ns(2) + int64(400*time.Millisecond), 2, true}, // on the line, nearer 2
		{ns(2) + int64(600*time.Millisecond), 3, true}, // on the line, nearer 3
		{ns(4) + int64(50*time.Millisecond), 4, true},  // just past the line's end, within slack
		{ns(6), 0, false}, // in the gap
		{ns(4) + int64(500*time.Millisecond), 0, false}, // past the end, beyond slack
		{ns(0) - int64(time.Second), 0, false},          // before the first point
		{ns(9) + int64(50*time.Millisecond), 9, true},   // just after the last, within slack
		{ns(9) + int64(time.Second), 0, false},          // well after the last
	}
	for _, c := range cases {
		_, v, ok := sr.ValueAt(c.at, slack)
		if ok != c.wantOK || (ok && v != c.want) {
			t.Errorf("ValueAt(%v) = %v, %v; want %v, %v", time.Unix(0, c.at).Sub(sec(0)), v, ok, c.want, c.wantOK)
		}
	}
}

func TestRenameKeepsPointsAndColour(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(100, 0)
	for _, n := range []string{"a", "b"} {
		if err := s.Append(n, t0, 1); err != nil {
			t.Fatal(err)
		}
	}
	v := s.Version()
	if err := s.Rename("a", "feed/a"); err != nil {
		t.Fatal(err)
	}
	if s.Version() == v {
		t.Error("Rename did not change the version: a chart would not redraw")
	}
	sr := s.Lookup("feed/a")
	if sr == nil || s.Lookup("a") != nil || sr.Name() != "feed/a" || sr.Index() != 0 || sr.Len() != 1 {
		t.Fatalf("after Rename: %v %v", s.Names(), sr)
	}
	if err := s.Append("feed/a", t0.Add(time.Second), 2); err != nil || sr.Len() != 2 {
		t.Fatalf("appending under the new name: %v, %d points", err, sr.Len())
	}
	if err := s.Rename("b", "feed/a"); err == nil {
		t.Error("Rename onto a taken name succeeded")
	}
	if err := s.Rename("nope", "x"); !errors.Is(err, ErrNoSeries) {
		t.Errorf("Rename of a missing series: %v", err)
	}
}

func TestRemoveKeepsOthersColours(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "c"} {
		if err := s.Append(n, time.Unix(1, 0), 1); err != nil {
			t.Fatal(err)
		}
	}
	if !s.Remove("b") || s.Remove("b") {
		t.Fatal("Remove did not report what it removed")
	}
	if got := s.Names(); !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("names after Remove: %v", got)
	}
	if err := s.Append("d", time.Unix(1, 0), 1); err != nil {
		t.Fatal(err)
	}
	// Colours are by Index: a new series must not take c's.
	idx := map[int]string{}
	for _, sr := range s.List() {
		if o, dup := idx[sr.Index()]; dup {
			t.Fatalf("%s and %s share colour index %d", o, sr.Name(), sr.Index())
		}
		idx[sr.Index()] = sr.Name()
	}
}
