package charts

import (
	"image"
	"image/color"
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"feedscope/internal/refreshcount"
)

var (
	thRed  = color.NRGBA{0xd6, 0x28, 0x28, 0xff}
	thBlue = color.NRGBA{0x2f, 0x6f, 0xd6, 0xff}
)

// twoLimits are a shaded upper limit just above the data (cpu peaks near
// 76) and an unshaded lower one inside it.
var twoLimits = []Threshold{
	{Value: 80, Color: thRed, Label: "cpu high", Shade: ShadeAbove},
	{Value: 25, Color: thBlue, Label: "mem low"},
}

func TestGoldenThresholds(t *testing.T) {
	c, w, _ := twoSeries(t)
	c.SetThresholds(twoLimits)
	test.AssertImageMatches(t, "thresholds.png", capture(w))
}

func TestGoldenShadedBelowDark(t *testing.T) {
	s := newStore(t)
	fillWave(t, s, "level", 600, 20, 120, 50)
	c := New(s)
	c.SetWindow(5 * time.Minute)
	w := show(t, c, theme.DarkTheme())
	c.SetThresholds([]Threshold{{Value: 35, Label: "tank low", Shade: ShadeBelow}})
	test.AssertImageMatches(t, "threshold_below_dark.png", capture(w))
}

func TestGoldenFiring(t *testing.T) {
	for _, tc := range []struct {
		name  string
		theme fyne.Theme
	}{{"firing.png", theme.LightTheme()}, {"firing_dark.png", theme.DarkTheme()}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			fillWave(t, s, "cpu", 600, 20, 120, 50)
			c := New(s)
			c.SetWindow(5 * time.Minute)
			w := show(t, c, tc.theme)
			c.SetThresholds(twoLimits[:1])
			c.SetAlert(true)
			test.AssertImageMatches(t, tc.name, capture(w))
		})
	}
}

// rowHas reports whether row y of the raster's last image has a pixel of
// colour want (drawn over the transparent background).
func rowHas(img *image.RGBA, y int, want color.NRGBA) bool {
	for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
		if color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA) == want {
			return true
		}
	}
	return false
}

// A threshold just beyond the data is kept in view and drawn at its value
// with its label; one far away leaves the axis to the data.
func TestThresholdKeptInView(t *testing.T) {
	c, w, _ := twoSeries(t)
	r := rendererOf(c)
	dataMax := r.yMax
	c.SetThresholds([]Threshold{
		{Value: 80, Color: thRed, Label: "cpu high"},
		{Value: 500, Color: thBlue, Label: "far"},
	})
	capture(w) // paints the raster
	if r.yMax < 80 || r.yMax > 90 {
		t.Errorf("Y axis to %v with data to %v and a limit at 80: want 80 in view, with headroom only", r.yMax, dataMax)
	}
	if !r.thLabels[0].Visible() || r.thLabels[1].Visible() {
		t.Errorf("labels visible: near %v, far %v; want near only", r.thLabels[0].Visible(), r.thLabels[1].Visible())
	}
	h := r.plotImg.Rect.Dy()
	y := int((r.yMax - 80) / (r.yMax - r.yMin) * float64(h))
	if !rowHas(r.plotImg, y, thRed) && !rowHas(r.plotImg, y+1, thRed) && !rowHas(r.plotImg, y-1, thRed) {
		t.Errorf("no pixel of the threshold's colour on row %d of %d", y, h)
	}
	// The label sits at the line's right end, above it.
	lp := r.thLabels[0].Position()
	py := c.plot.Y + float32(y)
	if lp.X < c.plot.X+c.plotSize.Width/2 || lp.Y > py || lp.Y < py-40 {
		t.Errorf("label at %v, line at y=%v in plot %v+%v", lp, py, c.plot, c.plotSize)
	}

	// A value that is no number draws nothing and does not upset the axis.
	yMin, yMax := r.yMin, r.yMax
	c.SetThresholds([]Threshold{{Value: 80, Color: thRed, Label: "cpu high"}, {Value: math.NaN(), Label: "nan"}})
	capture(w)
	if r.thLabels[1].Visible() || r.yMin != yMin || r.yMax != yMax {
		t.Errorf("a NaN threshold: label visible %v, Y axis %v..%v → %v..%v", r.thLabels[1].Visible(), yMin, yMax, r.yMin, r.yMax)
	}

	// A fixed range ignores the thresholds.
	if err := c.SetYRange(0, 50); err != nil {
		t.Fatal(err)
	}
	if r.yMax != 50 || r.thLabels[0].Visible() {
		t.Errorf("fixed range: yMax %v, label of a line above it visible %v", r.yMax, r.thLabels[0].Visible())
	}
}

// Thresholds and the firing state obey the frame budget: setting what is
// already set repaints nothing, and a new sample redraws the raster once
// without making or refreshing threshold objects.
func TestThresholdBudget(t *testing.T) {
	c, _, s := twoSeries(t)
	r := rendererOf(c)
	count, restore := refreshcount.Install(fyne.CurrentApp())
	defer restore()

	before := r.refreshes
	c.SetThresholds(twoLimits)
	if r.refreshes != before+1 || count.Refreshes(r.raster) != 1 {
		t.Errorf("new thresholds: %d frames, raster refreshed %d times; want 1 and 1", r.refreshes-before, count.Refreshes(r.raster))
	}
	count.Reset()
	again := append([]Threshold(nil), twoLimits...)
	again[0].Color = color.RGBA{0xd6, 0x28, 0x28, 0xff} // the same colour in another type
	c.SetThresholds(again)
	if r.refreshes != before+1 || !count.Nothing() {
		t.Errorf("the same thresholds again: %d more frames, %d refreshes, %d repaint requests", r.refreshes-before-1, count.Total(), count.Dirtied())
	}

	labels := append([]*canvas.Text(nil), r.thLabels...)
	objects := len(r.objects)
	count.Reset()
	s.Append("cpu", base.Add(600*time.Second), 42)
	r.tick(0)
	if n := count.Refreshes(r.raster); n != 1 {
		t.Errorf("a sample: raster refreshed %d times, want 1", n)
	}
	for i, l := range r.thLabels {
		if i >= len(labels) || l != labels[i] || count.Refreshes(l) != 0 {
			t.Errorf("threshold label %d recreated or refreshed by a sample", i)
		}
	}
	if len(r.thLabels) != len(labels) || len(r.objects) != objects {
		t.Errorf("a sample changed the objects: %d labels, %d objects → %d, %d", len(labels), objects, len(r.thLabels), len(r.objects))
	}

	// Fewer thresholds reuse the pool.
	c.SetThresholds(twoLimits[:1])
	if len(r.thLabels) != 2 || r.thLabels[0] != labels[0] || r.thLabels[1].Visible() {
		t.Errorf("one threshold after two: pool %d, second label visible %v", len(r.thLabels), r.thLabels[1].Visible())
	}

	count.Reset()
	c.SetAlert(true)
	if !r.alertFrame.Visible() || count.Nothing() {
		t.Errorf("SetAlert(true): firing frame visible %v, repaint asked %v", r.alertFrame.Visible(), !count.Nothing())
	}
	count.Reset()
	c.SetAlert(true)
	if !count.Nothing() {
		t.Errorf("SetAlert(true) when firing: %d refreshes, %d repaint requests", count.Total(), count.Dirtied())
	}
	c.SetAlert(false)
	if r.alertFrame.Visible() {
		t.Error("SetAlert(false) left the firing frame")
	}
}

// An off-screen image of a chart shows its thresholds and firing state.
func TestImageCarriesThresholdsAndAlert(t *testing.T) {
	c, _, _ := twoSeries(t)
	c.SetThresholds([]Threshold{{Value: 50, Color: thBlue}})
	c.SetAlert(true)
	img, err := c.Image(fyne.NewSize(400, 300), 1)
	if err != nil {
		t.Fatal(err)
	}
	var line, frame bool
	errc := color.NRGBAModel.Convert(theme.Color(theme.ColorNameError)).(color.NRGBA)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			line = line || p == thBlue
			frame = frame || p == errc
		}
	}
	if !line || !frame {
		t.Errorf("image: threshold colour found %v, alarm colour found %v", line, frame)
	}
}
