// Package dashboard is the model of a Feedscope dashboard: the feeds a
// window watches, the panels that chart their series, and the file that
// keeps them. It loads, checks and saves dashboard files, names and
// matches series, and turns a dashboard feed into a feeds.Config. It has
// no user interface and imports no Fyne: the window renders a dashboard,
// it does not define one.
//
// One file per concern: dashboard.go the types, their checks and series
// names; feeds.go adding, removing and renaming feeds; settings.go a
// feed's settings (shared with the window's Settings dialog and record's
// flags); load.go reading a file strictly;
// positions.go finding the line of a key; save.go writing a file and
// spotting literal secrets; match.go series patterns; recent.go the
// recent-files list.
//
// # The file
//
// A dashboard file is TOML. A complete example:
//
//	title = "Line 3"
//	window = "5m"     # visible time span; "all" = everything stored (default "1m")
//	columns = 2       # width of the panel grid, 1 to 4 (default 2 with several panels, else 1)
//
//	[[feed]]
//	name = "plc"                      # required; unique; no '/', '*' or '?'
//	url = "ws://10.0.0.7:8765/"       # required
//	transport = "ws"                  # auto (default), poll, longpoll, ws, sse or mqtt
//	heartbeat = "15s"                 # WebSocket ping interval (default 15s)
//	ping_text = "ping"                # optional text heartbeat on an idle WebSocket
//	pong_text = "pong"                # its answer, never charted
//	headers = { Authorization = "Bearer ${PLC_TOKEN}" }
//	read_limit = 1048576              # largest message in bytes (default 1 MiB)
//	history = "1h"                    # how far back points are kept (default 1h)
//	time = "payload"                  # payload (default) or arrival
//	insecure_skip_verify = false      # skip TLS certificate checks (unsafe)
//
//	[[feed]]
//	name = "node"
//	url = "http://10.0.0.5:9100/metrics"
//	interval = "5s"                   # time between polls (default 1s)
//
//	[[panel]]
//	title = "Temperatures"
//	series = ["plc/temp.*"]
//	unit = "°C"
//	y = { min = 0, max = 120 }        # fixed Y axis; left out, it follows the data
//	hidden = ["plc/temp.debug"]       # matched above, but switched off
//	thresholds = [                    # horizontal lines; an alarm watches every series of the panel
//	  { value = 90, colour = "red", label = "hot", alarm = true, for = "30s", hysteresis = 2 },
//	  { value = 5, colour = "blue", label = "cold", dir = "below", shade = true },
//	]
//	no_data = "1m"                    # alarm when no series of the panel had a sample for 1m
//
//	[[panel]]
//	title = "Load"
//	series = [
//	  "node/node_load1",
//	  { match = "node/node_load5", name = "load (5 min)" },
//	  { match = "node/node_network_receive_bytes_total{device=\"eth0\"}", name = "eth0 rx", unit = "Mbit/s", fn = "rate | avg 30s | scale 8e-6" },
//	]
//
// Durations are written in quotes as Go writes them ("500ms", "5s",
// "1m30s"), within the limits the Settings dialog enforces (see the Min*
// and Max* constants). A header's value may be an array of strings to send
// the header several times. Feeds and panels may also be written as
// inline arrays (feed = [{ name = "a", url = "..." }]).
//
// fn makes the entry's series derived: a pipeline of app/compute such as
// "rate | avg 30s | scale 8e-6", checked with compute.Parse when the file
// loads and kept as written. A derived series is named after the entry's
// name when it has one.
//
// A panel's thresholds are compute.Threshold values: a line at value, in
// colour (a name or #rrggbb; default red), with a label, the area beyond
// it (dir: above, the default, or below) shaded when shade is set. With
// alarm = true it is an alarm on every series the panel shows: it fires
// once a value has stayed beyond the line for "for" (at once without it),
// and clears only when a value is back past value ∓ hysteresis. for and
// hysteresis without alarm are errors, not silently ignored. no_data is
// an alarm that fires when none of the panel's series has had a sample
// for that long.
//
// ${NAME} in a header value is replaced by the environment variable NAME
// when the feed starts (feeds.Run does it); the dashboard, its Config and
// its file keep ${NAME} as written, never expanded. Only the braced form counts, so a literal '$'
// stays as it is. Header values written literally are listed by
// LiteralSecrets, so a window can warn before saving them.
//
// Loading is strict: an unknown key, a value of the wrong type, a bad
// duration, transport, fn, colour or threshold, a duplicate feed name, a feed name holding '/',
// a series pattern that names no feed, columns out of range — each is an
// *Error that names the file, the line and the key, and the dashboard is
// not returned. Marshal writes keys in the order above, leaves out
// settings at their defaults and headers sorted by name, and what it
// writes loads back to the same Dashboard.
//
// # Series names and patterns
//
// A series is named after its feed once a dashboard has more than one
// feed, feed/series (node/node_load1); a one-feed dashboard keeps the bare
// names (node_load1) the single-URL window has always shown. Patterns
// match those names whole: '*' matches any run of characters including
// '/', '?' one character, and every other character itself — there are no
// escapes, so Prometheus names with braces, quotes, commas and equals
// signs are written as they are (see Pattern). With several feeds, a
// pattern must be able to match a series of one of them ("plc/*", "*/up",
// "*"); "temp" or "plcc/temp" is an error rather than a panel that stays
// empty.
//
// # Concurrency
//
// A Dashboard is a plain value: read it from any number of goroutines,
// change it from one. A compiled Pattern or Matcher is safe for concurrent
// use.
package dashboard
