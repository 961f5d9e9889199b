package app

import (
	"errors"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/compute"
	"feedscope/app/dashboard"
	"feedscope/charts/series"
)

// singleView is the single-URL window's one implicit panel: every series
// ("*"), and an entry with an fn for each series shown derived, which
// Save writes to the dashboard file.
type singleView struct {
	panel dashboard.Panel
	live  *liveEngine
}

// startSingle gives the single-URL window its panel and engine.
func (u *UI) startSingle() {
	p := dashboard.Panel{Series: []dashboard.SeriesRef{{Match: "*"}}}
	l, err := newLiveEngine([]dashboard.Panel{p})
	if err != nil {
		panic(err) // a panel without no_data or thresholds makes no alarm to refuse
	}
	u.single = &singleView{panel: p, live: l}
	u.bridge.derive.Store(l)
}

// seriesMenu is the series list's menu for the series named name: show
// it (or the series it is derived from) as a rate, a derivative, an
// average, scaled, or raw again, on the selected panel.
func (u *UI) seriesMenu(name string) *fyne.Menu {
	l := u.live()
	if l == nil {
		return fyne.NewMenu("")
	}
	raw, fn := l.source(name)
	set := func(fn string) func() {
		return func() {
			if err := u.setSeriesFn(raw, fn); err != nil {
				dialog.ShowError(err, u.win)
			}
		}
	}
	rate := fyne.NewMenuItem("Show as rate (per second)", set("rate"))
	if u.suggestRate(raw) {
		rate.Label = "Show as rate (per second) — suggested: a counter"
	}
	deriv := fyne.NewMenuItem("Show as derivative (per second)", set("derivative"))
	avg := fyne.NewMenuItem("Show as average…", func() { u.askAverage(raw, fn) })
	scale := fyne.NewMenuItem("Scale…", func() { u.askScale(raw, fn) })
	plain := fyne.NewMenuItem("Show raw", set(""))
	plain.Disabled = fn == ""
	return fyne.NewMenu("", rate, deriv, avg, scale, fyne.NewMenuItemSeparator(), plain)
}

// then appends a stage to a pipeline text.
func then(fn, stage string) string {
	if fn == "" {
		return stage
	}
	return fn + " | " + stage
}

// askAverage asks for the moving average's window and shows raw's
// current values (fn) averaged over it.
func (u *UI) askAverage(raw, fn string) {
	w := widget.NewEntry()
	w.SetText("30s")
	w.Validator = func(s string) error {
		_, err := compute.Parse("avg " + s)
		return err
	}
	dialog.ShowForm("Show as average", "Show", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Over the last", w),
	}, func(ok bool) {
		if !ok {
			return
		}
		if err := u.setSeriesFn(raw, then(fn, "avg "+strings.TrimSpace(w.Text))); err != nil {
			dialog.ShowError(err, u.win)
		}
	}, u.win)
}

// askScale asks for a factor and an offset (value × factor + offset) for
// raw's current values (fn).
func (u *UI) askScale(raw, fn string) {
	factor, offset := widget.NewEntry(), widget.NewEntry()
	factor.SetText("1")
	offset.SetText("0")
	number := func(s string) error {
		if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return errors.New("not a number")
		}
		return nil
	}
	factor.Validator, offset.Validator = number, number
	dialog.ShowForm("Scale", "Show", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Multiply by", factor),
		widget.NewFormItem("Then add", offset),
	}, func(ok bool) {
		if !ok {
			return
		}
		if err := u.setSeriesFn(raw, scaleFn(fn, factor.Text, offset.Text)); err != nil {
			dialog.ShowError(err, u.win)
		}
	}, u.win)
}

// scaleFn appends scale and offset stages to fn, leaving out a factor of
// 1 and an offset of 0.
func scaleFn(fn, factor, offset string) string {
	factor, offset = strings.TrimSpace(factor), strings.TrimSpace(offset)
	if f, err := strconv.ParseFloat(factor, 64); err != nil || f != 1 {
		fn = then(fn, "scale "+factor)
	}
	if o, err := strconv.ParseFloat(offset, 64); err != nil || o != 0 {
		fn = then(fn, "offset "+offset)
	}
	return fn
}

// setSeriesFn shows the raw series named raw through the pipeline fn ("":
// as it is) on the selected panel (the single-URL window's one panel):
// it edits the panel's series entries, so that Save writes the fn, and
// recomputes the derived series from the stored raw points.
func (u *UI) setSeriesFn(raw, fn string) error {
	if _, err := compute.Parse(fn); err != nil {
		return err
	}
	l := u.live()
	store := u.chart.Store()
	var panels []dashboard.Panel
	if v := u.dash; v != nil {
		p := v.panels[v.selected]
		setEntryFn(p.panel, raw, fn)
		m, err := p.panel.Matcher()
		if err != nil {
			return err
		}
		p.match = m
		panels = v.d.Panels
	} else {
		setEntryFn(&u.single.panel, raw, fn)
		panels = []dashboard.Panel{u.single.panel}
	}
	before := l.derivedNames()
	made, err := l.redefine(store, panels)
	if err != nil {
		return err
	}
	// Show and hide what changed: the raw series, what is derived now,
	// and what was derived before.
	names := append([]string{raw}, made...)
	for _, n := range before {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if v := u.dash; v != nil {
		on := make([]bool, len(v.panels))
		for _, n := range names {
			v.panelShows(n, on)
			for i, p := range v.panels {
				p.chart.SetSeriesVisible(n, on[i])
			}
		}
	} else {
		for _, n := range names {
			u.chart.SetSeriesVisible(n, n == raw && fn == "" || slices.Contains(made, n))
		}
	}
	u.seriesList.update()
	return nil
}

// derivedNames lists the series the window derives or derived.
func (l *liveEngine) derivedNames() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for n := range l.derived {
		out = append(out, n)
	}
	return out
}

// setEntryFn makes panel p show the series named raw through fn: an entry
// of its own first (keeping the name and unit of one it had), or none
// when the panel shows it raw without one.
func setEntryFn(p *dashboard.Panel, raw, fn string) {
	entry := dashboard.SeriesRef{Match: raw}
	if i := slices.IndexFunc(p.Series, func(r dashboard.SeriesRef) bool { return r.Match == raw }); i >= 0 {
		entry = p.Series[i]
		p.Series = slices.Delete(p.Series, i, i+1)
	}
	entry.Fn = fn
	if fn == "" && entry.Name == "" && entry.Unit == "" {
		if m, err := p.Matcher(); err == nil {
			if j, ok := m.Match(raw); ok && p.Series[j].Fn == "" {
				return
			}
		}
	}
	p.Series = slices.Insert(p.Series, 0, entry)
}

// suggestEvery is how often the series list looks again at whether a
// series only grows.
const suggestEvery = 10 * time.Second

// suggestSpan is how long a series must have grown, by its stored
// points, before its values alone suggest rate.
const suggestSpan = 30 * time.Second

// suggestPoints bounds the points read to judge that: the newest ones.
const suggestPoints = 512

// rateHint is what the series list last decided about a series.
type rateHint struct {
	on bool
	at time.Time
}

// suggestRate reports whether the series list suggests rate for the
// series named name: a raw series whose name ends in _total, or whose
// newest points only grew (compute.SuggestRate). Looked at again every
// suggestEvery at most; main goroutine.
func (u *UI) suggestRate(name string) bool {
	l := u.live()
	if l == nil || l.isDerived(name) {
		return false
	}
	s := u.seriesList
	if s.hints == nil {
		s.hints = map[string]rateHint{}
	}
	if compute.SuggestRate(name, nil) {
		return true // by its name alone
	}
	// By its values: looked at again now and then, since a series that
	// grew at first may turn out to fall (a sawtooth).
	now := time.Now()
	if h, ok := s.hints[name]; ok && now.Sub(h.at) < suggestEvery {
		return h.on
	}
	// Only after a while: a gauge rises for seconds at a time (a sine's
	// first half), a counter for as long as it lives.
	sr := u.chart.Store().Lookup(name)
	on := false
	if sr != nil {
		if oldest, last, ok := sr.Span(); ok && time.Duration(last-oldest) >= suggestSpan {
			on = compute.SuggestRate(name, newest(sr))
		}
	}
	s.hints[name] = rateHint{on: on, at: now}
	return on
}

// newest iterates over about the newest suggestPoints points of a series
// (nil for none), by the time they span.
func newest(sr *series.Series) iter.Seq2[int64, float64] {
	if sr == nil {
		return nil
	}
	oldest, last, ok := sr.Span()
	if !ok {
		return nil
	}
	from := int64(math.MinInt64)
	if n := sr.Len(); n > suggestPoints {
		from = last - (last-oldest)/int64(n)*suggestPoints
	}
	return sr.Points(from, last)
}
