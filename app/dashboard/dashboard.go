package dashboard

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"feedscope/app/compute"
	"feedscope/feeds"
)

// Dashboard is what a dashboard file holds: feeds and the panels that
// chart their series. Check an edited dashboard with Validate before
// saving or running it; Load returns only valid ones.
type Dashboard struct {
	// Title names the dashboard (the window title); may be empty.
	Title string
	// Window is the visible time span in follow mode; WindowAll (0) shows
	// everything stored.
	Window time.Duration
	// Columns is the width of the panel grid, 1 to MaxColumns.
	Columns int
	Feeds   []Feed
	Panels  []Panel
}

// Feed is one source of series.
type Feed struct {
	// Name prefixes the feed's series (name/series) once a dashboard has
	// more than one feed. It is unique in its dashboard, not empty, and
	// holds no '/', '*', '?', control characters or surrounding spaces.
	Name      string
	URL       string
	Transport feeds.Transport
	Settings  FeedSettings
}

// Panel is one chart of the grid.
type Panel struct {
	Title string
	// Series lists what the panel draws: every series matched by one of
	// the entries. A series matched by several takes the first entry's
	// name, unit and fn.
	Series []SeriesRef
	// Unit labels the Y axis; may be empty.
	Unit string
	// Y fixes the Y axis; nil scales it to the data.
	Y *YRange
	// Hidden are patterns of series the panel leaves out although Series
	// matches them (series the user switched off in the series list).
	Hidden []string
	// Thresholds are horizontal lines across the panel. One with Alarm
	// set watches every series the panel shows (a derived series by its
	// derived values).
	Thresholds []compute.Threshold
	// NoData, when above zero, is an alarm that fires when none of the
	// panel's series has had a sample for longer than NoData.
	NoData time.Duration
}

// SeriesRef is one entry of a panel's series: a pattern, and optionally
// how to show what it matches.
type SeriesRef struct {
	// Match is a pattern of series names (see Pattern).
	Match string
	// Name replaces the series' name in the legend and tooltip; may be
	// empty.
	Name string
	// Unit of this series, when it differs from the panel's.
	Unit string
	// Fn is a derived-series pipeline (e.g. "rate | avg 30s"; see
	// compute.Parse), kept as written; Validate checks that it parses.
	// Empty shows the series as it is.
	Fn string
}

// YRange is a fixed Y axis.
type YRange struct{ Min, Max float64 }

// Defaults and limits of a dashboard.
const (
	// WindowAll, as Dashboard.Window, shows everything stored (the value
	// of charts.WindowAll).
	WindowAll time.Duration = 0
	// DefaultWindow is the window of a dashboard file that sets none.
	DefaultWindow = time.Minute
	MaxColumns    = 4
	// MaxFeeds and MaxPanels bound what one file can ask the window to
	// run and draw.
	MaxFeeds  = 64
	MaxPanels = 64
	// MaxSeriesRefs bounds the series entries (and hidden patterns) of
	// one panel.
	MaxSeriesRefs = 1000
	// MaxThresholds bounds the thresholds of one panel.
	MaxThresholds = 100
)

// New is an empty dashboard: no feeds, no panels, one column, the
// default window.
func New() *Dashboard {
	return &Dashboard{Window: DefaultWindow, Columns: 1}
}

// FromSettings is the dashboard equivalent to today's single-URL window:
// one feed with these settings, named after the URL's host, and one panel
// that shows every series. Its series keep their bare names. Single turns
// it back.
func FromSettings(rawURL string, t feeds.Transport, s FeedSettings) *Dashboard {
	d := New()
	d.Feeds = []Feed{{Name: NameFromURL(rawURL), URL: rawURL, Transport: t, Settings: s}}
	d.Panels = []Panel{{Series: []SeriesRef{{Match: "*"}}}}
	return d
}

// Single returns the one feed of a one-feed dashboard (its URL, transport
// and settings are what the single-URL window and record's flags use), and
// false when d has no feed or several.
func (d *Dashboard) Single() (Feed, bool) {
	if len(d.Feeds) != 1 {
		return Feed{}, false
	}
	f := d.Feeds[0]
	f.Settings.Headers = slices.Clone(f.Settings.Headers)
	return f, true
}

// NameFromURL proposes a feed name for a URL: its host (with the port),
// or "feed" when it has none. The caller makes it unique.
func NameFromURL(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Host == "" {
		return "feed"
	}
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '*' || r == '?' || r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, u.Host)
	if name = strings.TrimSpace(name); name == "" {
		return "feed"
	}
	return name
}

// Feed returns the feed named name.
func (d *Dashboard) Feed(name string) (Feed, bool) {
	for _, f := range d.Feeds {
		if f.Name == name {
			return f, true
		}
	}
	return Feed{}, false
}

// Qualified reports whether series are named feed/series: once the
// dashboard has more than one feed. A one-feed dashboard keeps the bare
// names the single-URL window always showed.
func (d *Dashboard) Qualified() bool { return len(d.Feeds) > 1 }

// SeriesName is the name of a feed's series in d: feed/series when d is
// Qualified, else series.
func (d *Dashboard) SeriesName(feed, series string) string {
	return SeriesName(feed, series, d.Qualified())
}

// SeriesName joins a feed's name and a series' name as feed/series when
// qualified, else returns series.
func SeriesName(feed, series string, qualified bool) string {
	if !qualified {
		return series
	}
	return feed + "/" + series
}

// SplitSeriesName splits a qualified name at its first '/' (feed names
// hold none; series names may: Prometheus label values often do).
func SplitSeriesName(name string) (feed, series string, ok bool) {
	return strings.Cut(name, "/")
}

// Config is the feeds.Config of f. Header values go as written:
// feeds.Run replaces ${NAME} references by the environment variable NAME
// when the feed starts (and stops it with an error naming the variable
// when that is not set), so the window, record and snapshot treat
// references alike and a Config never holds an expanded secret.
func (f Feed) Config() (feeds.Config, error) {
	cfg, err := f.Settings.Config(f.URL, f.Transport)
	if err != nil {
		return feeds.Config{}, fmt.Errorf("feed %s: %w", f.Name, err)
	}
	return cfg, nil
}

// envRef is a ${NAME} reference as feeds.Run expands it: NAME is a POSIX
// shell variable name, and only the braced form counts, so a literal '$'
// in a token stays as it is.
var envRef = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)

// problem is one thing wrong with a dashboard, at a path of its file's
// keys: table names, array indices (see index) and keys; the interval of
// the second feed is {"feed", index(1), "interval"}. Load turns the path
// into a line.
type problem struct {
	path []string
	msg  string
}

// indexMark starts an array index in a path, so that an index is never
// taken for a key spelled with digits (a header named "1").
const indexMark = "\x1e"

// index is the path element of array element i.
func index(i int) string { return indexMark + strconv.Itoa(i) }

// keyName is path as TOML names a key, without array indices:
// feed.interval.
func keyName(path []string) string {
	var parts []string
	for _, p := range path {
		if !strings.HasPrefix(p, indexMark) {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// settingKeys maps FeedSettings fields to their keys in a file.
var settingKeys = map[string]string{
	"PollInterval": "interval",
	"Hold":         "hold",
	"Heartbeat":    "heartbeat",
	"PongText":     "pong_text",
	"ReadLimit":    "read_limit",
	"History":      "history",
	"Headers":      "headers",
	"MQTTPassword": "mqtt_password",
}

// Validate reports everything wrong with d, one problem a line, each
// named by its key in a dashboard file.
func (d *Dashboard) Validate() error {
	ps := d.problems()
	if len(ps) == 0 {
		return nil
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = keyName(p.path) + ": " + p.msg
	}
	return fmt.Errorf("dashboard: %s", strings.Join(msgs, "\n"))
}

func (d *Dashboard) problems() []problem {
	var ps []problem
	add := func(path []string, format string, args ...any) {
		ps = append(ps, problem{path, fmt.Sprintf(format, args...)})
	}
	if d.Window < 0 {
		add([]string{"window"}, "negative window %v", d.Window)
	}
	if d.Columns < 1 || d.Columns > MaxColumns {
		add([]string{"columns"}, "%d columns: want 1 to %d", d.Columns, MaxColumns)
	}
	if len(d.Feeds) > MaxFeeds {
		add([]string{"feed"}, "%d feeds: at most %d", len(d.Feeds), MaxFeeds)
	}
	if len(d.Panels) > MaxPanels {
		add([]string{"panel"}, "%d panels: at most %d", len(d.Panels), MaxPanels)
	}
	seen := map[string]int{}
	for i, f := range d.Feeds {
		at := func(key string) []string { return []string{"feed", index(i), key} }
		if err := checkFeedName(f.Name); err != nil {
			add(at("name"), "%v", err)
		} else if j, dup := seen[f.Name]; dup {
			add(at("name"), "feed %q is already defined (feed %d)", f.Name, j+1)
		} else {
			seen[f.Name] = i
		}
		if err := checkURL(f.URL); err != nil {
			add(at("url"), "%v", err)
		}
		if !slices.Contains(feeds.Transports, f.Transport) {
			add(at("transport"), "unknown transport %v", f.Transport)
		}
		for _, sp := range f.Settings.problems() {
			add(at(settingKeys[sp.field]), "%s", sp.msg)
		}
	}
	for i, p := range d.Panels {
		at := func(key ...string) []string { return append([]string{"panel", index(i)}, key...) }
		if len(p.Series) > MaxSeriesRefs {
			add(at("series"), "%d entries: at most %d", len(p.Series), MaxSeriesRefs)
		}
		if len(p.Hidden) > MaxSeriesRefs {
			add(at("hidden"), "%d entries: at most %d", len(p.Hidden), MaxSeriesRefs)
		}
		for j, s := range p.Series {
			if msg := d.patternProblem(s.Match); msg != "" {
				add(at("series", index(j)), "%s", msg)
			}
			if s.Fn != "" && strings.TrimSpace(s.Fn) == "" {
				add(at("series", index(j), "fn"), "blank fn")
			} else if _, err := compute.Parse(s.Fn); err != nil {
				add(at("series", index(j), "fn"), "%s", strings.TrimPrefix(err.Error(), "compute: "))
			}
		}
		if len(p.Thresholds) > MaxThresholds {
			add(at("thresholds"), "%d thresholds: at most %d", len(p.Thresholds), MaxThresholds)
		}
		for j, th := range p.Thresholds {
			for _, tp := range thresholdProblems(th) {
				add(at("thresholds", index(j), tp.key), "%s", tp.msg)
			}
		}
		if p.NoData < 0 {
			add(at("no_data"), "negative duration %v", p.NoData)
		}
		for j, h := range p.Hidden {
			if msg := d.patternProblem(h); msg != "" {
				add(at("hidden", index(j)), "%s", msg)
			}
		}
		if y := p.Y; y != nil {
			switch {
			case !finite(y.Min) || !finite(y.Max):
				add(at("y"), "min and max must be finite numbers")
			case y.Min >= y.Max:
				add(at("y"), "min %g is not below max %g", y.Min, y.Max)
			}
		}
	}
	return ps
}

// thresholdProblem is one thing wrong with a threshold, at its key.
type thresholdProblem struct{ key, msg string }

// thresholdProblems checks a threshold key by key (compute's Validate
// stops at the first problem and names no key).
func thresholdProblems(th compute.Threshold) []thresholdProblem {
	var ps []thresholdProblem
	add := func(key, format string, args ...any) {
		ps = append(ps, thresholdProblem{key, fmt.Sprintf(format, args...)})
	}
	if !finite(th.Value) {
		add("value", "%v is not a finite number", th.Value)
	}
	if _, err := compute.ParseColour(th.Colour); err != nil {
		add("colour", "%s", strings.TrimPrefix(err.Error(), "compute: "))
	}
	if th.Dir > compute.Below {
		add("dir", "want above or below")
	}
	switch {
	case th.For < 0:
		add("for", "negative duration %v", th.For)
	case th.For > 0 && !th.Alarm:
		add("for", "only an alarm waits: add alarm = true, or leave out for")
	}
	switch {
	case th.Hysteresis < 0 || !finite(th.Hysteresis):
		add("hysteresis", "%v: want a finite number ≥ 0", th.Hysteresis)
	case th.Hysteresis > 0 && !th.Alarm:
		add("hysteresis", "only an alarm has a hysteresis: add alarm = true, or leave out hysteresis")
	}
	return ps
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// patternProblem says what is wrong with a series pattern of d, or "".
// In a dashboard with several feeds a pattern must be able to match a
// series of one of them: "temp" (no feed) or "plcc/temp" (a typo) would
// silently draw nothing.
func (d *Dashboard) patternProblem(pattern string) string {
	p, err := CompilePattern(pattern)
	if err != nil {
		return err.Error()
	}
	if !d.Qualified() {
		return ""
	}
	for _, f := range d.Feeds {
		if p.namesFeed(f.Name) {
			return ""
		}
	}
	if !strings.Contains(pattern, "/") && !strings.Contains(pattern, "*") {
		return fmt.Sprintf("%q names no feed: with several feeds, series are named feed/series", pattern)
	}
	return fmt.Sprintf("%q names no feed of this dashboard", pattern)
}

// checkFeedName accepts names that stay unambiguous in feed/series names
// and in patterns.
func checkFeedName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("a feed needs a name")
	case strings.TrimSpace(name) != name:
		return fmt.Errorf("feed name %q starts or ends with a space", name)
	case strings.ContainsAny(name, "/*?"):
		return fmt.Errorf("feed name %q contains '/', '*' or '?'", name)
	}
	for _, r := range name {
		if r < ' ' || r == 0x7f {
			return fmt.Errorf("feed name %q contains a control character", name)
		}
	}
	return nil
}

// checkURL accepts a URL with a scheme and a host, or a scheme and an
// absolute path (file:///rec.csv). Which schemes work is the feeds package's business: a
// feed it cannot run still opens, and shows its error in the window.
func checkURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("a feed needs a url")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || (u.Host == "" && !strings.HasPrefix(u.Path, "/")) {
		// Not quoted: a URL may carry a password.
		return fmt.Errorf("not a URL with a scheme and a host (e.g. ws://host:8765/ or https://host/metrics)")
	}
	return nil
}

// Clone returns a deep copy of d: a window edits the copy and keeps d as
// the saved state to compare with.
func (d *Dashboard) Clone() *Dashboard {
	c := *d
	c.Feeds = slices.Clone(d.Feeds)
	for i := range c.Feeds {
		c.Feeds[i].Settings.Headers = slices.Clone(c.Feeds[i].Settings.Headers)
	}
	c.Panels = slices.Clone(d.Panels)
	for i := range c.Panels {
		p := &c.Panels[i]
		p.Series = slices.Clone(p.Series)
		p.Hidden = slices.Clone(p.Hidden)
		p.Thresholds = slices.Clone(p.Thresholds)
		if p.Y != nil {
			y := *p.Y
			p.Y = &y
		}
	}
	return &c
}
