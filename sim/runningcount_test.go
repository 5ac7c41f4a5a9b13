package sim_test

import (
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
	"github.com/ecssim/ecssim/sim/traffic"
)

// TestRunningCountKept holds Service.RunningCount, which the service keeps
// up to date as its tasks start and stop, to a recount of its tasks (RUNNING
// with desired status RUNNING) after every event of a turbulent hour and a
// half: tasks that crash and fail to start, Fargate Spot interruptions, an
// overloaded service whose tasks fail their load balancer's health checks,
// a deployment, a scale-in, a zone outage and a forced delete.
func TestRunningCountKept(t *testing.T) {
	f := newFixture(t, 7, sim.WorldConfig{Capacity: sim.CapacityConfig{
		FargateSpotInterruptions: capacity.InterruptionProcess{RatePerHour: 6},
	}})
	f.launch("m5.2xlarge", zones3, 6)
	f.taskDef("crashy", 256, 512, sim.Behavior{CrashesPerHour: 4, StartFailureProbability: 0.2})
	f.spotDef(0)
	f.webDef("web", 1024, 1024, 0)
	if err := f.c.PutCapacityProviders([]string{"FARGATE_SPOT"}, nil); err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	lb := drainingALB(f, 0)
	crashy := f.service(sim.ServiceConfig{Name: "crashy", TaskDefinition: "crashy", DesiredCount: 8})
	spot := f.service(sim.ServiceConfig{Name: "spot", TaskDefinition: "worker", DesiredCount: 10,
		CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{{Provider: "FARGATE_SPOT", Weight: 1}}})
	web := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 3, Observer: lb})
	f.workload(sim.WorkloadConfig{LoadBalancer: lb, Mode: sim.FluidMode, Source: traffic.Constant{PerSecond: 6},
		MeanWork: time.Second, SCV: 1, Server: traffic.ServerConfig{Discipline: traffic.FCFS, Concurrency: 4, QueueLimit: 50}})
	start := f.s.Now()
	if err := f.w.ScheduleZoneOutage("us-east-1b", start.Add(20*time.Minute), start.Add(40*time.Minute)); err != nil {
		t.Fatal(err)
	}
	services := []*sim.Service{crashy, spot, web}
	actions := []struct {
		at time.Duration
		do func() error
	}{
		{30 * time.Minute, func() error { return web.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true}) }},
		{50 * time.Minute, func() error { return crashy.SetDesiredCount(3) }},
		{70 * time.Minute, func() error { return spot.Delete(true) }},
	}
	events := 0
	for f.s.Now().Before(start.Add(90 * time.Minute)) {
		if len(actions) > 0 && !f.s.Now().Before(start.Add(actions[0].at)) {
			if err := actions[0].do(); err != nil {
				t.Fatal(err)
			}
			actions = actions[1:]
		}
		if ok, err := f.s.Step(); err != nil || !ok {
			t.Fatalf("step: %v, %v", ok, err)
		}
		events++
		for _, s := range services {
			want := countIf(s.Tasks(), func(tk *sim.Task) bool {
				return tk.State() == sim.TaskRunning && tk.DesiredStatus() == sim.TaskRunning
			})
			if got := s.RunningCount(); got != want {
				t.Fatalf("after event %d at %v: %s RunningCount %d, its tasks say %d", events, f.s.Now().Sub(start), s.Name(), got, want)
			}
		}
	}
	// The hour and a half did what it says.
	if c := crashy.Counters(); c.StartFailures == 0 || c.TasksStopped <= c.StartFailures {
		t.Errorf("crashy: %+v; want start failures and crashes", c)
	}
	if n := f.w.CapacityProvider("FARGATE_SPOT").Interruptions(); n == 0 {
		t.Error("no Fargate Spot interruption")
	}
	if web.Counters().UnhealthyStopped == 0 {
		t.Error("web: no task stopped for failing health checks")
	}
	if spot.Status() != sim.ServiceInactive || spot.RunningCount() != 0 {
		t.Errorf("spot after a forced delete: %v with %d running", spot.Status(), spot.RunningCount())
	}
}
