package series_test

import (
	"fmt"
	"time"

	"feedscope/charts/series"
)

// A feed appends from its own goroutine; an exporter iterates afterwards.
func Example() {
	store, err := series.New(series.Options{Capacity: 100_000, Silence: 30 * time.Second})
	if err != nil {
		panic(err)
	}
	t0 := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	for i := range 5 {
		store.AppendBatch(t0.Add(time.Duration(i)*time.Second), []series.Sample{
			{Name: "cpu", Value: float64(10 + i)},
			{Name: "mem", Value: 512},
		})
	}
	store.MarkBreak() // the feed disconnected
	if err := store.Append("cpu", t0, 99); err != nil {
		fmt.Println("rejected:", err)
	}
	st, _ := store.Stats("cpu", t0, t0.Add(time.Minute))
	fmt.Printf("%v: last %v, min %v, max %v, mean %v\n", store.Names(), st.Last, st.Min, st.Max, st.Mean)
	for t, v := range store.Points("cpu", t0.Add(3*time.Second), t0.Add(time.Hour)) {
		fmt.Println(t.Format(time.TimeOnly), v)
	}
	// Output:
	// rejected: series: point older than the newest point of its series
	// [cpu mem]: last 14, min 10, max 14, mean 12
	// 09:00:03 13
	// 09:00:04 14
}
