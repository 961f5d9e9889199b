package recording

import (
	"reflect"
	"testing"
)

// FuzzLongFastPath loads rows after a start that has taught the loader
// its series, once with the in-place reading of plain rows and once
// without: points, series and bad lines (with their numbers and reasons)
// must be the same.
func FuzzLongFastPath(f *testing.F) {
	const head = "time,series,value\n" +
		"2026-03-14T09:26:53.000000000Z,a,1\n" +
		"2026-03-14T09:26:53.000000000Z,b,2\n" +
		"2026-03-14T09:26:53.010000000Z,a,3\n" +
		"2026-03-14T09:26:53.010000000Z,b,4\n"
	for _, s := range []string{
		"2026-03-14T09:26:53.020000000Z,a,5\n2026-03-14T09:26:53.020000000Z,b,6\n",
		"2026-03-14T09:26:53,020000000Z,a,5\n",
		"2026-03-14T09:27:00.000000000Z,b,7.25\r\n2026-03-14T09:27:00.000000001Z,a,-0.5\n",
		"2026-03-14T09:26:53.020000000Z,a,5,6\n",
		"2026-03-14T09:26:53.020000000Z,\"a\",5\n",
		"2026-03-14T09:26:53.020000000Z,a, 5\n",
		"2026-03-14T09:26:53.020000000Z,c,5\n2026-03-14T09:26:53.020000000Z,c,5\n",
		"2026-03-14T09:26:53.020000000Z,\"a,b\",5\n2026-03-14T09:26:53.030000000Z,a,b,5\n",
		"2026-03-14T09:26:53.020000000Z,a,1e400\n2026-03-14T09:26:53.020000000Z,a,NaN\n",
		"2026-03-14T09:26:53.020000000Z ,a,5\n2026-03-14 09:26:53.02,b,5\n",
		"2026-03-14T09:26:61.020000000Z,a,5\n",
		"1773480413,a,5\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rows string) {
		data := []byte(head + rows)
		opts := Options{MaxLineBytes: 200}
		fast := loadBytes(t, data, opts)
		longFast = false
		defer func() { longFast = true }()
		slow := loadBytes(t, data, opts)
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("rows %q:\nin place %+v\ngeneral  %+v", rows, fast, slow)
		}
	})
}
