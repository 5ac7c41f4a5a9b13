package scenario

import (
	"bytes"
	"encoding/json"
)

// Locate returns the line and column (1-based) where the value at field
// ("services[0].desiredCount", as a FieldError names it) starts in the
// scenario file data, for an editor to jump to. A field the file does not
// hold (a required field left out) is placed at the object that lacks it;
// ok is false only when no part of the path is in the file, or data is not
// JSON up to it.
func Locate(data []byte, field string) (line, col int, ok bool) {
	steps, err := parsePath(field)
	if err != nil {
		return 0, 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	at := func() int64 {
		off := dec.InputOffset()
		for off < int64(len(data)) && bytes.IndexByte([]byte(" \t\r\n,:"), data[off]) >= 0 {
			off++
		}
		return off
	}
	best := int64(-1)
	start := at()
	tok, err := dec.Token()
	if tok != json.Delim('{') {
		return 0, 0, false
	}
	for _, st := range steps {
		if err != nil {
			break
		}
		best = start
		found := false
		switch {
		case st.index < 0 && tok == json.Delim('{'):
			for dec.More() {
				key, err := dec.Token()
				if err != nil {
					break
				}
				name, _ := key.(string)
				if name == st.field || spelledFor(name) == st.field {
					found = true
					break
				}
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					break
				}
			}
		case st.index >= 0 && tok == json.Delim('['):
			for i := 0; dec.More(); i++ {
				if i == st.index {
					found = true
					break
				}
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					break
				}
			}
		}
		if !found {
			break
		}
		start = at()
		tok, err = dec.Token()
		if err == nil {
			best = start
		}
	}
	if best < 0 {
		return 0, 0, false
	}
	line, col = position(data, best)
	return line, col, true
}

// spelledFor is the scenario field an AWS spelling stands for, in any
// type ("containerDefinitions" → "containers"), or the key itself.
func spelledFor(key string) string {
	for _, m := range awsSpellings {
		if f, ok := m[key]; ok {
			return f
		}
	}
	return key
}
