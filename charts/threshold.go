package charts

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// ShadeDir says which side of a threshold's line is shaded.
type ShadeDir uint8

const (
	ShadeNone  ShadeDir = iota // just the line
	ShadeAbove                 // the area above the line
	ShadeBelow                 // the area below the line
)

// Threshold is a horizontal line across the plot at Value, in Color (nil:
// the theme's error colour), with Label written at the line's right end,
// optionally with the area beyond it shaded.
type Threshold struct {
	Value float64
	Color color.Color
	Label string
	Shade ShadeDir
}

const (
	// thresholdReach is how far outside the data's range, as a fraction
	// of that range, a threshold still widens the auto-scaled Y axis to
	// stay in view. A limit just beyond the data is worth seeing; one far
	// away would squash the lines into a band.
	thresholdReach = 0.2
	thresholdWidth = 1.5  // line width in Fyne units
	shadeAlpha     = 0.15 // opacity of a shaded area
)

// SetThresholds sets the chart's threshold lines, drawn under the series.
// Setting the thresholds the chart already has changes nothing and
// repaints nothing. On an auto-scaled Y axis a threshold within 20% of
// the visible data's range (beyond its lowest or highest point) widens
// the axis to include it; one further away is not drawn until the data
// or a fixed range (SetYRange) brings it into view.
func (c *Chart) SetThresholds(ths []Threshold) {
	if equalThresholds(c.thresholds, ths) {
		return
	}
	c.thresholds = append(c.thresholds[:0:0], ths...)
	if r := c.renderer; r != nil {
		r.syncThresholdLabels()
		r.frame(false)
	}
}

// Thresholds returns a copy of the chart's thresholds.
func (c *Chart) Thresholds() []Threshold {
	return append([]Threshold(nil), c.thresholds...)
}

// SetAlert shows the chart as firing (true): its frame and background turn
// the theme's error colour, the alarm colour, until SetAlert(false).
// Setting the state it has repaints nothing.
func (c *Chart) SetAlert(on bool) {
	if c.alert == on {
		return
	}
	c.alert = on
	if r := c.renderer; r != nil {
		// A rectangle's Show and Hide do not ask for a repaint.
		setVisible(r.alertFrame, on)
		canvas.Refresh(r.alertFrame)
	}
}

// Alert reports whether the chart is shown as firing.
func (c *Chart) Alert() bool { return c.alert }

func equalThresholds(a, b []Threshold) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		sameValue := x.Value == y.Value || math.IsNaN(x.Value) && math.IsNaN(y.Value)
		if !sameValue || x.Label != y.Label || x.Shade != y.Shade || !sameColor(x.Color, y.Color) {
			return false
		}
	}
	return true
}

func sameColor(a, b color.Color) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

// thresholdColor is the colour th is drawn in.
func thresholdColor(th Threshold) color.NRGBA {
	if th.Color == nil {
		return color.NRGBAModel.Convert(theme.Color(theme.ColorNameError)).(color.NRGBA)
	}
	return color.NRGBAModel.Convert(th.Color).(color.NRGBA)
}

// thresholdRange widens the data's range lo..hi (before headroom) to the
// thresholds within thresholdReach of it.
func (c *Chart) thresholdRange(lo, hi float64) (float64, float64) {
	reach := (hi - lo) * thresholdReach
	if hi == lo {
		reach = math.Max(math.Abs(lo)*0.1, 1) * thresholdReach
	}
	nlo, nhi := lo, hi
	for _, th := range c.thresholds {
		v := th.Value
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if v < lo && lo-v <= reach {
			nlo = min(nlo, v)
		}
		if v > hi && v-hi <= reach {
			nhi = max(nhi, v)
		}
	}
	return nlo, nhi
}

// syncThresholdLabels gives every threshold a label text, growing the pool
// only when there are more thresholds than ever before: a new sample or
// the same thresholds set again creates no object.
func (r *chartRenderer) syncThresholdLabels() {
	ths := r.chart.thresholds
	grown := false
	for len(r.thLabels) < len(ths) {
		t := canvas.NewText("", color.Black)
		t.Alignment = fyne.TextAlignTrailing
		r.thLabels = append(r.thLabels, t)
		grown = true
	}
	for i, l := range r.thLabels {
		if i < len(ths) {
			l.Text = ths[i].Label
		} else {
			l.Text = ""
		}
	}
	if grown {
		r.rebuildObjects()
	}
}

// themeThresholds colours the labels and the alert frame (the theme may
// have changed). Fields only: the frame's raster refresh paints them.
func (r *chartRenderer) themeThresholds() {
	ts := theme.TextSize() * tickLabelSize
	for i, th := range r.chart.thresholds {
		r.thLabels[i].Color, r.thLabels[i].TextSize = thresholdColor(th), ts
	}
	errc := color.NRGBAModel.Convert(theme.Color(theme.ColorNameError)).(color.NRGBA)
	r.alertFrame.StrokeColor, r.alertFrame.StrokeWidth = errc, 2
	errc.A = uint8(float64(errc.A) * 0.12)
	r.alertFrame.FillColor = errc
	r.alertFrame.CornerRadius = theme.InputRadiusSize()
}

// layoutThresholds puts each label above its line's right end, and hides
// the labels of lines outside the plot. Called from Layout.
func (r *chartRenderer) layoutThresholds(size fyne.Size, left, top, plotW, plotH, lineH float32) {
	r.alertFrame.Move(fyne.NewPos(0, 0))
	r.alertFrame.Resize(size)
	setVisible(r.alertFrame, r.chart.alert)
	pad := theme.Padding()
	ts := theme.TextSize() * tickLabelSize
	ths := r.chart.thresholds
	for i, l := range r.thLabels {
		if i >= len(ths) || l.Text == "" || !r.hasData || r.yMax <= r.yMin {
			setVisible(l, false)
			continue
		}
		v := ths[i].Value
		if !(v >= r.yMin && v <= r.yMax) { // NaN too
			setVisible(l, false)
			continue
		}
		py := top + float32((r.yMax-v)/(r.yMax-r.yMin))*plotH
		w := fyne.MeasureText(l.Text, ts, fyne.TextStyle{}).Width
		y := py - lineH
		if y < top {
			y = py // no room above: below the line
		}
		l.Move(fyne.NewPos(left+plotW-w-pad, y))
		l.Resize(fyne.NewSize(w, lineH))
		setVisible(l, true)
	}
}

// drawThresholds paints the shaded areas, then the lines, into the
// raster's image, under the series.
func (r *chartRenderer) drawThresholds(img *image.RGBA, scale float32) {
	ths := r.chart.thresholds
	if len(ths) == 0 || r.yMax <= r.yMin {
		return
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	yk := float64(h) / (r.yMax - r.yMin)
	yOf := func(v float64) float64 { return (r.yMax - v) * yk }
	for _, th := range ths {
		if th.Shade == ShadeNone || math.IsNaN(th.Value) {
			continue
		}
		col := thresholdColor(th)
		col.A = uint8(float64(col.A) * shadeAlpha)
		y := math.Min(math.Max(yOf(th.Value), 0), float64(h))
		var rect image.Rectangle
		if th.Shade == ShadeAbove {
			rect = image.Rect(0, 0, w, int(math.Round(y)))
		} else {
			rect = image.Rect(0, int(math.Round(y)), w, h)
		}
		draw.Draw(img, rect, image.NewUniform(col), image.Point{}, draw.Over)
	}
	hw := float64(thresholdWidth*scale) / 2
	for _, th := range ths {
		// Centred on a pixel row, so that one row has the full
		// colour: a line between rows would be two faint ones.
		y := math.Floor(yOf(th.Value)) + 0.5
		if math.IsNaN(y) || y+hw < 0 || y-hw > float64(h) {
			continue
		}
		col := thresholdColor(th)
		// Each row the line touches, at the opacity of its share of it.
		for py := max(int(math.Floor(y-hw)), 0); py < min(int(math.Ceil(y+hw)), h); py++ {
			cover := math.Min(float64(py+1), y+hw) - math.Max(float64(py), y-hw)
			if cover <= 0 {
				continue
			}
			c := col
			c.A = uint8(math.Round(float64(col.A) * math.Min(cover, 1)))
			draw.Draw(img, image.Rect(0, py, w, py+1), image.NewUniform(c), image.Point{}, draw.Over)
		}
	}
}
