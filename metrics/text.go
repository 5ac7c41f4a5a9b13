package metrics

import (
	"strings"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// The enums of this package read and write the names CloudWatch's API uses
// (encoding.TextMarshaler and TextUnmarshaler), so that configuration files
// and JSON spell them as AWS does: "GreaterThanOrEqualToThreshold",
// "notBreaching", "INSUFFICIENT_DATA", "evaluate", "p99.9". Names are
// case-sensitive, as in the API. Marshalling a value that is not one of
// the enum's constants is an error, so a zero or corrupt value never turns
// into text that reads back as something else.

// enumText returns the name of v among names (indexed by value − first),
// or an error naming the type.
func enumText(typ string, v, first int, names []string) ([]byte, error) {
	if i := v - first; i >= 0 && i < len(names) {
		return []byte(names[i]), nil
	}
	return nil, fielderr.New(ErrInvalidAlarm, typ, v, "is not a "+typ+" constant")
}

// enumParse returns first + the index of text among names, or an error
// listing them.
func enumParse(typ string, text []byte, first int, names []string, sentinel error) (int, error) {
	for i, n := range names {
		if string(text) == n {
			return first + i, nil
		}
	}
	return 0, fielderr.New(sentinel, typ, string(text), "must be "+oneOf(names))
}

// oneOf renders names as "a, b or c".
func oneOf(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

var comparisonNames = []string{"GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}

// MarshalText returns the CloudWatch name, e.g. "GreaterThanThreshold".
func (op ComparisonOperator) MarshalText() ([]byte, error) {
	return enumText("ComparisonOperator", int(op), int(GreaterThanThreshold), comparisonNames)
}

// UnmarshalText reads a CloudWatch comparison operator name.
func (op *ComparisonOperator) UnmarshalText(text []byte) error {
	v, err := enumParse("ComparisonOperator", text, int(GreaterThanThreshold), comparisonNames, ErrInvalidAlarm)
	if err == nil {
		*op = ComparisonOperator(v)
	}
	return err
}

var missingDataNames = []string{"missing", "ignore", "breaching", "notBreaching"}

// MarshalText returns the CloudWatch name: "missing", "ignore", "breaching"
// or "notBreaching".
func (md MissingData) MarshalText() ([]byte, error) {
	return enumText("MissingData", int(md), int(MissingDataMissing), missingDataNames)
}

// UnmarshalText reads a TreatMissingData value.
func (md *MissingData) UnmarshalText(text []byte) error {
	v, err := enumParse("MissingData", text, int(MissingDataMissing), missingDataNames, ErrInvalidAlarm)
	if err == nil {
		*md = MissingData(v)
	}
	return err
}

var alarmStateNames = []string{"INSUFFICIENT_DATA", "OK", "ALARM"}

// MarshalText returns the CloudWatch name: "OK", "ALARM" or
// "INSUFFICIENT_DATA".
func (s AlarmState) MarshalText() ([]byte, error) {
	return enumText("AlarmState", int(s), int(InsufficientData), alarmStateNames)
}

// UnmarshalText reads an alarm state name.
func (s *AlarmState) UnmarshalText(text []byte) error {
	v, err := enumParse("AlarmState", text, int(InsufficientData), alarmStateNames, ErrInvalidAlarm)
	if err == nil {
		*s = AlarmState(v)
	}
	return err
}

var lowSampleNames = []string{"evaluate", "ignore"}

// MarshalText returns the EvaluateLowSampleCountPercentile value,
// "evaluate" or "ignore".
func (l LowSampleCount) MarshalText() ([]byte, error) {
	return enumText("LowSampleCount", int(l), int(LowSampleEvaluate), lowSampleNames)
}

// UnmarshalText reads an EvaluateLowSampleCountPercentile value.
func (l *LowSampleCount) UnmarshalText(text []byte) error {
	v, err := enumParse("LowSampleCount", text, int(LowSampleEvaluate), lowSampleNames, ErrInvalidAlarm)
	if err == nil {
		*l = LowSampleCount(v)
	}
	return err
}

// MarshalText returns the CloudWatch name (String), and an error wrapping
// ErrInvalidStatistic for a statistic Valid rejects.
func (s Statistic) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fielderr.New(ErrInvalidStatistic, "Statistic", s.String(), "must be Average, Sum, Minimum, Maximum, SampleCount or p0 to p100")
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a statistic name with ParseStatistic.
func (s *Statistic) UnmarshalText(text []byte) error {
	v, err := ParseStatistic(string(text))
	if err == nil {
		*s = v
	}
	return err
}
