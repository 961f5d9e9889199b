package dashboard

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzParse: no input panics or hangs the loader, every error is an
// *Error with a file name, and whatever loads is written back to a file
// that loads to the same dashboard.
func FuzzParse(f *testing.F) {
	f.Add(docExample(f))
	f.Add([]byte(twoFeeds))
	for _, d := range roundTripCases(f) {
		data, err := d.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("a = '''x\n''''\nb = \"\"\"\\\n\"\"\"\n[[feed]]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := Parse("f.toml", src)
		if err != nil {
			if d != nil {
				t.Fatal("a dashboard with an error")
			}
			if !bytes.Contains([]byte(err.Error()), []byte("f.toml")) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		data, err := d.Marshal()
		if err != nil {
			t.Fatalf("a loaded dashboard does not save: %v", err)
		}
		again, err := Parse("again.toml", data)
		if err != nil {
			t.Fatalf("a saved dashboard does not load: %v\n%s", err, data)
		}
		if !reflect.DeepEqual(again, d) {
			t.Fatalf("round trip changed\n%#v\ninto\n%#v", d, again)
		}
	})
}

// FuzzPositions: the line finder copes with any TOML the library
// accepts, and never points past the end of the file.
func FuzzPositions(f *testing.F) {
	f.Add(docExample(f))
	f.Add([]byte("x = \"\\"))
	f.Add([]byte("[[a.b]]\n[a.b.c]\nd.e = [1, {f = 2}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := bytes.Count(src, []byte("\n")) + 1
		for k, l := range scanPositions(src) {
			if l < 1 || l > lines {
				t.Fatalf("%q at line %d of %d", k, l, lines)
			}
		}
	})
}
