package feeds

import (
	"fmt"
	"net/http"
	"os"
	"strings"
)

// expandHeader returns a copy of h with every ${NAME} in its values
// replaced by the environment variable NAME, so that a token can live in
// the environment rather than in a saved setting. Only the braced form
// counts (tokens may contain a bare '$'), and NAME is letters, digits and
// underscores not starting with a digit; anything else is left as it is.
// An unset variable is an error that names the header and the variable,
// never a value.
func expandHeader(h http.Header, lookup func(string) (string, bool)) (http.Header, error) {
	if h == nil {
		return nil, nil
	}
	out := make(http.Header, len(h))
	for name, vs := range h {
		ev := make([]string, len(vs))
		for i, v := range vs {
			x, err := expandEnv(v, lookup)
			if err != nil {
				return nil, &ConfigError{Msg: fmt.Sprintf("feeds: header %s: %v", name, err)}
			}
			ev[i] = x
		}
		out[name] = ev
	}
	return out, nil
}

// expandEnvHeader is expandHeader over the process environment.
func expandEnvHeader(h http.Header) (http.Header, error) { return expandHeader(h, os.LookupEnv) }

func expandEnv(v string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(v, "${") {
		return v, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			break
		}
		end := strings.IndexByte(v[i+2:], '}')
		if end < 0 || !isEnvName(v[i+2:i+2+end]) {
			b.WriteString(v[:i+2]) // not a reference: keep it as written
			v = v[i+2:]
			continue
		}
		name := v[i+2 : i+2+end]
		val, ok := lookup(name)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", name)
		}
		b.WriteString(v[:i])
		b.WriteString(val)
		v = v[i+2+end+1:]
	}
	b.WriteString(v)
	return b.String(), nil
}

func isEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range []byte(s) {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
