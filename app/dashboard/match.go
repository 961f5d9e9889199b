package dashboard

import (
	"errors"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Pattern matches series names. Two characters are special: '*' matches
// any run of characters, including none and including '/', so "plc/*"
// takes every series of feed plc, even a Prometheus series whose label
// value holds a slash, and "*" takes everything; '?' matches exactly one
// character (one UTF-8 code point). Everything else matches itself: there
// is no escape character and no character class, so the braces, quotes,
// commas and equals signs of Prometheus names
// (node_load1, http_requests_total{code="200",method="get"}) and the
// brackets and dots of JSON paths (items[0].temp) are written as they are.
// A pattern matches a whole name, not a part of it.
//
// The zero Pattern matches only the empty name. Compile a pattern once
// and use it from any number of goroutines.
type Pattern struct {
	src   string
	kind  patternKind
	lit   string  // kindExact, kindPrefix, kindSuffix, kindContains
	parts []piece // the whole pattern; Match reads it for kindGlob only
}

type patternKind uint8

const (
	kindExact    patternKind = iota // no wildcard
	kindAll                         // "*"
	kindPrefix                      // "lit*"
	kindSuffix                      // "*lit"
	kindContains                    // "*lit*"
	kindGlob                        // anything else
)

// piece is one element of a glob: a literal run, '?', or '*'.
type piece struct {
	lit  string
	kind byte // 0 literal, '?' one character, '*' any run
}

// CompilePattern compiles a series pattern. It fails only for an empty
// pattern or one that is not UTF-8.
func CompilePattern(s string) (Pattern, error) {
	if s == "" {
		return Pattern{}, errors.New("empty series pattern")
	}
	if !utf8.ValidString(s) {
		return Pattern{}, errors.New("series pattern is not UTF-8")
	}
	p := Pattern{src: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.parts = append(p.parts, piece{lit: lit.String()})
			lit.Reset()
		}
	}
	for _, r := range s {
		switch r {
		case '*':
			flush()
			if n := len(p.parts); n == 0 || p.parts[n-1].kind != '*' {
				p.parts = append(p.parts, piece{kind: '*'})
			}
		case '?':
			flush()
			p.parts = append(p.parts, piece{kind: '?'})
		default:
			lit.WriteRune(r)
		}
	}
	flush()
	p.kind, p.lit = classify(p.parts)
	return p, nil
}

// classify picks a fast path for the common shapes.
func classify(ps []piece) (patternKind, string) {
	isLit := func(i int) bool { return i >= 0 && i < len(ps) && ps[i].kind == 0 }
	isStar := func(i int) bool { return i >= 0 && i < len(ps) && ps[i].kind == '*' }
	switch {
	case len(ps) == 1 && isLit(0):
		return kindExact, ps[0].lit
	case len(ps) == 1 && isStar(0):
		return kindAll, ""
	case len(ps) == 2 && isLit(0) && isStar(1):
		return kindPrefix, ps[0].lit
	case len(ps) == 2 && isStar(0) && isLit(1):
		return kindSuffix, ps[1].lit
	case len(ps) == 3 && isStar(0) && isLit(1) && isStar(2):
		return kindContains, ps[1].lit
	}
	return kindGlob, ""
}

// MustCompilePattern is CompilePattern for patterns known to be valid; it
// panics on an invalid one.
func MustCompilePattern(s string) Pattern {
	p, err := CompilePattern(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the pattern as written.
func (p Pattern) String() string { return p.src }

// Match reports whether p matches the whole of name.
func (p Pattern) Match(name string) bool {
	switch p.kind {
	case kindExact:
		return name == p.lit
	case kindAll:
		return true
	case kindPrefix:
		return strings.HasPrefix(name, p.lit)
	case kindSuffix:
		return strings.HasSuffix(name, p.lit)
	case kindContains:
		return strings.Contains(name, p.lit)
	}
	return globMatch(p.parts, name)
}

// globMatch is the classic wildcard match that backtracks only to the
// last '*' seen: a later '*' can absorb whatever an earlier one would
// have, so earlier choices never need revisiting. O(len(parts)·len(name))
// at worst, linear in practice.
func globMatch(parts []piece, name string) bool {
	pi, ni := 0, 0
	starPi, starNi := -1, 0
	for {
		if pi < len(parts) {
			switch pc := parts[pi]; pc.kind {
			case '*':
				starPi, starNi = pi, ni
				pi++
				continue
			case '?':
				if ni < len(name) {
					_, size := utf8.DecodeRuneInString(name[ni:])
					pi, ni = pi+1, ni+size
					continue
				}
			default:
				if strings.HasPrefix(name[ni:], pc.lit) {
					pi, ni = pi+1, ni+len(pc.lit)
					continue
				}
			}
		} else if ni == len(name) {
			return true
		}
		// Mismatch: let the last '*' take one more character.
		if starPi < 0 || starNi >= len(name) {
			return false
		}
		_, size := utf8.DecodeRuneInString(name[starNi:])
		starNi += size
		pi, ni = starPi+1, starNi
	}
}

// namesFeed reports whether p can match a series of feed in a qualified
// dashboard, that is some name "feed/...".
func (p Pattern) namesFeed(feed string) bool {
	return len(p.after(feed+"/")) > 0
}

// position is a place in a pattern: a piece, and a byte offset inside a
// literal piece.
type position struct{ pi, off int }

// after runs p over prefix as a set of positions (an NFA) and returns
// where it can stand once prefix is consumed: none when no name starting
// with prefix matches. Whatever is left of the pattern at each position
// matches some rest of a name (maybe empty).
func (p Pattern) after(prefix string) []position {
	parts := p.parts
	cur := map[position]bool{}
	var add func(s position)
	add = func(s position) {
		if cur[s] {
			return
		}
		cur[s] = true
		if s.pi < len(parts) && parts[s.pi].kind == '*' {
			add(position{s.pi + 1, 0}) // '*' may match nothing
		}
	}
	add(position{0, 0})
	for _, r := range prefix {
		next := cur
		cur = map[position]bool{}
		for s := range next {
			if s.pi >= len(parts) {
				continue // the pattern ended before the prefix did
			}
			switch pc := parts[s.pi]; pc.kind {
			case '*':
				add(s)
			case '?':
				add(position{s.pi + 1, 0})
			default:
				c, size := utf8.DecodeRuneInString(pc.lit[s.off:])
				if c != r {
					continue
				}
				if s.off+size == len(pc.lit) {
					add(position{s.pi + 1, 0})
				} else {
					add(position{s.pi, s.off + size})
				}
			}
		}
		if len(cur) == 0 {
			return nil
		}
	}
	out := make([]position, 0, len(cur))
	for s := range cur {
		out = append(out, s)
	}
	return out
}

// without returns patterns that match s exactly when p matches prefix+s
// (the derivative of p by prefix), sorted, without the empty pattern
// (no series has an empty name). None when p matches no name that starts
// with prefix; ["*"] when p takes every such name.
func (p Pattern) without(prefix string) []string {
	seen := map[string]bool{}
	states := p.after(prefix)
	for _, s := range states {
		if s.off == 0 && s.pi > 0 && p.parts[s.pi-1].kind == '*' && slices.Contains(states, position{s.pi - 1, 0}) {
			continue // what the '*' before it matches includes this
		}
		var b strings.Builder
		for i := s.pi; i < len(p.parts); i++ {
			switch pc := p.parts[i]; pc.kind {
			case '*', '?':
				b.WriteByte(pc.kind)
			default:
				if i == s.pi {
					b.WriteString(pc.lit[s.off:])
				} else {
					b.WriteString(pc.lit)
				}
			}
		}
		if rest := b.String(); rest != "" {
			seen[rest] = true
		}
	}
	if seen["*"] {
		return []string{"*"} // matches all the others match
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Matcher matches a name against a list of patterns (a panel's series
// entries, or its hidden ones), all compiled once. Exact names, the usual
// case for a panel built by ticking series, are looked up in a map.
type Matcher struct {
	exact map[string]int // name → index of its first entry
	globs []indexed      // the other patterns, in entry order
}

type indexed struct {
	i int
	p Pattern
}

// NewMatcher compiles patterns.
func NewMatcher(patterns []string) (*Matcher, error) {
	m := &Matcher{exact: map[string]int{}}
	for i, s := range patterns {
		p, err := CompilePattern(s)
		if err != nil {
			return nil, err
		}
		if p.kind == kindExact {
			if _, dup := m.exact[p.lit]; !dup {
				m.exact[p.lit] = i
			}
			continue
		}
		m.globs = append(m.globs, indexed{i, p})
	}
	return m, nil
}

// Match returns the index of the first pattern that matches name, and
// false when none does.
func (m *Matcher) Match(name string) (int, bool) {
	best, ok := m.exact[name]
	for _, g := range m.globs {
		if ok && g.i > best {
			break
		}
		if g.p.Match(name) {
			return g.i, true
		}
	}
	return best, ok
}

// Matcher compiles the panel's series entries; Match's index is the
// entry whose name, unit and fn apply.
func (p *Panel) Matcher() (*Matcher, error) {
	ms := make([]string, len(p.Series))
	for i, s := range p.Series {
		ms[i] = s.Match
	}
	return NewMatcher(ms)
}

// Shows reports whether the panel draws the series named name: one of its
// entries matches it and none of its hidden patterns does. For many
// names, compile once with Matcher instead.
func (p *Panel) Shows(name string) bool {
	m, err := p.Matcher()
	if err != nil {
		return false
	}
	if _, ok := m.Match(name); !ok {
		return false
	}
	h, err := NewMatcher(p.Hidden)
	if err != nil {
		return false
	}
	_, hidden := h.Match(name)
	return !hidden
}
