// Package app is Feedscope's user interface and its headless commands: the
// window (URL field, Transport menu, chart, series list, status bar,
// message log, settings), and `feedscope record` and `feedscope snapshot`,
// which watch a feed, or every feed of a dashboard file, without a window.
//
// One file per concern: window.go builds the window and runs its feed,
// menus.go the menus and shortcuts, settings.go the feed settings and their
// limits, settingsdialog.go the Settings dialog, prefs.go what is kept in
// Preferences, status.go the status bar, messagelog.go the log pane,
// serieslist.go the series list, theme.go the light/dark choice,
// describe.go errors in plain words, bridge.go the one place where feed
// goroutines hand their news to the UI, record.go and snapshot.go the
// commands, recorddash.go and snapshotdash.go the same for a dashboard file
// (its feeds, derived series and alarms), derived.go the window's derived
// series, alarms.go its alarms (panel colours, the status bar's count and
// its list), seriesmenu.go the series list's menu (Show as rate…), and
// measure.go the repaint counter of `make measure-window` builds (the
// measure tag; measure_off.go otherwise). The dashboard file itself is
// package app/dashboard, derived series and alarms package app/compute,
// and which panel derives and watches what package app/engine, shared by
// the window and the commands: none imports Fyne.
//
// When the URL's path is /ws, /sse or /poll (the endpoints of `feedscope
// serve` and of the demo), choosing a transport also switches the path and
// scheme (/poll serves both polling and long polling), so every item of the
// Transport menu works against them; other URLs are kept as typed.
//
// # Concurrency
//
// Every feed runs feeds.Run on its own goroutine. Its handler never touches
// a widget: it decodes messages, appends samples to the chart's
// series.Store (safe from any goroutine), counts, and leaves status changes
// and log entries in a mutex-protected pending buffer (bridge.go); it also
// computes its samples' derived points and alarm states, under the one
// lock of the window's engine (derived.go), whose alarm transitions wait
// for the flush like the rest. One
// ticker goroutine per window takes that buffer about ten times a second and
// applies it in a single fyne.Do call, so the fyne.Do queue grows with
// time, never with the message rate. Everything else in the window runs on
// the Fyne main goroutine (callbacks of menus, buttons and dialogs).
// Disconnecting cancels the feed's context and returns at once, never
// waiting on the main goroutine for a server that does not answer a close:
// the next feed may start while the old one winds down, and the bridge's
// epoch drops whatever the old one still delivers, so only one feed ever
// reaches the store. Quit stops the feed, the ticker and the demo hub
// without waiting; Close, after the main loop, waits a bounded time for
// them.
package app
