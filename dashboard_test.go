package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"image"
	"image/color"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/theme"
	"github.com/redis/go-redis/v9"
)

// startRedis starts a real redis-server on a free loopback port until the
// test ends and returns its address.
func startRedis(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server not found in PATH (%v): install Debian's redis-server package", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	for deadline := time.Now().Add(15 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server does not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// publishUntilDone publishes flask-sse messages {"temp": n} on channel
// "sse" every 50 ms until the test ends.
func publishUntilDone(t *testing.T, addr string) {
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			rdb.Publish(ctx, "sse", fmt.Sprintf(`{"data": {"temp": %d}}`, 20+i%5))
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait(); rdb.Close() })
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readRows reads a record CSV into series → values.
func readRows(t *testing.T, path string) map[string][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "time,series,value" {
		t.Fatalf("no CSV header: %v", rows)
	}
	got := map[string][]float64{}
	for _, row := range rows[1:] {
		v, err := strconv.ParseFloat(row[2], 64)
		if err != nil {
			t.Fatalf("row %v: %v", row, err)
		}
		got[row[1]] = append(got[row[1]], v)
	}
	return got
}

// A dashboard of a generator, a Redis relay, a server that is down and a
// path that does not exist: the two that work are recorded side by side
// under feed/series names, the other two report on stderr, and reaching
// --for is success.
func TestRecordDashboardEveryFeed(t *testing.T) {
	gen := serve(t)
	addr := startRedis(t)
	relay := serveWith(t, nil, "--redis", "redis://"+addr+"/0")
	publishUntilDone(t, addr)
	dash := writeFile(t, "line3.toml", `
title = "Line 3"

[[feed]]
name = "gen"
url = "`+gen+`/sse"

[[feed]]
name = "relay"
url = "ws`+strings.TrimPrefix(relay, "http")+`/ws"

[[feed]]
name = "down"
url = "http://127.0.0.1:1/poll"
interval = "100ms"

[[feed]]
name = "missing"
url = "`+gen+`/nothing"

[[panel]]
series = ["gen/sine", "relay/temp"]
`)
	out := filepath.Join(t.TempDir(), "rec.csv")
	r := feedscope(t, "record", "--dashboard", dash, "--for", "3s", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	rows := readRows(t, out)
	if n := len(rows["gen/sine"]); n < 50 {
		t.Errorf("gen/sine: %d rows, want at least 50 (the generator sends 50/s)", n)
	}
	if n := len(rows["relay/temp"]); n < 10 {
		t.Errorf("relay/temp: %d rows, want at least 10 (published every 50 ms)", n)
	}
	for _, v := range rows["relay/temp"] {
		if v < 20 || v > 24 {
			t.Errorf("relay/temp %v: not a published value", v)
		}
	}
	for name := range rows {
		if !strings.HasPrefix(name, "gen/") && !strings.HasPrefix(name, "relay/") {
			t.Errorf("series %q is not named feed/series", name)
		}
	}
	for _, want := range []string{
		"feedscope record: gen: connected",
		"feedscope record: relay: connected",
		"feedscope record: down: reconnecting",
		"feedscope record: missing: stopped",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr has no %q:\n%s", want, r.stderr)
		}
	}
	if last := lastLine(r.stderr); !strings.Contains(last, "1 of 4 feeds stopped: missing") {
		t.Errorf("last stderr line %q does not name the feed that stopped", last)
	}
}

// When every feed has stopped for good there is nothing left to record:
// exit 1 at once, naming each feed's reason.
func TestRecordDashboardEveryFeedStopped(t *testing.T) {
	base := serve(t)
	dash := writeFile(t, "gone.toml", `
[[feed]]
name = "a"
url = "`+base+`/nothing"

[[feed]]
name = "b"
url = "`+base+`/nowhere"
`)
	start := time.Now()
	r := feedscope(t, "record", "--dashboard", dash, "--for", "30s")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1: %s", r.code, r.stderr)
	}
	if time.Since(start) > 20*time.Second {
		t.Errorf("took %v: waited for --for although no feed was left", time.Since(start))
	}
	last := lastLine(r.stderr)
	if !strings.HasPrefix(last, "feedscope: record: every feed stopped") || !strings.Contains(last, "a: ") || !strings.Contains(last, "b: ") {
		t.Errorf("last stderr line %q", last)
	}
}

// A one-feed dashboard keeps bare series names, as its window does; the
// file's problems and flags that clash with it are refused with a clear line.
func TestRecordDashboardNamesAndMistakes(t *testing.T) {
	base := serve(t)
	one := writeFile(t, "one.toml", "[[feed]]\nname = \"gen\"\nurl = \""+base+"/sse\"\n")
	r := feedscope(t, "record", "--dashboard", one, "--count", "20", "--format", "jsonl")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 20 {
		t.Errorf("%d lines, want 20 (--count)", len(lines))
	}
	if strings.Contains(r.stdout, `"gen/`) || !strings.Contains(r.stdout, `"series":"sine"`) {
		t.Errorf("one-feed dashboard: want bare names, got\n%s", r.stdout)
	}

	bad := writeFile(t, "bad.toml", "[[feed]]\nname = \"gen\"\nurl = \""+base+"/sse\"\nintervall = \"1s\"\n")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown key", []string{"--dashboard", bad}, 1, "bad.toml:4: feed.intervall"},
		{"no file", []string{"--dashboard", filepath.Join(t.TempDir(), "none.toml")}, 1, "no such file"},
		{"url too", []string{"--dashboard", one, "--url", base + "/sse"}, 2, "leave out --url"},
		{"alarm without dashboard", []string{"--url", base + "/sse", "--exit-on-alarm"}, 2, "--exit-on-alarm needs --dashboard"},
		{"snapshot: demo too", []string{"snapshot", "--dashboard", one, "--demo", "--out", filepath.Join(t.TempDir(), "x.png")}, 2, "--demo and --dashboard"},
		{"snapshot: header too", []string{"snapshot", "--dashboard", one, "--header", "A: b", "--out", filepath.Join(t.TempDir(), "x.png")}, 2, "leave out --header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args[0] != "snapshot" {
				args = append([]string{"record"}, args...)
			}
			r := feedscope(t, args...)
			if r.code != tc.code || !strings.Contains(lastLine(r.stderr), tc.want) {
				t.Errorf("exit %d, want %d; stderr %q, want %q", r.code, tc.code, r.stderr, tc.want)
			}
		})
	}
}

// serveLines starts `feedscope serve --stdin` and writes line(i) to it
// every 50 ms until the test ends (an empty line: nothing this time).
func serveLines(t *testing.T, line func(i int) string) string {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	base := serveWith(t, pr, "--stdin")
	pr.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ctx.Err() == nil; i++ {
			if l := line(i); l != "" {
				if _, err := pw.WriteString(l + "\n"); err != nil {
					return
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait(); pw.Close() })
	return base
}

// alarmDashboard watches temp of a `serve --stdin` feed: panel 1 with an
// alarm above 50 that must hold 300 ms, panel 2 the doubled value, and,
// when noData is set, a no-data alarm.
func alarmDashboard(t *testing.T, base, noData string) string {
	extra := ""
	if noData != "" {
		extra = "no_data = \"" + noData + "\"\n"
	}
	return writeFile(t, "alarm.toml", `
[[feed]]
name = "probe"
url = "`+base+`/sse"

[[panel]]
title = "Temperature"
series = ["temp"]
thresholds = [{ value = 50, label = "hot", alarm = true, for = "300ms", hysteresis = 5 }]
`+extra+`
[[panel]]
series = [{ match = "temp", fn = "scale 2 | offset 1", name = "double" }]
`)
}

func TestRecordDashboardExitOnAlarm(t *testing.T) {
	// 10 for the first second, then 95: the alarm goes pending, holds
	// for 300 ms and fires.
	base := serveLines(t, func(i int) string {
		if i < 20 {
			return "temp=10"
		}
		return "temp=95"
	})
	out := filepath.Join(t.TempDir(), "rec.csv")
	r := feedscope(t, "record", "--dashboard", alarmDashboard(t, base, ""), "--exit-on-alarm", "--for", "30s", "--out", out)
	if r.code != 3 {
		t.Fatalf("exit %d, want 3: %s", r.code, r.stderr)
	}
	var pending, firing string
	for _, l := range strings.Split(r.stderr, "\n") {
		switch {
		case strings.Contains(l, " ALARM pending hot "):
			pending = l
		case strings.Contains(l, " ALARM firing hot ") && firing == "":
			firing = l
		}
	}
	if pending == "" || !strings.Contains(pending, "(temp=95 above 50)") {
		t.Errorf("no pending line for temp=95 on stderr:\n%s", r.stderr)
	}
	if firing == "" || !strings.Contains(firing, "(temp=95 for 300ms)") {
		t.Errorf("no firing line on stderr:\n%s", r.stderr)
	}
	if ts, _, _ := strings.Cut(firing, " "); ts != "" {
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			t.Errorf("firing line %q does not start with a time: %v", firing, err)
		}
	}
	if last := lastLine(r.stderr); !strings.HasPrefix(last, "feedscope: record: alarm firing") {
		t.Errorf("last stderr line %q", last)
	}
	rows := readRows(t, out)
	if len(rows["temp"]) == 0 || len(rows["double"]) == 0 {
		t.Fatalf("rows %v: want temp and its derived series double", rows)
	}
	for _, v := range rows["double"] {
		if v != 21 && v != 191 {
			t.Errorf("double %v: not 2×temp+1 of a value sent", v)
		}
	}
}

func TestRecordDashboardNoAlarmExitsZero(t *testing.T) {
	base := serveLines(t, func(int) string { return "temp=49" })
	out := filepath.Join(t.TempDir(), "rec.csv")
	r := feedscope(t, "record", "--dashboard", alarmDashboard(t, base, ""), "--exit-on-alarm", "--for", "2s", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d, want 0: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "ALARM") {
		t.Errorf("an alarm below the line:\n%s", r.stderr)
	}
	rows := readRows(t, out)
	if len(rows["temp"]) < 10 || len(rows["double"]) != len(rows["temp"]) {
		t.Errorf("%d temp rows, %d double rows: want one derived row per sample", len(rows["temp"]), len(rows["double"]))
	}
}

func TestRecordDashboardNoDataAlarm(t *testing.T) {
	// Data for half a second, then silence.
	base := serveLines(t, func(i int) string {
		if i < 10 {
			return "temp=20"
		}
		return ""
	})
	r := feedscope(t, "record", "--dashboard", alarmDashboard(t, base, "700ms"), "--exit-on-alarm", "--for", "30s", "--out", filepath.Join(t.TempDir(), "rec.csv"))
	if r.code != 3 || !strings.Contains(r.stderr, " ALARM firing Temperature silent (no data for 700ms)") {
		t.Fatalf("exit %d, want 3 with a no-data line: %s", r.code, r.stderr)
	}
}

// snapshot --dashboard draws each panel in the file's grid, with its
// threshold lines, and a panel whose alarm fired in the alarm colour; a
// grid cell without a panel stays blank.
func TestSnapshotDashboard(t *testing.T) {
	base := serve(t)
	dash := writeFile(t, "grid.toml", `
title = "Grid"
columns = 2

[[feed]]
name = "a"
url = "`+base+`/sse"

[[feed]]
name = "b"
url = "ws`+strings.TrimPrefix(base, "http")+`/ws"

[[panel]]
title = "Sine"
series = ["a/sine"]
y = { min = -2, max = 2 }
thresholds = [{ value = 1.5, colour = "#ff00ff", label = "limit" }]

[[panel]]
title = "Rate of the counter"
series = [{ match = "b/counter", fn = "rate", name = "counter/s" }]
thresholds = [{ value = 0, colour = "teal", label = "moving", alarm = true }]

[[panel]]
title = "Walks"
series = ["*/walk"]
`)
	out := filepath.Join(t.TempDir(), "grid.png")
	r := feedscope(t, "snapshot", "--dashboard", dash, "--for", "2s", "--size", "1000x600", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	img := readPNG(t, out)
	if b := img.Bounds(); b.Dx() != 1000 || b.Dy() != 600 {
		t.Fatalf("size %v, want 1000x600", b.Size())
	}
	// Cells of the 2×2 grid: three panels with axes, labels and lines;
	// the fourth is empty.
	cell := func(col, row int) image.Image {
		return img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(col*500+10, row*300+10, col*500+490, row*300+290))
	}
	for i, c := range [][2]int{{0, 0}, {1, 0}, {0, 1}} {
		// Axes and labels are grey; a drawn series is a coloured line
		// hundreds of pixels long.
		if n := saturated(cell(c[0], c[1])); n < 400 {
			t.Errorf("panel %d has %d coloured pixels: no series drawn?", i+1, n)
		}
	}
	// The threshold line: a row of its colour across the plot.
	magenta := color.NRGBA{0xff, 0x00, 0xff, 0xff}
	if n := near(cell(0, 0), magenta); n < 300 {
		t.Errorf("%d pixels of the Sine panel's threshold colour: want a line across it", n)
	}
	// The counter's rate is above 0 from its first value: that panel's
	// alarm fired, so its frame is in the alarm colour; the Sine panel's
	// is not.
	alarm := theme.LightTheme().Color(theme.ColorNameError, theme.VariantLight)
	whole := func(col, row int) image.Image {
		return img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(col*500, row*300, col*500+500, row*300+300))
	}
	if n := near(whole(1, 0), alarm); n < 1500 {
		t.Errorf("%d pixels of the alarm colour in the firing panel: want its frame", n)
	}
	if n := near(whole(0, 0), alarm); n > 50 {
		t.Errorf("%d pixels of the alarm colour in a panel without alarms", n)
	}
	if n := colours(cell(1, 1)); n > 2 {
		t.Errorf("the cell without a panel has %d colours", n)
	}
}

// near counts the pixels of img within a small distance of colour c (the
// snapshot scales each chart into its grid cell, which may blend edges).
func near(img image.Image, c color.Color) int {
	want := color.NRGBAModel.Convert(c).(color.NRGBA)
	within := func(a, b uint8) bool { return max(a, b)-min(a, b) <= 0x18 }
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if within(p.R, want.R) && within(p.G, want.G) && within(p.B, want.B) {
				n++
			}
		}
	}
	return n
}

// saturated counts the pixels of img that are clearly coloured, not grey.
func saturated(img image.Image) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			hi, lo := max(r, g, bl), min(r, g, bl)
			if hi-lo > 0x6000 {
				n++
			}
		}
	}
	return n
}
