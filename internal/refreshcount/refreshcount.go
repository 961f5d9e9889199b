// Package refreshcount counts what a Fyne app asks to repaint, for tests
// that hold a window to its frame budget: every canvas.Refresh (and so every
// widget refresh that reaches an object) and every repaint request (Show,
// Hide, Move of a canvas object) goes through the driver's
// CanvasForObject, which Install wraps.
//
// # Concurrency
//
// Install, Reset and the readers run on the test's goroutine, which is the
// Fyne main goroutine of the test driver.
package refreshcount

import (
	"fyne.io/fyne/v2"
)

// Counter counts refreshes per object and repaint requests.
type Counter struct {
	refreshed map[fyne.CanvasObject]int
	dirtied   int
}

// Install makes a the current app with a driver whose canvases count, and
// returns the counter. Restore the previous app with the returned func
// (test.NewTempApp's cleanup also replaces it).
func Install(a fyne.App) (*Counter, func()) {
	c := &Counter{refreshed: map[fyne.CanvasObject]int{}}
	prev := fyne.CurrentApp()
	fyne.SetCurrentApp(&app{App: a, d: &driver{Driver: a.Driver(), c: c}})
	return c, func() { fyne.SetCurrentApp(prev) }
}

// Reset forgets what was counted.
func (c *Counter) Reset() {
	clear(c.refreshed)
	c.dirtied = 0
}

// Refreshes is how often o was refreshed.
func (c *Counter) Refreshes(o fyne.CanvasObject) int { return c.refreshed[o] }

// Total is the number of refreshes of any object.
func (c *Counter) Total() int {
	n := 0
	for _, k := range c.refreshed {
		n += k
	}
	return n
}

// Objects lists every refreshed object with its count.
func (c *Counter) Objects() map[fyne.CanvasObject]int { return c.refreshed }

// Dirtied is the number of repaint requests that were not refreshes.
func (c *Counter) Dirtied() int { return c.dirtied }

// Nothing reports whether nothing asked for a repaint.
func (c *Counter) Nothing() bool { return len(c.refreshed) == 0 && c.dirtied == 0 }

type app struct {
	fyne.App
	d *driver
}

func (a *app) Driver() fyne.Driver { return a.d }

type driver struct {
	fyne.Driver
	c *Counter
}

func (d *driver) CanvasForObject(o fyne.CanvasObject) fyne.Canvas {
	cv := d.Driver.CanvasForObject(o)
	if cv == nil {
		return nil
	}
	return &countingCanvas{Canvas: cv, c: d.c}
}

type countingCanvas struct {
	fyne.Canvas
	c *Counter
}

func (cv *countingCanvas) Refresh(o fyne.CanvasObject) {
	cv.c.refreshed[o]++
	cv.Canvas.Refresh(o)
}

// SetDirty is what canvas objects' Show, Hide and Move call to repaint.
func (cv *countingCanvas) SetDirty() {
	cv.c.dirtied++
	if d, ok := cv.Canvas.(interface{ SetDirty() }); ok {
		d.SetDirty()
	}
}
