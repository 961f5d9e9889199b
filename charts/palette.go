package charts

import "image/color"

// palette holds series colours of middle lightness and high chroma, so each
// keeps contrast against both the light and the dark theme's background
// (none is near-white or near-black), with neighbours far apart in hue.
var palette = []color.NRGBA{
	{0x3d, 0x85, 0xe0, 0xff}, // blue
	{0xf0, 0x8a, 0x24, 0xff}, // orange
	{0x2e, 0xaa, 0x5c, 0xff}, // green
	{0xe0, 0x4b, 0x55, 0xff}, // red
	{0x9b, 0x6b, 0xd6, 0xff}, // purple
	{0x1d, 0xa8, 0xaa, 0xff}, // teal
	{0xd4, 0x5d, 0xa6, 0xff}, // pink
	{0xb8, 0x96, 0x1c, 0xff}, // olive gold
	{0x9c, 0x6e, 0x4e, 0xff}, // brown
	{0x6f, 0x86, 0xa6, 0xff}, // slate
}

// SeriesColor returns the colour of the series with the given creation
// index (series.Series.Index), the same colour the chart and legend use.
func SeriesColor(index int) color.NRGBA {
	if index < 0 {
		index = -index
	}
	return palette[index%len(palette)]
}
