package sim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// throttleWorld is a world with one cluster "c" and a Fargate task
// definition "job", at 00:01:00 of the simulation.
func throttleWorld(t *testing.T, limits capacity.APIRateLimits) (*sim.Sim, *sim.World) {
	t.Helper()
	s, _ := sim.New(sim.Config{Seed: 1})
	w, err := sim.NewWorld(s, sim.WorldConfig{APIRateLimits: limits})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateCluster("c"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "job", CPU: 256, MemoryMiB: 512, NetworkMode: sim.AWSVPC,
		Containers: []sim.ContainerDefinition{{Name: "job", Image: "job:1"}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.RunFor(time.Minute); err != nil {
		t.Fatal(err)
	}
	return s, w
}

var oneJob = sim.RunTaskInput{Cluster: "c", TaskDefinition: "job", LaunchType: sim.Fargate}

// TestRunTaskRateLimitWorkedExample150Calls is the worked example of the
// RunTask rate limit, "20 calls per second (burst and sustained)"
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html):
// 150 RunTask calls at one instant → the first 20 are accepted, the other
// 130 throttled with ThrottlingException, each saying the bucket holds a
// token again after 1/20 s; then the bucket refills at 20 a second: one
// call 50 ms later, 20 calls a second later, never more.
func TestRunTaskRateLimitWorkedExample150Calls(t *testing.T) {
	s, w := throttleWorld(t, capacity.APIRateLimits{})
	accepted, throttled := 0, 0
	for i := range 150 {
		_, err := w.RunTask(oneJob)
		switch {
		case err == nil:
			accepted++
			if throttled > 0 {
				t.Fatalf("call %d accepted after a throttled one at the same instant", i)
			}
		case errors.Is(err, sim.ErrThrottled):
			throttled++
			after, ok := sim.RetryAfter(err)
			if !ok || after != 50*time.Millisecond {
				t.Fatalf("call %d: retry after %v (%v), want 50ms (1/20 s)", i, after, ok)
			}
		default:
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if accepted != 20 || throttled != 130 {
		t.Fatalf("accepted %d, throttled %d; want 20 and 130", accepted, throttled)
	}
	// Refill: 50 ms later exactly one token.
	_ = s.RunFor(50 * time.Millisecond)
	if _, err := w.RunTask(oneJob); err != nil {
		t.Fatalf("50 ms later: %v", err)
	}
	if _, err := w.RunTask(oneJob); !errors.Is(err, sim.ErrThrottled) {
		t.Fatalf("second call 50 ms later: %v, want throttled", err)
	}
	// A second later: 20 more, and the 21st throttled.
	_ = s.RunFor(time.Second)
	n := 0
	for {
		if _, err := w.RunTask(oneJob); err != nil {
			break
		}
		n++
	}
	if n != 20 {
		t.Fatalf("one second after emptying: %d calls accepted, want 20 (sustained rate)", n)
	}
	if got := len(w.Tasks()); got != 20+1+20 {
		t.Fatalf("%d tasks started, want 41 (throttled calls start none)", got)
	}
}

// TestAPIRateLimitsPerActionAndConfigurable: each action has its own
// bucket (emptying RunTask's leaves StopTask's full), the sizes are
// configurable, and Disabled accepts everything.
func TestAPIRateLimitsPerActionAndConfigurable(t *testing.T) {
	_, w := throttleWorld(t, capacity.APIRateLimits{RunTask: capacity.APIRateLimit{Burst: 5, RefillPerSecond: 1}})
	var tasks []*sim.Task
	for range 5 {
		out, err := w.RunTask(oneJob)
		if err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, out.Tasks...)
	}
	_, err := w.RunTask(oneJob)
	if after, ok := sim.RetryAfter(err); !ok || after != time.Second {
		t.Fatalf("6th call: %v, want throttled with retry after 1s", err)
	}
	for _, tk := range tasks {
		if err := w.StopTask(tk, ""); err != nil {
			t.Fatalf("StopTask with RunTask's bucket empty: %v", err)
		}
	}
	if got := w.APIAvailable(capacity.StopTask); got != capacity.DefaultStopTaskLimit.Burst-5 {
		t.Fatalf("StopTask tokens %d, want %d", got, capacity.DefaultStopTaskLimit.Burst-5)
	}

	_, off := throttleWorld(t, capacity.APIRateLimits{Disabled: true})
	for i := range 500 {
		if _, err := off.RunTask(oneJob); err != nil {
			t.Fatalf("disabled, call %d: %v", i, err)
		}
	}

	s, _ := sim.New(sim.Config{})
	_, err = sim.NewWorld(s, sim.WorldConfig{APIRateLimits: capacity.APIRateLimits{RunTask: capacity.APIRateLimit{Burst: -1}, UpdateService: capacity.APIRateLimit{RefillPerSecond: 2e9}}})
	if !errors.Is(err, sim.ErrConfig) {
		t.Fatalf("invalid limits: %v", err)
	}
	for _, want := range []string{"WorldConfig.APIRateLimits.RunTask.Burst", "WorldConfig.APIRateLimits.UpdateService.RefillPerSecond"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// TestServiceUpdatesThrottledAndSchedulerNot: UpdateService and
// CreateService spend their own buckets (50 burst by default), while the
// service scheduler's launches spend none of RunTask's: a service of 200
// tasks starts them all with RunTask's bucket untouched.
func TestServiceUpdatesThrottledAndSchedulerNot(t *testing.T) {
	s, w := throttleWorld(t, capacity.APIRateLimits{})
	c := w.Cluster("c")
	svc, err := c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "job", DesiredCount: 200, LaunchType: sim.Fargate})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.RunFor(10 * time.Minute)
	if got := svc.RunningCount(); got != 200 {
		t.Fatalf("running %d, want 200", got)
	}
	if got := w.APIAvailable(capacity.RunTask); got != capacity.DefaultRunTaskLimit.Burst {
		t.Fatalf("RunTask tokens %d after the scheduler's launches, want %d (untouched)", got, capacity.DefaultRunTaskLimit.Burst)
	}
	n := 200
	accepted := 0
	for range 60 {
		n--
		if err := svc.UpdateService(sim.ServiceUpdate{DesiredCount: &n}); err == nil {
			accepted++
		} else if !errors.Is(err, sim.ErrThrottled) {
			t.Fatal(err)
		}
	}
	if accepted != capacity.DefaultUpdateServiceLimit.Burst {
		t.Fatalf("%d UpdateService calls accepted at one instant, want the burst %d", accepted, capacity.DefaultUpdateServiceLimit.Burst)
	}
	if got := svc.DesiredCount(); got != 200-accepted {
		t.Fatalf("desired %d, want %d (throttled calls change nothing)", got, 200-accepted)
	}
}

// TestRetryBacksOffLikeTheSDK: a throttled call is retried after a
// uniform wait in [0, min(2^i s, MaxBackoff)) for attempt i, from the
// named stream (the same seed gives the same waits), up to MaxAttempts;
// an error other than throttling is not retried.
func TestRetryBacksOffLikeTheSDK(t *testing.T) {
	waits := func(seed uint64) []time.Duration {
		s, _ := sim.New(sim.Config{Seed: seed})
		w, _ := sim.NewWorld(s, sim.WorldConfig{})
		var at []time.Duration
		var last time.Duration
		var attemptsSeen int
		err := w.Retry(sim.RetryPolicy{MaxAttempts: 8, MaxBackoff: 5 * time.Second}, func() error {
			now := s.Elapsed()
			at = append(at, now-last)
			last = now
			return &sim.ThrottlingError{API: "RunTask", RetryAfter: time.Second}
		}, func(err error, attempts int) {
			if !errors.Is(err, sim.ErrThrottled) {
				t.Errorf("final error %v, want throttled", err)
			}
			attemptsSeen = attempts
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = s.RunFor(time.Hour)
		if attemptsSeen != 8 || len(at) != 8 {
			t.Fatalf("attempts %d, calls %d; want 8", attemptsSeen, len(at))
		}
		for i, d := range at[1:] {
			ceiling := min(time.Duration(1<<(i+1))*time.Second, 5*time.Second)
			if d < 0 || d >= ceiling {
				t.Errorf("wait before attempt %d = %v, want in [0, %v)", i+2, d, ceiling)
			}
		}
		return at
	}
	a, b, c := waits(3), waits(3), waits(4)
	if !equalDurations(a, b) {
		t.Fatalf("same seed, different waits: %v vs %v", a, b)
	}
	if equalDurations(a, c) {
		t.Fatalf("different seeds, same waits: %v", a)
	}

	s, _ := sim.New(sim.Config{Seed: 1})
	w, _ := sim.NewWorld(s, sim.WorldConfig{})
	calls := 0
	other := errors.New("invalid")
	_ = w.Retry(sim.RetryPolicy{}, func() error { calls++; return other }, func(err error, attempts int) {
		if err != other || attempts != 1 {
			t.Errorf("got %v after %d attempts, want the error after 1", err, attempts)
		}
	})
	_ = s.RunFor(time.Minute)
	if calls != 1 {
		t.Fatalf("a non-throttling error was retried: %d calls", calls)
	}
	if err := w.Retry(sim.RetryPolicy{MaxAttempts: -1, MaxBackoff: 2 * time.Hour}, nil, nil); !errors.Is(err, sim.ErrConfig) ||
		!strings.Contains(err.Error(), "MaxAttempts") || !strings.Contains(err.Error(), "MaxBackoff") || !strings.Contains(err.Error(), "Retry(call)") {
		t.Fatalf("invalid policy: %v", err)
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRetryDrains150ThrottledCalls: 150 RunTask calls at one instant,
// each retried as the SDK does with up to 10 attempts, all succeed, and
// no sooner than the bucket allows: the last is accepted at least
// (150 − 20) / 20 s = 6.5 s after the first.
func TestRetryDrains150ThrottledCalls(t *testing.T) {
	s, w := throttleWorld(t, capacity.APIRateLimits{})
	start := s.Elapsed()
	var lastOK time.Duration
	ok, failed := 0, 0
	for range 150 {
		_ = w.Retry(sim.RetryPolicy{MaxAttempts: 10}, func() error {
			_, err := w.RunTask(oneJob)
			return err
		}, func(err error, attempts int) {
			if err != nil {
				failed++
				return
			}
			ok++
			lastOK = s.Elapsed()
		})
	}
	_ = s.RunFor(10 * time.Minute)
	if ok != 150 || failed != 0 {
		t.Fatalf("%d succeeded, %d failed; want all 150", ok, failed)
	}
	if d := lastOK - start; d < 6500*time.Millisecond {
		t.Fatalf("last call accepted %v after the burst, sooner than the bucket's 6.5 s", d)
	}
}

// TestRefusedServiceCallsDrawNoDeploymentID is a regression test: a
// CreateService or UpdateService that is throttled, or refused as invalid,
// changes nothing, so it must not draw a deployment ID either (it once did,
// shifting every ID after it). Two worlds make the same accepted calls; one
// also makes refused ones in between; their deployments' IDs are the same.
func TestRefusedServiceCallsDrawNoDeploymentID(t *testing.T) {
	limits := capacity.APIRateLimits{
		CreateService: capacity.APIRateLimit{Burst: 1, RefillPerSecond: 1},
		UpdateService: capacity.APIRateLimit{Burst: 1, RefillPerSecond: 1},
	}
	ids := func(refused bool) []string {
		s, w := throttleWorld(t, limits)
		c := w.Cluster("c")
		cfg := sim.ServiceConfig{Name: "web", TaskDefinition: "job", DesiredCount: 2, LaunchType: sim.Fargate}
		svc, err := c.CreateService(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if refused {
			other := cfg
			other.Name = "api"
			if _, err := c.CreateService(other); !errors.Is(err, sim.ErrThrottled) {
				t.Fatalf("second CreateService in the same instant: %v, want throttled", err)
			}
		}
		if err := s.RunFor(time.Second); err != nil {
			t.Fatal(err)
		}
		if err := svc.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true}); err != nil {
			t.Fatal(err)
		}
		if refused {
			if err := svc.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true}); !errors.Is(err, sim.ErrThrottled) {
				t.Fatalf("second UpdateService in the same instant: %v, want throttled", err)
			}
			bad := -1
			if err := svc.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true, DesiredCount: &bad}); err == nil || errors.Is(err, sim.ErrThrottled) {
				t.Fatalf("UpdateService with DesiredCount -1: %v, want a validation error", err)
			}
		}
		if err := s.RunFor(time.Second); err != nil {
			t.Fatal(err)
		}
		if err := svc.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true}); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range svc.Deployments() {
			out = append(out, d.ID())
		}
		return out
	}
	plain, withRefused := ids(false), ids(true)
	if len(plain) == 0 || strings.Join(plain, ",") != strings.Join(withRefused, ",") {
		t.Fatalf("deployment IDs %v with refused calls in between, %v without", withRefused, plain)
	}
}
