package charts

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// inkCentre is the centre of the pixels of img, a window capture, within
// the box (chart units at scale 1) that are of colour col, give or take
// the anti-aliasing, and how many there are.
func inkCentre(img image.Image, box image.Rectangle, col color.Color) (cx, cy float64, n int) {
	want := color.NRGBAModel.Convert(col).(color.NRGBA)
	near := func(a, b uint8) bool { return int(a) <= int(b)+24 && int(b) <= int(a)+24 }
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			p := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if near(p.R, want.R) && near(p.G, want.G) && near(p.B, want.B) {
				cx, cy, n = cx+float64(x), cy+float64(y), n+1
			}
		}
	}
	if n > 0 {
		cx, cy = cx/float64(n), cy/float64(n)
	}
	return cx, cy, n
}

// checkLabel fails when a label's ink (n pixels centred at centre, across
// its axis) is missing or more than 3 pixels off its tick.
func checkLabel(t *testing.T, kind string, l tickLabel, n int, centre float64) {
	t.Helper()
	if n < 8 {
		t.Errorf("%s label %q: %d pixels of the label colour beside its tick at %v", kind, l.text, n, l.grid)
	} else if d := centre - float64(l.grid); d < -3 || d > 3 {
		t.Errorf("%s label %q centred at %.1f, its tick at %v", kind, l.text, centre, l.grid)
	}
}

// The tick labels are drawn into the chart's raster: each appears in the
// window beside its grid line, a value label centred on its line's height
// left of the plot, a time label centred under its line, in the theme's
// placeholder colour, and they follow a change of theme.
func TestTickLabelsDrawnAtTheirTicks(t *testing.T) {
	c, w, _ := twoSeries(t)
	r := rendererOf(c)
	for _, th := range []fyne.Theme{theme.LightTheme(), theme.DarkTheme()} {
		fyne.CurrentApp().Settings().SetTheme(th)
		img := capture(w)
		col := th.Color(theme.ColorNamePlaceHolder, fyne.CurrentApp().Settings().ThemeVariant())
		if len(r.yLabels) < 2 || len(r.xLabels) < 2 {
			t.Fatalf("%d value and %d time labels", len(r.yLabels), len(r.xLabels))
		}
		lineH := fyne.MeasureText("0", theme.TextSize()*tickLabelSize, fyne.TextStyle{}).Height
		for _, l := range r.yLabels {
			// The margin left of the plot, a line high around the tick.
			box := image.Rect(0, int(l.grid-lineH), int(c.plot.X), int(l.grid+lineH))
			_, cy, n := inkCentre(img, box, col)
			checkLabel(t, "value", l, n, cy)
		}
		for _, l := range r.xLabels {
			tw := fyne.MeasureText(l.text, theme.TextSize()*tickLabelSize, fyne.TextStyle{}).Width
			if l.grid-tw/2 < 0 || l.grid+tw/2 > c.Size().Width {
				continue // pushed inside the chart at an edge
			}
			under := c.plot.Y + c.plotSize.Height
			box := image.Rect(int(l.grid-tw), int(under), int(l.grid+tw), int(c.Size().Height))
			cx, _, n := inkCentre(img, box, col)
			checkLabel(t, "time", l, n, cx)
		}
	}
}

// A frame draws a label it drew before from the cache, and labels no
// longer drawn leave the cache once it is over its bound.
func TestLabelMasksCachedAndBounded(t *testing.T) {
	_, w, _ := twoSeries(t)
	_ = w
	var lp labelPainter
	lp.begin()
	a := lp.mask("12:00:00", 12, 1)
	if a == nil || lp.mask("12:00:00", 12, 1) != a {
		t.Fatal("the same label in one frame rasterised twice")
	}
	if lp.mask("12:00:00", 12, 2) == a {
		t.Error("another scale reuses the mask")
	}
	for i := range maxLabelMasks + 10 {
		lp.begin()
		lp.mask(formatValue(float64(i), 1), 12, 1)
	}
	lp.begin()
	if len(lp.masks) > maxLabelMasks+1 {
		t.Errorf("%d masks cached, bound %d", len(lp.masks), maxLabelMasks)
	}
}
