package app

import (
	"fmt"
	"image"
	"image/png"
	"io"

	"fyne.io/fyne/v2"
)

// The whole dashboard as one picture: File ▸ Save dashboard as PNG….
// (File ▸ Export CSV… writes every series of the store, so every feed of
// the dashboard, already.)

// dashboardImage draws every panel of the open dashboard as the window
// lays them out: its grid, at the size and scale of the window's chart
// area, each panel's title (with its unit) above its chart as it is now
// (its series, the shared time range, its Y axis, thresholds and alarm
// frame).
func (u *UI) dashboardImage() (image.Image, error) {
	v := u.dash
	if v == nil {
		return nil, fmt.Errorf("no dashboard is open")
	}
	size := v.grid.Size()
	if size.Width < 1 || size.Height < 1 {
		// Not laid out (a hidden window): a screen's worth.
		size = fyne.NewSize(1200, 800)
	}
	scale := float32(1)
	if c := u.win.Canvas(); c != nil && c.Scale() > 0 {
		scale = c.Scale()
	}
	cells := make([]gridCell, len(v.panels))
	for i, p := range v.panels {
		cells[i] = gridCell{title: p.title.Text, firing: p.chart.Alert(), chart: p.chart}
	}
	return renderGrid(v.d.Columns, cells, size, scale)
}

// writeDashboardPNG writes dashboardImage as a PNG.
func (u *UI) writeDashboardPNG(w io.Writer) error {
	img, err := u.dashboardImage()
	if err != nil {
		return err
	}
	return png.Encode(w, img)
}

// saveDashboardPNGDialog saves the whole dashboard as a PNG (the one
// chart in the single-URL window).
func (u *UI) saveDashboardPNGDialog() {
	if u.dash == nil {
		u.savePNGDialog()
		return
	}
	u.savePNGAs("dashboard.png", u.writeDashboardPNG)
}
