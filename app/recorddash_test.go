package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"feedscope/app/dashboard"
	"feedscope/feeds"
)

// rowsSink keeps rows in memory.
type rowsSink struct{ rows []feeds.Sample }

func (s *rowsSink) row(x feeds.Sample) error { s.rows = append(s.rows, x); return nil }
func (s *rowsSink) flush() error             { return nil }

func newTestRecorder(t *testing.T, src string, opt dashOptions) (*dashRecorder, *rowsSink, *bytes.Buffer) {
	t.Helper()
	d, err := dashboard.Parse("t.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sink, stderr := &rowsSink{}, &bytes.Buffer{}
	_, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r, err := newDashRecorder(d, sink, opt, stderr, cancel)
	if err != nil {
		t.Fatal(err)
	}
	return r, sink, stderr
}

const twoFeedDash = `
[[feed]]
name = "node"
url = "http://h/metrics"

[[feed]]
name = "plc"
url = "ws://h/"

[[panel]]
title = "Traffic"
series = [
  { match = "node/rx_total", fn = "rate", name = "rx" },
  { match = "node/*_total", fn = "rate" , name = "per second" },
  "plc/*",
]
hidden = ["plc/debug"]
thresholds = [{ value = 10, label = "busy", alarm = true, hysteresis = 2 }]

[[panel]]
title = "Same rate"
series = [{ match = "node/rx_total", fn = "rate", name = "rx" }]
`

func TestDashRecorderDerivesAndNames(t *testing.T) {
	r, sink, stderr := newTestRecorder(t, twoFeedDash, dashOptions{cmd: "record"})
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i, v := range []float64{100, 105, 125, 130} { // rx: rates 5, 20, 5 per second
		r.samples("node", []feeds.Sample{
			{Time: t0.Add(time.Duration(i) * time.Second), Series: "rx_total", Value: v},
			{Time: t0.Add(time.Duration(i) * time.Second), Series: "tx_total", Value: 2 * v},
		})
	}
	r.samples("plc", []feeds.Sample{{Time: t0, Series: "debug", Value: 50}})

	got := map[string][]float64{}
	for _, s := range sink.rows {
		got[s.Series] = append(got[s.Series], s.Value)
	}
	want := map[string][]float64{
		"node/rx_total": {100, 105, 125, 130},
		"node/tx_total": {200, 210, 250, 260},
		// One derivation although two panels show it.
		"rx": {5, 20, 5},
		// A glob with a name: the name, then the series.
		"per second (node/tx_total)": {10, 40, 10},
		"plc/debug":                  {50},
	}
	if len(got) != len(want) {
		t.Errorf("series %v, want %v", got, want)
	}
	for name, vs := range want {
		if !equalFloats(got[name], vs) {
			t.Errorf("%s: %v, want %v", name, got[name], vs)
		}
	}
	// The alarm watches what the panel shows: the derived rates (rx 20,
	// per second 40 are above 10), not the raw counters, and not the
	// hidden plc/debug (50).
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	wantLines := []string{
		"ALARM firing busy (rx=20 above 10)",
		"ALARM firing busy (per second (node/tx_total)=40 above 10)",
		"ALARM ok busy (rx=5 back at or below 8)",
		// per second falls back to 10, within the hysteresis: it stays
		// firing.
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("stderr:\n%s\nwant %d lines", stderr, len(wantLines))
	}
	for i, w := range wantLines {
		if !strings.HasSuffix(lines[i], w) {
			t.Errorf("line %d %q, want it to end %q", i+1, lines[i], w)
		}
	}
	if !r.shows[0]["rx"] || !r.shows[1]["rx"] || r.shows[0]["node/rx_total"] || r.shows[0]["plc/debug"] {
		t.Errorf("panels show %v", r.shows)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// --count counts derived rows too, and stops mid-message.
func TestDashRecorderCountsDerivedRows(t *testing.T) {
	r, sink, _ := newTestRecorder(t, twoFeedDash, dashOptions{cmd: "record", count: 3})
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	r.samples("node", []feeds.Sample{{Time: t0, Series: "rx_total", Value: 1}})
	r.samples("node", []feeds.Sample{{Time: t0.Add(time.Second), Series: "rx_total", Value: 2}, {Time: t0.Add(time.Second), Series: "tx_total", Value: 2}})
	if len(sink.rows) != 3 || sink.rows[2].Series != "rx" {
		t.Errorf("rows %v: want rx_total, rx_total and its rate", sink.rows)
	}
}

// A feed that invents series names without end gets its rows written, but
// plans (pipelines, alarms) stop at maxPlans, with one warning.
func TestDashRecorderBoundsPlans(t *testing.T) {
	r, sink, stderr := newTestRecorder(t, twoFeedDash, dashOptions{cmd: "record"})
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for i := range maxPlans + 50 {
		r.samples("node", []feeds.Sample{{Time: t0, Series: fmt.Sprintf("s%d_total", i), Value: 1}})
	}
	if len(r.plans) != maxPlans || len(sink.rows) != maxPlans+50 {
		t.Errorf("%d plans, %d rows; want %d plans and every row", len(r.plans), len(sink.rows), maxPlans)
	}
	if n := strings.Count(stderr.String(), "more than"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, stderr)
	}
}
