package app

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"feedscope/feeds"
)

// A recording opens in the window by its file URL: the Transport menu
// shows Recording file, the whole file arrives, the feed then stops with
// no error, and the message log shows the replayed samples. Another
// transport chosen for a file URL says why it cannot read it.
func TestWindowReplaysAFileURL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.csv")
	rows := "time,temp,ts\n2026-06-01T12:00:00Z,21.5,1\n2026-06-01T12:00:01Z,21.6,2\n2026-06-01T12:00:02Z,21.7,3\n"
	if err := os.WriteFile(path, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	raw := (&url.URL{Scheme: "file", Path: path, RawQuery: "speed=0"}).String()
	if err := checkURL(raw, feeds.Auto); err != nil {
		t.Fatalf("checkURL(%s): %v", raw, err)
	}

	a := test.NewTempApp(t)
	a.Preferences().SetString(prefURL, "http://127.0.0.1:1/unused")
	u := newTestUI(t, a, Options{})
	menuItem(t, u, "Transport", feeds.File.Title())
	u.url.SetText(raw)
	u.connect()
	waitFor(t, u, "the whole recording, then Stopped", func() bool {
		return u.status.st.State == feeds.Stopped && samplesOf(u, "temp") == 3 && samplesOf(u, "ts") == 3
	})
	if u.status.st.Err != nil || u.status.st.Transport != feeds.File {
		t.Errorf("stopped via %v with %v, want the file transport and no error", u.status.st.Transport, u.status.st.Err)
	}
	u.log.setShown(true)
	found := false
	for _, e := range u.log.entries {
		found = found || (e.Kind == logMessage && e.Text == "temp=21.7 ts=3")
	}
	if !found {
		t.Errorf("the message log does not show the last replayed samples as temp=21.7 ts=3: %+v", u.log.entries)
	}

	u.setTransport(feeds.Poll)
	u.connect()
	waitFor(t, u, "the transport mismatch", func() bool {
		return u.status.st.State == feeds.Stopped && strings.Contains(u.status.detail.Text, "Recording file")
	})
}
