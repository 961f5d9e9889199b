package charts

import (
	"image"
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/charts/series"
)

const (
	maxTicks      = 16 // label pool size per axis
	maxTipLines   = 12 // tooltip rows before "+N more"
	tipSlackPx    = 6  // how far off a line's end the pointer still reads its value
	legendRows    = 2  // legend rows before "+N more"
	lineWidth     = 1.5
	yHeadroom     = 0.05 // fraction of the range added above and below
	swatchSize    = 10
	waitingText   = "Waiting for data…"
	tickLabelSize = 0.85 // of the theme text size
)

var _ fyne.WidgetRenderer = (*chartRenderer)(nil)

// CreateRenderer is part of fyne.Widget.
func (c *Chart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{chart: c}
	c.renderer = r
	r.raster = canvas.NewRaster(r.generate)
	r.waiting = canvas.NewText(waitingText, color.Black)
	r.waiting.Alignment = fyne.TextAlignCenter
	r.status = canvas.NewText("", color.Black)
	r.status.Alignment = fyne.TextAlignTrailing
	r.liveBtn = widget.NewButton("Live", c.Live)
	r.cross = canvas.NewLine(color.Black)
	r.tipBg = canvas.NewRectangle(color.Black)
	r.legendMore = canvas.NewText("", color.Black)
	r.alertFrame = canvas.NewRectangle(color.Transparent)
	r.alertFrame.Hidden = !c.alert
	r.syncThresholdLabels()
	for i := 0; i < maxTipLines+2; i++ {
		r.tipText = append(r.tipText, canvas.NewText("", color.Black))
		r.tipSwatch = append(r.tipSwatch, canvas.NewRectangle(color.Black))
	}
	r.rebuildObjects()
	r.Refresh()
	if !c.noClock && fyne.CurrentApp() != nil {
		r.clock = fyne.NewAnimation(time.Second, r.tick)
		r.clock.RepeatCount = fyne.AnimationRepeatForever
		r.clock.Curve = fyne.AnimationLinear
		r.clock.Start()
	}
	return r
}

type seriesFrame struct {
	sr    *series.Series
	color color.NRGBA
	red   series.Reduced
}

type chartRenderer struct {
	chart *Chart
	clock *fyne.Animation

	// raster shows the plot and its axes: the grid, the series and the
	// tick labels, one texture (see labels.go).
	raster     *canvas.Raster
	img        *image.RGBA
	plotImg    *image.RGBA // the plot's part of img, bounds at 0,0 (last generate)
	plotView   image.RGBA  // what plotImg points to, reused
	ink        image.Uniform
	lines      lineDrawer
	labels     labelPainter
	xs, ys     []float32
	xLabels    []tickLabel // time labels, placed by Layout
	yLabels    []tickLabel // value labels, placed by Layout
	rasterY    float32     // the raster's top in the chart (it spans the chart's width)
	subCol     color.Color // tick labels
	gridCol    color.Color
	waiting    *canvas.Text
	status     *canvas.Text
	liveBtn    *widget.Button
	swatches   []*canvas.Rectangle
	legendText []*canvas.Text
	legendName []string  // the series each legend entry was last written for
	legendAt   time.Time // when the legend's values were last rewritten
	legendMore *canvas.Text
	cross      *canvas.Line
	tipBg      *canvas.Rectangle
	tipText    []*canvas.Text
	tipSwatch  []*canvas.Rectangle
	thLabels   []*canvas.Text    // threshold labels, a pool as long as the most thresholds set
	alertFrame *canvas.Rectangle // shown while the chart is firing
	objects    []fyne.CanvasObject

	// The frame: what Refresh computed and generate draws.
	drawn     uint64 // store version of the last frame
	refreshes int    // frames computed, for tests of the clock

	controlsSet bool // updateControls has run once
	liveShown   bool // the Live control shows follow mode
	ranged      bool // the view had a time range (from, to below)
	hasData     bool
	from, to    int64
	yMin, yMax  float64
	cols        int // pixel columns the reductions were made for
	frames      []seriesFrame
	xTicks      []int64
	xStep       time.Duration
	yTicks      []float64
	yStep       float64
}

// tickLabel is an axis label: its text and its top-left corner in the
// chart, with the grid line it labels (x for a time, y for a value).
type tickLabel struct {
	text string
	pos  fyne.Position
	grid float32
}

func (r *chartRenderer) rebuildObjects() {
	o := append(r.objects[:0], r.alertFrame, r.raster)
	for _, t := range r.thLabels {
		o = append(o, t)
	}
	for i := range r.swatches {
		o = append(o, r.swatches[i], r.legendText[i])
	}
	o = append(o, r.legendMore, r.status, r.liveBtn, r.waiting, r.cross, r.tipBg)
	for i := range r.tipText {
		o = append(o, r.tipSwatch[i], r.tipText[i])
	}
	r.objects = o
}

func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *chartRenderer) Destroy() {
	if r.chart.renderer == r {
		r.chart.renderer = nil
		if g := r.chart.group; g != nil && g.hovered == r.chart {
			g.setHover(nil, 0) // no MouseOut will come to clear it
		}
	}
	if r.clock != nil {
		r.clock.Stop()
		r.clock = nil
	}
}

func (r *chartRenderer) MinSize() fyne.Size {
	return fyne.NewSize(200, 120)
}

// tick runs on the main goroutine once per display frame: it refreshes only
// when the store changed and the view is not paused.
func (r *chartRenderer) tick(float32) {
	if g := r.chart.group; g != nil {
		g.tick(r)
		return
	}
	if r.chart.view.paused || r.chart.store.Version() == r.drawn {
		return
	}
	// Not the widget's Refresh: that would look the renderer up in
	// Fyne's cache, which the test driver's first tick (inside
	// CreateRenderer) does not hold yet.
	r.frame(false)
}

// Refresh is called by Fyne (theme change) and by the setters: it also
// refreshes the Live control and every legend entry, which the per-frame
// path leaves alone.
func (r *chartRenderer) Refresh() {
	r.controlsSet = false
	r.frame(true)
}

// frame recomputes the frame: time range, reductions, Y range, ticks and
// legend, then lays the objects out and asks the raster to redraw. It is
// the chart's only refresh of its own: whatever else changed in the frame
// is painted by the one repaint the raster asks for.
func (r *chartRenderer) frame(full bool) {
	c := r.chart
	r.refreshes++
	r.drawn = c.store.Version()
	from, to, ok := c.viewRange()
	r.ranged = ok
	r.hasData = false
	r.frames = r.frames[:0]
	if ok {
		r.from, r.to = from, to
		if r.cols <= 0 {
			r.cols = max(1, int(c.plotSize.Width*r.scale()))
		}
		all := c.listedSeries()
		if cap(r.frames) < len(all) {
			r.frames = make([]seriesFrame, 0, len(all))
		}
		yMin, yMax, found := 0.0, 0.0, false
		for _, sr := range all {
			if sr.Len() > 0 {
				r.hasData = true
			}
			if !c.visibleSeries(sr) {
				continue
			}
			r.frames = r.frames[:len(r.frames)+1]
			f := &r.frames[len(r.frames)-1]
			f.sr, f.color = sr, SeriesColor(sr.Index())
			sr.Reduce(from, to, r.cols, &f.red)
			if f.red.InView > 0 {
				if !found || f.red.Min < yMin {
					yMin = f.red.Min
				}
				if !found || f.red.Max > yMax {
					yMax = f.red.Max
				}
				found = true
			}
		}
		switch {
		case c.yFixed:
			yMin, yMax = c.yMin, c.yMax
		case !found:
			yMin, yMax = 0, 1
		default:
			yMin, yMax = c.thresholdRange(yMin, yMax)
			if yMax == yMin {
				d := math.Max(math.Abs(yMin)*0.1, 1)
				yMin, yMax = yMin-d, yMax+d
			} else {
				h := (yMax - yMin) * yHeadroom
				yMin, yMax = yMin-h, yMax+h
			}
		}
		r.yMin, r.yMax = yMin, yMax
	}
	r.applyTheme()
	r.themeThresholds()
	r.updateLegend(full, time.Now())
	r.updateControls()
	r.Layout(c.Size())
	canvas.Refresh(r.raster)
}

func (r *chartRenderer) scale() float32 {
	if app := fyne.CurrentApp(); app != nil {
		if cv := app.Driver().CanvasForObject(r.chart); cv != nil {
			return cv.Scale()
		}
	}
	return 1
}

func (r *chartRenderer) applyTheme() {
	fg := theme.Color(theme.ColorNameForeground)
	sub := theme.Color(theme.ColorNamePlaceHolder)
	grid := theme.Color(theme.ColorNameSeparator)
	ts := theme.TextSize() * tickLabelSize
	r.subCol, r.gridCol = sub, grid
	r.waiting.Color = sub
	r.status.Color, r.status.TextSize = sub, ts
	r.legendMore.Color, r.legendMore.TextSize = sub, ts
	r.cross.StrokeColor, r.cross.StrokeWidth = sub, 1
	r.tipBg.FillColor = theme.Color(theme.ColorNameOverlayBackground)
	r.tipBg.StrokeColor, r.tipBg.StrokeWidth = grid, 1
	r.tipBg.CornerRadius = theme.InputRadiusSize()
	for i := range r.tipText {
		r.tipText[i].Color, r.tipText[i].TextSize = fg, ts
	}
	_ = fg
}
