package charts

import (
	"image"
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"go.uber.org/goleak"

	"feedscope/charts/series"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// base is a fixed instant, so goldens do not depend on when tests run.
var base = time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC)

func newStore(t testing.TB) *series.Store {
	t.Helper()
	s, err := series.New(series.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fillWave appends n points a second apart of a deterministic signal.
func fillWave(t testing.TB, s *series.Store, name string, n int, amp, period, offset float64) {
	t.Helper()
	for i := range n {
		x := float64(i)
		v := offset + amp*math.Sin(2*math.Pi*x/period) + amp*0.3*math.Sin(2*math.Pi*x/(period/7.3))
		if err := s.Append(name, base.Add(time.Duration(i)*time.Second), v); err != nil {
			t.Fatal(err)
		}
	}
}

// show puts the chart in a 800x450 test window with the given theme.
func show(t *testing.T, c *Chart, th fyne.Theme) fyne.Window {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(th)
	c.SetLocation(time.UTC)
	w := test.NewWindow(c)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(800, 450))
	t.Cleanup(w.Close)
	return w
}

func capture(w fyne.Window) image.Image { return w.Canvas().Capture() }

func TestGoldenOneSeries(t *testing.T) {
	s := newStore(t)
	fillWave(t, s, "rx.bytes", 600, 400e3, 120, 1.2e6)
	c := New(s)
	c.SetWindow(5 * time.Minute)
	w := show(t, c, theme.LightTheme())
	test.AssertImageMatches(t, "one_series.png", capture(w))
}

func TestGoldenSeveral(t *testing.T) {
	s := newStore(t)
	fillWave(t, s, "cpu", 900, 20, 120, 50)
	fillWave(t, s, "mem.pct", 900, 10, 400, 70)
	fillWave(t, s, "load.x10", 900, 8, 60, 20)
	c := New(s)
	c.SetWindow(15 * time.Minute)
	w := show(t, c, theme.LightTheme())
	test.AssertImageMatches(t, "several.png", capture(w))
}

func TestGoldenGap(t *testing.T) {
	s := newStore(t)
	for i := range 300 {
		if i == 150 {
			s.MarkBreak()
		}
		if i >= 150 && i < 200 {
			continue // disconnected
		}
		s.Append("temp", base.Add(time.Duration(i)*time.Second), 20+5*math.Sin(float64(i)/20))
	}
	c := New(s)
	c.SetWindow(5 * time.Minute)
	w := show(t, c, theme.LightTheme())
	test.AssertImageMatches(t, "gap.png", capture(w))
}

func TestGoldenDark(t *testing.T) {
	s := newStore(t)
	for k, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"} {
		fillWave(t, s, n, 300, 10, 60+float64(k)*13, float64(k)*15)
	}
	c := New(s)
	c.SetWindow(5 * time.Minute)
	w := show(t, c, theme.DarkTheme())
	test.AssertImageMatches(t, "dark.png", capture(w))
}

func TestGoldenWaiting(t *testing.T) {
	c := New(newStore(t))
	w := show(t, c, theme.LightTheme())
	test.AssertImageMatches(t, "waiting.png", capture(w))
}
