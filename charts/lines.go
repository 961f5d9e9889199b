package charts

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/vector"
)

// stripWidth is the width of the column strips lines are rasterised in.
// Rasterising the whole plot into one mask per series costs a clear and an
// accumulate of every pixel; strips sized to the line's height in that strip
// touch only the pixels near the line (LIBRARIES.md: 1.9 ms against 2.7 ms
// for 1M points, and 9.5 ms for vector straight onto the RGBA).
const stripWidth = 64

// lineDrawer draws anti-aliased polylines onto an *image.RGBA. Its buffers
// are reused across frames, so a steady frame allocates nothing.
type lineDrawer struct {
	rz   vector.Rasterizer
	mask image.Alpha
	src  image.Uniform
}

// draw strokes the polylines given by xs/ys (device pixels, x non-decreasing
// within each polyline, as time is) starting at the indices in starts, with
// line width lw, clipped to clip.
func (d *lineDrawer) draw(dst *image.RGBA, clip image.Rectangle, xs, ys []float32, starts []int, lw float32, c color.Color) {
	if len(xs) == 0 || clip.Empty() {
		return
	}
	d.src.C = c
	hw := lw / 2
	// seg k joins point k and k+1; segStart[k] false where a polyline
	// begins at k+1. Single points draw a dot.
	end := func(s int) int {
		if s+1 < len(starts) {
			return starts[s+1]
		}
		return len(xs)
	}
	for sx := clip.Min.X; sx < clip.Max.X; sx += stripWidth {
		ex := min(sx+stripWidth, clip.Max.X)
		lo, hi := float32(sx)-hw-1, float32(ex)+hw+1
		ymin, ymax := float32(math.MaxFloat32), float32(-math.MaxFloat32)
		found := false
		visit := func(fn func(x0, y0, x1, y1 float32)) {
			for s, st := range starts {
				e := end(s)
				if e-st == 1 {
					if xs[st] >= lo && xs[st] <= hi {
						fn(xs[st], ys[st], xs[st], ys[st])
					}
					continue
				}
				// Skip to the first segment that can reach this strip.
				k := st + searchF32(xs[st:e], lo)
				if k > st {
					k--
				}
				for ; k+1 < e && xs[k] <= hi; k++ {
					x0, y0, x1, y1, ok := clipAxis(xs[k], ys[k], xs[k+1], ys[k+1], lo, hi)
					if ok {
						fn(x0, y0, x1, y1)
					}
				}
			}
		}
		visit(func(x0, y0, x1, y1 float32) {
			found = true
			ymin = min(ymin, y0, y1)
			ymax = max(ymax, y0, y1)
		})
		if !found {
			continue
		}
		top := max(int(math.Floor(float64(ymin-hw-1))), clip.Min.Y)
		bot := min(int(math.Ceil(float64(ymax+hw+1))), clip.Max.Y)
		if bot <= top {
			continue
		}
		w, h := ex-sx, bot-top
		d.rz.Reset(w, h)
		d.rz.DrawOp = draw.Src // the mask is reused: overwrite, do not blend
		ox, oy := float32(sx), float32(top)
		ylo, yhi := float32(top)-hw-1, float32(bot)+hw+1
		visit(func(x0, y0, x1, y1 float32) {
			// Clip in y too: the rasterizer walks every row between
			// a segment's ends, even rows far outside its bounds.
			y0, x0, y1, x1, ok := clipAxis(y0, x0, y1, x1, ylo, yhi)
			if !ok {
				return
			}
			d.quad(x0-ox, y0-oy, x1-ox, y1-oy, hw)
		})
		d.ensureMask(w, h)
		d.rz.Draw(&d.mask, d.mask.Rect, image.Opaque, image.Point{})
		r := image.Rect(sx, top, ex, bot)
		draw.DrawMask(dst, r, &d.src, image.Point{}, &d.mask, image.Point{}, draw.Over)
	}
}

// quad adds the segment as a rectangle of half-width hw with square caps.
// Every quad winds the same way, because the rasterizer sums signed
// coverage: opposite windings would cancel where segments overlap.
func (d *lineDrawer) quad(x0, y0, x1, y1, hw float32) {
	dx, dy := x1-x0, y1-y0
	l := float32(math.Sqrt(float64(dx*dx + dy*dy)))
	if l < 1e-3 {
		dx, dy, l = 1, 0, 1
	}
	ux, uy := dx/l*hw, dy/l*hw // along the segment
	nx, ny := -uy, ux          // across it
	x0, y0 = x0-ux, y0-uy
	x1, y1 = x1+ux, y1+uy
	d.rz.MoveTo(x0+nx, y0+ny)
	d.rz.LineTo(x1+nx, y1+ny)
	d.rz.LineTo(x1-nx, y1-ny)
	d.rz.LineTo(x0-nx, y0-ny)
	d.rz.ClosePath()
}

func (d *lineDrawer) ensureMask(w, h int) {
	n := w * h
	if cap(d.mask.Pix) < n {
		d.mask.Pix = make([]uint8, n)
	}
	d.mask.Pix = d.mask.Pix[:n]
	d.mask.Stride = w
	d.mask.Rect = image.Rect(0, 0, w, h)
}

// searchF32 returns the first index with xs[i] >= x (xs non-decreasing).
func searchF32(xs []float32, x float32) int {
	lo, hi := 0, len(xs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if xs[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// clipAxis clips the segment (a0,b0)-(a1,b1) to lo <= a <= hi, moving b
// along the segment. ok is false when nothing is left.
func clipAxis(a0, b0, a1, b1, lo, hi float32) (float32, float32, float32, float32, bool) {
	if a0 > a1 {
		c0, d0, c1, d1, ok := clipAxis(a1, b1, a0, b0, lo, hi)
		return c1, d1, c0, d0, ok
	}
	if a1 < lo || a0 > hi {
		return 0, 0, 0, 0, false
	}
	da := a1 - a0
	if da == 0 {
		return a0, b0, a1, b1, true
	}
	if a0 < lo {
		b0 = b0 + (b1-b0)*((lo-a0)/da)
		a0 = lo
	}
	if a1 > hi {
		b1 = b0 + (b1-b0)*((hi-a0)/(a1-a0))
		a1 = hi
	}
	return a0, b0, a1, b1, true
}
