package dashboard

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The TOML library reports the line of a syntax error but not where a
// well-formed key sits, and a dashboard's errors are mostly about
// well-formed keys (a bad duration, a duplicate feed name). positions
// finds them: a small scanner that walks the structure of a document the
// library has already accepted and notes where every key, table and array
// element starts. It never decides whether TOML is valid; on anything it
// does not follow it stops, and the errors it would have placed fall back
// to the line of an enclosing key, or to none.

// maxPath is the longest path the scanner notes. Deeper values are passed
// over (their errors fall back to the nearest enclosing path), so that
// the work for each key is bounded and a scan is linear in the file's
// size: joining and copying whole paths at every level made deeply nested
// input quadratic (6 KB of nested arrays took a quarter of a second).
const maxPath = 48

// pathSep joins path elements in position keys: it cannot occur in a
// decoded TOML key that a dashboard accepts, unlike '.'.
const pathSep = "\x1f"

// positions maps a path (table keys, array indices and keys, joined by
// pathSep) to the line where it starts.
type positions map[string]int

// line returns the line of path, or of the nearest enclosing path the
// scanner saw; 0 when none.
func (p positions) line(path []string) int {
	for n := len(path); n > 0; n-- {
		if l, ok := p[strings.Join(path[:n], pathSep)]; ok {
			return l
		}
	}
	return 0
}

func scanPositions(src []byte) positions {
	s := &posScanner{src: src, pos: positions{}, arrays: map[string]int{}}
	for i, c := range src {
		if c == '\n' {
			s.newlines = append(s.newlines, i)
		}
	}
	s.document()
	return s.pos
}

type posScanner struct {
	src      []byte
	i        int
	newlines []int          // offsets of '\n', for lineAt
	pos      positions      // the result
	arrays   map[string]int // path of each [[array]] table → elements so far
	table    []string       // the current table's path
}

func (s *posScanner) lineAt(off int) int {
	return 1 + sort.SearchInts(s.newlines, off)
}

func (s *posScanner) note(path []string, off int) {
	if len(path) > maxPath {
		return
	}
	k := strings.Join(path, pathSep)
	if _, seen := s.pos[k]; !seen {
		s.pos[k] = s.lineAt(off)
	}
}

func (s *posScanner) peek(n int) byte {
	if s.i+n < len(s.src) {
		return s.src[s.i+n]
	}
	return 0
}

// skip passes spaces, tabs, and with newlines also line breaks and
// comments.
func (s *posScanner) skip(newlines bool) {
	for s.i < len(s.src) {
		switch c := s.src[s.i]; {
		case c == ' ' || c == '\t':
			s.i++
		case newlines && (c == '\n' || c == '\r'):
			s.i++
		case newlines && c == '#':
			for s.i < len(s.src) && s.src[s.i] != '\n' {
				s.i++
			}
		default:
			return
		}
	}
}

func (s *posScanner) document() {
	for {
		s.skip(true)
		if s.i >= len(s.src) {
			return
		}
		start := s.i
		switch {
		case s.peek(0) == '[' && s.peek(1) == '[':
			s.i += 2
			key := s.key()
			if len(key) == 0 {
				return // not a table name: stop rather than guess
			}
			p := s.resolve(key[:len(key)-1])
			p = append(p, key[len(key)-1])
			k := strings.Join(p, pathSep)
			n := s.arrays[k]
			s.arrays[k] = n + 1
			s.table = append(p, index(n))
			s.note(p, start)
			s.note(s.table, start)
		case s.peek(0) == '[':
			s.i++
			s.table = s.resolve(s.key())
			s.note(s.table, start)
		default:
			key := s.key()
			if len(key) == 0 {
				return // not a key: stop rather than guess
			}
			s.keyValue(s.table, key, start)
		}
		// Whatever is left of the line: a closing bracket, a comment.
		for s.i < len(s.src) && s.src[s.i] != '\n' {
			s.i++
		}
	}
}

// resolve turns a table header's key into a path: a segment naming an
// array of tables means its last element.
func (s *posScanner) resolve(key []string) []string {
	var p []string
	for _, seg := range key {
		p = append(p, seg)
		if len(p) > maxPath {
			continue // not noted, so no array of tables to resolve
		}
		if n, ok := s.arrays[strings.Join(p, pathSep)]; ok {
			p = append(p, index(n-1))
		}
	}
	return p
}

// keyValue reads "= value" after key, noting key (and the tables a dotted
// key opens) at start.
func (s *posScanner) keyValue(table, key []string, start int) {
	path := append(append([]string(nil), table...), key...)
	for n := len(table) + 1; n <= min(len(path), maxPath); n++ {
		s.note(path[:n], start)
	}
	s.skip(false)
	if s.peek(0) != '=' {
		s.i = len(s.src) // lost: stop
		return
	}
	s.i++
	s.skip(false)
	s.value(path)
}

// key reads a dotted key: bare, "basic" or 'literal' segments.
func (s *posScanner) key() []string {
	var segs []string
	for {
		s.skip(false)
		switch c := s.peek(0); {
		case c == '"':
			start := s.i
			s.basicString()
			seg, err := strconv.Unquote(string(s.src[start:s.i]))
			if err != nil {
				seg = string(s.src[start+1 : max(start+1, s.i-1)])
			}
			segs = append(segs, seg)
		case c == '\'':
			start := s.i
			s.literalString()
			segs = append(segs, string(s.src[start+1:max(start+1, s.i-1)]))
		default:
			start := s.i
			for s.i < len(s.src) && isBare(s.src[s.i]) {
				s.i++
			}
			if s.i == start {
				return segs
			}
			segs = append(segs, string(s.src[start:s.i]))
		}
		s.skip(false)
		if s.peek(0) != '.' {
			return segs
		}
		s.i++
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value reads one value, noting the elements of arrays and the keys of
// inline tables under path.
func (s *posScanner) value(path []string) {
	if len(path) >= maxPath {
		s.skipValue()
		return
	}
	switch s.peek(0) {
	case '"':
		s.basicString()
	case '\'':
		s.literalString()
	case '[':
		s.i++
		for n := 0; s.i < len(s.src); n++ {
			s.skip(true)
			if s.peek(0) == ']' {
				s.i++
				return
			}
			el := append(append([]string(nil), path...), index(n))
			s.note(el, s.i)
			before := s.i
			s.value(el)
			s.skip(true)
			if s.peek(0) == ',' {
				s.i++
			} else if s.i == before {
				s.i = len(s.src) // no progress: stop
			}
		}
	case '{':
		s.i++
		for s.i < len(s.src) {
			s.skip(true)
			if s.peek(0) == '}' {
				s.i++
				return
			}
			start := s.i
			key := s.key()
			if len(key) == 0 {
				s.i = len(s.src)
				return
			}
			s.keyValue(path, key, start)
			s.skip(true)
			if s.peek(0) == ',' {
				s.i++
			}
		}
	default:
		// A number, boolean or date-time: up to the next delimiter (a
		// date-time may hold a space).
		for s.i < len(s.src) && !strings.ContainsRune(",]}#\r\n", rune(s.src[s.i])) {
			s.i++
		}
	}
}

// basicString passes a "basic" or """multi-line""" string.
func (s *posScanner) basicString() {
	defer s.clamp()
	if s.peek(1) == '"' && s.peek(2) == '"' {
		s.i += 3
		for s.i < len(s.src) {
			switch {
			case s.src[s.i] == '\\':
				s.i += 2
			case s.peek(0) == '"' && s.peek(1) == '"' && s.peek(2) == '"':
				s.i += 3
				// Up to two more quotes belong to the content.
				for n := 0; n < 2 && s.peek(0) == '"'; n++ {
					s.i++
				}
				return
			default:
				s.i++
			}
		}
		return
	}
	s.i++
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		switch s.src[s.i] {
		case '\\':
			s.i += 2
		case '"':
			s.i++
			return
		default:
			s.i++
		}
	}
}

// clamp undoes a step past the end (an escape at the very end).
func (s *posScanner) clamp() { s.i = min(s.i, len(s.src)) }

// literalString passes a literal string, in one or three single quotes.
func (s *posScanner) literalString() {
	defer s.clamp()
	if s.peek(1) == '\'' && s.peek(2) == '\'' {
		s.i += 3
		for s.i < len(s.src) {
			if s.peek(0) == '\'' && s.peek(1) == '\'' && s.peek(2) == '\'' {
				s.i += 3
				for n := 0; n < 2 && s.peek(0) == '\''; n++ {
					s.i++
				}
				return
			}
			s.i++
		}
		return
	}
	s.i++
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		if s.src[s.i] == '\'' {
			s.i++
			return
		}
		s.i++
	}
}

// skipValue passes one value without noting anything in it, in one pass
// without recursion: strings, and brackets and braces to the one that
// closes the first.
func (s *posScanner) skipValue() {
	depth := 0
	for s.i < len(s.src) {
		switch c := s.src[s.i]; {
		case c == '"':
			s.basicString()
			continue
		case c == '\'':
			s.literalString()
			continue
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			if depth == 0 {
				return // the end of the enclosing array or table
			}
			depth--
		case c == '#':
			for s.i < len(s.src) && s.src[s.i] != '\n' {
				s.i++
			}
			continue
		case depth == 0 && (c == ',' || c == '\r' || c == '\n'):
			return
		}
		s.i++
		if depth == 0 && (s.src[s.i-1] == ']' || s.src[s.i-1] == '}') {
			return
		}
	}
}

// Limits of a file's shape, far beyond any dashboard: the TOML library
// takes time growing faster than the square of a key's parts and of the
// nesting of inline tables (16 KB of one dotted key took 13 s, 24 KB of
// nested inline tables as long), so such files are refused before it sees
// them.
const (
	maxNesting  = 32 // arrays and inline tables inside each other
	maxKeyParts = 32 // parts of one dotted key
)

// checkShape finds, in one pass, the first place where src nests deeper
// than maxNesting or has a dotted key of more than maxKeyParts parts. It
// follows strings and comments, not the rest of TOML: a dot outside a
// string is a key's dot, or the one of a number, and the count restarts
// at every '=', ',', bracket, brace and line.
func checkShape(src []byte) (line int, msg string) {
	s := &posScanner{src: src}
	depth, parts, line := 0, 1, 1
	for s.i < len(src) {
		from := s.i
		switch c := src[s.i]; c {
		case '"':
			s.basicString()
		case '\'':
			s.literalString()
		case '#':
			for s.i < len(src) && src[s.i] != '\n' {
				s.i++
			}
		default:
			s.i++
			switch c {
			case '[', '{':
				if depth++; depth > maxNesting {
					return line, fmt.Sprintf("nested more than %d levels deep: not a dashboard file", maxNesting)
				}
				parts = 1
			case ']', '}':
				depth = max(depth-1, 0)
				parts = 1
			case '=', ',', '\n':
				parts = 1
			case '.':
				if parts++; parts > maxKeyParts {
					return line, fmt.Sprintf("a key of more than %d parts: not a dashboard file", maxKeyParts)
				}
			}
		}
		line += bytes.Count(src[from:s.i], []byte("\n"))
	}
	return 0, ""
}
