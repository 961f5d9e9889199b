package dashboard

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"feedscope/app/compute"
	"feedscope/feeds"
)

// Error is one problem of a dashboard file: where it is and what is wrong.
// Load and Parse return one, or several joined with errors.Join (each on
// its own line, in file order); errors.As finds the first.
type Error struct {
	// File is the name the file was loaded under.
	File string
	// Line is 1-based; 0 when the problem has no place in the file.
	Line int
	// Key is the TOML key, without array indices ("feed.interval",
	// "panel.series"); empty for a syntax error outside any key.
	Key string
	Msg string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		b.WriteString(": " + e.Key)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

// MaxFileSize bounds a dashboard file; real ones are a few KiB.
const MaxFileSize = 1 << 20

// maxErrors is how many problems one load reports: enough to fix a file
// in one go, few enough to read.
const maxErrors = 20

// Load reads and checks the dashboard file at path. It returns the
// dashboard only when the whole file is valid; otherwise an error naming
// the file, the line and the key of each problem. Nothing else changes
// on failure, so a window can keep its current dashboard.
func Load(path string) (*Dashboard, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("dashboard: %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("larger than %d KiB: not a dashboard file", MaxFileSize>>10)}
	}
	return Parse(path, data)
}

// Parse is Load for a file's contents; name is the file name errors
// give.
func Parse(name string, data []byte) (*Dashboard, error) {
	if line, msg := checkShape(data); msg != "" {
		return nil, &Error{File: name, Line: line, Msg: msg}
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: name, Line: pe.Position.Line, Key: pe.LastKey, Msg: pe.Message}
		}
		return nil, &Error{File: name, Msg: err.Error()}
	}
	l := &loader{file: name, pos: scanPositions(data)}
	d := l.dashboard(doc)
	for _, p := range d.problems() {
		l.fail(p.path, "%s", p.msg)
	}
	if len(l.errs) > 0 {
		return nil, l.err()
	}
	return d, nil
}

// loader turns a decoded document into a Dashboard, noting every key it
// does not know and every value of the wrong type or form.
type loader struct {
	file string
	pos  positions
	errs []*Error
}

func (l *loader) fail(path []string, format string, args ...any) {
	l.errs = append(l.errs, &Error{File: l.file, Line: l.pos.line(path), Key: keyName(path), Msg: fmt.Sprintf(format, args...)})
}

// err is the errors found, in file order, at most maxErrors.
func (l *loader) err() error {
	sort.SliceStable(l.errs, func(i, j int) bool { return l.errs[i].Line < l.errs[j].Line })
	var errs []error
	for i, e := range l.errs {
		if i == maxErrors {
			errs = append(errs, &Error{File: l.file, Msg: fmt.Sprintf("and %d more problems", len(l.errs)-maxErrors)})
			break
		}
		errs = append(errs, e)
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

func at(path []string, more ...string) []string {
	return append(append([]string(nil), path...), more...)
}

// known reports keys of t that are not in keys, in file order.
func (l *loader) known(t map[string]any, path []string, keys ...string) {
	type keyLine struct {
		key  string
		line int
	}
	// Each key's line is looked up once, not at every comparison: a file
	// of many unknown keys spent most of its load in the sort.
	var unknown []keyLine
	for k := range t {
		if !slices.Contains(keys, k) {
			unknown = append(unknown, keyLine{k, l.pos.line(at(path, k))})
		}
	}
	sort.Slice(unknown, func(i, j int) bool { return unknown[i].line < unknown[j].line })
	want := strings.Join(keys, ", ")
	for _, u := range unknown {
		l.fail(at(path, u.key), "unknown key (want one of %s)", want)
	}
}

// typeName names a decoded value's TOML type for errors.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return "a date-time"
}

func (l *loader) str(t map[string]any, path []string, key string) string {
	v, ok := t[key]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		l.fail(at(path, key), "want a string, got %s", typeName(v))
	}
	return s
}

func (l *loader) boolean(t map[string]any, path []string, key string) bool {
	v, ok := t[key]
	if !ok {
		return false
	}
	b, ok := v.(bool)
	if !ok {
		l.fail(at(path, key), "want true or false, got %s", typeName(v))
	}
	return b
}

func (l *loader) integer(t map[string]any, path []string, key string, def int64) int64 {
	v, ok := t[key]
	if !ok {
		return def
	}
	n, ok := v.(int64)
	if !ok {
		l.fail(at(path, key), "want an integer, got %s", typeName(v))
		return def
	}
	return n
}

func (l *loader) number(t map[string]any, path []string, key string) (float64, bool) {
	v, ok := t[key]
	if !ok {
		l.fail(at(path, key), "missing")
		return 0, false
	}
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	l.fail(at(path, key), "want a number, got %s", typeName(v))
	return 0, false
}

// duration reads a duration written as Go writes them: "500ms", "5s",
// "1m30s".
func (l *loader) duration(t map[string]any, path []string, key string, def time.Duration) time.Duration {
	v, ok := t[key]
	if !ok {
		return def
	}
	s, ok := v.(string)
	if !ok {
		l.fail(at(path, key), `want a duration in quotes such as "5s" or "1m30s", got %s`, typeName(v))
		return def
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		l.fail(at(path, key), `%q is not a duration (want e.g. "500ms", "5s", "1m30s")`, s)
		return def
	}
	if d <= 0 {
		l.fail(at(path, key), "%q: want a duration above zero", s)
		return def
	}
	return d
}

// tables reads an array of tables ([[feed]]).
func (l *loader) tables(doc map[string]any, key string) []map[string]any {
	v, ok := doc[key]
	if !ok {
		return nil
	}
	switch v := v.(type) {
	case []map[string]any:
		return v
	case []any:
		// The inline form, feed = [{ name = "a", url = "..." }].
		ts := make([]map[string]any, 0, len(v))
		for i, e := range v {
			t, ok := e.(map[string]any)
			if !ok {
				l.fail([]string{key, index(i)}, "want a table, got %s", typeName(e))
				continue
			}
			ts = append(ts, t)
		}
		return ts
	}
	l.fail([]string{key}, "want [[%s]] tables, got %s", key, typeName(v))
	return nil
}

func (l *loader) dashboard(doc map[string]any) *Dashboard {
	l.known(doc, nil, "title", "window", "columns", "feed", "panel")
	d := New()
	d.Title = l.str(doc, nil, "title")
	if v, ok := doc["window"]; ok {
		d.Window = l.window(v)
	}
	for i, t := range l.tables(doc, "feed") {
		d.Feeds = append(d.Feeds, l.feed(t, []string{"feed", index(i)}))
	}
	for i, t := range l.tables(doc, "panel") {
		d.Panels = append(d.Panels, l.panel(t, []string{"panel", index(i)}))
	}
	d.Columns = defaultColumns(len(d.Panels))
	if c := l.integer(doc, nil, "columns", int64(d.Columns)); c < 1 || c > MaxColumns {
		l.fail([]string{"columns"}, "%d columns: want 1 to %d", c, MaxColumns)
	} else {
		d.Columns = int(c)
	}
	return d
}

// defaultColumns is the grid of a file that sets none: two columns once
// there are several panels.
func defaultColumns(panels int) int {
	if panels > 1 {
		return 2
	}
	return 1
}

func (l *loader) window(v any) time.Duration {
	path := []string{"window"}
	s, ok := v.(string)
	if !ok {
		l.fail(path, `want "all" or a duration such as "5m", got %s`, typeName(v))
		return DefaultWindow
	}
	if strings.TrimSpace(s) == "all" {
		return WindowAll
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		l.fail(path, `%q: want "all" or a duration above zero such as "5m"`, s)
		return DefaultWindow
	}
	return d
}

// feedKeys are a [[feed]]'s keys, in the order Save writes them.
var feedKeys = []string{"name", "url", "transport", "interval", "hold", "heartbeat", "ping_text", "pong_text",
	"headers", "mqtt_username", "mqtt_password", "read_limit", "history", "time", "insecure_skip_verify"}

func (l *loader) feed(t map[string]any, path []string) Feed {
	l.known(t, path, feedKeys...)
	def := DefaultFeedSettings()
	f := Feed{Name: l.str(t, path, "name"), URL: l.str(t, path, "url")}
	if s := l.str(t, path, "transport"); s != "" {
		tr, err := feeds.ParseTransport(s)
		if err != nil {
			l.fail(at(path, "transport"), "unknown transport %q (want auto, poll, longpoll, ws, sse or mqtt)", s)
		}
		f.Transport = tr
	}
	f.Settings = FeedSettings{
		PollInterval:       l.duration(t, path, "interval", def.PollInterval),
		Hold:               l.duration(t, path, "hold", def.Hold),
		Heartbeat:          l.duration(t, path, "heartbeat", def.Heartbeat),
		PingText:           l.str(t, path, "ping_text"),
		PongText:           l.str(t, path, "pong_text"),
		Headers:            l.headers(t, path),
		MQTTUsername:       l.str(t, path, "mqtt_username"),
		MQTTPassword:       l.str(t, path, "mqtt_password"),
		ReadLimit:          l.integer(t, path, "read_limit", def.ReadLimit),
		History:            l.duration(t, path, "history", def.History),
		InsecureSkipVerify: l.boolean(t, path, "insecure_skip_verify"),
	}
	switch s := l.str(t, path, "time"); s {
	case "", "payload":
	case "arrival":
		f.Settings.ArrivalTime = true
	default:
		l.fail(at(path, "time"), "%q: want payload or arrival", s)
	}
	return f
}

// headers reads headers = { Name = "value", Other = ["v1", "v2"] } into
// "Name: value" lines, sorted by name (a table has no order of its own).
func (l *loader) headers(t map[string]any, path []string) []string {
	v, ok := t["headers"]
	if !ok {
		return nil
	}
	path = at(path, "headers")
	h, ok := v.(map[string]any)
	if !ok {
		l.fail(path, `want a table such as { Authorization = "Bearer ${TOKEN}" }, got %s`, typeName(v))
		return nil
	}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	var lines []string
	for _, name := range names {
		p := at(path, name)
		var values []string
		switch v := h[name].(type) {
		case string:
			values = []string{v}
		case []any:
			for _, e := range v {
				s, ok := e.(string)
				if !ok {
					l.fail(p, "want strings, got %s", typeName(e))
					continue
				}
				values = append(values, s)
			}
		default:
			l.fail(p, "want a string or an array of strings, got %s", typeName(v))
			continue
		}
		if err := checkHeaderName(name); err != nil {
			l.fail(p, "%v", err)
			continue
		}
		for _, val := range values {
			line := name + ": " + val
			if _, _, err := ParseHeader(line); err != nil {
				l.fail(p, "%v", err)
				continue
			}
			if strings.TrimSpace(val) != val {
				// The request would trim it, and the file would not
				// round-trip.
				l.fail(p, "the value starts or ends with a space")
				continue
			}
			lines = append(lines, line)
		}
	}
	return lines
}

func (l *loader) panel(t map[string]any, path []string) Panel {
	l.known(t, path, "title", "series", "unit", "y", "hidden", "thresholds", "no_data")
	p := Panel{Title: l.str(t, path, "title"), Unit: l.str(t, path, "unit")}
	if v, ok := t["series"]; ok {
		p.Series = l.seriesRefs(v, at(path, "series"))
	}
	if v, ok := t["hidden"]; ok {
		for j, e := range l.array(v, at(path, "hidden"), `["feed/series", "feed/other*"]`) {
			s, ok := e.(string)
			if !ok {
				l.fail(at(path, "hidden", index(j)), "want a pattern string, got %s", typeName(e))
				continue
			}
			p.Hidden = append(p.Hidden, s)
		}
	}
	if v, ok := t["y"]; ok {
		p.Y = l.yRange(v, at(path, "y"))
	}
	if v, ok := t["thresholds"]; ok {
		p.Thresholds = l.thresholds(v, at(path, "thresholds"))
	}
	p.NoData = l.duration(t, path, "no_data", 0)
	return p
}

// thresholds reads thresholds = [{ value = 2, colour = "orange", label =
// "...", dir = "above", shade = true, alarm = true, for = "30s",
// hysteresis = 0.2 }].
func (l *loader) thresholds(v any, path []string) []compute.Threshold {
	var ths []compute.Threshold
	for j, e := range l.array(v, path, `[{ value = 2, alarm = true }]`) {
		p := at(path, index(j))
		t, ok := e.(map[string]any)
		if !ok {
			l.fail(p, "want a table { value = 2, ... }, got %s", typeName(e))
			continue
		}
		l.known(t, p, "value", "colour", "label", "dir", "shade", "alarm", "for", "hysteresis")
		th := compute.Threshold{
			Colour: l.str(t, p, "colour"),
			Label:  l.str(t, p, "label"),
			Shade:  l.boolean(t, p, "shade"),
			Alarm:  l.boolean(t, p, "alarm"),
			For:    l.duration(t, p, "for", 0),
		}
		value, ok := l.number(t, p, "value")
		if !ok {
			continue
		}
		th.Value = value
		if _, ok := t["hysteresis"]; ok {
			th.Hysteresis, _ = l.number(t, p, "hysteresis")
		}
		if _, ok := t["dir"]; ok {
			dir, err := compute.ParseDirection(l.str(t, p, "dir"))
			if err != nil || strings.TrimSpace(l.str(t, p, "dir")) == "" {
				l.fail(at(p, "dir"), "want \"above\" or \"below\"")
			}
			th.Dir = dir
		}
		ths = append(ths, th)
	}
	return ths
}

func (l *loader) array(v any, path []string, example string) []any {
	a, ok := v.([]any)
	if !ok {
		l.fail(path, "want an array such as %s, got %s", example, typeName(v))
	}
	return a
}

// seriesRefs reads series = ["feed/glob", { match = "...", name = "...",
// unit = "...", fn = "..." }].
func (l *loader) seriesRefs(v any, path []string) []SeriesRef {
	var refs []SeriesRef
	for j, e := range l.array(v, path, `["feed/series*"]`) {
		p := at(path, index(j))
		switch e := e.(type) {
		case string:
			refs = append(refs, SeriesRef{Match: e})
		case map[string]any:
			l.known(e, p, "match", "name", "unit", "fn")
			r := SeriesRef{Match: l.str(e, p, "match"), Name: l.str(e, p, "name"), Unit: l.str(e, p, "unit"), Fn: l.str(e, p, "fn")}
			if _, ok := e["fn"]; ok && r.Fn == "" {
				l.fail(at(p, "fn"), "empty fn")
			}
			refs = append(refs, r)
		default:
			l.fail(p, `want a pattern string or a table { match = "..." }, got %s`, typeName(e))
		}
	}
	return refs
}

func (l *loader) yRange(v any, path []string) *YRange {
	t, ok := v.(map[string]any)
	if !ok {
		l.fail(path, "want a table { min = 0, max = 100 }, got %s", typeName(v))
		return nil
	}
	l.known(t, path, "min", "max")
	lo, ok1 := l.number(t, path, "min")
	hi, ok2 := l.number(t, path, "max")
	if !ok1 || !ok2 {
		return nil
	}
	if math.IsNaN(lo) || math.IsNaN(hi) {
		l.fail(path, "nan is not a limit")
		return nil
	}
	return &YRange{Min: lo, Max: hi}
}
