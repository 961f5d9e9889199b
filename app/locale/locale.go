// Package locale keeps Fyne quiet under the C locale. Fyne reads the user's
// language from LC_ALL, LC_MESSAGES or LANG when its packages initialise,
// and logs three lines of "Error parsing user locale C" for C.UTF-8 (the
// usual locale of containers and CI) on every run, including on the
// standard error of `feedscope record`, whose lines are meant to be read.
// For C.* it names English in LANGUAGE, which only chooses translations.
//
// Package app imports it, blank: Go initialises packages in import-path
// order among those whose dependencies are ready, and this one needs only
// os, so it runs before any fyne.io package.
package locale

import (
	"os"
	"strings"
)

func init() {
	for _, env := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(env)
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "C.") && os.Getenv("LANGUAGE") == "" {
			os.Setenv("LANGUAGE", "en_US")
		}
		return
	}
}
