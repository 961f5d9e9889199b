package app

import (
	"testing"

	"go.uber.org/goleak"
)

// Every feed, ticker and demo hub the window starts must end when it is
// closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// Fyne's test driver keeps one animation runner for the process.
		goleak.IgnoreAnyFunction("fyne.io/fyne/v2/internal/animation.(*Runner).runAnimations"),
		// The test driver's process-wide queue, made when fyne/test loads.
		goleak.IgnoreAnyFunction("fyne.io/fyne/v2/internal/async.(*UnboundedChan[...]).processing"),
	)
}
