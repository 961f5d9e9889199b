package feeds

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nchanLocations is the nginx configuration the README's "Long polling"
// section gives; TestLongPollNchan serves exactly this (and checks that
// the README still says it).
const nchanLocations = `location = /feed/pub {
    nchan_publisher;
    nchan_channel_id feed;
    nchan_message_buffer_length 1000;
    nchan_message_timeout 10m;
}
location = /feed/longpoll {
    nchan_subscriber longpoll;
    nchan_channel_id feed;
    nchan_subscriber_timeout 30s;
}`

// startNchan runs Debian's nginx with its nchan module (the nginx and
// libnginx-mod-nchan packages, which `make test` installs) on a free
// loopback port, as root or not, and returns the base URL.
func startNchan(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx" // not on a normal user's PATH
	}
	const module = "/usr/lib/nginx/modules/ngx_nchan_module.so"
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("nginx not found (%v): install Debian's nginx and libnginx-mod-nchan packages, or run `make test`, which does", err)
	}
	if _, err := os.Stat(module); err != nil {
		t.Fatalf("nchan module not found (%v): install Debian's libnginx-mod-nchan package, or run `make test`, which does", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	dir := t.TempDir()
	conf := fmt.Sprintf(`load_module %s;
daemon off;
master_process off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    server {
        listen %[3]s;
%[4]s
    }
}
`, module, dir, addr, nchanLocations)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// -e: nginx opens its error log before reading the configuration, and
	// the built-in one (/var/log/nginx) is not writable for everyone.
	cmd := exec.Command(bin, "-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log"))
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nginx: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %s%s", out, log)
		default:
		}
		if resp, err := http.Get(base + "/feed/pub"); err == nil {
			resp.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not answer on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestLongPollNchan(t *testing.T) {
	base := startNchan(t)
	f := start(t, Config{URL: base + "/feed/longpoll", Transport: LongPoll}, nil)
	// nchan holds the first request until the first message.
	f.waitFor(t, "the first request to go out", func(e Event) bool { return e.Kind == KindStatus && e.Status.State == Connecting })
	time.Sleep(200 * time.Millisecond)

	const n, rate = 300, 200
	pub := &http.Client{}
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	for i := 0; i < n; i++ {
		<-tick.C
		resp, err := pub.Post(base+"/feed/pub", "application/json", strings.NewReader(fmt.Sprintf(`{"seq":%d}`, i)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("publishing %d: %s", i, resp.Status)
		}
	}
	msgs := f.messages(t, n)
	expectSeq(t, msgs, 0)
	if msgs[0].ContentType != "application/json" {
		t.Errorf("content type %q", msgs[0].ContentType)
	}
	noMoreMessages(t, f, 500*time.Millisecond)
	if r := reconnects(f); len(r) > 0 {
		t.Fatalf("reconnected: %v", r[0].Err)
	}

	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), nchanLocations) {
		t.Errorf("README.md does not give the nchan locations this test serves:\n%s", nchanLocations)
	}
}
