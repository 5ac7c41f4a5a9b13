package sim_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

// stateTrace records the distinct states a task passes through, observed
// after every event of the simulation.
func stateTrace(f *fixture, until time.Duration, task func() *sim.Task) []string {
	var out []string
	end := f.s.Elapsed() + until
	for f.s.Elapsed() < end {
		ok, err := f.s.Step()
		if err != nil {
			f.t.Fatal(err)
		}
		if t := task(); t != nil {
			s := t.State().String()
			if len(out) == 0 || out[len(out)-1] != s {
				out = append(out, s)
			}
		}
		if !ok {
			break
		}
	}
	return out
}

func runOne(t *testing.T, f *fixture, family string) *sim.Task {
	t.Helper()
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: family})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 1 {
		t.Fatalf("RunTask placed %d tasks, failures %+v", len(out.Tasks), out.Failures)
	}
	return out.Tasks[0]
}

// TestTaskLifecycleBridge follows a bridge-mode task through its states
// with fixed latencies: PENDING 10 s the first time (pull 8 s + start 2 s),
// 2 s once the image is cached; SIGTERM to exit 1 s.
func TestTaskLifecycleBridge(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3[:1], 1)
	f.taskDef("batch", 256, 256, sim.Behavior{Shutdown: sim.Fixed(time.Second)})
	f.run(time.Minute)
	t0 := f.s.Now()
	first := runOne(t, f, "batch")
	if first.State() != sim.TaskPending {
		t.Fatalf("a bridge task starts in %v, want PENDING", first.State())
	}
	f.run(time.Minute)
	if got, want := first.StartedAt().Sub(t0), 10*time.Second; got != want {
		t.Errorf("first task RUNNING after %v, want %v", got, want)
	}
	t1 := f.s.Now()
	second := runOne(t, f, "batch")
	f.run(time.Minute)
	if got, want := second.StartedAt().Sub(t1), 2*time.Second; got != want {
		t.Errorf("second task (image cached) RUNNING after %v, want %v", got, want)
	}
	stopAt := f.s.Now()
	if err := f.w.StopTask(first, ""); err != nil {
		t.Fatal(err)
	}
	trace := stateTrace(f, time.Minute, func() *sim.Task { return first })
	if diff := cmp.Diff([]string{"STOPPING", "STOPPED"}, trace); diff != "" {
		t.Errorf("states after StopTask (-want +got):\n%s", diff)
	}
	if got := first.StoppedAt().Sub(stopAt); got != time.Second {
		t.Errorf("stopped %v after StopTask, want 1s (shutdown)", got)
	}
	if first.StopCode() != sim.StopUserInitiated || first.StoppedReason() != "Task stopped by user" {
		t.Errorf("stop code %q reason %q", first.StopCode(), first.StoppedReason())
	}
}

// TestTaskLifecycleAWSVPC checks the awsvpc states (PROVISIONING for the
// ENI, DEPROVISIONING to detach it) and that the task holds one ENI of its
// instance until STOPPED.
func TestTaskLifecycleAWSVPC(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	in := f.launch("m5.large", zones3[:1], 1)[0]
	_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "api", NetworkMode: sim.AWSVPC, CPU: 256, MemoryMiB: 512,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "api:1", PortMappings: []sim.PortMapping{{ContainerPort: 8080}}}},
		Behavior:   sim.Behavior{Shutdown: sim.Fixed(time.Second)},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	freeENI := func() int {
		st, err := f.c.Placement().State(in.PlacementID())
		if err != nil {
			t.Fatal(err)
		}
		return st.FreeENI
	}
	if got := freeENI(); got != 2 {
		t.Fatalf("an m5.large has %d free task ENIs, want 2 (3 ENIs minus the primary)", got)
	}
	var task *sim.Task
	var trace []string
	f.s.After(0, func() { task = runOne(t, f, "api") })
	trace = stateTrace(f, time.Minute, func() *sim.Task { return task })
	if diff := cmp.Diff([]string{"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"}, trace); diff != "" {
		t.Errorf("start states (-want +got):\n%s", diff)
	}
	if got := task.StartedAt().Sub(task.CreatedAt()); got != 15*time.Second {
		t.Errorf("RUNNING after %v, want 15s (ENI 5 s + pull 8 s + start 2 s)", got)
	}
	if got := freeENI(); got != 1 {
		t.Errorf("free ENIs while running %d, want 1", got)
	}
	_ = f.w.StopTask(task, "done")
	trace = stateTrace(f, time.Minute, func() *sim.Task { return task })
	if diff := cmp.Diff([]string{"STOPPING", "DEPROVISIONING", "STOPPED"}, trace); diff != "" {
		t.Errorf("stop states (-want +got):\n%s", diff)
	}
	if got := freeENI(); got != 2 {
		t.Errorf("free ENIs after STOPPED %d, want 2", got)
	}
	if task.StoppedReason() != "done" {
		t.Errorf("reason %q, want the one given to StopTask", task.StoppedReason())
	}
}

// TestStopTimeoutSendsSIGKILL: an application that ignores SIGTERM is
// killed after the stop timeout, 30 s by default or the container's own.
func TestStopTimeoutSendsSIGKILL(t *testing.T) {
	for _, tc := range []struct {
		stopTimeout, want time.Duration
	}{{0, 30 * time.Second}, {10 * time.Second, 10 * time.Second}, {90 * time.Second, 90 * time.Second}} {
		f := newFixture(t, 1, sim.WorldConfig{})
		f.launch("m5.large", zones3[:1], 1)
		_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
			Family:     "stubborn",
			Containers: []sim.ContainerDefinition{{Name: "app", Image: "x", MemoryMiB: 128, StopTimeout: tc.stopTimeout}},
			Behavior:   sim.Behavior{Shutdown: sim.Fixed(10 * time.Minute)},
		})
		if err != nil {
			t.Fatal(err)
		}
		f.run(time.Minute)
		task := runOne(t, f, "stubborn")
		f.run(time.Minute)
		at := f.s.Now()
		_ = f.w.StopTask(task, "")
		f.run(5 * time.Minute)
		if got := task.StoppedAt().Sub(at); got != tc.want {
			t.Errorf("stopTimeout %v: STOPPED %v after StopTask, want %v", tc.stopTimeout, got, tc.want)
		}
	}
}

// TestRunTaskRequests checks what RunTask rejects as a request and what it
// reports as placement failures.
func TestRunTaskRequests(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	in := f.launch("m5.large", zones3[:1], 1)[0]
	f.taskDef("small", 128, 256, sim.Behavior{})
	f.taskDef("huge", 256, 9000, sim.Behavior{})
	f.run(time.Minute)
	if _, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "small", Count: 11}); !errors.Is(err, sim.ErrInvalidRunTask) {
		t.Errorf("Count 11: err %v, want ErrInvalidRunTask", err)
	}
	if _, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "small", LaunchType: sim.External}); !errors.Is(err, sim.ErrNotSupported) {
		t.Errorf("EXTERNAL: err %v, want ErrNotSupported", err)
	}
	if _, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "small", LaunchType: sim.Fargate}); !errors.Is(err, sim.ErrInvalidRunTask) {
		t.Errorf("FARGATE with a bridge-mode definition: err %v, want ErrInvalidRunTask", err)
	}
	_, err := f.w.RunTask(sim.RunTaskInput{Cluster: "nope", TaskDefinition: "missing:3", Count: -1})
	if !errors.Is(err, sim.ErrNotFound) || !errors.Is(err, sim.ErrInvalidRunTask) || strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("three mistakes at once: err %v, want all three joined", err)
	}
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "huge", Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []sim.RunTaskFailure{
		{Arn: in.EC2InstanceID(), Reason: "RESOURCE:MEMORY"}, {Arn: in.EC2InstanceID(), Reason: "RESOURCE:MEMORY"},
	}
	if diff := cmp.Diff(want, out.Failures, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Detail" }, cmp.Ignore())); diff != "" || len(out.Tasks) != 0 {
		t.Errorf("huge task failures (-want +got):\n%s", diff)
	}
	out, err = f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "small", Count: 10, Group: "batch-1"})
	if err != nil || len(out.Tasks) != 10 {
		t.Fatalf("10 small tasks: %d placed, err %v", len(out.Tasks), err)
	}
	if g := out.Tasks[0].Group(); g != "batch-1" {
		t.Errorf("group %q, want batch-1", g)
	}
	if g := runOne(t, f, "small").Group(); g != "family:small" {
		t.Errorf("default group %q, want family:small", g)
	}
}

// TestEssentialContainerExitAndStartFailure checks the two ways a task
// stops by itself: its essential container exits (a batch job that
// finishes), or it never starts (an image that cannot be pulled).
func TestEssentialContainerExitAndStartFailure(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3[:1], 1)
	f.taskDef("job", 256, 256, sim.Behavior{RunFor: sim.Fixed(5 * time.Minute), Shutdown: sim.Fixed(0)})
	f.taskDef("broken", 256, 256, sim.Behavior{StartFailureProbability: 1})
	f.run(time.Minute)
	job := runOne(t, f, "job")
	broken := runOne(t, f, "broken")
	f.run(10 * time.Minute)
	if job.StopCode() != sim.StopEssentialContainerExited || job.StoppedReason() != "Essential container in task exited" {
		t.Errorf("job: %q %q", job.StopCode(), job.StoppedReason())
	}
	if got := job.StoppedAt().Sub(job.StartedAt()); got != 5*time.Minute {
		t.Errorf("job ran %v, want 5m", got)
	}
	if broken.StopCode() != sim.StopTaskFailedToStart || !broken.StartedAt().IsZero() || broken.State() != sim.TaskStopped {
		t.Errorf("broken: %q started %v state %v", broken.StopCode(), broken.StartedAt(), broken.State())
	}
	if want := "CannotPullContainerError: pull image manifest has been retried 5 time(s): broken:latest: not found"; broken.StoppedReason() != want {
		t.Errorf("broken reason %q, want %q", broken.StoppedReason(), want)
	}
}

// TestCrashRateMatchesPoisson runs tasks with a crash rate of 2 per
// task-hour under a service that replaces them, and checks the observed
// crashes per RUNNING task-hour against the rate (Poisson: the count over
// T task-hours has mean and variance 2T; allow 4 standard deviations).
func TestCrashRateMatchesPoisson(t *testing.T) {
	f := newFixture(t, 9, sim.WorldConfig{})
	f.launch("m5.xlarge", zones3, 3)
	f.taskDef("flaky", 128, 256, sim.Behavior{CrashesPerHour: 2, Shutdown: sim.Fixed(0)})
	f.run(time.Minute)
	f.service(sim.ServiceConfig{Name: "flaky", TaskDefinition: "flaky", DesiredCount: 20})
	f.run(24 * time.Hour)
	var crashes int
	var hours float64
	for _, tk := range f.w.Tasks() {
		if tk.StartedAt().IsZero() {
			continue
		}
		end := f.s.Now()
		if !tk.StoppedAt().IsZero() {
			end = tk.StoppedAt()
		}
		if tk.StopCode() == sim.StopEssentialContainerExited {
			crashes++
			end = tk.StoppedAt() // the container exited at the crash; shutdown is 0
		}
		hours += end.Sub(tk.StartedAt()).Hours()
	}
	mean := 2 * hours
	if dev := math.Abs(float64(crashes) - mean); dev > 4*math.Sqrt(mean) {
		t.Errorf("%d crashes in %.1f task-hours, want %.0f ± %.0f", crashes, hours, mean, 4*math.Sqrt(mean))
	}
}

// TestScriptedFailures fails an instance and crashes a task at given
// instants.
func TestScriptedFailures(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	ins := f.launch("m5.large", zones3[:2], 2)
	f.taskDef("app", 256, 256, sim.Behavior{Shutdown: sim.Fixed(0)})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 4})
	f.run(5 * time.Minute)
	victim := svc.Tasks()[0]
	at := f.s.Now().Add(10 * time.Minute)
	if err := f.w.ScheduleFailure(sim.ScriptedFailure{At: at, Instance: ins[0]}); err != nil {
		t.Fatal(err)
	}
	if err := f.w.ScheduleFailure(sim.ScriptedFailure{At: at.Add(-time.Minute), Task: victim}); err != nil {
		t.Fatal(err)
	}
	if err := f.w.ScheduleFailure(sim.ScriptedFailure{At: at}); !errors.Is(err, sim.ErrConfig) {
		t.Errorf("a failure of nothing: err %v, want ErrConfig", err)
	}
	var onFirst []*sim.Task
	f.s.At(at.Add(-time.Second), func() { onFirst = ins[0].Tasks() })
	f.run(20 * time.Minute)
	if victim.StopCode() != sim.StopEssentialContainerExited || !victim.StoppedAt().Equal(at.Add(-time.Minute)) {
		t.Errorf("crashed task: %q at %v", victim.StopCode(), victim.StoppedAt())
	}
	if len(onFirst) == 0 {
		t.Fatal("no task on the failing instance")
	}
	for _, tk := range onFirst {
		if tk.StopCode() != sim.StopTerminationNotice || !tk.StoppedAt().Equal(at) ||
			tk.StoppedReason() != "Host EC2 (instance "+ins[0].EC2InstanceID()+") terminated." {
			t.Errorf("task on failed instance: %q %q at %v", tk.StopCode(), tk.StoppedReason(), tk.StoppedAt())
		}
	}
	if ins[0].Status() != sim.InstanceInactive || svc.RunningCount() != 4 || len(ins[1].Tasks()) != 4 {
		t.Errorf("after the failure: instance %v, %v, %d tasks on the survivor", ins[0].Status(), svc, len(ins[1].Tasks()))
	}
}

// TestWorkedExampleL_HealthTiming checks the health timing constants of
// worked example L with fixed latencies (RUNNING 10 s after placement):
// an always-failing container with the default check (interval 30 s,
// retries 3) is UNHEALTHY 90 s after it starts, 60 s after its first
// check; with startPeriod 60 s the first counted failure is the check at
// 90 s, so 150 s; a passing check makes the task HEALTHY at the first
// check (30 s); the service replaces the unhealthy task, after the grace
// period when one is set.
func TestWorkedExampleL_HealthTiming(t *testing.T) {
	for _, tc := range []struct {
		name         string
		check        sim.HealthCheck
		unhealthy    bool
		grace        time.Duration
		wantDecision time.Duration // after RUNNING
		wantStop     time.Duration // after RUNNING; 0 = not stopped
	}{
		{"defaults failing", sim.HealthCheck{}, true, 0, 90 * time.Second, 90 * time.Second},
		{"start period 60s", sim.HealthCheck{StartPeriod: 60 * time.Second}, true, 0, 150 * time.Second, 150 * time.Second},
		{"5s x 2 failing", sim.HealthCheck{Interval: 5 * time.Second, Retries: 2}, true, 0, 10 * time.Second, 10 * time.Second},
		{"grace 300s", sim.HealthCheck{}, true, 300 * time.Second, 90 * time.Second, 300 * time.Second},
		{"passing", sim.HealthCheck{}, false, 0, 30 * time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 1, sim.WorldConfig{})
			f.launch("m5.large", zones3[:1], 1)
			hc := tc.check
			hc.Command = []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}
			_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
				Family:     "web",
				Containers: []sim.ContainerDefinition{{Name: "app", Image: "web:1", MemoryMiB: 256, HealthCheck: &hc}},
				Behavior:   sim.Behavior{UnhealthyAfterStart: tc.unhealthy, Shutdown: sim.Fixed(0)},
			})
			if err != nil {
				t.Fatal(err)
			}
			f.run(time.Minute)
			svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1, HealthCheckGracePeriod: tc.grace})
			var task *sim.Task
			var decidedAt time.Time
			for range 10000 {
				if _, err := f.s.Step(); err != nil {
					t.Fatal(err)
				}
				if task == nil && len(svc.Tasks()) > 0 {
					task = svc.Tasks()[0]
				}
				if task != nil && decidedAt.IsZero() && task.Health() != sim.HealthUnknown {
					decidedAt = f.s.Now()
				}
				if f.s.Elapsed() > 20*time.Minute {
					break
				}
			}
			if got := decidedAt.Sub(task.StartedAt()); got != tc.wantDecision {
				t.Errorf("health decided %v after RUNNING, want %v", got, tc.wantDecision)
			}
			wantHealth := sim.HealthHealthy
			if tc.unhealthy {
				wantHealth = sim.HealthUnhealthy
			}
			if task.Health() != wantHealth {
				t.Errorf("health %v, want %v", task.Health(), wantHealth)
			}
			if tc.wantStop == 0 {
				if task.DesiredStatus() != sim.TaskRunning {
					t.Errorf("healthy task was stopped: %q", task.StoppedReason())
				}
				return
			}
			if got := task.StoppedAt().Sub(task.StartedAt()); got != tc.wantStop {
				t.Errorf("stopped %v after RUNNING, want %v", got, tc.wantStop)
			}
			if task.StopCode() != sim.StopServiceSchedulerInitiated || task.StoppedReason() != "Task failed container health checks" {
				t.Errorf("stop %q %q", task.StopCode(), task.StoppedReason())
			}
			if svc.Counters().UnhealthyStopped == 0 || svc.Counters().TasksStarted < 2 {
				t.Errorf("unhealthy task not replaced: %+v", svc.Counters())
			}
		})
	}
}

// TestNoHealthCheckCountsHealthyAfter40s: without health checks or a load
// balancer a task counts as healthy 40 s after RUNNING, so a new service
// reaches a steady state then (worked example L).
func TestNoHealthCheckCountsHealthyAfter40s(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	f.taskDef("app", 256, 256, sim.Behavior{})
	f.run(time.Minute)
	start := f.s.Now()
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 3})
	f.run(5 * time.Minute)
	var steadyAt time.Time
	for _, e := range svc.Events() {
		if e.Message == "(service web) has reached a steady state." {
			steadyAt = e.At
		}
	}
	if got, want := steadyAt.Sub(start), 10*time.Second+sim.NoHealthCheckHealthyAt; got != want {
		t.Errorf("steady state %v after creation, want %v (RUNNING at 10 s, healthy 40 s later)", got, want)
	}
}

// TestServiceThrottle: tasks that keep failing to start space out launch
// attempts, up to 15 minutes apart, with the ECS event; a new task
// definition resets the back-off.
func TestServiceThrottle(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	f.taskDef("app", 256, 256, sim.Behavior{StartFailureProbability: 1})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 1})
	f.run(3 * time.Hour)
	var starts []time.Time
	var throttleEvents int
	for _, e := range svc.Events() {
		if strings.HasPrefix(e.Message, "(service web) has started") {
			starts = append(starts, e.At)
		}
		if e.Message == "(service web) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section." {
			throttleEvents++
		}
	}
	if throttleEvents != 1 {
		t.Errorf("%d throttle events, want 1", throttleEvents)
	}
	var maxGap time.Duration
	for i := 1; i < len(starts); i++ {
		gap := starts[i].Sub(starts[i-1])
		if i > 1 && gap < starts[i-1].Sub(starts[i-2]) {
			t.Errorf("gap %d (%v) shorter than the one before (%v)", i, gap, starts[i-1].Sub(starts[i-2]))
		}
		maxGap = max(maxGap, gap)
	}
	// A failed task spends 2 s in PENDING once the image is cached, so the
	// attempts are at most 15 min + 2 s apart, and at that ceiling after
	// three hours.
	if maxGap != sim.MaxThrottleDelay+2*time.Second {
		t.Errorf("largest gap between attempts %v, want 15m2s", maxGap)
	}
	f.taskDef("app", 256, 256, sim.Behavior{})
	_ = svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "app:2"})
	f.run(time.Minute)
	if svc.RunningCount() != 1 {
		t.Errorf("a new task definition did not reset the throttle: %v", svc)
	}
}

// TestDefaultLatencies checks the documented default distributions: agent
// registration uniform in [30 s, 60 s] (mean 45 s), PENDING for a fresh
// bridge task uniform pull [5, 20] plus start [1, 3] s.
func TestDefaultLatencies(t *testing.T) {
	f := newFixtureDefaults(t, 4, sim.WorldConfig{})
	f.launch("m5.large", zones3, 300)
	f.run(2 * time.Minute)
	var sum time.Duration
	for _, in := range f.c.Instances() {
		d := in.RegisteredAt().Sub(sim.DefaultStart)
		if d < 30*time.Second || d > 60*time.Second {
			t.Fatalf("registration after %v, outside [30s, 60s]", d)
		}
		sum += d
	}
	// Uniform on [30, 60]: sd 8.66 s, so the mean of 300 has sd 0.5 s.
	if mean := sum / 300; mean < 43*time.Second || mean > 47*time.Second {
		t.Errorf("mean registration delay %v, want 45s ± 2s", mean)
	}
	_ = placement.NoInstance
}

// TestServiceLaunchRate: a service launches at most 250 tasks at once and
// then 250 per minute (the EC2 quota, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html), so 600 tasks need two more
// minutes of refill after the first burst: 250 at once, 350 over 84 s.
func TestServiceLaunchRate(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.4xlarge", zones3, 40)
	f.taskDef("tiny", 0, 16, sim.Behavior{})
	f.run(time.Minute)
	start := f.s.Now()
	svc := f.service(sim.ServiceConfig{Name: "wide", TaskDefinition: "tiny", DesiredCount: 600})
	f.run(10 * time.Minute)
	var created []time.Duration
	for _, tk := range f.w.Tasks() {
		if tk.Service() == svc {
			created = append(created, tk.CreatedAt().Sub(start))
		}
	}
	if len(created) != 600 || svc.RunningCount() != 600 {
		t.Fatalf("%d tasks created, %v", len(created), svc)
	}
	atOnce := countIf(created, func(d time.Duration) bool { return d == 0 })
	last := created[len(created)-1]
	// 350 more at one per 240 ms: the last at 350 × 240 ms = 84 s.
	if atOnce != 250 || last != 84*time.Second {
		t.Errorf("%d launched at once (want 250), last at %v (want 1m24s)", atOnce, last)
	}
	// After the burst, any minute holds at most 250 launches.
	for i := range created {
		if created[i] == 0 {
			continue
		}
		n := countIf(created, func(d time.Duration) bool { return d >= created[i] && d < created[i]+time.Minute })
		if n > 250 {
			t.Fatalf("%d launches in the minute from %v", n, created[i])
		}
	}
}
