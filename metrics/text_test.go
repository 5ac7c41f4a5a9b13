package metrics_test

import (
	"encoding"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/metrics"
)

// textCase is one enum value and the name CloudWatch's API gives it.
type textCase struct {
	value interface {
		encoding.TextMarshaler
		String() string
	}
	text  string
	fresh func() encoding.TextUnmarshaler // a zero value to read into
	get   func(encoding.TextUnmarshaler) any
}

func textCases() []textCase {
	cmpOp := func() encoding.TextUnmarshaler { return new(metrics.ComparisonOperator) }
	getOp := func(u encoding.TextUnmarshaler) any { return *u.(*metrics.ComparisonOperator) }
	md := func() encoding.TextUnmarshaler { return new(metrics.MissingData) }
	getMD := func(u encoding.TextUnmarshaler) any { return *u.(*metrics.MissingData) }
	st := func() encoding.TextUnmarshaler { return new(metrics.AlarmState) }
	getSt := func(u encoding.TextUnmarshaler) any { return *u.(*metrics.AlarmState) }
	ls := func() encoding.TextUnmarshaler { return new(metrics.LowSampleCount) }
	getLS := func(u encoding.TextUnmarshaler) any { return *u.(*metrics.LowSampleCount) }
	stat := func() encoding.TextUnmarshaler { return new(metrics.Statistic) }
	getStat := func(u encoding.TextUnmarshaler) any { return *u.(*metrics.Statistic) }
	return []textCase{
		{metrics.GreaterThanThreshold, "GreaterThanThreshold", cmpOp, getOp},
		{metrics.GreaterThanOrEqualToThreshold, "GreaterThanOrEqualToThreshold", cmpOp, getOp},
		{metrics.LessThanThreshold, "LessThanThreshold", cmpOp, getOp},
		{metrics.LessThanOrEqualToThreshold, "LessThanOrEqualToThreshold", cmpOp, getOp},
		{metrics.MissingDataMissing, "missing", md, getMD},
		{metrics.MissingDataIgnore, "ignore", md, getMD},
		{metrics.MissingDataBreaching, "breaching", md, getMD},
		{metrics.MissingDataNotBreaching, "notBreaching", md, getMD},
		{metrics.OK, "OK", st, getSt},
		{metrics.Alarm, "ALARM", st, getSt},
		{metrics.InsufficientData, "INSUFFICIENT_DATA", st, getSt},
		{metrics.LowSampleEvaluate, "evaluate", ls, getLS},
		{metrics.LowSampleIgnore, "ignore", ls, getLS},
		{metrics.Average, "Average", stat, getStat},
		{metrics.Sum, "Sum", stat, getStat},
		{metrics.Minimum, "Minimum", stat, getStat},
		{metrics.Maximum, "Maximum", stat, getStat},
		{metrics.SampleCount, "SampleCount", stat, getStat},
		{metrics.Percentile(99.9), "p99.9", stat, getStat},
		{metrics.Percentile(50), "p50", stat, getStat},
	}
}

// TestEnumTextRoundTrips: every enum value marshals to the AWS spelling,
// which is also its String, and reads back to the same value.
func TestEnumTextRoundTrips(t *testing.T) {
	for _, c := range textCases() {
		got, err := c.value.MarshalText()
		if err != nil || string(got) != c.text {
			t.Errorf("%v.MarshalText() = %q, %v; want %q", c.value, got, err, c.text)
		}
		if c.value.String() != c.text {
			t.Errorf("String %q differs from the text %q", c.value.String(), c.text)
		}
		u := c.fresh()
		if err := u.UnmarshalText([]byte(c.text)); err != nil {
			t.Errorf("UnmarshalText(%q): %v", c.text, err)
			continue
		}
		if back := c.get(u); back != any(c.value) {
			t.Errorf("UnmarshalText(%q) = %v, want %v", c.text, back, c.value)
		}
	}
}

// TestEnumTextRejects: misspelt names (case included, as in the API) and
// values that are no constant are errors that name the type and, for
// names, list the valid ones.
func TestEnumTextRejects(t *testing.T) {
	for _, c := range []struct {
		into encoding.TextUnmarshaler
		text string
		want string
	}{
		{new(metrics.ComparisonOperator), "GreaterThan", "GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold"},
		{new(metrics.MissingData), "NotBreaching", "missing, ignore, breaching or notBreaching"},
		{new(metrics.AlarmState), "alarm", "INSUFFICIENT_DATA, OK or ALARM"},
		{new(metrics.LowSampleCount), "", "evaluate or ignore"},
		{new(metrics.Statistic), "average", "want Average"},
	} {
		err := c.into.UnmarshalText([]byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("UnmarshalText(%q) into %T: %v, want an error listing %q", c.text, c.into, err, c.want)
		}
	}
	for _, v := range []encoding.TextMarshaler{metrics.ComparisonOperator(0), metrics.MissingData(9), metrics.AlarmState(3),
		metrics.LowSampleCount(2), metrics.Percentile(101)} {
		if b, err := v.MarshalText(); err == nil {
			t.Errorf("%T(%v).MarshalText() = %q, want an error", v, v, b)
		}
	}
	var op metrics.ComparisonOperator
	if err := op.UnmarshalText([]byte("x")); !errors.Is(err, metrics.ErrInvalidAlarm) {
		t.Errorf("error %v does not match ErrInvalidAlarm", err)
	}
}

// TestEnumsInJSON: a struct of enums reads from and writes to JSON with the
// AWS spellings, as a scenario file would give them.
func TestEnumsInJSON(t *testing.T) {
	type alarm struct {
		Comparison metrics.ComparisonOperator `json:"comparisonOperator"`
		Missing    metrics.MissingData        `json:"treatMissingData"`
		Statistic  metrics.Statistic          `json:"statistic"`
	}
	in := `{"comparisonOperator":"GreaterThanOrEqualToThreshold","treatMissingData":"notBreaching","statistic":"p99"}`
	var a alarm
	if err := json.Unmarshal([]byte(in), &a); err != nil {
		t.Fatal(err)
	}
	if a.Comparison != metrics.GreaterThanOrEqualToThreshold || a.Missing != metrics.MissingDataNotBreaching || a.Statistic != metrics.Percentile(99) {
		t.Fatalf("read %+v", a)
	}
	out, err := json.Marshal(a)
	if err != nil || string(out) != in {
		t.Fatalf("wrote %s, %v; want %s", out, err, in)
	}
}
