package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"feedscope/app/dashboard"
	"feedscope/feeds"
)

// The single-URL window becomes a dashboard by editing: adding a panel
// keeps the feed running and its data; adding a second feed names the
// first feed's series feed/series (its points and colours stay with
// them); removing the second feed gives the bare names back and drops the
// removed feed's series. A refused edit changes nothing.
func TestEditDashboardFromTheSingleWindow(t *testing.T) {
	a, b := startHub(t), startHub(t)
	u := newTestUI(t, test.NewTempApp(t), Options{URL: a + "/sse"})
	waitFor(t, u, "the single feed charting", func() bool {
		sr := u.chart.Store().Lookup("sine")
		return sr != nil && sr.Len() > 3 && u.status.st.State == feeds.Connected
	})
	run, sine := u.feed, u.chart.Store().Lookup("sine")
	colour := sine.Index()
	// A series switched off in the single window stays off on its panel.
	u.chart.SetSeriesVisible("walk", false)

	if err := u.editDashboard(func(d *dashboard.Dashboard) error {
		d.Panels = append(d.Panels, dashboard.Panel{Title: "Walk", Series: []dashboard.SeriesRef{{Match: "walk"}}})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if u.dash == nil || len(u.dash.panels) != 2 || len(u.dash.feeds) != 1 {
		t.Fatalf("after adding a panel: %+v", u.dash)
	}
	if u.dash.feeds[0].run != run || u.feed != nil {
		t.Error("adding a panel restarted the feed")
	}
	if u.chart.Store().Lookup("sine") != sine {
		t.Error("adding a panel lost the feed's data")
	}
	if got := u.win.Title(); got != "• Untitled dashboard — Feedscope" {
		t.Errorf("title %q", got)
	}
	waitFor(t, u, "the new panel drawing walk alone", func() bool {
		p := u.dash.panels[1].chart
		return p.SeriesVisible("walk") && !p.SeriesVisible("sine") && len(p.Series()) == 1
	})
	if u.dash.panels[0].chart.SeriesVisible("walk") || !u.dash.panels[0].chart.SeriesVisible("sine") {
		t.Error("the series switched off in the single window came back on its panel")
	}

	host := u.dash.d.Feeds[0].Name
	if err := u.editDashboard(func(d *dashboard.Dashboard) error {
		return d.AddFeed(dashboard.Feed{Name: "b", URL: b + "/sse", Settings: dashboard.DefaultFeedSettings()})
	}); err != nil {
		t.Fatal(err)
	}
	if u.chart.Store().Lookup(host+"/sine") != sine || sine.Index() != colour || sine.Name() != host+"/sine" {
		t.Fatalf("the first feed's series was not renamed in place: %v", u.chart.Store().Names())
	}
	waitFor(t, u, "both feeds charting on the panels", func() bool {
		p0, p1 := u.dash.panels[0].chart, u.dash.panels[1].chart
		return strings.HasPrefix(u.status.state.Text, "2 connected") &&
			u.chart.Store().Lookup("b/sine") != nil && p0.SeriesVisible(host+"/sine") && p1.SeriesVisible(host+"/walk") &&
			!p0.SeriesVisible("b/sine") && u.chart.Store().Lookup("sine") == nil
	})
	if n := sine.Len(); n < 4 {
		t.Errorf("the renamed series kept %d points", n)
	}

	before := u.current().Clone()
	if err := u.editDashboard(func(d *dashboard.Dashboard) error {
		return d.AddFeed(dashboard.Feed{Name: "b", URL: b + "/sse", Settings: dashboard.DefaultFeedSettings()})
	}); err == nil {
		t.Error("a second feed named b was accepted")
	}
	if len(u.dash.feeds) != 2 || len(u.current().Panels) != len(before.Panels) {
		t.Error("a refused edit changed the dashboard")
	}

	if err := u.editDashboard(func(d *dashboard.Dashboard) error { return d.RemoveFeed("b") }); err != nil {
		t.Fatal(err)
	}
	if len(u.dash.feeds) != 1 || u.chart.Store().Lookup("sine") != sine {
		t.Fatalf("after removing b: feeds %d, series %v", len(u.dash.feeds), u.chart.Store().Names())
	}
	waitFor(t, u, "b's series gone and the first feed charting under bare names", func() bool {
		for _, name := range u.chart.Store().Names() {
			if strings.HasPrefix(name, "b/") {
				return false
			}
		}
		return u.status.state.Text == "1 connected" && u.dash.panels[0].chart.SeriesVisible("sine")
	})
	// Nothing of a removed feed keeps running.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		u.flush()
		time.Sleep(50 * time.Millisecond)
	}
	for _, name := range u.chart.Store().Names() {
		if strings.HasPrefix(name, "b/") {
			t.Fatalf("the removed feed still writes %s", name)
		}
	}
}
