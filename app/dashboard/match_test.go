package dashboard

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var matchTests = []struct {
	pattern, name string
	want          bool
}{
	{"cpu", "cpu", true},
	{"cpu", "cpu2", false},
	{"cpu", "CPU", false},
	{"*", "", true},
	{"*", "plc/temp", true},
	{"plc/*", "plc/temp", true},
	{"plc/*", "plc/", true},
	{"plc/*", "plc2/temp", false},
	{"plc/*", `plc/node_filesystem_avail_bytes{mountpoint="/home"}`, true}, // '*' crosses '/'
	{"*/up", "node/up", true},
	{"*/up", "node/a/up", true},
	{"*/up", "node/upx", false},
	{"temp.*", "temp.a", true},
	{"temp.*", "tempxa", false}, // '.' is literal
	{"*load*", "node_load1", true},
	{"*load*", "node_lod1", false},
	{"node_load?", "node_load1", true},
	{"node_load?", "node_load15", false},
	{"node_load?", "node_load", false},
	{"?", "°", true}, // one character, not one byte
	{"??", "°", false},
	{"temp ?C", "temp °C", true},
	{"a*b*c", "abc", true},
	{"a*b*c", "aXbYbZc", true},
	{"a*b*c", "aXbYcZ", false},
	{"a*?", "a", false},
	{"a*?", "ab", true},
	{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	{`http_requests_total{code="200",method="get"}`, `http_requests_total{code="200",method="get"}`, true},
	{`http_requests_total{code="200",*}`, `http_requests_total{code="200",method="get"}`, true},
	{`http_requests_total{code="5??"*}`, `http_requests_total{code="503",method="get"}`, true},
	{`http_requests_total{code="5??"*}`, `http_requests_total{code="404",method="get"}`, false},
	{`x{a="\"q\""}`, `x{a="\"q\""}`, true}, // backslashes are literal
	{"items[0].v", "items[0].v", true},     // brackets are literal
	{"items[0].v", "items0.v", false},
	{"a**b", "ab", true},
	{"*x", "yx", true},
	{"*x", "xy", false},
}

func TestPatternMatch(t *testing.T) {
	for _, tc := range matchTests {
		p, err := CompilePattern(tc.pattern)
		if err != nil {
			t.Fatalf("CompilePattern(%q): %v", tc.pattern, err)
		}
		if got := p.Match(tc.name); got != tc.want {
			t.Errorf("%q matches %q: %v; want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
	for _, bad := range []string{"", "\xff"} {
		if _, err := CompilePattern(bad); err == nil {
			t.Errorf("CompilePattern(%q) accepted", bad)
		}
	}
}

func TestNamesFeed(t *testing.T) {
	tests := []struct {
		pattern, feed string
		want          bool
	}{
		{"plc/*", "plc", true},
		{"plc/temp", "plc", true},
		{"plc/temp", "node", false},
		{"plc", "plc", false}, // no series part
		{"plc/", "plc", true}, // the series named ""
		{"pl?/x", "plc", true},
		{"pl?/x", "plcc", false},
		{"p*", "plc", true},
		{"*", "plc", true},
		{"*/up", "plc", true},
		{"*up", "plc", true},
		{"temp", "plc", false},
		{"?", "plc", false},
		{"n*e/up", "node", true},
		{"n*e/up", "nod", true}, // "nod/e/up" is a series of nod
		{"n*e/up", "x", false},
		{"nodé/x", "nodé", true},
	}
	for _, tc := range tests {
		if got := MustCompilePattern(tc.pattern).namesFeed(tc.feed); got != tc.want {
			t.Errorf("%q names feed %q: %v; want %v", tc.pattern, tc.feed, got, tc.want)
		}
	}
}

func TestMatcher(t *testing.T) {
	m, err := NewMatcher([]string{"node/up", "node/*", "node/load1", "*/up", "plc/temp"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		i    int
		ok   bool
	}{
		{"node/up", 0, true},    // exact entry first
		{"node/load1", 1, true}, // the glob before the exact entry wins
		{"plc/up", 3, true},
		{"plc/temp", 4, true},
		{"plc/x", 0, false},
	}
	for _, tc := range tests {
		if i, ok := m.Match(tc.name); i != tc.i || ok != tc.ok {
			t.Errorf("Match(%q) = %d, %v; want %d, %v", tc.name, i, ok, tc.i, tc.ok)
		}
	}
	p := Panel{Series: []SeriesRef{{Match: "node/*"}}, Hidden: []string{"node/go_*"}}
	if !p.Shows("node/up") || p.Shows("node/go_threads") || p.Shows("plc/up") {
		t.Error("Panel.Shows ignores Series or Hidden")
	}
}

// globRegexp is the obvious translation of a pattern, as a reference.
func globRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String())
}

func FuzzPatternMatch(f *testing.F) {
	for _, tc := range matchTests {
		f.Add(tc.pattern, tc.name)
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(pattern) > 64 || len(name) > 256 {
			return
		}
		p, err := CompilePattern(pattern)
		if err != nil {
			if pattern != "" && utf8.ValidString(pattern) {
				t.Fatalf("CompilePattern(%q): %v", pattern, err)
			}
			return
		}
		if !utf8.ValidString(name) {
			p.Match(name) // must not panic; regexp's view of bad bytes differs
			return
		}
		if got, want := p.Match(name), globRegexp(pattern).MatchString(name); got != want {
			t.Fatalf("%q matches %q: %v; the reference says %v", pattern, name, got, want)
		}
		// namesFeed(f) means the pattern matches some "f/...": check with
		// a name it must then match, built from the pattern itself.
		if feed, _, ok := strings.Cut(name, "/"); ok && !strings.ContainsAny(feed, "*?") && p.Match(name) && !p.namesFeed(feed) {
			t.Fatalf("%q matches %q but does not name feed %q", pattern, name, feed)
		}
	})
}

func BenchmarkMatcher(b *testing.B) {
	var patterns []string
	for _, s := range []string{"node_load1", "node_load5", "node_load15", "node_memory_*", "*_seconds_total{*", "go_?c_*"} {
		patterns = append(patterns, "node/"+s)
	}
	m, err := NewMatcher(patterns)
	if err != nil {
		b.Fatal(err)
	}
	names := []string{"node/node_load5", "node/node_memory_MemFree_bytes", `node/node_cpu_seconds_total{cpu="0",mode="idle"}`,
		`node/node_filesystem_avail_bytes{device="/dev/sda1",mountpoint="/"}`, "plc/temp"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Match(names[i%len(names)])
	}
}
