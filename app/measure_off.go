//go:build !measure

package app

// measure does nothing in ordinary builds: counting repaints is for the
// `measure` build tag (see measure.go and make measure-window).
func measure(*UI) {}
