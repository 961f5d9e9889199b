package recording

import (
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"
)

var splitCases = []struct {
	in    string
	delim byte
	want  []string
	err   error
}{
	{"a,b,c", ',', []string{"a", "b", "c"}, nil},
	{"a;b;c", ';', []string{"a", "b", "c"}, nil},
	{"a\tb\tc", '\t', []string{"a", "b", "c"}, nil},
	{"a,,", ',', []string{"a", "", ""}, nil},
	{`"a,b",c`, ',', []string{"a,b", "c"}, nil},
	{`"say ""hi""",2`, ',', []string{`say "hi"`, "2"}, nil},
	{`"",x`, ',', []string{"", "x"}, nil},
	{"\"two\nlines\",x", ',', []string{"two\nlines", "x"}, nil},
	{"\"crlf\r\ninside\",x", ',', []string{"crlf\ninside", "x"}, nil},
	{`x,"a;b"`, ';', []string{`x,"a`, `b"`}, errBareQuote},
	{`a"b,c`, ',', nil, errBareQuote},
	{`"a"b,c`, ',', nil, errQuote},
	{`"open,c`, ',', nil, errOpenQuote},
}

func TestSplitRecord(t *testing.T) {
	for _, tc := range splitCases {
		got, _, err := splitRecord([]byte(tc.in), tc.delim, nil, nil)
		if !errors.Is(err, tc.err) {
			t.Errorf("%q: error %v, want %v", tc.in, err, tc.err)
			continue
		}
		if err == nil && !slices.Equal(strs(got), tc.want) {
			t.Errorf("%q: %q, want %q", tc.in, strs(got), tc.want)
		}
	}
}

func strs(f [][]byte) []string {
	s := make([]string, len(f))
	for i, b := range f {
		s[i] = string(b)
	}
	return s
}

// splitAll reads data as the loader reads CSV records: lines from a
// lineReader, empty ones skipped, records extended while a quote is open.
func splitAll(data string, delim byte) (recs [][]string, errs int) {
	l := newLoader(&Result{}, Options{})
	l.delim = delim
	l.lr = newLineReader(strings.NewReader(data), 1<<20, nil)
	l.eachLine(func(rec []byte, line int64) {
		f, err := l.split(rec)
		if err != nil {
			errs++
			return
		}
		recs = append(recs, strs(f))
	})
	return recs, errs
}

// FuzzSplitRecord reads CSV as encoding/csv does: the same records when
// csv reads the input, an error when csv rejects it.
func FuzzSplitRecord(f *testing.F) {
	for _, tc := range splitCases {
		f.Add(tc.in, tc.delim)
	}
	f.Add("a,b\n\n\"c\nd\",e\r\nf,g", byte(','))
	f.Fuzz(func(t *testing.T, in string, delim byte) {
		if delim != ',' && delim != ';' && delim != '\t' {
			delim = ','
		}
		r := csv.NewReader(strings.NewReader(in))
		r.Comma = rune(delim)
		r.FieldsPerRecord = -1
		want, werr := r.ReadAll()
		got, errs := splitAll(in, delim)
		switch {
		case werr == nil && errs > 0:
			t.Fatalf("%q: %d errors; csv reads %q", in, errs, want)
		case werr == nil && !slices.EqualFunc(got, want, slices.Equal):
			t.Fatalf("%q: %q; csv reads %q", in, got, want)
		case werr != nil && errs == 0:
			t.Fatalf("%q: %q; csv says %v", in, got, werr)
		}
	})
}
