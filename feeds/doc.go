// Package feeds connects to a server and delivers what it sends: HTTP
// polling, long polling, WebSocket, Server-Sent Events, MQTT and the replay
// of a recording file behind one Config and one Run, with one reconnect
// supervisor for all of them, and a Decoder that turns payloads into
// numeric samples.
//
// # Concurrency
//
// Run blocks until its context ends or the feed stops for good; it calls
// its Handler from one goroutine at a time, in order. A Decoder is not safe
// for concurrent use: give each feed its own. No goroutine started by this
// package outlives the Run that started it.
//
// The package imports nothing from Fyne.
package feeds
