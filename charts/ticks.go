package charts

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// niceStep returns the 1-2-5 step nearest above span/maxTicks.
func niceStep(span float64, maxTicks int) float64 {
	if span <= 0 || maxTicks < 1 {
		return 1
	}
	raw := span / float64(maxTicks)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// valueTicks returns 1-2-5 tick values inside [lo, hi] and their step.
func valueTicks(lo, hi float64, maxTicks int, dst []float64) ([]float64, float64) {
	dst = dst[:0]
	if !(hi > lo) {
		return append(dst, lo), 1
	}
	step := niceStep(hi-lo, maxTicks)
	first := math.Ceil(lo/step) * step
	for i := 0; i < 64; i++ {
		v := first + float64(i)*step
		if v > hi+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0 // no "-0"
		}
		dst = append(dst, v)
	}
	return dst, step
}

var siPrefixes = []struct {
	exp    int
	suffix string
}{{12, "T"}, {9, "G"}, {6, "M"}, {3, "k"}}

// formatValue writes v with SI suffixes for big numbers (1.2k, 3.4M) and
// enough decimals to tell ticks step apart (step 0 means "a readout": four
// significant digits).
func formatValue(v, step float64) string {
	av := math.Abs(v)
	scale, suffix := 1.0, ""
	ref := math.Max(av, math.Abs(step))
	for _, p := range siPrefixes {
		if ref >= math.Pow(10, float64(p.exp)) {
			scale, suffix = math.Pow(10, float64(p.exp)), p.suffix
			break
		}
	}
	x := v / scale
	var decimals int
	if step > 0 {
		s := step / scale
		decimals = max(0, -int(math.Floor(math.Log10(s)+1e-9)))
	} else {
		if x == 0 {
			return "0"
		}
		decimals = max(0, 3-int(math.Floor(math.Log10(math.Abs(x)))))
	}
	decimals = min(decimals, 9)
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	if step <= 0 && strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s + suffix
}

// timeSteps are the tick intervals a reader expects on a clock.
var timeSteps = []time.Duration{
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond,
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour,
	91 * 24 * time.Hour, 365 * 24 * time.Hour,
}

// timeTicks returns tick times (Unix ns) in [from, to] at a clock-friendly
// step, aligned in loc, and the step.
func timeTicks(from, to int64, maxTicks int, loc *time.Location, dst []int64) ([]int64, time.Duration) {
	dst = dst[:0]
	if to <= from || maxTicks < 1 {
		return dst, time.Second
	}
	span := time.Duration(to - from)
	step := timeSteps[len(timeSteps)-1]
	for _, s := range timeSteps {
		if span/s <= time.Duration(maxTicks) {
			step = s
			break
		}
	}
	// Align to the step in local wall time: shift by the zone offset so
	// that hourly ticks fall on the hour wherever the viewer is.
	_, off := time.Unix(0, from).In(loc).Zone()
	offNs := int64(off) * int64(time.Second)
	st := int64(step)
	first := (from + offNs + st - 1) / st * st
	if from+offNs < 0 && (from+offNs)%st != 0 {
		first = (from + offNs) / st * st
	}
	for t := first - offNs; t <= to && len(dst) < 64; t += st {
		if t >= from {
			dst = append(dst, t)
		}
	}
	return dst, step
}

// formatTime labels a tick: clock time for short spans, dates for long ones.
// A tick at midnight of a short span shows the date instead, so the reader
// sees where the day changes.
func formatTime(t int64, step time.Duration, loc *time.Location) string {
	tm := time.Unix(0, t).In(loc)
	switch {
	case step < time.Second:
		return tm.Format("15:04:05.000")
	case step < time.Minute:
		return tm.Format("15:04:05")
	case step < 24*time.Hour:
		if tm.Hour() == 0 && tm.Minute() == 0 {
			return tm.Format("Jan 2")
		}
		return tm.Format("15:04")
	case step < 365*24*time.Hour:
		return tm.Format("Jan 2")
	default:
		return tm.Format("2006")
	}
}

// formatReadout is the crosshair's full time.
func formatReadout(t int64, span time.Duration, loc *time.Location) string {
	tm := time.Unix(0, t).In(loc)
	if span < 10*time.Second {
		return tm.Format("2006-01-02 15:04:05.000")
	}
	return tm.Format("2006-01-02 15:04:05")
}
