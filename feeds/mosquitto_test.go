package feeds

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

// mosquitto is a real broker (Debian's mosquitto package; `make test`
// installs it) on a free loopback port, owned by one test.
type mosquitto struct {
	t    testing.TB
	bin  string
	conf string
	port int
	cmd  *exec.Cmd
	log  *bytes.Buffer
}

// startMosquitto starts a broker. users, when not empty, are the only
// accepted user names and passwords (a password file made with
// mosquitto_passwd); otherwise anyone may connect. A missing binary fails
// the test: MQTT is a feature, and an untested one is not shipped
// silently.
func startMosquitto(t testing.TB, users map[string]string) *mosquitto {
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
	conf := fmt.Sprintf("user %s\nlistener %d 127.0.0.1\npersistence false\nlog_dest stderr\n"+
		// A persistent session's queue must outlast the outage tests.
		"max_queued_messages 100000\nmax_inflight_messages 100\n", me.Username, port)
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
	m := &mosquitto{t: t, bin: bin, conf: filepath.Join(dir, "mosquitto.conf"), port: port}
	if err := os.WriteFile(m.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	m.start()
	t.Cleanup(func() {
		m.stop()
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

func (m *mosquitto) addr() string { return "127.0.0.1:" + strconv.Itoa(m.port) }

// url is the broker's URL for a topic filter and query (written as is).
func (m *mosquitto) url(filter string) string { return "mqtt://" + m.addr() + "/" + filter }

func (m *mosquitto) start() {
	m.t.Helper()
	m.log = &bytes.Buffer{}
	m.cmd = exec.Command(m.bin, "-c", m.conf)
	m.cmd.Stdout, m.cmd.Stderr = io.Discard, &syncWriter{w: m.log}
	if err := m.cmd.Start(); err != nil {
		m.t.Fatalf("starting mosquitto: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", m.addr(), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("mosquitto did not listen on %s within 10 s: %v\n%s", m.addr(), err, m.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the broker the way an operator restarting it would (SIGTERM).
func (m *mosquitto) stop() {
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

// publisher is a plain paho client that publishes for a test. It
// reconnects by itself, so it survives a broker restart.
type publisher struct {
	t testing.TB
	c mqtt.Client
}

func newMQTTPublisher(t testing.TB, addr, user, password string) *publisher {
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
	p := &publisher{t: t, c: c}
	t.Cleanup(func() { c.Disconnect(100) })
	return p
}

// publish sends one message and waits for the broker to take it (QoS 1)
// or for it to be written (QoS 0).
func (p *publisher) publish(topic string, qos byte, retained bool, payload string) {
	p.t.Helper()
	tok := p.c.Publish(topic, qos, retained, payload)
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		p.t.Fatalf("publish %s: %v", topic, tok.Error())
	}
}

// cutProxy is a TCP proxy between a feed and the broker that can cut
// every connection and refuse new ones for a while: the feed loses the
// broker while publishers keep publishing to it.
type cutProxy struct {
	ln       net.Listener
	upstream string

	mu    sync.Mutex
	conns map[net.Conn]bool
	down  bool
	wg    sync.WaitGroup
}

func startCutProxy(t testing.TB, upstream string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, upstream: upstream, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.upstream)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *cutProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// cut closes every connection and refuses new ones until restore.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

func (p *cutProxy) close() {
	p.ln.Close()
	p.cut()
	p.wg.Wait()
}
