package series

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

// A recording is adopted whole: more points than the store's capacity
// and older than its MaxAge, all kept and indexed like appended points.
// Clearing and appending them again (a replay) keeps them all too.
func TestAdoptKeepsARecordingWhole(t *testing.T) {
	s := newStore(t, Options{Capacity: 100, MaxAge: time.Second})
	const n = 10_000 // 100× the capacity, 10,000 s: 10,000× the MaxAge
	ts, vs := make([]int64, n), make([]float64, n)
	for i := range ts {
		ts[i] = int64(i) * int64(time.Second)
		vs[i] = math.Sin(float64(i) / 37)
	}
	wantT, wantV := slices.Clone(ts), slices.Clone(vs)
	sr, err := adopt(s, "rec", ts, vs)
	if err != nil {
		t.Fatal(err)
	}
	if got := sr.Len(); got != n {
		t.Fatalf("adopted %d points, want %d", got, n)
	}
	if b := sr.BytesPerPoint(); b > 16.6 {
		t.Errorf("%.2f bytes a point, want the columns and the index alone (16.5)", b)
	}
	gotT, gotV := collect(sr, math.MinInt64, math.MaxInt64)
	if !slices.Equal(gotT, wantT) || !slices.Equal(gotV, wantV) {
		t.Fatal("the adopted points differ from the ones given")
	}
	// The index answers as for the same points appended one by one.
	ref := newStore(t, Options{Capacity: n})
	for i := range wantT {
		if err := ref.Append("rec", time.Unix(0, wantT[i]), wantV[i]); err != nil {
			t.Fatal(err)
		}
	}
	from, to := wantT[123], wantT[9000]
	if a, b := sr.Stats(from, to), ref.Lookup("rec").Stats(from, to); a != b {
		t.Errorf("stats %+v, appended %+v", a, b)
	}
	var ra, rb Reduced
	sr.Reduce(from, to, 300, &ra)
	ref.Lookup("rec").Reduce(from, to, 300, &rb)
	if !slices.Equal(ra.T, rb.T) || !slices.Equal(ra.V, rb.V) {
		t.Error("M4 of the adopted series differs from the appended one")
	}
	// A replay clears it and appends the points again: none is dropped.
	sr.Clear()
	for i := range wantT {
		if err := sr.AppendNanos(wantT[i], wantV[i]); err != nil {
			t.Fatal(err)
		}
	}
	if got := sr.Len(); got != n {
		t.Fatalf("after clearing and appending again: %d points, want %d", got, n)
	}
	// A live series of the same store is still cut to its capacity.
	for i := range 1000 {
		_ = s.Append("live", time.Unix(0, int64(i)), 1)
	}
	if got := s.Lookup("live").Len(); got > 128 {
		t.Errorf("a live series kept %d points, beyond its capacity", got)
	}
}

func adopt(s *Store, name string, t []int64, v []float64) (*Series, error) {
	l, err := NewLoaded(t, v)
	if err != nil {
		return nil, err
	}
	return s.Adopt(name, l)
}

// Adopt refuses what Append would, a taken name and points adopted
// already, creating nothing.
func TestAdoptRefusesBadPoints(t *testing.T) {
	s := newStore(t, Options{})
	if _, err := adopt(s, "a", []int64{1, 3, 2}, []float64{1, 2, 3}); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("out of order: %v", err)
	}
	if _, err := adopt(s, "a", []int64{1, 2}, []float64{1, math.NaN()}); !errors.Is(err, ErrNotFinite) {
		t.Errorf("NaN: %v", err)
	}
	if _, err := adopt(s, "a", []int64{1, 2}, []float64{1}); err == nil {
		t.Error("lengths differ: accepted")
	}
	if _, err := adopt(s, "", []int64{1}, []float64{1}); !errors.Is(err, ErrEmptyName) {
		t.Errorf("empty name: %v", err)
	}
	if s.Len() != 0 {
		t.Fatalf("refused adoptions made series %v", s.Names())
	}
	l, err := NewLoaded([]int64{1}, []float64{1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Adopt("a", l); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Adopt("b", l); err == nil {
		t.Error("the same points were adopted twice")
	}
	if _, err := adopt(s, "a", []int64{2}, []float64{2}); err == nil {
		t.Error("a taken name was adopted again")
	}
	if got := s.Lookup("a").Len(); got != 1 {
		t.Errorf("the first series has %d points", got)
	}
}

// BenchmarkAdopt measures preparing a loaded recording for a store
// (NewLoaded, on the load's goroutine) and taking it in (Adopt, on the
// window's main goroutine), beside appending the same points one by one,
// the baseline.
func BenchmarkAdopt(b *testing.B) {
	const n = 1 << 22
	ts, vs := make([]int64, n), make([]float64, n)
	for i := range ts {
		ts[i] = int64(i) * 1e6
		vs[i] = math.Sin(float64(i) / 100)
	}
	b.Run("adopt", func(b *testing.B) {
		var inAdopt time.Duration
		b.StopTimer()
		for range b.N {
			s, _ := New(Options{})
			t, v := slices.Clone(ts), slices.Clone(vs) // Adopt takes them
			b.StartTimer()
			l, err := NewLoaded(t, v)
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if _, err := s.Adopt("rec", l); err != nil {
				b.Fatal(err)
			}
			inAdopt += time.Since(start)
			b.StopTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/point")
		b.ReportMetric(float64(inAdopt.Nanoseconds())/float64(b.N), "ns/adopt")
	})
	b.Run("append-baseline", func(b *testing.B) {
		for range b.N {
			s, _ := New(Options{Capacity: n})
			sr, _ := s.Series("rec")
			for i := range ts {
				_ = sr.AppendNanos(ts[i], vs[i])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/point")
	})
}
