package app

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/gorilla/websocket"

	"feedscope/charts/series"
	"feedscope/feeds"
	"feedscope/feeds/hub"
)

// newTestUI opens the real window on fyne's test driver. Flushes happen
// on the test goroutine (waitFor), because the test driver runs fyne.Do
// inline on whatever goroutine calls it.
func newTestUI(t *testing.T, a fyne.App, opts Options) *UI {
	t.Helper()
	opts.manualFlush = true
	u := New(a, opts)
	u.win.Resize(fyne.NewSize(1000, 640))
	t.Cleanup(u.Close)
	return u
}

// waitFor flushes the bridge until cond holds, as the ticker would.
func waitFor(t *testing.T, u *UI, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		u.flush()
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; status %q %q, stats %q", what, u.status.state.Text, u.status.detail.Text, u.status.stats.Text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func connectedVia(u *UI, tr feeds.Transport) func() bool {
	return func() bool {
		return u.status.st.State == feeds.Connected && u.status.st.Transport == tr && u.status.state.Text == "Connected"
	}
}

func samplesOf(u *UI, name string) int {
	sr := u.chart.Store().Lookup(name)
	if sr == nil {
		return 0
	}
	return sr.Len()
}

func menuItem(t *testing.T, u *UI, menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range u.win.MainMenu().Items {
		if m.Label != menu {
			continue
		}
		for _, it := range m.Items {
			if it.Label == label {
				return it
			}
		}
	}
	t.Fatalf("no menu item %s ▸ %s", menu, label)
	return nil
}

func TestFirstLaunchShowsTheDemo(t *testing.T) {
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{})
	if u.demoBase == "" || !strings.HasSuffix(u.url.Text, "/sse") || !u.isDemoURL(u.url.Text) {
		t.Fatalf("first launch: URL field %q, demo %q; want the demo's /sse", u.url.Text, u.demoBase)
	}
	waitFor(t, u, "demo samples", func() bool { return samplesOf(u, "sine") > 5 && connectedVia(u, feeds.SSE)() })
	if u.connectBtn.Text != "Disconnect" {
		t.Errorf("connect button says %q while connected", u.connectBtn.Text)
	}
	// The statistics line is rebuilt once a second (the window's frame
	// budget), so it may lag the first samples by up to that.
	waitFor(t, u, "a message in the status stats", func() bool {
		return strings.Contains(u.status.stats.Text, "msg/s") && !strings.Contains(u.status.stats.Text, "no message yet")
	})
	// The counters climb without end; the signals are what a newcomer
	// should see.
	if u.chart.SeriesVisible("counter") || !u.chart.SeriesVisible("sine") {
		t.Errorf("demo visibility: counter %v, sine %v", u.chart.SeriesVisible("counter"), u.chart.SeriesVisible("sine"))
	}
	waitFor(t, u, "series list", func() bool { return u.seriesList.total >= 6 })
	// The demo's URL is not remembered: its port is new every launch.
	if got := a.Preferences().String(prefURL); got != "" {
		t.Errorf("demo URL saved as last URL: %q", got)
	}
	// The window draws: the chart area of the capture is not one colour.
	img := u.win.Canvas().Capture()
	if distinctColours(img, 2) < 2 {
		t.Error("window capture is blank")
	}
}

func TestTransportMenuSwitchesAndKeepsData(t *testing.T) {
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{})
	waitFor(t, u, "first samples", func() bool { return samplesOf(u, "sine") > 3 })
	oldest, _, _ := u.chart.Store().Lookup("sine").Span()

	for _, tc := range []struct {
		item string
		tr   feeds.Transport
		path string
	}{
		{"WebSocket", feeds.WebSocket, "/ws"},
		{"Polling", feeds.Poll, "/poll"},
		{"SSE", feeds.SSE, "/sse"},
		{"Auto", feeds.SSE, "/sse"}, // Auto keeps the URL; /sse answers text/event-stream
	} {
		it := menuItem(t, u, "Transport", tc.item)
		before := samplesOf(u, "sine")
		it.Action()
		if !it.Checked {
			t.Errorf("%s: item not checked after choosing it", tc.item)
		}
		for _, other := range u.win.MainMenu().Items[1].Items {
			if other != it && other.Checked {
				t.Errorf("%s: %s still checked", tc.item, other.Label)
			}
		}
		pu, err := url.Parse(u.url.Text)
		if err != nil || pu.Path != tc.path {
			t.Fatalf("%s: URL %q, want path %s", tc.item, u.url.Text, tc.path)
		}
		if tc.tr == feeds.WebSocket && pu.Scheme != "ws" || tc.tr != feeds.WebSocket && pu.Scheme != "http" {
			t.Errorf("%s: URL scheme %q", tc.item, pu.Scheme)
		}
		waitFor(t, u, tc.item+" connected", connectedVia(u, tc.tr))
		waitFor(t, u, tc.item+" data", func() bool { return samplesOf(u, "sine") > before })
		if got := a.Preferences().String(prefTransport); got != tc.tr.String() && tc.item != "Auto" {
			t.Errorf("%s: saved transport %q", tc.item, got)
		}
	}
	if o, _, _ := u.chart.Store().Lookup("sine").Span(); o != oldest {
		t.Errorf("switching transports lost data: oldest point moved from %d to %d", oldest, o)
	}
}

func TestTypedURLConnects(t *testing.T) {
	base, stop, err := hub.StartDemo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	// A port that was just closed refuses connections.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + ln.Addr().String() + "/none"
	ln.Close()
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefURL, deadURL) // not the demo
	u := newTestUI(t, a, Options{})
	if u.demoBase != "" {
		t.Fatal("demo started although a last URL was saved")
	}
	// Nothing listens there: the status says so, in amber, counting down.
	waitFor(t, u, "reconnecting", func() bool { return u.status.st.State == feeds.Reconnecting })
	// Retries come every quarter second at first, so on a busy machine the
	// status may already show a later attempt; the log keeps the first.
	if !strings.Contains(u.status.state.Text, "attempt ") || !strings.Contains(u.status.detail.Text, "refused") {
		t.Errorf("reconnecting status %q / %q", u.status.state.Text, u.status.detail.Text)
	}
	waitFor(t, u, "attempt 1 in the log", func() bool {
		for _, e := range u.log.entries {
			if e.Kind == logState && strings.Contains(e.Text, "attempt 1:") && strings.Contains(e.Text, "refused") {
				return true
			}
		}
		return false
	})
	if u.status.state.Color != stateColor(feeds.Reconnecting) {
		t.Error("reconnecting is not amber")
	}

	// Reconnect now skips the wait: a fresh attempt, counted from 1.
	waitFor(t, u, "a later attempt", func() bool { return u.status.st.Attempt >= 2 })
	tapped := time.Now()
	test.Tap(u.status.reconnect)
	// The log keeps every state change, however fast they come.
	waitFor(t, u, "the attempt after Reconnect now", func() bool {
		for _, e := range u.log.entries {
			if e.Kind == logState && !e.Time.Before(tapped) && strings.Contains(e.Text, "attempt 1:") {
				return true
			}
		}
		return false
	})

	test.Tap(u.connectBtn) // Disconnect
	waitFor(t, u, "disconnected", func() bool { return u.feed == nil && u.connectBtn.Text == "Connect" })

	// Ctrl+L focuses the URL field; typing replaces its text; Ctrl+Enter connects.
	sc, ok := u.win.Canvas().(fyne.Shortcutable)
	if !ok {
		t.Fatal("canvas takes no shortcuts")
	}
	sc.TypedShortcut(shortcutURL)
	if u.win.Canvas().Focused() != u.url {
		t.Fatalf("Ctrl+L focused %T", u.win.Canvas().Focused())
	}
	u.url.SetText("")
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/ws"
	test.Type(u.url, wsURL)
	sc.TypedShortcut(shortcutConnect)
	waitFor(t, u, "typed URL", func() bool { return connectedVia(u, feeds.WebSocket)() && samplesOf(u, "walk") > 0 })
	if got := a.Preferences().String(prefURL); got != wsURL {
		t.Errorf("last URL saved as %q", got)
	}
	if recent := a.Preferences().StringList(prefRecent); len(recent) == 0 || recent[0] != wsURL {
		t.Errorf("recent URLs %q", recent)
	}

	// A URL that cannot be a feed says why at once, in red.
	u.url.SetText("ftp://example.com/data")
	test.Tap(u.connectBtn) // Disconnect
	test.Tap(u.connectBtn) // Connect
	u.flush()
	if u.status.st.State != feeds.Stopped || !strings.Contains(u.status.detail.Text, "ftp") || u.feed != nil {
		t.Errorf("bad URL: state %v, detail %q", u.status.st.State, u.status.detail.Text)
	}
	if u.status.state.Color != stateColor(feeds.Stopped) {
		t.Error("stopped is not red")
	}
}

func TestSettingsPersistAndSecretsStayHidden(t *testing.T) {
	const token = "Bearer s3cr3t-t0ken"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != token {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"temp": 21.5}`))
	}))
	defer srv.Close()

	a := test.NewTempApp(t)
	a.Preferences().SetString(prefURL, srv.URL+"/data")
	a.Preferences().SetString(prefTransport, "poll")
	u := newTestUI(t, a, Options{})
	waitFor(t, u, "401", func() bool { return u.status.st.State == feeds.Stopped && u.status.st.Err != nil })
	if !strings.Contains(u.status.detail.Text, "401") {
		t.Errorf("401 shown as %q", u.status.detail.Text)
	}

	u.showSettings()
	f := u.settingsForm
	f.poll.SetText("")
	test.Type(f.poll, "200ms")
	f.hold.SetText("45s")
	f.headers.SetText("Authorization: " + token)
	f.ping.SetText("ping")
	f.pong.SetText("pong")
	f.history.SetText("30m")
	f.timeSource.SetSelected(arrivalTimeLabel)
	test.Tap(f.insecure)
	if !f.insecureWarn.Visible() || f.insecureOK.Visible() {
		t.Error("no warning next to skip TLS verification")
	}
	u.settingsDialog.Submit()
	if !u.status.insecure.Visible() {
		t.Error("status bar shows no warning while TLS verification is off")
	}
	waitFor(t, u, "authorised data", func() bool { return samplesOf(u, "temp") >= 2 })

	// Secrets never reach what the window shows.
	u.setLogShown(true)
	u.flush()
	for _, e := range u.log.entries {
		if strings.Contains(e.Text, "s3cr3t") {
			t.Errorf("message log shows the token: %q", e.Text)
		}
	}
	if strings.Contains(u.status.detail.Text+u.status.state.Text, "s3cr3t") {
		t.Error("status bar shows the token")
	}
	var csv bytes.Buffer
	if err := exportCSV(&csv, u.chart.Store()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), ",temp,21.5") || strings.Contains(csv.String(), "s3cr3t") {
		t.Errorf("CSV export lacks the data or shows the token:\n%s", csv.String())
	}
	u.Close()

	// A new instance starts with what was saved.
	u2 := newTestUI(t, a, Options{})
	want := Settings{
		PollInterval: 200 * time.Millisecond, Hold: 45 * time.Second, Heartbeat: feeds.DefaultHeartbeat,
		PingText: "ping", PongText: "pong", Headers: []string{"Authorization: " + token},
		ReadLimit: feeds.DefaultReadLimit, History: 30 * time.Minute, ArrivalTime: true, InsecureSkipVerify: true,
	}
	if got := u2.settings; !equalSettings(got, want) {
		t.Errorf("settings after restart\n got %+v\nwant %+v", got, want)
	}
	if u2.transport != feeds.Poll || u2.url.Text != srv.URL+"/data" || !u2.logShown {
		t.Errorf("after restart: transport %v, URL %q, log shown %v", u2.transport, u2.url.Text, u2.logShown)
	}
	waitFor(t, u2, "data after restart", func() bool { return samplesOf(u2, "temp") >= 1 })
}

func equalSettings(a, b Settings) bool { return reflect.DeepEqual(a, b) }

func TestSettingsDialogRejectsNonsense(t *testing.T) {
	f := newSettingsForm(DefaultSettings())
	for _, tc := range []struct {
		name  string
		entry *widget.Entry
		text  string
		want  string
	}{
		{"poll", f.poll, "fast", "Poll interval"},
		{"poll range", f.poll, "1ns", "poll interval"},
		{"hold", f.hold, "long", "Long-poll hold"},
		{"hold range", f.hold, "500ms", "long-poll hold"},
		{"history", f.history, "-1h", "history"},
		{"read limit", f.readLimit, "0", "Read limit"},
		{"header", f.headers, "no colon here", "header line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := tc.entry.Text
			defer tc.entry.SetText(old)
			tc.entry.SetText(tc.text)
			_, err := f.read()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%q: error %v, want one about %s", tc.text, err, tc.want)
			}
		})
	}
	if _, err := f.read(); err != nil {
		t.Fatalf("defaults rejected: %v", err)
	}
}

func TestViewMenuAndKeys(t *testing.T) {
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{})
	waitFor(t, u, "data", func() bool { return samplesOf(u, "sine") > 0 })

	// Space pauses, End returns to Live.
	u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeySpace})
	if !u.chart.Paused() || !u.menu.pause.Checked {
		t.Error("Space did not pause")
	}
	u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEnd})
	if u.chart.Paused() || !u.chart.Following() {
		t.Error("End did not return to Live")
	}
	menuItem(t, u, "View", "Pause").Action()
	if !u.chart.Paused() {
		t.Error("View ▸ Pause did not pause")
	}
	menuItem(t, u, "View", "Live").Action()
	if u.chart.Paused() {
		t.Error("View ▸ Live did not resume")
	}
	// Leaving follow mode on the chart itself (a drag) unchecks the
	// window length, and End brings the check back.
	if err := u.chart.SetTimeRange(time.Now().Add(-time.Minute), time.Now()); err != nil {
		t.Fatal(err)
	}
	u.flush()
	if menuItem(t, u, "View", "Window length").ChildMenu.Items[1].Checked {
		t.Error("window length still checked after leaving follow mode")
	}
	u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEnd})
	if !menuItem(t, u, "View", "Window length").ChildMenu.Items[1].Checked {
		t.Error("window length not checked after End")
	}

	// Window length.
	wl := menuItem(t, u, "View", "Window length")
	wl.ChildMenu.Items[0].Action()
	if u.chart.Window() != 10*time.Second || !wl.ChildMenu.Items[0].Checked {
		t.Errorf("window %v after choosing %q", u.chart.Window(), wl.ChildMenu.Items[0].Label)
	}
	if a.Preferences().Int(prefWindow) != 10 {
		t.Error("window length not saved")
	}

	// The message log: newest first, bounded.
	logItem := menuItem(t, u, "View", "Message log")
	logItem.Action()
	if !u.logShown || !logItem.Checked {
		t.Fatal("message log not shown")
	}
	waitFor(t, u, "log entries", func() bool { return len(u.log.entries) > 3 })
	first := u.log.list.CreateItem()
	u.log.list.UpdateItem(0, first)
	newest := u.log.entries[len(u.log.entries)-1]
	if got := first.(*widget.Label).Text; got != formatLogEntry(newest) {
		t.Errorf("first row %q, want the newest entry %q", got, formatLogEntry(newest))
	}
	if !strings.Contains(formatLogEntry(newest), `"sine"`) && newest.Kind == logMessage {
		t.Errorf("raw message not shown: %q", newest.Text)
	}
	many := make([]logEntry, maxLogEntries+50)
	u.log.add(many, 0)
	if len(u.log.entries) != maxLogEntries {
		t.Errorf("log holds %d entries, bound is %d", len(u.log.entries), maxLogEntries)
	}

	// Theme.
	menuItem(t, u, "View", "Theme").ChildMenu.Items[2].Action()
	// Dark whatever variant the system asks for.
	got := a.Settings().Theme().Color(theme.ColorNameBackground, theme.VariantLight)
	if a.Preferences().String(prefTheme) != "dark" || got != theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark) {
		t.Error("dark theme not applied or not saved")
	}
}

func TestSeriesListFiltersAndToggles(t *testing.T) {
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{URL: "http://127.0.0.1:1/unused"})
	u.disconnect()
	// A /metrics page: many series, only the first few shown at first.
	now := time.Now()
	for i := range 40 {
		name := "http_requests_total{code=\"200\",path=\"/p" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "\"}"
		if err := u.chart.Store().Append(name, now, float64(i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = u.chart.Store().Append("go_goroutines", now, 7)
	u.flush()
	if got := u.seriesList.count.Text; got != "41 series · 8 shown" {
		t.Errorf("count %q", got)
	}
	test.Type(u.seriesList.filter, "goroutines")
	if len(u.seriesList.shown) != 1 || u.seriesList.shown[0].Name != "go_goroutines" {
		t.Fatalf("filter shows %v", u.seriesList.shown)
	}
	if u.chart.SeriesVisible("go_goroutines") {
		t.Fatal("41st series visible before the user picked it")
	}
	row := u.seriesList.list.CreateItem()
	u.seriesList.list.UpdateItem(0, row)
	check := row.(*fyne.Container).Objects[0].(*widget.Check)
	if check.Text != "go_goroutines" || check.Checked {
		t.Fatalf("row shows %q checked=%v", check.Text, check.Checked)
	}
	test.Tap(check)
	if !u.chart.SeriesVisible("go_goroutines") {
		t.Error("ticking the row did not show the series")
	}
	u.seriesList.filter.SetText("http_requests")
	u.seriesList.setAll(false)
	for _, info := range u.chart.Series() {
		if strings.HasPrefix(info.Name, "http_requests") && info.Visible {
			t.Fatalf("%s still visible after Hide all", info.Name)
		}
	}
	if !u.chart.SeriesVisible("go_goroutines") {
		t.Error("Hide all touched a series outside the filter")
	}
}

func TestHubURLFor(t *testing.T) {
	for _, tc := range []struct {
		in   string
		tr   feeds.Transport
		want string
		ok   bool
	}{
		{"http://127.0.0.1:8080/sse", feeds.WebSocket, "ws://127.0.0.1:8080/ws", true},
		{"ws://127.0.0.1:8080/ws", feeds.Poll, "http://127.0.0.1:8080/poll", true},
		{"ws://127.0.0.1:8080/ws", feeds.LongPoll, "http://127.0.0.1:8080/poll", true},
		{"http://127.0.0.1:8080/poll", feeds.LongPoll, "http://127.0.0.1:8080/poll", false},
		{"https://h.example/feed/poll?x=1", feeds.SSE, "https://h.example/feed/sse?x=1", true},
		{"wss://h.example/sse", feeds.WebSocket, "wss://h.example/ws", true},
		{"http://127.0.0.1:8080/sse", feeds.Auto, "http://127.0.0.1:8080/sse", false},
		{"http://127.0.0.1:8080/sse", feeds.SSE, "http://127.0.0.1:8080/sse", false},
		{"http://example.com/metrics", feeds.WebSocket, "http://example.com/metrics", false},
		{"not a url", feeds.SSE, "not a url", false},
		{"mqtt://broker/plant/ws", feeds.WebSocket, "mqtt://broker/plant/ws", false},
		{"file://localhost/tmp/poll", feeds.SSE, "file://localhost/tmp/poll", false},
	} {
		got, ok := hubURLFor(tc.in, tc.tr)
		if got != tc.want || ok != tc.ok {
			t.Errorf("hubURLFor(%q, %v) = %q, %v; want %q, %v", tc.in, tc.tr, got, ok, tc.want, tc.ok)
		}
	}
}

func TestExportCSV(t *testing.T) {
	store, err := series.New(series.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	store.Append(`up{job="a,b"}`, t0, 1)
	store.Append(`up{job="a,b"}`, t0.Add(time.Second), 0.5)
	store.Append("temp", t0, -2.25)
	var b strings.Builder
	if err := exportCSV(&b, store); err != nil {
		t.Fatal(err)
	}
	want := "time,series,value\n" +
		`2026-01-02T03:04:05.000000006Z,"up{job=""a,b""}",1` + "\n" +
		`2026-01-02T03:04:06.000000006Z,"up{job=""a,b""}",0.5` + "\n" +
		"2026-01-02T03:04:05.000000006Z,temp,-2.25\n"
	if b.String() != want {
		t.Errorf("CSV\n%s\nwant\n%s", b.String(), want)
	}
}

func TestNewHistoryKeepsPointsWithinIt(t *testing.T) {
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{})
	waitFor(t, u, "data", func() bool { return samplesOf(u, "sine") > 5 })
	u.chart.SetSeriesVisible("noise", false)
	old := u.chart
	before := samplesOf(u, "sine")

	s := u.settings
	s.History = 20 * time.Minute
	u.applySettings(s)
	if u.chart == old || u.chart.Store() == old.Store() {
		t.Fatal("history change did not make a new store")
	}
	if got := samplesOf(u, "sine"); got < before {
		t.Errorf("new store has %d sine points, had %d", got, before)
	}
	if u.chart.SeriesVisible("noise") || u.chart.SeriesVisible("counter") {
		t.Error("series choices lost with the new store")
	}
	if u.feed == nil {
		t.Fatal("feed not restarted after the history change")
	}
	waitFor(t, u, "data into the new store", func() bool { return samplesOf(u, "sine") > before })
	if got := prefDuration(a.Preferences(), prefHistory, 0); got != 20*time.Minute {
		t.Errorf("history saved as %v", got)
	}
}

func TestStatusBarCountsDown(t *testing.T) {
	test.NewTempApp(t)
	s := newStatusBar(func() {})
	var b bridge
	var r rates
	t0 := time.Now()
	s.setStatus(feeds.Status{State: feeds.Reconnecting, Attempt: 3, Delay: 5 * time.Second, Time: t0,
		Err: &feeds.StatusError{Code: 503}})
	s.show(t0, &b, &r, true)
	if s.state.Text != "Reconnecting (attempt 3) in 5s" || !strings.Contains(s.detail.Text, "503") {
		t.Errorf("at once: %q / %q", s.state.Text, s.detail.Text)
	}
	s.show(t0.Add(3200*time.Millisecond), &b, &r, true)
	if s.state.Text != "Reconnecting (attempt 3) in 2s" {
		t.Errorf("3.2 s later: %q", s.state.Text)
	}
	s.show(t0.Add(time.Minute), &b, &r, true)
	if s.state.Text != "Reconnecting (attempt 3) in 0s" {
		t.Errorf("past the delay: %q", s.state.Text)
	}
	b.lastMsg.Store(t0.UnixNano())
	b.bytes.Store(3 << 20)
	s.show(t0.Add(90*time.Second), &b, &r, true)
	if !strings.Contains(s.stats.Text, "last 1m30s ago") || !strings.Contains(s.stats.Text, "3.0 MiB") {
		t.Errorf("stats %q", s.stats.Text)
	}
}

func TestRecentURLs(t *testing.T) {
	var r []string
	for i := range maxRecent + 3 {
		r = addRecent(r, "http://h/"+strconv.Itoa(i))
	}
	r = addRecent(r, "  http://h/5 ")
	if len(r) != maxRecent || r[0] != "http://h/5" || r[1] != "http://h/12" {
		t.Fatalf("recent %q", r)
	}
	seen := map[string]bool{}
	for _, u := range r {
		if seen[u] {
			t.Fatalf("%s twice in %q", u, r)
		}
		seen[u] = true
	}
}

func TestHeaderParsingNeverEchoesValues(t *testing.T) {
	for _, line := range []string{
		"Authorization Bearer s3cr3t",    // no colon
		"Bad Name: s3cr3t",               // space in the name
		": s3cr3t",                       // no name
		"X-Token: s3cr3t\r\nInjected: 1", // a second header smuggled in
	} {
		if _, _, err := parseHeader(line); err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("parseHeader(%q): error %v; want one that does not quote the value", line, err)
		}
	}
	name, value, err := parseHeader("  authorization :  Bearer abc  ")
	if err != nil || name != "Authorization" || value != "Bearer abc" {
		t.Errorf("got %q %q %v", name, value, err)
	}
}

// hangingWS is a WebSocket server that sends {"<name>": n} every 10 ms
// and never reads, so it never answers a close frame: a feed of it takes
// seconds to end after cancel.
func hangingWS(t *testing.T, name string) string {
	t.Helper()
	stop := make(chan struct{})
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if c.WriteMessage(websocket.TextMessage, []byte(`{"`+name+`":`+strconv.Itoa(n)+`}`)) != nil {
				return
			}
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"
}

// Disconnect, switching feeds and closing never wait on the main goroutine
// for a feed whose server does not answer its close; what the old feed
// still delivers is never charted.
func TestStoppingNeverWaitsForTheFeed(t *testing.T) {
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{URL: hangingWS(t, "a")})
	waitFor(t, u, "data from a", func() bool { return samplesOf(u, "a") > 3 })

	// The old code waited here for the close grace (2 s).
	const prompt = 500 * time.Millisecond
	began := time.Now()
	test.Tap(u.connectBtn) // Disconnect
	if d := time.Since(began); d > prompt {
		t.Errorf("Disconnect held the main goroutine for %v", d)
	}
	if u.connectBtn.Text != "Connect" {
		t.Errorf("after Disconnect the button says %q", u.connectBtn.Text)
	}
	u.flush()
	if u.status.st.State != feeds.Stopped || u.status.st.Err != nil {
		t.Errorf("after Disconnect: state %v, err %v", u.status.st.State, u.status.st.Err)
	}

	// Connect again, then switch to another feed while the first hangs.
	test.Tap(u.connectBtn)
	waitFor(t, u, "a again", func() bool { return connectedVia(u, feeds.WebSocket)() })
	waitFor(t, u, "more from a", func() bool { return samplesOf(u, "a") > 6 })
	u.url.SetText(hangingWS(t, "b"))
	began = time.Now()
	u.connect()
	if d := time.Since(began); d > prompt {
		t.Errorf("switching feeds held the main goroutine for %v", d)
	}
	frozen := samplesOf(u, "a")
	waitFor(t, u, "data from b", func() bool { return samplesOf(u, "b") > 20 })
	if n := samplesOf(u, "a"); n != frozen {
		t.Errorf("the retired feed charted %d points after the switch", n-frozen)
	}

	// Switching transport: the path follows (/poll, which this server
	// does not answer), and the hanging WebSocket is left to wind down.
	began = time.Now()
	u.setTransport(feeds.Poll)
	if d := time.Since(began); d > prompt {
		t.Errorf("switching transport held the main goroutine for %v", d)
	}
	frozen = samplesOf(u, "b")
	waitFor(t, u, "the poll to fail", func() bool { return u.status.st.Transport == feeds.Poll && u.status.st.Err != nil })
	if n := samplesOf(u, "b"); n != frozen {
		t.Errorf("the retired WebSocket charted %d points after the switch", n-frozen)
	}
	u.setTransport(feeds.WebSocket)
	waitFor(t, u, "b again", func() bool { return samplesOf(u, "b") > frozen+3 })

	// Quitting from the window (the main goroutine) does not wait either;
	// Close, after the main loop, waits a bounded time.
	began = time.Now()
	u.shutdown()
	if d := time.Since(began); d > prompt {
		t.Errorf("quitting held the main goroutine for %v", d)
	}
	began = time.Now()
	u.Close()
	if d := time.Since(began); d > closeWait+time.Second {
		t.Errorf("Close took %v", d)
	}
}

// A URL's password never appears in anything the program shows or writes:
// the window's status bar and message log, record's stderr and errors,
// the CSV export, and serve's errors and log, for URLs that parse and for
// ones that do not.
func TestPasswordNeverShown(t *testing.T) {
	// The password is in two parts so that a message quoting only the
	// part before a stray '/' (url.Parse's "invalid port") is caught.
	const p1, p2 = "Qx7pw", "Zr9pw"
	withPw := func(scheme, rest string) string { return scheme + "://user:" + p1 + p2 + "@" + rest }
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().String()
	}()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	defer failing.Close()
	failingHost := strings.TrimPrefix(failing.URL, "http://")

	// window shows raw in the window with transport tr and returns the
	// status bar and the message log once an error is shown.
	window := func(raw string, tr feeds.Transport) func(t *testing.T) string {
		return func(t *testing.T) string {
			a := test.NewTempApp(t)
			a.Preferences().SetString(prefURL, raw)
			a.Preferences().SetString(prefTransport, tr.String())
			u := newTestUI(t, a, Options{})
			waitFor(t, u, "an error", func() bool { return u.status.st.Err != nil })
			u.setLogShown(true)
			u.flush()
			var out strings.Builder
			for _, e := range u.log.entries {
				out.WriteString(e.Text + "\n")
			}
			var csv bytes.Buffer
			if err := exportCSV(&csv, u.chart.Store()); err != nil {
				t.Fatal(err)
			}
			return u.status.state.Text + "\n" + u.status.detail.Text + "\n" + u.win.Title() + "\n" + out.String() + csv.String()
		}
	}
	record := func(raw string) func(t *testing.T) string {
		return func(t *testing.T) string {
			var stdout, stderr bytes.Buffer
			err := Record(t.Context(), []string{"--url", raw, "--for", "700ms"}, &stdout, &stderr)
			return fmt.Sprint(err) + "\n" + stdout.String() + stderr.String()
		}
	}
	serve := func(redisURL string) func(t *testing.T) string {
		return func(t *testing.T) string {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(t.Context(), 700*time.Millisecond)
			defer cancel()
			err := hub.Command(ctx, []string{"--addr", "127.0.0.1:0", "--redis", redisURL}, nil, &stdout, &stderr)
			return fmt.Sprint(err) + "\n" + stdout.String() + stderr.String()
		}
	}
	for _, tc := range []struct {
		name string
		show func(t *testing.T) string
		want string // shown, so the case is known to have reached its error
	}{
		{"window: unparsable", window(withPw("http", "[::1"), feeds.Auto), "not a URL"},
		{"window: stray slash", window("http://user:"+p1+"/"+p2+"@example.com/", feeds.Auto), "not a URL"},
		{"window: bad escape", window("http://user:"+p1+"%zz"+p2+"@example.com/", feeds.Auto), "not a URL"},
		{"window: poll 500", window(withPw("http", failingHost), feeds.Poll), "500"},
		{"window: SSE 500", window(withPw("http", failingHost), feeds.SSE), "500"},
		{"window: WebSocket", window(withPw("ws", failingHost), feeds.WebSocket), "500"},
		{"window: refused", window(withPw("http", refused+"/x"), feeds.Auto), "refused"},
		{"record: unparsable", record(withPw("http", "[::1")), "malformed URL"},
		{"record: stray slash", record("http://user:" + p1 + "/" + p2 + "@example.com/"), "malformed URL"},
		{"record: refused", record(withPw("http", refused+"/sse")), "refused"},
		{"record: WebSocket", record(withPw("ws", refused+"/ws")), "refused"},
		{"window: MQTT refused", window(withPw("mqtt", refused+"/plant/#"), feeds.MQTT), "refused"},
		{"record: MQTT refused", record(withPw("mqtt", refused+"/plant/#")), "refused"},
		{"record: 500", record(withPw("http", failingHost)), "500"},
		{"serve: unparsable Redis URL", serve("redis://:" + p1 + p2 + "@[::1"), "redis URL"},
		{"serve: stray slash in Redis URL", serve("redis://:" + p1 + "/" + p2 + "@localhost:6379/0"), "redis URL"},
		{"serve: bad Redis database", serve("redis://:" + p1 + p2 + "@localhost:6379/abc"), "database"},
		{"serve: Redis refused", serve("redis://:" + p1 + p2 + "@" + refused + "/0"), "redis unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.show(t)
			if !strings.Contains(out, tc.want) {
				t.Errorf("no %q in what was shown:\n%s", tc.want, out)
			}
			for _, part := range []string{p1, p2} {
				if strings.Contains(out, part) {
					t.Errorf("the password shows:\n%s", out)
				}
			}
		})
	}
}
