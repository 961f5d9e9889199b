package app

import (
	"context"
	"fmt"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
	"feedscope/charts"
	"feedscope/feeds"
)

// dashFeed is one feed of the open dashboard: its own bridge (so its
// batching and epochs are its own, and no feed's burst waits for
// another's) writing into the window's one store.
type dashFeed struct {
	feed   dashboard.Feed
	bridge *bridge
	run    *feedRun
	st     feeds.Status
	hasSt  bool
	rec    *recFeed // a recording loaded whole (recordingopen.go); nil for others
}

// dashPanel is one chart of the grid and what it draws.
type dashPanel struct {
	panel  *dashboard.Panel
	chart  *charts.Chart
	title  *panelTitle    // selects the panel; its menu on a secondary tap
	menu   *widget.Button // "⋯": the panel's menu (dashpanels.go)
	match  *dashboard.Matcher
	hidden *dashboard.Matcher
}

// dashView is an open dashboard: every feed with its own supervisor, one
// store, and a grid of panels sharing one time axis.
type dashView struct {
	d       *dashboard.Dashboard
	path    string
	feeds   []*dashFeed
	panels  []*dashPanel
	group   *charts.Group
	grid    *fyne.Container
	list    *feedsList // the Feeds list; nil until the window lays it out
	listDue time.Time  // when the Feeds list's rates are next shown
	// selected is the panel the series list and the View menu act on.
	selected int
	// selFeed is the feed the URL bar, Transport, Settings and Reconnect
	// now act on, and the status bar details.
	selFeed int
	// assigned is how many of the store's series (in creation order) have
	// been shown or hidden in every panel.
	assigned int
	// live derives series and runs the panels' alarms (derived.go).
	live *liveEngine
	// alert[i] is whether an alarm of panel i is active (alarms.go).
	alert []bool
	// shown[i] holds the series panel i draws, as assign decided.
	shown []map[string]bool
}

// newDashView builds the panels of d over the window's store. Feeds are
// started by start.
func (u *UI) newDashView(d *dashboard.Dashboard, path string) (*dashView, error) {
	v := &dashView{d: d, path: path, group: charts.NewGroup()}
	store := u.bridge.store
	for _, f := range d.Feeds {
		b := &bridge{store: store}
		if d.Qualified() {
			b.prefix = dashboard.SeriesName(f.Name, "", true)
		}
		v.feeds = append(v.feeds, &dashFeed{feed: f, bridge: b})
	}
	cols := max(1, min(d.Columns, len(d.Panels)))
	v.grid = container.NewGridWithColumns(cols)
	for i := range d.Panels {
		p := &d.Panels[i]
		m, err := p.Matcher()
		if err != nil {
			return nil, fmt.Errorf("panel %q: %w", panelName(*p, i), err)
		}
		h, err := dashboard.NewMatcher(p.Hidden)
		if err != nil {
			return nil, fmt.Errorf("panel %q: %w", panelName(*p, i), err)
		}
		c := charts.New(store)
		// A series is drawn once assign has found it matches; the legend
		// lists only the series the panel is about.
		c.SetDefaultVisible(0)
		c.SetListed(func(name string) bool { _, ok := m.Match(name); return ok })
		// A legend tap hides or shows the series in the file's panel.
		c.SetOnLegendToggle(func(name string, on bool) { u.setPanelSeriesOn(i, []string{name}, on) })
		if p.Y != nil {
			if err := c.SetYRange(p.Y.Min, p.Y.Max); err != nil {
				return nil, fmt.Errorf("panel %q: %w", panelName(*p, i), err)
			}
		}
		// Threshold lines as snapshot --dashboard draws them; the window
		// does not evaluate the alarms yet.
		ths, err := chartThresholds(p.Thresholds)
		if err != nil {
			return nil, fmt.Errorf("panel %q: %w", panelName(*p, i), err)
		}
		c.SetThresholds(ths)
		if i == 0 {
			// The first member gives the group its view.
			if err := c.SetWindow(d.Window); err != nil {
				return nil, err
			}
		}
		v.group.Add(c)
		title := panelName(*p, i)
		if p.Unit != "" {
			title += " (" + p.Unit + ")"
		}
		// The title bar is a button: pressing it selects the panel.
		btn := newPanelTitle(title, func() { u.selectPanel(i) }, func(at fyne.Position) { u.showPanelMenu(i, at) })
		btn.Importance = widget.LowImportance
		if i == 0 {
			btn.Importance = widget.MediumImportance
		}
		menu := u.panelMenuButton(i)
		v.panels = append(v.panels, &dashPanel{panel: p, chart: c, title: btn, menu: menu, match: m, hidden: h})
		v.grid.Add(container.NewBorder(container.NewBorder(nil, nil, nil, menu, btn), nil, nil, nil, c))
	}
	if err := v.startEngine(); err != nil {
		return nil, err
	}
	return v, nil
}

// assign shows each series that arrived since the last call in the
// panels that draw it (see panelShows), and hides it in the others.
func (v *dashView) assign() {
	list := v.panels[0].chart.Store().List()
	on := make([]bool, len(v.panels))
	for _, sr := range list[v.assigned:] {
		name := sr.Name()
		v.panelShows(name, on)
		for i, p := range v.panels {
			p.chart.SetSeriesVisible(name, on[i])
		}
	}
	v.assigned = len(list)
}

// start (re)starts feed f with its own supervisor; a running one is
// retired first, as stopFeed does for the single feed.
func (u *UI) startDashFeed(f *dashFeed) {
	u.stopDashFeed(f)
	if u.startRecordingFeed(f) {
		return
	}
	cfg, err := f.feed.Config()
	if err != nil {
		f.bridge.setStatus(feeds.Status{State: feeds.Stopped, Err: err, Time: time.Now()})
		return
	}
	ctx, cancel := context.WithCancel(u.ctx)
	run := &feedRun{cancel: cancel, done: make(chan struct{}), url: cfg.URL}
	f.run = run
	b, ts, epoch := f.bridge, f.feed.Settings.TimeSource(), f.bridge.newEpoch()
	u.runs.Go(func() {
		defer close(run.done)
		_ = b.runEpoch(ctx, epoch, cfg, ts)
	})
}

func (u *UI) stopDashFeed(f *dashFeed) {
	if u.stopRecordingFeed(f) || f.run == nil {
		return
	}
	f.run.cancel()
	f.bridge.newEpoch()
	f.run = nil
	f.bridge.markBreak()
	f.bridge.setStatus(feeds.Status{State: feeds.Stopped, Transport: f.st.Transport, Time: time.Now()})
}

// recording reports whether f loads a recording whole (a file: URL without
// a query) rather than connecting to a server.
func (f *dashFeed) recording() bool {
	_, ok := recordingPath(f.feed.URL)
	return ok
}

// busy reports whether f has something to stop: its supervisor runs, or
// its recording is loading.
func (f *dashFeed) busy() bool { return f.run != nil || f.rec != nil && f.rec.loading() }

// loadedWhole reports whether f is a recording loaded into the store, with
// nothing left to start or stop (its replay has its own bar).
func (f *dashFeed) loadedWhole() bool { return f.rec != nil && f.rec.loaded && !f.rec.loading() }

// connects reports whether any feed of the dashboard connects to a server:
// one of recordings alone has nothing to connect.
func (v *dashView) connects() bool {
	return slices.ContainsFunc(v.feeds, func(f *dashFeed) bool { return !f.recording() })
}

// dashRunning reports whether any feed of the dashboard runs.
func (v *dashView) running() bool {
	for _, f := range v.feeds {
		if f.run != nil {
			return true
		}
	}
	return false
}

// connectDash starts every feed of the dashboard (again): Connect,
// Reconnect now.
func (u *UI) connectDash() {
	for _, f := range u.dash.feeds {
		u.startDashFeed(f)
	}
	u.syncConnectButton()
	u.flush()
}

func (u *UI) disconnectDash() {
	for _, f := range u.dash.feeds {
		u.stopDashFeed(f)
	}
	u.chart.Store().MarkBreak()
	u.syncConnectButton()
	u.flush()
}

// flushDash applies what every feed left in its bridge, in this one
// flush, and shows the summary in the status bar.
func (u *UI) flushDash(now time.Time) {
	v := u.dash
	var msgs, samples, bytes uint64
	var last int64
	for _, f := range v.feeds {
		p := f.bridge.take()
		if p.changed {
			f.st, f.hasSt = p.status, true
			v.listDue = time.Time{} // a new state shows at once
		}
		if len(p.logs) > 0 || p.lost > 0 {
			for i := range p.logs {
				p.logs[i].Text = f.feed.Name + ": " + p.logs[i].Text
			}
			u.log.add(p.logs, p.lost)
		}
		if f.run != nil {
			select {
			case <-f.run.done:
				// Stopped for good on its own (404, bad certificate).
				f.run = nil
			default:
			}
		}
		msgs += f.bridge.msgs.Load()
		samples += f.bridge.samples.Load()
		bytes += f.bridge.bytes.Load()
		last = max(last, f.bridge.lastMsg.Load())
	}
	u.syncConnectButton()
	u.rates.update(now, msgs, samples)
	if v.list != nil {
		for i, f := range v.feeds {
			v.list.rows[i].rates.update(now, f.bridge.msgs.Load(), f.bridge.samples.Load())
		}
		if !now.Before(v.listDue) {
			// Once a second, as the status bar's rates.
			v.listDue = now.Add(statsEvery)
			v.list.show(v)
		}
	}
	dot, state, stateCol, detail := v.summary(now)
	detail = v.selectedDetail(now, detail)
	s := u.status
	s.apply(dot, state, stateCol, detail)
	s.showStats(now, last, &u.rates, bytes)
	if u.selectedFeed().recording() { // a file has nothing to reconnect to
		s.reconnect.Disable()
	} else {
		s.reconnect.Enable()
	}
}

// summary is the status bar's account of every feed: the counts per
// state ("2 connected · 1 reconnecting in 2s", recordings "loaded" and
// "loading"), coloured by the worst, and the errors of the feeds that have
// one, by feed name.
func (v *dashView) summary(now time.Time) (dot color.Color, state string, stateCol color.Color, detail string) {
	var connected, connecting, loaded, loading, stopped, disconnected int
	var reconnecting []time.Duration
	var errs []string
	for i, f := range v.feeds {
		st := f.st.State
		if !f.hasSt {
			st = feeds.Connecting
		}
		switch st {
		case feeds.Connected:
			if f.recording() {
				loaded++
			} else {
				connected++
			}
		case feeds.Connecting:
			if f.recording() {
				loading++
			} else {
				connecting++
			}
		case feeds.Reconnecting:
			left := max(f.st.Time.Add(f.st.Delay).Sub(now), 0)
			reconnecting = append(reconnecting, left)
		case feeds.Stopped:
			if f.st.Err == nil {
				disconnected++
				continue
			}
			stopped++
		}
		if f.st.Err != nil && i != v.selFeed { // the selected one is detailed on its own
			errs = append(errs, f.feed.Name+": "+plainError(f.st.Err))
		}
	}
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	add(connected, "connected")
	add(loaded, "loaded")
	add(connecting, "connecting")
	add(loading, "loading")
	if n := len(reconnecting); n > 0 {
		// The soonest attempt: the figure that changes next.
		parts = append(parts, fmt.Sprintf("%d reconnecting in %s", n, countdown(slices.Min(reconnecting))))
	}
	add(stopped, "stopped")
	add(disconnected, "disconnected")
	state = strings.Join(parts, " · ")
	var worst feeds.State
	switch {
	case stopped > 0:
		worst = feeds.Stopped
	case len(reconnecting) > 0 || connecting > 0 || loading > 0:
		worst = feeds.Reconnecting
	case connected > 0 || loaded > 0:
		worst = feeds.Connected
	default:
		return theme.Color(theme.ColorNameDisabled), state, theme.Color(theme.ColorNameForeground), ""
	}
	dot = stateColor(worst)
	return dot, state, dot, strings.Join(errs, " · ")
}

// openDashView makes the window's store and chart area for d: the store
// keeps the longest history of its feeds, and u.chart is the first panel
// (the one the View menu, the series list and the exports act on).
func (u *UI) openDashView(d *dashboard.Dashboard, path string) (*dashView, error) {
	d = openedForm(d)
	history := u.settings.History
	for _, f := range d.Feeds {
		history = max(history, f.Settings.History)
	}
	u.bridge = &bridge{store: newStore(history)}
	v, err := u.newDashView(d, path)
	if err != nil {
		// The window still opens, empty, and says why.
		u.chart = charts.New(u.bridge.store)
		u.chartBox = container.NewStack(u.chart)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	u.chart = v.panels[0].chart
	u.chartBox = container.NewStack(v.grid)
	return v, nil
}

// title is the window's title: the dashboard's, when one is open.
func (u *UI) title() string {
	if u.dash == nil {
		return "Feedscope"
	}
	name := u.dash.d.Title
	switch {
	case name != "":
	case u.dash.path != "":
		name = filepath.Base(u.dash.path)
	default:
		name = "Untitled dashboard"
	}
	if u.unsaved() {
		name = unsavedMark + name
	}
	return name + " — Feedscope"
}

// mouseOut takes the tooltip off every chart.
func (u *UI) mouseOut() {
	if u.dash == nil {
		u.chart.MouseOut()
		return
	}
	for _, p := range u.dash.panels {
		p.chart.MouseOut()
	}
}

// selectPanel makes panel i the one the series list shows and switches
// series in, and the View menu and Save chart as PNG act on; its title
// bar is highlighted.
func (u *UI) selectPanel(i int) {
	v := u.dash
	if v == nil || i < 0 || i >= len(v.panels) || i == v.selected {
		return
	}
	old := v.selected
	v.selected = i
	v.styleTitle(old)
	v.styleTitle(i)
	p := v.panels[i]
	u.chart = p.chart
	u.seriesList.update()
	u.menu.sync(u)
}
