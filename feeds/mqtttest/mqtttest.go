// Package mqtttest starts a real MQTT broker for tests: Debian's
// mosquitto on a free loopback port, with a generated configuration, and
// a plain paho client to publish to it.
//
// A missing mosquitto binary fails the test that asked for it: MQTT is a
// feature, and an untested one is not shipped silently.
package mqtttest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// Broker is a real broker (Debian's mosquitto package; `make test`
// installs it) on a free loopback port, owned by one test.
type Broker struct {
	t    testing.TB
	bin  string
	conf string
	port int
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

// New starts a broker that stops when the test ends. users, when not empty, are the only
// accepted user names and passwords (a password file made with
// mosquitto_passwd); otherwise anyone may connect. A missing binary fails
// the test: MQTT is a feature, and an untested one is not shipped
// silently.
func New(t testing.TB, users map[string]string) *Broker {
	t.Helper()
	return start(t, users, nil, nil)
}

// NewTLS starts a broker that speaks MQTT over TLS only, with the given
// PEM certificate (chain) and key, and lets anyone connect.
func NewTLS(t testing.TB, certPEM, keyPEM []byte) *Broker {
	t.Helper()
	return start(t, nil, certPEM, keyPEM)
}

func start(t testing.TB, users map[string]string, certPEM, keyPEM []byte) *Broker {
	t.Helper()
	bin := lookBin(t, "mosquitto")
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	// Started as root, mosquitto would switch to the user "mosquitto",
	// who cannot read the test's private directory.
	conf := fmt.Sprintf("user %s\nlistener %d 127.0.0.1\n", me.Username, port)
	if certPEM != nil {
		cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
		if os.WriteFile(cert, certPEM, 0o600) != nil || os.WriteFile(key, keyPEM, 0o600) != nil {
			t.Fatal("writing the broker's certificate")
		}
		conf += "certfile " + cert + "\nkeyfile " + key + "\n"
	}
	conf += "persistence false\nlog_dest stderr\n" +
		// A persistent session's queue must outlast the outage tests.
		"max_queued_messages 100000\nmax_inflight_messages 100\n"
	if len(users) == 0 {
		conf += "allow_anonymous true\n"
	} else {
		pw := filepath.Join(dir, "passwords")
		passwd := lookBin(t, "mosquitto_passwd")
		args := []string{"-c"} // the first user creates the file
		for u, p := range users {
			args = append(args, "-b", pw, u, p)
			if out, err := exec.Command(passwd, args...).CombinedOutput(); err != nil {
				t.Fatalf("mosquitto_passwd: %v: %s", err, out)
			}
			args = nil
		}
		conf += "allow_anonymous false\npassword_file " + pw + "\n"
	}
	m := &Broker{t: t, bin: bin, conf: filepath.Join(dir, "mosquitto.conf"), port: port}
	if err := os.WriteFile(m.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	m.Start()
	t.Cleanup(func() {
		m.Stop()
		if t.Failed() {
			t.Logf("mosquitto log:\n%s", m.log)
		}
	})
	return m
}

func lookBin(t testing.TB, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		for _, dir := range []string{"/usr/sbin", "/usr/bin"} {
			if _, serr := os.Stat(filepath.Join(dir, name)); serr == nil {
				return filepath.Join(dir, name)
			}
		}
		t.Fatalf("%s not found (%v): install Debian's mosquitto and mosquitto-clients packages, or run `make test`, which does", name, err)
	}
	return bin
}

// Addr is the broker's host:port.
func (m *Broker) Addr() string { return "127.0.0.1:" + strconv.Itoa(m.port) }

// URL is the broker's mqtt:// URL for a topic filter (and query),
// written as is.
func (m *Broker) URL(filter string) string { return "mqtt://" + m.Addr() + "/" + filter }

// Start starts the broker again after Stop, on the same port.
func (m *Broker) Start() {
	m.t.Helper()
	m.log = &bytes.Buffer{}
	m.cmd = exec.Command(m.bin, "-c", m.conf)
	m.cmd.Stdout, m.cmd.Stderr = io.Discard, &syncWriter{w: m.log}
	if err := m.cmd.Start(); err != nil {
		m.t.Fatalf("starting mosquitto: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", m.Addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("mosquitto did not listen on %s within 10 s: %v\n%s", m.Addr(), err, m.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop ends the broker the way an operator restarting it would (SIGTERM).
func (m *Broker) Stop() {
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { m.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		m.cmd.Process.Kill()
		<-done
	}
	m.cmd = nil
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// Publisher is a plain paho client that publishes for a test. It
// reconnects by itself, so it survives a broker restart.
type Publisher struct {
	t testing.TB
	// Client publishes without waiting, for floods.
	Client mqtt.Client
}

// NewPublisher connects a publisher that disconnects when the test ends.
func NewPublisher(t testing.TB, addr, user, password string) *Publisher {
	t.Helper()
	opts := mqtt.NewClientOptions().AddBroker("tcp://" + addr).
		SetClientID(fmt.Sprintf("test-pub-%d", time.Now().UnixNano())).
		SetUsername(user).SetPassword(password).
		SetAutoReconnect(true).SetConnectRetry(true).
		SetConnectRetryInterval(50 * time.Millisecond).SetMaxReconnectInterval(200 * time.Millisecond)
	c := mqtt.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publisher connect: %v", tok.Error())
	}
	p := &Publisher{t: t, Client: c}
	t.Cleanup(func() { c.Disconnect(100) })
	return p
}

// Publish sends one message and waits for the broker to take it (QoS 1)
// or for it to be written (QoS 0).
func (p *Publisher) Publish(topic string, qos byte, retained bool, payload string) {
	p.t.Helper()
	tok := p.Client.Publish(topic, qos, retained, payload)
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		p.t.Fatalf("publish %s: %v", topic, tok.Error())
	}
}
