package dashboard

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrLastPanel is RemovePanel's refusal to leave a dashboard without a
// panel: the window would have nowhere to draw.
var ErrLastPanel = errors.New("the last panel of a dashboard cannot be removed: add another panel first")

// RemovePanel removes panel i. The last panel stays (ErrLastPanel).
func (d *Dashboard) RemovePanel(i int) error {
	if i < 0 || i >= len(d.Panels) {
		return fmt.Errorf("no panel %d", i+1)
	}
	if len(d.Panels) == 1 {
		return ErrLastPanel
	}
	d.Panels = slices.Delete(d.Panels, i, i+1)
	return nil
}

// SetShown makes the panel draw the series named name, or stop drawing
// it, by editing its series entries and hidden patterns (what a file
// keeps), not by a flag that would be lost on saving.
//
// Hiding adds name to Hidden. Showing removes the hidden patterns that
// match name; a wildcard one is replaced by the names in known (the
// series there are now) that it hid, other than name, so they stay
// hidden. A series that no entry matches gets an entry of its own: a
// series may be on several panels.
//
// A name holding '*' or '?' cannot be written as a pattern that matches
// it alone; SetShown refuses it rather than hide or show others with it.
func (p *Panel) SetShown(name string, on bool, known []string) error {
	if name == "" {
		return errors.New("no series named")
	}
	if strings.ContainsAny(name, "*?") {
		return fmt.Errorf("series %q holds * or ?, so no pattern names it alone", name)
	}
	if !on {
		if !p.Shows(name) {
			return nil
		}
		p.Hidden = append(p.Hidden, name)
		return nil
	}
	var hidden []string
	for _, h := range p.Hidden {
		pat, err := CompilePattern(h)
		if err != nil || !pat.Match(name) {
			hidden = append(hidden, h)
			continue
		}
		if pat.kind == kindExact {
			continue
		}
		for _, k := range known {
			if k != name && pat.Match(k) && !strings.ContainsAny(k, "*?") && !slices.Contains(hidden, k) {
				hidden = append(hidden, k)
			}
		}
	}
	p.Hidden = hidden
	m, err := p.Matcher()
	if err != nil {
		return err
	}
	if _, ok := m.Match(name); !ok {
		p.Series = append(p.Series, SeriesRef{Match: name})
	}
	return nil
}
