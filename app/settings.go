package app

import (
	"feedscope/app/dashboard"
	"feedscope/feeds"
)

// Settings are the feed options a user can change in the Settings dialog
// (and on record's command line). They are a dashboard feed's settings
// (dashboard.FeedSettings, which holds the fields, their limits and the
// mapping to feeds.Config), so the window, the commands and dashboard
// files agree on them. The zero value is not valid: start from
// DefaultSettings.
type Settings dashboard.FeedSettings

// Limits the window uses; dashboard holds the others.
const (
	maxReadLimit = dashboard.MaxReadLimit
	minHistory   = dashboard.MinHistory
	// historyCapacity bounds the points kept per series whatever the
	// history length: 16 MiB per series at most.
	historyCapacity = 1_000_000
)

// DefaultSettings are the settings of a first launch.
func DefaultSettings() Settings { return Settings(dashboard.DefaultFeedSettings()) }

// Validate reports every setting out of range, in one error.
func (s Settings) Validate() error { return dashboard.FeedSettings(s).Validate() }

// FeedConfig is the feeds.Config for url and transport under s.
func (s Settings) FeedConfig(url string, t feeds.Transport) (feeds.Config, error) {
	return dashboard.FeedSettings(s).Config(url, t)
}

// timeSource is the decoder's time source under s.
func (s Settings) timeSource() feeds.TimeSource { return dashboard.FeedSettings(s).TimeSource() }

// parseHeader splits one "Name: value" line; the error never quotes the
// value.
func parseHeader(line string) (name, value string, err error) { return dashboard.ParseHeader(line) }
