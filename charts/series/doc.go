// Package series stores numeric time series for live charts: one columnar
// ring buffer per series (int64 Unix nanoseconds and float64 values, 16 bytes
// a point), a min/max index per block of points, gaps, and the M4 reduction
// that turns any number of points in view into at most four per pixel column.
//
// The package imports nothing from Fyne, so a feed can fill a Store without a
// window, and an exporter can read one without a chart.
//
// # Ordering and gaps
//
// Within a series, times never decrease: a point older than the newest one is
// rejected with ErrOutOfOrder and counted (Series.Dropped), so a sender that
// restarts with its clock behind cannot corrupt the store or make a chart
// draw backwards. NaN and ±Inf are rejected with ErrNotFinite. A break (from
// MarkBreak, or a silence longer than Options.Silence) means the next point
// starts a new line: no line is drawn across it.
//
// # Concurrency
//
// All methods of Store and Series are safe for concurrent use. Appends to one
// series take that series' mutex for a few nanoseconds and never wait for
// anything else; the only reader that can delay them is Reduce (or Stats,
// Points), which holds the series' read lock while it reduces — well under
// a millisecond per series with the block index, even for millions of
// points — and never while drawing or calling back into user code.
// Store.Version changes after every change, so a UI can poll it from a frame
// clock instead of being called per sample.
package series
