package feeds

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// runLongPoll long-polls until a request fails or ctx ends: one GET after
// another, never two at once, each asking the server to hold it for up to
// the hold (Prefer: wait=N, RFC 7240) until it has something new. The
// cursor travels in the conditional headers exactly as for polling, so a
// server that keeps a message log (nchan's long-poll subscriber, the hub's
// /poll) hands out every message once, in order, across reconnects.
//
// A response that moved the cursor is followed by the next request at
// once. "Nothing new" — 304, 204, 408 or the request timing out — is not
// a failure, but the next request waits until a poll interval has passed
// since the previous one started: a server that answers at once instead
// of holding is then polled like a polling server, never hammered.
func (s *supervisor) runLongPoll(ctx context.Context) error {
	// A held request waits for its response headers far longer than the
	// shared transport's ResponseHeaderTimeout allows: here the request's
	// own context (hold plus a margin) bounds it instead.
	tr := s.httpTr.Clone()
	tr.ResponseHeaderTimeout = 0
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: s.client.CheckRedirect}

	interval := s.cfg.pollInterval()
	var next time.Time
	for {
		if err := s.waitUntil(ctx, next); err != nil {
			return err
		}
		start := s.clk.Now()
		moved, err := s.longPollOnce(ctx, client)
		if err != nil {
			return err
		}
		next = start
		if !moved {
			next = start.Add(interval)
		}
	}
}

// longPollOnce makes one long-poll request and reports whether it moved
// the cursor.
func (s *supervisor) longPollOnce(ctx context.Context, client *http.Client) (moved bool, err error) {
	hold := s.cfg.hold()
	// The margin is what a poll may take when it is not held.
	rctx, cancel := context.WithTimeout(ctx, hold+s.cfg.requestTimeout())
	defer cancel()
	req, err := s.newRequest(rctx, pollAccept)
	if err != nil {
		return false, err
	}
	s.poll.setConditional(req.Header)
	req.Header.Add("Prefer", "wait="+strconv.FormatInt(int64((hold+time.Second-1)/time.Second), 10))

	// timedOut: the hold plus the margin passed with no answer, which a
	// server that holds longer than asked (or one behind a proxy that
	// buffers) may do. Nothing was lost: the cursor is unchanged.
	timedOut := func() bool {
		return ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded)
	}
	resp, err := client.Do(req)
	if err != nil {
		if timedOut() {
			return false, nil
		}
		return false, s.wrapNetErr("long poll", err)
	}
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusRequestTimeout:
		// 204: nothing yet; 408: the server's own hold ended (nchan's
		// nchan_subscriber_timeout). A 204 may say where the stream
		// starts (the hub's ETag "0"): without a cursor of our own, that
		// one brings the first message next, not the newest, so nothing
		// published before the next request is skipped.
		if etag := resp.Header.Get("ETag"); resp.StatusCode == http.StatusNoContent && etag != "" && s.poll.etag == "" && s.poll.lastModified == "" {
			s.poll.etag = etag
		}
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		resp.Body.Close()
		s.markConnected()
		s.lively = true
		return false, nil
	}
	before := s.poll
	if err := s.takePoll(resp); err != nil {
		if timedOut() {
			return false, nil
		}
		return false, err
	}
	return s.poll.moved(before), nil
}
