package app

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"feedscope/app/dashboard"
	"feedscope/feeds"
)

// Preference keys. Settings are written when the user saves them, and read
// with the WithFallback getters so that a missing or damaged key means the
// default.
const (
	prefURL          = "url"
	prefTransport    = "transport"
	prefRecent       = "recentURLs"
	prefPollInterval = "pollInterval"
	prefHold         = "longPollHold"
	prefHeartbeat    = "heartbeat"
	prefPingText     = "pingText"
	prefPongText     = "pongText"
	prefHeaders      = "headers"
	prefMQTTUser     = "mqttUsername"
	prefMQTTPassword = "mqttPassword"
	prefReadLimit    = "readLimit"
	prefHistory      = "history"
	prefArrivalTime  = "arrivalTime"
	prefInsecure     = "insecureSkipVerify"
	prefWindow       = "chartWindow"
	prefShowLog      = "showMessageLog"
	prefTheme        = "theme"
)

// maxRecent is how many URLs the URL field offers.
const maxRecent = 10

func loadSettings(p fyne.Preferences) Settings {
	d := DefaultSettings()
	s := Settings{
		PollInterval:       prefDuration(p, prefPollInterval, d.PollInterval),
		Hold:               prefDuration(p, prefHold, d.Hold),
		Heartbeat:          prefDuration(p, prefHeartbeat, d.Heartbeat),
		PingText:           p.StringWithFallback(prefPingText, d.PingText),
		PongText:           p.StringWithFallback(prefPongText, d.PongText),
		Headers:            p.StringListWithFallback(prefHeaders, d.Headers),
		MQTTUsername:       p.StringWithFallback(prefMQTTUser, d.MQTTUsername),
		MQTTPassword:       p.StringWithFallback(prefMQTTPassword, d.MQTTPassword),
		ReadLimit:          int64(p.IntWithFallback(prefReadLimit, int(d.ReadLimit))),
		History:            prefDuration(p, prefHistory, d.History),
		ArrivalTime:        p.BoolWithFallback(prefArrivalTime, d.ArrivalTime),
		InsecureSkipVerify: p.BoolWithFallback(prefInsecure, d.InsecureSkipVerify),
	}
	if s.Validate() != nil {
		// A hand-edited or older preferences file: start from the
		// defaults rather than from something that cannot connect.
		return d
	}
	return s
}

func saveSettings(p fyne.Preferences, s Settings) {
	p.SetString(prefPollInterval, dashboard.FormatDuration(s.PollInterval))
	p.SetString(prefHold, dashboard.FormatDuration(s.Hold))
	p.SetString(prefHeartbeat, dashboard.FormatDuration(s.Heartbeat))
	p.SetString(prefPingText, s.PingText)
	p.SetString(prefPongText, s.PongText)
	p.SetStringList(prefHeaders, s.Headers)
	p.SetString(prefMQTTUser, s.MQTTUsername)
	p.SetString(prefMQTTPassword, s.MQTTPassword)
	p.SetInt(prefReadLimit, int(s.ReadLimit))
	p.SetString(prefHistory, dashboard.FormatDuration(s.History))
	p.SetBool(prefArrivalTime, s.ArrivalTime)
	p.SetBool(prefInsecure, s.InsecureSkipVerify)
}

func prefDuration(p fyne.Preferences, key string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(p.StringWithFallback(key, def.String()))
	if err != nil {
		return def
	}
	return d
}

func loadTransport(p fyne.Preferences) feeds.Transport {
	t, err := feeds.ParseTransport(p.StringWithFallback(prefTransport, "auto"))
	if err != nil {
		return feeds.Auto
	}
	return t
}

// addRecent puts u first in the recent URLs, without duplicates, at most
// maxRecent.
func addRecent(recent []string, u string) []string {
	u = strings.TrimSpace(u)
	if u == "" {
		return recent
	}
	out := []string{u}
	for _, r := range recent {
		if r != u && len(out) < maxRecent {
			out = append(out, r)
		}
	}
	return out
}
