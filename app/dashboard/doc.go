// Package dashboard is the model of a Feedscope dashboard: feeds, the
// panels that chart their series, and the file that keeps them. It has no
// user interface and imports no Fyne.
package dashboard
