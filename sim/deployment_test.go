package sim_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/sim"
)

// TestWorkedExampleF_DeploymentRounding checks the rounding rules of
// a rolling deployment: minimumHealthyPercent rounds up, maximumPercent
// rounds down (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html).
func TestWorkedExampleF_DeploymentRounding(t *testing.T) {
	for _, tc := range []struct {
		desired, minPct, maxPct int
		minHealthy, maxTasks    int // from the documentation's examples
	}{
		{desired: 4, minPct: 50, maxPct: 100, minHealthy: 2, maxTasks: 4},  // may stop 2 before starting
		{desired: 2, minPct: 75, maxPct: 100, minHealthy: 2, maxTasks: 2},  // 1.5 rounds up: may stop 0
		{desired: 4, minPct: 100, maxPct: 200, minHealthy: 4, maxTasks: 8}, // may start 4 before stopping
		{desired: 3, minPct: 100, maxPct: 125, minHealthy: 3, maxTasks: 3}, // 3.75 rounds down: may start 0
	} {
		if got := sim.MinimumHealthyTasks(tc.desired, tc.minPct); got != tc.minHealthy {
			t.Errorf("MinimumHealthyTasks(%d, %d) = %d, want %d", tc.desired, tc.minPct, got, tc.minHealthy)
		}
		if got := sim.MaximumTasks(tc.desired, tc.maxPct); got != tc.maxTasks {
			t.Errorf("MaximumTasks(%d, %d) = %d, want %d", tc.desired, tc.maxPct, got, tc.maxTasks)
		}
	}
}

// TestWorkedExampleF_FirstMoveOfADeployment runs each rounding example as a
// deployment on a roomy cluster and checks the scheduler's first move: how
// many old tasks it stops and new ones it starts before any new task is
// healthy, and the event ECS emits when the configuration allows neither.
func TestWorkedExampleF_FirstMoveOfADeployment(t *testing.T) {
	for _, tc := range []struct {
		desired, minPct, maxPct int
		wantStopped, wantNew    int
		wantStuckEvent          bool
	}{
		{desired: 4, minPct: 50, maxPct: 100, wantStopped: 2, wantNew: 0},
		{desired: 2, minPct: 75, maxPct: 100, wantStopped: 0, wantNew: 0, wantStuckEvent: true},
		{desired: 4, minPct: 100, maxPct: 200, wantStopped: 0, wantNew: 4},
		{desired: 3, minPct: 100, maxPct: 125, wantStopped: 0, wantNew: 0, wantStuckEvent: true},
	} {
		t.Run(fmt.Sprintf("desired%d_min%d_max%d", tc.desired, tc.minPct, tc.maxPct), func(t *testing.T) {
			f := newFixture(t, 1, sim.WorldConfig{})
			f.launch("m5.xlarge", zones3, 6)
			// Old tasks take 5 s to exit after SIGTERM, so the first second
			// shows the first move alone.
			f.taskDef("app", 256, 512, sim.Behavior{Shutdown: sim.Fixed(5 * time.Second)})
			f.run(time.Minute)
			svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: tc.desired,
				DeploymentConfiguration: sim.DeploymentConfiguration{MinimumHealthyPercent: sim.Percent(tc.minPct), MaximumPercent: sim.Percent(tc.maxPct)}})
			f.run(5 * time.Minute)
			if !svc.Steady() {
				t.Fatalf("service not steady before the deployment: %v", svc)
			}
			if err := svc.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true}); err != nil {
				t.Fatal(err)
			}
			// One second: long enough for the first reconcile, too short for
			// a new task to be RUNNING (PENDING alone takes 2 s here).
			f.run(time.Second)
			stopped := countIf(svc.Tasks(), func(t *sim.Task) bool { return t.DesiredStatus() == sim.TaskStopped })
			stopped += countIf(f.w.Tasks(), func(t *sim.Task) bool { return t.Service() == svc && t.State() == sim.TaskStopped })
			started := countIf(svc.Tasks(), func(t *sim.Task) bool { return t.StartedAt().IsZero() && t.DesiredStatus() == sim.TaskRunning })
			if stopped != tc.wantStopped || started != tc.wantNew {
				t.Errorf("first move: stopped %d old and started %d new, want %d and %d", stopped, started, tc.wantStopped, tc.wantNew)
			}
			stuck := false
			for _, m := range messages(svc) {
				if m == "was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again." {
					stuck = true
				}
			}
			if stuck != tc.wantStuckEvent {
				t.Errorf("deployment-configuration event present = %v, want %v; events:\n%s", stuck, tc.wantStuckEvent, strings.Join(messages(svc), "\n"))
			}
		})
	}
}

// batches summarises a service event log as the rolling-update walk-through
// of the ECS best-practices guide tells it: consecutive start (or stop)
// events after the deployment began merge into one batch.
func batches(events []string) []string {
	var out []string
	var lastVerb string
	var n int
	flush := func() {
		if lastVerb != "" {
			out = append(out, fmt.Sprintf("%s %d", lastVerb, n))
		}
	}
	for _, m := range events {
		var verb string
		var k int
		if _, err := fmt.Sscanf(m, "has started %d tasks:", &k); err == nil {
			verb = "start"
		} else if _, err := fmt.Sscanf(m, "has stopped %d running tasks:", &k); err == nil {
			verb = "stop"
		} else {
			continue
		}
		if verb == lastVerb {
			n += k
			continue
		}
		flush()
		lastVerb, n = verb, k
	}
	flush()
	return out
}

// TestWorkedExampleF_BestPracticesWalkthrough reproduces the rolling
// deployment walk-throughs of the ECS best-practices guide
// (https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/service-options.html): 6 tasks, room for 8.
//
//	min 100 / max 200: start 2, stop 2, start 2, stop 2, start 2, stop 2
//	min 50  / max 200: stop 3, start 5, stop 3, start 1
//
// The guide tells the batches without timing; here old tasks exit as soon
// as they are told to (no load balancer draining) so that the capacity they
// free is reused at once, as in the guide's narrative.
func TestWorkedExampleF_BestPracticesWalkthrough(t *testing.T) {
	for _, tc := range []struct {
		minPct int
		want   []string
	}{
		{100, []string{"start 2", "stop 2", "start 2", "stop 2", "start 2", "stop 2"}},
		{50, []string{"stop 3", "start 5", "stop 3", "start 1"}},
	} {
		t.Run(fmt.Sprintf("min%d", tc.minPct), func(t *testing.T) {
			f := newFixture(t, 3, sim.WorldConfig{})
			// An m5.large registers 7985 MiB: two 3000 MiB tasks each, so
			// four instances are room for exactly 8 tasks.
			f.launch("m5.large", zones3, 4)
			f.taskDef("app", 512, 3000, sim.Behavior{Shutdown: sim.Fixed(0)})
			f.run(time.Minute)
			svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 6,
				DeploymentConfiguration: sim.DeploymentConfiguration{MinimumHealthyPercent: sim.Percent(tc.minPct), MaximumPercent: sim.Percent(200)}})
			f.run(5 * time.Minute)
			if !svc.Steady() || svc.RunningCount() != 6 {
				t.Fatalf("before the deployment: %v, steady %v", svc, svc.Steady())
			}
			before := len(svc.Events())
			f.taskDef("app", 512, 3000, sim.Behavior{Shutdown: sim.Fixed(0)}) // revision 2
			if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "app:2"}); err != nil {
				t.Fatal(err)
			}
			f.run(30 * time.Minute)
			got := batches(messages(svc)[before:])
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("batches (-want +got):\n%s\nevents:\n%s", diff, strings.Join(messages(svc)[before:], "\n"))
			}
			if d := svc.Deployments(); len(d) != 1 || d[0].RolloutState() != sim.RolloutCompleted || d[0].TaskDefinition().Revision() != 2 {
				t.Errorf("deployment did not complete on revision 2: %v", d)
			}
		})
	}
}

// TestRollingUpdateNeverDropsBelowMinimumHealthy watches every event of a
// deployment with enough capacity and checks the healthy RUNNING tasks
// never fall below ceil(desired × min / 100) and the tasks not STOPPED
// never exceed floor(desired × max / 100).
func TestRollingUpdateNeverDropsBelowMinimumHealthy(t *testing.T) {
	for _, pct := range [][2]int{{100, 200}, {50, 200}, {50, 100}, {0, 100}, {75, 150}} {
		t.Run(fmt.Sprintf("min%d_max%d", pct[0], pct[1]), func(t *testing.T) {
			f := newFixtureDefaults(t, 5, sim.WorldConfig{}) // default random latencies
			f.launch("m5.xlarge", zones3, 9)
			f.taskDef("app", 256, 512, sim.Behavior{})
			f.run(2 * time.Minute)
			svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 10,
				DeploymentConfiguration: sim.DeploymentConfiguration{MinimumHealthyPercent: sim.Percent(pct[0]), MaximumPercent: sim.Percent(pct[1])}})
			f.run(5 * time.Minute)
			f.taskDef("app", 256, 512, sim.Behavior{})
			if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "app:2"}); err != nil {
				t.Fatal(err)
			}
			minHealthy, maxTasks := sim.MinimumHealthyTasks(10, pct[0]), sim.MaximumTasks(10, pct[1])
			end := f.s.Now().Add(20 * time.Minute)
			for f.s.Now().Before(end) {
				if ok, err := f.s.Step(); err != nil || !ok {
					break
				}
				healthy := countIf(svc.Tasks(), func(t *sim.Task) bool {
					return t.State() == sim.TaskRunning && t.DesiredStatus() == sim.TaskRunning && !t.StartedAt().IsZero() &&
						f.s.Now().Sub(t.StartedAt()) >= sim.NoHealthCheckHealthyAt
				})
				if healthy < minHealthy {
					t.Fatalf("at %v: %d healthy tasks, minimum %d", f.s.Elapsed(), healthy, minHealthy)
				}
				if n := len(svc.Tasks()); n > maxTasks {
					t.Fatalf("at %v: %d tasks not STOPPED, maximum %d", f.s.Elapsed(), n, maxTasks)
				}
			}
			if svc.DeploymentInProgress() || svc.RunningCount() != 10 {
				t.Errorf("deployment did not finish in 20 minutes: %v", svc)
			}
		})
	}
}

// TestWorkedExampleG_CircuitBreakerThreshold checks the threshold formula
// against worked example G, both the 2023 rule (minimum 10) and the
// current one (minimum 3).
func TestWorkedExampleG_CircuitBreakerThreshold(t *testing.T) {
	for _, tc := range []struct{ desired, min, want int }{
		{1, 10, 10}, {25, 10, 13}, {400, 10, 200}, {800, 10, 200},
		{1, 3, 3}, {4, 3, 3}, {10, 3, 5}, {25, 3, 13}, {400, 3, 200},
	} {
		if got := sim.CircuitBreakerThreshold(tc.desired, tc.min); got != tc.want {
			t.Errorf("CircuitBreakerThreshold(%d, min %d) = %d, want %d", tc.desired, tc.min, got, tc.want)
		}
	}
}

// TestWorkedExampleG_TripsOnThe13thFailure deploys a revision whose tasks
// never start to a service of 25: the deployment goes FAILED on the 13th
// failed task, not before, and launches no task after that.
func TestWorkedExampleG_TripsOnThe13thFailure(t *testing.T) {
	f := newFixture(t, 11, sim.WorldConfig{})
	f.launch("m5.2xlarge", zones3, 9)
	f.taskDef("app", 256, 512, sim.Behavior{})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 25,
		DeploymentConfiguration: sim.DeploymentConfiguration{CircuitBreaker: sim.CircuitBreaker{Enable: true}}})
	f.run(5 * time.Minute)
	f.taskDef("app", 256, 512, sim.Behavior{StartFailureProbability: 1})
	if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "app:2"}); err != nil {
		t.Fatal(err)
	}
	bad := svc.Deployments()[0]
	failedAtTrip := -1
	for range 200000 {
		if ok, err := f.s.Step(); err != nil || !ok {
			break
		}
		if bad.RolloutState() == sim.RolloutFailed && failedAtTrip < 0 {
			failedAtTrip = countIf(f.w.Tasks(), func(t *sim.Task) bool {
				return t.TaskDefinition().Revision() == 2 && t.StopCode() == sim.StopTaskFailedToStart && t.State() == sim.TaskStopped
			})
		}
		if f.s.Elapsed() > 3*time.Hour {
			break
		}
	}
	if failedAtTrip != 13 || bad.FailedTasks() != 13 {
		t.Fatalf("deployment FAILED with %d stopped tasks and FailedTasks %d, want 13 and 13", failedAtTrip, bad.FailedTasks())
	}
	launchedAfter := countIf(svc.Tasks(), func(t *sim.Task) bool { return t.TaskDefinition().Revision() == 2 })
	if launchedAfter != 0 {
		t.Errorf("%d revision-2 tasks alive after the deployment failed, want 0", launchedAfter)
	}
	if svc.RunningCount() != 25 {
		t.Errorf("without rollback the old tasks keep serving: %d running, want 25", svc.RunningCount())
	}
}

// TestCircuitBreakerRollsBackABadTaskDefinition is the end-to-end story: a
// healthy service, a deployment of an image that cannot be pulled, the
// breaker trips after 3 failures (desired 4 → max(ceil(2), 3)), ECS rolls
// back to the last completed revision and the service is steady again on it.
func TestCircuitBreakerRollsBackABadTaskDefinition(t *testing.T) {
	f := newFixture(t, 2, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	f.taskDef("web", 512, 1024, sim.Behavior{})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 4,
		DeploymentConfiguration: sim.DeploymentConfiguration{CircuitBreaker: sim.CircuitBreaker{Enable: true, Rollback: true}}})
	f.run(5 * time.Minute)
	good := svc.Deployments()[0]
	f.taskDef("web", 512, 1024, sim.Behavior{StartFailureProbability: 1})
	if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "web:2"}); err != nil {
		t.Fatal(err)
	}
	bad := svc.Deployments()[0]
	f.run(time.Hour)
	if bad.RolloutState() != sim.RolloutFailed || bad.FailedTasks() != 3 {
		t.Errorf("bad deployment: %s with %d failures, want FAILED with 3", bad.RolloutState(), bad.FailedTasks())
	}
	d := svc.Deployments()
	if len(d) != 1 || d[0].TaskDefinition() != good.TaskDefinition() || d[0].RolloutState() != sim.RolloutCompleted {
		t.Fatalf("after rollback: %d deployments, primary %v %s; want one COMPLETED on web:1", len(d), d[0].TaskDefinition(), d[0].RolloutState())
	}
	if svc.RunningCount() != 4 || !svc.Steady() {
		t.Errorf("after rollback: %v, steady %v", svc, svc.Steady())
	}
	c := svc.Counters()
	if c.Rollbacks != 1 || c.DeploymentsFailed != 1 || c.StartFailures < 3 {
		t.Errorf("counters %+v: want 1 rollback, 1 failed deployment, at least 3 start failures", c)
	}
	var sawFailed, sawRollback bool
	for _, m := range messages(svc) {
		sawFailed = sawFailed || m == "(deployment "+bad.ID()+") deployment failed: tasks failed to start."
		sawRollback = sawRollback || strings.Contains(m, "rolling back to deployment "+good.ID())
	}
	if !sawFailed || !sawRollback {
		t.Errorf("events lack the failure (%v) or the rollback (%v):\n%s", sawFailed, sawRollback, strings.Join(messages(svc), "\n"))
	}
	for _, tk := range f.w.Tasks() {
		if tk.TaskDefinition().Revision() == 2 && tk.StopCode() == sim.StopTaskFailedToStart &&
			!strings.HasPrefix(tk.StoppedReason(), "CannotPullContainerError: ") {
			t.Errorf("failed task reason %q, want a CannotPullContainerError", tk.StoppedReason())
		}
	}
}

// TestCircuitBreakerCountsFailedHealthChecks is stage 2 of the breaker
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html):
// tasks that reach RUNNING and then fail their container health
// checks count toward the threshold too, and since they did reach RUNNING
// they do not trigger the launch throttle, which counts tasks that fail to
// start (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-throttle-logic.html).
func TestCircuitBreakerCountsFailedHealthChecks(t *testing.T) {
	f := newFixture(t, 3, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	reg := func(unhealthy bool) {
		_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "web",
			Containers: []sim.ContainerDefinition{{Name: "app", Image: "web", CPU: 256, MemoryMiB: 512,
				HealthCheck: &sim.HealthCheck{Command: []string{"CMD", "check"}, Interval: 5 * time.Second, Retries: 2}}},
			Behavior: sim.Behavior{UnhealthyAfterStart: unhealthy, Shutdown: sim.Fixed(0)}})
		if err != nil {
			t.Fatal(err)
		}
	}
	reg(false)
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6,
		DeploymentConfiguration: sim.DeploymentConfiguration{CircuitBreaker: sim.CircuitBreaker{Enable: true, Rollback: true}}})
	f.run(5 * time.Minute)
	reg(true)
	if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "web:2"}); err != nil {
		t.Fatal(err)
	}
	bad := svc.Deployments()[0]
	f.run(time.Hour)
	if bad.RolloutState() != sim.RolloutFailed || bad.FailedTasks() != sim.CircuitBreakerThreshold(6, 3) {
		t.Errorf("deployment %s with %d failures, want FAILED at %d", bad.RolloutState(), bad.FailedTasks(), sim.CircuitBreakerThreshold(6, 3))
	}
	c := svc.Counters()
	if c.UnhealthyStopped < 3 || c.StartFailures != 0 || c.ThrottledAttempts != 0 || c.Rollbacks != 1 {
		t.Errorf("counters %+v: want ≥3 unhealthy stops, no start failures, no throttling, 1 rollback", c)
	}
	if d := svc.Deployments(); len(d) != 1 || d[0].TaskDefinition().Revision() != 1 || svc.RunningCount() != 6 {
		t.Errorf("after rollback: %v on %v", svc, d[0].TaskDefinition())
	}
}
