package scenario

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// shapeCheck walks a document token by token along the shape of Scenario
// and returns its problems at their exact positions, every one at once
// (joined *SyntaxErrors): an unknown or repeated field, a value of the
// wrong kind, a number out of its field's range, a duration or time that
// does not parse, data after the object. The walk skips such a value and
// goes on; only JSON that does not decode stops it, as the last problem.
// encoding/json reports such problems only after decoding a whole value,
// without the array indexes of the path; this walk knows both, so Parse
// runs it first and decodes with encoding/json only what it has passed.
//
// A string that its enumerated field's type does not read (one that
// implements encoding.TextUnmarshaler) is not a shape problem: the walk
// records it, as a field error with the type's rule, and goes on, so that
// every such name is reported at once with what Validate finds. An empty
// string there means the field's default, as if it were absent.
func shapeCheck(data []byte) (*shape, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := &walker{data: data, dec: dec, shape: &shape{}}
	if err := w.value(reflect.TypeFor[Scenario](), ""); err != nil {
		// Bad JSON: what follows cannot be read, and the problems before
		// it come first.
		return nil, errors.Join(append(w.problems, err)...)
	}
	at := w.next()
	if _, err := dec.Token(); err != io.EOF {
		w.problems = append(w.problems, w.fail(at, "", "data after the scenario object"))
	}
	if len(w.problems) > 0 {
		return nil, errors.Join(w.problems...)
	}
	return w.shape, nil
}

// shape is what a walk that passed found: the enumerated values their
// types do not know and the empty ones, and the AWS spellings to rewrite
// in the scenario's.
type shape struct {
	unknown []unknownName
	edits   []edit // in document order
}

// unknownName is one string of an enumerated field to decode as null (the
// field's default): one its type refused, with its field error, or an
// empty one (err nil).
type unknownName struct {
	err *FieldError
}

// edit replaces the bytes [start, end) of the document with text.
type edit struct {
	start, end int64
	text       string
}

// rewrite returns a copy of data with the edits made: each unknown name
// null, each AWS spelling the scenario's.
func (s *shape) rewrite(data []byte) []byte {
	if len(s.edits) == 0 {
		return data
	}
	var out []byte
	last := int64(0)
	for _, e := range s.edits {
		out = append(out, data[last:e.start]...)
		out = append(out, e.text...)
		last = e.end
	}
	return append(out, data[last:]...)
}

// refused returns the problems of the names their types refused.
func (s *shape) refused() []*FieldError {
	var out []*FieldError
	for _, u := range s.unknown {
		if u.err != nil {
			out = append(out, u.err)
		}
	}
	return out
}

type walker struct {
	data     []byte
	dec      *json.Decoder
	shape    *shape
	problems []error // the problems found so far, each a *SyntaxError
}

var (
	durationType = reflect.TypeFor[Duration]()
	timeType     = reflect.TypeFor[time.Time]()
	textType     = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// next is the offset where the next token starts.
func (w *walker) next() int64 {
	at := w.dec.InputOffset()
	for at < int64(len(w.data)) && strings.IndexByte(" \t\r\n,:", w.data[at]) >= 0 {
		at++
	}
	return at
}

// bad records a problem of a well-formed value (tok, its first token, or
// nil if it is read whole) and skips the rest of it, so that the walk goes
// on to the next: every such problem of a file is reported at once. It
// returns an error only when the rest does not decode (bad JSON) or the
// problems reach maxShapeProblems.
func (w *walker) bad(at int64, tok json.Token, path, format string, args ...any) error {
	w.problems = append(w.problems, w.fail(at, path, format, args...))
	if len(w.problems) >= maxShapeProblems {
		return w.fail(at, "", "stopped after %d problems", maxShapeProblems)
	}
	return w.skipRest(tok, path)
}

// maxShapeProblems bounds the problems a shape pass reports.
const maxShapeProblems = 100

// skipRest reads to the end of the array or object tok opens; any other
// token is a whole value.
func (w *walker) skipRest(tok json.Token, path string) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, _, err := w.token(path)
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// skipValue reads the next value whole.
func (w *walker) skipValue(path string) error {
	tok, _, err := w.token(path)
	if err != nil {
		return err
	}
	return w.skipRest(tok, path)
}

func (w *walker) fail(at int64, path, format string, args ...any) error {
	line, col := position(w.data, at)
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return &SyntaxError{Line: line, Column: col, Msg: msg}
}

// token reads the next token, turning a decoding error into a SyntaxError.
func (w *walker) token(path string) (json.Token, int64, error) {
	at := w.next()
	tok, err := w.dec.Token()
	if err == nil {
		return tok, at, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return nil, se.Offset, w.fail(se.Offset, path, "%s", strings.TrimPrefix(se.Error(), "json: "))
	case err == io.EOF && at == 0 && path == "":
		return nil, at, w.fail(at, path, "empty file: expected a JSON object")
	case err == io.EOF, errors.Is(err, io.ErrUnexpectedEOF):
		return nil, int64(len(w.data)), w.fail(int64(len(w.data)), path, "the file ends inside a value")
	}
	return nil, at, w.fail(at, path, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// value checks one value of type t at path.
func (w *walker) value(t reflect.Type, path string) error {
	tok, at, err := w.token(path)
	if err != nil {
		return err
	}
	if tok == nil {
		return nil // null leaves the field at its zero value, as encoding/json does
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	where := path
	if where == "" {
		where = "the scenario"
	}
	switch {
	case t == durationType && strings.HasSuffix(path, ".stopTimeout") && isNumber(tok):
		// The API's container stopTimeout is a number of seconds.
		return w.secondsToken(tok, at, path)
	case t == durationType:
		s, ok := tok.(string)
		if !ok {
			return w.bad(at, tok, where, "a duration is a string with a unit, such as \"90s\" or \"5m\"; got %s", kind(tok))
		}
		if _, err := time.ParseDuration(s); err != nil {
			return w.bad(at, nil, where, "a duration is a string with a unit, such as \"90s\" or \"5m\"; got %q", clip(s))
		}
		return nil
	case t == timeType:
		s, ok := tok.(string)
		if !ok {
			return w.bad(at, tok, where, "a time is an RFC 3339 string such as \"2024-03-04T00:00:00Z\"; got %s", kind(tok))
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return w.bad(at, nil, where, "a time is an RFC 3339 string such as \"2024-03-04T00:00:00Z\"; got %q", clip(s))
		}
		return nil
	case reflect.PointerTo(t).Implements(textType):
		s, ok := tok.(string)
		if !ok {
			return w.bad(at, tok, where, "expected a string, got %s", kind(tok))
		}
		if s == "" {
			w.shape.edits = append(w.shape.edits, edit{at, w.dec.InputOffset(), "null"})
			return nil
		}
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			rule := fieldErrors(err)[0].Rule
			w.shape.unknown = append(w.shape.unknown, unknownName{err: fielderr.New(ErrInvalid, where, s, rule)})
			w.shape.edits = append(w.shape.edits, edit{at, w.dec.InputOffset(), "null"})
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if tok != json.Delim('{') {
			return w.bad(at, tok, where, "expected an object, got %s", kind(tok))
		}
		return w.object(t, path)
	case reflect.Slice:
		if tok != json.Delim('[') {
			return w.bad(at, tok, where, "expected an array, got %s", kind(tok))
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, _, err := w.token(path) // ]
		return err
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return w.bad(at, tok, where, "expected a string, got %s", kind(tok))
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return w.bad(at, tok, where, "expected true or false, got %s", kind(tok))
		}
	case reflect.Int, reflect.Int64:
		if str, ok := tok.(string); ok && awsUnitFields[lastField(path)] {
			v, ok := awsUnits(lastField(path), str)
			if !ok {
				return w.bad(at, nil, where, "expected a whole number or the API's string (\"256\", \"1 vCPU\", \"2 GB\"), got %q", clip(str))
			}
			w.shape.edits = append(w.shape.edits, edit{at, w.dec.InputOffset(), strconv.Itoa(v)})
			return nil
		}
		n, ok := tok.(json.Number)
		if !ok {
			return w.bad(at, tok, where, "expected a whole number, got %s", kind(tok))
		}
		if strings.ContainsAny(string(n), ".eE") {
			return w.bad(at, tok, where, "expected a whole number, got %s", clip(string(n)))
		}
		if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
			return w.bad(at, tok, where, "the number %s does not fit a %d-bit integer", clip(string(n)), t.Bits())
		}
	case reflect.Uint64:
		n, ok := tok.(json.Number)
		if !ok {
			return w.bad(at, tok, where, "expected a whole number of at least 0, got %s", kind(tok))
		}
		if _, err := strconv.ParseUint(string(n), 10, 64); err != nil {
			return w.bad(at, tok, where, "expected a whole number from 0 to 2^64-1, got %s", clip(string(n)))
		}
	case reflect.Float64:
		n, ok := tok.(json.Number)
		if !ok {
			return w.bad(at, tok, where, "expected a number, got %s", kind(tok))
		}
		if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			return w.bad(at, tok, where, "the number %s is out of range", clip(string(n)))
		}
	default:
		panic("scenario: shapeCheck does not know " + t.String()) // a new field type; caught by TestShapeCheckKnowsEveryType
	}
	return nil
}

// object checks the members of an object of struct type t; the opening
// brace is read.
func (w *walker) object(t reflect.Type, path string) error {
	fields := jsonFields(t)
	seen := map[string]bool{}
	for w.dec.More() {
		tok, at, err := w.token(path)
		if err != nil {
			return err
		}
		key := tok.(string) // object keys are strings, or Token has failed
		name, seconds := key, false
		if aws, ok := awsSpellings[t][key]; ok {
			name = aws
		} else if base, ok := strings.CutSuffix(key, "Seconds"); ok && fields[key] == nil && isDuration(fields[base]) {
			name, seconds = base, true
		}
		f, ok := fields[name]
		if !ok {
			if err := w.bad(at, nil, path, "unknown field %q%s", clip(key), suggest(key, fields, t)); err != nil {
				return err
			}
			if err := w.skipValue(path); err != nil {
				return err
			}
			continue
		}
		if seen[name] {
			if err := w.bad(at, nil, path, "field %q appears twice%s", key, spelledAs(key, name)); err != nil {
				return err
			}
			if err := w.skipValue(path); err != nil {
				return err
			}
			continue
		}
		seen[name] = true
		if name != key {
			keyJSON, _ := json.Marshal(name)
			w.shape.edits = append(w.shape.edits, edit{at, w.dec.InputOffset(), string(keyJSON)})
		}
		sub := name
		if path != "" {
			sub = path + "." + name
		}
		if seconds {
			if err := w.seconds(sub); err != nil {
				return err
			}
			continue
		}
		if err := w.value(f, sub); err != nil {
			return err
		}
	}
	_, _, err := w.token(path) // }
	return err
}

// spelledAs says which field an AWS spelling is, for a field given twice.
func spelledAs(key, name string) string {
	if key == name {
		return ""
	}
	return fmt.Sprintf(" (as %q)", name)
}

// isDuration reports whether t is a Duration or a pointer to one.
func isDuration(t reflect.Type) bool {
	return t != nil && (t == durationType || t.Kind() == reflect.Pointer && t.Elem() == durationType)
}

// seconds reads a number of seconds for the duration field at path (an
// AWS "...Seconds" spelling) and rewrites it as a duration string.
func (w *walker) seconds(path string) error {
	tok, at, err := w.token(path)
	if err != nil {
		return err
	}
	return w.secondsToken(tok, at, path)
}

// secondsToken is seconds with the value's first token read.
func (w *walker) secondsToken(tok json.Token, at int64, path string) error {
	n, ok := tok.(json.Number)
	if !ok {
		return w.bad(at, tok, path, "expected a number of seconds, got %s", kind(tok))
	}
	x, err := strconv.ParseFloat(string(n), 64)
	if err != nil || x < 0 || x > MaxDuration.Seconds() {
		return w.bad(at, nil, path, "a number of seconds from 0 to %.0f, got %s", MaxDuration.Seconds(), clip(string(n)))
	}
	w.shape.edits = append(w.shape.edits, edit{at, w.dec.InputOffset(), strconv.Quote(time.Duration(x * float64(time.Second)).String())})
	return nil
}

// jsonFields maps a struct's JSON names to their types, flattening embedded
// structs as encoding/json does.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" && f.IsExported() {
			out[name] = f.Type
		}
	}
	return out
}

func isNumber(tok json.Token) bool {
	_, ok := tok.(json.Number)
	return ok
}

// lastField is the last field name of a path: "cpu" of
// "taskDefinitions[0].cpu".
func lastField(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}

func kind(tok json.Token) string {
	switch tok := tok.(type) {
	case json.Delim:
		if tok == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return fmt.Sprintf("the string %q", clip(tok))
	case json.Number:
		return "the number " + clip(string(tok))
	case bool:
		return strconv.FormatBool(tok)
	}
	return "null"
}
