package metrics_test

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// workloadService is one ECS service behind an ALB as sim's Workload
// publishes it every minute: CPUUtilization, MemoryUtilization,
// RunningTaskCount, RequestCount, RequestCountPerTarget,
// HTTPCode_ELB_5XX_Count, HTTPCode_Target_5XX_Count and TargetResponseTime
// (a statistic set), with target tracking's two alarms on its CPU
// (AlarmHigh: > 70 for 3 of 3 datapoints; AlarmLow: < 63 for 15 of 15).
type workloadService struct {
	puts      []*metrics.Handle
	rt        metrics.Metric
	high, low *metrics.MetricAlarm
}

func newWorkloadService(tb testing.TB, s *metrics.Store, i int) *workloadService {
	name, tg, lb := fmt.Sprintf("svc-%04d", i), fmt.Sprintf("targetgroup/svc-%04d/%016x", i, i), fmt.Sprintf("app/front-%04d/%016x", i, i)
	w := &workloadService{rt: metrics.TargetGroupMetric(metrics.MetricTargetResponseTime, tg, lb)}
	for _, m := range []metrics.Metric{
		metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", name),
		metrics.ServiceMetric(metrics.MetricMemoryUtilization, "prod", name),
		metrics.RunningTaskCountMetric("prod", name),
		metrics.TargetGroupMetric(metrics.MetricRequestCount, tg, lb),
		metrics.TargetGroupMetric(metrics.MetricRequestCountPerTarget, tg, lb),
		metrics.TargetGroupMetric(metrics.MetricHTTPCodeELB5XXCount, tg, lb),
		metrics.TargetGroupMetric("HTTPCode_Target_5XX_Count", tg, lb),
	} {
		h, err := s.Handle(m)
		if err != nil {
			tb.Fatal(err)
		}
		w.puts = append(w.puts, h)
	}
	cpu := w.puts[0].Metric()
	var err error
	if w.high, err = metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 3, Threshold: 70, Comparison: metrics.GreaterThanThreshold}); err != nil {
		tb.Fatal(err)
	}
	if w.low, err = metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 15, Threshold: 63, Comparison: metrics.LessThanThreshold}); err != nil {
		tb.Fatal(err)
	}
	return w
}

// minute publishes minute k (timestamped at its start) and evaluates the
// alarms at its end, as sim does.
func (w *workloadService) minute(tb testing.TB, s *metrics.Store, k int) {
	at := t0.Add(time.Duration(k) * time.Minute)
	load := 50 + 30*math.Sin(2*math.Pi*float64(k%1440)/1440)
	for j, h := range w.puts {
		if err := h.Put(at, load+float64(j)); err != nil {
			tb.Fatal(err)
		}
	}
	set := metrics.StatisticSet{SampleCount: 60 * load, Sum: 6 * load, Minimum: 0.01, Maximum: 0.4}
	if err := s.PutStatisticSet(w.rt, at, set); err != nil {
		tb.Fatal(err)
	}
	w.high.Evaluate(at.Add(time.Minute), s)
	w.low.Evaluate(at.Add(time.Minute), s)
}

// TestDefaultMetricStatePerService holds issue 13's bound: with the default
// Config, the metric state of a service publishing what sim's Workload
// publishes, target tracking attached, is at most 64 KiB after a simulated
// week (Store.Bytes, a computed count, so the test is exact on every run).
func TestDefaultMetricStatePerService(t *testing.T) {
	const services, days = 10, 7
	s := newStore(t, metrics.Config{})
	ws := make([]*workloadService, services)
	for i := range ws {
		ws[i] = newWorkloadService(t, s, i)
	}
	for k := range days * 1440 {
		for _, w := range ws {
			w.minute(t, s, k)
		}
	}
	perService := s.Bytes() / services
	t.Logf("%d services, %d days, default config: %d bytes per service, %+v", services, days, perService, s.Usage())
	if perService > 64<<10 {
		t.Fatalf("metric state %d bytes per service, want at most 64 KiB", perService)
	}
	// Every series holds exactly the default retention: 1 h of minutes
	// and 24 h of hours.
	if u := s.Usage(); u.RawPoints != services*8*61 || u.Buckets != services*8*25 {
		t.Errorf("usage %+v, want %d raw points and %d buckets", u, services*8*61, services*8*25)
	}
}

// TestCloudWatchRetentionCost measures the opt-in to CloudWatch's own
// retention for one series written once a minute, for the figures in
// CloudWatchRollups' documentation: its size after a simulated week and
// after 455 days, when every tier is full.
func TestCloudWatchRetentionCost(t *testing.T) {
	if testing.Short() {
		t.Skip("455 simulated days")
	}
	s := newStore(t, metrics.Config{RawRetention: metrics.CloudWatchRawRetention, Rollups: metrics.CloudWatchRollups})
	h, err := s.Handle(cpu)
	if err != nil {
		t.Fatal(err)
	}
	var week int
	for k := range 455 * 1440 {
		if err := h.Put(t0.Add(time.Duration(k)*time.Minute), float64(k%100)); err != nil {
			t.Fatal(err)
		}
		if k == 7*1440-1 {
			week = s.Bytes()
		}
	}
	full := s.Bytes()
	t.Logf("CloudWatch retention, one series at 1/min: %d bytes (%.2f MiB) after 7 days, %d bytes (%.2f MiB) after 455 days",
		week, float64(week)/(1<<20), full, float64(full)/(1<<20))
	// The documented figures: about 0.8 MiB after a week, about 2 MiB (up
	// to twice that while a tier's ring grows) after 455 days.
	if week > 900<<10 || full > 4<<20 {
		t.Errorf("CloudWatch retention costs %d bytes after a week and %d after 455 days; the documentation says about 0.8 MiB and 2 MiB", week, full)
	}
}

// BenchmarkWorkloadMetricsWeek runs the services of
// TestDefaultMetricStatePerService for a simulated week and reports the
// live heap per service measured after GC (heap-B/service) beside
// Store.Bytes per service (store-B/service). It uses only API that commit
// 6aac1ab has too (its store-B/service reads 0 there), so the same file
// measures the old store: copy it into that tree and run it there.
func BenchmarkWorkloadMetricsWeek(b *testing.B) {
	const services, days = 200, 7
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := newStore(b, metrics.Config{})
		ws := make([]*workloadService, services)
		for i := range ws {
			ws[i] = newWorkloadService(b, s, i)
		}
		for k := range days * 1440 {
			for _, w := range ws {
				w.minute(b, s, k)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/services, "heap-B/service")
		b.ReportMetric(float64(storeBytes(s))/services, "store-B/service")
		runtime.KeepAlive(ws)
		runtime.KeepAlive(s)
	}
}

// storeBytes is s.Bytes(); BenchmarkWorkloadMetricsWeek calls it through
// this one line so that the benchmark builds against older stores too.
func storeBytes(s *metrics.Store) int { return s.Bytes() }
