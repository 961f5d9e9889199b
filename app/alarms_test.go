package app

import (
	"cmp"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
	"feedscope/feeds"
	"feedscope/internal/refreshcount"
)

// notifyingApp is the test app, counting the desktop notifications the
// window sends through it (and passing them on).
type notifyingApp struct {
	fyne.App
	sent []*fyne.Notification
}

func (a *notifyingApp) SendNotification(n *fyne.Notification) {
	a.sent = append(a.sent, n)
	a.App.SendNotification(n)
}

// logHas reports whether the message log holds an entry containing text,
// and how many.
func logCount(u *UI, text string) int {
	n := 0
	for _, e := range u.log.entries {
		if strings.Contains(e.Text, text) {
			n++
		}
	}
	return n
}

// drawnIn returns the objects of type T drawn inside o that keep accepts.
func drawnIn[T fyne.CanvasObject](o fyne.CanvasObject, keep func(T) bool) []T {
	var out []T
	for x := range subtree(o, map[fyne.CanvasObject]bool{}) {
		if w, ok := x.(T); ok && keep(w) {
			out = append(out, w)
		}
	}
	return out
}

// buttonsIn returns the buttons drawn inside o whose text is text.
func buttonsIn(o fyne.CanvasObject, text string) []*widget.Button {
	return drawnIn(o, func(b *widget.Button) bool { return b.Text == text })
}

// hasLabel reports whether a label reading text is drawn inside o.
func hasLabel(o fyne.CanvasObject, text string) bool {
	return len(drawnIn(o, func(l *widget.Label) bool { return l.Text == text })) > 0
}

// sseDashboard is a dashboard of panels (TOML) over one SSE feed that
// sends {"load":v} for each v put on send.
func sseDashboard(t *testing.T, send <-chan float64, panels string) *dashboard.Dashboard {
	t.Helper()
	return parseDash(t, "[[feed]]\nname = \"host\"\nurl = \""+sseServer(t, send)+"\"\ntransport = \"sse\"\n"+panels)
}

// A threshold alarm in the window, fed through a real SSE feed: crossing
// the line fires at once (panel in the alarm colour, count 1 in the status
// bar, a log line, one notification); staying high notifies no more;
// Acknowledge silences it and the list and count say so; it clears only
// past the hysteresis; a new crossing is a new firing.
func TestWindowAlarmFiresOnceAndAcknowledges(t *testing.T) {
	send := make(chan float64)
	d := sseDashboard(t, send, `
[[panel]]
title = "Load"
series = ["load"]
thresholds = [{ value = 2, label = "high load", alarm = true, hysteresis = 0.5 }]
[[panel]]
title = "Other"
series = ["nothing"]
`)
	a := &notifyingApp{App: test.NewTempApp(t)}
	u := newTestUI(t, a, Options{Dashboard: d, DashboardPath: "t.toml"})
	load, other := u.dash.panels[0], u.dash.panels[1]
	n := 0
	push := func(v float64) {
		t.Helper()
		send <- v
		n++
		waitFor(t, u, "sample "+strconv.Itoa(n), func() bool { return samplesOf(u, "load") == n })
		u.flush() // the flush after the sample arrived
	}
	push(1)
	if load.chart.Alert() || u.status.alarms.Text != "No alarm firing" || !u.status.alarms.Visible() {
		t.Fatalf("below the line: alert %v, status %q (shown %v)", load.chart.Alert(), u.status.alarms.Text, u.status.alarms.Visible())
	}

	push(3)
	if !load.chart.Alert() || other.chart.Alert() {
		t.Errorf("alerts %v %v, want the Load panel alone", load.chart.Alert(), other.chart.Alert())
	}
	if load.title.Importance != widget.DangerImportance {
		t.Errorf("the firing panel's title importance %v", load.title.Importance)
	}
	if got := u.status.alarms.Text; got != "1 alarm firing" {
		t.Errorf("status %q", got)
	}
	if logCount(u, "ALARM firing high load (load=3 above 2)") != 1 {
		t.Errorf("log: %v", u.log.entries)
	}
	if len(a.sent) != 1 || a.sent[0].Title != "Feedscope alarm: high load" || !strings.Contains(a.sent[0].Content, "load=3 above 2") {
		t.Fatalf("notifications %v", a.sent)
	}

	push(4)
	u.flush()
	if len(a.sent) != 1 {
		t.Errorf("%d notifications while staying high, want 1", len(a.sent))
	}

	u.showAlarmList()
	box := u.alarmList.box
	acks := buttonsIn(box, "Acknowledge")
	if len(acks) != 1 || !hasLabel(box, "firing") {
		t.Fatalf("the list has %d Acknowledge buttons", len(acks))
	}
	test.Tap(acks[0])
	if got := u.status.alarms.Text; got != "1 alarm acknowledged" {
		t.Errorf("status after acknowledging %q", got)
	}
	if !hasLabel(u.alarmList.box, "acknowledged") || len(buttonsIn(u.alarmList.box, "Acknowledge")) != 0 {
		t.Error("the list does not show the alarm acknowledged")
	}
	if !load.chart.Alert() {
		t.Error("an acknowledged alarm's panel stopped showing it")
	}
	push(5)
	push(1.8) // within the hysteresis: still active
	if len(a.sent) != 1 || !load.chart.Alert() {
		t.Errorf("after acknowledging: %d notifications, alert %v", len(a.sent), load.chart.Alert())
	}
	push(1.4)
	if load.chart.Alert() || u.status.alarms.Text != "No alarm firing" || load.title.Importance == widget.DangerImportance {
		t.Errorf("cleared: alert %v, status %q", load.chart.Alert(), u.status.alarms.Text)
	}
	if logCount(u, "ALARM ok high load (load=1.4 back at or below 1.5)") != 1 || logCount(u, "ALARM acknowledged high load") != 1 {
		t.Errorf("log: %v", u.log.entries)
	}
	push(2.5)
	if len(a.sent) != 2 {
		t.Errorf("a new firing sent %d notifications in all, want 2", len(a.sent))
	}
}

// A panel's no_data alarm fires once its series has been silent longer
// than no_data, and clears at the next sample.
func TestWindowNoDataAlarm(t *testing.T) {
	send := make(chan float64)
	d := sseDashboard(t, send, `
[[panel]]
title = "Load"
series = ["load"]
no_data = "300ms"
`)
	a := &notifyingApp{App: test.NewTempApp(t)}
	u := newTestUI(t, a, Options{Dashboard: d, DashboardPath: "t.toml"})
	send <- 1
	waitFor(t, u, "the sample", func() bool { return samplesOf(u, "load") == 1 })
	waitFor(t, u, "the silence noticed", func() bool { return u.status.alarms.Text == "1 alarm firing" })
	if !u.dash.panels[0].chart.Alert() || len(a.sent) != 1 || !strings.Contains(a.sent[0].Content, "no data for 300ms") {
		t.Errorf("alert %v, notifications %v", u.dash.panels[0].chart.Alert(), a.sent)
	}
	send <- 2
	waitFor(t, u, "data again", func() bool { return u.status.alarms.Text == "No alarm firing" })
	if logCount(u, "ALARM ok Load silent (data again after") != 1 {
		t.Errorf("log: %v", u.log.entries)
	}
}

// msgAt hands a bridge handler one message of JSON at a time.
func msgAt(h feeds.Handler, at time.Time, body string) {
	h(feeds.Event{Kind: feeds.KindMessage, Message: feeds.Message{Data: []byte(body), Time: at}})
}

// A panel's rate of a counter is computed as samples arrive, into the
// window's store, and drawn on that panel instead of the counter: a
// counter reset gives no negative spike.
func TestDashboardDerivesRate(t *testing.T) {
	d := parseDash(t, `
[[feed]]
name = "x"
url = "http://127.0.0.1:1/"
[[feed]]
name = "y"
url = "http://127.0.0.1:2/"
[[panel]]
series = [{ match = "x/bytes_total", fn = "rate", name = "rx" }, "y/*"]
[[panel]]
series = ["x/*"]
`)
	v := panelsOnly(t, d)
	h := v.feeds[0].bridge.handler(v.feeds[0].bridge.newEpoch(), feeds.PayloadTime)
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i, b := range []int{100, 110, 130, 5, 25} { // a reset before 5
		at := t0.Add(time.Duration(i) * time.Second)
		msgAt(h, at, `{"ts":`+strconv.FormatInt(at.Unix(), 10)+`,"bytes_total":`+strconv.Itoa(b)+`}`)
	}
	v.assign()
	var got []float64
	for _, val := range v.panels[0].chart.Store().Points("rx", t0, t0.Add(time.Hour)) {
		got = append(got, val)
	}
	if want := []float64{10, 20, 5, 20}; !equalFloats(got, want) {
		t.Errorf("rx %v, want %v", got, want)
	}
	p0, p1 := v.panels[0].chart, v.panels[1].chart
	if !p0.SeriesVisible("rx") || p0.SeriesVisible("x/bytes_total") || p1.SeriesVisible("rx") || !p1.SeriesVisible("x/bytes_total") {
		t.Errorf("the rate panel draws rx %v, the counter %v; the other draws rx %v, the counter %v",
			p0.SeriesVisible("rx"), p0.SeriesVisible("x/bytes_total"), p1.SeriesVisible("rx"), p1.SeriesVisible("x/bytes_total"))
	}
}

// In the single-URL window: the series list suggests rate for a counter,
// Show as rate derives it from the whole stored history (a reset
// included), Save writes it as fn = "rate", and Show raw goes back.
func TestShowAsRateFromTheSeriesList(t *testing.T) {
	u := newTestUI(t, test.NewTempApp(t), Options{URL: refusedURL(t), Transport: feeds.Poll, TransportSet: true})
	h := u.bridge.handler(u.bridge.newEpoch(), feeds.PayloadTime)
	t0 := time.Now().Add(-time.Minute).Truncate(time.Second)
	// seq has grown for 40 s: long enough to be taken for a counter.
	early := t0.Add(-40 * time.Second)
	msgAt(h, early, `{"ts":`+strconv.FormatInt(early.Unix(), 10)+`,"seq":-1}`)
	for i, b := range []int{100, 110, 130, 5, 25} {
		at := t0.Add(time.Duration(i) * time.Second)
		msgAt(h, at, `{"ts":`+strconv.FormatInt(at.Unix(), 10)+`,"rx_total":`+strconv.Itoa(b)+`,"temp":`+strconv.Itoa(20+i%2)+`,"seq":`+strconv.Itoa(i)+`,"young":`+strconv.Itoa(i)+`}`)
	}
	u.flush()
	u.win.Canvas().Capture() // lays the list out
	// rx_total by its name (its values fell once), seq by its values; not
	// temp, which goes up and down, nor young, which has grown for 4 s only
	// (a gauge's rise, as far as anyone can tell yet).
	if hints := buttonsIn(u.seriesList.content, "rate?"); len(hints) != 2 || !u.seriesList.hinted["rx_total"] || !u.seriesList.hinted["seq"] {
		t.Errorf("%d rows suggest rate (%v), want rx_total's and seq's", len(hints), u.seriesList.hinted)
	}
	var rate *fyne.MenuItem
	for _, it := range u.seriesMenu("rx_total").Items {
		if strings.HasPrefix(it.Label, "Show as rate") {
			rate = it
		}
	}
	if rate == nil || !strings.Contains(rate.Label, "suggested") {
		t.Fatalf("the menu's rate item %v", rate)
	}
	rate.Action()
	const derived = "rx_total | rate"
	var got []float64
	for _, v := range u.chart.Store().Points(derived, t0, t0.Add(time.Hour)) {
		got = append(got, v)
	}
	if want := []float64{10, 20, 5, 20}; !equalFloats(got, want) {
		t.Errorf("%s %v, want %v", derived, got, want)
	}
	if !u.chart.SeriesVisible(derived) || u.chart.SeriesVisible("rx_total") {
		t.Errorf("drawn: derived %v, raw %v", u.chart.SeriesVisible(derived), u.chart.SeriesVisible("rx_total"))
	}
	// New samples derive as they arrive.
	at := t0.Add(5 * time.Second)
	msgAt(h, at, `{"ts":`+strconv.FormatInt(at.Unix(), 10)+`,"rx_total":65}`)
	if _, v, ok := u.chart.Store().Lookup(derived).Last(math.MaxInt64); !ok || v != 40 {
		t.Errorf("the rate of the next sample %v, want 40", v)
	}

	path := filepath.Join(t.TempDir(), "saved.toml")
	u.writeDashboard(path)
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), `fn = "rate"`) {
		t.Errorf("saved:\n%s", text)
	}
	saved, err := dashboard.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s := saved.Panels[0].Series; len(s) != 2 || s[0].Match != "rx_total" || s[0].Fn != "rate" || s[1].Match != "*" {
		t.Errorf("saved panel series %+v", s)
	}

	for _, it := range u.seriesMenu(derived).Items {
		if it.Label == "Show raw" {
			it.Action()
		}
	}
	if u.chart.SeriesVisible(derived) || !u.chart.SeriesVisible("rx_total") || u.chart.Store().Lookup(derived).Len() != 0 {
		t.Error("Show raw left the rate drawn or the counter hidden")
	}
	if s := u.current().Panels[0].Series; len(s) != 1 || s[0].Fn != "" {
		t.Errorf("after Show raw the panel's series are %+v", s)
	}
}

// twoFeedWindow is a window on a dashboard of two feeds that cannot
// connect (tests feed their bridges by hand) and the given panels, with
// a handler for each feed.
func twoFeedWindow(t *testing.T, a fyne.App, panels string) (*UI, []feeds.Handler) {
	t.Helper()
	d := parseDash(t, "columns = 2\n[[feed]]\nname = \"x\"\nurl = \""+refusedURL(t)+"\"\n[[feed]]\nname = \"y\"\nurl = \""+refusedURL(t)+"\"\n"+panels)
	u := newTestUI(t, a, Options{Dashboard: d, DashboardPath: filepath.Join(t.TempDir(), "two.toml")})
	var hs []feeds.Handler
	for _, f := range u.dash.feeds {
		hs = append(hs, f.bridge.handler(f.bridge.newEpoch(), feeds.PayloadTime))
	}
	return u, hs
}

// In a dashboard, Show as rate acts on the selected panel alone: its
// entries gain the fn (Save writes it there), it draws the rate, and the
// other panel still draws the counter.
func TestShowAsRateOnTheSelectedPanel(t *testing.T) {
	u, hs := twoFeedWindow(t, test.NewTempApp(t), `
[[panel]]
title = "All of x"
series = ["x/*"]
[[panel]]
title = "Traffic"
series = ["x/bytes_total", "y/*"]
`)
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i, b := range []int{100, 110, 130, 5, 25} {
		at := t0.Add(time.Duration(i) * time.Second)
		msgAt(hs[0], at, `{"ts":`+strconv.FormatInt(at.Unix(), 10)+`,"bytes_total":`+strconv.Itoa(b)+`}`)
	}
	u.flush()
	test.Tap(u.dash.panels[1].title)
	for _, it := range u.seriesMenu("x/bytes_total").Items {
		if strings.HasPrefix(it.Label, "Show as rate") {
			it.Action()
		}
	}
	const derived = "x/bytes_total | rate"
	all, traffic := u.dash.panels[0].chart, u.dash.panels[1].chart
	if !traffic.SeriesVisible(derived) || traffic.SeriesVisible("x/bytes_total") || all.SeriesVisible(derived) || !all.SeriesVisible("x/bytes_total") {
		t.Errorf("Traffic draws the rate %v, the counter %v; All of x draws the rate %v, the counter %v",
			traffic.SeriesVisible(derived), traffic.SeriesVisible("x/bytes_total"), all.SeriesVisible(derived), all.SeriesVisible("x/bytes_total"))
	}
	var got []float64
	for _, v := range u.chart.Store().Points(derived, t0, t0.Add(time.Hour)) {
		got = append(got, v)
	}
	if want := []float64{10, 20, 5, 20}; !equalFloats(got, want) {
		t.Errorf("%s %v, want %v", derived, got, want)
	}
	u.saveDashboard()
	saved, err := dashboard.Load(u.dash.path)
	if err != nil {
		t.Fatal(err)
	}
	if s := saved.Panels[1].Series; len(s) != 2 || s[0] != (dashboard.SeriesRef{Match: "x/bytes_total", Fn: "rate"}) || s[1].Match != "y/*" {
		t.Errorf("saved Traffic series %+v", s)
	}
	if s := saved.Panels[0].Series; len(s) != 1 || s[0].Fn != "" {
		t.Errorf("saved All of x series %+v", s)
	}
}

// A firing panel in the window, from fixed data: its frame and title in
// the alarm colour, the other panel as it was.
func TestGoldenFiringPanel(t *testing.T) {
	a := test.NewTempApp(t)
	u, hs := twoFeedWindow(t, a, `
[[panel]]
title = "Temperature"
series = ["x/temp"]
thresholds = [{ value = 80, label = "hot", alarm = true }]
[[panel]]
title = "Pressure"
series = ["y/pressure"]
thresholds = [{ value = 3, label = "high", alarm = true }]
`)
	base := time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC)
	for i := range 60 {
		at := base.Add(time.Duration(i) * time.Second)
		ts := strconv.FormatInt(at.Unix(), 10)
		msgAt(hs[0], at, `{"ts":`+ts+`,"temp":`+num(50+0.6*float64(i)+2*math.Sin(float64(i)/3))+`}`)
		msgAt(hs[1], at, `{"ts":`+ts+`,"pressure":`+num(1+0.2*math.Cos(float64(i)/8))+`}`)
	}
	u.flush()
	if got := u.status.alarms.Text; got != "1 alarm firing" {
		t.Fatalf("status %q", got)
	}
	a.Settings().SetTheme(theme.LightTheme())
	grid := u.dash.grid
	u.win.SetContent(widget.NewLabel("")) // the grid alone in a window of its own
	for _, p := range u.dash.panels {
		p.chart.SetLocation(time.UTC)
	}
	w := test.NewWindow(grid)
	defer w.Close()
	w.SetPadded(false)
	w.Resize(fyne.NewSize(800, 320))
	test.AssertImageMatches(t, "dashboard-firing.png", w.Canvas().Capture())
}

// An alarm that fired costs nothing once it has been shown: the flushes
// after it refresh no object of the window (the frame budget of the
// window, as for a quiet feed).
func TestFiringAlarmRefreshesNothingMore(t *testing.T) {
	send := make(chan float64)
	d := sseDashboard(t, send, `
[[panel]]
title = "Load"
series = ["load"]
thresholds = [{ value = 2, label = "high load", alarm = true }]
`)
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{Dashboard: d, DashboardPath: "t.toml"})
	send <- 3
	waitFor(t, u, "firing", func() bool { return u.status.alarms.Text == "1 alarm firing" })
	count, restore := refreshcount.Install(a)
	defer restore()
	u.flush()
	count.Reset()
	for range 3 {
		u.flush()
	}
	if !count.Nothing() {
		t.Errorf("flushes with nothing new after the alarm fired: %s", refreshed(count))
	}
}

// Show as average… and Scale… ask in a form and add their stage after
// what the series shows: a rate averaged, then scaled to Mbit/s.
func TestAverageAndScaleForms(t *testing.T) {
	u := newTestUI(t, test.NewTempApp(t), Options{URL: refusedURL(t), Transport: feeds.Poll, TransportSet: true})
	h := u.bridge.handler(u.bridge.newEpoch(), feeds.PayloadTime)
	t0 := time.Now().Add(-time.Minute).Truncate(time.Second)
	for i := range 10 {
		at := t0.Add(time.Duration(i) * time.Second)
		msgAt(h, at, `{"ts":`+strconv.FormatInt(at.Unix(), 10)+`,"rx_total":`+strconv.Itoa(i*1_000_000)+`}`)
	}
	u.flush()
	fill := func(action string, values ...string) {
		t.Helper()
		var item *fyne.MenuItem
		var names []string
		for _, n := range u.chart.Store().Names() {
			if u.chart.SeriesVisible(n) {
				names = append(names, n)
			}
		}
		for _, it := range u.seriesMenu(names[0]).Items {
			if it.Label == action {
				item = it
			}
		}
		if item == nil {
			t.Fatalf("no %q for %v", action, names)
		}
		item.Action()
		form := u.win.Canvas().Overlays().Top()
		entries := drawnIn(form, func(*widget.Entry) bool { return true })
		if len(entries) != len(values) {
			t.Fatalf("%s: %d entries", action, len(entries))
		}
		// Top to bottom, as the form shows them.
		at := func(e *widget.Entry) float32 { return fyne.CurrentApp().Driver().AbsolutePositionForObject(e).Y }
		slices.SortFunc(entries, func(a, b *widget.Entry) int { return cmp.Compare(at(a), at(b)) })
		for i, v := range values {
			entries[i].SetText(v)
		}
		test.Tap(buttonsIn(form, "Show")[0])
	}
	for _, it := range u.seriesMenu("rx_total").Items {
		if strings.HasPrefix(it.Label, "Show as rate") {
			it.Action()
		}
	}
	fill("Show as average…", "3s")
	fill("Scale…", "8e-6", "0")
	if s := u.current().Panels[0].Series; len(s) != 2 || s[0].Fn != "rate | avg 3s | scale 8e-6" {
		t.Fatalf("the panel's series %+v", s)
	}
	name := "rx_total | rate | avg 3s | scale 8e-06"
	if !u.chart.SeriesVisible(name) {
		t.Fatalf("%s not drawn; series %v", name, u.chart.Store().Names())
	}
	// 1 MB/s is 8 Mbit/s, whatever the average.
	for _, v := range u.chart.Store().Points(name, t0, t0.Add(time.Hour)) {
		if math.Abs(v-8) > 1e-9 {
			t.Errorf("%s: %v, want 8", name, v)
		}
	}
}

// Editing the dashboard keeps what the window computes and watches: a
// firing alarm stays firing (no second notification), a derived series
// goes on from the same points and is listed in its panel's legend, and
// the running feed feeds the new view's engine.
func TestEditKeepsAlarmsAndDerivedSeries(t *testing.T) {
	send := make(chan float64)
	d := sseDashboard(t, send, `
[[panel]]
title = "Load"
series = ["load"]
thresholds = [{ value = 2, label = "high load", alarm = true }]
[[panel]]
title = "Load change"
series = [{ match = "load", fn = "delta", name = "load change" }]
`)
	a := &notifyingApp{App: test.NewTempApp(t)}
	u := newTestUI(t, a, Options{Dashboard: d, DashboardPath: filepath.Join(t.TempDir(), "t.toml")})
	for i, v := range []float64{1, 3} {
		send <- v
		waitFor(t, u, "sample", func() bool { return samplesOf(u, "load") == i+1 })
	}
	u.flush()
	if len(a.sent) != 1 || u.status.alarms.Text != "1 alarm firing" {
		t.Fatalf("before the edit: %d notifications, status %q", len(a.sent), u.status.alarms.Text)
	}
	if err := u.editDashboard(func(d *dashboard.Dashboard) error {
		d.Panels = append(d.Panels, dashboard.Panel{Title: "More", Series: []dashboard.SeriesRef{{Match: "load"}}})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	u.flush()
	if len(a.sent) != 1 || u.status.alarms.Text != "1 alarm firing" || !u.dash.panels[0].chart.Alert() {
		t.Errorf("after the edit: %d notifications, status %q, alert %v", len(a.sent), u.status.alarms.Text, u.dash.panels[0].chart.Alert())
	}
	send <- 1
	waitFor(t, u, "the alarm clearing on the edited view", func() bool { return u.status.alarms.Text == "No alarm firing" })
	var got []float64
	for _, v := range u.chart.Store().Points("load change", time.Unix(0, 0), time.Now().Add(time.Hour)) {
		got = append(got, v)
	}
	if want := []float64{2, -2}; !equalFloats(got, want) {
		t.Errorf("load change %v, want %v", got, want)
	}
	change := u.dash.panels[1].chart
	listed := false
	for _, info := range change.Series() {
		listed = listed || info.Name == "load change"
	}
	if !listed || !change.SeriesVisible("load change") {
		t.Errorf("the Load change panel lists %v", change.Series())
	}
}
