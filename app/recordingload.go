package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"feedscope/charts/series"
	"feedscope/feeds/recording"
)

// recWindow is the window's part for recordings: the recording feeds,
// work handed back from their goroutines, and the dialogs (kept for
// tests).
type recWindow struct {
	recs  map[string]*recFeed // by feed name
	queue uiQueue
	// memAvailable is the memory the machine has available, in bytes (0
	// when unknown); tests replace it.
	memAvailable func() int64
	progress     map[string]*loadProgress // the dialogs of the loads running, by file
	memory       *memoryDialog            // the latest memory warning
	notice       dialog.Dialog            // the latest load report
	bar          *replayBar               // nil until a recording feed exists
	barBox       *fyne.Container          // where the window shows the bar
	loads        int                      // loads running (their goroutines not yet done)
}

// uiQueue holds work that goroutines hand to the window; flush runs it on
// the main goroutine. (fyne.Do would do in the app, but the test driver
// runs it at once on the calling goroutine, racing with the test.)
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) post(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.mu.Unlock()
}

func (q *uiQueue) run() {
	q.mu.Lock()
	fns := q.fns
	q.fns = nil
	q.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// flushRecordings is flush's part for recordings: what their goroutines
// handed back, and the replay bar's time. Main goroutine.
func (u *UI) flushRecordings() {
	u.rw.queue.run()
	u.syncReplayBar()
}

// memShare is the share of the available memory a load may take at its
// peak before the window warns and offers to load less.
const memShare = 0.5

// adviseLoad decides whether a load estimated as est fits in avail bytes
// of available memory (within memShare of it; avail 0 means unknown, and
// fits). When it does not, every is the smallest N for which loading
// every Nth point would fit, at least 2.
func adviseLoad(est recording.MemoryEstimate, avail int64) (fits bool, every int) {
	if avail <= 0 || est.PeakBytes <= 0 {
		return true, 1
	}
	budget := int64(float64(avail) * memShare)
	if est.PeakBytes <= budget {
		return true, 1
	}
	// The peak is twice the points' bytes plus a fixed part (buffers).
	points := 2 * est.Bytes
	room := budget - (est.PeakBytes - points)
	if room <= 0 {
		return false, 1000
	}
	every = int((points + room - 1) / room)
	return false, max(every, 2)
}

// memAvailable reads MemAvailable from /proc/meminfo, in bytes; 0 where
// there is none.
func memAvailable() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}

// prepareLoad estimates what loading path takes (off the main goroutine)
// and calls then with the options to load it with: the whole file when
// it fits in memory, else what the user picks in the memory warning (every
// Nth point, a time range); cancelled, when set, if the user cancels.
func (u *UI) prepareLoad(path string, then func(recording.Options), cancelled func()) {
	avail := u.rw.memAvailable
	if avail == nil {
		avail = memAvailable
	}
	u.runs.Go(func() {
		var est recording.MemoryEstimate
		var err error
		if st, serr := os.Stat(path); serr == nil && st.Mode().IsRegular() {
			est, err = recording.Estimate(path, recording.Options{})
		}
		mem := avail()
		u.rw.queue.post(func() {
			fits, every := adviseLoad(est, mem)
			if err != nil || fits {
				// A file that cannot be estimated fails its load with
				// the reason.
				then(recording.Options{})
				return
			}
			u.showMemoryDialog(path, est, mem, every, then, cancelled)
		})
	})
}

// memoryDialog warns that a recording may not fit in memory and offers to
// load part of it.
type memoryDialog struct {
	dlg        *dialog.CustomDialog
	text       *widget.Label
	choice     *widget.RadioGroup
	every      *widget.Entry
	from, to   *widget.Entry
	problem    *widget.Label
	load, stop *widget.Button
}

// Choices of the memory warning.
const (
	choiceEvery = "Every Nth point"
	choiceRange = "A time range (UTC)"
)

func (u *UI) showMemoryDialog(path string, est recording.MemoryEstimate, avail int64, every int, then func(recording.Options), cancelled func()) {
	m := &memoryDialog{
		text: widget.NewLabel(fmt.Sprintf("%s holds about %d points and needs about %s of memory to load; %s is available.\nLoad part of it:",
			filepath.Base(path), est.Points, formatBytes(uint64(est.PeakBytes)), formatBytes(uint64(avail)))),
		every:   widget.NewEntry(),
		from:    widget.NewEntry(),
		to:      widget.NewEntry(),
		problem: widget.NewLabel(""),
	}
	m.text.Wrapping = fyne.TextWrapWord
	m.every.SetText(strconv.Itoa(every))
	m.from.SetPlaceHolder("from, e.g. 2026-01-02 15:04:05")
	m.to.SetPlaceHolder("to, e.g. 2026-01-02 16:00")
	m.problem.Importance = widget.DangerImportance
	m.choice = widget.NewRadioGroup([]string{choiceEvery, choiceRange}, nil)
	m.choice.SetSelected(choiceEvery)
	m.load = widget.NewButton("Load", func() {
		opts, err := m.options()
		if err != nil {
			m.problem.SetText(err.Error())
			return
		}
		m.dlg.Hide()
		then(opts)
	})
	m.load.Importance = widget.HighImportance
	m.stop = widget.NewButton("Cancel", func() {
		m.dlg.Hide()
		if cancelled != nil {
			cancelled()
		}
	})
	form := widget.NewForm(
		widget.NewFormItem("Keep every", container.NewBorder(nil, nil, nil, widget.NewLabel("th point"), m.every)),
		widget.NewFormItem("From", m.from),
		widget.NewFormItem("To", m.to),
	)
	content := container.NewVBox(m.text, m.choice, form, m.problem)
	m.dlg = dialog.NewCustomWithoutButtons("Recording too large for memory", content, u.win)
	m.dlg.SetButtons([]fyne.CanvasObject{m.stop, m.load})
	m.dlg.Resize(fyne.NewSize(560, 0))
	u.rw.memory = m
	m.dlg.Show()
}

// options are the load options the dialog's fields ask for.
func (m *memoryDialog) options() (recording.Options, error) {
	var opts recording.Options
	if m.choice.Selected == choiceRange {
		from, err := parseRangeTime(m.from.Text)
		if err != nil {
			return opts, fmt.Errorf("from: %w", err)
		}
		to, err := parseRangeTime(m.to.Text)
		if err != nil {
			return opts, fmt.Errorf("to: %w", err)
		}
		if from.IsZero() && to.IsZero() {
			return opts, errors.New("give a time in From, To or both")
		}
		if !from.IsZero() && !to.IsZero() && !from.Before(to) {
			return opts, errors.New("From must come before To")
		}
		opts.From, opts.To = from, to
		return opts, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(m.every.Text))
	if err != nil || n < 2 {
		return opts, errors.New("keep every Nth point: N is a whole number, 2 or more")
	}
	opts.Every = n
	return opts, nil
}

// rangeLayouts are the time forms the memory warning's From and To take,
// in UTC unless they carry a zone.
var rangeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"}

// parseRangeTime reads a From or To field: empty is the zero time (no
// bound).
func parseRangeTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range rangeLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (write e.g. 2026-01-02 15:04:05)", s)
}

// loaded is a finished load: its report, and its series made ready for
// the store off the main goroutine.
type loaded struct {
	res   *recording.Result // the report; its series' points are ready's now
	names []string          // the series' names in the file
	ready []*series.Loaded  // nil where a series could not be made ready
	errs  []string          // why not
}

// prepareLoaded sorts the series of res, moves times from the start to the
// file's time (shiftRelative) and makes each series ready for Store.Adopt.
// Load goroutine.
func prepareLoaded(res *recording.Result, path string) *loaded {
	for i := range res.Series {
		res.Series[i].Sort()
	}
	if st, err := os.Stat(path); err == nil {
		shiftRelative(res, st.ModTime())
	}
	l := &loaded{res: res}
	for i := range res.Series {
		s := &res.Series[i]
		ready, err := series.NewLoaded(s.T, s.V)
		if err != nil {
			l.errs = append(l.errs, fmt.Sprintf("series %q: %v", s.Name, err))
		}
		l.names = append(l.names, s.Name)
		l.ready = append(l.ready, ready)
		s.T, s.V = nil, nil
	}
	return l
}

// loadProgress is the dialog shown while a recording loads: bytes read
// of the file's size, and Cancel.
type loadProgress struct {
	dlg    *dialog.CustomDialog
	bar    *widget.ProgressBar
	label  *widget.Label
	cancel *widget.Button
}

func (p *loadProgress) set(read, total int64) {
	if total > 0 {
		p.bar.SetValue(min(float64(read)/float64(total), 1))
		p.label.SetText(fmt.Sprintf("%s of %s read", formatBytes(uint64(read)), formatBytes(uint64(total))))
		return
	}
	p.label.SetText(formatBytes(uint64(read)) + " read")
}

// loadRecording loads the recording at path with opts on its own
// goroutine, showing the progress dialog, and then, on the main
// goroutine, calls done with the result (see prepareLoaded) or failed
// with why not. A cancelled load (Cancel, or the returned function) calls failed
// with errLoadCancelled and nothing else: it adds nothing anywhere.
func (u *UI) loadRecording(path string, opts recording.Options, done func(*loaded), failed func(error)) context.CancelFunc {
	ctx, cancel := context.WithCancel(u.ctx)
	p := &loadProgress{bar: widget.NewProgressBar(), label: widget.NewLabel("Starting…")}
	p.cancel = widget.NewButton("Cancel", func() {
		cancel()
		p.dlg.Hide()
	})
	p.dlg = dialog.NewCustomWithoutButtons("Loading "+filepath.Base(path), container.NewVBox(p.bar, p.label), u.win)
	p.dlg.SetButtons([]fyne.CanvasObject{p.cancel})
	p.dlg.Resize(fyne.NewSize(420, 0))
	p.dlg.Show()
	if u.rw.progress == nil {
		u.rw.progress = map[string]*loadProgress{}
	}
	u.rw.progress[path] = p
	u.rw.loads++
	opts.Progress = func(read, total int64) {
		// At most once per ProgressEvery: the queue stays short.
		u.rw.queue.post(func() { p.set(read, total) })
	}
	u.runs.Go(func() {
		res, err := recording.Load(ctx, path, opts)
		var l *loaded
		if err == nil {
			l = prepareLoaded(res, path)
		}
		u.rw.queue.post(func() {
			u.rw.loads--
			if u.rw.progress[path] == p {
				delete(u.rw.progress, path)
			}
			p.dlg.Hide()
			switch {
			case ctx.Err() != nil:
				if failed != nil {
					failed(errLoadCancelled)
				}
			case err != nil:
				dialog.ShowError(err, u.win)
				if failed != nil {
					failed(err)
				}
			default:
				cancel()
				done(l)
			}
		})
	})
	return cancel
}
