package soak

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"go.uber.org/goleak"

	"feedscope/feeds"
	"feedscope/feeds/hub"
)

var soakFor = flag.Duration("soak", 0, "repeat the fault cycle for up to this long per transport (0: one cycle, as make test runs it); raises -timeout to fit")

// soakTail is what a run needs beyond its fault cycles: starting, letting
// the feeds settle, waiting for the last message and checking.
const soakTail = 50 * time.Second

// toxiproxyStubs ignores the fault proxy's own goroutines. In a ten-minute
// soak, one toxic stub of a link torn down while its toxic was being
// removed stayed blocked in a channel send inside toxiproxy v2.12.0
// (toxics.(*NoopToxic).Pipe); that is the test harness, not Feedscope, and
// every goroutine of ours is still checked.
var toxiproxyStubs = goleak.IgnoreAnyFunction("github.com/Shopify/toxiproxy/v2/toxics.(*ToxicStub).Run")

func TestMain(m *testing.M) {
	// toxiproxy traces through zerolog's global logger whatever logger it
	// is given.
	zerolog.SetGlobalLevel(zerolog.Disabled)
	flag.Parse()
	if err := fitTimeout(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	goleak.VerifyTestMain(m, toxiproxyStubs)
}

// fitTimeout makes `go test -soak=10m` work as written. go test passes its
// default -timeout of 10 minutes to the test binary, which would panic
// before a ten-minute soak had printed its figures; the binary's own
// alarm is raised to fit -soak. go test itself kills the binary a minute
// after -timeout, so a longer soak needs -timeout given to fit.
func fitTimeout() error {
	if *soakFor <= 0 {
		return nil
	}
	f := flag.Lookup("test.timeout")
	if f == nil {
		return nil
	}
	timeout, _ := f.Value.(flag.Getter).Get().(time.Duration)
	need := *soakFor + soakTail
	if timeout <= 0 || timeout >= need {
		return nil
	}
	if need > timeout+time.Minute {
		return fmt.Errorf("-soak=%v needs -timeout %v or more", *soakFor, need.Round(time.Minute)+time.Minute)
	}
	return flag.Set("test.timeout", need.String())
}

// The feed's reconnect policy in these tests: quick, so a cycle of faults
// fits in seconds, and capped, so the cap can be checked.
var backoff = feeds.Backoff{Initial: 50 * time.Millisecond, Max: time.Second}

// hubRetry is the retry: the hub sends SSE clients.
const hubRetry = 100 * time.Millisecond

// Slack for a busy machine (2 cores, -race) in the timing checks.
const (
	waitSlack  = 2 * time.Second
	staleSlack = time.Second
)

// rig is a hub serving a numbered stream behind a toxiproxy.
type rig struct {
	t     *testing.T
	hub   *hub.Hub
	proxy *toxiproxy.Proxy
	base  string
	last  atomic.Uint64 // seq of the newest published message
	pubMu sync.Mutex
	pubAt []time.Time // when each seq was published (index seq-1)
	stop  context.CancelFunc
	wg    sync.WaitGroup
	// publishing is closed by stopPublishing.
	pubCancel context.CancelFunc
	faults    int
	toxicN    int
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &rig{t: t, stop: cancel}
	r.hub = hub.New(hub.Options{
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		KeepAlive:  200 * time.Millisecond,
		PingPeriod: 500 * time.Millisecond,
		Retry:      hubRetry,
		WriteWait:  2 * time.Second,
	})
	r.wg.Go(func() { _ = r.hub.Serve(ctx, ln) })

	api := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	r.proxy = toxiproxy.NewProxy(api, "hub", "127.0.0.1:0", ln.Addr().String())
	if err := r.proxy.Start(); err != nil {
		t.Fatal(err)
	}
	r.base = "http://" + r.proxy.Listen

	pctx, pcancel := context.WithCancel(ctx)
	r.pubCancel = pcancel
	r.wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond) // 50 messages/s
		defer tick.Stop()
		for {
			select {
			case <-pctx.Done():
				return
			case <-tick.C:
				n := r.last.Load() + 1
				r.pubMu.Lock()
				r.pubAt = append(r.pubAt, time.Now())
				r.pubMu.Unlock()
				r.hub.Publish(hub.Event{Data: fmt.Sprintf(`{"seq":%d}`, n)})
				r.last.Store(n)
			}
		}
	})
	t.Cleanup(func() {
		r.proxy.Stop()
		cancel()
		r.wg.Wait()
	})
	return r
}

// toxic adds a toxic to the server-to-client stream for d, then removes it.
func (r *rig) toxic(typ string, attrs map[string]any, d time.Duration) {
	r.toxicN++
	name := fmt.Sprintf("%s-%d", typ, r.toxicN)
	spec, _ := json.Marshal(map[string]any{"name": name, "type": typ, "stream": "downstream", "toxicity": 1.0, "attributes": attrs})
	if _, err := r.proxy.Toxics.AddToxicJson(strings.NewReader(string(spec))); err != nil {
		r.t.Fatalf("add %s toxic: %v", typ, err)
	}
	r.faults++
	time.Sleep(d)
	if err := r.proxy.Toxics.RemoveToxic(context.Background(), name); err != nil {
		r.t.Fatalf("remove %s toxic: %v", typ, err)
	}
}

// cycle injects every fault once, in about 20 s.
func (r *rig) cycle() {
	for i := 0; i < 3; i++ { // connection resets every couple of seconds
		r.toxic("reset_peer", map[string]any{"timeout": 0}, 100*time.Millisecond)
		time.Sleep(1500 * time.Millisecond)
	}
	r.proxy.Stop() // the upstream down for 5 s
	r.faults++
	time.Sleep(5 * time.Second)
	if err := r.proxy.Start(); err != nil {
		r.t.Fatalf("restart proxy: %v", err)
	}
	time.Sleep(time.Second)
	r.toxic("latency", map[string]any{"latency": 200, "jitter": 150}, 3*time.Second)
	r.toxic("timeout", map[string]any{"timeout": 0}, 3*time.Second) // stalls, never closes
	time.Sleep(time.Second)
	r.toxic("bandwidth", map[string]any{"rate": 2}, 3*time.Second) // 2 KB/s
	time.Sleep(time.Second)
}

// tally is what one feed saw, timed by the test's own clock.
type tally struct {
	mu           sync.Mutex
	seqs         []uint64
	gapMarked    []bool // whether a Reconnecting came before this message since the previous one
	pendingGap   bool
	reconnecting int
	state        feeds.State
	stopped      error

	// Reconnect delays as measured: from each Reconnecting to the end of
	// the attempt that follows it (its Connected or next Reconnecting).
	reconnectAt time.Time // zero when no attempt is pending
	announced   time.Duration
	waits       []time.Duration
	shortWaits  []string // attempts that came sooner than announced

	arrived []time.Time // when each of seqs arrived
}

func (ta *tally) handle(e feeds.Event) {
	now := time.Now()
	ta.mu.Lock()
	defer ta.mu.Unlock()
	switch e.Kind {
	case feeds.KindStatus:
		ta.state = e.Status.State
		switch e.Status.State {
		case feeds.Connected, feeds.Reconnecting:
			if !ta.reconnectAt.IsZero() {
				w := now.Sub(ta.reconnectAt)
				ta.waits = append(ta.waits, w)
				if w < ta.announced {
					ta.shortWaits = append(ta.shortWaits, fmt.Sprintf("%v (announced %v)", w, ta.announced))
				}
				ta.reconnectAt = time.Time{}
			}
		case feeds.Stopped:
			ta.stopped = e.Status.Err
		}
		if e.Status.State == feeds.Reconnecting {
			ta.reconnecting++
			ta.pendingGap = true
			ta.reconnectAt, ta.announced = now, e.Status.Delay
		}
	case feeds.KindMessage:
		var m struct{ Seq uint64 }
		if err := json.Unmarshal(e.Message.Data, &m); err != nil || m.Seq == 0 {
			return // keep-alives never reach here; anything else is checked by count
		}
		ta.seqs = append(ta.seqs, m.Seq)
		ta.arrived = append(ta.arrived, now)
		ta.gapMarked = append(ta.gapMarked, ta.pendingGap)
		ta.pendingGap = false
	}
}

func (ta *tally) lastSeq() uint64 {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if len(ta.seqs) == 0 {
		return 0
	}
	return ta.seqs[len(ta.seqs)-1]
}

func TestFaults(t *testing.T) {
	runtime.GC()
	g0, h0 := runtime.NumGoroutine(), heapInuse()
	before := goleak.IgnoreCurrent()
	// The transports run side by side, each with its own hub and proxy.
	// (Not t.Parallel: that would cap them at GOMAXPROCS, and these runs
	// wait on the network, not the CPU.)
	var wg sync.WaitGroup
	for _, tc := range []struct {
		name string
		tr   feeds.Transport
		path string
		// exact: every sequence number must arrive (SSE replays from
		// the hub's log); otherwise gaps are allowed but must be marked.
		exact bool
	}{
		{"sse", feeds.SSE, "/sse", true},
		{"ws", feeds.WebSocket, "/ws", false},
		{"poll", feeds.Poll, "/poll", false},
	} {
		wg.Go(func() {
			t.Run(tc.name, func(t *testing.T) { runFaults(t, tc.tr, tc.path, tc.exact) })
		})
	}
	wg.Wait()
	// Everything the runs started has ended (goleak retries for a while,
	// then names any goroutine that has not).
	leak := goleak.Find(before, toxiproxyStubs)
	runtime.GC()
	g1, h1 := runtime.NumGoroutine(), heapInuse()
	t.Logf("whole run: goroutines %d at start, %d at end; heap %.1f MiB at start, %.1f MiB at end", g0, g1, mib(h0), mib(h1))
	if leak != nil {
		t.Errorf("goroutines left over: %v", leak)
	}
	if h1 > h0+32<<20 {
		t.Errorf("heap grew from %.1f to %.1f MiB", mib(h0), mib(h1))
	}
}

func runFaults(t *testing.T, tr feeds.Transport, path string, exact bool) {
	r := newRig(t)
	ta := &tally{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	cfg := feeds.Config{
		URL:              r.base + path,
		Transport:        tr,
		PollInterval:     100 * time.Millisecond,
		RequestTimeout:   time.Second,
		HandshakeTimeout: time.Second,
		Heartbeat:        500 * time.Millisecond,
		Backoff:          backoff,
	}
	go func() { done <- feeds.Run(ctx, cfg, ta.handle) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run returned %v", err)
		}
	}()

	waitFor(t, 10*time.Second, "first message", func() bool { return ta.lastSeq() > 0 })
	runtime.GC()
	h0 := heapInuse()
	peak := h0
	sampler := make(chan struct{})
	samplerDone := make(chan struct{})
	go func() {
		defer close(samplerDone)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-sampler:
				return
			case <-tick.C:
				peak = max(peak, heapInuse())
			}
		}
	}()

	began := time.Now()
	for {
		c0 := time.Now()
		r.cycle()
		// No cycle may run past -soak: the test's timeout is fitted to it.
		if time.Since(began)+time.Since(c0) > *soakFor {
			break
		}
	}
	// Let the feed settle on a healthy link, then stop publishing and wait
	// for the newest message.
	time.Sleep(time.Second)
	r.pubCancel()
	final := r.last.Load()
	waitFor(t, 30*time.Second, fmt.Sprintf("seq %d", final), func() bool { return ta.lastSeq() >= final })
	close(sampler)
	<-samplerDone
	runtime.GC()
	h1 := heapInuse()

	ta.mu.Lock()
	defer ta.mu.Unlock()
	lost, dup, unmarked := 0, 0, 0
	for i := 1; i < len(ta.seqs); i++ {
		prev, cur := ta.seqs[i-1], ta.seqs[i]
		switch {
		case cur <= prev:
			dup++
		case cur > prev+1:
			lost += int(cur - prev - 1)
			if !ta.gapMarked[i] && tr != feeds.Poll {
				unmarked++
			}
		}
	}
	// A poll reads the newest message, so its skipped numbers are no gap;
	// staleness is. When a poll brings message b after message a, message
	// a+1 has waited since it was published, at most for the rest of the
	// request that brought a, a poll interval and the next request (each
	// request bounded by RequestTimeout) when every poll succeeds; waiting
	// longer must follow a Reconnecting.
	staleLimit := cfg.PollInterval + 2*cfg.RequestTimeout + staleSlack
	var unmarkedStale []time.Duration
	if tr == feeds.Poll {
		r.pubMu.Lock()
		for i := 1; i < len(ta.seqs); i++ {
			next := ta.seqs[i-1] // index of seq a+1
			if ta.seqs[i] <= ta.seqs[i-1] || next >= uint64(len(r.pubAt)) {
				continue
			}
			if stale := ta.arrived[i].Sub(r.pubAt[next]); stale > staleLimit && !ta.gapMarked[i] {
				unmarkedStale = append(unmarkedStale, stale.Round(time.Millisecond))
			}
		}
		r.pubMu.Unlock()
	}
	// The measured wait from a Reconnecting to the end of the next
	// attempt: never a tight loop (the shortest step is the backoff's
	// first, less its jitter, or the hub's retry:), never past the cap by
	// more than one attempt (bounded by the timeouts) and some slack.
	minWait := min(backoff.Initial/2, hubRetry)
	maxWait := backoff.Max + max(cfg.RequestTimeout, cfg.HandshakeTimeout) + waitSlack
	var badWaits []time.Duration
	for _, w := range ta.waits {
		if w < minWait || w > maxWait {
			badWaits = append(badWaits, w)
		}
	}
	waits := slices.Clone(ta.waits)
	slices.Sort(waits)
	var median, longest time.Duration
	if len(waits) > 0 {
		median, longest = waits[len(waits)/2], waits[len(waits)-1]
	}

	// A new SSE subscriber starts from the present (it has no
	// Last-Event-ID yet), so counting starts at the first message seen.
	missed := "lost"
	if tr == feeds.Poll {
		missed = "skipped (a poll reads the newest)"
	}
	t.Logf("%s: %d faults injected over %v, %d messages checked of %d published, %d %s, %d duplicated, %d reconnects (measured wait to the next attempt's end: median %v, longest %v), peak heap %.1f MiB (process-wide; %.1f at start, %.1f at end)",
		tr, r.faults, time.Since(began).Round(time.Second), len(ta.seqs), final, lost, missed, dup, ta.reconnecting,
		median.Round(time.Millisecond), longest.Round(time.Millisecond), mib(peak), mib(h0), mib(h1))

	if ta.stopped != nil {
		t.Fatalf("the feed stopped for good: %v", ta.stopped)
	}
	if dup > 0 {
		t.Errorf("%d messages duplicated or out of order", dup)
	}
	if exact && lost > 0 {
		t.Errorf("%d messages lost over SSE despite Last-Event-ID replay", lost)
	}
	if unmarked > 0 {
		t.Errorf("%d gaps in the sequence without a Reconnecting before them", unmarked)
	}
	if len(unmarkedStale) > 0 {
		t.Errorf("polls that caught up after more than %v without a Reconnecting before them: %v", staleLimit, unmarkedStale)
	}
	if ta.reconnecting == 0 {
		t.Errorf("no reconnect seen: the faults did not reach the feed")
	}
	// Every outage ended in a connection: the last word is Connected (a
	// retry during an outage may fail again, so the counts differ).
	if ta.state != feeds.Connected {
		t.Errorf("the feed ended %v, not Connected", ta.state)
	}
	if len(badWaits) > 0 {
		t.Errorf("measured reconnect waits outside [%v, %v]: %v", minWait, maxWait, badWaits)
	}
	if len(ta.shortWaits) > 0 {
		t.Errorf("attempts sooner than their Reconnecting announced: %v", ta.shortWaits)
	}
}

func heapInuse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
