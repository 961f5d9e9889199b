package app

import (
	"testing"
	"time"

	"feedscope/app/compute"
	"feedscope/app/dashboard"
)

// The window's cost of a derived series per sample, beside storing the
// raw sample alone: `go test -run '^$' -bench LiveDerive ./app`.
func BenchmarkLiveDerive(b *testing.B) {
	panel := dashboard.Panel{Series: []dashboard.SeriesRef{{Match: "bytes_total", Fn: "rate | avg 1m"}},
		Thresholds: []compute.Threshold{{Value: 1e12, Alarm: true}}}
	for _, derive := range []bool{false, true} {
		name := "store only"
		if derive {
			name = "store + rate | avg 1m + alarm"
		}
		b.Run(name, func(b *testing.B) {
			store := newStore(time.Hour)
			l, err := newLiveEngine([]dashboard.Panel{panel})
			if err != nil {
				b.Fatal(err)
			}
			sr, err := store.Series("bytes_total")
			if err != nil {
				b.Fatal(err)
			}
			arrival := time.Now()
			t0 := arrival.UnixNano()
			b.ResetTimer()
			for i := range b.N {
				t := t0 + int64(i)*int64(time.Millisecond)
				v := float64(i) * 1500
				if sr.AppendNanos(t, v) != nil {
					b.Fatal("refused")
				}
				if derive {
					l.sample(store, arrival, "bytes_total", t, v)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Msamples/s")
			if out := store.Lookup("bytes_total | rate | avg 1m"); derive && b.N > 1 && (out == nil || out.Len() < sr.Len()-1) {
				b.Fatal("not every sample derived")
			}
		})
	}
}
