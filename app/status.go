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
	// alarms counts the firing alarms; hidden while there are none to
	// watch (alarms.go).
	alarms  *widget.Button
	content fyne.CanvasObject

	// what the bar shows, kept to redraw the countdown every flush
	st      feeds.Status
	hasSt   bool
	idle    string // shown while no feed has ever run
	problem string

	statsDue time.Time // when the statistics line is next rebuilt

	// chartPaused says the chart is paused, so nothing else in the window
	// repaints each second: the byte count alone then changes only every
	// pausedBytesEvery (the rates and the age, which say whether the feed
	// is alive, still change within a second).
	chartPaused bool
	shownHead   string    // the statistics line without the byte count
	bytesDue    time.Time // when a changed byte count alone is next shown
}

func newStatusBar(onReconnect func()) *statusBar {
	s := &statusBar{
		dot:       canvas.NewCircle(color.Transparent),
		state:     canvas.NewText("Not connected", theme.Color(theme.ColorNameForeground)),
		detail:    widget.NewLabel(""),
		stats:     widget.NewLabel(""),
		insecure:  widget.NewLabelWithStyle("⚠ TLS verification off", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		reconnect: widget.NewButtonWithIcon("Reconnect now", theme.ViewRefreshIcon(), onReconnect),
		alarms:    widget.NewButtonWithIcon("", theme.WarningIcon(), nil),
	}
	s.alarms.Hide()
	s.state.TextStyle.Bold = true
	s.detail.Truncation = fyne.TextTruncateEllipsis
	s.insecure.Importance = widget.DangerImportance
	s.insecure.Hide()
	s.reconnect.Importance = widget.LowImportance
	s.reconnect.Disable()
	dot := container.NewGridWrap(fyne.NewSquareSize(theme.TextSize()*0.8), s.dot)
	left := container.NewHBox(container.NewCenter(dot), container.NewCenter(s.state))
	right := container.NewHBox(s.alarms, s.insecure, s.stats, s.reconnect)
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

// setStatus takes a new feed status; the next show also rebuilds the
// statistics, so a reconnect's counters are not a second late.
func (s *statusBar) setStatus(st feeds.Status) {
	s.st, s.hasSt = st, true
	s.statsDue, s.bytesDue = time.Time{}, time.Time{}
}

// show brings the bar up to date for now. Called on the main goroutine
// every flush, it changes an object only when what it shows differs: every
// Refresh repaints the whole window. The statistics are rebuilt once a
// second (statsEvery), so the age ticks in seconds and the rates and bytes
// do not flicker a repaint into every flush; while the chart is paused a
// changed byte count alone waits for pausedBytesEvery.
func (s *statusBar) show(now time.Time, b *bridge, r *rates, running bool) {
	s.apply(s.describe(now))

	s.showLineStats(now, b.lastMsg.Load(), r, b.bytes.Load(), running)
	if running || s.hasSt && s.st.State == feeds.Stopped && s.st.Err != nil {
		s.reconnect.Enable() // both return at once when nothing changes
	} else {
		s.reconnect.Disable()
	}
}

// apply shows a state in the dot, the state text and the detail,
// touching only what differs.
func (s *statusBar) apply(dot color.Color, state string, stateCol color.Color, detail string) {
	if dot != s.dot.FillColor {
		s.dot.FillColor = dot
		s.dot.Refresh()
	}
	if state != s.state.Text || stateCol != s.state.Color {
		s.state.Text, s.state.Color = state, stateCol
		s.state.Refresh()
	}
	setLabel(s.detail, detail)
}

// showStats rebuilds the statistics line of a running feed when it is
// due: last is the Unix nanoseconds of the newest message (0: none yet).
func (s *statusBar) showStats(now time.Time, last int64, r *rates, bytes uint64) {
	s.showLineStats(now, last, r, bytes, true)
}

// showLineStats is showStats; running false says that no feed runs, so
// no message can arrive: the line then gives the newest message's clock
// time, which stays put, instead of an age that would repaint the window
// every second for as long as it is left disconnected.
func (s *statusBar) showLineStats(now time.Time, last int64, r *rates, bytes uint64, running bool) {
	// statsDue is zeroed by setStatus, so news is never held back.
	if now.Before(s.statsDue) {
		return
	}
	s.statsDue = now.Add(statsEvery)
	age := "no message yet"
	switch {
	case last == 0:
	case running:
		age = "last " + formatAge(now.Sub(time.Unix(0, last))) + " ago"
	default:
		age = "last at " + formatClock(time.Unix(0, last), now)
	}
	head := fmt.Sprintf("%s msg/s · %s samples/s · %s", formatRate(r.msgsPS), formatRate(r.samplesPS), age)
	if s.chartPaused && head == s.shownHead && now.Before(s.bytesDue) {
		return // only the byte count would change: not worth a repaint
	}
	s.shownHead, s.bytesDue = head, now.Add(pausedBytesEvery)
	setLabel(s.stats, head+" · "+formatBytes(bytes))
}

// statsEvery is how often the statistics line is rebuilt: the age is shown
// in whole seconds, and nobody reads rates faster.
const statsEvery = time.Second

// pausedBytesEvery is how often a paused window shows a new byte count when
// nothing else on the line changed. A paused chart repaints nothing, so a
// byte count ticking every second would be the window's one repaint a
// second: most of what a paused window costs.
const pausedBytesEvery = 10 * time.Second

// describe is what the dot, the state and the detail show at now.
func (s *statusBar) describe(now time.Time) (dot color.Color, state string, stateCol color.Color, detail string) {
	if !s.hasSt {
		return color.Transparent, "Not connected", theme.Color(theme.ColorNameForeground), s.idle
	}
	st := s.st
	dot = stateColor(st.State)
	stateCol, state = dot, st.State.String()
	switch st.State {
	case feeds.Connected, feeds.Connecting:
		if st.Transport != feeds.Auto {
			detail = "via " + st.Transport.Title()
		}
	case feeds.Reconnecting:
		left := max(st.Time.Add(st.Delay).Sub(now), 0)
		state = fmt.Sprintf("Reconnecting (attempt %d) in %s", st.Attempt, countdown(left))
		detail = plainError(st.Err)
	case feeds.Stopped:
		if st.Err != nil {
			detail = plainError(st.Err)
		} else {
			state = "Disconnected"
			stateCol = theme.Color(theme.ColorNameForeground)
			dot = theme.Color(theme.ColorNameDisabled)
		}
	}
	if s.problem != "" {
		detail += " — " + s.problem
	}
	return dot, state, stateCol, detail
}

// setLabel sets l's text only when it differs: SetText refreshes, and so
// repaints the window, even when the text is the same.
func setLabel(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

func (s *statusBar) setInsecure(on bool) {
	if on {
		s.insecure.Show()
	} else {
		s.insecure.Hide()
	}
}

// countdown is the time left before a reconnect, in whole seconds rounded
// up: it changes once a second, and says 0s only when the attempt is due.
func countdown(d time.Duration) string {
	return (d + time.Second - 1).Truncate(time.Second).String()
}

// formatRate rounds a rate so that a steady feed shows a steady figure:
// whole numbers from 10 up, one decimal below.
func formatRate(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// formatAge is an age in whole seconds (then minutes), so that it changes
// at most once a second.
func formatAge(d time.Duration) string {
	switch {
	case d < time.Second:
		return "<1s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return d.Round(time.Minute).String()
}

// formatClock is t's local time of day, with the date when t is not on
// now's day.
func formatClock(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
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
