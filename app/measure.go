//go:build measure

package app

import (
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"

	"feedscope/internal/repaints"
)

// measure is built only with the `measure` tag (make measure-window). It
// counts the window's repaints into the file named by FEEDSCOPE_REPAINTS,
// and FEEDSCOPE_MEASURE_ACTION=disconnect or pause does that to the window
// three seconds after it opens, for the "nothing arriving" cases.
func measure(u *UI) {
	if path := os.Getenv("FEEDSCOPE_REPAINTS"); path != "" {
		n, err := repaints.Count(u.win)
		if err != nil {
			fmt.Fprintln(os.Stderr, "feedscope:", err)
		} else {
			go func() { _ = repaints.WriteEvery(u.ctx, n, path, 100*time.Millisecond) }()
		}
	}
	var act func()
	switch a := os.Getenv("FEEDSCOPE_MEASURE_ACTION"); a {
	case "":
		return
	case "disconnect":
		act = u.disconnect
	case "pause":
		act = func() { u.chart.SetPaused(true); u.menu.sync(u) }
	default:
		fmt.Fprintf(os.Stderr, "feedscope: FEEDSCOPE_MEASURE_ACTION %q: want disconnect or pause\n", a)
		return
	}
	go func() {
		select {
		case <-u.ctx.Done():
		case <-time.After(3 * time.Second):
			fyne.Do(act)
		}
	}()
}
