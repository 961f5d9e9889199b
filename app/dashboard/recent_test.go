package dashboard

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

func TestAddRecent(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	var recent []string
	for i := range 12 {
		recent = AddRecent(recent, p(fmt.Sprintf("d%d.toml", i)))
	}
	if len(recent) != MaxRecent || recent[0] != p("d11.toml") || recent[MaxRecent-1] != p("d2.toml") {
		t.Errorf("after 12 files: %q; want the last %d, newest first", recent, MaxRecent)
	}
	// The same file under another spelling moves to the top, once.
	again := AddRecent(recent, filepath.Join(dir, "sub", "..", "d5.toml"))
	if again[0] != p("d5.toml") || len(again) != MaxRecent || count(again, p("d5.toml")) != 1 {
		t.Errorf("re-adding d5: %q", again)
	}
	if recent[0] != p("d11.toml") {
		t.Error("AddRecent changed its argument")
	}
	if got := AddRecent(recent, "  "); !reflect.DeepEqual(got, recent) {
		t.Errorf("adding a blank path: %q", got)
	}
	rel := AddRecent(nil, "rel.toml")
	if !filepath.IsAbs(rel[0]) {
		t.Errorf("a relative path is kept relative: %q", rel[0])
	}
	// A list from elsewhere may spell a path differently.
	if got := AddRecent([]string{dir + "/x/../d1.toml"}, p("d1.toml")); len(got) != 1 {
		t.Errorf("the same file in two spellings is listed twice: %q", got)
	}
	removed := RemoveRecent(again, filepath.Join(dir, ".", "d5.toml"))
	if len(removed) != MaxRecent-1 || count(removed, p("d5.toml")) != 0 {
		t.Errorf("RemoveRecent: %q", removed)
	}
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

func TestRecentLabels(t *testing.T) {
	paths := []string{"/a/x/plant.toml", "/b/x/plant.toml", "/c/line.toml", "/c/y/line2.toml", "/d/plant.toml"}
	want := []string{
		filepath.FromSlash("a/x/plant.toml"),
		filepath.FromSlash("b/x/plant.toml"),
		"line.toml",
		"line2.toml",
		filepath.FromSlash("d/plant.toml"),
	}
	if got := RecentLabels(paths); !reflect.DeepEqual(got, want) {
		t.Errorf("RecentLabels = %q\nwant %q", got, want)
	}
	if got := RecentLabels([]string{"/same.toml", "/same.toml"}); got[0] != "same.toml" {
		t.Errorf("one path twice: %q", got)
	}
}

func TestFileNames(t *testing.T) {
	for title, want := range map[string]string{
		"Line 3":      "Line 3.toml",
		"":            "dashboard.toml",
		"a/b:c*?\"<>": "a-b-c-----.toml",
		" ..hidden ":  "hidden.toml",
		"..":          "dashboard.toml",
	} {
		if got := FileName(title); got != want {
			t.Errorf("FileName(%q) = %q; want %q", title, got, want)
		}
	}
	for in, want := range map[string]string{"a": "a.toml", "a.toml": "a.toml", "a.conf": "a.conf", "": ""} {
		if got := WithExt(in); got != want {
			t.Errorf("WithExt(%q) = %q; want %q", in, got, want)
		}
	}
}
