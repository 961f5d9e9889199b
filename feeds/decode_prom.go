package feeds

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// promState is the reusable state of the Prometheus decoder.
type promState struct {
	text   *expfmt.TextParser
	reader bytes.Reader
	buf    []byte
	fams   []*dto.MetricFamily
	labels []promLabel
}

type promLabel struct{ name, value string }

// isPromContentType recognises the Content-Types of the Prometheus text
// format (text/plain; version=0.0.4, or 1.0.0 from Prometheus 3 clients)
// and OpenMetrics text. A bare text/plain says nothing: content decides.
func isPromContentType(ct string) bool {
	media, params, _ := strings.Cut(ct, ";")
	media = strings.TrimSpace(media)
	if strings.EqualFold(media, expfmt.OpenMetricsType) {
		return true
	}
	return strings.EqualFold(media, "text/plain") &&
		(strings.Contains(params, "version="+expfmt.TextVersion) || strings.Contains(params, "version=1.0.0"))
}

func isOpenMetrics(ct string) bool {
	media, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(media), expfmt.OpenMetricsType)
}

// looksLikeProm guesses from the first line: a # HELP or # TYPE comment,
// or a metric name followed by '{' or a blank.
func looksLikeProm(b []byte) bool {
	line := b[:lineEnd(b, 0)]
	if bytes.HasPrefix(line, []byte("# HELP ")) || bytes.HasPrefix(line, []byte("# TYPE ")) {
		return true
	}
	i := 0
	for i < len(line) && isMetricNameChar(line[i], i == 0) {
		i++
	}
	return i > 0 && i < len(line) && (line[i] == '{' || line[i] == ' ' || line[i] == '\t')
}

func isMetricNameChar(c byte, first bool) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || !first && c >= '0' && c <= '9'
}

// decodeProm parses a Prometheus text or OpenMetrics page with
// prometheus/common/expfmt and emits one sample per series, named
// canonically: name{label="value",...} with labels sorted by name.
func (d *Decoder) decodeProm(data []byte) error {
	p := &d.prom
	// The text parser reports a page without its final newline as
	// truncated; servers that omit it are common.
	if len(data) > 0 && data[len(data)-1] != '\n' {
		p.buf = append(append(p.buf[:0], data...), '\n')
		data = p.buf
	}
	p.reader.Reset(data)
	clear(p.fams)
	p.fams = p.fams[:0]
	var err error
	if isOpenMetrics(d.msg.ContentType) {
		err = d.parseOpenMetrics()
	} else {
		err = d.parseText()
	}
	p.reader.Reset(nil)
	if err != nil {
		return err
	}
	slices.SortFunc(p.fams, func(a, b *dto.MetricFamily) int { return cmp.Compare(a.GetName(), b.GetName()) })
	for _, f := range p.fams {
		d.promFamily(f)
	}
	return nil
}

func (d *Decoder) parseText() error {
	p := &d.prom
	if p.text == nil {
		tp := expfmt.NewTextParser(model.UTF8Validation)
		p.text = &tp
	}
	fams, err := p.text.TextToMetricFamilies(&p.reader)
	if err != nil {
		return err
	}
	for _, f := range fams {
		p.fams = append(p.fams, f)
	}
	return nil
}

func (d *Decoder) parseOpenMetrics() error {
	p := &d.prom
	dec := expfmt.NewDecoder(&p.reader, expfmt.FmtOpenMetrics_1_0_0)
	for {
		f := new(dto.MetricFamily)
		err := dec.Decode(f)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		p.fams = append(p.fams, f)
	}
}

func (d *Decoder) promFamily(f *dto.MetricFamily) {
	name := f.GetName()
	for _, m := range f.Metric {
		t := d.msg.Time
		if m.TimestampMs != nil && d.Time == PayloadTime {
			t = time.UnixMilli(m.GetTimestampMs())
		}
		switch {
		case m.Counter != nil:
			d.promSample(name, "", m, "", 0, t, m.Counter.GetValue())
		case m.Gauge != nil:
			d.promSample(name, "", m, "", 0, t, m.Gauge.GetValue())
		case m.Untyped != nil:
			d.promSample(name, "", m, "", 0, t, m.Untyped.GetValue())
		case m.Summary != nil:
			s := m.Summary
			for _, q := range s.Quantile {
				d.promSample(name, "", m, model.QuantileLabel, q.GetQuantile(), t, q.GetValue())
			}
			d.promSample(name, "_sum", m, "", 0, t, s.GetSampleSum())
			d.promSample(name, "_count", m, "", 0, t, float64(s.GetSampleCount()))
		case m.Histogram != nil:
			h := m.Histogram
			for _, bk := range h.Bucket {
				v := bk.GetCumulativeCountFloat()
				if v <= 0 {
					v = float64(bk.GetCumulativeCount())
				}
				d.promSample(name, "_bucket", m, model.BucketLabel, bk.GetUpperBound(), t, v)
			}
			d.promSample(name, "_sum", m, "", 0, t, h.GetSampleSum())
			c := h.GetSampleCountFloat()
			if c <= 0 {
				c = float64(h.GetSampleCount())
			}
			d.promSample(name, "_count", m, "", 0, t, c)
		}
	}
}

// promSample emits one series of metric m; extra, when set, is the le or
// quantile label with value bound.
func (d *Decoder) promSample(name, suffix string, m *dto.Metric, extra string, bound float64, t time.Time, v float64) {
	if d.full() {
		return
	}
	p := &d.prom
	p.labels = p.labels[:0]
	for _, l := range m.Label {
		p.labels = append(p.labels, promLabel{l.GetName(), l.GetValue()})
	}
	if extra != "" {
		p.labels = append(p.labels, promLabel{extra, formatPromFloat(bound)})
	}
	slices.SortFunc(p.labels, func(a, b promLabel) int { return cmp.Compare(a.name, b.name) })

	b := d.path[:0]
	legacy := model.IsValidLegacyMetricName(name + suffix)
	if legacy {
		b = append(append(b, name...), suffix...)
	} else {
		// A UTF-8 name goes inside the braces, quoted, as Prometheus 3
		// writes it.
		b = append(b, '{')
		b = appendPromQuoted(b, name+suffix)
	}
	for i, l := range p.labels {
		if i == 0 && legacy {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		if model.LegacyValidation.IsValidLabelName(l.name) {
			b = append(b, l.name...)
		} else {
			b = appendPromQuoted(b, l.name)
		}
		b = append(b, '=')
		b = appendPromQuoted(b, l.value)
	}
	if !legacy || len(p.labels) > 0 {
		b = append(b, '}')
	}
	d.path = b
	if !d.finite(v, b) {
		return
	}
	series, ok := d.seriesName()
	if !ok {
		return
	}
	d.addSample(series, t, v)
}

// formatPromFloat writes le and quantile values as the Prometheus text
// encoder does.
func formatPromFloat(f float64) string {
	switch {
	case f == 1:
		return "1"
	case f == 0:
		return "0"
	case f == -1:
		return "-1"
	case f != f:
		return "NaN"
	case f > maxFloat:
		return "+Inf"
	case f < -maxFloat:
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// appendPromQuoted appends s in double quotes with \, " and newline
// escaped, as the exposition format quotes label values.
func appendPromQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
