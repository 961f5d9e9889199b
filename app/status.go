package app

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/feeds"
)

// statusBar is the strip at the bottom of the window: the connection
// state in colour, the rates, the age of the last message, the bytes
// received, a TLS warning while verification is off, and Reconnect now.
type statusBar struct {
	dot       *canvas.Circle
	state     *canvas.Text
	detail    *widget.Label
	stats     *widget.Label
	insecure  *widget.Label
	reconnect *widget.Button
	content   fyne.CanvasObject

	// what the bar shows, kept to redraw the countdown every flush
	st      feeds.Status
	hasSt   bool
	idle    string // shown while no feed has ever run
	problem string
}

func newStatusBar(onReconnect func()) *statusBar {
	s := &statusBar{
		dot:       canvas.NewCircle(color.Transparent),
		state:     canvas.NewText("Not connected", theme.Color(theme.ColorNameForeground)),
		detail:    widget.NewLabel(""),
		stats:     widget.NewLabel(""),
		insecure:  widget.NewLabelWithStyle("⚠ TLS verification off", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		reconnect: widget.NewButtonWithIcon("Reconnect now", theme.ViewRefreshIcon(), onReconnect),
	}
	s.state.TextStyle.Bold = true
	s.detail.Truncation = fyne.TextTruncateEllipsis
	s.insecure.Importance = widget.DangerImportance
	s.insecure.Hide()
	s.reconnect.Importance = widget.LowImportance
	s.reconnect.Disable()
	dot := container.NewGridWrap(fyne.NewSquareSize(theme.TextSize()*0.8), s.dot)
	left := container.NewHBox(container.NewCenter(dot), container.NewCenter(s.state))
	right := container.NewHBox(s.insecure, s.stats, s.reconnect)
	s.content = container.NewBorder(widget.NewSeparator(), nil, left, right, s.detail)
	return s
}

// stateColor is the colour of a state: connected green, connecting and
// reconnecting amber, stopped red.
func stateColor(st feeds.State) color.Color {
	switch st {
	case feeds.Connected:
		return theme.Color(theme.ColorNameSuccess)
	case feeds.Connecting, feeds.Reconnecting:
		return theme.Color(theme.ColorNameWarning)
	}
	return theme.Color(theme.ColorNameError)
}

func (s *statusBar) setStatus(st feeds.Status) { s.st, s.hasSt = st, true }

// show redraws the bar for now. Called on the main goroutine every flush.
func (s *statusBar) show(now time.Time, b *bridge, r *rates, running bool) {
	if !s.hasSt {
		s.dot.FillColor = color.Transparent
		s.state.Text = "Not connected"
		s.state.Color = theme.Color(theme.ColorNameForeground)
		s.detail.SetText(s.idle)
	} else {
		st := s.st
		s.dot.FillColor = stateColor(st.State)
		s.state.Color = s.dot.FillColor
		s.state.Text = st.State.String()
		detail := ""
		switch st.State {
		case feeds.Connected, feeds.Connecting:
			if st.Transport != feeds.Auto {
				detail = "via " + st.Transport.Title()
			}
		case feeds.Reconnecting:
			left := max(st.Time.Add(st.Delay).Sub(now), 0)
			s.state.Text = fmt.Sprintf("Reconnecting (attempt %d) in %s", st.Attempt, countdown(left))
			detail = plainError(st.Err)
		case feeds.Stopped:
			if st.Err != nil {
				detail = plainError(st.Err)
			} else {
				s.state.Text = "Disconnected"
				s.state.Color = theme.Color(theme.ColorNameForeground)
				s.dot.FillColor = theme.Color(theme.ColorNameDisabled)
			}
		}
		if s.problem != "" {
			detail += " — " + s.problem
		}
		s.detail.SetText(detail)
	}
	s.dot.Refresh()
	s.state.Refresh()

	age := "no message yet"
	if last := b.lastMsg.Load(); last != 0 {
		age = "last " + formatAge(now.Sub(time.Unix(0, last))) + " ago"
	}
	s.stats.SetText(fmt.Sprintf("%s msg/s · %s samples/s · %s · %s",
		formatRate(r.msgsPS), formatRate(r.samplesPS), age, formatBytes(b.bytes.Load())))
	if running || s.hasSt && s.st.State == feeds.Stopped && s.st.Err != nil {
		s.reconnect.Enable()
	} else {
		s.reconnect.Disable()
	}
}

func (s *statusBar) setInsecure(on bool) {
	if on {
		s.insecure.Show()
	} else {
		s.insecure.Hide()
	}
}

func countdown(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

func formatRate(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2g", v)
}

func formatAge(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%.1fs", max(d.Seconds(), 0))
	case d < time.Minute:
		return fmt.Sprintf("%.0fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return d.Round(time.Minute).String()
}

func formatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
