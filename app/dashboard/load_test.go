package dashboard

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"feedscope/app/compute"
	"feedscope/feeds"
)

// docExample is the complete example of the package documentation, so
// that the documentation cannot drift from what loads.
func docExample(t testing.TB) []byte {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(src), "A complete example:\n//\n")
	if !ok {
		t.Fatal("doc.go: no complete example")
	}
	var b strings.Builder
	for _, line := range strings.Split(after, "\n") {
		switch {
		case strings.HasPrefix(line, "//\t"):
			b.WriteString(line[3:] + "\n")
		case line == "//":
			b.WriteString("\n")
		default:
			return []byte(b.String())
		}
	}
	return []byte(b.String())
}

func TestParseDocExample(t *testing.T) {
	d, err := Parse("example.toml", docExample(t))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultFeedSettings()
	plc := def
	plc.PingText, plc.PongText = "ping", "pong"
	plc.Headers = []string{"Authorization: Bearer ${PLC_TOKEN}"}
	node := def
	node.PollInterval = 5 * time.Second
	want := &Dashboard{
		Title:   "Line 3",
		Window:  5 * time.Minute,
		Columns: 2,
		Feeds: []Feed{
			{Name: "plc", URL: "ws://10.0.0.7:8765/", Transport: feeds.WebSocket, Settings: plc},
			{Name: "node", URL: "http://10.0.0.5:9100/metrics", Settings: node},
		},
		Panels: []Panel{
			{Title: "Temperatures", Series: []SeriesRef{{Match: "plc/temp.*"}}, Unit: "°C",
				Y: &YRange{0, 120}, Hidden: []string{"plc/temp.debug"},
				Thresholds: []compute.Threshold{
					{Value: 90, Colour: "red", Label: "hot", Alarm: true, For: 30 * time.Second, Hysteresis: 2},
					{Value: 5, Colour: "blue", Label: "cold", Dir: compute.Below, Shade: true},
				},
				NoData: time.Minute},
			{Title: "Load", Series: []SeriesRef{
				{Match: "node/node_load1"},
				{Match: "node/node_load5", Name: "load (5 min)"},
				{Match: `node/node_network_receive_bytes_total{device="eth0"}`, Name: "eth0 rx", Unit: "Mbit/s", Fn: "rate | avg 30s | scale 8e-6"},
			}},
		},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("example loads as\n%#v\nwant\n%#v", d, want)
	}
}

// A valid two-feed file the error cases below each break in one place.
const twoFeeds = `title = "t"
window = "5m"
columns = 2

[[feed]]
name = "plc"
url = "ws://h:1/"

[[feed]]
name = "node"
url = "http://h:2/metrics"

[[panel]]
title = "p"
series = ["plc/*", "node/up"]
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		key  string
		msg  string // a part of the message
	}{
		{"syntax error", "title = \"t\"\ncolumns = = 2\n", 2, "columns", "expected value"},
		{"syntax error before any key", "\n\n[[feed]x]\n", 3, "", "expected"},
		{"duplicate key", "title = \"a\"\ntitle = \"b\"\n", 2, "title", "already been defined"},
		{"unknown top key", "title = \"t\"\n\ncolour = \"red\"\n", 3, "colour", "unknown key"},
		{"unknown feed key", strings.Replace(twoFeeds, "url = \"http://h:2/metrics\"", "url = \"http://h:2/metrics\"\nintervall = \"5s\"", 1), 12, "feed.intervall", "unknown key"},
		{"unknown key in a series table", strings.Replace(twoFeeds, `"node/up"]`, "\n  { match = \"node/up\", colour = \"red\" },\n]", 1), 16, "panel.series.colour", "unknown key"},
		{"unknown key in y", twoFeeds + "y = { min = 0, max = 1, step = 2 }\n", 16, "panel.y.step", "unknown key"},
		{"bad duration", strings.Replace(twoFeeds, "url = \"http://h:2/metrics\"", "url = \"http://h:2/metrics\"\ninterval = \"5x\"", 1), 12, "feed.interval", `"5x" is not a duration`},
		{"duration without quotes", strings.Replace(twoFeeds, "url = \"ws://h:1/\"", "url = \"ws://h:1/\"\nheartbeat = 15", 1), 8, "feed.heartbeat", "want a duration"},
		{"duration out of range", strings.Replace(twoFeeds, "url = \"ws://h:1/\"", "url = \"ws://h:1/\"\n\n\ninterval = \"1ms\"", 1), 10, "feed.interval", "want 10ms to 24h0m0s"},
		{"bad transport", strings.Replace(twoFeeds, "url = \"ws://h:1/\"", "url = \"ws://h:1/\"\ntransport = \"carrier pigeon\"", 1), 8, "feed.transport", "unknown transport"},
		{"duplicate feed name", strings.Replace(twoFeeds, `name = "node"`, `name = "plc"`, 1), 10, "feed.name", `"plc" is already defined`},
		{"feed name with a slash", strings.Replace(twoFeeds, `name = "node"`, `name = "no/de"`, 1), 10, "feed.name", "contains '/'"},
		{"feed without a name", strings.Replace(twoFeeds, "name = \"node\"\n", "", 1), 9, "feed.name", "needs a name"},
		{"feed without a url", strings.Replace(twoFeeds, "url = \"ws://h:1/\"\n", "", 1), 5, "feed.url", "needs a url"},
		{"feed url not a URL", strings.Replace(twoFeeds, `"ws://h:1/"`, `"h:1"`, 1), 7, "feed.url", "not a URL"},
		{"pattern naming no feed", strings.Replace(twoFeeds, `"node/up"`, `"nod/up"`, 1), 15, "panel.series", `"nod/up" names no feed`},
		{"bare pattern with several feeds", strings.Replace(twoFeeds, `"node/up"`, `"up"`, 1), 15, "panel.series", "series are named feed/series"},
		{"pattern naming no feed, several lines down", strings.Replace(twoFeeds, `"node/up"]`, "\n  \"node/up\",\n  # a comment = \"x\"\n  { match = \"x/y\" },\n]", 1), 18, "panel.series", `"x/y" names no feed`},
		{"hidden naming no feed", twoFeeds + "hidden = [\"zzz/a\"]\n", 16, "panel.hidden", "names no feed"},
		{"columns 0", strings.Replace(twoFeeds, "columns = 2", "columns = 0", 1), 3, "columns", "0 columns: want 1 to 4"},
		{"columns 5", strings.Replace(twoFeeds, "columns = 2", "columns = 5", 1), 3, "columns", "5 columns"},
		{"columns as a string", strings.Replace(twoFeeds, "columns = 2", `columns = "2"`, 1), 3, "columns", "want an integer, got a string"},
		{"bad window", strings.Replace(twoFeeds, `window = "5m"`, `window = "forever"`, 1), 2, "window", `want "all" or a duration`},
		{"feed as a table", "[feed]\nname = \"a\"\n", 1, "feed", "want [[feed]] tables"},
		{"feed as an array of numbers", "feed = [\n  1,\n]\n", 2, "feed", "want a table, got an integer"},
		{"unknown key in an inline feed", "feed = [\n  { name = \"a\", url = \"http://h/\" },\n  { name = \"b\", url = \"http://h/\", bogus = 1 },\n]\n", 3, "feed.bogus", "unknown key"},
		{"header name", strings.Replace(twoFeeds, "url = \"ws://h:1/\"", "url = \"ws://h:1/\"\nheaders = { \"Bad Name\" = \"x\" }", 1), 8, "feed.headers.Bad Name", "not a valid header name"},
		{"header named with digits", strings.Replace(twoFeeds, "url = \"ws://h:1/\"", "url = \"ws://h:1/\"\nheaders = { 1 = 2 }", 1), 8, "feed.headers.1", "want a string"},
		{"header value not a string", strings.Replace(twoFeeds, "url = \"ws://h:1/\"", "url = \"ws://h:1/\"\nheaders = { A = \"b\", X = 1 }", 1), 8, "feed.headers.X", "want a string or an array of strings"},
		{"headers not a table", strings.Replace(twoFeeds, "url = \"ws://h:1/\"", "url = \"ws://h:1/\"\nheaders = [\"A: b\"]", 1), 8, "feed.headers", "want a table"},
		{"pong without ping", strings.Replace(twoFeeds, "url = \"ws://h:1/\"", "url = \"ws://h:1/\"\npong_text = \"pong\"", 1), 8, "feed.pong_text", "needs a ping text"},
		{"read limit too large", strings.Replace(twoFeeds, "url = \"ws://h:1/\"", "url = \"ws://h:1/\"\nread_limit = 1_000_000_000", 1), 8, "feed.read_limit", "read limit"},
		{"bad time source", strings.Replace(twoFeeds, "url = \"ws://h:1/\"", "url = \"ws://h:1/\"\ntime = \"server\"", 1), 8, "feed.time", "want payload or arrival"},
		{"y min above max", twoFeeds + "\ny = { min = 10, max = 1 }\n", 17, "panel.y", "not below max"},
		{"y without max", twoFeeds + "y = { min = 10 }\n", 16, "panel.y.max", "missing"},
		{"empty fn", strings.Replace(twoFeeds, `"node/up"`, `{ match = "node/up", fn = "" }`, 1), 15, "panel.series.fn", "empty fn"},
		{"series entry of the wrong type", strings.Replace(twoFeeds, `"node/up"`, `42`, 1), 15, "panel.series", "want a pattern string or a table"},
		{"series not an array", strings.Replace(twoFeeds, `series = ["plc/*", "node/up"]`, `series = "plc/*"`, 1), 15, "panel.series", "want an array"},
		{"error after a multi-line string", strings.Replace(twoFeeds, `title = "p"`, "title = \"\"\"\ninterval = \"x\"\n[[feed]]\n\"\"\"\nsorting = 1", 1), 18, "panel.sorting", "unknown key"},
		{"error after a string with an escaped quote", strings.Replace(twoFeeds, `title = "p"`, "title = \"\"\"a\\\"\"\"\n[[panel]]\nq = 1\"\"\"\nsorting = 1", 1), 17, "panel.sorting", "unknown key"},
		{"bad fn", strings.Replace(twoFeeds, `"node/up"`, `{ match = "node/up", fn = "rate | avgg 1m" }`, 1), 15, "panel.series.fn", `column 8`},
		{"threshold without a value", twoFeeds + "thresholds = [\n  { value = 1 },\n  { label = \"x\" },\n]\n", 18, "panel.thresholds.value", `missing`},
		{"threshold colour", twoFeeds + "thresholds = [\n  { value = 1 },\n  { value = 2, colour = \"mauve\" },\n]\n", 18, "panel.thresholds.colour", `"mauve"`},
		{"threshold dir", twoFeeds + "thresholds = [\n  { value = 1 },\n  { value = 2, dir = \"sideways\" },\n]\n", 18, "panel.thresholds.dir", `above`},
		{"threshold unknown key", twoFeeds + "thresholds = [\n  { value = 1 },\n  { value = 2, above = true },\n]\n", 18, "panel.thresholds.above", `unknown key`},
		{"for without alarm", twoFeeds + "thresholds = [\n  { value = 1 },\n  { value = 2, for = \"30s\" },\n]\n", 18, "panel.thresholds.for", `alarm = true`},
		{"hysteresis without alarm", twoFeeds + "thresholds = [\n  { value = 1 },\n  { value = 2, hysteresis = 1 },\n]\n", 18, "panel.thresholds.hysteresis", `alarm = true`},
		{"negative hysteresis", twoFeeds + "thresholds = [\n  { value = 1 },\n  { value = 2, alarm = true, hysteresis = -1 },\n]\n", 18, "panel.thresholds.hysteresis", `finite number`},
		{"bad for", twoFeeds + "thresholds = [\n  { value = 1 },\n  { value = 2, alarm = true, for = \"soon\" },\n]\n", 18, "panel.thresholds.for", `not a duration`},
		{"threshold not a table", twoFeeds + "thresholds = [2]\n", 16, "panel.thresholds", `want a table`},
		{"bad no_data", twoFeeds + "no_data = \"0s\"\n", 16, "panel.no_data", `above zero`},
		{"error in the second panel", twoFeeds + "\n[[panel]]\ntitle = 'q'\nseries = ['nope/*']\n", 19, "panel.series", "names no feed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse("dash.toml", []byte(tc.src))
			if err == nil {
				t.Fatalf("loaded %+v; want an error", d)
			}
			if d != nil {
				t.Errorf("returned a dashboard with the error %v", err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%v (%T) is no *Error", err, err)
			}
			if e.File != "dash.toml" || e.Line != tc.line || e.Key != tc.key || !strings.Contains(e.Msg, tc.msg) {
				t.Errorf("error %q: file %q line %d key %q; want dash.toml line %d key %q saying %q",
					err, e.File, e.Line, e.Key, tc.line, tc.key, tc.msg)
			}
			prefix := "dash.toml:" + strconv.Itoa(tc.line) + ": "
			if tc.key != "" {
				prefix += tc.key + ": "
			}
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
		})
	}
}

// Several problems are all reported, in file order, each with its line.
func TestParseReportsEveryProblem(t *testing.T) {
	src := `columns = 9
[[feed]]
name = "a"
url = "http://h/"
interval = "fast"
[[feed]]
name = "a"
url = "http://h/"
bogus = true
`
	_, err := Parse("f.toml", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		"f.toml:1: columns: 9 columns: want 1 to 4",
		`f.toml:5: feed.interval: "fast" is not a duration`,
		`f.toml:7: feed.name: feed "a" is already defined (feed 1)`,
		"f.toml:9: feed.bogus: unknown key",
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("error\n%s\nwant %d lines", err, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q; want it to start with %q", i+1, lines[i], w)
		}
	}
}

func TestParseDefaults(t *testing.T) {
	d, err := Parse("min.toml", []byte("[[feed]]\nname = \"x\"\nurl = \"http://h/\"\n[[panel]]\n[[panel]]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Window != DefaultWindow || d.Columns != 2 || d.Title != "" {
		t.Errorf("window %v columns %d title %q; want the defaults", d.Window, d.Columns, d.Title)
	}
	if !reflect.DeepEqual(d.Feeds[0].Settings, DefaultFeedSettings()) || d.Feeds[0].Transport != feeds.Auto {
		t.Errorf("feed %+v; want default settings", d.Feeds[0])
	}
	if len(d.Panels) != 2 || d.Panels[0].Y != nil || len(d.Panels[0].Series) != 0 {
		t.Errorf("panels %+v; want two empty ones", d.Panels)
	}
	// With one feed, bare patterns are the series' names.
	if _, err := Parse("one.toml", []byte("[[feed]]\nname = \"x\"\nurl = \"http://h/\"\n[[panel]]\nseries = [\"cpu\"]\n")); err != nil {
		t.Errorf("a bare pattern with one feed: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ok.toml")
	if err := os.WriteFile(path, docExample(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Errorf("Load: %v", err)
	}
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("\n\nwindow = 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(bad)
	if err == nil || !strings.HasPrefix(err.Error(), bad+":3: window: ") {
		t.Errorf("Load(bad) = %v; want it to name %s, line 3, window", err, bad)
	}
	if _, err := Load(filepath.Join(dir, "missing.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v; want ErrNotExist", err)
	}
	big := filepath.Join(dir, "big.toml")
	if err := os.WriteFile(big, []byte("title = \""+strings.Repeat("x", MaxFileSize)+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load(big) = %v; want a size error", err)
	}
}

// The README shows the same example, and it must load the same.
func TestReadmeExample(t *testing.T) {
	block := readmeTOML(t, "## Dashboard files\n")
	fromReadme, err := Parse("README.md", []byte(block))
	if err != nil {
		t.Fatal(err)
	}
	fromDoc, err := Parse("doc.go", docExample(t))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromReadme, fromDoc) {
		t.Errorf("README example loads as %+v; the package documentation's as %+v", fromReadme, fromDoc)
	}
}
