package hub_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"feedscope/feeds/hub"
)

// The app's first-launch demo: a generator hub on a free loopback port,
// in-process, stopped when the app no longer needs it.
func ExampleStartDemo() {
	baseURL, stop, err := hub.StartDemo(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	// Point a feed at baseURL+"/sse", "/ws" or "/poll"; here, its health.
	resp, err := http.Get(baseURL + "/healthz")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var health struct{ Status string }
	_ = json.NewDecoder(resp.Body).Decode(&health)
	fmt.Println(health.Status)
	// Output: ok
}
