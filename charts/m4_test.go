package charts

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"feedscope/charts/series"
)

// renderAll draws every point in [from, to] plus its neighbours outside,
// the way a chart without reduction would.
func renderAll(sr *series.Series, from, to int64, yMin, yMax float64, img *image.RGBA, lw float32) {
	var ts []int64
	var vs []float64
	var prevT int64
	var prevV float64
	havePrev, done := false, false
	for t, v := range sr.Points(-1<<62, 1<<62) {
		switch {
		case t < from:
			prevT, prevV, havePrev = t, v, true
			continue
		case t > to:
			if !done {
				ts, vs = append(ts, t), append(vs, v)
				done = true
			}
			continue
		}
		if havePrev {
			ts, vs = append(ts, prevT), append(vs, prevV)
			havePrev = false
		}
		ts, vs = append(ts, t), append(vs, v)
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	xs, ys := project(ts, vs, from, yMax, float64(w)/float64(to-from), float64(h)/(yMax-yMin), nil, nil)
	d := lineDrawer{exact: true}
	d.draw(img, xs, ys, []int{0}, lw, color.NRGBA{0x3d, 0x85, 0xe0, 0xff})
}

func renderReduced(sr *series.Series, from, to int64, yMin, yMax float64, img *image.RGBA, lw float32) {
	var red series.Reduced
	w, h := img.Rect.Dx(), img.Rect.Dy()
	sr.Reduce(from, to, w, &red)
	xs, ys := project(red.T, red.V, from, yMax, float64(w)/float64(to-from), float64(h)/(yMax-yMin), nil, nil)
	var d lineDrawer
	d.draw(img, xs, ys, red.Starts, lw, color.NRGBA{0x3d, 0x85, 0xe0, 0xff})
}

// pictureDiff compares two renders of one line. They cannot be equal byte
// for byte: summing the anti-aliased coverage of thousands of overlapping
// segments makes the every-point render bolder inside dense columns, and
// with a 1.5 px line a column's ink depends on where inside the
// neighbouring columns the points lie. The stated tolerance is one pixel:
// every pixel with alpha >= solid in either render has a pixel with
// alpha >= faint within 1 px (8-neighbourhood) in the other. It returns the
// number of pixels outside that tolerance.
// tolAlpha is the coverage (a quarter) that counts as ink for pictureDiff.
const tolAlpha = 64

func pictureDiff(a, b *image.Alpha, solid, faint uint8) (strays int) {
	w, h := a.Rect.Dx(), a.Rect.Dy()
	near := func(m *image.Alpha, x, y int) bool {
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				if image.Pt(x+dx, y+dy).In(m.Rect) && m.Pix[(y+dy)*m.Stride+x+dx] >= faint {
					return true
				}
			}
		}
		return false
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if a.Pix[y*a.Stride+x] >= solid && !near(b, x, y) {
				strays++
			}
			if b.Pix[y*b.Stride+x] >= solid && !near(a, x, y) {
				strays++
			}
		}
	}
	return strays
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func alphaOf(img *image.RGBA) *image.Alpha {
	m := image.NewAlpha(img.Rect)
	for i := range m.Pix {
		m.Pix[i] = img.Pix[4*i+3]
	}
	return m
}

// randomWalk fills a series with n points of a random walk with spikes,
// which are what a reduction must not lose.
func randomWalk(r *rand.Rand, n int) (*series.Series, int64) {
	s, _ := series.New(series.Options{})
	sr, _ := s.Series("x")
	tm, v := int64(0), 0.0
	vol := 1 + r.Float64()*5
	for range n {
		tm += 1 + int64(r.IntN(1000))
		if r.IntN(50) == 0 {
			v += r.NormFloat64() * vol * 20
		} else {
			v += r.NormFloat64() * vol
		}
		sr.AppendNanos(tm, v)
	}
	return sr, tm
}

// TestM4MatchesEveryPoint is the M4 property: on random walks with spikes
// (1k to 61k points into 400 columns, random windows) the picture drawn from
// the reduction matches the picture drawn from every point within
// pictureDiff's tolerance: every pixel of at least 25% coverage in either
// render has a pixel of at least 25% coverage within 1 px in the other.
func TestM4MatchesEveryPoint(t *testing.T) {
	const W, H = 400, 200
	r := rand.New(rand.NewPCG(7, 8))
	for trial := range 12 {
		n := 1000 + r.IntN(60000)
		sr, tm := randomWalk(r, n)
		from := int64(r.IntN(int(tm / 4)))
		to := tm - int64(r.IntN(int(tm/4)))
		st := sr.Stats(from, to)
		yMin, yMax := st.Min-1, st.Max+1
		a := image.NewRGBA(image.Rect(0, 0, W, H))
		b := image.NewRGBA(image.Rect(0, 0, W, H))
		renderAll(sr, from, to, yMin, yMax, a, 1.5)
		renderReduced(sr, from, to, yMin, yMax, b, 1.5)
		if strays := pictureDiff(alphaOf(a), alphaOf(b), tolAlpha, tolAlpha); strays > 0 {
			t.Errorf("trial %d (%d points, %v..%v): %d pixels outside the tolerance", trial, n, from, to, strays)
		}
	}
}

// TestPictureDiffCatchesDecimation shows the comparison can fail: keeping
// every 20th point (a decimation that loses spikes) is caught.
func TestPictureDiffCatchesDecimation(t *testing.T) {
	const W, H = 400, 200
	r := rand.New(rand.NewPCG(9, 10))
	sr, tm := randomWalk(r, 40000)
	st := sr.Stats(0, tm)
	a := image.NewRGBA(image.Rect(0, 0, W, H))
	renderAll(sr, 0, tm, st.Min-1, st.Max+1, a, 1.5)
	s2, _ := series.New(series.Options{})
	dec, _ := s2.Series("x")
	k := 0
	for t0, v := range sr.Points(0, tm) {
		if k%20 == 0 {
			dec.AppendNanos(t0, v)
		}
		k++
	}
	b := image.NewRGBA(image.Rect(0, 0, W, H))
	renderAll(dec, 0, tm, st.Min-1, st.Max+1, b, 1.5)
	if strays := pictureDiff(alphaOf(a), alphaOf(b), tolAlpha, tolAlpha); strays == 0 {
		t.Fatal("decimated render passed as identical")
	}
}
