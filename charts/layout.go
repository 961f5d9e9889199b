package charts

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// maxLegendEntries bounds the legend's objects; a store with more series
// shows "+N more" (the app's series menu still reaches every one).
const maxLegendEntries = 64

// legendEvery is how often the per-frame path rewrites the legend's
// values: nobody reads faster, and every distinct text shown is rasterised
// into a texture of its own (kept for a minute), so values rewritten each
// frame cost CPU and memory for nothing.
const legendEvery = 250 * time.Millisecond

// updateLegend sets each entry's text to the series' name and its last
// value in view, and marks hidden series with a hollow swatch. On the
// per-frame path (full false) values change at most every legendEvery, and
// a hidden series keeps the text it has: only a full refresh (a setter, a
// theme change) rewrites every entry at once.
func (r *chartRenderer) updateLegend(full bool, now time.Time) {
	c := r.chart
	all := c.listedSeries()
	n := min(len(all), maxLegendEntries)
	grown := false
	for len(r.swatches) < n {
		r.swatches = append(r.swatches, canvas.NewRectangle(color.Black))
		r.legendText = append(r.legendText, canvas.NewText("", color.Black))
		r.legendName = append(r.legendName, "")
		grown = true
	}
	if grown {
		r.rebuildObjects()
	}
	due := full || now.Sub(r.legendAt) >= legendEvery
	if due {
		r.legendAt = now
	}
	fg := theme.Color(theme.ColorNameForeground)
	dim := theme.Color(theme.ColorNameDisabled)
	ts := theme.TextSize() * tickLabelSize
	for i := range r.swatches {
		sw, tx := r.swatches[i], r.legendText[i]
		if i >= n {
			tx.Text, r.legendName[i] = "", ""
			continue
		}
		sr := all[i]
		col := SeriesColor(sr.Index())
		visible := c.visibleSeries(sr)
		if fresh := r.legendName[i] != sr.Name(); fresh || full || visible && due {
			label := sr.Name()
			if _, v, ok := sr.Last(r.to); ok && r.hasData {
				label += "  " + formatValue(v, 0)
			}
			tx.Text, r.legendName[i] = label, sr.Name()
		}
		tx.TextSize = ts
		sw.StrokeColor, sw.StrokeWidth = col, 1.5
		sw.CornerRadius = 2
		if visible {
			sw.FillColor, tx.Color = col, fg
		} else {
			sw.FillColor, tx.Color = color.Transparent, dim
		}
	}
}

// setVisible shows or hides o only when that changes something: Show and
// Hide repaint the window (a canvas.Line's Show even refreshes it) whether
// or not o was already so.
func setVisible(o fyne.CanvasObject, on bool) {
	switch {
	case on && !o.Visible():
		o.Show()
	case !on && o.Visible():
		o.Hide()
	}
}

// updateControls shows the Live control as the way back to follow mode,
// and says why the view is not following.
func (r *chartRenderer) updateControls() {
	live, status := r.chart.controlState()
	full := !r.controlsSet // a full refresh (theme) refreshes the control
	if !full && live == r.liveShown && status == r.status.Text {
		return // refreshing a button re-shapes its text: not once a frame
	}
	r.controlsSet, r.liveShown, r.status.Text = true, live, status
	imp := widget.HighImportance
	if live {
		imp = widget.MediumImportance
	}
	refresh := full || r.liveBtn.Importance != imp
	r.liveBtn.Importance = imp
	// Enable and Disable refresh the button when they change it: a
	// second refresh would only repeat the work.
	switch {
	case live && !r.liveBtn.Disabled():
		r.liveBtn.Disable()
	case !live && r.liveBtn.Disabled():
		r.liveBtn.Enable()
	default:
		if refresh {
			r.liveBtn.Refresh()
		}
	}
}

// controlState is what the Live control and the status beside it show.
func (c *Chart) controlState() (live bool, status string) {
	live = c.view.follow || c.showLive
	if !live {
		status = "Zoomed"
		if c.view.paused {
			status = "Paused"
		}
	}
	return live, status
}

// Layout places the legend and Live control on top, the plot below with the
// Y labels on its left and the time labels under it, and the crosshair.
func (r *chartRenderer) Layout(size fyne.Size) {
	c := r.chart
	pad := theme.Padding()
	ts := theme.TextSize() * tickLabelSize
	lineH := fyne.MeasureText("0", ts, fyne.TextStyle{}).Height

	// Top bar: status and Live at the right, legend flowing on the left.
	btn := r.liveBtn.MinSize()
	r.liveBtn.Resize(btn)
	r.liveBtn.Move(fyne.NewPos(size.Width-btn.Width-pad, pad))
	stW := fyne.MeasureText(r.status.Text, ts, fyne.TextStyle{}).Width
	r.status.Move(fyne.NewPos(size.Width-btn.Width-2*pad-stW, pad+(btn.Height-lineH)/2))
	r.status.Resize(fyne.NewSize(stW, lineH))
	legendRight := size.Width - btn.Width - 3*pad - stW
	rowH := lineH + pad
	x, y, row := pad, pad+(btn.Height-lineH)/2, 0
	c.legendHits = c.legendHits[:0]
	moreW := fyne.MeasureText("+9999 more", ts, fyne.TextStyle{}).Width
	all := c.listedSeries()
	shown := 0
	for i, tx := range r.legendText {
		sw := r.swatches[i]
		if tx.Text == "" {
			setVisible(sw, false)
			setVisible(tx, false)
			continue
		}
		tw := fyne.MeasureText(tx.Text, ts, fyne.TextStyle{}).Width
		w := swatchSize + pad + tw
		if x > pad && x+w > legendRight {
			row++
			x, y = pad, y+rowH
		}
		limit := legendRight
		if row == legendRows-1 {
			limit -= moreW
		}
		if row >= legendRows || x+w > limit && row == legendRows-1 && x > pad {
			setVisible(sw, false)
			setVisible(tx, false)
			continue
		}
		setVisible(sw, true)
		setVisible(tx, true)
		sw.Move(fyne.NewPos(x, y+(lineH-swatchSize)/2))
		sw.Resize(fyne.NewSize(swatchSize, swatchSize))
		tx.Move(fyne.NewPos(x+swatchSize+pad, y))
		tx.Resize(fyne.NewSize(tw, lineH))
		c.legendHits = append(c.legendHits, legendHit{pos: fyne.NewPos(x, y), size: fyne.NewSize(w, lineH), name: all[i].Name()})
		shown++
		x += w + 3*pad
	}
	hidden := len(all) - shown
	if hidden > 0 {
		r.legendMore.Text = fmt.Sprintf("+%d more", hidden)
		r.legendMore.Move(fyne.NewPos(x, y))
		r.legendMore.Resize(fyne.NewSize(moreW, lineH))
		setVisible(r.legendMore, true)
	} else {
		setVisible(r.legendMore, false)
	}
	topH := max(btn.Height+2*pad, y+lineH+pad)

	// Plot rectangle: height first (Y tick count depends on it), then the
	// Y labels' width decides the left edge.
	bottomH := lineH + 2*pad
	plotH := max(size.Height-topH-bottomH, 1)
	r.yTicks, r.yStep = valueTicks(r.yMin, r.yMax, max(2, min(maxTicks, int(plotH/36))), r.yTicks)
	labelW := float32(0)
	var yw [maxTicks]float32
	r.yLabels = r.yLabels[:0]
	for i := 0; i < len(r.yTicks) && i < maxTicks && r.hasData; i++ {
		text := formatValue(r.yTicks[i], r.yStep)
		yw[i] = fyne.MeasureText(text, ts, fyne.TextStyle{}).Width
		labelW = max(labelW, yw[i])
		r.yLabels = append(r.yLabels, tickLabel{text: text})
	}
	left := labelW + 2*pad
	if !r.hasData {
		left = pad
	}
	right := 2 * pad
	plotW := max(size.Width-left-right, 1)
	c.plot, c.plotSize = fyne.NewPos(left, topH), fyne.NewSize(plotW, plotH)
	// The raster spans the chart's width from half a label above the
	// plot (the top value label) to the bottom (the time labels). No
	// Refresh: Layout runs inside a frame that refreshes the raster, or
	// a resize that repaints anyway.
	r.rasterY = max(topH-lineH/2, 0)
	r.raster.Move(fyne.NewPos(0, r.rasterY))
	r.raster.Resize(fyne.NewSize(size.Width, max(size.Height-r.rasterY, 1)))

	yOf := func(v float64) float32 {
		return topH + float32((r.yMax-v)/(r.yMax-r.yMin))*plotH
	}
	for i := range r.yLabels {
		l := &r.yLabels[i]
		l.grid = yOf(r.yTicks[i])
		l.pos = fyne.NewPos(left-pad-yw[i], l.grid-lineH/2)
	}

	// Time ticks: as many as fit labels of the width this span needs.
	sample := formatTime(r.to, time.Second, c.loc) + "  "
	if r.to-r.from < int64(20*time.Second) {
		sample = formatTime(r.to, time.Millisecond, c.loc) + "  "
	}
	slot := fyne.MeasureText(sample, ts, fyne.TextStyle{}).Width + 2*pad
	r.xTicks, r.xStep = timeTicks(r.from, r.to, max(1, min(maxTicks, int(plotW/slot))), c.loc, r.xTicks)
	r.xLabels = r.xLabels[:0]
	for i := 0; i < len(r.xTicks) && i < maxTicks && r.hasData; i++ {
		px := left + float32(float64(r.xTicks[i]-r.from)/float64(r.to-r.from))*plotW
		text := formatTime(r.xTicks[i], r.xStep, c.loc)
		w := fyne.MeasureText(text, ts, fyne.TextStyle{}).Width
		lx := min(max(px-w/2, 0), size.Width-w)
		r.xLabels = append(r.xLabels, tickLabel{text: text, pos: fyne.NewPos(lx, topH+plotH+pad), grid: px})
	}

	r.waiting.TextSize = theme.TextSize()
	r.waiting.Move(fyne.NewPos(left, topH+plotH/2-lineH))
	r.waiting.Resize(fyne.NewSize(plotW, lineH*2))
	setVisible(r.waiting, !r.hasData)
	r.layoutThresholds(size, left, topH, plotW, plotH, lineH)
	r.layoutHover()
}

// layoutHover places the crosshair and tooltip at the pointer, listing the
// value of every visible series nearest the pointer's time.
func (r *chartRenderer) layoutHover() {
	c := r.chart
	hide := func(from int) {
		for i := from; i < len(r.tipText); i++ {
			setVisible(r.tipText[i], false)
			setVisible(r.tipSwatch[i], false)
		}
	}
	p := c.hoverPos
	in := c.hovering && r.hasData && c.inPlot(p)
	x, tip := p.X, in
	if g := c.group; g != nil {
		// The group says where: at the same moment in every member,
		// with the tooltip only in the one under the pointer.
		in = g.hovered != nil && r.hasData
		x = c.plot.X + float32(g.hoverFrac)*c.plotSize.Width
		tip = in && g.hovered == c
	}
	if !in {
		setVisible(r.cross, false)
	} else {
		r.cross.Position1 = fyne.NewPos(x, c.plot.Y)
		r.cross.Position2 = fyne.NewPos(x, c.plot.Y+c.plotSize.Height)
		setVisible(r.cross, true)
	}
	if !tip {
		setVisible(r.tipBg, false)
		hide(0)
		return
	}

	t := r.timeAt(x)
	pad := theme.Padding()
	ts := theme.TextSize() * tickLabelSize
	lineH := fyne.MeasureText("0", ts, fyne.TextStyle{}).Height
	rows := 0
	set := func(text string, col color.Color) {
		tx, sw := r.tipText[rows], r.tipSwatch[rows]
		tx.Text = text
		if col != nil {
			sw.FillColor = col
		}
		setVisible(sw, col != nil)
		rows++
	}
	set(formatReadout(t, time.Duration(r.to-r.from), c.loc), nil)
	// A series has a value under the pointer where its line is drawn, or
	// within a few pixels of a point; not across a gap.
	slack := int64(tipSlackPx * float64(r.to-r.from) / float64(c.plotSize.Width))
	listed := 0
	for i := range r.frames {
		f := &r.frames[i]
		_, v, ok := f.sr.ValueAt(t, slack)
		if !ok {
			continue
		}
		if listed == maxTipLines {
			set(fmt.Sprintf("+%d more", len(r.frames)-listed), nil)
			break
		}
		set(f.sr.Name()+": "+formatValue(v, 0), f.color)
		listed++
	}
	hide(rows)
	w := float32(0)
	for i := 0; i < rows; i++ {
		tw := fyne.MeasureText(r.tipText[i].Text, ts, fyne.TextStyle{}).Width
		if r.tipSwatch[i].Visible() {
			tw += swatchSize + pad
		}
		w = max(w, tw)
	}
	boxW, boxH := w+2*pad, float32(rows)*lineH+2*pad
	bx, by := p.X+12, p.Y+12
	if bx+boxW > c.plot.X+c.plotSize.Width {
		bx = p.X - 12 - boxW
	}
	if by+boxH > c.plot.Y+c.plotSize.Height {
		by = max(c.plot.Y, p.Y-12-boxH)
	}
	bx = max(bx, 0)
	r.tipBg.Move(fyne.NewPos(bx, by))
	r.tipBg.Resize(fyne.NewSize(boxW, boxH))
	setVisible(r.tipBg, true)
	for i := 0; i < rows; i++ {
		tx, sw := r.tipText[i], r.tipSwatch[i]
		x := bx + pad
		if sw.Visible() {
			sw.Move(fyne.NewPos(x, by+pad+float32(i)*lineH+(lineH-swatchSize)/2))
			sw.Resize(fyne.NewSize(swatchSize, swatchSize))
			x += swatchSize + pad
		}
		tx.Move(fyne.NewPos(x, by+pad+float32(i)*lineH))
		tx.Resize(fyne.NewSize(w, lineH))
		setVisible(tx, true)
	}
}

// refreshHover repaints the window for a moved crosshair and tooltip. One
// refresh repaints every object, and texts, lines and rectangles are
// painted from their fields (a text's texture is found by its content), so
// the tooltip's rows need no refresh of their own.
func (r *chartRenderer) refreshHover() {
	canvas.Refresh(r.cross)
}

// timeAt maps a widget x coordinate to a time in view.
func (r *chartRenderer) timeAt(x float32) int64 {
	f := r.chart.plotFrac(x)
	return r.from + int64(math.Round(f*float64(r.to-r.from)))
}

// generate draws the grid, the series and the tick labels at device
// pixels into the reused image, which spans the chart's width from just
// above the plot to the chart's bottom.
func (r *chartRenderer) generate(w, h int) image.Image {
	if r.img == nil || r.img.Rect.Dx() != w || r.img.Rect.Dy() != h {
		r.img = image.NewRGBA(image.Rect(0, 0, w, h))
	} else {
		clear(r.img.Pix)
	}
	r.plotImg = nil
	if !r.hasData || w <= 0 || h <= 0 || r.to <= r.from {
		return r.img
	}
	scale := float32(1)
	if rw := r.raster.Size().Width; rw > 0 {
		scale = float32(w) / rw
	}
	plot := r.plotImage(scale)
	r.plotImg = plot
	if pw := plot.Rect.Dx(); pw != r.cols && pw > 0 {
		// The reductions were made for another width (first frame, or
		// a new scale): redo them at this raster's device width.
		r.cols = pw
		for i := range r.frames {
			f := &r.frames[i]
			f.sr.Reduce(r.from, r.to, pw, &f.red)
		}
	}
	r.drawGrid(plot, scale)
	if !plot.Rect.Empty() {
		r.drawFrames(plot, scale)
	}
	r.drawLabels(scale)
	return r.img
}

// plotImage is the plot's part of r.img, as an image of its own whose
// bounds start at 0,0: what the line and threshold drawers take.
func (r *chartRenderer) plotImage(scale float32) *image.RGBA {
	c := r.chart
	x0 := int(math.Round(float64(c.plot.X * scale)))
	y0 := int(math.Round(float64((c.plot.Y - r.rasterY) * scale)))
	b := r.img.Rect
	x0, y0 = min(max(x0, 0), b.Dx()), min(max(y0, 0), b.Dy())
	pw := min(int(math.Round(float64(c.plotSize.Width*scale))), b.Dx()-x0)
	ph := min(int(math.Round(float64(c.plotSize.Height*scale))), b.Dy()-y0)
	if pw <= 0 || ph <= 0 {
		r.plotView = image.RGBA{}
	} else {
		r.plotView = image.RGBA{
			Pix:    r.img.Pix[r.img.PixOffset(x0, y0):],
			Stride: r.img.Stride,
			Rect:   image.Rect(0, 0, pw, ph),
		}
	}
	return &r.plotView
}

// drawGrid draws a line across the plot at each tick, one device pixel
// per unit of scale wide, under the series.
func (r *chartRenderer) drawGrid(plot *image.RGBA, scale float32) {
	c := r.chart
	lw := max(1, int(math.Round(float64(scale))))
	r.ink.C = r.gridCol
	src := &r.ink
	w, h := plot.Rect.Dx(), plot.Rect.Dy()
	for _, l := range r.yLabels {
		y := int(math.Floor(float64((l.grid - c.plot.Y) * scale)))
		draw.Draw(plot, image.Rect(0, y, w, y+lw).Intersect(plot.Rect), src, image.Point{}, draw.Over)
	}
	for _, l := range r.xLabels {
		x := int(math.Floor(float64((l.grid - c.plot.X) * scale)))
		draw.Draw(plot, image.Rect(x, 0, x+lw, h).Intersect(plot.Rect), src, image.Point{}, draw.Over)
	}
}

// drawLabels blends the tick labels into r.img.
func (r *chartRenderer) drawLabels(scale float32) {
	ts := theme.TextSize() * tickLabelSize
	r.labels.begin()
	r.ink.C = r.subCol
	for _, l := range r.yLabels {
		r.labels.draw(r.img, l.text, ts, scale, l.pos.SubtractXY(0, r.rasterY), &r.ink)
	}
	for _, l := range r.xLabels {
		r.labels.draw(r.img, l.text, ts, scale, l.pos.SubtractXY(0, r.rasterY), &r.ink)
	}
}

func (r *chartRenderer) drawFrames(img *image.RGBA, scale float32) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	xk := float64(w) / float64(r.to-r.from)
	yk := float64(h) / (r.yMax - r.yMin)
	r.drawThresholds(img, scale)
	for i := range r.frames {
		f := &r.frames[i]
		r.xs, r.ys = project(f.red.T, f.red.V, r.from, r.yMax, xk, yk, r.xs, r.ys)
		r.lines.draw(img, r.xs, r.ys, f.red.Starts, lineWidth*scale, f.color)
	}
}

// project maps times and values to device pixels. Coordinates are clamped
// far outside the image only so that float32 cannot overflow; the line
// drawer clips segments to the image exactly.
func project(ts []int64, vs []float64, from int64, yMax, xk, yk float64, xs, ys []float32) ([]float32, []float32) {
	xs, ys = xs[:0], ys[:0]
	for i, t := range ts {
		x := float64(t-from) * xk
		y := (yMax - vs[i]) * yk
		if x < -1e15 {
			x = -1e15
		} else if x > 1e15 {
			x = 1e15
		}
		if y < -1e15 {
			y = -1e15
		} else if y > 1e15 {
			y = 1e15
		}
		xs = append(xs, float32(x))
		ys = append(ys, float32(y))
	}
	return xs, ys
}
