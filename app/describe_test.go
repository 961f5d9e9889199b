package app

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"feedscope/feeds"
)

func TestPlainErrorSaysWhatToDo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// A port that was just closed refuses connections.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var d net.Dialer
	_, refused := d.DialContext(ctx, "tcp", addr)
	if refused == nil {
		t.Fatalf("dial %s after closing it succeeded", addr)
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{refused, "nothing is listening at " + addr},
		{&net.DNSError{Name: "no.such.host", IsNotFound: true}, `unknown host name "no.such.host"`},
		{&feeds.StatusError{Code: 401}, "check the Authorization header"},
		{&feeds.StatusError{Code: 404}, "check the path"},
		{errors.New("feeds: malformed URL"), "malformed URL"},
	} {
		if got := plainError(tc.err); !strings.Contains(got, tc.want) || strings.HasPrefix(got, "feeds:") {
			t.Errorf("plainError(%v) = %q, want it to say %q", tc.err, got, tc.want)
		}
	}
	st := feeds.Status{State: feeds.Reconnecting, Transport: feeds.WebSocket, Attempt: 3, Delay: 1499 * time.Millisecond, Err: refused}
	if got := describeStatus(st); !strings.HasPrefix(got, "reconnecting (WebSocket) in 1.5s, attempt 3: nothing is listening") {
		t.Errorf("describeStatus = %q", got)
	}
}
