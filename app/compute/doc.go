// Package compute derives series from series and watches them for alarms,
// as pure functions and state machines over samples: nothing here imports
// Fyne or touches a store, so every rule is table-tested on its own and the
// window, the dashboard and the record command only wire it in.
//
// # Pipelines
//
// A derived series is a pipeline of functions applied left to right to the
// points of one series, written as text:
//
//	rate | avg 1m | scale 8e-6
//
// turns a byte counter into bytes per second, averages that over the last
// minute and scales it to Mbit/s. The functions are:
//
//	rate        per-second increase of a counter; a drop is a counter reset
//	delta       difference from the previous point, signed
//	derivative  per-second change from the previous point, signed
//	avg W       mean of the points in the last W (a duration: 500ms, 30s, 5m, 1h30m)
//	min W       smallest point in the last W
//	max W       largest point in the last W
//	scale X     multiply by the number X (8e-6, 0.001, 1024)
//	offset X    add the number X (-273.15)
//
// Names are case-insensitive; stages are separated by '|'. An empty text is
// the identity. Parse returns a *SyntaxError naming the column, what was
// expected there and what was found; Pipeline.String gives the canonical
// text, which Parse reads back unchanged.
//
// Each derived point has the time of the input point it was computed at, so
// a derived series is appended to a series.Store like any other (Push takes
// Unix nanoseconds as series.Series.AppendNanos does). rate, delta and
// derivative emit nothing for the first point. A pipeline refuses (and
// counts in Stats) a point whose time is not after the previous one — equal
// times too, since a rate over zero seconds has no value — and NaN or
// infinite values; a refused point changes no state. Each point costs O(1)
// amortised: windows keep a running sum, and moving min and max keep a
// monotonic deque. When a definition changes, Replay recomputes the derived
// series from the stored raw points.
//
// # Counter resets and gaps
//
// rate handles a counter reset as Prometheus' rate does: when a value is
// below the previous one, the counter is taken to have restarted from zero,
// so the increase is the new value itself and there is no negative spike.
// (Several resets within one interval, or a reset followed by growth past
// the old value, cannot be seen, as in Prometheus.)
//
// A gap is just a longer interval. rate and derivative across a gap are the
// mean rate of change over the whole gap (1000 bytes over 100 s of silence
// is 10 bytes/s, drawn at the first point after the gap), delta is the whole
// change across it. A moving window covers time, not points: W after a gap
// longer than W holds only the points after the gap, so an average never
// mixes values from before an outage with values far after it. Windows are
// (t-W, t], left-open as Prometheus' range selectors, and every point counts
// once in avg whatever the spacing (as avg_over_time). A window holds at
// most MaxWindowPoints points; past that the oldest leave early and
// Stats.Truncated counts them.
//
// SuggestRate tells the series list when to offer rate first: a metric
// name ending in _total, or a history that only ever grew.
//
// # Thresholds and alarms
//
// A Threshold is a line on a panel: a value, a colour (a name or #rrggbb),
// a label, and optionally the area beyond it shaded. It may be an alarm,
// whose Rule an Alarm state machine evaluates:
//
//   - above (or below): a value strictly beyond the line makes the alarm
//     pending, or firing at once when For is zero;
//   - for: a pending alarm fires once the value has stayed beyond (or
//     within the hysteresis band) for For, as a Prometheus alerting rule's
//     "for" clause; coming back sooner returns it to ok;
//   - hysteresis: an active alarm clears only when a value is back at
//     value − hysteresis or below (value + hysteresis or above, for
//     below), so input flapping around the line does not flap the alarm;
//   - no data: a NoDataAlarm fires when its series or feed has been
//     silent for longer than For, measured by clock ticks, and clears on
//     the next sample;
//   - acknowledge: a firing alarm moves to acknowledged, still active but
//     silent, until its condition clears and it returns to ok.
//
// States go ok → pending → firing → ok, with firing → acknowledged → ok.
// Alarm.Sample and Alarm.Tick return the transitions they cause (from, to,
// time, value, reason), so the window can log each one, count the active
// alarms and send a notification for each Transition.Notify — exactly once
// per firing. Transition.String is the one-line form record --dashboard
// writes to stderr:
//
//	2026-12-04T10:00:30Z ALARM firing load>2 (load1=2.31 for 30s)
//
// # Concurrency
//
// Pipelines and Alarms are not safe for concurrent use: the goroutine that
// appends a series' points owns its pipelines and alarms, and ticks them
// too. Parse, ParseColour and the value types are safe anywhere.
package compute
