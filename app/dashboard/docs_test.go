package dashboard

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README shows the dashboard of its screenshot, docs/dashboard.toml,
// as it is: the file loads, and the README quotes it whole.
func TestReadmeScreenshotDashboard(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "dashboard.toml")
	d, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Feeds) != 2 || len(d.Panels) != 3 {
		t.Errorf("docs/dashboard.toml has %d feeds and %d panels, the README says 2 and 3", len(d.Feeds), len(d.Panels))
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if block := readmeTOML(t, "### Building a dashboard in the window\n"); block != string(file) {
		t.Errorf("the README's dashboard is not docs/dashboard.toml:\n%s", block)
	}
}

// readmeTOML is the first toml block of the README after heading.
func readmeTOML(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), heading)
	if !ok {
		t.Fatalf("README.md has no %q", strings.TrimSpace(heading))
	}
	_, block, ok := strings.Cut(section, "```toml\n")
	block, _, ok2 := strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatalf("README.md has no toml block after %q", strings.TrimSpace(heading))
	}
	return block
}
