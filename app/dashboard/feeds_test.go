package dashboard

import (
	"reflect"

	"testing"

	"feedscope/feeds"
)

func TestAddRemoveRenameFeed(t *testing.T) {
	d := FromSettings("ws://plc:1/", feeds.WebSocket, DefaultFeedSettings())
	d.Feeds[0].Name = "plc"
	d.Panels = []Panel{{Series: []SeriesRef{{Match: "temp*", Unit: "°C"}, {Match: "*"}}, Hidden: []string{"temp.debug"}}}
	node := Feed{Name: "node", URL: "http://node/metrics", Settings: DefaultFeedSettings()}
	if err := d.AddFeed(node); err != nil {
		t.Fatal(err)
	}
	want := []Panel{{Series: []SeriesRef{{Match: "plc/temp*", Unit: "°C"}, {Match: "plc/*"}}, Hidden: []string{"plc/temp.debug"}}}
	if !reflect.DeepEqual(d.Panels, want) {
		t.Fatalf("after adding a second feed: %+v; want %+v", d.Panels, want)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("after adding a feed: %v", err)
	}
	for _, bad := range []Feed{node, {Name: "a/b", URL: "http://h/"}} {
		if err := d.AddFeed(bad); err == nil {
			t.Errorf("AddFeed(%q) accepted", bad.Name)
		}
	}

	if err := d.AddFeed(Feed{Name: "x", URL: "http://x/", Settings: DefaultFeedSettings()}); err != nil {
		t.Fatal(err)
	}
	d.Panels[0].Series = append(d.Panels[0].Series, SeriesRef{Match: "x/load"}, SeriesRef{Match: "*/up", Name: "up"})
	if err := d.RenameFeed("plc", "line"); err != nil {
		t.Fatal(err)
	}
	want = []Panel{{Series: []SeriesRef{{Match: "line/temp*", Unit: "°C"}, {Match: "line/*"}, {Match: "x/load"}, {Match: "*/up", Name: "up"}},
		Hidden: []string{"line/temp.debug"}}}
	if !reflect.DeepEqual(d.Panels, want) {
		t.Fatalf("after renaming: %+v; want %+v", d.Panels, want)
	}
	// Three feeds to two: what names only x goes.
	if err := d.RemoveFeed("x"); err != nil {
		t.Fatal(err)
	}
	want[0].Series = slicesDelete(want[0].Series, 2)
	if !reflect.DeepEqual(d.Panels, want) {
		t.Fatalf("after removing x: %+v; want %+v", d.Panels, want)
	}
	// Two feeds to one: names lose the feed.
	if err := d.RemoveFeed("node"); err != nil {
		t.Fatal(err)
	}
	want = []Panel{{Series: []SeriesRef{{Match: "temp*", Unit: "°C"}, {Match: "*"}, {Match: "*/up", Name: "up"}, {Match: "up", Name: "up"}},
		Hidden: []string{"temp.debug"}}}
	if !reflect.DeepEqual(d.Panels, want) {
		t.Fatalf("after removing node: %+v; want %+v", d.Panels, want)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("after removing feeds: %v", err)
	}
	if err := d.RemoveFeed("nope"); err == nil {
		t.Error("removed a feed that is not there")
	}
}

func slicesDelete(s []SeriesRef, i int) []SeriesRef {
	return append(append([]SeriesRef(nil), s[:i]...), s[i+1:]...)
}

// without is checked against the definition: p' matches s exactly when p
// matches prefix+s.
func TestWithout(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{"plc/temp*", []string{"temp*"}},
		{"plc/*", []string{"*"}},
		{"*", []string{"*"}},
		{"*/up", []string{"*/up", "up"}},
		{"p?c/x", []string{"x"}},
		{"node/x", nil},
		{"plc", nil},
		{"pl*", []string{"*"}},
		{"*c/x*", []string{"*c/x*", "x*"}},
	}
	for _, tc := range tests {
		got := MustCompilePattern(tc.pattern).without("plc/")
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q without plc/ = %q; want %q", tc.pattern, got, tc.want)
		}
	}
}

func matchesAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if MustCompilePattern(p).Match(name) {
			return true
		}
	}
	return false
}

func FuzzWithout(f *testing.F) {
	f.Add("*/up", "a/up")
	f.Add("plc/temp*", "temp1")
	f.Add("p*?/x", "/x")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if len(pattern) > 32 || len(name) > 64 || name == "" {
			return
		}
		p, err := CompilePattern(pattern)
		if err != nil {
			return
		}
		d := p.without("plc/")
		if got, want := matchesAny(d, name), p.Match("plc/"+name); got != want {
			t.Fatalf("%q without plc/ = %q: matches %q %v; %q matches plc/%s %v", pattern, d, name, got, pattern, name, want)
		}
	})
}
