package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/software"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/compute"
	"feedscope/app/dashboard"
	"feedscope/charts"
	"feedscope/charts/series"
	"feedscope/feeds"
)

// storeSink stores a dashboard's rows for snapshot --dashboard.
type storeSink struct {
	store *series.Store
	// dropped counts points the store refused (out of order, too many
	// series): the picture leaves them out, as the window does.
	dropped int64
}

func (s *storeSink) row(x feeds.Sample) error {
	if err := s.store.Append(x.Series, x.Time, x.Value); err != nil {
		s.dropped++
	}
	return nil
}

func (s *storeSink) flush() error { return nil }

// snapshotDashboard watches every feed of a dashboard file for dur and
// draws its panels, in the dashboard's grid, to a w×h PNG at out.
func snapshotDashboard(ctx context.Context, fs *flag.FlagSet, file string, dur time.Duration, out string, w, h int, dark bool, hide []string, stderr io.Writer) error {
	d, err := loadDashboard(fs, file)
	if err != nil {
		return err
	}
	if len(d.Panels) == 0 {
		return fmt.Errorf("snapshot: %s has no panel to draw", file)
	}
	history := max(dur, minHistory)
	sink := &storeSink{store: newStore(history)}
	cctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	r, err := runDashboard(cctx, d, sink, dashOptions{cmd: "snapshot"}, stderr)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return errors.New("snapshot: interrupted")
	}
	if r.written == 0 {
		return fmt.Errorf("snapshot: no samples in %v", dur)
	}
	firing := make([]bool, len(d.Panels))
	for i, p := range d.Panels {
		firing[i] = panelFired(p, r.shows[i], r.noData[i], sink.store)
	}
	img, err := renderDashboard(d, r.shows, firing, sink.store, history, w, h, dark, hide)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if err := writePNG(out, img); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "feedscope snapshot: %d panels of %d series → %s\n", len(d.Panels), sink.store.Len(), out)
	return nil
}

// renderDashboard draws every panel of d in its grid: a title above a
// chart of the series shows[i] names for panel i, with the panel's
// thresholds, on its fixed Y range when it has one, over everything
// collected; drawn firing where firing[i].
func renderDashboard(d *dashboard.Dashboard, shows []map[string]bool, firing []bool, store *series.Store, history time.Duration, w, h int, dark bool, hide []string) (image.Image, error) {
	useTheme(dark)
	hidden := map[string]bool{}
	for _, n := range hide {
		hidden[n] = true
	}
	cells := make([]gridCell, len(d.Panels))
	for i, p := range d.Panels {
		// A store of the panel's own series, so that its legend lists
		// those and no others, in the order they arrived.
		own := newStore(history)
		for _, name := range store.Names() {
			if !shows[i][name] || hidden[name] {
				continue
			}
			dst, err := own.Series(name)
			if err != nil {
				return nil, err
			}
			for t, v := range store.Lookup(name).Points(math.MinInt64, math.MaxInt64) {
				dst.AppendNanos(t, v)
			}
		}
		c := charts.New(own)
		if p.Y != nil {
			if err := c.SetYRange(p.Y.Min, p.Y.Max); err != nil {
				return nil, err
			}
		}
		if err := c.SetWindow(charts.WindowAll); err != nil {
			return nil, err
		}
		ths, err := chartThresholds(p.Thresholds)
		if err != nil {
			return nil, err
		}
		c.SetThresholds(ths)
		c.SetAlert(firing[i])
		cells[i] = gridCell{title: panelName(p, i), firing: firing[i], chart: c}
	}
	return renderGrid(d.Columns, cells, fyne.NewSize(float32(w), float32(h)), 1)
}

// gridCell is one panel of a dashboard picture: its title and its chart,
// drawn as it is (series, view, Y range, thresholds).
type gridCell struct {
	title  string
	firing bool // the title in the alarm colour
	chart  *charts.Chart
}

// renderGrid draws cells as the window lays out a dashboard's panels: in
// columns (at most one a panel), each a title above its chart, on a
// size canvas (Fyne units) at scale device pixels a unit.
func renderGrid(columns int, cells []gridCell, size fyne.Size, scale float32) (image.Image, error) {
	cols := max(1, min(columns, len(cells)))
	rows := (len(cells) + cols - 1) / cols
	grid := container.NewGridWithColumns(cols)
	// Each cell's chart is rendered at the size the grid gives it, so
	// lines and labels are drawn at their own resolution, not scaled.
	pad := theme.Padding()
	title := widget.NewLabel("X").MinSize().Height
	cellW := (size.Width - pad*float32(cols-1)) / float32(cols)
	cellH := (size.Height - pad*float32(rows-1)) / float32(rows)
	chartSize := fyne.NewSize(cellW, cellH-title)
	if chartSize.Width < 1 || chartSize.Height < 1 {
		return nil, fmt.Errorf("%vx%v is too small for %d panels", size.Width, size.Height, len(cells))
	}
	for _, cell := range cells {
		img, err := cell.chart.Image(chartSize, scale)
		if err != nil {
			return nil, err
		}
		label := widget.NewLabelWithStyle(cell.title, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		label.Truncation = fyne.TextTruncateEllipsis
		if cell.firing {
			label.Importance = widget.DangerImportance // the title in the alarm colour too
		}
		chart := canvas.NewImageFromImage(img)
		chart.FillMode = canvas.ImageFillStretch
		grid.Add(container.NewBorder(label, nil, nil, nil, chart))
	}
	cv := software.NewCanvas()
	cv.SetPadded(false)
	cv.SetScale(scale)
	cv.SetContent(grid)
	cv.Resize(size)
	return cv.Capture(), nil
}

// chartThresholds turns a panel's thresholds into the chart's: the area
// beyond a shaded one is the side its direction names.
func chartThresholds(ths []compute.Threshold) ([]charts.Threshold, error) {
	out := make([]charts.Threshold, 0, len(ths))
	for _, th := range ths {
		col, err := compute.ParseColour(th.Colour)
		if err != nil {
			return nil, err
		}
		shade := charts.ShadeNone
		switch {
		case th.Shade && th.Dir == compute.Below:
			shade = charts.ShadeBelow
		case th.Shade:
			shade = charts.ShadeAbove
		}
		out = append(out, charts.Threshold{Value: th.Value, Color: col, Label: th.Label, Shade: shade})
	}
	return out, nil
}

// panelFired reports whether an alarm of a panel fired during the
// collection: its no-data alarm is active at the end, or one of its alarm
// thresholds fires over the points collected of a series the panel shows.
// The recording's alarms ran on arrival times and keep no history, so the
// thresholds are run again here on the points' own times: a firing that
// cleared before the end still marks the panel, as it would have turned
// the window's panel red meanwhile.
func panelFired(p dashboard.Panel, shows map[string]bool, noData *compute.Alarm, store *series.Store) bool {
	if noData != nil && noData.State().Active() {
		return true
	}
	for _, th := range p.Thresholds {
		if !th.Alarm {
			continue
		}
		for name := range shows {
			sr := store.Lookup(name)
			if sr == nil {
				continue
			}
			rule, err := th.Rule(name)
			if err != nil {
				continue // Load checked every threshold
			}
			a, err := compute.NewAlarm(rule)
			if err != nil {
				continue
			}
			for t, v := range sr.Points(math.MinInt64, math.MaxInt64) {
				for _, tr := range a.Sample(time.Unix(0, t), v) {
					if tr.To == compute.Firing {
						return true
					}
				}
			}
		}
	}
	return false
}
