package app

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"feedscope/charts/series"
	"feedscope/feeds"
)

// Bounds of what the bridge holds between two flushes and what the log
// pane keeps: a feed of ten thousand messages a second must not grow
// memory or the fyne.Do queue.
const (
	maxLogEntries  = 500
	maxLogText     = 300
	flushInterval  = 100 * time.Millisecond
	rateWindowSize = 10 // flushes per rate window (one second)
	// maxFuture is how far ahead of its arrival a payload's own time may
	// be (a sender's clock a little fast) before arrival time replaces it.
	maxFuture = time.Hour
)

// logKind says what a message-log entry is.
type logKind int

const (
	logMessage logKind = iota // a raw message
	logText                   // a text event: a message (or part) without numbers
	logState                  // a state change
)

// logEntry is one line of the message log.
type logEntry struct {
	Time time.Time
	Kind logKind
	Text string
	// msg is a raw message whose Text is made when a flush takes it:
	// at a high rate most entries are dropped unseen, so clipping every
	// message on the feed goroutine would be wasted work.
	msg *feeds.Message
}

// bridge is the one place where a feed goroutine hands news to the UI.
// The feed's handler appends samples to the store (safe from any
// goroutine), bumps counters, and leaves the latest status and log
// entries in pending; the window takes them in one fyne.Do per flush.
//
// Each feed run has an epoch. Stopping a feed starts a new epoch and
// returns at once, while the old run may take seconds to wind down (a peer
// that never answers a close); whatever the old run delivers after that
// is dropped, so two feeds never write to the store at once.
type bridge struct {
	// epochMu is held for reading while a handler works and for writing
	// while the epoch changes: once newEpoch returns, no handler of an
	// earlier epoch touches the store, the counters or pending again.
	epochMu sync.RWMutex
	epoch   uint64
	store   *series.Store
	// prefix goes before every series name: "feed/" for a feed of a
	// dashboard with several feeds, empty otherwise. Set before a run.
	prefix string
	// derive, when set, derives series from the stored samples and
	// feeds the alarms that watch them (derived.go). A running feed that a
	// dashboard edit keeps moves to the new view's engine.
	derive atomic.Pointer[liveEngine]

	msgs    atomic.Uint64
	samples atomic.Uint64
	bytes   atomic.Uint64
	dropped atomic.Uint64 // samples the store refused (out of order, too many series)
	lastMsg atomic.Int64  // Unix nanoseconds of the last message; 0 before the first

	mu      sync.Mutex
	status  feeds.Status
	changed bool // status is news
	logs    []logEntry
	lost    int // log entries dropped because the UI was slower than the feed
	problem string
}

// pending is what a flush takes from the bridge.
type pending struct {
	status  feeds.Status
	changed bool
	logs    []logEntry
	lost    int
	problem string
}

func (b *bridge) take() pending {
	b.mu.Lock()
	p := pending{status: b.status, changed: b.changed, logs: b.logs, lost: b.lost, problem: b.problem}
	b.changed, b.logs, b.lost, b.problem = false, nil, 0, ""
	b.mu.Unlock()
	if over := len(p.logs) - maxLogEntries; over > 0 {
		p.logs, p.lost = p.logs[over:], p.lost+over
	}
	// The entries are ours now: clip them without holding up the feed.
	for i := range p.logs {
		if e := &p.logs[i]; e.msg != nil {
			e.Text, e.msg = clipLog(*e.msg), nil
		}
	}
	return p
}

func (b *bridge) addLog(e logEntry) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.logs) >= 2*maxLogEntries {
		// Only the newest maxLogEntries can be shown anyway. Dropping
		// half at a time keeps this O(1) per message at any rate.
		n := copy(b.logs, b.logs[len(b.logs)-maxLogEntries:])
		clear(b.logs[n:])
		b.logs = b.logs[:n]
		b.lost += maxLogEntries
	}
	b.logs = append(b.logs, e)
}

func (b *bridge) setStatus(st feeds.Status) {
	b.mu.Lock()
	b.status, b.changed = st, true
	b.mu.Unlock()
	b.addLog(logEntry{Time: st.Time, Kind: logState, Text: describeStatus(st)})
}

// markBreak breaks the lines of this bridge's series before their next
// point: every series of the store for the single feed, only the feed's
// own (by prefix) for a feed of a dashboard, so that one feed's outage
// does not cut the lines of the others.
func (b *bridge) markBreak() {
	if b.prefix == "" {
		b.store.MarkBreak()
		return
	}
	for _, sr := range b.store.List() {
		if strings.HasPrefix(sr.Name(), b.prefix) {
			sr.MarkBreak()
		}
	}
}

// newEpoch retires every earlier run and returns the epoch of the next
// one. It waits only for a handler call in progress (microseconds), never
// for a run to end.
func (b *bridge) newEpoch() uint64 {
	b.epochMu.Lock()
	defer b.epochMu.Unlock()
	b.epoch++
	return b.epoch
}

// run runs one feed, in a new epoch, until ctx ends or it stops for good.
// It is the feed goroutine: nothing here touches a widget.
func (b *bridge) run(ctx context.Context, cfg feeds.Config, ts feeds.TimeSource) error {
	return b.runEpoch(ctx, b.newEpoch(), cfg, ts)
}

// runEpoch is run for an epoch the caller took with newEpoch.
func (b *bridge) runEpoch(ctx context.Context, epoch uint64, cfg feeds.Config, ts feeds.TimeSource) error {
	return feeds.Run(ctx, cfg, b.handler(epoch, ts))
}

// handler is what a run of the given epoch does with each event.
func (b *bridge) handler(epoch uint64, ts feeds.TimeSource) feeds.Handler {
	dec := feeds.Decoder{Time: ts}
	var (
		warned bool
		quiet  silence
	)
	return func(ev feeds.Event) {
		b.epochMu.RLock()
		defer b.epochMu.RUnlock()
		if b.epoch != epoch {
			return // a retired run winding down: not news any more
		}
		if ev.Kind == feeds.KindStatus {
			if ev.Status.State == feeds.Reconnecting {
				b.markBreak() // no line across the outage
			}
			b.setStatus(ev.Status)
			return
		}
		m := ev.Message
		if quiet.arrive(m.Time) {
			b.markBreak() // no line across a silence either
		}
		b.msgs.Add(1)
		b.bytes.Add(uint64(len(m.Data)))
		b.lastMsg.Store(m.Time.UnixNano())
		b.addLog(logEntry{Time: m.Time, Kind: logMessage, msg: &m})
		r := dec.Decode(m)
		var stored uint64
		future := false
		var arrival time.Time
		derive := b.derive.Load()
		if derive != nil && len(r.Samples) > 0 {
			arrival = derive.now()
		}
		for _, s := range r.Samples {
			if s.Time.Sub(m.Time) > maxFuture {
				// One sample stamped years ahead would drag the live view
				// there and make every later point "out of order".
				s.Time, future = m.Time, true
			}
			name := b.prefix + s.Series
			err := b.store.Append(name, s.Time, s.Value)
			if err == nil {
				stored++
				if derive != nil {
					derive.sample(b.store, arrival, name, s.Time.UnixNano(), s.Value)
				}
				continue
			}
			b.dropped.Add(1)
			if errors.Is(err, series.ErrTooManySeries) && !warned {
				warned = true
				b.mu.Lock()
				b.problem = "too many series: new ones are not stored"
				b.mu.Unlock()
			}
		}
		b.samples.Add(stored)
		if future {
			b.addLog(logEntry{Time: m.Time, Kind: logText, Text: "payload time more than " + maxFuture.String() + " ahead: arrival time used"})
		}
		for _, t := range r.Texts {
			b.addLog(logEntry{Time: t.Time, Kind: logText, Text: t.Text + "  (" + t.Reason + ")"})
		}
	}
}

// A feed falls silent when the gap between two messages is longer than
// silenceFactor times its median interval, and at least minSilence: the
// chart's lines break there, as at a reconnect, instead of drawing a
// straight line across minutes without data. The median of the last
// silenceWindow intervals follows a feed whose rhythm changes, and a few
// late messages do not move it.
const (
	silenceFactor = 3
	minSilence    = 2 * time.Second
	silenceWindow = 64
	silenceLearn  = 3 // intervals measured before a gap can be a silence
	// silenceEvery is how many messages may pass before the median is
	// taken again: a fast feed must not sort 64 numbers per message.
	silenceEvery = 16
)

// silence measures one run's message intervals by arrival time. Only the
// run's goroutine uses it.
type silence struct {
	last  time.Time
	gaps  [silenceWindow]time.Duration // a ring of the latest intervals
	n     int                          // intervals in gaps
	next  int                          // where the next interval goes
	stale int                          // intervals recorded since limit was set
	limit time.Duration
}

// arrive records a message that arrived at t and reports whether a
// silence came before it.
func (s *silence) arrive(t time.Time) bool {
	if s.last.IsZero() {
		s.last = t
		return false
	}
	gap := t.Sub(s.last)
	s.last = t
	if gap < 0 {
		return false // the clock stepped back
	}
	if s.limit == 0 || s.n < silenceWindow || s.stale >= silenceEvery {
		s.limit = s.threshold()
		s.stale = 0
	}
	// Until a few intervals are known the feed has no rhythm to break.
	silent := s.n >= silenceLearn && gap > s.limit
	s.gaps[s.next] = gap
	s.next = (s.next + 1) % silenceWindow
	s.n = min(s.n+1, silenceWindow)
	s.stale++
	return silent
}

// threshold is max(silenceFactor × the median interval, minSilence).
func (s *silence) threshold() time.Duration {
	if s.n == 0 {
		return minSilence
	}
	var sorted [silenceWindow]time.Duration
	g := sorted[:s.n]
	copy(g, s.gaps[:s.n])
	slices.Sort(g)
	return max(silenceFactor*g[s.n/2], minSilence)
}

// clipLog is a message as the log shows it: text up to maxLogText bytes
// on one line, or a note for binary data.
func clipLog(m feeds.Message) string {
	if m.Binary || !utf8.Valid(m.Data) {
		return "binary message, " + formatBytes(uint64(len(m.Data)))
	}
	b := m.Data
	if len(b) == 0 && len(m.Samples) > 0 {
		b = samplesText(m.Samples)
	}
	clipped := false
	if len(b) > maxLogText {
		b, clipped = b[:maxLogText], true
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	out := make([]byte, 0, len(b)+3)
	for _, c := range b {
		if c == '\n' || c == '\r' || c == '\t' {
			c = ' '
		}
		out = append(out, c)
	}
	s := string(out)
	if m.Event != "" {
		s = "[" + m.Event + "] " + s
	} else if m.Topic != "" {
		s = "[" + m.Topic + "] " + s
	}
	if clipped {
		s += "…"
	}
	return s
}

// samplesText shows the samples of a replayed message, which carries no
// text of its own: name=value, separated by spaces, stopping past
// maxLogText.
func samplesText(smp []feeds.Sample) []byte {
	var b []byte
	for i, s := range smp {
		if len(b) > maxLogText {
			break
		}
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, s.Series...)
		b = append(b, '=')
		b = strconv.AppendFloat(b, s.Value, 'g', -1, 64)
	}
	return b
}

// rates turns the bridge's counters into per-second figures over the last
// second of flushes.
type rates struct {
	hist [rateWindowSize + 1]struct {
		t             time.Time
		msgs, samples uint64
	}
	n                 int
	msgsPS, samplesPS float64
}

func (r *rates) update(now time.Time, msgs, samples uint64) {
	if r.n == len(r.hist) {
		copy(r.hist[:], r.hist[1:])
		r.n--
	}
	r.hist[r.n].t, r.hist[r.n].msgs, r.hist[r.n].samples = now, msgs, samples
	r.n++
	if r.n < 2 {
		r.msgsPS, r.samplesPS = 0, 0
		return
	}
	first, last := r.hist[0], r.hist[r.n-1]
	dt := last.t.Sub(first.t).Seconds()
	if dt <= 0 {
		return
	}
	r.msgsPS = float64(last.msgs-first.msgs) / dt
	r.samplesPS = float64(last.samples-first.samples) / dt
}

func (r *rates) reset() { *r = rates{} }
