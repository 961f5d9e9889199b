package hub

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The index page's live view shows every event, typed ones (flask-sse's
// "type") as well as plain ones. The page's own script runs in Node.js
// against a real hub, with a stand-in for the two DOM elements it writes.
func TestIndexShowsTypedEvents(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node (Node.js) is needed to run the index page's script: apt-get install nodejs")
	}
	h, base := newHub(t, Options{})
	script := regexp.MustCompile(`(?s)<script>(.*)</script>`).FindStringSubmatch(indexHTML)[1]
	harness := `
const els = {log: {textContent: ""}, state: {textContent: ""}};
globalThis.document = {baseURI: process.argv[1] + "/", getElementById: id => els[id]};
const deadline = Date.now() + 8000;
const timer = setInterval(() => {
  const t = els.log.textContent;
  if (t.includes("after-typed") && t.includes("after-plain") || Date.now() > deadline) {
    console.log(els.state.textContent + "\n" + t);
    process.exit(0);
  }
}, 20);
`
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "-e", harness+script, base)
	done := make(chan struct{})
	var out []byte
	var runErr error
	go func() { defer close(done); out, runErr = cmd.CombinedOutput() }()
	waitClients(t, h, 1)
	h.Publish(Event{Type: "tick", Data: "after-typed"})
	h.Publish(Event{Data: "after-plain"})
	<-done
	if runErr != nil {
		t.Fatalf("node: %v\n%s", runErr, out)
	}
	got := string(out)
	for _, want := range []string{"connected\n", "1 [tick]  after-typed", "2  after-plain"} {
		if !strings.Contains(got, want) {
			t.Errorf("the live view lacks %q:\n%s", want, got)
		}
	}
}
