// Package soak holds Feedscope's fault-injection tests: a real toxiproxy
// between a feed and the hub that `feedscope serve` runs, resetting,
// stalling, slowing and cutting the connection while every message is
// checked by sequence number. `go test ./feeds/soak/` runs a bounded
// cycle of every fault; `go test ./feeds/soak/ -soak=10m` repeats the
// cycle for up to ten minutes per transport, raising go test's default
// timeout to fit. It has no code of its own.
package soak
