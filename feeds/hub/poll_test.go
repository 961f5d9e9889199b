package hub

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"
)

// pollReq makes one GET of url with hdr and returns the response
// with its body read.
func pollReq(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// A client that sends back only the date it was given (a browser cache,
// curl -z) must not be told 304 for a message published in the same
// second as the one it has.
func TestPollDateNeverHidesAMessageOfTheSameSecond(t *testing.T) {
	h, base := newHub(t, Options{})
	// Start early in a second, so that both messages and both requests
	// fall into it.
	if frac := time.Duration(time.Now().Nanosecond()); frac > 300*time.Millisecond {
		time.Sleep(time.Second - frac + 10*time.Millisecond)
	}
	h.Publish(Event{Data: `{"a":1}`})
	resp, body := pollReq(t, base+"/poll", nil)
	if body != `{"a":1}` {
		t.Fatalf("first poll: %s %q", resp.Status, body)
	}
	hdr := map[string]string{}
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		hdr["If-Modified-Since"] = lm
	}
	h.Publish(Event{Data: `{"a":2}`})
	resp, body = pollReq(t, base+"/poll", hdr)
	if resp.StatusCode != http.StatusOK || body != `{"a":2}` {
		t.Fatalf("after a second message in the same second, with %v: %s %q, want 200 with the new message", hdr, resp.Status, body)
	}
}

func TestLongPollHandsOutEveryMessageInOrder(t *testing.T) {
	h, base := newHub(t, Options{})
	for _, d := range []string{"1", "2", "3"} {
		h.Publish(Event{Data: d})
	}
	// Without Prefer, polling is what it always was: the newest message.
	if resp, body := pollReq(t, base+"/poll", map[string]string{"If-None-Match": `"1"`}); body != "3" {
		t.Fatalf("plain poll after id 1: %s %q, want the newest (3)", resp.Status, body)
	}
	// With Prefer: wait, the ETag is a cursor: the message after it.
	etag := `"1"`
	for _, want := range []string{"2", "3"} {
		resp, body := pollReq(t, base+"/poll", map[string]string{"If-None-Match": etag, "Prefer": "wait=10"})
		if resp.StatusCode != http.StatusOK || body != want {
			t.Fatalf("long poll after %s: %s %q, want %q", etag, resp.Status, body, want)
		}
		etag = resp.Header.Get("ETag")
	}
	// Caught up: held until the next message.
	go func() {
		time.Sleep(300 * time.Millisecond)
		h.Publish(Event{Data: "4"})
	}()
	t0 := time.Now()
	resp, body := pollReq(t, base+"/poll", map[string]string{"If-None-Match": etag, "Prefer": "wait=10"})
	if held := time.Since(t0); resp.StatusCode != http.StatusOK || body != "4" || held < 250*time.Millisecond || held > 5*time.Second {
		t.Fatalf("caught-up long poll: %s %q after %v, want 4 after ~300ms", resp.Status, body, held)
	}
	if resp.Header.Get("ETag") != `"4"` {
		t.Errorf("ETag %q, want \"4\"", resp.Header.Get("ETag"))
	}
}

func TestLongPollWaitEndsWith304(t *testing.T) {
	h, base := newHub(t, Options{})
	h.Publish(Event{Data: "1"})
	t0 := time.Now()
	resp, _ := pollReq(t, base+"/poll", map[string]string{"If-None-Match": `"1"`, "Prefer": "wait=1"})
	if held := time.Since(t0); resp.StatusCode != http.StatusNotModified || held < 900*time.Millisecond || held > 5*time.Second {
		t.Fatalf("%s after %v, want 304 after the 1 s wait", resp.Status, held)
	}
}

func TestLongPollBeforeTheFirstMessageWaitsForIt(t *testing.T) {
	h, base := newHub(t, Options{})
	go func() {
		time.Sleep(300 * time.Millisecond)
		h.Publish(Event{Data: `{"first":true}`})
	}()
	resp, body := pollReq(t, base+"/poll", map[string]string{"Prefer": "wait=10"})
	if resp.StatusCode != http.StatusOK || body != `{"first":true}` {
		t.Fatalf("%s %q, want the first message", resp.Status, body)
	}
}

// A wait that ends before the first message answers 204 with the cursor
// before it, ETag "0": sent back, it brings the first message, not the
// newest, however many were published in between.
func TestLongPollBeforeTheFirstMessageGivesACursor(t *testing.T) {
	h, base := newHub(t, Options{})
	resp, _ := pollReq(t, base+"/poll", map[string]string{"Prefer": "wait=1"})
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusNoContent || etag != `"0"` {
		t.Fatalf("%s with ETag %q, want 204 with \"0\"", resp.Status, etag)
	}
	for _, d := range []string{"1", "2", "3"} {
		h.Publish(Event{Data: d})
	}
	for _, want := range []string{"1", "2", "3"} {
		resp, body := pollReq(t, base+"/poll", map[string]string{"If-None-Match": etag, "Prefer": "wait=10"})
		if resp.StatusCode != http.StatusOK || body != want {
			t.Fatalf("long poll after %s: %s %q, want %q", etag, resp.Status, body, want)
		}
		etag = resp.Header.Get("ETag")
	}
}

// A held long poll that names no cursor gets the first message published
// after it was held, even when more follow before it wakes: the burst is
// not skipped to its newest. One P makes "before it wakes" certain: the
// woken handler cannot run until the test goroutine blocks.
func TestHeldLongPollGetsTheFirstOfABurst(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	h := New(Options{Logger: testLogger(t)})
	defer h.Close()
	req := httptest.NewRequest("GET", "/poll", nil)
	req.Header.Set("Prefer", "wait=10")
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.Handler().ServeHTTP(rec, req)
	}()
	time.Sleep(50 * time.Millisecond) // the handler runs until it is held
	for _, d := range []string{"1", "2", "3"} {
		h.Publish(Event{Data: d})
	}
	<-done
	if rec.Code != http.StatusOK || rec.Body.String() != "1" {
		t.Errorf("%d %q, want the first of the burst, \"1\"", rec.Code, rec.Body.String())
	}
}

func TestLongPollSinceHoldsAndReturnsTheBatch(t *testing.T) {
	h, base := newHub(t, Options{})
	h.Publish(Event{Data: "1"})
	go func() {
		time.Sleep(300 * time.Millisecond)
		h.Publish(Event{Data: "2"})
	}()
	t0 := time.Now()
	resp, body := pollReq(t, base+"/poll?since=1", map[string]string{"Prefer": "wait=10"})
	var got []pollEvent
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%s %q: %v", resp.Status, body, err)
	}
	if held := time.Since(t0); len(got) != 1 || got[0].ID != 2 || held < 250*time.Millisecond {
		t.Fatalf("since=1 held %v: %s, want [id 2] after ~300ms", held, body)
	}
	t0 = time.Now()
	_, body = pollReq(t, base+"/poll?since=2", map[string]string{"Prefer": "wait=1"})
	if held := time.Since(t0); body != "[]\n" || held < 900*time.Millisecond {
		t.Fatalf("since=newest with wait=1: %q after %v, want [] after the wait", body, held)
	}
}

func TestLongPollEndsWhenTheHubCloses(t *testing.T) {
	h, base := newHub(t, Options{})
	h.Publish(Event{Data: "1"})
	go func() {
		time.Sleep(300 * time.Millisecond)
		h.Close()
	}()
	t0 := time.Now()
	resp, _ := pollReq(t, base+"/poll", map[string]string{"If-None-Match": `"1"`, "Prefer": "wait=30"})
	if held := time.Since(t0); resp.StatusCode != http.StatusServiceUnavailable || held > 5*time.Second {
		t.Fatalf("%s after %v, want 503 soon after Close", resp.Status, held)
	}
}

func TestPreferWait(t *testing.T) {
	for _, c := range []struct {
		prefer []string
		want   time.Duration
	}{
		{nil, 0},
		{[]string{"wait=5"}, 5 * time.Second},
		{[]string{"respond-async, wait=10"}, 10 * time.Second},
		{[]string{"handling=lenient", "Wait = 7"}, 7 * time.Second},
		{[]string{`wait="3"`}, 3 * time.Second},
		{[]string{"wait=600"}, MaxWait},
		{[]string{"wait=0"}, 0},
		{[]string{"wait=-1"}, 0},
		{[]string{"wait=soon"}, 0},
		{[]string{"wait"}, 0},
	} {
		hdr := http.Header{"Prefer": c.prefer}
		if got := preferWait(hdr); got != c.want {
			t.Errorf("Prefer %q: %v, want %v", c.prefer, got, c.want)
		}
	}
}
