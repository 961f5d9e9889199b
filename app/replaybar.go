package app

import (
	"context"
	"math"
	"slices"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"feedscope/charts/series"
	"feedscope/feeds/recording"
	"feedscope/feeds/replay"
)

// A loaded recording can be played back as if live: the replay clears
// the feed's series and appends their points again at the recorded pace
// divided by the speed, so the charts (following the newest point) move
// through the recording as through a live feed. Scrubbing refills the
// series up to the chosen time at once and carries on from there.

// replaySpeeds are the replay bar's speeds, in its order.
var replaySpeeds = []struct {
	label string
	speed float64
}{{"1×", 1}, {"10×", 10}, {"100×", 100}, {"max", math.Inf(1)}}

// replayer plays one recording feed back into its series in the store.
// Its methods run on the main goroutine; one replay goroutine runs at a
// time (each waits for the one before it), and it alone writes to the
// series while it runs.
type replayer struct {
	u      *UI
	store  *series.Store
	series []*series.Series
	// feed is the bridge of the recording's feed: a replay counts its
	// frames there, for the rates, and feeds its engine, for the derived
	// series and alarms, as a live feed's messages do. Set by the main
	// goroutine (a dashboard edit may give the feed a new bridge).
	feed atomic.Pointer[bridge]
	// first and last are the recording's span.
	first, last int64
	speed       float64
	playing     bool
	cancel      context.CancelFunc
	done        chan struct{} // closed when the latest goroutine ends
	// src is the recording's points, copied out of the store when the
	// replay first clears it; only replay goroutines touch it, and it is
	// dropped when a replay reaches the end (the store is whole again).
	src []recording.Series
	// pos is the replayed time: the series hold the points up to it.
	pos   atomic.Int64
	ended atomic.Bool // the latest replay reached the end
}

func newReplayer(u *UI, ss []*series.Series) *replayer {
	r := &replayer{u: u, store: u.bridge.store, series: ss, speed: 1}
	ok := false
	for _, sr := range ss {
		o, n, has := sr.Span()
		if !has {
			continue
		}
		if !ok || o < r.first {
			r.first = o
		}
		if !ok || n > r.last {
			r.last = n
		}
		ok = true
	}
	r.pos.Store(r.last)
	return r
}

// play replays from where the replay stands (from the start when at the
// end).
func (r *replayer) play() {
	if r.playing {
		return
	}
	from := r.pos.Load()
	if from >= r.last {
		from = r.first - 1 // from the top: nothing shown yet
	}
	r.playing = true
	r.start(from)
}

// pause stops the replay where it is; the series keep what it appended.
func (r *replayer) pause() {
	r.playing = false
	if r.cancel != nil {
		r.cancel()
	}
}

// seek shows the recording up to t, and plays on from there when
// playing.
func (r *replayer) seek(t int64) {
	r.start(min(max(t, r.first-1), r.last))
}

// setSpeed changes the speed; a running replay goes on at the new one.
func (r *replayer) setSpeed(s float64) {
	r.speed = s
	if r.playing {
		r.start(r.pos.Load())
	}
}

// start retires the running goroutine and starts one that refills the
// series up to target and, when playing, plays on from there.
func (r *replayer) start(target int64) {
	if r.cancel != nil {
		r.cancel()
	}
	ctx, cancel := context.WithCancel(r.u.ctx)
	prev, done := r.done, make(chan struct{})
	r.cancel, r.done = cancel, done
	r.ended.Store(false)
	r.pos.Store(target)
	play, speed := r.playing, r.speed
	r.u.runs.Go(func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		if ctx.Err() != nil {
			return
		}
		r.refill(ctx, target)
		if !play || ctx.Err() != nil {
			return
		}
		if r.playFrom(ctx, target, speed) {
			r.ended.Store(true)
			r.src = nil // the series hold every point again
		}
	})
}

// refill empties the series and appends the points up to target.
// Replay goroutine.
func (r *replayer) refill(ctx context.Context, target int64) {
	if r.src == nil {
		r.src = make([]recording.Series, len(r.series))
		for i, sr := range r.series {
			n := sr.Len()
			s := recording.Series{Name: sr.Name(), T: make([]int64, 0, n), V: make([]float64, 0, n)}
			for t, v := range sr.Points(math.MinInt64, math.MaxInt64) {
				s.T = append(s.T, t)
				s.V = append(s.V, v)
			}
			r.src[i] = s
		}
	}
	for i, sr := range r.series {
		sr.Clear()
		src := r.src[i]
		for k := range src.T {
			if src.T[k] > target {
				break
			}
			if k%65536 == 0 && ctx.Err() != nil {
				return
			}
			_ = sr.AppendNanos(src.T[k], src.V[k])
		}
	}
}

// playFrom appends the points after from at the recorded pace divided by
// speed, and reports whether it reached the end. Replay goroutine.
func (r *replayer) playFrom(ctx context.Context, from int64, speed float64) bool {
	rest := make([]recording.Series, len(r.src))
	for i, s := range r.src {
		k, _ := slices.BinarySearch(s.T, from+1)
		rest[i] = recording.Series{Name: s.Name, T: s.T[k:], V: s.V[k:]}
	}
	_ = replay.Play(ctx, rest, replay.Options{Speed: speed}, replay.RealClock{}, func(f replay.Frame) error {
		var derive *liveEngine
		var arrival time.Time
		if b := r.feed.Load(); b != nil {
			b.msgs.Add(1)
			b.samples.Add(uint64(len(f.Points)))
			b.lastMsg.Store(time.Now().UnixNano())
			if derive = b.derive.Load(); derive != nil {
				arrival = derive.now()
			}
		}
		for _, p := range f.Points {
			sr := r.series[p.Series]
			if sr.AppendNanos(f.Time, p.Value) == nil && derive != nil {
				derive.sample(r.store, arrival, sr.Name(), f.Time, p.Value)
			}
		}
		r.pos.Store(f.Time)
		return nil
	})
	if ctx.Err() != nil {
		return false
	}
	r.pos.Store(r.last)
	return true
}

// replayBar is the strip of replay controls shown under the charts while
// the dashboard has a loaded recording: which recording, Play/Pause,
// speed, a time slider to scrub and the replayed time.
type replayBar struct {
	feed    *widget.Select
	play    *widget.Button
	speed   *widget.Select
	slider  *widget.Slider
	at      *widget.Label
	content fyne.CanvasObject
	syncing bool // the slider is being set from the replay, not by the user
}

func (u *UI) newReplayBar() *replayBar {
	b := &replayBar{at: widget.NewLabel("")}
	b.feed = widget.NewSelect(nil, func(string) { u.syncReplayBar() })
	b.play = widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), func() {
		r := u.currentReplayer()
		if r == nil {
			return
		}
		if r.playing {
			r.pause()
		} else {
			r.play()
		}
		u.syncReplayBar()
	})
	var labels []string
	for _, s := range replaySpeeds {
		labels = append(labels, s.label)
	}
	b.speed = widget.NewSelect(labels, func(l string) {
		r := u.currentReplayer()
		if r == nil {
			return
		}
		for _, s := range replaySpeeds {
			if s.label == l && s.speed != r.speed {
				r.setSpeed(s.speed)
			}
		}
	})
	b.speed.SetSelected(replaySpeeds[0].label)
	b.slider = widget.NewSlider(0, 1000)
	b.slider.OnChangeEnded = func(v float64) {
		if b.syncing {
			return
		}
		if r := u.currentReplayer(); r != nil {
			r.seek(r.first + int64(v/1000*float64(r.last-r.first)))
			u.syncReplayBar()
		}
	}
	title := widget.NewLabelWithStyle("Replay", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	left := container.NewHBox(title, b.feed, b.play, b.speed)
	b.content = container.NewPadded(container.NewBorder(nil, nil, left, b.at, b.slider))
	return b
}

// currentReplayer is the replayer of the recording the bar shows, made
// on first use; nil when none is loaded.
func (u *UI) currentReplayer() *replayer {
	if u.rw.bar == nil {
		return nil
	}
	r := u.rw.recs[u.rw.bar.feed.Selected]
	if r == nil || !r.loaded {
		return nil
	}
	if r.replay == nil {
		r.replay = newReplayer(u, r.series)
		for _, f := range u.dash.feeds {
			if f.rec == r {
				r.replay.feed.Store(f.bridge)
			}
		}
	}
	return r.replay
}

// selectRecording shows the replay controls of the recording feed name.
func (u *UI) selectRecording(name string) {
	u.syncReplayBar()
	if u.rw.bar != nil {
		u.rw.bar.feed.SetSelected(name)
	}
}

// loadedRecordings are the names of the dashboard's recording feeds that
// are loaded, in the dashboard's order; recordings of feeds that went are
// stopped and forgotten.
func (u *UI) loadedRecordings() []string {
	var names []string
	live := map[*recFeed]bool{}
	if u.dash != nil {
		for _, f := range u.dash.feeds {
			if f.rec != nil && u.rw.recs[f.feed.Name] == f.rec {
				live[f.rec] = true
				if f.rec.replay != nil {
					f.rec.replay.feed.Store(f.bridge)
				}
				if f.rec.loaded {
					names = append(names, f.feed.Name)
				}
			}
		}
	}
	for name, r := range u.rw.recs {
		if !live[r] && r.pending == nil {
			r.stop()
			delete(u.rw.recs, name)
		}
	}
	return names
}

// syncReplayBar shows the bar while a recording is loaded and puts its
// controls where the replay stands. Main goroutine (every flush).
func (u *UI) syncReplayBar() {
	names := u.loadedRecordings()
	if len(names) == 0 {
		if len(u.rw.barBox.Objects) > 0 {
			u.rw.barBox.Objects = nil
			u.rw.barBox.Hide()
		}
		return
	}
	if u.rw.bar == nil {
		u.rw.bar = u.newReplayBar()
	}
	b := u.rw.bar
	if len(u.rw.barBox.Objects) == 0 {
		u.rw.barBox.Objects = []fyne.CanvasObject{b.content}
		u.rw.barBox.Show()
		u.rw.barBox.Refresh()
	}
	if !slices.Equal(b.feed.Options, names) {
		b.feed.Options = names
		b.feed.Refresh()
	}
	if !slices.Contains(names, b.feed.Selected) {
		b.feed.SetSelected(names[len(names)-1]) // calls back here
		return
	}
	r := u.currentReplayer()
	if r.playing && r.ended.Load() {
		r.playing = false
	}
	if r.playing && b.play.Text != "Pause" {
		b.play.SetText("Pause")
		b.play.SetIcon(theme.MediaPauseIcon())
	} else if !r.playing && b.play.Text != "Play" {
		b.play.SetText("Play")
		b.play.SetIcon(theme.MediaPlayIcon())
	}
	for _, s := range replaySpeeds {
		if s.speed == r.speed && b.speed.Selected != s.label {
			b.speed.SetSelected(s.label)
		}
	}
	pos := min(max(r.pos.Load(), r.first), r.last)
	v := 1000.0
	if r.last > r.first {
		v = float64(pos-r.first) / float64(r.last-r.first) * 1000
	}
	if math.Abs(b.slider.Value-v) >= 0.5 {
		b.syncing = true
		b.slider.SetValue(v)
		b.syncing = false
	}
	setLabel(b.at, time.Unix(0, pos).Local().Format("2006-01-02 15:04:05.000"))
}
