package recording

import (
	"bytes"
	"context"
	"slices"
	"testing"
)

func loadBytes(t testing.TB, data []byte, opts Options) *Result {
	t.Helper()
	res, err := LoadReader(context.Background(), bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return res
}

// pointsOf flattens a result back into points, series by series.
func pointsOf(res *Result) map[string][]point {
	m := map[string][]point{}
	for _, s := range res.Series {
		for i := range s.T {
			m[s.Name] = append(m[s.Name], point{s.Name, s.T[i], s.V[i]})
		}
	}
	return m
}

func bySeries(pts []point) map[string][]point {
	m := map[string][]point{}
	for _, p := range pts {
		m[p.series] = append(m[p.series], p)
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	pts := genPoints(500, 3)
	// Names and values record meets: Prometheus labels with commas and
	// quotes, unicode, JSON-escaped characters, extreme and tiny values.
	odd := []point{
		{`http_requests_total{code="200",path="/a,b"}`, genStart, 1234567},
		{"température °C", genStart + 1, -0.000123456789012345678},
		{"a<b>&c", genStart + 2, 1e300},
		{"tab\there", genStart + 3, -1.7976931348623157e308},
		{"line\nbreak", genStart + 4, 5e-324},
		{" leading space", genStart + 5, 0.1},
		{`back\slash`, genStart + 6, 123456789.123456789},
		{"host0.cpu", genStart + 7, 42}, // an existing series again
	}
	pts = append(pts, odd...)
	for _, format := range []string{"csv", "jsonl"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeRecording(&buf, format, pts); err != nil {
				t.Fatal(err)
			}
			res := loadBytes(t, buf.Bytes(), Options{})
			want := FormatLong
			if format == "jsonl" {
				want = FormatJSONL
			}
			if res.Format != want || res.BadLines != 0 {
				t.Fatalf("format %v, %d bad lines %v; want %v and none", res.Format, res.BadLines, res.Bad, want)
			}
			got, exp := pointsOf(res), bySeries(pts)
			if len(got) != len(exp) {
				t.Fatalf("%d series, want %d", len(got), len(exp))
			}
			for name, ps := range exp {
				if !slices.Equal(got[name], ps) {
					t.Errorf("series %q: got %v, want %v", name, got[name], ps)
				}
			}
			if res.Points != int64(len(pts)) {
				t.Errorf("Points = %d, want %d", res.Points, len(pts))
			}
		})
	}
}

// Series large enough to be sized from the share of the file read (size
// known), grown in blocks (size unknown), or both (a series that thins
// out after the estimate), all come back exactly.
func TestRoundTripLarge(t *testing.T) {
	pts := genPoints(80_000, 3)
	// A fourth series, dense at first and then rare: its estimate is far
	// too large, so it is copied out at its real length.
	for i := range 200_000 {
		if i < 80_000 || i%1000 == 0 {
			pts = append(pts, point{"bursty", genStart + int64(i)*10_000_000 + 1, float64(i)})
		}
	}
	slices.SortStableFunc(pts, func(a, b point) int { return int(a.t - b.t) })
	var buf bytes.Buffer
	if err := writeRecording(&buf, "csv", pts); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int64{int64(buf.Len()), 0} {
		res := loadBytes(t, buf.Bytes(), Options{})
		if size == 0 {
			var err error
			if res, err = LoadReader(context.Background(), bytes.NewReader(buf.Bytes()), 0, Options{}); err != nil {
				t.Fatal(err)
			}
		}
		got, exp := pointsOf(res), bySeries(pts)
		for name, ps := range exp {
			if !slices.Equal(got[name], ps) {
				t.Errorf("size %d: series %q: %d points, want %d", size, name, len(got[name]), len(ps))
			}
		}
	}
}

func TestOutOfOrderAndSort(t *testing.T) {
	in := "time,series,value\n" +
		"2024-01-01T00:00:02Z,a,1\n" +
		"2024-01-01T00:00:01Z,a,2\n" +
		"2024-01-01T00:00:03Z,a,3\n" +
		"2024-01-01T00:00:01Z,a,4\n" +
		"2024-01-01T00:00:05Z,b,5\n"
	res := loadBytes(t, []byte(in), Options{})
	a := res.Series[0]
	if a.OutOfOrder != 2 || res.Series[1].OutOfOrder != 0 {
		t.Fatalf("out of order %d and %d, want 2 and 0", a.OutOfOrder, res.Series[1].OutOfOrder)
	}
	if !slices.Equal(a.V, []float64{1, 2, 3, 4}) {
		t.Errorf("file order %v", a.V)
	}
	a.Sort()
	if !slices.Equal(a.V, []float64{2, 4, 1, 3}) || !slices.IsSorted(a.T) || a.OutOfOrder != 0 {
		t.Errorf("sorted %v at %v", a.V, a.T)
	}
}

// A block sized from the estimate is handed out as it is when nearly
// full, and copied to its real length when the estimate was far too big.
func TestFinishCopiesOnlyWithSlack(t *testing.T) {
	for _, tc := range []struct {
		points int
		copied bool
	}{{95_000, false}, {50_000, true}} {
		c := &column{name: "x"}
		c.growTo(100_000)
		for i := range tc.points {
			c.add(int64(i), float64(i))
		}
		block := &c.t[:1][0]
		s := c.finish()
		if len(s.T) != tc.points || len(s.V) != tc.points || s.T[tc.points-1] != int64(tc.points-1) {
			t.Fatalf("%d points: got %d", tc.points, len(s.T))
		}
		if copied := &s.T[0] != block; copied != tc.copied {
			t.Errorf("%d points in a block of 100000: copied %v, want %v", tc.points, copied, tc.copied)
		}
	}
}
