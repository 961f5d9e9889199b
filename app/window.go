package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
	_ "feedscope/app/locale" // before any fyne.io package: see its doc
	"feedscope/assets"
	"feedscope/charts"
	"feedscope/charts/series"
	"feedscope/feeds"
	"feedscope/feeds/hub"
)

// AppID is the application ID (as in FyneApp.toml); Preferences live
// under it.
const AppID = "io.github.feedscope"

// Options say how the window starts.
type Options struct {
	// URL to connect to at once; empty means the last URL, or the demo
	// feed when there is none.
	URL string
	// Transport, when TransportSet, overrides the saved transport.
	Transport    feeds.Transport
	TransportSet bool
	// Dashboard, when set, opens the window on it instead of a URL: every
	// feed runs, its panels fill the chart area. DashboardPath is the file
	// it came from.
	Dashboard     *dashboard.Dashboard
	DashboardPath string
	// Recordings are files to open as feeds (see openRecording): with no
	// URL or dashboard, the window opens on them alone.
	Recordings []string

	// manualFlush leaves flushing to the caller (tests call flush on
	// their own goroutine, since the test driver runs fyne.Do inline).
	manualFlush bool
}

// feedRun is the one running feed.
type feedRun struct {
	cancel context.CancelFunc
	done   chan struct{}
	url    string
}

// UI is the Feedscope window. Its methods run on the Fyne main goroutine.
type UI struct {
	app   fyne.App
	win   fyne.Window
	prefs fyne.Preferences

	ctx    context.Context
	cancel context.CancelFunc
	ticker sync.WaitGroup
	runs   sync.WaitGroup // every feed goroutine, retired ones too

	settings  Settings
	transport feeds.Transport
	bridge    *bridge
	rates     rates
	feed      *feedRun
	dash      *dashView   // the open dashboard; nil in the single-URL window
	single    *singleView // the single-URL window's panel (derived.go)
	alarmList *alarmList  // the status bar's alarm count and its list
	flushes   int
	seriesN   int

	demoBase string
	demoStop func()

	chart      *charts.Chart
	chartBox   *fyne.Container
	url        *widget.SelectEntry
	connectBtn *widget.Button
	status     *statusBar
	log        *messageLog
	seriesList *seriesList
	center     *fyne.Container
	logShown   bool
	themeName  string

	menu                      *menus
	menuFollowing, menuPaused bool // the chart state the menu shows

	feedEdit // editing the dashboard's feeds; unsaved changes

	// the open Settings dialog, for tests
	settingsDialog *dialog.FormDialog
	// the open warning about literal secrets before saving, for tests
	confirmSecrets *dialog.ConfirmDialog
	settingsForm   *settingsForm
	// the open dialog of a panel command, and the open question or
	// refusal of Remove, for tests
	panelForm    *panelForm
	panelConfirm dialog.Dialog

	rw recWindow // recordings opened in the window
}

// New builds the window of a and connects it: to opts.URL, else to the
// last URL, else to the built-in demo feed. Show it with Window().Show, and
// call Close when done.
func New(a fyne.App, opts Options) *UI {
	ctx, cancel := context.WithCancel(context.Background())
	u := &UI{
		app:    a,
		prefs:  a.Preferences(),
		ctx:    ctx,
		cancel: cancel,
	}
	u.settings = loadSettings(u.prefs)
	u.transport = loadTransport(u.prefs)
	if opts.TransportSet {
		u.transport = opts.Transport
	}
	u.themeName = u.prefs.StringWithFallback(prefTheme, "system")
	u.applyTheme()

	var last *lastDash
	if opts.Dashboard == nil && strings.TrimSpace(opts.URL) == "" && len(opts.Recordings) == 0 {
		// The dashboard open at the last quit, saved or not.
		if last = u.lastDashboard(); last != nil {
			opts.Dashboard, opts.DashboardPath = last.d, last.path
		}
	}
	if opts.Dashboard == nil {
		// A URL (or the demo) replaces the dashboard at the next launch
		// too.
		u.forgetDashboard()
	}
	var dashErr error
	if opts.Dashboard != nil {
		u.dash, dashErr = u.openDashView(opts.Dashboard, opts.DashboardPath)
	} else {
		store := newStore(u.settings.History)
		u.bridge = &bridge{store: store}
		u.startSingle()
		u.chart = charts.New(store)
		if w := time.Duration(u.prefs.IntWithFallback(prefWindow, int(time.Minute/time.Second))) * time.Second; w >= 0 {
			_ = u.chart.SetWindow(w)
		}
		u.chartBox = container.NewStack(u.chart)
	}
	// Fyne's desktop driver sends no MouseOut when the pointer leaves the
	// window (it does not listen for the cursor leaving), so the tooltip
	// would stay; at least it goes when another window takes the focus.
	a.Lifecycle().SetOnExitedForeground(u.mouseOut)

	u.win = a.NewWindow(u.title())
	u.win.SetIcon(assets.Icon)
	u.win.SetOnDropped(u.onDropped)
	u.buildContent()
	u.menu = u.buildMenus()
	u.syncRecent()
	u.win.SetMainMenu(u.menu.main)
	u.addShortcuts()
	u.win.Resize(fyne.NewSize(1180, 720))
	u.status.setInsecure(u.settings.InsecureSkipVerify)

	start := strings.TrimSpace(opts.URL)
	if start == "" && opts.Dashboard == nil && len(opts.Recordings) == 0 {
		start = u.prefs.StringWithFallback(prefURL, "")
	}
	switch {
	case dashErr != nil:
		u.status.idle = dashErr.Error()
	case u.dash != nil:
		u.showSelectedFeed()
		u.rememberDashboard(u.dash.path)
		if last != nil {
			u.savedText = last.saved // unsaved changes stay unsaved
			u.syncUnsaved()
		} else {
			u.markSaved()
		}
		u.connectDash()
	case start == "" && len(opts.Recordings) > 0:
	case start == "":
		u.openDemo()
	default:
		u.url.SetText(start)
		u.connect()
	}
	for _, path := range opts.Recordings {
		u.openRecording(path)
	}
	u.flush()
	if !opts.manualFlush {
		u.ticker.Go(u.runTicker)
	}
	return u
}

// newStore makes the series store for a history length.
func newStore(history time.Duration) *series.Store {
	s, err := series.New(series.Options{Capacity: historyCapacity, MaxAge: history})
	if err != nil {
		// Settings.Validate keeps history in range, so this is a bug.
		panic(err)
	}
	return s
}

// Window returns the window.
func (u *UI) Window() fyne.Window { return u.win }

func (u *UI) buildContent() {
	u.url = widget.NewSelectEntry(u.prefs.StringListWithFallback(prefRecent, nil))
	u.url.SetPlaceHolder("Feed URL: http(s)://, ws(s)://, mqtt(s):// or file:  e.g. http://127.0.0.1:8080/sse")
	u.url.OnSubmitted = func(string) { u.connect() }
	u.connectBtn = widget.NewButtonWithIcon("Connect", theme.MediaPlayIcon(), u.toggleConnect)
	u.connectBtn.Importance = widget.HighImportance
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), u.showSettings)
	settings.Importance = widget.LowImportance
	top := container.NewBorder(nil, nil, nil, container.NewHBox(u.connectBtn, settings), u.url)

	u.status = newStatusBar(u.reconnectNow)
	u.status.alarms.OnTapped = u.showAlarmList
	u.log = newMessageLog()
	u.seriesList = newSeriesList(func() *charts.Chart { return u.chart })
	u.seriesList.menu, u.seriesList.suggest = u.seriesMenu, u.suggestRate
	u.seriesList.panel = &panelHooks{set: u.setPanelSeries, add: u.addSeriesDialog, active: func() bool { return u.dash != nil }}
	u.logShown = u.prefs.BoolWithFallback(prefShowLog, false)
	u.center = container.NewStack()
	u.layoutCenter()
	u.rw.barBox = container.NewStack() // the replay bar, while a recording is loaded
	u.rw.barBox.Hide()                 // hidden, it takes no room (not even padding)
	u.win.SetContent(container.NewBorder(container.NewPadded(top), container.NewVBox(u.rw.barBox, u.status.content), nil, nil, u.center))
}

// layoutCenter puts the chart, the optional log below it and the series
// list beside them.
func (u *UI) layoutCenter() {
	var main fyne.CanvasObject = u.chartBox
	if u.logShown {
		v := container.NewVSplit(u.chartBox, u.log.content)
		v.Offset = 0.72
		main = v
	}
	var side fyne.CanvasObject = u.seriesList.content
	if u.dash != nil {
		u.dash.list = u.newFeedsList()
		u.dash.listDue = time.Time{}
		side = container.NewBorder(u.dash.list.content, nil, nil, nil, side)
	}
	h := container.NewHSplit(main, container.NewPadded(side))
	h.Offset = 0.8
	u.center.Objects = []fyne.CanvasObject{h}
	u.center.Refresh()
	u.log.setShown(u.logShown)
}

func (u *UI) setLogShown(on bool) {
	u.logShown = on
	u.prefs.SetBool(prefShowLog, on)
	u.layoutCenter()
	u.menu.sync(u)
}

func (u *UI) runTicker() {
	t := time.NewTicker(flushInterval)
	defer t.Stop()
	for {
		select {
		case <-u.ctx.Done():
			return
		case <-t.C:
			fyne.Do(u.flush)
		}
	}
}

// flush applies what the feed left in the bridge since the last flush,
// and redraws the live figures (rates, ages, countdown). Main goroutine.
func (u *UI) flush() {
	if u.ctx.Err() != nil {
		return
	}
	u.flushRecordings()
	now := time.Now()
	u.status.chartPaused = u.chart.Paused()
	if u.dash != nil {
		u.flushDash(now)
	} else {
		u.flushFeed(now)
	}
	u.flushAlarms(now)
	// Dragging or zooming the chart leaves follow mode on its own: keep
	// the View menu's checks true to it.
	if f, p := u.chart.Following(), u.chart.Paused(); f != u.menuFollowing || p != u.menuPaused {
		u.menu.sync(u)
	}
	u.flushes++
	// New series appear at once; visibility changed from the chart's
	// legend is picked up within a second.
	if n := u.chart.Store().Len(); n != u.seriesN || u.flushes%rateWindowSize == 0 {
		if u.dash != nil && n != u.seriesN {
			u.dash.assign()
		}
		u.seriesN = n
		u.seriesList.update()
	}
	if u.flushes%rateWindowSize == 0 {
		u.syncUnsaved() // edits the window makes on its own (window length)
	}
}

// flushFeed is flush's part for the single feed: its bridge, its status.
func (u *UI) flushFeed(now time.Time) {
	p := u.bridge.take()
	if p.changed {
		u.status.setStatus(p.status)
	}
	if p.problem != "" {
		u.status.problem = p.problem
	}
	u.log.add(p.logs, p.lost)
	if u.feed != nil {
		select {
		case <-u.feed.done:
			// The feed stopped for good on its own (404, bad certificate).
			u.feed = nil
			u.chart.Store().MarkBreak()
		default:
		}
	}
	u.syncConnectButton()
	u.rates.update(now, u.bridge.msgs.Load(), u.bridge.samples.Load())
	u.status.show(now, u.bridge, &u.rates, u.feed != nil)
}

// running reports whether a feed runs: the single one, or any of the
// dashboard's.
func (u *UI) running() bool {
	return u.feed != nil || u.dash != nil && u.dash.running()
}

func (u *UI) syncConnectButton() {
	if u.running() {
		if u.connectBtn.Text != "Disconnect" {
			u.connectBtn.SetText("Disconnect")
			u.connectBtn.SetIcon(theme.MediaStopIcon())
			u.connectBtn.Importance = widget.MediumImportance
			u.connectBtn.Refresh()
		}
	} else if u.connectBtn.Text != "Connect" {
		u.connectBtn.SetText("Connect")
		u.connectBtn.SetIcon(theme.MediaPlayIcon())
		u.connectBtn.Importance = widget.HighImportance
		u.connectBtn.Refresh()
	}
	// A dashboard of recordings alone has nothing to connect to.
	if u.dash != nil && !u.dash.connects() {
		u.connectBtn.Disable() // both return at once when nothing changes
	} else {
		u.connectBtn.Enable()
	}
}

func (u *UI) toggleConnect() {
	if u.running() {
		u.disconnect()
		return
	}
	u.connect()
}

// connect (re)connects to the URL in the field with the current
// transport and settings. What the chart holds stays.
func (u *UI) connect() {
	if u.dash != nil {
		u.connectDashURL()
		return
	}
	raw := strings.TrimSpace(u.url.Text)
	if raw == "" {
		u.status.idle = "Type the URL of a feed and press Connect (or File ▸ Open demo feed)"
		u.flush()
		return
	}
	if err := checkURL(raw, u.transport); err != nil {
		u.stopFeed()
		// Through the bridge, so that it follows the stopped feed's last
		// state instead of being overwritten by it.
		u.bridge.setStatus(feeds.Status{State: feeds.Stopped, Err: err, Time: time.Now()})
		u.flush()
		return
	}
	cfg, err := u.settings.FeedConfig(raw, u.transport)
	if err != nil {
		dialog.ShowError(err, u.win)
		return
	}
	u.stopFeed()
	u.startFeed(cfg)
	if u.isDemoURL(raw) {
		// The demo's port changes every launch: next time, start it again.
		u.prefs.SetString(prefURL, "")
	} else {
		u.prefs.SetString(prefURL, raw)
		recent := addRecent(u.prefs.StringListWithFallback(prefRecent, nil), raw)
		u.prefs.SetStringList(prefRecent, recent)
		u.url.SetOptions(recent)
	}
	u.flush()
}

// checkURL catches what cannot be a feed URL (or cannot be read with
// transport t) before a feed starts, with the words a user needs.
func checkURL(raw string, t feeds.Transport) error {
	// An MQTT topic filter's # may be typed as is; it is no fragment.
	pu, err := feeds.ParseURL(strings.ReplaceAll(raw, "#", "%23"))
	var ue *feeds.URLError
	if errors.As(err, &ue) {
		// Quoted redacted: the field shows the password, the status bar
		// and the log never do.
		return fmt.Errorf("%q is not a URL: %s", ue.URL, ue.Reason)
	}
	switch pu.Scheme {
	case "http", "https", "ws", "wss", "mqtt", "mqtts":
	case "file":
		return nil // the feed reads the path and says what is wrong with it
	case "":
		return errors.New("the URL needs a scheme: http://, https://, ws://, wss://, mqtt://, mqtts:// or file:// (a recording)")
	default:
		return fmt.Errorf("cannot watch %s:// URLs: use http, https, ws, wss, mqtt, mqtts or file", pu.Scheme)
	}
	if pu.Host == "" {
		return errors.New("the URL has no host")
	}
	return transportMismatch(pu, t)
}

// transportMismatch says when transport t cannot read URL pu: an MQTT
// broker speaks neither HTTP nor WebSocket, and the other way round, so
// the window says so rather than guessing another URL.
func transportMismatch(pu *url.URL, t feeds.Transport) error {
	isMQTT := pu.Scheme == "mqtt" || pu.Scheme == "mqtts"
	switch {
	case t == feeds.MQTT && !isMQTT:
		return fmt.Errorf("MQTT reads mqtt:// and mqtts:// URLs, not %s://: type the broker's URL (mqtt://host/topic/#) or choose another transport", pu.Scheme)
	case isMQTT && t != feeds.MQTT && t != feeds.Auto:
		return fmt.Errorf("an %s:// URL is read with MQTT, not %s: choose MQTT or Auto in the Transport menu", pu.Scheme, t.Title())
	}
	return nil
}

func (u *UI) startFeed(cfg feeds.Config) {
	ctx, cancel := context.WithCancel(u.ctx)
	run := &feedRun{cancel: cancel, done: make(chan struct{}), url: cfg.URL}
	u.feed = run
	u.status.problem = ""
	b, ts, epoch := u.bridge, u.settings.timeSource(), u.bridge.newEpoch()
	u.runs.Go(func() {
		defer close(run.done)
		_ = b.runEpoch(ctx, epoch, cfg, ts)
	})
	u.syncConnectButton()
}

// stopFeed retires the running feed and returns at once: a feed whose peer
// never answers a close can take seconds to end, and the main goroutine
// must not wait for it. The bridge drops whatever the retired feed still
// delivers, so the next feed may start at once and two feeds never write
// to the store together. Every line breaks at the outage.
func (u *UI) stopFeed() {
	if u.feed == nil {
		return
	}
	u.feed.cancel()
	u.bridge.newEpoch()
	u.feed = nil
	u.chart.Store().MarkBreak()
	// The retired feed's own Stopped is dropped with the rest: say it here.
	u.bridge.setStatus(feeds.Status{State: feeds.Stopped, Transport: u.status.st.Transport, Time: time.Now()})
	u.syncConnectButton()
}

func (u *UI) disconnect() {
	if u.dash != nil {
		u.disconnectDash()
		return
	}
	u.stopFeed()
	u.flush()
}

// reconnectNow skips the backoff wait: a new attempt starts at once (for
// the selected feed of a dashboard).
func (u *UI) reconnectNow() {
	if u.dash != nil {
		u.reconnectSelected()
		return
	}
	u.connect()
}

// setTransport switches transport; a running feed reconnects with it and
// the chart keeps its data. On a hub URL (path /ws, /sse or /poll) the path
// follows the transport, so every menu item works against `feedscope
// serve` and the demo.
func (u *UI) setTransport(t feeds.Transport) {
	if u.dash != nil {
		u.setFeedTransport(t)
		return
	}
	u.transport = t
	u.prefs.SetString(prefTransport, t.String())
	u.menu.sync(u)
	raw := strings.TrimSpace(u.url.Text)
	if pu, err := url.Parse(strings.ReplaceAll(raw, "#", "%23")); err == nil && pu.Host != "" {
		if err := transportMismatch(pu, t); err != nil {
			u.stopFeed()
			u.bridge.setStatus(feeds.Status{State: feeds.Stopped, Err: err, Time: time.Now()})
			u.flush()
			return
		}
	}
	if nu, ok := hubURLFor(raw, t); ok {
		u.url.SetText(nu)
	}
	if u.feed != nil {
		u.connect()
	}
}

// hubPaths are the hub's endpoints per transport.
// /poll serves both polling and long polling.
var hubPaths = map[feeds.Transport]string{feeds.Poll: "/poll", feeds.LongPoll: "/poll", feeds.WebSocket: "/ws", feeds.SSE: "/sse"}

// hubURLFor rewrites a hub URL (one whose path ends in /ws, /sse or
// /poll) for transport t: the matching path, and a ws scheme for
// WebSocket, http for the others. Auto keeps the URL. ok is false when raw
// is not a hub URL or nothing changes.
func hubURLFor(raw string, t feeds.Transport) (string, bool) {
	p, ok := hubPaths[t]
	if !ok {
		return raw, false
	}
	pu, err := url.Parse(raw)
	if err != nil || pu.Host == "" {
		return raw, false
	}
	switch pu.Scheme {
	case "http", "https", "ws", "wss":
	default:
		// An MQTT topic or a recording's path may end in /ws too: only
		// a hub's endpoints switch.
		return raw, false
	}
	i := strings.LastIndexByte(pu.Path, '/')
	if i < 0 {
		return raw, false
	}
	switch pu.Path[i:] {
	case "/ws", "/sse", "/poll":
	default:
		return raw, false
	}
	pu.Path = pu.Path[:i] + p
	pu.RawPath = ""
	secure := pu.Scheme == "https" || pu.Scheme == "wss"
	switch {
	case t == feeds.WebSocket && secure:
		pu.Scheme = "wss"
	case t == feeds.WebSocket:
		pu.Scheme = "ws"
	case secure:
		pu.Scheme = "https"
	default:
		pu.Scheme = "http"
	}
	out := pu.String()
	return out, out != raw
}

// demoHidden are the demo's counters: they climb without end and would
// flatten the signals, so the demo starts with them hidden.
var demoHidden = []string{"seq", "counter"}

// openDemo starts the built-in demo hub (once) and connects to it.
func (u *UI) openDemo() {
	if u.dash != nil {
		dialog.ShowInformation("Demo feed", "The demo feed opens in the window without a dashboard: run feedscope without a dashboard file.", u.win)
		return
	}
	if u.demoBase == "" {
		base, stop, err := hub.StartDemo(u.ctx)
		if err != nil {
			u.status.idle = "Could not start the demo feed: " + err.Error()
			return
		}
		u.demoBase, u.demoStop = base, stop
		for _, name := range demoHidden {
			u.chart.SetSeriesVisible(name, false)
		}
	}
	if u.transport == feeds.MQTT {
		// The demo is an HTTP server: MQTT cannot read it.
		u.transport = feeds.Auto
		u.prefs.SetString(prefTransport, u.transport.String())
		u.menu.sync(u)
	}
	p, ok := hubPaths[u.transport]
	if !ok {
		p = "/sse"
	}
	u.url.SetText(u.demoBase + p)
	u.connect()
}

func (u *UI) isDemoURL(raw string) bool {
	if u.demoBase == "" {
		return false
	}
	a, err1 := url.Parse(raw)
	b, err2 := url.Parse(u.demoBase)
	return err1 == nil && err2 == nil && a.Host == b.Host
}

// applySettings takes new settings from the dialog: it keeps them, and
// reconnects a running feed with them. A new history length rebuilds the
// store, keeping the points within it.
func (u *UI) applySettings(s Settings) {
	old := u.settings
	u.settings = s
	saveSettings(u.prefs, s)
	u.status.setInsecure(s.InsecureSkipVerify)
	// A feed that stopped on an error (a 401 for a missing header) is
	// retried too: new settings are often the fix.
	running := u.feed != nil || u.status.hasSt && u.status.st.State == feeds.Stopped && u.status.st.Err != nil
	if s.History != old.History {
		u.stopFeed()
		u.rebuildStore(s.History)
	}
	if running {
		u.connect()
	}
}

// rebuildStore moves every point within history into a new store and
// chart. The feed must be stopped.
func (u *UI) rebuildStore(history time.Duration) {
	old := u.chart
	store := newStore(history)
	from, to := time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)
	for _, name := range old.Store().Names() {
		for t, v := range old.Store().Points(name, from, to) {
			_ = store.Append(name, t, v)
		}
	}
	store.MarkBreak()
	c := charts.New(store)
	_ = c.SetWindow(old.Window())
	for _, info := range old.Series() {
		c.SetSeriesVisible(info.Name, info.Visible)
	}
	u.chart = c
	u.bridge.store = store
	u.chartBox.Objects = []fyne.CanvasObject{c}
	u.chartBox.Refresh()
	u.seriesList.update()
}

// quit closes the UI while the main loop still runs, then the app: once
// the loop has drained, fyne.Do runs functions on the calling goroutine,
// so the ticker must be gone by then. It runs on the main goroutine, so it
// waits for nothing that a server can hold up.
func (u *UI) quit() {
	u.shutdown()
	u.app.Quit()
}

// closeWait bounds how long Close waits for retired feeds and the demo hub
// to end; a process about to exit leaves a stuck one behind rather than
// hang.
const closeWait = 3 * time.Second

// shutdown retires the feed and stops the ticker and (through u.ctx) the
// demo hub, without waiting for the feed or the hub: safe on the main
// goroutine.
func (u *UI) shutdown() {
	u.stopFeed()
	if u.dash != nil {
		for _, f := range u.dash.feeds {
			u.stopDashFeed(f)
		}
	}
	u.cancel()
	u.ticker.Wait()
}

// Close shuts the UI down, then waits up to closeWait for feeds still
// winding down and for the demo hub. Call it off the main loop (after
// ShowAndRun returns, or from a test).
func (u *UI) Close() {
	u.shutdown()
	done := make(chan struct{})
	go func() {
		defer close(done)
		u.runs.Wait()
		if u.demoStop != nil {
			u.demoStop()
		}
	}()
	select {
	case <-done:
		u.demoStop = nil
	case <-time.After(closeWait):
	}
}

const windowUsage = `Usage: feedscope [--url URL] [--transport auto|poll|longpoll|ws|sse]
       feedscope [--dashboard] FILE.toml
       feedscope RECORDING.csv|.jsonl|.csv.gz

Open the Feedscope window. Without --url it reconnects to the last URL, or
on first launch starts the built-in demo feed and shows it. With a
dashboard file it watches every feed of the file, charting its panels in
a grid on one time axis. With a recording it opens the window on all of
it, with controls to replay it.

Flags:
`

// Window runs the window command: it parses args, opens the window and
// returns when the window is closed or ctx ends.
func Window(ctx context.Context, args []string, usage string, stdout, stderr io.Writer) error {
	opts, err := windowOptions(args, usage, stdout, stderr)
	if err != nil {
		return err
	}
	return runWindow(ctx, opts)
}

// windowOptions parses the window command's arguments.
func windowOptions(args []string, usage string, stdout, stderr io.Writer) (Options, error) {
	fs := flag.NewFlagSet("feedscope", flag.ContinueOnError)
	var opts Options
	fs.StringVar(&opts.DashboardPath, "dashboard", "", "open this dashboard `file` (also: feedscope FILE.toml)")
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		// feedscope FILE.toml or FILE.csv: the file first, flags after it.
		if isRecordingFile(args[0]) {
			opts.Recordings = []string{args[0]}
		} else {
			opts.DashboardPath = args[0]
		}
		args = args[1:]
	}
	fs.StringVar(&opts.URL, "url", "", "connect to this `URL` (http(s)://, ws(s)://, mqtt(s):// or a recording as file:)")
	fs.Func("transport", "`transport`: auto, poll, longpoll, ws, sse, mqtt or file (default: auto with --url, else the last one used)", func(s string) error {
		t, err := feeds.ParseTransport(s)
		opts.Transport, opts.TransportSet = t, true
		return err
	})
	if err := parseCommand(fs, windowUsage, "\n"+usage, args, stdout, stderr); err != nil {
		return opts, err
	}
	if opts.DashboardPath != "" {
		if opts.URL != "" || opts.TransportSet {
			return opts, usageError(fs, errors.New("a dashboard file sets its feeds; leave out --url and --transport"))
		}
		d, err := dashboard.Load(opts.DashboardPath)
		if err != nil {
			// Names the file, line and key.
			return opts, &UsageError{err}
		}
		if len(d.Feeds) == 0 {
			return opts, &UsageError{fmt.Errorf("%s has no feed to watch", opts.DashboardPath)}
		}
		opts.Dashboard = d
	}
	if len(opts.Recordings) > 0 && (opts.URL != "" || opts.TransportSet) {
		return opts, usageError(fs, errors.New("a recording opens as it is; leave out --url and --transport"))
	}
	if opts.URL != "" && !opts.TransportSet {
		// A URL from the command line comes without the transport saved
		// for another server.
		opts.TransportSet = true
	}
	return opts, nil
}

// runWindow opens the window with opts and returns when it is closed or
// ctx ends.
func runWindow(ctx context.Context, opts Options) error {
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display (DISPLAY and WAYLAND_DISPLAY are empty); 'feedscope snapshot' renders a chart without one")
	}
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(assets.Icon)
	u := New(a, opts)
	measure(u)
	u.win.SetMaster()
	u.win.SetCloseIntercept(u.requestQuit)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		// Ctrl+C in the terminal closes the window like Quit.
		<-ctx.Done()
		fyne.Do(u.quit)
	}()
	u.win.ShowAndRun()
	u.Close()
	return nil
}
