package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

var themeTitles = map[string]string{"system": "Follow system", "light": "Light", "dark": "Dark"}

// variantTheme is the default theme with its light or dark variant fixed,
// for the View menu's choice.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

func (u *UI) applyTheme() {
	switch u.themeName {
	case "light":
		u.app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case "dark":
		u.app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		u.themeName = "system"
		u.app.Settings().SetTheme(theme.DefaultTheme())
	}
}

func (u *UI) setTheme(name string) {
	u.themeName = name
	u.prefs.SetString(prefTheme, name)
	u.applyTheme()
	u.menu.sync(u)
}
