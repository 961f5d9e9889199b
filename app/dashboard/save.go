package dashboard

import (
	"bytes"
	"fmt"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"feedscope/app/compute"
	"feedscope/feeds"
)

// Marshal returns d as a dashboard file that Parse turns back into d.
// Keys come in a fixed order (the order of the package documentation's
// example), settings equal to their defaults are left out, header values
// are written as they are (a ${TOKEN} reference stays a reference: see
// LiteralSecrets for the values that are not), and headers are sorted by
// name. An invalid dashboard is refused, since it would not load back.
func (d *Dashboard) Marshal() ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var w tomlWriter
	w.kv("title", quote(d.Title))
	if d.Window == WindowAll {
		w.kv("window", quote("all"))
	} else {
		w.kv("window", quote(FormatDuration(d.Window)))
	}
	w.kv("columns", strconv.Itoa(d.Columns))
	def := DefaultFeedSettings()
	for _, f := range d.Feeds {
		s := f.Settings
		w.table("feed")
		w.kv("name", quote(f.Name))
		w.kv("url", quote(f.URL))
		if f.Transport != feeds.Auto {
			w.kv("transport", quote(f.Transport.String()))
		}
		w.duration("interval", s.PollInterval, def.PollInterval)
		w.duration("hold", s.Hold, def.Hold)
		w.duration("heartbeat", s.Heartbeat, def.Heartbeat)
		if s.PingText != "" {
			w.kv("ping_text", quote(s.PingText))
		}
		if s.PongText != "" {
			w.kv("pong_text", quote(s.PongText))
		}
		if len(s.Headers) > 0 {
			w.kv("headers", headerTable(s.Headers))
		}
		if s.MQTTUsername != "" {
			w.kv("mqtt_username", quote(s.MQTTUsername))
		}
		if s.MQTTPassword != "" {
			w.kv("mqtt_password", quote(s.MQTTPassword))
		}
		if s.ReadLimit != def.ReadLimit {
			w.kv("read_limit", strconv.FormatInt(s.ReadLimit, 10))
		}
		w.duration("history", s.History, def.History)
		if s.ArrivalTime {
			w.kv("time", quote("arrival"))
		}
		if s.InsecureSkipVerify {
			w.kv("insecure_skip_verify", "true")
		}
	}
	for _, p := range d.Panels {
		w.table("panel")
		w.kv("title", quote(p.Title))
		refs := make([]string, len(p.Series))
		for i, r := range p.Series {
			refs[i] = seriesRef(r)
		}
		w.kv("series", "["+strings.Join(refs, ", ")+"]")
		if p.Unit != "" {
			w.kv("unit", quote(p.Unit))
		}
		if p.Y != nil {
			w.kv("y", fmt.Sprintf("{ min = %s, max = %s }", float(p.Y.Min), float(p.Y.Max)))
		}
		if len(p.Hidden) > 0 {
			hs := make([]string, len(p.Hidden))
			for i, h := range p.Hidden {
				hs[i] = quote(h)
			}
			w.kv("hidden", "["+strings.Join(hs, ", ")+"]")
		}
		if len(p.Thresholds) > 0 {
			ts := make([]string, len(p.Thresholds))
			for i, th := range p.Thresholds {
				ts[i] = threshold(th)
			}
			w.kv("thresholds", "[\n  "+strings.Join(ts, ",\n  ")+",\n]")
		}
		w.duration("no_data", p.NoData, 0)
	}
	return w.Bytes(), nil
}

// Save writes d to path. The file is replaced whole (written beside it,
// then renamed), so a failure leaves the old file as it was; it is
// readable by its owner only when it holds a literal secret.
func Save(path string, d *Dashboard) error {
	data, err := d.Marshal()
	if err != nil {
		return err
	}
	perm := os.FileMode(0o644)
	if len(d.LiteralSecrets()) > 0 {
		perm = 0o600
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("dashboard: save: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("dashboard: save %s: %w", path, err)
	}
	return nil
}

// tomlWriter writes the few TOML forms a dashboard file uses.
type tomlWriter struct{ bytes.Buffer }

func (w *tomlWriter) kv(key, value string) {
	w.WriteString(tomlKey(key) + " = " + value + "\n")
}

func (w *tomlWriter) table(name string) {
	w.WriteString("\n[[" + name + "]]\n")
}

func (w *tomlWriter) duration(key string, d, def time.Duration) {
	if d != def {
		w.kv(key, quote(FormatDuration(d)))
	}
}

// headerTable writes "Name: value" lines as an inline table, a name's
// repeated values as an array.
func headerTable(lines []string) string {
	var names []string
	values := map[string][]string{}
	for _, line := range lines {
		name, value, _ := strings.Cut(line, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if _, seen := values[name]; !seen {
			names = append(names, name)
		}
		values[name] = append(values[name], value)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		vs := values[name]
		if len(vs) == 1 {
			parts[i] = tomlKey(name) + " = " + quote(vs[0])
			continue
		}
		qs := make([]string, len(vs))
		for j, v := range vs {
			qs[j] = quote(v)
		}
		parts[i] = tomlKey(name) + " = [" + strings.Join(qs, ", ") + "]"
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// seriesRef writes a plain pattern as a string, anything more as a table.
func seriesRef(r SeriesRef) string {
	if r.Name == "" && r.Unit == "" && r.Fn == "" {
		return quote(r.Match)
	}
	parts := []string{"match = " + quote(r.Match)}
	if r.Name != "" {
		parts = append(parts, "name = "+quote(r.Name))
	}
	if r.Unit != "" {
		parts = append(parts, "unit = "+quote(r.Unit))
	}
	if r.Fn != "" {
		parts = append(parts, "fn = "+quote(r.Fn))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// threshold writes a threshold as an inline table, leaving out what is at
// its default.
func threshold(th compute.Threshold) string {
	parts := []string{"value = " + float(th.Value)}
	if th.Colour != "" {
		parts = append(parts, "colour = "+quote(th.Colour))
	}
	if th.Label != "" {
		parts = append(parts, "label = "+quote(th.Label))
	}
	if th.Dir != compute.Above {
		parts = append(parts, "dir = "+quote(th.Dir.String()))
	}
	if th.Shade {
		parts = append(parts, "shade = true")
	}
	if th.Alarm {
		parts = append(parts, "alarm = true")
	}
	if th.For != 0 {
		parts = append(parts, "for = "+quote(FormatDuration(th.For)))
	}
	if th.Hysteresis != 0 {
		parts = append(parts, "hysteresis = "+float(th.Hysteresis))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// tomlKey writes a key bare when TOML allows it, else quoted.
func tomlKey(k string) string {
	if k == "" {
		return `""`
	}
	for i := 0; i < len(k); i++ {
		if !isBare(k[i]) {
			return quote(k)
		}
	}
	return k
}

// quote writes a TOML basic string. Text that is not UTF-8 (which no
// loaded dashboard holds) has its bad bytes replaced.
func quote(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// float writes a TOML float that parses back to f (f is finite).
func float(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".en") {
		s += ".0"
	}
	return s
}

// FormatDuration writes d as a dashboard file does, without the zero
// units time.Duration.String keeps: 1h, not 1h0m0s; 90s as 1m30s. It is
// the pipeline language's form too, so one reads like the other.
func FormatDuration(d time.Duration) string { return compute.FormatDuration(d) }

// Secret is a credential written literally in a dashboard, that saving
// would put in the file for anyone who gets it: a header value without a
// ${NAME} reference, a password in a URL, or a URL parameter whose name
// says token, key, secret, pass(word), auth, sess(ion id) or sig(nature).
type Secret struct {
	Feed string
	// Where names it: "header Authorization", "URL password",
	// "URL parameter access_token". Never the value.
	Where string
}

func (s Secret) String() string { return "feed " + s.Feed + ": " + s.Where }

// publicHeaders are headers whose values are not credentials.
var publicHeaders = map[string]bool{
	"Accept": true, "Accept-Charset": true, "Accept-Encoding": true, "Accept-Language": true,
	"Cache-Control": true, "Content-Type": true, "Origin": true, "Pragma": true, "Referer": true,
	"X-Requested-With": true,
}

// secretParams are substrings of URL parameter names that carry
// credentials.
var secretParams = []string{"token", "key", "secret", "pass", "auth", "sess", "sig"}

// LiteralSecrets lists the credentials d holds as typed rather than as
// ${ENV} references, so that a window can warn before saving them. Every
// header except a few well-known public ones (Accept, Content-Type, ...)
// counts as a credential, as the Settings dialog treats them.
func (d *Dashboard) LiteralSecrets() []Secret {
	var out []Secret
	for _, f := range d.Feeds {
		if u, err := url.Parse(f.URL); err == nil {
			if _, ok := u.User.Password(); ok {
				out = append(out, Secret{f.Name, "URL password"})
			}
			var params []string
			for name, vs := range u.Query() {
				lower := strings.ToLower(name)
				for _, sp := range secretParams {
					if strings.Contains(lower, sp) && len(vs) > 0 && vs[0] != "" && !envRef.MatchString(vs[0]) {
						params = append(params, name)
						break
					}
				}
			}
			sort.Strings(params)
			for _, p := range params {
				out = append(out, Secret{f.Name, "URL parameter " + p})
			}
		}
		if f.Settings.MQTTPassword != "" {
			out = append(out, Secret{f.Name, "MQTT password"})
		}
		seen := map[string]bool{}
		for _, line := range f.Settings.Headers {
			name, value, _ := strings.Cut(line, ":")
			name = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
			value = strings.TrimSpace(value)
			if value == "" || publicHeaders[name] || envRef.MatchString(value) || seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, Secret{f.Name, "header " + name})
		}
	}
	return out
}
