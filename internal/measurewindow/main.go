// Command measurewindow measures what the Feedscope window costs: CPU (a
// percentage of one core, utime+stime from /proc), repaints per second and
// RSS, in each of a few cases, each beside a bare Fyne window that repaints
// a full-window raster at the rate the app was measured at, in the same
// run. `make measure-window` builds the app with the `measure` tag (which
// counts its repaints) and runs this under Xvfb.
//
//	measurewindow -app ./feedscope-measure [-for 20s] [-rounds 3] [-rss 2m]
//	measurewindow bare -rate 20      (the bare window; used by the above)
//
// On a shared machine the absolute figures move with the load, and one
// pair of runs can be off by a third either way. Each case therefore runs
// -rounds times, the window and the bare window alternated so that both
// see the same load, and the table gives the medians and the range of the
// ratios.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"

	_ "feedscope/app/locale" // before any fyne.io package: see its doc
	"feedscope/internal/repaints"
)

// The window size of every run: the app's default size, and the screen.
const winW, winH = 1180, 720

// clkTck is USER_HZ, the unit of utime and stime in /proc/PID/stat: 100
// on every Linux architecture Go supports.
const clkTck = 100

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		if err := bare(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "measurewindow bare:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "measurewindow:", err)
		os.Exit(1)
	}
}

// bare is a Fyne window of the app's size filled by one raster, refreshed
// rate times a second from a ticker through fyne.Do, the way the app's
// flush reaches the main goroutine. Rate 0 never refreshes it.
func bare(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	rate := fs.Float64("rate", 0, "raster refreshes per second (0: a static window)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a := fyneapp.NewWithID("io.github.feedscope.measure")
	w := a.NewWindow("bare")
	var img *image.RGBA
	shade := uint8(0)
	r := canvas.NewRaster(func(pw, ph int) image.Image {
		if img == nil || img.Rect.Dx() != pw || img.Rect.Dy() != ph {
			img = image.NewRGBA(image.Rect(0, 0, pw, ph))
		}
		shade++
		c := color.RGBA{shade, 128, 255 - shade, 255}
		for i := 0; i < len(img.Pix); i += 4 {
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
		}
		return img
	})
	w.SetContent(r)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(winW, winH))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if path := os.Getenv("FEEDSCOPE_REPAINTS"); path != "" {
		n, err := repaints.Count(w)
		if err != nil {
			return err
		}
		go func() { _ = repaints.WriteEvery(ctx, n, path, 100*time.Millisecond) }()
	}
	if *rate > 0 {
		go func() {
			t := time.NewTicker(time.Duration(float64(time.Second) / *rate))
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					fyne.Do(r.Refresh)
				}
			}
		}()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() { <-sig; fyne.Do(a.Quit) }()
	w.ShowAndRun()
	return nil
}

// figures are one process measured over a span.
type figures struct {
	cpu      float64 // % of one core
	repaints float64 // per second
	rssMB    float64 // at the end
}

type runner struct {
	app     string // the feedscope binary built with the measure tag
	self    string // this binary, for the bare window
	display string
	dir     string
	span    time.Duration
	warm    time.Duration
	rounds  int
	stops   []func() // the servers, stopped when run returns
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("measurewindow", flag.ContinueOnError)
	r := runner{}
	fs.StringVar(&r.app, "app", "", "feedscope `binary` built with -tags measure")
	fs.DurationVar(&r.span, "for", 20*time.Second, "how long each case is measured")
	fs.DurationVar(&r.warm, "warm", 10*time.Second, "how long a window runs before it is measured")
	fs.IntVar(&r.rounds, "rounds", 3, "how many times each case is measured, the window and the bare window alternated")
	rssFor := fs.Duration("rss", 2*time.Minute, "how long the memory case runs (0 skips it)")
	only := fs.String("cases", "", "comma-separated `keys` of the cases to run (disconnected, paused, demo, rate200, dash1, dash6); empty runs all")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if r.app == "" {
		return errors.New("-app is required")
	}
	if r.rounds < 1 {
		return fmt.Errorf("-rounds %d: want at least 1", r.rounds)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	r.self = self
	r.dir, err = os.MkdirTemp("", "measurewindow")
	if err != nil {
		return err
	}
	defer os.RemoveAll(r.dir)
	defer func() {
		for _, stop := range r.stops {
			stop()
		}
	}()

	stopX, err := r.startXvfb(ctx)
	if err != nil {
		return err
	}
	defer stopX()

	port200, err := r.serve(ctx, "200")
	if err != nil {
		return err
	}
	port20, err := r.serve(ctx, "20")
	if err != nil {
		return err
	}
	dash1, err := r.dashboard("dash1.toml", port20, onePanel)
	if err != nil {
		return err
	}
	dash6, err := r.dashboard("dash6.toml", port20, sixPanels)
	if err != nil {
		return err
	}

	fmt.Printf("Each case: the window (%dx%d, Xvfb, %s) measured for %v after %v of warm-up, then a bare\n", winW, winH, "software GL", r.span, r.warm)
	fmt.Printf("Fyne window repainting a full-window raster at the app's measured repaint rate; %d round(s)\n", r.rounds)
	fmt.Printf("of the two, alternated. Figures are medians; the ratio's range across rounds is in brackets.\n\n")
	fmt.Printf("Load average at the start: %s\n\n", loadavg())
	fmt.Println("| case | window: CPU % of a core | repaints/s | CPU ms per repaint | RSS MB | bare window: CPU % | repaints/s | CPU ms per repaint | CPU ratio |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	cases := []measureCase{
		{key: "disconnected", name: "disconnected (demo feed, then Disconnect)", action: "disconnect"},
		{key: "paused", name: "paused (demo feed arriving, chart paused)", action: "pause"},
		{key: "demo", name: "demo feed, 20 msg/s, follow mode"},
		{key: "rate200", name: "serve --rate 200, follow mode", args: []string{"--url", "http://127.0.0.1:" + port200 + "/sse"}},
		{key: "dash1", name: "dashboard, 1 panel, 20 msg/s", args: []string{dash1}},
		{key: "dash6", name: "dashboard, 6 panels, same feed", args: []string{dash6}},
	}
	want := map[string]bool{}
	for k := range strings.SplitSeq(*only, ",") {
		if k = strings.TrimSpace(k); k != "" {
			want[k] = true
		}
	}
	for k := range want {
		if !slices.ContainsFunc(cases, func(c measureCase) bool { return c.key == k }) {
			return fmt.Errorf("-cases: no case %q", k)
		}
	}
	for _, c := range cases {
		if len(want) > 0 && !want[c.key] {
			continue
		}
		var env []string
		if c.action != "" {
			env = append(env, "FEEDSCOPE_MEASURE_ACTION="+c.action)
		}
		var apps, bares []figures
		for range r.rounds {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			app, err := r.window(ctx, c.name, r.app, c.args, env, r.span)
			if err != nil {
				return err
			}
			a := app[len(app)-1]
			b, err := r.window(ctx, "bare", r.self, []string{"bare", "-rate", strconv.FormatFloat(a.repaints, 'f', 1, 64)}, nil, r.span)
			if err != nil {
				return err
			}
			apps, bares = append(apps, a), append(bares, b[len(b)-1])
		}
		fmt.Println(row(c.name, apps, bares))
	}
	if *rssFor > 0 {
		// RSS at each minute of a steady feed: flat after the first.
		per := time.Minute
		steps := int(*rssFor / per)
		f, err := r.window(ctx, "memory", r.app, nil, nil, per, steps)
		if err != nil {
			return err
		}
		var rss []string
		for i, x := range f {
			rss = append(rss, fmt.Sprintf("%.0f MB after %d min", x.rssMB, i+1))
		}
		fmt.Printf("\nRSS on the demo feed (20 msg/s, follow mode): %s", strings.Join(rss, ", "))
		if len(f) >= 2 {
			first, last := f[0].rssMB, f[len(f)-1].rssMB
			fmt.Printf(" (%+.1f%% after the first minute)", (last-first)/first*100)
		}
		fmt.Println()
	}
	fmt.Printf("Load average at the end: %s\n", loadavg())
	return nil
}

// serve starts `feedscope serve` at rate messages a second on a free
// port, stopped when run returns.
func (r *runner) serve(ctx context.Context, rate string) (port string, err error) {
	port, err = freePort()
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, r.app, "serve", "--addr", "127.0.0.1:"+port, "--rate", rate)
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("feedscope serve: %w", err)
	}
	r.stops = append(r.stops, func() { stopProcess(cmd) })
	return port, nil
}

// The panels of the dashboard cases: the same feed's series on one panel,
// and spread over six (each drawn on its own, two of them twice), to show
// that panels add drawing, not repaints.
const (
	onePanel = `
[[panel]]
title = "Everything"
series = ["*"]
hidden = ["seq", "counter"]
`
	sixPanels = `
columns = 3

[[panel]]
title = "Sine"
series = ["sine"]

[[panel]]
title = "Noise"
series = ["noise"]

[[panel]]
title = "Sawtooth"
series = ["sawtooth"]

[[panel]]
title = "Walk"
series = ["walk"]

[[panel]]
title = "Sine and sawtooth"
series = ["sine", "sawtooth"]

[[panel]]
title = "Everything"
series = ["*"]
hidden = ["seq", "counter"]
`
)

// dashboard writes a dashboard file of one SSE feed from the server on
// port with the given panels, and returns its path.
func (r *runner) dashboard(name, port, panels string) (string, error) {
	path := filepath.Join(r.dir, name)
	text := fmt.Sprintf("title = %q\nwindow = \"1m\"\n%s\n[[feed]]\nname = \"demo\"\nurl = \"http://127.0.0.1:%s/sse\"\ntransport = \"sse\"\n%s",
		strings.TrimSuffix(name, ".toml"), topLevel(panels), port, panelsOnly(panels))
	return path, os.WriteFile(path, []byte(text), 0o644)
}

// topLevel and panelsOnly split a dashboard fragment at its first table:
// TOML keys before it belong to the file, the rest to the panels.
func topLevel(s string) string {
	if i := strings.Index(s, "[["); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return strings.TrimSpace(s)
}

func panelsOnly(s string) string {
	if i := strings.Index(s, "[["); i >= 0 {
		return s[i:]
	}
	return ""
}

// row is a case's line of the table: the medians of the rounds, and the
// range of the per-round ratios when there is more than one.
func row(name string, apps, bares []figures) string {
	a, b := medianFigures(apps), medianFigures(bares)
	var ratios []float64
	for i := range apps {
		if bares[i].cpu > 0 {
			ratios = append(ratios, apps[i].cpu/bares[i].cpu)
		}
	}
	ratio := "—"
	if len(ratios) > 0 {
		ratio = fmt.Sprintf("%.2f×", median(ratios))
		if len(ratios) > 1 {
			ratio += fmt.Sprintf(" (%.2f–%.2f)", slices.Min(ratios), slices.Max(ratios))
		}
	}
	return fmt.Sprintf("| %s | %.1f | %.1f | %s | %.0f | %.1f | %.1f | %s | %s |", name, a.cpu, a.repaints, a.perRepaint(),
		a.rssMB, b.cpu, b.repaints, b.perRepaint(), ratio)
}

// medianFigures is each figure's median over the runs, taken one figure
// at a time.
func medianFigures(fs []figures) figures {
	pick := func(get func(figures) float64) float64 {
		v := make([]float64, len(fs))
		for i, f := range fs {
			v[i] = get(f)
		}
		return median(v)
	}
	return figures{
		cpu:      pick(func(f figures) float64 { return f.cpu }),
		repaints: pick(func(f figures) float64 { return f.repaints }),
		rssMB:    pick(func(f figures) float64 { return f.rssMB }),
	}
}

// median of a non-empty slice: the middle value, or the mean of the two
// middle values. v is not changed.
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// measureCase is one window measured: key names it on the command line.
type measureCase struct {
	key, name string
	args      []string
	action    string // FEEDSCOPE_MEASURE_ACTION
}

// perRepaint is CPU time per repaint, which stays comparable when a loaded
// machine keeps a window from reaching the rate it asks for.
func (f figures) perRepaint() string {
	if f.repaints < 0.5 {
		return "—"
	}
	return fmt.Sprintf("%.1f", f.cpu*10/f.repaints)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ") + fmt.Sprintf(" (%d CPUs)", runtime.NumCPU())
}

// window runs one window (a fresh HOME: no saved URL, so the app opens the
// demo feed), waits r.warm, and measures it for each of steps spans of
// length span in a row.
func (r *runner) window(ctx context.Context, name, bin string, args, env []string, span time.Duration, steps ...int) ([]figures, error) {
	n := 1
	if len(steps) > 0 {
		n = steps[0]
	}
	home, err := os.MkdirTemp(r.dir, "home")
	if err != nil {
		return nil, err
	}
	counter := filepath.Join(home, "repaints")
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"DISPLAY="+r.display, "FEEDSCOPE_REPAINTS="+counter)
	cmd.Env = append(cmd.Env, env...)
	var logBuf strings.Builder
	cmd.Stdout, cmd.Stderr = &logBuf, &logBuf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer stopProcess(cmd)
	if err := sleep(ctx, r.warm); err != nil {
		return nil, err
	}
	var out []figures
	for range n {
		t0, c0, err := sample(cmd.Process.Pid, counter)
		if err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", name, err, logBuf.String())
		}
		start := time.Now()
		if err := sleep(ctx, span); err != nil {
			return nil, err
		}
		t1, c1, err := sample(cmd.Process.Pid, counter)
		if err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", name, err, logBuf.String())
		}
		secs := time.Since(start).Seconds()
		rss, err := rssMB(cmd.Process.Pid)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, figures{
			cpu:      float64(t1-t0) / clkTck / secs * 100,
			repaints: float64(c1-c0) / secs,
			rssMB:    rss,
		})
	}
	return out, nil
}

// sample reads a process's CPU ticks (utime+stime) and its repaint count.
func sample(pid int, counter string) (ticks, count int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("the window exited: %w", err)
	}
	// Fields after the command name, which is in parentheses and may
	// hold spaces: state is field 3, utime 14, stime 15.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	count, err = repaints.Read(counter)
	return ut + st, count, err
}

func rssMB(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// startXvfb starts Xvfb on a free display with a screen twice the
// window's width and height. Bare Xvfb has no window manager: the window
// is placed at 0,0, and the pointer starts at the screen's centre, just
// past the window's bottom-right corner. On a screen of the window's size
// the pointer would rest over the chart, whose crosshair and tooltip then
// follow the scrolling data: a cost of hovering, not of the window.
func (r *runner) startXvfb(ctx context.Context) (stop func(), err error) {
	for n := 90; n <= 160; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		r.display = fmt.Sprintf(":%d", n)
		x := exec.CommandContext(ctx, "Xvfb", r.display, "-screen", "0", fmt.Sprintf("%dx%dx24", 2*winW, 2*winH), "-nolisten", "tcp")
		if err := x.Start(); err != nil {
			return nil, fmt.Errorf("Xvfb: %w", err)
		}
		for range 50 {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
				return func() { stopProcess(x) }, nil
			}
			time.Sleep(100 * time.Millisecond)
		}
		stopProcess(x)
		return nil, errors.New("Xvfb did not start")
	}
	return nil, errors.New("no free X display number")
}

// stopProcess asks a process to end (SIGTERM), and kills it after five
// seconds.
func stopProcess(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
