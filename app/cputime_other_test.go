//go:build !linux

package app

import "time"

// CPU time is only measured on Linux.
func processCPU() (time.Duration, bool) { return 0, false }

func threadCPU() (time.Duration, bool) { return 0, false }
