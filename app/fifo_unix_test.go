//go:build unix

package app

import (
	"path/filepath"
	"syscall"
	"testing"
)

// makeFIFO makes a named pipe: a recording that arrives as slowly as the
// test writes it.
func makeFIFO(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "slow.csv")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
