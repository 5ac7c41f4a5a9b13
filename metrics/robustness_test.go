package metrics_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// Regression tests for inputs the store and alarms accepted at commit
// 6aac1ab and then mishandled (issue 12). Each names its defect class.

// TestRegressionDatapointsRangeOverflow: a range from the zero time to 2200
// made Datapoints count its periods past the int64 range and panic
// ("makeslice: cap out of range"). Both ends are now checked.
func TestRegressionDatapointsRangeOverflow(t *testing.T) {
	s := newStore(t, metrics.Config{})
	mustPut(t, s, cpu, t0, 1)
	_, err := s.Datapoints(cpu, metrics.Sum, time.Minute, time.Time{}, time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC))
	var fe *metrics.FieldError
	if !errors.Is(err, metrics.ErrInvalidQuery) || !errors.As(err, &fe) || fe.Field != "start" {
		t.Fatalf("err = %v, want ErrInvalidQuery naming start", err)
	}
	// The widest accepted range is refused by the per-call bound, not by a panic.
	_, err = s.Datapoints(cpu, metrics.Sum, time.Minute, time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2199, 1, 1, 0, 0, 0, 0, time.UTC))
	if !errors.Is(err, metrics.ErrInvalidQuery) {
		t.Fatalf("widest range: err = %v, want ErrInvalidQuery", err)
	}
}

// TestRegressionTimestampOutOfRange: a sample from year 1 was accepted and
// filed at whatever time its wrapped Unix nanoseconds said; one from 2300
// was refused as "older than the retention". Timestamps must now lie in
// 1970–2199, and the error says so.
func TestRegressionTimestampOutOfRange(t *testing.T) {
	s := newStore(t, metrics.Config{})
	h, err := s.Handle(cpu)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{{}, time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)} {
		for name, err := range map[string]error{
			"Put":                    s.Put(cpu, at, 1),
			"PutStatisticSet":        s.PutStatisticSet(cpu, at, metrics.StatisticSet{SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1}),
			"Handle.Put":             h.Put(at, 1),
			"Handle.PutStatisticSet": h.PutStatisticSet(at, metrics.StatisticSet{SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1}),
		} {
			var fe *metrics.FieldError
			if !errors.Is(err, metrics.ErrInvalidValue) || !errors.As(err, &fe) || fe.Field != "timestamp" {
				t.Errorf("%s at %v: err = %v, want ErrInvalidValue naming the timestamp", name, at, err)
			}
		}
	}
	if u := s.Usage(); u.RawPoints != 0 {
		t.Errorf("refused samples were stored: %+v", u)
	}
	if _, ok := s.Statistic(cpu, metrics.Sum, time.Minute, time.Date(2300, 1, 1, 0, 1, 0, 0, time.UTC)); ok {
		t.Error("a window in 2300 answered")
	}
}

// TestRegressionHugeEvaluationRange: an EvaluationRange of 2^40 was
// accepted, and its first evaluation would allocate 2^40 datapoints. The
// range may now reach at most two periods beyond CloudWatch's longest
// alarm window.
func TestRegressionHugeEvaluationRange(t *testing.T) {
	base := metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 1, Threshold: 1, Comparison: metrics.GreaterThanThreshold}
	for _, c := range []struct {
		period time.Duration
		rng    int
		ok     bool
	}{
		{time.Minute, math.MaxInt, false},
		{time.Minute, 1442, true}, // 1440 minutes + 2
		{time.Minute, 1443, false},
		{time.Hour, 26, true},
		{time.Hour, 27, false},
		{10 * time.Second, 8642, true},
	} {
		cfg := base
		cfg.Period, cfg.EvaluationRange = c.period, c.rng
		_, err := metrics.NewAlarm(cfg)
		var fe *metrics.FieldError
		switch {
		case c.ok && err != nil:
			t.Errorf("period %v, range %d: refused: %v", c.period, c.rng, err)
		case !c.ok && (!errors.As(err, &fe) || fe.Field != "EvaluationRange"):
			t.Errorf("period %v, range %d: err = %v, want EvaluationRange named", c.period, c.rng, err)
		}
	}
}

// TestRegressionRetentionBounds: retentions and delays of centuries were
// accepted, so the arithmetic on timestamps could leave the int64 range.
// Every duration of a Config is now at most MaxRetention (455 days).
func TestRegressionRetentionBounds(t *testing.T) {
	_, err := metrics.NewStore(metrics.Config{
		RawRetention:     math.MaxInt64,
		PublicationDelay: metrics.MaxRetention + 1,
		Rollups:          []metrics.Rollup{{Resolution: time.Minute, Retention: 1 << 62}},
	})
	var fields []string
	for _, e := range unwrapAll(err) {
		var fe *metrics.FieldError
		if errors.As(e, &fe) {
			fields = append(fields, fe.Field)
		}
	}
	if want := []string{"RawRetention", "PublicationDelay", "Rollups[0].Retention"}; len(fields) != 3 || fields[0] != want[0] || fields[1] != want[1] || fields[2] != want[2] {
		t.Fatalf("fields %v, want %v (err %v)", fields, want, err)
	}
	if _, err := metrics.NewStore(metrics.Config{RawRetention: metrics.MaxRetention, Rollups: metrics.CloudWatchRollups, PublicationDelay: metrics.MaxRetention}); err != nil {
		t.Fatalf("the longest valid retentions refused: %v", err)
	}
	if err := newStore(t, metrics.Config{}).Retain(cpu, metrics.MaxRetention+1); !errors.Is(err, metrics.ErrInvalidQuery) {
		t.Fatalf("Retain past MaxRetention: err = %v", err)
	}
}

// TestRetainKeepsFullResolution: a series registered with Retain keeps its
// raw samples for the span asked (here a p99 two hours back, past the
// default hour), while an unregistered series keeps the default.
func TestRetainKeepsFullResolution(t *testing.T) {
	s := newStore(t, metrics.Config{})
	other := metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "api")
	if err := s.Retain(cpu, 3*time.Hour); err != nil {
		t.Fatal(err)
	}
	for sec := range 4 * 3600 {
		at := t0.Add(time.Duration(sec) * time.Second)
		mustPut(t, s, cpu, at, float64(sec%100))
		mustPut(t, s, other, at, float64(sec%100))
	}
	end := t0.Add(2 * time.Hour)
	if v, ok := s.Statistic(cpu, metrics.Percentile(99), time.Minute, end); !ok || v != 99 {
		t.Errorf("registered series: p99 two hours back = %v, %v; want 99", v, ok)
	}
	if _, ok := s.Statistic(other, metrics.Percentile(99), time.Minute, end); ok {
		t.Error("unregistered series kept raw samples past the default retention")
	}
}
