package app

import (
	"bytes"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"feedscope/feeds"
	"feedscope/feeds/mqtttest"
)

// The window against a real broker that wants a password: refused without
// it, charting once the Settings give it, and the password never shown.
func TestMQTTInTheWindow(t *testing.T) {
	const pass = "m0squ1tt0-s3cret"
	b := mqtttest.New(t, map[string]string{"plant": pass})
	pub := mqtttest.NewPublisher(t, b.Addr(), "plant", pass)

	a := test.NewTempApp(t)
	u := newTestUI(t, a, Options{})
	u.url.SetText(b.URL("plant/#"))
	u.connect()
	waitFor(t, u, "refusal", func() bool { return u.status.st.State == feeds.Stopped && u.status.st.Err != nil })
	if !strings.Contains(u.status.detail.Text, "user name and password") || u.status.st.Transport != feeds.MQTT {
		t.Errorf("refused login shown as %q via %v", u.status.detail.Text, u.status.st.Transport)
	}

	u.showSettings()
	u.settingsForm.mqttUser.SetText("plant")
	u.settingsForm.mqttPassword.SetText(pass)
	u.settingsDialog.Submit()
	u.connect()
	waitFor(t, u, "connected", connectedVia(u, feeds.MQTT))
	waitFor(t, u, "series named by topic", func() bool {
		pub.Publish("plant/line1/temp", 0, false, "21.5")
		pub.Publish("plant/line2", 0, false, `{"t":22,"h":40}`)
		return samplesOf(u, "plant/line1/temp") > 0 && samplesOf(u, "plant/line2/t") > 0 && samplesOf(u, "plant/line2/h") > 0
	})

	// The password in the URL instead of Settings works too.
	u.settings.MQTTUsername, u.settings.MQTTPassword = "", ""
	u.url.SetText("mqtt://plant:" + pass + "@" + b.Addr() + "/plant/%23")
	u.connect()
	waitFor(t, u, "connected with the URL's password", func() bool {
		pub.Publish("plant/line1/temp", 0, false, "23")
		return connectedVia(u, feeds.MQTT)() && samplesOf(u, "plant/line1/temp") > 1
	})

	u.setLogShown(true)
	u.flush()
	sawTopic := false
	for _, e := range u.log.entries {
		if strings.Contains(e.Text, pass) {
			t.Errorf("message log shows the password: %q", e.Text)
		}
		sawTopic = sawTopic || strings.HasPrefix(e.Text, "[plant/line1/temp] ")
	}
	if !sawTopic {
		t.Error("the message log does not name the topic of a message")
	}
	if strings.Contains(u.status.detail.Text+u.status.state.Text, pass) {
		t.Error("status bar shows the password")
	}
	var csv bytes.Buffer
	if err := exportCSV(&csv, u.chart.Store()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csv.String(), ",plant/line1/temp,21.5") || strings.Contains(csv.String(), pass) {
		t.Errorf("CSV export lacks the data or shows the password:\n%s", csv.String())
	}

	// A transport that cannot read the URL says so instead of guessing.
	menuItem(t, u, "Transport", "Polling").Action()
	u.flush()
	if u.feed != nil || u.status.st.State != feeds.Stopped || !strings.Contains(u.status.detail.Text, "read with MQTT") {
		t.Errorf("Polling on an mqtt URL: running %v, status %q", u.feed != nil, u.status.detail.Text)
	}
	if strings.Contains(u.url.Text, "http") {
		t.Errorf("the URL was rewritten to %q", u.url.Text)
	}
	u.url.SetText("http://127.0.0.1:1/data")
	menuItem(t, u, "Transport", "MQTT").Action()
	u.flush()
	if u.status.st.State != feeds.Stopped || !strings.Contains(u.status.detail.Text, "MQTT reads mqtt://") {
		t.Errorf("MQTT on an http URL: status %q", u.status.detail.Text)
	}

	// The demo is HTTP: opening it from MQTT goes back to Auto.
	menuItem(t, u, "File", "Open demo feed").Action()
	waitFor(t, u, "the demo", func() bool { return u.status.st.State == feeds.Connected && samplesOf(u, "sine") > 0 })
	if u.transport != feeds.Auto || !menuItem(t, u, "Transport", "Auto").Checked {
		t.Errorf("demo opened with transport %v", u.transport)
	}
	u.Close()

	// The login is kept.
	u2 := newTestUI(t, a, Options{})
	if u2.settings.MQTTUsername != "plant" || u2.settings.MQTTPassword != pass {
		t.Errorf("MQTT login after restart: %q", u2.settings.MQTTUsername)
	}
}

func TestMQTTPasswordNeedsUser(t *testing.T) {
	f := newSettingsForm(DefaultSettings())
	f.mqttPassword.SetText("pw")
	if _, err := f.read(); err == nil || !strings.Contains(err.Error(), "MQTT password needs a user name") {
		t.Errorf("a password without a user name: %v", err)
	}
	f.mqttUser.SetText("u")
	if s, err := f.read(); err != nil || s.MQTTUsername != "u" || s.MQTTPassword != "pw" {
		t.Errorf("login read as %q: %v", s.MQTTUsername, err)
	}
}
