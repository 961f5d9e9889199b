package app

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
	"feedscope/charts"
)

// tapPanelMenu opens panel i's menu with its ⋯ button and taps the item
// labelled label.
func tapPanelMenu(t *testing.T, u *UI, i int, label string) {
	t.Helper()
	test.Tap(u.dash.panels[i].menu)
	tapMenuItem(t, u, label)
}

// tapMenuItem taps the item labelled label of the pop-up menu on top of
// the window.
func tapMenuItem(t *testing.T, u *UI, label string) {
	t.Helper()
	overlay := u.win.Canvas().Overlays().Top()
	var pm *widget.PopUpMenu
	if overlay != nil {
		if c := reflect.ValueOf(overlay).Elem().FieldByName("Content"); c.IsValid() {
			pm, _ = c.Interface().(*widget.PopUpMenu)
		}
	}
	if pm == nil {
		t.Fatalf("no menu opened (%T on top)", overlay)
	}
	for _, o := range pm.Items {
		item := reflect.ValueOf(o).Elem().FieldByName("Item")
		if item.IsValid() && !item.IsNil() && item.Interface().(*fyne.MenuItem).Label == label {
			test.Tap(o.(fyne.Tappable))
			return
		}
	}
	t.Fatalf("the menu has no %q", label)
}

// fill sets the open panel dialog's field labelled label, as typing does.
func fill(t *testing.T, u *UI, label, text string) {
	t.Helper()
	if u.panelForm == nil {
		t.Fatal("no panel dialog is open")
	}
	switch w := u.panelForm.fields[label].(type) {
	case *widget.Entry:
		w.SetText(text)
	case *widget.SelectEntry:
		w.SetText(text)
	default:
		t.Fatalf("the dialog has no text field %q (%T)", label, w)
	}
}

func panelTitles(u *UI) []string {
	var out []string
	for _, p := range u.dash.panels {
		out = append(out, p.title.Text)
	}
	return out
}

// View ▸ Add panel… in the single-URL window: the dialog proposes the
// series the series list's filter picks; the window becomes a one-feed
// dashboard of two panels, the feed keeps running, and the new panel is
// selected and draws what its pattern matches.
func TestAddPanelInSingleWindow(t *testing.T) {
	hub := startHub(t)
	u := newTestUI(t, test.NewTempApp(t), Options{URL: hub + "/sse"})
	waitFor(t, u, "the feed charting", func() bool { return samplesOf(u, "walk") > 2 && samplesOf(u, "sine") > 2 })
	if !u.menu.columns[0].Disabled || u.seriesList.addBtn.Visible() {
		t.Error("Columns or Add series to this panel… offered in the single-URL window")
	}
	run := u.feed
	u.seriesList.filter.SetText("s") // sine, seq, sawtooth, noise
	if got := u.seriesList.pattern(); got != "*s*" {
		t.Errorf("a filter showing several series proposes %q, want *s*", got)
	}
	u.seriesList.filter.SetText("wal")
	menuItem(t, u, "View", "Add panel…").Action()
	if got := u.panelForm.fields["Series"].(*widget.Entry).Text; got != "walk" {
		t.Errorf("the dialog proposes %q, want walk (the one series the filter shows)", got)
	}
	fill(t, u, "Series", " ")
	if !u.panelForm.ok.Disabled() || !strings.Contains(u.panelForm.err.Text, "Series") {
		t.Errorf("an empty pattern: Add enabled %v, error %q", !u.panelForm.ok.Disabled(), u.panelForm.err.Text)
	}
	fill(t, u, "Title", "Walk")
	fill(t, u, "Series", "walk")
	test.Tap(u.panelForm.ok)
	if u.panelForm != nil {
		t.Fatalf("the dialog stays open: %q", u.panelForm.err.Text)
	}
	if u.dash == nil || len(u.dash.panels) != 2 || len(u.dash.feeds) != 1 {
		t.Fatalf("after Add panel: %+v", u.dash)
	}
	if u.dash.feeds[0].run != run {
		t.Error("adding a panel restarted the feed")
	}
	if u.dash.selected != 1 || u.chart != u.dash.panels[1].chart {
		t.Error("the new panel is not the selected one")
	}
	if got := u.current().Panels[1]; got.Title != "Walk" || len(got.Series) != 1 || got.Series[0].Match != "walk" {
		t.Errorf("the new panel is %+v", got)
	}
	u.seriesList.filter.SetText("")
	waitFor(t, u, "the new panel drawing walk alone", func() bool {
		p := u.dash.panels[1].chart
		return p.SeriesVisible("walk") && !p.SeriesVisible("sine") && len(p.Series()) == 1 && u.dash.panels[0].chart.SeriesVisible("sine")
	})
	if u.menu.columns[0].Disabled || !u.menu.columns[0].Checked || !u.seriesList.addBtn.Visible() {
		t.Error("the dashboard's Columns (1) and Add series to this panel… are not offered")
	}
	if b := u.seriesList.addBtn; b.Size().Height < b.MinSize().Height || b.Position().Y <= u.seriesList.filter.Position().Y {
		t.Errorf("Add series to this panel… is laid out at %v, size %v", b.Position(), b.Size())
	}
}

// twoHubDashboard opens a dashboard of an SSE feed a and a WebSocket feed
// b, each from its own hub, on three panels, and waits until every series
// the tests look at is on the panels.
func twoHubDashboard(t *testing.T) *UI {
	t.Helper()
	a, b := startHub(t), startHub(t)
	d := parseDash(t, `
columns = 2
[[feed]]
name = "a"
url = "`+a+`/sse"
[[feed]]
name = "b"
url = "`+strings.Replace(b, "http", "ws", 1)+`/ws"
[[panel]]
title = "Sine"
series = ["a/sine"]
[[panel]]
title = "Walks"
series = ["*/walk"]
[[panel]]
title = "B"
series = ["b/*"]
`)
	u := newTestUI(t, test.NewTempApp(t), Options{Dashboard: d, DashboardPath: filepath.Join(t.TempDir(), "d.toml")})
	waitFor(t, u, "both feeds' series on the panels", func() bool {
		for _, name := range []string{"a/sine", "a/walk", "b/sine", "b/walk", "b/seq", "b/counter"} {
			if sr := u.chart.Store().Lookup(name); sr == nil || sr.Index() >= u.dash.assigned {
				return false
			}
		}
		return true
	})
	return u
}

// The panel menu and View menu in a dashboard: add, rename, Y range and
// unit, columns, remove (and the refusal to remove the last panel); Save
// writes every change.
func TestPanelMenu(t *testing.T) {
	u := twoHubDashboard(t)
	a := u.dash.feeds[0].run

	menuItem(t, u, "View", "Add panel…").Action()
	if got := u.panelForm.fields["Series"].(*widget.Entry).Text; got != "*" {
		t.Errorf("with no filter the dialog proposes %q, want *", got)
	}
	fill(t, u, "Series", "sine")
	if !u.panelForm.ok.Disabled() || !strings.Contains(u.panelForm.err.Text, "names no feed") {
		t.Errorf("a pattern naming no feed: error %q", u.panelForm.err.Text)
	}
	fill(t, u, "Series", "b/sine")
	test.Tap(u.panelForm.ok)
	if got := panelTitles(u); !slices.Equal(got, []string{"Sine", "Walks", "B", "panel 4"}) || u.dash.selected != 3 {
		t.Fatalf("after Add panel: titles %q, selected %d", got, u.dash.selected)
	}
	if u.dash.feeds[0].run != a {
		t.Error("adding a panel restarted a feed")
	}
	waitFor(t, u, "the new panel drawing b/sine", func() bool { return u.dash.panels[3].chart.SeriesVisible("b/sine") })

	// A secondary tap on a title bar opens that panel's menu too.
	test.TapSecondary(u.dash.panels[2].title)
	tapMenuItem(t, u, "Rename…")
	if got := u.panelForm.fields["Title"].(*widget.Entry).Text; got != "B" {
		t.Errorf("a secondary tap on B's title renames %q", got)
	}
	u.panelForm.dlg.Hide()

	tapPanelMenu(t, u, 0, "Rename…")
	if got := u.panelForm.fields["Title"].(*widget.Entry).Text; got != "Sine" {
		t.Errorf("Rename proposes %q", got)
	}
	fill(t, u, "Title", "Sine wave")
	u.panelForm.fields["Title"].(*widget.Entry).TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter is OK
	if got := panelTitles(u)[0]; got != "Sine wave" || u.dash.selected != 3 {
		t.Errorf("after Rename: title %q, selected %d (want the selection kept at 3)", got, u.dash.selected)
	}
	if !strings.HasPrefix(u.win.Title(), unsavedMark) {
		t.Errorf("after editing panels the window title %q does not mark unsaved changes", u.win.Title())
	}

	tapPanelMenu(t, u, 1, "Y range and unit…")
	auto := u.panelForm.fields["Automatic"].(*widget.Check)
	if !auto.Checked || !u.panelForm.fields["Min"].(*widget.Entry).Disabled() {
		t.Error("a panel that fits its data does not say so")
	}
	test.Tap(auto)
	for _, bad := range []struct{ min, max, says string }{
		{"", "5", "Min: give a number, or tick Automatic"},
		{"x", "5", `Min: "x" is not a number`},
		{"0", "Inf", `Max: "Inf" is not a number`},
		{"10", "5", "Min (10) must be below Max (5)"},
	} {
		fill(t, u, "Min", bad.min)
		fill(t, u, "Max", bad.max)
		if !u.panelForm.ok.Disabled() || u.panelForm.err.Text != bad.says {
			t.Errorf("min %q max %q: Apply enabled %v, error %q, want %q", bad.min, bad.max, !u.panelForm.ok.Disabled(), u.panelForm.err.Text, bad.says)
		}
	}
	fill(t, u, "Min", "-5")
	fill(t, u, "Max", "5.5")
	fill(t, u, "Unit", "m")
	test.Tap(u.panelForm.ok)
	if lo, hi, fixed := u.dash.panels[1].chart.YRange(); !fixed || lo != -5 || hi != 5.5 {
		t.Errorf("the chart's Y axis %v..%v (fixed %v), want -5..5.5", lo, hi, fixed)
	}
	if got := panelTitles(u)[1]; got != "Walks (m)" {
		t.Errorf("title %q, want the unit in it", got)
	}

	menuItem(t, u, "View", "Columns").ChildMenu.Items[2].Action()
	if !u.menu.columns[2].Checked || u.menu.columns[1].Checked {
		t.Error("the Columns menu does not check 3")
	}
	cells := u.dash.grid.Objects
	if cells[2].Position().Y != cells[0].Position().Y || cells[3].Position().Y <= cells[0].Position().Y || cells[3].Position().X != cells[0].Position().X {
		t.Errorf("3 columns lay out cells at %v %v %v %v", cells[0].Position(), cells[1].Position(), cells[2].Position(), cells[3].Position())
	}

	path := u.dash.path
	u.saveDashboard()
	if strings.HasPrefix(u.win.Title(), unsavedMark) {
		t.Errorf("saved, the window title %q still marks unsaved changes", u.win.Title())
	}
	saved, err := dashboard.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Columns != 3 || len(saved.Panels) != 4 || saved.Panels[0].Title != "Sine wave" ||
		saved.Panels[1].Unit != "m" || saved.Panels[1].Y == nil || *saved.Panels[1].Y != (dashboard.YRange{Min: -5, Max: 5.5}) ||
		saved.Panels[3].Series[0].Match != "b/sine" {
		t.Errorf("the saved file holds %+v", saved)
	}

	// Back to a fitted axis; the unit stays.
	tapPanelMenu(t, u, 1, "Y range and unit…")
	if u.panelForm.fields["Min"].(*widget.Entry).Text != "-5" || u.panelForm.fields["Max"].(*widget.Entry).Text != "5.5" {
		t.Error("the dialog does not show the panel's range")
	}
	test.Tap(u.panelForm.fields["Automatic"].(*widget.Check))
	test.Tap(u.panelForm.ok)
	if _, _, fixed := u.dash.panels[1].chart.YRange(); fixed || panelTitles(u)[1] != "Walks (m)" {
		t.Errorf("after Automatic: fixed %v, title %q", fixed, panelTitles(u)[1])
	}

	// Remove a panel before the selected one: the selection stays on its
	// panel. Remove the selected one: the next takes its place.
	test.Tap(u.dash.panels[2].title)
	tapPanelMenu(t, u, 1, "Remove")
	confirm, ok := u.panelConfirm.(*dialog.ConfirmDialog)
	if !ok {
		t.Fatalf("Remove asked nothing (%T)", u.panelConfirm)
	}
	confirm.Confirm()
	if got := panelTitles(u); !slices.Equal(got, []string{"Sine wave", "B", "panel 3"}) || u.dash.selected != 1 || u.chart != u.dash.panels[1].chart {
		t.Fatalf("after removing Walks: %q, selected %d", got, u.dash.selected)
	}
	tapPanelMenu(t, u, 1, "Remove")
	u.panelConfirm.(*dialog.ConfirmDialog).Confirm()
	if got := panelTitles(u); !slices.Equal(got, []string{"Sine wave", "panel 2"}) || u.dash.selected != 1 {
		t.Fatalf("after removing the selected B: %q, selected %d", got, u.dash.selected)
	}
	tapPanelMenu(t, u, 1, "Remove")
	u.panelConfirm.(*dialog.ConfirmDialog).Confirm()
	if u.dash.selected != 0 || len(u.dash.panels) != 1 {
		t.Fatalf("after removing the last of the list: selected %d of %d", u.dash.selected, len(u.dash.panels))
	}
	tapPanelMenu(t, u, 0, "Remove")
	if _, asked := u.panelConfirm.(*dialog.ConfirmDialog); asked || !strings.Contains(overlayText(u), "only panel") {
		t.Error("removing the last panel was not refused with a reason")
	}
	if len(u.dash.panels) != 1 || len(u.current().Panels) != 1 {
		t.Error("the last panel went")
	}
	if u.dash.feeds[0].run != a {
		t.Error("editing panels restarted a feed")
	}
}

// On a dashboard panel the series list's switches edit what the panel
// draws (its hidden patterns, its series), so Save and Load keep it; Add
// series to this panel… draws a series of another feed, which stays on
// its own panel too.
func TestSeriesListEditsPanel(t *testing.T) {
	u := twoHubDashboard(t)
	test.Tap(u.dash.panels[2].title) // B: b/*
	rowCheck := func(name string) *widget.Check {
		for x := range subtree(u.seriesList.list, map[fyne.CanvasObject]bool{}) {
			if c, ok := x.(*widget.Check); ok && c.Text == name {
				return c
			}
		}
		t.Fatalf("the series list shows no %s", name)
		return nil
	}
	test.Tap(rowCheck("b/seq"))
	if got := u.current().Panels[2].Hidden; !slices.Equal(got, []string{"b/seq"}) {
		t.Errorf("switching b/seq off left hidden = %q", got)
	}
	if u.dash.panels[2].chart.SeriesVisible("b/seq") || !u.dash.panels[2].chart.SeriesVisible("b/sine") || u.dash.selected != 2 {
		t.Error("the panel still draws b/seq, or lost its selection")
	}
	u.seriesList.filter.SetText("walk")
	u.seriesList.setAll(false) // Hide all: what the filter shows
	u.seriesList.filter.SetText("")
	if got := u.current().Panels[2].Hidden; !slices.Equal(got, []string{"b/seq", "b/walk"}) {
		t.Errorf("Hide all of the filtered series left hidden = %q", got)
	}
	if !u.dash.panels[1].chart.SeriesVisible("b/walk") {
		t.Error("hiding b/walk on B hid it on Walks")
	}
	test.Tap(rowCheck("b/seq"))
	if got := u.current().Panels[2].Hidden; !slices.Equal(got, []string{"b/walk"}) || !u.dash.panels[2].chart.SeriesVisible("b/seq") {
		t.Errorf("switching b/seq on again left hidden = %q", got)
	}

	// A tap on another panel's legend entry hides the series in that
	// panel's file entry; the selection stays.
	u.win.Canvas().Capture() // lays the legends out
	walks := u.dash.panels[1].chart
	for y := float32(2); y < 60 && u.dash.panels[1].chart == walks; y += 4 {
		for x := float32(4); x < 100 && u.dash.panels[1].chart == walks; x += 8 {
			walks.Tapped(&fyne.PointEvent{Position: fyne.NewPos(x, y)})
		}
	}
	if got := u.current().Panels[1].Hidden; len(got) != 1 || u.dash.panels[1].chart.SeriesVisible(got[0]) || u.dash.selected != 2 {
		t.Errorf("a legend tap on Walks left its hidden = %q, selected %d", got, u.dash.selected)
	}

	test.Tap(u.seriesList.addBtn)
	if u.panelForm == nil {
		t.Fatal("Add series to this panel… opened no dialog")
	}
	fill(t, u, "Series", "a/sine")
	test.Tap(u.panelForm.ok)
	if u.panelForm != nil {
		t.Fatalf("the dialog stays open: %q", u.panelForm.err.Text)
	}
	waitFor(t, u, "a/sine on B and on Sine", func() bool {
		return u.dash.panels[2].chart.SeriesVisible("a/sine") && u.dash.panels[0].chart.SeriesVisible("a/sine") &&
			slices.ContainsFunc(u.dash.panels[2].chart.Series(), func(s charts.SeriesInfo) bool { return s.Name == "a/sine" })
	})

	path := u.dash.path
	u.saveDashboard()
	u.openDashboardFile(path)
	if got := u.current().Panels[2]; !slices.Equal(got.Hidden, []string{"b/walk"}) || len(got.Series) != 2 || got.Series[1].Match != "a/sine" {
		t.Fatalf("loaded back: %+v", got)
	}
	waitFor(t, u, "the loaded panel B drawing a/sine and b/seq, not b/walk", func() bool {
		c := u.dash.panels[2].chart
		for _, name := range []string{"a/sine", "b/seq", "b/walk"} {
			if sr := u.chart.Store().Lookup(name); sr == nil || sr.Index() >= u.dash.assigned {
				return false
			}
		}
		return c.SeriesVisible("a/sine") && c.SeriesVisible("b/seq") && !c.SeriesVisible("b/walk")
	})
}

// File ▸ Save dashboard as PNG… draws every panel laid out as in the
// window (grid, titles with units, each panel's own series and Y axis),
// at the chart area's size; File ▸ Export CSV… writes every feed's
// series.
func TestDashboardExport(t *testing.T) {
	u := newTestUI(t, test.NewTempApp(t), Options{Dashboard: parseDash(t, golden2x2), DashboardPath: "golden.toml"})
	u.setTheme("light")
	u.disconnectDash() // the pictures are of fixed data
	goldenData(u.dash)
	u.flush()
	for _, p := range u.dash.panels {
		p.chart.SetLocation(time.UTC)
	}
	if menuItem(t, u, "File", "Save dashboard as PNG…").Disabled {
		t.Error("Save dashboard as PNG… is disabled in a dashboard")
	}
	var buf bytes.Buffer
	if err := u.writeDashboardPNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	size := u.dash.grid.Size()
	if b := img.Bounds(); b.Dx() != int(math.Ceil(float64(size.Width))) || b.Dy() != int(math.Ceil(float64(size.Height))) {
		t.Errorf("picture %v, the window's panels %v", b, size)
	}
	// Each panel's cell holds the lines of its first series, in that
	// series' colour.
	cols, w, h := 2, img.Bounds().Dx()/2, img.Bounds().Dy()/2
	for i, p := range u.dash.panels {
		first := p.chart.Series()[0].Color
		cell := image.Rect(i%cols*w, i/cols*h, i%cols*w+w, i/cols*h+h)
		if n := countColour(img, cell, first); n < 40 {
			t.Errorf("panel %d (%s): %d pixels of its first series' colour", i, p.title.Text, n)
		}
	}
	test.AssertImageMatches(t, "dashboard-export.png", img)

	// A firing panel is drawn firing: its frame and title in the alarm
	// colour.
	u.dash.panels[1].chart.SetAlert(true)
	buf.Reset()
	if err := u.writeDashboardPNG(&buf); err != nil {
		t.Fatal(err)
	}
	if img, err = png.Decode(&buf); err != nil {
		t.Fatal(err)
	}
	alarm := theme.Color(theme.ColorNameError)
	for i := range u.dash.panels {
		cell := image.Rect(i%cols*w, i/cols*h, i%cols*w+w, i/cols*h+h)
		if n := countColour(img, cell, alarm); (n > 200) != (i == 1) {
			t.Errorf("panel %d has %d pixels of the alarm colour; firing %v", i, n, i == 1)
		}
		titleBar := cell
		titleBar.Max.Y = cell.Min.Y + int(widget.NewLabel("X").MinSize().Height)
		if n := countColour(img, titleBar, alarm); (n > 10) != (i == 1) {
			t.Errorf("panel %d's title has %d pixels of the alarm colour; firing %v", i, n, i == 1)
		}
	}

	buf.Reset()
	if err := exportCSV(&buf, u.chart.Store()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"plc/temp1", "plc/pressure", "node/load1", "node/load5"} {
		if n := strings.Count(buf.String(), ","+name+","); n != 120 {
			t.Errorf("the CSV holds %d rows of %s, want 120", n, name)
		}
	}
}

// countColour counts the pixels of r in img of colour c.
func countColour(img image.Image, r image.Rectangle, c color.Color) int {
	want := color.NRGBAModel.Convert(c)
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.NRGBAModel.Convert(img.At(x, y)) == want {
				n++
			}
		}
	}
	return n
}

// Add series to this panel… takes a name or a pattern.
func TestAddToPanel(t *testing.T) {
	p := dashboard.Panel{Series: []dashboard.SeriesRef{{Match: "a/*"}}, Hidden: []string{"a/x"}}
	if err := addToPanel(&p, "b/temp*", nil); err != nil {
		t.Fatal(err)
	}
	if err := addToPanel(&p, "a/x", []string{"a/x"}); err != nil {
		t.Fatal(err)
	}
	want := dashboard.Panel{Series: []dashboard.SeriesRef{{Match: "a/*"}, {Match: "b/temp*"}}}
	if !reflect.DeepEqual(p, want) || !p.Shows("b/temp1") || !p.Shows("a/x") {
		t.Errorf("got %+v, want %+v", p, want)
	}
}

// A panel dialog left open while its panel goes says so when applied,
// and changes nothing.
func TestPanelDialogOutlivesItsPanel(t *testing.T) {
	u := newTestUI(t, test.NewTempApp(t), Options{Dashboard: parseDash(t, golden2x2), DashboardPath: "golden.toml"})
	u.disconnectDash()
	tapPanelMenu(t, u, 3, "Rename…")
	if err := u.editDashboard(func(d *dashboard.Dashboard) error { d.Panels = d.Panels[:2]; return nil }); err != nil {
		t.Fatal(err)
	}
	fill(t, u, "Title", "x")
	test.Tap(u.panelForm.ok)
	if u.panelForm == nil {
		t.Fatal("the dialog closed as if it had renamed a panel")
	}
	if u.panelForm.err.Text != "panel 4 is gone" || !slices.Equal(panelTitles(u), []string{"Temperatures (°C)", "Pressure"}) {
		t.Errorf("renaming a removed panel: %q, titles %q", u.panelForm.err.Text, panelTitles(u))
	}
}
