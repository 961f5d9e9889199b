package recording_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"feedscope/feeds/recording"
)

// A window estimates the memory first, then loads with a progress bar
// and a Cancel button (the context), and shows the report.
func Example() {
	path := filepath.Join(os.TempDir(), "example-recording.csv")
	os.WriteFile(path, []byte("time;temp °C;weather;hum\n"+
		"2024-06-01 12:00:00;21,5;sunny;40\n"+
		"2024-06-01 12:00:01;21,6;sunny;\n"+
		"2024-06-01 12:00:02;oops;cloudy;41\n"+
		"2024-06-01 12:00:03;21,8\n"), 0o600)
	defer os.Remove(path)

	est, err := recording.Estimate(path, recording.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s, about %d points, %d bytes\n", est.Format, est.Points, est.Bytes)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := recording.Load(ctx, path, recording.Options{
		Progress: func(read, total int64) { /* move the progress bar */ },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Series {
		fmt.Println(s.Name, s.V)
	}
	fmt.Println(res.Summary())
	// Output:
	// wide CSV, about 4 points, 64 bytes
	// temp °C [21.5 21.6]
	// hum [40 41]
	// 4 points in 2 series (wide CSV); 2 bad lines skipped: line 4: column "temp °C": bad number "oops", line 5: 2 fields, the header has 4; column "weather" holds no numbers and was left out
}
