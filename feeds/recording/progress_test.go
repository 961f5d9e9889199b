package recording

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func longCSV(t testing.TB, size int64) []byte {
	var buf bytes.Buffer
	if err := writeLong(&buf, size, 4); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestProgress(t *testing.T) {
	data := longCSV(t, 8<<20)
	path := writeTemp(t, "rec.csv", data)
	var calls [][2]int64
	res, err := Load(context.Background(), path, Options{
		ProgressEvery: time.Nanosecond,
		Progress:      func(read, total int64) { calls = append(calls, [2]int64{read, total}) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 3 {
		t.Fatalf("%d progress calls for 8 MB", len(calls))
	}
	for i, c := range calls {
		if c[1] != int64(len(data)) || c[0] > c[1] || (i > 0 && c[0] < calls[i-1][0]) {
			t.Fatalf("call %d: %d of %d (previous %v)", i, c[0], c[1], calls[max(i-1, 0)])
		}
	}
	if last := calls[len(calls)-1]; last[0] != last[1] {
		t.Errorf("last call %d of %d, want all", last[0], last[1])
	}
	if res.Points == 0 {
		t.Error("nothing loaded")
	}

	// The default interval keeps calls to a few a second.
	calls = nil
	start := time.Now()
	if _, err := Load(context.Background(), path, Options{Progress: func(read, total int64) { calls = append(calls, [2]int64{read, total}) }}); err != nil {
		t.Fatal(err)
	}
	if limit := int(time.Since(start)/DefaultProgressEvery) + 2; len(calls) > limit {
		t.Errorf("%d progress calls in %v", len(calls), time.Since(start))
	}
}

func TestCancel(t *testing.T) {
	data := longCSV(t, 8<<20)
	for _, gz := range []bool{false, true} {
		if gz {
			var z bytes.Buffer
			zw := gzip.NewWriter(&z)
			zw.Write(data)
			zw.Close()
			data = z.Bytes()
		}
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		res, err := LoadReader(ctx, bytes.NewReader(data), int64(len(data)), Options{
			ProgressEvery: time.Nanosecond,
			Progress: func(read, total int64) {
				if calls++; calls == 2 {
					cancel()
				}
			},
		})
		if !errors.Is(err, context.Canceled) || res != nil {
			t.Errorf("gzip %v: cancelled load returned %v, %v; want nothing and context.Canceled", gz, res, err)
		}
		if calls != 2 {
			t.Errorf("gzip %v: %d progress calls after cancel", gz, calls)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := Load(ctx, writeTemp(t, "x.csv", data), Options{}); res != nil || !errors.Is(err, context.Canceled) {
		t.Errorf("load with a cancelled context: %v, %v", res, err)
	}
}

func TestEstimate(t *testing.T) {
	data := longCSV(t, 6<<20)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(data)
	zw.Close()
	var wide bytes.Buffer
	if err := writeWide(&wide, 50_000, 10); err != nil {
		t.Fatal(err)
	}
	small := []byte("time,series,value\n2024-01-01T00:00:00Z,cpu,1\n")
	for _, tc := range []struct {
		name  string
		data  []byte
		every int
	}{
		{"long.csv", data, 0},
		{"long.csv.gz", z.Bytes(), 0},
		{"long-every-3.csv", data, 3},
		{"wide.csv", wide.Bytes(), 0},
		{"small.csv", small, 0},
	} {
		path := writeTemp(t, tc.name, tc.data)
		opts := Options{Every: tc.every}
		est, err := Estimate(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Load(context.Background(), path, opts)
		if err != nil {
			t.Fatal(err)
		}
		if dev := math.Abs(float64(est.Points-res.Points)) / float64(res.Points); dev > 0.1 {
			t.Errorf("%s: estimated %d points, loaded %d", tc.name, est.Points, res.Points)
		}
		if est.Bytes != est.Points*16 || est.PeakBytes < 2*est.Bytes || est.Format != res.Format || est.Gzip != res.Gzip {
			t.Errorf("%s: estimate %+v", tc.name, est)
		}
	}
	if _, err := Estimate(filepath.Join(t.TempDir(), "missing"), Options{}); err == nil {
		t.Error("estimate of a missing file: no error")
	}
}

// Compression is told by the bytes, not the name.
func TestGzipByContent(t *testing.T) {
	plain := []byte("time,series,value\n2024-01-01T00:00:00Z,cpu,1\n")
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(plain)
	zw.Close()
	for name, data := range map[string][]byte{"plain.csv.gz": plain, "packed.csv": z.Bytes(), "packed.csv.gz": z.Bytes()} {
		res, err := Load(context.Background(), writeTemp(t, name, data), Options{})
		if err != nil || res.Points != 1 || res.Gzip != (len(data) != len(plain)) {
			t.Errorf("%s: %v, %v", name, res, err)
		}
	}
}
