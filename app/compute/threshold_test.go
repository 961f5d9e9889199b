package compute

import (
	"image/color"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseColour(t *testing.T) {
	good := map[string]color.NRGBA{
		"":          colourValues["red"],
		"Red":       colourValues["red"],
		" grey ":    {0x80, 0x80, 0x80, 0xff},
		"gray":      {0x80, 0x80, 0x80, 0xff},
		"#f80":      {0xff, 0x88, 0x00, 0xff},
		"#3D85E0":   {0x3d, 0x85, 0xe0, 0xff},
		"#3d85e080": {0x3d, 0x85, 0xe0, 0x80},
	}
	for s, want := range good {
		if got, err := ParseColour(s); err != nil || got != want {
			t.Errorf("ParseColour(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"redd", "#12", "#12345", "#1234567", "#gg0000", "#+f0000", "f80", "#", "rgb(1,2,3)"} {
		_, err := ParseColour(s)
		if err == nil || !strings.Contains(err.Error(), "#rrggbb") {
			t.Errorf("ParseColour(%q) = %v, want an error naming the forms", s, err)
		}
	}
	for _, n := range ColourNames {
		if _, err := ParseColour(n); err != nil {
			t.Errorf("listed name %q: %v", n, err)
		}
	}
}

func TestThreshold(t *testing.T) {
	th := Threshold{Value: 2, Colour: "orange", Label: "load>2", Shade: true, Alarm: true, For: 30 * time.Second, Hysteresis: 0.2}
	if err := th.Validate(); err != nil {
		t.Fatal(err)
	}
	if !th.Beyond(2.01) || th.Beyond(2) || th.Beyond(1) {
		t.Error("Beyond above is wrong")
	}
	below := Threshold{Value: 2, Dir: Below}
	if !below.Beyond(1.99) || below.Beyond(2) || below.Beyond(3) {
		t.Error("Beyond below is wrong")
	}
	r, err := th.Rule("load1")
	if err != nil {
		t.Fatal(err)
	}
	want := Rule{Name: "load>2", Series: "load1", Value: 2, For: 30 * time.Second, Hysteresis: 0.2}
	if r != want {
		t.Errorf("Rule = %+v, want %+v", r, want)
	}
	if _, err := (Threshold{Value: 1}).Rule("x"); err == nil {
		t.Error("a threshold that is not an alarm gave a rule")
	}
	for _, bad := range []Threshold{
		{Value: math.NaN()}, {Colour: "#xyz"}, {Dir: 2}, {For: -1}, {Hysteresis: -0.1}, {Hysteresis: math.Inf(1)},
	} {
		if bad.Validate() == nil {
			t.Errorf("Validate(%+v) accepted", bad)
		}
		if _, err := bad.Rule("x"); err == nil {
			t.Errorf("Rule of invalid %+v accepted", bad)
		}
	}
}

func TestParseDirection(t *testing.T) {
	for s, want := range map[string]Direction{"": Above, "above": Above, " Below ": Below} {
		if got, err := ParseDirection(s); err != nil || got != want {
			t.Errorf("ParseDirection(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseDirection("over"); err == nil {
		t.Error(`ParseDirection("over") accepted`)
	}
}
