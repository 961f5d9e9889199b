package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/theme"

	"feedscope/charts"
	"feedscope/charts/series"
	"feedscope/feeds/hub"
)

const snapshotUsage = `Usage: feedscope snapshot --url URL --out chart.png [flags]
       feedscope snapshot --demo --out chart.png [flags]
       feedscope snapshot --dashboard FILE --out dashboard.png [flags]

Watch a feed for a while (--for), then draw its chart to a PNG file with
Fyne's software renderer: no display, GPU or window is needed. The chart
shows everything collected, one line per series (the first eight series
when there are more; --hide leaves some out). --demo starts the built-in
demo feed (the one the window shows on first launch) instead of --url.
--dashboard watches every feed of a dashboard file, computing its derived
series, and draws its panels in its grid of columns, each panel titled and
showing its series on its Y range; the image is --size as a whole. Its
state changes and alarm transitions go to standard error as with record
--dashboard, and a feed that cannot connect leaves its panels empty
rather than failing the snapshot (it fails when no feed sent a number).

Exit status: 0 when the PNG is written; 1 when the feed stopped for good,
nothing numeric arrived, or the file could not be written; 2 for a mistake
on the command line.

Flags:
`

const snapshotExamples = `
Examples:
  feedscope snapshot --url http://127.0.0.1:8080/sse --for 10s --out chart.png
  feedscope snapshot --url https://example.com/metrics --transport poll \
      --interval 1s --for 30s --size 1600x900 --out metrics.png
`

// Snapshot runs `feedscope snapshot` with the arguments after "snapshot".
// It must run on the program's main goroutine (Fyne draws there).
func Snapshot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedscope snapshot", flag.ContinueOnError)
	var ff feedFlags
	ff.register(fs, true)
	var (
		dur     = 5 * time.Second
		out     string
		sizeArg = "1200x600"
		dark    bool
		demo    bool
		hide    []string
	)
	fs.BoolVar(&demo, "demo", false, "watch the built-in demo feed instead of --url")
	fs.Func("hide", "leave out the series called `NAME`; repeat for more", func(s string) error {
		hide = append(hide, s)
		return nil
	})
	fs.DurationVar(&dur, "for", dur, "how long to collect before drawing")
	fs.StringVar(&out, "out", "", "PNG `file` to write (required)")
	fs.StringVar(&sizeArg, "size", sizeArg, "image size `WxH` in pixels")
	fs.BoolVar(&dark, "dark", false, "draw with the dark theme")
	var dashFile string
	fs.StringVar(&dashFile, "dashboard", "", "watch every feed of this dashboard `file` and draw all its panels, instead of --url")
	if err := parseCommand(fs, snapshotUsage, snapshotExamples, args, stdout, stderr); err != nil {
		return err
	}
	if demo {
		if dashFile != "" {
			return usageError(fs, errors.New("--demo and --dashboard are two sources: pick one"))
		}
		if ff.url != "" {
			return usageError(fs, errors.New("--demo and --url are two feeds: pick one"))
		}
		base, stop, err := hub.StartDemo(ctx)
		if err != nil {
			return fmt.Errorf("snapshot: start the demo feed: %w", err)
		}
		defer stop()
		ff.url = base + "/sse"
		hide = append(hide, demoHidden...)
	}
	if out == "" {
		return usageError(fs, errors.New("--out is required"))
	}
	if dur <= 0 {
		return usageError(fs, errors.New("--for must be positive"))
	}
	w, h, err := parseSize(sizeArg)
	if err != nil {
		return usageError(fs, err)
	}
	if dashFile != "" {
		return snapshotDashboard(ctx, fs, dashFile, dur, out, w, h, dark, hide, stderr)
	}
	cfg, err := ff.config()
	if err != nil {
		return usageError(fs, err)
	}

	store := newStore(max(dur, minHistory))
	b := &bridge{store: store}
	cctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	runErr := b.run(cctx, cfg, ff.settings.timeSource())
	if runErr != nil {
		return fmt.Errorf("snapshot: feed stopped: %s", plainError(runErr))
	}
	if ctx.Err() != nil {
		return errors.New("snapshot: interrupted")
	}
	if b.samples.Load() == 0 {
		p := b.take()
		why := ""
		if p.status.Err != nil {
			why = ": " + plainError(p.status.Err)
		} else if b.msgs.Load() > 0 {
			why = fmt.Sprintf(" (%d messages carried no numbers)", b.msgs.Load())
		}
		return fmt.Errorf("snapshot: no samples in %v%s", dur, why)
	}

	img, err := renderChart(store, w, h, dark, hide)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if err := writePNG(out, img); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "feedscope snapshot: %d samples of %d series from %d messages → %s\n",
		b.samples.Load(), store.Len(), b.msgs.Load(), out)
	return nil
}

// renderChart draws the whole store with the software renderer. Fyne
// needs an app for its theme and fonts; one that is never Run opens no
// window and needs no display.
func renderChart(store *series.Store, w, h int, dark bool, hide []string) (image.Image, error) {
	useTheme(dark)
	c := charts.New(store)
	for _, name := range hide {
		c.SetSeriesVisible(name, false)
	}
	if err := c.SetWindow(charts.WindowAll); err != nil {
		return nil, err
	}
	return c.Image(fyne.NewSize(float32(w), float32(h)), 1)
}

// useTheme makes sure a Fyne app exists (one that is never Run opens no
// window and needs no display) and sets its light or dark theme.
func useTheme(dark bool) {
	if fyne.CurrentApp() == nil {
		fyneapp.NewWithID(AppID)
	}
	v := theme.VariantLight
	if dark {
		v = theme.VariantDark
	}
	// SetTheme stores the theme at once, then tells listeners through
	// fyne.Do, which logs an error when called on the main goroutine of
	// an app that is never Run. From another goroutine the notice is only
	// queued, for a loop that never comes: nobody needs it.
	done := make(chan struct{})
	go func() {
		defer close(done)
		fyne.CurrentApp().Settings().SetTheme(variantTheme{theme.DefaultTheme(), v})
	}()
	<-done
}

// writePNG encodes img and writes it to path; a failed encoding leaves
// no half-written file.
func writePNG(path string, img image.Image) error {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return nil
}

func parseSize(s string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 100 || h < 100 || w > 8192 || h > 8192 {
		return 0, 0, fmt.Errorf("--size %q: want WIDTHxHEIGHT in pixels, 100 to 8192 each (e.g. 1200x600)", s)
	}
	return w, h, nil
}
