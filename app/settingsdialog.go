package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"feedscope/app/dashboard"
)

// settingsForm holds the Settings dialog's fields; read turns them back
// into Settings, or says what is wrong.
type settingsForm struct {
	poll, heartbeat, ping, pong *widget.Entry
	hold                        *widget.Entry
	headers                     *widget.Entry
	mqttUser, mqttPassword      *widget.Entry
	readLimit, history          *widget.Entry
	timeSource                  *widget.RadioGroup
	insecure                    *widget.Check
	insecureWarn, insecureOK    *widget.Label
}

const insecureWarning = "⚠ Anyone on the network path can read and change this feed."

const (
	payloadTimeLabel = "Payload time"
	arrivalTimeLabel = "Arrival time"
)

func newSettingsForm(s Settings) *settingsForm {
	f := &settingsForm{
		poll:         widget.NewEntry(),
		hold:         widget.NewEntry(),
		heartbeat:    widget.NewEntry(),
		ping:         widget.NewEntry(),
		pong:         widget.NewEntry(),
		headers:      widget.NewMultiLineEntry(),
		mqttUser:     widget.NewEntry(),
		mqttPassword: widget.NewPasswordEntry(),
		readLimit:    widget.NewEntry(),
		history:      widget.NewEntry(),
		timeSource:   widget.NewRadioGroup([]string{payloadTimeLabel, arrivalTimeLabel}, nil),
		insecure:     widget.NewCheck("Skip TLS certificate verification (unsafe)", nil),
		insecureWarn: widget.NewLabel(insecureWarning),
		insecureOK:   widget.NewLabel("Certificates are checked (recommended)."),
	}
	f.poll.SetText(dashboard.FormatDuration(s.PollInterval))
	f.hold.SetText(dashboard.FormatDuration(s.Hold))
	f.heartbeat.SetText(dashboard.FormatDuration(s.Heartbeat))
	f.ping.SetText(s.PingText)
	f.ping.SetPlaceHolder("none (e.g. ping)")
	f.pong.SetText(s.PongText)
	f.pong.SetPlaceHolder("none (e.g. pong)")
	f.headers.SetText(strings.Join(s.Headers, "\n"))
	f.headers.SetPlaceHolder("Authorization: Bearer …\nCookie: session=…")
	f.headers.SetMinRowsVisible(3)
	f.headers.Wrapping = fyne.TextWrapOff
	f.mqttUser.SetText(s.MQTTUsername)
	f.mqttUser.SetPlaceHolder("user name")
	f.mqttPassword.SetText(s.MQTTPassword)
	f.mqttPassword.SetPlaceHolder("password")
	f.readLimit.SetText(strconv.FormatInt(s.ReadLimit/1024, 10))
	f.history.SetText(dashboard.FormatDuration(s.History))
	f.timeSource.Required = true
	f.timeSource.Horizontal = true
	if s.ArrivalTime {
		f.timeSource.SetSelected(arrivalTimeLabel)
	} else {
		f.timeSource.SetSelected(payloadTimeLabel)
	}
	f.insecureWarn.Importance = widget.DangerImportance
	f.insecureOK.Importance = widget.LowImportance
	f.insecure.OnChanged = func(on bool) {
		if on {
			f.insecureOK.Hide()
			f.insecureWarn.Show()
		} else {
			f.insecureWarn.Hide()
			f.insecureOK.Show()
		}
	}
	f.insecure.SetChecked(s.InsecureSkipVerify)
	f.insecure.OnChanged(s.InsecureSkipVerify)
	return f
}

func (f *settingsForm) items() []*widget.FormItem {
	return []*widget.FormItem{
		{Text: "Poll interval", Widget: f.poll, HintText: "Polling: time between requests, e.g. 1s, 500ms"},
		{Text: "Long-poll hold", Widget: f.hold, HintText: "Long polling: how long the server may hold a request, e.g. 30s"},
		{Text: "Heartbeat", Widget: f.heartbeat, HintText: "WebSocket ping interval; a silent server is dropped after two"},
		{Text: "Text heartbeat", Widget: container.NewGridWithColumns(2, f.ping, f.pong), HintText: "Sent on an idle WebSocket, and the server's reply (never charted)"},
		{Text: "Request headers", Widget: f.headers, HintText: "One \"Name: value\" a line, sent with every request"},
		{Text: "MQTT login", Widget: container.NewGridWithColumns(2, f.mqttUser, f.mqttPassword), HintText: "For mqtt:// URLs that carry no user name"},
		{Text: "Read limit (KiB)", Widget: f.readLimit, HintText: "Largest message accepted"},
		{Text: "History", Widget: f.history, HintText: "How far back the chart keeps points, e.g. 1h"},
		{Text: "Sample time", Widget: f.timeSource, HintText: "Payload: a ts, time or timestamp field when the message has one"},
		// One stack for both lines keeps the form's height when the
		// warning replaces the reassurance.
		{Text: "TLS", Widget: container.NewVBox(f.insecure, container.NewStack(f.insecureOK, f.insecureWarn))},
	}
}

func (f *settingsForm) read() (Settings, error) {
	var s Settings
	var problems []string
	dur := func(e *widget.Entry, what string) time.Duration {
		d, err := time.ParseDuration(strings.TrimSpace(e.Text))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %q is not a duration (e.g. 1s, 500ms, 2m)", what, e.Text))
		}
		return d
	}
	s.PollInterval = dur(f.poll, "Poll interval")
	s.Hold = dur(f.hold, "Long-poll hold")
	s.Heartbeat = dur(f.heartbeat, "Heartbeat")
	s.History = dur(f.history, "History")
	s.PingText = strings.TrimSpace(f.ping.Text)
	s.PongText = strings.TrimSpace(f.pong.Text)
	for _, l := range strings.Split(f.headers.Text, "\n") {
		if strings.TrimSpace(l) != "" {
			s.Headers = append(s.Headers, strings.TrimSpace(l))
		}
	}
	s.MQTTUsername = strings.TrimSpace(f.mqttUser.Text)
	s.MQTTPassword = f.mqttPassword.Text
	kib, err := strconv.ParseInt(strings.TrimSpace(f.readLimit.Text), 10, 64)
	if err != nil || kib <= 0 || kib > maxReadLimit/1024 {
		problems = append(problems, fmt.Sprintf("Read limit: want a number of KiB from 1 to %d", maxReadLimit/1024))
	}
	s.ReadLimit = kib * 1024
	s.ArrivalTime = f.timeSource.Selected == arrivalTimeLabel
	s.InsecureSkipVerify = f.insecure.Checked
	if len(problems) > 0 {
		return s, errors.New(strings.Join(problems, "\n"))
	}
	if err := s.Validate(); err != nil {
		return s, err
	}
	return s, nil
}

// showSettings opens the Settings dialog. Save applies the settings,
// keeps them in Preferences and reconnects a running feed with them. In a
// dashboard it edits the selected feed's settings.
func (u *UI) showSettings() {
	if u.dash != nil {
		u.showFeedSettings()
		return
	}
	u.showSettingsForm("Settings", u.settings, u.applySettings)
}

// showSettingsForm opens the Settings dialog on s; Save gives apply the
// settings when they are valid.
func (u *UI) showSettingsForm(title string, s Settings, apply func(Settings)) {
	f := newSettingsForm(s)
	d := dialog.NewForm(title, "Save", "Cancel", f.items(), func(ok bool) {
		if !ok {
			return
		}
		s, err := f.read()
		if err != nil {
			dialog.ShowError(err, u.win)
			return
		}
		apply(s)
	}, u.win)
	d.Resize(fyne.NewSize(640, 0))
	u.settingsDialog = d
	u.settingsForm = f
	d.Show()
}
