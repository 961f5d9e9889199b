package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
	"feedscope/feeds"
)

// overlayText is every text shown in the window's topmost overlay (an
// open dialog or menu), one a line; "" when none is open.
func overlayText(u *UI) string {
	top := u.win.Canvas().Overlays().Top()
	if top == nil || !top.Visible() {
		return ""
	}
	var lines []string
	for o := range subtree(top, map[fyne.CanvasObject]bool{}) {
		switch x := o.(type) {
		case *widget.Label:
			if x.Visible() {
				lines = append(lines, x.Text)
			}
		case *widget.Button:
			lines = append(lines, x.Text)
		}
	}
	return strings.Join(lines, "\n")
}

// feedMenuAction opens feed i's "⋯" menu with a tap and runs its item
// label, failing when the item is missing or disabled.
func feedMenuAction(t *testing.T, u *UI, i int, label string) {
	t.Helper()
	u.feedMenu = nil
	test.Tap(u.dash.list.rows[i].more)
	if u.feedMenu == nil || u.win.Canvas().Overlays().Top() == nil {
		t.Fatalf("tapping ⋯ of feed %d opened no menu", i)
	}
	for _, it := range u.feedMenu.Items {
		if it.Label == label {
			if it.Disabled {
				t.Fatalf("menu item %s of feed %d is disabled", label, i)
			}
			u.win.Canvas().Overlays().Top().Hide()
			it.Action()
			return
		}
	}
	t.Fatalf("feed %d's menu has no %s", i, label)
}

// From the single-URL window, File ▸ Add feed… adds a feed through its
// dialog (a bad URL is refused inside the dialog, changing nothing); the
// window becomes a two-feed dashboard whose panel of everything draws
// both. Edit… renames a feed and changes its transport and settings,
// keeping its points; Remove… asks, and removes; the last feed is never
// removed.
func TestAddEditRemoveFeed(t *testing.T) {
	a, b := startHub(t), startHub(t)
	u := newTestUI(t, test.NewTempApp(t), Options{URL: a + "/sse"})
	waitFor(t, u, "the single feed charting", func() bool { return samplesOf(u, "sine") > 3 })
	sine := u.chart.Store().Lookup("sine")
	host := dashboard.NameFromURL(a)

	menuItem(t, u, "File", "Add feed…").Action()
	fd := u.feedDlg
	if fd == nil || !strings.Contains(overlayText(u), "Add feed") {
		t.Fatal("File ▸ Add feed… opened no dialog")
	}
	// The suggested name is the host's, made unique.
	test.Type(fd.url, a+"/poll")
	if fd.name.PlaceHolder != host+"-2" {
		t.Errorf("suggested name %q, want %q", fd.name.PlaceHolder, host+"-2")
	}
	fd.url.SetText("localhost:8080/data")
	test.Tap(fd.save)
	if !fd.problem.Visible() || !strings.Contains(fd.problem.Text, "URL:") || !strings.Contains(overlayText(u), "Add feed") {
		t.Fatalf("a URL without a scheme: problem %q (shown %v), dialog open: %v", fd.problem.Text, fd.problem.Visible(), overlayText(u) != "")
	}
	fd.url.SetText("mqtt://broker.local/plant/#")
	fd.transport.SetSelected(feeds.WebSocket.Title())
	test.Tap(fd.save)
	if want := "choose MQTT or Auto as the transport"; !strings.Contains(fd.problem.Text, want) {
		t.Errorf("an MQTT URL read over WebSocket: problem %q, want %q", fd.problem.Text, want)
	}
	fd.transport.SetSelected(feeds.Auto.Title())
	fd.url.SetText(b + "/sse")
	fd.settings.poll.SetText("often")
	test.Tap(fd.save)
	if !strings.Contains(fd.problem.Text, "Poll interval") || u.dash != nil || u.feed == nil {
		t.Fatalf("a bad setting: problem %q; the window changed: %v", fd.problem.Text, u.dash != nil)
	}
	fd.settings.poll.SetText("1s")
	fd.name.SetText("b")
	test.Tap(fd.save)
	if overlayText(u) != "" {
		t.Fatalf("the dialog stayed open: %q", overlayText(u))
	}
	if u.dash == nil || len(u.dash.feeds) != 2 || u.dash.feeds[1].feed.Name != "b" {
		t.Fatalf("after Add: %+v", u.dash)
	}
	if u.dash.selFeed != 1 || u.url.Text != b+"/sse" || u.url.Disabled() {
		t.Errorf("the new feed is not the selected one: URL bar %q", u.url.Text)
	}
	if u.chart.Store().Lookup(host+"/sine") != sine {
		t.Error("adding a feed lost the first feed's points")
	}
	waitFor(t, u, "the panel of everything drawing both feeds", func() bool {
		return strings.HasPrefix(u.status.state.Text, "2 connected") &&
			u.chart.SeriesVisible(host+"/sine") && u.chart.SeriesVisible("b/sine")
	})

	// Edit… b: a new name, transport and poll interval.
	bSine := u.chart.Store().Lookup("b/sine")
	feedMenuAction(t, u, 1, "Edit…")
	fd = u.feedDlg
	if fd.name.Text != "b" || fd.url.Text != b+"/sse" || fd.transport.Selected != feeds.Auto.Title() {
		t.Fatalf("Edit dialog shows %q %q %q", fd.name.Text, fd.url.Text, fd.transport.Selected)
	}
	fd.name.SetText(host) // taken
	test.Tap(fd.save)
	if !strings.Contains(fd.problem.Text, "already") || u.dash.feeds[1].feed.Name != "b" {
		t.Fatalf("renaming to a taken name: problem %q", fd.problem.Text)
	}
	fd.name.SetText("bee")
	fd.transport.SetSelected(feeds.Poll.Title())
	fd.url.SetText(b + "/poll")
	fd.settings.poll.SetText("250ms")
	test.Tap(fd.save)
	got := u.dash.feeds[1].feed
	if got.Name != "bee" || got.Transport != feeds.Poll || got.URL != b+"/poll" || got.Settings.PollInterval != 250*time.Millisecond {
		t.Fatalf("after Edit: %+v", got)
	}
	if u.chart.Store().Lookup("bee/sine") != bSine || u.chart.Store().Lookup("b/sine") != nil {
		t.Errorf("renaming did not keep b's points under bee/: %v", u.chart.Store().Names())
	}
	waitFor(t, u, "bee polling", func() bool {
		f := u.dash.feeds[1]
		return f.hasSt && f.st.State == feeds.Connected && f.st.Transport == feeds.Poll && u.chart.SeriesVisible("bee/sine")
	})

	// Remove… asks; No keeps the feed, Remove removes it.
	feedMenuAction(t, u, 1, "Remove…")
	if u.removeDlg == nil || !strings.Contains(overlayText(u), "bee") {
		t.Fatal("Remove… did not ask")
	}
	u.removeDlg.Dismiss()
	if len(u.dash.feeds) != 2 {
		t.Fatal("dismissing the question removed the feed")
	}
	feedMenuAction(t, u, 1, "Remove…")
	u.removeDlg.Confirm()
	if len(u.dash.feeds) != 1 || u.dash.selFeed != 0 || u.url.Text != a+"/sse" {
		t.Fatalf("after Remove: %d feeds, selected %d, URL bar %q", len(u.dash.feeds), u.dash.selFeed, u.url.Text)
	}
	waitFor(t, u, "bee's series gone, the first feed's bare again", func() bool {
		return u.chart.Store().Lookup("bee/sine") == nil && u.chart.Store().Lookup("sine") == sine && u.status.state.Text == "1 connected"
	})

	// The last feed stays, and the window says why.
	before := u.removeDlg
	feedMenuAction(t, u, 0, "Remove…")
	if msg := overlayText(u); !strings.Contains(msg, "only feed") {
		t.Errorf("removing the last feed says %q", msg)
	}
	if u.removeDlg != before || len(u.dash.feeds) != 1 {
		t.Error("the last feed was offered for removal")
	}
}

// Selecting a feed (pressing its row) puts its URL in the URL bar and
// details it in the status bar; the Transport menu, Settings, Reconnect
// now and the URL bar then act on it alone.
func TestSelectedFeed(t *testing.T) {
	a, b, c := startHub(t), startHub(t), startHub(t)
	d := parseDash(t, twoFeeds("", a+"/sse", b+"/sse", "*"))
	u := newTestUI(t, test.NewTempApp(t), Options{Dashboard: d, DashboardPath: "test.toml"})
	waitFor(t, u, "both connected", func() bool { return u.status.state.Text == "2 connected" })
	if u.url.Text != a+"/sse" || !strings.HasPrefix(u.status.detail.Text, "a: Connected") {
		t.Errorf("first feed not selected at start: URL %q, detail %q", u.url.Text, u.status.detail.Text)
	}
	rows := u.dash.list.rows
	test.Tap(rows[1].label)
	if u.url.Text != b+"/sse" || rows[1].bg.FillColor != theme.Color(theme.ColorNameSelection) || rows[0].bg.FillColor == rows[1].bg.FillColor {
		t.Fatalf("tapping b: URL bar %q", u.url.Text)
	}
	waitFor(t, u, "b detailed", func() bool { return strings.HasPrefix(u.status.detail.Text, "b: Connected") })
	if u.status.state.Text != "2 connected" {
		t.Errorf("the summary became %q", u.status.state.Text)
	}
	aRun := u.dash.feeds[0].run

	// Transport ▸ Polling: b polls at its hub's /poll; a is untouched.
	menuItem(t, u, "Transport", feeds.Poll.Title()).Action()
	if f := u.dash.feeds[1].feed; f.Transport != feeds.Poll || f.URL != b+"/poll" || u.url.Text != b+"/poll" {
		t.Fatalf("after Transport ▸ Polling: %+v, URL bar %q", f, u.url.Text)
	}
	if !menuItem(t, u, "Transport", feeds.Poll.Title()).Checked || menuItem(t, u, "Transport", feeds.Auto.Title()).Checked {
		t.Error("the Transport menu does not check the selected feed's transport")
	}
	waitFor(t, u, "b via polling", func() bool { return strings.HasPrefix(u.status.detail.Text, "b: Connected via Polling") })
	// A transport that cannot read the URL is refused, saying why.
	menuItem(t, u, "Transport", feeds.MQTT.Title()).Action()
	if f := u.dash.feeds[1].feed; f.Transport != feeds.Poll || !strings.Contains(overlayText(u), "MQTT reads mqtt://") {
		t.Fatalf("Transport ▸ MQTT on an http URL: %v, shown %q", f.Transport, overlayText(u))
	}
	u.win.Canvas().Overlays().Top().Hide()
	if !menuItem(t, u, "Transport", feeds.Poll.Title()).Checked || menuItem(t, u, "Transport", feeds.MQTT.Title()).Checked {
		t.Error("the refused transport is checked")
	}
	test.Tap(rows[0].label)
	if !menuItem(t, u, "Transport", feeds.Auto.Title()).Checked {
		t.Error("selecting a does not show its transport")
	}
	test.Tap(u.dash.list.rows[1].label)

	// Settings edits b's settings.
	u.showSettings()
	if u.settingsDialog == nil || !strings.Contains(overlayText(u), "Settings of b") {
		t.Fatalf("Settings opened %q", overlayText(u))
	}
	u.settingsForm.poll.SetText("300ms")
	u.settingsDialog.Submit()
	if got := u.dash.feeds[1].feed.Settings.PollInterval; got != 300*time.Millisecond {
		t.Errorf("b's poll interval %v", got)
	}
	if got := u.dash.feeds[0].feed.Settings.PollInterval; got != time.Second || u.dash.feeds[0].run != aRun {
		t.Errorf("a changed too: poll interval %v, restarted %v", got, u.dash.feeds[0].run != aRun)
	}
	if u.settings.PollInterval != time.Second {
		t.Error("a feed's settings went into the single-URL window's")
	}
	if u.status.insecure.Visible() {
		t.Error("TLS warning while every feed verifies")
	}
	u.showSettings()
	u.settingsForm.insecure.SetChecked(true)
	u.settingsDialog.Submit()
	test.Tap(u.dash.list.rows[0].label)
	if !u.dash.feeds[1].feed.Settings.InsecureSkipVerify || !u.status.insecure.Visible() {
		t.Error("no TLS warning while b skips verification")
	}
	test.Tap(u.dash.list.rows[1].label)

	// Reconnect now restarts b alone.
	bRun := u.dash.feeds[1].run
	test.Tap(u.status.reconnect)
	if u.dash.feeds[1].run == bRun || u.dash.feeds[0].run != aRun {
		t.Error("Reconnect now did not restart the selected feed alone")
	}

	// A new URL in the URL bar is b's.
	u.url.SetText(c + "/poll")
	u.url.OnSubmitted(u.url.Text)
	if u.dash.feeds[1].feed.URL != c+"/poll" || u.dash.feeds[0].feed.URL != a+"/sse" {
		t.Errorf("URLs after Enter: %q %q", u.dash.feeds[0].feed.URL, u.dash.feeds[1].feed.URL)
	}
	if u.win.Title() != "• test.toml — Feedscope" {
		t.Errorf("title after edits %q", u.win.Title())
	}
	waitFor(t, u, "b on the third hub", func() bool { return u.status.state.Text == "2 connected" })
	// With every feed stopped, a new URL and Connect start them all.
	u.toggleConnect()
	u.url.SetText(b + "/poll")
	test.Tap(u.connectBtn)
	if u.dash.feeds[1].feed.URL != b+"/poll" || u.dash.feeds[0].run == nil || u.dash.feeds[1].run == nil {
		t.Fatal("Connect with a new URL did not start every feed")
	}
	waitFor(t, u, "both connected again", func() bool { return u.status.state.Text == "2 connected" })

	// A feed's menu (⋯, or a secondary tap on its row) connects and
	// disconnects it alone.
	feedMenuAction(t, u, 0, "Disconnect")
	if u.dash.feeds[0].run != nil || u.dash.feeds[1].run == nil {
		t.Fatal("Disconnect in a's menu")
	}
	u.feedMenu = nil
	test.TapSecondary(u.dash.list.rows[0].label)
	if u.feedMenu == nil || u.win.Canvas().Overlays().Top() == nil || !u.feedMenu.Items[1].Disabled || u.feedMenu.Items[0].Disabled {
		t.Fatal("a secondary tap on a stopped feed's row did not open its menu with Connect")
	}
	u.win.Canvas().Overlays().Top().Hide()
	u.feedMenu.Items[0].Action()
	waitFor(t, u, "a connected again", func() bool { return u.status.state.Text == "2 connected" && u.dash.feeds[0].run != nil })
}
