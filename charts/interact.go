package charts

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

var (
	_ fyne.Tappable     = (*Chart)(nil)
	_ fyne.Scrollable   = (*Chart)(nil)
	_ fyne.Draggable    = (*Chart)(nil)
	_ desktop.Hoverable = (*Chart)(nil)
)

// zoomPerStep is the span factor for one wheel notch (Fyne reports a notch
// as 10 units of scroll).
const zoomPerStep = 0.85

// SetOnLegendToggle sets what a tap on a legend entry does: f is called
// with the series and the visibility the tap asks for, and the chart
// leaves the switching to f (a dashboard keeps the choice in its file).
// nil (the default) switches the series on the chart.
func (c *Chart) SetOnLegendToggle(f func(name string, visible bool)) { c.onLegendToggle = f }

// Tapped toggles the series whose legend entry was tapped, and focuses the
// chart for its keyboard controls.
func (c *Chart) Tapped(ev *fyne.PointEvent) {
	if app := fyne.CurrentApp(); app != nil {
		if cv := app.Driver().CanvasForObject(c); cv != nil {
			cv.Focus(c)
		}
	}
	p := ev.Position
	for _, h := range c.legendHits {
		if p.X >= h.pos.X && p.X <= h.pos.X+h.size.Width && p.Y >= h.pos.Y && p.Y <= h.pos.Y+h.size.Height {
			if c.onLegendToggle != nil {
				c.onLegendToggle(h.name, !c.SeriesVisible(h.name))
				return
			}
			c.SetSeriesVisible(h.name, !c.SeriesVisible(h.name))
			return
		}
	}
}

// Scrolled zooms the time axis around the pointer: up zooms in. It leaves
// follow mode; the Live control returns to it.
func (c *Chart) Scrolled(ev *fyne.ScrollEvent) {
	dy := ev.Scrolled.DY
	if dy == 0 || c.plotSize.Width <= 0 {
		return
	}
	factor := math.Pow(zoomPerStep, float64(dy)/10)
	factor = math.Min(math.Max(factor, 0.25), 4)
	frac := float64(ev.Position.X-c.plot.X) / float64(c.plotSize.Width)
	c.zoomAround(math.Min(math.Max(frac, 0), 1), factor)
}

// Dragged pans the time axis with the pointer, also while data streams in.
func (c *Chart) Dragged(ev *fyne.DragEvent) {
	if c.plotSize.Width <= 0 || ev.Dragged.DX == 0 || !c.leaveFollow() {
		return
	}
	shift := int64(float64(ev.Dragged.DX) / float64(c.plotSize.Width) * float64(c.view.to-c.view.from))
	c.view.from -= shift
	c.view.to -= shift
	c.hoverPos = ev.Position
	if c.group != nil {
		c.group.pointerMoved(c)
	}
	c.viewChanged()
}

// DragEnd is part of fyne.Draggable.
func (c *Chart) DragEnd() {}

// MouseIn shows the crosshair.
func (c *Chart) MouseIn(ev *desktop.MouseEvent) {
	c.hovering, c.hoverPos = true, ev.Position
	c.hoverChanged()
}

// MouseMoved moves the crosshair.
func (c *Chart) MouseMoved(ev *desktop.MouseEvent) {
	c.hovering, c.hoverPos = true, ev.Position
	c.hoverChanged()
}

// MouseOut hides the crosshair.
func (c *Chart) MouseOut() {
	c.hovering = false
	c.hoverChanged()
}

// hoverChanged moves only the crosshair and tooltip: a pointer move must
// not cost a frame's reductions.
func (c *Chart) hoverChanged() {
	if c.group != nil {
		c.group.hoverMoved(c)
		return
	}
	if c.renderer == nil {
		return
	}
	c.renderer.layoutHover()
	c.renderer.refreshHover()
}
