package app

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"feedscope/app/dashboard"
)

// readmeExample returns the TOML block of README.md whose first line is
// the comment "# name".
func readmeExample(t *testing.T, name string) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start := "```toml\n# " + name + "\n"
	_, rest, ok := strings.Cut(string(readme), start)
	if !ok {
		t.Fatalf("README.md has no example starting %q", start)
	}
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("README.md's %s example does not end", name)
	}
	return "# " + name + "\n" + block
}

// README's node-exporter dashboard, as printed, against a node-exporter
// page: the Network panel draws eth0's throughput in Mbit/s (not the byte
// counter), and the load alarm notifies once the load has stayed above 2
// for 30 s, not before.
func TestReadmeNodeExporterDashboard(t *testing.T) {
	d, err := dashboard.Parse("node-exporter.toml", []byte(readmeExample(t, "node-exporter.toml")))
	if err != nil {
		t.Fatalf("README's example does not load: %v", err)
	}
	var bytes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// 1.25 MB per poll, whatever the interval.
		n := bytes.Add(1_250_000)
		fmt.Fprintf(w, "# TYPE node_load1 gauge\nnode_load1 2.5\n# TYPE node_network_receive_bytes_total counter\nnode_network_receive_bytes_total{device=\"eth0\"} %d\nnode_network_receive_bytes_total{device=\"lo\"} 7\n", n)
	}))
	t.Cleanup(srv.Close)
	if len(d.Feeds) != 1 {
		t.Fatalf("%d feeds", len(d.Feeds))
	}
	d.Feeds[0].URL = srv.URL + "/metrics"
	d.Feeds[0].Settings.PollInterval = 20 * time.Millisecond

	a := &notifyingApp{App: test.NewTempApp(t)}
	u := newTestUI(t, a, Options{Dashboard: d, DashboardPath: "node-exporter.toml"})
	var skew atomic.Int64
	u.dash.live.setClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })

	waitFor(t, u, "eth0's throughput", func() bool {
		sr := u.chart.Store().Lookup("eth0 rx")
		return sr != nil && sr.Len() >= 3
	})
	u.flush()
	net := u.dash.panels[0].chart
	if !net.SeriesVisible("eth0 rx") || net.SeriesVisible(`node_network_receive_bytes_total{device="eth0"}`) || net.SeriesVisible(`node_network_receive_bytes_total{device="lo"}`) {
		t.Errorf("the Network panel draws: eth0 rx %v, the eth0 counter %v, lo %v", net.SeriesVisible("eth0 rx"),
			net.SeriesVisible(`node_network_receive_bytes_total{device="eth0"}`), net.SeriesVisible(`node_network_receive_bytes_total{device="lo"}`))
	}
	// Each derived point is 10 Mbit (1.25 MB × 8e-6 Mbit/B) over the time
	// between two polls.
	for ts, v := range u.chart.Store().Points("eth0 rx", time.Unix(0, 0), time.Now().Add(time.Hour)) {
		if v <= 0 || v > 10/0.001 {
			t.Errorf("eth0 rx at %v: %v Mbit/s", ts, v)
		}
	}
	if len(a.sent) != 0 || u.status.alarms.Text != "No alarm firing" {
		t.Fatalf("before 30 s: notifications %v, status %q", a.sent, u.status.alarms.Text)
	}
	skew.Store(int64(31 * time.Second))
	u.flush()
	if len(a.sent) != 1 || a.sent[0].Title != "Feedscope alarm: high load" {
		t.Fatalf("after 31 s above 2: notifications %v", a.sent)
	}
	if !u.dash.panels[1].chart.Alert() || u.status.alarms.Text != "1 alarm firing" {
		t.Errorf("the Load panel's alert %v, status %q", u.dash.panels[1].chart.Alert(), u.status.alarms.Text)
	}
}
