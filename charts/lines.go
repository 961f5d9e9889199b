package charts

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"sort"

	"golang.org/x/image/vector"
)

// stripW is the width of the column strips segments are rasterised in,
// each strip only as tall as the segments in it.
const stripW = 32

// lineDrawer draws anti-aliased polylines onto an *image.RGBA. Its buffers
// are reused across frames, so a steady frame allocates nothing.
//
// Coverage is gathered in a column-major alpha buffer the size of the
// target and composited once per series, touching only the rows each column
// dirtied: the cost follows the ink, not the bounding box of the line
// (x/image/vector drawing straight onto the RGBA blends every pixel of its
// bounds in scalar code: about 9.5 ms for 1M points). Two kinds of stroke
// feed it:
//   - a bar: three or more consecutive points inside one pixel column (the
//     M4 first, min, max and last of a dense column) are covered by the box
//     from their lowest to their highest point, its edge pixels given their
//     exact area coverage. The union of their strokes differs from the box
//     by less than a pixel. A segment joining two bars less than a pixel
//     apart is folded into them.
//   - every other segment is rasterised by x/image/vector, in strips.
type lineDrawer struct {
	rz    vector.Rasterizer
	mask  image.Alpha
	prims []prim
	// exact draws every segment as its own stroke, never making bars: the
	// reference the M4 test compares with.
	exact bool

	cov      []uint8 // column-major coverage, w*h
	top, bot []int32 // dirty rows per column, top > bot when clean
	w, h     int
}

// prim is one stroke: a segment, or (bar) the box x0..x1 × y0..y1.
type prim struct {
	x0, y0, x1, y1 float32
	bar            bool
}

// draw strokes the polylines given by xs/ys (device pixels, x non-decreasing
// within each polyline, as time is) starting at the indices in starts, with
// line width lw, onto dst (whose bounds start at 0,0).
func (d *lineDrawer) draw(dst *image.RGBA, xs, ys []float32, starts []int, lw float32, c color.Color) {
	if len(xs) == 0 || dst.Rect.Empty() {
		return
	}
	d.prepare(dst.Rect.Dx(), dst.Rect.Dy())
	hw := lw / 2
	d.buildPrims(xs, ys, starts)
	prims := d.prims
	for i := range prims {
		if p := &prims[i]; p.bar {
			d.paintBar(p.x0-hw, p.y0-hw, p.x1+hw, p.y1+hw)
		}
	}
	for sx := 0; sx < d.w; sx += stripW {
		ex := min(sx+stripW, d.w)
		lo, hi := float32(sx)-hw-1, float32(ex)+hw+1
		// Prims are ordered by both ends' x: find the first reaching lo.
		first := sort.Search(len(prims), func(k int) bool { return prims[k].x1 >= lo })
		visit := func(fn func(x0, y0, x1, y1 float32)) {
			for k := first; k < len(prims) && prims[k].x0 <= hi; k++ {
				p := prims[k]
				if p.bar {
					continue
				}
				x0, y0, x1, y1, ok := clipAxis(p.x0, p.y0, p.x1, p.y1, lo, hi)
				if ok {
					fn(x0, y0, x1, y1)
				}
			}
		}
		ymin, ymax := float32(math.MaxFloat32), float32(-math.MaxFloat32)
		found := false
		visit(func(x0, y0, x1, y1 float32) {
			found = true
			ymin = min(ymin, y0, y1)
			ymax = max(ymax, y0, y1)
		})
		if !found {
			continue
		}
		top := max(int(math.Floor(float64(ymin-hw-1))), 0)
		bot := min(int(math.Ceil(float64(ymax+hw+1))), d.h)
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
			if ok {
				d.quad(x0-ox, y0-oy, x1-ox, y1-oy, hw)
			}
		})
		d.ensureMask(w, h)
		d.rz.Draw(&d.mask, d.mask.Rect, image.Opaque, image.Point{})
		d.mergeMask(sx, top)
	}
	d.composite(dst, c)
}

// prepare sizes the coverage buffer for a w×h target.
func (d *lineDrawer) prepare(w, h int) {
	if d.w != w || d.h != h {
		d.w, d.h = w, h
		d.cov = make([]uint8, w*h)
		d.top = make([]int32, w)
		d.bot = make([]int32, w)
		for x := range d.top {
			d.top[x], d.bot[x] = int32(h), -1
		}
	}
}

// paintBar adds the box [x0,x1]×[y0,y1] with exact area coverage of its
// edge pixels, keeping the larger coverage where strokes overlap.
func (d *lineDrawer) paintBar(x0, y0, x1, y1 float32) {
	px0 := max(int(math.Floor(float64(x0))), 0)
	px1 := min(int(math.Ceil(float64(x1))), d.w)
	py0 := max(int(math.Floor(float64(y0))), 0)
	py1 := min(int(math.Ceil(float64(y1))), d.h)
	if px0 >= px1 || py0 >= py1 {
		return
	}
	overlap := func(p int, a, b float32) float32 {
		return max(0, min(float32(p+1), b)-max(float32(p), a))
	}
	for x := px0; x < px1; x++ {
		cx := overlap(x, x0, x1)
		if cx <= 0 {
			continue
		}
		col := d.cov[x*d.h : (x+1)*d.h]
		full := uint8(cx*255 + 0.5)
		for y := py0; y < py1; y++ {
			a := full
			if y == py0 || y == py1-1 {
				a = uint8(cx*overlap(y, y0, y1)*255 + 0.5)
			}
			if a > col[y] {
				col[y] = a
			}
		}
		d.top[x] = min(d.top[x], int32(py0))
		d.bot[x] = max(d.bot[x], int32(py1-1))
	}
}

// mergeMask adds the strip mask at (sx, top) into the coverage buffer.
func (d *lineDrawer) mergeMask(sx, top int) {
	w, h := d.mask.Rect.Dx(), d.mask.Rect.Dy()
	for x := 0; x < w; x++ {
		col := d.cov[(sx+x)*d.h+top : (sx+x)*d.h+top+h]
		lo, hi := -1, -1
		for y := range col {
			m := d.mask.Pix[y*d.mask.Stride+x]
			if m == 0 {
				continue
			}
			if lo < 0 {
				lo = y
			}
			hi = y
			// Saturating add joins strokes without seams.
			if s := uint16(col[y]) + uint16(m); s > 255 {
				col[y] = 255
			} else {
				col[y] = uint8(s)
			}
		}
		if lo >= 0 {
			d.top[sx+x] = min(d.top[sx+x], int32(top+lo))
			d.bot[sx+x] = max(d.bot[sx+x], int32(top+hi))
		}
	}
}

// composite blends c through the coverage onto dst and clears what it used.
func (d *lineDrawer) composite(dst *image.RGBA, c color.Color) {
	cr, cg, cb, ca := c.RGBA() // premultiplied, 16 bit
	sr, sg, sb, sa := cr>>8, cg>>8, cb>>8, ca>>8
	for x := 0; x < d.w; x++ {
		t, b := int(d.top[x]), int(d.bot[x])
		if t > b {
			continue
		}
		col := d.cov[x*d.h : (x+1)*d.h]
		for y := t; y <= b; y++ {
			m := uint32(col[y])
			if m == 0 {
				continue
			}
			col[y] = 0
			o := y*dst.Stride + 4*x
			p := dst.Pix[o : o+4 : o+4]
			if m == 255 && sa == 255 {
				p[0], p[1], p[2], p[3] = uint8(sr), uint8(sg), uint8(sb), 255
				continue
			}
			// out = src·m + dst·(1 - sa·m), all in 0..255.
			ia := 255 - div255(sa*m)
			p[0] = uint8(div255(sr*m + uint32(p[0])*ia))
			p[1] = uint8(div255(sg*m + uint32(p[1])*ia))
			p[2] = uint8(div255(sb*m + uint32(p[2])*ia))
			p[3] = uint8(div255(sa*m + uint32(p[3])*ia))
		}
		d.top[x], d.bot[x] = int32(d.h), -1
	}
}

// div255 is x/255 rounded, exact for 0 <= x <= 255·255.
func div255(x uint32) uint32 {
	x += 128
	return (x + x>>8) >> 8
}

// buildPrims turns polylines into strokes ordered by x.
func (d *lineDrawer) buildPrims(xs, ys []float32, starts []int) {
	d.prims = d.prims[:0]
	seg := func(a, b int) { d.prims = append(d.prims, prim{x0: xs[a], y0: ys[a], x1: xs[b], y1: ys[b]}) }
	for s, st := range starts {
		e := len(xs)
		if s+1 < len(starts) {
			e = starts[s+1]
		}
		if e-st == 1 {
			seg(st, st) // a lone point draws a dot
			continue
		}
		prevBar := -1 // index in prims of the bar ending at point i-1
		for i := st; i < e; {
			j := i + 1
			if !d.exact {
				col := float32(math.Floor(float64(xs[i])))
				for j < e && xs[j] < col+1 {
					j++
				}
			}
			if j-i >= 3 {
				lo, hi := ys[i], ys[i]
				for k := i + 1; k < j; k++ {
					if ys[k] < lo {
						lo = ys[k]
					}
					if ys[k] > hi {
						hi = ys[k]
					}
				}
				if prevBar >= 0 && xs[i]-xs[i-1] <= 1 {
					// Fold the joining segment into both bars.
					pb := &d.prims[prevBar]
					pb.y0, pb.y1 = min(pb.y0, ys[i]), max(pb.y1, ys[i])
					lo, hi = min(lo, ys[i-1]), max(hi, ys[i-1])
				} else if i > st {
					seg(i-1, i)
				}
				d.prims = append(d.prims, prim{x0: xs[i], y0: lo, x1: xs[j-1], y1: hi, bar: true})
				prevBar = len(d.prims) - 1
			} else {
				if i > st {
					seg(i-1, i)
				}
				for k := i; k+1 < j; k++ {
					seg(k, k+1)
				}
				prevBar = -1
			}
			i = j
		}
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
