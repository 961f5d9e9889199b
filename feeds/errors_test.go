package feeds

import (
	"errors"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"http://user:pw@host/x", "http://user:xxxxx@host/x"},
		{"http://host:8080/a@b", "http://host:8080/a@b"},       // parses: no user info to hide
		{"http://token@host/", "http://token@host/"},           // a user name alone is not a password
		{"http://user:pw@[::1", "http://user:xxxxx@[::1"},      // does not parse
		{"http://user:p/w@host", "http://user:xxxxx@host"},     // a stray '/' in the password
		{"http://user:p@w@[::1/x", "http://user:xxxxx@[::1/x"}, // an '@' in the password
		{"user:pw@host", "user:xxxxx@host"},                    // no scheme: opaque to url.Parse
		{"redis://:pw%zz@h:6379/0", "redis://:xxxxx@h:6379/0"}, // a bad escape
		{"not a url", "not a url"},
	} {
		if got := RedactURL(tc.raw); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestParseURLErrorHidesThePassword(t *testing.T) {
	for _, raw := range []string{"http://user:SECRET@[::1", "http://user:SE/CRET@host", "http://user:SE%zzCRET@host"} {
		_, err := ParseURL(raw)
		var ue *URLError
		if !errors.As(err, &ue) {
			t.Fatalf("ParseURL(%q): %v, want a *URLError", raw, err)
		}
		if msg := err.Error(); strings.Contains(msg, "SE") || !strings.Contains(msg, "xxxxx") {
			t.Errorf("ParseURL(%q): %q", raw, msg)
		}
	}
}
