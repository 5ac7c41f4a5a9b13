package sim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// retentionSnapshot is what a run's accessors showed at its end.
type retentionSnapshot struct {
	end        time.Time
	tasks      []*sim.Task
	events     []sim.ServiceEvent
	perService map[string][]sim.ServiceEvent
	hooked     []sim.ServiceEvent // every event OnServiceEvent received
}

func taskIDs(ts []*sim.Task) []string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID()
	}
	return ids
}

// lastN returns the last n events of log (all of them if n is 0).
func lastN(log []sim.ServiceEvent, n int) []sim.ServiceEvent {
	if n > 0 && len(log) > n {
		return log[len(log)-n:]
	}
	return log
}

// TestRetentionDoesNotChangeTheRun runs the churn scenario (deployments,
// crashes, a drained and a failed instance) twice from one seed, keeping
// everything and keeping 10 minutes of stopped tasks and 7 events per log.
// The runs must be the same event for event (trace hash, events run,
// running and desired counts); the forgetting run lists exactly the full
// run's tasks minus those STOPPED for 10 minutes or more, the last 7
// events of the world and of each service, and its OnServiceEvent hook
// still sees the full log.
func TestRetentionDoesNotChangeTheRun(t *testing.T) {
	keep := sim.Retention{StoppedTasks: 10 * time.Minute, Events: 7}
	run := func(r sim.Retention) (churnResult, *retentionSnapshot) {
		snap := &retentionSnapshot{perService: map[string][]sim.ServiceEvent{}}
		sc := smallChurn
		sc.World = sim.WorldConfig{Retention: r, OnServiceEvent: func(e sim.ServiceEvent) { snap.hooked = append(snap.hooked, e) }}
		sc.Inspect = func(w *sim.World) {
			snap.end, snap.tasks, snap.events = w.Sim().Now(), w.Tasks(), w.Events()
			for _, svc := range w.Services() {
				snap.perService[svc.Name()] = svc.Events()
			}
		}
		return runChurn(t, 42, sc), snap
	}
	full, all := run(sim.Retention{})
	kept, some := run(keep)

	if full.hash != kept.hash || full.executed != kept.executed || full.running != kept.running ||
		full.desired != kept.desired || full.deployments != kept.deployments {
		t.Fatalf("retention changed the run:\nkeep all: %+v\nforget:   %+v", full, kept)
	}
	if diff := cmp.Diff(all.hooked, all.events); diff != "" {
		t.Fatalf("keeping everything, the hook and World.Events differ (-hook +log):\n%s", diff)
	}
	if diff := cmp.Diff(all.events, some.hooked); diff != "" {
		t.Errorf("the hook of the forgetting run missed events (-full log +hook):\n%s", diff)
	}

	var want []string
	forgotten, stoppedKept := 0, 0
	for _, tk := range all.tasks {
		switch {
		case tk.State() != sim.TaskStopped:
			want = append(want, tk.ID())
		case all.end.Sub(tk.StoppedAt()) < keep.StoppedTasks:
			want = append(want, tk.ID())
			stoppedKept++
		default:
			forgotten++
		}
	}
	if forgotten == 0 || stoppedKept == 0 {
		t.Fatalf("scenario too quiet to test: %d tasks forgotten, %d recently stopped kept", forgotten, stoppedKept)
	}
	if diff := cmp.Diff(want, taskIDs(some.tasks)); diff != "" {
		t.Errorf("World.Tasks (-want +got):\n%s", diff)
	}

	if len(all.events) <= keep.Events {
		t.Fatalf("only %d events: too few to test the cap of %d", len(all.events), keep.Events)
	}
	if diff := cmp.Diff(lastN(all.events, keep.Events), some.events); diff != "" {
		t.Errorf("World.Events (-want last %d +got):\n%s", keep.Events, diff)
	}
	for name, log := range all.perService {
		if diff := cmp.Diff(lastN(log, keep.Events), some.perService[name]); diff != "" {
			t.Errorf("service %s Events (-want +got):\n%s", name, diff)
		}
	}
}

// TestRetentionUnderLoadAndSpot forgets stopped tasks as soon as it can
// (after a nanosecond) in a run where events keep arriving for stopped
// tasks: a Fargate Spot service behind an ALB under load, with Spot
// interruptions at 3 per task-hour (warnings drawn for tasks that may have
// stopped since), crashes, and request-level servers. Forgetting must not
// change the run: same trace, same workload and service counters.
func TestRetentionUnderLoadAndSpot(t *testing.T) {
	run := func(r sim.Retention) (uint64, uint64, sim.WorkloadCounters, sim.ServiceCounters, int) {
		f := newFixture(t, 11, sim.WorldConfig{Retention: r, Capacity: sim.CapacityConfig{
			FargateSpotInterruptions: capacity.InterruptionProcess{RatePerHour: 3}}})
		if err := f.c.PutCapacityProviders([]string{capacity.FargateSpot}, []sim.CapacityProviderStrategyItem{{Provider: capacity.FargateSpot, Weight: 1}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
			Family: "web", CPU: 1024, MemoryMiB: 2048, NetworkMode: sim.AWSVPC,
			RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
			Containers:              []sim.ContainerDefinition{{Name: "app", Image: "web:1", StopTimeout: 10 * time.Second}},
			Behavior:                sim.Behavior{Shutdown: sim.Fixed(time.Second), CrashesPerHour: 1},
		}); err != nil {
			t.Fatal(err)
		}
		lb := drainingALB(f, 15*time.Second)
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6, Observer: lb,
			HealthCheckGracePeriod: 30 * time.Second})
		f.run(5 * time.Minute)
		wl := steadyLoad(f, lb)
		f.run(3 * time.Hour)
		return f.s.TraceHash(), f.s.Executed(), wl.Counters(), svc.Counters(), len(f.w.Tasks())
	}
	h1, n1, wl1, svc1, tasks1 := run(sim.Retention{})
	h2, n2, wl2, svc2, tasks2 := run(sim.Retention{StoppedTasks: time.Nanosecond})
	if svc1.TasksStopped < 20 {
		t.Fatalf("only %d tasks stopped in 3 hours; the scenario exercises too little", svc1.TasksStopped)
	}
	if h1 != h2 || n1 != n2 {
		t.Errorf("trace %x (%d events) keeping all, %x (%d events) forgetting", h1, n1, h2, n2)
	}
	if wl1 != wl2 || svc1 != svc2 {
		t.Errorf("counters changed:\nkeep all: %+v %+v\nforget:   %+v %+v", wl1, svc1, wl2, svc2)
	}
	if tasks2 >= tasks1 || tasks2 > 6+2 {
		t.Errorf("World.Tasks lists %d tasks forgetting (%d keeping all); want only the live ones", tasks2, tasks1)
	}
}

// TestRetentionValidation: negative settings are configuration errors that
// name the field, both at once.
func TestRetentionValidation(t *testing.T) {
	err := sim.WorldConfig{Retention: sim.Retention{StoppedTasks: -time.Second, Events: -1}}.Validate()
	if !errors.Is(err, sim.ErrConfig) {
		t.Fatalf("got %v, want ErrConfig", err)
	}
	for _, field := range []string{"Retention.StoppedTasks", "Retention.Events"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error %q does not name %s", err, field)
		}
	}
}
