package recording

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Format is the layout of a recording.
type Format int

// Formats read. FormatAuto detects the format from the first line.
const (
	FormatAuto  Format = iota
	FormatLong         // CSV time,series,value: what feedscope record and Export CSV write
	FormatWide         // CSV with a time column and one column per series
	FormatJSONL        // JSON Lines {"time","series","value"}: feedscope record --format jsonl
)

func (f Format) String() string {
	switch f {
	case FormatLong:
		return "long CSV"
	case FormatWide:
		return "wide CSV"
	case FormatJSONL:
		return "JSON Lines"
	}
	return "auto"
}

// Defaults used when the matching Options field is zero.
const (
	DefaultMaxLineBytes  = 1 << 20
	MaxLineLimit         = 64 << 20
	DefaultMaxSeries     = 4096
	DefaultProgressEvery = 200 * time.Millisecond
	// MaxReported is how many bad lines a Result lists; all are counted.
	MaxReported = 10
)

// Options configure a load. The zero value reads the whole file with the
// format, delimiter and time column detected and zone-less times in UTC.
type Options struct {
	// Format forces a format; FormatAuto detects it.
	Format Format
	// TimeColumn names the time column of a wide CSV (case does not
	// matter). Empty means the column called time, timestamp or ts, or
	// else the first column.
	TimeColumn string
	// Location is the zone of times written without one; nil means UTC.
	Location *time.Location
	// Start is the time of second 0 for times written as plain seconds
	// from the start (numbers below 1e8); the zero value means the Unix
	// epoch, so the seconds are kept as they are.
	Start time.Time
	// From and To, when not zero, keep only points with From <= t <= To.
	From, To time.Time
	// Every, when above 1, keeps every Every-th point of each series (of
	// those in the time range), starting with the first.
	Every int
	// MaxLineBytes is the longest line read; a longer one is skipped and
	// reported. Zero means DefaultMaxLineBytes; more than MaxLineLimit
	// means MaxLineLimit (the reader's buffer is this large).
	MaxLineBytes int
	// MaxSeries is the most series a load creates; points of further
	// series are reported as bad lines. Zero means DefaultMaxSeries.
	MaxSeries int
	// Progress, when set, is called with the bytes read of the file
	// (compressed bytes for a .gz) and its size (0 when unknown), at most
	// once per ProgressEvery and once at the end, from Load's goroutine.
	Progress func(read, total int64)
	// ProgressEvery is the least time between two Progress calls; zero
	// means DefaultProgressEvery.
	ProgressEvery time.Duration
}

// Series is the points of one series in columns, in file order: T holds
// Unix nanoseconds and V the values, both of the same length and sized
// exactly, ready to be adopted by a store without a copy per point.
type Series struct {
	Name string
	T    []int64
	V    []float64
	// OutOfOrder counts points older than the point before them. A
	// store that keeps times in order needs the series sorted first.
	OutOfOrder int
}

// BadLine is a line that was skipped (or, in a wide CSV, a line with a
// cell that was skipped) and why.
type BadLine struct {
	Line   int64 // 1 is the first line of the file
	Reason string
}

func (b BadLine) String() string { return fmt.Sprintf("line %d: %s", b.Line, b.Reason) }

// Result is a loaded recording and its load report.
type Result struct {
	Format    Format
	Delimiter byte // CSV field delimiter: ',', ';' or '\t'
	Gzip      bool
	Series    []Series // in order of first appearance (wide: column order)
	Points    int64    // points kept
	Filtered  int64    // points outside From..To or dropped by Every
	Lines     int64    // lines read, the header included
	Bytes     int64    // bytes read after decompression
	// BadLines counts skipped lines; Bad lists the first MaxReported.
	BadLines int64
	Bad      []BadLine
	// SkippedColumns names the wide CSV columns that hold no number (a
	// text column such as a weather description); they are left out.
	SkippedColumns []string
	// ReadErr is why reading stopped before the end of the file (a
	// truncated .gz); what was read before it is kept.
	ReadErr error
}

// Summary says in one line what was loaded and what was not, for a notice,
// the message log or standard error.
func (r *Result) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d points in %d series (%s)", r.Points, len(r.Series), r.Format)
	if r.Filtered > 0 {
		fmt.Fprintf(&b, ", %d left out by the time range or every-Nth setting", r.Filtered)
	}
	if r.BadLines > 0 {
		fmt.Fprintf(&b, "; %d bad lines skipped", r.BadLines)
		for i, bl := range r.Bad {
			sep := ", "
			if i == 0 {
				sep = ": "
			}
			b.WriteString(sep + bl.String())
		}
		if r.BadLines > int64(len(r.Bad)) {
			b.WriteString(", …")
		}
	}
	for _, c := range r.SkippedColumns {
		fmt.Fprintf(&b, "; column %q holds no numbers and was left out", c)
	}
	if r.ReadErr != nil {
		fmt.Fprintf(&b, "; reading stopped early: %v", r.ReadErr)
	}
	return b.String()
}

// Load reads the recording in the file at path, gzip-compressed or not.
// It fails only when the file cannot be read at all, or when ctx ends (then
// it returns nothing loaded). Bad lines are skipped and reported in the
// Result.
func Load(ctx context.Context, path string, opts Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	res, err := load(ctx, f, size, opts)
	if err != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("recording: %s: %w", path, err)
	}
	return res, err
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// LoadReader is Load for a stream of size bytes (0 if unknown; it is only
// used for Progress).
func LoadReader(ctx context.Context, r io.Reader, size int64, opts Options) (*Result, error) {
	res, err := load(ctx, r, size, opts)
	if err != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	return res, err
}

// load is LoadReader with errors not yet prefixed.
func load(ctx context.Context, r io.Reader, size int64, opts Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	raw := &countingReader{r: r}
	br := bufio.NewReaderSize(raw, 64<<10)
	res := &Result{}
	var src io.Reader = br
	if magic, err := br.Peek(2); err != nil && err != io.EOF {
		return nil, err
	} else if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		src, res.Gzip = zr, true
	}
	l := newLoader(res, opts)
	l.size, l.raw, l.br = size, raw, br
	every := opts.ProgressEvery
	if every <= 0 {
		every = DefaultProgressEvery
	}
	var last time.Time
	l.lr = newLineReader(src, l.maxLine, func() bool {
		if ctx.Err() != nil {
			return false
		}
		if opts.Progress != nil {
			if now := time.Now(); now.Sub(last) >= every {
				last = now
				opts.Progress(raw.n, size)
			}
		}
		return true
	})
	l.run()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := l.lr.err; err != nil {
		if l.lr.nread == 0 {
			return nil, err
		}
		res.ReadErr = err
		if errors.Is(err, io.ErrUnexpectedEOF) {
			res.ReadErr = fmt.Errorf("the file ends in the middle (truncated?): %w", err)
		}
	}
	l.finish()
	if opts.Progress != nil {
		opts.Progress(raw.n, size)
	}
	return res, nil
}

// loader holds the state of one load.
type loader struct {
	opts     Options
	res      *Result
	lr       *lineReader
	tp       timeParser
	from, to int64
	every    int64
	maxLine  int
	maxSer   int
	delim    byte
	cols     []*column
	byName   map[string]*column
	prev     *column // the column of the last long row
	size     int64   // of the input, 0 if unknown
	raw      *countingReader
	br       *bufio.Reader
	fields   [][]byte
	buf      []byte
	pending  []BadLine // wide: bad cells of columns not yet known to hold numbers
	reserved int64     // points of the blocks sized from an estimate (grow)
	// The last time read by layoutTime, as written and in Unix nanos.
	lastRaw [timeLen]byte
	lastT   int64
	lastOK  bool
}

func newLoader(res *Result, opts Options) *loader {
	l := &loader{
		opts: opts, res: res, from: math.MinInt64, to: math.MaxInt64,
		every: int64(opts.Every), maxLine: opts.MaxLineBytes, maxSer: opts.MaxSeries,
		delim: ',', byName: make(map[string]*column),
	}
	l.tp.loc = opts.Location
	if !opts.Start.IsZero() {
		l.tp.start = opts.Start.UnixNano()
	}
	if !opts.From.IsZero() {
		l.from = opts.From.UnixNano()
	}
	if !opts.To.IsZero() {
		l.to = opts.To.UnixNano()
	}
	if l.maxLine <= 0 {
		l.maxLine = DefaultMaxLineBytes
	}
	l.maxLine = min(l.maxLine, MaxLineLimit)
	if l.maxSer <= 0 {
		l.maxSer = DefaultMaxSeries
	}
	return l
}

// bad counts a skipped line.
func (l *loader) bad(line int64, reason string) {
	l.res.BadLines++
	if len(l.res.Bad) < MaxReported {
		l.res.Bad = append(l.res.Bad, BadLine{line, reason})
	}
}

// lineError turns a lineReader error into a bad line.
func (l *loader) lineError(err error) {
	if err == errLineTooLong {
		l.bad(l.lr.line, fmt.Sprintf("line longer than %d bytes", l.maxLine))
	}
}

// eachLine calls fn with every non-empty line left and its number, and
// reports the lines that are too long.
func (l *loader) eachLine(fn func(rec []byte, line int64)) {
	for {
		rec, err := l.lr.next()
		if err == errLineTooLong {
			l.lineError(err)
			continue
		}
		if err != nil {
			return
		}
		if len(rec) > 0 {
			fn(rec, l.lr.line)
		}
	}
}

// quote shows a cell in a reason: quoted, invalid UTF-8 escaped, cut short.
func quote(b []byte) string {
	const max = 40
	if len(b) > max {
		return fmt.Sprintf("%q…", b[:max])
	}
	return fmt.Sprintf("%q", b)
}

// split splits a CSV record, reading more lines while a quoted field is
// open.
func (l *loader) split(rec []byte) ([][]byte, error) {
	for {
		f, buf, err := splitRecord(rec, l.delim, l.fields, l.buf)
		l.fields, l.buf = f, buf
		if err != errOpenQuote {
			return f, err
		}
		more, err := l.lr.extend()
		switch err {
		case nil:
			rec = more
		case io.EOF:
			return nil, errOpenQuote
		default:
			return nil, err
		}
	}
}

func (l *loader) run() {
	var first []byte
	var err error
	for {
		first, err = l.lr.next()
		if err == io.EOF {
			return
		}
		if err != nil {
			l.lineError(err)
			continue
		}
		if len(bytes.TrimSpace(first)) > 0 {
			break
		}
	}
	format := l.opts.Format
	if format == FormatAuto || format == FormatJSONL {
		if format == FormatJSONL || bytes.HasPrefix(bytes.TrimLeft(first, " \t"), []byte("{")) {
			l.res.Format = FormatJSONL
			l.jsonLine(first, l.lr.line)
			l.readJSONL()
			return
		}
	}
	l.delim = detectDelimiter(first)
	l.res.Delimiter = l.delim
	line := l.lr.line
	header, err := l.split(first)
	if err != nil {
		l.bad(line, "header: "+err.Error())
		return
	}
	if format == FormatLong || (format == FormatAuto && isLongHeader(header)) {
		l.res.Format = FormatLong
		if !isLongHeader(header) {
			l.longLine(header, line) // no header: the first line is data
		}
		l.readLong()
		return
	}
	l.res.Format = FormatWide
	l.readWide(header, line)
}

// detectDelimiter picks the most frequent of comma, semicolon and tab
// outside quotes in the header line; comma when there is none.
func detectDelimiter(line []byte) byte {
	var n [3]int
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			n[0]++
		case c == ';':
			n[1]++
		case c == '\t':
			n[2]++
		}
	}
	best := 0
	for i := 1; i < 3; i++ {
		if n[i] > n[best] {
			best = i
		}
	}
	return ",;\t"[best]
}

func isLongHeader(f [][]byte) bool {
	return len(f) == 3 && strings.EqualFold(string(bytes.TrimSpace(f[0])), "time") &&
		strings.EqualFold(string(bytes.TrimSpace(f[1])), "series") &&
		strings.EqualFold(string(bytes.TrimSpace(f[2])), "value")
}

// column returns the column of the series called name, creating it.
// Recordings mostly repeat their series in the same order (one message's
// samples after another's), so the series that followed the previous one
// last time is tried before the map.
func (l *loader) column(name []byte) (*column, string) {
	if p := l.prev; p != nil && p.next != nil && p.next.name == string(name) {
		l.prev = p.next
		return p.next, ""
	}
	if c := l.byName[string(name)]; c != nil {
		if l.prev != nil {
			l.prev.next = c
		}
		l.prev = c
		return c, ""
	}
	switch {
	case len(name) == 0:
		return nil, "empty series name"
	case !utf8.Valid(name):
		return nil, "series name is not valid UTF-8: " + quote(name)
	case len(l.cols) >= l.maxSer:
		return nil, fmt.Sprintf("more than %d series", l.maxSer)
	}
	c := newColumn(string(name), bytes.IndexByte(name, '"') < 0 && bytes.IndexByte(name, l.delim) < 0)
	l.byName[c.name] = c
	l.cols = append(l.cols, c)
	if l.prev != nil {
		l.prev.next = c
	}
	l.prev = c
	return c, ""
}

// keep adds a point that passed parsing, unless the time range or Every
// leaves it out.
func (l *loader) keep(c *column, t int64, v float64) {
	if t < l.from || t > l.to {
		l.res.Filtered++
		return
	}
	if l.every > 1 {
		c.seen++
		if (c.seen-1)%l.every != 0 {
			l.res.Filtered++
			return
		}
	}
	if len(c.t) == cap(c.t) {
		l.grow(c)
	}
	c.add(t, v)
}

// grow makes room in a full column. Once it holds estimateAfter points,
// the share of the file read so far tells how many points the series will
// have, and the block is resized to that once (5% more): the points are
// then written once, and not copied into a result at the end, which on a
// gigabyte file was a third of the time and twice the memory. The blocks
// so sized may together hold no more than the rows the file is expected
// to have (10% more), so that a file whose series come in bursts, each
// looking large early on, cannot reserve many times its size.
func (l *loader) grow(c *column) {
	if cap(c.t) >= estimateAfter && len(c.fullT) == 0 && !c.sized {
		if f := l.readFraction(); f > 0 && f < 0.9 {
			want := int(float64(c.n)/f*1.05) + 1024
			budget := int64(float64(l.lr.line)/f*1.1) + 1024
			if want > cap(c.t) && l.reserved+int64(want) <= budget {
				l.reserved += int64(want)
				c.growTo(want)
				return
			}
		}
	}
	c.grow()
}

// estimateAfter is how many points of a series are read before its size
// is estimated: enough that the share of the file read says something.
const estimateAfter = 4096

// readFraction is the share of the input consumed so far, or 0 when the
// size is not known.
func (l *loader) readFraction() float64 {
	if l.size <= 0 || l.lr.nread == 0 {
		return 0
	}
	used := float64(l.lr.nread - int64(l.lr.w-l.lr.r))
	if !l.res.Gzip {
		return used / float64(l.size)
	}
	// Compressed bytes consumed, scaled by the share of the
	// decompressed bytes read that has been used.
	comp := float64(l.raw.n - int64(l.br.Buffered()))
	return comp / float64(l.size) * used / float64(l.lr.nread)
}

// number parses a value cell. Cells padded with spaces, and decimal
// commas in files whose delimiter is not a comma, are read too.
func (l *loader) number(cell []byte) (float64, error) {
	v, err := parseFloat(cell)
	if err == nil {
		return v, nil
	}
	if t := bytes.TrimSpace(cell); len(t) != len(cell) && len(t) > 0 {
		return l.number(t)
	}
	if l.delim != ',' && bytes.Count(cell, []byte(",")) == 1 {
		var tmp [64]byte
		if len(cell) <= len(tmp) {
			c := tmp[:copy(tmp[:], cell)]
			c[bytes.IndexByte(c, ',')] = '.'
			if v, err := parseFloat(c); err == nil {
				return v, nil
			}
		}
	}
	return 0, err
}

// time parses a time cell, padded with spaces or not.
func (l *loader) time(cell []byte) (int64, error) {
	t, err := l.tp.parse(cell)
	if err != nil {
		if tr := bytes.TrimSpace(cell); len(tr) != len(cell) && len(tr) > 0 {
			return l.tp.parse(tr)
		}
	}
	return t, err
}

func (l *loader) finish() {
	l.res.Lines = l.lr.line
	l.res.Bytes = l.lr.nread
	if len(l.pending) > 0 {
		l.res.Bad = append(l.res.Bad, l.pending...)
	}
	slices.SortStableFunc(l.res.Bad, func(a, b BadLine) int { return int(a.Line - b.Line) })
	if len(l.res.Bad) > MaxReported {
		l.res.Bad = l.res.Bad[:MaxReported]
	}
	l.res.Series = make([]Series, 0, len(l.cols))
	for _, c := range l.cols {
		l.res.Points += int64(c.n)
		l.res.Series = append(l.res.Series, c.finish())
	}
}
