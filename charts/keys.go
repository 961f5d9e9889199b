package charts

import (
	"math"

	"fyne.io/fyne/v2"
)

var _ fyne.Focusable = (*Chart)(nil)

// panStep is the share of the span one arrow key press pans.
const panStep = 0.1

// FocusGained is part of fyne.Focusable: tapping the chart focuses it so
// the keyboard controls work.
func (c *Chart) FocusGained() {}

// FocusLost is part of fyne.Focusable.
func (c *Chart) FocusLost() {}

// TypedRune handles + and - (zoom) and l (Live). Space arrives here and as
// a key; only TypedKey acts on it, so it toggles once.
func (c *Chart) TypedRune(r rune) {
	switch r {
	case '+', '=':
		c.zoomAround(0.5, zoomPerStep)
	case '-', '_':
		c.zoomAround(0.5, 1/zoomPerStep)
	case 'l', 'L':
		c.Live()
	}
}

// TypedKey handles the arrows (←/→ pan, ↑/↓ zoom), space (pause/resume),
// End and Escape (Live).
func (c *Chart) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyLeft:
		c.pan(-panStep)
	case fyne.KeyRight:
		c.pan(panStep)
	case fyne.KeyUp:
		c.zoomAround(0.5, zoomPerStep)
	case fyne.KeyDown:
		c.zoomAround(0.5, 1/zoomPerStep)
	case fyne.KeyEnd, fyne.KeyEscape:
		c.Live()
	case fyne.KeySpace:
		c.SetPaused(!c.view.paused)
	}
}

// pan moves the view by frac of its span (positive: later).
func (c *Chart) pan(frac float64) {
	if !c.leaveFollow() {
		return
	}
	shift := int64(frac * float64(c.view.to-c.view.from))
	c.view.from += shift
	c.view.to += shift
	c.viewChanged()
}

// zoomAround scales the span by factor keeping the time at frac (0 = left
// edge, 1 = right edge) where it is. It leaves follow mode.
func (c *Chart) zoomAround(frac, factor float64) {
	if !c.leaveFollow() {
		return
	}
	v := c.view
	span := float64(v.to - v.from)
	anchor := float64(v.from) + frac*span
	ns := math.Min(math.Max(span*factor, float64(minSpan)), float64(maxSpan))
	v.from = int64(anchor - frac*ns)
	v.to = v.from + int64(ns)
	c.viewChanged()
}
