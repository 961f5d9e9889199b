package feeds

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// pollState is what a poller remembers between requests: the validators
// of the last 200, sent back so that the server can answer 304 or, for a
// server that keeps a message log, hand out the next message (the cursor).
type pollState struct {
	etag         string
	lastModified string
	// dateInCursor: the server listed If-Modified-Since in Vary, so its
	// cursor is the pair of validators (nchan's: Last-Modified is the
	// message's second, ETag its place within that second).
	dateInCursor bool
}

// setConditional adds the cursor to a request. If-Modified-Since goes
// only where the ETag cannot say it alone: when there is no ETag, or the
// server said it reads both. HTTP dates have whole seconds, so a server
// that judged by the date a request that also carries an ETag could
// answer 304 for a message published in the same second as the last one.
func (p pollState) setConditional(h http.Header) {
	if p.etag != "" {
		h.Set("If-None-Match", p.etag)
	}
	if p.lastModified != "" && (p.etag == "" || p.dateInCursor) {
		h.Set("If-Modified-Since", p.lastModified)
	}
}

// moved reports whether p is a cursor other than before: the server
// handed out something new.
func (p pollState) moved(before pollState) bool {
	return (p.etag != "" || p.lastModified != "") &&
		(p.etag != before.etag || p.lastModified != before.lastModified)
}

// varies reports whether a response's Vary lists header.
func varies(resp *http.Response, header string) bool {
	for _, v := range resp.Header.Values("Vary") {
		for _, name := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(name), header) {
				return true
			}
		}
	}
	return false
}

const pollAccept = "application/json, text/plain;q=0.9, */*;q=0.8"

// runPoll polls until a request fails or ctx ends. The first request goes
// out at next. Requests never overlap: the next tick is counted from the
// start of the previous request, and ticks that pass while a slow server
// answers are skipped rather than queued.
func (s *supervisor) runPoll(ctx context.Context, next time.Time) error {
	interval := s.cfg.pollInterval()
	for {
		if err := s.waitUntil(ctx, next); err != nil {
			return err
		}
		start := s.clk.Now()
		if err := s.pollOnce(ctx); err != nil {
			return err
		}
		next = start.Add(interval)
		if now := s.clk.Now(); next.Before(now) {
			// Skip the ticks that passed during a slow request: the next
			// poll goes out on the first tick from now.
			ticks := (now.Sub(start) + interval - 1) / interval
			next = start.Add(ticks * interval)
		}
	}
}

// waitUntil waits on the supervisor's clock until t (at once when t has
// passed), or returns ctx's error when ctx ends first.
func (s *supervisor) waitUntil(ctx context.Context, t time.Time) error {
	wait := t.Sub(s.clk.Now())
	if wait <= 0 {
		return nil
	}
	fire, stop := s.clk.After(wait)
	select {
	case <-ctx.Done():
		stop()
		return ctx.Err()
	case <-fire:
		return nil
	}
}

func (s *supervisor) pollOnce(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(ctx, s.cfg.requestTimeout())
	defer cancel()
	req, err := s.newRequest(rctx, pollAccept)
	if err != nil {
		return err
	}
	s.poll.setConditional(req.Header)
	resp, err := s.client.Do(req)
	if err != nil {
		return s.wrapNetErr("poll", err)
	}
	return s.takePoll(resp)
}

// newRequest is a GET of the feed's http URL with the user's headers.
func (s *supervisor) newRequest(ctx context.Context, accept string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.pollURL, nil)
	if err != nil {
		return nil, malformedURL(err)
	}
	for k, vs := range s.cfg.Header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", accept)
	}
	return req, nil
}

// takePoll consumes one poll response: a 200 body is one message, a 304
// is "nothing new", anything else an error. It closes the body.
func (s *supervisor) takePoll(resp *http.Response) error {
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		s.markConnected()
		s.lively = true
		return nil
	case http.StatusOK:
	default:
		// Drain a little so the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return statusError(resp, s.clk)
	}
	body, err := readLimited(resp.Body, s.cfg.readLimit())
	if err != nil {
		return s.wrapNetErr("poll", err)
	}
	s.poll = pollState{
		etag:         resp.Header.Get("ETag"),
		lastModified: resp.Header.Get("Last-Modified"),
		dateInCursor: varies(resp, "If-Modified-Since"),
	}
	s.markConnected()
	if len(body) > 0 {
		s.emitMessage(Message{Data: body, ContentType: resp.Header.Get("Content-Type"), Time: s.clk.Now()})
	}
	return nil
}

// ErrTooLarge is a message larger than Config.ReadLimit.
type ErrTooLarge struct{ Limit int64 }

func (e *ErrTooLarge) Error() string {
	return fmt.Sprintf("message larger than the read limit (%d bytes)", e.Limit)
}

// readLimited reads all of r, failing once it passes limit bytes, so a body
// that never ends costs at most limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &ErrTooLarge{Limit: limit}
	}
	return b, nil
}

// runAuto decides the transport of an http(s) URL from the first
// response: text/event-stream means SSE, anything else polling. The
// decision sticks for the rest of the run. An event stream is read on the
// response that revealed it: a second request would lose what the server
// sent first, which a server without replay never sends again.
func (s *supervisor) runAuto(ctx context.Context) error {
	// The probe may become a stream that lasts for days, so its context
	// has no deadline; a timer bounds it for as long as it is a probe.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	timeout := s.cfg.requestTimeout()
	var timedOut atomic.Bool
	probe := time.AfterFunc(timeout, func() { timedOut.Store(true); cancel() })
	defer probe.Stop()
	timeoutErr := func() error {
		return fmt.Errorf("connect %s: no answer within %v (timeout): %w", s.url.Host, timeout, context.DeadlineExceeded)
	}
	req, err := s.newSSERequest(pctx, "text/event-stream, "+pollAccept)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if timedOut.Load() {
			return timeoutErr()
		}
		return s.wrapNetErr("connect", err)
	}
	if resp.StatusCode == http.StatusOK && isEventStream(resp.Header.Get("Content-Type")) {
		if !probe.Stop() {
			resp.Body.Close()
			return timeoutErr()
		}
		s.transport = SSE
		return s.readSSE(resp, cancel)
	}
	if wantsWebSocket(resp) {
		// A WebSocket endpoint answering a plain GET (gorilla/websocket says
		// 400 with Sec-WebSocket-Version; RFC 6455 servers may say 426).
		resp.Body.Close()
		s.transport = WebSocket
		return s.runWS(ctx)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotModified {
		resp.Body.Close()
		return statusError(resp, s.clk)
	}
	s.transport = Poll
	start := s.clk.Now()
	if err := s.takePoll(resp); err != nil {
		if timedOut.Load() {
			return timeoutErr()
		}
		return err
	}
	probe.Stop()
	cancel()
	return s.runPoll(ctx, start.Add(s.cfg.pollInterval()))
}

// wantsWebSocket reports whether resp refuses a plain GET because the
// endpoint speaks only WebSocket.
func wantsWebSocket(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusUpgradeRequired:
		return true
	case http.StatusBadRequest:
		return resp.Header.Get("Sec-WebSocket-Version") != "" ||
			strings.EqualFold(resp.Header.Get("Upgrade"), "websocket")
	}
	return false
}

func isEventStream(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "text/event-stream"
}
