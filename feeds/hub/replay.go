package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"feedscope/feeds/recording"
	"feedscope/feeds/replay"
)

// ReplayOptions configures RunReplay.
type ReplayOptions struct {
	// Path of the recording: any file package recording reads (long or
	// wide CSV, JSON Lines, gzipped or not).
	Path string
	// Speed divides the recorded spacing: 0 means 1, and a negative Speed
	// means as fast as the clients take the messages (`--speed 0` on the
	// command line): the replay then waits while no streaming client is
	// connected or the slowest has more than half its queue pending.
	Speed float64
	// Loop starts over at the end, each pass later in time than the last.
	Loop bool
}

// RunReplay publishes the recording at opts.Path to h, one message per
// recorded time, spaced as recorded divided by the speed, until the end of
// the recording (or, with Loop, until ctx ends). Each message is a JSON
// object with the time in ts and every series recorded at that time:
//
//	{"ts":"2026-06-01T12:00:00.25Z","cpu":0.71,"mem.used":1.5e+09,"up{job=\"a\"}":1}
//
// The values are written so that a reader gets back the same float64,
// bit for bit. A series whose name a reader would take for the time
// field (ts, time or timestamp, in any case) is published as that name
// with "_" appended (as many as it takes to be unique), which RunReplay
// logs once. Bad lines of the recording are logged, counted, and
// skipped.
//
// It returns nil at the end of the recording and when ctx ends, and an
// error when the file cannot be read.
func RunReplay(ctx context.Context, h *Hub, opts ReplayOptions) error {
	if math.IsNaN(opts.Speed) || math.IsInf(opts.Speed, 0) {
		return fmt.Errorf("hub: replay speed %v is not a number", opts.Speed)
	}
	log := h.log.With("source", "replay")
	res, err := recording.Load(ctx, opts.Path, recording.Options{})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("hub: replay: %w", err)
	}
	log.Info("recording loaded", "file", opts.Path, "report", res.Summary())
	keys := replayKeys(res.Series, func(name, as string) {
		log.Warn("series renamed: its name is a time field's", "series", name, "published as", as)
	})

	po := replay.Options{Speed: opts.Speed, Loop: opts.Loop}
	flat := opts.Speed < 0
	if flat {
		po.Speed = math.Inf(1)
	}
	window := max(uint64(h.opts.ClientQueue)/2, 1)
	var buf []byte
	err = replay.Play(ctx, res.Series, po, replay.RealClock{}, func(f replay.Frame) error {
		if flat {
			if err := h.awaitRoom(ctx, window); err != nil {
				return err
			}
		}
		buf = appendFrame(buf[:0], keys, f)
		if h.Publish(Event{Data: string(buf)}) == 0 {
			return ErrClosed
		}
		return nil
	})
	if errors.Is(err, ErrClosed) || ctx.Err() != nil {
		return nil
	}
	if err != nil {
		return fmt.Errorf("hub: replay: %w", err)
	}
	log.Info("recording ended", "file", opts.Path)
	return nil
}

// replayKeys is the JSON key of every series, quoted and followed by a
// colon, renaming those a reader would take for the time field (and
// telling renamed about each).
func replayKeys(series []recording.Series, renamed func(name, as string)) [][]byte {
	taken := make(map[string]bool, len(series))
	for _, s := range series {
		taken[s.Name] = true
	}
	keys := make([][]byte, len(series))
	for i, s := range series {
		name := s.Name
		if isTimeName(name) {
			for name += "_"; taken[name]; name += "_" {
			}
			taken[name] = true
			renamed(s.Name, name)
		}
		q, _ := json.Marshal(name) // a string always marshals
		keys[i] = append(q, ':')
	}
	return keys
}

// isTimeName reports whether a reader takes a top-level key of this name
// for the time of the message, as feeds' decoder does.
func isTimeName(s string) bool {
	return strings.EqualFold(s, "ts") || strings.EqualFold(s, "time") || strings.EqualFold(s, "timestamp")
}

// appendFrame appends f as a JSON object: ts first, then each series.
// Recordings hold only finite values, so every value is a JSON number.
func appendFrame(b []byte, keys [][]byte, f replay.Frame) []byte {
	b = append(b, `{"ts":"`...)
	b = time.Unix(0, f.Time).UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	for _, p := range f.Points {
		b = append(b, ',')
		b = append(b, keys[p.Series]...)
		b = strconv.AppendFloat(b, p.Value, 'g', -1, 64)
	}
	return append(b, '}')
}
