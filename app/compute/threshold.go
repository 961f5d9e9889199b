package compute

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"
)

// Direction is the side of a threshold that counts as beyond it: the side
// shaded, and the side an alarm fires on.
type Direction uint8

const (
	Above Direction = iota // the zero value
	Below
)

func (d Direction) String() string {
	if d == Below {
		return "below"
	}
	return "above"
}

// ParseDirection reads "above" or "below"; an empty text is Above.
func ParseDirection(s string) (Direction, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "above":
		return Above, nil
	case "below":
		return Below, nil
	}
	return Above, fmt.Errorf("compute: direction %q: want above or below", s)
}

// Threshold is a horizontal line on a panel, optionally with the area
// beyond it shaded, and optionally an alarm. The zero value is a line at 0,
// above, in the default alarm colour, that is not an alarm.
type Threshold struct {
	Value float64
	// Colour is a name from ColourNames or #rgb, #rrggbb, #rrggbbaa; empty
	// means "red".
	Colour string
	Label  string
	// Shade fills the area beyond the line (on the side Dir says).
	Shade bool
	Dir   Direction
	// Alarm makes the threshold an alarm (see Rule); For and Hysteresis
	// matter only then.
	Alarm      bool
	For        time.Duration
	Hysteresis float64
}

// Validate reports the first thing wrong with th.
func (th Threshold) Validate() error {
	if math.IsNaN(th.Value) || math.IsInf(th.Value, 0) {
		return fmt.Errorf("compute: threshold value %v is not a finite number", th.Value)
	}
	if _, err := ParseColour(th.Colour); err != nil {
		return err
	}
	if th.Dir > Below {
		return fmt.Errorf("compute: threshold direction %d is neither above nor below", th.Dir)
	}
	if th.For < 0 {
		return fmt.Errorf("compute: threshold for %v is negative", th.For)
	}
	if th.Hysteresis < 0 || math.IsNaN(th.Hysteresis) || math.IsInf(th.Hysteresis, 0) {
		return fmt.Errorf("compute: threshold hysteresis %v is not a finite number ≥ 0", th.Hysteresis)
	}
	return nil
}

// Beyond reports whether v lies beyond the line (strictly).
func (th Threshold) Beyond(v float64) bool {
	if th.Dir == Below {
		return v < th.Value
	}
	return v > th.Value
}

// Rule returns the alarm rule of th for the series called series.
func (th Threshold) Rule(series string) (Rule, error) {
	if err := th.Validate(); err != nil {
		return Rule{}, err
	}
	if !th.Alarm {
		return Rule{}, errors.New("compute: threshold is not an alarm")
	}
	return Rule{Name: th.Label, Series: series, Kind: ThresholdAlarm, Dir: th.Dir,
		Value: th.Value, Hysteresis: th.Hysteresis, For: th.For}, nil
}

// ColourNames lists the colour names ParseColour knows, in the order a
// colour menu would offer them.
var ColourNames = []string{"red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "grey", "black", "white"}

var colourValues = map[string]color.NRGBA{
	"red":    {0xd6, 0x28, 0x28, 0xff},
	"orange": {0xf2, 0x8c, 0x18, 0xff},
	"yellow": {0xe8, 0xc5, 0x1a, 0xff},
	"green":  {0x2e, 0xa0, 0x43, 0xff},
	"teal":   {0x14, 0x9e, 0x9e, 0xff},
	"blue":   {0x2f, 0x6f, 0xd6, 0xff},
	"purple": {0x8e, 0x4f, 0xc9, 0xff},
	"pink":   {0xd6, 0x4f, 0x9a, 0xff},
	"grey":   {0x80, 0x80, 0x80, 0xff},
	"gray":   {0x80, 0x80, 0x80, 0xff},
	"black":  {0x00, 0x00, 0x00, 0xff},
	"white":  {0xff, 0xff, 0xff, 0xff},
}

// ParseColour reads a colour name (ColourNames, case-insensitive; "gray"
// too) or a hex colour #rgb, #rrggbb or #rrggbbaa. An empty text is red,
// the alarm colour.
func ParseColour(s string) (color.NRGBA, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if name == "" {
		name = "red"
	}
	if c, ok := colourValues[name]; ok {
		return c, nil
	}
	bad := fmt.Errorf("compute: colour %q: want a name (%s) or #rgb, #rrggbb, #rrggbbaa", s, strings.Join(ColourNames, ", "))
	hex, ok := strings.CutPrefix(name, "#")
	if !ok {
		return color.NRGBA{}, bad
	}
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	if len(hex) == 6 {
		hex += "ff"
	}
	if len(hex) != 8 {
		return color.NRGBA{}, bad
	}
	x, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return color.NRGBA{}, bad
	}
	return color.NRGBA{R: uint8(x >> 24), G: uint8(x >> 16), B: uint8(x >> 8), A: uint8(x)}, nil
}
