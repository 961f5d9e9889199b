// Package assets holds the files bundled into the feedscope binary: the
// application icon (drawn by icon_gen.go; FyneApp.toml points the
// packager at the same file).
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:generate go run icon_gen.go

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon, for the window and the app.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
