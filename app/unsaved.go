package app

import (
	"bytes"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
	"feedscope/feeds"
)

// prefDashboardText keeps the open dashboard's file text while it has
// unsaved changes (empty when it has none), so that the next launch
// restores it as it was, still unsaved; prefDashboard names its file
// ("" for a dashboard never saved).
const prefDashboardText = "dashboardUnsaved"

// unsavedMark starts the window title while the dashboard has unsaved
// changes.
const unsavedMark = "• "

// dashText is the open dashboard as Save would write it; false when no
// dashboard is open or it cannot be written.
func (u *UI) dashText() ([]byte, bool) {
	if u.dash == nil {
		return nil, false
	}
	b, err := u.current().Marshal()
	return b, err == nil
}

// unsaved reports whether the open dashboard differs from its file (or
// has none). The single-URL window never has unsaved changes. Comparing
// the saved form, rather than tracking edits, means an edit undone by
// hand is no change, and every way of editing counts.
func (u *UI) unsaved() bool {
	if u.dash == nil {
		return false
	}
	b, ok := u.dashText()
	return !ok || !bytes.Equal(b, u.savedText)
}

// markSaved takes the open dashboard as what its file holds.
func (u *UI) markSaved() {
	u.savedText, _ = u.dashText()
	u.syncUnsaved()
}

// syncUnsaved shows in the title whether the dashboard has unsaved
// changes, and keeps them in Preferences for the next launch. The window
// calls it after every edit, save and open, and once a second.
func (u *UI) syncUnsaved() {
	if u.win != nil {
		if t := u.title(); t != u.win.Title() {
			u.win.SetTitle(t)
		}
	}
	text := ""
	if b, ok := u.dashText(); ok && !bytes.Equal(b, u.savedText) {
		text = string(b)
	}
	if text != u.prefs.String(prefDashboardText) {
		u.prefs.SetString(prefDashboardText, text)
	}
	if text != "" && u.prefs.String(prefDashboard) != u.dash.path {
		u.prefs.SetString(prefDashboard, u.dash.path)
	}
}

// forgetDashboard leaves no dashboard to open at the next launch.
func (u *UI) forgetDashboard() {
	u.prefs.SetString(prefDashboard, "")
	u.prefs.SetString(prefDashboardText, "")
}

// lastDash is the dashboard open at the last quit.
type lastDash struct {
	d    *dashboard.Dashboard
	path string
	// saved is what its file holds as the window would save it; nil when
	// the restored dashboard has no file (or it no longer loads).
	saved []byte
}

// lastDashboard is the dashboard open at the last quit: its unsaved text
// when it had changes, else its file; nil when there was none or neither
// loads.
func (u *UI) lastDashboard() *lastDash {
	path := u.prefs.StringWithFallback(prefDashboard, "")
	text := u.prefs.StringWithFallback(prefDashboardText, "")
	var file *dashboard.Dashboard
	if path != "" {
		if d, err := dashboard.Load(path); err == nil && len(d.Feeds) > 0 {
			file = d
		}
	}
	var saved []byte
	if file != nil {
		saved, _ = openedForm(file).Marshal()
	}
	if text != "" {
		if d, err := dashboard.Parse("unsaved dashboard", []byte(text)); err == nil && len(d.Feeds) > 0 {
			return &lastDash{d: d, path: path, saved: saved}
		}
	}
	if file != nil {
		return &lastDash{d: file, path: path, saved: saved}
	}
	return nil
}

// openedForm is d as the window shows it: a dashboard of feeds and no
// panel gets one panel of everything, as the single-URL window.
func openedForm(d *dashboard.Dashboard) *dashboard.Dashboard {
	d = d.Clone()
	if len(d.Panels) == 0 {
		d.Panels = []dashboard.Panel{{Series: []dashboard.SeriesRef{{Match: "*"}}}}
	}
	return d
}

// unsavedPrompt asks what to do with unsaved changes: Save, Don't save
// or Cancel.
type unsavedPrompt struct {
	dlg                   *dialog.CustomDialog
	save, discard, cancel *widget.Button
}

// confirmDiscard runs then when the dashboard has no unsaved changes;
// otherwise it asks first. Save saves (through Save as… for a dashboard
// without a file) and runs then once written; Don't save runs then;
// Cancel does nothing.
func (u *UI) confirmDiscard(then func()) {
	if !u.unsaved() {
		then()
		return
	}
	p := &unsavedPrompt{}
	name := strings.TrimSuffix(strings.TrimPrefix(u.title(), unsavedMark), " — Feedscope")
	msg := widget.NewLabel("“" + name + "” has changes that are not saved.\nSave them first?")
	p.dlg = dialog.NewCustomWithoutButtons("Unsaved changes", msg, u.win)
	p.cancel = widget.NewButton("Cancel", p.dlg.Hide)
	p.discard = widget.NewButton("Don't save", func() {
		p.dlg.Hide()
		then()
	})
	p.save = widget.NewButton("Save…", func() {
		p.dlg.Hide()
		u.saveDashboardThen(then)
	})
	if u.dash.path != "" {
		p.save.SetText("Save")
	}
	p.save.Importance = widget.HighImportance
	p.dlg.SetButtons([]fyne.CanvasObject{p.cancel, p.discard, p.save})
	u.unsavedDlg = p
	p.dlg.Show()
}

// askOpenDashboard is File ▸ Open dashboard… (Ctrl+O): the file dialog,
// after asking about unsaved changes.
func (u *UI) askOpenDashboard() { u.confirmDiscard(u.openDashboardDialog) }

// requestQuit is closing the window or File ▸ Quit: with unsaved changes
// it asks first. Don't save discards them: the next launch opens the
// dashboard's file as it was saved (the single-URL window when it had
// none). Quitting another way (Ctrl+C in the terminal, the session
// ending) keeps them for the next launch.
func (u *UI) requestQuit() {
	u.confirmDiscard(func() {
		u.prefs.SetString(prefDashboardText, "")
		u.quit()
	})
}

// newDashboard is File ▸ New dashboard: after asking about unsaved
// changes, the Add feed dialog asks for the new dashboard's first feed;
// adding it replaces what the window watches with an untitled dashboard
// of that feed and one panel of everything. Cancel changes nothing.
func (u *UI) newDashboard() {
	u.confirmDiscard(func() {
		f := dashboard.Feed{Transport: feeds.Auto, Settings: dashboard.DefaultFeedSettings()}
		u.feedDlg = u.showFeedDialog("New dashboard: its first feed", "Create", f, nil, func(f dashboard.Feed) error {
			d := openedForm(dashboard.New())
			d.Feeds = []dashboard.Feed{f}
			if err := d.Validate(); err != nil {
				return err
			}
			if err := u.setDashboard(d, ""); err != nil {
				return err
			}
			u.savedText = nil // in no file yet
			u.syncUnsaved()
			return nil
		})
	})
}
