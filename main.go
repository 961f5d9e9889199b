// Command feedscope watches numbers from a server as live line charts.
//
// With no command it opens the window; record and snapshot watch a feed
// without one, and serve runs the demo server. Run `feedscope --help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"feedscope/app"
	"feedscope/feeds/hub"
)

const usage = `Feedscope watches numbers from a server as live line charts. It reads
HTTP polling, long polling, WebSocket, Server-Sent Events and MQTT (and replays
recordings), and finds the numbers in JSON, key=value text, bare numbers and
Prometheus /metrics pages.

Usage:
  feedscope [--url URL] [--transport auto|poll|longpoll|ws|sse|mqtt|file]
                   open the window (without --url: the last URL, or the
                   built-in demo feed on first launch)
  feedscope [--dashboard] FILE.toml
                   open the window on a dashboard file: its feeds, and its
                   panels in a grid on one time axis
  feedscope FILE.csv|FILE.jsonl|FILE.csv.gz
                   open the window on a recording, all of it, with
                   controls to replay it
  feedscope record --url URL [flags]
  feedscope record --dashboard FILE [--exit-on-alarm] [flags]
                   record samples of a feed, or of every feed of a
                   dashboard file (with its derived series and alarms),
                   to CSV or JSON Lines, without a window
  feedscope snapshot --url URL --out chart.png [flags]
  feedscope snapshot --dashboard FILE --out dashboard.png [flags]
                   watch a feed (or a dashboard's feeds) for a while and
                   render its chart (or its panels) to PNG, without a
                   display
  feedscope serve [flags]
                   serve a stream over SSE (/sse), WebSocket (/ws) and
                   polling (/poll): the built-in generator, Redis or stdin

Run 'feedscope COMMAND -h' for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	var (
		ue *app.UsageError
		ae *app.AlarmError
	)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "feedscope:", err)
		os.Exit(2)
	case errors.As(err, &ae):
		fmt.Fprintln(os.Stderr, "feedscope:", err)
		os.Exit(3)
	default:
		fmt.Fprintln(os.Stderr, "feedscope:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "record":
			return app.Record(ctx, args[1:], stdout, stderr)
		case "snapshot":
			return app.Snapshot(ctx, args[1:], stdout, stderr)
		case "serve":
			return hub.Command(ctx, args[1:], stdin, stdout, stderr)
		case "help", "-h", "-help", "--help":
			fmt.Fprint(stdout, usage)
			return nil
		}
	}
	return app.Window(ctx, args, usage, stdout, stderr)
}
