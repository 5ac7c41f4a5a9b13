package sim_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
	"github.com/ecssim/ecssim/sim/traffic"
)

// The in-flight rule, request by request. One task of a load-balanced
// service gets one request a second, at a quarter past each second, and
// every request holds one of 1,000 FCFS slots of a one-vCPU task for
// exactly hold (work hold/1000: a slot runs at a thousandth of the CPU),
// so nothing ever waits. At any instant x the requests in flight on a task
// that gets every request are those that arrived in (x − hold, x): the
// tests count them by hand from the arrival instants and compare with
// what the world reports. Tasks are stopped or killed at three quarters
// past a second, when no request arrives or ends.

// metronome is one arrival a second, at 0.25 s past each whole second.
type metronome struct{ next time.Duration }

func (m *metronome) Next(now time.Duration, _ *rand.Rand) (traffic.Arrival, bool) {
	for m.next < now {
		m.next += time.Second
	}
	a := traffic.Arrival{At: m.next, Size: 1}
	m.next += time.Second
	return a, true
}

// arrivals counts the metronome's arrival instants a with from < a < to,
// and at or after first (when the task began to get requests).
func arrivals(first, from, to time.Duration) int {
	n := 0
	for a := 250 * time.Millisecond; a < to; a += time.Second {
		if a > from && a >= first {
			n++
		}
	}
	return n
}

// deathCase is one way a task stops, and what the rule says of its
// requests in flight.
type deathCase struct {
	name    string
	fargate bool
	hold    time.Duration // each request's time in the task; 0 means 5 s
	dereg   time.Duration // deregistration delay; 0 means 30 s
	exit    sim.Dist      // Behavior.RunFor
	crashes float64       // Behavior.CrashesPerHour
	spot    bool          // FARGATE_SPOT, warned at the act instant
	oneZone bool          // the Fargate cluster uses us-east-1a only
	nlb     bool          // a Network Load Balancer: a lost request is a reset connection
	// act does the deed at the act instant (600.75 s); quiet is how long
	// after it the task stops getting requests, death how long after it
	// its containers stop.
	act          func(f *fixture, victim *sim.Task)
	quiet, death time.Duration
	// drains: the task is asked to stop and finishes what it has in
	// flight; nothing is aborted.
	drains bool
}

// actAt is the instant of every deed, 600.75 s after the start.
const actAt = 600*time.Second + 750*time.Millisecond

// TestInFlightRuleByCause: a task asked to stop drains; a task that dies
// (its essential container exits, SIGKILL at the stop timeout, its instance
// or Availability Zone is lost, its Spot capacity is reclaimed) loses what
// it has in flight at that instant, all of it counted Aborted at once, and
// serves nothing more: every request after it left routing went to the
// load balancer's no-target answer until a replacement registered.
func TestInFlightRuleByCause(t *testing.T) {
	at := func(f *fixture) time.Time { return f.s.Start().Add(actAt) }
	exitAt := func(running time.Duration) sim.Dist { return sim.Fixed(actAt - running) }
	scripted := func(f *fixture, v *sim.Task) {
		if err := f.w.ScheduleFailure(sim.ScriptedFailure{At: at(f), Task: v}); err != nil {
			f.t.Fatal(err)
		}
	}
	stop := func(f *fixture, v *sim.Task) {
		if err := f.w.StopTask(v, ""); err != nil {
			f.t.Fatal(err)
		}
	}
	zoneOut := func(f *fixture, _ *sim.Task) {
		if err := f.w.ScheduleZoneOutage("us-east-1a", at(f), at(f).Add(time.Hour)); err != nil {
			f.t.Fatal(err)
		}
	}
	nothing := func(*fixture, *sim.Task) {}
	const stopTimeout = 2 * time.Second
	for _, tc := range []deathCase{
		// An essential container exits by itself: at once, drained or not.
		{name: "EC2 RunFor", exit: exitAt(40 * time.Second), act: nothing},
		{name: "Fargate RunFor", fargate: true, exit: exitAt(22 * time.Second), act: nothing},
		{name: "EC2 ScheduleFailure", act: scripted},
		{name: "Fargate ScheduleFailure", fargate: true, act: scripted},
		// StopTask drains and sends SIGTERM; SIGKILL at the stop timeout
		// aborts what is left.
		{name: "EC2 SIGKILL", dereg: loadbalancer.NoDeregistrationDelay, act: stop, death: stopTimeout},
		{name: "Fargate SIGKILL", fargate: true, dereg: loadbalancer.NoDeregistrationDelay, act: stop, death: stopTimeout},
		// The host goes.
		{name: "EC2 Instance.Fail", act: func(f *fixture, v *sim.Task) { must(f.t, v.Instance().Fail()) }},
		{name: "EC2 Deregister force", act: func(f *fixture, v *sim.Task) { must(f.t, v.Instance().Deregister(true)) }},
		{name: "EC2 Spot reclaim", act: func(f *fixture, v *sim.Task) { must(f.t, v.Instance().InterruptSpot()) },
			quiet: sim.SpotInterruptionWarning, death: sim.SpotInterruptionWarning},
		{name: "Fargate Spot reclaim", fargate: true, spot: true, hold: 200 * time.Second, dereg: 150 * time.Second,
			act: nothing, death: sim.SpotInterruptionWarning},
		{name: "EC2 zone outage", act: zoneOut},
		// Asked to stop, a task drains (30 s deregistration delay, far
		// more than the 5 s its requests take) and loses nothing.
		{name: "EC2 StopTask drains", act: stop, drains: true},
		{name: "Fargate StopTask drains", fargate: true, act: stop, drains: true},
		{name: "Fargate Spot warning drains", fargate: true, spot: true, act: nothing, drains: true},
		{name: "Fargate zone outage", fargate: true, oneZone: true, act: zoneOut},
		// Behind an NLB the lost requests are reset connections, counted
		// the same way.
		{name: "EC2 RunFor NLB", nlb: true, exit: exitAt(40 * time.Second), act: nothing},
		{name: "Fargate zone outage NLB", nlb: true, fargate: true, oneZone: true, act: zoneOut},
	} {
		t.Run(tc.name, func(t *testing.T) { checkDeath(t, tc) })
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// deathWorld is one task of "web" behind an ALB with its metronome load:
// on one m5.large in us-east-1a (RUNNING at 40 s), or on Fargate (RUNNING
// at 22 s).
func deathWorld(t *testing.T, tc deathCase) (*fixture, *sim.LoadBalancer, *sim.Workload, *sim.Service) {
	cfg := sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}}
	if tc.spot {
		cfg.Capacity.FargateSpotInterruptions = capacity.InterruptionProcess{Schedule: []time.Duration{actAt}}
	}
	f := newFixture(t, 1, cfg)
	def := sim.TaskDefinitionInput{
		Family: "web", CPU: 1024, MemoryMiB: 1024,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "web:1", MemoryMiB: 1024, StopTimeout: 2 * time.Second}},
		Behavior:   sim.Behavior{RunFor: tc.exit, CrashesPerHour: tc.crashes, Shutdown: sim.Fixed(time.Second)},
	}
	svc := sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1}
	if tc.fargate {
		def.MemoryMiB, def.NetworkMode, def.RequiresCompatibilities = 2048, sim.AWSVPC, []sim.LaunchType{sim.Fargate}
		def.Containers[0].MemoryMiB = 0
		svc.LaunchType = sim.Fargate
		if tc.spot {
			must(t, f.c.PutCapacityProviders([]string{capacity.FargateSpot}, nil))
			svc.LaunchType, svc.CapacityProviderStrategy = "", []sim.CapacityProviderStrategyItem{{Provider: capacity.FargateSpot, Weight: 1}}
		}
		if tc.oneZone {
			must(t, f.c.SetZones([]string{"us-east-1a"}))
		}
	} else {
		f.launch("m5.large", zones3[:1], 1)
	}
	if _, err := f.w.RegisterTaskDefinition(def); err != nil {
		t.Fatal(err)
	}
	dereg := tc.dereg
	if dereg == 0 {
		dereg = 30 * time.Second
	}
	tg := loadbalancer.Config{
		DeregistrationDelay: dereg,
		HealthCheck:         loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2},
	}
	if tc.nlb {
		tg.Type = loadbalancer.NLB
	}
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: tg})
	svc.Observer = lb
	s := f.service(svc)
	hold := tc.hold
	if hold == 0 {
		hold = 5 * time.Second
	}
	wl := f.workload(sim.WorkloadConfig{LoadBalancer: lb, Arrivals: &metronome{next: 250 * time.Millisecond},
		Demand:                 traffic.Fixed{CPU: hold / 1000},
		Server:                 traffic.ServerConfig{Discipline: traffic.FCFS, Concurrency: 1000, QueueLimit: traffic.Unlimited},
		SeparateHealthEndpoint: true,
	})
	return f, lb, wl, s
}

func checkDeath(t *testing.T, tc deathCase) {
	f, lb, wl, svc := deathWorld(t, tc)
	hold := tc.hold
	if hold == 0 {
		hold = 5 * time.Second
	}
	runTo := func(d time.Duration) {
		t.Helper()
		if err := f.s.RunUntil(f.s.Start().Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	quiet, death := actAt+tc.quiet, actAt+tc.death
	runTo(actAt - 100*time.Millisecond)
	if len(svc.Tasks()) != 1 {
		t.Fatalf("%d tasks before the deed, want 1", len(svc.Tasks()))
	}
	victim := svc.Tasks()[0]
	running := victim.StartedAt().Sub(f.s.Start())
	if want := map[bool]time.Duration{false: 40 * time.Second, true: 22 * time.Second}[tc.fargate]; running != want {
		t.Fatalf("task RUNNING at %v, want %v", running, want)
	}
	before := wl.Counters()
	mine, _ := wl.TaskCounters(victim)
	runTo(actAt)
	tc.act(f, victim)
	if death > actAt {
		runTo(death - 100*time.Millisecond)
		mine, _ = wl.TaskCounters(victim)
	}
	// Up to the quiet instant the task got every request; from it, none.
	if want := int64(arrivals(running, 0, quiet)); mine.Arrived != want {
		t.Errorf("task got %d requests before it died, want %d", mine.Arrived, want)
	}
	if tc.drains {
		runTo(actAt + time.Minute)
		if got := wl.Counters().Aborted - before.Aborted; got != 0 {
			t.Errorf("a task asked to stop aborted %d requests", got)
		}
		if got, want := wl.Counters().Served-before.Served, int64(arrivals(running, actAt-hold, actAt)); got < want {
			t.Errorf("served %d requests after the stop, want at least the %d in flight", got, want)
		}
		if d := victim.StoppedAt().Sub(f.s.Start()) - actAt; victim.State() != sim.TaskStopped || d < hold-time.Second {
			t.Errorf("task %v %v after the stop, want STOPPED after its last request (%v)", victim.State(), d, hold)
		}
		checkConserved(t, wl.Counters())
		return
	}
	// At death, what is in flight is aborted, all of it, at once.
	runTo(death + 100*time.Millisecond)
	after := wl.Counters()
	inFlight := arrivals(running, death-hold, quiet)
	if got := after.Aborted - before.Aborted; got != int64(inFlight) {
		t.Errorf("aborted %d at death, want the %d requests in flight then", got, inFlight)
	}
	if s := victim.State(); s != sim.TaskStopped && s != sim.TaskDeprovisioning {
		t.Errorf("task is %v 0.1 s after it died, want STOPPED or DEPROVISIONING", s)
	}
	if _, ok := wl.TaskCounters(victim); ok {
		t.Errorf("the dead task still has a request server")
	}
	if id, ok := lb.TaskTarget(victim); ok {
		if info, _ := lb.TargetGroup().Target(id); info.State != loadbalancer.Draining && info.State != loadbalancer.Unused {
			t.Errorf("the dead task's target is %v, want out of routing", info.State)
		}
	}
	// Until a replacement registers, every request has no target.
	end := death + time.Minute
	runTo(end)
	registered := end
	for _, tk := range svc.Tasks() {
		if tk != victim && !tk.StartedAt().IsZero() {
			registered = min(registered, tk.StartedAt().Sub(f.s.Start()))
		}
	}
	if got, want := wl.Counters().NoTarget-before.NoTarget, int64(arrivals(0, quiet, registered)); got != want {
		t.Errorf("%d requests without a target after the task left routing, want %d (replacement registered at %v)", got, want, registered)
	}
	checkConserved(t, wl.Counters())
}

// TestInFlightRuleCrash: a crash (Behavior.CrashesPerHour, at a random
// instant) aborts what is in flight at that instant, on EC2 and on
// Fargate.
func TestInFlightRuleCrash(t *testing.T) {
	for _, fargate := range []bool{false, true} {
		f, _, wl, svc := deathWorld(t, deathCase{fargate: fargate, crashes: 30})
		var victim *sim.Task
		for victim == nil {
			if ok, err := f.s.Step(); err != nil || !ok {
				t.Fatalf("no crash: %v", err)
			}
			for _, tk := range f.w.Tasks() {
				if tk.StopCode() == sim.StopEssentialContainerExited {
					victim = tk
				}
			}
		}
		// The first task to crash is the service's first task, which got
		// every request from its RUNNING on.
		if first := f.w.Tasks()[0]; victim != first || len(svc.Tasks()) > 2 {
			t.Fatalf("fargate %v: crashed %v, want the first task", fargate, victim)
		}
		death := f.s.Elapsed()
		running := victim.StartedAt().Sub(f.s.Start())
		if got, want := wl.Counters().Aborted, int64(arrivals(running, death-5*time.Second, death)); got != want {
			t.Errorf("fargate %v: crash at %v aborted %d, want the %d in flight", fargate, death, got, want)
		}
		if s := victim.State(); s != sim.TaskStopped && s != sim.TaskDeprovisioning {
			t.Errorf("fargate %v: crashed task is %v, want STOPPED or DEPROVISIONING at once", fargate, s)
		}
		if _, ok := wl.TaskCounters(victim); ok {
			t.Errorf("fargate %v: the crashed task still has a request server", fargate)
		}
	}
}
