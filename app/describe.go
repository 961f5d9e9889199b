package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"feedscope/feeds"
)

// plainError says what went wrong in words a user can act on. feeds'
// errors never carry header values or URL passwords, and neither does
// anything added here.
func plainError(err error) string {
	if err == nil {
		return ""
	}
	msg := strings.TrimPrefix(err.Error(), "feeds: ")
	var (
		dnsErr *net.DNSError
		opErr  *net.OpError
		netErr net.Error
		se     *feeds.StatusError
	)
	switch {
	case errors.As(err, &se):
		switch {
		case se.Code == 401 || se.Code == 403:
			msg += " (check the Authorization header in Settings)"
		case se.Code == 404:
			msg += " (check the path of the URL)"
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		if errors.As(err, &opErr) && opErr.Addr != nil {
			return "nothing is listening at " + opErr.Addr.String() + " (connection refused): is the server running?"
		}
		msg += " (is the server running?)"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "unknown host name " + strconv.Quote(dnsErr.Name)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		msg += " (the server did not answer in time)"
	}
	return msg
}

// describeStatus is one line about a state change, for record's stderr
// and the message log.
func describeStatus(st feeds.Status) string {
	tr := ""
	if st.Transport != feeds.Auto {
		tr = " (" + st.Transport.Title() + ")"
	}
	switch st.State {
	case feeds.Reconnecting:
		return fmt.Sprintf("reconnecting%s in %s, attempt %d: %s", tr, roundDuration(st.Delay), st.Attempt, plainError(st.Err))
	case feeds.Stopped:
		if st.Err != nil {
			return fmt.Sprintf("stopped%s: %s", tr, plainError(st.Err))
		}
		return "stopped" + tr
	}
	return strings.ToLower(st.State.String()) + tr
}

// roundDuration keeps a delay readable: 1.5s, not 1.498267331s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
