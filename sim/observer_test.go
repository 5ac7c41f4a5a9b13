package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// drainingBalancer is a stand-in load balancer: it records the tasks it
// was told about and asks ECS to wait a deregistration delay before
// SIGTERM.
type drainingBalancer struct {
	delay      time.Duration
	registered map[*sim.Task]time.Time
	draining   map[*sim.Task]time.Time
}

func (b *drainingBalancer) TaskRunning(now time.Time, t *sim.Task) { b.registered[t] = now }

func (b *drainingBalancer) TaskDeactivating(now time.Time, t *sim.Task) time.Duration {
	b.draining[t] = now
	return b.delay
}

func (b *drainingBalancer) TargetGroupARN() string {
	return "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
}

var _ sim.TargetGroupObserver = (*drainingBalancer)(nil)

// TestTaskObserverDelaysSIGTERM: the observer hears of every task that
// reaches RUNNING, and a task that stops stays DEACTIVATING for the delay
// the observer asks (the target group's deregistration delay, 300 s by
// default, worked example L) before SIGTERM.
func TestTaskObserverDelaysSIGTERM(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	f.taskDef("web", 256, 512, sim.Behavior{Shutdown: sim.Fixed(time.Second)})
	f.run(time.Minute)
	lb := &drainingBalancer{delay: 300 * time.Second, registered: map[*sim.Task]time.Time{}, draining: map[*sim.Task]time.Time{}}
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 2, Observer: lb})
	f.run(5 * time.Minute)
	if len(lb.registered) != 2 {
		t.Fatalf("observer heard of %d running tasks, want 2", len(lb.registered))
	}
	for tk, at := range lb.registered {
		if !at.Equal(tk.StartedAt()) {
			t.Errorf("registered at %v, task RUNNING at %v", at, tk.StartedAt())
		}
	}
	victim := svc.Tasks()[0]
	stopAt := f.s.Now()
	_ = f.w.StopTask(victim, "")
	f.run(299 * time.Second)
	if victim.State() != sim.TaskDeactivating {
		t.Errorf("after 299 s the task is %v, want DEACTIVATING (draining)", victim.State())
	}
	f.run(10 * time.Second)
	if got := victim.StoppedAt().Sub(stopAt); got != 301*time.Second {
		t.Errorf("STOPPED %v after StopTask, want 301s (300 s drain + 1 s shutdown)", got)
	}
	if !lb.draining[victim].Equal(stopAt) {
		t.Errorf("observer told of draining at %v, want %v", lb.draining[victim], stopAt)
	}
	tg := "(target-group " + lb.TargetGroupARN() + ")"
	var reg, dereg, drain int
	for _, m := range messages(svc) {
		switch m {
		case "registered 1 targets in " + tg:
			reg++
		case "deregistered 1 targets in " + tg:
			dereg++
		case "has begun draining connections on 1 tasks.":
			drain++
		}
	}
	// Two tasks registered, one stopped, and its replacement registered.
	if reg != 3 || dereg != 1 || drain != 1 {
		t.Errorf("target events: %d registered, %d deregistered, %d draining; want 3, 1, 1:\n%s", reg, dereg, drain, strings.Join(messages(svc), "\n"))
	}
}

// TestSpotInterruption: a Spot notice drains the instance (services move
// their tasks) and two minutes later the tasks left stop with
// SpotInterruption.
func TestSpotInterruption(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	ins := f.launch("m5.large", zones3[:2], 2)
	f.taskDef("web", 256, 512, sim.Behavior{Shutdown: sim.Fixed(time.Second)})
	f.taskDef("batch", 256, 512, sim.Behavior{})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 2,
		DeploymentConfiguration: sim.DeploymentConfiguration{MinimumHealthyPercent: sim.Percent(50)}})
	f.run(5 * time.Minute)
	var batch *sim.Task
	for batch == nil || batch.Instance() != ins[0] {
		batch = runOne(t, f, "batch")
	}
	at := f.s.Now()
	if err := ins[0].InterruptSpot(); err != nil {
		t.Fatal(err)
	}
	f.run(10 * time.Minute)
	if batch.StopCode() != sim.StopSpotInterruption || !batch.StoppedAt().Equal(at.Add(sim.SpotInterruptionWarning)) {
		t.Errorf("standalone task on the Spot instance: %q at %v", batch.StopCode(), batch.StoppedAt().Sub(at))
	}
	if ins[0].Status() != sim.InstanceInactive || svc.RunningCount() != 2 || len(ins[1].Tasks()) < 2 {
		t.Errorf("after the interruption: %v, %v", ins[0].Status(), svc)
	}
}
