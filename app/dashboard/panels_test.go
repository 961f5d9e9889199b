package dashboard

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

func TestSetShown(t *testing.T) {
	known := []string{"a/temp1", "a/temp2", "a/debug.x", "a/debug.y", "b/load"}
	for _, tc := range []struct {
		name  string
		panel Panel
		on    bool
		want  Panel
	}{
		{"hide a matched series", Panel{Series: []SeriesRef{{Match: "a/*"}}}, false,
			Panel{Series: []SeriesRef{{Match: "a/*"}}, Hidden: []string{"a/temp1"}}},
		{"hide one already hidden", Panel{Series: []SeriesRef{{Match: "a/*"}}, Hidden: []string{"a/temp*"}}, false,
			Panel{Series: []SeriesRef{{Match: "a/*"}}, Hidden: []string{"a/temp*"}}},
		{"hide one not drawn", Panel{Series: []SeriesRef{{Match: "b/*"}}}, false,
			Panel{Series: []SeriesRef{{Match: "b/*"}}}},
		{"show an exactly hidden series", Panel{Series: []SeriesRef{{Match: "a/*"}}, Hidden: []string{"a/debug.x", "a/temp1"}}, true,
			Panel{Series: []SeriesRef{{Match: "a/*"}}, Hidden: []string{"a/debug.x"}}},
		{"show one a wildcard hid: the others it hid stay hidden", Panel{Series: []SeriesRef{{Match: "a/*"}}, Hidden: []string{"a/temp?", "a/debug.*"}}, true,
			Panel{Series: []SeriesRef{{Match: "a/*"}}, Hidden: []string{"a/temp2", "a/debug.*"}}},
		{"show a series of another feed", Panel{Series: []SeriesRef{{Match: "b/*", Unit: "°C"}}}, true,
			Panel{Series: []SeriesRef{{Match: "b/*", Unit: "°C"}, {Match: "a/temp1"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.panel
			p.Hidden = slices.Clone(p.Hidden)
			name := "a/temp1"
			if err := p.SetShown(name, tc.on, known); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p, tc.want) {
				t.Errorf("got %+v\nwant %+v", p, tc.want)
			}
			if p.Shows(name) != tc.on {
				t.Errorf("Shows(%s) = %v after SetShown(%v)", name, p.Shows(name), tc.on)
			}
			for _, k := range known {
				if k != name && p.Shows(k) != tc.panel.Shows(k) {
					t.Errorf("%s changed from %v to %v", k, tc.panel.Shows(k), p.Shows(k))
				}
			}
		})
	}
	p := Panel{Series: []SeriesRef{{Match: "*"}}}
	if err := p.SetShown("x*y", false, nil); err == nil || !p.Shows("xzy") {
		t.Errorf("hiding a name with a wildcard: %v, and xzy shown %v", err, p.Shows("xzy"))
	}
}

func TestRemovePanel(t *testing.T) {
	d := New()
	d.Panels = []Panel{{Title: "a"}, {Title: "b"}, {Title: "c"}}
	if err := d.RemovePanel(1); err != nil || len(d.Panels) != 2 || d.Panels[1].Title != "c" {
		t.Fatalf("RemovePanel(1): %v, %+v", err, d.Panels)
	}
	if err := d.RemovePanel(5); err == nil {
		t.Error("removing panel 6 of 2 accepted")
	}
	_ = d.RemovePanel(0)
	if err := d.RemovePanel(0); !errors.Is(err, ErrLastPanel) || len(d.Panels) != 1 {
		t.Errorf("removing the last panel: %v, %d panels left", err, len(d.Panels))
	}
}
