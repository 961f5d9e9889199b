package app

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
)

// The panel commands: each panel's title menu (Rename…, Y range and
// unit…, Remove), View ▸ Add panel… and Columns, and the series list's
// switches and Add series to this panel…. Every one is an edit of the
// dashboard through editDashboard, so Save writes what the window shows.

// panelForm is the open dialog of a panel command: its fields, the line
// that says what is wrong with them and the button that applies them.
type panelForm struct {
	dlg    *dialog.CustomDialog
	fields map[string]fyne.CanvasObject // by the field's label
	ok     *widget.Button
	err    *widget.Label
}

// panelMenuButton is the "⋯" at the right of panel i's title bar: it
// opens the panel's menu.
func (u *UI) panelMenuButton(i int) *widget.Button {
	var b *widget.Button
	b = widget.NewButton("⋯", func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
		u.showPanelMenu(i, pos.AddXY(0, b.Size().Height))
	})
	b.Importance = widget.LowImportance
	return b
}

// panelTitle is a panel's title bar: pressing it selects the panel, and a
// secondary tap opens the panel's menu, as its ⋯ does.
type panelTitle struct {
	widget.Button
	onMenu func(at fyne.Position)
}

func newPanelTitle(text string, tapped func(), onMenu func(at fyne.Position)) *panelTitle {
	t := &panelTitle{onMenu: onMenu}
	t.Text, t.OnTapped = text, tapped
	t.ExtendBaseWidget(t)
	return t
}

func (t *panelTitle) TappedSecondary(e *fyne.PointEvent) {
	if t.onMenu != nil {
		t.onMenu(e.AbsolutePosition)
	}
}

// showPanelMenu opens panel i's menu at at, a position in the window.
func (u *UI) showPanelMenu(i int, at fyne.Position) {
	widget.ShowPopUpMenuAtPosition(u.panelMenu(i), u.win.Canvas(), at)
}

// panelMenu is panel i's menu.
func (u *UI) panelMenu(i int) *fyne.Menu {
	return fyne.NewMenu("",
		fyne.NewMenuItem("Rename…", func() { u.renamePanelDialog(i) }),
		fyne.NewMenuItem("Y range and unit…", func() { u.panelRangeDialog(i) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Remove", func() { u.removePanelDialog(i) }),
	)
}

// viewPanelItems are the View menu's panel items: Add panel… and the
// Columns submenu (its items, checked by syncPanelMenu).
func (u *UI) viewPanelItems() (items []*fyne.MenuItem, columns []*fyne.MenuItem) {
	add := fyne.NewMenuItem("Add panel…", u.addPanelDialog)
	for n := 1; n <= dashboard.MaxColumns; n++ {
		columns = append(columns, fyne.NewMenuItem(strconv.Itoa(n), func() { u.setColumns(n) }))
	}
	cols := fyne.NewMenuItem("Columns", nil)
	cols.ChildMenu = fyne.NewMenu("", columns...)
	return []*fyne.MenuItem{add, cols}, columns
}

// syncPanelMenu checks the dashboard's column count; the columns of the
// single-URL window's one chart are not a choice.
func (u *UI) syncPanelMenu(columns []*fyne.MenuItem) {
	for i, it := range columns {
		it.Disabled = u.dash == nil
		it.Checked = u.dash != nil && u.dash.d.Columns == i+1
	}
}

// editPanels applies change through editDashboard and then selects panel
// sel(n) of the n panels there are afterwards.
func (u *UI) editPanels(change func(d *dashboard.Dashboard) error, sel func(n int) int) error {
	if err := u.editDashboard(change); err != nil {
		return err
	}
	u.selectPanel(sel(len(u.dash.panels)))
	return nil
}

// setColumns lays the panels out in n columns.
func (u *UI) setColumns(n int) {
	if u.dash == nil {
		return
	}
	sel := u.dash.selected
	if err := u.editPanels(func(d *dashboard.Dashboard) error { d.Columns = n; return nil }, keep(sel)); err != nil {
		dialog.ShowError(err, u.win)
	}
}

// showPanelForm opens a dialog of items. parse reads the fields into an
// edit of the dashboard, or says what is wrong with them; the dialog
// checks every change of a field by trying the edit on a copy, shows the
// problem and keeps OK disabled until there is none. OK applies the edit
// and selects panel sel(n).
func (u *UI) showPanelForm(title, okText string, items []*widget.FormItem, parse func() (func(d *dashboard.Dashboard) error, error), sel func(n int) int) *panelForm {
	f := &panelForm{fields: map[string]fyne.CanvasObject{}, err: widget.NewLabel("")}
	f.err.Importance = widget.DangerImportance
	f.err.Wrapping = fyne.TextWrapWord
	touched := false // no complaint before the first change
	check := func() error {
		change, err := parse()
		if err == nil {
			trial := u.current().Clone()
			if err = change(trial); err == nil {
				err = trial.Validate()
			}
		}
		if err != nil {
			if touched {
				f.err.SetText(strings.TrimPrefix(err.Error(), "dashboard: "))
			}
			f.ok.Disable()
			return err
		}
		f.err.SetText("")
		f.ok.Enable()
		return nil
	}
	onChange := func(string) { touched = true; _ = check() }
	// Enter in a field is OK.
	submit := func(string) {
		if !f.ok.Disabled() {
			f.ok.OnTapped()
		}
	}
	for _, it := range items {
		f.fields[it.Text] = it.Widget
		switch w := it.Widget.(type) {
		case *widget.Entry:
			w.OnChanged, w.OnSubmitted = onChange, submit
		case *widget.SelectEntry:
			w.OnChanged, w.OnSubmitted = onChange, submit
		case *widget.Check:
			prev := w.OnChanged
			w.OnChanged = func(on bool) {
				if prev != nil {
					prev(on)
				}
				touched = true
				_ = check()
			}
		}
	}
	form := widget.NewForm(items...)
	cancel := widget.NewButton("Cancel", nil)
	f.ok = widget.NewButton(okText, func() {
		touched = true
		if check() != nil {
			return
		}
		change, _ := parse()
		if err := u.editPanels(change, sel); err != nil {
			f.err.SetText(strings.TrimPrefix(err.Error(), "dashboard: "))
			return
		}
		f.dlg.Hide()
	})
	f.ok.Importance = widget.HighImportance
	f.dlg = dialog.NewCustomWithoutButtons(title, container.NewVBox(form, f.err), u.win)
	f.dlg.SetButtons([]fyne.CanvasObject{cancel, f.ok})
	cancel.OnTapped = f.dlg.Hide
	f.dlg.SetOnClosed(func() {
		if u.panelForm == f {
			u.panelForm = nil
		}
	})
	_ = check()
	f.dlg.Resize(fyne.NewSize(440, f.dlg.MinSize().Height))
	u.panelForm = f
	f.dlg.Show()
	return f
}

// onPanel is an edit of panel i. A dialog stays open while the
// dashboard may change under it (another file opened by a shortcut), so
// the panel may be gone.
func onPanel(i int, change func(p *dashboard.Panel) error) func(d *dashboard.Dashboard) error {
	return func(d *dashboard.Dashboard) error {
		if i >= len(d.Panels) {
			return fmt.Errorf("panel %d is gone", i+1)
		}
		return change(&d.Panels[i])
	}
}

// keep selects panel i afterwards.
func keep(i int) func(int) int { return func(int) int { return i } }

// renamePanelDialog asks panel i's new title; empty gives it back its
// default name ("panel 2").
func (u *UI) renamePanelDialog(i int) {
	if u.dash == nil || i >= len(u.dash.d.Panels) {
		return
	}
	name := widget.NewEntry()
	name.SetText(u.dash.d.Panels[i].Title)
	name.SetPlaceHolder(fmt.Sprintf("panel %d", i+1))
	u.showPanelForm("Rename panel", "Rename", []*widget.FormItem{widget.NewFormItem("Title", name)},
		func() (func(d *dashboard.Dashboard) error, error) {
			title := strings.TrimSpace(name.Text)
			return onPanel(i, func(p *dashboard.Panel) error { p.Title = title; return nil }), nil
		}, keep(u.dash.selected))
	u.win.Canvas().Focus(name)
}

// panelRangeDialog asks panel i's Y axis (automatic, or a minimum and a
// maximum) and its unit.
func (u *UI) panelRangeDialog(i int) {
	if u.dash == nil || i >= len(u.dash.d.Panels) {
		return
	}
	p := u.dash.d.Panels[i]
	lo, hi, unit := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	lo.SetPlaceHolder("e.g. 0")
	hi.SetPlaceHolder("e.g. 100")
	unit.SetPlaceHolder("e.g. °C")
	unit.SetText(p.Unit)
	auto := widget.NewCheck("Fit the data", func(on bool) {
		for _, e := range []*widget.Entry{lo, hi} {
			if on {
				e.Disable()
			} else {
				e.Enable()
			}
		}
	})
	if p.Y != nil {
		lo.SetText(strconv.FormatFloat(p.Y.Min, 'g', -1, 64))
		hi.SetText(strconv.FormatFloat(p.Y.Max, 'g', -1, 64))
	} else {
		auto.SetChecked(true)
	}
	u.showPanelForm("Y range and unit", "Apply", []*widget.FormItem{
		widget.NewFormItem("Automatic", auto),
		widget.NewFormItem("Min", lo),
		widget.NewFormItem("Max", hi),
		widget.NewFormItem("Unit", unit),
	}, func() (func(d *dashboard.Dashboard) error, error) {
		var y *dashboard.YRange
		if !auto.Checked {
			var err error
			if y, err = parseYRange(lo.Text, hi.Text); err != nil {
				return nil, err
			}
		}
		un := strings.TrimSpace(unit.Text)
		return onPanel(i, func(p *dashboard.Panel) error { p.Y, p.Unit = y, un; return nil }), nil
	}, keep(u.dash.selected))
}

// parseYRange reads a fixed Y axis from the dialog's fields.
func parseYRange(lo, hi string) (*dashboard.YRange, error) {
	num := func(what, s string) (float64, error) {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, fmt.Errorf("%s: give a number, or tick Automatic", what)
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("%s: %q is not a number", what, s)
		}
		return v, nil
	}
	mn, err := num("Min", lo)
	if err != nil {
		return nil, err
	}
	mx, err := num("Max", hi)
	if err != nil {
		return nil, err
	}
	if mn >= mx {
		return nil, fmt.Errorf("Min (%g) must be below Max (%g)", mn, mx)
	}
	return &dashboard.YRange{Min: mn, Max: mx}, nil
}

// removePanelDialog asks before removing panel i; the last panel stays,
// and the dialog says why.
func (u *UI) removePanelDialog(i int) {
	if u.dash == nil || i >= len(u.dash.d.Panels) {
		return
	}
	name := panelName(u.dash.d.Panels[i], i)
	if len(u.dash.d.Panels) == 1 {
		u.panelConfirm = dialog.NewInformation("Cannot remove the panel",
			fmt.Sprintf("“%s” is the dashboard's only panel: a dashboard needs one to draw in.\nAdd another panel first (View ▸ Add panel…).", name), u.win)
		u.panelConfirm.Show()
		return
	}
	sel := u.dash.selected
	confirm := dialog.NewConfirm("Remove panel?",
		fmt.Sprintf("Remove the panel “%s”? Its series stay stored and on the other panels that draw them.", name),
		func(ok bool) {
			if !ok {
				return
			}
			// The selection stays on the panel it was on, or moves to
			// the one that takes the removed one's place.
			after := func(n int) int {
				if sel > i {
					return sel - 1
				}
				return min(sel, n-1)
			}
			if err := u.editPanels(func(d *dashboard.Dashboard) error { return d.RemovePanel(i) }, after); err != nil {
				dialog.ShowError(err, u.win)
			}
		}, u.win)
	confirm.SetConfirmText("Remove")
	u.panelConfirm = confirm
	confirm.Show()
}

// addPanelDialog asks a new panel's title and the pattern of the series
// it draws: the series the series list's filter picks (one by name,
// several by a pattern), or every series. The single-URL window becomes a
// one-feed dashboard of two panels.
func (u *UI) addPanelDialog() {
	n := len(u.current().Panels)
	title, pattern := widget.NewEntry(), widget.NewEntry()
	title.SetPlaceHolder(fmt.Sprintf("panel %d", n+1))
	pattern.SetText(u.seriesList.pattern())
	u.showPanelForm("Add panel", "Add", []*widget.FormItem{
		widget.NewFormItem("Title", title),
		{Text: "Series", Widget: pattern, HintText: "* matches any run of characters, ? one character"},
	}, func() (func(d *dashboard.Dashboard) error, error) {
		t, pat := strings.TrimSpace(title.Text), strings.TrimSpace(pattern.Text)
		if pat == "" {
			return nil, errors.New("Series: give a series name or a pattern such as *")
		}
		return func(d *dashboard.Dashboard) error {
			d.Panels = append(d.Panels, dashboard.Panel{Title: t, Series: []dashboard.SeriesRef{{Match: pat}}})
			return nil
		}, nil
	}, func(n int) int { return n - 1 })
	u.win.Canvas().Focus(title)
}

// addSeriesDialog adds a series (of any feed) or a pattern to the
// selected panel: a series may be on several panels.
func (u *UI) addSeriesDialog() {
	v := u.dash
	if v == nil {
		return
	}
	i := v.selected
	p := v.d.Panels[i]
	var others []string
	for _, name := range u.chart.Store().Names() {
		if !p.Shows(name) {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	name := widget.NewSelectEntry(others)
	name.SetPlaceHolder("feed/series, or a pattern such as b/temp*")
	u.showPanelForm("Add series to “"+panelName(p, i)+"”", "Add", []*widget.FormItem{widget.NewFormItem("Series", name)},
		func() (func(d *dashboard.Dashboard) error, error) {
			s := strings.TrimSpace(name.Text)
			if s == "" {
				return nil, errors.New("Series: pick a series or type a pattern")
			}
			return onPanel(i, func(p *dashboard.Panel) error { return addToPanel(p, s, u.chart.Store().Names()) }), nil
		}, keep(i))
	u.win.Canvas().Focus(name)
}

// addToPanel makes panel p draw s, a series name or a pattern; known are
// the series there are now.
func addToPanel(p *dashboard.Panel, s string, known []string) error {
	if strings.ContainsAny(s, "*?") {
		p.Series = append(p.Series, dashboard.SeriesRef{Match: s})
		return nil
	}
	return p.SetShown(s, true, known)
}

// setPanelSeries is the series list's switch on a dashboard panel: it
// shows or hides names on the selected panel by editing the panel's
// series and hidden patterns, so Save keeps what the list shows. It
// reports false in the single-URL window, whose list switches the chart.
func (u *UI) setPanelSeries(names []string, on bool) bool {
	if u.dash == nil {
		return false
	}
	u.setPanelSeriesOn(u.dash.selected, names, on)
	return true
}

// setPanelSeriesOn shows or hides names on panel i (the series list's
// switches, a tap on the panel's legend); the selection stays.
func (u *UI) setPanelSeriesOn(i int, names []string, on bool) {
	v := u.dash
	if v == nil || i >= len(v.panels) {
		return
	}
	known := u.chart.Store().Names()
	if err := u.editPanels(onPanel(i, func(p *dashboard.Panel) error {
		for _, name := range names {
			if err := p.SetShown(name, on, known); err != nil {
				return err
			}
		}
		return nil
	}), keep(v.selected)); err != nil {
		dialog.ShowError(err, u.win)
	}
}
