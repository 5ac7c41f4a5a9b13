// Command rollingdeploy replays the rolling-deployment walk-through of the
// Amazon ECS best-practices guide ("Service options",
// https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/service-options.html) on the simulator and prints
// what happens, instant by instant.
//
// The guide's service has 6 tasks on a cluster with room for 8. With
// minimumHealthyPercent 100 and maximumPercent 200 a deployment may not
// lose a healthy task and may run up to 12, but only 2 more fit, so it
// goes in batches of two:
//
//	start 2 new → stop 2 old → start 2 → stop 2 → start 2 → stop the last 2
//
// With minimumHealthyPercent 50 it may stop 3 of the 6 first, which frees
// room for 5 new tasks:
//
//	stop 3 old → start 5 new → stop the remaining 3 old → start the last new
//
// The program builds that cluster (four m5.large instances, two tasks of
// 512 CPU units and 3000 MiB each per instance), a service of 6 tasks, and
// deploys revision 2 with min 100 / max 200; then it lowers
// minimumHealthyPercent to 50 and deploys revision 3. For each deployment
// it prints a timeline of the service events with the tasks of each
// revision (pending, running but not yet healthy, healthy, stopping), and
// at the end the batches read from the service event log.
//
//	go run ./examples/rollingdeploy
//
// Every lifecycle step takes a fixed time, so that the tasks of one batch
// move in step as in the guide's narrative: a task is PENDING for 2 s (the
// image is already on every instance), counts as healthy 40 s after RUNNING
// (no load balancer, no container health check: the rule of
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html) and exits at once on
// SIGTERM, so the room an old task held is free the moment it is stopped.
//
// The guide's narrative leaves out that a stopped task holds its room until
// it is STOPPED. With -deregistration-delay 300s (the target group default
// the guide quotes) old tasks drain for 5 minutes first: the min 100
// deployment keeps its batches and takes 17 minutes instead of 2, but the
// min 50 one starts only the 2 tasks that fit at once and then, as soon as
// they are healthy, stops 2 more old ones; its batches no longer read as
// the guide's.
//
//	go run ./examples/rollingdeploy -deregistration-delay 300s
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// The walk-through's service and cluster.
const (
	desiredCount   = 6          // the guide's service
	maximumPercent = 200        // the default for REPLICA services
	instanceType   = "m5.large" // 2 vCPU, 7985 MiB registered
	instanceCount  = 4          // two tasks each: room for 8
	taskCPU        = 512        // CPU units
	taskMemoryMiB  = 3000       // two fit in an m5.large's registered memory, three do not
	family         = "web"
	serviceName    = "web"
	// healthyAfter is when a task without load balancer or container
	// health check starts to count as healthy for minimumHealthyPercent:
	// 40 s after RUNNING (the rule for tasks without health checks in
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html). The program measures
	// health with this rule itself rather than asking the simulator.
	healthyAfter = 40 * time.Second
	// deadline bounds each deployment in virtual time; the walk-through
	// needs about three minutes.
	deadline = 30 * time.Minute
)

var zones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

// latencies fixes every lifecycle step so that batches move in step.
var latencies = sim.Latencies{
	InstanceLaunch: sim.Fixed(30 * time.Second),
	ImagePull:      sim.Fixed(8 * time.Second), // only the first task of an instance pulls
	ContainerStart: sim.Fixed(2 * time.Second),
	Activating:     sim.Fixed(0),
	Deactivating:   sim.Fixed(0),
}

// revisionCount is what the tasks of one revision are doing at an instant.
type revisionCount struct {
	Revision int
	Pending  int // PROVISIONING, PENDING or ACTIVATING
	Running  int // RUNNING, not yet healthy
	Healthy  int // RUNNING for healthyAfter and meant to keep running
	Stopping int // told to stop, not yet STOPPED
}

// String reads, for example, "4 healthy, 2 stopping".
func (c revisionCount) String() string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{c.Pending, "pending"}, {c.Running, "running"}, {c.Healthy, "healthy"}, {c.Stopping, "stopping"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// moment is one line of a timeline: the instant, what the service said at
// it and the tasks of each revision once the instant is over.
type moment struct {
	At     time.Duration // since the UpdateService call
	Events []string      // shortened service events, in order
	Counts []revisionCount
}

// batch is a run of consecutive service events of the same verb, as the
// guide counts them: "start 2" is one or more "has started" events in a row
// totalling 2 tasks.
type batch struct {
	Verb      string // "start" or "stop"
	Tasks     int
	Revisions []int // revisions of the tasks, ascending, without repeats
}

// String reads, for example, "start 2".
func (b batch) String() string { return fmt.Sprintf("%s %d", b.Verb, b.Tasks) }

// deployment is what one UpdateService call led to.
type deployment struct {
	MinimumHealthyPercent int
	From, To              int // task definition revisions
	Timeline              []moment
	Batches               []batch
	// FewestHealthy and MostTasks are the extremes over every engine step
	// from the update to completion: healthy tasks (any revision) and
	// tasks not STOPPED.
	FewestHealthy, MostTasks int
	// Completed is when the deployment completed, since the update.
	Completed time.Duration
}

// walkthrough is the whole run: the cluster, the service and its two
// deployments.
type walkthrough struct {
	Room                int           // tasks of the service's size the cluster holds
	DeregistrationDelay time.Duration // of the stand-in target group; 0 means none
	SteadyAfter         time.Duration // from CreateService to the first steady state
	Deployments         []deployment
}

// scenario holds the simulated world between steps.
type scenario struct {
	s   *sim.Sim
	w   *sim.World
	c   *sim.Cluster
	svc *sim.Service
}

// drainingTargets stands in for a load balancer's target group: ECS waits
// its deregistration delay between deciding to stop a task and SIGTERM,
// and the task holds its room on the instance all that time.
type drainingTargets struct {
	deregistrationDelay time.Duration
}

// TaskRunning is called when a task reaches RUNNING; registering a target
// changes nothing here.
func (drainingTargets) TaskRunning(time.Time, *sim.Task) {}

// TaskDeactivating returns the deregistration delay.
func (d drainingTargets) TaskDeactivating(time.Time, *sim.Task) time.Duration {
	return d.deregistrationDelay
}

// newScenario builds the cluster, registers revision 1 and creates the
// service with the given minimumHealthyPercent (and a draining target
// group if deregistrationDelay is positive), and runs until it is steady.
// It returns how long that took.
func newScenario(seed uint64, minimumHealthyPercent int, deregistrationDelay time.Duration) (*scenario, time.Duration, error) {
	s, err := sim.New(sim.Config{Seed: seed})
	if err != nil {
		return nil, 0, err
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{Latencies: latencies})
	if err != nil {
		return nil, 0, err
	}
	c, err := w.CreateCluster("prod")
	if err != nil {
		return nil, 0, err
	}
	if _, err := c.LaunchInstances(instanceType, zones, instanceCount); err != nil {
		return nil, 0, err
	}
	sc := &scenario{s: s, w: w, c: c}
	if _, err := sc.registerRevision(); err != nil {
		return nil, 0, err
	}
	if err := s.RunFor(time.Minute); err != nil { // the instances register
		return nil, 0, err
	}
	cfg := sim.ServiceConfig{
		Name: serviceName, TaskDefinition: family, DesiredCount: desiredCount,
		DeploymentConfiguration: sim.DeploymentConfiguration{
			MinimumHealthyPercent: sim.Percent(minimumHealthyPercent),
			MaximumPercent:        sim.Percent(maximumPercent),
		},
	}
	if deregistrationDelay > 0 {
		cfg.Observer = drainingTargets{deregistrationDelay}
	}
	sc.svc, err = c.CreateService(cfg)
	if err != nil {
		return nil, 0, err
	}
	created := s.Now()
	for !sc.svc.Steady() {
		if ok, err := s.Step(); err != nil {
			return nil, 0, err
		} else if !ok || s.Now().Sub(created) > deadline {
			return nil, 0, fmt.Errorf("rollingdeploy: service not steady %v after creation: %v", s.Now().Sub(created), sc.svc)
		}
	}
	return sc, s.Now().Sub(created), nil
}

// registerRevision registers the next revision of the family. The
// revisions differ only in number: the image stays cached on every
// instance, so every new task takes the same 2 s to start.
func (sc *scenario) registerRevision() (*sim.TaskDefinition, error) {
	return sc.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: family,
		Containers: []sim.ContainerDefinition{{
			Name: "app", Image: "nginx:1.27", CPU: taskCPU, MemoryMiB: taskMemoryMiB,
		}},
		Behavior: sim.Behavior{Shutdown: sim.Fixed(0)},
	})
}

// room counts the tasks of the service's size that fit on the cluster's
// instances when empty: per instance, the smaller of registered CPU and
// registered memory divided by the task's.
func (sc *scenario) room() int {
	n := 0
	for _, in := range sc.c.Instances() {
		t := in.Type()
		n += min(t.RegisteredCPU()/taskCPU, t.RegisteredMemoryMiB(0)/taskMemoryMiB)
	}
	return n
}

// deploy registers a new revision, updates the service to it with the
// given minimumHealthyPercent and steps the simulation until the new
// deployment has completed and the service is steady, watching every step.
func (sc *scenario) deploy(minimumHealthyPercent int) (deployment, error) {
	from := sc.svc.Deployments()[0].TaskDefinition()
	to, err := sc.registerRevision()
	if err != nil {
		return deployment{}, err
	}
	d := deployment{MinimumHealthyPercent: minimumHealthyPercent, From: from.Revision(), To: to.Revision(),
		FewestHealthy: desiredCount, MostTasks: len(sc.svc.Tasks())}
	seen := len(sc.svc.Events())
	update := sc.s.Now()
	err = sc.svc.UpdateService(sim.ServiceUpdate{
		TaskDefinition: to.String(),
		DeploymentConfiguration: &sim.DeploymentConfiguration{
			MinimumHealthyPercent: sim.Percent(minimumHealthyPercent),
			MaximumPercent:        sim.Percent(maximumPercent),
		},
	})
	if err != nil {
		return deployment{}, err
	}
	// Steps run one event each; a moment is written once the clock has
	// moved past its instant, from the counts after its last step.
	current := moment{Events: []string{fmt.Sprintf("UpdateService to %s, minimumHealthyPercent %d", to, minimumHealthyPercent)}}
	counts := sc.counts()
	var log []string // the deployment's service events, in full
	done := false
	for {
		ok, err := sc.s.Step()
		if err != nil {
			return deployment{}, err
		}
		at := sc.s.Now().Sub(update)
		if !ok || at > current.At {
			current.Counts = counts
			if n := len(d.Timeline); n == 0 || len(current.Events) > 0 || !slices.Equal(current.Counts, d.Timeline[n-1].Counts) {
				d.Timeline = append(d.Timeline, current)
			}
			current = moment{At: at}
			if done {
				break
			}
			if !ok {
				return deployment{}, fmt.Errorf("rollingdeploy: nothing left to simulate and the deployment to revision %d is not complete: %v", d.To, sc.svc)
			}
			if at > deadline {
				return deployment{}, fmt.Errorf("rollingdeploy: deployment to revision %d not complete after %v: %v", d.To, deadline, sc.svc)
			}
		}
		for _, e := range sc.svc.Events()[seen:] {
			log = append(log, e.Message)
			current.Events = append(current.Events, sc.shorten(e.Message))
		}
		seen = len(sc.svc.Events())
		counts = sc.counts()
		healthy := 0
		for _, c := range counts {
			healthy += c.Healthy
		}
		d.FewestHealthy = min(d.FewestHealthy, healthy)
		d.MostTasks = max(d.MostTasks, len(sc.svc.Tasks()))
		if !done && sc.complete(d.To) {
			done, d.Completed = true, at
		}
	}
	d.Batches = sc.batches(log)
	return d, nil
}

// complete reports whether the service runs only revision rev, its
// deployment COMPLETED, and is steady.
func (sc *scenario) complete(rev int) bool {
	deps := sc.svc.Deployments()
	return len(deps) == 1 && deps[0].TaskDefinition().Revision() == rev &&
		deps[0].RolloutState() == sim.RolloutCompleted && sc.svc.Steady()
}

// counts classifies the service's tasks that are not STOPPED by revision.
func (sc *scenario) counts() []revisionCount {
	var out []revisionCount
	now := sc.s.Now()
	for _, t := range sc.svc.Tasks() {
		rev := t.TaskDefinition().Revision()
		i := slices.IndexFunc(out, func(c revisionCount) bool { return c.Revision == rev })
		if i < 0 {
			out = append(out, revisionCount{Revision: rev})
			i = len(out) - 1
		}
		c := &out[i]
		switch {
		case t.DesiredStatus() != sim.TaskRunning || t.State() > sim.TaskRunning:
			c.Stopping++
		case t.State() < sim.TaskRunning:
			c.Pending++
		case now.Sub(t.StartedAt()) >= healthyAfter:
			c.Healthy++
		default:
			c.Running++
		}
	}
	slices.SortFunc(out, func(a, b revisionCount) int { return a.Revision - b.Revision })
	return out
}

// parseTaskEvent reads a service event that starts or stops tasks, with or
// without its "(service name) " prefix: "has started 2 tasks: (task a)
// (task b)." gives "start" and [a b]; "has stopped 2 running tasks: ..."
// gives "stop". Any other message gives "" and no IDs.
func parseTaskEvent(msg string) (verb string, ids []string) {
	if strings.HasPrefix(msg, "(service ") {
		if _, rest, ok := strings.Cut(msg, ") "); ok {
			msg = rest
		}
	}
	switch {
	case strings.HasPrefix(msg, "has started "):
		verb = "start"
	case strings.HasPrefix(msg, "has stopped "):
		verb = "stop"
	default:
		return "", nil
	}
	_, list, ok := strings.Cut(msg, ": ")
	if !ok {
		return "", nil
	}
	for _, f := range strings.Split(strings.TrimSuffix(list, "."), "(task ") {
		if id := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), ")")); id != "" {
			ids = append(ids, id)
		}
	}
	return verb, ids
}

// revisions returns the task definition revisions of the tasks with the
// given IDs, ascending and without repeats.
func (sc *scenario) revisions(ids []string) []int {
	var revs []int
	for _, t := range sc.w.Tasks() {
		if slices.Contains(ids, t.ID()) {
			revs = append(revs, t.TaskDefinition().Revision())
		}
	}
	slices.Sort(revs)
	return slices.Compact(revs)
}

// shorten turns a service event into a timeline entry: task lists become
// a count and the revisions, deployment IDs are dropped.
func (sc *scenario) shorten(msg string) string {
	msg = strings.TrimPrefix(msg, "(service "+serviceName+") ")
	if verb, ids := parseTaskEvent(msg); verb != "" {
		past := map[string]string{"start": "started", "stop": "stopped"}[verb]
		noun := "tasks"
		if len(ids) == 1 {
			noun = "task"
		}
		return fmt.Sprintf("%s %d %s (rev %s)", past, len(ids), noun, joinInts(sc.revisions(ids), "+"))
	}
	// "was unable to place a task because no container instance met all of
	// its requirements. The closest matching (container-instance ...) has
	// insufficient memory available. For more information, ..."
	if head, rest, ok := strings.Cut(msg, " because no container instance met all of its requirements."); ok {
		if _, why, ok := strings.Cut(rest, "(container-instance "); ok {
			if _, why, ok = strings.Cut(why, ") "); ok {
				why, _, _ = strings.Cut(why, ".")
				return head + ": " + strings.TrimPrefix(why, "has ")
			}
		}
		return head
	}
	if strings.HasPrefix(msg, "(deployment ") {
		if _, rest, ok := strings.Cut(msg, ") "); ok {
			msg = rest
		}
	}
	return strings.TrimSuffix(msg, ".")
}

// batches merges consecutive start (or stop) events of a service event log
// into the guide's batches; other events neither count nor break a run.
func (sc *scenario) batches(log []string) []batch {
	var out []batch
	for _, msg := range log {
		verb, ids := parseTaskEvent(msg)
		if verb == "" {
			continue
		}
		revs := sc.revisions(ids)
		if n := len(out); n > 0 && out[n-1].Verb == verb {
			out[n-1].Tasks += len(ids)
			out[n-1].Revisions = slices.Compact(slices.Sorted(slices.Values(append(out[n-1].Revisions, revs...))))
			continue
		}
		out = append(out, batch{Verb: verb, Tasks: len(ids), Revisions: revs})
	}
	return out
}

// run is the whole walk-through: a service of 6 tasks created with
// minimumHealthyPercent 100, a deployment with 100, then one with 50. Old
// tasks drain for deregistrationDelay before SIGTERM; 0 means not at all.
func run(seed uint64, deregistrationDelay time.Duration) (walkthrough, error) {
	sc, steady, err := newScenario(seed, 100, deregistrationDelay)
	if err != nil {
		return walkthrough{}, err
	}
	wt := walkthrough{Room: sc.room(), DeregistrationDelay: deregistrationDelay, SteadyAfter: steady}
	for _, pct := range []int{100, 50} {
		d, err := sc.deploy(pct)
		if err != nil {
			return walkthrough{}, err
		}
		wt.Deployments = append(wt.Deployments, d)
	}
	return wt, nil
}

// report prints the walk-through: a timeline per deployment, then the
// batches.
func report(w io.Writer, wt walkthrough) {
	fmt.Fprintf(w, "Cluster: %d × %s, room for %d tasks of %d CPU units / %d MiB.\n", instanceCount, instanceType, wt.Room, taskCPU, taskMemoryMiB)
	fmt.Fprintf(w, "Service %s: %d tasks of %s:1, steady %v after CreateService.\n", serviceName, desiredCount, family, wt.SteadyAfter)
	if wt.DeregistrationDelay > 0 {
		fmt.Fprintf(w, "Stopped tasks drain from the target group for %v before SIGTERM.\n", wt.DeregistrationDelay)
	}
	for _, d := range wt.Deployments {
		fmt.Fprintf(w, "\nDeployment %s:%d → %s:%d, minimumHealthyPercent %d, maximumPercent %d: at least %d healthy, at most %d tasks.\n",
			family, d.From, family, d.To, d.MinimumHealthyPercent, maximumPercent,
			sim.MinimumHealthyTasks(desiredCount, d.MinimumHealthyPercent), sim.MaximumTasks(desiredCount, maximumPercent))
		fmt.Fprintf(w, "  %-7s  %-58s  %-26s  %s\n", "time", "event", fmt.Sprintf("rev %d", d.From), fmt.Sprintf("rev %d", d.To))
		for _, m := range d.Timeline {
			old, cur := revisionCount{}, revisionCount{}
			for _, c := range m.Counts {
				switch c.Revision {
				case d.From:
					old = c
				case d.To:
					cur = c
				}
			}
			events := m.Events
			if len(events) == 0 {
				events = []string{""}
			}
			for i, e := range events {
				if i < len(events)-1 {
					fmt.Fprintf(w, "  %-7s  %s\n", "+"+m.At.String(), e)
					continue
				}
				fmt.Fprintf(w, "  %-7s  %-58s  %-26s  %s\n", "+"+m.At.String(), e, old, cur)
			}
		}
		fmt.Fprintf(w, "  completed after %v; fewest healthy tasks %d, most tasks %d.\n", d.Completed, d.FewestHealthy, d.MostTasks)
	}
	fmt.Fprintln(w, "\nBatches read from the service event log:")
	for _, d := range wt.Deployments {
		fmt.Fprintf(w, "  min %3d %%: %s\n", d.MinimumHealthyPercent, joinStrings(d.Batches))
	}
}

func joinInts(xs []int, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}

func joinStrings[T fmt.Stringer](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = x.String()
	}
	return strings.Join(s, ", ")
}

func main() {
	seed := flag.Uint64("seed", 1, "random seed (placement draws at random)")
	delay := flag.Duration("deregistration-delay", 0, "how long a stopped task drains from the load balancer before SIGTERM (the target group default is 300s)")
	flag.Parse()
	wt, err := run(*seed, *delay)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rollingdeploy:", err)
		os.Exit(1)
	}
	report(os.Stdout, wt)
}
