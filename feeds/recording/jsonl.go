package recording

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// readJSONL reads JSON Lines after the first line.
func (l *loader) readJSONL() {
	l.eachLine(func(rec []byte, line int64) {
		if len(bytes.TrimSpace(rec)) > 0 {
			l.jsonLine(rec, line)
		}
	})
}

var (
	jsonTime   = []byte(`{"time":"`)
	jsonSeries = []byte(`","series":"`)
	jsonValue  = []byte(`","value":`)
)

// jsonLine reads one {"time","series","value"} object. The shape feedscope
// record writes is cut apart directly; any other (keys in another order,
// spaces, escapes in the name, a numeric time) goes through encoding/json.
func (l *loader) jsonLine(rec []byte, line int64) {
	if rest, ok := bytes.CutPrefix(rec, jsonTime); ok {
		if i := bytes.IndexByte(rest, '"'); i >= 0 {
			ts := rest[:i]
			if rest, ok = bytes.CutPrefix(rest[i:], jsonSeries); ok {
				if j := bytes.IndexByte(rest, '"'); j >= 0 && bytes.IndexByte(rest[:j], '\\') < 0 {
					name := rest[:j]
					if rest, ok = bytes.CutPrefix(rest[j:], jsonValue); ok {
						if k := bytes.IndexByte(rest, '}'); k >= 0 && len(bytes.TrimSpace(rest[k+1:])) == 0 {
							l.longRow(ts, name, rest[:k], line)
							return
						}
					}
				}
			}
		}
	}
	if !utf8.Valid(rec) {
		l.bad(line, errInvalidUTF8.Error())
		return
	}
	var obj struct {
		Time   json.RawMessage `json:"time"`
		Series *string         `json:"series"`
		Value  json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(rec, &obj); err != nil {
		l.bad(line, "bad JSON: "+err.Error())
		return
	}
	switch {
	case len(obj.Time) == 0 || string(obj.Time) == "null":
		l.bad(line, "no time")
		return
	case obj.Series == nil:
		l.bad(line, "no series")
		return
	case len(obj.Value) == 0 || string(obj.Value) == "null":
		l.bad(line, "no value")
		return
	}
	ts := []byte(obj.Time)
	if ts[0] == '"' {
		var s string
		if err := json.Unmarshal(ts, &s); err != nil {
			l.bad(line, "bad time "+quote(ts))
			return
		}
		ts = []byte(s)
	}
	l.longRow(ts, []byte(*obj.Series), obj.Value, line)
}
