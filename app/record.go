package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"feedscope/app/dashboard"
	"feedscope/feeds"
	"feedscope/feeds/recording"
)

const recordUsage = `Usage: feedscope record --url URL [flags]
       feedscope record --dashboard FILE [flags]

Record the samples of a feed, or of every feed of a dashboard file, to CSV
or JSON Lines, without a window.
Every number in every message becomes one row. State changes and errors go
to standard error, one line each. Without --for or --count it records until
interrupted (Ctrl+C), then exits 0.

CSV has the header time,series,value; time is RFC 3339 in UTC with
nanoseconds; fields are quoted as RFC 4180 says (Prometheus series names
contain commas). JSON Lines has one {"time","series","value"} object a line.

A recording replays as a feed: with --url file:///path/rec.csv?speed=0
(as fast as possible) record turns a wide CSV into long CSV or JSON Lines
and back into CSV, or re-times it with --time arrival. It exits 0 at the
end of the file once every row is written, 1 when the file cannot be read.

Exit status: 0 when --for or --count is reached or on interrupt; 1 for a
bad URL, a feed that stopped for good (404, 401, bad certificate) or a
write error; 2 for a mistake on the command line.
` + recordDashboardUsage + `
Flags:
`

const recordExamples = `
Examples:
  feedscope record --url http://127.0.0.1:8080/sse --for 10s
  feedscope record --url ws://127.0.0.1:8080/ws --count 1000 --out samples.csv
  feedscope record --url https://example.com/metrics --transport poll \
      --interval 5s --header "Authorization: Bearer $TOKEN" --format jsonl
  feedscope record --dashboard line3.toml --for 1h --out line3.csv
`

// feedFlags are the feed options shared by record and snapshot.
type feedFlags struct {
	url       string
	transport feeds.Transport
	settings  Settings
}

func (f *feedFlags) register(fs *flag.FlagSet, full bool) {
	f.settings = DefaultSettings()
	fs.StringVar(&f.url, "url", "", "`URL` of the feed: http(s)://, ws(s)://, mqtt(s):// or a recording, file:///path.csv?speed=10 (required)")
	fs.Func("transport", "`transport`: auto, poll, longpoll, ws, sse, mqtt or file (default auto)", func(s string) error {
		t, err := feeds.ParseTransport(s)
		f.transport = t
		return err
	})
	fs.DurationVar(&f.settings.PollInterval, "interval", f.settings.PollInterval, "poll `interval` (poll transport)")
	fs.DurationVar(&f.settings.Hold, "hold", f.settings.Hold, "how long the server may hold a request (longpoll transport; a `duration`)")
	fs.Func("header", "request header `\"Name: value\"`, sent with every request; repeat for more", func(s string) error {
		if _, _, err := parseHeader(s); err != nil {
			return err
		}
		f.settings.Headers = append(f.settings.Headers, s)
		return nil
	})
	fs.BoolVar(&f.settings.InsecureSkipVerify, "insecure", false, "skip TLS certificate verification (unsafe)")
	if !full {
		return
	}
	fs.DurationVar(&f.settings.Heartbeat, "heartbeat", f.settings.Heartbeat, "WebSocket ping `interval`; a silent peer is dropped after two")
	fs.StringVar(&f.settings.PingText, "ping-text", "", "`text` sent as an application heartbeat on an idle WebSocket (e.g. ping)")
	fs.StringVar(&f.settings.PongText, "pong-text", "", "`text` the server answers to --ping-text (e.g. pong); never recorded")
	fs.Int64Var(&f.settings.ReadLimit, "read-limit", f.settings.ReadLimit, "largest message accepted, in `bytes`")
	fs.Func("time", "sample `time`: payload (a ts/time field when present) or arrival (default payload)", func(s string) error {
		switch s {
		case "payload":
			f.settings.ArrivalTime = false
		case "arrival":
			f.settings.ArrivalTime = true
		default:
			return errors.New("want payload or arrival")
		}
		return nil
	})
}

func (f *feedFlags) config() (feeds.Config, error) {
	if f.url == "" {
		return feeds.Config{}, errors.New("--url is required")
	}
	return f.settings.FeedConfig(f.url, f.transport)
}

// parseCommand parses args with usage printed to stdout for -h and to
// stderr, after the error, for a mistake.
func parseCommand(fs *flag.FlagSet, usage, examples string, args []string, stdout, stderr io.Writer) error {
	fs.SetOutput(io.Discard)
	print := func(w io.Writer) {
		fmt.Fprint(w, usage)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		fmt.Fprint(w, examples)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			print(stdout)
			return flag.ErrHelp
		}
		return usageError(fs, err)
	}
	if fs.NArg() > 0 {
		return usageError(fs, fmt.Errorf("unexpected argument %q (flags only)", fs.Arg(0)))
	}
	return nil
}

// UsageError is a mistake on the command line; main exits 2 for it.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageError(fs *flag.FlagSet, err error) error {
	return &UsageError{fmt.Errorf("%s: %w (see '%s -h')", fs.Name(), err, fs.Name())}
}

// Record runs `feedscope record` with the arguments after "record". It
// returns flag.ErrHelp after printing the help for -h.
func Record(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feedscope record", flag.ContinueOnError)
	var ff feedFlags
	ff.register(fs, true)
	var (
		dur    time.Duration
		count  int64
		format string
		out    string
	)
	fs.DurationVar(&dur, "for", 0, "stop after this `duration` (default: until interrupted)")
	fs.Int64Var(&count, "count", 0, "stop after `N` samples (default: no limit)")
	fs.StringVar(&format, "format", "csv", "output `format`: csv or jsonl")
	fs.StringVar(&out, "out", "-", "output `file`; - is standard output")
	var dash dashFlags
	dash.register(fs)
	if err := parseCommand(fs, recordUsage, recordExamples, args, stdout, stderr); err != nil {
		return err
	}
	var (
		cfg feeds.Config
		d   *dashboard.Dashboard
		err error
	)
	if dash.file != "" {
		if d, err = dash.load(fs); err != nil {
			return err
		}
	} else if dash.exitOnAlarm {
		return usageError(fs, errors.New("--exit-on-alarm needs --dashboard"))
	} else if cfg, err = ff.config(); err != nil {
		return usageError(fs, err)
	}
	switch {
	case dur < 0:
		return usageError(fs, errors.New("--for must not be negative"))
	case count < 0:
		return usageError(fs, errors.New("--count must not be negative"))
	case format != "csv" && format != "jsonl":
		return usageError(fs, fmt.Errorf("--format %q: want csv or jsonl", format))
	}

	w := stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return fmt.Errorf("record: %w", err)
		}
		defer f.Close()
		w = f
	}
	rw := newRowWriter(w, format)
	if err := rw.header(); err != nil {
		return fmt.Errorf("record: %w", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if dur > 0 {
		ctx, cancel = context.WithTimeout(ctx, dur)
		defer cancel()
	}
	if d != nil {
		return recordDashboard(ctx, d, rw, dashOptions{cmd: "record", count: count, exitOnAlarm: dash.exitOnAlarm}, stderr)
	}
	var (
		dec      = feeds.Decoder{Time: ff.settings.timeSource()}
		written  int64
		writeErr error
	)
	runErr := feeds.Run(ctx, cfg, func(ev feeds.Event) {
		switch ev.Kind {
		case feeds.KindStatus:
			if ev.Status.State == feeds.Stopped && ev.Status.Err != nil {
				return // Record's error says it, once
			}
			fmt.Fprintln(stderr, "feedscope record:", describeStatus(ev.Status))
		case feeds.KindMessage:
			// What the transport itself reports: a recording's bad lines.
			for _, t := range ev.Message.Texts {
				fmt.Fprintln(stderr, "feedscope record:", t.Text)
			}
			if writeErr != nil || (count > 0 && written >= count) {
				return
			}
			for _, s := range dec.Decode(ev.Message).Samples {
				if writeErr = rw.row(s); writeErr != nil {
					cancel()
					return
				}
				written++
				if count > 0 && written >= count {
					cancel()
					break
				}
			}
			if writeErr = rw.flush(); writeErr != nil {
				cancel()
			}
		}
	})
	if writeErr != nil {
		return fmt.Errorf("record: write: %w", writeErr)
	}
	if runErr != nil {
		return fmt.Errorf("record: feed stopped: %s", plainError(runErr))
	}
	fmt.Fprintf(stderr, "feedscope record: %d samples written\n", written)
	return nil
}

// rowWriter writes samples as CSV or JSON Lines.
type rowWriter struct{ *recording.Writer }

func newRowWriter(w io.Writer, format string) *rowWriter {
	return &rowWriter{recording.NewWriter(w, format)}
}

func (r *rowWriter) header() error { return r.Header() }

func (r *rowWriter) row(s feeds.Sample) error { return r.Row(s.Time, s.Series, s.Value) }

// flush writes out what a message produced, so that a reader (tail -f)
// sees every message as it arrives.
func (r *rowWriter) flush() error { return r.Flush() }
