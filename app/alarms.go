package app

import (
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/compute"
	"feedscope/app/engine"
)

// alarmRow is one alarm as the list shows it, read under the engine's
// lock.
type alarmRow struct {
	alarm *compute.Alarm
	name  string
	panel int
	state compute.State
	value float64
	since time.Time // of the last change; zero before any
}

// rows returns every alarm of the engine, in the order made.
func (l *liveEngine) rows() []alarmRow {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []alarmRow
	for _, a := range l.eng.Alarms() {
		out = append(out, alarmRow{alarm: a, name: a.Name(), panel: l.eng.PanelOf(a), state: a.State(), value: a.Value(), since: a.Changed()})
	}
	return out
}

// count returns how many alarms the engine has.
func (l *liveEngine) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.eng.Alarms())
}

// acknowledge silences a firing alarm until it clears; the transition
// goes to the next flush like any other.
func (l *liveEngine) acknowledge(a *compute.Alarm, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if tr, err := a.Acknowledge(now); err == nil {
		l.report([]compute.Transition{tr})
	}
}

// alarmList is the status bar's alarm count and the dialog it opens.
type alarmList struct {
	n      int // alarms shown by the count
	rows   []alarmRow
	dialog *dialog.CustomDialog // open, or nil
	box    *fyne.Container      // the open dialog's rows
}

// live returns the engine of what the window shows.
func (u *UI) live() *liveEngine {
	if u.dash != nil {
		return u.dash.live
	}
	if u.single != nil {
		return u.single.live
	}
	return nil
}

// startEngine makes the engine of the dashboard's panels and hands it to
// every feed's bridge.
func (v *dashView) startEngine() error {
	l, err := newLiveEngine(v.d.Panels)
	if err != nil {
		return err
	}
	v.live = l
	v.alert = make([]bool, len(v.panels))
	v.shown = make([]map[string]bool, len(v.panels))
	for i, p := range v.panels {
		v.shown[i] = map[string]bool{}
		// The legend and the series list list what the panel's patterns
		// match, and the derived series it draws.
		p.chart.SetListed(func(name string) bool {
			if v.shown[i][name] {
				return true
			}
			_, ok := p.match.Match(name)
			return ok
		})
	}
	for _, f := range v.feeds {
		f.bridge.derive.Store(l)
	}
	return nil
}

// adoptEngine makes v's engine the one every feed of v feeds (a running
// feed a dashboard edit keeps was feeding the engine before), taking over
// the alarms of old whose rules stay, in their state, and recomputing the
// derived series from the stored raw points. old stops taking samples.
func (u *UI) adoptEngine(v *dashView, old *liveEngine) {
	if old != nil && old != v.live {
		eng, derived := old.retire()
		v.live.mu.Lock()
		v.live.eng = eng
		maps.Copy(v.live.derived, derived)
		v.live.mu.Unlock()
	}
	if _, err := v.live.redefine(u.bridge.store, v.d.Panels); err == nil {
		v.assigned = 0 // every series shown again where the plan says
	}
	for _, f := range v.feeds {
		f.bridge.derive.Store(v.live)
	}
	if u.alarmList != nil {
		u.alarmList.n = -1 // the new panels show their alarms at the next flush
	}
}

// panelShows sets on[i] to whether panel i draws the series named name:
// as the engine planned it (a series with an fn by its derived series, a
// derived series where its definition is), or, for series beyond what
// the engine plans, where a pattern without fn matches it and no hidden
// pattern does.
func (v *dashView) panelShows(name string, on []bool) {
	defer func() {
		for i := range v.shown {
			if on[i] {
				v.shown[i][name] = true
			} else {
				delete(v.shown[i], name)
			}
		}
	}()
	if v.live.shows(name, on) {
		return
	}
	for i, p := range v.panels {
		j, ok := p.match.Match(name)
		if ok && p.panel.Series[j].Fn != "" {
			ok = false
		}
		if _, off := p.hidden.Match(name); off {
			ok = false
		}
		on[i] = ok
	}
}

// styleTitle gives panel i's title bar its colour: the alarm colour while
// an alarm of the panel is active, else highlighted when selected.
func (v *dashView) styleTitle(i int) {
	imp := widget.LowImportance
	switch {
	case i < len(v.alert) && v.alert[i]:
		imp = widget.DangerImportance
	case i == v.selected:
		imp = widget.MediumImportance
	}
	if t := v.panels[i].title; t.Importance != imp {
		t.Importance = imp
		t.Refresh()
	}
}

// flushAlarms tells the alarms the time (by the engine's clock, which is
// now's outside tests) and shows what changed since the
// last flush: a line in the message log per transition, a desktop
// notification per firing, the panels' colours, the status bar's count
// and the open list. A flush in which nothing changed touches nothing.
func (u *UI) flushAlarms(now time.Time) {
	l := u.live()
	if l == nil {
		return
	}
	trs, lost, tooMany := l.tick(l.now())
	known := 0
	if u.alarmList != nil {
		known = u.alarmList.n
	}
	if len(trs) == 0 && lost == 0 && !tooMany && known == l.count() {
		return // nothing changed: nothing to redraw
	}
	var es []logEntry
	for _, tr := range trs {
		es = append(es, logEntry{Time: tr.Time, Kind: logState, Text: alarmLine(tr)})
		if tr.Notify() {
			u.app.SendNotification(fyne.NewNotification("Feedscope alarm: "+tr.Alarm, tr.Reason))
		}
	}
	if lost > 0 {
		es = append(es, logEntry{Time: now, Kind: logState, Text: fmt.Sprintf("%d more alarm changes (too many to show)", lost)})
	}
	if tooMany {
		es = append(es, logEntry{Time: now, Kind: logState, Text: fmt.Sprintf("more than %d series: derived series and alarms cover the first %d", engine.MaxPlans, engine.MaxPlans)})
	}
	u.log.add(es, 0)
	u.showAlarms(l)
}

// alarmLine is a transition as the message log shows it (the log gives
// the time): "ALARM firing load>2 (load1=2.31 for 30s)".
func alarmLine(tr compute.Transition) string {
	_, line, _ := strings.Cut(tr.String(), " ")
	return line
}

// showAlarms brings the panels' alert, the status bar's count and the
// open list up to date with the engine.
func (u *UI) showAlarms(l *liveEngine) {
	if u.alarmList == nil {
		u.alarmList = &alarmList{}
	}
	a := u.alarmList
	a.rows = l.rows()
	a.n = len(a.rows)
	var firing, acked int
	var alert []bool
	if u.dash != nil {
		alert = make([]bool, len(u.dash.panels))
	}
	for _, r := range a.rows {
		switch r.state {
		case compute.Firing:
			firing++
		case compute.Acknowledged:
			acked++
		}
		if r.state.Active() && r.panel < len(alert) {
			alert[r.panel] = true
		}
	}
	if v := u.dash; v != nil {
		for i, p := range v.panels {
			p.chart.SetAlert(alert[i])
		}
		v.alert = alert
		for i := range v.panels {
			v.styleTitle(i)
		}
	}
	b := u.status.alarms
	if a.n == 0 {
		b.Hide()
		return
	}
	text, imp := "No alarm firing", widget.LowImportance
	switch {
	case firing > 0:
		text, imp = plural(firing, "alarm")+" firing", widget.DangerImportance
		if acked > 0 {
			text += fmt.Sprintf(" · %d acknowledged", acked)
		}
	case acked > 0:
		text, imp = plural(acked, "alarm")+" acknowledged", widget.WarningImportance
	}
	if b.Text != text || b.Importance != imp || !b.Visible() {
		b.Text, b.Importance = text, imp
		b.Show()
		b.Refresh()
	}
	if a.dialog != nil {
		u.fillAlarmList()
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// showAlarmList opens the list of every alarm: its state, value, since
// when, and Acknowledge for a firing one.
func (u *UI) showAlarmList() {
	l := u.live()
	if l == nil || u.alarmList == nil {
		return
	}
	a := u.alarmList
	a.box = container.NewVBox()
	u.fillAlarmList()
	d := dialog.NewCustom("Alarms", "Close", container.NewVScroll(a.box), u.win)
	d.SetOnClosed(func() { a.dialog, a.box = nil, nil })
	d.Resize(fyne.NewSize(640, 360))
	a.dialog = d
	d.Show()
}

// fillAlarmList rebuilds the open list's rows.
func (u *UI) fillAlarmList() {
	a := u.alarmList
	var objs []fyne.CanvasObject
	for _, r := range a.rows {
		state := widget.NewLabelWithStyle(r.state.String(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		switch r.state {
		case compute.Firing:
			state.Importance = widget.DangerImportance
		case compute.Acknowledged, compute.Pending:
			state.Importance = widget.WarningImportance
		}
		text := r.name
		if u.dash != nil && r.panel < len(u.dash.panels) {
			text += " · panel " + panelName(*u.dash.panels[r.panel].panel, r.panel)
		}
		if !math.IsNaN(r.value) {
			text += " · value " + formatValue(r.value)
		}
		if !r.since.IsZero() {
			text += " · since " + r.since.Local().Format("15:04:05")
		}
		var ack fyne.CanvasObject
		if r.state == compute.Firing {
			alarm := r.alarm
			ack = widget.NewButton("Acknowledge", func() { u.acknowledge(alarm) })
		}
		// The states in a column of their own, the widest's width.
		col := container.NewGridWrap(fyne.NewSize(stateWidth(), state.MinSize().Height), state)
		objs = append(objs, container.NewBorder(nil, nil, col, ack, widget.NewLabel(text)))
	}
	a.box.Objects = objs
	a.box.Refresh()
}

// stateWidth is the width of the alarm list's state column.
func stateWidth() float32 {
	return widget.NewLabelWithStyle(compute.Acknowledged.String(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Width
}

// acknowledge silences a firing alarm until it clears, and shows it at
// once.
func (u *UI) acknowledge(a *compute.Alarm) {
	l := u.live()
	if l == nil {
		return
	}
	now := l.now()
	l.acknowledge(a, now)
	u.flushAlarms(now)
}

// formatValue shows an alarm's value with six significant digits.
func formatValue(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
