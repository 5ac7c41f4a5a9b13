package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// Overrides. A sweep runs one scenario file with some of its values
// changed: "services[0].desiredCount=8", "seed=42". An Override names a
// value by its path in the file (the JSON field names, with [i] for list
// elements, as validation errors name them) and gives the new value as
// JSON. Apply rewrites the file's JSON and Parse checks the result as it
// checks any file, so an override can only make a scenario that a file
// could have said.

// Override sets the value at Path to Value.
type Override struct {
	// Path is a field path such as "services[1].autoScaling.maxCapacity".
	// Every field and element it goes through must exist except the last
	// field, which is added when absent.
	Path string
	// Value is the new value as JSON: 8, 0.5, true, "30s", {"constant": 40}.
	Value json.RawMessage
}

// ErrOverride marks an override that cannot be applied.
var ErrOverride = errors.New("scenario: invalid override")

// ParseOverride reads "path=value". A value that is not JSON is taken as a
// string, so durations and names need no quotes: "duration=2h".
func ParseOverride(s string) (Override, error) {
	path, value, ok := strings.Cut(s, "=")
	if !ok || path == "" {
		return Override{}, fmt.Errorf("%w: %q: want path=value", ErrOverride, clip(s))
	}
	if _, err := parsePath(path); err != nil {
		return Override{}, err
	}
	raw := json.RawMessage(value)
	if !json.Valid(raw) {
		raw, _ = json.Marshal(value)
	}
	return Override{Path: path, Value: raw}, nil
}

// pathStep is one step of a path: a field name, or a list index.
type pathStep struct {
	field string
	index int // -1 for a field
}

// parsePath splits "a.b[2].c" into its steps.
func parsePath(path string) ([]pathStep, error) {
	bad := func(at int, msg string) error {
		return fmt.Errorf("%w: path %q, position %d: %s", ErrOverride, clip(path), at+1, msg)
	}
	var steps []pathStep
	for i := 0; i < len(path); {
		switch c := path[i]; {
		case c == '[':
			j := strings.IndexByte(path[i:], ']')
			if j < 0 {
				return nil, bad(i, "[ without ]")
			}
			n, err := strconv.Atoi(path[i+1 : i+j])
			if err != nil || n < 0 || n > 1_000_000 {
				return nil, bad(i+1, "an index must be a whole number from 0")
			}
			steps = append(steps, pathStep{index: n})
			i += j + 1
			if i < len(path) && path[i] != '.' && path[i] != '[' {
				return nil, bad(i, "expected . or [ after ]")
			}
		case c == '.':
			if i == 0 || i+1 >= len(path) || path[i+1] == '.' || path[i+1] == '[' {
				return nil, bad(i, "expected a field name after .")
			}
			i++
		default:
			j := i
			for j < len(path) && path[j] != '.' && path[j] != '[' {
				j++
			}
			steps = append(steps, pathStep{field: path[i:j], index: -1})
			i = j
		}
	}
	if len(steps) == 0 {
		return nil, bad(0, "empty path")
	}
	return steps, nil
}

// Apply returns data, a scenario file's JSON, with every override applied
// in order. It does not validate the result: Parse it.
func Apply(data []byte, overrides []Override) ([]byte, error) {
	if len(overrides) == 0 {
		return data, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: the file is not JSON: %v", ErrOverride, err)
	}
	var errs []error
	for _, o := range overrides {
		if err := set(&doc, o); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return json.MarshalIndent(doc, "", "  ")
}

// set applies one override to doc.
func set(doc *any, o Override) error {
	steps, err := parsePath(o.Path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(o.Value))
	dec.UseNumber()
	var value any
	if err := dec.Decode(&value); err != nil || dec.More() {
		return fmt.Errorf("%w: %s: value %q is not JSON", ErrOverride, o.Path, clip(string(o.Value)))
	}
	cur := doc
	for k, st := range steps {
		last := k == len(steps)-1
		where := pathString(steps[:k+1])
		if st.index >= 0 {
			list, ok := (*cur).([]any)
			if !ok || st.index >= len(list) {
				return fmt.Errorf("%w: %s: no such element (the file has %d)", ErrOverride, where, len(list))
			}
			if last {
				list[st.index] = value
				return nil
			}
			cur = &list[st.index]
			continue
		}
		obj, ok := (*cur).(map[string]any)
		if !ok {
			return fmt.Errorf("%w: %s: %s is not an object", ErrOverride, where, pathString(steps[:k]))
		}
		if last {
			obj[st.field] = value
			return nil
		}
		next, ok := obj[st.field]
		if !ok {
			return fmt.Errorf("%w: %s: no such field", ErrOverride, where)
		}
		// Objects and lists are maps and slices: what is set through
		// next changes the document itself.
		cur = &next
	}
	return nil
}

// pathString writes steps back as a path.
func pathString(steps []pathStep) string {
	var b strings.Builder
	for i, st := range steps {
		switch {
		case st.index >= 0:
			fmt.Fprintf(&b, "[%d]", st.index)
		case i > 0:
			b.WriteString("." + st.field)
		default:
			b.WriteString(st.field)
		}
	}
	if b.Len() == 0 {
		return "(top)"
	}
	return b.String()
}

// ReadBytes reads the scenario file name from fsys as ReadFile does (a
// regular file of at most maxBytes, zero meaning MaxFileSize) but returns
// its JSON unparsed, for Apply.
func ReadBytes(fsys fs.FS, name string, maxBytes int64) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = MaxFileSize
	}
	data, err := readRegular(fsys, name, maxBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFile, err)
	}
	return data, nil
}
