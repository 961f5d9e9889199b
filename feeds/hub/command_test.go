package hub

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCommandHelpGoesToStdout(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		var stdout, stderr bytes.Buffer
		err := Command(context.Background(), []string{arg}, strings.NewReader(""), &stdout, &stderr)
		if !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%s: err %v, want flag.ErrHelp", arg, err)
		}
		for _, want := range []string{"/sse", "/ws", "/poll?since=ID", "-addr", "-rate", "-redis", "-channel", "-stdin", "vmstat"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%s: usage lacks %q:\n%s", arg, want, stdout.String())
			}
		}
		if stderr.Len() != 0 {
			t.Errorf("%s: stderr %q, want nothing", arg, stderr.String())
		}
	}
}

func TestCommandRejectsBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--redis", "redis://localhost:6379/0", "--stdin"}, "pick one"},
		{[]string{"--rate", "-1"}, "--rate"},
		{[]string{"--rate", "NaN"}, "--rate"},
		{[]string{"--stdin", "--rate", "5"}, "--rate applies"},
		{[]string{"--channel", "x"}, "--channel needs --redis"},
		{[]string{"--redis", "http://nope"}, "redis URL"},
		{[]string{"--addr", "8080"}, "--addr"},
		{[]string{"--log-size", "0"}, "--log-size"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--bogus"}, "bogus"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Command(context.Background(), tc.args, strings.NewReader(""), &stdout, &stderr)
			if err == nil || errors.Is(err, flag.ErrHelp) {
				t.Fatalf("err %v, want a usage error", err)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q, want it to mention %q", stderr.String(), tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

func TestCommandListenError(t *testing.T) {
	_, base := newHub(t, Options{}) // holds a port
	var stderr bytes.Buffer
	err := Command(context.Background(), []string{"--addr", strings.TrimPrefix(base, "http://")}, nil, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("err %v, want the listen error", err)
	}
}

var servingURL = regexp.MustCompile(`msg=serving url=(http://\S+)/`)

// startCommand runs Command until the test ends and returns the base URL
// it logged.
func startCommand(t *testing.T, args []string, stdin io.Reader) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- Command(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), stdin, io.Discard, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Command: %v", err)
			}
		case <-time.After(patience):
			t.Errorf("Command did not return after its context ended")
		}
		t.Logf("log:\n%s", stderr.String())
	})
	var base string
	waitFor(t, "the serving log line", func() bool {
		if m := servingURL.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			return true
		}
		return false
	})
	return base
}

func TestCommandServesStdin(t *testing.T) {
	pr, pw := io.Pipe()
	base := startCommand(t, []string{"--stdin"}, pr)
	fmt.Fprintln(pw, "procs 1 2 3")
	var body string
	waitFor(t, "the line on /poll", func() bool {
		resp, err := http.Get(base + "/poll")
		if err != nil {
			return false
		}
		body = readAll(t, resp)
		return resp.StatusCode == 200
	})
	if body != "procs 1 2 3" {
		t.Fatalf("/poll %q", body)
	}
	// The end of input does not end the server.
	pw.Close()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, resp); resp.StatusCode != 200 {
		t.Fatalf("healthz after input ended: %s", resp.Status)
	}
}

func TestCommandServesGenerator(t *testing.T) {
	base := startCommand(t, []string{"--rate", "200"}, nil)
	c := dialSSE(t, base, "")
	decodeSample(t, c.mustNext(t).data)
}

func TestCommandServesRedis(t *testing.T) {
	s := startRedis(t)
	base := startCommand(t, []string{"--redis", s.url(), "--channel", "sse"}, nil)
	c := dialSSE(t, base, "")
	newPublisher(t, s).publishReceived(t, `{"data":{"message":"测试"}}`)
	if ev := c.mustNext(t); ev.data != `{"message":"测试"}` {
		t.Fatalf("got %+v", ev)
	}
}
