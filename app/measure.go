//go:build measure

package app

import (
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"feedscope/internal/refreshcount"
	"feedscope/internal/repaints"
)

// measure is built only with the `measure` tag (make measure-window). It
// counts the window's repaints into the file named by FEEDSCOPE_REPAINTS,
// and FEEDSCOPE_MEASURE_ACTION=disconnect or pause does that to the window
// three seconds after it opens, for the "nothing arriving" cases.
// FEEDSCOPE_CPUPROFILE=file writes a CPU profile of seconds 6 to 26.
// FEEDSCOPE_REFRESHES=1 prints, each second, the types of the objects
// refreshed and the other repaint requests: what to look at when the
// repaint rate is higher than what changes on screen.
func measure(u *UI) {
	if path := os.Getenv("FEEDSCOPE_CPUPROFILE"); path != "" {
		go profile(u, path)
	}
	if os.Getenv("FEEDSCOPE_REFRESHES") != "" {
		c, _ := refreshcount.Install(fyne.CurrentApp())
		go printRefreshes(u, c)
	}
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

// printRefreshes prints what c counted each second until the window closes.
func printRefreshes(u *UI, c *refreshcount.Counter) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-u.ctx.Done():
			return
		case <-t.C:
		}
		fyne.Do(func() {
			byType := map[string]int{}
			for o, n := range c.Objects() {
				byType[fmt.Sprintf("%T", o)] += n
			}
			var parts []string
			for k, n := range byType {
				parts = append(parts, fmt.Sprintf("%s×%d", k, n))
			}
			sort.Strings(parts)
			fmt.Fprintf(os.Stderr, "refreshed: %s; other repaint requests: %d\n", strings.Join(parts, " "), c.Dirtied())
			c.Reset()
		})
	}
}

// profile writes a CPU profile of the measured span (after the warm-up).
func profile(u *UI, path string) {
	select {
	case <-u.ctx.Done():
		return
	case <-time.After(6 * time.Second):
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "feedscope:", err)
		return
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "feedscope:", err)
		return
	}
	select {
	case <-u.ctx.Done():
	case <-time.After(20 * time.Second):
	}
	pprof.StopCPUProfile()
}
