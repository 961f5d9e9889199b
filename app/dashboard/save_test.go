package dashboard

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"feedscope/app/compute"
	"feedscope/feeds"
)

// roundTripCases are dashboards Marshal must write so that they load back
// the same.
func roundTripCases(t testing.TB) map[string]*Dashboard {
	t.Helper()
	example, err := Parse("example.toml", docExample(t))
	if err != nil {
		t.Fatal(err)
	}
	every := DefaultFeedSettings()
	every = FeedSettings{
		PollInterval: 250 * time.Millisecond, Hold: 50 * time.Second, Heartbeat: 90 * time.Second, PingText: "ping", PongText: "pong",
		MQTTUsername: "meter", MQTTPassword: "s3cret",
		Headers: []string{
			"Accept: application/json",
			"Authorization: Bearer ${TOKEN}",
			"Cookie: a=1",
			"Cookie: b=\"2\"; c=$literal",
			"X-Odd.Name!: v\\w",
		},
		ReadLimit: 4 << 20, History: 36 * time.Hour, ArrivalTime: true, InsecureSkipVerify: true,
	}
	return map[string]*Dashboard{
		"single URL":  FromSettings("http://localhost:8080/poll", feeds.Poll, DefaultFeedSettings()),
		"doc example": example,
		"every setting": {
			Title: "Ünïcode \"quoted\" \\ back\tslash\nnew line", Window: WindowAll, Columns: 4,
			Feeds: []Feed{
				{Name: "a b.c", URL: "wss://u:p@h:1/x?token=${NOT_EXPANDED}", Transport: feeds.SSE, Settings: every},
				{Name: "ünï", URL: "http://h/", Transport: feeds.WebSocket, Settings: DefaultFeedSettings()},
			},
			Panels: []Panel{
				{Title: "", Series: []SeriesRef{{Match: "*"}}},
				{Title: "prom", Unit: "B/s", Y: &YRange{-1e-300, 1e300},
					Series: []SeriesRef{
						{Match: `a b.c/http_requests_total{code="200",method="get"}`, Name: "ok", Unit: "req/s", Fn: "rate | avg 30s"},
						{Match: "ünï/temp.?"},
						{Match: "*/node_filesystem_avail_bytes{mountpoint=\"/home\"}", Fn: "scale 1e-9"},
					},
					Hidden: []string{"ünï/temp.9", "a b.c/*debug*"}},
				{Title: "decimals", Y: &YRange{0.1, 0.30000000000000004},
					Thresholds: []compute.Threshold{
						{Value: 0.2},
						{Value: -1e-9, Colour: "#ff8800", Label: "low \"q\"", Dir: compute.Below, Shade: true, Alarm: true, For: 90 * time.Second, Hysteresis: 0.30000000000000004},
						{Value: 1e300, Colour: "Teal", Alarm: true},
					},
					NoData: 45 * time.Second},
			},
		},
		"window 90s": {Window: 90 * time.Second, Columns: 1, Feeds: []Feed{{Name: "x", URL: "ws://h/", Settings: DefaultFeedSettings()}}},
		"no feeds":   New(),
	}
}

func TestRoundTrip(t *testing.T) {
	for name, d := range roundTripCases(t) {
		t.Run(name, func(t *testing.T) {
			data, err := d.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse("rt.toml", data)
			if err != nil {
				t.Fatalf("%v\nin\n%s", err, data)
			}
			if !reflect.DeepEqual(got, d) {
				t.Errorf("loads back as\n%#v\nwant\n%#v\nfrom\n%s", got, d, data)
			}
			again, err := got.Marshal()
			if err != nil || !bytes.Equal(again, data) {
				t.Errorf("written twice, it differs:\n%s\n---\n%s", data, again)
			}
		})
	}
}

func TestMarshalKeepsEnvReferences(t *testing.T) {
	t.Setenv("PLC_TOKEN", "expanded-secret")
	d, err := Parse("example.toml", docExample(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := d.Feeds[0].Config()
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Header.Get("Authorization"); got != "Bearer ${PLC_TOKEN}" {
		t.Errorf("Config holds Authorization %q; want the reference, for feeds.Run to expand", got)
	}
	data, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `headers = { Authorization = "Bearer ${PLC_TOKEN}" }`) || strings.Contains(string(data), "expanded-secret") {
		t.Errorf("file does not keep the reference as written:\n%s", data)
	}
}

func TestMarshalOrderAndDefaults(t *testing.T) {
	d := FromSettings("ws://h:1/", feeds.WebSocket, DefaultFeedSettings())
	d.Title = "T"
	data, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `title = "T"
window = "1m"
columns = 1

[[feed]]
name = "h:1"
url = "ws://h:1/"
transport = "ws"

[[panel]]
title = ""
series = ["*"]
`
	if string(data) != want {
		t.Errorf("wrote\n%s\nwant\n%s", data, want)
	}
}

func TestMarshalRefusesInvalid(t *testing.T) {
	d := FromSettings("ws://h:1/", feeds.WebSocket, DefaultFeedSettings())
	d.Feeds = append(d.Feeds, d.Feeds[0])
	if _, err := d.Marshal(); err == nil || !strings.Contains(err.Error(), "feed.name: feed \"h:1\" is already defined") {
		t.Errorf("Marshal of two feeds of one name: %v", err)
	}
	d.Feeds = d.Feeds[:1]
	d.Panels[0].Y = &YRange{1, 1}
	if _, err := d.Marshal(); err == nil || !strings.Contains(err.Error(), "panel.y") {
		t.Errorf("Marshal of an empty Y range: %v", err)
	}
}

func TestSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.toml")
	d := roundTripCases(t)["every setting"]
	if err := Save(path, d); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Errorf("saved and loaded: %+v; want %+v", got, d)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("a file with literal secrets: mode %v (%v); want 0600", fi.Mode(), err)
	}
	// A failing save leaves the old file whole.
	bad := *d
	bad.Columns = 7
	if err := Save(path, &bad); err == nil {
		t.Error("saved an invalid dashboard")
	}
	if again, err := Load(path); err != nil || !reflect.DeepEqual(again, d) {
		t.Errorf("after a failed save: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left files behind: %v", entries)
	}
	public := filepath.Join(dir, "p.toml")
	if err := Save(public, FromSettings("http://h/", feeds.Auto, DefaultFeedSettings())); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(public); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("a file without secrets: mode %v (%v); want 0644", fi.Mode(), err)
	}
}

func TestLiteralSecrets(t *testing.T) {
	s := DefaultFeedSettings()
	s.Headers = []string{
		"Authorization: Bearer abc",     // literal: reported
		"X-Api-Key: ${API_KEY}",         // a reference: not reported
		"Cookie: a=1",                   // literal
		"Cookie: b=2",                   // the same header once
		"Accept: application/json",      // public
		"x-token: pre${T}",              // has a reference
		"X-Empty:",                      // nothing to leak
		"Proxy-Authorization: $NOT_REF", // unbraced: literal
	}
	mqttLogin := DefaultFeedSettings()
	mqttLogin.MQTTUsername, mqttLogin.MQTTPassword = "meter", "pw"
	d := &Dashboard{Columns: 1, Window: DefaultWindow, Feeds: []Feed{
		{Name: "a", URL: "https://user:pw@h/?access_token=t1&page=2&sig=&apikey=k", Settings: s},
		{Name: "b", URL: "https://h/?token=${X}", Settings: DefaultFeedSettings()},
		{Name: "c", URL: "mqtt://broker/plant/#", Settings: mqttLogin},
	}}
	var got []string
	for _, sec := range d.LiteralSecrets() {
		got = append(got, sec.String())
	}
	want := []string{
		"feed a: URL password",
		"feed a: URL parameter access_token",
		"feed a: URL parameter apikey",
		"feed a: header Authorization",
		"feed a: header Cookie",
		"feed a: header Proxy-Authorization",
		"feed c: MQTT password",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LiteralSecrets = %q\nwant %q", got, want)
	}
	for _, g := range got {
		if strings.Contains(g, "abc") || strings.Contains(g, "pw") || strings.Contains(g, "t1") {
			t.Errorf("%q shows a secret's value", g)
		}
	}
}
