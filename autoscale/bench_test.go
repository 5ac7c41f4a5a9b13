package autoscale

import (
	"math"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// tickingService is one service's CPU as sim publishes it, once a minute
// into a store, following a diurnal curve around a 60 % target (so
// decisions are rare, as in a real run).
type tickingService struct {
	store *metrics.Store
	cpu   *metrics.Handle
	k     int
}

func newTickingService(tb testing.TB) *tickingService {
	s, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	h, err := s.Handle(cpu)
	if err != nil {
		tb.Fatal(err)
	}
	return &tickingService{store: s, cpu: h}
}

// next publishes the next minute and returns the instant to evaluate at.
func (ts *tickingService) next(tb testing.TB) time.Time {
	at := t0.Add(minutes(ts.k))
	v := 60 + 5*math.Sin(2*math.Pi*float64(ts.k%1440)/1440)
	if err := ts.cpu.Put(at, v); err != nil {
		tb.Fatal(err)
	}
	ts.k++
	return at.Add(time.Minute)
}

// BenchmarkTargetTrackingPropose is one minute of a target tracking policy
// on a store: publish the minute, Propose. "lazy" leaves the explanation
// unformatted, as the Controller does unless the decision changes
// something; "text" formats it, as every Propose did at commit 6aac1ab.
func BenchmarkTargetTrackingPropose(b *testing.B) {
	for _, mode := range []string{"lazy", "text"} {
		b.Run(mode, func(b *testing.B) {
			p, err := NewTargetTracking(TargetTrackingConfig{Name: "cpu60", ResourceID: webID, TargetValue: 60, PredefinedMetric: ECSServiceAverageCPUUtilization})
			if err != nil {
				b.Fatal(err)
			}
			ts := newTickingService(b)
			step := func() {
				prop := p.Propose(Input{Now: ts.next(b), Desired: 10, Max: 100, Metrics: ts.store})
				if mode == "text" {
					sinkString = prop.Explain()
				}
			}
			for range 60 {
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

var sinkString string

// BenchmarkControllerMinute is one minute of a Controller with one target
// tracking policy on a store: publish the minute, Evaluate. It uses only
// API that commit 6aac1ab has too, so the same file measures the old
// Controller (copy it into that tree).
func BenchmarkControllerMinute(b *testing.B) {
	p, err := NewTargetTracking(TargetTrackingConfig{Name: "cpu60", ResourceID: webID, TargetValue: 60, PredefinedMetric: ECSServiceAverageCPUUtilization})
	if err != nil {
		b.Fatal(err)
	}
	c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 2, MaxCapacity: 100}, Policies: []Policy{p}})
	if err != nil {
		b.Fatal(err)
	}
	ts := newTickingService(b)
	desired := 10
	step := func() {
		desired = c.Evaluate(ts.next(b), State{Desired: desired, Metrics: ts.store}).Desired
	}
	for range 60 {
		step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		step()
	}
}
