package charts_test

import (
	"fmt"
	"time"

	"feedscope/charts"
	"feedscope/charts/series"
)

// Two panels of a dashboard, one per feed, on one time axis: a zoom set on
// one shows in both, and follow mode ends both at the newest sample of
// either feed.
func ExampleGroup() {
	plc, _ := series.New(series.Options{})
	node, _ := series.New(series.Options{})
	t0 := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	for i := range 120 {
		plc.Append("temp", t0.Add(time.Duration(i)*time.Second), 20)
		node.Append("load1", t0.Add(time.Duration(i)*time.Second/2), 0.5) // a minute, stopped early
	}
	temps, load := charts.New(plc), charts.New(node)
	g := charts.NewGroup()
	g.Add(temps)
	g.Add(load)

	_, to, _ := load.TimeRange()
	fmt.Println("follow edge:", to.UTC().Format(time.TimeOnly))

	temps.SetTimeRange(t0.Add(10*time.Second), t0.Add(40*time.Second))
	from, to, _ := load.TimeRange()
	fmt.Println("zoomed:", from.UTC().Format(time.TimeOnly), "to", to.UTC().Format(time.TimeOnly), "following:", load.Following())

	load.Live()
	fmt.Println("live again:", temps.Following())
	// Output:
	// follow edge: 09:01:59
	// zoomed: 09:00:10 to 09:00:40 following: false
	// live again: true
}
