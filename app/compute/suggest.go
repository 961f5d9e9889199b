package compute

import (
	"iter"
	"strings"
)

// MinGrowthPoints is how many points a series needs before SuggestRate
// judges it by its values: two or three rising points say little.
const MinGrowthPoints = 5

// SuggestRate reports whether the series list should offer "rate" for a
// series first: its metric name ends in _total (Prometheus' convention for
// counters; labels in {…} and a "source/" prefix are ignored), or history
// (its stored points, oldest first, as series.Series.Points gives them) has
// at least MinGrowthPoints points, never decreases and ends higher than it
// starts. history may be nil; it is read only when the name does not decide.
func SuggestRate(name string, history iter.Seq2[int64, float64]) bool {
	metric := name
	if i := strings.IndexByte(metric, '{'); i >= 0 {
		metric = metric[:i]
	}
	if strings.HasSuffix(strings.TrimSpace(metric), "_total") {
		return true
	}
	if history == nil {
		return false
	}
	n := 0
	var first, last float64
	for _, v := range history {
		if n > 0 && v < last {
			return false
		}
		if n == 0 {
			first = v
		}
		last = v
		n++
	}
	return n >= MinGrowthPoints && last > first
}
