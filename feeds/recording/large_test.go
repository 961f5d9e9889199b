package recording

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestLargeFile generates a long CSV as record writes it and loads it
// whole: every line comes back as a point and the loaded recording keeps
// to 20 bytes a point. Its size is a knob (16 MB by default, so that make
// test stays quick); the README's 1 GB figures come from
//
//	go test -c -o rec.test ./feeds/recording
//	RECORDING_SIZE=1e9 RECORDING_FILE=1g.csv /usr/bin/time -v ./rec.test -test.run TestLargeFile -test.v
//
// RECORDING_FILE keeps the file (and reuses it when it exists), so the
// second run times the load alone.
func TestLargeFile(t *testing.T) {
	size := 16e6
	if s := os.Getenv("RECORDING_SIZE"); s != "" {
		var err error
		if size, err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatalf("RECORDING_SIZE: %v", err)
		}
	}
	path := os.Getenv("RECORDING_FILE")
	if path == "" {
		path = filepath.Join(t.TempDir(), "large.csv")
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		f, err := os.Create(path)
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
	rows := countRows(t, path)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	res, err := Load(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	if res.Points != rows || res.BadLines != 0 || res.ReadErr != nil {
		t.Errorf("loaded %s; want %d points and nothing bad", res.Summary(), rows)
	}
	perPoint := float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc)) / float64(res.Points)
	if perPoint > 20 {
		t.Errorf("%.1f bytes a point after loading, want at most 20", perPoint)
	}
	t.Logf("%s: %.0f MB in %v (%.0f MB/s, %.1fM points/s), %.1f B/point after loading; %s",
		filepath.Base(path), float64(res.Bytes)/1e6, took.Round(time.Millisecond), float64(res.Bytes)/took.Seconds()/1e6,
		float64(res.Points)/took.Seconds()/1e6, perPoint, res.Summary())
	runtime.KeepAlive(res)
}

// countRows counts the data lines of a long CSV: every line but the header.
func countRows(t *testing.T, path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err != nil {
			break
		}
	}
	return n - 1
}
