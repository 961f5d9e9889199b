package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

	"feedscope/app/dashboard"
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
`

// dashFlags are record's flags for a dashboard file.
type dashFlags struct {
	file string
}

func (f *dashFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "dashboard", "", "record every feed of this dashboard `file` instead of --url")
}

// load reads the dashboard file, refusing feed flags beside it: a
// dashboard's feeds carry their own settings, and silently ignoring
// --url or --header would record something else than asked.
func (f *dashFlags) load(fs *flag.FlagSet) (*dashboard.Dashboard, error) {
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
	d, err := dashboard.Load(f.file)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if len(d.Feeds) == 0 {
		return nil, fmt.Errorf("record: %s has no feed to record", f.file)
	}
	return d, nil
}

// dashRecorder writes the samples of every feed of a dashboard to one
// output. Each feed's supervisor calls it from its own goroutine; mu
// keeps rows and stderr lines whole and in one order.
type dashRecorder struct {
	d      *dashboard.Dashboard
	rw     *rowWriter
	count  int64
	stderr io.Writer
	cancel context.CancelFunc

	mu       sync.Mutex
	written  int64
	writeErr error
}

// recordDashboard records every feed of d into rw until ctx ends, count
// rows are written (0: no limit), or every feed has stopped for good.
func recordDashboard(ctx context.Context, d *dashboard.Dashboard, rw *rowWriter, count int64, stderr io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &dashRecorder{d: d, rw: rw, count: count, stderr: stderr, cancel: cancel}

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

	if r.writeErr != nil {
		return fmt.Errorf("record: write: %w", r.writeErr)
	}
	var failed, reasons []string
	for i, err := range stopped {
		if err != nil {
			failed = append(failed, d.Feeds[i].Name)
			reasons = append(reasons, d.Feeds[i].Name+": "+plainError(err))
		}
	}
	if len(failed) == len(d.Feeds) {
		return fmt.Errorf("record: every feed stopped: %s", strings.Join(reasons, "; "))
	}
	if len(failed) > 0 {
		fmt.Fprintf(stderr, "feedscope record: %d samples written; %d of %d feeds stopped: %s\n", r.written, len(failed), len(d.Feeds), strings.Join(failed, ", "))
		return nil
	}
	fmt.Fprintf(stderr, "feedscope record: %d samples written\n", r.written)
	return nil
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
	fmt.Fprintf(r.stderr, "feedscope record: %s: %s\n", feed, line)
}

// samples writes one message's samples under their dashboard names.
func (r *dashRecorder) samples(feed string, ss []feeds.Sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.writeErr != nil || (r.count > 0 && r.written >= r.count) {
		return
	}
	for _, s := range ss {
		s.Series = r.d.SeriesName(feed, s.Series)
		if !r.write(s) {
			break
		}
	}
	if r.writeErr == nil {
		if r.writeErr = r.rw.flush(); r.writeErr != nil {
			r.cancel()
		}
	}
}

// write writes one row and reports whether more may follow.
func (r *dashRecorder) write(s feeds.Sample) bool {
	if r.writeErr = r.rw.row(s); r.writeErr != nil {
		r.cancel()
		return false
	}
	r.written++
	if r.count > 0 && r.written >= r.count {
		r.cancel()
		return false
	}
	return true
}
