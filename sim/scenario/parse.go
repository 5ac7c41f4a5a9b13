package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Errors. Every error of the package wraps one of them.
var (
	// ErrSyntax marks a file that is not one JSON object of the scenario's
	// shape (bad JSON, an unknown field, a value of the wrong type).
	ErrSyntax = errors.New("scenario: syntax")
	// ErrInvalid marks a scenario that breaks a rule (FieldError says
	// which) or that the simulator refuses while building it.
	ErrInvalid = errors.New("scenario: invalid")
	// ErrFile marks a file that cannot be read or is refused: not a
	// regular file, a link out of the scenario's directory, larger than
	// its cap. Its error names the file and never quotes its content.
	ErrFile = errors.New("scenario: file")
)

// MaxFileSize is the largest scenario Read accepts, in bytes.
const MaxFileSize = 16 << 20

// SyntaxError is a decoding problem at a position of the file.
type SyntaxError struct {
	Line, Column int // 1-based
	Msg          string
}

// Error renders "scenario: syntax: line 3, column 14: …".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%v: line %d, column %d: %s", ErrSyntax, e.Line, e.Column, e.Msg)
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// FieldError names the field (its JSON path), the offending value and the
// rule it breaks; it matches ErrInvalid. It is the module's one field
// error type: Field is e.g. "services[2].autoScaling.maxCapacity", Value
// the value, Rule what it must be, and Err the sentinel (ErrInvalid).
// Error renders "scenario: invalid: services[0].desiredCount -1: must be
// 0 to 5000".
type FieldError = fielderr.Error

// Read reads a scenario from r (at most MaxFileSize bytes) and validates
// it; see Parse.
func Read(r io.Reader) (*Scenario, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, &SyntaxError{Line: 1, Column: 1, Msg: fmt.Sprintf("the file is larger than %d bytes", MaxFileSize)}
	}
	return Parse(data)
}

// Parse decodes one JSON scenario strictly (unknown or repeated fields,
// values of the wrong kind and trailing data are errors, reported with
// their line, column and field path) and validates it, returning every
// problem at once: the names an enumerated field does not know, and what
// Validate finds.
func Parse(data []byte) (*Scenario, error) {
	shape, err := shapeCheck(data)
	if err != nil {
		return nil, err
	}
	// Decode with the unknown and empty names as null (the field's
	// default), so that Validate still sees the rest of the file, and the
	// AWS spellings in the scenario's.
	data = shape.rewrite(data)
	var sc Scenario
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		// shapeCheck has passed everything encoding/json checks; this is
		// a disagreement between the two, reported where the decoder stopped.
		line, col := position(data, dec.InputOffset())
		return nil, &SyntaxError{Line: line, Column: col, Msg: err.Error()}
	}
	if err := sc.validate(shape.refused()); err != nil {
		return nil, err
	}
	return &sc, nil
}

// position turns a byte offset into a 1-based line and a column counted in
// characters.
func position(data []byte, at int64) (line, col int) {
	at = min(max(at, 0), int64(len(data)))
	before := data[:at]
	line = 1 + bytes.Count(before, []byte("\n"))
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, 1 + utf8.RuneCount(before)
}
