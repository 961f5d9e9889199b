package app

import (
	"fmt"
	"io"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"

	"feedscope/app/dashboard"
	"feedscope/charts"
	"feedscope/charts/series"
	"feedscope/feeds"
)

// menus holds the items whose checks follow the window's state.
type menus struct {
	main       *fyne.MainMenu
	transports map[feeds.Transport]*fyne.MenuItem
	windows    map[time.Duration]*fyne.MenuItem
	themes     map[string]*fyne.MenuItem
	pause      *fyne.MenuItem
	log        *fyne.MenuItem
	recent     *fyne.MenuItem   // File ▸ Recent dashboards
	columns    []*fyne.MenuItem // View ▸ Columns
	dashPNG    *fyne.MenuItem   // File ▸ Save dashboard as PNG…
}

// Shortcuts. Ctrl+L and Ctrl+Enter are menu shortcuts (Cmd on macOS);
// Space and End are plain keys, handled when no text field has focus so
// that typing a URL is never taken for a command.
var (
	shortcutURL     = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutConnect = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}
)

func (u *UI) buildMenus() *menus {
	m := &menus{
		transports: map[feeds.Transport]*fyne.MenuItem{},
		windows:    map[time.Duration]*fyne.MenuItem{},
		themes:     map[string]*fyne.MenuItem{},
	}
	editURL := fyne.NewMenuItem("Edit URL", u.focusURL)
	editURL.Shortcut = shortcutURL
	connect := fyne.NewMenuItem("Connect", u.connect)
	connect.Shortcut = shortcutConnect
	disconnect := fyne.NewMenuItem("Disconnect", u.disconnect)
	quit := fyne.NewMenuItem("Quit", u.requestQuit)
	quit.IsQuit = true
	dashItems, recent := u.dashboardMenuItems()
	m.dashPNG = fyne.NewMenuItem("Save dashboard as PNG…", u.saveDashboardPNGDialog)
	m.recent = recent
	file := fyne.NewMenu("File", append(append([]*fyne.MenuItem{
		editURL, connect, disconnect,
		fyne.NewMenuItem("Open demo feed", u.openDemo),
		fyne.NewMenuItem("Open recording…", u.openRecordingDialog),
		fyne.NewMenuItemSeparator()},
		dashItems...),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Export CSV…", u.exportCSVDialog),
		fyne.NewMenuItem("Save chart as PNG…", u.savePNGDialog),
		m.dashPNG,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Settings…", u.showSettings),
		fyne.NewMenuItemSeparator(),
		quit)...,
	)

	var trItems []*fyne.MenuItem
	for _, t := range feeds.Transports {
		it := fyne.NewMenuItem(t.Title(), func() { u.setTransport(t) })
		m.transports[t] = it
		trItems = append(trItems, it)
	}
	transport := fyne.NewMenu("Transport", trItems...)

	m.pause = fyne.NewMenuItem("Pause", u.togglePause)
	m.pause.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeySpace}
	live := fyne.NewMenuItem("Live", u.goLive)
	live.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyEnd}
	var winItems []*fyne.MenuItem
	for _, d := range charts.Windows {
		it := fyne.NewMenuItem(windowTitle(d), func() { u.setWindow(d) })
		m.windows[d] = it
		winItems = append(winItems, it)
	}
	windowLen := fyne.NewMenuItem("Window length", nil)
	windowLen.ChildMenu = fyne.NewMenu("", winItems...)
	m.log = fyne.NewMenuItem("Message log", func() { u.setLogShown(!u.logShown) })
	var themeItems []*fyne.MenuItem
	for _, name := range []string{"system", "light", "dark"} {
		it := fyne.NewMenuItem(themeTitles[name], func() { u.setTheme(name) })
		m.themes[name] = it
		themeItems = append(themeItems, it)
	}
	themeItem := fyne.NewMenuItem("Theme", nil)
	themeItem.ChildMenu = fyne.NewMenu("", themeItems...)
	panelItems, columns := u.viewPanelItems()
	m.columns = columns
	view := fyne.NewMenu("View", append(append([]*fyne.MenuItem{m.pause, live, windowLen, fyne.NewMenuItemSeparator()},
		panelItems...), fyne.NewMenuItemSeparator(), m.log, themeItem)...)

	m.main = fyne.NewMainMenu(file, transport, view)
	m.sync(u)
	return m
}

// sync puts the checks where the state is.
func (m *menus) sync(u *UI) {
	for t, it := range m.transports {
		it.Checked = t == u.activeTransport()
	}
	for d, it := range m.windows {
		it.Checked = d == u.chart.Window() && u.chart.Following()
	}
	for name, it := range m.themes {
		it.Checked = name == u.themeName
	}
	u.menuFollowing, u.menuPaused = u.chart.Following(), u.chart.Paused()
	m.pause.Checked = u.chart.Paused()
	m.log.Checked = u.logShown
	u.syncPanelMenu(m.columns)
	m.dashPNG.Disabled = u.dash == nil
	m.main.Refresh()
}

func windowTitle(d time.Duration) string {
	if d == charts.WindowAll {
		return "Everything stored"
	}
	return "Last " + dashboard.FormatDuration(d)
}

func (u *UI) addShortcuts() {
	c := u.win.Canvas()
	// The test driver and some platforms do not route menu shortcuts;
	// where the menu does, it takes them first and these never run twice.
	c.AddShortcut(shortcutURL, func(fyne.Shortcut) { u.focusURL() })
	c.AddShortcut(shortcutConnect, func(fyne.Shortcut) { u.connect() })
	c.AddShortcut(shortcutNew, func(fyne.Shortcut) { u.newDashboard() })
	c.AddShortcut(shortcutOpen, func(fyne.Shortcut) { u.askOpenDashboard() })
	c.AddShortcut(shortcutSave, func(fyne.Shortcut) { u.saveDashboard() })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeySpace:
			u.togglePause()
		case fyne.KeyEnd:
			u.goLive()
		}
	})
}

func (u *UI) focusURL() {
	u.win.Canvas().Focus(u.url)
}

func (u *UI) togglePause() {
	u.chart.SetPaused(!u.chart.Paused())
	u.menu.sync(u)
}

func (u *UI) goLive() {
	u.chart.Live()
	u.menu.sync(u)
}

func (u *UI) setWindow(d time.Duration) {
	if err := u.chart.SetWindow(d); err != nil {
		return
	}
	u.prefs.SetInt(prefWindow, int(d/time.Second))
	u.menu.sync(u)
}

func (u *UI) exportCSVDialog() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		if w == nil {
			return // cancelled
		}
		store := u.chart.Store()
		// Millions of points take a moment: write them off the main
		// goroutine (Points copies in chunks and never blocks the feed).
		go func() {
			err := exportCSV(w, store)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			fyne.Do(func() {
				if err != nil {
					dialog.ShowError(fmt.Errorf("export CSV: %w", err), u.win)
				}
			})
		}()
	}, u.win)
	d.SetFileName("feedscope.csv")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	d.Show()
}

// exportCSV writes every stored point as time,series,value rows, series
// by series, oldest first: the same format as `feedscope record`.
func exportCSV(w io.Writer, store *series.Store) error {
	rw := newRowWriter(w, "csv")
	if err := rw.header(); err != nil {
		return err
	}
	from, to := time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)
	n := 0
	for _, name := range store.Names() {
		for t, v := range store.Points(name, from, to) {
			if err := rw.row(feeds.Sample{Series: name, Time: t, Value: v}); err != nil {
				return err
			}
			if n++; n%4096 == 0 {
				if err := rw.flush(); err != nil {
					return err
				}
			}
		}
	}
	return rw.flush()
}

func (u *UI) savePNGDialog() { u.savePNGAs("feedscope.png", u.chart.WritePNG) }

// savePNGAs asks where to save a picture (name proposed) and writes it
// there with write.
func (u *UI) savePNGAs(name string, write func(io.Writer) error) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		if w == nil {
			return
		}
		err = write(w)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			dialog.ShowError(fmt.Errorf("save PNG: %w", err), u.win)
		}
	}, u.win)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png"}))
	d.Show()
}
