package hub

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"strings"
	"sync"
	"time"
)

const usageText = `Usage: feedscope serve [flags]

Serve one stream of messages over Server-Sent Events, WebSocket and HTTP
polling, for Feedscope (or a browser) to watch.

Endpoints:
  GET /         this server's endpoints and a live view of the stream
  GET /sse      text/event-stream; resumes after Last-Event-ID
  GET /ws       WebSocket; every message as text; "ping" is answered "pong"
  GET /poll     the newest message (ETag, Last-Modified, 304 when unchanged);
                with Prefer: wait=N (at most 60) a long poll: the message
                after the one If-None-Match names, held until there is one
  GET /poll?since=ID
                the messages after ID as a JSON array (held likewise)
  GET /healthz  health and counters as JSON

Sources (one of):
  (default)     built-in generator: sine, noise, sawtooth, walk, counter
  --redis URL   relay a Redis pub/sub channel in flask-sse's format
  --stdin       each line of standard input is one message
  --replay FILE a recording (long or wide CSV, JSON Lines, .gz), one
                message per recorded time, spaced as recorded divided by
                --speed: {"ts":"<RFC 3339 time>","<series>":<value>,...};
                a series named ts, time or timestamp gets a "_" appended.
                Late clients get it all from the log: /sse?lastEventId=0
                or /poll?since=0

Flags:
`

const usageExamples = `
Examples:
  feedscope serve
  feedscope serve --addr 127.0.0.1:9000 --rate 100
  feedscope serve --redis redis://localhost:6379/0 --channel sse
  vmstat -n 1 | feedscope serve --stdin
  feedscope serve --replay yesterday.csv --speed 10 --loop
`

// config is the parsed command line.
type config struct {
	addr      string
	rate      float64
	redisURL  string
	channel   string
	stdin     bool
	replay    string
	speed     float64
	loop      bool
	logSize   int
	queue     int
	keepAlive time.Duration
	retry     time.Duration
}

// flagSet is serve's flags, each bound to its field of c.
func (c *config) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("feedscope serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // usage goes to stdout for -h, to stderr for errors
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen `address`; a host other than loopback makes the stream reachable from the network")
	fs.Float64Var(&c.rate, "rate", DefaultRate, "generator messages per second; 0 means as fast as connected clients take them")
	fs.StringVar(&c.redisURL, "redis", "", "relay this Redis `URL` (redis://host:port/db) instead of the generator")
	fs.StringVar(&c.channel, "channel", DefaultChannel, "Redis pub/sub `channel` to relay (with --redis)")
	fs.BoolVar(&c.stdin, "stdin", false, "publish each line of standard input instead of the generator")
	fs.StringVar(&c.replay, "replay", "", "publish the recording in `FILE` instead of the generator")
	fs.Float64Var(&c.speed, "speed", 1, "replay speed (with --replay): 10 is ten times as fast as recorded; 0 as fast as connected clients take the messages")
	fs.BoolVar(&c.loop, "loop", false, "start the recording over at its end, each pass later in time (with --replay)")
	fs.IntVar(&c.logSize, "log-size", DefaultLogSize, "events kept for SSE replay and /poll?since")
	fs.IntVar(&c.queue, "client-queue", DefaultClientQueue, "events a streaming client may have pending before it is disconnected as too slow")
	fs.DurationVar(&c.keepAlive, "keepalive", DefaultKeepAlive, "SSE comment keep-alive interval on an idle stream")
	fs.DurationVar(&c.retry, "retry", DefaultRetry, "reconnect delay announced to SSE clients")
	return fs
}

func parseFlags(args []string, stdout, stderr io.Writer) (config, error) {
	var c config
	fs := c.flagSet()
	usage := func(w io.Writer) {
		fmt.Fprint(w, usageText)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		fmt.Fprint(w, usageExamples)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return c, flag.ErrHelp
		}
		fmt.Fprintf(stderr, "feedscope serve: %v\n\n", err)
		usage(stderr)
		return c, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var problems []string
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("unexpected argument %q (flags only)", fs.Arg(0)))
	}
	if n := btoi(c.redisURL != "") + btoi(c.stdin) + btoi(c.replay != ""); n > 1 {
		problems = append(problems, "--redis, --stdin and --replay are different sources: pick one")
	}
	if set["rate"] && (c.redisURL != "" || c.stdin || c.replay != "") {
		problems = append(problems, "--rate applies to the built-in generator, not to --redis, --stdin or --replay")
	}
	if (set["speed"] || set["loop"]) && c.replay == "" {
		problems = append(problems, "--speed and --loop need --replay")
	}
	if c.speed < 0 || math.IsNaN(c.speed) || math.IsInf(c.speed, 0) {
		problems = append(problems, fmt.Sprintf("--speed %v: want a number, 0 or more", c.speed))
	}
	if set["channel"] && c.redisURL == "" {
		problems = append(problems, "--channel needs --redis")
	}
	if c.channel == "" {
		problems = append(problems, "--channel must not be empty")
	}
	if c.rate < 0 || math.IsNaN(c.rate) || math.IsInf(c.rate, 0) {
		problems = append(problems, fmt.Sprintf("--rate %v: want a number of messages per second, 0 or more", c.rate))
	}
	if c.logSize < 1 || c.logSize > 10_000_000 {
		problems = append(problems, fmt.Sprintf("--log-size %d: want 1 to 10000000", c.logSize))
	}
	if c.queue < 1 {
		problems = append(problems, fmt.Sprintf("--client-queue %d: want 1 or more", c.queue))
	}
	if c.keepAlive <= 0 || c.retry <= 0 {
		problems = append(problems, "--keepalive and --retry must be positive durations")
	}
	if c.redisURL != "" {
		if _, err := ParseRedisURL(c.redisURL); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		problems = append(problems, fmt.Sprintf("--addr %q: want host:port", c.addr))
	}
	if len(problems) > 0 {
		err := errors.New(strings.Join(problems, "; "))
		fmt.Fprintf(stderr, "feedscope serve: %v\nRun 'feedscope serve -h' for usage.\n", err)
		return c, err
	}
	return c, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Command runs `feedscope serve` with the given arguments (those after the
// word "serve"). It returns when ctx ends, with nil, or on a fatal error.
// -h prints the usage to stdout and returns flag.ErrHelp. Logs go to
// stderr.
func Command(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("feedscope serve: %w", err)
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		log.Warn("listening beyond loopback: anyone who can reach this address can read the stream", "addr", ln.Addr().String())
	}
	h := New(Options{
		LogSize:     c.logSize,
		ClientQueue: c.queue,
		KeepAlive:   c.keepAlive,
		Retry:       c.retry,
		Logger:      log,
	})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		srcErr   error
		serveErr error
		srcDone  = make(chan struct{})
	)
	source := func(ctx context.Context) error {
		switch {
		case c.redisURL != "":
			return RunRedis(ctx, h, RedisOptions{URL: c.redisURL, Channel: c.channel})
		case c.replay != "":
			speed := c.speed
			if speed == 0 {
				speed = -1 // the flag's 0 is the API's "as fast as clients take them"
			}
			err := RunReplay(ctx, h, ReplayOptions{Path: c.replay, Speed: speed, Loop: c.loop})
			if err == nil && ctx.Err() == nil {
				log.Info("recording replayed; still serving the log")
				<-ctx.Done()
			}
			return err
		case c.stdin:
			err := RunLines(ctx, h, stdin)
			if err == nil && ctx.Err() == nil {
				// Keep serving what was read until the user stops us.
				log.Info("standard input ended; still serving the log")
				<-ctx.Done()
			}
			return err
		default:
			rate := c.rate
			if rate == 0 {
				rate = -1 // the flag's 0 is the API's "as fast as clients take them"
			}
			return RunGenerator(ctx, h, GeneratorOptions{Rate: rate})
		}
	}
	go func() {
		defer close(srcDone)
		if err := source(ctx); err != nil {
			srcErr = err
			cancel()
		}
	}()
	wg.Go(func() {
		serveErr = h.Serve(ctx, ln)
		cancel()
	})
	wg.Wait()
	log.Info("stopped")
	if c.stdin {
		// A read from a terminal cannot be interrupted: close what can be
		// closed, then give the reader a moment and leave it behind, as
		// the process is about to exit anyway.
		if cl, ok := stdin.(io.Closer); ok {
			cl.Close()
		}
		select {
		case <-srcDone:
		case <-time.After(500 * time.Millisecond):
			if serveErr != nil {
				return fmt.Errorf("feedscope serve: %w", serveErr)
			}
			return nil
		}
	} else {
		<-srcDone
	}
	if serveErr != nil {
		return fmt.Errorf("feedscope serve: %w", serveErr)
	}
	if srcErr != nil {
		return fmt.Errorf("feedscope serve: %w", srcErr)
	}
	return nil
}
