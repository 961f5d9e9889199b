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
// messages per second, and a button that connects or disconnects it.
type feedRow struct {
	dot    *canvas.Circle
	label  *widget.Label
	toggle *widget.Button
	rates  rates
}

// feedsList is the Feeds list above the series list of a dashboard.
type feedsList struct {
	rows    []*feedRow
	content fyne.CanvasObject
}

// newFeedsList makes a row per feed of the open dashboard.
func (u *UI) newFeedsList() *feedsList {
	l := &feedsList{}
	box := container.NewVBox(widget.NewLabelWithStyle("Feeds", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, f := range u.dash.feeds {
		r := &feedRow{
			dot:   canvas.NewCircle(color.Transparent),
			label: widget.NewLabel(f.feed.Name),
		}
		r.label.Truncation = fyne.TextTruncateEllipsis
		r.toggle = widget.NewButton("Disconnect", func() {
			if f.run != nil {
				u.stopDashFeed(f)
			} else {
				u.startDashFeed(f)
			}
			u.dash.listDue = time.Time{} // show the change now
			u.flush()
		})
		r.toggle.Importance = widget.LowImportance
		dot := container.NewGridWrap(fyne.NewSquareSize(theme.TextSize()*0.8), r.dot)
		box.Add(container.NewBorder(nil, nil, container.NewCenter(dot), r.toggle, r.label))
		l.rows = append(l.rows, r)
	}
	l.content = container.NewBorder(nil, widget.NewSeparator(), nil, nil, box)
	return l
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
		setLabel(r.label, f.feed.Name+" · "+formatRate(r.rates.msgsPS)+" msg/s")
		text := "Connect"
		if f.run != nil {
			text = "Disconnect"
		}
		if r.toggle.Text != text {
			r.toggle.SetText(text)
		}
	}
}
