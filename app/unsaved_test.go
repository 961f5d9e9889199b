package app

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"feedscope/app/dashboard"
)

// twoFeeds is a dashboard file of two feeds, a and b, at the given URLs,
// and one panel of the pattern.
func twoFeeds(title, a, b, pattern string) string {
	return `title = "` + title + `"
[[feed]]
name = "a"
url = "` + a + `"
[[feed]]
name = "b"
url = "` + b + `"
[[panel]]
series = ["` + pattern + `"]
`
}

// writeDash writes a dashboard file of two feeds, a and b, on the given
// hubs.
func writeDash(t *testing.T, path, title, a, b string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(twoFeeds(title, a+"/sse", b+"/sse", "*/sine")), 0o600); err != nil {
		t.Fatal(err)
	}
}

func setColumns(n int) func(d *dashboard.Dashboard) error {
	return func(d *dashboard.Dashboard) error {
		d.Columns = n
		return nil
	}
}

// The window knows when its dashboard differs from its file: the title
// says so, an edit undone is no change, and closing, opening another
// dashboard or New dashboard asks first; Cancel, Don't save and Save each
// do what they say. The single-URL window never asks.
func TestUnsavedChangesPrompt(t *testing.T) {
	h1, h2 := startHub(t), startHub(t)
	dir := t.TempDir()
	one, two := filepath.Join(dir, "one.toml"), filepath.Join(dir, "two.toml")
	writeDash(t, one, "One", h1, h2)
	writeDash(t, two, "Two", h2, h1)
	a := test.NewTempApp(t)
	prefs := a.Preferences()

	single := newTestUI(t, a, Options{URL: h1 + "/sse"})
	closed := false
	single.confirmDiscard(func() { closed = true })
	if !closed || single.unsavedDlg != nil {
		t.Error("the single-URL window asked before closing")
	}
	single.Close()

	d1, err := dashboard.Load(one)
	if err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, a, Options{Dashboard: d1, DashboardPath: one})
	if u.win.Title() != "One — Feedscope" || u.unsaved() {
		t.Fatalf("a dashboard just opened: title %q", u.win.Title())
	}
	if err := u.editDashboard(setColumns(2)); err != nil {
		t.Fatal(err)
	}
	if u.win.Title() != "• One — Feedscope" || prefs.String(prefDashboardText) == "" {
		t.Errorf("after an edit: title %q, kept text %d bytes", u.win.Title(), len(prefs.String(prefDashboardText)))
	}
	if err := u.editDashboard(setColumns(1)); err != nil {
		t.Fatal(err)
	}
	if u.win.Title() != "One — Feedscope" || prefs.String(prefDashboardText) != "" {
		t.Errorf("after undoing the edit: title %q", u.win.Title())
	}
	if err := u.editDashboard(setColumns(2)); err != nil {
		t.Fatal(err)
	}
	fileBefore, _ := os.ReadFile(one)

	// Closing: Cancel keeps everything as it is.
	u.requestQuit()
	p := u.unsavedDlg
	if p == nil || !strings.Contains(overlayText(u), "“One” has changes") {
		t.Fatalf("closing with unsaved changes did not ask (%q)", overlayText(u))
	}
	test.Tap(p.cancel)
	if u.ctx.Err() != nil || !u.unsaved() || overlayText(u) != "" {
		t.Fatal("Cancel closed the window or dropped the changes")
	}
	// File ▸ Quit and Open dashboard… ask as well.
	for _, item := range []string{"Quit", "Open dashboard…"} {
		before := u.unsavedDlg
		menuItem(t, u, "File", item).Action()
		if u.unsavedDlg == before || !strings.Contains(overlayText(u), "Don't save") {
			t.Fatalf("File ▸ %s did not ask (%q)", item, overlayText(u))
		}
		test.Tap(u.unsavedDlg.cancel)
		if u.ctx.Err() != nil || overlayText(u) != "" {
			t.Fatalf("Cancel after File ▸ %s went on", item)
		}
	}
	// So does Ctrl+O.
	before := u.unsavedDlg
	u.win.Canvas().(fyne.Shortcutable).TypedShortcut(shortcutOpen)
	if u.unsavedDlg == before {
		t.Fatal("Ctrl+O did not ask")
	}
	test.Tap(u.unsavedDlg.cancel)
	// Opening another (Recent dashboards): Don't save opens it, and one.toml
	// stays as it was.
	u.rememberDashboard(two)
	u.menu.recent.ChildMenu.Items[0].Action()
	if u.dash.path != one {
		t.Fatal("Recent dashboards opened another dashboard without asking")
	}
	test.Tap(u.unsavedDlg.discard)
	if u.dash.path != two || u.win.Title() != "Two — Feedscope" || prefs.String(prefDashboardText) != "" {
		t.Fatalf("Don't save: dashboard %q, title %q", u.dash.path, u.win.Title())
	}
	if b, _ := os.ReadFile(one); string(b) != string(fileBefore) {
		t.Error("Don't save wrote the file")
	}
	// New dashboard with changes asks too; Cancel keeps the dashboard.
	if err := u.editDashboard(func(d *dashboard.Dashboard) error { d.Title = "Two, edited"; return nil }); err != nil {
		t.Fatal(err)
	}
	menuItem(t, u, "File", "New dashboard…").Action()
	if u.unsavedDlg == p || !strings.Contains(overlayText(u), "Two, edited") {
		t.Fatalf("New dashboard did not ask (%q)", overlayText(u))
	}
	test.Tap(u.unsavedDlg.cancel)
	if u.dash.path != two || u.feedDlg != nil {
		t.Fatal("Cancel went on to a new dashboard")
	}
	// Closing: Save writes the file, then the window closes.
	u.requestQuit()
	test.Tap(u.unsavedDlg.save)
	got, err := dashboard.Load(two)
	if err != nil || got.Title != "Two, edited" {
		t.Fatalf("Save wrote %+v (%v)", got, err)
	}
	if u.ctx.Err() == nil {
		t.Error("the window stayed open after Save")
	}
	if prefs.String(prefDashboardText) != "" || prefs.String(prefDashboard) != two {
		t.Error("a saved dashboard left unsaved text for the next launch")
	}
}

// File ▸ New dashboard asks for the first feed (Cancel changes
// nothing), then replaces what the window watches with an untitled,
// unsaved dashboard of that feed.
func TestNewDashboard(t *testing.T) {
	h1, h2 := startHub(t), startHub(t)
	u := newTestUI(t, test.NewTempApp(t), Options{URL: h1 + "/sse"})
	waitFor(t, u, "the single feed charting", func() bool { return samplesOf(u, "sine") > 3 })
	oldStore := u.chart.Store()

	menuItem(t, u, "File", "New dashboard…").Action()
	if u.feedDlg == nil || !strings.Contains(overlayText(u), "New dashboard") {
		t.Fatalf("New dashboard showed %q", overlayText(u))
	}
	test.Tap(u.feedDlg.cancel)
	if u.dash != nil || u.feed == nil || overlayText(u) != "" {
		t.Fatal("cancelling New dashboard changed the window")
	}

	// Ctrl+N is the same as the menu item.
	u.win.Canvas().(fyne.Shortcutable).TypedShortcut(shortcutNew)
	if !strings.Contains(overlayText(u), "New dashboard") {
		t.Fatalf("Ctrl+N showed %q, want the new dashboard's first feed asked for", overlayText(u))
	}
	test.Type(u.feedDlg.url, h2+"/sse")
	test.Tap(u.feedDlg.save)
	if u.dash == nil || len(u.dash.feeds) != 1 || u.dash.path != "" || u.feed != nil {
		t.Fatalf("after New dashboard: %+v, single feed running %v", u.dash, u.feed != nil)
	}
	if f := u.dash.feeds[0].feed; f.URL != h2+"/sse" || f.Name != dashboard.NameFromURL(h2) {
		t.Errorf("the first feed %+v", f)
	}
	if u.win.Title() != "• Untitled dashboard — Feedscope" || u.url.Text != h2+"/sse" {
		t.Errorf("title %q, URL bar %q", u.win.Title(), u.url.Text)
	}
	if u.chart.Store() == oldStore {
		t.Error("the new dashboard shows the old feed's points")
	}
	waitFor(t, u, "the new feed charting", func() bool { return u.status.state.Text == "1 connected" && samplesOf(u, "sine") > 0 })

	// Saving an untitled dashboard on closing picks a file first.
	u.requestQuit()
	if u.unsavedDlg == nil || u.unsavedDlg.save.Text != "Save…" {
		t.Fatal("closing an untitled dashboard did not offer Save…")
	}
	test.Tap(u.unsavedDlg.save)
	if u.ctx.Err() != nil || !strings.Contains(overlayText(u), "Save") {
		t.Errorf("Save… closed the window, or showed no file dialog (%q)", overlayText(u))
	}
}

// The dashboard open at the last quit comes back at the next launch: a
// saved one from its file, one with unsaved changes as it was (still
// unsaved, and its file untouched), an untitled one too; Don't save on
// closing leaves the file's version (or no dashboard) for next time.
func TestRestoreDashboardOnRelaunch(t *testing.T) {
	h1, h2 := startHub(t), startHub(t)
	dir := t.TempDir()
	one := filepath.Join(dir, "one.toml")
	writeDash(t, one, "One", h1, h2)
	fileText, _ := os.ReadFile(one)
	a := test.NewTempApp(t)

	d1, err := dashboard.Load(one)
	if err != nil {
		t.Fatal(err)
	}
	u1 := newTestUI(t, a, Options{Dashboard: d1, DashboardPath: one})
	u1.Close()
	u2 := newTestUI(t, a, Options{})
	if u2.dash == nil || u2.dash.path != one || u2.unsaved() {
		t.Fatalf("a saved dashboard was not restored from its file")
	}
	if err := u2.editDashboard(setColumns(2)); err != nil {
		t.Fatal(err)
	}
	edited := u2.current().Clone()
	u2.Close() // quitting without the prompt: Ctrl+C, the session ending

	u3 := newTestUI(t, a, Options{})
	if u3.dash == nil || u3.dash.path != one || !reflect.DeepEqual(u3.current(), edited) {
		t.Fatalf("the unsaved edit was not restored: %+v", u3.dash)
	}
	if !u3.unsaved() || u3.win.Title() != "• One — Feedscope" {
		t.Errorf("a restored edit is not marked unsaved: %q", u3.win.Title())
	}
	if b, _ := os.ReadFile(one); string(b) != string(fileText) {
		t.Error("restoring wrote the file")
	}
	waitFor(t, u3, "the restored dashboard charting", func() bool { return u3.status.state.Text == "2 connected" })
	if err := u3.editDashboard(setColumns(1)); err != nil {
		t.Fatal(err)
	}
	if u3.unsaved() {
		t.Error("undoing the restored edit does not match the file")
	}
	u3.Close()

	// An untitled dashboard: the single-URL window plus a feed.
	u4 := newTestUI(t, a, Options{URL: h1 + "/sse"})
	if err := u4.editDashboard(func(d *dashboard.Dashboard) error {
		return d.AddFeed(dashboard.Feed{Name: "b", URL: h2 + "/sse", Settings: dashboard.DefaultFeedSettings()})
	}); err != nil {
		t.Fatal(err)
	}
	untitled := u4.current().Clone()
	u4.Close()
	u5 := newTestUI(t, a, Options{})
	if u5.dash == nil || u5.dash.path != "" || !reflect.DeepEqual(u5.current(), untitled) || u5.win.Title() != "• Untitled dashboard — Feedscope" {
		t.Fatalf("the untitled dashboard was not restored (title %q)", u5.win.Title())
	}
	waitFor(t, u5, "the restored untitled dashboard charting", func() bool { return u5.status.state.Text == "2 connected" })

	// Don't save on closing forgets it.
	u5.requestQuit()
	test.Tap(u5.unsavedDlg.discard)
	u6 := newTestUI(t, a, Options{})
	if u6.dash != nil {
		t.Errorf("a dashboard discarded on closing came back: %q", u6.dash.path)
	}
	u6.Close()

	// Unsaved changes to a file: Don't save leaves the file's version for
	// the next launch.
	u7 := newTestUI(t, a, Options{Dashboard: d1, DashboardPath: one})
	if err := u7.editDashboard(setColumns(2)); err != nil {
		t.Fatal(err)
	}
	u7.requestQuit()
	test.Tap(u7.unsavedDlg.discard)
	u8 := newTestUI(t, a, Options{})
	if u8.dash == nil || u8.dash.path != one || u8.unsaved() || u8.current().Columns != 1 {
		t.Fatalf("after Don't save, the next launch opened %+v", u8.dash)
	}
	// A file on the command line replaces unsaved changes.
	if err := u8.editDashboard(setColumns(2)); err != nil {
		t.Fatal(err)
	}
	u8.Close()
	d2, err := dashboard.Load(one)
	if err != nil {
		t.Fatal(err)
	}
	d2.Title = "Other"
	other := filepath.Join(dir, "other.toml")
	if err := dashboard.Save(other, d2); err != nil {
		t.Fatal(err)
	}
	newTestUI(t, a, Options{Dashboard: d2, DashboardPath: other}).Close()
	u9 := newTestUI(t, a, Options{})
	if u9.dash == nil || u9.dash.path != other || u9.unsaved() {
		t.Errorf("a file on the command line did not replace the unsaved dashboard")
	}
}

// The "done when": a two-feed, three-panel dashboard built in the
// window (the feeds through their dialogs), saved, closed and opened from
// its file in a fresh application shows the same feeds, panels and
// series on each panel.
func TestBuildDashboardInTheWindow(t *testing.T) {
	h1, h2 := startHub(t), startHub(t)
	path := filepath.Join(t.TempDir(), "line3.toml")
	u := newTestUI(t, test.NewTempApp(t), Options{URL: h1 + "/sse"})

	menuItem(t, u, "File", "New dashboard…").Action()
	fd := u.feedDlg
	test.Type(fd.name, "plc")
	test.Type(fd.url, h1+"/sse")
	test.Tap(fd.save)
	if u.dash == nil {
		t.Fatalf("no dashboard: %q", fd.problem.Text)
	}
	test.Tap(u.dash.list.add)
	fd = u.feedDlg
	test.Type(fd.name, "node")
	test.Type(fd.url, h2+"/poll")
	fd.transport.SetSelected("Polling")
	fd.settings.poll.SetText("500ms")
	test.Tap(fd.save)
	if len(u.dash.feeds) != 2 {
		t.Fatalf("second feed not added: %q", fd.problem.Text)
	}
	if err := u.editDashboard(func(d *dashboard.Dashboard) error {
		d.Title, d.Columns = "Line 3", 2
		d.Panels = []dashboard.Panel{
			{Title: "Sines", Series: []dashboard.SeriesRef{{Match: "*/sine"}}},
			{Title: "Walk of plc", Series: []dashboard.SeriesRef{{Match: "plc/walk"}}, Y: &dashboard.YRange{Min: -5, Max: 5}},
			{Title: "Node", Series: []dashboard.SeriesRef{{Match: "node/*"}}, Hidden: []string{"node/seq", "node/counter"}},
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	drawn := func(u *UI) [][]string {
		var out [][]string
		for _, p := range u.dash.panels {
			var names []string
			for _, s := range p.chart.Series() {
				if s.Visible {
					names = append(names, s.Name)
				}
			}
			out = append(out, names)
		}
		return out
	}
	want := [][]string{{"node/sine", "plc/sine"}, {"plc/walk"}, {"node/noise", "node/sawtooth", "node/sine", "node/walk"}}
	same := func(u *UI) bool {
		got := drawn(u)
		for i := range want {
			if !sameSet(got[i], want[i]) {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(15 * time.Second)
	for !(u.status.state.Text == "2 connected" && same(u)) {
		if time.Now().After(deadline) {
			t.Fatalf("panels draw %q, want %q", drawn(u), want)
		}
		u.flush()
		time.Sleep(20 * time.Millisecond)
	}
	u.writeDashboard(path)
	if u.unsaved() || u.win.Title() != "Line 3 — Feedscope" {
		t.Errorf("after saving: title %q", u.win.Title())
	}
	built := u.current().Clone()
	u.Close()

	d, err := dashboard.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	u2 := newTestUI(t, test.NewTempApp(t), Options{Dashboard: d, DashboardPath: path})
	if !reflect.DeepEqual(u2.current().Feeds, built.Feeds) || !reflect.DeepEqual(u2.current().Panels, built.Panels) {
		t.Fatalf("reopened:\n%+v\nbuilt:\n%+v", u2.current(), built)
	}
	if f := u2.dash.feeds[1].feed; f.Transport.Title() != "Polling" || f.Settings.PollInterval.String() != "500ms" {
		t.Errorf("node reopened as %+v", f)
	}
	waitFor(t, u2, "the reopened panels drawing the same series", func() bool { return u2.status.state.Text == "2 connected" && same(u2) })
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[string]bool{}
	for _, s := range a {
		in[s] = true
	}
	for _, s := range b {
		if !in[s] {
			return false
		}
	}
	return true
}
