package dashboard

import (
	"fmt"
	"slices"
	"strings"
)

// The series of a one-feed dashboard have bare names and those of a
// dashboard with several feeds are named feed/series, so adding, removing
// or renaming a feed rewrites the panels' patterns (series and hidden) to
// keep them showing the same series of the feeds that remain.

// AddFeed adds f to d. When d had one feed, every pattern gets that feed's
// name in front ("temp*" becomes "plc/temp*").
func (d *Dashboard) AddFeed(f Feed) error {
	if err := checkFeedName(f.Name); err != nil {
		return err
	}
	if _, dup := d.Feed(f.Name); dup {
		return fmt.Errorf("feed %q is already defined", f.Name)
	}
	if len(d.Feeds) >= MaxFeeds {
		return fmt.Errorf("a dashboard holds at most %d feeds", MaxFeeds)
	}
	if len(d.Feeds) == 1 {
		first := d.Feeds[0].Name
		d.rewrite(func(p Pattern) []string { return []string{first + "/" + p.String()} })
	}
	d.Feeds = append(d.Feeds, f)
	return nil
}

// RemoveFeed removes the feed named name. Patterns that can match only
// its series are dropped; when one feed is left, the others lose that
// feed's name ("plc/temp*" becomes "temp*"; "*/up" becomes "*/up" and
// "up", the two ways a name of plc could end in /up).
func (d *Dashboard) RemoveFeed(name string) error {
	i := slices.IndexFunc(d.Feeds, func(f Feed) bool { return f.Name == name })
	if i < 0 {
		return fmt.Errorf("no feed %q", name)
	}
	d.Feeds = slices.Delete(d.Feeds, i, i+1)
	switch len(d.Feeds) {
	case 0:
		// Nothing to name: keep the patterns for the next feed.
	case 1:
		only := d.Feeds[0].Name
		d.rewrite(func(p Pattern) []string { return p.without(only + "/") })
	default:
		d.rewrite(func(p Pattern) []string {
			for _, f := range d.Feeds {
				if p.namesFeed(f.Name) {
					return []string{p.String()}
				}
			}
			return nil
		})
	}
	return nil
}

// RenameFeed renames a feed; patterns that start with "old/" start with
// "new/" instead (others, such as "*/up", match the new name as they
// did the old one, or never named it alone).
func (d *Dashboard) RenameFeed(old, newName string) error {
	i := slices.IndexFunc(d.Feeds, func(f Feed) bool { return f.Name == old })
	if i < 0 {
		return fmt.Errorf("no feed %q", old)
	}
	if old == newName {
		return nil
	}
	if err := checkFeedName(newName); err != nil {
		return err
	}
	if _, dup := d.Feed(newName); dup {
		return fmt.Errorf("feed %q is already defined", newName)
	}
	d.Feeds[i].Name = newName
	if d.Qualified() {
		d.rewrite(func(p Pattern) []string {
			if rest, ok := strings.CutPrefix(p.String(), old+"/"); ok {
				return []string{newName + "/" + rest}
			}
			return []string{p.String()}
		})
	}
	return nil
}

// rewrite replaces every pattern of every panel by what f makes of it
// (none drops it; a series entry made several keeps its name, unit and fn
// on each). Invalid patterns, which f cannot judge, are kept as they are.
func (d *Dashboard) rewrite(f func(Pattern) []string) {
	apply := func(s string) []string {
		p, err := CompilePattern(s)
		if err != nil {
			return []string{s}
		}
		return f(p)
	}
	for i := range d.Panels {
		pn := &d.Panels[i]
		var series []SeriesRef
		for _, r := range pn.Series {
			for _, m := range apply(r.Match) {
				r.Match = m
				series = append(series, r)
			}
		}
		pn.Series = series
		var hidden []string
		for _, h := range pn.Hidden {
			hidden = append(hidden, apply(h)...)
		}
		pn.Hidden = hidden
	}
}
