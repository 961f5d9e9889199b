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

// URLError is text that does not parse as a URL. URL is the text with its
// password hidden, and Reason is what url.Parse finds wrong with that
// redacted text, so neither can show the password (url.Parse's own errors
// quote the part they stumble on, which may be the password).
type URLError struct {
	URL    string
	Reason string
}

func (e *URLError) Error() string {
	return fmt.Sprintf("feeds: malformed URL %q: %s", e.URL, e.Reason)
}

func newURLError(raw string) *URLError {
	e := &URLError{
		URL:    RedactURL(raw),
		Reason: "the user name or password is not valid in a URL (write special characters as %XX)",
	}
	if _, err := url.Parse(e.URL); err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		e.Reason = err.Error()
	}
	return e
}

// ParseURL is url.Parse with an error, a *URLError, that never shows the
// URL's password.
func ParseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, newURLError(raw)
	}
	return u, nil
}

// RedactURL returns raw with the password of its user info replaced by
// "xxxxx", for messages, logs and errors. Text that does not parse as a
// URL is redacted too: everything from the colon after the user name to
// the last '@' is hidden, so that a password with stray characters in it
// (a '/', a bad escape: the likely reasons it does not parse) stays
// hidden. That may hide more than the password, never less.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Opaque == "" {
		if _, has := u.User.Password(); !has {
			return raw // as typed: nothing to hide
		}
		return u.Redacted()
	}
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + len("://")
	}
	at := strings.LastIndexByte(raw, '@')
	if at < start {
		return raw
	}
	colon := strings.IndexByte(raw[start:at], ':')
	if colon < 0 {
		return raw // a user name alone
	}
	return raw[:start+colon+1] + "xxxxx" + raw[at:]
}

// errStreamEnded is a clean end of an SSE stream or a WebSocket: the server
// hung up, which is a disconnect to recover from.
var errStreamEnded = errors.New("server closed the connection")

// isPermanent reports whether err is one that retrying cannot fix.
func isPermanent(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Permanent()
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
