// Package urlsafe shows URLs without their passwords. It is a leaf (it
// imports only the standard library) so that the feeds package and the
// hub, which feeds' tests run against, can both use it.
package urlsafe

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Error is text that does not parse as a URL. URL is the text with its
// password hidden, and Reason is what url.Parse finds wrong with that
// redacted text, so neither can show the password (url.Parse's own errors
// quote the part they stumble on, which may be the password).
type Error struct {
	URL    string
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("feeds: malformed URL %q: %s", e.URL, e.Reason)
}

// NewError is the *Error for raw, which does not parse as a URL.
func NewError(raw string) *Error {
	e := &Error{
		URL:    Redact(raw),
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

// Parse is url.Parse with an error, an *Error, that never shows the URL's
// password.
func Parse(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, NewError(raw)
	}
	return u, nil
}

// Redact returns raw with the password of its user info replaced by
// "xxxxx", for messages, logs and errors. Text that does not parse as a
// URL is redacted too: everything from the colon after the user name to
// the last '@' is hidden, so that a password with stray characters in it
// (a '/', a bad escape: the likely reasons it does not parse) stays
// hidden. That may hide more than the password, never less.
func Redact(raw string) string {
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
