package charts

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/widget"

	"feedscope/charts/series"
)

// WindowAll, as a window length, shows everything stored.
const WindowAll time.Duration = 0

// DefaultVisibleSeries is how many series (in creation order) a new chart
// shows until the user picks; see SetDefaultVisible.
const DefaultVisibleSeries = 8

// Windows are the follow-mode window lengths a menu should offer.
var Windows = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, WindowAll}

// Span limits for zoom: below a microsecond per column nothing more can be
// seen, and beyond a century the int64 nanosecond clock runs out.
const (
	minSpan = int64(time.Millisecond)
	maxSpan = int64(100 * 365 * 24 * time.Hour)
)

// Chart is a live line chart of every series in a store.
type Chart struct {
	widget.BaseWidget

	store *series.Store

	// The fields below belong to the main goroutine.
	loc            *time.Location
	view           *view  // the chart's own, or its group's
	group          *Group // nil when the chart has its own view
	yFixed         bool
	yMin, yMax     float64
	visible        map[string]bool // explicit choices; others use defaultVisible
	defaultVisible int
	hovering       bool
	hoverPos       fyne.Position
	noClock        bool // off-screen copies used by Image never tick
	showLive       bool // an Image copy pinned to a range shows its original's Live state
	thresholds     []Threshold
	alert          bool              // drawn as firing (SetAlert)
	listed         func(string) bool // SetListed; nil lists every series
	onLegendToggle func(name string, visible bool)

	// Written by the renderer for hit tests and Image.
	renderer   *chartRenderer // nil until created and after Destroy
	plot       fyne.Position
	plotSize   fyne.Size
	legendHits []legendHit
}

type legendHit struct {
	pos  fyne.Position
	size fyne.Size
	name string
}

// New returns a chart of store in follow mode with a one-minute window,
// auto-scaled Y, and the first DefaultVisibleSeries series visible.
func New(store *series.Store) *Chart {
	c := &Chart{
		store:          store,
		loc:            time.Local,
		view:           &view{follow: true, window: time.Minute},
		visible:        map[string]bool{},
		defaultVisible: DefaultVisibleSeries,
	}
	c.ExtendBaseWidget(c)
	return c
}

// Store returns the store the chart draws.
func (c *Chart) Store() *series.Store { return c.store }

// SetLocation sets the time zone of the time axis (nil means time.Local).
func (c *Chart) SetLocation(loc *time.Location) {
	if loc == nil {
		loc = time.Local
	}
	c.loc = loc
	c.Refresh()
}

// SetWindow sets the follow-mode window (WindowAll shows everything) and
// returns to follow mode. A negative window is an error.
func (c *Chart) SetWindow(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("charts: negative window %v", d)
	}
	c.view.window = d
	c.Live()
	return nil
}

// Window returns the follow-mode window length.
func (c *Chart) Window() time.Duration { return c.view.window }

// Live returns to follow mode (newest point at the right edge) and ends a
// pause.
func (c *Chart) Live() {
	c.view.follow, c.view.paused = true, false
	c.viewChanged()
}

// Following reports whether the chart is in follow mode.
func (c *Chart) Following() bool { return c.view.follow }

// SetPaused freezes the view where it is (true), or returns to follow mode
// (false). Data keeps being stored while paused; nothing is dropped.
func (c *Chart) SetPaused(p bool) {
	if !p {
		c.Live()
		return
	}
	if from, to, ok := c.viewRange(); ok {
		c.view.from, c.view.to = from, to
	}
	c.view.follow, c.view.paused = false, true
	c.viewChanged()
}

// Paused reports whether the view is paused.
func (c *Chart) Paused() bool { return c.view.paused }

// SetTimeRange shows a fixed time range, leaving follow mode.
func (c *Chart) SetTimeRange(from, to time.Time) error {
	f, t := from.UnixNano(), to.UnixNano()
	if t-f < minSpan || t-f > maxSpan {
		return fmt.Errorf("charts: time range %v..%v must span 1ms to 100 years", from, to)
	}
	c.view.from, c.view.to, c.view.follow = f, t, false
	c.viewChanged()
	return nil
}

// TimeRange returns the time range in view, and false when there is no data.
func (c *Chart) TimeRange() (from, to time.Time, ok bool) {
	f, t, ok := c.viewRange()
	return time.Unix(0, f), time.Unix(0, t), ok
}

// SetYRange fixes the Y axis to [min, max].
func (c *Chart) SetYRange(min, max float64) error {
	if math.IsNaN(min) || math.IsNaN(max) || math.IsInf(min, 0) || math.IsInf(max, 0) || !(max > min) {
		return fmt.Errorf("charts: Y range [%v, %v] must be finite with max > min", min, max)
	}
	c.yFixed, c.yMin, c.yMax = true, min, max
	c.Refresh()
	return nil
}

// SetAutoY returns the Y axis to auto-scaling over the visible points.
func (c *Chart) SetAutoY() {
	c.yFixed = false
	c.Refresh()
}

// YRange returns the fixed Y axis, and false when it scales to the data.
func (c *Chart) YRange() (min, max float64, fixed bool) { return c.yMin, c.yMax, c.yFixed }

// SetSeriesVisible shows or hides the series called name (it need not exist yet).
func (c *Chart) SetSeriesVisible(name string, visible bool) {
	c.visible[name] = visible
	c.Refresh()
}

// SeriesVisible reports whether the series called name is drawn.
func (c *Chart) SeriesVisible(name string) bool {
	if v, ok := c.visible[name]; ok {
		return v
	}
	sr := c.store.Lookup(name)
	return sr != nil && sr.Index() < c.defaultVisible
}

func (c *Chart) visibleSeries(sr *series.Series) bool {
	if v, ok := c.visible[sr.Name()]; ok {
		return v
	}
	return sr.Index() < c.defaultVisible
}

// SetDefaultVisible sets how many series (in creation order) are visible
// until the user picks: a /metrics page may have hundreds. Series shown or
// hidden with SetSeriesVisible or the legend keep that choice.
func (c *Chart) SetDefaultVisible(n int) {
	c.defaultVisible = max(n, 0)
	c.Refresh()
}

// SetListed makes the chart list only the series for which listed returns
// true: in its legend, in Series, and in what it draws and scales to. A
// panel of a dashboard lists the series it is about, not every series of
// the store it shares with other panels. nil lists every series. listed
// is called on the main goroutine with series names; it must be cheap.
func (c *Chart) SetListed(listed func(name string) bool) {
	c.listed = listed
	c.Refresh()
}

// listedSeries is the store's series the chart is about, in creation
// order.
func (c *Chart) listedSeries() []*series.Series {
	all := c.store.List()
	if c.listed == nil {
		return all
	}
	return slices.DeleteFunc(all, func(sr *series.Series) bool { return !c.listed(sr.Name()) })
}

// SeriesInfo names a series and its colour.
type SeriesInfo struct {
	Name    string
	Color   color.NRGBA
	Visible bool
}

// Series lists every series with its colour and visibility, in legend order.
func (c *Chart) Series() []SeriesInfo {
	var out []SeriesInfo
	for _, sr := range c.listedSeries() {
		out = append(out, SeriesInfo{Name: sr.Name(), Color: SeriesColor(sr.Index()), Visible: c.visibleSeries(sr)})
	}
	return out
}

// viewRange resolves the time range in view from the mode and the data.
func (c *Chart) viewRange() (from, to int64, ok bool) {
	if !c.view.follow {
		return c.view.from, c.view.to, true
	}
	var oldest, newest int64
	if c.group != nil {
		oldest, newest, ok = c.group.span()
	} else {
		oldest, newest, ok = c.store.Span()
	}
	if !ok {
		return 0, 0, false
	}
	to = newest
	if c.view.window > 0 {
		from = to - int64(c.view.window)
	} else {
		from = oldest
	}
	if to-from < int64(time.Second) {
		from = to - int64(time.Second)
	}
	return from, to, true
}

// leaveFollow pins the view where it is, before a zoom or pan changes it.
func (c *Chart) leaveFollow() bool {
	from, to, ok := c.viewRange()
	if !ok {
		return false
	}
	c.view.from, c.view.to, c.view.follow = from, to, false
	return true
}

// Image renders the chart as it is now, off screen, at the given size and
// scale (device pixels per Fyne unit): for PNG export and snapshots without
// a window. It needs a running Fyne app (app.New, or test.NewTempApp) for
// the theme. Call it on the main goroutine.
func (c *Chart) Image(size fyne.Size, scale float32) (image.Image, error) {
	if size.Width < 1 || size.Height < 1 || scale <= 0 || size.Width*scale > 16384 || size.Height*scale > 16384 {
		return nil, fmt.Errorf("charts: image size %vx%v at scale %v out of range", size.Width, size.Height, scale)
	}
	if fyne.CurrentApp() == nil {
		return nil, errors.New("charts: Image needs a running Fyne app for its theme")
	}
	cp := New(c.store)
	cp.noClock = true
	cp.loc = c.loc
	v := *c.view
	if from, to, ok := c.viewRange(); ok {
		// Freeze what is on screen, so data arriving meanwhile does not
		// shift the picture.
		v.follow, v.from, v.to = false, from, to
		cp.showLive = c.view.follow
	}
	cp.view = &v
	cp.yFixed, cp.yMin, cp.yMax = c.yFixed, c.yMin, c.yMax
	for k, v := range c.visible {
		cp.visible[k] = v
	}
	cp.defaultVisible = c.defaultVisible
	cp.thresholds, cp.alert = c.thresholds, c.alert
	cp.listed = c.listed
	cv := software.NewCanvas()
	cv.SetPadded(false)
	cv.SetScale(scale)
	cv.SetContent(cp)
	cv.Resize(size)
	img := cv.Capture()
	return img, nil
}

// WritePNG writes the chart, at its current size and the scale of the
// window it is in, as a PNG image.
func (c *Chart) WritePNG(w io.Writer) error {
	scale := float32(1)
	if app := fyne.CurrentApp(); app != nil {
		if cv := app.Driver().CanvasForObject(c); cv != nil {
			scale = cv.Scale()
		}
	}
	size := c.Size()
	if size.Width < 1 || size.Height < 1 {
		size = c.MinSize().Max(fyne.NewSize(800, 450))
	}
	img, err := c.Image(size, scale)
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

// SavePNG saves the visible chart to a PNG file at path.
func (c *Chart) SavePNG(path string) error {
	var buf bytes.Buffer
	if err := c.WritePNG(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("charts: save PNG: %w", err)
	}
	return nil
}

// Close is for a chart taken out of the window for good (a panel removed
// from a dashboard): it leaves its group and stops its per-frame clock, so
// it costs nothing while Fyne still holds its renderer. Do not show a
// closed chart again.
func (c *Chart) Close() {
	if c.group != nil {
		c.group.Remove(c)
	}
	if r := c.renderer; r != nil {
		r.Destroy()
	}
}
