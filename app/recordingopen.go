package app

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"feedscope/app/dashboard"
	"feedscope/charts"
	"feedscope/charts/series"
	"feedscope/feeds"
	"feedscope/feeds/recording"
	"feedscope/feeds/replay"
)

// A recording opens in the window as a feed of the dashboard whose URL is
// the file (file:///path), loaded whole into the window's store: File ▸
// Open recording…, `feedscope FILE.csv` and a file dropped on the window
// all come here. The load runs on its own goroutine with a progress
// dialog and Cancel; nothing enters the store or the dashboard until it
// has finished. A dashboard file with such a feed loads it the same way
// when it opens. A file: URL with a query (speed, loop) is a live replay
// by the file transport instead, as in the URL field.

// recordingExts are the file endings taken for recordings (after a .gz).
var recordingExts = []string{".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json"}

// isRecordingFile reports whether path names a recording by its ending.
func isRecordingFile(path string) bool {
	ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.ToLower(path), ".gz")))
	return slices.Contains(recordingExts, ext) || strings.HasSuffix(strings.ToLower(path), ".gz")
}

// recordingURL is the feed URL of the recording at path: file:///abs/path.
func recordingURL(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}

// recordingPath is the file a feed URL loads whole, and false for a URL
// that is not a file: URL or asks for a live replay (speed, loop).
func recordingPath(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "file" || u.RawQuery != "" {
		return "", false
	}
	if u.Opaque != "" {
		p, err := url.PathUnescape(u.Opaque)
		return p, err == nil && p != ""
	}
	return filepath.FromSlash(u.Path), u.Path != ""
}

// recordingFeedName proposes a feed name for the file at path: its base
// name without the extensions, unique in d ("rec", "rec 2", …).
func recordingFeedName(d *dashboard.Dashboard, path string) string {
	base := filepath.Base(path)
	if strings.HasSuffix(strings.ToLower(base), ".gz") {
		base = base[:len(base)-3]
	}
	base = strings.TrimSuffix(base, filepath.Ext(base))
	base = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '/' || r == '*' || r == '?' || r < ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, base))
	if base == "" {
		base = "recording"
	}
	name := base
	for i := 2; ; i++ {
		if _, taken := d.Feed(name); !taken {
			return name
		}
		name = fmt.Sprintf("%s %d", base, i)
	}
}

// recFeed is a recording feed of the window: its file, its load and, once
// loaded, its series in the store. It outlives the dashFeed that shows
// it, which a dashboard edit may replace (u.recs keeps it by feed name).
type recFeed struct {
	path    string
	cancel  context.CancelFunc // of the load in progress; nil when none
	pending *loaded            // loaded, waiting for its feed to start
	loaded  bool
	gen     int              // counts the loads started, so a stale one's end is ignored
	series  []*series.Series // in the store, in file order
	replay  *replayer
}

// inStore reports whether the store holds the feed's series (a newly
// opened dashboard has a new store).
func (r *recFeed) inStore(store *series.Store) bool {
	for _, sr := range r.series {
		if store.Lookup(sr.Name()) != sr {
			return false
		}
	}
	return true
}

// loading reports whether a load of the feed is in progress.
func (r *recFeed) loading() bool { return r.cancel != nil }

// stop ends the feed's load and replay, if any; its points stay.
func (r *recFeed) stop() {
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
	if r.replay != nil {
		r.replay.pause()
	}
}

// openRecordingDialog is File ▸ Open recording….
func (u *UI) openRecordingDialog() {
	u.showFileOpen(append(slices.Clone(recordingExts), ".gz"), u.openRecording)
}

// showFileOpen shows a file dialog for files with one of exts and calls
// open with the chosen path; errors are shown, a cancel does nothing.
func (u *UI) showFileOpen(exts []string, open func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		if r == nil {
			return // cancelled
		}
		path := r.URI().Path()
		_ = r.Close()
		open(path)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// onDropped opens what is dropped on the window: a dashboard file
// replaces the dashboard, a recording is added to it.
func (u *UI) onDropped(_ fyne.Position, uris []fyne.URI) {
	for _, uri := range uris {
		path := uri.Path()
		switch {
		case strings.EqualFold(filepath.Ext(path), dashboard.Ext):
			u.openDashboardFile(path)
		case isRecordingFile(path):
			u.openRecording(path)
		default:
			dialog.ShowInformation("Cannot open "+filepath.Base(path),
				"Drop a recording (.csv, .jsonl, or either .gz) or a dashboard ("+dashboard.Ext+").", u.win)
		}
	}
}

// openRecording loads the recording at path and, once it has loaded,
// adds it to the dashboard as a feed named after the file, its series on
// the selected panel, and shows all of it. A cancelled or failed load
// changes nothing.
func (u *UI) openRecording(path string) {
	u.prepareLoad(path, func(opts recording.Options) {
		u.loadRecording(path, opts, func(l *loaded) {
			if err := u.addRecordingFeed(path, l); err != nil {
				dialog.ShowError(fmt.Errorf("open %s: %w", filepath.Base(path), err), u.win)
			}
		}, nil)
	}, nil)
}

// addRecordingFeed adds the loaded recording to the dashboard (main
// goroutine): the feed, an entry for its series on the selected panel,
// and the window "all".
func (u *UI) addRecordingFeed(path string, l *loaded) error {
	replace := u.dash == nil && u.feed == nil // a single window showing nothing
	var name string
	err := u.editDashboard(func(d *dashboard.Dashboard) error {
		if replace {
			d.Feeds = nil
			d.Title = filepath.Base(path)
		}
		name = recordingFeedName(d, path)
		// Settings stay at their defaults: they are saved as nothing.
		if err := d.AddFeed(dashboard.Feed{Name: name, URL: recordingURL(path), Transport: feeds.File, Settings: dashboard.DefaultFeedSettings()}); err != nil {
			return err
		}
		sel := 0
		if u.dash != nil {
			sel = min(u.dash.selected, len(d.Panels)-1)
		}
		if sel < 0 {
			d.Panels = append(d.Panels, dashboard.Panel{})
			sel = 0
		}
		p := &d.Panels[sel]
		m, err := p.Matcher()
		if err != nil {
			return err
		}
		for _, s := range l.names {
			if _, ok := m.Match(d.SeriesName(name, s)); !ok {
				p.Series = append(p.Series, dashboard.SeriesRef{Match: d.SeriesName(name, "*")})
				break
			}
		}
		d.Window = dashboard.WindowAll
		// The recording is adopted by startRecordingFeed when the edit
		// starts the new feed.
		u.recordings()[name] = &recFeed{path: path, pending: l}
		return nil
	})
	if err != nil {
		delete(u.recordings(), name)
		return err
	}
	if replace {
		// The single window's points were of the feed it replaced.
		for _, sr := range u.bridge.store.List() {
			if !slices.Contains(u.rw.recs[name].series, sr) {
				u.bridge.store.Remove(sr.Name())
			}
		}
	}
	u.selectRecording(name)
	_ = u.chart.SetWindow(charts.WindowAll)
	u.menu.sync(u)
	u.flush()
	return nil
}

// recordings is u.recs, made on first use.
func (u *UI) recordings() map[string]*recFeed {
	if u.rw.recs == nil {
		u.rw.recs = map[string]*recFeed{}
	}
	return u.rw.recs
}

// startRecordingFeed starts f when it is a recording to load whole (see
// recordingPath) and reports whether it was: its points are adopted when
// they are loaded already, kept when the store holds them from before a
// dashboard edit, and loaded otherwise.
func (u *UI) startRecordingFeed(f *dashFeed) bool {
	path, ok := recordingPath(f.feed.URL)
	if !ok {
		return false
	}
	recs := u.recordings()
	r := recs[f.feed.Name]
	if r != nil && (r.path != path || r.loaded && !r.inStore(u.bridge.store)) {
		// Another file under that name, or a dashboard opened anew (a
		// new store): load it again.
		r.stop()
		r = nil
	}
	if r == nil {
		r = &recFeed{path: path}
		recs[f.feed.Name] = r
	}
	f.rec = r
	switch {
	case r.pending != nil:
		l := r.pending
		r.pending = nil
		u.adoptRecording(f, r, l)
	case r.loaded:
		f.bridge.setStatus(feeds.Status{State: feeds.Connected, Transport: feeds.File, Time: time.Now()})
	case r.loading():
	default:
		u.loadRecordingFeed(f, r)
	}
	return true
}

// stopRecordingFeed stops f's load or replay when f is a recording feed,
// and reports whether it was one. Its points stay.
func (u *UI) stopRecordingFeed(f *dashFeed) bool {
	if f.rec == nil {
		return false
	}
	wasLoading := f.rec.loading()
	f.rec.stop()
	if wasLoading {
		f.bridge.setStatus(feeds.Status{State: feeds.Stopped, Transport: feeds.File, Time: time.Now()})
	}
	return true
}

// loadRecordingFeed loads the recording of a feed of an opened dashboard.
// A cancelled load leaves the feed stopped with nothing loaded.
func (u *UI) loadRecordingFeed(f *dashFeed, r *recFeed) {
	name := f.feed.Name
	f.bridge.setStatus(feeds.Status{State: feeds.Connecting, Transport: feeds.File, Time: time.Now()})
	// current finds the feed's dashFeed when the load ends: an edit may
	// have replaced it, or removed the feed.
	current := func() *dashFeed {
		if u.dash == nil || u.rw.recs[name] != r {
			return nil
		}
		for _, g := range u.dash.feeds {
			if g.feed.Name == name && g.rec == r {
				return g
			}
		}
		return nil
	}
	r.gen++
	gen := r.gen
	// A load that was stopped and started again is not this one: what
	// this one ends with is no news.
	mine := func() bool { return r.gen == gen }
	fail := func(err error) {
		if !mine() {
			return
		}
		r.cancel = nil
		if g := current(); g != nil {
			g.bridge.setStatus(feeds.Status{State: feeds.Stopped, Transport: feeds.File, Err: err, Time: time.Now()})
		}
	}
	r.cancel = func() {} // loading: the estimate runs
	u.prepareLoad(r.path, func(opts recording.Options) {
		if r.cancel == nil || !mine() {
			return // stopped while the estimate ran
		}
		r.cancel = u.loadRecording(r.path, opts, func(l *loaded) {
			if !mine() {
				return
			}
			r.cancel = nil
			if g := current(); g != nil {
				u.adoptRecording(g, r, l)
			}
		}, fail)
	}, func() { fail(errLoadCancelled) })
}

// errLoadCancelled is the status of a recording feed whose load the user
// cancelled.
var errLoadCancelled = fmt.Errorf("loading the recording was cancelled")

// adoptRecording puts the loaded series of f into the store under their
// names in the dashboard, replacing series of those names (the feed's
// own, from before), and reports what the load skipped.
func (u *UI) adoptRecording(f *dashFeed, r *recFeed, l *loaded) {
	store, d := u.bridge.store, u.dash.d
	if r.replay != nil {
		// A replay of the points before this load ends with them.
		r.replay.pause()
		r.replay = nil
	}
	r.series = nil
	errs := l.errs
	for i, ready := range l.ready {
		if ready == nil {
			continue
		}
		name := d.SeriesName(f.feed.Name, l.names[i])
		store.Remove(name)
		sr, err := store.Adopt(name, ready)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		r.series = append(r.series, sr)
	}
	r.loaded = true
	f.bridge.setStatus(feeds.Status{State: feeds.Connected, Transport: feeds.File, Time: time.Now()})
	u.reportLoad(f.feed.Name, l.res, errs)
}

// reportLoad tells what a load skipped — bad lines (their count and the
// first ones with line numbers and reasons), columns without numbers, an
// early end — in a notice and in the message log.
func (u *UI) reportLoad(feed string, res *recording.Result, errs []string) {
	var lines []string
	if res.BadLines > 0 {
		lines = append(lines, fmt.Sprintf("%d bad lines skipped", res.BadLines))
		for _, b := range res.Bad {
			lines = append(lines, "skipped "+b.String())
		}
		if res.BadLines > int64(len(res.Bad)) {
			lines = append(lines, fmt.Sprintf("(and %d more)", res.BadLines-int64(len(res.Bad))))
		}
	}
	for _, c := range res.SkippedColumns {
		lines = append(lines, fmt.Sprintf("column %q holds no numbers and was left out", c))
	}
	if res.ReadErr != nil {
		lines = append(lines, fmt.Sprintf("reading stopped early: %v", res.ReadErr))
	}
	lines = append(lines, errs...)
	now := time.Now()
	entries := []logEntry{{Time: now, Kind: logText, Text: fmt.Sprintf("%s: loaded %d points in %d series (%s)", feed, res.Points, len(res.Series), res.Format)}}
	for _, l := range lines {
		entries = append(entries, logEntry{Time: now, Kind: logText, Text: feed + ": " + l})
	}
	u.log.add(entries, 0)
	if res.BadLines == 0 && res.ReadErr == nil && len(errs) == 0 {
		return // a text column left out is news for the log only
	}
	u.rw.notice = dialog.NewInformation("Recording "+feed+" loaded with problems", strings.Join(lines, "\n"), u.win)
	u.rw.notice.Show()
}

// shiftRelative moves a recording timed in seconds from its start (times
// below 1e8, loaded from the Unix epoch) to end at modTime, the file's
// modification time: second 0 is modTime minus the recording's span.
func shiftRelative(res *recording.Result, modTime time.Time) {
	const relativeBelow = int64(1e8 * float64(time.Second))
	first, last, ok := replay.Span(res.Series)
	if !ok || first < 0 || last >= relativeBelow {
		return
	}
	off := modTime.UnixNano() - last
	for _, s := range res.Series {
		for i := range s.T {
			s.T[i] += off
		}
	}
}
