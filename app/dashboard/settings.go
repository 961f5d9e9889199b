package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"feedscope/feeds"
)

// FeedSettings are a feed's options besides its URL and transport: what
// the window's Settings dialog edits, what record's flags set, and what a
// dashboard file keeps per feed. The zero value is not valid: start from
// DefaultFeedSettings.
type FeedSettings struct {
	// PollInterval is the time between polls (Polling transport).
	PollInterval time.Duration
	// Hold is how long a long-polling request may wait at the server
	// (sent as Prefer: wait=N).
	Hold time.Duration
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
	MinPollInterval = 10 * time.Millisecond
	MaxPollInterval = 24 * time.Hour
	MinHold         = time.Second
	MaxHold         = 10 * time.Minute
	MinHeartbeat    = 100 * time.Millisecond
	MaxHeartbeat    = time.Hour
	MinReadLimit    = 1 << 10
	MaxReadLimit    = 256 << 20
	MinHistory      = 10 * time.Second
	MaxHistory      = 7 * 24 * time.Hour
)

// DefaultFeedSettings are the settings of a first launch, and of a
// dashboard feed that sets nothing.
func DefaultFeedSettings() FeedSettings {
	return FeedSettings{
		PollInterval: feeds.DefaultPollInterval,
		Hold:         feeds.DefaultHold,
		Heartbeat:    feeds.DefaultHeartbeat,
		ReadLimit:    feeds.DefaultReadLimit,
		History:      time.Hour,
	}
}

// settingProblem is one setting out of range. field names the FeedSettings
// field, so that a dashboard file can point at the key that holds it.
type settingProblem struct {
	field string
	msg   string
}

// problems lists every setting out of range.
func (s FeedSettings) problems() []settingProblem {
	var ps []settingProblem
	add := func(field, format string, args ...any) {
		ps = append(ps, settingProblem{field, fmt.Sprintf(format, args...)})
	}
	if s.PollInterval < MinPollInterval || s.PollInterval > MaxPollInterval {
		add("PollInterval", "poll interval %v: want %v to %v", s.PollInterval, MinPollInterval, MaxPollInterval)
	}
	if s.Hold < MinHold || s.Hold > MaxHold {
		add("Hold", "long-poll hold %v: want %v to %v", s.Hold, MinHold, MaxHold)
	}
	if s.Heartbeat < MinHeartbeat || s.Heartbeat > MaxHeartbeat {
		add("Heartbeat", "heartbeat %v: want %v to %v", s.Heartbeat, MinHeartbeat, MaxHeartbeat)
	}
	if s.ReadLimit < MinReadLimit || s.ReadLimit > MaxReadLimit {
		add("ReadLimit", "read limit %d bytes: want %d to %d", s.ReadLimit, MinReadLimit, MaxReadLimit)
	}
	if s.History < MinHistory || s.History > MaxHistory {
		add("History", "history %v: want %v to %v", s.History, MinHistory, MaxHistory)
	}
	if s.PongText != "" && s.PingText == "" {
		add("PongText", "a pong text needs a ping text")
	}
	if _, err := parseHeaders(s.Headers); err != nil {
		add("Headers", "%s", err.Error())
	}
	if s.MQTTPassword != "" && s.MQTTUsername == "" {
		add("MQTTPassword", "an MQTT password needs a user name")
	}
	return ps
}

// Validate reports every setting out of range, in one error.
func (s FeedSettings) Validate() error {
	ps := s.problems()
	if len(ps) == 0 {
		return nil
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.msg
	}
	return errors.New(strings.Join(msgs, "; "))
}

// Config is the feeds.Config for url and transport under s. Header values
// are sent as written: Feed.Config is the one that expands ${ENV}
// references.
func (s FeedSettings) Config(url string, t feeds.Transport) (feeds.Config, error) {
	if err := s.Validate(); err != nil {
		return feeds.Config{}, err
	}
	h, _ := parseHeaders(s.Headers)
	return feeds.Config{
		URL:                url,
		Transport:          t,
		Header:             h,
		PollInterval:       s.PollInterval,
		Hold:               s.Hold,
		Heartbeat:          s.Heartbeat,
		PingText:           s.PingText,
		PongText:           s.PongText,
		MQTTUsername:       s.MQTTUsername,
		MQTTPassword:       s.MQTTPassword,
		ReadLimit:          s.ReadLimit,
		InsecureSkipVerify: s.InsecureSkipVerify,
	}, nil
}

// TimeSource is the decoder's time source under s.
func (s FeedSettings) TimeSource() feeds.TimeSource {
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
		name, value, err := ParseHeader(line)
		if err != nil {
			return nil, fmt.Errorf("header line %d: %w", i+1, err)
		}
		h.Add(name, value)
	}
	return h, nil
}

// ParseHeader splits one "Name: value" line and returns the name in its
// canonical form (Authorization). The error never quotes the value, which
// may be a password.
func ParseHeader(line string) (name, value string, err error) {
	name, value, ok := strings.Cut(line, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", "", errors.New(`want "Name: value"`)
	}
	if err := checkHeaderName(name); err != nil {
		return "", "", err
	}
	value = strings.TrimSpace(value)
	if strings.ContainsAny(value, "\r\n\x00") {
		return "", "", fmt.Errorf("the value of %s contains a line break", name)
	}
	return textproto.CanonicalMIMEHeaderKey(name), value, nil
}

// checkHeaderName accepts an RFC 9110 token.
func checkHeaderName(name string) error {
	if name == "" {
		return errors.New("empty header name")
	}
	for _, c := range []byte(name) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return fmt.Errorf("%q is not a valid header name", name)
		}
	}
	return nil
}
