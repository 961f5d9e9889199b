package app

import (
	"bytes"
	"errors"
	"math"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
	"feedscope/charts"
	"feedscope/feeds"
	"feedscope/feeds/hub"
)

// refusedURL is a URL on a port that was just closed: connecting to it is
// refused.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String() + "/poll"
	ln.Close()
	return u
}

func startHub(t *testing.T) string {
	t.Helper()
	base, stop, err := hub.StartDemo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return base
}

func parseDash(t *testing.T, src string) *dashboard.Dashboard {
	t.Helper()
	d, err := dashboard.Parse("test.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Two hubs and a refused port, three panels: every panel draws the series
// its patterns match, named feed/series; the refused feed shows its error
// in the status bar while the others chart; zooming one panel zooms all.
func TestDashboardWindow(t *testing.T) {
	a1, a2, dead := startHub(t), startHub(t), refusedURL(t)
	d := parseDash(t, `
window = "30s"
columns = 2
[[feed]]
name = "a"
url = "`+a1+`/sse"
[[feed]]
name = "b"
url = "`+strings.Replace(a2, "http", "ws", 1)+`/ws"
[[feed]]
name = "dead"
url = "`+dead+`"
[[panel]]
title = "Sine"
series = ["a/sine"]
thresholds = [{ value = 0.5, colour = "red", label = "high", shade = true }]
[[panel]]
title = "Walks"
series = ["*/walk"]
[[panel]]
title = "b"
series = ["b/*"]
hidden = ["b/seq", "b/counter"]
`)
	u := newTestUI(t, test.NewTempApp(t), Options{Dashboard: d, DashboardPath: "test.toml"})
	if got := u.win.Title(); got != "test.toml — Feedscope" {
		t.Errorf("title %q", got)
	}
	if ths := u.dash.panels[0].chart.Thresholds(); len(ths) != 1 || ths[0].Value != 0.5 || ths[0].Label != "high" || ths[0].Shade != charts.ShadeAbove {
		t.Errorf("the Sine panel's thresholds %+v, want the file's line at 0.5 shaded above", ths)
	}
	if ths := u.dash.panels[1].chart.Thresholds(); len(ths) != 0 {
		t.Errorf("the Walks panel has thresholds %+v, want none", ths)
	}
	waitFor(t, u, "both hubs charting and the dead feed reconnecting", func() bool {
		// Every series looked at below has been assigned to the panels
		// (a feed may add one between a flush and this check).
		for _, name := range []string{"a/sine", "a/walk", "b/sine", "b/walk", "b/seq", "b/counter"} {
			if sr := u.chart.Store().Lookup(name); sr == nil || sr.Index() >= u.dash.assigned {
				return false
			}
		}
		return strings.Contains(u.status.state.Text, "2 connected") && strings.Contains(u.status.state.Text, "1 reconnecting in")
	})
	if !strings.Contains(u.status.detail.Text, "dead: ") || !strings.Contains(u.status.detail.Text, "refused") {
		t.Errorf("status detail %q does not name the refused feed's error", u.status.detail.Text)
	}
	if s := u.chart.Store(); s.Lookup("sine") != nil {
		t.Error("a series stored under its bare name in a dashboard of several feeds")
	}
	want := []map[string]bool{
		{"a/sine": true, "b/sine": false, "a/walk": false},
		{"a/walk": true, "b/walk": true, "a/sine": false},
		{"b/sine": true, "b/walk": true, "b/seq": false, "b/counter": false, "a/sine": false},
	}
	for i, p := range u.dash.panels {
		for name, on := range want[i] {
			if got := p.chart.SeriesVisible(name); got != on {
				t.Errorf("panel %d draws %s: %v, want %v", i, name, got, on)
			}
		}
	}
	// Each title is in its panel's cell, with its chart.
	for i, title := range []string{"Sine", "Walks", "b"} {
		cell := u.dash.grid.Objects[i]
		if !hasTitle(cell, title) || !subtree(cell, map[fyne.CanvasObject]bool{})[u.dash.panels[i].chart] {
			t.Errorf("cell %d lacks the title %q or its chart", i, title)
		}
	}

	// Zoom in the second panel: every panel shows its range.
	c := u.dash.panels[1].chart
	c.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(c.Size().Width/2, c.Size().Height/2)}, Scrolled: fyne.Delta{DY: 10}})
	from, to, ok := c.TimeRange()
	if !ok || c.Following() {
		t.Fatalf("zoom did not leave follow mode (ok %v)", ok)
	}
	if span := to.Sub(from); span >= 30*time.Second {
		t.Errorf("zoom left the span at %v", span)
	}
	for i, p := range u.dash.panels {
		f, e, _ := p.chart.TimeRange()
		if !f.Equal(from) || !e.Equal(to) || p.chart.Following() {
			t.Errorf("panel %d shows %v..%v (following %v), the zoomed one %v..%v", i, f, e, p.chart.Following(), from, to)
		}
	}

	// The Feeds list: a row per feed in its state's colour, with its
	// rate; a row's button disconnects that feed alone.
	rows := u.dash.list.rows
	waitFor(t, u, "the Feeds list's rates", func() bool {
		return strings.HasPrefix(rows[0].label.Text, "a · ") && !strings.HasPrefix(rows[0].label.Text, "a · 0.0")
	})
	for i, want := range []feeds.State{feeds.Connected, feeds.Connected, feeds.Reconnecting} {
		if rows[i].dot.FillColor != stateColor(want) {
			t.Errorf("feed %d's dot %v, want the colour of %v", i, rows[i].dot.FillColor, want)
		}
	}
	test.Tap(rows[1].toggle)
	waitFor(t, u, "b disconnected alone", func() bool {
		st := u.status.state.Text
		return strings.HasPrefix(st, "1 connected · 1 reconnecting") && strings.HasSuffix(st, "1 disconnected")
	})
	if rows[1].toggle.Icon.Name() != theme.MediaPlayIcon().Name() || rows[0].toggle.Icon.Name() != theme.MediaStopIcon().Name() || u.dash.feeds[0].run == nil {
		t.Errorf("after disconnecting b: buttons %s %s, want stop and play", rows[0].toggle.Icon.Name(), rows[1].toggle.Icon.Name())
	}
	test.Tap(rows[1].toggle)
	waitFor(t, u, "b connected again", func() bool { return strings.HasPrefix(u.status.state.Text, "2 connected") })

	// Pressing a panel's title selects it: the series list then shows
	// and switches that panel's series.
	if got := u.seriesList.count.Text; !strings.HasSuffix(got, "· 1 shown") {
		t.Errorf("series list of the first panel says %q, want its one series shown", got)
	}
	test.Tap(u.dash.panels[2].title)
	if u.chart != u.dash.panels[2].chart || u.dash.panels[2].title.Importance != widget.MediumImportance || u.dash.panels[0].title.Importance != widget.LowImportance {
		t.Fatal("tapping the third title did not select its panel")
	}
	if got := u.seriesList.count.Text; !strings.HasSuffix(got, "· 4 shown") {
		t.Errorf("series list of the third panel says %q, want its 4 series shown", got)
	}
	u.seriesList.setAll(false)
	if u.dash.panels[2].chart.SeriesVisible("b/sine") || !u.dash.panels[1].chart.SeriesVisible("b/walk") || !u.dash.panels[0].chart.SeriesVisible("a/sine") {
		t.Error("Hide all in the series list did not act on the selected panel alone")
	}

	// Disconnect stops every feed; Connect starts them again.
	u.toggleConnect()
	waitFor(t, u, "every feed disconnected", func() bool { return u.status.state.Text == "3 disconnected" })
	if u.connectBtn.Text != "Connect" {
		t.Errorf("button %q after disconnecting", u.connectBtn.Text)
	}
	u.toggleConnect()
	waitFor(t, u, "reconnected", func() bool { return strings.Contains(u.status.state.Text, "2 connected") })
}

// hasTitle reports whether a panel title bar reading text is drawn
// inside o.
func hasTitle(o fyne.CanvasObject, text string) bool {
	for x := range subtree(o, map[fyne.CanvasObject]bool{}) {
		if b, ok := x.(*panelTitle); ok && b.Text == text {
			return true
		}
	}
	return false
}

// A feed's burst goes through its own bridge: another feed's pending
// samples and status are not held back by it, and each is applied by the
// same flush.
func TestDashboardFeedsBatchApart(t *testing.T) {
	d := parseDash(t, `
[[feed]]
name = "x"
url = "http://127.0.0.1:1/"
[[feed]]
name = "y"
url = "http://127.0.0.1:2/"
[[panel]]
series = ["*"]
`)
	v := panelsOnly(t, d)
	if v.feeds[0].bridge == v.feeds[1].bridge {
		t.Fatal("two feeds share one bridge")
	}
	hx := v.feeds[0].bridge.handler(v.feeds[0].bridge.newEpoch(), feeds.PayloadTime)
	hy := v.feeds[1].bridge.handler(v.feeds[1].bridge.newEpoch(), feeds.PayloadTime)
	now := time.Now()
	for i := range 1000 {
		hx(feeds.Event{Kind: feeds.KindMessage, Message: feeds.Message{Data: []byte(`{"v":` + strconv.Itoa(i) + `}`), Time: now}})
	}
	hy(feeds.Event{Kind: feeds.KindMessage, Message: feeds.Message{Data: []byte(`{"v":1}`), Time: now}})
	if v.feeds[1].bridge.msgs.Load() != 1 || v.feeds[0].bridge.msgs.Load() != 1000 {
		t.Errorf("messages counted %d and %d, want 1000 and 1", v.feeds[0].bridge.msgs.Load(), v.feeds[1].bridge.msgs.Load())
	}
	s := v.panels[0].chart.Store()
	if s.Lookup("x/v") == nil || s.Lookup("y/v") == nil {
		t.Errorf("series %v, want x/v and y/v", s.Names())
	}
}

// A 2×2 dashboard of two feeds, drawn from fixed data: the titles, the
// grid, each panel's series and its fixed Y range.
func TestGoldenDashboard(t *testing.T) {
	d := parseDash(t, golden2x2)
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.LightTheme())
	v := panelsOnly(t, d)
	goldenData(v)
	v.assign()
	for _, p := range v.panels {
		p.chart.SetLocation(time.UTC)
	}
	w := test.NewWindow(v.grid)
	defer w.Close()
	w.SetPadded(false)
	w.Resize(fyne.NewSize(1000, 640))
	test.AssertImageMatches(t, "dashboard-2x2.png", w.Canvas().Capture())
}

// golden2x2 is a dashboard of two feeds on four panels, for pictures:
// fixed and fitted Y axes, a unit, several feeds on one panel and a
// hidden series.
const golden2x2 = `
window = "2m"
columns = 2
[[feed]]
name = "plc"
url = "ws://127.0.0.1:1/"
[[feed]]
name = "node"
url = "http://127.0.0.1:2/metrics"
[[panel]]
title = "Temperatures"
series = ["plc/temp*"]
unit = "°C"
y = { min = 0, max = 120 }
[[panel]]
title = "Pressure"
series = ["plc/pressure"]
[[panel]]
title = "Load"
series = ["node/load*"]
[[panel]]
title = "Everything"
series = ["*"]
hidden = ["node/load5"]
`

// goldenData feeds golden2x2's feeds two minutes of fixed samples
// through their bridges.
func goldenData(v *dashView) {
	base := time.Date(2025, 3, 14, 9, 26, 0, 0, time.UTC)
	for fi, f := range v.feeds {
		h := f.bridge.handler(f.bridge.newEpoch(), feeds.PayloadTime)
		for i := range 120 {
			at := base.Add(time.Duration(i) * time.Second)
			x := float64(i) / 15
			var body string
			if fi == 0 {
				body = `{"ts":` + strconv.FormatInt(at.Unix(), 10) + `,"temp1":` + num(60+30*math.Sin(x)) + `,"temp2":` + num(40+10*math.Cos(x)) + `,"pressure":` + num(1+0.2*math.Sin(x/2)) + `}`
			} else {
				body = `{"ts":` + strconv.FormatInt(at.Unix(), 10) + `,"load1":` + num(1+math.Abs(math.Sin(x*2))) + `,"load5":` + num(1.2+0.1*x) + `}`
			}
			h(feeds.Event{Kind: feeds.KindMessage, Message: feeds.Message{Data: []byte(body), Time: at}})
		}
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// A file that fails to load ends the command with a usage error (exit 2)
// naming the file, the line and the key, before any window opens.
func TestWindowBadDashboardFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(path, []byte("title = \"x\"\n[[feed]]\nname = \"a\"\nurl = \"http://h/\"\ninterval = \"often\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{path}, {"--dashboard", path}} {
		var out, errOut bytes.Buffer
		err := Window(t.Context(), args, "", &out, &errOut)
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Fatalf("%v: error %v, want a usage error", args, err)
		}
		if msg := err.Error(); !strings.Contains(msg, "bad.toml:5") || !strings.Contains(msg, "interval") {
			t.Errorf("%v: error %q does not name file:line and key", args, msg)
		}
	}
	empty := filepath.Join(t.TempDir(), "empty.toml")
	if err := os.WriteFile(empty, []byte("title = \"nothing\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := Window(t.Context(), []string{empty}, "", &out, &errOut); !errors.As(err, new(*UsageError)) || !strings.Contains(err.Error(), "no feed") {
		t.Errorf("a dashboard without feeds: %v", err)
	}
	err := Window(t.Context(), []string{"--url", "http://h/", "--dashboard", path}, "", &out, &errOut)
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "leave out --url") {
		t.Errorf("--url beside a dashboard: %v", err)
	}
}

// panelsOnly builds the panels and feed bridges of d over a new store,
// without a window or running feeds: tests feed the bridges by hand.
func panelsOnly(t *testing.T, d *dashboard.Dashboard) *dashView {
	t.Helper()
	u := &UI{bridge: &bridge{store: newStore(time.Hour)}}
	v, err := u.newDashView(d, "t.toml")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// One feed's reconnect breaks its own lines, not those of the other
// feeds (a feed that cannot connect retries every few seconds).
func TestDashboardReconnectBreaksOwnLinesOnly(t *testing.T) {
	d := parseDash(t, `
[[feed]]
name = "x"
url = "http://127.0.0.1:1/"
[[feed]]
name = "y"
url = "http://127.0.0.1:2/"
[[panel]]
series = ["*"]
`)
	v := panelsOnly(t, d)
	hx := v.feeds[0].bridge.handler(v.feeds[0].bridge.newEpoch(), feeds.PayloadTime)
	hy := v.feeds[1].bridge.handler(v.feeds[1].bridge.newEpoch(), feeds.PayloadTime)
	base := time.Now().Add(-time.Minute)
	msg := func(h feeds.Handler, at time.Time) {
		h(feeds.Event{Kind: feeds.KindMessage, Message: feeds.Message{Data: []byte(`{"v":1}`), Time: at}})
	}
	msg(hx, base)
	msg(hy, base)
	hx(feeds.Event{Kind: feeds.KindStatus, Status: feeds.Status{State: feeds.Reconnecting, Time: base}})
	msg(hx, base.Add(time.Second))
	msg(hy, base.Add(time.Second))
	s := v.panels[0].chart.Store()
	mid := base.Add(500 * time.Millisecond).UnixNano()
	if _, _, ok := s.Lookup("y/v").ValueAt(mid, 0); !ok {
		t.Error("x's reconnect broke y's line")
	}
	if _, _, ok := s.Lookup("x/v").ValueAt(mid, 0); ok {
		t.Error("x's line is drawn across its own reconnect")
	}
}
