package sim

import (
	"fmt"
	"slices"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim/capacity"
)

// Launching. Every task starts through one path. A launchRequest says what
// to start (a task definition in a task group, for a service's deployment
// or for a RunTask call); launchRequest.run hands it to a launcher, the
// interface for where tasks can start:
//
//	ec2Placement        the cluster's container instances, through the
//	                    request's placement plan (the EC2 launch type)
//	fargatePool         Fargate On-Demand capacity (the FARGATE launch type)
//	*CapacityProvider   FARGATE or FARGATE_SPOT; or an Auto Scaling group:
//	                    its instances through placement, else a wait in
//	                    PROVISIONING for the group to grow
//
// directly for a launch type, or split over a capacity provider strategy
// by base and weight. A launcher builds each task with World.newTask, the
// one task constructor, and gives it to launchRequest.own, which hands it
// to its owner: Service.adopt, or RunTask. The owner starts it
// (Task.start). What could not start comes back as launchFailures, which
// a service turns into events and RunTask into its failures list.

// A launcher is somewhere tasks can start.
type launcher interface {
	// start starts up to k tasks of r (launchRequest.own) and records
	// those it cannot start (launchRequest.fail).
	start(r *launchRequest, k int)
}

// launchRequest is one request to start tasks: a service's scale-out or a
// RunTask call, with what came of it.
type launchRequest struct {
	w     *World
	c     *Cluster
	def   *TaskDefinition
	group string          // the task group's name
	req   placement.Task  // the resources of one task, in the placement group
	plan  *placement.Plan // where the tasks may go on instances (the deployment's, or RunTask's)
	ls    *launchSpec     // the launch type or strategy; caches the providers' plans

	svc       *Service // the owner of the tasks, or nil for RunTask
	dep       *Deployment
	startedBy string // RunTask's StartedBy

	zoneCounts []int      // Fargate: the group's live tasks per launch zone, counted on first use
	net        *vpcConfig // the networkConfiguration, or nil (vpc.go)

	started  []*Task
	failures []launchFailure
	err      error // a request the placement engine refused (invalid resources)
}

// launchFailure is n tasks a launcher could not start, and why: no
// instance had room (rejection), or the capacity is not there (reason:
// capacity.QuotaExceededReason or capacity.CapacityUnavailableReason for
// Fargate, or a capacity provider whose placement plan does not compile).
type launchFailure struct {
	n         int
	rejection *placement.Rejection
	reason    string
	provider  *CapacityProvider // the provider whose plan failed, for reason
	net       *vpcConfig        // the request's networkConfiguration, which may explain rejection
}

// newLaunch returns a request to start tasks of def in group through ls.
func (w *World) newLaunch(c *Cluster, def *TaskDefinition, group string, ls *launchSpec, plan *placement.Plan) *launchRequest {
	r := &launchRequest{w: w, c: c, def: def, group: group, ls: ls, plan: plan}
	if ls.fargate() {
		r.req = def.placementTask(0) // Fargate tasks are in no placement group
	} else {
		r.req = def.placementTask(c.place.Group(group))
	}
	return r
}

// run starts n tasks: on the request's launch type, or split over its
// strategy's providers by base and weight given the tasks already on each
// (counts).
func (r *launchRequest) run(n int, counts []int) {
	ls := r.ls
	if len(ls.providers) == 0 {
		var l launcher = ec2Placement{}
		if ls.launchType == Fargate {
			l = fargatePool{}
		}
		l.start(r, n)
		return
	}
	for i, k := range capacity.DistributeCounts(ls.strategy, counts, n) {
		if k > 0 {
			ls.providers[i].start(r, k)
		}
	}
}

// own hands a new task to its owner, which starts it.
func (r *launchRequest) own(t *Task) {
	r.started = append(r.started, t)
	if r.svc != nil {
		r.svc.adopt(t, r.dep)
		return
	}
	t.startedBy = r.startedBy
	t.start(r.net)
}

// fail records n tasks that could not start; a failure like the last one
// adds to it.
func (r *launchRequest) fail(f launchFailure) {
	f.net = r.net
	if k := len(r.failures) - 1; k >= 0 {
		if last := &r.failures[k]; last.rejection == f.rejection && last.reason == f.reason && last.provider == f.provider {
			last.n += f.n
			return
		}
	}
	r.failures = append(r.failures, f)
}

// message is the failure as a service event: ECS's "unable to place"
// wording.
func (f *launchFailure) message(c *Cluster) string {
	switch {
	case f.reason == provisioningLimitReason:
		return provisioningLimitEvent
	case f.rejection != nil && f.net != nil && f.rejection.ConstraintText == subnetFilterText:
		return f.net.unplaceable(c, f.rejection)
	case f.rejection != nil:
		return c.unplaceableMessage(f.rejection)
	case f.provider != nil:
		return fmt.Sprintf("was unable to place a task on capacity provider %s: %s", f.provider.name, f.reason)
	}
	return "was unable to place a task. Reason: " + f.reason + "."
}

// runTaskFailure is the failure as one entry of RunTask's failures list.
func (f *launchFailure) runTaskFailure(c *Cluster) RunTaskFailure {
	if r := f.rejection; r != nil && f.net != nil && r.ConstraintText == subnetFilterText {
		code, _ := f.net.rejection(c, r)
		return RunTaskFailure{Arn: r.ClosestEC2InstanceID, Reason: code, Detail: "was " + f.net.unplaceable(c, r)}
	}
	if r := f.rejection; r != nil {
		return RunTaskFailure{Arn: r.ClosestEC2InstanceID, Reason: string(r.Reason), Detail: r.Message()}
	}
	if f.reason == provisioningLimitReason {
		return RunTaskFailure{Reason: f.reason, Detail: provisioningLimitEvent}
	}
	code := "RESOURCE:FARGATE"
	if f.reason == capacity.CapacityUnavailableReason {
		code = f.reason // RunTask's failure names it in full
	}
	return RunTaskFailure{Reason: code, Detail: f.reason}
}

// The cluster's cap on tasks waiting in PROVISIONING. The event text is
// ECS's ("Amazon ECS service event messages",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html);
// AWS documents no RunTask failure code for it, so the reason is the
// simulator's own label.
const (
	provisioningLimitReason = "PROVISIONING_LIMIT"
	provisioningLimitEvent  = "was unable to place tasks in your cluster because the tasks provisioning capacity limit was exceeded."
)

// ec2Placement is the EC2 launch type: the cluster's container instances,
// through the request's placement plan.
type ec2Placement struct{}

func (ec2Placement) start(r *launchRequest, k int) { r.onInstances(r.plan, nil, k) }

// onInstances places k tasks with plan on the cluster's instances. With an
// Auto Scaling group provider p, the tasks that do not fit wait in
// PROVISIONING for the group to grow, at most
// Quotas.ProvisioningTasksPerCluster per cluster; the others fail with
// ECS's "tasks provisioning capacity limit was exceeded".
func (r *launchRequest) onInstances(plan *placement.Plan, p *CapacityProvider, k int) {
	w, c := r.w, r.c
	placed := 0
	var rejection *placement.Rejection
	for placed < k && rejection == nil {
		// A quota raised past placement.MaxBatch asks for more tasks than
		// one batch places: place them batch by batch.
		size := min(k-placed, placement.MaxBatch)
		if r.net != nil {
			// The subnet filter sees addresses taken as tasks start:
			// one task at a time.
			size = 1
		}
		batch, err := c.place.PlaceBatch(plan, r.req, size, w.rngPlace, nil)
		if err != nil {
			r.err = err
			return
		}
		for _, pid := range batch.Placed {
			r.own(w.newTask(r.def, r.group, r.req, taskHost{c: c, provider: p}, c.byPlaceID[pid]))
		}
		placed += len(batch.Placed)
		rejection = batch.Rejection
	}
	rest := k - placed
	if rest > 0 && p == nil {
		r.fail(launchFailure{n: rest, rejection: rejection})
		return
	}
	for i := range rest {
		if c.provisioningTasks() >= w.quotas.ProvisioningTasksPerCluster {
			r.fail(launchFailure{n: rest - i, reason: provisioningLimitReason})
			return
		}
		r.own(w.newTask(r.def, r.group, r.req, taskHost{c: c, provider: p, waiting: true, plan: plan}, nil))
	}
}

// newTask is the one task constructor: a task of def in group, needing req,
// on host (and on instance in, where placement reserved req for it), in
// PROVISIONING and desired RUNNING. It is not started: its owner starts it
// (Service.adopt, or RunTask through launchRequest.own).
func (w *World) newTask(def *TaskDefinition, group string, req placement.Task, host taskHost, in *Instance) *Task {
	t := &Task{
		w: w, id: len(w.tasks), instPos: -1, arnID: fmt.Sprintf("%016x%016x", w.nextID(), w.nextID()),
		def: def, inst: in, req: req, groupName: group, desired: TaskRunning, createdAt: w.now(), host: host,
	}
	w.tasks = append(w.tasks, t)
	return t
}

// start sets a new task going on its host: on the instance placement chose
// for it, in its Fargate pool's queue for a launch token, or waiting for an
// instance of its Auto Scaling group. net is its networkConfiguration,
// or nil.
func (t *Task) start(net *vpcConfig) {
	w, h := t.w, &t.host
	w.attach(t, net)
	switch {
	case h.waiting:
		h.provider.waiting = append(h.provider.waiting, t)
		w.sim.Schedule(w.account.kProvisionTimeout, w.account.cfg.ProvisioningTimeout, uint64(t.id))
	case h.fargate:
		w.account.queueFargate(t)
	default:
		w.placeOn(t, t.inst)
	}
}

// placeOn puts a task on the instance placement reserved for it: it holds
// its resources there until STOPPED, its instance's bill is shared with it,
// and its way to RUNNING begins.
func (w *World) placeOn(t *Task, in *Instance) {
	t.inst = in
	in.addTask(t)
	t.onDraining = in.status == InstanceDraining
	w.account.taskPlaced(t)
	awsvpc := t.def.in.NetworkMode == AWSVPC
	t.notify(LifecyclePlaced, false)
	failed := t.startFailure() != ""
	if !awsvpc && !failed {
		t.notify(LifecycleResourcesAcquired, false) // no network interface to wait for
	}
	switch {
	case failed && awsvpc:
		t.enter(TaskProvisioning, 0) // and fail
	case failed:
		t.enter(TaskPending, 0)
	case awsvpc:
		t.enter(TaskProvisioning, w.lat.ENIAttach.Sample(w.rngStart))
	default:
		t.enter(TaskPending, w.pendingTime(t))
	}
}

// providerCounts counts the service's tasks meant to run on each provider
// of its strategy.
func (s *Service) providerCounts() []int {
	counts := make([]int, len(s.ls.providers))
	for _, t := range s.tasks {
		if t.desired != TaskRunning {
			continue
		}
		for i, p := range s.ls.providers {
			if p == t.host.provider {
				counts[i]++
			}
		}
	}
	return counts
}

// waitFor records msg (at most every five minutes while it stays the same)
// and makes the service wait for capacity.
func (s *Service) waitFor(msg string) {
	if now := s.w.now(); msg != s.lastPlaceMsg || now.Sub(s.lastPlaceAt) >= 5*60*1e9 {
		s.lastPlaceMsg, s.lastPlaceAt = msg, now
		s.eventText(msg)
	}
	if !s.waiting {
		s.waiting = true
		s.c.waiting = append(s.c.waiting, s)
	}
}

// adopt makes a new task one of deployment d's and starts it.
func (s *Service) adopt(t *Task, d *Deployment) {
	t.service, t.dep, t.startedBy = s, d, d.id
	s.tasks = append(s.tasks, t)
	s.counters.TasksStarted++
	s.steady = false
	t.start(s.net)
}

// RunTaskInput is a RunTask request.
type RunTaskInput struct {
	// Cluster names the cluster; required.
	Cluster string
	// TaskDefinition is "family:revision" or "family" (latest); required.
	TaskDefinition string
	// Count is the number of tasks, 1 to 10; 0 means 1.
	Count int
	// Group is the task group; empty means "family:<family>".
	Group string
	// LaunchType is EC2 or FARGATE; EXTERNAL returns ErrNotSupported.
	// Empty means CapacityProviderStrategy, else the cluster's default
	// strategy, else EC2.
	LaunchType LaunchType
	// CapacityProviderStrategy splits the tasks over capacity providers
	// (base first, then weight); nil means none. Not with LaunchType.
	CapacityProviderStrategy []CapacityProviderStrategyItem
	// PlatformVersion is the Fargate platform version: LATEST (the
	// default when empty) or e.g. "1.4.0"; a task definition with Amazon
	// EFS volumes needs MinEFSPlatformVersion or later. Ignored on EC2.
	PlatformVersion string
	// PlacementConstraints add to the task definition's; together at most 10.
	PlacementConstraints []placement.Constraint
	// PlacementStrategy ranks the instances; nil means random (ECS
	// documents no default for RunTask).
	PlacementStrategy []placement.Strategy
	// StartedBy is a free-form tag, up to 128 characters.
	StartedBy string
	// NetworkConfiguration puts awsvpc tasks in the given subnets, one
	// address each (see World.CreateSubnet); nil means none.
	NetworkConfiguration *NetworkConfiguration
}

// RunTaskFailure is one task RunTask could not place, as in the API's
// failures list.
type RunTaskFailure struct {
	// Arn is the closest matching container instance's ID, or "".
	Arn string
	// Reason is e.g. "RESOURCE:MEMORY" or "NO_ACTIVE_INSTANCE".
	Reason string
	// Detail is the full explanation in service event style.
	Detail string
}

// RunTaskOutput lists the tasks started and those that could not be placed.
type RunTaskOutput struct {
	Tasks    []*Task
	Failures []RunTaskFailure
}

// RunTask places and starts standalone tasks, as ECS RunTask does. An
// invalid request is an error that reports every problem at once, each a
// *fielderr.Error matching ErrInvalidRunTask (ErrNotFound for a cluster or
// task definition that does not exist); tasks that do not fit are Failures.
// A valid call beyond the RunTask rate limit (WorldConfig.APIRateLimits:
// 20 calls a second, burst and sustained) starts nothing and returns a
// *ThrottlingError matching ErrThrottled.
func (w *World) RunTask(in RunTaskInput) (RunTaskOutput, error) {
	const at = "RunTaskInput."
	l := fielderr.NewList(ErrInvalidRunTask)
	c := w.Cluster(in.Cluster)
	if c == nil {
		l.Join(fielderr.New(ErrNotFound, at+"Cluster", in.Cluster, "names no cluster of the world"))
	}
	def, err := w.TaskDefinition(in.TaskDefinition)
	joinLeaf(l, ErrNotFound, at+"TaskDefinition", "TaskDefinition", err)
	count := in.Count
	if count == 0 {
		count = 1
	}
	if count < 1 || count > w.quotas.TasksPerRunTask {
		l.Addf(at+"Count", in.Count, "must be 1 to %d (0 means 1): Quotas.TasksPerRunTask", w.quotas.TasksPerRunTask)
	}
	ls := c.resolveLaunch(l, in.LaunchType, in.CapacityProviderStrategy, def, ErrInvalidRunTask, at+"LaunchType", at+"CapacityProviderStrategy", at+"TaskDefinition")
	checkPlatformVersion(l, at+"PlatformVersion", in.PlatformVersion)
	if ls.fargate() {
		checkEFSPlatform(l, at+"PlatformVersion", in.PlatformVersion, def)
	}
	if len(in.StartedBy) > 128 {
		l.Add(at+"StartedBy", in.StartedBy, "must have at most 128 characters")
	}
	net := w.checkNetwork(l, at+"NetworkConfiguration", in.NetworkConfiguration, def, &ls)
	if len(in.Group) > 255 {
		l.Add(at+"Group", in.Group, "must have at most 255 characters")
	}
	var plan *placement.Plan
	if def != nil && net != nil && len(def.in.PlacementConstraints)+len(in.PlacementConstraints) >= placement.MaxConstraints {
		// The subnets' zones are a constraint of the plan too.
		l.Addf(at+"PlacementConstraints", len(def.in.PlacementConstraints)+len(in.PlacementConstraints),
			"with a NetworkConfiguration at most %d placement constraints, the task definition's and the request's together", placement.MaxConstraints-1)
		def = nil // no plan to compile
	}
	if def != nil {
		strategies := in.PlacementStrategy
		if len(strategies) == 0 {
			strategies = []placement.Strategy{{Type: placement.Random}}
		}
		plan, err = placement.Compile(placement.Spec{
			Constraints: net.withFilter(append(slices.Clone(def.in.PlacementConstraints), in.PlacementConstraints...)),
			Strategies:  strategies,
		})
		joinLeaf(l, ErrInvalidRunTask, at+"Placement", "Spec", err)
	}
	if plan != nil {
		// Each Auto Scaling group provider adds its memberOf constraint;
		// a plan that cannot take it is the request's mistake.
		for _, p := range ls.providers {
			if p.kind == providerASG {
				if _, err := ls.providerPlan(nil, plan.Spec(), p); err != nil {
					joinLeaf(l, ErrInvalidRunTask, at+"PlacementConstraints", "Spec", err)
				}
			}
		}
	}
	if err := l.Err(); err != nil {
		return RunTaskOutput{}, err
	}
	if err := w.throttle(capacity.RunTask); err != nil {
		return RunTaskOutput{}, err
	}
	group := in.Group
	if group == "" {
		group = "family:" + def.in.Family
	}
	r := w.newLaunch(c, def, group, &ls, plan)
	r.startedBy, r.net = in.StartedBy, net
	r.run(count, make([]int, len(ls.providers)))
	if r.err != nil {
		// The request was validated; placement refusing it is a bug.
		panic(fmt.Sprintf("sim: placing RunTask tasks: %v", r.err))
	}
	out := RunTaskOutput{Tasks: r.started}
	for i := range r.failures {
		f := &r.failures[i]
		for range f.n {
			out.Failures = append(out.Failures, f.runTaskFailure(c))
		}
	}
	return out, nil
}

// placementTask is the placement request of one task of d in group g.
func (d *TaskDefinition) placementTask(g placement.GroupID) placement.Task {
	return placement.Task{CPU: d.cpu, MemoryMiB: d.memory, ENIs: d.enis, HostPorts: d.hostPorts, Group: g}
}
