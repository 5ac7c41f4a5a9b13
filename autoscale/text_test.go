package autoscale

import (
	"encoding"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestEnumTextRoundTrips: every enum value marshals to the AWS spelling,
// which is also its String, and reads back to the same value.
func TestEnumTextRoundTrips(t *testing.T) {
	check := func(value interface {
		encoding.TextMarshaler
		String() string
	}, text string, into encoding.TextUnmarshaler, back func() any) {
		t.Helper()
		got, err := value.MarshalText()
		if err != nil || string(got) != text {
			t.Errorf("%v.MarshalText() = %q, %v; want %q", value, got, err, text)
		}
		if value.String() != text && text != "" {
			t.Errorf("String %q differs from the text %q", value.String(), text)
		}
		if err := into.UnmarshalText([]byte(text)); err != nil {
			t.Errorf("UnmarshalText(%q): %v", text, err)
		} else if b := back(); b != any(value) {
			t.Errorf("UnmarshalText(%q) = %v, want %v", text, b, value)
		}
	}
	for v, text := range map[PredefinedMetric]string{
		ECSServiceAverageCPUUtilization:    "ECSServiceAverageCPUUtilization",
		ECSServiceAverageMemoryUtilization: "ECSServiceAverageMemoryUtilization",
		ALBRequestCountPerTarget:           "ALBRequestCountPerTarget",
		0:                                  "", // none
	} {
		var m PredefinedMetric = 99
		check(v, text, &m, func() any { return m })
	}
	for v, text := range map[AdjustmentType]string{
		ChangeInCapacity: "ChangeInCapacity", PercentChangeInCapacity: "PercentChangeInCapacity", ExactCapacity: "ExactCapacity",
	} {
		var a AdjustmentType
		check(v, text, &a, func() any { return a })
	}
	for v, text := range map[AggregationType]string{AggregateAverage: "Average", AggregateMinimum: "Minimum", AggregateMaximum: "Maximum"} {
		var a AggregationType = 9
		check(v, text, &a, func() any { return a })
	}
	for v, text := range map[PredictiveMode]string{ForecastOnly: "ForecastOnly", ForecastAndScale: "ForecastAndScale"} {
		var m PredictiveMode = 9
		check(v, text, &m, func() any { return m })
	}
	for v, text := range map[PredictiveMetricPair]string{
		PredictiveECSServiceCPUUtilization: "ECSServiceCPUUtilization", PredictiveECSServiceMemoryUtilization: "ECSServiceMemoryUtilization",
		PredictiveALBRequestCount: "ALBRequestCount", 0: "",
	} {
		var m PredictiveMetricPair = 9
		check(v, text, &m, func() any { return m })
	}
	for v, text := range map[MaxCapacityBreach]string{HonorMaxCapacity: "HonorMaxCapacity", IncreaseMaxCapacity: "IncreaseMaxCapacity"} {
		var b MaxCapacityBreach = 9
		check(v, text, &b, func() any { return b })
	}
}

// TestEnumTextRejects: misspelt names (case included, as in the API) and
// values that are no constant are errors matching ErrInvalidConfig that
// list the valid names.
func TestEnumTextRejects(t *testing.T) {
	for _, c := range []struct {
		into encoding.TextUnmarshaler
		text string
		want string
	}{
		{new(PredefinedMetric), "ECSServiceAverageCpuUtilization", "ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization or ALBRequestCountPerTarget"},
		{new(AdjustmentType), "changeInCapacity", "ChangeInCapacity, PercentChangeInCapacity or ExactCapacity"},
		{new(AggregationType), "Sum", "Average, Minimum or Maximum"},
		{new(PredictiveMode), "forecastOnly", "ForecastOnly or ForecastAndScale"},
		{new(PredictiveMetricPair), "CPU", "ECSServiceCPUUtilization, ECSServiceMemoryUtilization or ALBRequestCount"},
		{new(MaxCapacityBreach), "Increase", "HonorMaxCapacity or IncreaseMaxCapacity"},
	} {
		err := c.into.UnmarshalText([]byte(c.text))
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("UnmarshalText(%q) into %T: %v, want an error listing %q", c.text, c.into, err, c.want)
		}
	}
	for _, v := range []encoding.TextMarshaler{PredefinedMetric(7), AdjustmentType(0), AggregationType(3)} {
		if b, err := v.MarshalText(); err == nil {
			t.Errorf("%T(%v).MarshalText() = %q, want an error", v, v, b)
		}
	}
}

// TestEnumsInJSON: a scenario-like document reads into the enums and
// writes back the same.
func TestEnumsInJSON(t *testing.T) {
	type policy struct {
		Metric      PredefinedMetric `json:"predefinedMetric"`
		Adjustment  AdjustmentType   `json:"adjustmentType"`
		Aggregation AggregationType  `json:"metricAggregationType"`
	}
	in := `{"predefinedMetric":"ALBRequestCountPerTarget","adjustmentType":"PercentChangeInCapacity","metricAggregationType":"Maximum"}`
	var p policy
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	if p.Metric != ALBRequestCountPerTarget || p.Adjustment != PercentChangeInCapacity || p.Aggregation != AggregateMaximum {
		t.Fatalf("read %+v", p)
	}
	if out, err := json.Marshal(p); err != nil || string(out) != in {
		t.Fatalf("wrote %s, %v; want %s", out, err, in)
	}
}
