package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/internal/preload"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim/capacity"
)

// World errors. Each matches ErrConfig too, except ErrNotFound and
// ErrNotSupported, so a caller can test for "any configuration mistake".
var (
	// ErrInvalidTaskDefinition marks a task definition that RegisterTaskDefinition rejects.
	ErrInvalidTaskDefinition = fmt.Errorf("%w: task definition", ErrConfig)
	// ErrInvalidService marks a service configuration or update that ECS rejects.
	ErrInvalidService = fmt.Errorf("%w: service", ErrConfig)
	// ErrInvalidRunTask marks a RunTask request that ECS rejects.
	ErrInvalidRunTask = fmt.Errorf("%w: run task", ErrConfig)
	// ErrNotFound marks a reference to a cluster, instance, task definition,
	// service or task that does not exist.
	ErrNotFound = errors.New("sim: not found")
	// ErrNotSupported marks a feature the simulator does not model yet
	// (the EXTERNAL launch type).
	ErrNotSupported = errors.New("sim: not supported yet")
)

// Latencies are the durations of the world's lifecycle steps. Each unset
// field takes the default in its comment; the defaults are a synthesis of
// public measurements (cited per field), to be overridden per scenario.
type Latencies struct {
	// InstanceLaunch is RunInstances to agent registration (API call,
	// pending→running, OS boot, agent start). Default uniform(30s, 60s)
	// (≈25–30 s to SSH on current instance types,
	// http://www.daemonology.net/blog/2021-08-12-EC2-boot-time-benchmarking.html,
	// plus 5–15 s assumed for the agent to register).
	InstanceLaunch Dist
	// ENIAttach is PROVISIONING for an awsvpc task. Default uniform(5s, 10s)
	// ("several seconds" per task,
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-recommendations.html;
	// under 10 s per ENI observed at scale).
	ENIAttach Dist
	// ImagePull is the pull in PENDING when the instance does not have the
	// image yet. Default uniform(5s, 20s), an assumption: a 250–1000 MB
	// image at 50–100 MB/s. Cached images take no time
	// (ECS_IMAGE_PULL_BEHAVIOR prefer-cached).
	ImagePull Dist
	// ContainerStart is the rest of PENDING: creating and starting the
	// containers. Default uniform(1s, 3s) (reports of EC2 with warm
	// capacity ≈2 s).
	ContainerStart Dist
	// Activating is ACTIVATING (service discovery, target registration).
	// Default fixed(0).
	Activating Dist
	// Deactivating is the world's own pre-stop work in DEACTIVATING,
	// before SIGTERM. The attachments' holds (a load balancer's
	// deregistration delay, a TaskObserver's delay) run alongside it: the
	// longer decides. Default fixed(0).
	Deactivating Dist
	// ENIDetach is DEPROVISIONING for an awsvpc task. Default uniform(1s, 5s).
	ENIDetach Dist
}

func (l Latencies) withDefaults() Latencies {
	l.InstanceLaunch = l.InstanceLaunch.Or(Uniform(30*time.Second, 60*time.Second))
	l.ENIAttach = l.ENIAttach.Or(Uniform(5*time.Second, 10*time.Second))
	l.ImagePull = l.ImagePull.Or(Uniform(5*time.Second, 20*time.Second))
	l.ContainerStart = l.ContainerStart.Or(Uniform(1*time.Second, 3*time.Second))
	l.Activating = l.Activating.Or(Fixed(0))
	l.Deactivating = l.Deactivating.Or(Fixed(0))
	l.ENIDetach = l.ENIDetach.Or(Uniform(1*time.Second, 5*time.Second))
	return l
}

// WorldConfig configures the ECS world. The zero value is valid.
type WorldConfig struct {
	// Catalog lists the instance types that can be launched; nil means
	// DefaultCatalog.
	Catalog *Catalog
	// ReservedMemoryMiB is ECS_RESERVED_MEMORY: MiB the agent withholds from
	// tasks on every instance, beyond the OS overhead (see
	// InstanceType.RegisteredMemoryMiB); 0 is the agent default.
	ReservedMemoryMiB int
	// Latencies are the lifecycle durations; unset fields take defaults.
	Latencies Latencies
	// CircuitBreakerMinThreshold is the lower clamp of the deployment
	// circuit breaker threshold; 0 means 3, the current API reference (the
	// 2023 developer guide said 10;
	// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html).
	CircuitBreakerMinThreshold int
	// ThrottleInitial is the first launch delay of a service whose tasks
	// keep failing to start; it doubles with every further consecutive
	// failure up to 15 minutes
	// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-throttle-logic.html).
	// 0 means 15 s. ECS documents only the
	// 15-minute ceiling; the start and growth are assumptions.
	ThrottleInitial time.Duration
	// ServiceLaunchRate is how many tasks one service may launch per
	// minute: a token bucket holding that many launches, refilled evenly
	// over the minute. 0 means 250, the EC2 quota (adjustable in AWS;
	// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
	ServiceLaunchRate int
	// Capacity configures Fargate, Fargate Spot and billing; the zero
	// value is valid (see CapacityConfig).
	Capacity CapacityConfig
	// Retention bounds what the world remembers of stopped tasks and of
	// service events; the zero value keeps everything (see Retention).
	Retention Retention
	// OnServiceEvent, if set, is called with every service event as it is
	// logged, before Retention can drop it: the way to keep a full log of a
	// long run somewhere other than memory. It must not call back into the
	// world.
	OnServiceEvent func(ServiceEvent)
	// Quotas are the AWS service quotas the world enforces; zero fields
	// mean AWS's defaults (see Quotas).
	Quotas Quotas
	// AWSVPCTrunking is the account setting awsvpcTrunking: container
	// instances launched while it is on get a trunk ENI and host
	// InstanceType.TrunkedTasks awsvpc tasks instead of TaskENIs (see
	// World.SetAWSVPCTrunking). Off by default, as in AWS.
	AWSVPCTrunking bool
	// APIRateLimits are the token buckets of the ECS API actions the
	// world throttles (RunTask, StopTask, CreateService, UpdateService;
	// StartTask's is kept for callers, the world has no StartTask). A
	// throttled call returns an error matching ErrThrottled; Retry
	// retries as the AWS SDKs do. The zero value is AWS's defaults (see
	// capacity.APIRateLimits for the figures and their sources).
	//
	// The service scheduler's own launches are not API calls of the
	// account: ECS documents them under their own quota, "Tasks launched
	// per service per minute" (ServiceLaunchRate), and Fargate launches
	// of any origin under the Fargate task launch bucket
	// (CapacityConfig), so neither spends RunTask tokens. Nor does
	// Service.SetDesiredCount, which stands for Application Auto
	// Scaling's call on the account's behalf (an assumption: AWS does not
	// say whether that call counts against the account's UpdateService
	// bucket).
	APIRateLimits capacity.APIRateLimits
}

// Retention bounds what the world remembers of its past, so that a long
// run holds memory in proportion to what is live rather than to everything
// that ever happened (BenchmarkWorldDay's busy day starts 104,000 tasks and
// logs 110,000 service events, about 80 MiB). Forgetting changes only what World.Tasks, World.Events
// and Service.Events return: the simulation runs event for event the same,
// and a caller that still holds a forgotten *Task can keep reading it.
// The zero value keeps everything.
type Retention struct {
	// StoppedTasks is how long a STOPPED task stays in World.Tasks after
	// it stopped; 0 keeps every task for the whole run. ECS lists stopped
	// tasks for at least an hour after they stop. The world keeps 8 bytes
	// per task ever started either way (task IDs index a table).
	StoppedTasks time.Duration
	// Events is how many of the most recent service events each event log
	// keeps: World.Events, Service.Events of each service, and the
	// decision log of each ServiceScaling (Decisions); 0 keeps all.
	// DescribeServices returns a service's 100 most recent events.
	Events int
	// Periods is how many of the most recent report periods each Workload
	// keeps (Periods); 0 keeps all. With hourly periods, 48 keeps two days.
	Periods int
}

func (r Retention) validate(l *fielderr.List) {
	if r.StoppedTasks < 0 {
		l.Add("WorldConfig.Retention.StoppedTasks", r.StoppedTasks, "must be 0 (keep every task) or positive")
	}
	if r.Events < 0 {
		l.Add("WorldConfig.Retention.Events", r.Events, "must be 0 (keep every event) or positive")
	}
	if r.Periods < 0 {
		l.Add("WorldConfig.Retention.Periods", r.Periods, "must be 0 (keep every period) or positive")
	}
}

// MaxLaunchRate is the highest launch rate a service may be given, in
// tasks per minute (WorldConfig.ServiceLaunchRate,
// CapacityConfig.FargateServiceLaunchRate): a launch token every 60 ns,
// far beyond AWS's rates and still a whole number of nanoseconds.
const MaxLaunchRate = 1_000_000

// Validate reports every problem with c, joined; each is a
// *fielderr.Error matching ErrConfig.
func (c WorldConfig) Validate() error {
	l := fielderr.NewList(ErrConfig)
	if c.ReservedMemoryMiB < 0 || c.ReservedMemoryMiB > placement.MaxInstanceMemory {
		l.Addf("WorldConfig.ReservedMemoryMiB", c.ReservedMemoryMiB, "must be 0 (the agent default) to %d", placement.MaxInstanceMemory)
	}
	if c.CircuitBreakerMinThreshold < 0 || c.CircuitBreakerMinThreshold > 200 {
		l.Add("WorldConfig.CircuitBreakerMinThreshold", c.CircuitBreakerMinThreshold, "must be 0 (default 3) to 200")
	}
	if c.ThrottleInitial < 0 || c.ThrottleInitial > MaxThrottleDelay {
		l.Addf("WorldConfig.ThrottleInitial", c.ThrottleInitial, "must be 0 (default 15s) to %v", MaxThrottleDelay)
	}
	if c.ServiceLaunchRate < 0 || c.ServiceLaunchRate > MaxLaunchRate {
		l.Addf("WorldConfig.ServiceLaunchRate", c.ServiceLaunchRate, "must be 0 (default %d per minute) to %d (MaxLaunchRate)", DefaultServiceLaunchRate, MaxLaunchRate)
	}
	c.Capacity.validate(l)
	c.Retention.validate(l)
	c.Quotas.validate(l)
	c.APIRateLimits.Validate(l, "WorldConfig.APIRateLimits")
	lat := c.Latencies
	for _, f := range []struct {
		name string
		d    Dist
	}{
		{"InstanceLaunch", lat.InstanceLaunch}, {"ENIAttach", lat.ENIAttach}, {"ImagePull", lat.ImagePull},
		{"ContainerStart", lat.ContainerStart}, {"Activating", lat.Activating}, {"Deactivating", lat.Deactivating},
		{"ENIDetach", lat.ENIDetach},
	} {
		l.Join(f.d.Check(ErrConfig, "WorldConfig.Latencies."+f.name))
	}
	return l.Err()
}

// DefaultServiceLaunchRate is the tasks a service may launch per minute on
// EC2, the ECS service quota
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
const DefaultServiceLaunchRate = 250

// MaxThrottleDelay is the ceiling of the service launch back-off
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-throttle-logic.html).
const MaxThrottleDelay = 15 * time.Minute

// World is the ECS world inside one simulation: clusters, container
// instances, task definitions, tasks and services. Its state changes only
// in lifecycle events of the Sim (PhaseLifecycle) and in the API calls the
// user makes between events. Like the Sim, it is not safe for concurrent use.
type World struct {
	sim    *Sim
	cfg    WorldConfig
	lat    Latencies
	quotas Quotas

	clusters      []*Cluster
	clusterByName map[string]*Cluster // lookup only
	instances     []*Instance
	families      map[string][]*TaskDefinition // lookup only; revisions in order
	tasks         []*Task                      // by task id; nil once Retention forgot the task
	retired       []int                        // with Retention.StoppedTasks: ids of STOPPED tasks in stop order; those before retiredHead are forgotten
	retiredHead   int
	services      []*Service
	events        worldLog
	scripted      []scriptedFailure
	outages       []zoneOutage
	zonesOut      map[string]int // zone → outages in progress (lookup only)

	kInstanceUp, kTaskStep, kTaskHealth, kTaskExit, kReconcile, kScripted, kZoneOutage Kind
	rngLaunch, rngStart, rngStop, rngFail, rngPlace                                    *rand.Rand
	ids                                                                                uint64

	// scratch space of reconcileReplica
	scratchActive, scratchRetire, scratchStopped, scratchOwners []*Task
	scratchRunning                                              []placement.RunningTask

	account *account // Fargate pools, capacity providers, billing (account.go)
	api     *capacity.APIThrottle

	attachers     []Attacher            // World.Attach: for every new task
	serviceAttach []*serviceAttachments // by service index: Observer and Service.Attach
	scaledBy      map[any]*Service      // the service each comparable scaler was last attached to (AttachScaler); lookup only

	minuteTicks *minuteTicks // the workloads' and scalers' minutes (minute.go), made on first use
	// The ServiceScaling records not yet handed out (newScaling), and
	// how many the last chunk made had.
	scalingChunk     []ServiceScaling
	scalingChunkSize int

	vpc      vpcState  // subnets and the awsvpcTrunking setting (vpc.go)
	efsState *efsState // Amazon EFS file systems (efs.go), made on first use
}

// NewWorld returns an empty world driven by s, or the problems with cfg.
func NewWorld(s *Sim, cfg WorldConfig) (*World, error) {
	if s == nil {
		return nil, fielderr.New(ErrConfig, "NewWorld(s)", nil, "must be a *Sim made by New")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Catalog == nil {
		cfg.Catalog = DefaultCatalog()
	}
	if cfg.CircuitBreakerMinThreshold == 0 {
		cfg.CircuitBreakerMinThreshold = 3
	}
	if cfg.ThrottleInitial == 0 {
		cfg.ThrottleInitial = 15 * time.Second
	}
	if cfg.ServiceLaunchRate == 0 {
		cfg.ServiceLaunchRate = DefaultServiceLaunchRate
	}
	w := &World{sim: s, cfg: cfg, lat: cfg.Latencies.withDefaults(), quotas: cfg.Quotas.withDefaults(), families: map[string][]*TaskDefinition{}}
	w.vpc.trunking = cfg.AWSVPCTrunking
	w.kInstanceUp = s.Handle("instance-register", PhaseLifecycle, w.onInstanceUp)
	w.kTaskStep = s.Handle("task-step", PhaseLifecycle, w.onTaskStep)
	w.kTaskHealth = s.Handle("task-health", PhaseLifecycle, w.onTaskHealth)
	w.kTaskExit = s.Handle("task-exit", PhaseLifecycle, w.onTaskExit)
	w.kReconcile = s.Handle("service-reconcile", PhaseLifecycle, w.onReconcile)
	s.setPrefetch(w.kTaskStep, w.prefetchTask)
	s.setPrefetch(w.kTaskHealth, w.prefetchTask)
	s.setPrefetch(w.kReconcile, w.prefetchService)
	w.kScripted = s.Handle("scripted-failure", PhaseLifecycle, w.onScripted)
	w.kZoneOutage = s.Handle("zone-outage", PhaseLifecycle, w.onZoneOutage)
	w.rngLaunch = s.Rand("instance-launch")
	w.rngStart = s.Rand("task-start")
	w.rngStop = s.Rand("task-stop")
	w.rngFail = s.Rand("failures")
	w.rngPlace = s.Rand("placement")
	w.account = newAccount(w, cfg.Capacity)
	w.api, _ = capacity.NewAPIThrottle(cfg.APIRateLimits) // validated above
	return w, nil
}

// Sim returns the simulation that drives the world.
func (w *World) Sim() *Sim { return w.sim }

// Catalog returns the world's instance type catalog.
func (w *World) Catalog() *Catalog { return w.cfg.Catalog }

// nextID returns a fresh 64-bit identifier, deterministic per world, mixed
// so that IDs look like AWS's random ones (splitmix64 of a counter).
func (w *World) nextID() uint64 {
	w.ids++
	z := w.ids * 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Cluster is an ECS cluster: its container instances and services share one
// placement index.
type Cluster struct {
	w         *World
	name      string
	place     *placement.Cluster
	byPlaceID []*Instance // indexed by placement.InstanceID
	instances []*Instance // every instance ever launched into the cluster
	live      int         // of instances, those not INACTIVE (Quotas.InstancesPerCluster)
	services  []*Service
	waiting   []*Service // services with tasks they could not place
	// named holds the services that are not INACTIVE, by name, so that
	// CreateService checks the name and the quota without a scan.
	named map[string]*Service
	// capacityGen counts the changes of the cluster's capacity
	// (capacityChanged): a service's blocked rebalancing waits for the next
	// one. A count rather than a flag on every service, which a task's
	// stop would have cleared on all of them, thousands of writes a stop.
	capacityGen uint64

	// Capacity providers and Fargate (capacityprovider.go, fargate.go).
	providers     []*CapacityProvider   // associated with the cluster (PutCapacityProviders)
	defaultLaunch launchSpec            // the default strategy resolved; no providers when none
	zones         []string              // the subnets' Availability Zones of Fargate tasks (SetZones); nil means the world's
	standalone    map[string]*zoneTally // live standalone Fargate tasks per group and zone (lookup only)

	activeZones []string // zones with an ACTIVE instance, sorted; nil until needed and after any status change
}

// CreateCluster adds an empty cluster. Names are 1 to 255 letters, digits,
// hyphens and underscores, unique in the world; the world holds at most
// Quotas.Clusters clusters.
func (w *World) CreateCluster(name string) (*Cluster, error) {
	const field = "CreateCluster(name)"
	switch {
	case !validName(name):
		return nil, fielderr.New(ErrConfig, field, name, "must be 1 to 255 letters, digits, hyphens or underscores")
	case w.Cluster(name) != nil:
		return nil, fielderr.New(ErrConfig, field, name, "names a cluster that exists")
	case len(w.clusters) >= w.quotas.Clusters:
		return nil, fielderr.New(ErrConfig, field, name, fmt.Sprintf("would be cluster %d; Quotas.Clusters allows %d", len(w.clusters)+1, w.quotas.Clusters))
	}
	c := &Cluster{w: w, name: name, place: placement.NewCluster()}
	w.clusters = append(w.clusters, c)
	if w.clusterByName == nil {
		w.clusterByName = map[string]*Cluster{}
	}
	w.clusterByName[name] = c
	return c, nil
}

// Cluster returns the cluster called name, or nil.
func (w *World) Cluster(name string) *Cluster { return w.clusterByName[name] }

// Name returns the cluster name.
func (c *Cluster) Name() string { return c.name }

// Instances returns every instance launched into the cluster, in launch
// order, including deregistered ones.
func (c *Cluster) Instances() []*Instance { return append([]*Instance(nil), c.instances...) }

// Services returns the cluster's services in creation order, deleted
// (INACTIVE) ones included.
func (c *Cluster) Services() []*Service { return append([]*Service(nil), c.services...) }

// Placement returns the cluster's placement index, for inspection. Changing
// it directly corrupts the world's bookkeeping.
func (c *Cluster) Placement() *placement.Cluster { return c.place }

// RegisterTaskDefinition validates in as ECS does and registers it as the
// next revision of its family, at most MaxRevisionsPerFamily. Every problem
// is reported at once, each a *fielderr.Error matching
// ErrInvalidTaskDefinition.
func (w *World) RegisterTaskDefinition(in TaskDefinitionInput) (*TaskDefinition, error) {
	if err := validateTaskDefinition(&in); err != nil {
		return nil, err
	}
	if n := len(w.families[in.Family]); n >= MaxRevisionsPerFamily {
		return nil, fielderr.New(ErrInvalidTaskDefinition, "TaskDefinitionInput.Family", in.Family,
			fmt.Sprintf("has %d revisions, the most a family holds (MaxRevisionsPerFamily)", n))
	}
	// The definition keeps its own copies of what the caller may change.
	in.Containers = slices.Clone(in.Containers)
	for i := range in.Containers {
		c := &in.Containers[i]
		c.PortMappings = slices.Clone(c.PortMappings)
		if c.Essential != nil {
			c.Essential = Bool(*c.Essential)
		}
		if c.HealthCheck != nil {
			h := *c.HealthCheck
			h.Command = slices.Clone(h.Command)
			c.HealthCheck = &h
		}
	}
	in.RequiresCompatibilities = slices.Clone(in.RequiresCompatibilities)
	in.PlacementConstraints = slices.Clone(in.PlacementConstraints)
	cloneVolumes(&in)
	revs := w.families[in.Family]
	d := newTaskDefinition(in, len(revs)+1)
	if d.hasEFS {
		w.efsMounts() // its tasks mount their volumes
	}
	w.families[in.Family] = append(revs, d)
	return d, nil
}

// TaskDefinition resolves "family:revision", or "family" for the latest
// revision; a reference to nothing is a *fielderr.Error matching
// ErrNotFound.
func (w *World) TaskDefinition(ref string) (*TaskDefinition, error) {
	const field = "TaskDefinition"
	family, rev := ref, 0
	for i := len(ref) - 1; i >= 0; i-- {
		if ref[i] == ':' {
			n, err := parsePositive(ref[i+1:])
			if err != nil {
				return nil, fielderr.New(ErrNotFound, field, ref, "revision after the colon must be a positive integer")
			}
			family, rev = ref[:i], n
			break
		}
	}
	revs := w.families[family]
	if len(revs) == 0 {
		return nil, fielderr.New(ErrNotFound, field, ref, fmt.Sprintf("family %q is not registered", fielderr.Clip(family)))
	}
	if rev == 0 {
		return revs[len(revs)-1], nil
	}
	if rev > len(revs) {
		return nil, fielderr.New(ErrNotFound, field, ref, fmt.Sprintf("family %s has %d revisions", family, len(revs)))
	}
	return revs[rev-1], nil
}

func parsePositive(s string) (int, error) {
	n := 0
	if s == "" || len(s) > 9 {
		return 0, errors.New("bad")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, errors.New("bad")
		}
		n = n*10 + int(r-'0')
	}
	if n == 0 {
		return 0, errors.New("bad")
	}
	return n, nil
}

// Tasks returns every task the world has started, in start order, stopped
// ones included, except those Retention.StoppedTasks has forgotten.
func (w *World) Tasks() []*Task {
	w.forgetStopped()
	out := make([]*Task, 0, len(w.tasks))
	for _, t := range w.tasks {
		if t != nil {
			out = append(out, t)
		}
	}
	return out
}

// retire records a task that has just stopped, for Retention.StoppedTasks,
// and forgets those whose time is up.
func (w *World) retire(t *Task) {
	if w.cfg.Retention.StoppedTasks == 0 {
		return
	}
	w.retired = append(w.retired, t.id)
	w.forgetStopped()
}

// forgetStopped drops from the task table the tasks that have been STOPPED
// for Retention.StoppedTasks or longer. Tasks stop in time order, so they
// are forgotten from the front of the retired list.
func (w *World) forgetStopped() {
	keep := w.cfg.Retention.StoppedTasks
	if keep == 0 {
		return
	}
	now := w.now()
	for w.retiredHead < len(w.retired) {
		id := w.retired[w.retiredHead]
		if now.Sub(w.tasks[id].stoppedAt) < keep {
			break
		}
		w.tasks[id] = nil
		w.retiredHead++
	}
	// Compact once the forgotten prefix is at least half the list, so each
	// id is copied O(1) times on average.
	if h := w.retiredHead; h > 0 && 2*h >= len(w.retired) {
		w.retired = w.retired[:copy(w.retired, w.retired[h:])]
		w.retiredHead = 0
	}
}

// task returns the task with the given id, or nil if Retention forgot it.
// Events addressed to a forgotten task have nothing left to do: it has
// been STOPPED for at least Retention.StoppedTasks.
func (w *World) task(id uint64) *Task { return w.tasks[id] }

// Instances returns every instance of every cluster, in launch order.
func (w *World) Instances() []*Instance { return append([]*Instance(nil), w.instances...) }

// Services returns every service in creation order.
func (w *World) Services() []*Service { return append([]*Service(nil), w.services...) }

func (w *World) now() time.Time { return w.sim.Now() }

// prefetchTask asks for what the next event of task id reads (see
// Sim.setPrefetch): the task's lines, then the first lines of its
// service, deployment, instance and attachments.
func (w *World) prefetchTask(id uint64, deep bool) {
	if id >= uint64(len(w.tasks)) {
		return
	}
	t := w.tasks[id]
	if t == nil {
		return
	}
	if !deep {
		preload.Runs(unsafe.Pointer(t), taskRun[:])
		return
	}
	none := uintptr(unsafe.Pointer(t))
	svc, inst := addr(t.service, none), addr(t.inst, none)
	preload.At8(svc, svc+64, svc+128, svc+192, inst, inst+64, addr(t.dep, none), addr(t.attached, none))
}

// prefetchService asks for what the next reconcile of service i reads
// (see Sim.setPrefetch): the service's lines, then its tasks' lines that
// a reconcile reads of each (as snapshot asks for them) and its primary
// deployment's first.
func (w *World) prefetchService(i uint64, deep bool) {
	if i >= uint64(len(w.services)) {
		return
	}
	s := w.services[i]
	if !deep {
		preload.Runs(unsafe.Pointer(s), serviceRun[:])
		return
	}
	for _, t := range s.tasks {
		preload.Prefetch(unsafe.Pointer(t), reconcileTaskLines[:])
	}
	if len(s.deployments) > 0 {
		d := uintptr(unsafe.Pointer(s.deployments[0]))
		preload.At2(d, d+64)
	}
}

// addr returns p's address, or none for a nil p.
func addr[T any](p *T, none uintptr) uintptr {
	if p == nil {
		return none
	}
	return uintptr(unsafe.Pointer(p))
}

var (
	taskRun    = [...]preload.Run{{Len: unsafe.Sizeof(Task{})}}
	serviceRun = [...]preload.Run{{Len: unsafe.Sizeof(Service{})}}
	lbRun      = [...]preload.Run{{Len: unsafe.Sizeof(LoadBalancer{})}}
)
