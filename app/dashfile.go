package app

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"

	"feedscope/app/dashboard"
	"feedscope/feeds"
)

// Preferences of the dashboard files: the open one (restored at the next
// launch) and the Recent dashboards menu.
const (
	prefDashboard       = "dashboard"
	prefRecentDashboard = "recentDashboards"
)

// Ctrl+N, Ctrl+O and Ctrl+S (Cmd on macOS).
var (
	shortcutNew  = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutOpen = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutSave = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
)

// dashboardMenuItems are the File menu's dashboard items: Open
// dashboard…, Recent dashboards, Save and Save as…. recent is the
// submenu, rebuilt by syncRecent.
func (u *UI) dashboardMenuItems() (items []*fyne.MenuItem, recent *fyne.MenuItem) {
	newDash := fyne.NewMenuItem("New dashboard…", u.newDashboard)
	newDash.Shortcut = shortcutNew
	addFeed := fyne.NewMenuItem("Add feed…", u.showAddFeed)
	open := fyne.NewMenuItem("Open dashboard…", u.askOpenDashboard)
	open.Shortcut = shortcutOpen
	recent = fyne.NewMenuItem("Recent dashboards", nil)
	recent.ChildMenu = fyne.NewMenu("")
	save := fyne.NewMenuItem("Save dashboard", u.saveDashboard)
	save.Shortcut = shortcutSave
	saveAs := fyne.NewMenuItem("Save dashboard as…", u.saveDashboardAs)
	return []*fyne.MenuItem{newDash, addFeed, open, recent, save, saveAs}, recent
}

// syncRecent rebuilds the Recent dashboards submenu from Preferences.
func (u *UI) syncRecent() {
	paths := u.prefs.StringListWithFallback(prefRecentDashboard, nil)
	labels := dashboard.RecentLabels(paths)
	var items []*fyne.MenuItem
	for i, p := range paths {
		items = append(items, fyne.NewMenuItem(labels[i], func() { u.confirmDiscard(func() { u.openDashboardFile(p) }) }))
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem("(none)", nil)
		none.Disabled = true
		items = append(items, none)
	}
	u.menu.recent.ChildMenu.Items = items
	u.menu.recent.Disabled = len(paths) == 0
	u.menu.main.Refresh()
}

func (u *UI) openDashboardDialog() {
	u.showFileOpen([]string{dashboard.Ext}, u.openDashboardFile)
}

// openDashboardFile loads path and, when it loads, replaces what the
// window watches with it. A file that fails to load changes nothing; its
// error names the file, line and key.
func (u *UI) openDashboardFile(path string) {
	d, err := dashboard.Load(path)
	if err != nil {
		var pe interface{ Unwrap() error }
		if errors.As(err, &pe) && strings.Contains(err.Error(), "no such file") {
			u.prefs.SetStringList(prefRecentDashboard, dashboard.RemoveRecent(u.prefs.StringListWithFallback(prefRecentDashboard, nil), path))
			u.syncRecent()
		}
		dialog.ShowError(err, u.win)
		return
	}
	if err := u.setDashboard(d, path); err != nil {
		dialog.ShowError(err, u.win)
	}
}

// setDashboard retires every running feed and opens d: its feeds, its
// panels in the chart area, its title.
func (u *UI) setDashboard(d *dashboard.Dashboard, path string) error {
	if len(d.Feeds) == 0 {
		return fmt.Errorf("%s has no feed to watch", path)
	}
	u.stopFeed()
	if u.dash != nil {
		for _, f := range u.dash.feeds {
			u.stopDashFeed(f)
		}
	}
	box := u.chartBox
	v, err := u.openDashView(d, path)
	if err != nil {
		return err
	}
	u.dash = v
	if box != nil {
		box.Objects = u.chartBox.Objects
		box.Refresh()
		u.chartBox = box
	}
	u.seriesN = 0
	u.status.idle = ""
	u.layoutCenter() // the Feeds list of the new feeds
	u.showSelectedFeed()
	u.rememberDashboard(path)
	u.markSaved() // sets the title
	u.menu.sync(u)
	u.seriesList.update()
	u.connectDash()
	return nil
}

// rememberDashboard makes path the dashboard of the next launch and the
// first of the recent ones.
func (u *UI) rememberDashboard(path string) {
	if path == "" {
		return
	}
	u.prefs.SetString(prefDashboard, path)
	u.prefs.SetStringList(prefRecentDashboard, dashboard.AddRecent(u.prefs.StringListWithFallback(prefRecentDashboard, nil), path))
	if u.menu != nil {
		u.syncRecent()
	}
}

// current is the dashboard the window shows: the open one, or the
// single feed as a one-feed, one-panel dashboard.
func (u *UI) current() *dashboard.Dashboard {
	if u.dash != nil {
		u.dash.d.Window = u.chart.Window()
		return u.dash.d
	}
	raw := strings.TrimSpace(u.url.Text)
	t := u.transport
	if u.isDemoURL(raw) {
		t = feeds.Auto
	}
	d := dashboard.FromSettings(raw, t, dashboard.FeedSettings(u.settings))
	d.Window = u.chart.Window()
	if u.single != nil {
		// With the entries of the series shown derived (their fn).
		d.Panels = clonePanels([]dashboard.Panel{u.single.panel})
	}
	// The series switched off in the chart stay off in the dashboard (a
	// name with '*' or '?' would be a pattern: those stay on). A series
	// shown derived is off as itself, and must not be hidden as the source
	// of its derived series.
	p := &d.Panels[0]
	m, err := p.Matcher()
	for _, s := range u.chart.Series() {
		if s.Visible || strings.ContainsAny(s.Name, "*?") || slices.Contains(p.Hidden, s.Name) {
			continue
		}
		if i, ok := m.Match(s.Name); err != nil || ok && p.Series[i].Fn != "" {
			continue
		}
		p.Hidden = append(p.Hidden, s.Name)
	}
	return d
}

// saveDashboard writes the open dashboard to its file (Save as… when it
// has none).
func (u *UI) saveDashboard() { u.saveDashboardThen(nil) }

// saveDashboardThen saves as saveDashboard does and runs then (when not
// nil) once the file is written.
func (u *UI) saveDashboardThen(then func()) {
	if u.dash == nil || u.dash.path == "" {
		u.saveDashboardAsThen(then)
		return
	}
	u.writeDashboardThen(u.dash.path, then)
}

func (u *UI) saveDashboardAs() { u.saveDashboardAsThen(nil) }

func (u *UI) saveDashboardAsThen(then func()) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		if w == nil {
			return // cancelled
		}
		path := w.URI().Path()
		// dashboard.Save replaces the file whole; the dialog's empty file
		// goes.
		_ = w.Close()
		u.writeDashboardThen(dashboard.WithExt(path), then)
	}, u.win)
	name := "dashboard" + dashboard.Ext
	if u.dash != nil {
		name = dashboard.FileName(u.dash.d.Title)
	}
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{dashboard.Ext}))
	d.Show()
}

// writeDashboard saves the current dashboard to path, asking first when
// it would write a header value typed literally (a token in clear).
func (u *UI) writeDashboard(path string) { u.writeDashboardThen(path, nil) }

// writeDashboardThen is writeDashboard, running then (when not nil) once
// the file is written.
func (u *UI) writeDashboardThen(path string, then func()) {
	d := u.current()
	write := func() {
		if err := dashboard.Save(path, d); err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		if u.dash != nil {
			u.dash.path = path
			u.savedText, _ = d.Marshal()
			u.syncUnsaved()
		}
		u.rememberDashboard(path)
		if then != nil {
			then()
		}
	}
	secrets := d.LiteralSecrets()
	if len(secrets) == 0 {
		write()
		return
	}
	var lines []string
	for _, s := range secrets {
		lines = append(lines, s.String())
	}
	u.confirmSecrets = dialog.NewConfirm("Save secrets in the file?",
		"These header values are written literally and anyone who can read the file can read them:\n"+
			strings.Join(lines, "\n")+"\n\nWrite ${NAME} instead to read them from the environment.",
		func(ok bool) {
			if ok {
				write()
			}
		}, u.win)
	u.confirmSecrets.SetConfirmText("Save anyway")
	u.confirmSecrets.Show()
}
