package recording

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestLargeFile generates and loads a large long CSV on request, to
// measure time and peak memory outside the benchmarks' in-memory data:
//
//	go test -c -o rec.test ./feeds/recording
//	RECORDING_GENERATE=1g.csv RECORDING_SIZE=1e9 ./rec.test -test.run TestLargeFile -test.v
//	RECORDING_LOAD=1g.csv /usr/bin/time -v ./rec.test -test.run TestLargeFile -test.v
func TestLargeFile(t *testing.T) {
	gen, load := os.Getenv("RECORDING_GENERATE"), os.Getenv("RECORDING_LOAD")
	if gen == "" && load == "" {
		t.Skip("set RECORDING_GENERATE=file (RECORDING_SIZE=bytes, default 1e9) or RECORDING_LOAD=file")
	}
	if gen != "" {
		size := 1e9
		if s := os.Getenv("RECORDING_SIZE"); s != "" {
			var err error
			if size, err = strconv.ParseFloat(s, 64); err != nil {
				t.Fatal(err)
			}
		}
		f, err := os.Create(gen)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeLong(f, int64(size), 8); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if load != "" {
		start := time.Now()
		res, err := Load(context.Background(), load, Options{})
		if err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		t.Logf("%s in %v (%.0f MB/s, %.1fM points/s); heap after load %.1f B/point; %s",
			load, took.Round(time.Millisecond), float64(res.Bytes)/took.Seconds()/1e6,
			float64(res.Points)/took.Seconds()/1e6, float64(ms.HeapAlloc)/float64(res.Points), res.Summary())
		runtime.KeepAlive(res)
	}
}
