package feeds

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"feedscope/feeds/urlsafe"
)

// StatusError is an HTTP response the feed could not use: a poll or SSE
// request, or a WebSocket handshake, answered with an unexpected status.
type StatusError struct {
	Code int
	// RetryAfter is the server's Retry-After (429 and 503), zero when
	// absent.
	RetryAfter time.Duration
	// Detail says more where the status alone would mislead, e.g. a 200
	// with HTML in answer to a WebSocket handshake.
	Detail string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("server answered %d %s", e.Code, http.StatusText(e.Code))
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Permanent reports whether retrying cannot help: the server refused us
// (401, 403) or the resource is not there (404, 410).
func (e *StatusError) Permanent() bool {
	switch e.Code {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
		return true
	}
	return false
}

func statusError(resp *http.Response, clk clock) *StatusError {
	e := &StatusError{Code: resp.StatusCode}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), clk.Now())
	}
	return e
}

// maxRetryAfter bounds what a server can ask for, so that a typo on the
// server cannot park the feed for a day.
const maxRetryAfter = time.Hour

// parseRetryAfter reads delay-seconds or an HTTP-date (RFC 9110 10.2.3).
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d < 0 {
		return 0
	}
	return min(d, maxRetryAfter)
}

// ConfigError is a feed that cannot start as described (a malformed URL,
// an unsupported scheme).
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

// malformedURL reports a URL that does not parse, without its password:
// url.Error repeats the whole URL, password and all.
func malformedURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return &ConfigError{Msg: fmt.Sprintf("feeds: malformed URL: %v", err)}
	}
	return &ConfigError{Msg: newURLError(ue.URL).Error()}
}

// URLError is text that does not parse as a URL, shown without its
// password (see urlsafe.Error).
type URLError = urlsafe.Error

func newURLError(raw string) *URLError { return urlsafe.NewError(raw) }

// ParseURL is url.Parse with an error, a *URLError, that never shows the
// URL's password.
func ParseURL(raw string) (*url.URL, error) { return urlsafe.Parse(raw) }

// RedactURL returns raw with the password of its user info replaced by
// "xxxxx", for messages, logs and errors; text that does not parse as a
// URL is redacted too (see urlsafe.Redact).
func RedactURL(raw string) string { return urlsafe.Redact(raw) }

// errStreamEnded is a clean end of an SSE stream or a WebSocket: the server
// hung up, which is a disconnect to recover from.
var errStreamEnded = errors.New("server closed the connection")

// isPermanent reports whether err is one that retrying cannot fix.
func isPermanent(err error) bool {
	// StatusError, MQTTRefusedError, MQTTSubscribeError.
	var pe interface{ Permanent() bool }
	if errors.As(err, &pe) {
		return pe.Permanent()
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		return true
	}
	return isCertError(err)
}

func isCertError(err error) bool {
	var (
		unknown   x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostname  x509.HostnameError
		verifyErr *tls.CertificateVerificationError
	)
	return errors.As(err, &unknown) || errors.As(err, &invalid) ||
		errors.As(err, &hostname) || errors.As(err, &verifyErr)
}

// retryHint is the delay the server asked for, when it did.
func retryHint(err error) time.Duration {
	var se *StatusError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// redact returns u without its password, for messages and errors.
func redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Redacted()
}
