package feeds

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"feedscope/feeds/mqtttest"
)

// quick reconnects, so the broker tests take seconds.
var mqttBackoff = Backoff{Initial: 50 * time.Millisecond, Max: 300 * time.Millisecond, Jitter: -1}

// samplesOf decodes msgs as the window does and returns series → values.
func samplesOf(msgs []Message) map[string][]float64 {
	var d Decoder
	out := map[string][]float64{}
	for _, m := range msgs {
		for _, s := range d.Decode(m).Samples {
			out[s.Series] = append(out[s.Series], s.Value)
		}
	}
	return out
}

func TestMQTTNumbersAndJSONOnWildcards(t *testing.T) {
	b := mqtttest.New(t, nil)
	pub := mqtttest.NewPublisher(t, b.Addr(), "", "")
	for _, tc := range []struct {
		name, filter string
		want         map[string][]float64
	}{
		// # typed as is, and written %23: both are the multi-level wildcard.
		{"hash", "plant/#", map[string][]float64{
			"plant/line1/temp": {21.5}, "plant/line2/t": {22}, "plant/line2/h": {40}, "plant/line3/a": {1}, "plant/line3/b": {2},
		}},
		{"escaped hash", "plant/%23", map[string][]float64{
			"plant/line1/temp": {21.5}, "plant/line2/t": {22}, "plant/line2/h": {40}, "plant/line3/a": {1}, "plant/line3/b": {2},
		}},
		{"plus", "plant/+/temp", map[string][]float64{"plant/line1/temp": {21.5}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := start(t, Config{URL: b.URL(tc.filter)}, nil)
			if st := f.waitState(t, Connected); st.Transport != MQTT {
				t.Fatalf("Auto on an mqtt:// URL chose %v, want MQTT", st.Transport)
			}
			pub.Publish("other/line1/temp", 0, false, "99") // outside every filter
			pub.Publish("plant/line1/temp", 0, false, "21.5")
			pub.Publish("plant/line2", 0, false, `{"t":22,"h":40}`)
			pub.Publish("plant/line3", 0, false, "a=1 b=2")
			pub.Publish("plant/end/temp", 0, false, "0") // the last one: all others came first
			var msgs []Message
			for {
				m := f.messages(t, 1)[0]
				if m.Topic == "plant/end/temp" {
					break
				}
				msgs = append(msgs, m)
			}
			got := samplesOf(msgs)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("series %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMQTTRetainedShowsAtOnce(t *testing.T) {
	b := mqtttest.New(t, nil)
	pub := mqtttest.NewPublisher(t, b.Addr(), "", "")
	pub.Publish("site/boiler/pressure", 1, true, "1.8")
	f := start(t, Config{URL: b.URL("site/#")}, nil)
	f.waitState(t, Connected)
	m := f.messages(t, 1)[0]
	if m.Topic != "site/boiler/pressure" || string(m.Data) != "1.8" {
		t.Fatalf("first message %q on %q, want the retained 1.8 on site/boiler/pressure", m.Data, m.Topic)
	}
}

func TestMQTTBrokerRestart(t *testing.T) {
	b := mqtttest.New(t, nil)
	pub := mqtttest.NewPublisher(t, b.Addr(), "", "")
	f := start(t, Config{URL: b.URL("line/+"), Backoff: mqttBackoff}, nil)
	f.waitState(t, Connected)
	pub.Publish("line/a", 0, false, "1")
	if m := f.messages(t, 1)[0]; string(m.Data) != "1" {
		t.Fatalf("got %q, want 1", m.Data)
	}

	b.Stop()
	st := f.waitState(t, Reconnecting) // the window marks the gap here
	if st.Err == nil {
		t.Fatal("Reconnecting without a cause")
	}
	t.Logf("broker gone: %v", st.Err)
	b.Start()
	f.waitState(t, Connected)

	// Back and subscribed again: a message published now arrives. The
	// publisher may still be reconnecting itself, so publish until one
	// comes through.
	got := make(chan Message, 1)
	go func() {
		for {
			e := <-f.ch
			if e.Kind == KindMessage {
				got <- e.Message
				return
			}
		}
	}()
	deadline := time.After(10 * time.Second)
	for {
		pub.Client.Publish("line/b", 0, false, "2")
		select {
		case m := <-got:
			if m.Topic != "line/b" || string(m.Data) != "2" {
				t.Fatalf("after the restart got %q on %q, want 2 on line/b", m.Data, m.Topic)
			}
			return
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no message after the broker came back: not resubscribed")
		}
	}
}

// With QoS 1 and a persistent session the broker keeps what is published
// while the feed is cut off from it, and delivers it after the reconnect.
func TestMQTTPersistentSessionLosesNothingThroughOutage(t *testing.T) {
	b := mqtttest.New(t, nil)
	px := startCutProxy(t, b.Addr())
	pub := mqtttest.NewPublisher(t, b.Addr(), "", "")
	url := "mqtt://" + px.addr() + "/meter/%23?qos=1&session=persistent&client_id=feedscope-outage-test"
	f := start(t, Config{URL: url, Backoff: mqttBackoff}, nil)
	f.waitState(t, Connected)

	const total = 600 // 3 s at one message per 5 ms
	var published atomic.Int64
	pubDone := make(chan struct{})
	go func() {
		defer close(pubDone)
		for i := 1; i <= total; i++ {
			tok := pub.Client.Publish("meter/kwh", 1, false, strconv.Itoa(i))
			tok.WaitTimeout(10 * time.Second)
			if tok.Error() == nil {
				published.Add(1)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	time.Sleep(500 * time.Millisecond)
	px.cut()
	outageStart := published.Load()
	time.Sleep(2 * time.Second)
	during := published.Load() - outageStart
	px.restore()
	<-pubDone
	if published.Load() != total {
		t.Fatalf("the broker took %d of %d messages", published.Load(), total)
	}

	seen := map[int]int{}
	reconnected := false
	deadline := time.After(20 * time.Second)
	for len(seen) < total {
		select {
		case e := <-f.ch:
			if e.Kind == KindStatus && e.Status.State == Reconnecting {
				reconnected = true
			}
			if e.Kind == KindMessage {
				n, err := strconv.Atoi(string(e.Message.Data))
				if err != nil {
					t.Fatalf("payload %q", e.Message.Data)
				}
				seen[n]++
			}
		case <-deadline:
			var missing []int
			for i := 1; i <= total; i++ {
				if seen[i] == 0 {
					missing = append(missing, i)
				}
			}
			t.Fatalf("lost %d messages (%d published during the outage): %v", len(missing), during, missing[:min(len(missing), 20)])
		}
	}
	if !reconnected {
		t.Fatal("the outage did not show as Reconnecting")
	}
	dups := 0
	for _, n := range seen {
		dups += n - 1
	}
	t.Logf("%d messages, %d published during the 2 s outage, none lost, %d duplicates (QoS 1 allows them)", total, during, dups)
}

func TestMQTTWrongPasswordStops(t *testing.T) {
	const secret = "s3cr3t-pw-never-shown"
	b := mqtttest.New(t, map[string]string{"meter": "right-one"})
	for _, tc := range []struct{ name, url, user, pass string }{
		{"in the URL", "mqtt://meter:" + secret + "@" + b.Addr() + "/x/%23", "", ""},
		{"from settings", b.URL("x/#"), "meter", secret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := start(t, Config{URL: tc.url, MQTTUsername: tc.user, MQTTPassword: tc.pass, Backoff: mqttBackoff}, nil)
			err := f.finished(t)
			var re *MQTTRefusedError
			// Mosquitto says 5 (not authorised) where 3.1.1 has 4 (bad
			// user name or password); both are refusals of the password.
			if !errors.As(err, &re) || re.Code != 4 && re.Code != 5 {
				t.Fatalf("Run returned %v, want the broker's refusal of the password (CONNACK 4 or 5)", err)
			}
			if !strings.Contains(err.Error(), "user name and password") {
				t.Errorf("error %q does not say what is wrong", err)
			}
			for _, e := range f.seen {
				if e.Kind == KindStatus && e.Status.State == Reconnecting {
					t.Errorf("retried a refused password: %v", e.Status.Err)
				}
			}
			assertNoSecret(t, f.recorder, err, secret)
		})
	}

	t.Run("right password from settings", func(t *testing.T) {
		f := start(t, Config{URL: b.URL("x/#"), MQTTUsername: "meter", MQTTPassword: "right-one"}, nil)
		f.waitState(t, Connected)
		pub := mqtttest.NewPublisher(t, b.Addr(), "meter", "right-one")
		pub.Publish("x/y", 0, false, "5")
		if m := f.messages(t, 1)[0]; string(m.Data) != "5" {
			t.Fatalf("got %q", m.Data)
		}
	})
}

// assertNoSecret checks every state and error a feed produced.
func assertNoSecret(t *testing.T, r *recorder, err error, secret string) {
	t.Helper()
	for {
		select {
		case e := <-r.ch:
			r.seen = append(r.seen, e)
			continue
		default:
		}
		break
	}
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("the error shows the password: %v", err)
	}
	for _, e := range r.seen {
		if e.Kind == KindStatus && e.Status.Err != nil && strings.Contains(e.Status.Err.Error(), secret) {
			t.Errorf("a %v state shows the password: %v", e.Status.State, e.Status.Err)
		}
	}
}

func TestMQTTSecretsStayOutOfErrors(t *testing.T) {
	const secret = "pa55-in-url"
	b := mqtttest.New(t, nil)
	gone := b.Addr()
	b.Stop() // an unreachable broker: every attempt fails on the network
	f := start(t, Config{URL: "mqtt://u:" + secret + "@" + gone + "/a/%23", Backoff: mqttBackoff}, nil)
	for i := 0; i < 3; i++ {
		st := f.waitState(t, Reconnecting)
		if st.Err == nil || !strings.Contains(st.Err.Error(), gone) {
			t.Fatalf("Reconnecting cause %v does not name the broker", st.Err)
		}
	}
	assertNoSecret(t, f.recorder, f.stop(t), secret)
	// And a URL that cannot start at all.
	err := Run(t.Context(), Config{URL: "mqtt://u:" + secret + "@" + gone + "/a/b?qos=7"}, func(Event) {})
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("bad qos: %v", err)
	}
}

// When the Handler cannot keep up, the queue between the library and the
// supervisor fills; the connection is then given up with an error that
// counts what was dropped, and comes back.
func TestMQTTOverflowIsCountedAndRecovers(t *testing.T) {
	b := mqtttest.New(t, nil)
	pub := mqtttest.NewPublisher(t, b.Addr(), "", "")
	release := make(chan struct{})
	var blocked sync.Once
	r := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{URL: b.URL("flood/#"), Backoff: mqttBackoff}, func(e Event) {
			if e.Kind == KindMessage {
				blocked.Do(func() { <-release }) // a Handler stuck on the first message
			}
			r.handle(e)
		})
	}()
	defer func() { cancel(); <-done }()
	r.waitState(t, Connected)
	const flood = 2 * mqttQueueLen
	for i := 0; i < flood; i++ {
		pub.Client.Publish("flood/x", 0, false, strconv.Itoa(i))
	}
	pub.Publish("flood/x", 0, false, "last")
	// The flood reaches the full queue; on a busy machine the broker
	// may need a while to pass it on.
	time.Sleep(time.Second)
	close(release)
	st := r.waitState(t, Reconnecting)
	if st.Err == nil || !strings.Contains(st.Err.Error(), "dropped") {
		t.Fatalf("Reconnecting cause %v does not count the dropped messages", st.Err)
	}
	// Everything queued before the failure is delivered before it is
	// reported; what came after is counted.
	delivered := 0
	for _, e := range r.seen {
		if e.Kind == KindMessage {
			delivered++
		}
	}
	var dropped int
	fmt.Sscanf(st.Err.Error()[strings.LastIndex(st.Err.Error(), ": ")+2:], "%d dropped", &dropped)
	if delivered < mqttQueueLen || dropped < 1 || delivered+dropped > flood+1 {
		t.Errorf("%d published, %d delivered, %d dropped", flood+1, delivered, dropped)
	}
	t.Logf("%d published: %d delivered, then %v", flood+1, delivered, st.Err)
	r.waitState(t, Connected)
	pub.Publish("flood/x", 0, false, "after")
	r.waitFor(t, "a message after the overflow", func(e Event) bool {
		return e.Kind == KindMessage && string(e.Message.Data) == "after"
	})
}

func TestMQTTManyTopics(t *testing.T) {
	if testing.Short() {
		t.Skip("10 s of traffic")
	}
	const topics, rate, secs = 100, 20, 10
	b := mqtttest.New(t, nil)
	pub := mqtttest.NewPublisher(t, b.Addr(), "", "")

	var mu sync.Mutex
	counts := map[string]int{}
	var dec Decoder
	var reconnects atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	connected := make(chan struct{})
	var once sync.Once
	go func() {
		done <- Run(ctx, Config{URL: b.URL("fleet/+/%23")}, func(e Event) {
			if e.Kind == KindStatus {
				switch e.Status.State {
				case Connected:
					once.Do(func() { close(connected) })
				case Reconnecting:
					reconnects.Add(1)
				}
				return
			}
			mu.Lock()
			for _, s := range dec.Decode(e.Message).Samples {
				counts[s.Series]++
			}
			mu.Unlock()
		})
	}()
	defer func() { cancel(); <-done }()
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		t.Fatal("not connected")
	}

	var peak uint64
	var ms runtime.MemStats
	tick := time.NewTicker(time.Second / rate)
	for i := 0; i < rate*secs; i++ {
		<-tick.C
		for k := 0; k < topics; k++ {
			pub.Client.Publish(fmt.Sprintf("fleet/dev%03d/temp", k), 0, false, fmt.Sprintf(`{"c":%d.5}`, i))
		}
		if i%rate == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	tick.Stop()
	want := rate * secs
	eventually(t, "every message decoded", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for k := 0; k < topics; k++ {
			if counts[fmt.Sprintf("fleet/dev%03d/temp/c", k)] != want {
				return false
			}
		}
		return len(counts) == topics
	})
	if n := reconnects.Load(); n > 0 {
		t.Errorf("%d reconnects under load", n)
	}
	// 20,000 messages of ~10 bytes: what is held at any time is the
	// queue, not the stream.
	if peak > 64<<20 {
		t.Errorf("heap in use peaked at %d MiB", peak>>20)
	}
	t.Logf("%d topics × %d msg/s × %d s: all %d messages decoded, heap in use peaked at %.1f MiB",
		topics, rate, secs, topics*want, float64(peak)/(1<<20))
}

func TestMQTTURLs(t *testing.T) {
	for _, tc := range []struct {
		url       string
		transport Transport
		want      string // filter, or the start of the error
		err       bool
	}{
		{url: "mqtt://h/plant/#", want: "plant/#"},
		{url: "mqtt://h/plant/%23", want: "plant/#"},
		{url: "mqtt://h/plant/#?qos=1", want: "plant/#"},
		{url: "mqtt://h/a/+/c", want: "a/+/c"},
		{url: "mqtts://h//leading/slash", want: "/leading/slash"},
		{url: "mqtt://h/#", transport: MQTT, want: "#"},
		{url: "mqtt://h", err: true, want: "feeds: the MQTT URL names no topic"},
		{url: "mqtt://h/a#b", err: true, want: "feeds: MQTT topic filter"},
		{url: "mqtt://h/#/a", err: true, want: "feeds: MQTT topic filter"},
		{url: "mqtt://h/a+/b", err: true, want: "feeds: MQTT topic filter"},
		{url: "mqtt://h/a?qos=2", err: true, want: "feeds: MQTT qos=2"},
		{url: "mqtt://h/a?session=forever", err: true, want: "feeds: MQTT session=forever"},
		{url: "mqtt://h/a?retain=1", err: true, want: "feeds: unknown MQTT URL parameter"},
		{url: "mqtt://h/a", transport: SSE, err: true, want: "feeds: mqtt:// URLs are read with the MQTT transport, not SSE"},
		{url: "http://h/a", transport: MQTT, err: true, want: "feeds: the MQTT transport needs an mqtt:// or mqtts:// URL"},
	} {
		s := newSupervisor(Config{URL: tc.url, Transport: tc.transport}, func(Event) {}, realClock{})
		err := s.init()
		switch {
		case tc.err && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q…", tc.url, err, tc.want)
		case tc.err && !isPermanent(err):
			t.Errorf("%s: %v is retried", tc.url, err)
		case !tc.err && err != nil:
			t.Errorf("%s: %v", tc.url, err)
		case !tc.err && s.mqtt.filter != tc.want:
			t.Errorf("%s: filter %q, want %q", tc.url, s.mqtt.filter, tc.want)
		case !tc.err && s.transport != MQTT:
			t.Errorf("%s: transport %v", tc.url, s.transport)
		}
	}

	s := newSupervisor(Config{URL: "mqtts://u:p@h/a?qos=1&session=persistent"}, func(Event) {}, realClock{})
	if err := s.init(); err != nil {
		t.Fatal(err)
	}
	m := s.mqtt
	if m.addr != "h:8883" || !m.tls || m.qos != 1 || m.clean || m.user != "u" || m.password != "p" || !strings.HasPrefix(m.clientID, "feedscope-") {
		t.Errorf("mqtts URL read as %+v", *m)
	}
	s = newSupervisor(Config{URL: "mqtt://h:1999/a?client_id=plant-view", MQTTUsername: "su", MQTTPassword: "sp"}, func(Event) {}, realClock{})
	if err := s.init(); err != nil {
		t.Fatal(err)
	}
	if m := s.mqtt; m.addr != "h:1999" || m.tls || m.qos != 0 || !m.clean || m.clientID != "plant-view" || m.user != "su" || m.password != "sp" {
		t.Errorf("mqtt URL read as %+v", *m)
	}
}

func TestDecodeTopicNames(t *testing.T) {
	long := strings.Repeat("t", MaxSeriesNameLen)
	for _, tc := range []struct {
		topic, data string
		want        string
	}{
		{"plant/line1/temp", "21.5", "[plant/line1/temp=21.5]"},
		{"plant/line1", `{"t":21.5,"h":40}`, "[plant/line1/t=21.5 plant/line1/h=40]"},
		{"host", `{"mem":{"used":4}}`, "[host/mem.used=4]"},
		{"a", `{"a":1}`, "[a/a=1]"}, // a key equal to the topic is still a field
		{"dev", "x=1 y=2", "[dev/x=1 dev/y=2]"},
		{"dev", "[3,4]", "[dev/0=3 dev/1=4]"},
		{long, "1", "[" + long + "=1]"},
		{long, `{"x":1}`, "[]"}, // too long a name: a Text, not a series
	} {
		var d Decoder
		r := d.Decode(Message{Topic: tc.topic, Data: []byte(tc.data)})
		var got []string
		for _, s := range r.Samples {
			got = append(got, s.Series+"="+strconv.FormatFloat(s.Value, 'g', -1, 64))
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%s on %.20s: %v, want %s", tc.data, tc.topic, got, tc.want)
		}
	}
}

// mqtts:// verifies the broker's certificate as https does: an unknown CA
// stops the feed, a trusted one (Config.TLS) or the explicit opt-out
// connects.
func TestMQTTOverTLS(t *testing.T) {
	certPEM, keyPEM, pool := selfSignedCert(t)
	b := mqtttest.NewTLS(t, certPEM, keyPEM)
	url := "mqtts://" + b.Addr() + "/tls/%23"

	f := start(t, Config{URL: url, Backoff: mqttBackoff}, nil)
	err := f.finished(t)
	if err == nil || !strings.Contains(err.Error(), "certificate") || !isCertError(err) {
		t.Fatalf("untrusted certificate: Run returned %v", err)
	}

	for name, cfg := range map[string]Config{
		"trusted CA":         {URL: url, TLS: &tls.Config{RootCAs: pool}},
		"InsecureSkipVerify": {URL: url, InsecureSkipVerify: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := start(t, cfg, nil)
			f.waitState(t, Connected)
		})
	}
}

// selfSignedCert makes a certificate for 127.0.0.1 that is its own CA.
func selfSignedCert(t *testing.T) (certPEM, keyPEM []byte, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test broker"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), pool
}

// A broker that takes the connection but never answers CONNECT: stopping
// the feed ends the attempt at once, not after the connect timeout, and
// leaves no goroutine behind (TestMain checks).
func TestMQTTStopWhileConnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
	}()
	f := start(t, Config{URL: "mqtt://" + ln.Addr().String() + "/a", HandshakeTimeout: time.Minute}, nil)
	c := <-accepted
	defer c.Close()
	time.Sleep(100 * time.Millisecond) // the CONNECT is out, waiting for CONNACK
	t0 := time.Now()
	if err := f.stop(t); err != nil {
		t.Fatalf("Run returned %v", err)
	}
	if d := time.Since(t0); d > 5*time.Second {
		t.Errorf("stopping took %v", d)
	}
}

// A subscription the broker refuses (SUBACK 0x80) stops the feed: the
// same subscription would be refused again. Mosquitto 2.0 grants every
// well-formed subscription (its ACLs filter at delivery), so a scripted
// peer plays a broker that refuses: CONNACK 0, then SUBACK 0x80.
func TestMQTTRefusedSubscriptionStops(t *testing.T) {
	addr := scriptedBroker(t, func(typ byte, body []byte) ([]byte, bool) {
		switch typ >> 4 {
		case 1: // CONNECT
			return []byte{0x20, 2, 0, 0}, false
		case 8: // SUBSCRIBE: refuse the one filter
			return []byte{0x90, 3, body[0], body[1], 0x80}, false
		}
		return nil, false
	})
	f := start(t, Config{URL: "mqtt://" + addr + "/office/%23", Backoff: mqttBackoff}, nil)
	err := f.finished(t)
	var se *MQTTSubscribeError
	if !errors.As(err, &se) || se.Filter != "office/#" {
		t.Fatalf("Run returned %v, want the refused subscription", err)
	}
	for _, e := range f.seen {
		if e.Kind == KindStatus && e.Status.State == Reconnecting {
			t.Errorf("retried a refused subscription: %v", e.Status.Err)
		}
	}
}

// A CONNACK that refuses the client stops the feed when retrying cannot
// help (2: identifier rejected; 4 and 5, the login, are tested against
// mosquitto), and reconnects for 3, server unavailable.
func TestMQTTConnackCodes(t *testing.T) {
	for _, code := range []byte{2, 3} {
		addr := scriptedBroker(t, func(typ byte, body []byte) ([]byte, bool) {
			if typ>>4 == 1 { // CONNECT
				return []byte{0x20, 2, 0, code}, false
			}
			return nil, false
		})
		f := start(t, Config{URL: "mqtt://" + addr + "/t", Backoff: mqttBackoff}, nil)
		var re *MQTTRefusedError
		if code == 3 {
			st := f.waitState(t, Reconnecting)
			if !errors.As(st.Err, &re) || re.Code != 3 {
				t.Errorf("CONNACK 3: reconnecting after %v", st.Err)
			}
			f.waitState(t, Reconnecting) // and again: it keeps trying
			f.stop(t)
			continue
		}
		if err := f.finished(t); !errors.As(err, &re) || re.Code != code {
			t.Errorf("CONNACK %d: Run returned %v, want the refusal", code, err)
		}
		for _, e := range f.seen {
			if e.Kind == KindStatus && e.Status.State == Reconnecting {
				t.Errorf("CONNACK %d: retried: %v", code, e.Status.Err)
			}
		}
	}
}

// scriptedBroker plays an MQTT broker on a loopback port: answer gives the
// bytes to write for each packet a client sends (nil: none), and whether
// to hang up after them. It returns the address; the listener and its
// connections end with the test.
func scriptedBroker(t *testing.T, answer func(typ byte, body []byte) (reply []byte, hangUp bool)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var peers sync.WaitGroup
	t.Cleanup(func() { ln.Close(); peers.Wait() })
	peers.Add(1)
	go func() {
		defer peers.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			peers.Add(1)
			go func() {
				defer peers.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				for {
					typ, body, err := readMQTTPacket(c)
					if err != nil {
						return
					}
					b, hangUp := answer(typ, body)
					if b != nil {
						c.Write(b)
					}
					if hangUp {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// A quiet subscription (no message) that the network cuts now and then
// comes back at the first step each time: the broker accepted and
// subscribed, so the link works.
func TestMQTTQuietSubscriptionThatDropsStartsAgain(t *testing.T) {
	addr := scriptedBroker(t, func(typ byte, body []byte) ([]byte, bool) {
		switch typ >> 4 {
		case 1: // CONNECT
			return []byte{0x20, 2, 0, 0}, false
		case 8: // SUBSCRIBE: granted at QoS 0, then the link is cut
			return []byte{0x90, 3, body[0], body[1], 0}, true
		}
		return nil, false
	})
	f := start(t, Config{URL: "mqtt://" + addr + "/quiet", Backoff: Backoff{Jitter: -1}}, newFakeClock())
	for range 3 {
		if st := f.waitState(t, Reconnecting); st.Attempt != 1 {
			t.Fatalf("attempt %d after %v; want 1: the broker subscribed us", st.Attempt, st.Err)
		}
	}
	f.stop(t)
}

// readMQTTPacket reads one MQTT control packet: its first byte and body.
func readMQTTPacket(r io.Reader) (byte, []byte, error) {
	var b [1]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, nil, err
	}
	typ := b[0]
	n, mult := 0, 1
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		n += int(b[0]&0x7f) * mult
		if b[0]&0x80 == 0 {
			break
		}
		mult *= 128
	}
	body := make([]byte, n)
	_, err := io.ReadFull(r, body)
	return typ, body, err
}

// A broker sends a topic's retained message again on every SUBSCRIBE, so
// on every reconnect. The feed shows it once: after a network cut a
// retained value it has shown (the last on its topic, or the last retained
// one though live values followed it) does not come back as a new point,
// and one that changed while the feed was away is shown.
func TestMQTTRetainedIsNotShownAgainAfterReconnect(t *testing.T) {
	b := mqtttest.New(t, nil)
	px := startCutProxy(t, b.Addr())
	pub := mqtttest.NewPublisher(t, b.Addr(), "", "")
	pub.Publish("site/state", 1, true, "on")
	pub.Publish("site/temp", 1, true, "7")
	f := start(t, Config{URL: "mqtt://" + px.addr() + "/site/%23", Backoff: mqttBackoff}, nil)
	f.waitState(t, Connected)
	got := map[string]string{}
	for _, m := range f.messages(t, 2) {
		got[m.Topic] = string(m.Data)
	}
	if got["site/state"] != "on" || got["site/temp"] != "7" {
		t.Fatalf("retained at first: %v", got)
	}
	pub.Publish("site/temp", 1, false, "8") // live, not retained
	if m := f.messages(t, 1)[0]; string(m.Data) != "8" {
		t.Fatalf("live: %q on %s", m.Data, m.Topic)
	}

	// reconnect cuts the link and waits for the feed to subscribe again.
	reconnect := func(during func()) {
		t.Helper()
		px.cut()
		f.waitState(t, Reconnecting)
		if during != nil {
			during()
		}
		px.restore()
		f.waitState(t, Connected)
	}
	reconnect(nil)
	pub.Publish("site/temp", 1, false, "9")
	if m := f.messages(t, 1)[0]; m.Topic != "site/temp" || string(m.Data) != "9" {
		t.Fatalf("after a reconnect the first message is %q on %s, want the live 9 on site/temp: a retained value came back", m.Data, m.Topic)
	}

	reconnect(func() { pub.Publish("site/state", 1, true, "off") })
	if m := f.messages(t, 1)[0]; m.Topic != "site/state" || string(m.Data) != "off" {
		t.Fatalf("a retained value changed while away: got %q on %s, want off on site/state", m.Data, m.Topic)
	}
	pub.Publish("site/temp", 1, false, "10")
	if m := f.messages(t, 1)[0]; m.Topic != "site/temp" || string(m.Data) != "10" {
		t.Fatalf("after it: %q on %s, want 10 on site/temp", m.Data, m.Topic)
	}
}
