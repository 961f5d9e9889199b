package feeds

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

const (
	// maxServerRetry bounds the delay a retry: field can ask for.
	maxServerRetry = 10 * time.Minute
	// sseIdleFloor and sseIdleFactor decide when an open but silent
	// stream is dead: after sseIdleFactor times the longer of
	// sseIdleFloor and the longest gap the server has been seen to leave
	// between writes (its keep-alive interval), with nothing at all.
	sseIdleFloor  = 15 * time.Second
	sseIdleFactor = 3
	// sseBufSize is the read buffer; lines longer than it are assembled
	// in a buffer of their own.
	sseBufSize = 32 << 10
	// sseFieldRoom is what a line may hold beyond the read limit: the
	// field name and colon in front of a value of ReadLimit bytes.
	sseFieldRoom = 64
)

// errSSEIdle is a stream that stayed open but sent nothing for too long:
// a dead link that no TCP error reported.
var errSSEIdle = errors.New("stream open but silent (no event, no comment): presumed dead")

// sseState is what an SSE feed remembers from one connection to the next.
type sseState struct {
	// lastID is the id of the last dispatched event, sent as
	// Last-Event-ID on every reconnect.
	lastID string
	// gap is the longest silence seen between two reads of any stream
	// of this feed: the server's keep-alive interval, or longer.
	gap time.Duration
	// idleFloor replaces sseIdleFloor when set (tests shorten it).
	idleFloor time.Duration
}

// runSSE reads one Server-Sent Events stream until it ends or fails. The
// stream is read by our own parser, not a library: it must see comment
// lines (keep-alives) to tell a silent stream from a dead one, count the
// read limit in event data rather than line framing, and take over the
// response Auto has already received.
func (s *supervisor) runSSE(ctx context.Context) error {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := s.newSSERequest(rctx, "text/event-stream")
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return s.wrapNetErr("SSE", err)
	}
	return s.readSSE(resp, cancel)
}

// newSSERequest is the feed's GET with what an EventSource sends: no
// caching, and the id of the last event received so that a server that
// keeps a log replays what was missed.
func (s *supervisor) newSSERequest(ctx context.Context, accept string) (*http.Request, error) {
	req, err := s.newRequest(ctx, accept)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Cache-Control", "no-cache")
	if s.sse.lastID != "" {
		req.Header.Set("Last-Event-ID", s.sse.lastID)
	}
	return req, nil
}

// readSSE takes over resp, the answer to an SSE request whose context
// cancel ends, and reads its events until the stream ends or fails. It
// closes the body.
func (s *supervisor) readSSE(resp *http.Response, cancel context.CancelFunc) error {
	defer resp.Body.Close()
	s.answered = true
	if resp.StatusCode != http.StatusOK {
		// Drain a little so the connection can be reused.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return statusError(resp, s.clk)
	}
	if ct := resp.Header.Get("Content-Type"); !isEventStream(ct) {
		return fmt.Errorf("SSE: server answered with Content-Type %q, not text/event-stream", ct)
	}
	s.markConnected()

	w := &sseWatch{body: resp.Body, base: time.Now(), floor: orDefault(s.sse.idleFloor, sseIdleFloor), cancel: cancel}
	w.gap.Store(int64(s.sse.gap))
	done := make(chan struct{})
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		w.watch(done)
	}()
	defer func() {
		close(done)
		<-watching
		s.sse.gap = time.Duration(w.gap.Load())
	}()

	r := newSSEReader(w, s.cfg.readLimit(), s.sse.lastID)
	_, realTime := s.clk.(realClock)
	for {
		ev, err := r.next()
		if r.retrySeen {
			r.retrySeen = false
			s.serverRetry = r.retry
		}
		s.sse.lastID = r.lastID
		s.lively = s.lively || r.comment
		if err != nil {
			return s.sseErr(err, w)
		}
		// An event arrived with the read that brought its end: events
		// read together share that read's clock reading (tests give the
		// supervisor a fake clock instead).
		at := w.readAt
		if !realTime {
			at = s.clk.Now()
		}
		s.emitMessage(Message{
			Data:        bytes.Clone(ev.data),
			Event:       ev.typ,
			ID:          ev.id,
			ContentType: "text/event-stream",
			Time:        at,
		})
	}
}

func (s *supervisor) sseErr(err error, w *sseWatch) error {
	var tl *ErrTooLarge
	switch {
	case w.deadAfter.Load() != 0:
		return fmt.Errorf("SSE: nothing from %s for %v: %w", s.url.Host, time.Duration(w.deadAfter.Load()), errSSEIdle)
	case errors.Is(err, io.EOF):
		// A clean end: for a monitor, a disconnect to recover from.
		return errStreamEnded
	case errors.As(err, &tl):
		return fmt.Errorf("SSE: %w", err)
	}
	return s.wrapNetErr("SSE", err)
}

// sseWatch sits between the response body and the parser: it notes when
// bytes last arrived and the longest silence between arrivals, and its
// watch ends a stream that has been silent for too long.
type sseWatch struct {
	body   io.Reader
	base   time.Time // monotonic origin of last
	floor  time.Duration
	cancel context.CancelFunc
	// last is when bytes last arrived, as time since base; gap the
	// longest silence seen. Only Read writes them.
	last atomic.Int64
	gap  atomic.Int64
	// deadAfter is the silence that ended the stream, zero while alive.
	deadAfter atomic.Int64
	// readAt is the time of the last read that returned bytes, for the
	// reader's goroutine only.
	readAt time.Time
}

func (w *sseWatch) Read(p []byte) (int, error) {
	n, err := w.body.Read(p)
	if n > 0 {
		// One clock read per network read, not per event: a busy stream
		// hands over many events a read.
		w.readAt = time.Now()
		now := int64(w.readAt.Sub(w.base))
		if g := now - w.last.Load(); g > w.gap.Load() {
			w.gap.Store(g)
		}
		w.last.Store(now)
	}
	return n, err
}

// timeout is how long the stream may stay silent.
func (w *sseWatch) timeout() time.Duration {
	return sseIdleFactor * max(w.floor, time.Duration(w.gap.Load()))
}

// watch ends the stream (cancelling its request) once nothing has arrived
// for timeout, or returns when done closes. It runs on real time, like a
// socket deadline: it guards a real connection.
func (w *sseWatch) watch(done <-chan struct{}) {
	t := time.NewTimer(w.timeout())
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		limit := w.timeout()
		idle := time.Since(w.base) - time.Duration(w.last.Load())
		if idle >= limit {
			w.deadAfter.Store(int64(limit))
			w.cancel()
			return
		}
		t.Reset(limit - idle)
	}
}

// sseEvent is one dispatched event. data aliases the reader's buffer and
// is valid until the next call of next.
type sseEvent struct {
	data []byte
	typ  string
	id   string
}

// sseReader parses a text/event-stream as the WHATWG HTML standard's
// EventSource does (§9.2.6): lines end in CR, LF or CRLF; a leading BOM
// is skipped; a line starting with a colon is a comment; the fields are
// data, event, id and retry, and others are ignored; an id containing NUL
// is ignored; an event without id keeps the last id; a blank line
// dispatches; an event cut off by the end of the stream is dropped.
//
// An event's data (its lines joined by LF, as delivered) may be up to
// limit bytes, however many lines it spans; beyond that next returns
// ErrTooLarge. Memory stays within a few times limit whatever is sent.
type sseReader struct {
	br      *bufio.Reader
	limit   int64
	maxLine int    // longest line kept whole; longer ones keep their head
	long    []byte // a line that spans reads, assembled
	skipLF  bool   // the last line ended in CR: an LF next belongs to it
	// skipping: the line under way is too long and was returned already;
	// drop the rest of it.
	skipping bool
	started  bool // past the BOM check

	data   []byte // data lines, each followed by LF
	typ    string
	idBuf  string // the id of the event being read
	lastID string // the id of the last dispatched event

	// retry is the last valid retry: field; retrySeen is set when one
	// arrives, for the caller to take and clear.
	retry     time.Duration
	retrySeen bool
	// comment is set once a comment line (a keep-alive) was read.
	comment bool
}

func newSSEReader(r io.Reader, limit int64, lastID string) *sseReader {
	return &sseReader{
		br:      bufio.NewReaderSize(r, sseBufSize),
		limit:   limit,
		maxLine: int(min(limit, 1<<40)) + sseFieldRoom,
		idBuf:   lastID,
		lastID:  lastID,
	}
}

// next returns the next event, or the error that ended the stream (io.EOF
// for a clean end).
func (r *sseReader) next() (sseEvent, error) {
	for {
		line, long, err := r.readLine()
		if err != nil {
			return sseEvent{}, err
		}
		if !r.started {
			r.started = true
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		if len(line) > 0 {
			if err := r.field(line, long); err != nil {
				return sseEvent{}, err
			}
			continue
		}
		// A blank line dispatches. The id counts even for an event
		// without data (the standard sets it before looking at data).
		r.lastID = r.idBuf
		if len(r.data) == 0 {
			r.typ = ""
			continue
		}
		ev := sseEvent{data: r.data[:len(r.data)-1], typ: r.typ, id: r.lastID}
		r.data = r.data[:0]
		if cap(r.data) > sseBufSize {
			// One large event must not pin its buffer for the life of
			// the stream; ev keeps the old one until the next call.
			r.data = nil
		}
		r.typ = ""
		return ev, nil
	}
}

// field processes one non-blank line; long says it was longer than
// maxLine and line holds only its head.
func (r *sseReader) field(line []byte, long bool) error {
	if line[0] == ':' {
		r.comment = true // a keep-alive, already timed by sseWatch
		return nil
	}
	name, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		name, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(name) {
	case "data":
		if long || int64(len(r.data)+len(value)) > r.limit {
			return &ErrTooLarge{Limit: r.limit}
		}
		r.data = append(r.data, value...)
		r.data = append(r.data, '\n')
	case "event":
		if long {
			return &ErrTooLarge{Limit: r.limit}
		}
		if string(value) != r.typ { // most events repeat the type: no allocation
			r.typ = string(value)
		}
	case "id":
		if long {
			return &ErrTooLarge{Limit: r.limit}
		}
		if bytes.IndexByte(value, 0) < 0 && string(value) != r.idBuf {
			r.idBuf = string(value)
		}
	case "retry":
		if long || len(value) == 0 {
			return nil
		}
		for _, c := range value {
			if c < '0' || c > '9' {
				return nil
			}
		}
		ms, err := strconv.ParseInt(string(value), 10, 64)
		d := time.Duration(ms) * time.Millisecond
		if err != nil || ms > int64(maxServerRetry/time.Millisecond) {
			d = maxServerRetry // only digits: too many of them
		}
		r.retry, r.retrySeen = d, true
	}
	return nil
}

// readLine returns the next line without its end. The slice is valid until
// the next call. A line longer than maxLine comes back, as soon as that
// is known, as its first maxLine bytes with long set, and the rest of it is
// dropped by the next call: an endless line costs no more than maxLine and
// fails as soon as it matters. A line cut off by the end of the stream is
// dropped: the error comes back instead.
func (r *sseReader) readLine() (line []byte, long bool, err error) {
	r.long = r.long[:0]
	for {
		if r.br.Buffered() == 0 {
			if _, err := r.br.Peek(1); err != nil {
				return nil, false, err
			}
		}
		buf, _ := r.br.Peek(r.br.Buffered())
		if r.skipLF {
			r.skipLF = false
			if buf[0] == '\n' {
				_, _ = r.br.Discard(1)
				continue
			}
		}
		end := bytes.IndexByte(buf, '\n')
		head := buf
		if end >= 0 {
			head = buf[:end]
		}
		if cr := bytes.IndexByte(head, '\r'); cr >= 0 {
			end = cr
		}
		if end < 0 {
			if !r.skipping {
				r.long = append(r.long, buf...)
			}
			_, _ = r.br.Discard(len(buf))
			if !r.skipping && len(r.long) > r.maxLine {
				r.skipping = true
				return r.long[:r.maxLine], true, nil
			}
			continue
		}
		r.skipLF = buf[end] == '\r'
		// Discard does not move the buffered bytes: buf[:end] stays
		// valid until the next read.
		_, _ = r.br.Discard(end + 1)
		if r.skipping {
			r.skipping = false
			continue
		}
		if len(r.long) > 0 {
			r.long = append(r.long, buf[:end]...)
			line = r.long
		} else {
			line = buf[:end]
		}
		if len(line) > r.maxLine {
			return line[:r.maxLine], true, nil
		}
		return line, false, nil
	}
}
