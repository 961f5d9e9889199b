package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"feedscope/feeds"
)

// Settings are the feed options a user can change in the Settings dialog
// (and on record's command line). The zero value is not valid: start from
// DefaultSettings.
type Settings struct {
	// PollInterval is the time between polls (Polling transport).
	PollInterval time.Duration
	// Heartbeat is the WebSocket ping interval; PingText/PongText add the
	// optional text heartbeat ("ping" answered by "pong").
	Heartbeat time.Duration
	PingText  string
	PongText  string
	// Headers are request headers, one "Name: value" a line
	// (Authorization, Cookie, ...). Their values are secrets: they are
	// never shown outside the Settings dialog.
	Headers []string
	// MQTTUsername and MQTTPassword log in to an MQTT broker whose URL
	// carries no user name. The password is a secret like the headers.
	MQTTUsername string
	MQTTPassword string
	// ReadLimit is the largest message accepted, in bytes.
	ReadLimit int64
	// History is how far back the chart keeps points.
	History time.Duration
	// ArrivalTime plots samples at their arrival time instead of a time
	// carried in the payload.
	ArrivalTime bool
	// InsecureSkipVerify turns off TLS certificate checks.
	InsecureSkipVerify bool
}

// Limits of the settings: wide enough for any real server, narrow enough
// that a typo cannot hammer a server or exhaust memory.
const (
	minPollInterval = 10 * time.Millisecond
	maxPollInterval = 24 * time.Hour
	minHeartbeat    = 100 * time.Millisecond
	maxHeartbeat    = time.Hour
	minReadLimit    = 1 << 10
	maxReadLimit    = 256 << 20
	minHistory      = 10 * time.Second
	maxHistory      = 7 * 24 * time.Hour
	// historyCapacity bounds the points kept per series whatever the
	// history length: 16 MiB per series at most.
	historyCapacity = 1_000_000
)

// DefaultSettings are the settings of a first launch.
func DefaultSettings() Settings {
	return Settings{
		PollInterval: feeds.DefaultPollInterval,
		Heartbeat:    feeds.DefaultHeartbeat,
		ReadLimit:    feeds.DefaultReadLimit,
		History:      time.Hour,
	}
}

// Validate reports every setting out of range, in one error.
func (s Settings) Validate() error {
	var problems []string
	if s.PollInterval < minPollInterval || s.PollInterval > maxPollInterval {
		problems = append(problems, fmt.Sprintf("poll interval %v: want %v to %v", s.PollInterval, minPollInterval, maxPollInterval))
	}
	if s.Heartbeat < minHeartbeat || s.Heartbeat > maxHeartbeat {
		problems = append(problems, fmt.Sprintf("heartbeat %v: want %v to %v", s.Heartbeat, minHeartbeat, maxHeartbeat))
	}
	if s.ReadLimit < minReadLimit || s.ReadLimit > maxReadLimit {
		problems = append(problems, fmt.Sprintf("read limit %d bytes: want %d to %d", s.ReadLimit, minReadLimit, maxReadLimit))
	}
	if s.History < minHistory || s.History > maxHistory {
		problems = append(problems, fmt.Sprintf("history %v: want %v to %v", s.History, minHistory, maxHistory))
	}
	if s.PongText != "" && s.PingText == "" {
		problems = append(problems, "a pong text needs a ping text")
	}
	if _, err := parseHeaders(s.Headers); err != nil {
		problems = append(problems, err.Error())
	}
	if s.MQTTPassword != "" && s.MQTTUsername == "" {
		problems = append(problems, "an MQTT password needs a user name")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// FeedConfig is the feeds.Config for url and transport under s.
func (s Settings) FeedConfig(url string, t feeds.Transport) (feeds.Config, error) {
	if err := s.Validate(); err != nil {
		return feeds.Config{}, err
	}
	h, _ := parseHeaders(s.Headers)
	return feeds.Config{
		URL:                url,
		Transport:          t,
		Header:             h,
		PollInterval:       s.PollInterval,
		Heartbeat:          s.Heartbeat,
		PingText:           s.PingText,
		PongText:           s.PongText,
		MQTTUsername:       s.MQTTUsername,
		MQTTPassword:       s.MQTTPassword,
		ReadLimit:          s.ReadLimit,
		InsecureSkipVerify: s.InsecureSkipVerify,
	}, nil
}

// timeSource is the decoder's time source under s.
func (s Settings) timeSource() feeds.TimeSource {
	if s.ArrivalTime {
		return feeds.ArrivalTime
	}
	return feeds.PayloadTime
}

// parseHeaders turns "Name: value" lines into a header. Blank lines are
// skipped. Errors name the line by its header name only, never its value.
func parseHeaders(lines []string) (http.Header, error) {
	h := http.Header{}
	for i, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, err := parseHeader(line)
		if err != nil {
			return nil, fmt.Errorf("header line %d: %w", i+1, err)
		}
		h.Add(name, value)
	}
	return h, nil
}

// parseHeader splits one "Name: value" line. The error never quotes the
// value, which may be a password.
func parseHeader(line string) (name, value string, err error) {
	name, value, ok := strings.Cut(line, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", "", errors.New(`want "Name: value"`)
	}
	for _, c := range []byte(name) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return "", "", fmt.Errorf("%q is not a valid header name", name)
		}
	}
	value = strings.TrimSpace(value)
	if strings.ContainsAny(value, "\r\n\x00") {
		return "", "", fmt.Errorf("the value of %s contains a line break", name)
	}
	return textproto.CanonicalMIMEHeaderKey(name), value, nil
}
