package sim_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
	"github.com/ecssim/ecssim/sim/storage"
	"github.com/ecssim/ecssim/sim/traffic"
)

const testFS = "fs-0123456789abcdef0"

// efsDef registers a Fargate task definition whose container mounts the
// EFS volume "data" of file system fsID at /data.
func (f *fixture) efsDef(family, fsID string, cpu, memMiB int) *sim.TaskDefinition {
	f.t.Helper()
	d, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: family, CPU: cpu, MemoryMiB: memMiB, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers: []sim.ContainerDefinition{{Name: "app", Image: family + ":latest",
			MountPoints: []sim.MountPoint{{SourceVolume: "data", ContainerPath: "/data"}}}},
		Volumes: []sim.Volume{{Name: "data", EFSVolumeConfiguration: &sim.EFSVolumeConfiguration{FileSystemID: fsID}}},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func (f *fixture) fileSystem(cfg sim.FileSystemConfig) *sim.FileSystem {
	f.t.Helper()
	fs, err := f.w.CreateFileSystem(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return fs
}

// stoppedTasks returns the world's STOPPED tasks of service name.
func stoppedTasks(w *sim.World, name string) []*sim.Task {
	var out []*sim.Task
	for _, tk := range w.Tasks() {
		if tk.State() == sim.TaskStopped && tk.Service() != nil && tk.Service().Name() == name {
			out = append(out, tk)
		}
	}
	return out
}

// TestFileSystemConfigValidation: every problem is reported at once, each
// naming its field, matching ErrInvalidFileSystem and ErrConfig.
func TestFileSystemConfigValidation(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	_, err := f.w.CreateFileSystem(sim.FileSystemConfig{
		ID: "fs-XYZ", ThroughputMode: "turbo", StoredGiB: -1, ProvisionedMiBps: 5,
		MountTargetZones: []string{}, ConnectionLimit: 30_000, ReadLatency: -time.Second, MountAttempts: -1,
		Bursting: storage.Bursting{CreditsTiB: math.Inf(1)},
	})
	if !errors.Is(err, sim.ErrInvalidFileSystem) || !errors.Is(err, sim.ErrConfig) {
		t.Fatalf("err = %v, want ErrInvalidFileSystem", err)
	}
	want := []string{"FileSystemConfig.ID", "FileSystemConfig.StoredGiB", "FileSystemConfig.ThroughputMode",
		"FileSystemConfig.MountTargetZones", "FileSystemConfig.Bursting", "FileSystemConfig.ConnectionLimit",
		"FileSystemConfig.ReadLatency", "FileSystemConfig.MountAttempts"}
	got := errorFields(err)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("no problem reported for %s; got %v", w, got)
		}
	}
	_, err = f.w.CreateFileSystem(sim.FileSystemConfig{ID: testFS, ThroughputMode: sim.Provisioned})
	if fs := errorFields(err); !slices.Equal(fs, []string{"FileSystemConfig.ProvisionedMiBps"}) {
		t.Errorf("provisioned mode without a rate: %v", err)
	}
	f.fileSystem(sim.FileSystemConfig{ID: testFS})
	if _, err := f.w.CreateFileSystem(sim.FileSystemConfig{ID: testFS}); !errors.Is(err, sim.ErrInvalidFileSystem) {
		t.Errorf("a second file system with one ID: %v", err)
	}
}

// TestEFSVolumeValidation holds RegisterTaskDefinition to ECS's rules for
// efsVolumeConfiguration and mount points
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specify-efs-config.html),
// all reported at once.
func TestEFSVolumeValidation(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "bad", CPU: 256, MemoryMiB: 512, NetworkMode: sim.AWSVPC,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "x",
			MountPoints: []sim.MountPoint{{SourceVolume: "nope", ContainerPath: "/data"}, {SourceVolume: "a"}}}},
		Volumes: []sim.Volume{
			{Name: "a", EFSVolumeConfiguration: &sim.EFSVolumeConfiguration{}},
			{Name: "b", EFSVolumeConfiguration: &sim.EFSVolumeConfiguration{FileSystemID: testFS, RootDirectory: "/srv",
				TransitEncryption: sim.EFSEnabled, AuthorizationConfig: &sim.EFSAuthorizationConfig{AccessPointID: "fsap-0123456789abcdef0"}}},
			{Name: "c", EFSVolumeConfiguration: &sim.EFSVolumeConfiguration{FileSystemID: testFS,
				AuthorizationConfig: &sim.EFSAuthorizationConfig{IAM: sim.EFSEnabled}}},
			{Name: "c"},
		},
	})
	if !errors.Is(err, sim.ErrInvalidTaskDefinition) {
		t.Fatalf("err = %v, want ErrInvalidTaskDefinition", err)
	}
	want := []string{
		"TaskDefinitionInput.Volumes[0].EFSVolumeConfiguration.FileSystemID",      // required
		"TaskDefinitionInput.Volumes[1].EFSVolumeConfiguration.RootDirectory",     // with an access point
		"TaskDefinitionInput.Volumes[2].EFSVolumeConfiguration.TransitEncryption", // IAM needs it
		"TaskDefinitionInput.Volumes[3].Name",                                     // duplicate
		"TaskDefinitionInput.Containers[0].MountPoints[0].SourceVolume",           // no such volume
		"TaskDefinitionInput.Containers[0].MountPoints[1].ContainerPath",          // required
	}
	if got := errorFields(err); !slices.Equal(got, want) {
		t.Errorf("fields\n got %v\nwant %v\n(%v)", got, want, err)
	}
	// An access point needs transit encryption too, and "/" is allowed
	// with it.
	_, err = f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "ap", CPU: 256, MemoryMiB: 512,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "x"}},
		Volumes: []sim.Volume{{Name: "a", EFSVolumeConfiguration: &sim.EFSVolumeConfiguration{FileSystemID: testFS, RootDirectory: "/",
			AuthorizationConfig: &sim.EFSAuthorizationConfig{AccessPointID: "fsap-0123456789abcdef0"}}}},
	})
	if got := errorFields(err); !slices.Equal(got, []string{"TaskDefinitionInput.Volumes[0].EFSVolumeConfiguration.TransitEncryption"}) {
		t.Errorf("access point without transit encryption: %v", err)
	}
}

// TestEFSPlatformVersion: Fargate needs platform version 1.4.0 or later
// for EFS volumes (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html).
func TestEFSPlatformVersion(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}})
	f.efsDef("web", testFS, 256, 512)
	f.fileSystem(sim.FileSystemConfig{ID: testFS})
	_, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web", LaunchType: sim.Fargate, PlatformVersion: "1.3.0"})
	if got := errorFields(err); !slices.Equal(got, []string{"RunTaskInput.PlatformVersion"}) || !errors.Is(err, sim.ErrInvalidRunTask) {
		t.Errorf("RunTask on 1.3.0: %v", err)
	}
	_, err = f.c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1, LaunchType: sim.Fargate, PlatformVersion: "1.3.0"})
	if got := errorFields(err); !slices.Equal(got, []string{"ServiceConfig.PlatformVersion"}) {
		t.Errorf("CreateService on 1.3.0: %v", err)
	}
	// A service on 1.3.0 cannot move to a task definition with EFS
	// volumes either.
	if _, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "plain", CPU: 256, MemoryMiB: 512, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate}, Containers: []sim.ContainerDefinition{{Name: "app", Image: "plain"}}}); err != nil {
		t.Fatal(err)
	}
	old := f.service(sim.ServiceConfig{Name: "old", TaskDefinition: "plain", DesiredCount: 1, LaunchType: sim.Fargate, PlatformVersion: "1.3.0"})
	if err := old.UpdateService(sim.ServiceUpdate{TaskDefinition: "web"}); !slices.Equal(errorFields(err), []string{"ServiceUpdate.TaskDefinition"}) {
		t.Errorf("UpdateService to EFS on 1.3.0: %v", err)
	}
	for _, pv := range []string{"", "LATEST", "1.4.0", "1.10.0"} {
		if _, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web", LaunchType: sim.Fargate, PlatformVersion: pv}); err != nil {
			t.Errorf("RunTask on %q: %v", pv, err)
		}
	}
	if _, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web", LaunchType: sim.Fargate, PlatformVersion: "one"}); err == nil {
		t.Error("RunTask took platform version \"one\"")
	}
}

// TestEFSNoMountTarget: a file system with mount targets in two of three
// zones. The service's tasks in the third zone stop before RUNNING with
// the mount helper's stopped reason, after the mount time; the others
// run, each holding one connection.
func TestEFSNoMountTarget(t *testing.T) {
	f := newFixture(t, 3, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}})
	f.efsDef("web", testFS, 256, 512)
	fs := f.fileSystem(sim.FileSystemConfig{ID: testFS, MountTargetZones: []string{"us-east-1a", "us-east-1b"}})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6, LaunchType: sim.Fargate})
	f.run(2 * time.Minute)
	stopped := stoppedTasks(f.w, "web")
	if len(stopped) == 0 {
		t.Fatal("no task stopped; the tasks in us-east-1c have no mount target")
	}
	want := sim.EFSNoMountTargetReason(testFS, "us-east-1")
	for _, tk := range stopped {
		if tk.Zone() != "us-east-1c" || tk.StopCode() != sim.StopTaskFailedToStart || tk.StoppedReason() != want || !tk.StartedAt().IsZero() {
			t.Errorf("stopped task in %s: %v %q (started %v)", tk.Zone(), tk.StopCode(), tk.StoppedReason(), tk.StartedAt())
		}
	}
	if !strings.Contains(want, `Failed to resolve "`+testFS+`.efs.us-east-1.amazonaws.com"`) {
		t.Errorf("reason %q does not name the file system's DNS name", want)
	}
	running := 0
	for _, tk := range svc.Tasks() {
		if tk.State() == sim.TaskRunning {
			running++
			if tk.Zone() == "us-east-1c" {
				t.Errorf("a task runs in us-east-1c, which has no mount target")
			}
		}
	}
	if running == 0 || fs.Connections() != len(svc.Tasks())-countIf(svc.Tasks(), func(tk *sim.Task) bool { return tk.Zone() == "us-east-1c" }) {
		t.Errorf("%d running, %d connections, %d live tasks", running, fs.Connections(), len(svc.Tasks()))
	}
	if svc.Counters().StartFailures != len(stopped) {
		t.Errorf("StartFailures %d, %d stopped", svc.Counters().StartFailures, len(stopped))
	}
}

// TestEFSConnectionLimit: a file system that takes two connections lets
// two tasks mount; the others time out after the mount helper's three
// 15-second attempts and stop; connections never pass the limit.
func TestEFSConnectionLimit(t *testing.T) {
	f := newFixture(t, 4, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}})
	f.efsDef("job", testFS, 256, 512)
	fs := f.fileSystem(sim.FileSystemConfig{ID: testFS, ConnectionLimit: 2})
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "job", LaunchType: sim.Fargate, Count: 4})
	if err != nil || len(out.Tasks) != 4 {
		t.Fatalf("RunTask: %v, %d tasks", err, len(out.Tasks))
	}
	f.run(2 * time.Minute)
	running, failed := 0, 0
	for _, tk := range out.Tasks {
		switch {
		case tk.State() == sim.TaskRunning:
			running++
		case tk.StoppedReason() == sim.EFSMountTimeoutReason:
			failed++
			// PENDING began after the 10 s ENI attachment; the mount
			// tried 3 × 15 s.
			if d := tk.StoppedAt().Sub(f.s.Start()); d < 55*time.Second {
				t.Errorf("a task whose mount timed out stopped after %v, before 10 s + 45 s", d)
			}
		}
	}
	if running != 2 || failed != 2 || fs.Connections() != 2 || fs.PeakConnections() != 2 {
		t.Errorf("%d running, %d failed, %d connections (peak %d); want 2, 2, 2, 2", running, failed, fs.Connections(), fs.PeakConnections())
	}
}

// efsWorld is a Fargate service of n tasks over three zones, mounting
// file system cfg, behind an ALB, with a workload whose requests do a
// little CPU work and then io on the file system.
type efsWorld struct {
	tb  testing.TB
	s   *sim.Sim
	w   *sim.World
	fs  *sim.FileSystem
	svc *sim.Service
	wl  *sim.Workload
	st  *metrics.Store
}

func (e *efsWorld) run(d time.Duration) {
	e.tb.Helper()
	if err := e.s.RunFor(d); err != nil {
		e.tb.Fatal(err)
	}
}

func newEFSWorld(tb testing.TB, seed uint64, n int, cfg sim.FileSystemConfig, wcfg sim.WorkloadConfig) *efsWorld {
	tb.Helper()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	s, err := sim.New(sim.Config{Seed: seed})
	must(err)
	w, err := sim.NewWorld(s, sim.WorldConfig{Latencies: fixedLatencies, Capacity: sim.CapacityConfig{StartLatency: exactStart}})
	must(err)
	c, err := w.CreateCluster("prod")
	must(err)
	st, err := metrics.NewStore(metrics.Config{})
	must(err)
	cfg.ID, cfg.Metrics = testFS, st
	fs, err := w.CreateFileSystem(cfg)
	must(err)
	_, err = w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "web", CPU: 1024, MemoryMiB: 2048, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "web:latest",
			MountPoints: []sim.MountPoint{{SourceVolume: "data", ContainerPath: "/data"}}}},
		Volumes: []sim.Volume{{Name: "data", EFSVolumeConfiguration: &sim.EFSVolumeConfiguration{FileSystemID: testFS}}},
	})
	must(err)
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{
		HealthCheck: loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2},
	}})
	must(err)
	svc, err := c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: n, LaunchType: sim.Fargate, Observer: lb})
	must(err)
	must(s.RunFor(2 * time.Minute))
	wcfg.LoadBalancer = lb
	if wcfg.Mode == sim.RequestLevel && wcfg.Demand == nil {
		wcfg.Demand = traffic.Exponential{Mean: time.Millisecond}
	}
	if wcfg.Mode == sim.FluidMode && wcfg.MeanWork == 0 {
		wcfg.MeanWork, wcfg.SCV = time.Millisecond, 1
	}
	if wcfg.Server == (traffic.ServerConfig{}) {
		wcfg.Server = traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited}
	}
	wl, err := w.NewWorkload(wcfg)
	must(err)
	return &efsWorld{tb: tb, s: s, w: w, fs: fs, svc: svc, wl: wl, st: st}
}

func conserved(c sim.WorkloadCounters) bool {
	return c.Arrived == c.Served+c.NoTarget+c.Rejected+c.TimedOut+c.Aborted+c.InFlight
}

// TestEFSZoneOutage is the AZ outage test. Six Fargate tasks over
// three zones mount one file system and serve reads from it. When
// us-east-1a goes out its mount target goes down with it: the tasks there
// stop, no task starts or mounts there until the zone returns, and the
// tasks in the two other zones keep serving through their own mount
// targets. No request is lost from the workload's conservation counters,
// and the connections follow the tasks.
func TestEFSZoneOutage(t *testing.T) {
	e := newEFSWorld(t, 5, 6, sim.FileSystemConfig{ThroughputMode: sim.Elastic, StoredGiB: 50}, sim.WorkloadConfig{
		Source: traffic.Constant{PerSecond: 50},
		IO:     &sim.RequestIO{Volume: "data", MeanReadBytes: 256 << 10},
	})
	f := e
	f.run(10 * time.Minute)
	before := e.wl.Counters()
	if got := tasksPerZone(e.svc); got["us-east-1a"] != 2 || e.fs.Connections() != 6 || before.Served == 0 {
		t.Fatalf("before the outage: %v, %d connections, %d served", got, e.fs.Connections(), before.Served)
	}
	var inZone []*sim.Task
	for _, tk := range e.svc.Tasks() {
		if tk.Zone() == "us-east-1a" {
			inZone = append(inZone, tk)
		}
	}
	start := f.s.Now()
	if err := f.w.ScheduleZoneOutage("us-east-1a", start, start.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if e.fs.MountTargetAvailable("us-east-1a") {
		t.Log("the outage starts at its first event")
	}
	f.run(time.Second)
	if e.fs.MountTargetAvailable("us-east-1a") || !e.fs.MountTargetAvailable("us-east-1b") {
		t.Errorf("mount targets during the outage: a %v, b %v; want a down, b up", e.fs.MountTargetAvailable("us-east-1a"), e.fs.MountTargetAvailable("us-east-1b"))
	}
	mid := e.wl.Counters()
	f.run(20 * time.Minute)
	during := e.wl.Counters()
	for _, tk := range inZone {
		if tk.State() != sim.TaskStopped {
			t.Errorf("task %s in the zone that went out is %v", tk.ID(), tk.State())
		}
	}
	for _, tk := range f.w.Tasks() {
		if tk.Zone() == "us-east-1a" && tk.CreatedAt().After(start) && tk.State() == sim.TaskRunning {
			t.Errorf("task %s started in us-east-1a during its outage", tk.ID())
		}
	}
	if got := tasksPerZone(e.svc); got["us-east-1a"] != 0 || e.svc.RunningCount() != 6 {
		t.Errorf("during the outage: %v, %d running; want 6 in the two other zones", got, e.svc.RunningCount())
	}
	if c := e.fs.Connections(); c != len(e.svc.Tasks()) {
		t.Errorf("%d connections for %d live tasks", c, len(e.svc.Tasks()))
	}
	servedDuring := during.Served - mid.Served
	if arrived := during.Arrived - mid.Arrived; float64(servedDuring) < 0.99*float64(arrived) {
		t.Errorf("during the outage %d of %d requests were served; the other zones should serve nearly all", servedDuring, arrived)
	}
	if mid.Aborted == before.Aborted {
		t.Log("no request was in flight on the tasks that died")
	}
	for _, c := range []sim.WorkloadCounters{before, mid, during, e.wl.Counters()} {
		if !conserved(c) {
			t.Errorf("counters not conserved: %+v", c)
		}
	}
	f.run(15 * time.Minute) // the zone is back
	if !e.fs.MountTargetAvailable("us-east-1a") || !conserved(e.wl.Counters()) {
		t.Errorf("after the outage: mount target %v, counters %+v", e.fs.MountTargetAvailable("us-east-1a"), e.wl.Counters())
	}
}

// mm1ps is the mean response time of an M/G/1 processor-sharing queue
// with mean size s (seconds at the full rate) and load rho: s/(1 − rho),
// whatever the size distribution (Kleinrock, Queueing Systems vol. 2,
// the chapter on time-shared systems).
func mm1ps(s, rho float64) float64 { return s / (1 - rho) }

// TestEFSProcessorSharingOracle holds the shared-throughput model to its
// queueing oracle. A Provisioned file system of 10 MiB/s is the
// bottleneck of a service of three tasks (each task's 500 MiB/s client
// cap does not bind); requests arrive as a Poisson process at 7 per
// second, each writing an exponential 1 MiB (metered at least 4 KiB) after
// 1 ms of CPU on a vCPU of its own. The file system is then an M/M/1-PS
// queue with ρ = 7 · E[metered] / 10 MiB/s ≈ 0.70, and the mean latency is
//
//	E[T] = E[CPU] + E[S]/(1 − ρ) + write latency (3 ms)
//
// with E[S] = E[metered] / 10 MiB/s, the CPU part a PS queue of its own at
// load ≈ 0.002 per task. The arrivals stop after 3 h and the queue drains,
// so the measured mean is over every request. Tolerance: 7 % on each of
// three seeds; at ρ = 0.7 over ≈ 75,000 requests the standard error of the
// mean is about 2.5 % (the sojourns are correlated over busy periods), so
// 7 % is under three standard errors.
func TestEFSProcessorSharingOracle(t *testing.T) {
	io := &sim.RequestIO{Volume: "data", MeanWriteBytes: storage.MiB}
	const lambda, permitted = 7.0, 10 * storage.MiB
	meanMetered := storage.MinMeteredBytes + storage.MiB*math.Exp(-storage.MinMeteredBytes/storage.MiB)
	es := meanMetered / permitted
	rho := lambda * es
	cpu := mm1ps(0.001, lambda/3*0.001)
	want := cpu + mm1ps(es, rho) + 0.003
	for _, seed := range []uint64{1, 2, 3} {
		e := newEFSWorld(t, seed, 3, sim.FileSystemConfig{ThroughputMode: sim.Provisioned, ProvisionedMiBps: 10}, sim.WorkloadConfig{
			Source: traffic.Constant{PerSecond: lambda},
			End:    2*time.Minute + 3*time.Hour,
			IO:     io,
		})
		e.run(3*time.Hour + 10*time.Minute)
		c := e.wl.Counters()
		if c.InFlight != 0 || c.Served != c.Arrived {
			t.Fatalf("seed %d: %+v; want every request served", seed, c)
		}
		got := c.SojournSeconds / float64(c.Served)
		if math.Abs(got-want)/want > 0.07 {
			t.Errorf("seed %d: mean latency %.4f s, M/M/1-PS oracle %.4f s (ρ = %.3f, %d requests)", seed, got, want, rho, c.Served)
		} else {
			t.Logf("seed %d: mean latency %.4f s, oracle %.4f s (ρ = %.3f, %d requests)", seed, got, want, rho, c.Served)
		}
		// Little's law over the run, which starts and ends empty.
		if math.Abs(c.InFlightSeconds-c.SojournSeconds) > 1e-6*c.SojournSeconds {
			t.Errorf("seed %d: in-flight integral %.3f, summed sojourns %.3f", seed, c.InFlightSeconds, c.SojournSeconds)
		}
	}
}

// TestEFSBurstCliff: a Bursting file system of 100 GiB (burst 100 MiB/s,
// baseline 100/1024 · 50 MiB/s) starting with 10 GiB of credits, loaded
// with 50 MiB/s of writes, bursts until its credits are spent, net of
// what accrues, then falls to its baseline: after about 240 s (within 5 %:
// the load is Poisson). Latency climbs once it has; credits stay within
// [0, max]; the AWS/EFS metrics say the same.
func TestEFSBurstCliff(t *testing.T) {
	e := newEFSWorld(t, 6, 2, sim.FileSystemConfig{ThroughputMode: sim.Bursting, StoredGiB: 100, StartCreditsTiB: 10.0 / 1024},
		sim.WorkloadConfig{
			Source:       traffic.Constant{PerSecond: 50},
			IO:           &sim.RequestIO{Volume: "data", MeanWriteBytes: storage.MiB},
			Server:       traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited, Timeout: 30 * time.Second},
			ReportPeriod: time.Minute,
		})
	b := storage.Bursting{}.WithDefaults()
	stored := 100 * storage.GiB
	if got := e.fs.PermittedThroughput(); got != b.Burst(stored) {
		t.Fatalf("permitted %v with credits, want the burst rate %v", got, b.Burst(stored))
	}
	// The credits grew for the two idle minutes before the workload began
	// and were spent at the offered load (it is below the burst rate): the
	// cliff comes after about (10 GiB + 120 s · accrual) / (50 MiB/s −
	// accrual).
	cliff := (10*storage.GiB + 120*b.Accrual(stored)) / (50*storage.MiB*(storage.MinMeteredBytes/storage.MiB+math.Exp(-storage.MinMeteredBytes/storage.MiB)) - b.Accrual(stored))
	var cliffAt time.Duration
	for range 300 {
		e.run(time.Second)
		bal := e.fs.CreditBalance()
		if bal < 0 || bal > e.fs.MaxCredits() {
			t.Fatalf("credit balance %v outside [0, %v]", bal, e.fs.MaxCredits())
		}
		if cliffAt == 0 && e.fs.PermittedThroughput() == b.Baseline(stored) {
			cliffAt = f2d(e.s.Now().Sub(e.s.Start()).Seconds() - 120)
		}
	}
	if cliffAt == 0 || math.Abs(cliffAt.Seconds()-cliff)/cliff > 0.05 {
		t.Fatalf("the file system fell to its baseline after %v, want ≈ %.0f s", cliffAt, cliff)
	}
	// Past the cliff the load is ten times the baseline: the backlog
	// grows, what is served waits longer and longer, and clients give up.
	e.run(2 * time.Minute)
	ps := e.wl.Periods()
	first, worst, timedOut := ps[0], time.Duration(0), int64(0)
	for _, p := range ps[len(ps)-2:] {
		worst = max(worst, p.P99)
		timedOut += p.Counters.TimedOut
	}
	if !(worst > 10*first.P99) || timedOut == 0 {
		t.Errorf("p99 %v in the first minute, at worst %v after the cliff (%d timed out); want far worse after", first.P99, worst, timedOut)
	}
	if !conserved(e.wl.Counters()) {
		t.Errorf("counters not conserved: %+v", e.wl.Counters())
	}
	at := e.s.Now()
	bal, ok := e.st.Statistic(metrics.FileSystemMetric(metrics.MetricBurstCreditBalance, testFS), metrics.Maximum, time.Minute, at)
	permitted, ok2 := e.st.Statistic(metrics.FileSystemMetric(metrics.MetricPermittedThroughput, testFS), metrics.Maximum, time.Minute, at)
	metered, ok3 := e.st.Statistic(metrics.FileSystemMetric(metrics.MetricMeteredIOBytes, testFS), metrics.Sum, time.Minute, at)
	conns, ok4 := e.st.Statistic(metrics.FileSystemMetric(metrics.MetricClientConnections, testFS), metrics.Maximum, time.Minute, at)
	if !ok || !ok2 || !ok3 || !ok4 || bal != 0 || permitted != b.Baseline(stored) || conns != 2 ||
		math.Abs(metered-60*b.Baseline(stored))/(60*b.Baseline(stored)) > 0.01 {
		t.Errorf("last minute's metrics: credits %v, permitted %v, metered %v, connections %v (%v %v %v %v)", bal, permitted, metered, conns, ok, ok2, ok3, ok4)
	}
	// An alarm on the credit balance, as a step scaling policy or an
	// operator would set it, fires once the credits are gone.
	alarm, err := metrics.NewAlarm(metrics.AlarmConfig{Name: "efs-credits", Metric: metrics.FileSystemMetric(metrics.MetricBurstCreditBalance, testFS),
		Statistic: metrics.Minimum, EvaluationPeriods: 2, Threshold: 1 << 30, Comparison: metrics.LessThanThreshold})
	if err != nil {
		t.Fatal(err)
	}
	if got := alarm.Evaluate(at, e.st); got != metrics.Alarm {
		t.Errorf("the credit alarm is %v after the cliff, want ALARM", got)
	}
}

func f2d(s float64) time.Duration { return time.Duration(s * 1e9) }

// TestEFSFluidMatchesRequestLevel: the fluid mode's file system (an
// M/G/1-PS mean per step) and the request-level one agree on the mean
// latency of a read-heavy load at ρ ≈ 0.5, within 8 %.
func TestEFSFluidMatchesRequestLevel(t *testing.T) {
	cfg := sim.FileSystemConfig{ThroughputMode: sim.Provisioned, ProvisionedMiBps: 20}
	io := &sim.RequestIO{Volume: "data", MeanReadBytes: 3 * storage.MiB} // 1 MiB metered
	mean := func(mode sim.WorkloadMode) float64 {
		e := newEFSWorld(t, 7, 3, cfg, sim.WorkloadConfig{Mode: mode, Source: traffic.Constant{PerSecond: 10}, IO: io})
		e.run(2 * time.Hour)
		var sum, n float64
		for _, p := range e.wl.Periods() {
			sum += p.Mean.Seconds() * float64(p.Counters.Served)
			n += float64(p.Counters.Served)
		}
		return sum / n
	}
	rl, fl := mean(sim.RequestLevel), mean(sim.FluidMode)
	if math.Abs(fl-rl)/rl > 0.08 {
		t.Errorf("mean latency: request-level %.4f s, fluid %.4f s", rl, fl)
	}
}

// TestEFSCost: a file system's storage is billed by the hour from its
// creation, Elastic throughput per GB moved, apart from the services.
func TestEFSCost(t *testing.T) {
	e := newEFSWorld(t, 8, 2, sim.FileSystemConfig{ThroughputMode: sim.Elastic, StoredGiB: 100}, sim.WorkloadConfig{
		Source: traffic.Constant{PerSecond: 10},
		IO:     &sim.RequestIO{Volume: "data", MeanReadBytes: storage.MiB},
	})
	e.run(58 * time.Minute) // one hour since creation
	r := e.w.Cost()
	p := capacity.USEast1Prices()
	storageCost := 100 * p.EFSStandardPerGBMonth / capacity.HoursPerMonth
	var fsCost float64
	for _, l := range r.ByFileSystem {
		if l.Key == testFS {
			fsCost = l.Cost
		}
	}
	readGB := e.fs.MeteredBytes() * 3 / storage.GiB // read-only: metered at a third
	elastic := readGB * p.EFSElasticReadPerGB
	if math.Abs(fsCost-storageCost-elastic) > 0.05*elastic+1e-9 || elastic <= 0 {
		t.Errorf("file system cost %v, want storage %v + Elastic reads ≈ %v", fsCost, storageCost, elastic)
	}
	svc := 0.0
	for _, l := range r.ByService {
		svc += l.Cost
	}
	if math.Abs(r.Total-svc-fsCost) > 1e-9 {
		t.Errorf("total %v ≠ services %v + file systems %v", r.Total, svc, fsCost)
	}
}

// TestEFSPerClientCap: one task on an Elastic file system whose client
// cap (PerClientMiBps 8) is far below what the file system permits: the
// task's requests share 8 MiB/s, so its latency is the M/M/1-PS oracle at
// 8 MiB/s, not at the file system's throughput (ρ = 5 · 1 MiB / 8 MiB/s
// = 0.625, within 7 % over two simulated hours).
func TestEFSPerClientCap(t *testing.T) {
	e := newEFSWorld(t, 9, 1, sim.FileSystemConfig{ThroughputMode: sim.Elastic, PerClientMiBps: 8}, sim.WorkloadConfig{
		Source: traffic.Constant{PerSecond: 5},
		End:    2*time.Minute + 2*time.Hour,
		IO:     &sim.RequestIO{Volume: "data", MeanWriteBytes: storage.MiB},
	})
	e.run(2*time.Hour + 5*time.Minute)
	c := e.wl.Counters()
	meanMetered := storage.MinMeteredBytes + storage.MiB*math.Exp(-storage.MinMeteredBytes/storage.MiB)
	es := meanMetered / (8 * storage.MiB)
	want := mm1ps(0.001, 5*0.001) + mm1ps(es, 5*es) + 0.003
	got := c.SojournSeconds / float64(c.Served)
	if c.Served != c.Arrived || math.Abs(got-want)/want > 0.07 {
		t.Errorf("mean latency %.4f s over %d of %d requests, M/M/1-PS at the 8 MiB/s cap %.4f s", got, c.Served, c.Arrived, want)
	}
}

// TestEFSOnEC2: on the EC2 launch type (bridge networking) a task mounts
// in PENDING too: on an instance in a zone with a mount target it runs and
// holds a connection; in a zone without one it stops with the mount
// helper's reason.
func TestEFSOnEC2(t *testing.T) {
	f := newFixture(t, 10, sim.WorldConfig{})
	fs := f.fileSystem(sim.FileSystemConfig{ID: testFS, MountTargetZones: []string{"us-east-1a"}})
	f.launch("m5.large", []string{"us-east-1a", "us-east-1b"}, 2)
	if _, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "job",
		Containers: []sim.ContainerDefinition{{Name: "a", Image: "job", CPU: 256, MemoryMiB: 256,
			MountPoints: []sim.MountPoint{{SourceVolume: "data", ContainerPath: "/data"}}}},
		Volumes: []sim.Volume{{Name: "data", EFSVolumeConfiguration: &sim.EFSVolumeConfiguration{FileSystemID: testFS}}},
	}); err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "job", Count: 4,
		PlacementStrategy: []placement.Strategy{{Type: placement.Spread, Field: "attribute:ecs.availability-zone"}}})
	if err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	for _, tk := range out.Tasks {
		switch tk.Zone() {
		case "us-east-1a":
			if tk.State() != sim.TaskRunning {
				t.Errorf("task in us-east-1a: %v %q", tk.State(), tk.StoppedReason())
			}
		default:
			if tk.State() != sim.TaskStopped || tk.StoppedReason() != sim.EFSNoMountTargetReason(testFS, "us-east-1") {
				t.Errorf("task in %s: %v %q", tk.Zone(), tk.State(), tk.StoppedReason())
			}
		}
	}
	if fs.Connections() != 2 {
		t.Errorf("%d connections, want the 2 tasks of us-east-1a", fs.Connections())
	}
}

// TestEFSDeterministic: the same seed gives the same trace hash with file
// systems, mounts and I/O, request-level and fluid.
func TestEFSDeterministic(t *testing.T) {
	for _, mode := range []sim.WorkloadMode{sim.RequestLevel, sim.FluidMode} {
		var hashes [2]uint64
		for i := range hashes {
			e := newEFSWorld(t, 11, 3, sim.FileSystemConfig{ThroughputMode: sim.Bursting, StoredGiB: 10, StartCreditsTiB: 0.001},
				sim.WorkloadConfig{Mode: mode, Source: traffic.Constant{PerSecond: 30}, IO: &sim.RequestIO{Volume: "data", MeanReadBytes: storage.MiB, MeanWriteBytes: 64 << 10},
					Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited, Timeout: 5 * time.Second}})
			e.run(20 * time.Minute)
			hashes[i] = e.s.TraceHash()
		}
		if hashes[0] != hashes[1] {
			t.Errorf("%v: trace hashes %x and %x", mode, hashes[0], hashes[1])
		}
	}
}
