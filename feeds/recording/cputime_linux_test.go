package recording

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used. The benchmarks run
// with one P (-cpu 1) and report speeds per CPU second beside wall-clock
// ones, because on a shared machine wall time includes waiting for a core.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
