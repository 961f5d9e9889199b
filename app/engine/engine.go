// Package engine decides, for a dashboard's panels, what is derived from
// each series and which alarms watch it, and keeps those pipelines and
// alarms: the one plan that record --dashboard, snapshot --dashboard and
// the window share, so that a dashboard file computes and warns alike
// wherever it runs.
//
// The plan of a series is made at its first sample: every panel that shows
// the series derives it by the fn of the first entry matching it, and
// watches what it shows (the derived values when there is an fn) with its
// alarm thresholds. Derived series are named by the entry's name (with the
// series' name in brackets when its pattern has * or ?), or "series | fn".
// Two panels deriving the same series by the same fn share one pipeline.
//
// The engine neither stores nor writes anything: the caller feeds a
// series' samples through its Plan (compute.Pipeline.Push,
// compute.Alarm.Sample), puts the derived points where it keeps points,
// and ticks Alarms with a clock.
//
// # Concurrency
//
// An Engine is not safe for concurrent use: its owner holds one lock
// around Plan, the pipelines and alarms it returns, and Tick.
package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"feedscope/app/compute"
	"feedscope/app/dashboard"
)

// MaxPlans bounds the series an engine derives from and watches (as the
// window's store bounds the series it keeps).
const MaxPlans = 1000

// Plan is what happens to the samples of one series besides being kept.
type Plan struct {
	Derived []*Derivation
	Alarms  []*compute.Alarm // threshold alarms on the raw values
	NoData  []*compute.Alarm // no-data alarms of the panels showing it
}

// Derivation is one derived series: its name, its source, its pipeline
// and the threshold alarms that watch its values.
type Derivation struct {
	Name   string
	Source string
	Pipe   *compute.Pipeline
	Alarms []*compute.Alarm
}

// Engine holds the plans of every series seen, for a dashboard's panels.
type Engine struct {
	panels []dashboard.Panel
	// plans by series name, made at the first sample.
	plans map[string]*Plan
	// derived by source, output name and fn, so that two panels showing
	// one derived series compute it once; names holds every output name.
	derived map[string]*Derivation
	names   map[string]*Derivation
	alarms  []*compute.Alarm
	panelOf map[*compute.Alarm]int
	noData  []*compute.Alarm
	shows   []map[string]bool
	tooMany bool
	// prev are the alarms of the engine this one replaces, by rule: a
	// redefinition keeps a firing alarm firing rather than firing it
	// again.
	prev map[compute.Rule][]*compute.Alarm

	// OnTooMany is called once, when a series beyond MaxPlans arrives: it
	// is still kept, but derives nothing and no alarm watches it.
	OnTooMany func()
}

// New returns the engine of panels (which it keeps and does not change).
// prev, when not nil, is the engine this one replaces: alarms with the
// same rule carry on in their state.
func New(panels []dashboard.Panel, prev *Engine) (*Engine, error) {
	e := &Engine{panels: panels, plans: map[string]*Plan{}, derived: map[string]*Derivation{},
		names: map[string]*Derivation{}, panelOf: map[*compute.Alarm]int{},
		shows: make([]map[string]bool, len(panels)), noData: make([]*compute.Alarm, len(panels))}
	if prev != nil {
		e.prev = map[compute.Rule][]*compute.Alarm{}
		for _, a := range prev.alarms {
			e.prev[a.Rule()] = append(e.prev[a.Rule()], a)
		}
	}
	for i, p := range panels {
		e.shows[i] = map[string]bool{}
		if p.NoData <= 0 {
			continue
		}
		a, err := e.alarm(compute.Rule{Kind: compute.NoDataAlarm, Series: PanelName(p, i), For: p.NoData}, i)
		if err != nil {
			return nil, err
		}
		e.noData[i] = a
	}
	return e, nil
}

// alarm makes the alarm of rule for panel i, or takes over the previous
// engine's.
func (e *Engine) alarm(rule compute.Rule, panel int) (*compute.Alarm, error) {
	var a *compute.Alarm
	if old := e.prev[rule]; len(old) > 0 {
		a, e.prev[rule] = old[0], old[1:]
	} else {
		var err error
		if a, err = compute.NewAlarm(rule); err != nil {
			return nil, err
		}
	}
	e.alarms = append(e.alarms, a)
	e.panelOf[a] = panel
	return a, nil
}

// PanelName names a panel in alarm lines: its title, or its place.
func PanelName(p dashboard.Panel, i int) string {
	if p.Title != "" {
		return p.Title
	}
	return fmt.Sprintf("panel %d", i+1)
}

// Plans returns the plans made so far, by series name. The map is the
// engine's own: read it under the owner's lock, change nothing.
func (e *Engine) Plans() map[string]*Plan { return e.plans }

// Shows returns, per panel, the names of the series it draws (derived
// ones by their derived name) among those planned. The engine's own.
func (e *Engine) Shows() []map[string]bool { return e.shows }

// NoData returns each panel's no-data alarm, or nil. The engine's own.
func (e *Engine) NoData() []*compute.Alarm { return e.noData }

// Alarms returns every alarm made so far, in the order made.
func (e *Engine) Alarms() []*compute.Alarm { return e.alarms }

// PanelOf returns the index of the panel whose alarm a is.
func (e *Engine) PanelOf(a *compute.Alarm) int { return e.panelOf[a] }

// Derived returns the derivation whose output is named name, or nil.
func (e *Engine) Derived(name string) *Derivation { return e.names[name] }

// Planned reports whether name has a plan (or is a derived series).
func (e *Engine) Planned(name string) bool {
	_, ok := e.plans[name]
	return ok || e.names[name] != nil
}

// Plan returns the plan of the series named name, making it at its first
// sample.
func (e *Engine) Plan(name string) *Plan {
	if pl, ok := e.plans[name]; ok {
		return pl
	}
	if len(e.plans) >= MaxPlans {
		// A feed inventing series names without end must not grow the
		// plans, pipelines and alarms without end: the series are still
		// kept, they just derive nothing.
		if !e.tooMany {
			e.tooMany = true
			if e.OnTooMany != nil {
				e.OnTooMany()
			}
		}
		return &Plan{}
	}
	pl := &Plan{}
	e.plans[name] = pl
	for i, p := range e.panels {
		ref, ok := shownBy(p, name)
		if !ok {
			continue
		}
		if a := e.noData[i]; a != nil {
			pl.NoData = append(pl.NoData, a)
		}
		watched, alarms := name, &pl.Alarms
		if pipe, err := compute.Parse(ref.Fn); err == nil && !pipe.Identity() {
			dv := e.derivation(ref, name, pipe)
			if !slices.Contains(pl.Derived, dv) {
				pl.Derived = append(pl.Derived, dv)
			}
			watched, alarms = dv.Name, &dv.Alarms
		}
		e.shows[i][watched] = true
		for _, th := range p.Thresholds {
			if !th.Alarm {
				continue
			}
			rule, err := th.Rule(watched)
			if err != nil {
				continue // Load checked every threshold
			}
			if a, err := e.alarm(rule, i); err == nil {
				*alarms = append(*alarms, a)
			}
		}
	}
	return pl
}

// shownBy returns the entry of panel p whose name, unit and fn apply to
// the series named name, and false when p does not show it.
func shownBy(p dashboard.Panel, name string) (dashboard.SeriesRef, bool) {
	m, err := p.Matcher()
	if err != nil {
		return dashboard.SeriesRef{}, false
	}
	i, ok := m.Match(name)
	if !ok || !p.Shows(name) {
		return dashboard.SeriesRef{}, false
	}
	return p.Series[i], true
}

// DerivedName is the name of the series derived from the series named
// name by entry ref with pipeline text fn (canonical, as
// compute.Pipeline.String gives it).
func DerivedName(ref dashboard.SeriesRef, name, fn string) string {
	if ref.Name == "" {
		return name + " | " + fn
	}
	if strings.ContainsAny(ref.Match, "*?") {
		return ref.Name + " (" + name + ")"
	}
	return ref.Name
}

// derivation returns the derived series of ref for the series named
// name, shared by every panel that derives the same from it.
func (e *Engine) derivation(ref dashboard.SeriesRef, name string, pipe *compute.Pipeline) *Derivation {
	out := DerivedName(ref, name, pipe.String())
	key := name + "\x00" + out + "\x00" + pipe.String()
	dv, ok := e.derived[key]
	if !ok {
		dv = &Derivation{Name: out, Source: name, Pipe: pipe}
		e.derived[key] = dv
		e.names[out] = dv
	}
	return dv
}

// Tick tells every alarm the time and returns the transitions it caused.
func (e *Engine) Tick(now time.Time) []compute.Transition {
	var trs []compute.Transition
	for _, a := range e.alarms {
		trs = append(trs, a.Tick(now)...)
	}
	return trs
}
