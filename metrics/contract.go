package metrics

// This file fixes the API that autoscale and sim build on. The metrics helper
// owns it and replaces every body; signatures may gain methods but these stay.

import "time"

// Dimension is one name/value pair that, with a namespace and a metric name,
// identifies a time series.
type Dimension struct{ Name, Value string }

// Metric identifies a time series: a namespace, a metric name and a set of
// dimensions (order does not matter).
type Metric struct {
	Namespace  string
	Name       string
	Dimensions []Dimension
}

// Statistic is a CloudWatch statistic: Average, Sum, Minimum, Maximum,
// SampleCount or a percentile.
type Statistic struct {
	kind statKind
	p    float64
}

type statKind uint8

const (
	statAverage statKind = iota
	statSum
	statMinimum
	statMaximum
	statSampleCount
	statPercentile
)

// The CloudWatch statistics.
var (
	Average     = Statistic{kind: statAverage}
	Sum         = Statistic{kind: statSum}
	Minimum     = Statistic{kind: statMinimum}
	Maximum     = Statistic{kind: statMaximum}
	SampleCount = Statistic{kind: statSampleCount}
)

// Percentile returns the pNN statistic; p is in (0, 100), e.g. 99.9.
func Percentile(p float64) Statistic { return Statistic{kind: statPercentile, p: p} }

// Reader answers statistic queries; *Store implements it. Alarms and the
// autoscale package read metrics only through it.
type Reader interface {
	// Statistic returns stat over the samples of m with timestamps in
	// [end-period, end), and false when there are none (missing data).
	Statistic(m Metric, stat Statistic, period time.Duration, end time.Time) (float64, bool)
}

// ComparisonOperator compares an alarm's datapoint with its threshold.
type ComparisonOperator uint8

// The CloudWatch comparison operators.
const (
	GreaterThanThreshold ComparisonOperator = iota + 1
	GreaterThanOrEqualToThreshold
	LessThanThreshold
	LessThanOrEqualToThreshold
)

// MissingData is an alarm's TreatMissingData setting. The zero value is
// MissingDataMissing, CloudWatch's default.
type MissingData uint8

// The four treatments of missing data.
const (
	MissingDataMissing MissingData = iota
	MissingDataIgnore
	MissingDataBreaching
	MissingDataNotBreaching
)

// AlarmState is OK, ALARM or INSUFFICIENT_DATA. The zero value is
// InsufficientData, the state of a new alarm.
type AlarmState uint8

// The alarm states.
const (
	InsufficientData AlarmState = iota
	OK
	Alarm
)

// AlarmConfig is a CloudWatch metric alarm.
type AlarmConfig struct {
	Name              string
	Metric            Metric
	Statistic         Statistic
	Period            time.Duration // 10 s, 30 s or a multiple of 60 s; zero means 60 s
	EvaluationPeriods int           // N, at least 1
	DatapointsToAlarm int           // M, 1..N; zero means N
	Threshold         float64
	Comparison        ComparisonOperator
	TreatMissingData  MissingData
}

// MetricAlarm is a CloudWatch alarm's evaluation state.
type MetricAlarm struct {
	cfg   AlarmConfig
	state AlarmState
}

// NewAlarm validates cfg and returns an alarm in INSUFFICIENT_DATA.
func NewAlarm(cfg AlarmConfig) (*MetricAlarm, error) { panic("metrics: not yet implemented") }

// Evaluate reads the alarm's datapoints ending at now from r, applies the
// CloudWatch evaluation rules and returns the new state.
func (a *MetricAlarm) Evaluate(now time.Time, r Reader) AlarmState {
	panic("metrics: not yet implemented")
}

// State returns the state after the last evaluation.
func (a *MetricAlarm) State() AlarmState { return a.state }

// Config returns the alarm's configuration.
func (a *MetricAlarm) Config() AlarmConfig { return a.cfg }
