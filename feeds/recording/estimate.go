package recording

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
)

// sampleBytes is how much of a file (after decompression) Estimate reads.
const sampleBytes = 1 << 20

// MemoryEstimate predicts what loading a file takes.
type MemoryEstimate struct {
	FileBytes int64 // size on disk
	Gzip      bool
	Format    Format
	Points    int64 // points expected (Every applied; a time range is not)
	// Bytes is the memory the loaded points take: 16 bytes a point.
	Bytes int64
	// PeakBytes is the most the load itself needs on the way: the points
	// are collected in blocks and copied into exact-size columns at the
	// end, so twice Bytes, plus the read buffers.
	PeakBytes int64
}

// Estimate predicts the points and memory loading the file at path with
// opts will take, from its size and the lines in its first megabyte, so a
// window can warn before a load that would not fit. For a .gz the
// compression ratio of that first part is taken to hold for all of it.
func Estimate(path string, opts Options) (MemoryEstimate, error) {
	f, err := os.Open(path)
	if err != nil {
		return MemoryEstimate{}, fmt.Errorf("recording: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return MemoryEstimate{}, fmt.Errorf("recording: %w", err)
	}
	est := MemoryEstimate{FileBytes: st.Size()}
	raw := &countingReader{r: f}
	br := bufio.NewReaderSize(raw, 64<<10)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return est, fmt.Errorf("recording: %s: gzip: %w", path, err)
		}
		src, est.Gzip = zr, true
	}
	sample := opts
	sample.Progress, sample.From, sample.To, sample.Every = nil, timeZero, timeZero, 0
	res, err := LoadReader(context.Background(), io.LimitReader(src, sampleBytes), 0, sample)
	if err != nil {
		return est, fmt.Errorf("recording: %s: %w", path, err)
	}
	est.Format = res.Format
	if res.Bytes == 0 || res.Points == 0 {
		return est, nil
	}
	// Bytes of the file that the sample stood for: all of them when the
	// file was read to the end, else in proportion.
	consumed := raw.n - int64(br.Buffered())
	total := float64(res.Bytes)
	if res.Bytes >= sampleBytes && consumed > 0 {
		total = float64(res.Bytes) * float64(est.FileBytes) / float64(consumed)
	}
	points := float64(res.Points) * total / float64(res.Bytes)
	if opts.Every > 1 {
		points /= float64(opts.Every)
	}
	est.Points = int64(points)
	est.Bytes = est.Points * 16
	est.PeakBytes = 2*est.Bytes + int64(DefaultMaxLineBytes) + 1<<20
	return est, nil
}
