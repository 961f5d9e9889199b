package hub

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// batchMax is how many events a streaming client takes out of the log per
// wake-up: enough to amortise the lock and the flush, small enough to keep
// a client's buffer small.
const batchMax = 256

// appendSSE appends ev framed as a text/event-stream event.
func appendSSE(b []byte, ev Event) []byte {
	b = append(b, "id: "...)
	b = strconv.AppendUint(b, ev.ID, 10)
	b = append(b, '\n')
	if ev.Type != "" {
		b = append(b, "event: "...)
		b = append(b, sanitizeLine(ev.Type)...)
		b = append(b, '\n')
	}
	if ev.Retry > 0 {
		b = append(b, "retry: "...)
		b = strconv.AppendInt(b, ev.Retry.Milliseconds(), 10)
		b = append(b, '\n')
	}
	// Every line of the payload becomes a data line; the client joins
	// them with "\n" again. CR and CRLF end lines in SSE too.
	data := ev.Data
	if strings.Contains(data, "\r") {
		data = strings.ReplaceAll(strings.ReplaceAll(data, "\r\n", "\n"), "\r", "\n")
	}
	for {
		line, rest, more := strings.Cut(data, "\n")
		b = append(b, "data: "...)
		b = append(b, line...)
		b = append(b, '\n')
		if !more {
			break
		}
		data = rest
	}
	return append(b, '\n')
}

// onSSE streams events as text/event-stream, starting after the request's
// Last-Event-ID (header, or the lastEventId query parameter for clients
// that cannot set headers) so a reconnecting client neither misses nor
// repeats an event that is still in the log.
func (h *Hub) onSSE(w http.ResponseWriter, r *http.Request) {
	var after uint64
	if s := r.Header.Get("Last-Event-ID"); s != "" || r.URL.Query().Has("lastEventId") {
		if s == "" {
			s = r.URL.Query().Get("lastEventId")
		}
		id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			http.Error(w, "Last-Event-ID must be an event id sent by this server (a decimal number)", http.StatusBadRequest)
			return
		}
		after = id
	} else {
		// A new subscriber starts at the live edge.
		after = h.Stats().LastID
	}
	c, backlog, lost, err := h.register(after)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer h.unregister(c)
	bound := max(uint64(h.opts.ClientQueue), backlog)

	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // nginx would otherwise buffer the stream
	w.WriteHeader(http.StatusOK)

	buf := make([]byte, 0, 64) // grows to the largest batch the client gets
	buf = append(buf, "retry: "...)
	buf = strconv.AppendInt(buf, h.opts.Retry.Milliseconds(), 10)
	buf = append(buf, "\n\n"...)
	if lost {
		// The client resumed from an id that has left the log: say so in
		// a comment, the only place the protocol leaves for it.
		buf = append(buf, ": some events after the requested Last-Event-ID are no longer in the log\n\n"...)
	}
	log := h.log.With("transport", "sse", "remote", r.RemoteAddr)
	log.Info("client connected", "after", after, "backlog", backlog)

	// The keep-alive timer restarts with every write, so a comment goes
	// out after exactly KeepAlive of silence.
	keepAlive := time.NewTimer(h.opts.KeepAlive)
	defer keepAlive.Stop()
	var data []string
	for {
		var wake <-chan struct{}
		if len(buf) == 0 {
			buf, data, wake, err = h.next(c, bound, batchMax, buf, data[:0])
			if err != nil {
				h.dropped.Add(1)
				log.Warn("disconnecting client", "reason", err)
				return
			}
		}
		if len(buf) > 0 {
			if err := h.flushTo(rc, w, buf); err != nil {
				h.writeFailed(log, err)
				return
			}
			buf = buf[:0]
			keepAlive.Reset(h.opts.KeepAlive)
			h.advanced()
			continue
		}
		select {
		case <-wake:
		case <-keepAlive.C:
			buf = append(buf, ": keep-alive\n\n"...)
		case <-r.Context().Done():
			log.Info("client disconnected")
			return
		case <-h.done:
			return
		}
	}
}

// flushTo writes b and flushes it within the hub's write deadline, so a
// client that stops reading costs at most WriteWait before it is dropped.
func (h *Hub) flushTo(rc *http.ResponseController, w http.ResponseWriter, b []byte) error {
	if err := rc.SetWriteDeadline(time.Now().Add(h.opts.WriteWait)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return err
	}
	return rc.Flush()
}
