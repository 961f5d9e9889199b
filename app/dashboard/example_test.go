package dashboard_test

import (
	"fmt"

	"feedscope/app/dashboard"
)

func Example() {
	d, err := dashboard.Parse("line3.toml", []byte(`
title = "Line 3"

[[feed]]
name = "plc"
url = "ws://10.0.0.7:8765/"
headers = { Authorization = "Bearer ${PLC_TOKEN}", Cookie = "sid=abc" }

[[feed]]
name = "node"
url = "http://10.0.0.5:9100/metrics"
interval = "5s"

[[panel]]
title = "Temperatures"
series = ["plc/temp.*"]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, _ := d.Panels[0].Matcher()
	for _, s := range []string{"temp.inlet", "temp.outlet", "pressure"} {
		name := d.SeriesName("plc", s)
		_, shown := m.Match(name)
		fmt.Println(name, shown)
	}
	fmt.Println(d.LiteralSecrets())
	// Output:
	// plc/temp.inlet true
	// plc/temp.outlet true
	// plc/pressure false
	// [feed plc: header Cookie]
}

func ExampleParse_error() {
	_, err := dashboard.Parse("line3.toml", []byte(`
[[feed]]
name = "plc"
url = "ws://10.0.0.7:8765/"
heartbeat = "15"
`))
	fmt.Println(err)
	// Output:
	// line3.toml:5: feed.heartbeat: "15" is not a duration (want e.g. "500ms", "5s", "1m30s")
}
