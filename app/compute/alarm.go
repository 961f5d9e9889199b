package compute

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Kind is what an alarm watches.
type Kind uint8

const (
	// ThresholdAlarm fires when a series stays beyond a value for a while.
	ThresholdAlarm Kind = iota
	// NoDataAlarm fires when a series or feed has been silent too long.
	NoDataAlarm
)

func (k Kind) String() string {
	if k == NoDataAlarm {
		return "no data"
	}
	return "threshold"
}

// Rule defines an alarm. The zero value (apart from Series) is a threshold
// alarm that fires as soon as a value is above 0.
type Rule struct {
	// Name is shown in transitions and lists; empty means one made from
	// the rest ("load1>2", "node silent").
	Name string
	// Series names what is watched (a series, or a feed for NoDataAlarm)
	// in the reasons of transitions.
	Series string
	Kind   Kind
	// Dir, Value and Hysteresis are for ThresholdAlarm: the alarm becomes
	// active when a value is strictly beyond Value on the Dir side, and
	// stops only when a value is back at Value ∓ Hysteresis or past it.
	Dir        Direction
	Value      float64
	Hysteresis float64
	// For is, for ThresholdAlarm, how long the value must stay beyond
	// (pending meanwhile) before the alarm fires; zero fires at once. For
	// NoDataAlarm it is the silence longer than which the alarm fires, and
	// must be positive.
	For time.Duration
}

// Validate reports the first thing wrong with r.
func (r Rule) Validate() error {
	switch r.Kind {
	case ThresholdAlarm:
		th := Threshold{Value: r.Value, Dir: r.Dir, For: r.For, Hysteresis: r.Hysteresis}
		if err := th.Validate(); err != nil {
			return err
		}
	case NoDataAlarm:
		if r.For <= 0 {
			return fmt.Errorf("compute: no-data alarm %q needs a silence longer than zero", r.DisplayName())
		}
	default:
		return fmt.Errorf("compute: alarm kind %d unknown", r.Kind)
	}
	return nil
}

// DisplayName returns Name, or a name made from the rule.
func (r Rule) DisplayName() string {
	if r.Name != "" {
		return r.Name
	}
	s := r.Series
	if s == "" {
		s = "value"
	}
	if r.Kind == NoDataAlarm {
		return s + " silent"
	}
	op := ">"
	if r.Dir == Below {
		op = "<"
	}
	return s + op + formatValue(r.Value)
}

// State is an alarm's state. An alarm moves ok → pending → firing → ok
// (ok → firing directly when For is zero, and pending → ok when the value
// comes back in time); acknowledged is a firing alarm someone has seen, and
// it goes back to ok when the condition clears.
type State uint8

const (
	OK State = iota
	Pending
	Firing
	Acknowledged
)

func (s State) String() string {
	switch s {
	case Pending:
		return "pending"
	case Firing:
		return "firing"
	case Acknowledged:
		return "acknowledged"
	}
	return "ok"
}

// Active reports whether the alarm's condition has fired and not cleared
// (firing or acknowledged).
func (s State) Active() bool { return s == Firing || s == Acknowledged }

// Transition is one change of an alarm's state, for the message log, the
// status bar and notifications.
type Transition struct {
	Alarm    string // Rule.DisplayName
	From, To State
	// Time is when the change happened: the sample's time, or, for a
	// change that became due between events, the moment it became due (a
	// pending alarm fires exactly For after it went pending).
	Time time.Time
	// Value is the series value the change is about; NaN when none
	// applies (acknowledged, or a no-data alarm that never saw a value).
	Value  float64
	Reason string
}

// Notify reports whether this transition deserves a desktop notification:
// true only on entering Firing, which happens once per firing, since a
// firing alarm can only go to acknowledged or ok and neither returns to
// firing without clearing first.
func (tr Transition) Notify() bool { return tr.To == Firing }

// String returns the transition as one log line, for record's stderr:
//
//	2026-12-04T10:00:00Z ALARM firing load>2 (load1=2.31 for 30s)
//
// Control characters in names become spaces, so it is always one line.
func (tr Transition) String() string {
	return fmt.Sprintf("%s ALARM %s %s (%s)", tr.Time.UTC().Format(time.RFC3339), tr.To, oneLine(tr.Alarm), oneLine(tr.Reason))
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// formatValue writes at most six significant digits, without an exponent
// for ordinary magnitudes: 2.31, 0.133333, 1234570, 1e-07.
func formatValue(v float64) string {
	s := strconv.FormatFloat(v, 'g', 6, 64)
	if a := math.Abs(v); strings.Contains(s, "e+") && a < 1e15 {
		r, _ := strconv.ParseFloat(s, 64)
		s = strconv.FormatFloat(r, 'f', -1, 64)
	}
	return s
}

// ErrNotFiring is returned by Acknowledge for an alarm that is not firing.
var ErrNotFiring = errors.New("compute: alarm is not firing")

// Alarm is the state machine of one Rule, driven by samples (Sample) and by
// a clock (Tick), which moves pending alarms to firing and fires no-data
// alarms while nothing arrives. Both return the transitions they caused, in
// order; most calls cause none and return nil without allocating.
//
// Samples and ticks must come from one clock, in order: a sample or tick
// older than the newest one seen is ignored (samples are counted in
// Ignored), so feed samples with their arrival time when a no-data alarm
// compares them with a wall-clock tick. The value of a series is taken to
// hold until its next sample, as a Prometheus rule sees it: a pending alarm
// fires at the first tick or sample at or after For, and a sample that
// arrives late still fires the alarm (at the moment it was due) before it
// clears it.
//
// An Alarm is not safe for concurrent use.
type Alarm struct {
	rule    Rule
	name    string
	state   State
	started bool
	now     time.Time // newest time seen
	// since is when a threshold alarm's condition began, or a no-data
	// alarm's last sample (or its first event, before any sample).
	since   time.Time
	changed time.Time
	value   float64
	ignored uint64
}

// NewAlarm returns the alarm of r in state OK.
func NewAlarm(r Rule) (*Alarm, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &Alarm{rule: r, name: r.DisplayName(), value: math.NaN()}, nil
}

// Rule returns the alarm's rule.
func (a *Alarm) Rule() Rule { return a.rule }

// Name returns the rule's DisplayName.
func (a *Alarm) Name() string { return a.name }

// State returns the current state.
func (a *Alarm) State() State { return a.state }

// Value returns the newest value the alarm saw (NaN before any).
func (a *Alarm) Value() float64 { return a.value }

// Changed returns the time of the last transition (zero before any).
func (a *Alarm) Changed() time.Time { return a.changed }

// Ignored returns how many samples were ignored as out of order or not
// finite.
func (a *Alarm) Ignored() uint64 { return a.ignored }

func (a *Alarm) move(to State, at time.Time, v float64, reason string) Transition {
	tr := Transition{Alarm: a.name, From: a.state, To: to, Time: at, Value: v, Reason: reason}
	a.state, a.changed = to, at
	return tr
}

func (a *Alarm) valueText(v float64) string {
	s := a.rule.Series
	if s == "" {
		s = "value"
	}
	if math.IsNaN(v) {
		return s
	}
	return s + "=" + formatValue(v)
}

// due makes the change that time alone brings by now, if any. A pending
// alarm whose deadline is now fires only when atDeadline is set: a sample
// at that very moment decides first whether the condition still holds.
func (a *Alarm) due(now time.Time, atDeadline bool) (Transition, bool) {
	if !a.started {
		a.started, a.now, a.since = true, now, now
		return Transition{}, false
	}
	deadline := a.since.Add(a.rule.For)
	switch {
	case a.rule.Kind == ThresholdAlarm && a.state == Pending && (now.After(deadline) || atDeadline && now.Equal(deadline)):
		return a.move(Firing, deadline, a.value, a.valueText(a.value)+" for "+FormatDuration(a.rule.For)), true
	case a.rule.Kind == NoDataAlarm && a.state == OK && now.After(deadline):
		return a.move(Firing, deadline, a.value, "no data for "+FormatDuration(a.rule.For)), true
	}
	return Transition{}, false
}

// Tick tells the alarm the time is now; call it from a clock every second
// or so. A tick older than the newest sample or tick does nothing.
func (a *Alarm) Tick(now time.Time) []Transition {
	if a.started && now.Before(a.now) {
		return nil
	}
	tr, ok := a.due(now, true)
	a.now = now
	if !ok {
		return nil
	}
	return []Transition{tr}
}

// Sample feeds one value of the watched series (any sample of the feed, for
// a no-data alarm watching a feed). NaN, infinite and out-of-order samples
// are ignored and counted.
func (a *Alarm) Sample(t time.Time, v float64) []Transition {
	if math.IsNaN(v) || math.IsInf(v, 0) || (a.started && t.Before(a.now)) {
		a.ignored++
		return nil
	}
	var trs []Transition
	if tr, ok := a.due(t, false); ok {
		trs = append(trs, tr)
	}
	a.now = t
	r := a.rule
	if r.Kind == NoDataAlarm {
		if a.state.Active() {
			trs = append(trs, a.move(OK, t, v, "data again after "+FormatDuration(t.Sub(a.since))))
		}
		a.since, a.value = t, v
		return trs
	}
	a.value = v
	beyond, clear := v > r.Value, v <= r.Value-r.Hysteresis
	if r.Dir == Below {
		beyond, clear = v < r.Value, v >= r.Value+r.Hysteresis
	}
	switch {
	case a.state == OK && beyond:
		a.since = t
		to := Pending
		if r.For == 0 {
			to = Firing
		}
		trs = append(trs, a.move(to, t, v, a.valueText(v)+" "+r.Dir.String()+" "+formatValue(r.Value)))
	case a.state != OK && clear:
		// The text only now: most samples change nothing, and formatting
		// it for each would cost more than the rest of Sample.
		back := "at or below " + formatValue(r.Value-r.Hysteresis)
		if r.Dir == Below {
			back = "at or above " + formatValue(r.Value+r.Hysteresis)
		}
		trs = append(trs, a.move(OK, t, v, a.valueText(v)+" back "+back))
	}
	if tr, ok := a.due(t, true); ok {
		trs = append(trs, tr)
	}
	return trs
}

// Acknowledge silences a firing alarm until it clears: it moves to
// Acknowledged, which still counts as Active but will not notify again.
// Any other state returns ErrNotFiring.
func (a *Alarm) Acknowledge(now time.Time) (Transition, error) {
	if a.state != Firing {
		return Transition{}, fmt.Errorf("%w: %s is %s", ErrNotFiring, a.name, a.state)
	}
	return a.move(Acknowledged, now, math.NaN(), "acknowledged"), nil
}
