package metrics_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/metrics"
)

// t0 is a minute-aligned instant all tests count from.
var t0 = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

// tb is what both *testing.T and *rapid.T provide.
type tb interface {
	Helper()
	Fatal(args ...any)
}

func newStore(t tb, cfg metrics.Config) *metrics.Store {
	t.Helper()
	s, err := metrics.NewStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustPut(t tb, s *metrics.Store, m metrics.Metric, at time.Time, v float64) {
	t.Helper()
	if err := s.Put(m, at, v); err != nil {
		t.Fatal(err)
	}
}

var cpu = metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web")

func TestDimensionOrderDoesNotMatter(t *testing.T) {
	s := newStore(t, metrics.Config{})
	ab := metrics.Metric{Namespace: "NS", Name: "M", Dimensions: []metrics.Dimension{{"A", "1"}, {"B", "2"}}}
	ba := metrics.Metric{Namespace: "NS", Name: "M", Dimensions: []metrics.Dimension{{"B", "2"}, {"A", "1"}}}
	mustPut(t, s, ab, t0, 3)
	mustPut(t, s, ba, t0.Add(time.Second), 5)
	got, ok := s.Statistic(ba, metrics.Sum, time.Minute, t0.Add(time.Minute))
	if !ok || got != 8 {
		t.Fatalf("Sum over both orders = %v, %v; want 8, true", got, ok)
	}
	if u := s.Usage(); u.Series != 1 {
		t.Fatalf("series = %d, want 1", u.Series)
	}
	// A different value, or a dimension name/value split differently, is a
	// different series: the key must not be ambiguous.
	other := metrics.Metric{Namespace: "NS", Name: "M", Dimensions: []metrics.Dimension{{"A", "12"}, {"B", ""}}}
	if _, ok := s.Statistic(other, metrics.Sum, time.Minute, t0.Add(time.Minute)); ok {
		t.Fatal("a different dimension set answered")
	}
}

// TestStatisticsByDefinition checks each statistic on the samples 1..10,
// where the definitions give the answers directly: Sum = 55, Average = 5.5,
// nearest-rank p50 = x₅ = 5, p90 = x₉ = 9, p99 = x₁₀ = 10.
func TestStatisticsByDefinition(t *testing.T) {
	s := newStore(t, metrics.Config{})
	for i := 1; i <= 10; i++ {
		mustPut(t, s, cpu, t0.Add(time.Duration(i)*time.Second), float64(i))
	}
	end := t0.Add(time.Minute)
	cases := []struct {
		stat metrics.Statistic
		want float64
	}{
		{metrics.Sum, 55},
		{metrics.Average, 5.5},
		{metrics.Minimum, 1},
		{metrics.Maximum, 10},
		{metrics.SampleCount, 10},
		{metrics.Percentile(50), 5},
		{metrics.Percentile(90), 9},
		{metrics.Percentile(99), 10},
		{metrics.Percentile(10), 1},
		{metrics.Percentile(100), 10},
	}
	for _, c := range cases {
		got, ok := s.Statistic(cpu, c.stat, time.Minute, end)
		if !ok || got != c.want {
			t.Errorf("%v = %v, %v; want %v", c.stat, got, ok, c.want)
		}
	}
}

// TestPercentilesNearestRank: over 1..1000, pNN is the value of rank
// ⌈NN·n/100⌉, so p50 = 500, p99 = 990, p99.9 = 999.
func TestPercentilesNearestRank(t *testing.T) {
	s := newStore(t, metrics.Config{})
	for i := 1; i <= 1000; i++ {
		mustPut(t, s, cpu, t0.Add(time.Duration(i)*time.Millisecond), float64(i))
	}
	for p, want := range map[float64]float64{50: 500, 95: 950, 99: 990, 99.9: 999, 99.99: 1000} {
		got, ok := s.Statistic(cpu, metrics.Percentile(p), time.Minute, t0.Add(time.Minute))
		if !ok || got != want {
			t.Errorf("p%v = %v, %v; want %v", p, got, ok, want)
		}
	}
}

// TestPercentileUnavailable covers CloudWatch's rules: no percentile when a
// value is negative or when a statistic set has several distinct values.
func TestPercentileUnavailable(t *testing.T) {
	s := newStore(t, metrics.Config{})
	mustPut(t, s, cpu, t0, 5)
	mustPut(t, s, cpu, t0.Add(time.Second), -1)
	if _, ok := s.Statistic(cpu, metrics.Percentile(50), time.Minute, t0.Add(time.Minute)); ok {
		t.Error("percentile over a negative value answered")
	}
	if v, ok := s.Statistic(cpu, metrics.Sum, time.Minute, t0.Add(time.Minute)); !ok || v != 4 {
		t.Errorf("Sum = %v, %v; want 4", v, ok)
	}

	m := metrics.ServiceMetric(metrics.MetricMemoryUtilization, "prod", "web")
	if err := s.PutStatisticSet(m, t0, metrics.StatisticSet{SampleCount: 3, Sum: 6, Minimum: 2, Maximum: 2}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutStatisticSet(m, t0.Add(time.Second), metrics.StatisticSet{SampleCount: 1, Sum: 10, Minimum: 10, Maximum: 10}); err != nil {
		t.Fatal(err)
	}
	// Sets with Minimum = Maximum count with their weight: values 2,2,2,10.
	if v, ok := s.Statistic(m, metrics.Percentile(75), time.Minute, t0.Add(time.Minute)); !ok || v != 2 {
		t.Errorf("p75 of {2,2,2,10} = %v, %v; want 2", v, ok)
	}
	if v, ok := s.Statistic(m, metrics.Percentile(76), time.Minute, t0.Add(time.Minute)); !ok || v != 10 {
		t.Errorf("p76 of {2,2,2,10} = %v, %v; want 10", v, ok)
	}
	if v, ok := s.Statistic(m, metrics.Average, time.Minute, t0.Add(time.Minute)); !ok || v != 4 {
		t.Errorf("Average of {2,2,2,10} = %v, %v; want 4", v, ok)
	}
	if err := s.PutStatisticSet(m, t0.Add(2*time.Second), metrics.StatisticSet{SampleCount: 2, Sum: 3, Minimum: 1, Maximum: 2}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Statistic(m, metrics.Percentile(50), time.Minute, t0.Add(time.Minute)); ok {
		t.Error("percentile over a set with Minimum ≠ Maximum answered")
	}
}

func TestWindowIsHalfOpen(t *testing.T) {
	s := newStore(t, metrics.Config{})
	mustPut(t, s, cpu, t0, 1)                   // in [t0, t0+1m)
	mustPut(t, s, cpu, t0.Add(time.Minute), 10) // in the next window
	for _, c := range []struct {
		end  time.Time
		want float64
	}{{t0.Add(time.Minute), 1}, {t0.Add(2 * time.Minute), 10}} {
		if v, ok := s.Statistic(cpu, metrics.Sum, time.Minute, c.end); !ok || v != c.want {
			t.Errorf("Sum ending %v = %v, %v; want %v", c.end, v, ok, c.want)
		}
	}
	if _, ok := s.Statistic(cpu, metrics.Sum, time.Minute, t0); ok {
		t.Error("window ending at the first sample answered")
	}
}

// TestStoreMatchesNaive holds the store to the naive full-scan reference on
// random samples (arriving out of order, duplicate timestamps allowed) and
// random windows of every query period, inside the raw retention.
func TestStoreMatchesNaive(t *testing.T) {
	stats := []metrics.Statistic{metrics.Average, metrics.Sum, metrics.Minimum, metrics.Maximum, metrics.SampleCount,
		metrics.Percentile(50), metrics.Percentile(90), metrics.Percentile(99), metrics.Percentile(99.9)}
	periods := []time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute}
	rapid.Check(t, func(rt *rapid.T) {
		s := newStore(rt, metrics.Config{})
		naive := newNaiveStore()
		ms := []metrics.Metric{cpu, metrics.ClusterMetric(metrics.MetricCPUReservation, "prod")}
		n := rapid.IntRange(0, 200).Draw(rt, "n")
		for i := 0; i < n; i++ {
			m := ms[rapid.IntRange(0, len(ms)-1).Draw(rt, "metric")]
			at := t0.Add(time.Duration(rapid.IntRange(0, 600).Draw(rt, "sec")) * time.Second)
			v := float64(rapid.IntRange(0, 1000).Draw(rt, "v")) / 8
			mustPut(rt, s, m, at, v)
			naive.Put(m, at, v)
		}
		for q := 0; q < 20; q++ {
			m := ms[rapid.IntRange(0, len(ms)-1).Draw(rt, "qmetric")]
			stat := stats[rapid.IntRange(0, len(stats)-1).Draw(rt, "stat")]
			period := periods[rapid.IntRange(0, len(periods)-1).Draw(rt, "period")]
			end := t0.Add(time.Duration(rapid.IntRange(0, 700).Draw(rt, "end")) * time.Second)
			got, gotOK := s.Statistic(m, stat, period, end)
			want, wantOK := naive.Statistic(m, stat, period, end)
			if got != want || gotOK != wantOK {
				rt.Fatalf("%v %v over %v ending %v: store %v,%v naive %v,%v", m, stat, period, end.Sub(t0), got, gotOK, want, wantOK)
			}
		}
	})
}

// TestRollupsMatchNaive: windows older than the raw retention are answered
// from a one-minute rollup and must agree with the full scan (to rounding:
// rollups sum per minute first).
func TestRollupsMatchNaive(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s := newStore(rt, metrics.Config{RawRetention: 10 * time.Minute, Rollups: []metrics.Rollup{{Resolution: time.Minute, Retention: 26 * time.Hour}}})
		naive := newNaiveStore()
		for sec := 0; sec < 3600; sec += rapid.IntRange(1, 90).Draw(rt, "step") {
			v := float64(rapid.IntRange(-100, 100).Draw(rt, "v"))
			mustPut(rt, s, cpu, t0.Add(time.Duration(sec)*time.Second), v)
			naive.Put(cpu, t0.Add(time.Duration(sec)*time.Second), v)
		}
		for _, stat := range []metrics.Statistic{metrics.Average, metrics.Sum, metrics.Minimum, metrics.Maximum, metrics.SampleCount} {
			minute := rapid.IntRange(1, 45).Draw(rt, "minute") // ends before the raw window (the last 10 min)
			period := time.Duration(rapid.SampledFrom([]int{1, 2, 5}).Draw(rt, "minutes")) * time.Minute
			end := t0.Add(time.Duration(minute) * time.Minute)
			got, gotOK := s.Statistic(cpu, stat, period, end)
			want, wantOK := naive.Statistic(cpu, stat, period, end)
			if gotOK != wantOK || math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
				rt.Fatalf("%v over %v ending minute %d: store %v,%v naive %v,%v", stat, period, minute, got, gotOK, want, wantOK)
			}
		}
		// A percentile needs raw samples, which are gone for old windows.
		if _, ok := s.Statistic(cpu, metrics.Percentile(50), time.Minute, t0.Add(10*time.Minute)); ok {
			rt.Fatal("percentile answered from a rollup")
		}
	})
}

func TestOutOfOrderEqualsInOrder(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 300).Draw(rt, "n")
		secs := make([]int, n)
		for i := range secs {
			secs[i] = rapid.IntRange(0, 900).Draw(rt, "sec")
		}
		order := rapid.Permutation(secs).Draw(rt, "order")
		sorted := append([]int(nil), secs...)
		slicesSort(sorted)
		inOrder := newStore(rt, metrics.Config{RawRetention: time.Hour})
		shuffled := newStore(rt, metrics.Config{RawRetention: time.Hour})
		for i := range sorted {
			mustPut(rt, inOrder, cpu, t0.Add(time.Duration(sorted[i])*time.Second), float64(sorted[i]))
			mustPut(rt, shuffled, cpu, t0.Add(time.Duration(order[i])*time.Second), float64(order[i]))
		}
		for _, p := range []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute} {
			a, errA := inOrder.Datapoints(cpu, metrics.Maximum, p, t0, t0.Add(15*time.Minute))
			b, errB := shuffled.Datapoints(cpu, metrics.Maximum, p, t0, t0.Add(15*time.Minute))
			if errA != nil || errB != nil {
				rt.Fatal(errA, errB)
			}
			if d := cmp.Diff(a, b); d != "" {
				rt.Fatalf("period %v (-in order +shuffled):\n%s", p, d)
			}
		}
	})
}

func slicesSort(x []int) {
	for i := 1; i < len(x); i++ {
		for j := i; j > 0 && x[j] < x[j-1]; j-- {
			x[j], x[j-1] = x[j-1], x[j]
		}
	}
}

func TestDatapointsLikeGetMetricStatistics(t *testing.T) {
	s := newStore(t, metrics.Config{})
	mustPut(t, s, cpu, t0.Add(30*time.Second), 40)
	mustPut(t, s, cpu, t0.Add(50*time.Second), 60)
	mustPut(t, s, cpu, t0.Add(2*time.Minute+10*time.Second), 80)
	got, err := s.Datapoints(cpu, metrics.Average, time.Minute, t0, t0.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []metrics.Datapoint{
		{Timestamp: t0, Value: 50},
		{Timestamp: t0.Add(time.Minute), Missing: true},
		{Timestamp: t0.Add(2 * time.Minute), Value: 80},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("datapoints (-want +got):\n%s", d)
	}
	_, err = s.Datapoints(cpu, metrics.Average, 7*time.Second, t0, t0)
	if !errors.Is(err, metrics.ErrInvalidQuery) {
		t.Fatalf("bad period and empty range: err = %v, want ErrInvalidQuery", err)
	}
	var fe *metrics.FieldError
	if !errors.As(err, &fe) || fe.Field != "period" {
		t.Fatalf("first problem = %v, want the period named", err)
	}
}

// TestPublicationDelay: with a 2-minute delay, a sample at t is invisible to
// reads made before t+2m and visible from then on; Statistic (no instant)
// always sees it.
func TestPublicationDelay(t *testing.T) {
	s := newStore(t, metrics.Config{PublicationDelay: 2 * time.Minute})
	at := t0.Add(30 * time.Second)
	mustPut(t, s, cpu, at, 7)
	end := t0.Add(time.Minute)
	if _, ok := s.At(at.Add(2*time.Minute-time.Nanosecond)).Statistic(cpu, metrics.Sum, time.Minute, end); ok {
		t.Error("sample visible before its delay passed")
	}
	if v, ok := s.At(at.Add(2*time.Minute)).Statistic(cpu, metrics.Sum, time.Minute, end); !ok || v != 7 {
		t.Errorf("after the delay: %v, %v; want 7", v, ok)
	}
	if v, ok := s.Statistic(cpu, metrics.Sum, time.Minute, end); !ok || v != 7 {
		t.Errorf("unrestricted read: %v, %v; want 7", v, ok)
	}
	dps, err := s.At(at.Add(time.Minute)).Datapoints(cpu, metrics.Sum, time.Minute, t0, end)
	if err != nil || len(dps) != 1 || !dps[0].Missing {
		t.Errorf("view datapoints before the delay = %v, %v; want one missing", dps, err)
	}
}

func TestPutRejects(t *testing.T) {
	s := newStore(t, metrics.Config{RawRetention: time.Minute, Rollups: []metrics.Rollup{}})
	cases := []struct {
		name string
		err  error
		put  func() error
	}{
		{"NaN", metrics.ErrInvalidValue, func() error { return s.Put(cpu, t0, math.NaN()) }},
		{"+Inf", metrics.ErrInvalidValue, func() error { return s.Put(cpu, t0, math.Inf(1)) }},
		{"empty namespace", metrics.ErrInvalidMetric, func() error { return s.Put(metrics.Metric{Name: "x"}, t0, 1) }},
		{"repeated dimension", metrics.ErrInvalidMetric, func() error {
			return s.Put(metrics.Metric{Namespace: "N", Name: "x", Dimensions: []metrics.Dimension{{"A", "1"}, {"A", "2"}}}, t0, 1)
		}},
		{"set min > max", metrics.ErrInvalidValue, func() error {
			return s.PutStatisticSet(cpu, t0, metrics.StatisticSet{SampleCount: 1, Minimum: 2, Maximum: 1, Sum: 1})
		}},
		{"expired", metrics.ErrExpired, func() error {
			if err := s.Put(cpu, t0.Add(time.Hour), 1); err != nil {
				return err
			}
			return s.Put(cpu, t0, 1)
		}},
	}
	for _, c := range cases {
		if err := c.put(); !errors.Is(err, c.err) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.err)
		}
	}
	if u := s.Usage(); u.Series != 1 || u.RawPoints != 1 {
		t.Errorf("usage after rejects = %+v, want the one accepted sample", u)
	}
}

func TestConfigValidation(t *testing.T) {
	_, err := metrics.NewStore(metrics.Config{
		RawRetention:     -time.Second,
		PublicationDelay: -time.Second,
		Rollups:          []metrics.Rollup{{Resolution: 500 * time.Millisecond, Retention: time.Hour}, {Resolution: time.Minute}, {Resolution: time.Second, Retention: time.Hour}},
	})
	var fields []string
	for _, e := range unwrapAll(err) {
		var fe *metrics.FieldError
		if errors.As(e, &fe) {
			fields = append(fields, fe.Field)
		}
	}
	want := []string{"RawRetention", "PublicationDelay", "Rollups[0].Resolution", "Rollups[1].Retention", "Rollups[2].Resolution"}
	if d := cmp.Diff(want, fields); d != "" || !errors.Is(err, metrics.ErrInvalidConfig) {
		t.Fatalf("fields (-want +got):\n%s\nerr: %v", d, err)
	}
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// TestRetentionBound: whatever the sample rate, a series keeps at most
// retention/interval + 1 raw samples and, per rollup, retention/resolution
// + 1 buckets.
func TestRetentionBound(t *testing.T) {
	cfg := metrics.Config{RawRetention: 10 * time.Minute, Rollups: []metrics.Rollup{{Resolution: time.Minute, Retention: time.Hour}}}
	s := newStore(t, cfg)
	for sec := 0; sec < 4*3600; sec++ {
		mustPut(t, s, cpu, t0.Add(time.Duration(sec)*time.Second), 1)
	}
	want := metrics.Usage{Series: 1, RawPoints: 600 + 1, Buckets: 60 + 1}
	if d := cmp.Diff(want, s.Usage()); d != "" {
		t.Fatalf("usage (-want +got):\n%s", d)
	}
}

func TestExpireForgetsStoppedSeries(t *testing.T) {
	s := newStore(t, metrics.Config{RawRetention: time.Hour, Rollups: []metrics.Rollup{{Resolution: time.Minute, Retention: 2 * time.Hour}}})
	stopped := metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "gone")
	mustPut(t, s, stopped, t0, 1)
	mustPut(t, s, cpu, t0, 1)
	s.Expire(t0.Add(90 * time.Minute))
	if d := cmp.Diff(metrics.Usage{Series: 2, RawPoints: 0, Buckets: 2}, s.Usage()); d != "" {
		t.Fatalf("after raw expiry (-want +got):\n%s", d)
	}
	mustPut(t, s, cpu, t0.Add(3*time.Hour), 1)
	s.Expire(t0.Add(3 * time.Hour))
	if d := cmp.Diff(metrics.Usage{Series: 1, RawPoints: 1, Buckets: 1}, s.Usage()); d != "" {
		t.Fatalf("after full expiry (-want +got):\n%s", d)
	}
}

// TestHandleSurvivesExpire: a handle writes to the same series as Put, and
// keeps working after Expire forgot its series.
func TestHandleSurvivesExpire(t *testing.T) {
	s := newStore(t, metrics.Config{RawRetention: time.Minute, Rollups: []metrics.Rollup{}})
	h, err := s.Handle(cpu)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Put(t0, 2); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, cpu, t0.Add(time.Second), 3)
	if v, ok := s.Statistic(cpu, metrics.Sum, time.Minute, t0.Add(time.Minute)); !ok || v != 5 {
		t.Fatalf("Sum = %v, %v; want 5", v, ok)
	}
	s.Expire(t0.Add(time.Hour))
	if u := s.Usage(); u.Series != 0 {
		t.Fatalf("series after Expire = %d, want 0", u.Series)
	}
	if err := h.Put(t0.Add(time.Hour), 7); err != nil {
		t.Fatal(err)
	}
	if v, ok := s.Statistic(cpu, metrics.Sum, time.Minute, t0.Add(time.Hour+time.Minute)); !ok || v != 7 {
		t.Fatalf("Sum after Expire = %v, %v; want 7", v, ok)
	}
	if _, err := s.Handle(metrics.Metric{}); !errors.Is(err, metrics.ErrInvalidMetric) {
		t.Fatalf("Handle of an invalid metric: err = %v", err)
	}
}

func TestListMetricsIsSorted(t *testing.T) {
	s := newStore(t, metrics.Config{})
	put := []metrics.Metric{
		metrics.ServiceMetric(metrics.MetricMemoryUtilization, "prod", "web"),
		metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web"),
		metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "api"),
		metrics.ClusterMetric(metrics.MetricCPUUtilization, "prod"),
		metrics.TargetGroupMetric(metrics.MetricRequestCount, "tg", "lb"),
	}
	for _, m := range put {
		mustPut(t, s, m, t0, 1)
	}
	var got []string
	for _, m := range s.ListMetrics(metrics.NamespaceECS, "") {
		got = append(got, m.String())
	}
	want := []string{
		"AWS/ECS/CPUUtilization{ClusterName=prod}",
		"AWS/ECS/CPUUtilization{ClusterName=prod,ServiceName=api}",
		"AWS/ECS/CPUUtilization{ClusterName=prod,ServiceName=web}",
		"AWS/ECS/MemoryUtilization{ClusterName=prod,ServiceName=web}",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("ListMetrics (-want +got):\n%s", d)
	}
	if n := len(s.ListMetrics("", metrics.MetricRequestCount)); n != 1 {
		t.Fatalf("ListMetrics by name = %d metrics, want 1", n)
	}
}

// TestQueriesSeeEveryWrite holds repeated queries to the naive reference
// while samples keep arriving through every write path (Store.Put, a
// Handle, a Group), so that a window the store answered before a write is
// never answered from what it remembered of it (Store remembers the last
// windows read until the next write).
func TestQueriesSeeEveryWrite(t *testing.T) {
	stats := []metrics.Statistic{metrics.Average, metrics.Sum, metrics.Minimum, metrics.Maximum, metrics.SampleCount, metrics.Percentile(90)}
	periods := []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute}
	ms := []metrics.Metric{cpu, metrics.ClusterMetric(metrics.MetricCPUReservation, "prod")}
	rapid.Check(t, func(rt *rapid.T) {
		s := newStore(rt, metrics.Config{})
		naive := newNaiveStore()
		g, err := s.Group(metrics.GroupMetric{Metric: ms[0]}, metrics.GroupMetric{Metric: ms[1]})
		if err != nil {
			rt.Fatal(err)
		}
		handles := make([]*metrics.Handle, len(ms))
		for i, m := range ms {
			if handles[i], err = s.Handle(m); err != nil {
				rt.Fatal(err)
			}
		}
		type query struct {
			m      metrics.Metric
			stat   metrics.Statistic
			period time.Duration
			end    time.Time
		}
		check := func(q query) {
			got, gotOK := s.Statistic(q.m, q.stat, q.period, q.end)
			want, wantOK := naive.Statistic(q.m, q.stat, q.period, q.end)
			if got != want || gotOK != wantOK {
				rt.Fatalf("%v %v over %v ending %v: store %v,%v naive %v,%v", q.m, q.stat, q.period, q.end.Sub(t0), got, gotOK, want, wantOK)
			}
		}
		var last []query
		sec := 0
		for range rapid.IntRange(1, 100).Draw(rt, "steps") {
			i := rapid.IntRange(0, len(ms)-1).Draw(rt, "metric")
			sec = max(0, sec+rapid.IntRange(-20, 40).Draw(rt, "dsec")) // mostly forward, sometimes late
			at := t0.Add(time.Duration(sec) * time.Second)
			v := float64(rapid.IntRange(0, 1000).Draw(rt, "v")) / 8
			switch rapid.IntRange(0, 2).Draw(rt, "path") {
			case 0:
				err = s.Put(ms[i], at, v)
			case 1:
				err = handles[i].Put(at, v)
			default:
				err = g.Put(i, at, v)
			}
			if err != nil {
				rt.Fatal(err)
			}
			naive.Put(ms[i], at, v)
			for _, q := range last { // the windows read before this write, again
				check(q)
			}
			last = last[:0]
			for range rapid.IntRange(0, 3).Draw(rt, "queries") {
				q := query{
					m:      ms[rapid.IntRange(0, len(ms)-1).Draw(rt, "qmetric")],
					stat:   stats[rapid.IntRange(0, len(stats)-1).Draw(rt, "stat")],
					period: periods[rapid.IntRange(0, len(periods)-1).Draw(rt, "period")],
					end:    t0.Add(time.Duration(rapid.IntRange(0, sec+60).Draw(rt, "end")) * time.Second),
				}
				check(q)
				check(q) // answered again before any write
				last = append(last, q)
			}
		}
	})
}
