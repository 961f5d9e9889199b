package hub

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxWait caps how long a request asking Prefer: wait=N is held.
const MaxWait = 60 * time.Second

// onPoll answers with the newest message, or with ?since=ID the messages
// after ID as a JSON array. The newest message carries ETag (its id) and
// Last-Modified, so a conditional request costs a 304 when nothing is new.
// A request with Prefer: wait=N (RFC 7240) is a long poll: see onLongPoll
// and onPollSince.
func (h *Hub) onPoll(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	wait := preferWait(r.Header)
	if r.URL.Query().Has("since") {
		h.onPollSince(w, r, wait)
		return
	}
	if wait > 0 {
		h.onLongPoll(w, r, wait)
		return
	}
	ev, ok := h.latest()
	if !ok {
		// Nothing published yet: no body, and no validator to revalidate.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	setValidators(w.Header(), ev, time.Now())
	if notModified(r, etagOf(ev), ev.Time) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeEvent(w, ev)
}

// onLongPoll serves a poll that may be held for up to wait. A request that
// names one of our ids in If-None-Match gets the message after that id —
// every message in order, one per request, as nchan's long-poll
// subscribers get them — so a client that sends back the ETag it was given
// misses nothing. Any other conditional request gets the newest message
// once it differs from what the validators describe; an unconditional one
// gets the newest at once. Whatever is not there yet is waited for until
// the wait ends: then 304, or 204 with the ETag "0" (before the first
// message) when nothing was ever published.
func (h *Hub) onLongPoll(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	id, hasID := cursorID(r.Header.Get("If-None-Match"))
	for {
		ev, lost, wake, heldAt := h.longPollNext(r, id, hasID)
		if wake == nil {
			if lost {
				// Messages after the client's id have already left the log.
				w.Header().Set("X-Events-Lost", "true")
			}
			setValidators(w.Header(), ev, time.Now())
			writeEvent(w, ev)
			return
		}
		// Held: whatever is published from now on is new to this
		// request, so it follows on from the newest id it was held at.
		// Otherwise a burst published while it wakes would hand it the
		// newest message of the burst and skip the rest.
		id, hasID = heldAt, true
		select {
		case <-wake:
		case <-r.Context().Done():
			return
		case <-h.done:
			http.Error(w, "server shutting down", http.StatusServiceUnavailable)
			return
		case <-timer.C:
			ev, ok := h.latest()
			if !ok {
				// Nothing yet: the cursor before the first message, so a
				// client that sends it back gets the first one, however
				// many were published before its next request.
				w.Header().Set("ETag", etagOf(Event{}))
				w.WriteHeader(http.StatusNoContent)
				return
			}
			setValidators(w.Header(), ev, time.Now())
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
}

// longPollNext is the event a long poll gets now (see onLongPoll): the
// one after id when hasID, else the newest unless r's validators match it.
// When there is none yet it returns the channel closed by the next
// Publish, and heldAt, the newest id at that moment.
func (h *Hub) longPollNext(r *http.Request, id uint64, hasID bool) (ev Event, lost bool, wake <-chan struct{}, heldAt uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last == 0 {
		return Event{}, false, h.wake, 0
	}
	if hasID {
		from, lost := h.startLocked(id)
		if from > h.last {
			return Event{}, false, h.wake, h.last
		}
		return h.ring[(from-1)%uint64(len(h.ring))].ev, lost, nil, 0
	}
	ev = h.ring[(h.last-1)%uint64(len(h.ring))].ev
	if notModified(r, etagOf(ev), ev.Time) {
		return Event{}, false, h.wake, h.last
	}
	return ev, false, nil, 0
}

// cursorID reads an If-None-Match that is one of our ETags: a single id.
func cursorID(inm string) (uint64, bool) {
	tag := strings.TrimPrefix(strings.TrimSpace(inm), "W/")
	if len(tag) < 3 || tag[0] != '"' || tag[len(tag)-1] != '"' {
		return 0, false
	}
	id, err := strconv.ParseUint(tag[1:len(tag)-1], 10, 64)
	return id, err == nil
}

// preferWait is the wait=N preference of RFC 7240 (in any Prefer header,
// capped at MaxWait), or 0 when there is none.
func preferWait(hdr http.Header) time.Duration {
	for _, line := range hdr.Values("Prefer") {
		for _, pref := range strings.Split(line, ",") {
			// A preference may carry parameters after ';'; wait has none.
			pref, _, _ = strings.Cut(pref, ";")
			name, value, ok := strings.Cut(strings.TrimSpace(pref), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "wait") {
				continue
			}
			n, err := strconv.ParseUint(strings.Trim(strings.TrimSpace(value), `"`), 10, 32)
			if err != nil {
				continue
			}
			return min(time.Duration(n)*time.Second, MaxWait)
		}
	}
	return 0
}

func etagOf(ev Event) string { return `"` + strconv.FormatUint(ev.ID, 10) + `"` }

// setValidators sets ev's ETag, and its Last-Modified only when the date
// is a strong validator (RFC 9110 8.8.2.2): HTTP dates have whole seconds,
// so while the second ev was published in is still running, another
// message may follow with the same date, and a client that sent that date
// back alone (If-Modified-Since) would be told 304 and miss it.
func setValidators(hdr http.Header, ev Event, now time.Time) {
	hdr.Set("ETag", etagOf(ev))
	if sec := ev.Time.Truncate(time.Second); now.Truncate(time.Second).After(sec) {
		hdr.Set("Last-Modified", sec.UTC().Format(http.TimeFormat))
	}
}

func writeEvent(w http.ResponseWriter, ev Event) {
	w.Header().Set("Content-Type", contentType(ev.Data))
	_, _ = w.Write([]byte(ev.Data))
}

// notModified applies RFC 9110's precedence: If-None-Match decides when
// present, If-Modified-Since only otherwise.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == etag || tag == "*" {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		// Last-Modified has whole seconds, so compare at that resolution;
		// setValidators sends only dates after which no message can share
		// the second.
		return err == nil && !modified.Truncate(time.Second).After(t)
	}
	return false
}

func contentType(data string) string {
	if json.Valid([]byte(data)) {
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// pollEvent is one element of the ?since array.
type pollEvent struct {
	ID       uint64          `json:"id"`
	Time     time.Time       `json:"time"`
	Type     string          `json:"type,omitempty"`
	Data     json.RawMessage `json:"data"`
	OriginID string          `json:"origin_id,omitempty"`
}

// onPollSince serves ?since=ID. With a wait (Prefer: wait=N) a request
// for which nothing is new yet is held until the next message or the end
// of the wait, and then answered as usual (an empty array at the end of
// the wait).
func (h *Hub) onPollSince(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	id, err := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	if err != nil {
		http.Error(w, "since must be an event id (a decimal number, 0 for the whole log)", http.StatusBadRequest)
		return
	}
	if wait > 0 && !h.awaitAfter(w, r, id, wait) {
		return
	}
	evs, last, lost := h.since(id, h.opts.LogSize)
	out := make([]pollEvent, len(evs))
	for i, ev := range evs {
		out[i] = pollEvent{ID: ev.ID, Time: ev.Time.UTC(), Type: ev.Type, OriginID: ev.OriginID, Data: jsonData(ev.Data)}
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	if last > 0 {
		hdr.Set("ETag", `"`+strconv.FormatUint(last, 10)+`"`)
	}
	if lost {
		// Some events after since left the log before this request.
		hdr.Set("X-Events-Lost", "true")
	}
	_ = json.NewEncoder(w).Encode(out)
}

// awaitAfter holds r until an event after id is published or wait ends.
// It returns false when r is finished: the client went away, or the hub
// is closing (then it answers 503).
func (h *Hub) awaitAfter(w http.ResponseWriter, r *http.Request, id uint64, wait time.Duration) bool {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		h.mu.Lock()
		// An id beyond the newest is from an earlier run of the server:
		// the whole log is new to it.
		caughtUp := id == h.last
		wake := h.wake
		h.mu.Unlock()
		if !caughtUp {
			return true
		}
		select {
		case <-wake:
		case <-timer.C:
			return true
		case <-r.Context().Done():
			return false
		case <-h.done:
			http.Error(w, "server shutting down", http.StatusServiceUnavailable)
			return false
		}
	}
}

// jsonData embeds a JSON payload as it is and any other text as a string.
func jsonData(data string) json.RawMessage {
	if json.Valid([]byte(data)) {
		return json.RawMessage(data)
	}
	b, _ := json.Marshal(data)
	return b
}
