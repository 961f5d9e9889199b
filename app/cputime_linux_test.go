package app

import (
	"syscall"
	"time"
)

// processCPU and threadCPU return the CPU time the process, and the calling
// OS thread, have used: a benchmark reports them beside wall time, which
// on a shared machine includes waiting for a core.
func processCPU() (time.Duration, bool) { return rusage(syscall.RUSAGE_SELF) }

func threadCPU() (time.Duration, bool) { return rusage(syscall.RUSAGE_THREAD) }

func rusage(who int) (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
