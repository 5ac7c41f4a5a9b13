package sim_test

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/storage"
	"github.com/ecssim/ecssim/sim/traffic"
)

// efsMachine drives a world with one small Bursting file system, mounted
// by a Fargate service behind an ALB whose requests do I/O on it, and by
// RunTask tasks, through random desired counts, zone outages, task stops
// and time; after every event it checks the file system's invariants.
type efsMachine struct {
	s   *sim.Sim
	w   *sim.World
	c   *sim.Cluster
	fs  *sim.FileSystem
	svc *sim.Service
	wl  *sim.Workload
	lim int
}

func newEFSMachine(t *rapid.T) *efsMachine {
	s, _ := sim.New(sim.Config{Seed: rapid.Uint64().Draw(t, "seed")})
	w, err := sim.NewWorld(s, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := w.CreateCluster("prod")
	m := &efsMachine{s: s, w: w, c: c, lim: rapid.IntRange(1, 6).Draw(t, "connectionLimit")}
	// A little data and few credits, so that runs cross the baseline cliff
	// both ways.
	m.fs, err = w.CreateFileSystem(sim.FileSystemConfig{
		ID: testFS, ThroughputMode: sim.Bursting, StoredGiB: rapid.Float64Range(1, 200).Draw(t, "storedGiB"),
		StartCreditsTiB: rapid.Float64Range(0, 0.002).Draw(t, "creditsTiB"), ConnectionLimit: m.lim,
		MountTargetZones: rapid.SampledFrom([][]string{nil, zones3[:2]}).Draw(t, "mountTargets"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "web", CPU: 256, MemoryMiB: 512, NetworkMode: sim.AWSVPC, RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "web", MountPoints: []sim.MountPoint{{SourceVolume: "data", ContainerPath: "/data"}}}},
		Volumes:    []sim.Volume{{Name: "data", EFSVolumeConfiguration: &sim.EFSVolumeConfiguration{FileSystemID: testFS}}},
	}); err != nil {
		t.Fatal(err)
	}
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{
		HealthCheck: loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2},
	}})
	if err != nil {
		t.Fatal(err)
	}
	m.svc, err = c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", LaunchType: sim.Fargate, Observer: lb,
		DesiredCount: rapid.IntRange(0, 8).Draw(t, "desired")})
	if err != nil {
		t.Fatal(err)
	}
	m.wl, err = w.NewWorkload(sim.WorkloadConfig{
		LoadBalancer: lb, Source: traffic.Constant{PerSecond: rapid.Float64Range(0.5, 10).Draw(t, "rate")},
		Demand: traffic.Exponential{Mean: 5 * time.Millisecond},
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited, Timeout: 10 * time.Second},
		IO: &sim.RequestIO{Volume: "data", MeanReadBytes: rapid.Float64Range(0, storage.MiB).Draw(t, "read"),
			MeanWriteBytes: rapid.Float64Range(4096, storage.MiB/4).Draw(t, "write")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (m *efsMachine) SetDesired(t *rapid.T) {
	if err := m.svc.SetDesiredCount(rapid.IntRange(0, 8).Draw(t, "desired")); err != nil {
		t.Fatal(err)
	}
}

func (m *efsMachine) RunTask(t *rapid.T) {
	if _, err := m.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web", LaunchType: sim.Fargate,
		Count: rapid.IntRange(1, 3).Draw(t, "count")}); err != nil {
		t.Fatal(err)
	}
}

func (m *efsMachine) StopTask(t *rapid.T) {
	tk := drawLiveTask(t, m.w)
	if err := m.w.StopTask(tk, "rapid"); err != nil {
		t.Fatal(err)
	}
}

func (m *efsMachine) ZoneOutage(t *rapid.T) {
	zone := rapid.SampledFrom(zones3).Draw(t, "zone")
	start := m.s.Now().Add(time.Duration(rapid.IntRange(0, 300).Draw(t, "in")) * time.Second)
	// Outages of one zone may not overlap; a refused one is skipped.
	if err := m.w.ScheduleZoneOutage(zone, start, start.Add(time.Duration(rapid.IntRange(60, 1200).Draw(t, "for"))*time.Second)); err != nil {
		t.Skip("overlapping outage")
	}
}

func (m *efsMachine) Advance(t *rapid.T) {
	end := m.s.Now().Add(time.Duration(rapid.IntRange(1, 300).Draw(t, "seconds")) * time.Second)
	for {
		ok, err := m.s.Step()
		if err != nil {
			t.Fatal(err)
		}
		if !ok || m.s.Now().After(end) {
			return
		}
		m.Check(t)
	}
}

// Check holds the invariants: connections never exceed the limit and
// are the mounts of the tasks not yet STOPPED (RUNNING ones in
// particular); credits stay within [0, max]; the workload's requests are
// conserved.
func (m *efsMachine) Check(t *rapid.T) {
	conns := m.fs.Connections()
	if conns < 0 || conns > m.lim || m.fs.PeakConnections() > m.lim {
		t.Fatalf("%d connections (peak %d), limit %d", conns, m.fs.PeakConnections(), m.lim)
	}
	running := 0
	for _, tk := range m.w.Tasks() {
		if tk.State() == sim.TaskRunning {
			running++
		}
	}
	if running > conns {
		t.Fatalf("%d tasks RUNNING, %d connections: a running task mounts its volume", running, conns)
	}
	if b := m.fs.CreditBalance(); b < 0 || b > m.fs.MaxCredits() {
		t.Fatalf("credit balance %v outside [0, %v]", b, m.fs.MaxCredits())
	}
	if c := m.wl.Counters(); !conserved(c) || c.InFlight < 0 {
		t.Fatalf("workload counters not conserved: %+v", c)
	}
}

// TestEFSStateMachine is the rapid property of EFS mounts, connections,
// credits and I/O: random desired counts, RunTask, StopTask, zone outages
// and time, with Check after every event.
func TestEFSStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := newEFSMachine(t)
		actions := rapid.StateMachineActions(m)
		actions[""] = m.Check
		t.Repeat(actions)
	})
}
