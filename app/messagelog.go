package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// messageLog is the pane of the latest raw messages, text events and state
// changes, newest first and bounded to maxLogEntries: what the original
// article's browser client printed to its console.
type messageLog struct {
	entries []logEntry // oldest first; shown reversed
	lost    int
	shown   bool // in the window: a hidden pane is not refreshed
	list    *widget.List
	header  *widget.Label
	content fyne.CanvasObject
}

func newMessageLog() *messageLog {
	l := &messageLog{header: widget.NewLabel("Messages, newest first")}
	l.header.TextStyle.Bold = true
	l.list = widget.NewList(
		func() int { return len(l.entries) },
		func() fyne.CanvasObject {
			t := widget.NewLabel("")
			t.Truncation = fyne.TextTruncateEllipsis
			t.TextStyle.Monospace = true // raw payloads, as a console shows them
			return t
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < 0 || id >= len(l.entries) {
				return
			}
			o.(*widget.Label).SetText(formatLogEntry(l.entries[len(l.entries)-1-id]))
		},
	)
	clear := widget.NewButton("Clear", func() { l.entries, l.lost = nil, 0; l.refresh() })
	clear.Importance = widget.LowImportance
	l.content = container.NewBorder(container.NewBorder(nil, nil, nil, clear, l.header), nil, nil, nil, l.list)
	return l
}

func formatLogEntry(e logEntry) string {
	tag := "msg "
	switch e.Kind {
	case logText:
		tag = "text"
	case logState:
		tag = "──  "
	}
	return e.Time.Local().Format("15:04:05.000") + "  " + tag + "  " + e.Text
}

// add appends new entries (oldest first) and drops the oldest beyond the
// bound.
func (l *messageLog) add(es []logEntry, lost int) {
	if len(es) == 0 && lost == 0 {
		return
	}
	l.entries = append(l.entries, es...)
	if over := len(l.entries) - maxLogEntries; over > 0 {
		l.entries = append(l.entries[:0:0], l.entries[over:]...)
	}
	l.lost += lost
	l.refresh()
}

// setShown says whether the pane is in the window. Refreshing a pane that
// is not would still repaint the window, for every flush with a message.
func (l *messageLog) setShown(on bool) {
	l.shown = on
	l.refresh()
}

func (l *messageLog) refresh() {
	if !l.shown {
		return
	}
	if l.lost > 0 {
		setLabel(l.header, fmt.Sprintf("Messages, newest first (%d skipped while arriving faster than shown)", l.lost))
	} else {
		setLabel(l.header, "Messages, newest first")
	}
	l.list.Refresh()
}
