package compute

import (
	"testing"
	"time"
)

// BenchmarkPipeline feeds a 10 Hz counter through typical pipelines; the
// figure that matters is samples/s on one core.
func BenchmarkPipeline(b *testing.B) {
	for _, src := range []string{"rate | avg 1m", "rate | max 1m", "rate | avg 1m | scale 8e-6"} {
		b.Run(src, func(b *testing.B) {
			p, err := Parse(src)
			if err != nil {
				b.Fatal(err)
			}
			const step = int64(100 * time.Millisecond)
			v := 0.0
			b.ReportAllocs()
			start := time.Now()
			for i := range b.N {
				v += float64(i & 1023)
				if _, _, err := p.Push(int64(i)*step, v); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "samples/s")
		})
	}
}
