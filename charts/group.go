package charts

import (
	"math"
	"slices"
	"time"

	"fyne.io/fyne/v2"

	"feedscope/charts/series"
)

// view is what a time axis shows. A chart has its own until it joins a
// Group; then it draws the group's.
type view struct {
	follow   bool
	window   time.Duration
	from, to int64 // the view when not following
	paused   bool
}

// Group gives charts one time axis and one crosshair, the way a dashboard's
// panels move together: zooming, panning, pausing or pressing Live in any
// member, or calling its SetWindow, SetTimeRange or SetPaused, does the same
// in all; hovering one member draws the crosshair at the same moment in
// every member, and the tooltip in the hovered one only.
//
// Members publish to the group and draw what it says; no chart knows the
// others. What stays each chart's own: its store, series visibility, Y
// range, time zone and size.
//
// In follow mode the group's right edge is the newest sample in any
// member's store — the data's clock, not the wall clock — so panels of
// different feeds line up on one axis, a feed that falls behind shows as a
// line ending short of the edge, and recorded data replays as it was
// stamped. With WindowAll the left edge is the oldest sample in any member.
//
// A view change is drawn by the group's next display frame: every member
// whose range or mode changed redraws in that one frame, once however many
// pointer events arrived, and members whose view did not change are not
// touched. A pointer move repaints only the crosshairs that moved.
//
// A Group belongs to the Fyne main goroutine, like its charts.
type Group struct {
	members []*Chart
	view    view
	pending bool // a member changed the view since the last group frame

	// The hover: the member under the pointer (nil: none) and the
	// pointer's place across its plot, 0 at the left edge to 1 at the
	// right. All members show the same range, so the same fraction is the
	// same moment in each.
	hovered   *Chart
	hoverFrac float64

	// The members' span, read once per group frame so that every member
	// follows the same newest sample even while feeds append.
	inFrame        bool
	oldest, newest int64
	spanOK         bool
	stores         []*series.Store // scratch for span
}

// NewGroup returns an empty group. The first chart to join gives the group
// its view; later ones take the group's.
func NewGroup() *Group {
	return &Group{view: view{follow: true, window: time.Minute}}
}

// Add makes c a member, leaving any group it was in. It takes the group's
// view (the first member gives its own) and redraws with the next frame.
func (g *Group) Add(c *Chart) {
	if c.group == g {
		return
	}
	if c.group != nil {
		c.group.Remove(c)
	}
	if len(g.members) == 0 {
		g.view = *c.view
	}
	c.group, c.view = g, &g.view
	g.members = append(g.members, c)
	g.changed()
}

// Remove takes c out of the group. It keeps the view it has (a copy), and
// from then on zooms, pans and hovers on its own.
func (g *Group) Remove(c *Chart) {
	i := slices.Index(g.members, c)
	if i < 0 {
		return
	}
	g.members = slices.Delete(g.members, i, i+1)
	own := g.view
	c.group, c.view = nil, &own
	if g.hovered == c {
		g.setHover(nil, 0)
	}
	if r := c.renderer; r != nil {
		// Its own newest sample is now its follow edge, and its own
		// pointer its crosshair.
		r.Refresh()
	}
}

// Members lists the charts in the group, in the order they joined.
func (g *Group) Members() []*Chart { return slices.Clone(g.members) }

// Group returns the group c is in, or nil.
func (c *Chart) Group() *Group { return c.group }

// HoverTime returns the moment the crosshair marks in every member, and
// false when the pointer is over none.
func (g *Group) HoverTime() (time.Time, bool) {
	if g.hovered == nil || g.hovered.renderer == nil {
		return time.Time{}, false
	}
	r := g.hovered.renderer
	return time.Unix(0, r.from+int64(math.Round(g.hoverFrac*float64(r.to-r.from)))), true
}

// viewChanged redraws after a change of the time view: at once for a chart
// of its own, and with the group's next frame for a member.
func (c *Chart) viewChanged() {
	if c.group != nil {
		c.group.changed()
		return
	}
	c.Refresh()
}

func (g *Group) changed() {
	g.pending = true
	if g.leader() == nil {
		// No member's frame clock runs (none shown yet, or no app):
		// draw what there is now.
		g.frame()
	}
}

// leader is the member whose frame clock drives the group's frame: the
// first with a running clock. The others' clocks leave the group alone, so
// the group's frame runs once per display frame however many members tick.
func (g *Group) leader() *chartRenderer {
	for _, m := range g.members {
		if r := m.renderer; r != nil && r.clock != nil {
			return r
		}
	}
	return nil
}

// tick is a member's frame clock.
func (g *Group) tick(r *chartRenderer) {
	if g.leader() == r {
		g.frame()
	}
}

// frame redraws each member whose view changed (a member's action, or the
// newest sample across the members moved the follow edge) or whose store
// has new data for an unpaused view, at most once.
func (g *Group) frame() {
	g.oldest, g.newest, g.spanOK = g.storeSpan()
	g.inFrame = true
	defer func() { g.inFrame = false }()
	full := g.pending
	g.pending = false
	for _, m := range g.members {
		r := m.renderer
		switch {
		case r == nil:
		case r.viewDiffers():
			// A member's action refreshes legends and controls
			// fully, as a chart's own setters do; a moving edge is
			// an ordinary frame.
			r.frame(full)
		case !g.view.paused && m.store.Version() != r.drawn:
			r.frame(false)
		}
	}
}

// span is the oldest and newest sample across the members' stores: during
// a group frame the one read at its start.
func (g *Group) span() (oldest, newest int64, ok bool) {
	if g.inFrame {
		return g.oldest, g.newest, g.spanOK
	}
	return g.storeSpan()
}

func (g *Group) storeSpan() (oldest, newest int64, ok bool) {
	g.stores = g.stores[:0]
	for _, m := range g.members {
		if slices.Contains(g.stores, m.store) {
			continue // panels of one store: read it once
		}
		g.stores = append(g.stores, m.store)
		o, n, has := m.store.Span()
		if !has {
			continue
		}
		if !ok || o < oldest {
			oldest = o
		}
		if !ok || n > newest {
			newest = n
		}
		ok = true
	}
	return oldest, newest, ok
}

// viewDiffers reports whether the view resolves to another range or mode
// than the one last drawn.
func (r *chartRenderer) viewDiffers() bool {
	from, to, ok := r.chart.viewRange()
	if ok != r.ranged || ok && (from != r.from || to != r.to) {
		return true
	}
	live, status := r.chart.controlState()
	return !r.controlsSet || live != r.liveShown || status != r.status.Text
}

// inPlot reports whether p (widget coordinates) is over the plot.
func (c *Chart) inPlot(p fyne.Position) bool {
	return p.X >= c.plot.X && p.X <= c.plot.X+c.plotSize.Width &&
		p.Y >= c.plot.Y && p.Y <= c.plot.Y+c.plotSize.Height
}

// plotFrac is where x (widget coordinates) is across the plot: 0 at the
// left edge, 1 at the right.
func (c *Chart) plotFrac(x float32) float64 {
	return float64(x-c.plot.X) / float64(c.plotSize.Width)
}

// pointerMoved records where c's pointer is without redrawing: a drag's
// frame lays the crosshairs out.
func (g *Group) pointerMoved(c *Chart) {
	if c.hovering && c.inPlot(c.hoverPos) && c.plotSize.Width > 0 {
		g.hovered, g.hoverFrac = c, c.plotFrac(c.hoverPos.X)
	} else if g.hovered == c {
		g.hovered = nil
	}
}

// hoverMoved publishes c's pointer and moves the crosshair in every member.
func (g *Group) hoverMoved(c *Chart) {
	if r := c.renderer; c.hovering && r != nil && r.hasData && c.inPlot(c.hoverPos) && c.plotSize.Width > 0 {
		g.setHover(c, c.plotFrac(c.hoverPos.X))
		return
	}
	if g.hovered == c {
		g.setHover(nil, 0)
	}
}

func (g *Group) setHover(c *Chart, frac float64) {
	g.hovered, g.hoverFrac = c, frac
	for _, m := range g.members {
		if r := m.renderer; r != nil {
			r.moveHover(m == c)
		}
	}
}

// moveHover lays out the crosshair and tooltip, and repaints only when
// something moved: showing or hiding repaints by itself (a line's Show even
// refreshes it), and a member whose crosshair stays hidden costs nothing.
// The hovered member's tooltip may change with the crosshair still.
func (r *chartRenderer) moveHover(hovered bool) {
	shown, at := r.cross.Visible(), r.cross.Position1
	r.layoutHover()
	if shown && r.cross.Visible() && (hovered || r.cross.Position1 != at) {
		r.refreshHover()
	}
}
