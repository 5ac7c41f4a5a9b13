package sim_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

// churnScenario is a cluster of instances running services that deploy a
// new revision every few hours and change their desired counts, with
// crashes, a drained instance and a failed one. It is the workload of
// BenchmarkWorldDay and of the determinism tests.
type churnScenario struct {
	Instances, Services   int
	MinTasks, MaxTasks    int // desired count range, per service
	Duration              time.Duration
	DeployEvery           time.Duration // per service, staggered
	CrashesPerHour        float64
	DrainAndFailInstances bool
	World                 sim.WorldConfig  // the world's configuration (retention, event hook)
	Inspect               func(*sim.World) // if set, called with the world at the end
}

type churnResult struct {
	hash             uint64
	executed         uint64 // events run
	events, tasks    int
	running, desired int
	deployments      int
}

func runChurn(tb testing.TB, seed uint64, sc churnScenario) churnResult {
	s, err := sim.New(sim.Config{Seed: seed})
	if err != nil {
		tb.Fatal(err)
	}
	w, err := sim.NewWorld(s, sc.World)
	if err != nil {
		tb.Fatal(err)
	}
	c, _ := w.CreateCluster("prod")
	types := []string{"m5.xlarge", "m6i.xlarge", "c5.2xlarge", "r5.xlarge"}
	for i := range sc.Instances {
		if _, err := c.LaunchInstance(sim.InstanceSpec{Type: types[i%len(types)], Zone: zones3[i%3]}); err != nil {
			tb.Fatal(err)
		}
	}
	rng := s.Rand("scenario")
	var services []*sim.Service
	if err := s.RunFor(2 * time.Minute); err != nil {
		tb.Fatal(err)
	}
	for i := range sc.Services {
		family := fmt.Sprintf("svc%03d", i)
		for rev := range 2 {
			_, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
				Family: family,
				Containers: []sim.ContainerDefinition{{Name: "app", Image: fmt.Sprintf("%s:%d", family, rev), CPU: 128 << (i % 2),
					MemoryMiB: 256 << (i % 3), PortMappings: []sim.PortMapping{{ContainerPort: 8080}}}},
				Behavior: sim.Behavior{CrashesPerHour: sc.CrashesPerHour},
			})
			if err != nil {
				tb.Fatal(err)
			}
		}
		cfg := sim.ServiceConfig{Name: family, TaskDefinition: family + ":1",
			DesiredCount: sc.MinTasks + rng.IntN(sc.MaxTasks-sc.MinTasks+1)}
		if i%3 == 1 {
			cfg.DeploymentConfiguration = sim.DeploymentConfiguration{MinimumHealthyPercent: sim.Percent(50), MaximumPercent: sim.Percent(150)}
		}
		if i%5 == 2 {
			cfg.PlacementStrategy = []placement.Strategy{{Type: placement.Binpack, Field: "memory"}}
		}
		svc, err := c.CreateService(cfg)
		if err != nil {
			tb.Fatal(err)
		}
		services = append(services, svc)
	}
	// Each service deploys the other revision every DeployEvery, staggered,
	// and drifts its desired count by up to ±10 % at each deployment.
	deployments := 0
	for i, svc := range services {
		offset := sc.DeployEvery * time.Duration(i) / time.Duration(len(services))
		var tick func()
		rev := 1
		tick = func() {
			rev = 3 - rev
			n := svc.DesiredCount() + rng.IntN(svc.DesiredCount()/5+1) - svc.DesiredCount()/10
			n = min(max(n, sc.MinTasks), sc.MaxTasks)
			if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: fmt.Sprintf("%s:%d", svc.Name(), rev), DesiredCount: &n}); err != nil {
				tb.Fatal(err)
			}
			deployments++
			s.After(sc.DeployEvery, tick)
		}
		s.After(offset+time.Hour, tick)
	}
	if sc.DrainAndFailInstances {
		ins := c.Instances()
		s.After(3*time.Hour, func() { _ = ins[1].Drain() })
		_ = w.ScheduleFailure(sim.ScriptedFailure{At: s.Now().Add(4 * time.Hour), Instance: ins[2]})
	}
	if err := s.RunFor(sc.Duration); err != nil {
		tb.Fatal(err)
	}
	if sc.Inspect != nil {
		sc.Inspect(w)
	}
	r := churnResult{hash: s.TraceHash(), executed: s.Executed(), events: len(w.Events()), tasks: len(w.Tasks()), deployments: deployments}
	for _, svc := range services {
		r.running += svc.RunningCount()
		r.desired += svc.DesiredCount()
	}
	return r
}

var smallChurn = churnScenario{Instances: 40, Services: 8, MinTasks: 5, MaxTasks: 30, Duration: 8 * time.Hour,
	DeployEvery: 2 * time.Hour, CrashesPerHour: 0.2, DrainAndFailInstances: true}

// TestWorldDeterminism: the same seed gives the same trace hash and outcome;
// different seeds give different traces.
func TestWorldDeterminism(t *testing.T) {
	a, b := runChurn(t, 42, smallChurn), runChurn(t, 42, smallChurn)
	if a != b {
		t.Fatalf("same seed, different runs:\n%+v\n%+v", a, b)
	}
	if a.deployments == 0 || a.tasks == 0 || a.events == 0 {
		t.Fatalf("scenario did nothing: %+v", a)
	}
	for seed := uint64(43); seed < 46; seed++ {
		if c := runChurn(t, seed, smallChurn); c.hash == a.hash {
			t.Errorf("seeds 42 and %d have the same trace hash %x", seed, a.hash)
		}
	}
}

// TestChurnSettles: after the last deployment of the small scenario every
// service runs its desired count (the cluster has room for it).
func TestChurnSettles(t *testing.T) {
	sc := smallChurn
	sc.CrashesPerHour = 0
	sc.DeployEvery = 24 * time.Hour // one deployment each, in the first hours
	r := runChurn(t, 7, sc)
	if r.running != r.desired {
		t.Errorf("after %v: %d running, %d desired", sc.Duration, r.running, r.desired)
	}
}

// BenchmarkWorldDay simulates one day of a 1,000-instance cluster with 100
// services of 10 to 200 tasks each that deploy every 3 hours (staggered),
// with crashes (0.05 per task-hour), a drain and an instance failure. One
// op is one simulated day including setup; ns/op is wall time per
// simulated day.
func BenchmarkWorldDay(b *testing.B) {
	sc := churnScenario{Instances: 1000, Services: 100, MinTasks: 10, MaxTasks: 200, Duration: 24 * time.Hour,
		DeployEvery: 3 * time.Hour, CrashesPerHour: 0.05, DrainAndFailInstances: true}
	runChurn(b, 1, sc) // warm-up
	b.ReportAllocs()
	b.ResetTimer()
	var sink churnResult
	for i := 0; i < b.N; i++ {
		sink = runChurn(b, 1, sc)
	}
	b.StopTimer()
	b.ReportMetric(float64(sink.executed), "events/day")
	b.ReportMetric(float64(sink.tasks), "tasks/day")
	b.ReportMetric(float64(sink.deployments), "deployments/day")
}

// BenchmarkWorldRetention runs BenchmarkWorldDay's scenario for two
// simulated days keeping everything and with ECS-like retention (stopped
// tasks for an hour, the last 100 events per log), and reports the heap
// the world holds at the end (after a garbage collection, the world still
// reachable): what a long run costs in memory.
func BenchmarkWorldRetention(b *testing.B) {
	for _, tc := range []struct {
		name string
		r    sim.Retention
	}{{"off", sim.Retention{}}, {"ecs", sim.Retention{StoppedTasks: time.Hour, Events: 100}}} {
		b.Run("retention="+tc.name, func(b *testing.B) {
			sc := churnScenario{Instances: 1000, Services: 100, MinTasks: 10, MaxTasks: 200, Duration: 48 * time.Hour,
				DeployEvery: 3 * time.Hour, CrashesPerHour: 0.05, DrainAndFailInstances: true,
				World: sim.WorldConfig{Retention: tc.r}}
			var live uint64
			var tasks, events int
			sc.Inspect = func(w *sim.World) {
				var m runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&m)
				live = m.HeapAlloc
				tasks, events = len(w.Tasks()), len(w.Events())
				runtime.KeepAlive(w)
			}
			b.ReportAllocs()
			for b.Loop() {
				runChurn(b, 1, sc)
			}
			b.ReportMetric(float64(live)/(1<<20), "live-MiB")
			b.ReportMetric(float64(tasks), "tasks-listed")
			b.ReportMetric(float64(events), "events-listed")
		})
	}
}

// BenchmarkWorldDayEngineFloor is the baseline of BenchmarkWorldDay: the
// bare engine running as many events as the world day does (each a
// registered kind that reschedules itself after a random delay of up to a
// minute, 10,000 chains in flight, about the world's number of live
// timers), with no world logic. The ratio of the two is the cost of the
// ECS model per event over the event loop's own.
func BenchmarkWorldDayEngineFloor(b *testing.B) {
	sc := churnScenario{Instances: 1000, Services: 100, MinTasks: 10, MaxTasks: 200, Duration: 24 * time.Hour,
		DeployEvery: 3 * time.Hour, CrashesPerHour: 0.05, DrainAndFailInstances: true}
	events := runChurn(b, 1, sc).executed
	floor := func() uint64 {
		s, _ := sim.New(sim.Config{Seed: 1})
		r := s.Rand("floor")
		var left = events
		var k sim.Kind
		k = s.Handle("floor", sim.PhaseLifecycle, func(arg uint64) {
			if left > 0 {
				left--
				s.Schedule(k, time.Duration(r.Int64N(int64(time.Minute))), arg)
			}
		})
		for i := range 10000 {
			s.Schedule(k, 0, uint64(i))
		}
		_ = s.Run()
		return s.Executed()
	}
	floor() // warm-up
	b.ReportAllocs()
	b.ResetTimer()
	var sink uint64
	for i := 0; i < b.N; i++ {
		sink = floor()
	}
	b.StopTimer()
	b.ReportMetric(float64(sink), "events/day")
}
