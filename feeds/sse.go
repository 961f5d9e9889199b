package feeds

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/r3labs/sse/v2"
	"gopkg.in/cenkalti/backoff.v1"
)

// sseFraming is room in the event buffer for the "data: " prefixes, id and
// event lines around an event whose data is ReadLimit bytes.
const sseFraming = 64 << 10

// maxServerRetry bounds the delay a retry: field can ask for.
const maxServerRetry = 10 * time.Minute

// runSSE reads one Server-Sent Events stream until it ends or fails.
//
// r3labs/sse frames the events and remembers Last-Event-ID; it does not own
// reconnection (see newSSEClient for why).
func (s *supervisor) runSSE(ctx context.Context) error {
	if s.sseClient == nil {
		s.sseClient = s.newSSEClient()
	}
	c := s.sseClient
	c.ResponseValidator = func(_ *sse.Client, resp *http.Response) error {
		// The library turns any non-200 into "could not connect to
		// stream: <status text>" and retries it like a network error; we
		// need the code to stop on 401/403/404 and honour Retry-After. A
		// validator must close the body itself when it fails.
		if resp.StatusCode != http.StatusOK {
			_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
			resp.Body.Close()
			return statusError(resp, s.clk)
		}
		if ct := resp.Header.Get("Content-Type"); !isEventStream(ct) {
			resp.Body.Close()
			return fmt.Errorf("SSE: server answered with Content-Type %q, not text/event-stream", ct)
		}
		// The library's OnConnect fires on the first event, not on the
		// response, and writes its Connected flag without a lock; we mark
		// the connection here instead and never set its callbacks.
		s.markConnected()
		return nil
	}
	err := c.SubscribeRawWithContext(ctx, s.onSSEEvent)
	switch {
	case err == nil:
		// A clean EOF returns nil and the library would stop there
		// (r3labs/sse#147): for a monitor it is a disconnect to recover from.
		return errStreamEnded
	case errors.Is(err, bufio.ErrTooLong):
		// One event must fit the scanner's buffer (r3labs/sse#97).
		return fmt.Errorf("SSE: %w", &ErrTooLarge{Limit: s.cfg.readLimit()})
	}
	return s.wrapNetErr("SSE", err)
}

func (s *supervisor) newSSEClient() *sse.Client {
	c := sse.NewClient(s.pollURL, sse.ClientMaxBufferSize(int(s.cfg.readLimit())+sseFraming))
	// Our client: no Client.Timeout (it would cut the stream), headers
	// bounded by ResponseHeaderTimeout, TLS as configured.
	c.Connection = s.client
	// One attempt per call. The library's default backoff gives up after
	// 15 minutes in total (r3labs/sse#68), is never reset after a good
	// connection (r3labs/sse PR #152) and ignores the context while it
	// waits (r3labs/sse#131); the supervisor owns reconnection.
	c.ReconnectStrategy = &backoff.StopBackOff{}
	for k, vs := range s.cfg.Header {
		sep := ", "
		if http.CanonicalHeaderKey(k) == "Cookie" {
			sep = "; "
		}
		c.Headers[k] = strings.Join(vs, sep)
	}
	return c
}

// onSSEEvent runs on the supervisor's goroutine: the library calls its
// handler from the goroutine that called SubscribeRawWithContext.
func (s *supervisor) onSSEEvent(ev *sse.Event) {
	if len(ev.Retry) > 0 {
		// The library parses retry: but never uses it for timing; it sets
		// our next reconnect delay.
		if ms, err := strconv.ParseInt(strings.TrimSpace(string(ev.Retry)), 10, 64); err == nil && ms >= 0 {
			s.serverRetry = min(time.Duration(ms)*time.Millisecond, maxServerRetry)
		}
	}
	if len(ev.Data) == 0 && len(ev.Event) == 0 {
		// Only id: or retry: — nothing to show.
		return
	}
	s.emitMessage(Message{
		Data:        ev.Data,
		Event:       string(ev.Event),
		ID:          string(ev.ID),
		ContentType: "text/event-stream",
		Time:        s.clk.Now(),
	})
}
