//go:build ignore

// icon_gen draws icon.png: a live line chart on a rounded tile. Run it
// with `go generate ./assets` after changing it.
package main

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"log"
	"math"
	"os"

	"golang.org/x/image/vector"
)

const size = 512

func main() {
	img := image.NewRGBA(image.Rect(0, 0, size, size))

	// Tile: a rounded square with a vertical gradient, deep blue to teal.
	tile := vector.NewRasterizer(size, size)
	roundRect(tile, 24, 24, size-24, size-24, 96)
	top, bottom := color.NRGBA{0x1d, 0x2b, 0x53, 0xff}, color.NRGBA{0x0f, 0x6e, 0x7a, 0xff}
	grad := image.NewRGBA(img.Bounds())
	for y := 0; y < size; y++ {
		f := float64(y) / size
		c := color.NRGBA{lerp(top.R, bottom.R, f), lerp(top.G, bottom.G, f), lerp(top.B, bottom.B, f), 0xff}
		draw.Draw(grad, image.Rect(0, y, size, y+1), image.NewUniform(c), image.Point{}, draw.Src)
	}
	tile.Draw(img, img.Bounds(), grad, image.Point{})

	// Faint grid lines.
	for _, y := range []float32{176, 256, 336} {
		r := vector.NewRasterizer(size, size)
		rect(r, 88, y-2, size-88, y+2)
		r.Draw(img, img.Bounds(), image.NewUniform(color.NRGBA{0xff, 0xff, 0xff, 0x30}), image.Point{})
	}

	// Two series: an amber line behind, a bright mint line in front.
	line(img, func(x float64) float64 { return 300 + 50*math.Sin(x*2.1+1.3) }, 16, color.NRGBA{0xff, 0xb3, 0x47, 0xff})
	line(img, func(x float64) float64 { return 250 - 90*math.Sin(x*3.2)*math.Exp(-x*0.25) }, 22, color.NRGBA{0x7c, 0xf5, 0xc8, 0xff})

	// The newest point, as a live dot at the right edge.
	dot := vector.NewRasterizer(size, size)
	circle(dot, float32(size-104), float32(250-90*math.Sin(3.2*3)*math.Exp(-3*0.25)), 26)
	dot.Draw(img, img.Bounds(), image.NewUniform(color.NRGBA{0xff, 0xff, 0xff, 0xff}), image.Point{})

	f, err := os.Create("icon.png")
	if err != nil {
		log.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

func lerp(a, b uint8, f float64) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*f) }

// line strokes y(x) for x in [0, 3] across the tile with width w: a
// polygon of the curve offset along its normal on each side.
func line(img *image.RGBA, y func(float64) float64, w float32, c color.NRGBA) {
	const n = 400
	x0, x1 := 104.0, float64(size-104)
	pt := func(i int) (float64, float64) {
		return x0 + (x1-x0)*float64(i)/n, y(float64(i) / n * 3)
	}
	side := func(i int, s float64) (float32, float32) {
		a, b := max(i-1, 0), min(i+1, n)
		ax, ay := pt(a)
		bx, by := pt(b)
		dx, dy := bx-ax, by-ay
		l := math.Hypot(dx, dy)
		x, yy := pt(i)
		return float32(x - s*dy/l*float64(w)/2), float32(yy + s*dx/l*float64(w)/2)
	}
	r := vector.NewRasterizer(size, size)
	r.MoveTo(side(0, 1))
	for i := 1; i <= n; i++ {
		r.LineTo(side(i, 1))
	}
	for i := n; i >= 0; i-- {
		r.LineTo(side(i, -1))
	}
	r.ClosePath()
	r.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{})
	// Round caps.
	for _, i := range []int{0, n} {
		x, yy := pt(i)
		cr := vector.NewRasterizer(size, size)
		circle(cr, float32(x), float32(yy), w/2)
		cr.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{})
	}
}

func rect(r *vector.Rasterizer, x0, y0, x1, y1 float32) {
	r.MoveTo(x0, y0)
	r.LineTo(x1, y0)
	r.LineTo(x1, y1)
	r.LineTo(x0, y1)
	r.ClosePath()
}

func roundRect(r *vector.Rasterizer, x0, y0, x1, y1, rad float32) {
	const k = 0.5523 // cubic approximation of a quarter circle
	r.MoveTo(x0+rad, y0)
	r.LineTo(x1-rad, y0)
	r.CubeTo(x1-rad+rad*k, y0, x1, y0+rad-rad*k, x1, y0+rad)
	r.LineTo(x1, y1-rad)
	r.CubeTo(x1, y1-rad+rad*k, x1-rad+rad*k, y1, x1-rad, y1)
	r.LineTo(x0+rad, y1)
	r.CubeTo(x0+rad-rad*k, y1, x0, y1-rad+rad*k, x0, y1-rad)
	r.LineTo(x0, y0+rad)
	r.CubeTo(x0, y0+rad-rad*k, x0+rad-rad*k, y0, x0+rad, y0)
	r.ClosePath()
}

func circle(r *vector.Rasterizer, cx, cy, rad float32) {
	const k = 0.5523
	r.MoveTo(cx+rad, cy)
	r.CubeTo(cx+rad, cy+rad*k, cx+rad*k, cy+rad, cx, cy+rad)
	r.CubeTo(cx-rad*k, cy+rad, cx-rad, cy+rad*k, cx-rad, cy)
	r.CubeTo(cx-rad, cy-rad*k, cx-rad*k, cy-rad, cx, cy-rad)
	r.CubeTo(cx+rad*k, cy-rad, cx+rad, cy-rad*k, cx+rad, cy)
	r.ClosePath()
}
