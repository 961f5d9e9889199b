package app

import (
	"maps"
	"math"
	"slices"
	"sync"
	"time"

	"feedscope/app/compute"
	"feedscope/app/dashboard"
	"feedscope/app/engine"
	"feedscope/charts/series"
)

// liveEngine is the window's engine.Engine: what each series derives and
// which alarms watch it, for the open dashboard's panels (or the
// single-URL window's one implicit panel). Every feed goroutine computes
// its own samples' derived points and alarm states here, in its bridge,
// off the UI goroutine; the main goroutine ticks the alarms at each flush
// and takes the transitions they caused.
//
// # Concurrency
//
// mu guards everything: feed goroutines hold it per sample, the main
// goroutine per flush, per redefinition and per acknowledgement.
type liveEngine struct {
	mu  sync.Mutex
	eng *engine.Engine
	// derived are the names of every series an engine of this window
	// derived, now or before a redefinition: the store keeps series, so a
	// derived series that is no longer derived stays one (and is never
	// taken for a raw series to derive from).
	derived map[string]bool
	// pending transitions since the last flush, at most maxPendingAlarms.
	pending []compute.Transition
	lost    int
	tooMany bool // news: more series than engine.MaxPlans
	// clock gives arrival times and the alarms' time; time.Now outside
	// tests.
	clock func() time.Time
	// retired: a dashboard edit gave this engine's alarms to another.
	retired bool
	// out are the series of outStore the derivations write to.
	outStore *series.Store
	out      map[*engine.Derivation]*series.Series
}

// maxPendingAlarms bounds the transitions kept between two flushes: an
// alarm without for and hysteresis on a noisy series may flap at the
// feed's rate.
const maxPendingAlarms = 1000

// newLiveEngine returns the engine of panels (copied: the window edits
// its dashboard while the engine reads its own).
func newLiveEngine(panels []dashboard.Panel) (*liveEngine, error) {
	l := &liveEngine{derived: map[string]bool{}, clock: time.Now}
	eng, err := engine.New(clonePanels(panels), nil)
	if err != nil {
		return nil, err
	}
	l.setEngine(eng)
	return l, nil
}

func (l *liveEngine) setEngine(eng *engine.Engine) {
	l.eng = eng
	// Called with mu held (Plan calls it).
	eng.OnTooMany = func() { l.tooMany = true }
}

func clonePanels(ps []dashboard.Panel) []dashboard.Panel {
	return (&dashboard.Dashboard{Panels: ps}).Clone().Panels
}

// now is the time by the engine's clock: a message arriving now arrives
// then.
func (l *liveEngine) now() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.clock()
}

// setClock replaces the clock (tests: minutes pass at once).
func (l *liveEngine) setClock(c func() time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clock = c
}

// sample takes one stored sample of the raw series name (t in Unix
// nanoseconds), arrived at arrival: it appends what is derived from it to
// store and feeds the alarms that watch it. Cost O(1) amortised per
// derivation and alarm. Feed goroutine.
func (l *liveEngine) sample(store *series.Store, arrival time.Time, name string, t int64, v float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.retired || l.derived[name] {
		// A retired engine's feeds feed the new one from their next
		// sample; a feed's series named as a derived one is not derived
		// again.
		return
	}
	plan := l.eng.Plan(name)
	for _, a := range plan.NoData {
		l.report(a.Sample(arrival, v))
	}
	for _, a := range plan.Alarms {
		l.report(a.Sample(arrival, v))
	}
	for _, dv := range plan.Derived {
		out, ok, err := dv.Pipe.Push(t, v)
		if err != nil || !ok {
			continue // refused points are counted in the pipeline's Stats
		}
		sr := l.output(store, dv)
		if sr == nil || sr.AppendNanos(t, out) != nil {
			continue // too many series, or refused as the raw point was
		}
		for _, a := range dv.Alarms {
			l.report(a.Sample(arrival, out))
		}
	}
}

// output returns the series of store that dv's points go to, making it
// at the first; nil when the store takes no more series. mu held.
func (l *liveEngine) output(store *series.Store, dv *engine.Derivation) *series.Series {
	if store != l.outStore {
		// A new store (the history length changed): its own series.
		l.outStore, l.out = store, map[*engine.Derivation]*series.Series{}
	}
	if sr, ok := l.out[dv]; ok {
		return sr
	}
	l.derived[dv.Name] = true
	sr, err := store.Series(dv.Name)
	if err != nil {
		return nil
	}
	l.out[dv] = sr
	return sr
}

// retire stops the engine and hands over its engine and the names it
// derived, for the engine that replaces it.
func (l *liveEngine) retire() (*engine.Engine, map[string]bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.retired = true
	return l.eng, maps.Clone(l.derived)
}

// report keeps transitions for the next flush. mu held.
func (l *liveEngine) report(trs []compute.Transition) {
	for _, tr := range trs {
		if len(l.pending) >= maxPendingAlarms {
			l.lost++
			continue
		}
		l.pending = append(l.pending, tr)
	}
}

// tick tells every alarm the time and takes what happened since the last
// tick. Main goroutine.
func (l *liveEngine) tick(now time.Time) (trs []compute.Transition, lost int, tooMany bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.report(l.eng.Tick(now))
	trs, lost, tooMany = l.pending, l.lost, l.tooMany
	l.pending, l.lost, l.tooMany = nil, 0, false
	return trs, lost, tooMany
}

// shows reports, per panel, whether it draws the series named name, and
// false when the engine does not know the series (beyond
// engine.MaxPlans): then the panels' patterns decide.
func (l *liveEngine) shows(name string, on []bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.derived[name] {
		// The plan at once, not at the feed's next sample.
		for _, dv := range l.eng.Plan(name).Derived {
			l.derived[dv.Name] = true
		}
		if !l.eng.Planned(name) {
			return false
		}
	}
	for i, m := range l.eng.Shows() {
		on[i] = m[name]
	}
	return true
}

// source returns the raw series a series of the store is derived from,
// and the fn, or name itself and "" for a raw series.
func (l *liveEngine) source(name string) (raw, fn string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if dv := l.eng.Derived(name); dv != nil {
		return dv.Source, dv.Pipe.String()
	}
	return name, ""
}

// isDerived reports whether a series of the store is (or was) derived.
func (l *liveEngine) isDerived(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.derived[name]
}

// redefine replaces the engine by one for panels, keeping the alarms whose
// rules stay, and recomputes every derived series from the raw points in
// store: a changed fn redraws the whole history, not only what comes next.
// Derived series no derivation makes any more are emptied. It returns the
// names of the derived series now made. Main goroutine.
func (l *liveEngine) redefine(store *series.Store, panels []dashboard.Panel) ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	eng, err := engine.New(clonePanels(panels), l.eng)
	if err != nil {
		return nil, err
	}
	l.setEngine(eng)
	l.outStore, l.out = nil, nil // the new engine's derivations
	var made []string
	for _, sr := range store.List() {
		name := sr.Name()
		if l.derived[name] {
			continue
		}
		for _, dv := range eng.Plan(name).Derived {
			made = append(made, dv.Name)
			l.derived[dv.Name] = true
			out, err := store.Series(dv.Name)
			if err != nil {
				continue
			}
			out.Clear()
			dv.Pipe.Replay(sr.Points(math.MinInt64, math.MaxInt64), func(t int64, v float64) bool {
				_ = out.AppendNanos(t, v)
				return true
			})
		}
	}
	for name := range l.derived {
		if !slices.Contains(made, name) {
			if sr := store.Lookup(name); sr != nil && sr.Len() > 0 {
				sr.Clear()
			}
		}
	}
	return made, nil
}
