package app

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"feedscope/app/dashboard"
	"feedscope/charts"
	"feedscope/feeds"
	"feedscope/feeds/recording"
)

// recStart is the first time of the generated recordings.
var recStart = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// writeLongCSV writes a long CSV (time,series,value) of n points a second
// apart for each of names, and returns its path.
func writeLongCSV(t *testing.T, name string, n int, names ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("time,series,value\n")
	for i := range n {
		ts := recStart.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		for k, s := range names {
			fmt.Fprintf(&b, "%s,%s,%g\n", ts, s, float64(i*(k+1)))
		}
	}
	return writeFile(t, name, b.String())
}

func writeGzip(t *testing.T, path, body string) {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// recordingLoaded waits until the window's recording feed name holds
// its series.
func recordingLoaded(t *testing.T, u *UI, name string) *recFeed {
	t.Helper()
	var r *recFeed
	waitFor(t, u, "recording "+name+" loaded", func() bool {
		r = u.rw.recs[name]
		return r != nil && r.loaded && u.rw.loads == 0
	})
	return r
}

// `feedscope FILE.csv` opens the window on the recording alone: a feed
// named after the file whose URL is the file, every point of a recording
// three times longer than the live history (which would keep one hour),
// and the window showing everything.
func TestRecordingArgumentOpensItWhole(t *testing.T) {
	const n = 3 * 3600 // one point a second for three hours
	path := writeLongCSV(t, "plant.csv", n, "temp", "flow")
	opts, err := windowOptions([]string{path}, "", &strings.Builder{}, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	if len(opts.Recordings) != 1 || opts.Recordings[0] != path || opts.DashboardPath != "" {
		t.Fatalf("feedscope %s: options %+v", path, opts)
	}
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefURL, "http://127.0.0.1:1/unused")
	u := newTestUI(t, a, opts)
	recordingLoaded(t, u, "plant")
	if u.feed != nil || u.dash == nil || len(u.dash.feeds) != 1 {
		t.Fatalf("the window watches more than the recording: feed %v, dashboard %+v", u.feed, u.dash)
	}
	f := u.dash.d.Feeds[0]
	if f.Name != "plant" || f.Transport != feeds.File || f.URL != recordingURL(path) || !strings.HasPrefix(f.URL, "file:///") {
		t.Errorf("feed %+v", f)
	}
	for _, name := range []string{"temp", "flow"} {
		if got := samplesOf(u, name); got != n {
			t.Errorf("%s holds %d points, want all %d", name, got, n)
		}
	}
	if o, nw, _ := u.chart.Store().Span(); o != recStart.UnixNano() || nw != recStart.Add((n-1)*time.Second).UnixNano() {
		t.Errorf("span %v..%v", time.Unix(0, o).UTC(), time.Unix(0, nw).UTC())
	}
	if u.chart.Window() != charts.WindowAll || !u.chart.Following() {
		t.Errorf("window %v following %v, want all", u.chart.Window(), u.chart.Following())
	}
	if !u.chart.SeriesVisible("temp") {
		t.Error("the recording's series are not drawn")
	}
	if u.dash.feeds[0].st.State != feeds.Connected {
		t.Errorf("the recording feed is %v", u.dash.feeds[0].st.State)
	}
}

// File ▸ Open recording… on a window watching a live feed adds a wide
// CSV as a second feed: the live feed keeps running and its series are
// renamed in place, the recording's series are named file/series, all
// their points are there and the selected panel draws them.
func TestOpenWideRecordingBesideALiveFeed(t *testing.T) {
	base := startHub(t)
	u := newTestUI(t, test.NewTempApp(t), Options{URL: base + "/sse"})
	waitFor(t, u, "the live feed", func() bool { return samplesOf(u, "sine") > 2 })
	run, sine := u.feed, u.chart.Store().Lookup("sine")
	menuItem(t, u, "File", "Open recording…") // the menu has it

	var b strings.Builder
	b.WriteString("timestamp;a;b;note\n")
	for i := range 500 {
		fmt.Fprintf(&b, "%s;%d;%d.5;ok\n", recStart.Add(time.Duration(i)*time.Second).Format("2006-01-02 15:04:05"), i, i)
	}
	path := writeFile(t, "logger.csv", b.String())
	u.openRecording(path)
	recordingLoaded(t, u, "logger")
	if len(u.dash.feeds) != 2 || u.dash.feeds[0].run == nil || u.dash.feeds[0].feed.URL != run.url {
		t.Fatalf("the live feed did not keep running: %d feeds", len(u.dash.feeds))
	}
	host := u.dash.d.Feeds[0].Name
	if sine.Name() != host+"/sine" {
		t.Errorf("the live series is now %q", sine.Name())
	}
	n := sine.Len()
	waitFor(t, u, "the live feed charting on", func() bool { return sine.Len() > n })
	for _, name := range []string{"logger/a", "logger/b"} {
		if got := samplesOf(u, name); got != 500 {
			t.Errorf("%s holds %d points, want 500", name, got)
		}
		if !u.chart.SeriesVisible(name) {
			t.Errorf("the selected panel does not draw %s", name)
		}
	}
	if u.chart.Store().Lookup("logger/note") != nil {
		t.Error("a text column was charted")
	}
	// The text column is named in the message log, without a notice.
	named := false
	for _, e := range u.log.entries {
		named = named || e.Text == `logger: column "note" holds no numbers and was left out`
	}
	if !named || u.rw.notice != nil {
		t.Errorf("text column: named in the log %v, notice %v", named, u.rw.notice)
	}
	// Opening the same file again adds it under another name.
	u.openRecording(path)
	recordingLoaded(t, u, "logger 2")
	if got := samplesOf(u, "logger 2/a"); got != 500 {
		t.Errorf("the second copy holds %d points", got)
	}
}

// Cancel during a load (of a pipe that delivers slowly) closes the
// progress dialog and adds nothing: no series, no feed, the window as it
// was.
func TestCancelledLoadAddsNothing(t *testing.T) {
	base := startHub(t)
	u := newTestUI(t, test.NewTempApp(t), Options{URL: base + "/sse"})
	waitFor(t, u, "the live feed", func() bool { return samplesOf(u, "sine") > 2 })
	before := u.chart.Store().Names()

	pipe := makeFIFO(t)
	u.openRecording(pipe)
	// Opening a pipe to write blocks until the load opens it to read.
	opened := make(chan *os.File, 1)
	go func() {
		w, err := os.OpenFile(pipe, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
		}
		opened <- w
	}()
	var w *os.File
	waitFor(t, u, "the load to open the pipe", func() bool {
		select {
		case w = <-opened:
			return true
		default:
			return false
		}
	})
	if w == nil {
		t.FailNow()
	}
	defer w.Close()
	if _, err := fmt.Fprintf(w, "time,series,value\n%s,slow,1\n%s,slow,2\n", recStart.Format(time.RFC3339), recStart.Add(time.Second).Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, u, "the progress dialog showing bytes read", func() bool {
		p := u.rw.progress[pipe]
		return p != nil && strings.Contains(p.label.Text, "read") && !strings.HasPrefix(p.label.Text, "0 ")
	})
	test.Tap(u.rw.progress[pipe].cancel)
	// More data and the end of the pipe: the load would finish now.
	fmt.Fprintf(w, "%s,slow,3\n", recStart.Add(2*time.Second).Format(time.RFC3339))
	w.Close()
	waitFor(t, u, "the cancelled load to end", func() bool { return u.rw.loads == 0 })
	if u.dash != nil {
		t.Errorf("a cancelled load made a dashboard of %d feeds", len(u.dash.feeds))
	}
	for _, name := range u.chart.Store().Names() {
		if strings.Contains(name, "slow") {
			t.Errorf("a cancelled load added %s (before: %v)", name, before)
		}
	}
	if u.feed == nil {
		t.Error("the live feed stopped")
	}
	if len(u.rw.recs) != 0 {
		t.Errorf("a cancelled load left recordings %v", u.rw.recs)
	}
}

// Whether a load fits in memory: within half of what is available; when
// not, the every-Nth suggested is the smallest that fits.
func TestAdviseLoad(t *testing.T) {
	const fixed = 2 << 20
	est := func(points int64) recording.MemoryEstimate {
		return recording.MemoryEstimate{Points: points, Bytes: 16 * points, PeakBytes: 32*points + fixed}
	}
	if ok, _ := adviseLoad(est(1e6), 0); !ok {
		t.Error("unknown memory (0) must not refuse a load")
	}
	if ok, _ := adviseLoad(est(1e6), 2*(32e6+fixed)); !ok {
		t.Error("a load of exactly half the available memory was refused")
	}
	for _, avail := range []int64{2*(32e6+fixed) - 1, 20e6, 8e6, 5e6} {
		ok, every := adviseLoad(est(1e6), avail)
		if ok {
			t.Errorf("avail %d: a 34 MB load fits in half of it?", avail)
			continue
		}
		peak := func(n int64) int64 { return 32*1e6/n + fixed }
		if peak(int64(every)) > avail/2 {
			t.Errorf("avail %d: every %d still needs %d", avail, every, peak(int64(every)))
		}
		if every > 2 && peak(int64(every-1)) <= avail/2 {
			t.Errorf("avail %d: every %d is more than needed", avail, every)
		}
	}
	if ok, every := adviseLoad(est(1e6), fixed); ok || every < 2 {
		t.Errorf("no room at all: ok %v every %d", ok, every)
	}
}

// A recording larger than half the (pretended) available memory brings
// up the warning instead of loading; keeping every 4th point loads a
// quarter of them; a time range loads only that range; Cancel loads
// nothing.
func TestMemoryWarningOffersLess(t *testing.T) {
	const n = 4000
	path := writeLongCSV(t, "big.csv", n, "v")
	est, err := recording.Estimate(path, recording.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefURL, "http://127.0.0.1:1/unused")
	u := newTestUI(t, a, Options{})
	u.disconnect()                                            // the window shows nothing: the recording replaces its feed
	u.rw.memAvailable = func() int64 { return est.PeakBytes } // twice too little

	warned := func() *memoryDialog {
		t.Helper()
		u.rw.memory = nil
		u.openRecording(path)
		waitFor(t, u, "the memory warning", func() bool { return u.rw.memory != nil })
		return u.rw.memory
	}
	m := warned()
	if !strings.Contains(m.text.Text, "big.csv") || !strings.Contains(m.text.Text, "available") {
		t.Errorf("warning says %q", m.text.Text)
	}
	if len(u.rw.progress) != 0 {
		t.Fatal("the load started before the user chose")
	}
	test.Tap(m.stop)
	waitFor(t, u, "nothing", func() bool { return u.rw.loads == 0 })
	if len(u.rw.recs) != 0 || u.chart.Store().Lookup("v") != nil {
		t.Fatal("Cancel in the memory warning loaded the file")
	}

	m = warned()
	m.every.SetText("1")
	test.Tap(m.load)
	if m.problem.Text == "" {
		t.Error("every 1st point was accepted")
	}
	m.every.SetText("4")
	test.Tap(m.load)
	recordingLoaded(t, u, "big")
	if got, want := samplesOf(u, "v"), (n+3)/4; got != want {
		t.Errorf("every 4th point: %d points, want %d", got, want)
	}

	m = warned()
	m.choice.SetSelected(choiceRange)
	m.from.SetText(recStart.Add(100 * time.Second).Format("2006-01-02 15:04:05"))
	m.to.SetText(recStart.Add(199 * time.Second).Format(time.RFC3339))
	test.Tap(m.load)
	recordingLoaded(t, u, "big 2")
	if got := samplesOf(u, "big 2/v"); got != 100 {
		t.Errorf("the time range loaded %d points, want 100", got)
	}
}

// Dropping files on the window: a recording is added as a feed, a
// dashboard file replaces the dashboard, and a dashboard whose feed is a
// recording (as saved) loads it whole again.
func TestDropRecordingAndDashboard(t *testing.T) {
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefURL, "http://127.0.0.1:1/unused")
	u := newTestUI(t, a, Options{})
	u.disconnect()
	path := filepath.Join(t.TempDir(), "dropped.csv.gz")
	writeGzip(t, path, "time,series,value\n2026-06-01T00:00:00Z,x,1\n2026-06-01T00:00:01Z,x,2\n2026-06-01T00:00:02Z,x,3\n")
	u.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(path)})
	recordingLoaded(t, u, "dropped")
	if got := samplesOf(u, "x"); got != 3 {
		t.Fatalf("the dropped .csv.gz gave %d points", got)
	}

	// Saved, the feed is the file's URL with the file transport.
	dash := filepath.Join(t.TempDir(), "rec.toml")
	u.writeDashboard(dash)
	d, err := dashboard.Load(dash)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Feeds) != 1 || d.Feeds[0].URL != recordingURL(path) || d.Feeds[0].Transport != feeds.File {
		t.Fatalf("saved feeds %+v", d.Feeds)
	}

	// Dropped on the same window, the dashboard (a new store) loads the
	// recording again.
	u.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(dash)})
	waitFor(t, u, "the dashboard's recording loaded again", func() bool {
		return u.dash.path == dash && samplesOf(u, "x") == 3
	})
	if got := u.win.Title(); got != "dropped.csv.gz — Feedscope" {
		t.Errorf("title %q", got)
	}

	// Dropped on a fresh window, the dashboard loads the recording whole.
	a2 := test.NewTempApp(t)
	a2.Preferences().SetString(prefURL, "http://127.0.0.1:1/unused")
	u2 := newTestUI(t, a2, Options{})
	u2.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(dash)})
	recordingLoaded(t, u2, "dropped")
	if u2.dash == nil || u2.dash.path != dash {
		t.Fatalf("the dropped dashboard did not open")
	}
	if got := samplesOf(u2, "x"); got != 3 {
		t.Errorf("the dashboard's recording gave %d points", got)
	}
}

// Bad lines are skipped and reported: a notice and the message log give
// their count and the first line numbers with the reasons.
func TestBadLinesReported(t *testing.T) {
	path := writeFile(t, "bad.csv", "time,series,value\n"+
		"2026-06-01T00:00:00Z,x,1\n"+
		"2026-06-01T00:00:01Z,x,oops\n"+
		"not a time,x,3\n"+
		"2026-06-01T00:00:03Z,x,4\n")
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{Recordings: []string{path}})
	recordingLoaded(t, u, "bad")
	if got := samplesOf(u, "x"); got != 2 {
		t.Errorf("%d points, want the 2 good ones", got)
	}
	if u.rw.notice == nil {
		t.Fatal("no notice of the bad lines")
	}
	var logged []string
	for _, e := range u.log.entries {
		logged = append(logged, e.Text)
	}
	all := strings.Join(logged, "\n")
	for _, want := range []string{"bad: 2 bad lines skipped", "bad: skipped line 3:", "bad: skipped line 4:"} {
		if !strings.Contains(all, want) {
			t.Errorf("the message log lacks %q:\n%s", want, all)
		}
	}
}

// Times in seconds from the start are placed so that the recording ends
// at the file's modification time.
func TestRelativeTimesEndAtTheFileTime(t *testing.T) {
	path := writeFile(t, "rel.csv", "t,v\n0,1\n10,2\n20,3\n")
	mod := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
	u := newTestUI(t, test.NewTempApp(t), Options{Recordings: []string{path}})
	recordingLoaded(t, u, "rel")
	o, nw, ok := u.chart.Store().Span()
	if !ok || nw != mod.UnixNano() || time.Duration(nw-o) != 20*time.Second {
		t.Errorf("span %v..%v, want 20 s ending at %v", time.Unix(0, o).UTC(), time.Unix(0, nw).UTC(), mod)
	}
}

// A dashboard's file: feed without a query loads whole; one with a query
// (speed, loop) is replayed live by the file transport, as in the URL
// field. Cancelling a dashboard feed's load leaves it stopped and empty.
func TestDashboardRecordingFeeds(t *testing.T) {
	whole := writeLongCSV(t, "whole.csv", 50, "w")
	live := writeLongCSV(t, "live.csv", 5, "l")
	pipe := makeFIFO(t)
	d := parseDash(t, fmt.Sprintf(`
[[feed]]
name = "whole"
url = %q
[[feed]]
name = "live"
url = %q
[[feed]]
name = "pipe"
url = %q
[[panel]]
series = ["*"]
`, recordingURL(whole), recordingURL(live)+"?speed=0", recordingURL(pipe)))
	u := newTestUI(t, test.NewTempApp(t), Options{Dashboard: d, DashboardPath: filepath.Join(t.TempDir(), "d.toml")})
	waitFor(t, u, "whole loaded and live replayed", func() bool {
		r := u.rw.recs["whole"]
		return r != nil && r.loaded && samplesOf(u, "whole/w") == 50 && samplesOf(u, "live/l") == 5
	})
	if u.rw.recs["live"] != nil {
		t.Error("a file: URL with speed=0 was loaded whole instead of replayed")
	}
	// The pipe's load waits for a writer: cancel it.
	waitFor(t, u, "the pipe's progress dialog", func() bool { return u.rw.progress[pipe] != nil })
	test.Tap(u.rw.progress[pipe].cancel)
	// Unblock the read so the load can end.
	if w, err := os.OpenFile(pipe, os.O_WRONLY, 0); err == nil {
		w.Close()
	}
	waitFor(t, u, "the pipe feed stopped", func() bool {
		for _, f := range u.dash.feeds {
			if f.feed.Name == "pipe" {
				return u.rw.loads == 0 && f.st.State == feeds.Stopped && f.st.Err == errLoadCancelled
			}
		}
		return false
	})
	for _, name := range u.chart.Store().Names() {
		if strings.HasPrefix(name, "pipe/") {
			t.Errorf("the cancelled load added %s", name)
		}
	}
}

// A recording goes on the selected panel: an entry name/* is added to
// it, and the other panels do not draw the recording.
func TestRecordingGoesOnTheSelectedPanel(t *testing.T) {
	base := startHub(t)
	d := parseDash(t, fmt.Sprintf(`
[[feed]]
name = "live"
url = %q
[[panel]]
title = "Live"
series = ["*"]
[[panel]]
title = "Mine"
series = ["nothing-yet"]
`, base+"/sse"))
	u := newTestUI(t, test.NewTempApp(t), Options{Dashboard: d, DashboardPath: filepath.Join(t.TempDir(), "d.toml")})
	waitFor(t, u, "the live feed", func() bool { return samplesOf(u, "sine") > 0 })
	u.selectPanel(1)
	u.openRecording(writeLongCSV(t, "rec.csv", 10, "x"))
	recordingLoaded(t, u, "rec")
	mine, other := u.dash.d.Panels[1], u.dash.d.Panels[0]
	if last := mine.Series[len(mine.Series)-1]; last.Match != "rec/*" {
		t.Errorf("the selected panel's entries are %+v", mine.Series)
	}
	waitFor(t, u, "the selected panel drawing the recording", func() bool {
		return u.dash.panels[1].chart.SeriesVisible("rec/x") && !u.dash.panels[0].chart.SeriesVisible("rec/x")
	})
	if len(other.Series) != 1 || other.Series[0].Match != "live/*" {
		t.Errorf("the other panel's entries are %+v", other.Series)
	}
}

// A recording loaded whole is loaded, not connected: the status bar counts
// it as loaded (loading while it loads) and names its file, its row has
// no ▶ (its replay has the replay bar) but ■ while it loads, its menu
// says Load and Stop loading, and a dashboard of recordings alone has no
// Connect or Reconnect now to press. Beside a live feed, Connect acts on
// the live one.
func TestRecordingFeedIsLoadedNotConnected(t *testing.T) {
	whole := writeLongCSV(t, "whole.csv", 50, "w")
	pipe := makeFIFO(t)
	d := parseDash(t, fmt.Sprintf(`
[[feed]]
name = "whole"
url = %q
[[feed]]
name = "pipe"
url = %q
[[panel]]
series = ["*"]
`, recordingURL(whole), recordingURL(pipe)))
	u := newTestUI(t, test.NewTempApp(t), Options{Dashboard: d, DashboardPath: filepath.Join(t.TempDir(), "d.toml")})
	waitFor(t, u, "whole loaded, the pipe loading", func() bool {
		r := u.rw.recs["whole"]
		return r != nil && r.loaded && u.rw.progress[pipe] != nil
	})
	u.dash.listDue = time.Time{}
	u.flush()
	rows := u.dash.list.rows
	if got := u.status.state.Text; got != "1 loaded · 1 loading" {
		t.Errorf("status %q, want 1 loaded · 1 loading", got)
	}
	if got := u.status.detail.Text; !strings.HasPrefix(got, "whole: Loaded from whole.csv") {
		t.Errorf("detail %q", got)
	}
	if rows[0].toggle.Visible() {
		t.Error("the loaded recording's row has a ▶ that does nothing")
	}
	if !rows[1].toggle.Visible() || rows[1].toggle.Icon.Name() != theme.MediaStopIcon().Name() {
		t.Error("the loading recording's row has no ■")
	}
	if !u.connectBtn.Disabled() || !u.status.reconnect.Disabled() {
		t.Errorf("recordings alone: Connect disabled %v, Reconnect now disabled %v", u.connectBtn.Disabled(), u.status.reconnect.Disabled())
	}
	menu := func(i int) (load, stop *fyne.MenuItem) {
		u.showFeedMenu(i, fyne.NewPos(10, 10))
		defer u.win.Canvas().Overlays().Top().Hide()
		return u.feedMenu.Items[0], u.feedMenu.Items[1]
	}
	if load, stop := menu(0); load.Label != "Load" || stop.Label != "Stop loading" || !load.Disabled || !stop.Disabled {
		t.Errorf("loaded recording's menu: %q disabled %v, %q disabled %v", load.Label, load.Disabled, stop.Label, stop.Disabled)
	}
	if load, stop := menu(1); !load.Disabled || stop.Disabled {
		t.Errorf("loading recording's menu: Load disabled %v, Stop loading disabled %v", load.Disabled, stop.Disabled)
	}

	test.Tap(rows[1].toggle) // ■ stops the load
	if w, err := os.OpenFile(pipe, os.O_WRONLY, 0); err == nil {
		w.Close() // unblock the read so the load can end
	}
	waitFor(t, u, "the pipe's load cancelled", func() bool {
		f := u.dash.feeds[1]
		return u.rw.loads == 0 && f.st.State == feeds.Stopped && f.st.Err == errLoadCancelled
	})
	u.dash.listDue = time.Time{}
	u.flush()
	if rows[1].toggle.Icon.Name() != theme.MediaPlayIcon().Name() {
		t.Error("a cancelled load's row offers no ▶ to load again")
	}
	if load, _ := menu(1); load.Disabled {
		t.Error("a cancelled load's menu does not offer Load")
	}

	// Beside a live feed, Connect and Reconnect now are there for it.
	base := startHub(t)
	d = parseDash(t, fmt.Sprintf(`
[[feed]]
name = "hub"
url = %q
[[feed]]
name = "whole"
url = %q
[[panel]]
series = ["*"]
`, base+"/sse", recordingURL(whole)))
	u = newTestUI(t, test.NewTempApp(t), Options{Dashboard: d, DashboardPath: filepath.Join(t.TempDir(), "e.toml")})
	recordingLoaded(t, u, "whole")
	waitFor(t, u, "the live feed connected", func() bool { return u.status.state.Text == "1 connected · 1 loaded" })
	if u.connectBtn.Disabled() || u.connectBtn.Text != "Disconnect" || u.status.reconnect.Disabled() {
		t.Errorf("beside a live feed: Connect %q disabled %v, Reconnect now disabled %v", u.connectBtn.Text, u.connectBtn.Disabled(), u.status.reconnect.Disabled())
	}
}
