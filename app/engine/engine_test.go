package engine

import (
	"testing"
	"time"

	"feedscope/app/compute"
	"feedscope/app/dashboard"
)

func panels(t *testing.T, src string) []dashboard.Panel {
	t.Helper()
	d, err := dashboard.Parse("t.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d.Panels
}

const twoPanels = `
[[feed]]
name = "n"
url = "http://h/"
[[panel]]
title = "Traffic"
series = [{ match = "rx_total", fn = "rate", name = "rx" }, { match = "*_total", fn = "rate" }, "*"]
hidden = ["debug"]
thresholds = [{ value = 10, alarm = true }]
no_data = "5s"
[[panel]]
series = [{ match = "rx_total", fn = "rate", name = "rx" }, "load"]
`

// Which panel shows what, under which name, and that a derivation two
// panels share is computed once.
func TestPlan(t *testing.T) {
	e, err := New(panels(t, twoPanels), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		series  string
		derived []string
		alarms  int // threshold alarms on the raw values
		noData  int
	}{
		{"rx_total", []string{"rx"}, 0, 1},
		{"tx_total", []string{"tx_total | rate"}, 0, 1},
		{"load", nil, 1, 1},
		{"debug", nil, 0, 0},
		{"other", nil, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.series, func(t *testing.T) {
			pl := e.Plan(tt.series)
			var names []string
			for _, dv := range pl.Derived {
				names = append(names, dv.Name)
				if dv.Source != tt.series {
					t.Errorf("%s: source %q", dv.Name, dv.Source)
				}
			}
			if len(names) != len(tt.derived) || (len(names) > 0 && names[0] != tt.derived[0]) {
				t.Errorf("derived %v, want %v", names, tt.derived)
			}
			if len(pl.Alarms) != tt.alarms || len(pl.NoData) != tt.noData {
				t.Errorf("%d alarms, %d no-data; want %d, %d", len(pl.Alarms), len(pl.NoData), tt.alarms, tt.noData)
			}
			if e.Plan(tt.series) != pl {
				t.Error("a second Plan made a new plan")
			}
		})
	}
	if rx := e.Plan("rx_total").Derived[0]; len(rx.Alarms) != 1 || e.Derived("rx") != rx {
		t.Errorf("rx: %d alarms (want the first panel's one), Derived(rx) %v", len(rx.Alarms), e.Derived("rx"))
	}
	shows := e.Shows()
	if !shows[0]["rx"] || !shows[1]["rx"] || shows[0]["rx_total"] || shows[0]["debug"] || !shows[1]["load"] || shows[1]["other"] {
		t.Errorf("shows %v", shows)
	}
	for _, a := range e.Alarms() {
		if want := 0; a.Rule().Series == "load" && e.PanelOf(a) != want {
			t.Errorf("alarm %s of panel %d", a.Name(), e.PanelOf(a))
		}
	}
}

// A redefinition keeps the state of the alarms whose rule stays: a firing
// alarm goes on firing instead of firing (and notifying) again.
func TestNewKeepsAlarmStates(t *testing.T) {
	ps := panels(t, twoPanels)
	old, err := New(ps, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	a := old.Plan("load").Alarms[0]
	if trs := a.Sample(t0, 50); len(trs) != 1 || trs[0].To != compute.Firing {
		t.Fatalf("transitions %v", trs)
	}
	ps[1].Series = append(ps[1].Series, dashboard.SeriesRef{Match: "x"})
	e, err := New(ps, old)
	if err != nil {
		t.Fatal(err)
	}
	if b := e.Plan("load").Alarms[0]; b != a || b.State() != compute.Firing {
		t.Errorf("the redefined engine's alarm is %v in state %v, want the old one firing", b == a, b.State())
	}
	if e.NoData()[0] != old.NoData()[0] {
		t.Error("the no-data alarm was made again")
	}
}

// Series beyond MaxPlans are told once and derive nothing.
func TestPlanBound(t *testing.T) {
	e, err := New(panels(t, twoPanels), nil)
	if err != nil {
		t.Fatal(err)
	}
	told := 0
	e.OnTooMany = func() { told++ }
	for i := range MaxPlans + 10 {
		e.Plan("s" + string(rune('a'+i%26)) + time.Duration(i).String() + "_total")
	}
	if len(e.Plans()) != MaxPlans || told != 1 {
		t.Errorf("%d plans, told %d times", len(e.Plans()), told)
	}
}
