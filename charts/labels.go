package charts

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/render"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
)

// The axes' tick labels are drawn into the chart's raster rather than shown
// as text objects: under software GL every object costs the painter a
// draw call each repaint, and the time labels move with every frame. Each
// distinct label is rasterised once, the way Fyne rasterises a text (the
// theme's font shaped by go-text, drawn by go-text/render at the canvas
// scale), into a coverage mask kept while it is in use; a frame blends the
// masks in the theme's colour.

// maxLabelMasks bounds the cache: more distinct labels than this since the
// last sweep drop those not drawn in the latest frame.
const maxLabelMasks = 256

type labelKey struct {
	text        string
	size, scale float32
}

type labelMask struct {
	mask  *image.Alpha
	ascPx int    // baseline, device pixels from the mask's top
	used  uint64 // the frame it was last drawn in
}

// labelPainter rasterises and caches label masks for one chart.
type labelPainter struct {
	fontRes fyne.Resource
	face    *font.Face
	shaper  shaping.HarfbuzzShaper
	rend    render.Renderer
	masks   map[labelKey]*labelMask
	frame   uint64
}

// begin starts a frame: labels drawn from now on count as in use.
func (lp *labelPainter) begin() {
	lp.frame++
	if len(lp.masks) > maxLabelMasks {
		for k, m := range lp.masks {
			if m.used+1 < lp.frame {
				delete(lp.masks, k)
			}
		}
	}
}

// loadFace parses the theme's regular font, again only when the theme
// gives another one.
func (lp *labelPainter) loadFace() bool {
	res := theme.TextFont()
	if res == nil {
		return false
	}
	if lp.face != nil && lp.fontRes == res {
		return true
	}
	f, err := font.ParseTTF(bytes.NewReader(res.Content()))
	if err != nil {
		fyne.LogError("chart labels: the theme's font", err)
		return false
	}
	lp.fontRes, lp.face = res, f
	clear(lp.masks)
	return true
}

// mask returns text's coverage at size (Fyne units) and scale (device
// pixels per unit).
func (lp *labelPainter) mask(text string, size, scale float32) *labelMask {
	if !lp.loadFace() {
		return nil
	}
	k := labelKey{text, size, scale}
	if m, ok := lp.masks[k]; ok {
		m.used = lp.frame
		return m
	}
	runes := []rune(text)
	out := lp.shaper.Shape(shaping.Input{
		Text: runes, RunStart: 0, RunEnd: len(runes),
		Direction: di.DirectionLTR, Face: lp.face,
		Size: fixed.Int26_6(float64(size) * 64),
	})
	asc := int(math.Ceil(float64(out.LineBounds.Ascent) / 64 * float64(scale)))
	desc := int(math.Ceil(float64(-out.LineBounds.Descent) / 64 * float64(scale)))
	gap := int(math.Ceil(float64(out.LineBounds.Gap) / 64 * float64(scale)))
	w := int(math.Ceil(float64(out.Advance)/64*float64(scale))) + 2
	h := asc + desc + gap
	m := &labelMask{mask: image.NewAlpha(image.Rect(0, 0, max(w, 1), max(h, 1))), ascPx: asc, used: lp.frame}
	lp.rend.FontSize, lp.rend.PixScale, lp.rend.Color = size, scale, color.White
	lp.rend.DrawShapedRunAt(out, m.mask, 0, asc)
	if lp.masks == nil {
		lp.masks = map[labelKey]*labelMask{}
	}
	lp.masks[k] = m
	return m
}

// draw blends text in ink's colour onto dst with the mask's top-left at
// pos (Fyne units, from dst's corner) times scale, rounded to a device
// pixel.
func (lp *labelPainter) draw(dst *image.RGBA, text string, size, scale float32, pos fyne.Position, ink *image.Uniform) {
	m := lp.mask(text, size, scale)
	if m == nil {
		return
	}
	at := image.Pt(int(math.Round(float64(pos.X*scale))), int(math.Round(float64(pos.Y*scale))))
	draw.DrawMask(dst, m.mask.Rect.Add(at), ink, image.Point{}, m.mask, image.Point{}, draw.Over)
}
