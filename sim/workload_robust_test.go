package sim_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// Regression tests for the robustness issue's defect classes that come
// from traffic models wired into a world.

// wildSource is a Source of the caller's own that returns, minute by
// minute, a NaN, a negative, an infinite and an absurdly large rate, and a
// plain one.
type wildSource struct{}

func (wildSource) Rate(t time.Duration) float64 {
	switch (t / time.Minute) % 5 {
	case 0:
		return math.NaN()
	case 1:
		return -5
	case 2:
		return math.Inf(1)
	case 3:
		return 1e300
	}
	return 10
}

func (s wildSource) MaxRate(from, to time.Duration) float64 { return math.Inf(1) }

// TestFluidRateNaNOrNegativeDoesNotPanic: a fluid rate that was negative or
// NaN reached traffic.Fluid in the middle of a run, which refused it, and
// the workload panicked. Rates are now read through traffic.ClampRate: NaN
// and negative are no traffic, and anything above traffic.MaxPerSecond is
// MaxPerSecond.
func TestFluidRateNaNOrNegativeDoesNotPanic(t *testing.T) {
	f, lb, _, _ := webBehindALB(t, 1)
	wl := f.workload(sim.WorkloadConfig{LoadBalancer: lb, Mode: sim.FluidMode, Source: wildSource{},
		MeanWork: 100 * time.Millisecond, SCV: 1,
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: 100}})
	f.run(20 * time.Minute)
	c := wl.Counters()
	checkConserved(t, c)
	if c.Arrived <= 0 || c.Served < 0 || c.Rejected < 0 || c.NoTarget < 0 || c.TimedOut < 0 {
		t.Fatalf("counters %+v", c)
	}
}

// TestRequestCountersDoNotWrapAtExtremeRates: a fluid step at 10³⁰⁰
// requests per second counted int64(round(10³⁰⁰·60)), which wraps to a
// negative number. Rates are capped at traffic.MaxPerSecond, at which no
// run a Duration can hold counts past an int64.
func TestRequestCountersDoNotWrapAtExtremeRates(t *testing.T) {
	f, lb, _, _ := webBehindALB(t, 1)
	wl := f.workload(sim.WorkloadConfig{LoadBalancer: lb, Mode: sim.FluidMode, Source: constantOf(1e300),
		MeanWork: 100 * time.Millisecond, SCV: 1,
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: 100}})
	f.run(10 * time.Minute)
	c := wl.Counters()
	checkConserved(t, c)
	// The workload starts mid-minute (at 3m0s of the fixture's clock) and
	// counts whole steps: at least nine minutes at MaxPerSecond.
	if min := int64(traffic.MaxPerSecond * 9 * 60); c.Arrived < min || c.Rejected < 0 {
		t.Fatalf("arrived %d (want ≥ %d), rejected %d", c.Arrived, min, c.Rejected)
	}
}

// constantOf is a Source of the caller's own at a fixed rate, which
// validation cannot see.
type constantOf float64

func (c constantOf) Rate(time.Duration) float64         { return float64(c) }
func (c constantOf) MaxRate(_, _ time.Duration) float64 { return float64(c) }

// TestNewWorkloadRefusesWhatWouldBreakARun: a NaN or infinite Constant
// rate, a work distribution that draws NaN (a hyperexponential with C² <
// 1: every request hung forever) and a 1 ns fluid step (in effect a hang)
// were accepted; each is now refused with the field named.
func TestNewWorkloadRefusesWhatWouldBreakARun(t *testing.T) {
	for _, tc := range []struct {
		cfg  sim.WorkloadConfig
		want string
	}{
		{sim.WorkloadConfig{Mode: sim.FluidMode, Source: traffic.Constant{PerSecond: math.NaN()}, MeanWork: time.Second}, "Constant.PerSecond NaN"},
		{sim.WorkloadConfig{Source: traffic.Constant{PerSecond: math.Inf(1)}, Demand: traffic.Fixed{CPU: time.Second}}, "Constant.PerSecond +Inf"},
		{sim.WorkloadConfig{Source: traffic.Constant{PerSecond: 1}, Demand: traffic.HyperExponential{Mean: time.Second, SCV: 0.5}}, "hyperexponential needs a positive mean and a finite scv ≥ 1"},
		{sim.WorkloadConfig{Mode: sim.FluidMode, Source: traffic.Constant{PerSecond: 1}, MeanWork: time.Second, FluidStep: time.Nanosecond}, "FluidStep 1ns"},
	} {
		f, lb, _, _ := webBehindALB(t, 1) // a load balancer takes one workload
		tc.cfg.LoadBalancer = lb
		_, err := f.w.NewWorkload(tc.cfg)
		if !errors.Is(err, sim.ErrInvalidWorkload) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want ErrInvalidWorkload naming %q", err, tc.want)
		}
	}
}

// TestCatalogRefusesNaNPrice: an instance type priced NaN passed the
// catalog's "not negative" check and made billing panic when the instance
// stopped. A price must be finite and at least 0.
func TestCatalogRefusesNaNPrice(t *testing.T) {
	base := sim.DefaultCatalog().Types()[0]
	for _, price := range []float64{math.NaN(), math.Inf(1), -1} {
		typ := base
		typ.PricePerHour = price
		if _, err := sim.NewCatalog([]sim.InstanceType{typ}); !errors.Is(err, sim.ErrConfig) || !strings.Contains(err.Error(), "PricePerHour") {
			t.Errorf("price %v: %v", price, err)
		}
	}
}
