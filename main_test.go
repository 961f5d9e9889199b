package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// bin is the feedscope binary under test: $FEEDSCOPE_BIN (make test builds
// it once), else built here.
var bin string

func TestMain(m *testing.M) {
	code := func() int {
		bin = os.Getenv("FEEDSCOPE_BIN")
		if bin == "" {
			dir, err := os.MkdirTemp("", "feedscope-e2e")
			if err != nil {
				panic(err)
			}
			defer os.RemoveAll(dir)
			bin = filepath.Join(dir, "feedscope")
			build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			if err := build.Run(); err != nil {
				panic("build feedscope: " + err.Error())
			}
		}
		return m.Run()
	}()
	if code == 0 {
		// fyne's glfw driver package starts its queue when it loads.
		if err := goleak.Find(goleak.IgnoreAnyFunction("fyne.io/fyne/v2/internal/async.(*UnboundedChan[...]).processing")); err != nil {
			os.Stderr.WriteString("goleak: " + err.Error() + "\n")
			code = 1
		}
	}
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// feedscope runs the binary without a display, bounded in time.
func feedscope(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "DISPLAY=", "WAYLAND_DISPLAY=", "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("feedscope %v did not finish: %s", args, errb.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// serve starts `feedscope serve` on a free port and returns its base URL.
func serve(t *testing.T) string {
	t.Helper()
	return serveWith(t, nil, "--rate", "50")
}

// serveWith starts `feedscope serve` with args on a free port, reading
// stdin (may be nil), and returns its base URL.
func serveWith(t *testing.T, stdin io.Reader, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Stdin = stdin
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cancel()
			<-done
		}
		cancel()
	})
	urlRE := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)/`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not say where it listens")
	}
	return ""
}

func TestRecordEveryTransportOfServe(t *testing.T) {
	base := serve(t)
	for _, tc := range []struct {
		transport, url string
		extra          []string
	}{
		{"sse", base + "/sse", nil},
		// serve answers the text heartbeat "ping" with "pong", which must
		// not become a row.
		{"ws", "ws" + strings.TrimPrefix(base, "http") + "/ws", []string{"--heartbeat", "200ms", "--ping-text", "ping", "--pong-text", "pong"}},
		{"poll", base + "/poll", []string{"--interval", "100ms"}},
		// Long polling /poll hands out every message, as a stream does.
		{"longpoll", base + "/poll", []string{"--hold", "5s"}},
	} {
		t.Run(tc.transport, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "rec.csv")
			args := append([]string{"record", "--url", tc.url, "--transport", tc.transport, "--for", "2s", "--out", out}, tc.extra...)
			r := feedscope(t, args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, "feedscope record: connected") {
				t.Errorf("no connected line on stderr:\n%s", r.stderr)
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := csv.NewReader(f).ReadAll()
			if err != nil {
				t.Fatalf("not CSV: %v", err)
			}
			if len(rows) < 2 || strings.Join(rows[0], ",") != "time,series,value" {
				t.Fatalf("header %v, %d rows", rows[0], len(rows))
			}
			seen := map[string]int{}
			var lastCounter float64
			for _, row := range rows[1:] {
				if len(row) != 3 {
					t.Fatalf("row %v", row)
				}
				ts, err := time.Parse(time.RFC3339Nano, row[0])
				if err != nil || !strings.HasSuffix(row[0], "Z") || len(row[0]) != len("2006-01-02T15:04:05.000000000Z") {
					t.Fatalf("time %q is not RFC 3339 UTC with nanoseconds", row[0])
				}
				if d := time.Since(ts); d < 0 || d > time.Minute {
					t.Errorf("time %v is not recent", ts)
				}
				v, err := strconv.ParseFloat(row[2], 64)
				if err != nil {
					t.Fatalf("value %q", row[2])
				}
				if strings.Contains(row[1], "pong") || strings.Contains(row[1], "ping") {
					t.Errorf("heartbeat recorded as a row: %v", row)
				}
				seen[row[1]]++
				switch row[1] {
				case "sine":
					if v < -1 || v > 1 {
						t.Errorf("sine %v", v)
					}
				case "counter":
					if v <= lastCounter {
						t.Errorf("counter went from %v to %v", lastCounter, v)
					}
					lastCounter = v
				}
			}
			min := 3 // polling every 100 ms for 2 s sees some of the 50/s
			if tc.transport != "poll" {
				min = 50 // streams get all of them
			}
			for _, s := range []string{"seq", "sine", "noise", "sawtooth", "walk", "counter"} {
				if seen[s] < min {
					t.Errorf("series %s: %d rows, want at least %d", s, seen[s], min)
				}
			}
		})
	}
}

func TestRecordCountJSONLines(t *testing.T) {
	base := serve(t)
	r := feedscope(t, "record", "--url", base+"/sse", "--count", "25", "--format", "jsonl")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 25 {
		t.Fatalf("%d lines, want 25", len(lines))
	}
	for _, l := range lines {
		var row struct {
			Time   time.Time
			Series string
			Value  *float64
		}
		if err := json.Unmarshal([]byte(l), &row); err != nil || row.Series == "" || row.Value == nil || row.Time.IsZero() {
			t.Fatalf("line %q: %v", l, err)
		}
	}
}

func TestRecordFailsWithOneLine(t *testing.T) {
	base := serve(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad scheme", []string{"--url", "ftp://example.com/x"}, 1, "unsupported URL scheme"},
		{"no url", nil, 2, "--url is required"},
		{"not found", []string{"--url", base + "/nothing", "--header", "Authorization: Bearer TOPSECRET"}, 1, "404"},
		{"bad format", []string{"--url", base + "/sse", "--format", "xml"}, 2, "--format"},
		{"bad header", []string{"--url", base + "/sse", "--header", "novalue"}, 2, "Name: value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := feedscope(t, append([]string{"record"}, tc.args...)...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.stderr)
			}
			last := lastLine(r.stderr)
			if !strings.HasPrefix(last, "feedscope: ") || !strings.Contains(last, tc.want) {
				t.Errorf("last stderr line %q, want a reason mentioning %q", last, tc.want)
			}
			if strings.Contains(r.stderr+r.stdout, "TOPSECRET") {
				t.Error("a header value reached the output")
			}
			for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
				if strings.Contains(l, "Fyne") {
					t.Errorf("noise on stderr: %q", l)
				}
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestSnapshotWritesAChart(t *testing.T) {
	base := serve(t)
	out := filepath.Join(t.TempDir(), "chart.png")
	r := feedscope(t, "snapshot", "--url", base+"/sse", "--for", "2s", "--out", out, "--size", "800x400")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	img := readPNG(t, out)
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 400 {
		t.Errorf("size %v, want 800x400", b.Size())
	}
	// Axes, labels and six coloured lines: far more than a handful of
	// colours. A blank or single-colour image has one or two.
	if n := colours(img); n < 20 {
		t.Errorf("PNG has %d colours: blank?", n)
	}

	bad := feedscope(t, "snapshot", "--url", base+"/sse", "--out", out, "--size", "huge")
	if bad.code != 2 || !strings.Contains(bad.stderr, "--size") {
		t.Errorf("bad size: exit %d, %q", bad.code, bad.stderr)
	}
}

// colours counts the distinct colours of img.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

func TestHelpOfEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}, {"record", "-h"}, {"snapshot", "--help"}, {"serve", "-h"}} {
		r := feedscope(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage") {
			t.Errorf("%v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
	r := feedscope(t, "--help")
	for _, cmd := range []string{"record", "snapshot", "serve", "--transport"} {
		if !strings.Contains(r.stdout, cmd) {
			t.Errorf("top-level help does not mention %s", cmd)
		}
	}
	rec := feedscope(t, "record", "-h")
	for _, flag := range []string{"--url", "--transport", "--interval", "--hold", "--header", "--heartbeat", "--ping-text", "--for", "--count", "--format", "--out", "--dashboard", "--exit-on-alarm"} {
		if !strings.Contains(rec.stdout, strings.TrimPrefix(flag, "-")) {
			t.Errorf("record help does not mention %s", flag)
		}
	}
	// The window command needs a display and says so in one line.
	w := feedscope(t, "--url", "http://127.0.0.1:1/")
	if w.code != 1 || !strings.Contains(w.stderr, "no display") {
		t.Errorf("window without display: exit %d, %q", w.code, w.stderr)
	}
}

// recordedRows reads a long CSV as record writes it, without its header.
func recordedRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 || strings.Join(rows[0], ",") != "time,series,value" {
		t.Fatalf("%s is not a recording (%v): %v", path, err, rows)
	}
	return rows[1:]
}

// bySeries is each series' (time, value) rows in order.
func bySeries(rows [][]string) map[string][]string {
	m := map[string][]string{}
	for _, r := range rows {
		m[r[1]] = append(m[r[1]], r[0]+" "+r[2])
	}
	return m
}

// A recording replays to any client: record a live serve, serve
// the recording with --replay, record that, and every series has the
// same times and values in the same order. Replaying the file itself with
// record (a file: URL) writes it again, row for row, and exits 0.
func TestRecordServeReplayRecord(t *testing.T) {
	live := serve(t)
	first := filepath.Join(t.TempDir(), "live.csv")
	if r := feedscope(t, "record", "--url", live+"/sse", "--for", "3s", "--out", first); r.code != 0 {
		t.Fatalf("record live: exit %d: %s", r.code, r.stderr)
	}
	want := recordedRows(t, first)
	if len(want) < 6*50 {
		t.Fatalf("only %d rows recorded in 3 s", len(want))
	}

	replayed := serveWith(t, nil, "--replay", first, "--speed", "10")
	second := filepath.Join(t.TempDir(), "replayed.csv")
	// lastEventId=0: from the start of the server's log, wherever the
	// replay has got to.
	r := feedscope(t, "record", "--url", replayed+"/sse?lastEventId=0", "--count", strconv.Itoa(len(want)), "--for", "30s", "--out", second)
	if r.code != 0 {
		t.Fatalf("record the replay: exit %d: %s", r.code, r.stderr)
	}
	got := recordedRows(t, second)
	if len(got) != len(want) {
		t.Fatalf("%d rows from the replay, want %d", len(got), len(want))
	}
	gs, ws := bySeries(got), bySeries(want)
	if len(gs) != len(ws) {
		t.Errorf("%d series from the replay, want %d", len(gs), len(ws))
	}
	for name, w := range ws {
		if g := gs[name]; strings.Join(g, "\n") != strings.Join(w, "\n") {
			t.Errorf("series %s: %d rows from the replay differ from the %d recorded", name, len(g), len(w))
		}
	}

	third := filepath.Join(t.TempDir(), "file.csv")
	// A top-level test's temporary directory has no ? or # to escape.
	fileURL := "file://" + filepath.ToSlash(first) + "?speed=0"
	r = feedscope(t, "record", "--url", fileURL, "--out", third)
	if r.code != 0 {
		t.Fatalf("record %s: exit %d: %s", fileURL, r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, strconv.Itoa(len(want))+" samples written") {
		t.Errorf("stderr does not say all %d samples were written:\n%s", len(want), r.stderr)
	}
	if g := recordedRows(t, third); !slices.EqualFunc(g, want, slices.Equal) {
		t.Errorf("record of the file differs from the file: %d rows, want %d", len(g), len(want))
	}
}

// record converts a wide CSV to long at the end of which it exits 0 with
// every point written, saying which lines it skipped.
func TestRecordConvertsAWideRecording(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "wide.csv"), []byte("time;temp;ts;note\n"+
		"2026-06-01 12:00:00;21,5;1;sunny\n"+
		"2026-06-01 12:00:00.5;oops;2;sunny\n"+
		"2026-06-01 12:00:01;21,75;;cloudy\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "record", "--url", "file:wide.csv?speed=100", "--format", "jsonl")
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("record file:wide.csv: %v: %s", err, errb.String())
	}
	want := `{"time":"2026-06-01T12:00:00.000000000Z","series":"temp","value":21.5}
{"time":"2026-06-01T12:00:00.000000000Z","series":"ts","value":1}
{"time":"2026-06-01T12:00:00.500000000Z","series":"ts","value":2}
{"time":"2026-06-01T12:00:01.000000000Z","series":"temp","value":21.75}
`
	if out.String() != want {
		t.Errorf("output\n%s\nwant\n%s", out.String(), want)
	}
	for _, s := range []string{"1 bad lines skipped", "line 3", `"note"`, "4 samples written"} {
		if !strings.Contains(errb.String(), s) {
			t.Errorf("stderr does not mention %s:\n%s", s, errb.String())
		}
	}
}

// snapshot draws a recording given by its file URL, and is done when the
// file is, not when --for runs out.
func TestSnapshotOfARecording(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.csv")
	rows := "time,a,b\n"
	for i := range 50 {
		rows += "2026-06-01T12:00:" + strconv.Itoa(10+i%50) + "Z," + strconv.Itoa(i%7) + "," + strconv.Itoa(50-i) + "\n"
	}
	if err := os.WriteFile(path, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "chart.png")
	start := time.Now()
	r := feedscope(t, "snapshot", "--url", "file://"+filepath.ToSlash(path)+"?speed=0", "--for", "50s", "--out", out, "--size", "800x400")
	if r.code != 0 || !strings.Contains(r.stderr, "100 samples of 2 series") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if d := time.Since(start); d > 40*time.Second {
		t.Errorf("snapshot took %v: it waited for --for instead of the end of the file", d)
	}
	img := readPNG(t, out)
	if n := colours(img); n < 20 {
		t.Errorf("PNG has %d colours: blank?", n)
	}
}

// readPNG decodes the PNG a command wrote at path.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
