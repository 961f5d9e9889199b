package feeds_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"feedscope/feeds"
)

// Run a feed against an SSE server and decode what it sends. The feed
// reconnects by itself until its context ends.
func ExampleRun() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: cpu\ndata: 12.5\n\ndata: {\"mem\":{\"used\":4096}}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var dec feeds.Decoder
	seen := 0
	err := feeds.Run(ctx, feeds.Config{URL: srv.URL}, func(e feeds.Event) {
		switch e.Kind {
		case feeds.KindStatus:
			fmt.Println("state:", e.Status.State, e.Status.Transport.Title())
		case feeds.KindMessage:
			for _, s := range dec.Decode(e.Message).Samples {
				fmt.Printf("%s = %g\n", s.Series, s.Value)
			}
			if seen++; seen == 2 {
				cancel()
			}
		}
	})
	fmt.Println("stopped, error:", err)
	// Output:
	// state: Connecting Auto
	// state: Connected SSE
	// cpu = 12.5
	// mem.used = 4096
	// state: Stopped SSE
	// stopped, error: <nil>
}
