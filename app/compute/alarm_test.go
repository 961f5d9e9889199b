package compute

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// ev is one input to an alarm: a sample, a clock tick or an acknowledgement.
type ev struct {
	kind byte // 's' sample, 't' tick, 'a' acknowledge
	t    float64
	v    float64
}

func s(t, v float64) ev { return ev{'s', t, v} }
func tick(t float64) ev { return ev{'t', t, 0} }
func ack(t float64) ev  { return ev{'a', t, 0} }

// short writes a transition as "seconds from>to (reason)".
func short(tr Transition) string {
	return fmt.Sprintf("%g %s>%s (%s)", tr.Time.Sub(t0).Seconds(), tr.From, tr.To, tr.Reason)
}

func drive(t *testing.T, r Rule, evs []ev) (*Alarm, []string, []Transition) {
	t.Helper()
	a, err := NewAlarm(r)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var all []Transition
	for _, e := range evs {
		var trs []Transition
		switch e.kind {
		case 's':
			trs = a.Sample(at(e.t), e.v)
		case 't':
			trs = a.Tick(at(e.t))
		case 'a':
			tr, err := a.Acknowledge(at(e.t))
			if err != nil {
				got = append(got, "ack refused: "+err.Error())
				continue
			}
			trs = []Transition{tr}
		}
		for i, tr := range trs {
			got = append(got, short(tr))
			if tr.Alarm != a.Name() {
				t.Errorf("transition names %q, alarm is %q", tr.Alarm, a.Name())
			}
			if n := len(all); n > 0 && all[n-1].To != tr.From {
				t.Errorf("transition %v does not start where %v ended", short(tr), short(all[n-1]))
			}
			if i == len(trs)-1 && tr.To != a.State() {
				t.Errorf("last transition to %s but state is %s", tr.To, a.State())
			}
			all = append(all, tr)
		}
	}
	return a, got, all
}

func TestAlarm(t *testing.T) {
	load := Rule{Series: "load1", Value: 2, For: 30 * time.Second}
	tests := []struct {
		name string
		rule Rule
		evs  []ev
		want []string
	}{
		{"for: fires after holding 30s", load,
			[]ev{s(0, 1), s(10, 2.5), s(20, 3), s(30, 2.1), s(40, 2.31), s(50, 2.5), s(60, 1)},
			[]string{"10 ok>pending (load1=2.5 above 2)", "40 pending>firing (load1=2.31 for 30s)", "60 firing>ok (load1=1 back at or below 2)"}},
		{"for: exactly 30s counts", load,
			[]ev{s(0, 3), s(30, 3)},
			[]string{"0 ok>pending (load1=3 above 2)", "30 pending>firing (load1=3 for 30s)"}},
		{"for: back too soon", load,
			[]ev{s(0, 3), s(29, 2), s(40, 2), s(59, 3)},
			[]string{"0 ok>pending (load1=3 above 2)", "29 pending>ok (load1=2 back at or below 2)", "59 ok>pending (load1=3 above 2)"}},
		// A sample at the deadline decides: back in time, so no firing.
		{"for: back at the deadline", load,
			[]ev{s(0, 3), s(30, 1), tick(31)},
			[]string{"0 ok>pending (load1=3 above 2)", "30 pending>ok (load1=1 back at or below 2)"}},
		{"for: equal to the value is not above", Rule{Series: "x", Value: 2}, []ev{s(0, 2)}, nil},
		{"for zero fires at once", Rule{Series: "x", Value: 2},
			[]ev{s(0, 2.5), s(1, 9), s(2, 0)},
			[]string{"0 ok>firing (x=2.5 above 2)", "2 firing>ok (x=0 back at or below 2)"}},
		// A tick fires a pending alarm without waiting for the next sample,
		// at the moment it became due.
		{"tick fires pending", load,
			[]ev{s(0, 3), tick(15), tick(29.5), tick(31), tick(32)},
			[]string{"0 ok>pending (load1=3 above 2)", "30 pending>firing (load1=3 for 30s)"}},
		// A late sample that clears still reports the firing it missed.
		{"late sample fires then clears", load,
			[]ev{s(0, 3), s(100, 0)},
			[]string{"0 ok>pending (load1=3 above 2)", "30 pending>firing (load1=3 for 30s)", "100 firing>ok (load1=0 back at or below 2)"}},
		// Flapping around the line with no hysteresis never holds for 30 s.
		{"flapping never fires", load,
			[]ev{s(0, 2.1), s(10, 1.9), s(20, 2.1), s(30, 1.9), s(40, 2.1), s(50, 1.9), tick(200)},
			[]string{"0 ok>pending (load1=2.1 above 2)", "10 pending>ok (load1=1.9 back at or below 2)",
				"20 ok>pending (load1=2.1 above 2)", "30 pending>ok (load1=1.9 back at or below 2)",
				"40 ok>pending (load1=2.1 above 2)", "50 pending>ok (load1=1.9 back at or below 2)"}},
		// With hysteresis 0.5 the dips to 1.9 do not clear it: it fires,
		// and clears only at 1.5 or below.
		{"hysteresis holds through flapping", Rule{Series: "load1", Value: 2, Hysteresis: 0.5, For: 30 * time.Second},
			[]ev{s(0, 2.1), s(10, 1.9), s(20, 2.1), s(30, 1.9), s(40, 1.6), s(50, 1.5), s(60, 1.9), s(70, 2.0)},
			[]string{"0 ok>pending (load1=2.1 above 2)", "30 pending>firing (load1=1.9 for 30s)",
				"50 firing>ok (load1=1.5 back at or below 1.5)"}},
		{"below with hysteresis", Rule{Series: "free", Dir: Below, Value: 10, Hysteresis: 5},
			[]ev{s(0, 20), s(1, 9), s(2, 14), s(3, 15), s(4, 10), s(5, 9.99)},
			[]string{"1 ok>firing (free=9 below 10)", "3 firing>ok (free=15 back at or above 15)",
				"5 ok>firing (free=9.99 below 10)"}},
		{"acknowledge until clear", Rule{Series: "x", Value: 2},
			[]ev{ack(0), s(1, 3), ack(2), ack(3), s(4, 5), s(5, 1), s(6, 3)},
			[]string{"ack refused: compute: alarm is not firing: x>2 is ok",
				"1 ok>firing (x=3 above 2)", "2 firing>acknowledged (acknowledged)",
				"ack refused: compute: alarm is not firing: x>2 is acknowledged",
				"5 acknowledged>ok (x=1 back at or below 2)", "6 ok>firing (x=3 above 2)"}},
		{"pending cannot be acknowledged", load, []ev{s(0, 3), ack(1)},
			[]string{"0 ok>pending (load1=3 above 2)", "ack refused: compute: alarm is not firing: load1>2 is pending"}},
		{"out of order and NaN ignored", load,
			[]ev{s(10, 3), s(5, 0), s(20, math.NaN()), s(25, math.Inf(1)), tick(9), s(40, 3)},
			[]string{"10 ok>pending (load1=3 above 2)", "40 pending>firing (load1=3 for 30s)"}},
		// No data: silence longer than For fires on a tick, with no sample
		// needed; data clears it.
		{"no data fires on tick", Rule{Series: "node", Kind: NoDataAlarm, For: time.Minute},
			[]ev{s(0, 1), s(30, 1), tick(60), tick(90), tick(91), tick(200), s(230, 7), tick(260)},
			[]string{"90 ok>firing (no data for 1m)", "230 firing>ok (data again after 3m20s)"}},
		{"no data: exactly For is not longer", Rule{Series: "node", Kind: NoDataAlarm, For: time.Minute},
			[]ev{s(0, 1), tick(60), s(60, 1), tick(120)}, nil},
		// Before any sample the silence counts from the first tick.
		{"no data from the start", Rule{Series: "node", Kind: NoDataAlarm, For: 10 * time.Second},
			[]ev{tick(0), tick(5), tick(11), ack(12), tick(30), s(40, 1)},
			[]string{"10 ok>firing (no data for 10s)", "12 firing>acknowledged (acknowledged)",
				"40 acknowledged>ok (data again after 40s)"}},
		{"no data caught up by a late sample", Rule{Series: "node", Kind: NoDataAlarm, For: 10 * time.Second},
			[]ev{s(0, 1), s(25, 1)},
			[]string{"10 ok>firing (no data for 10s)", "25 firing>ok (data again after 25s)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, got, _ := drive(t, tc.rule, tc.evs)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tc.want, "\n\t"))
			}
		})
	}
}

// However the input flaps while an alarm is firing or acknowledged, and
// however often the clock ticks, exactly one notification goes out per
// firing: one per ok→…→firing episode.
func TestNotifyOncePerFiring(t *testing.T) {
	r := Rule{Series: "load1", Value: 2, Hysteresis: 0.5, For: 10 * time.Second}
	var evs []ev
	episodes := 0
	for ep := range 3 {
		base := float64(ep * 1000)
		for i := range 200 {
			tm := base + float64(i)
			evs = append(evs, s(tm, 2.1+0.3*float64(i%2)), tick(tm+0.5))
			if ep == 1 && i == 50 {
				evs = append(evs, ack(tm+0.6))
			}
		}
		evs = append(evs, s(base+500, 0), tick(base+600))
		episodes++
	}
	a, _, all := drive(t, r, evs)
	notes := 0
	for _, tr := range all {
		if tr.Notify() {
			notes++
			if tr.To != Firing {
				t.Errorf("notify on %v", short(tr))
			}
		}
	}
	if notes != episodes {
		t.Errorf("%d notifications for %d firings", notes, episodes)
	}
	if a.State() != OK {
		t.Errorf("state %s at the end, want ok", a.State())
	}
}

func TestTransitionString(t *testing.T) {
	r := Rule{Name: "load>2", Series: "load1", Value: 2, For: 30 * time.Second}
	_, _, all := drive(t, r, []ev{s(0, 3), s(30, 2.31), s(31, 1e-7), s(32, 1234567)})
	want := []string{
		"2026-12-04T10:00:00Z ALARM pending load>2 (load1=3 above 2)",
		"2026-12-04T10:00:30Z ALARM firing load>2 (load1=2.31 for 30s)",
		"2026-12-04T10:00:31Z ALARM ok load>2 (load1=1e-07 back at or below 2)",
		"2026-12-04T10:00:32Z ALARM pending load>2 (load1=1234570 above 2)",
	}
	var got []string
	for _, tr := range all {
		got = append(got, tr.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	// A name with a line break still gives one line, and a local time is
	// written in UTC.
	tr := Transition{Alarm: "disk\nfull", To: Firing, Time: time.Date(2026, 12, 4, 11, 0, 0, 0, time.FixedZone("CET", 3600)),
		Reason: "no data for 1m\r\n"}
	if got, want := tr.String(), "2026-12-04T10:00:00Z ALARM firing disk full (no data for 1m  )"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestRuleValidate(t *testing.T) {
	bad := []Rule{
		{Value: math.NaN()},
		{Value: math.Inf(1)},
		{For: -time.Second},
		{Hysteresis: -1},
		{Hysteresis: math.NaN()},
		{Dir: 7},
		{Kind: NoDataAlarm},
		{Kind: NoDataAlarm, For: -time.Second},
		{Kind: 9},
	}
	for _, r := range bad {
		if _, err := NewAlarm(r); err == nil {
			t.Errorf("NewAlarm(%+v) accepted", r)
		}
	}
	names := map[string]Rule{
		"load1>2":      {Series: "load1", Value: 2},
		"free<0.5":     {Series: "free", Dir: Below, Value: 0.5},
		"value>0":      {},
		"node silent":  {Series: "node", Kind: NoDataAlarm, For: time.Second},
		"my alarm":     {Name: "my alarm", Series: "x"},
		"x>1000000000": {Series: "x", Value: 1e9},
	}
	for want, r := range names {
		if got := r.DisplayName(); got != want {
			t.Errorf("DisplayName(%+v) = %q, want %q", r, got, want)
		}
	}
}

func TestAcknowledgeError(t *testing.T) {
	a, _ := NewAlarm(Rule{Series: "x"})
	if _, err := a.Acknowledge(t0); !errors.Is(err, ErrNotFiring) {
		t.Errorf("Acknowledge of an ok alarm: %v, want ErrNotFiring", err)
	}
	a.Sample(t0, 1)
	if a.State() != Firing || !a.Changed().Equal(t0) {
		t.Fatalf("state %s changed %v", a.State(), a.Changed())
	}
	if a.Sample(t0.Add(-time.Second), 5) != nil || a.Ignored() != 1 {
		t.Errorf("an older sample was not ignored")
	}
}
