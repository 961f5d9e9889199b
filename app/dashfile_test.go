package app

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"feedscope/app/dashboard"
)

// Save as from the single-URL window writes its feed as a one-feed
// dashboard; opening a two-feed file replaces what the window watches;
// Save writes it back to a file that loads to the same dashboard; a file
// that fails to load changes nothing; the next launch reopens the last
// dashboard, and Recent dashboards lists both files.
func TestDashboardOpenSaveRestore(t *testing.T) {
	base1, base2 := startHub(t), startHub(t)
	dir := t.TempDir()
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{URL: base1 + "/sse"})
	waitFor(t, u, "connected", func() bool { return u.status.state.Text == "Connected" })

	single := filepath.Join(dir, "single.toml")
	u.writeDashboard(single)
	got, err := dashboard.Load(single)
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := got.Single(); !ok || f.URL != base1+"/sse" {
		t.Fatalf("saved single-URL window: %+v", got.Feeds)
	}

	two := filepath.Join(dir, "two.toml")
	src := `title = "Two"
columns = 2

[[feed]]
name = "a"
url = "` + base1 + `/sse"

[[feed]]
name = "b"
url = "` + base2 + `/poll"
interval = "500ms"

[[panel]]
title = "Sines"
series = ["*/sine"]

[[panel]]
title = "Walk of b"
series = ["b/walk"]
y = { min = -5, max = 5 }
`
	if err := os.WriteFile(two, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	want, err := dashboard.Load(two)
	if err != nil {
		t.Fatal(err)
	}
	u.openDashboardFile(two)
	if u.dash == nil || len(u.dash.panels) != 2 || u.win.Title() != "Two — Feedscope" {
		t.Fatalf("the dashboard did not open (title %q)", u.win.Title())
	}
	if u.feed != nil {
		t.Error("the single feed still runs beside the dashboard")
	}
	waitFor(t, u, "both feeds charting", func() bool {
		s := u.chart.Store()
		return s.Lookup("a/sine") != nil && s.Lookup("b/sine") != nil && u.status.state.Text == "2 connected"
	})

	// A bad file: an error, and the dashboard stays as it was.
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("columns = 9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := u.dash
	u.openDashboardFile(bad)
	if u.dash != open || u.dash.path != two {
		t.Error("a file that failed to load replaced the open dashboard")
	}

	// Save writes the open dashboard back to its file, unchanged.
	if err := os.Remove(two); err != nil {
		t.Fatal(err)
	}
	u.saveDashboard()
	back, err := dashboard.Load(two)
	if err != nil {
		t.Fatalf("Save: %v", err)
	}
	if !reflect.DeepEqual(back, want) {
		t.Errorf("saved dashboard differs:\n%+v\nwant\n%+v", back, want)
	}

	recent := a.Preferences().StringList(prefRecentDashboard)
	if len(recent) != 2 || !strings.HasSuffix(recent[0], "two.toml") || !strings.HasSuffix(recent[1], "single.toml") {
		t.Errorf("recent dashboards %q", recent)
	}
	var labels []string
	for _, it := range u.menu.recent.ChildMenu.Items {
		labels = append(labels, it.Label)
	}
	if !slices.Equal(labels, dashboard.RecentLabels(recent)) {
		t.Errorf("Recent dashboards menu %q", labels)
	}

	// The next launch opens it again.
	u.Close()
	u2 := newTestUI(t, a, Options{})
	if u2.dash == nil || u2.dash.path != two || u2.demoBase != "" {
		t.Fatalf("relaunch did not reopen %s", two)
	}
	waitFor(t, u2, "reopened dashboard charting", func() bool { return u2.status.state.Text == "2 connected" })
	// A URL on the command line replaces it, next launch too.
	u2.Close()
	u3 := newTestUI(t, a, Options{URL: base1 + "/sse", TransportSet: true})
	if u3.dash != nil || a.Preferences().String(prefDashboard) != "" {
		t.Error("--url opened the last dashboard, or left it to reopen")
	}
}

// Saving a header typed literally asks first, and writes nothing unless
// confirmed.
func TestDashboardSaveWarnsOfSecrets(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(src, []byte(`[[feed]]
name = "a"
url = "http://127.0.0.1:1/"
headers = { Authorization = "Bearer abc123" }
`), 0o600); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{})
	u.openDashboardFile(src)
	if u.dash == nil {
		t.Fatal("not opened")
	}
	out := filepath.Join(dir, "out.toml")
	u.writeDashboard(out)
	if u.confirmSecrets == nil {
		t.Fatal("no warning before writing a literal secret")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("written before confirming (%v)", err)
	}
	u.confirmSecrets.Confirm()
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), "Bearer abc123") {
		t.Errorf("confirmed save: %v %q", err, b)
	}
}
