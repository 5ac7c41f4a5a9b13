package sim_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

const unavailableEvent = "was unable to place a task. Reason: " + capacity.CapacityUnavailableReason + "."

func (f *fixture) providerTasks(svc *sim.Service) map[string]int {
	out := map[string]int{}
	for _, t := range svc.Tasks() {
		if p := t.CapacityProvider(); p != nil {
			out[p.Name()]++
		}
	}
	return out
}

// TestFargateSpotUnavailableWindow: a Fargate Spot service created while
// Spot capacity is unavailable (a window from 0 to 10 minutes) starts no
// task, says why once (the event repeats at most every 5 minutes), and
// starts its tasks as soon as capacity returns; they run after the start
// latency. The provider reports the window.
func TestFargateSpotUnavailableWindow(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart,
		FargateSpotUnavailability: capacity.Unavailability{Windows: []capacity.Window{{Start: 0, End: 10 * time.Minute}}}}})
	f.fargateDef("worker", 256, 512)
	if err := f.c.PutCapacityProviders([]string{capacity.FargateSpot}, nil); err != nil {
		t.Fatal(err)
	}
	spot := f.w.CapacityProvider(capacity.FargateSpot)
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "worker", TaskDefinition: "worker", DesiredCount: 4,
		CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{{Provider: capacity.FargateSpot, Weight: 1}}})
	f.run(8 * time.Minute) // t = 9 min
	if n := len(svc.Tasks()); n != 0 || !spot.CapacityUnavailable() {
		t.Fatalf("at 9 min: %d tasks, unavailable %v; want none while Spot capacity is out", n, spot.CapacityUnavailable())
	}
	said := 0
	for _, e := range svc.Events() {
		if strings.HasSuffix(e.Message, unavailableEvent) {
			said++
		}
	}
	if said < 1 || said > 2 {
		t.Errorf("the unavailable event was logged %d times in 8 minutes; want 1 or 2 (at most every 5 minutes)", said)
	}
	if got := svc.Counters().UnplacedTasks; got < 4 {
		t.Errorf("%d unplaced tasks counted, want at least the 4 of the first try", got)
	}
	f.run(time.Minute + time.Second) // t = 10:01
	if n := len(svc.Tasks()); n != 4 || spot.CapacityUnavailable() {
		t.Fatalf("just after the window: %d tasks, unavailable %v; want 4 created at once", n, spot.CapacityUnavailable())
	}
	for _, tk := range svc.Tasks() {
		if got := tk.CreatedAt().Sub(f.s.Start()); got != 10*time.Minute {
			t.Errorf("task created at %v, want 10m0s, the end of the window", got)
		}
	}
	f.run(2 * time.Minute)
	if svc.RunningCount() != 4 {
		t.Errorf("%d running two minutes after the window, want 4", svc.RunningCount())
	}
	if got := spot.UnavailableTime(); got != 10*time.Minute {
		t.Errorf("UnavailableTime %v, want 10m0s", got)
	}
}

// TestFargateSpotUnavailableNoFallback: with FARGATE (base 2, weight 1)
// and FARGATE_SPOT (weight 1) and desired 6, the on-demand share (2 + 2)
// starts while Spot is out and the Spot share (2) waits for it: ECS does
// not replace Spot capacity with on-demand capacity. RunTask on
// FARGATE_SPOT fails with the reason in full; on FARGATE it works.
func TestFargateSpotUnavailableNoFallback(t *testing.T) {
	f := newFixture(t, 2, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart,
		FargateSpotUnavailability: capacity.Unavailability{Windows: []capacity.Window{{Start: 30 * time.Second, End: time.Hour}}}}})
	f.fargateDef("web", 512, 1024)
	if err := f.c.PutCapacityProviders([]string{capacity.Fargate, capacity.FargateSpot}, nil); err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6,
		CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{
			{Provider: capacity.Fargate, Base: 2, Weight: 1}, {Provider: capacity.FargateSpot, Weight: 1}}})
	f.run(20 * time.Minute)
	if got := f.providerTasks(svc); got[capacity.Fargate] != 4 || got[capacity.FargateSpot] != 0 {
		t.Errorf("while Spot is out: tasks per provider %v, want 4 on FARGATE and none anywhere else", got)
	}
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web", Count: 2,
		CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{{Provider: capacity.FargateSpot, Weight: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 0 || len(out.Failures) != 2 || out.Failures[0].Reason != capacity.CapacityUnavailableReason {
		t.Errorf("RunTask on FARGATE_SPOT: %d tasks, failures %+v; want 2 failures with the capacity reason", len(out.Tasks), out.Failures)
	}
	if out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web", LaunchType: sim.Fargate}); err != nil || len(out.Tasks) != 1 {
		t.Errorf("RunTask on FARGATE: %v, %+v; want one task", err, out)
	}
	f.run(41 * time.Minute) // past the window and the start latency
	if got := f.providerTasks(svc); got[capacity.Fargate] != 4 || got[capacity.FargateSpot] != 2 || svc.RunningCount() != 6 {
		t.Errorf("after the window: tasks per provider %v, %d running; want 4 + 2, all running", got, svc.RunningCount())
	}
}

// TestFargateSpotUnavailabilityRate: with periods of capacity averaging 50
// minutes and outages averaging 10, over 500 hours the share of time
// without Spot capacity is 1/6 (alternating renewal process), within four
// standard errors of the delta method (±0.035); each seed replays exactly.
func TestFargateSpotUnavailabilityRate(t *testing.T) {
	u := capacity.Unavailability{MeanAvailable: 50 * time.Minute, MeanUnavailable: 10 * time.Minute}
	run := func(seed uint64) (time.Duration, uint64) {
		f := newFixture(t, seed, sim.WorldConfig{Capacity: sim.CapacityConfig{FargateSpotUnavailability: u}})
		f.run(500 * time.Hour)
		return f.w.CapacityProvider(capacity.FargateSpot).UnavailableTime(), f.s.TraceHash()
	}
	for seed := uint64(1); seed <= 3; seed++ {
		out, h := run(seed)
		share := out.Hours() / 500
		if math.Abs(share-1.0/6) > 0.035 {
			t.Errorf("seed %d: Spot capacity out %.4f of the time, want 1/6 ± 0.035", seed, share)
		}
		if out2, h2 := run(seed); out2 != out || h2 != h {
			t.Errorf("seed %d replays differently", seed)
		}
	}
}

// TestFargateSpotUnavailabilityValidation: a bad process is a configuration
// error naming the field.
func TestFargateSpotUnavailabilityValidation(t *testing.T) {
	err := sim.WorldConfig{Capacity: sim.CapacityConfig{FargateSpotUnavailability: capacity.Unavailability{
		Windows: []capacity.Window{{Start: time.Hour, End: time.Minute}}}}}.Validate()
	if !errors.Is(err, sim.ErrConfig) || !strings.Contains(err.Error(), "Capacity.FargateSpotUnavailability") {
		t.Errorf("got %v, want ErrConfig naming Capacity.FargateSpotUnavailability", err)
	}
}
