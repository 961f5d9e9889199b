package compute

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxSource bounds the length of a pipeline's text, so a pasted file cannot
// make a pipeline of a million stages.
const MaxSource = 1024

// SyntaxError is a pipeline text that does not parse. Pos is the byte offset
// of the offending token in Source; Column, counted in characters from 1, is
// what to show a person.
type SyntaxError struct {
	Source   string
	Pos      int
	Expected string // what the parser wanted there, e.g. "a duration such as 30s"
	Found    string // the token it saw, quoted, or "end of input"
}

// Column returns the 1-based character column of the error.
func (e *SyntaxError) Column() int { return utf8.RuneCountInString(e.Source[:e.Pos]) + 1 }

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("compute: column %d: expected %s, found %s", e.Column(), e.Expected, e.Found)
}

// token is a run of characters other than spaces and '|', or a single '|'.
type token struct {
	text string
	pos  int
}

func tokenize(src string) []token {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '|':
			toks = append(toks, token{"|", i})
			i++
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\n\r|", rune(src[j])) {
				j++
			}
			toks = append(toks, token{src[i:j], i})
			i = j
		}
	}
	return toks
}

func quote(s string) string {
	const maxShown = 24
	if utf8.RuneCountInString(s) > maxShown {
		s = string([]rune(s)[:maxShown]) + "…"
	}
	return strconv.Quote(s)
}

// def is one parsed stage: a function and its argument.
type def struct {
	f      fn
	window time.Duration
	num    float64
}

func (d def) String() string {
	switch fnArgs[d.f] {
	case argWindow:
		return d.f.String() + " " + FormatDuration(d.window)
	case argNumber:
		return d.f.String() + " " + strconv.FormatFloat(d.num, 'g', -1, 64)
	}
	return d.f.String()
}

// FormatDuration writes a duration as a pipeline reads it back: 1m and 1h
// rather than time.Duration's 1m0s and 1h0m0s.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

var functionList = strings.Join(fnNames[:], ", ")

func parse(src string) ([]def, error) {
	if len(src) > MaxSource {
		return nil, &SyntaxError{Source: src, Pos: MaxSource, Expected: fmt.Sprintf("at most %d bytes", MaxSource), Found: fmt.Sprintf("%d bytes", len(src))}
	}
	toks := tokenize(src)
	var defs []def
	i := 0
	// errAt reports an error at token i, or at the end of the text.
	errAt := func(i int, expected string) error {
		if i >= len(toks) {
			return &SyntaxError{Source: src, Pos: len(src), Expected: expected, Found: "end of input"}
		}
		return &SyntaxError{Source: src, Pos: toks[i].pos, Expected: expected, Found: quote(toks[i].text)}
	}
	if len(toks) == 0 {
		return nil, nil
	}
	for {
		if i >= len(toks) || toks[i].text == "|" {
			return nil, errAt(i, "a function ("+functionList+")")
		}
		name := strings.ToLower(toks[i].text)
		f := fn(0)
		found := false
		for k, n := range fnNames {
			if n == name {
				f, found = fn(k), true
				break
			}
		}
		if !found {
			return nil, errAt(i, "a function ("+functionList+")")
		}
		d := def{f: f}
		i++
		switch fnArgs[f] {
		case argWindow:
			if i >= len(toks) || toks[i].text == "|" {
				return nil, errAt(i, fmt.Sprintf("a window after %q, a duration such as 30s, 5m or 1h", name))
			}
			w, err := time.ParseDuration(toks[i].text)
			if err != nil {
				return nil, errAt(i, "a duration such as 30s, 5m or 1h (units ms, s, m, h)")
			}
			if w <= 0 {
				return nil, errAt(i, "a window longer than zero")
			}
			d.window = w
			i++
		case argNumber:
			if i >= len(toks) || toks[i].text == "|" {
				return nil, errAt(i, fmt.Sprintf("a number after %q, such as 8e-6 or -273.15", name))
			}
			x, err := strconv.ParseFloat(toks[i].text, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, errAt(i, "a finite number such as 8e-6 or -273.15")
			}
			d.num = x
			i++
		}
		defs = append(defs, d)
		if i >= len(toks) {
			return defs, nil
		}
		if toks[i].text != "|" {
			return nil, errAt(i, fmt.Sprintf("%q or end of input after %q", "|", d.String()))
		}
		i++
	}
}
