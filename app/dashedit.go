package app

import (
	"reflect"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
)

// editDashboard changes what the window watches. change edits a copy of
// the current dashboard (the single feed as a one-feed, one-panel
// dashboard when no dashboard is open); when it succeeds and the result
// validates, the window shows the result. Nothing changes on an error.
//
// Every editing command goes through here: adding, editing or removing a
// feed or a panel, opening a recording. Feeds whose definition did not
// change keep running and keep their data, the single feed included when
// the single-URL window becomes a dashboard; the time axis keeps its view.
func (u *UI) editDashboard(change func(d *dashboard.Dashboard) error) error {
	return u.editDashboardRenaming(nil, change)
}

// editDashboardRenaming is editDashboard for an edit that renames feeds:
// renamed maps a feed's old name to its new one, so that its series keep
// their points and colours under their new names.
func (u *UI) editDashboardRenaming(renamed map[string]string, change func(d *dashboard.Dashboard) error) error {
	d := u.current().Clone()
	if err := change(d); err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	return u.showEdited(d, renamed)
}

// showEdited shows d, an edit of the current dashboard, in the window;
// renamed maps old feed names to new ones.
func (u *UI) showEdited(d *dashboard.Dashboard, renamed map[string]string) error {
	old, path := u.dash, ""
	var running []*dashFeed
	wasQualified := false
	if old != nil {
		path, running, wasQualified = old.path, old.feeds, old.d.Qualified()
	} else {
		// The single feed becomes the dashboard's first: its bridge and
		// its run carry on, so its data and connection stay.
		single := u.current().Feeds[0]
		running = []*dashFeed{{feed: single, bridge: u.bridge, run: u.feed, st: u.status.st, hasSt: u.status.hasSt}}
		u.feed = nil
	}
	// A feed keeps running when its definition is unchanged and its series
	// keep their names; the others stop before their series are renamed,
	// so no late message writes under an old name.
	requalify := wasQualified != d.Qualified()
	kept := map[string]*dashFeed{}
	for _, f := range running {
		if nf, ok := d.Feed(f.feed.Name); ok && !requalify && reflect.DeepEqual(nf, f.feed) {
			kept[f.feed.Name] = f
			continue
		}
		u.stopDashFeed(f)
	}
	u.renameSeries(running, d, wasQualified, renamed)

	v, err := u.newDashView(d, path)
	if err != nil {
		// Validate accepted d, so only a panel the charts refuse gets
		// here; the feeds that stopped start again as they were.
		for _, f := range running {
			if kept[f.feed.Name] == nil {
				u.startDashFeed(f)
			}
		}
		return err
	}
	for i, f := range v.feeds {
		if k := kept[f.feed.Name]; k != nil {
			v.feeds[i] = k
		}
	}
	if old != nil {
		v.selected = min(old.selected, len(v.panels)-1)
		v.selFeed = min(old.selFeed, len(v.feeds)-1)
	}
	u.adoptView(v)
	for _, f := range v.feeds {
		if f.run == nil && kept[f.feed.Name] == nil {
			u.startDashFeed(f)
		}
	}
	u.syncConnectButton()
	u.flush()
	return nil
}

// renameSeries gives the store's series the names they have in d: a feed
// that goes gets its series dropped, and when d's naming changes (one
// feed to several, or back) every remaining series is renamed, so its
// points and colour stay with it.
func (u *UI) renameSeries(running []*dashFeed, d *dashboard.Dashboard, wasQualified bool, renamed map[string]string) {
	store := u.bridge.store
	// owner is the feed a series came from, and its name in that feed;
	// false for a series of no feed (a derived series named on its own).
	owner := func(name string) (feed, series string, ok bool) {
		if l := u.live(); l != nil && l.isDerived(name) {
			return "", "", false // recomputed under its name by the new view's engine
		}
		if !wasQualified {
			return running[0].feed.Name, name, true
		}
		f, s, ok := dashboard.SplitSeriesName(name)
		if !ok || !slices.ContainsFunc(running, func(r *dashFeed) bool { return r.feed.Name == f }) {
			return "", "", false
		}
		return f, s, true
	}
	for _, sr := range store.List() {
		feed, bare, ok := owner(sr.Name())
		if !ok {
			continue
		}
		if n, ok := renamed[feed]; ok {
			feed = n
		}
		if _, in := d.Feed(feed); !in {
			if wasQualified {
				store.Remove(sr.Name()) // its feed went
			}
			continue
		}
		if name := d.SeriesName(feed, bare); name != sr.Name() {
			// A clash (a series of that name exists already) keeps the
			// old name: nothing is lost, it only stops matching.
			_ = store.Rename(sr.Name(), name)
		}
	}
}

// adoptView puts v in the window in place of what it showed: its panels
// in the chart area, its feeds in the Feeds list, keeping the time axis's
// view (window, follow, pause, range).
func (u *UI) adoptView(v *dashView) {
	prev := u.chart
	first := v.panels[0].chart
	if err := first.SetWindow(prev.Window()); err == nil {
		if !prev.Following() {
			if from, to, ok := prev.TimeRange(); ok {
				_ = first.SetTimeRange(from, to)
			}
		}
		first.SetPaused(prev.Paused())
	}
	if old := u.dash; old != nil {
		for _, p := range old.panels {
			p.chart.Close()
		}
	} else {
		prev.Close()
	}
	u.adoptEngine(v, u.live())
	u.dash = v
	u.chart = v.panels[v.selected].chart
	for i, p := range v.panels {
		p.title.Importance = widget.LowImportance
		if i == v.selected {
			p.title.Importance = widget.MediumImportance
		}
	}
	u.chartBox.Objects = []fyne.CanvasObject{v.grid}
	u.chartBox.Refresh()
	u.seriesN = 0
	u.status.idle = ""
	u.layoutCenter()
	u.syncUnsaved() // the title, and the unsaved text for the next launch
	u.showSelectedFeed()
	u.menu.sync(u)
	u.seriesList.update()
}
