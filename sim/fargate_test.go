package sim_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// exactStart is a Fargate start model without spread: ENI 10 s, a 100 MB
// image at 10 MB/s (10 s), application start 2 s, no tail: every task
// takes exactly 22 s from its launch token to RUNNING.
var exactStart = capacity.StartLatency{
	ENIAttachMin: 10 * time.Second, ENIAttachMax: 10 * time.Second,
	ImageSizeMB: 100, PullThroughputMBps: 10,
	AppStartMin: 2 * time.Second, AppStartMax: 2 * time.Second, NoTail: true,
}

const exactStartLatency = 22 * time.Second

// fargateDef registers an awsvpc task definition for Fargate.
func (f *fixture) fargateDef(family string, cpu, memMiB int) *sim.TaskDefinition {
	f.t.Helper()
	d, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: family, CPU: cpu, MemoryMiB: memMiB, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers:              []sim.ContainerDefinition{{Name: "app", Image: family + ":latest"}},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func zoneSpread(ts []*sim.Task) map[string]int {
	m := map[string]int{}
	for _, t := range ts {
		m[t.Zone()]++
	}
	return m
}

// TestFargateServiceRunsIsolatedInZones: a Fargate service needs no
// instance, its tasks hold none, and they are balanced over the zones.
// With the default start model (no tail), each task reaches RUNNING
// between 8+10+2 = 20 s and 12+10+5 = 27 s after launch.
func TestFargateServiceRunsIsolatedInZones(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: capacity.StartLatency{NoTail: true}}})
	f.fargateDef("web", 1024, 2048)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6, LaunchType: sim.Fargate})
	f.run(2 * time.Minute)
	if got := svc.RunningCount(); got != 6 {
		t.Fatalf("running %d, want 6: %v", got, svc.Events())
	}
	if n := len(f.w.Instances()); n != 0 {
		t.Errorf("%d instances launched, want none", n)
	}
	for _, tk := range svc.Tasks() {
		if tk.Instance() != nil || !tk.IsFargate() || tk.IsSpot() {
			t.Errorf("task %s: instance %v, fargate %v, spot %v", tk.ID(), tk.Instance(), tk.IsFargate(), tk.IsSpot())
		}
		if d := tk.StartedAt().Sub(tk.CreatedAt()); d < 20*time.Second || d > 27*time.Second {
			t.Errorf("task %s took %v to RUNNING, want 20s..27s", tk.ID(), d)
		}
	}
	if got, want := zoneSpread(svc.Tasks()), map[string]int{"us-east-1a": 2, "us-east-1b": 2, "us-east-1c": 2}; !mapsEqual(got, want) {
		t.Errorf("zones %v, want %v", got, want)
	}
	// Scale-in keeps the balance: one task per zone remains.
	if err := svc.SetDesiredCount(3); err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	if got, want := zoneSpread(svc.Tasks()), map[string]int{"us-east-1a": 1, "us-east-1b": 1, "us-east-1c": 1}; !mapsEqual(got, want) {
		t.Errorf("after scale-in zones %v, want %v", got, want)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestFargateTaskSizeValidation: sizes outside the Fargate table and
// non-awsvpc definitions are rejected at CreateService and RunTask, and
// the message lists the valid values.
func TestFargateTaskSizeValidation(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.fargateDef("odd", 1024, 1000)
	_, err := f.c.CreateService(sim.ServiceConfig{Name: "odd", TaskDefinition: "odd", DesiredCount: 1, LaunchType: sim.Fargate})
	if !errors.Is(err, sim.ErrInvalidService) || !errors.Is(err, capacity.ErrInvalidTaskSize) || !strings.Contains(err.Error(), "2048") {
		t.Errorf("1 vCPU with 1000 MiB: %v, want ErrInvalidService listing the valid memory values", err)
	}
	f.fargateDef("cpu384", 384, 1024)
	_, err = f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "cpu384", LaunchType: sim.Fargate})
	if !errors.Is(err, sim.ErrInvalidRunTask) || !strings.Contains(err.Error(), "256, 512, 1024") {
		t.Errorf("cpu 384: %v, want ErrInvalidRunTask listing the valid CPU values", err)
	}
	_, err = f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "sparc", CPUArchitecture: "sparc", EphemeralStorageGiB: 20,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "x", MemoryMiB: 512}}})
	if !errors.Is(err, sim.ErrInvalidTaskDefinition) || strings.Count(err.Error(), "\n") != 1 {
		t.Errorf("architecture sparc and 20 GiB of explicit storage: %v, want two ErrInvalidTaskDefinition problems", err)
	}
	_, err = f.c.CreateService(sim.ServiceConfig{Name: "x", TaskDefinition: "odd", LaunchType: sim.Fargate,
		CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{{Provider: "FARGATE", Weight: 1}}})
	if !errors.Is(err, sim.ErrInvalidService) {
		t.Errorf("launch type and strategy together: %v, want ErrInvalidService", err)
	}
}

// TestFargateLaunchBucketWorkedExampleN: 150 tasks requested at t = 0
// with a full bucket (100, 20/s): 100 launch at once, the other 50 over
// the next 2.5 s, one every 50 ms (worked example N). With a start
// latency of exactly 22 s the RUNNING instants show the token instants.
func TestFargateLaunchBucketWorkedExampleN(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}})
	f.fargateDef("batch", 256, 512)
	for range 15 {
		out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "batch", Count: 10, LaunchType: sim.Fargate})
		if err != nil || len(out.Tasks) != 10 {
			t.Fatalf("RunTask: %v, %d tasks", err, len(out.Tasks))
		}
	}
	f.run(time.Minute)
	if got, want := zoneSpread(f.w.Tasks()), map[string]int{"us-east-1a": 50, "us-east-1b": 50, "us-east-1c": 50}; !mapsEqual(got, want) {
		t.Errorf("zones %v, want %v", got, want)
	}
	var started []time.Duration
	for _, tk := range f.w.Tasks() {
		started = append(started, tk.StartedAt().Sub(f.s.Start())-exactStartLatency)
	}
	slices.Sort(started)
	for i, got := range started {
		want := time.Duration(0)
		if i >= 100 {
			want = time.Duration(i-99) * 50 * time.Millisecond
		}
		if got != want {
			t.Fatalf("task %d got its launch token at %v, want %v", i, got, want)
		}
	}
}

// TestFargateVCPUQuota: with a 4 vCPU On-Demand quota, a service of six
// 1 vCPU tasks runs four, reports the quota event, and replaces a stopped
// task; RunTask reports the excess as failures.
func TestFargateVCPUQuota(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{Capacity: sim.CapacityConfig{OnDemandVCPUQuota: 4}})
	f.fargateDef("web", 1024, 2048)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6, LaunchType: sim.Fargate})
	f.run(2 * time.Minute)
	if got := svc.RunningCount(); got != 4 {
		t.Errorf("running %d, want 4 under a 4 vCPU quota", got)
	}
	if !slices.ContainsFunc(messages(svc), func(m string) bool { return strings.Contains(m, capacity.QuotaExceededReason) }) {
		t.Errorf("no quota event in %q", messages(svc))
	}
	if err := f.w.StopTask(svc.Tasks()[0], ""); err != nil {
		t.Fatal(err)
	}
	f.run(2 * time.Minute)
	if got, tasks := svc.RunningCount(), len(svc.Tasks()); got != 4 || tasks != 4 {
		t.Errorf("after a stop: running %d, tasks %d, want 4 and 4", got, tasks)
	}
	if got := svc.Counters().TasksStarted; got != 5 {
		t.Errorf("tasks started %d, want 5 (four, then one replacement)", got)
	}
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web", Count: 3, LaunchType: sim.Fargate})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 0 || len(out.Failures) != 3 || out.Failures[0].Detail != capacity.QuotaExceededReason {
		t.Errorf("RunTask at the quota: %d tasks, failures %+v", len(out.Tasks), out.Failures)
	}
}

// TestFargateDeterminism: the same seed gives the same trace.
func TestFargateDeterminism(t *testing.T) {
	hash := func(seed uint64) uint64 {
		f := newFixtureDefaults(t, seed, sim.WorldConfig{})
		f.fargateDef("web", 512, 1024)
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 30, LaunchType: sim.Fargate})
		f.run(5 * time.Minute)
		if err := svc.SetDesiredCount(7); err != nil {
			t.Fatal(err)
		}
		f.run(5 * time.Minute)
		return f.s.TraceHash()
	}
	if a, b := hash(7), hash(7); a != b {
		t.Errorf("same seed: trace %x and %x", a, b)
	}
	if a, b := hash(7), hash(8); a == b {
		t.Errorf("seeds 7 and 8 give the same trace %x", a)
	}
}

// TestFargateStoppedWhileWaitingForToken: with a bucket of 1 token
// refilled at 1 per second, three tasks get tokens at 0, 1 and 2 s. A task
// stopped while it waits stops at once (it has no ENI to detach), costs
// nothing, and leaves its token to the next task, which starts at 1 s.
func TestFargateStoppedWhileWaitingForToken(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{Capacity: sim.CapacityConfig{
		StartLatency: exactStart, LaunchBucket: capacity.LaunchBucketConfig{Burst: 1, RefillPerSecond: 1},
	}})
	f.fargateDef("job", 256, 512)
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "job", Count: 3, LaunchType: sim.Fargate})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.w.StopTask(out.Tasks[1], ""); err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	start := f.s.Start()
	if got := out.Tasks[1].StoppedAt(); !got.Equal(start) {
		t.Errorf("stopped waiting task reached STOPPED at %v, want at once", got.Sub(start))
	}
	for i, want := range map[int]time.Duration{0: exactStartLatency, 2: exactStartLatency + time.Second} {
		if got := out.Tasks[i].StartedAt().Sub(start); got != want {
			t.Errorf("task %d RUNNING at %v, want %v", i, got, want)
		}
	}
	// Two tasks billed the one-minute minimum (PENDING from 10 s and 11 s
	// to the end at 60 s) at 0.25 × 0.04048 + 0.5 × 0.004445 per hour.
	if got, want := f.w.Cost().Total, 2*(0.25*0.04048+0.5*0.004445)/60; math.Abs(got-want) > 1e-12 {
		t.Errorf("cost %v, want %v (the stopped task costs nothing)", got, want)
	}
}

// TestFargateServiceLaunchRate: a Fargate service launches at most 500
// tasks a minute (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html): asked for 1,000 at once it creates 500 at t = 0,
// then one every 120 ms; an EC2 service's bucket holds 250.
func TestFargateServiceLaunchRate(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.fargateDef("web", 256, 512)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1000, LaunchType: sim.Fargate})
	f.run(time.Millisecond)
	if got := len(svc.Tasks()); got != 500 {
		t.Errorf("tasks at t = 0: %d, want 500", got)
	}
	f.run(time.Second - time.Millisecond)
	if got := len(svc.Tasks()); got != 508 {
		t.Errorf("tasks at t = 1 s: %d, want 500 + floor(1 s / 120 ms) = 508", got)
	}
}

// TestFargateUpdateToIncompatibleDefinition: a Fargate service cannot be
// updated to a revision Fargate cannot run (bridge mode, no task size).
func TestFargateUpdateToIncompatibleDefinition(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.fargateDef("web", 256, 512)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 2, LaunchType: sim.Fargate})
	f.taskDef("bridge", 256, 512, sim.Behavior{})
	if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "bridge"}); !errors.Is(err, sim.ErrInvalidService) {
		t.Errorf("update to a bridge definition: %v, want ErrInvalidService", err)
	}
	f.fargateDef("web", 512, 1024)
	if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "web:2"}); err != nil {
		t.Fatal(err)
	}
	f.run(5 * time.Minute)
	if svc.RunningCount() != 2 || svc.Tasks()[0].TaskDefinition().String() != "web:2" || !svc.Steady() {
		t.Errorf("after the update: running %d, %v", svc.RunningCount(), svc)
	}
}
