//go:build !linux

// Package cputime reads the CPU time of the process and of the calling OS
// thread; it is only measured on Linux.
package cputime

import "time"

// Process reports false: CPU time is only measured on Linux.
func Process() (time.Duration, bool) { return 0, false }

// Thread reports false: CPU time is only measured on Linux.
func Thread() (time.Duration, bool) { return 0, false }
