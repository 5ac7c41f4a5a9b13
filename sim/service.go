package sim

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
)

// SchedulingStrategy is how a service decides how many tasks to run.
type SchedulingStrategy string

// Scheduling strategies (aws-behaviour.md §3.1).
const (
	// Replica keeps DesiredCount tasks, spread over zones by default.
	Replica SchedulingStrategy = "REPLICA"
	// Daemon keeps one task on every ACTIVE instance that meets the
	// constraints.
	Daemon SchedulingStrategy = "DAEMON"
)

// CircuitBreaker is the deployment circuit breaker setting (§3.3).
type CircuitBreaker struct {
	// Enable turns the breaker on.
	Enable bool
	// Rollback starts a deployment back to the last COMPLETED one when the
	// breaker trips.
	Rollback bool
}

// DeploymentConfiguration bounds a rolling deployment (§3.2).
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

// MinimumHealthyTasks is ceil(desired × minimumHealthyPercent / 100): the
// healthy RUNNING tasks a deployment keeps (worked example F).
func MinimumHealthyTasks(desired, minimumHealthyPercent int) int {
	return (desired*minimumHealthyPercent + 99) / 100
}

// MaximumTasks is floor(desired × maximumPercent / 100): the most tasks a
// deployment may have that are not STOPPED (worked example F).
func MaximumTasks(desired, maximumPercent int) int { return desired * maximumPercent / 100 }

// CircuitBreakerThreshold is the number of failed tasks that trips the
// deployment circuit breaker: ceil(desired / 2) clamped to [minThreshold,
// 200] (worked example G; minThreshold is 3 today, 10 in 2023).
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
	// (spread over zones, then instances; §1.4). Not allowed for DAEMON.
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

// Rollout states (§3.3).
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

// Service statuses (§3.1): a deleted service drains its tasks, then is
// INACTIVE once every task is stopping or stopped.
const (
	ServiceActive   ServiceStatus = "ACTIVE"
	ServiceDraining ServiceStatus = "DRAINING"
	ServiceInactive ServiceStatus = "INACTIVE"
)

// Service is an ECS service.
type Service struct {
	w           *World
	status      ServiceStatus
	c           *Cluster
	cfg         ServiceConfig
	minPct      int
	maxPct      int
	desired     int
	group       placement.GroupID
	deployments []*Deployment // [0] is PRIMARY
	completed   *Deployment   // the last COMPLETED deployment
	tasks       []*Task       // tasks not yet STOPPED
	events      []ServiceEvent
	counters    ServiceCounters

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
	// rebalanceBlocked: the last rebalancing task found no room; cleared
	// when the cluster's capacity changes.
	rebalanceBlocked bool
	index            int
	ls               launchSpec      // launch type or capacity provider strategy (capacityprovider.go)
	scaling          *ServiceScaling // AttachScaler's, or nil
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

// Events returns the service's event log, oldest first: every event, or
// the last Retention.Events.
func (s *Service) Events() []ServiceEvent { return s.w.recent(s.events) }

// Counters returns the service's outcome counters.
func (s *Service) Counters() ServiceCounters { return s.counters }

// Deployments returns the deployments, PRIMARY first.
func (s *Service) Deployments() []*Deployment { return append([]*Deployment(nil), s.deployments...) }

// Tasks returns the service's tasks that are not yet STOPPED.
func (s *Service) Tasks() []*Task { return append([]*Task(nil), s.tasks...) }

// RunningCount returns the tasks in RUNNING with desired status RUNNING.
func (s *Service) RunningCount() int {
	n := 0
	for _, t := range s.tasks {
		if t.state == TaskRunning && t.desired == TaskRunning {
			n++
		}
	}
	return n
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
func (s *Service) DeploymentInProgress() bool {
	return len(s.deployments) > 1 || s.deployments[0].rollout == RolloutInProgress
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
	live := 0
	for _, s := range c.services {
		if s.status == ServiceInactive {
			continue
		}
		live++
		if s.cfg.Name == cfg.Name {
			l.Add(at+"Name", cfg.Name, "names a service of the cluster that is not yet INACTIVE")
		}
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
	if cfg.SchedulingStrategy == Daemon && (ls.fargate() || len(ls.providers) > 0) {
		l.Add(at+"SchedulingStrategy", string(cfg.SchedulingStrategy), "a DAEMON service runs on the EC2 launch type only")
	}
	w.checkObserver(l, at+"Observer", cfg.Observer, nil)
	cfg.PlacementConstraints = slices.Clone(cfg.PlacementConstraints)
	cfg.PlacementStrategy = slices.Clone(cfg.PlacementStrategy)
	cfg.CapacityProviderStrategy = slices.Clone(cfg.CapacityProviderStrategy)
	s := &Service{w: w, c: c, cfg: cfg, status: ServiceActive, desired: cfg.DesiredCount, index: len(w.services), ls: ls}
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
	s.minPct, s.maxPct = cfg.DeploymentConfiguration.bounds(cfg.SchedulingStrategy)
	if cfg.SchedulingStrategy == Daemon {
		s.desired = 0
	}
	s.group = c.place.Group("service:" + cfg.Name)
	s.deployments = []*Deployment{d}
	w.services = append(w.services, s)
	c.services = append(c.services, s)
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
	spec := placement.Spec{
		Constraints: append(slices.Clone(def.in.PlacementConstraints), s.cfg.PlacementConstraints...),
		Strategies:  s.cfg.PlacementStrategy,
	}
	if s.cfg.SchedulingStrategy == Daemon && len(spec.Constraints) >= placement.MaxConstraints {
		return nil, fielderr.New(ErrInvalidService, "ServiceConfig.PlacementConstraints", len(spec.Constraints),
			fmt.Sprintf("a DAEMON service allows %d placement constraints, the task definition's and the service's together", placement.MaxConstraints-1))
	}
	plan, err := placement.Compile(spec)
	if err != nil {
		var l fielderr.List
		joinLeaf(&l, ErrInvalidService, "ServiceConfig.Placement", "Spec", err)
		return nil, l.Err()
	}
	id := fmt.Sprintf("ecs-svc/%019d", s.w.nextID()%1e19)
	return &Deployment{
		s: s, id: id, def: def, plan: plan, stopReason: "Scaling activity initiated by (deployment " + id + ")",
		status: DeploymentPrimary, rollout: RolloutInProgress, createdAt: s.w.now(),
	}, nil
}

// UpdateService changes a service. A new task definition (or
// ForceNewDeployment) starts a rolling deployment; a new desired count does
// not.
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
	if u.DeploymentConfiguration != nil {
		s.cfg.DeploymentConfiguration = *u.DeploymentConfiguration
		s.minPct, s.maxPct = u.DeploymentConfiguration.bounds(s.cfg.SchedulingStrategy)
	}
	if u.DesiredCount != nil {
		s.desired = *u.DesiredCount
	}
	if r := u.AvailabilityZoneRebalancing; r != AZRebalancingDefault {
		s.cfg.AvailabilityZoneRebalancing, s.rebalanceOn = r, r == AZRebalancingEnabled
	}
	if dep != nil {
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
	if d.def != s.deployments[0].def {
		// A new task definition resets the launch throttle (§3.5).
		s.throttleFailures, s.throttleUntil = 0, time.Time{}
	}
	s.deployments = append([]*Deployment{d}, s.deployments...)
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

func (w *World) onReconcile(arg uint64) {
	s := w.services[arg]
	switch {
	case s.status == ServiceInactive:
		return
	case s.status == ServiceDraining:
		s.drainDeleted()
		return
	case s.cfg.SchedulingStrategy == Daemon:
		s.reconcileDaemon()
	default:
		s.reconcileReplica()
	}
	s.checkSteady()
}

// drainDeleted stops every task of a deleted service; the service is
// INACTIVE once all are stopping or stopped.
func (s *Service) drainDeleted() {
	var stopped []*Task
	for _, t := range s.tasks {
		if t.desired == TaskRunning {
			s.w.stopTask(t, StopServiceSchedulerInitiated, "Service "+s.cfg.Name+" was deleted")
			stopped = append(stopped, t)
		}
	}
	if len(stopped) > 0 {
		s.event("has stopped %d running tasks: %s.", len(stopped), taskList(stopped))
	}
	s.status = ServiceInactive
	if s.waiting {
		s.c.waiting = slices.DeleteFunc(s.c.waiting, func(x *Service) bool { return x == s })
		s.waiting = false
	}
}

// servesHealthy reports whether t counts toward minimumHealthyPercent.
func servesHealthy(t *Task) bool {
	return t.desired == TaskRunning && t.state == TaskRunning && t.countsHealthy
}

// reconcileReplica is one pass of the replica scheduler: scale in, retire
// tasks of older deployments and on draining instances down to the minimum
// healthy bound, and start primary tasks up to the maximum bound.
func (s *Service) reconcileReplica() {
	p := s.deployments[0]
	desired := s.desired
	maxTotal := MaximumTasks(desired, s.maxPct)
	minHealthy := MinimumHealthyTasks(desired, s.minPct)
	total, healthy := len(s.tasks), 0
	// Scratch slices live on the World: reconciles run one at a time and
	// are the hottest path of a large simulation.
	w := s.w
	active, retire, stopped := w.scratchActive[:0], w.scratchRetire[:0], w.scratchStopped[:0]
	defer func() { w.scratchActive, w.scratchRetire, w.scratchStopped = active[:0], retire[:0], stopped[:0] }()
	for _, t := range s.tasks {
		if t.desired != TaskRunning {
			continue
		}
		if servesHealthy(t) {
			healthy++
		}
		if t.dep == p && !t.onDraining {
			active = append(active, t)
		} else {
			retire = append(retire, t)
		}
	}
	reason := p.stopReason
	stop := func(t *Task) {
		if servesHealthy(t) {
			healthy--
		}
		s.w.stopTask(t, StopServiceSchedulerInitiated, reason)
		stopped = append(stopped, t)
	}
	retireOne := func(t *Task) {
		if p.rollout == RolloutFailed && !t.onDraining {
			return // a failed deployment without rollback keeps the old tasks serving
		}
		if !servesHealthy(t) || healthy-1 >= minHealthy {
			stop(t)
		}
	}
	// Scale in: stop the surplus, tasks not yet RUNNING first (newest
	// first), then RUNNING tasks not yet healthy, then healthy victims
	// chosen by the placement rules. ECS documents only the last rule; the
	// preference for tasks that serve nothing yet is an assumption.
	// A task started to rebalance keeps its place until it serves; then
	// the surplus it makes is stopped in the fullest zone (see rebalance).
	keep := desired
	if rt := s.rebalanceTask; rt != nil {
		switch {
		case rt.desired != TaskRunning || rt.dep != p:
			s.rebalanceTask = nil
		case servesHealthy(rt):
			s.rebalanceTask = nil
		default:
			keep++
		}
	}
	if surplus := len(active) - keep; surplus > 0 {
		for pass := range 2 {
			for i := len(active) - 1; i >= 0 && surplus > 0; i-- {
				t := active[i]
				if t.desired == TaskRunning && (pass == 0 && t.state < TaskRunning || pass == 1 && !servesHealthy(t)) {
					stop(t)
					surplus--
				}
			}
		}
		if surplus > 0 && s.ls.fargate() {
			for _, t := range s.fargateVictims(active, surplus) {
				stop(t)
			}
		} else if surplus > 0 {
			running, owners := w.scratchRunning[:0], w.scratchOwners[:0]
			defer func() { w.scratchRunning, w.scratchOwners = running[:0], owners[:0] }()
			for _, t := range active {
				if t.desired == TaskRunning {
					running = append(running, placement.RunningTask{Instance: t.inst.placeID, Task: t.req})
					owners = append(owners, t)
				}
			}
			victims, err := s.c.place.ChooseVictims(p.plan, running, surplus, s.w.rngPlace)
			if err != nil {
				panic(fmt.Sprintf("sim: choosing scale-in victims of %s: %v", s.cfg.Name, err))
			}
			for _, v := range victims {
				stop(owners[v])
			}
		}
		active = slices.DeleteFunc(active, func(t *Task) bool { return t.desired != TaskRunning })
	}
	// Retire: tasks that do not count as healthy go at once; healthy ones
	// only while the healthy count stays at or above the minimum. Tasks
	// that are not healthy go first: two passes keep each group in order.
	for pass := range 2 {
		for _, t := range retire {
			if servesHealthy(t) != (pass == 1) || t.desired != TaskRunning {
				continue
			}
			retireOne(t)
		}
	}
	if len(stopped) > 0 {
		s.event("has stopped %d running tasks: %s.", len(stopped), taskList(stopped))
	}
	// Start primary tasks within the maximum.
	need := desired - len(active)
	room := maxTotal - total
	if n := min(need, room); n > 0 && p.rollout != RolloutFailed {
		if s.throttled() {
			return
		}
		if n = s.takeLaunchTokens(n); n > 0 {
			s.place(p, n)
		}
	} else if need > 0 && room <= 0 && len(stopped) == 0 && len(retire) > 0 &&
		maxTotal <= desired && minHealthy >= desired && s.deadlockEventSent != p {
		s.deadlockEventSent = p
		s.event("was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.")
	} else if s.rebalanceOn && s.rebalanceTask == nil && !s.rebalanceBlocked && need == 0 && len(stopped) == 0 && len(retire) == 0 &&
		len(s.deployments) == 1 && !s.waiting && allHealthy(active) {
		s.rebalance(p, active, maxTotal)
	}
}

// allHealthy reports whether every task serves healthy.
func allHealthy(ts []*Task) bool {
	for _, t := range ts {
		if !servesHealthy(t) {
			return false
		}
	}
	return true
}

// throttled reports whether launches are held back by the back-off for
// tasks that keep failing to start, and arranges a wake-up when it ends.
func (s *Service) throttled() bool {
	now := s.w.now()
	if now.Before(s.throttleUntil) {
		s.counters.ThrottledAttempts++
		at := s.throttleUntil.Sub(s.w.sim.Start())
		if !s.reconcile.Pending() || s.reconcileAt > at {
			s.reconcile.Stop()
			s.reconcile, s.reconcileAt = s.w.sim.ScheduleAt(s.w.kReconcile, at, uint64(s.index)), at
		}
		return true
	}
	return false
}

// takeLaunchTokens grants up to n launches from the service's launch-rate
// bucket and, when it grants fewer, arranges a reconcile for when the next
// launch is allowed. Unused grants are returned by place.
func (s *Service) takeLaunchTokens(n int) int {
	rate := s.launchRate()
	now := s.w.sim.Elapsed()
	per := time.Minute / time.Duration(rate) // one launch token per this much time
	if !s.bucketStarted {
		s.bucketStarted, s.launchTokens, s.refilledAt = true, rate, now
	}
	if add := int((now - s.refilledAt) / per); add > 0 {
		s.launchTokens = min(s.launchTokens+add, rate)
		s.refilledAt += time.Duration(add) * per
		if s.launchTokens == rate {
			s.refilledAt = now
		}
	}
	granted := min(n, s.launchTokens)
	s.launchTokens -= granted
	if granted < n {
		at := s.refilledAt + per
		if !s.reconcile.Pending() || s.reconcileAt > at {
			s.reconcile.Stop()
			s.reconcile, s.reconcileAt = s.w.sim.ScheduleAt(s.w.kReconcile, at, uint64(s.index)), at
		}
	}
	return granted
}

// place starts n tasks of deployment d through the service's launch type
// or capacity provider strategy, or as many as can start, and records why
// the rest did not.
func (s *Service) place(d *Deployment, n int) {
	r := s.w.newLaunch(s.c, d.def, "service:"+s.cfg.Name, &s.ls, d.plan)
	r.svc, r.dep = s, d
	var counts []int
	if len(s.ls.providers) > 0 {
		counts = s.providerCounts()
	}
	r.run(n, counts)
	if r.err != nil {
		panic(fmt.Sprintf("sim: placing tasks of %s: %v", s.cfg.Name, r.err))
	}
	if len(r.started) > 0 {
		s.event("has started %d tasks: %s.", len(r.started), taskList(r.started))
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

// reconcileDaemon keeps one task of the primary deployment on every ACTIVE
// instance that meets the constraints. With maximumPercent 100 an old
// task must stop before its replacement starts, within the minimum
// healthy bound.
func (s *Service) reconcileDaemon() {
	p := s.deployments[0]
	reason := p.stopReason
	byInst := map[*Instance][]*Task{}
	healthy := 0
	for _, t := range s.tasks {
		byInst[t.inst] = append(byInst[t.inst], t)
		if servesHealthy(t) {
			healthy++
		}
	}
	var stopped, started []*Task
	stop := func(t *Task) {
		if servesHealthy(t) {
			healthy--
		}
		s.w.stopTask(t, StopServiceSchedulerInitiated, reason)
		stopped = append(stopped, t)
	}
	// Daemon tasks on draining instances stop last (§3.1): once no replica
	// task is left on the instance (finishTask asks again when the last
	// one stops).
	for _, t := range s.tasks {
		if t.desired == TaskRunning && t.inst.status != InstanceActive && !t.inst.hasReplicaTasks() {
			stop(t)
		}
	}
	eligible := 0
	for _, t := range s.tasks {
		if t.desired == TaskRunning && t.inst.status == InstanceActive {
			eligible++
		}
	}
	type slot struct {
		in  *Instance
		old *Task
	}
	var todo []slot
	for _, in := range s.c.byPlaceID {
		if in == nil || in.status != InstanceActive {
			continue
		}
		var hasPrimary, busy bool
		var old *Task
		for _, t := range byInst[in] {
			switch {
			case t.desired != TaskRunning:
				busy = true // wait until it is STOPPED: maximumPercent is 100
			case t.dep == p:
				hasPrimary = true
			default:
				old = t
			}
		}
		if hasPrimary || (busy && old == nil) {
			continue
		}
		todo = append(todo, slot{in, old})
	}
	desired := eligible
	minHealthy := MinimumHealthyTasks(desired, s.minPct)
	var rejection *placement.Rejection
	unplaced := 0
	for _, sl := range todo {
		if sl.old != nil {
			if !servesHealthy(sl.old) || healthy-1 >= minHealthy {
				stop(sl.old)
			}
			continue
		}
		if p.rollout == RolloutFailed || s.throttled() {
			continue
		}
		plan := p.daemonPlan(sl.in)
		req := p.def.placementTask(s.group)
		res, err := s.c.place.Place(plan, req, s.w.rngPlace)
		if err != nil {
			panic(fmt.Sprintf("sim: placing daemon task of %s: %v", s.cfg.Name, err))
		}
		if res.Placed() {
			started = append(started, s.launch(p, s.c.byPlaceID[res.Instance], req))
			desired++
			continue
		}
		if res.Rejection.Reason != placement.ReasonConstraint || res.Rejection.Constraint < len(plan.Spec().Constraints)-1 {
			// A resource shortfall, or a user constraint: only the last
			// constraint is the pin to this instance, which other
			// instances fail by design.
			if res.Rejection.Reason != placement.ReasonConstraint {
				rejection = res.Rejection
				unplaced++
				desired++
			}
		}
	}
	s.desired = desired
	if len(stopped) > 0 {
		s.event("has stopped %d running tasks: %s.", len(stopped), taskList(stopped))
	}
	if len(started) > 0 {
		s.event("has started %d tasks: %s.", len(started), taskList(started))
	}
	if rejection != nil {
		s.unplaced(rejection, unplaced)
	}
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
	s.throttleFailures, s.throttleUntil = 0, time.Time{}
	if tg, ok := s.cfg.Observer.(TargetGroupObserver); ok {
		s.event("registered 1 targets in (target-group %s)", tg.TargetGroupARN())
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
		s.w.stopTask(t, StopServiceSchedulerInitiated, failure)
		s.event("has stopped 1 running tasks: %s.", taskList([]*Task{t}))
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
				s.event("is unable to consistently start tasks successfully. For more information, see the Troubleshooting section.")
			}
		}
		s.countFailure(t.dep)
	}
	s.requestReconcile()
}

// countFailure feeds the circuit breaker of deployment d.
func (s *Service) countFailure(d *Deployment) {
	cb := s.cfg.DeploymentConfiguration.CircuitBreaker
	if !cb.Enable || d.rollout != RolloutInProgress || d != s.deployments[0] {
		return
	}
	d.failedTasks++
	if d.failedTasks < CircuitBreakerThreshold(s.desired, s.w.cfg.CircuitBreakerMinThreshold) {
		return
	}
	d.rollout = RolloutFailed
	s.counters.DeploymentsFailed++
	s.event("(deployment %s) deployment failed: tasks failed to start.", d.id)
	if cb.Rollback && s.completed != nil {
		back, err := s.newDeployment(s.completed.def)
		if err != nil {
			panic(err) // the plan compiled before
		}
		s.counters.Rollbacks++
		s.event("(deployment %s) rolling back to deployment %s (task definition %s).", d.id, s.completed.id, s.completed.def)
		s.startDeployment(back)
	}
}

// checkSteady completes the primary deployment and reports a steady state
// once every task is a healthy RUNNING task of the primary, as many as
// desired.
func (s *Service) checkSteady() {
	p := s.deployments[0]
	if len(s.tasks) != s.desired || p.rollout == RolloutFailed {
		return
	}
	for _, t := range s.tasks {
		if t.dep != p || !servesHealthy(t) || t.onDraining {
			return
		}
	}
	if p.rollout == RolloutInProgress {
		p.rollout = RolloutCompleted
		for _, d := range s.deployments[1:] {
			d.status = DeploymentInactive
		}
		s.deployments = s.deployments[:1]
		s.completed = p
		s.counters.DeploymentsCompleted++
		s.event("(deployment %s) deployment completed.", p.id)
	}
	if !s.steady {
		s.steady = true
		s.event("has reached a steady state.")
	}
}

// String summarises the service, e.g. "web: 3 running, 0 pending, desired 3".
func (s *Service) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d running, %d pending, desired %d", s.cfg.Name, s.RunningCount(), s.PendingCount(), s.desired)
	return b.String()
}
