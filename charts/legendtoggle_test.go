package charts

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// With SetOnLegendToggle a legend tap asks its owner and switches nothing
// itself: a dashboard writes the choice into its file and redraws.
func TestLegendToggleHook(t *testing.T) {
	c, w, _ := twoSeries(t)
	var got []string
	c.SetOnLegendToggle(func(name string, visible bool) {
		if visible {
			name += " on"
		} else {
			name += " off"
		}
		got = append(got, name)
	})
	for _, h := range c.legendHits {
		if h.name == "mem" {
			test.TapCanvas(w.Canvas(), h.pos.Add(fyne.NewPos(h.size.Width/2, h.size.Height/2)))
		}
	}
	if len(got) != 1 || got[0] != "mem off" || !c.SeriesVisible("mem") {
		t.Errorf("a legend tap asked %q and left mem drawn %v; want [mem off] and mem still drawn", got, c.SeriesVisible("mem"))
	}
}
