package app

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/charts"
)

// seriesList is the side panel: every series with its colour and a check
// to show or hide it, filtered by name. The chart shows the first
// charts.DefaultDefaultVisible series until the user picks, so a /metrics
// page with hundreds of series stays readable.
type seriesList struct {
	chart   func() *charts.Chart
	filter  *widget.Entry
	count   *widget.Label
	list    *widget.List
	shown   []charts.SeriesInfo // matching the filter
	next    []charts.SeriesInfo // update's scratch, swapped with shown
	total   int
	content fyne.CanvasObject
	// menu is a series' menu (seriesmenu.go); suggest says whether to
	// suggest rate for it, hints what it said for the rows shown.
	menu    func(name string) *fyne.Menu
	suggest func(name string) bool
	hints   map[string]rateHint
	hinted  map[string]bool
	// panel, when active, makes the list edit a dashboard panel's series
	// rather than the chart's switches (see dashpanels.go).
	panel  *panelHooks
	addBtn *widget.Button
	top    *fyne.Container // holds addBtn
}

// panelHooks connect the series list to the selected dashboard panel.
type panelHooks struct {
	active func() bool
	// set shows or hides series on the panel; it reports false when
	// there is no panel to edit.
	set func(names []string, on bool) bool
	add func() // Add series to this panel…
}

func newSeriesList(chart func() *charts.Chart) *seriesList {
	s := &seriesList{chart: chart, filter: widget.NewEntry(), count: widget.NewLabel("")}
	s.filter.SetPlaceHolder("Filter series")
	s.filter.OnChanged = func(string) { s.update() }
	s.count.Importance = widget.LowImportance
	s.list = widget.NewList(
		func() int { return len(s.shown) },
		func() fyne.CanvasObject {
			swatch := canvas.NewRectangle(theme.Color(theme.ColorNameForeground))
			swatch.CornerRadius = 2
			check := widget.NewCheck("", nil)
			menu := widget.NewButtonWithIcon("", theme.MoreVerticalIcon(), nil)
			menu.Importance = widget.LowImportance
			return container.NewBorder(nil, nil, container.NewCenter(container.NewGridWrap(fyne.NewSize(12, 12), swatch)), menu, check)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < 0 || id >= len(s.shown) {
				return
			}
			info := s.shown[id]
			row := o.(*fyne.Container)
			check := row.Objects[0].(*widget.Check)
			swatch := row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Rectangle)
			swatch.FillColor = info.Color
			swatch.Refresh()
			// Set fields and refresh once: SetChecked alone does not redraw
			// a recycled row whose check state happens to match.
			check.OnChanged = nil
			check.Text, check.Checked = info.Name, info.Visible
			check.Refresh()
			name := info.Name
			check.OnChanged = func(on bool) { s.setVisible([]string{name}, on) }
			s.bindMenu(row.Objects[2].(*widget.Button), name)
		},
	)
	all := widget.NewButton("Show all", func() { s.setAll(true) })
	none := widget.NewButton("Hide all", func() { s.setAll(false) })
	s.addBtn = widget.NewButton("Add series to this panel…", func() {
		if s.panel != nil {
			s.panel.add()
		}
	})
	s.addBtn.Hide()
	s.top = container.NewVBox(s.filter, container.NewGridWithColumns(2, all, none), s.addBtn, s.count)
	s.content = container.NewBorder(s.top, nil, nil, nil, s.list)
	return s
}

// setAll shows or hides every series that matches the filter.
func (s *seriesList) setAll(on bool) {
	names := make([]string, len(s.shown))
	for i, info := range s.shown {
		names[i] = info.Name
	}
	s.setVisible(names, on)
}

// setVisible shows or hides names: on a dashboard panel by editing what
// the panel draws, so Save keeps it; else on the chart.
func (s *seriesList) setVisible(names []string, on bool) {
	if s.panel == nil || !s.panel.set(names, on) {
		c := s.chart()
		for _, name := range names {
			c.SetSeriesVisible(name, on)
		}
	}
	s.update()
}

// pattern is what the filter picks as a series pattern: the one series it
// matches, "*filter*" for several, else "*" (every series).
func (s *seriesList) pattern() string {
	f := strings.TrimSpace(s.filter.Text)
	switch {
	case f == "" || len(s.shown) == 0 || strings.ContainsAny(f, "*?"):
		return "*"
	case len(s.shown) == 1:
		return s.shown[0].Name
	}
	// The filter ignores case; a pattern does not.
	for _, info := range s.shown {
		if !strings.Contains(info.Name, f) {
			return "*"
		}
	}
	return "*" + f + "*"
}

// update re-reads the series from the chart. Cheap enough for every flush
// in which the store gained a series, and for every user action; it
// refreshes the list and the count only when what they show changed, since
// every refresh repaints the window.
func (s *seriesList) update() {
	all := s.chart().Series()
	f := strings.ToLower(strings.TrimSpace(s.filter.Text))
	s.next = s.next[:0]
	visible := 0
	for _, info := range all {
		if info.Visible {
			visible++
		}
		if f == "" || strings.Contains(strings.ToLower(info.Name), f) {
			s.next = append(s.next, info)
		}
	}
	s.total = len(all)
	if s.panel != nil && s.panel.active() != s.addBtn.Visible() {
		if s.panel.active() {
			s.addBtn.Show()
		} else {
			s.addBtn.Hide()
		}
		// Showing or hiding a child does not lay its container out again.
		s.top.Refresh()
		s.content.Refresh()
	}
	switch {
	case s.total == 0:
		setLabel(s.count, "No series yet")
	case f != "":
		setLabel(s.count, fmt.Sprintf("%d of %d series match · %d shown", len(s.next), s.total, visible))
	default:
		setLabel(s.count, fmt.Sprintf("%d series · %d shown", s.total, visible))
	}
	hints := s.hintsChanged()
	if slices.Equal(s.shown, s.next) && !hints {
		return
	}
	s.shown, s.next = s.next, s.shown
	s.list.Refresh()
}

// bindMenu makes a row's menu button open the series' menu, and read
// "rate?" when rate is suggested for it (a counter).
func (s *seriesList) bindMenu(b *widget.Button, name string) {
	// The suggestion takes the icon's place: the row stays narrow.
	text, icon := "", theme.MoreVerticalIcon()
	if s.suggest != nil && s.suggest(name) {
		text, icon = "rate?", nil
	}
	if b.Text != text {
		b.Text, b.Icon = text, icon
		b.Refresh()
	}
	b.OnTapped = func() {
		if s.menu == nil {
			return
		}
		c := fyne.CurrentApp().Driver().CanvasForObject(b)
		if c == nil {
			return
		}
		at := fyne.CurrentApp().Driver().AbsolutePositionForObject(b).Add(fyne.NewPos(0, b.Size().Height))
		widget.ShowPopUpMenuAtPosition(s.menu(name), c, at)
	}
}

// hintsChanged reports whether rate is now suggested for a different set
// of the series shown than when the rows were last drawn.
func (s *seriesList) hintsChanged() bool {
	if s.suggest == nil {
		return false
	}
	now := make(map[string]bool)
	for _, info := range s.next {
		if s.suggest(info.Name) {
			now[info.Name] = true
		}
	}
	if maps.Equal(now, s.hinted) {
		return false
	}
	s.hinted = now
	return true
}
