package autoscale

import (
	"strings"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// The enums of this package read and write the names Application Auto
// Scaling's API uses (encoding.TextMarshaler and TextUnmarshaler):
// "ECSServiceAverageCPUUtilization", "ChangeInCapacity", "Maximum". Names
// are case-sensitive, as in the API. Marshalling a value that is not one
// of the enum's constants is an error.

// enumText returns the name of v among names (indexed by value − first).
func enumText(typ string, v, first int, names []string) ([]byte, error) {
	if i := v - first; i >= 0 && i < len(names) {
		return []byte(names[i]), nil
	}
	return nil, invalid(typ, v, "is not a "+typ+" constant")
}

// enumParse returns first + the index of text among names, or an error
// listing them.
func enumParse(typ string, text []byte, first int, names []string) (int, error) {
	for i, n := range names {
		if string(text) == n {
			return first + i, nil
		}
	}
	return 0, fielderr.New(ErrInvalidConfig, typ, string(text), "must be "+oneOf(names))
}

func oneOf(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

var predefinedNames = []string{"ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization", "ALBRequestCountPerTarget"}

// MarshalText returns the AWS name of the metric
// (PredefinedMetricSpecification.PredefinedMetricType); the zero value,
// "none", is the empty text.
func (m PredefinedMetric) MarshalText() ([]byte, error) {
	if m == 0 {
		return []byte{}, nil
	}
	return enumText("PredefinedMetric", int(m), int(ECSServiceAverageCPUUtilization), predefinedNames)
}

// UnmarshalText reads a predefined metric type; the empty text is the zero
// value (none).
func (m *PredefinedMetric) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*m = 0
		return nil
	}
	v, err := enumParse("PredefinedMetric", text, int(ECSServiceAverageCPUUtilization), predefinedNames)
	if err == nil {
		*m = PredefinedMetric(v)
	}
	return err
}

var adjustmentNames = []string{"ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"}

// MarshalText returns the AWS name of the adjustment type.
func (t AdjustmentType) MarshalText() ([]byte, error) {
	return enumText("AdjustmentType", int(t), int(ChangeInCapacity), adjustmentNames)
}

// UnmarshalText reads an adjustment type.
func (t *AdjustmentType) UnmarshalText(text []byte) error {
	v, err := enumParse("AdjustmentType", text, int(ChangeInCapacity), adjustmentNames)
	if err == nil {
		*t = AdjustmentType(v)
	}
	return err
}

var aggregationNames = []string{"Average", "Minimum", "Maximum"}

// MarshalText returns the AWS name of the aggregation type
// (MetricAggregationType).
func (t AggregationType) MarshalText() ([]byte, error) {
	return enumText("AggregationType", int(t), int(AggregateAverage), aggregationNames)
}

// UnmarshalText reads a MetricAggregationType.
func (t *AggregationType) UnmarshalText(text []byte) error {
	v, err := enumParse("AggregationType", text, int(AggregateAverage), aggregationNames)
	if err == nil {
		*t = AggregationType(v)
	}
	return err
}

var predictiveModeNames = []string{"ForecastOnly", "ForecastAndScale"}

// MarshalText returns the AWS name of the mode.
func (m PredictiveMode) MarshalText() ([]byte, error) {
	return enumText("PredictiveMode", int(m), int(ForecastOnly), predictiveModeNames)
}

// UnmarshalText reads a mode; the empty text is ForecastOnly, AWS's
// default.
func (m *PredictiveMode) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*m = ForecastOnly
		return nil
	}
	v, err := enumParse("PredictiveMode", text, int(ForecastOnly), predictiveModeNames)
	if err == nil {
		*m = PredictiveMode(v)
	}
	return err
}

var breachNames = []string{"HonorMaxCapacity", "IncreaseMaxCapacity"}

// MarshalText returns the AWS name of the behaviour.
func (b MaxCapacityBreach) MarshalText() ([]byte, error) {
	return enumText("MaxCapacityBreach", int(b), int(HonorMaxCapacity), breachNames)
}

// UnmarshalText reads a behaviour; the empty text is HonorMaxCapacity,
// AWS's default.
func (b *MaxCapacityBreach) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*b = HonorMaxCapacity
		return nil
	}
	v, err := enumParse("MaxCapacityBreach", text, int(HonorMaxCapacity), breachNames)
	if err == nil {
		*b = MaxCapacityBreach(v)
	}
	return err
}

var pairNames = []string{"ECSServiceCPUUtilization", "ECSServiceMemoryUtilization", "ALBRequestCount"}

// MarshalText returns the AWS name of the metric pair
// (PredefinedMetricPairSpecification.PredefinedMetricType); the zero
// value, "none", is the empty text.
func (m PredictiveMetricPair) MarshalText() ([]byte, error) {
	if m == 0 {
		return []byte{}, nil
	}
	return enumText("PredictiveMetricPair", int(m), int(PredictiveECSServiceCPUUtilization), pairNames)
}

// UnmarshalText reads a metric pair; the empty text is the zero value
// (none).
func (m *PredictiveMetricPair) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*m = 0
		return nil
	}
	v, err := enumParse("PredictiveMetricPair", text, int(PredictiveECSServiceCPUUtilization), pairNames)
	if err == nil {
		*m = PredictiveMetricPair(v)
	}
	return err
}
