// Package recording reads recorded samples back: Feedscope's own long CSV
// (time,series,value) and JSON Lines, as `feedscope record` and Export CSV
// write them, and the wide CSV of spreadsheets and data loggers (a time
// column and one column per series), any of them gzip-compressed.
//
// Load returns each series as two exact-size columns, int64 Unix
// nanoseconds and float64 values (16 bytes a point), the layout of
// charts/series. It reads in one pass from a fixed buffer, so the memory it
// takes beyond the points does not depend on the file; Estimate predicts
// the memory a file will need before it is loaded.
//
// Nothing in a file stops a load: a bad line is skipped, counted and, for
// the first MaxReported, reported with its line number and why. Only a file
// that cannot be read at all, or a cancelled context, returns an error.
//
// # Times
//
// Text times are YYYY-MM-DD or YYYY/MM/DD, optionally followed by T or a
// space, hh:mm[:ss[.fraction]] and a zone (Z, ±hh:mm, ±hhmm, ±hh): RFC 3339,
// ISO 8601, "2006-01-02 15:04:05.000", a date alone and
// "2015/01/01 01:00:00". Times without a zone are UTC unless
// Options.Location says otherwise. Numbers are epoch nanoseconds,
// microseconds, milliseconds or seconds told apart by the magnitude of the
// first time in the file, or, below 1e8, seconds from the start
// (Options.Start). A file keeps the kind of its first time: a later time
// written another way is a bad line.
//
// # Concurrency
//
// A load runs on the caller's goroutine and starts no other; Progress is
// called from it. Loads of different files may run at once. The package
// imports nothing from Fyne and nothing from feeds.
package recording
