// Package hub serves one stream of messages to many clients over three
// transports at once: Server-Sent Events (GET /sse), WebSocket (GET /ws) and
// HTTP polling (GET /poll). It is the server side of Feedscope, run by
// `feedscope serve` and, in-process, by the app's first-launch demo
// (StartDemo).
//
// A Hub keeps a bounded log of the most recent events. Every event gets the
// next id of one increasing sequence; SSE clients resume after the last id
// they have (Last-Event-ID) and pollers ask for the events after an id
// (?since=ID). A poll that says Prefer: wait=N is a long poll: it is held
// until there is something new, and its If-None-Match names the last id it
// has, so it gets the one after. Messages come from a source: the built-in signal generator
// (RunGenerator), a Redis pub/sub channel carrying flask-sse messages
// (RunRedis), or lines of text (RunLines, used for standard input).
//
// # Concurrency
//
// Publish, Handler, Stats and Close are safe for concurrent use. Publish
// never waits for a client: it appends to the log and wakes the clients,
// and each streaming client has its own goroutine that copies what it has
// not sent yet out of the log. A client that falls further behind than its
// queue bound (Options.ClientQueue) is disconnected with a logged reason, so
// one slow client never slows the others and memory stays bounded by the
// log size. Close ends every open stream and makes new requests fail;
// Serve, RunGenerator, RunRedis and RunLines block until their context ends
// and return only after every goroutine they started has ended. The one
// exception is a read from an io.Reader that cannot be interrupted (a
// terminal on standard input): Command abandons it at exit.
//
// The package imports nothing from Fyne.
package hub
