package recording

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"runtime"
	"testing"
	"time"

	"feedscope/internal/cputime"
)

// BenchmarkLoad reports, for each format, MB/s and points/s of Load on
// the bytes of a generated recording beside a bare bufio line count of
// the same bytes in the same run (the speed limit of reading lines at
// all), their ratio, and the memory the loaded points take (B/point).
func BenchmarkLoad(b *testing.B) {
	var long, wide, jsonl, gz bytes.Buffer
	pts := genPoints(100_000, 4)
	if err := writeRecording(&long, "csv", pts); err != nil {
		b.Fatal(err)
	}
	if err := writeRecording(&jsonl, "jsonl", pts); err != nil {
		b.Fatal(err)
	}
	if err := writeWide(&wide, 40_000, 10); err != nil {
		b.Fatal(err)
	}
	zw := gzip.NewWriter(&gz)
	zw.Write(long.Bytes())
	zw.Close()
	for _, bc := range []struct {
		name string
		data []byte
		gz   bool
	}{
		{"long", long.Bytes(), false},
		{"wide", wide.Bytes(), false},
		{"jsonl", jsonl.Bytes(), false},
		{"gz", gz.Bytes(), true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			lineWall, lineCPU := lineCountSpeed(b, bc.data, bc.gz)
			var points int64
			b.SetBytes(int64(len(bc.data)))
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			cpu0, cpuOK := cputime.Process()
			for b.Loop() {
				res, err := LoadReader(context.Background(), bytes.NewReader(bc.data), int64(len(bc.data)), Options{})
				if err != nil || res.BadLines != 0 {
					b.Fatalf("load: %v, %d bad lines %v", err, res.BadLines, res.Bad)
				}
				points = res.Points
			}
			cpu1, _ := cputime.Process()
			wall := time.Since(start).Seconds()
			b.StopTimer()
			total := float64(len(bc.data)) * float64(b.N)
			b.ReportMetric(float64(points)*float64(b.N)/wall, "points/s")
			b.ReportMetric(lineWall, "linecount-MB/s")
			ratio := total / wall / 1e6 / lineWall
			if cpuOK {
				cpu := (cpu1 - cpu0).Seconds()
				b.ReportMetric(total/cpu/1e6, "cpu-MB/s")
				b.ReportMetric(float64(points)*float64(b.N)/cpu, "cpu-points/s")
				b.ReportMetric(lineCPU, "linecount-cpu-MB/s")
				ratio = total / cpu / 1e6 / lineCPU
			}
			b.ReportMetric(ratio, "x-linecount")
			b.ReportMetric(bytesPerPoint(b, bc.data), "B/point")
		})
	}
}

// lineCountSpeed returns the MB/s (of data, compressed for a .gz) of
// counting lines with a bufio.Scanner, per wall-clock second and per CPU
// second: the best of a few runs.
func lineCountSpeed(b *testing.B, data []byte, gz bool) (wall, cpu float64) {
	for range 5 {
		start := time.Now()
		cpu0, _ := cputime.Process()
		var r io.Reader = bytes.NewReader(data)
		if gz {
			zr, err := gzip.NewReader(r)
			if err != nil {
				b.Fatal(err)
			}
			r = zr
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		n := 0
		for sc.Scan() {
			n++
		}
		if n == 0 {
			b.Fatal("no lines")
		}
		cpu1, _ := cputime.Process()
		mb := float64(len(data)) / 1e6
		wall = max(wall, mb/time.Since(start).Seconds())
		if d := (cpu1 - cpu0).Seconds(); d > 0 {
			cpu = max(cpu, mb/d)
		}
	}
	return wall, cpu
}

// bytesPerPoint loads data once and returns the heap the result holds per
// point, after a collection.
func bytesPerPoint(b *testing.B, data []byte) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := LoadReader(context.Background(), bytes.NewReader(data), int64(len(data)), Options{})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	used := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	runtime.KeepAlive(res)
	return used / float64(res.Points)
}
