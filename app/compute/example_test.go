package compute_test

import (
	"fmt"
	"math"
	"time"

	"feedscope/app/compute"
	"feedscope/charts/series"
)

// A byte counter becomes Mbit/s, averaged over the last two seconds; the
// counter's reset at 3 s is no negative spike.
func ExampleParse() {
	p, err := compute.Parse("rate | avg 2s | scale 8e-6")
	if err != nil {
		panic(err)
	}
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i, bytes := range []float64{0, 1e6, 3e6, 1e6, 2e6} {
		t := t0.Add(time.Duration(i) * time.Second)
		if v, ok, _ := p.PushTime(t, bytes); ok {
			fmt.Printf("%s %.1f Mbit/s\n", t.Format(time.TimeOnly), v)
		}
	}
	_, err = compute.Parse("rate | avg 30")
	fmt.Println(err)
	// Output:
	// 10:00:01 8.0 Mbit/s
	// 10:00:02 12.0 Mbit/s
	// 10:00:03 12.0 Mbit/s
	// 10:00:04 8.0 Mbit/s
	// compute: column 12: expected a duration such as 30s, 5m or 1h (units ms, s, m, h), found "30"
}

// A threshold alarm on load, as record --dashboard logs it.
func ExampleAlarm() {
	th := compute.Threshold{Value: 2, Label: "load>2", Alarm: true, For: 30 * time.Second, Hysteresis: 0.2}
	rule, err := th.Rule("load1")
	if err != nil {
		panic(err)
	}
	a, _ := compute.NewAlarm(rule)
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i, load := range []float64{1.5, 2.31, 2.5, 1.9, 2.2, 1.7} {
		for _, tr := range a.Sample(t0.Add(time.Duration(i)*10*time.Second), load) {
			fmt.Println(tr, tr.Notify())
		}
	}
	// Output:
	// 2026-12-04T10:00:10Z ALARM pending load>2 (load1=2.31 above 2) false
	// 2026-12-04T10:00:40Z ALARM firing load>2 (load1=2.2 for 30s) true
	// 2026-12-04T10:00:50Z ALARM ok load>2 (load1=1.7 back at or below 1.8) false
}

// A derived series lives in the same store as the raw one; when its
// definition changes it is cleared and recomputed from the raw points.
func ExamplePipeline_Replay() {
	store, err := series.New(series.Options{})
	if err != nil {
		panic(err)
	}
	raw, _ := store.Series("rx_bytes_total")
	derived, _ := store.Series("rx")
	p, _ := compute.Parse("rate")
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC).UnixNano()
	for i, v := range []float64{0, 100, 300, 600} {
		t := t0 + int64(i)*int64(time.Second)
		raw.AppendNanos(t, v)
		if out, ok, _ := p.Push(t, v); ok {
			derived.AppendNanos(t, out)
		}
	}
	fmt.Println(compute.SuggestRate(raw.Name(), nil), derived.Len())

	p, _ = compute.Parse("rate | max 10s")
	derived.Clear()
	p.Replay(raw.Points(math.MinInt64, math.MaxInt64), func(t int64, v float64) bool {
		derived.AppendNanos(t, v)
		return true
	})
	for _, v := range derived.Points(math.MinInt64, math.MaxInt64) {
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output:
	// true 3
	// 100 200 300
}
