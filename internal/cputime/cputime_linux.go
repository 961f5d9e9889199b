// Package cputime reads the CPU time of the process and of the calling OS
// thread, for benchmarks that report it beside wall time (on a shared
// machine, wall time includes waiting for a core).
package cputime

import (
	"syscall"
	"time"
)

// Process returns the CPU time (user + system) the process has used, and
// false where it cannot be read.
func Process() (time.Duration, bool) { return rusage(syscall.RUSAGE_SELF) }

// Thread returns the CPU time the calling OS thread has used; lock the
// goroutine to its thread (runtime.LockOSThread) around the measurement.
func Thread() (time.Duration, bool) { return rusage(syscall.RUSAGE_THREAD) }

func rusage(who int) (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
