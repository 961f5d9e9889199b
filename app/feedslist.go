package app

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/feeds"
)

// feedRow is one feed in the Feeds list: its state colour, its name and
// messages per second (pressing them selects the feed, a secondary tap
// opens its menu), a button that connects (▶) or disconnects (■) it, as
// the window's Connect button does for all, and a "⋯" button with its
// menu. Icons rather than words leave the name room in a narrow list.
type feedRow struct {
	bg     *canvas.Rectangle // the selection highlight
	dot    *canvas.Circle
	label  *rowLabel
	toggle *widget.Button
	more   *widget.Button
	rates  rates
}

// feedsList is the Feeds list above the series list of a dashboard, with
// Add feed… under it.
type feedsList struct {
	rows    []*feedRow
	add     *widget.Button
	content fyne.CanvasObject
}

// newFeedsList makes a row per feed of the open dashboard.
func (u *UI) newFeedsList() *feedsList {
	l := &feedsList{}
	box := container.NewVBox(widget.NewLabelWithStyle("Feeds", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for i, f := range u.dash.feeds {
		r := &feedRow{
			bg:    canvas.NewRectangle(color.Transparent),
			dot:   canvas.NewCircle(color.Transparent),
			label: newRowLabel(f.feed.Name),
		}
		r.bg.CornerRadius = theme.InputRadiusSize()
		// Wrapped, not cut: feeds named after their hosts often differ only
		// in the last characters (127.0.0.1:8080, 127.0.0.1:8081).
		r.label.Wrapping = fyne.TextWrapBreak
		r.label.onTap = func() { u.selectFeed(i) }
		r.label.onMenu = func(at fyne.Position) { u.showFeedMenu(i, at) }
		r.toggle = widget.NewButtonWithIcon("", theme.MediaStopIcon(), func() { u.setFeedRunning(f, !f.busy()) })
		r.toggle.Importance = widget.LowImportance
		r.more = widget.NewButtonWithIcon("", theme.MoreHorizontalIcon(), nil)
		r.more.OnTapped = func() {
			at := fyne.CurrentApp().Driver().AbsolutePositionForObject(r.more)
			u.showFeedMenu(i, at.AddXY(0, r.more.Size().Height))
		}
		r.more.Importance = widget.LowImportance
		dot := container.NewGridWrap(fyne.NewSquareSize(theme.TextSize()*0.8), r.dot)
		row := container.NewBorder(nil, nil, container.NewCenter(dot), container.NewHBox(r.toggle, r.more), r.label)
		box.Add(container.NewStack(r.bg, row))
		l.rows = append(l.rows, r)
	}
	l.add = widget.NewButtonWithIcon("Add feed…", theme.ContentAddIcon(), u.showAddFeed)
	l.add.Importance = widget.LowImportance
	box.Add(container.NewHBox(l.add))
	l.content = container.NewBorder(nil, widget.NewSeparator(), nil, nil, box)
	l.selectRow(u.dash.selFeed)
	return l
}

// selectRow highlights the row of the selected feed.
func (l *feedsList) selectRow(sel int) {
	for i, r := range l.rows {
		c := color.Color(color.Transparent)
		if i == sel && len(l.rows) > 1 {
			c = theme.Color(theme.ColorNameSelection)
		}
		if c != r.bg.FillColor {
			r.bg.FillColor = c
			r.bg.Refresh()
		}
	}
}

// show brings every row up to date, touching only what changed.
func (l *feedsList) show(v *dashView) {
	for i, f := range v.feeds {
		r := l.rows[i]
		dot := color.Color(color.Transparent)
		if f.hasSt {
			dot = stateColor(f.st.State)
			if f.st.State == feeds.Stopped && f.st.Err == nil {
				dot = theme.Color(theme.ColorNameDisabled)
			}
		}
		if dot != r.dot.FillColor {
			r.dot.FillColor = dot
			r.dot.Refresh()
		}
		setLabel(&r.label.Label, f.feed.Name+" · "+formatRate(r.rates.msgsPS)+" msg/s")
		// A recording loaded whole has nothing to start or stop: its
		// replay has the replay bar.
		if f.loadedWhole() {
			r.toggle.Hide() // returns at once when hidden already
			continue
		}
		r.toggle.Show()
		icon := theme.MediaPlayIcon()
		if f.busy() {
			icon = theme.MediaStopIcon()
		}
		if r.toggle.Icon == nil || r.toggle.Icon.Name() != icon.Name() {
			r.toggle.SetIcon(icon)
		}
	}
}

// setFeedRunning connects or disconnects one feed of the dashboard.
func (u *UI) setFeedRunning(f *dashFeed, on bool) {
	if on {
		u.startDashFeed(f)
	} else {
		u.stopDashFeed(f)
	}
	u.dash.listDue = time.Time{} // show the change now
	u.syncConnectButton()
	u.flush()
}

// rowLabel is a feed's name in the Feeds list: a label that selects its
// feed when pressed and opens the feed's menu on a secondary tap.
type rowLabel struct {
	widget.Label
	onTap  func()
	onMenu func(at fyne.Position)
}

func newRowLabel(text string) *rowLabel {
	l := &rowLabel{}
	l.Text = text
	l.ExtendBaseWidget(l)
	return l
}

func (l *rowLabel) Tapped(*fyne.PointEvent) {
	if l.onTap != nil {
		l.onTap()
	}
}

func (l *rowLabel) TappedSecondary(e *fyne.PointEvent) {
	if l.onMenu != nil {
		l.onMenu(e.AbsolutePosition)
	}
}
