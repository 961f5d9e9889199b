package hub

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// onPoll answers with the newest message, or with ?since=ID the messages
// after ID as a JSON array. The newest message carries ETag (its id) and
// Last-Modified, so a conditional request costs a 304 when nothing is new.
func (h *Hub) onPoll(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	if r.URL.Query().Has("since") {
		h.onPollSince(w, r)
		return
	}
	ev, ok := h.latest()
	if !ok {
		// Nothing published yet: no body, and no validator to revalidate.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	etag := `"` + strconv.FormatUint(ev.ID, 10) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", ev.Time.UTC().Format(http.TimeFormat))
	if notModified(r, etag, ev.Time) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
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
		// Last-Modified has whole seconds, so compare at that resolution.
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

func (h *Hub) onPollSince(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
	if err != nil {
		http.Error(w, "since must be an event id (a decimal number, 0 for the whole log)", http.StatusBadRequest)
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

// jsonData embeds a JSON payload as it is and any other text as a string.
func jsonData(data string) json.RawMessage {
	if json.Valid([]byte(data)) {
		return json.RawMessage(data)
	}
	b, _ := json.Marshal(data)
	return b
}
