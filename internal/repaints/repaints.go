// Package repaints counts how often Fyne's desktop driver repaints a
// window, to measure what a window costs. Only measurement builds link it:
// the app's `measure` build tag, and the bare window the app is measured
// against (internal/measurewindow).
//
// The driver repaints a window in a display frame when its canvas is
// dirty, that is when any object in it was refreshed, shown or hidden; the
// animations of the frame tick just before. Count adds an animation that
// reads the dirty flag, and sets it again, so the count is the number of
// frames painted. Objects refreshed by animations that start after Count
// (a text cursor blinking in a focused entry) are painted but may be
// missed; the windows measured have none.
//
// # Concurrency
//
// Count must be called on the Fyne main goroutine; the counter it returns
// may be read from any goroutine.
package repaints

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

// dirtyCanvas is what the desktop driver's canvas offers beyond
// fyne.Canvas (its common.Canvas methods).
type dirtyCanvas interface {
	CheckDirtyAndClear() bool
	SetDirty()
}

// Count starts counting the frames in which w is repainted. Call it after
// w's content is set, so that the content's own frame clocks (the chart's)
// tick before the count looks at the flag.
func Count(w fyne.Window) (*atomic.Int64, error) {
	dc, ok := w.Canvas().(dirtyCanvas)
	if !ok {
		return nil, errors.New("repaints: the window's canvas has no dirty flag (not the desktop driver)")
	}
	n := new(atomic.Int64)
	a := fyne.NewAnimation(time.Second, func(float32) {
		if dc.CheckDirtyAndClear() {
			n.Add(1)
			dc.SetDirty() // the frame is still to be painted
		}
	})
	a.RepeatCount = fyne.AnimationRepeatForever
	a.Curve = fyne.AnimationLinear
	a.Start()
	return n, nil
}

// WriteEvery writes n to the file at path every period until ctx ends, so
// that another process can read the count. Each write replaces the file
// whole (write then rename), so a reader never sees half a number.
func WriteEvery(ctx context.Context, n *atomic.Int64, path string, period time.Duration) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		if err := os.WriteFile(tmp, strconv.AppendInt(nil, n.Load(), 10), 0o644); err != nil {
			return fmt.Errorf("repaints: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("repaints: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Read reads a count WriteEvery wrote.
func Read(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("repaints: %w", err)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("repaints: %s: %w", path, err)
	}
	return n, nil
}
