package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim/capacity"
)

// SchedulingStrategy is how a service decides how many tasks to run.
type SchedulingStrategy string

// Scheduling strategies
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html).
const (
	// Replica keeps DesiredCount tasks, spread over zones by default.
	Replica SchedulingStrategy = "REPLICA"
	// Daemon keeps one task on every ACTIVE instance that meets the
	// constraints.
	Daemon SchedulingStrategy = "DAEMON"
)

// CircuitBreaker is the deployment circuit breaker setting
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).
type CircuitBreaker struct {
	// Enable turns the breaker on.
	Enable bool
	// Rollback starts a deployment back to the last COMPLETED one when the
	// breaker trips.
	Rollback bool
}

// DeploymentConfiguration bounds a rolling deployment
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html).
type DeploymentConfiguration struct {
	// MinimumHealthyPercent is the floor, in percent of the desired count
	// and rounded up, on healthy RUNNING tasks; nil means 100 for REPLICA
	// and 0 for DAEMON. 0 to 100.
	MinimumHealthyPercent *int
	// MaximumPercent is the cap, in percent of the desired count and
	// rounded down, on tasks that are not STOPPED; nil means 200 for
	// REPLICA and 100 for DAEMON (which allows only 100). At least 100, or
	// more than MinimumHealthyPercent.
	MaximumPercent *int
	// CircuitBreaker is off by default.
	CircuitBreaker CircuitBreaker
}

// Percent returns a pointer to p, for the optional percentages of
// DeploymentConfiguration.
func Percent(p int) *int { return &p }

// MinimumHealthyTasks is ceil(desired × minimumHealthyPercent / 100), the
// healthy RUNNING tasks a deployment keeps: 2 of 4 at 50 %, and 2 of 2 at
// 75 % (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html).
func MinimumHealthyTasks(desired, minimumHealthyPercent int) int {
	return (desired*minimumHealthyPercent + 99) / 100
}

// MaximumTasks is floor(desired × maximumPercent / 100), the most tasks a
// deployment may have that are not STOPPED: 8 for 4 desired at 200 %, and
// 3 for 3 at 125 %
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html).
func MaximumTasks(desired, maximumPercent int) int { return desired * maximumPercent / 100 }

// CircuitBreakerThreshold is the number of failed tasks that trips the
// deployment circuit breaker: ceil(desired / 2) clamped to [minThreshold,
// 200]. minThreshold is 3 today (10 in the 2023 guide); with 25 desired
// tasks the breaker trips on the 13th failure
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).
func CircuitBreakerThreshold(desired, minThreshold int) int {
	return min(max((desired+1)/2, minThreshold), 200)
}

// TaskObserver is told about a service's tasks entering and leaving
// service: the simplest attachment (see Attachment), for a load balancer
// stand-in. Set as ServiceConfig.Observer, it hears every task of the
// service; nil means none.
type TaskObserver interface {
	// TaskRunning is called when a task of the service reaches RUNNING.
	TaskRunning(now time.Time, t *Task)
	// TaskDeactivating is called when a RUNNING task stops. When it is
	// asked to stop, SIGTERM waits for the duration it returns (the
	// target's deregistration and draining); when it dies (an essential
	// container exit, a lost instance or zone) the duration is ignored.
	TaskDeactivating(now time.Time, t *Task) time.Duration
}

// TargetGroupObserver is a TaskObserver that fronts a target group. When a
// service's observer implements it, the service event log records target
// registration and deregistration as ECS does: "registered 1 targets in
// (target-group ARN)" when a task reaches RUNNING, "has begun draining
// connections on 1 tasks." and "deregistered 1 targets in (target-group
// ARN)" when it is asked to stop.
type TargetGroupObserver interface {
	TaskObserver
	// TargetGroupARN names the target group in events.
	TargetGroupARN() string
}

// ServiceConfig is a CreateService request.
type ServiceConfig struct {
	// Name is 1 to 255 letters, digits, hyphens and underscores, unique in
	// the cluster.
	Name string
	// TaskDefinition is "family:revision" or "family" (latest); required.
	TaskDefinition string
	// DesiredCount is the number of tasks for REPLICA, 0 to 5000; ignored
	// for DAEMON.
	DesiredCount int
	// SchedulingStrategy is REPLICA (the default when empty) or DAEMON.
	SchedulingStrategy SchedulingStrategy
	// LaunchType is EC2 or FARGATE; EXTERNAL returns ErrNotSupported.
	// Empty means CapacityProviderStrategy, else the cluster's default
	// strategy, else EC2 (always EC2 for DAEMON).
	LaunchType LaunchType
	// PlatformVersion is the Fargate platform version: LATEST (the
	// default when empty) or e.g. "1.4.0"; a task definition with Amazon
	// EFS volumes needs MinEFSPlatformVersion or later. Ignored on EC2.
	PlatformVersion string
	// CapacityProviderStrategy splits the service's tasks over capacity
	// providers (base first, then weight); nil means none. Not with
	// LaunchType, nor for DAEMON.
	CapacityProviderStrategy []CapacityProviderStrategyItem
	// DeploymentConfiguration bounds deployments; zero means the defaults.
	DeploymentConfiguration DeploymentConfiguration
	// PlacementConstraints add to the task definition's; together at most
	// 10 (9 for DAEMON, which uses one to pin each task to its instance).
	PlacementConstraints []placement.Constraint
	// PlacementStrategy ranks instances; nil means the built-in AZ balance
	// (spread over zones, then instances,
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html).
	// Not allowed for DAEMON.
	PlacementStrategy []placement.Strategy
	// HealthCheckGracePeriod is how long after RUNNING the scheduler
	// ignores failing health checks; 0 means none.
	HealthCheckGracePeriod time.Duration
	// Observer is told when tasks start and stop serving; nil means none.
	// A *LoadBalancer given here attaches its targets to the tasks (it is
	// an Attacher); more attachments come with Service.Attach.
	Observer TaskObserver
	// AvailabilityZoneRebalancing moves tasks between zones when the
	// service's tasks are unevenly spread over the zones it can use (after
	// a zone outage, say): zero means AZRebalancingDefault.
	AvailabilityZoneRebalancing AZRebalancing
	// NetworkConfiguration puts the service's awsvpc tasks in the given
	// subnets, one address each (see World.CreateSubnet); nil means the
	// cluster's zones and no address accounting. Only for awsvpc task
	// definitions.
	NetworkConfiguration *NetworkConfiguration
}

// ServiceUpdate is an UpdateService request; nil and empty fields keep the
// current value.
type ServiceUpdate struct {
	// DesiredCount sets the desired count (REPLICA only).
	DesiredCount *int
	// TaskDefinition starts a deployment of another revision.
	TaskDefinition string
	// ForceNewDeployment starts a deployment of the same revision.
	ForceNewDeployment bool
	// DeploymentConfiguration replaces the deployment configuration.
	DeploymentConfiguration *DeploymentConfiguration
	// AvailabilityZoneRebalancing turns rebalancing on or off; zero keeps
	// the current setting (as UpdateService without a value does). It
	// starts no deployment.
	AvailabilityZoneRebalancing AZRebalancing
}

// DeploymentStatus is a deployment's role in its service.
type DeploymentStatus string

// Deployment statuses.
const (
	DeploymentPrimary  DeploymentStatus = "PRIMARY"
	DeploymentActive   DeploymentStatus = "ACTIVE"
	DeploymentInactive DeploymentStatus = "INACTIVE"
)

// RolloutState is a deployment's progress.
type RolloutState string

// Rollout states
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).
const (
	RolloutInProgress RolloutState = "IN_PROGRESS"
	RolloutCompleted  RolloutState = "COMPLETED"
	RolloutFailed     RolloutState = "FAILED"
)

// Deployment is one revision a service is rolling to (PRIMARY) or away
// from (ACTIVE).
type Deployment struct {
	s           *Service
	id          string
	def         *TaskDefinition
	plan        *placement.Plan
	status      DeploymentStatus
	rollout     RolloutState
	failedTasks int
	createdAt   time.Time
	daemonPlans map[placement.InstanceID]*placement.Plan
	zonePlans   map[string]*placement.Plan // AZ rebalancing: the plan pinned to each zone
	stopReason  string                     // of the tasks the scheduler stops for this deployment
	// defID is def.identity(), kept here because every reconcile's
	// snapshot takes it (deploymentView): read through def, it cost a
	// trip to memory per deployment and reconcile with thousands of
	// services (BENCHMARKS.md, issue 13, round 18).
	defID taskDefinitionID
}

// ID returns the deployment ID, e.g. "ecs-svc/1234567890123456789".
func (d *Deployment) ID() string { return d.id }

// TaskDefinition returns the revision the deployment runs.
func (d *Deployment) TaskDefinition() *TaskDefinition { return d.def }

// Status returns PRIMARY, ACTIVE or INACTIVE.
func (d *Deployment) Status() DeploymentStatus { return d.status }

// RolloutState returns IN_PROGRESS, COMPLETED or FAILED.
func (d *Deployment) RolloutState() RolloutState { return d.rollout }

// FailedTasks returns the circuit breaker's failure count.
func (d *Deployment) FailedTasks() int { return d.failedTasks }

// ServiceCounters count a service's outcomes.
type ServiceCounters struct {
	TasksStarted         int // tasks placed and started
	TasksStopped         int // tasks that reached STOPPED
	UnplacedTasks        int // tasks a reconcile wanted but could not place, summed over attempts
	StartFailures        int // tasks that stopped before RUNNING with TaskFailedToStart
	UnhealthyStopped     int // tasks stopped for failing health checks
	ThrottledAttempts    int // reconciles that held launches back for the throttle
	DeploymentsCompleted int
	DeploymentsFailed    int
	Rollbacks            int
}

// ServiceStatus is a service's status.
type ServiceStatus string

// Service statuses: a deleted service drains its tasks, then is INACTIVE
// once every task is stopping or stopped
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html).
const (
	ServiceActive   ServiceStatus = "ACTIVE"
	ServiceDraining ServiceStatus = "DRAINING"
	ServiceInactive ServiceStatus = "INACTIVE"
)

// Service is an ECS service.
type Service struct {
	// What a scaler's and a workload's minute read comes first, together,
	// so that thousands of services a minute touch one cache line of each.
	w       *World
	status  ServiceStatus
	desired int
	// running is RunningCount, kept up to date rather than recounted (it is
	// read every minute): a task enters it in onTaskRunning and leaves it
	// when its desired status turns STOPPED (stopTask) or when it is forced
	// to STOPPED (finishTask), whichever comes first.
	running int
	// primary is deployments[0] and deploying is DeploymentInProgress,
	// kept up to date by deploymentsChanged, so that a minute reads this
	// line of the service and not the deployments too.
	primary     *Deployment
	deploying   bool
	deployments []*Deployment // [0] is PRIMARY

	c         *Cluster
	followers []*Workload // the workloads that read the service each minute, or did (Workload.followService)
	cfg       ServiceConfig
	minPct    int
	maxPct    int
	group     placement.GroupID
	completed *Deployment // the last COMPLETED deployment
	tasks     []*Task     // tasks not yet STOPPED
	events    eventLog
	counters  ServiceCounters

	reconcile         Timer
	reconcileAt       time.Duration // when reconcile is due, if pending
	launchTokens      int           // launches left in the rate bucket
	refilledAt        time.Duration // virtual time the bucket was last refilled up to
	bucketStarted     bool
	waiting           bool
	throttleFailures  int
	throttleUntil     time.Time
	steady            bool
	lastPlaceMsg      string
	lastPlaceAt       time.Time
	deadlockEventSent *Deployment

	rebalanceOn   bool  // AZ rebalancing applies (resolved at creation)
	rebalancing   bool  // a rebalancing operation is in progress (for its events)
	rebalanceTask *Task // the extra task started to rebalance, until it serves
	// rebalanceBlockedAt is the cluster's capacityGen + 1 when the last
	// rebalancing task found no room: it stays blocked until the cluster's
	// capacity changes (rebalanceBlocked).
	rebalanceBlockedAt uint64
	index              int
	ls                 launchSpec      // launch type or capacity provider strategy (capacityprovider.go)
	net                *vpcConfig      // NetworkConfiguration, or nil (vpc.go)
	scaling            *ServiceScaling // AttachScaler's, or nil

	// scheduler decides the reconciles (reconcile.go); breaker decides on
	// failed tasks, with buffers of its own since a task can fail while a
	// reconcile applies its actions. Both are the world's (reconcilers).
	scheduler, breaker *reconciler
}

// Name returns the service name.
func (s *Service) Name() string { return s.cfg.Name }

// Status returns ACTIVE, DRAINING or INACTIVE.
func (s *Service) Status() ServiceStatus { return s.status }

// Delete deletes the service as DeleteService does. A REPLICA service must
// be scaled to 0 first unless force is set. The service goes DRAINING, its
// tasks stop, and it is INACTIVE once all of them are stopping or stopped;
// its name can then be reused.
func (s *Service) Delete(force bool) error {
	if err := s.checkActive(); err != nil {
		return err
	}
	if !force && s.cfg.SchedulingStrategy == Replica && s.desired > 0 {
		return fielderr.New(ErrInvalidService, "Service.Delete(force)", force,
			fmt.Sprintf("service %s has desired count %d; scale it to 0 first or delete with force", s.cfg.Name, s.desired))
	}
	s.status, s.desired = ServiceDraining, 0
	s.mirror()
	s.requestReconcile()
	return nil
}

// checkActive refuses a call on a service that has been deleted.
func (s *Service) checkActive() error {
	if s.status != ServiceActive {
		return fielderr.New(ErrInvalidService, "Service", s.cfg.Name, fmt.Sprintf("is %s; only an ACTIVE service can be changed", s.status))
	}
	return nil
}

// Cluster returns the service's cluster.
func (s *Service) Cluster() *Cluster { return s.c }

// DesiredCount returns the desired count (for DAEMON, the number of
// instances it last ran or tried to run a task on).
func (s *Service) DesiredCount() int { return s.desired }

// Counters returns the service's outcome counters.
func (s *Service) Counters() ServiceCounters { return s.counters }

// Deployments returns the deployments, PRIMARY first.
func (s *Service) Deployments() []*Deployment { return append([]*Deployment(nil), s.deployments...) }

// Tasks returns the service's tasks that are not yet STOPPED.
func (s *Service) Tasks() []*Task { return append([]*Task(nil), s.tasks...) }

// RunningCount returns the tasks in RUNNING with desired status RUNNING.
func (s *Service) RunningCount() int { return s.running }

// leaveRunningCount takes t out of its service's RunningCount, if it is in.
func (t *Task) leaveRunningCount() {
	if t.inRunningCount {
		t.inRunningCount = false
		t.service.running--
		t.service.mirror()
	}
}

// PendingCount returns the tasks before RUNNING with desired status RUNNING.
func (s *Service) PendingCount() int {
	n := 0
	for _, t := range s.tasks {
		if t.state < TaskRunning && t.desired == TaskRunning {
			n++
		}
	}
	return n
}

// DeploymentInProgress reports whether a deployment is rolling: the
// primary is not COMPLETED or older deployments still have tasks.
func (s *Service) DeploymentInProgress() bool { return s.deploying }

// deploymentsChanged brings primary and deploying up to date after the
// deployments or the primary's rollout state changed.
func (s *Service) deploymentsChanged() {
	s.primary = s.deployments[0]
	s.deploying = len(s.deployments) > 1 || s.primary.rollout == RolloutInProgress
	s.mirror()
}

// Steady reports whether the service last reached a steady state and has
// not left it since.
func (s *Service) Steady() bool { return s.steady }

// MinimumHealthyPercent and MaximumPercent return the effective bounds.
func (s *Service) MinimumHealthyPercent() int { return s.minPct }

// MaximumPercent returns the effective maximum percent.
func (s *Service) MaximumPercent() int { return s.maxPct }

// SetDesiredCount sets a REPLICA service's desired count; it is what an
// autoscaler calls. It does not start a deployment.
func (s *Service) SetDesiredCount(n int) error {
	if err := s.checkActive(); err != nil {
		return err
	}
	if s.cfg.SchedulingStrategy == Daemon {
		return fielderr.New(ErrInvalidService, "SetDesiredCount(n)", n, "service "+s.cfg.Name+" is DAEMON; it has no desired count")
	}
	if q := s.w.quotas.TasksPerService; n < 0 || n > q {
		return fielderr.New(ErrInvalidService, "SetDesiredCount(n)", n, fmt.Sprintf("must be 0 to %d (Quotas.TasksPerService)", q))
	}
	if n != s.desired {
		s.desired = n
		s.mirror()
		s.steady = false
		s.requestReconcile()
	}
	return nil
}

func (cfg *DeploymentConfiguration) bounds(strategy SchedulingStrategy) (minPct, maxPct int) {
	minPct, maxPct = 100, 200
	if strategy == Daemon {
		minPct, maxPct = 0, 100
	}
	if cfg.MinimumHealthyPercent != nil {
		minPct = *cfg.MinimumHealthyPercent
	}
	if cfg.MaximumPercent != nil {
		maxPct = *cfg.MaximumPercent
	}
	return minPct, maxPct
}

func validateDeploymentConfig(l *fielderr.List, field string, cfg *DeploymentConfiguration, strategy SchedulingStrategy) {
	minPct, maxPct := cfg.bounds(strategy)
	if minPct < 0 || minPct > 100 {
		l.Add(field+".MinimumHealthyPercent", minPct, "must be 0 to 100")
	}
	if strategy == Daemon && maxPct != 100 {
		l.Add(field+".MaximumPercent", maxPct, "must be 100 for a DAEMON service")
	} else if maxPct < 100 && maxPct <= minPct || maxPct > 1000 {
		l.Addf(field+".MaximumPercent", maxPct, "must be at least 100, or above MinimumHealthyPercent %d, and at most 1000", minPct)
	}
}

// CreateService creates a service in the cluster and starts its first
// deployment. Configuration mistakes are errors, every one at once, each a
// *fielderr.Error matching ErrInvalidService (ErrNotFound for a task
// definition that does not exist, ErrNotSupported for EXTERNAL); what
// happens afterwards (tasks that do not fit or fail) is in the event log.
// The cluster holds at most Quotas.ServicesPerCluster services that are
// not INACTIVE. An Observer that is a *LoadBalancer must be this world's
// and front no other service that is still ACTIVE: a load balancer (a
// target group) serves one service at a time, and a new service may take
// it over once the old one is deleted (a blue/green switch).
func (c *Cluster) CreateService(cfg ServiceConfig) (*Service, error) {
	const at = "ServiceConfig."
	w := c.w
	l := fielderr.NewList(ErrInvalidService)
	if !validName(cfg.Name) {
		l.Add(at+"Name", cfg.Name, "must be 1 to 255 letters, digits, hyphens or underscores")
	}
	live := len(c.named)
	if c.named[cfg.Name] != nil {
		l.Add(at+"Name", cfg.Name, "names a service of the cluster that is not yet INACTIVE")
	}
	if live >= w.quotas.ServicesPerCluster {
		l.Addf(at+"Name", cfg.Name, "would be service %d of cluster %s; Quotas.ServicesPerCluster allows %d", live+1, c.name, w.quotas.ServicesPerCluster)
	}
	if cfg.SchedulingStrategy == "" {
		cfg.SchedulingStrategy = Replica
	}
	switch cfg.SchedulingStrategy {
	case Replica:
		if q := w.quotas.TasksPerService; cfg.DesiredCount < 0 || cfg.DesiredCount > q {
			l.Addf(at+"DesiredCount", cfg.DesiredCount, "must be 0 to %d (Quotas.TasksPerService)", q)
		}
	case Daemon:
		if len(cfg.PlacementStrategy) > 0 {
			l.Add(at+"PlacementStrategy", len(cfg.PlacementStrategy), "must be empty: a DAEMON service takes no placement strategy")
		}
	default:
		l.Add(at+"SchedulingStrategy", string(cfg.SchedulingStrategy), "must be REPLICA or DAEMON")
	}
	if cfg.HealthCheckGracePeriod < 0 || cfg.HealthCheckGracePeriod > MaxHealthCheckGracePeriod {
		l.Addf(at+"HealthCheckGracePeriod", cfg.HealthCheckGracePeriod, "must be 0 to %v", MaxHealthCheckGracePeriod)
	}
	validateDeploymentConfig(l, at+"DeploymentConfiguration", &cfg.DeploymentConfiguration, cfg.SchedulingStrategy)
	def, err := w.TaskDefinition(cfg.TaskDefinition)
	joinLeaf(l, ErrNotFound, at+"TaskDefinition", "TaskDefinition", err)
	launchType := cfg.LaunchType
	if cfg.SchedulingStrategy == Daemon && launchType == "" && len(cfg.CapacityProviderStrategy) == 0 {
		launchType = EC2 // a daemon service ignores the cluster's default strategy
	}
	ls := c.resolveLaunch(l, launchType, cfg.CapacityProviderStrategy, def, ErrInvalidService, at+"LaunchType", at+"CapacityProviderStrategy", at+"TaskDefinition")
	checkPlatformVersion(l, at+"PlatformVersion", cfg.PlatformVersion)
	if ls.fargate() {
		checkEFSPlatform(l, at+"PlatformVersion", cfg.PlatformVersion, def)
	}
	if cfg.SchedulingStrategy == Daemon && (ls.fargate() || len(ls.providers) > 0) {
		l.Add(at+"SchedulingStrategy", string(cfg.SchedulingStrategy), "a DAEMON service runs on the EC2 launch type only")
	}
	w.checkObserver(l, at+"Observer", cfg.Observer, nil)
	if lb := classicOf(cfg.Observer, nil); lb != nil {
		checkClassic(l, at+"Observer", lb, def, &ls)
	}
	net := w.checkNetwork(l, at+"NetworkConfiguration", cfg.NetworkConfiguration, def, &ls)
	cfg.PlacementConstraints = slices.Clone(cfg.PlacementConstraints)
	cfg.PlacementStrategy = slices.Clone(cfg.PlacementStrategy)
	cfg.CapacityProviderStrategy = slices.Clone(cfg.CapacityProviderStrategy)
	s := &Service{w: w, c: c, cfg: cfg, status: ServiceActive, desired: cfg.DesiredCount, index: len(w.services), ls: ls, net: net}
	switch compatible := rebalanceCompatible(&cfg, &ls); cfg.AvailabilityZoneRebalancing {
	case AZRebalancingDefault:
		s.rebalanceOn = compatible
	case AZRebalancingEnabled:
		if !compatible {
			l.Add(at+"AvailabilityZoneRebalancing", cfg.AvailabilityZoneRebalancing, "ENABLED needs a REPLICA service on EC2 or FARGATE (no capacity providers) whose placement spreads over Availability Zones first")
		}
		s.rebalanceOn = compatible
	case AZRebalancingDisabled:
	default:
		l.Add(at+"AvailabilityZoneRebalancing", int(cfg.AvailabilityZoneRebalancing), "must be Default, Enabled or Disabled")
	}
	var d *Deployment
	if def != nil {
		d, err = s.newDeployment(def)
		l.Join(err)
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	if err := w.throttle(capacity.CreateService); err != nil {
		return nil, err
	}
	if d != nil {
		d.stampID()
	}
	s.minPct, s.maxPct = cfg.DeploymentConfiguration.bounds(cfg.SchedulingStrategy)
	if cfg.SchedulingStrategy == Daemon {
		s.desired = 0
	}
	s.group = c.place.Group("service:" + cfg.Name)
	s.scheduler, s.breaker = w.reconcilers()
	s.deployments = []*Deployment{d}
	s.deploymentsChanged()
	w.services = append(w.services, s)
	c.services = append(c.services, s)
	if c.named == nil {
		c.named = map[string]*Service{}
	}
	c.named[cfg.Name] = s
	if lb, ok := cfg.Observer.(*LoadBalancer); ok {
		lb.owner = s
	}
	s.requestReconcile()
	return s, nil
}

// MaxHealthCheckGracePeriod is the longest health check grace period ECS
// accepts, 2,147,483,647 seconds
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html).
const MaxHealthCheckGracePeriod = 2_147_483_647 * time.Second

// newDeployment compiles the placement plan of def under the service's
// constraints and strategies.
func (s *Service) newDeployment(def *TaskDefinition) (*Deployment, error) {
	user := append(slices.Clone(def.in.PlacementConstraints), s.cfg.PlacementConstraints...)
	spec := placement.Spec{Constraints: s.net.withFilter(user), Strategies: s.cfg.PlacementStrategy}
	// A daemon's pin to its instance and the subnets' zones are
	// constraints of the plan too.
	limit, why := placement.MaxConstraints, "a service"
	if s.cfg.SchedulingStrategy == Daemon {
		limit, why = limit-1, "a DAEMON service"
	}
	if s.net != nil {
		limit, why = limit-1, why+" with a NetworkConfiguration"
	}
	if limit < placement.MaxConstraints && len(user) > limit {
		return nil, fielderr.New(ErrInvalidService, "ServiceConfig.PlacementConstraints", len(user),
			fmt.Sprintf("%s allows %d placement constraints, the task definition's and the service's together", why, limit))
	}
	plan, err := placement.Compile(spec)
	if err != nil {
		var l fielderr.List
		joinLeaf(&l, ErrInvalidService, "ServiceConfig.Placement", "Spec", err)
		return nil, l.Err()
	}
	return &Deployment{
		s: s, def: def, plan: plan, defID: def.identity(),
		status: DeploymentPrimary, rollout: RolloutInProgress, createdAt: s.w.now(),
	}, nil
}

// stampID gives an accepted deployment its ID. It is drawn only once the
// call that made the deployment is accepted (valid and not throttled), so
// that a refused call leaves the world's IDs as they were.
func (d *Deployment) stampID() {
	d.id = fmt.Sprintf("ecs-svc/%019d", d.s.w.nextID()%1e19)
	d.stopReason = "Scaling activity initiated by (deployment " + d.id + ")"
}

// UpdateService changes a service. A new task definition (or
// ForceNewDeployment) starts a rolling deployment; a new desired count does
// not. A valid call beyond the UpdateService rate limit
// (WorldConfig.APIRateLimits) changes nothing and returns a
// *ThrottlingError matching ErrThrottled.
func (s *Service) UpdateService(u ServiceUpdate) error {
	const at = "ServiceUpdate."
	if err := s.checkActive(); err != nil {
		return err
	}
	l := fielderr.NewList(ErrInvalidService)
	var def *TaskDefinition
	if u.TaskDefinition != "" {
		d, err := s.w.TaskDefinition(u.TaskDefinition)
		joinLeaf(l, ErrNotFound, at+"TaskDefinition", "TaskDefinition", err)
		if d != nil && s.ls.fargate() {
			checkFargateDefinition(l, ErrInvalidService, at+"TaskDefinition", d)
			checkEFSPlatform(l, at+"TaskDefinition", s.cfg.PlatformVersion, d)
		}
		if lb := classicOf(s.cfg.Observer, s.w.serviceAttachments(s).attachers); d != nil && lb != nil {
			checkClassic(l, at+"TaskDefinition", lb, d, &s.ls)
		}
		if d != nil && s.net != nil && d.in.NetworkMode != AWSVPC {
			l.Add(at+"TaskDefinition", d.String(), fmt.Sprintf("has network mode %q; the service's NetworkConfiguration is for awsvpc tasks only", d.in.NetworkMode))
		}
		def = d
	}
	if u.DesiredCount != nil {
		if s.cfg.SchedulingStrategy == Daemon {
			l.Add(at+"DesiredCount", *u.DesiredCount, "must not be set: service "+s.cfg.Name+" is DAEMON")
		} else if q := s.w.quotas.TasksPerService; *u.DesiredCount < 0 || *u.DesiredCount > q {
			l.Addf(at+"DesiredCount", *u.DesiredCount, "must be 0 to %d (Quotas.TasksPerService)", q)
		}
	}
	if u.DeploymentConfiguration != nil {
		validateDeploymentConfig(l, at+"DeploymentConfiguration", u.DeploymentConfiguration, s.cfg.SchedulingStrategy)
	}
	switch u.AvailabilityZoneRebalancing {
	case AZRebalancingDefault, AZRebalancingDisabled:
	case AZRebalancingEnabled:
		if !rebalanceCompatible(&s.cfg, &s.ls) {
			l.Add(at+"AvailabilityZoneRebalancing", u.AvailabilityZoneRebalancing, "ENABLED needs a REPLICA service on EC2 or FARGATE (no capacity providers) whose placement spreads over Availability Zones first; service "+s.cfg.Name+" is not one")
		}
	default:
		l.Add(at+"AvailabilityZoneRebalancing", int(u.AvailabilityZoneRebalancing), "must be Default, Enabled or Disabled")
	}
	var dep *Deployment
	if def != nil && def != s.deployments[0].def || u.ForceNewDeployment && l.Len() == 0 {
		if def == nil {
			def = s.deployments[0].def
		}
		d, err := s.newDeployment(def)
		l.Join(err)
		dep = d
	}
	if err := l.Err(); err != nil {
		return err
	}
	if err := s.w.throttle(capacity.UpdateService); err != nil {
		return err
	}
	if u.DeploymentConfiguration != nil {
		s.cfg.DeploymentConfiguration = *u.DeploymentConfiguration
		s.minPct, s.maxPct = u.DeploymentConfiguration.bounds(s.cfg.SchedulingStrategy)
	}
	if u.DesiredCount != nil {
		s.desired = *u.DesiredCount
		s.mirror()
	}
	if r := u.AvailabilityZoneRebalancing; r != AZRebalancingDefault {
		s.cfg.AvailabilityZoneRebalancing, s.rebalanceOn = r, r == AZRebalancingEnabled
	}
	if dep != nil {
		dep.stampID()
		s.startDeployment(dep)
	}
	s.steady = false
	s.requestReconcile()
	return nil
}

// startDeployment makes d PRIMARY; the others become ACTIVE and are
// retired as the rolling update proceeds.
func (s *Service) startDeployment(d *Deployment) {
	for _, old := range s.deployments {
		old.status = DeploymentActive
	}
	s.apply(nil, deploy(s.deployments[0].defID, d.defID))
	s.deployments = append([]*Deployment{d}, s.deployments...)
	s.deploymentsChanged()
	s.steady = false
}

// requestReconcile runs the scheduler for the service at the current
// instant, once however many changes ask for it. A wake-up already set for
// later (the end of a throttle) is brought forward.
func (s *Service) requestReconcile() {
	now := s.w.sim.Elapsed()
	if s.reconcile.Pending() {
		if s.reconcileAt <= now {
			return
		}
		s.reconcile.Stop()
	}
	s.reconcile, s.reconcileAt = s.w.sim.Schedule(s.w.kReconcile, 0, uint64(s.index)), now
}

func (w *World) onReconcile(arg uint64) { w.services[arg].reconcileNow() }

// place starts n tasks of deployment d through the service's launch type
// or capacity provider strategy, or as many as can start, and records why
// the rest did not.
func (s *Service) place(d *Deployment, n int) {
	r := s.w.newLaunch(s.c, d.def, "service:"+s.cfg.Name, &s.ls, d.plan)
	r.svc, r.dep, r.net = s, d, s.net
	var counts []int
	if len(s.ls.providers) > 0 {
		counts = s.providerCounts()
	}
	r.run(n, counts)
	if r.err != nil {
		panic(fmt.Sprintf("sim: placing tasks of %s: %v", s.cfg.Name, r.err))
	}
	if len(r.started) > 0 {
		s.startedEvent(r.started...)
	}
	if len(r.started) > 0 && len(r.failures) > 0 && s.cfg.DeploymentConfiguration.CircuitBreaker.Enable {
		// ECS's newer event for a deployment that started some of its
		// tasks but not all, for want of capacity, "typically when the
		// circuit breaker is enabled" ("Amazon ECS service event
		// messages",
		// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html).
		// The simulator emits it only then (an assumption: AWS does not
		// say when else); the reason follows in the "unable to place"
		// event.
		failed := 0
		for i := range r.failures {
			failed += r.failures[i].n
		}
		b := appendInt(append(s.beginEvent(), "could not launch "...), failed)
		s.endEvent(append(append(append(b, " tasks for deployment "...), d.id...), '.'))
	}
	for i := range r.failures {
		f := &r.failures[i]
		s.counters.UnplacedTasks += f.n
		s.launchTokens += f.n // tasks that did not launch use no launch quota
		s.waitFor(f.message(s.c))
	}
}

// launch starts a task of d on instance in, where placement has already
// reserved req for it (a daemon's instance, a rebalancing zone).
func (s *Service) launch(d *Deployment, in *Instance, req placement.Task) *Task {
	t := s.w.newTask(d.def, "service:"+s.cfg.Name, req, taskHost{c: s.c}, in)
	s.adopt(t, d)
	return t
}

// unplaced records n tasks that found no instance; the service waits for
// capacity to change. The event repeats at most every five minutes while
// its text stays the same.
func (s *Service) unplaced(r *placement.Rejection, n int) {
	s.counters.UnplacedTasks += n
	s.waitFor(s.c.unplaceableMessage(r))
}

// daemonPlan returns the plan that places d's task on exactly instance in:
// the deployment's constraints plus memberOf(ec2InstanceId == id). The
// placement package has no "place on this instance" call, so the pin is a
// constraint; plans are cached per instance.
func (d *Deployment) daemonPlan(in *Instance) *placement.Plan {
	if p, ok := d.daemonPlans[in.placeID]; ok {
		return p
	}
	if d.daemonPlans == nil {
		d.daemonPlans = map[placement.InstanceID]*placement.Plan{}
	}
	spec := d.plan.Spec()
	spec.Constraints = append(spec.Constraints, placement.Constraint{Type: placement.MemberOf, Expression: "ec2InstanceId == " + in.ec2ID})
	p := placement.MustCompile(spec)
	d.daemonPlans[in.placeID] = p
	return p
}

// onTaskRunning resets the launch throttle. Its attachments have heard the
// task reach RUNNING (a load balancer registered its target), which the
// event log records for a target group observer.
func (s *Service) onTaskRunning(t *Task) {
	s.running++ // the task is RUNNING with desired status RUNNING
	s.mirror()
	t.inRunningCount = true
	s.throttleFailures, s.throttleUntil = 0, time.Time{}
	if lb := classicOf(s.cfg.Observer, nil); lb != nil {
		s.endEvent(append(append(append(s.beginEvent(), "registered 1 instances in (elb "...), lb.cfg.Name...), ')'))
	} else if tg, ok := s.cfg.Observer.(TargetGroupObserver); ok {
		s.endEvent(append(appendTargetGroupARN(append(s.beginEvent(), "registered 1 targets in (target-group "...), tg), ')'))
	}
	// No reconcile: a RUNNING task changes no count the scheduler uses
	// until it is healthy (onTaskHealth).
}

// onTaskHealth is the health rule for a service task (World.judgeHealth
// is the one health path that calls it). A task failing a health check,
// its container's or a health gate's such as its load balancer target's,
// is stopped and replaced with failure as its stopped reason once the
// health check grace period is over; inside it the failure is ignored and
// judged again when the period ends. Any other change of health may let
// the scheduler move on.
func (s *Service) onTaskHealth(t *Task, failure string) {
	if failure != "" {
		if graceEnd := t.startedAt.Add(s.cfg.HealthCheckGracePeriod); s.w.now().Before(graceEnd) {
			s.w.judgeHealthAt(t, graceEnd)
			return
		}
		t.countsHealthy = false
		s.counters.UnhealthyStopped++
		s.classicUnhealthy(t, failure)
		s.w.stopTask(t, StopServiceSchedulerInitiated, failure)
		s.stoppedEvent(t)
		s.countFailure(t.dep)
	}
	s.requestReconcile()
}

// onTaskStopped forgets a STOPPED task; a task that never ran feeds the
// throttle and the circuit breaker.
func (s *Service) onTaskStopped(t *Task) {
	if i := slices.Index(s.tasks, t); i >= 0 {
		s.tasks = slices.Delete(s.tasks, i, i+1)
	}
	s.counters.TasksStopped++
	s.steady = false
	if t.stopCode == StopTaskFailedToStart {
		s.counters.StartFailures++
		s.throttleFailures++
		if s.throttleFailures >= 2 {
			delay := min(s.w.cfg.ThrottleInitial<<min(s.throttleFailures-2, 20), MaxThrottleDelay)
			s.throttleUntil = s.w.now().Add(delay)
			if s.throttleFailures == 2 {
				s.eventText("is unable to consistently start tasks successfully. For more information, see the Troubleshooting section.")
			}
		}
		s.countFailure(t.dep)
	}
	s.requestReconcile()
}

// String summarises the service, e.g. "web: 3 running, 0 pending, desired 3".
func (s *Service) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d running, %d pending, desired %d", s.cfg.Name, s.RunningCount(), s.PendingCount(), s.desired)
	return b.String()
}
