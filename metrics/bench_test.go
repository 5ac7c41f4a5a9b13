package metrics_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/metrics"
)

// serviceMetrics returns the CPUUtilization metric of n services.
func serviceMetrics(n int) []metrics.Metric {
	ms := make([]metrics.Metric, n)
	for i := range ms {
		ms[i] = metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", fmt.Sprintf("svc-%03d", i))
	}
	return ms
}

var sinkFloat float64
var sinkBool bool

// BenchmarkPut writes one sample per call, round-robin over 100 services at
// one sample per service per second, after a warm-up longer than the raw
// retention so eviction runs in steady state. The baseline appends to a
// per-series slice keyed by a freshly built string.
func BenchmarkPut(b *testing.B) {
	ms := serviceMetrics(100)
	rng := rand.New(rand.NewPCG(1, 2))
	b.Run("store", func(b *testing.B) {
		s := newStore(b, metrics.Config{RawRetention: 10 * time.Minute})
		i := 0
		put := func() {
			at := t0.Add(time.Duration(i/len(ms)) * time.Second)
			if err := s.Put(ms[i%len(ms)], at, rng.Float64()*100); err != nil {
				b.Fatal(err)
			}
			i++
		}
		for range 100 * 1200 { // 20 virtual minutes: past the raw retention
			put()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			put()
		}
	})
	b.Run("handle", func(b *testing.B) {
		s := newStore(b, metrics.Config{RawRetention: 10 * time.Minute})
		hs := make([]*metrics.Handle, len(ms))
		for j, m := range ms {
			h, err := s.Handle(m)
			if err != nil {
				b.Fatal(err)
			}
			hs[j] = h
		}
		i := 0
		put := func() {
			at := t0.Add(time.Duration(i/len(hs)) * time.Second)
			if err := hs[i%len(hs)].Put(at, rng.Float64()*100); err != nil {
				b.Fatal(err)
			}
			i++
		}
		for range 100 * 1200 {
			put()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			put()
		}
	})
	b.Run("naive", func(b *testing.B) {
		s := newNaiveStore()
		i := 0
		put := func() {
			s.Put(ms[i%len(ms)], t0.Add(time.Duration(i/len(ms))*time.Second), rng.Float64()*100)
			i++
		}
		for range 100 * 1200 {
			put()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			put()
		}
	})
}

// BenchmarkOneMinuteStatistic queries one-minute windows of a series holding
// 3 hours of one-second samples (10,800), the raw tier's full load. The
// baseline scans the whole series and sorts the window.
func BenchmarkOneMinuteStatistic(b *testing.B) {
	const samples = 3 * 3600
	s := newStore(b, metrics.Config{})
	naive := newNaiveStore()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range samples {
		at := t0.Add(time.Duration(i) * time.Second)
		v := rng.Float64() * 100
		mustPut(b, s, cpu, at, v)
		naive.Put(cpu, at, v)
	}
	ends := make([]time.Time, 1024)
	for i := range ends {
		ends[i] = t0.Add(time.Duration(60+rng.IntN(samples-60)) * time.Second)
	}
	for _, stat := range []metrics.Statistic{metrics.Average, metrics.Percentile(99)} {
		for _, impl := range []struct {
			name string
			r    metrics.Reader
		}{{"store", s}, {"naive", naive}} {
			b.Run(stat.String()+"/"+impl.name, func(b *testing.B) {
				for i := range 64 { // warm-up: grow the store's scratch buffers
					sinkFloat, sinkBool = impl.r.Statistic(cpu, stat, time.Minute, ends[i])
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					sinkFloat, sinkBool = impl.r.Statistic(cpu, stat, time.Minute, ends[i%len(ends)])
				}
			})
		}
	}
}

// BenchmarkAlarmEvaluate is one evaluation of a 3-of-3 one-minute alarm
// (five windows read) on a store of one-second samples.
func BenchmarkAlarmEvaluate(b *testing.B) {
	s := newStore(b, metrics.Config{})
	for i := range 3600 {
		mustPut(b, s, cpu, t0.Add(time.Duration(i)*time.Second), float64(i%100))
	}
	a, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 3, Threshold: 70, Comparison: metrics.GreaterThanThreshold})
	if err != nil {
		b.Fatal(err)
	}
	a.Evaluate(t0.Add(10*time.Minute), s)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		a.Evaluate(t0.Add(time.Duration(10+i%40)*time.Minute), s)
	}
}

// thirtyDays writes every metric at the given interval for 30 virtual days
// and returns the largest live heap seen (sampled every virtual day).
func thirtyDays(tb tb, s *metrics.Store, ms []metrics.Metric, interval time.Duration) (peakHeap uint64) {
	var mem runtime.MemStats
	sample := func() {
		runtime.GC()
		runtime.ReadMemStats(&mem)
		peakHeap = max(peakHeap, mem.HeapAlloc)
	}
	perDay := int(24 * time.Hour / interval)
	for step := 0; step < 30*perDay; step++ {
		at := t0.Add(time.Duration(step) * interval)
		for j, m := range ms {
			mustPut(tb, s, m, at, float64((step+j)%100))
		}
		if step%perDay == 0 {
			sample()
		}
	}
	sample()
	return peakHeap
}

// TestThirtyDayRunIsBounded writes 50 services × 1 sample a minute for 30
// days with the default config and checks the retained data against the
// retention arithmetic: 1 h of minutes (60 + 1 raw samples) and 24 h of
// hourly buckets (24 + 1) per series. The peak heap is logged.
func TestThirtyDayRunIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("30-day run")
	}
	ms := serviceMetrics(50)
	s := newStore(t, metrics.Config{})
	peak := thirtyDays(t, s, ms, time.Minute)
	want := metrics.Usage{Series: 50, RawPoints: 50 * 61, Buckets: 50 * 25}
	if d := cmp.Diff(want, s.Usage()); d != "" {
		t.Fatalf("retained (-want +got):\n%s", d)
	}
	t.Logf("50 series, 1/min, 30 days: peak live heap %.1f MiB, %+v, %d bytes", float64(peak)/(1<<20), s.Usage(), s.Bytes())
}

// BenchmarkThirtyDaysPerSecond is a 30-day run of 4 metrics at one sample a
// second (10.4 million puts) with the default config; it reports the peak
// live heap and what the store retains at the end.
func BenchmarkThirtyDaysPerSecond(b *testing.B) {
	for range b.N {
		s := newStore(b, metrics.Config{})
		peak := thirtyDays(b, s, serviceMetrics(4), time.Second)
		u := s.Usage()
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(u.RawPoints), "raw-points")
		b.ReportMetric(float64(u.Buckets), "buckets")
	}
}

// BenchmarkPutStatisticSet writes one statistic set per call, round-robin
// over 100 series at one set per series per minute (ECS's cadence), in
// steady state: by key (Store.PutStatisticSet builds and looks up the
// series key) and through a Handle.
func BenchmarkPutStatisticSet(b *testing.B) {
	ms := serviceMetrics(100)
	set := metrics.StatisticSet{SampleCount: 60, Sum: 1800, Minimum: 2, Maximum: 70}
	for _, via := range []string{"key", "handle"} {
		b.Run(via, func(b *testing.B) {
			s := newStore(b, metrics.Config{})
			hs := make([]*metrics.Handle, len(ms))
			for j, m := range ms {
				hs[j], _ = s.Handle(m)
			}
			i := 0
			put := func() {
				at := t0.Add(time.Duration(i/len(ms)) * time.Minute)
				var err error
				if via == "key" {
					err = s.PutStatisticSet(ms[i%len(ms)], at, set)
				} else {
					err = hs[i%len(ms)].PutStatisticSet(at, set)
				}
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
			for range 100 * 120 { // two virtual hours: past the raw retention
				put()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				put()
			}
		})
	}
}

// BenchmarkAlarmEvaluateIncremental is target tracking's AlarmLow (15 of
// 15 one-minute datapoints, 17 read) evaluated every minute on a series
// written once a minute, one put and one evaluation per iteration: full
// reads every datapoint through a Reader that hides the store, incremental
// evaluates against the *Store and reads only the open periods.
func BenchmarkAlarmEvaluateIncremental(b *testing.B) {
	for _, mode := range []string{"full", "incremental"} {
		b.Run(mode, func(b *testing.B) {
			s := newStore(b, metrics.Config{})
			a, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 15, Threshold: 63, Comparison: metrics.LessThanThreshold})
			if err != nil {
				b.Fatal(err)
			}
			var r metrics.Reader = s
			if mode == "full" {
				r = asOfOnly{s}
			}
			k := 0
			step := func() {
				at := t0.Add(time.Duration(k) * time.Minute)
				mustPut(b, s, cpu, at, float64(40+k%50))
				a.Evaluate(at.Add(time.Minute), r)
				k++
			}
			for range 120 {
				step()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				step()
			}
		})
	}
}
