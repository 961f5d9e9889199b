package feeds

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The numbers the README gives for a feed's defaults are the ones the
// code uses: each phrase is built from the constant, so a default changed
// in one place and not the other fails here.
func TestReadmeGivesTheDefaults(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ") // line breaks do not count
	s := func(d time.Duration) string {
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
	}
	for _, phrase := range []string{
		fmt.Sprintf("`GET` every interval (default %s)", s(DefaultPollInterval)),
		fmt.Sprintf("Each request has a timeout (default %s)", s(DefaultRequestTimeout)),
		fmt.Sprintf("N = the hold, default %s", s(DefaultHold)),
		fmt.Sprintf("a read limit (default %d MiB)", DefaultReadLimit>>20),
		fmt.Sprintf("Protocol pings at the heartbeat interval (default %s)", s(DefaultHeartbeat)),
		fmt.Sprintf("gives the server %s to answer it", s(wsCloseGrace)),
		fmt.Sprintf("for %d× the longer of %s and the longest gap", sseIdleFactor, s(sseIdleFloor)),
		fmt.Sprintf("up to a cap (**%s** by default)", s(DefaultBackoffMax)),
		fmt.Sprintf("start at least %s apart", s(DefaultBackoffFloor)),
	} {
		if !strings.Contains(readme, phrase) {
			t.Errorf("the README does not say %q", phrase)
		}
	}
	// "Within" is a bound: the first delay with the most jitter.
	const within = 500 * time.Millisecond
	if !strings.Contains(readme, "the first retry comes within "+s(within)) {
		t.Errorf("the README does not bound the first retry by %s", s(within))
	}
	if longest := time.Duration(float64(DefaultBackoffInitial) * (1 + DefaultBackoffJitter)); longest > within {
		t.Errorf("the first retry may come after %v, past the README's %v", longest, within)
	}
}
