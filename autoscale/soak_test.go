package autoscale

import (
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// soak is a closed-loop run of one scalable target with two policies (target
// tracking on CPU, step scaling on memory) and two scheduled actions
// (weekday mornings raise the minimum, evenings lower it), driven by a
// synthetic diurnal load one minute at a time.
type soak struct {
	c       *Controller
	desired int
	recent  [32]int // desired count per minute, by minute % 32
	minute  int
}

// noise is a deterministic pseudo-random value in [0, 1) for minute i
// (splitmix64), so the load needs no stored series.
func noise(i int) float64 {
	z := uint64(i)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e5bb
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

// load is the demand in CPU percent-tasks at minute i: a daily cycle between
// about 300 and 2,100 with ±10 % noise.
func load(i int) float64 {
	day := 2 * math.Pi * float64(i%1440) / 1440
	return (1200 - 900*math.Cos(day)) * (0.9 + 0.2*noise(i))
}

func newSoak(tb testing.TB) *soak {
	tt, err := NewTargetTracking(TargetTrackingConfig{Name: "cpu-60", ResourceID: webID, TargetValue: 60, PredefinedMetric: ECSServiceAverageCPUUtilization})
	if err != nil {
		tb.Fatal(err)
	}
	step, err := NewStepScaling(StepScalingConfig{
		Name:           "memory-steps",
		Alarm:          metrics.AlarmConfig{Metric: memory, Statistic: metrics.Average, EvaluationPeriods: 2, Threshold: 80, Comparison: metrics.GreaterThanOrEqualToThreshold},
		AdjustmentType: PercentChangeInCapacity,
		StepAdjustments: []StepAdjustment{
			{LowerBound: 0, UpperBound: 10, ScalingAdjustment: 10},
			{LowerBound: 10, UpperBound: posInf, ScalingAdjustment: 30},
		},
		MinAdjustmentMagnitude: 1,
	})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := NewController(ControllerConfig{
		Target:   ScalableTarget{ResourceID: webID, MinCapacity: 2, MaxCapacity: 80},
		Policies: []Policy{tt, step},
		ScheduledActions: []ScheduledAction{
			{Name: "morning", Schedule: "cron(0 7 ? * MON-FRI *)", Timezone: "Europe/Paris", MinCapacity: Capacity(30)},
			{Name: "evening", Schedule: "cron(0 20 ? * MON-FRI *)", Timezone: "Europe/Paris", MinCapacity: Capacity(2)},
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	s := &soak{c: c, desired: 10}
	for i := range s.recent {
		s.recent[i] = s.desired
	}
	return s
}

// Statistic serves CPU as load / desired and memory as a fixed base plus a
// share of the CPU, for the minute that starts at end − period; minutes
// older than the ring of recent capacities are missing.
func (s *soak) Statistic(m metrics.Metric, _ metrics.Statistic, period time.Duration, end time.Time) (float64, bool) {
	i := int(end.Add(-period).Sub(t0) / time.Minute)
	if i < 0 || i >= s.minute || s.minute-i >= len(s.recent) {
		return 0, false
	}
	cpuPct := load(i) / float64(s.recent[i%len(s.recent)])
	if m.Name == "MemoryUtilization" {
		return 20 + cpuPct, true
	}
	return cpuPct, true
}

// step evaluates one minute and applies the decision.
func (s *soak) step() Decision {
	d := s.c.Evaluate(t0.Add(minutes(s.minute)), State{Desired: s.desired, Running: s.desired, Metrics: s})
	s.desired = d.Desired
	s.recent[s.minute%len(s.recent)] = s.desired
	s.minute++
	return d
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestThirtyDayRunMemoryBounded runs 30 days minute by minute and checks
// that the heap after day 30 is no larger than after day 2 plus a small
// allowance: the Controller's history is a ring and nothing else grows.
// It also checks the run is lively (it scaled both ways, both policies and
// the schedule acted) and stays inside the bounds.
func TestThirtyDayRunMemoryBounded(t *testing.T) {
	s := newSoak(t)
	var afterDay2 uint64
	var peak uint64
	acted := map[string]int{}
	ins, outs := 0, 0
	for day := range 30 {
		for range 1440 {
			d := s.step()
			if d.Desired < d.Min || d.Desired > d.Max {
				t.Fatalf("minute %d: desired %d outside [%d, %d]", s.minute, d.Desired, d.Min, d.Max)
			}
			for _, a := range d.Activities {
				acted[a.Policy+a.ScheduledAction]++
				if a.ScaleIn() {
					ins++
				} else {
					outs++
				}
			}
		}
		h := heapInUse()
		peak = max(peak, h)
		if day == 1 {
			afterDay2 = h
		}
	}
	after := heapInUse()
	t.Logf("30 days: %d scale-outs, %d scale-ins, activities by cause %v; heap after day 2 %d B, after day 30 %d B, peak %d B",
		outs, ins, acted, afterDay2, after, peak)
	if after > afterDay2+64<<10 {
		t.Errorf("heap grew from %d B after day 2 to %d B after day 30: something keeps history", afterDay2, after)
	}
	if n := len(s.c.History()); n != DefaultHistoryLimit {
		t.Errorf("history holds %d activities, want the limit %d", n, DefaultHistoryLimit)
	}
	for _, cause := range []string{"cpu-60", "memory-steps", "morning"} {
		if acted[cause] == 0 {
			t.Errorf("%s never acted in 30 days; the run does not exercise it", cause)
		}
	}
	if ins == 0 || outs == 0 {
		t.Errorf("scale-ins %d, scale-outs %d: want both", ins, outs)
	}
}

// BenchmarkThirtyDays times one evaluation of the 30-day soak (one op = one
// simulated minute) and reports the peak heap over the run.
func BenchmarkThirtyDays(b *testing.B) {
	b.ReportAllocs()
	s := newSoak(b)
	for range 1440 { // warm-up: one day
		s.step()
	}
	var peak uint64
	var ms runtime.MemStats
	var sink int
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		sink += s.step().Desired
		if i%(30*1440) == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	b.ReportMetric(float64(peak), "peak-heap-B")
	if sink < 0 {
		b.Fatal("impossible")
	}
}
