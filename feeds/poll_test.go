package feeds

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// logServer hands out one message per conditional step, as an
// interval-poll pub/sub server does: the ETag is the id of the message
// returned, and a request carrying If-None-Match gets the next one, or
// 304 when there is none yet.
type logServer struct {
	mu       sync.Mutex
	msgs     []string
	requests int
}

func (s *logServer) publish(m string) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
}

func (s *logServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	next := 0
	if tag := r.Header.Get("If-None-Match"); tag != "" {
		id, err := strconv.Atoi(strings.Trim(tag, `"`))
		if err != nil {
			http.Error(w, "bad etag", http.StatusBadRequest)
			return
		}
		next = id + 1
	}
	if next >= len(s.msgs) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", fmt.Sprintf(`"%d"`, next))
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, s.msgs[next])
}

func TestPollConditionalExactlyOnce(t *testing.T) {
	ls := &logServer{}
	for i := 0; i < 5; i++ {
		ls.publish(fmt.Sprintf(`{"seq":%d}`, i))
	}
	srv := serve(t, ls)

	clk := newFakeClock()
	f := start(t, Config{URL: srv.URL, Transport: Poll}, clk)
	got := f.messages(t, 5)
	for i := 5; i < 10; i++ {
		ls.publish(fmt.Sprintf(`{"seq":%d}`, i))
	}
	got = append(got, f.messages(t, 5)...)
	for i, m := range got {
		if want := fmt.Sprintf(`{"seq":%d}`, i); string(m.Data) != want {
			t.Fatalf("message %d is %s, want %s (all: %v)", i, m.Data, want, got)
		}
		if m.ContentType != "application/json" {
			t.Errorf("content type %q", m.ContentType)
		}
	}
	// More polls run (answered 304) and must not repeat anything.
	eventually(t, "20 more polls", func() bool {
		ls.mu.Lock()
		defer ls.mu.Unlock()
		return ls.requests > 30
	})
	f.stop(t)
	for len(f.ch) > 0 {
		f.seen = append(f.seen, <-f.ch)
	}
	if n := countMessages(f.seen); n != 10 {
		t.Fatalf("%d messages delivered, want exactly 10", n)
	}
}

func countMessages(evs []Event) int {
	n := 0
	for _, e := range evs {
		if e.Kind == KindMessage {
			n++
		}
	}
	return n
}

func TestPollIntervalAndHeaders(t *testing.T) {
	var auth, custom atomic.Value
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		custom.Store(r.Header.Get("X-Token"))
		io.WriteString(w, "42")
	}))
	clk := newFakeClock()
	hdr := http.Header{}
	hdr.Set("Authorization", "Bearer s3cret")
	hdr.Set("X-Token", "abc")
	f := start(t, Config{URL: srv.URL, Transport: Poll, Header: hdr}, clk)
	f.messages(t, 3)
	f.stop(t)
	if auth.Load() != "Bearer s3cret" || custom.Load() != "abc" {
		t.Errorf("server saw Authorization %q, X-Token %q", auth.Load(), custom.Load())
	}
	clk.mu.Lock()
	defer clk.mu.Unlock()
	if len(clk.waits) < 2 {
		t.Fatalf("waits %v", clk.waits)
	}
	for _, w := range clk.waits[:2] {
		if w != DefaultPollInterval {
			t.Errorf("waited %v between polls, want the default %v", w, DefaultPollInterval)
		}
	}
}

func TestPollSlowServerNeverOverlaps(t *testing.T) {
	var inFlight, maxInFlight, requests atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		requests.Add(1)
		time.Sleep(60 * time.Millisecond) // six ticks' worth
		io.WriteString(w, "1")
	}))
	f := start(t, Config{URL: srv.URL, Transport: Poll, PollInterval: 10 * time.Millisecond}, nil)
	began := time.Now()
	f.messages(t, 5)
	f.stop(t)
	elapsed := time.Since(began)
	if m := maxInFlight.Load(); m != 1 {
		t.Fatalf("%d requests in flight at once, want 1", m)
	}
	// Sequential requests of 60 ms each cannot exceed elapsed/60ms (+1 in
	// flight at each end): skipped ticks are not made up later.
	if limit := int32(elapsed/(60*time.Millisecond)) + 2; requests.Load() > limit {
		t.Fatalf("%d requests in %v, more than %d: ticks piled up", requests.Load(), elapsed, limit)
	}
}

func TestPollRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer close(release)
	f := start(t, Config{URL: srv.URL, Transport: Poll, RequestTimeout: 50 * time.Millisecond}, newFakeClock())
	st := f.waitState(t, Reconnecting)
	if st.Err == nil || !strings.Contains(st.Err.Error(), "timeout") && !strings.Contains(st.Err.Error(), "deadline") {
		t.Fatalf("cause %v, want a timeout", st.Err)
	}
}

func TestPollBodyOverReadLimit(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("9", 2048)))
	}))
	f := start(t, Config{URL: srv.URL, Transport: Poll, ReadLimit: 1024}, newFakeClock())
	st := f.waitState(t, Reconnecting)
	var tl *ErrTooLarge
	if !errors.As(st.Err, &tl) || tl.Limit != 1024 {
		t.Fatalf("cause %v, want ErrTooLarge{1024}", st.Err)
	}
	if n := countMessages(f.seen); n != 0 {
		t.Fatalf("%d messages delivered from an oversized body", n)
	}
}
