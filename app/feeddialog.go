package app

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
	"feedscope/feeds"
)

// feedEdit is what the window keeps for editing its feeds and for
// knowing when the dashboard has unsaved changes (see unsaved.go).
type feedEdit struct {
	// savedText is the dashboard as its file holds it (dashboard.Marshal
	// of it as last opened or saved); nil when it has no file yet.
	savedText []byte

	// the open dialogs and menu, for tests
	feedDlg    *feedDialog
	feedMenu   *fyne.Menu
	removeDlg  *dialog.ConfirmDialog
	unsavedDlg *unsavedPrompt
}

// feedDialog is the Add feed / Edit feed dialog: a feed's name, URL,
// transport and settings (the Settings dialog's form). A problem is shown
// in the dialog, which stays open until the feed is taken or the user
// cancels.
type feedDialog struct {
	dlg       *dialog.CustomDialog
	name, url *widget.Entry
	transport *widget.Select
	settings  *settingsForm
	problem   *widget.Label
	save      *widget.Button
	cancel    *widget.Button
}

// showFeedDialog opens the feed dialog on f. taken are the names of the
// other feeds: an empty name means the suggested one, made from the URL
// and unique among them. apply takes the feed the user confirmed; its
// error is shown in the dialog.
func (u *UI) showFeedDialog(title, confirm string, f dashboard.Feed, taken []string, apply func(dashboard.Feed) error) *feedDialog {
	fd := &feedDialog{
		name:      widget.NewEntry(),
		url:       widget.NewEntry(),
		transport: widget.NewSelect(nil, nil),
		settings:  newSettingsForm(Settings(f.Settings)),
		problem:   widget.NewLabel(""),
	}
	for _, t := range feeds.Transports {
		fd.transport.Options = append(fd.transport.Options, t.Title())
	}
	fd.transport.SetSelected(f.Transport.Title())
	fd.name.SetText(f.Name)
	fd.url.SetText(f.URL)
	fd.url.SetPlaceHolder("http(s)://, ws(s)://, mqtt(s):// or file:")
	suggest := func(raw string) {
		if f.Name != "" {
			fd.name.SetPlaceHolder(f.Name) // editing: empty keeps the name
			return
		}
		fd.name.SetPlaceHolder(uniqueFeedName(dashboard.NameFromURL(raw), taken))
	}
	suggest(f.URL)
	fd.url.OnChanged = suggest
	fd.problem.Importance = widget.DangerImportance
	fd.problem.Wrapping = fyne.TextWrapWord
	fd.problem.Hide()

	top := widget.NewForm(
		&widget.FormItem{Text: "Name", Widget: fd.name, HintText: "Series are named name/series once the dashboard has several feeds"},
		&widget.FormItem{Text: "URL", Widget: fd.url},
		&widget.FormItem{Text: "Transport", Widget: fd.transport},
	)
	settings := widget.NewForm(fd.settings.items()...)
	body := container.NewVScroll(container.NewVBox(top, widget.NewSeparator(),
		widget.NewLabelWithStyle("Settings of this feed", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), settings))
	fd.dlg = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, fd.problem, nil, nil, body), u.win)
	onSave := func() {
		nf, err := fd.read()
		if err == nil {
			err = apply(nf)
		}
		if err != nil {
			fd.problem.SetText(strings.TrimPrefix(err.Error(), "dashboard: "))
			fd.problem.Show()
			return
		}
		fd.dlg.Hide()
	}
	fd.cancel = widget.NewButton("Cancel", fd.dlg.Hide)
	fd.save = widget.NewButton(confirm, onSave)
	fd.save.Importance = widget.HighImportance
	fd.url.OnSubmitted = func(string) { onSave() }
	fd.dlg.SetButtons([]fyne.CanvasObject{fd.cancel, fd.save})
	fd.dlg.Resize(fyne.NewSize(720, 600))
	fd.dlg.Show()
	u.win.Canvas().Focus(fd.url)
	return fd
}

// read is the feed the dialog describes, or what is wrong with it.
func (fd *feedDialog) read() (dashboard.Feed, error) {
	f := dashboard.Feed{
		Name: strings.TrimSpace(fd.name.Text),
		URL:  strings.TrimSpace(fd.url.Text),
	}
	if f.Name == "" {
		f.Name = fd.name.PlaceHolder
	}
	i := slices.Index(fd.transport.Options, fd.transport.Selected)
	if i < 0 {
		return f, errors.New("Transport: choose one")
	}
	f.Transport = feeds.Transports[i]
	var problems []string
	if f.URL == "" {
		problems = append(problems, "URL: type the URL of the feed")
	} else if err := checkURL(f.URL, f.Transport); err != nil {
		// The window's words point at its Transport menu; here the
		// transport is the field below the URL.
		problems = append(problems, "URL: "+strings.ReplaceAll(err.Error(), "in the Transport menu", "as the transport"))
	}
	s, err := fd.settings.read()
	if err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return f, errors.New(strings.Join(problems, "\n"))
	}
	f.Settings = dashboard.FeedSettings(s)
	return f, nil
}

// uniqueFeedName is base, or base-2, base-3… when taken has it.
func uniqueFeedName(base string, taken []string) string {
	name := base
	for n := 2; slices.Contains(taken, name); n++ {
		name = base + "-" + strconv.Itoa(n)
	}
	return name
}

func feedNames(fs []dashboard.Feed) []string {
	var names []string
	for _, f := range fs {
		names = append(names, f.Name)
	}
	return names
}

// feedIndex is the index of the feed named name in d, or an error.
func feedIndex(d *dashboard.Dashboard, name string) (int, error) {
	i := slices.IndexFunc(d.Feeds, func(f dashboard.Feed) bool { return f.Name == name })
	if i < 0 {
		return 0, fmt.Errorf("no feed %q", name)
	}
	return i, nil
}

// showAddFeed opens the Add feed dialog. Adding a feed to the single-URL
// window turns it into a dashboard of two feeds; the new feed becomes the
// selected one. A panel of everything ("*") goes on showing everything,
// the new feed's series included; other panels keep their series.
func (u *UI) showAddFeed() {
	f := dashboard.Feed{Transport: feeds.Auto, Settings: dashboard.DefaultFeedSettings()}
	u.feedDlg = u.showFeedDialog("Add feed", "Add", f, feedNames(u.current().Feeds), func(f dashboard.Feed) error {
		err := u.editDashboard(func(d *dashboard.Dashboard) error {
			var all []int
			for i, p := range d.Panels {
				if len(p.Series) == 1 && p.Series[0] == (dashboard.SeriesRef{Match: "*"}) {
					all = append(all, i)
				}
			}
			if err := d.AddFeed(f); err != nil {
				return err
			}
			for _, i := range all {
				// AddFeed kept it to the first feed's series ("host/*").
				d.Panels[i].Series[0].Match = "*"
			}
			return nil
		})
		if err != nil {
			return err
		}
		u.selectFeed(len(u.dash.feeds) - 1)
		return nil
	})
}

// showEditFeed opens the Edit feed dialog on the feed named name. A new
// name renames the feed (and the panels' patterns that name it); its
// series keep their points under their new names. A feed whose URL,
// transport or settings change reconnects.
func (u *UI) showEditFeed(name string) {
	f, ok := u.current().Feed(name)
	if !ok {
		return
	}
	var others []string
	for _, n := range feedNames(u.current().Feeds) {
		if n != name {
			others = append(others, n)
		}
	}
	u.feedDlg = u.showFeedDialog("Edit feed "+name, "Save", f, others, func(nf dashboard.Feed) error {
		at := 0
		err := u.editDashboardRenaming(map[string]string{name: nf.Name}, func(d *dashboard.Dashboard) error {
			if err := d.RenameFeed(name, nf.Name); err != nil {
				return err
			}
			i, err := feedIndex(d, nf.Name)
			if err != nil {
				return err
			}
			d.Feeds[i], at = nf, i
			return nil
		})
		if err != nil {
			return err
		}
		u.selectFeed(at)
		return nil
	})
}

// confirmRemoveFeed asks before removing the feed named name. A
// dashboard keeps at least one feed: removing the last one is refused,
// saying so.
func (u *UI) confirmRemoveFeed(name string) {
	if u.dash == nil {
		return
	}
	if len(u.dash.feeds) == 1 {
		dialog.ShowInformation("Remove feed",
			"“"+name+"” is the only feed of this dashboard, and a dashboard watches at least one.\n"+
				"Add another feed first, or start again with File ▸ New dashboard.", u.win)
		return
	}
	u.removeDlg = dialog.NewConfirm("Remove feed “"+name+"”?",
		"The feed disconnects and its series leave the window;\npanel patterns that name only this feed are dropped.",
		func(ok bool) {
			if ok {
				u.removeFeed(name)
			}
		}, u.win)
	u.removeDlg.SetConfirmText("Remove")
	u.removeDlg.Show()
}

func (u *UI) removeFeed(name string) {
	i, err := feedIndex(u.current(), name)
	if err != nil {
		return
	}
	sel := u.dash.selFeed
	if err := u.editDashboard(func(d *dashboard.Dashboard) error { return d.RemoveFeed(name) }); err != nil {
		dialog.ShowError(err, u.win)
		return
	}
	if sel > i || sel == len(u.dash.feeds) {
		sel--
	}
	u.selectFeed(max(sel, 0))
}

// showFeedMenu opens the menu of feed i at an absolute position: Connect,
// Disconnect (for a recording: Load, Stop loading), Edit…, Remove….
func (u *UI) showFeedMenu(i int, at fyne.Position) {
	if u.dash == nil || i >= len(u.dash.feeds) {
		return
	}
	f := u.dash.feeds[i]
	name := f.feed.Name
	connect := fyne.NewMenuItem("Connect", func() { u.setFeedRunning(f, true) })
	disconnect := fyne.NewMenuItem("Disconnect", func() { u.setFeedRunning(f, false) })
	if f.recording() {
		connect.Label, disconnect.Label = "Load", "Stop loading"
	}
	connect.Disabled, disconnect.Disabled = f.busy() || f.loadedWhole(), !f.busy()
	u.feedMenu = fyne.NewMenu(name, connect, disconnect, fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Edit…", func() { u.showEditFeed(name) }),
		fyne.NewMenuItem("Remove…", func() { u.confirmRemoveFeed(name) }))
	widget.ShowPopUpMenuAtPosition(u.feedMenu, u.win.Canvas(), at)
}

// selectedFeed is the feed the URL bar, the Transport menu, Settings and
// Reconnect now act on; nil in the single-URL window.
func (u *UI) selectedFeed() *dashFeed {
	if u.dash == nil || len(u.dash.feeds) == 0 {
		return nil
	}
	return u.dash.feeds[min(u.dash.selFeed, len(u.dash.feeds)-1)]
}

// selectFeed makes feed i the selected one.
func (u *UI) selectFeed(i int) {
	if u.dash == nil || i < 0 || i >= len(u.dash.feeds) {
		return
	}
	u.dash.selFeed = i
	u.showSelectedFeed()
	u.dash.listDue = time.Time{}
	u.flush()
}

// showSelectedFeed puts the selected feed's URL in the URL bar (where
// editing it and pressing Enter changes the feed's URL), its transport in
// the Transport menu, and highlights its row. The status bar's TLS
// warning shows while any feed skips verification.
func (u *UI) showSelectedFeed() {
	f := u.selectedFeed()
	if f == nil {
		return
	}
	u.url.Enable()
	u.url.SetText(f.feed.URL)
	insecure := false
	for _, f := range u.dash.feeds {
		insecure = insecure || f.feed.Settings.InsecureSkipVerify
	}
	u.status.setInsecure(insecure)
	if u.dash.list != nil {
		u.dash.list.selectRow(u.dash.selFeed)
	}
	if u.menu != nil {
		u.menu.sync(u)
	}
}

// activeTransport is the transport the Transport menu shows: the
// selected feed's in a dashboard.
func (u *UI) activeTransport() feeds.Transport {
	if f := u.selectedFeed(); f != nil {
		return f.feed.Transport
	}
	return u.transport
}

// connectDashURL is Enter in the URL bar of a dashboard, and Connect: a
// new URL becomes the selected feed's, which reconnects to it (and when
// no feed ran, every feed connects, as Connect does); the same URL
// (re)connects every feed.
func (u *UI) connectDashURL() {
	f := u.selectedFeed()
	raw := strings.TrimSpace(u.url.Text)
	if raw == "" || raw == f.feed.URL {
		u.url.SetText(f.feed.URL)
		u.connectDash()
		return
	}
	if err := checkURL(raw, f.feed.Transport); err != nil {
		dialog.ShowError(err, u.win)
		return
	}
	wasRunning := u.dash.running()
	if u.editFeed(f.feed.Name, func(nf *dashboard.Feed) { nf.URL = raw }) && !wasRunning {
		u.connectDash()
	}
}

// editFeed changes the feed named name through editDashboard, showing an
// error in a dialog; false when nothing changed.
func (u *UI) editFeed(name string, change func(f *dashboard.Feed)) bool {
	err := u.editDashboard(func(d *dashboard.Dashboard) error {
		i, err := feedIndex(d, name)
		if err != nil {
			return err
		}
		change(&d.Feeds[i])
		return nil
	})
	if err != nil {
		dialog.ShowError(err, u.win)
		u.menu.sync(u)
		return false
	}
	return true
}

// setFeedTransport is the Transport menu in a dashboard: the selected
// feed reconnects with transport t (on a hub URL, at the path for t, as
// in the single-URL window). A URL t cannot read is refused, saying why.
func (u *UI) setFeedTransport(t feeds.Transport) {
	f := u.selectedFeed()
	raw := f.feed.URL
	if pu, err := url.Parse(strings.ReplaceAll(raw, "#", "%23")); err == nil && pu.Host != "" {
		if err := transportMismatch(pu, t); err != nil {
			dialog.ShowError(err, u.win)
			u.menu.sync(u)
			return
		}
	}
	nu, _ := hubURLFor(raw, t)
	_ = u.editFeed(f.feed.Name, func(nf *dashboard.Feed) { nf.Transport, nf.URL = t, nu })
}

// showFeedSettings is the Settings dialog in a dashboard: it edits the
// selected feed's settings, and the feed reconnects with them.
func (u *UI) showFeedSettings() {
	f := u.selectedFeed().feed
	u.showSettingsForm("Settings of "+f.Name, Settings(f.Settings), func(s Settings) {
		_ = u.editFeed(f.Name, func(nf *dashboard.Feed) { nf.Settings = dashboard.FeedSettings(s) })
	})
}

// reconnectSelected is Reconnect now in a dashboard: the selected feed
// tries again at once.
func (u *UI) reconnectSelected() {
	u.startDashFeed(u.selectedFeed())
	u.dash.listDue = time.Time{}
	u.syncConnectButton()
	u.flush()
}

// selectedDetail is the status bar's detail in a dashboard: the selected
// feed's state in full, then the other feeds' errors (others).
func (v *dashView) selectedDetail(now time.Time, others string) string {
	f := v.feeds[min(v.selFeed, len(v.feeds)-1)]
	s := statusBar{st: f.st, hasSt: f.hasSt}
	_, state, _, detail := s.describe(now)
	if !f.hasSt {
		state = "Connecting"
	}
	if path, ok := recordingPath(f.feed.URL); ok {
		// A file is loaded, not connected to.
		switch {
		case !f.hasSt || f.st.State == feeds.Connecting:
			state, detail = "Loading "+filepath.Base(path), ""
		case f.st.State == feeds.Connected:
			state, detail = "Loaded from "+filepath.Base(path), ""
		}
	}
	text := f.feed.Name + ": " + state
	switch {
	case detail == "":
	case strings.HasPrefix(detail, "via "):
		text += " " + detail
	default:
		text += " — " + detail
	}
	if others != "" {
		text += " · " + others
	}
	return text
}
