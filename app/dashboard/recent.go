package dashboard

import (
	"path/filepath"
	"strings"
	"unicode"
)

// MaxRecent is how many files the Recent dashboards menu offers.
const MaxRecent = 10

// Ext is the extension of dashboard files.
const Ext = ".toml"

// AddRecent puts path first in the recent dashboards, cleaned and made
// absolute (so one file opened as ./a.toml and /home/me/a.toml appears
// once), without duplicates, at most MaxRecent. recent is not modified.
func AddRecent(recent []string, path string) []string {
	path = canonical(path)
	if path == "" {
		return recent
	}
	out := []string{path}
	for _, r := range recent {
		if canonical(r) != path && r != "" && len(out) < MaxRecent {
			out = append(out, r)
		}
	}
	return out
}

// RemoveRecent drops path from the recent dashboards (a file that no
// longer opens). recent is not modified.
func RemoveRecent(recent []string, path string) []string {
	path = canonical(path)
	var out []string
	for _, r := range recent {
		if canonical(r) != path {
			out = append(out, r)
		}
	}
	return out
}

func canonical(path string) string {
	if strings.TrimSpace(path) == "" {
		return ""
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// RecentLabels are menu labels for recent paths: the file name, with as
// many parent directories as it takes to tell apart files of the same
// name.
func RecentLabels(paths []string) []string {
	labels := make([]string, len(paths))
	for i, p := range paths {
		for n := 1; ; n++ {
			l := lastElems(p, n)
			unique := true
			for j, q := range paths {
				if j != i && filepath.Clean(q) != filepath.Clean(p) && lastElems(q, n) == l {
					unique = false
					break
				}
			}
			if unique || l == filepath.Clean(p) || n > 64 {
				labels[i] = l
				break
			}
		}
	}
	return labels
}

// lastElems is the last n elements of path.
func lastElems(path string, n int) string {
	path = filepath.Clean(path)
	parts := strings.Split(filepath.ToSlash(path), "/")
	if n < len(parts) {
		parts = parts[len(parts)-n:]
	}
	return filepath.FromSlash(strings.Join(parts, "/"))
}

// WithExt adds Ext to a path chosen in a save dialog that has no
// extension; a path with any extension is kept as the user typed it.
func WithExt(path string) string {
	if path == "" || filepath.Ext(path) != "" {
		return path
	}
	return path + Ext
}

// FileName proposes a file name for a dashboard titled title: "Line 3"
// becomes "Line 3.toml"; characters that are not safe in a file name
// on common systems become '-'; an empty title gives "dashboard.toml".
func FileName(title string) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || unicode.IsControl(r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(title))
	name = strings.Trim(name, ". ")
	if name == "" {
		name = "dashboard"
	}
	return name + Ext
}
