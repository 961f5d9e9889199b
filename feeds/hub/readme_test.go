package hub

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's table of serve's flags is what serve does: every flag is
// in it, and the default it gives is the flag's default.
func TestReadmeServeFlags(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "| Flag | Default | Meaning |\n|---|---|---|\n")
	if !ok {
		t.Fatal("README.md has no table of serve's flags")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	code := regexp.MustCompile("`([^`]*)`")
	documented := map[string]string{} // flag → default as the README gives it
	for row := range strings.SplitSeq(table, "\n") {
		cells := strings.Split(row, "|")
		if len(cells) < 4 {
			t.Fatalf("README flag table row %q", row)
		}
		var names, defaults []string
		for _, m := range code.FindAllStringSubmatch(cells[1], -1) {
			name, _, _ := strings.Cut(strings.TrimPrefix(m[1], "--"), " ")
			names = append(names, name)
		}
		for _, m := range code.FindAllStringSubmatch(cells[2], -1) {
			defaults = append(defaults, m[1])
		}
		for i, name := range names {
			documented[name] = ""
			if len(defaults) == len(names) {
				documented[name] = defaults[i]
			} else if len(defaults) != 0 {
				t.Errorf("README row %q: %d flags, %d defaults", row, len(names), len(defaults))
			}
		}
	}
	var c config
	c.flagSet().VisitAll(func(f *flag.Flag) {
		want, ok := documented[f.Name]
		if !ok {
			t.Errorf("--%s is not in the README's table", f.Name)
			return
		}
		delete(documented, f.Name)
		got := f.DefValue
		if got == "false" {
			got = "" // a switch: the README leaves its default blank
		}
		if got != want {
			t.Errorf("--%s: default %q, the README says %q", f.Name, got, want)
		}
	})
	for name := range documented {
		t.Errorf("the README documents --%s, which serve does not have", name)
	}
}
