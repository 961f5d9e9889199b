package feeds

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"

	"feedscope/feeds/recording"
	"feedscope/feeds/replay"
)

// fileTarget is what a file URL names: the recording and how to play it.
type fileTarget struct {
	path string
	opts replay.Options
}

// errRecordingEnded is the end of a recording played without loop: the
// feed's clean end, not a disconnect.
var errRecordingEnded = errors.New("end of the recording")

// fileError is a recording that cannot be read; retrying would read the
// same file the same way.
type fileError struct{ err error }

func (e *fileError) Error() string   { return "feeds: " + e.err.Error() }
func (e *fileError) Unwrap() error   { return e.err }
func (e *fileError) Permanent() bool { return true }

// initFile matches the transport with the URL's scheme, as initMQTT does,
// and for a file URL reads the path and the replay options from it.
func (s *supervisor) initFile(u *url.URL) error {
	isFile := u.Scheme == "file"
	switch {
	case !isFile && s.transport == File:
		return &ConfigError{Msg: fmt.Sprintf("feeds: the Recording file transport needs a file: URL (file:///path/rec.csv), not %s://", u.Scheme)}
	case !isFile:
		return nil
	case s.transport == Auto:
		s.transport = File
	case s.transport != File:
		return &ConfigError{Msg: fmt.Sprintf("feeds: file: URLs are replayed with the Recording file transport, not %s (choose it or Auto)", s.transport.Title())}
	}
	t, err := parseFileURL(u)
	if err != nil {
		return err
	}
	s.file = t
	return nil
}

// parseFileURL reads file:///abs/path, file://localhost/abs/path and
// file:rel/path, with speed and loop in the query.
func parseFileURL(u *url.URL) (*fileTarget, error) {
	t := &fileTarget{}
	switch {
	case u.Opaque != "":
		p, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return nil, &ConfigError{Msg: fmt.Sprintf("feeds: malformed path in the file URL: %v", err)}
		}
		t.path = p
	case u.Host != "" && u.Host != "localhost":
		return nil, &ConfigError{Msg: fmt.Sprintf("feeds: file URL names host %q: write file:///absolute/path or file:relative/path", u.Host)}
	default:
		t.path = u.Path
	}
	if t.path == "" {
		return nil, &ConfigError{Msg: "feeds: the file URL names no file: write file:///absolute/path or file:relative/path"}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, &ConfigError{Msg: fmt.Sprintf("feeds: malformed query in the file URL: %v", err)}
	}
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch k {
		case "speed":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, &ConfigError{Msg: fmt.Sprintf("feeds: speed=%s in the file URL: want a number, 0 (as fast as possible) or more", v)}
			}
			if f == 0 {
				f = math.Inf(1)
			}
			t.opts.Speed = f
		case "loop":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, &ConfigError{Msg: fmt.Sprintf("feeds: loop=%s in the file URL: want 1 or 0", v)}
			}
			t.opts.Loop = b
		default:
			return nil, &ConfigError{Msg: fmt.Sprintf("feeds: unknown parameter %q in the file URL (want speed or loop)", k)}
		}
	}
	return t, nil
}

// runFile loads the recording and plays it: Connected once it is loaded,
// then one message per recorded time. It returns errRecordingEnded at the
// end of a recording played once.
func (s *supervisor) runFile(ctx context.Context) error {
	res, err := recording.Load(ctx, s.file.path, recording.Options{})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return &fileError{err}
	}
	s.markConnected()
	if texts := loadReport(res, s.clk.Now()); len(texts) > 0 {
		s.emitMessage(Message{Texts: texts, Time: s.clk.Now()})
	}
	err = replay.Play(ctx, res.Series, s.file.opts, s.clk, func(f replay.Frame) error {
		// A new slice per message: the handler owns it and may keep it
		// (the window's message log does).
		smp := make([]Sample, len(f.Points))
		t := time.Unix(0, f.Time)
		for i, p := range f.Points {
			smp[i] = Sample{Series: res.Series[p.Series].Name, Time: t, Value: p.Value}
		}
		s.emitMessage(Message{Samples: smp, Time: s.clk.Now()})
		return nil
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return &fileError{err}
	}
	return errRecordingEnded
}

// loadReport is what a load skipped, as texts: the count of bad lines,
// the first of them with their reasons, the columns left out and why
// reading stopped early.
func loadReport(res *recording.Result, now time.Time) []Text {
	const reason = "in the recording"
	var out []Text
	add := func(s string) { out = append(out, Text{Time: now, Text: clipText([]byte(s)), Reason: reason}) }
	if res.BadLines > 0 {
		add(fmt.Sprintf("%d bad lines skipped", res.BadLines))
		for _, b := range res.Bad {
			add("skipped " + b.String())
		}
	}
	for _, c := range res.SkippedColumns {
		add(fmt.Sprintf("column %q holds no numbers and was left out", c))
	}
	if res.ReadErr != nil {
		add(fmt.Sprintf("reading stopped early: %v", res.ReadErr))
	}
	return out
}
