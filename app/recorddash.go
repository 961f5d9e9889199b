package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"feedscope/app/compute"
	"feedscope/app/dashboard"
	"feedscope/app/engine"
	"feedscope/feeds"
)

const recordDashboardUsage = `
With --dashboard, every feed of the dashboard file is recorded into the
one output, each with its own connection and reconnects. Series are named
feed/series when the dashboard has several feeds (as in the window), and
state changes on standard error start with the feed's name. A feed that
cannot connect does not stop the others: its errors go to standard error
while the rest are recorded. Exit status: as above, except that a feed that
stopped for good ends the command with 1 only when every feed has; when
--for, --count or an interrupt ends it, it exits 0 and the last line of
standard error names the feeds that stopped.

Derived series (a series entry's fn) are computed as samples arrive and
written like any series: under the entry's name (with the series' name in
brackets when its pattern has * or ?), or as "series | fn". --count counts
them too. Alarms (a panel's thresholds with alarm = true, and no_data)
write one line to standard error per change of state:
  2026-12-04T10:00:30Z ALARM firing hot (plc/temp=95.5 for 30s)
They run on arrival times. With --exit-on-alarm the command exits with
status 3 as soon as one fires.
`

// dashFlags are record's flags for a dashboard file.
type dashFlags struct {
	file        string
	exitOnAlarm bool
}

func (f *dashFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "dashboard", "", "record every feed of this dashboard `file` instead of --url")
	fs.BoolVar(&f.exitOnAlarm, "exit-on-alarm", false, "exit with status 3 as soon as an alarm of the dashboard fires (with --dashboard)")
}

// load reads the dashboard file (see loadDashboard).
func (f *dashFlags) load(fs *flag.FlagSet) (*dashboard.Dashboard, error) {
	return loadDashboard(fs, f.file)
}

// loadDashboard reads a dashboard file for a command, refusing feed flags
// beside it: a dashboard's feeds carry their own settings, and silently
// ignoring --url or --header would watch something else than asked.
func loadDashboard(fs *flag.FlagSet, file string) (*dashboard.Dashboard, error) {
	feedFlagSet := flag.NewFlagSet("", flag.ContinueOnError)
	new(feedFlags).register(feedFlagSet, true)
	var clash []string
	fs.Visit(func(fl *flag.Flag) {
		if feedFlagSet.Lookup(fl.Name) != nil {
			clash = append(clash, "--"+fl.Name)
		}
	})
	if len(clash) > 0 {
		return nil, usageError(fs, fmt.Errorf("%s: the dashboard file sets its feeds; leave out %s", "--dashboard", strings.Join(clash, ", ")))
	}
	cmd := strings.TrimPrefix(fs.Name(), "feedscope ")
	d, err := dashboard.Load(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmd, err)
	}
	if len(d.Feeds) == 0 {
		return nil, fmt.Errorf("%s: %s has no feed to watch", cmd, file)
	}
	return d, nil
}

// sampleSink is where a dashRecorder puts rows: a rowWriter, or a store
// for snapshot.
type sampleSink interface {
	row(feeds.Sample) error
	// flush ends one message's rows.
	flush() error
}

// dashOptions are what a command asks of recordDashboard.
type dashOptions struct {
	// cmd names the command in stderr lines ("record").
	cmd string
	// count stops after this many rows, derived ones included; 0: no
	// limit.
	count       int64
	exitOnAlarm bool
}

// dashRecorder writes the samples of every feed of a dashboard to one
// output. Each feed's supervisor calls it from its own goroutine; mu
// keeps rows and stderr lines whole and in one order, and guards the
// engine.
type dashRecorder struct {
	d      *dashboard.Dashboard
	rw     sampleSink
	opt    dashOptions
	stderr io.Writer
	cancel context.CancelFunc

	mu       sync.Mutex
	written  int64
	writeErr error
	// eng says, per series name (as written), what is derived from it
	// and which alarms watch it. plans, noData and shows are its own
	// (see engine.Engine), named here for snapshot and the tests:
	// shows[i] holds the names of the series panel i draws (derived ones
	// by their derived name), noData[i] is panel i's no-data alarm or nil.
	eng    *engine.Engine
	plans  map[string]*engine.Plan
	noData []*compute.Alarm
	shows  []map[string]bool
	// fired is the transition that ends --exit-on-alarm.
	fired *compute.Transition
}

// AlarmError ends `record --dashboard --exit-on-alarm` when an alarm
// fires; main exits with status 3 for it.
type AlarmError struct{ Transition compute.Transition }

func (e *AlarmError) Error() string {
	return "record: alarm firing: " + e.Transition.String()
}

// maxPlans bounds the series a recording derives from and watches.
const maxPlans = engine.MaxPlans

// alarmTick is how often alarms are told the time, so that a pending
// alarm fires and a silent feed is noticed without a sample.
const alarmTick = 200 * time.Millisecond

// recordDashboard records every feed of d into rw until ctx ends, the
// count is reached, or every feed has stopped for good.
func recordDashboard(ctx context.Context, d *dashboard.Dashboard, rw sampleSink, opt dashOptions, stderr io.Writer) error {
	_, err := runDashboard(ctx, d, rw, opt, stderr)
	return err
}

// runDashboard is recordDashboard, returning the recorder for what it
// learnt (which series each panel shows).
func runDashboard(ctx context.Context, d *dashboard.Dashboard, rw sampleSink, opt dashOptions, stderr io.Writer) (*dashRecorder, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r, err := newDashRecorder(d, rw, opt, stderr, cancel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opt.cmd, err)
	}
	r.tick(time.Now()) // no-data alarms count the silence from the start
	var clock sync.WaitGroup
	defer clock.Wait()
	clock.Go(func() {
		t := time.NewTicker(alarmTick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				r.tick(now)
			}
		}
	})

	// stopped[i] is why feed i ended while the others went on; nil for a
	// feed that ran until the end. When every feed has stopped for good,
	// every goroutine has returned and so does Wait.
	stopped := make([]error, len(d.Feeds))
	var wg sync.WaitGroup
	for i, f := range d.Feeds {
		wg.Go(func() {
			err := r.runFeed(ctx, f)
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				err = errors.New("stopped")
			}
			stopped[i] = err
		})
	}
	wg.Wait()
	cancel()
	clock.Wait()

	if r.writeErr != nil {
		return r, fmt.Errorf("%s: write: %w", opt.cmd, r.writeErr)
	}
	if r.fired != nil {
		fmt.Fprintf(stderr, "feedscope %s: %d samples written\n", opt.cmd, r.written)
		return r, &AlarmError{*r.fired}
	}
	var failed, reasons []string
	for i, err := range stopped {
		if err != nil {
			failed = append(failed, d.Feeds[i].Name)
			reasons = append(reasons, d.Feeds[i].Name+": "+plainError(err))
		}
	}
	if len(failed) == len(d.Feeds) {
		return r, fmt.Errorf("%s: every feed stopped: %s", opt.cmd, strings.Join(reasons, "; "))
	}
	if len(failed) > 0 {
		fmt.Fprintf(stderr, "feedscope %s: %d samples written; %d of %d feeds stopped: %s\n", opt.cmd, r.written, len(failed), len(d.Feeds), strings.Join(failed, ", "))
		return r, nil
	}
	fmt.Fprintf(stderr, "feedscope %s: %d samples written\n", opt.cmd, r.written)
	return r, nil
}

// newDashRecorder makes a recorder for d whose cancel ends the recording.
func newDashRecorder(d *dashboard.Dashboard, rw sampleSink, opt dashOptions, stderr io.Writer, cancel context.CancelFunc) (*dashRecorder, error) {
	eng, err := engine.New(d.Panels, nil)
	if err != nil {
		return nil, err
	}
	r := &dashRecorder{d: d, rw: rw, opt: opt, stderr: stderr, cancel: cancel,
		eng: eng, plans: eng.Plans(), noData: eng.NoData(), shows: eng.Shows()}
	eng.OnTooMany = func() {
		// Called under mu, from samples.
		fmt.Fprintf(r.stderr, "feedscope %s: more than %d series: derived series and alarms cover the first %d\n", r.opt.cmd, maxPlans, maxPlans)
	}
	return r, nil
}

// runFeed runs one feed until ctx ends or it stops for good.
func (r *dashRecorder) runFeed(ctx context.Context, f dashboard.Feed) error {
	cfg, err := f.Config()
	if err != nil {
		r.status(f.Name, "stopped: "+err.Error())
		return err
	}
	dec := feeds.Decoder{Time: f.Settings.TimeSource()}
	return feeds.Run(ctx, cfg, func(ev feeds.Event) {
		switch ev.Kind {
		case feeds.KindStatus:
			r.status(f.Name, describeStatus(ev.Status))
		case feeds.KindMessage:
			r.samples(f.Name, dec.Decode(ev.Message).Samples)
		}
	})
}

func (r *dashRecorder) status(feed, line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.stderr, "feedscope %s: %s: %s\n", r.opt.cmd, feed, line)
}

// samples writes one message's samples under their dashboard names, with
// what is derived from them, and feeds the alarms that watch them.
func (r *dashRecorder) samples(feed string, ss []feeds.Sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done() {
		return
	}
	arrival := time.Now()
	for _, s := range ss {
		s.Series = r.d.SeriesName(feed, s.Series)
		if !r.write(s) {
			break
		}
		plan := r.eng.Plan(s.Series)
		for _, a := range plan.NoData {
			r.report(a.Sample(arrival, s.Value))
		}
		for _, a := range plan.Alarms {
			r.report(a.Sample(arrival, s.Value))
		}
		for _, dv := range plan.Derived {
			v, ok, err := dv.Pipe.PushTime(s.Time, s.Value)
			if err != nil || !ok {
				continue // refused points are counted in the pipeline's Stats
			}
			if !r.write(feeds.Sample{Time: s.Time, Series: dv.Name, Value: v}) {
				break
			}
			for _, a := range dv.Alarms {
				r.report(a.Sample(arrival, v))
			}
		}
		if r.done() {
			break
		}
	}
	if r.writeErr == nil {
		if r.writeErr = r.rw.flush(); r.writeErr != nil {
			r.cancel()
		}
	}
}

// done reports whether nothing more is to be written.
func (r *dashRecorder) done() bool {
	return r.writeErr != nil || r.fired != nil || (r.opt.count > 0 && r.written >= r.opt.count)
}

// write writes one row and reports whether more may follow.
func (r *dashRecorder) write(s feeds.Sample) bool {
	if r.done() {
		return false
	}
	if r.writeErr = r.rw.row(s); r.writeErr != nil {
		r.cancel()
		return false
	}
	r.written++
	if r.opt.count > 0 && r.written >= r.opt.count {
		r.cancel()
		return false
	}
	return true
}

// panelName names a panel in alarm lines: its title, or its place.
func panelName(p dashboard.Panel, i int) string { return engine.PanelName(p, i) }

// tick tells every alarm the time.
func (r *dashRecorder) tick(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.report(r.eng.Tick(now))
}

// report writes transitions to stderr, one line each, and ends the
// recording at the first firing under --exit-on-alarm. Called with mu
// held.
func (r *dashRecorder) report(trs []compute.Transition) {
	for _, tr := range trs {
		if r.fired != nil {
			return
		}
		fmt.Fprintln(r.stderr, tr.String())
		if r.opt.exitOnAlarm && tr.To == compute.Firing {
			r.fired = &tr
			r.cancel()
		}
	}
}
