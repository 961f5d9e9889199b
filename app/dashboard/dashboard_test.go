package dashboard

import (
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"feedscope/feeds"
)

// The model must build without Fyne: record and tests of the file format
// should not drag in a GUI toolkit, and the window must not be the only
// place that understands a dashboard.
func TestNoFyne(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") {
			t.Errorf("app/dashboard depends on %s", dep)
		}
	}
	if !strings.Contains(string(out), "github.com/BurntSushi/toml") {
		t.Errorf("go list -deps does not list the TOML library: is this the right package?\n%s", out)
	}
}

func TestFromSettingsAndBack(t *testing.T) {
	s := DefaultFeedSettings()
	s.PollInterval = 5 * time.Second
	s.Headers = []string{"Authorization: Bearer x"}
	d := FromSettings("http://node:9100/metrics", feeds.Poll, s)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Qualified() || d.SeriesName("node:9100", "node_load1") != "node_load1" {
		t.Error("a one-feed dashboard does not keep bare series names")
	}
	if len(d.Panels) != 1 || !d.Panels[0].Shows("node_load1") || !d.Panels[0].Shows(`x{path="/a"}`) {
		t.Errorf("panels %+v; want one that shows every series", d.Panels)
	}
	f, ok := d.Single()
	if !ok || f.URL != "http://node:9100/metrics" || f.Transport != feeds.Poll || !reflect.DeepEqual(f.Settings, s) {
		t.Errorf("Single() = %+v, %v; want the settings it was made from", f, ok)
	}
	f.Settings.Headers[0] = "changed: y"
	if d.Feeds[0].Settings.Headers[0] != "Authorization: Bearer x" {
		t.Error("Single shares its headers with the dashboard")
	}
	d.Feeds = append(d.Feeds, Feed{Name: "plc", URL: "ws://plc/", Settings: DefaultFeedSettings()})
	if _, ok := d.Single(); ok {
		t.Error("Single() of a two-feed dashboard")
	}
	if !d.Qualified() || d.SeriesName("plc", "temp") != "plc/temp" {
		t.Error("a two-feed dashboard does not name series feed/series")
	}
}

func TestNameFromURL(t *testing.T) {
	for url, want := range map[string]string{
		"http://node:9100/metrics": "node:9100",
		"wss://[::1]:8765/ws":      "[::1]:8765",
		"ws://plc.local/":          "plc.local",
		"":                         "feed",
		"not a url":                "feed",
		"file:///tmp/rec.csv":      "feed",
	} {
		if got := NameFromURL(url); got != want || checkFeedName(got) != nil {
			t.Errorf("NameFromURL(%q) = %q; want %q, a valid name", url, got, want)
		}
	}
}

func TestSplitSeriesName(t *testing.T) {
	feed, series, ok := SplitSeriesName(`node/fs{mountpoint="/home"}`)
	if !ok || feed != "node" || series != `fs{mountpoint="/home"}` {
		t.Errorf("SplitSeriesName = %q, %q, %v", feed, series, ok)
	}
	if SeriesName("a", "b", true) != "a/b" || SeriesName("a", "b", false) != "b" {
		t.Error("SeriesName")
	}
}

// A feed's feeds.Config is exactly what the Settings dialog's settings
// give for the same URL and transport, with ${ENV} references left for
// feeds.Run to expand.
func TestFeedConfig(t *testing.T) {
	t.Setenv("TOKEN", "t0k")
	s := FeedSettings{
		PollInterval: 2 * time.Second, Hold: 45 * time.Second, Heartbeat: 20 * time.Second, PingText: "ping", PongText: "pong",
		Headers:   []string{"Authorization: Bearer ${TOKEN}", "X-Static: v"},
		ReadLimit: 1 << 16, History: time.Minute, ArrivalTime: true, InsecureSkipVerify: true,
	}
	f := Feed{Name: "plc", URL: "wss://plc:8765/", Transport: feeds.WebSocket, Settings: s}
	got, err := f.Config()
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Config(f.URL, f.Transport)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Config = %+v\nwant %+v", got, want)
	}
	if got.URL != f.URL || got.Transport != feeds.WebSocket || got.PollInterval != 2*time.Second || got.Hold != 45*time.Second || got.Heartbeat != 20*time.Second ||
		got.PingText != "ping" || got.PongText != "pong" || got.ReadLimit != 1<<16 || !got.InsecureSkipVerify ||
		got.Header.Get("X-Static") != "v" || got.Header.Get("Authorization") != "Bearer ${TOKEN}" {
		t.Errorf("Config lost or expanded a setting: %+v", got)
	}
	bad := f
	bad.Settings.ReadLimit = 1
	if _, err := bad.Config(); err == nil || !strings.Contains(err.Error(), "feed plc: read limit") {
		t.Errorf("a read limit out of range: %v", err)
	}
}

func TestValidateNamesKeys(t *testing.T) {
	d := FromSettings("http://h/", feeds.Auto, DefaultFeedSettings())
	d.Columns = 0
	d.Feeds[0].Settings.History = time.Second
	d.Feeds[0].Name = "a/b"
	err := d.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"columns: 0 columns", "feed.name: feed name \"a/b\" contains '/'", "feed.history: history 1s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %q; want it to say %q", err, want)
		}
	}
}

func TestClone(t *testing.T) {
	d := roundTripCases(t)["every setting"]
	c := d.Clone()
	if !reflect.DeepEqual(c, d) {
		t.Fatal("a clone differs")
	}
	c.Feeds[0].Settings.Headers[0] = "X: changed"
	c.Panels[1].Series[0].Match = "changed"
	c.Panels[1].Hidden[0] = "changed"
	c.Panels[1].Y.Max = 7
	c.Feeds[1].Name = "changed"
	c.Panels[2].Thresholds[0].Value = 7
	if reflect.DeepEqual(c, d) || d.Panels[2].Thresholds[0].Value == 7 || d.Feeds[0].Settings.Headers[0] == "X: changed" || d.Panels[1].Series[0].Match == "changed" ||
		d.Panels[1].Hidden[0] == "changed" || d.Panels[1].Y.Max == 7 || d.Feeds[1].Name == "changed" {
		t.Error("changing a clone changed the original")
	}
}
