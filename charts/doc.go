// Package charts is a live line-chart widget for Fyne that stays smooth from
// ten points to ten million.
//
// A Chart draws the series of a series.Store. Each frame it finds the points
// in view by binary search, reduces them to at most four per pixel column
// (M4: first, min, max, last — the same pixels as drawing every point), and
// rasterises the lines anti-aliased into one reused *image.RGBA shown by a
// canvas.Raster at device pixels. Axes, ticks, legend and tooltip are
// ordinary Fyne objects. A frame costs O(plot width), not O(points).
//
// A person can hover for a crosshair and a tooltip, scroll to zoom the time
// axis, drag to pan it (also while data streams in), tap a legend entry to
// hide or show its series, and press Live to return to follow mode. Once
// tapped, the chart also takes the keyboard: arrows pan and zoom, space
// pauses, l, End or Escape return to Live.
//
// A chart may carry thresholds (SetThresholds): horizontal lines with a
// label at their right end, optionally shading the area beyond, painted
// into the same raster under the series; and it can be shown as firing
// (SetAlert), its frame and background in the theme's error colour.
//
// Charts that join a Group share one time axis and one crosshair, as a
// dashboard's panels do: any member's zoom, pan, pause or Live moves all of
// them in the same frame, and hovering one draws the crosshair at the same
// moment in every member, the tooltip in the hovered one only.
//
// # Concurrency
//
// Feed goroutines append to the Store at any time; they never call into
// Fyne and never wait for the UI. Every Chart method must be called on the
// Fyne main goroutine (menu and button callbacks are; elsewhere wrap calls
// in fyne.Do). While the chart is shown, a frame clock on the main
// goroutine (a fyne.Animation) compares Store.Version with the version last
// drawn and refreshes at most once per display frame, so the fyne.Do queue
// is never fed per sample. The renderer's Destroy stops the clock; the
// package starts no goroutines. A Group, too, belongs to the main
// goroutine: Add, Remove and every member's methods are called there, and
// the group's frame runs on one member's frame clock.
package charts
