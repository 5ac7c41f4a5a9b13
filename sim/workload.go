package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/internal/preload"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim/traffic"
)

// WorkloadMode selects how a Workload simulates its requests.
type WorkloadMode uint8

const (
	// RequestLevel simulates every request: arrival, routing, queueing and
	// service in the task's traffic.Server, completion or timeout.
	RequestLevel WorkloadMode = iota
	// FluidMode simulates rates per step with traffic.Fluid (queueing
	// theory), for fast sweeps: no request is simulated, so nothing is in
	// flight and draining ends at once.
	FluidMode
)

// String returns "request-level" or "fluid".
func (m WorkloadMode) String() string {
	switch m {
	case RequestLevel:
		return "request-level"
	case FluidMode:
		return "fluid"
	}
	return fmt.Sprintf("WorkloadMode(%d)", uint8(m))
}

// WorkloadConfig describes the clients of one load-balanced service.
type WorkloadConfig struct {
	// LoadBalancer is the load balancer the requests reach; required. One
	// workload per load balancer.
	LoadBalancer *LoadBalancer
	// Mode is RequestLevel (the zero value) or FluidMode.
	Mode WorkloadMode
	// Source is the request rate over simulation time (offset from the
	// simulation's start). Request-level mode draws arrivals from it by
	// thinning on the "demand" stream; fluid mode reads its rate per step.
	// Required in fluid mode; in request-level mode exactly one of Source
	// and Arrivals.
	Source traffic.Source
	// Arrivals is an arrival process used instead of Source in
	// request-level mode, e.g. traffic.NewTraceArrivals to replay a trace
	// with one row per request; nil means thinning of Source.
	Arrivals traffic.Arrivals
	// End stops arrivals: none at or after End (offset from the start).
	// Zero means no end.
	End time.Duration
	// Demand draws each request's CPU work at one vCPU (stream
	// "request-work"); required in request-level mode.
	Demand traffic.Demand
	// Server is the application inside each task: discipline, concurrency,
	// queue limit and client timeout. Its CPU field is ignored: each task's
	// server has the task definition's CPU units.
	Server traffic.ServerConfig
	// FluidStep is the fluid mode's step; zero means one minute. It must
	// divide a minute or be a whole number of minutes, from 1 s to a day
	// (traffic.ValidateFluidStep).
	FluidStep time.Duration
	// MeanWork is the mean CPU work per request at one vCPU for fluid mode;
	// required there.
	MeanWork time.Duration
	// SCV is the squared coefficient of variation of the work for fluid
	// mode (0 deterministic, 1 exponential).
	SCV float64
	// ReportPeriod is the length of the periods Periods reports, a whole
	// number of minutes; zero means one hour. Periods end on multiples of
	// ReportPeriod in UTC calendar time (on the hour for one hour); the
	// first one starts when the workload is created.
	ReportPeriod time.Duration
	// Metrics, if set, receives the service's and the load balancer's
	// CloudWatch metrics every minute (see Workload).
	Metrics *metrics.Store
	// MemoryBaseMiB is the memory a task uses when idle, in MiB; zero means
	// a quarter of the task definition's memory.
	MemoryBaseMiB int
	// MemoryPerRequestMiB is the memory each request in flight uses, in
	// MiB; zero means 1 MiB.
	MemoryPerRequestMiB float64
	// SeparateHealthEndpoint answers the load balancer's health checks
	// outside the request queue (a health port or thread of its own), so
	// load never fails them. False, the default, sends them through the
	// queue the requests wait in, as a plain HTTP health path does: a task
	// whose waiting room is full answers 503 (the check fails at once), and
	// one whose oldest waiting request has waited the check's Timeout does
	// not answer in time, so an overloaded task turns unhealthy and ECS
	// replaces it, which can feed on itself. In request-level mode this is
	// judged from each task's queue at every arrival and departure
	// (traffic.Server.Backlog); in fluid mode for all tasks at once from a
	// fluid queue carried across steps (arrivals minus service, at most the
	// concurrency plus the waiting room, less what clients abandon), since
	// a steady state knows nothing of how long a queue takes to fill. A processor-sharing task
	// without a concurrency limit never queues and always answers.
	SeparateHealthEndpoint bool
	// IO, if set, gives every request an I/O part on an Amazon EFS volume
	// of its task, after its CPU work (see RequestIO and FileSystem); nil
	// means none.
	IO *RequestIO
}

// WorkloadCounters are a workload's cumulative request counts. At every
// event boundary
//
//	Arrived = Served + NoTarget + Rejected + TimedOut + Aborted + InFlight.
type WorkloadCounters struct {
	// Arrived counts requests that reached the load balancer.
	Arrived int64
	// Served counts requests answered by a task.
	Served int64
	// NoTarget counts requests the load balancer could not route (no
	// registered target): ELB 503.
	NoTarget int64
	// Rejected counts requests a task turned away with its queue full:
	// target 503.
	Rejected int64
	// TimedOut counts requests the client abandoned after its timeout.
	TimedOut int64
	// Aborted counts requests in flight on a task when its containers
	// stopped before finishing them: SIGKILL at the stop timeout, an
	// essential container exit, a lost instance or Availability Zone, a
	// Fargate Spot task reclaimed. An ALB answers them 502; an NLB resets
	// the connections, counted here the same way.
	Aborted int64
	// InFlight is the number of requests in tasks now.
	InFlight int64
	// InFlightSeconds is the integral of InFlight over time (request·s),
	// brought up to date at every minute and when a task stops, and
	// SojournSeconds the summed time in a task of every request that left
	// one (served, timed out or aborted): Little's law says they are equal
	// over a run that starts and ends empty.
	InFlightSeconds, SojournSeconds float64
}

// Errors5xx is the number of requests answered with a 5xx status: no
// target, queue full, or aborted.
func (c WorkloadCounters) Errors5xx() int64 { return c.NoTarget + c.Rejected + c.Aborted }

func (c WorkloadCounters) sub(p WorkloadCounters) WorkloadCounters {
	return WorkloadCounters{
		Arrived: c.Arrived - p.Arrived, Served: c.Served - p.Served, NoTarget: c.NoTarget - p.NoTarget,
		Rejected: c.Rejected - p.Rejected, TimedOut: c.TimedOut - p.TimedOut, Aborted: c.Aborted - p.Aborted,
		InFlight: c.InFlight, InFlightSeconds: c.InFlightSeconds - p.InFlightSeconds, SojournSeconds: c.SojournSeconds - p.SojournSeconds,
	}
}

// Period is one ReportPeriod of a workload.
type Period struct {
	// Start is the period's first instant; Length its length.
	Start  time.Time
	Length time.Duration
	// Counters are the period's counts (InFlight at its end).
	Counters WorkloadCounters
	// P50, P90, P99 and Mean are the latency (time in the task) of the requests
	// served in the period: percentiles from a log-bucketed histogram with
	// a relative error below 1.6 %; zero if none was served. In fluid mode
	// each step's latency is spread around the step's mean by
	// traffic.FluidShape: the M/G/1 sojourn for one-slot FCFS, the
	// M/M/1-PS sojourn mixed over the work for processor sharing without a
	// limit, the exponential otherwise (the sim/traffic package doc states
	// how close each comes to request-level simulation), booked as the
	// shape's weighted points (traffic.LatencyShape), which read p50, p90
	// and p99 within 0.5 % of the shape's before the buckets' rounding.
	P50, P90, P99, Mean time.Duration
	// MeanTasks is the mean of the service's RunningTaskCount over the
	// period's minutes; MaxTasks its largest value.
	MeanTasks float64
	MaxTasks  int
	// CPUUtilization and MemoryUtilization are the means of the
	// service's per-minute CPUUtilization and MemoryUtilization in the
	// period, in percent (minutes without a running task excluded).
	CPUUtilization, MemoryUtilization float64
}

// RequestsPerSecond is the period's mean arrival rate.
func (p Period) RequestsPerSecond() float64 { return float64(p.Counters.Arrived) / p.Length.Seconds() }

// Workload drives requests through a LoadBalancer to its service's tasks
// and measures what the clients see.
//
// Request-level mode. Arrivals (Source by thinning on stream "demand", or
// Arrivals) are routed one by one through the target group (ALB: Route on
// stream "routing"; NLB: RouteFlow with a random flow key from it) to the
// chosen task's traffic.Server, whose CPU is the task definition's CPU
// units. A request with no routable target is an ELB 503; one refused by a
// full queue a target 503; one still in flight when its task's containers
// stop is aborted (ELB 502); one past the client timeout is abandoned. Each
// server has one engine timer at its next completion or timeout.
//
// Fluid mode. Every FluidStep the workload applies traffic.Fluid to the
// step that ended, with the step's mean rate (Source at the step's
// midpoint), the targets that were routable at its start (the healthy ones,
// or every registered one when none is healthy: fail-open), each task's
// server and the target group's routing (round robin, least outstanding
// requests, or independent random shares for weighted random and an NLB;
// a Router must declare its model, loadbalancer.FluidRouter); counts are
// rounded cumulatively so they stay integers.
//
// Metrics. Every minute (PhaseMetrics) the workload publishes, with the
// minute's start as timestamp:
//
//	AWS/ECS CPUUtilization    = 100 · ΣCPU work done (vCPU·s) / Σ(task vCPU · s RUNNING)
//	AWS/ECS MemoryUtilization = 100 · Σ(base · s + per-request MiB · in-flight·s) / Σ(task MiB · s)
//	ECS/ContainerInsights RunningTaskCount at the sample
//	AWS/ApplicationELB RequestCount, HTTPCode_ELB_5XX_Count (no target + aborted),
//	    HTTPCode_Target_5XX_Count (queue full), TargetResponseTime (a statistic
//	    set of the minute's served latencies, seconds), and
//	    RequestCountPerTarget = RequestCount / healthy targets (all registered
//	    targets when none is healthy; AWS does not document the divisor)
//
// which is ECS's definition of the two utilizations
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html)
// over the work the tasks did (task memory: memoryReservation if set, else
// memory). ECS metrics are published only for minutes with a running task
// and ALB metrics only for minutes with requests, as AWS does.
type Workload struct {
	// The fields the per-minute path does not read, out of line, so that
	// the passes over thousands of workloads a minute (minute.go) cross a
	// page every 5 workloads rather than every 3.5: a Workload takes the
	// size class of 768 bytes, where it took 1,152 with them.
	*workloadCold
	// The per-minute path reads the fields that follow, laid out by who
	// reads them, with copies of the configuration it needs, so that
	// thousands of workloads a minute touch few cache lines of each: first
	// what only a fluid step reads, then what a fluid step and the metrics
	// minute both read, then what only the metrics minute reads, the
	// report period's first line, which both read, and the total of the
	// latency histogram, which a fluid step adds to. Of the 12 lines of a
	// Workload's slot (it starts after the allocator's 8-byte header), a
	// fluid step reads 0 to 5, 8 and 11 (8 lines), a metrics minute 3 to
	// 8 (6) (TestWorkloadLayout).
	source        traffic.Source            // cfg.Source
	fluidLast     time.Duration             // end of the last fluid step
	fluidTasks    int                       // routable targets at the step's start
	end           time.Duration             // cfg.End
	meanWork, scv float64                   // cfg.MeanWork in seconds, cfg.SCV
	tg            *loadbalancer.TargetGroup // lb's
	server        traffic.ServerConfig      // cfg.Server
	timeout       float64                   // cfg.Server.Timeout in seconds (0: none)
	minHealthy    int32                     // the target group's MinimumHealthyTargets
	// answered: every live target answers health checks with answer, as
	// the last fluid step told them; a registration clears it.
	answered       bool
	answer         loadbalancer.Response
	separateHealth bool            // cfg.SeparateHealthEndpoint
	hasIO          bool            // cfg.IO is set
	routing        traffic.Routing // how fluid steps split the rate (fluidRouting)
	// lastUnclamped is the last step's points under the client timeout,
	// unclamped's hint (only a hint: a shape has at most 40).
	// noTargetEven, timedOutEven: the count has caught up with its
	// rounded cumulative expectation (fluidCum[2], [3]), which has not
	// moved since (see fluidStep).
	lastUnclamped              uint8
	noTargetEven, timedOutEven bool
	backlog                    float64    // fluid mode: requests present per task, carried across steps (health checks)
	backlogOf                  int        // the task count backlog is per
	fluidCum                   [4]float64 // expected arrived, served, no target, timed out so far
	// What both read: the service, and what they read of it and of the
	// target group, mirrored whenever either changes (Service.mirror,
	// followService; TargetGroup.OnChange, tgChanged), so that a minute
	// reads nothing of either: the CPU units and memory of the service's
	// primary deployment's task definition and its running count; the
	// group's healthy targets, its registered ones (initial, healthy or
	// unhealthy) and its round-robin cursors.
	svc                       *Service // lb's service, once a task registered
	tgHealthy, tgRegistered   int32
	defCPU, defMemory, svcRun int32
	tgCursors                 int32
	counters                  WorkloadCounters
	fluidLat                  latLane // fluid steps not yet in the histograms (foldLatency)
	minute                    minuteAcc
	// What only the metrics minute reads.
	mode      WorkloadMode // cfg.Mode
	classic   bool         // behind a Classic Load Balancer (lb.classic)
	publishes bool         // cfg.Metrics is set
	// irregular: a target registered or exited this minute (see
	// sampleMinute).
	irregular bool
	// The live targets (registered, containers not exited) and their CPU
	// units: when none registered or exited in a minute, every one ran the
	// whole minute and sampleMinute adds their task and capacity seconds
	// at once (fluid mode).
	liveTargets   int32
	liveCPU       int
	minuteStart   time.Duration // the last minute boundary sampleMinute sampled at
	w             *World
	group         *metrics.Group // the series published every minute, made at the first publication (see publish)
	memBase       float64        // cfg.MemoryBaseMiB
	memPerRequest float64        // cfg.MemoryPerRequestMiB
	reportPeriod  time.Duration  // cfg.ReportPeriod
	periodPhase   time.Duration  // periodPhase(start, reportPeriod)
	// The report period's first line, which both read, starts a line of
	// the slot; its own last fields are read only when a period closes.
	_      [24]byte
	period periodAcc
	// every served request: a fluid step adds to its total (its first
	// field, the slot's last line), foldLatency to its buckets.
	whole latencyHistogram
}

// workloadCold is what a Workload keeps out of line: its configuration
// and what only requests (request mode), target registrations and report
// periods' closing read.
type workloadCold struct {
	cfg            WorkloadConfig
	periods        periodLog
	lb             *LoadBalancer
	checkTimeout   time.Duration // the target group's health check timeout
	arrivals       traffic.Arrivals
	rDemand, rWork *rand.Rand
	rRoute         *rand.Rand
	kArrive, kWake Kind
	kFluid         Kind    // fluid steps other than one minute (one-minute steps are the world's minute ticks)
	pendingSize    float64 // size of the one scheduled arrival
	reqID          uint64
}

// fluidStepLines and minuteLines are the offset of one field on each line
// of a Workload's slot that a fluid step and a metrics minute read
// (TestWorkloadLayout). With thousands of workloads a minute the lines
// are in memory, and read field by field they would arrive one after
// another: the minute passes ask for them all at once a workload or more
// ahead (prefetchStep, prefetchMinute).
var (
	fluidStepLines = [...]uintptr{
		unsafe.Offsetof(Workload{}.fluidLast),
		unsafe.Offsetof(Workload{}.timeout),
		unsafe.Offsetof(Workload{}.fluidCum),
		unsafe.Offsetof(Workload{}.counters),
		unsafe.Offsetof(Workload{}.counters) + unsafe.Offsetof(WorkloadCounters{}.TimedOut),
		unsafe.Offsetof(Workload{}.minute),
		unsafe.Offsetof(Workload{}.period),
		unsafe.Offsetof(Workload{}.whole),
	}
	minuteLines = [...]uintptr{
		unsafe.Offsetof(Workload{}.svc),
		unsafe.Offsetof(Workload{}.counters) + unsafe.Offsetof(WorkloadCounters{}.Aborted),
		unsafe.Offsetof(Workload{}.minute),
		unsafe.Offsetof(Workload{}.mode),
		unsafe.Offsetof(Workload{}.reportPeriod),
		unsafe.Offsetof(Workload{}.period),
	}
)

// prefetchStep asks for the lines of wl that a fluid step reads, in one
// call of their addresses (preload.At8), as prefetchMinute does for a
// metrics minute's (six lines, two of them asked for twice).
func (wl *Workload) prefetchStep() {
	p, o := uintptr(unsafe.Pointer(wl)), &fluidStepLines
	preload.At8(p+o[0], p+o[1], p+o[2], p+o[3], p+o[4], p+o[5], p+o[6], p+o[7])
}

// prefetchMinute asks for the lines of wl that a metrics minute reads:
// see prefetchStep.
func (wl *Workload) prefetchMinute() {
	p, o := uintptr(unsafe.Pointer(wl)), &minuteLines
	preload.At8(p+o[0], p+o[1], p+o[2], p+o[3], p+o[4], p+o[5], p+o[0], p+o[1])
}

// prefetchFluidData asks for the memory a fluid step reads beyond the
// workload's own lines (fluidStepLines), from addresses in those lines:
// the traffic source's value, whose Rate the step calls, and the slot of
// fluidLat the step writes.
func (wl *Workload) prefetchFluidData() {
	none := uintptr(unsafe.Pointer(wl)) // in the cache: a harmless repeat
	src, slot := uintptr(preload.Data(wl.source)), none
	if src == 0 {
		src = none
	}
	if l := &wl.fluidLat; l.first != nil && l.n < maxFluidLatencies {
		slot = uintptr(unsafe.Pointer(l.first)) + uintptr(l.n)*uintptr(l.stride)
	}
	preload.At2(src, slot)
}

// fluidRouting is the fluid model of a target group's routing: round robin
// and least outstanding requests as themselves, weighted random and an
// NLB's flow hash as independent random shares, and a Router as the
// algorithm it declares (NewWorkload refuses one that declares none).
func fluidRouting(cfg loadbalancer.Config) traffic.Routing {
	a, _ := cfg.FluidAlgorithm()
	switch a {
	case loadbalancer.RoundRobin:
		return traffic.RoundRobinRouting
	case loadbalancer.LeastOutstandingRequests:
		return traffic.ShortestQueueRouting
	}
	return traffic.RandomRouting
}

// minuteAcc accumulates one metrics minute.
type minuteAcc struct {
	// What a fluid step adds to, first.
	cpuSeconds             float64 // vCPU·s of work done
	inFlightSeconds        float64 // request·s in flight
	latN                   int64
	latSum, latMin, latMax float64
	capacitySeconds        float64      // vCPU·s of RUNNING tasks
	taskSeconds            float64      // task·s RUNNING
	start                  minuteCounts // the counters the minute publishes, at its start
}

// minuteCounts are the counters a minute's metrics are the differences
// of: reading these four rather than all of WorkloadCounters, and
// keeping only them at the minute's start, saves the metrics minute a
// cache line.
type minuteCounts struct {
	arrived, noTarget, rejected, aborted int64
}

func (c *WorkloadCounters) minuteCounts() minuteCounts {
	return minuteCounts{c.Arrived, c.NoTarget, c.Rejected, c.Aborted}
}

// periodAcc accumulates one report period.
type periodAcc struct {
	// What every minute adds to, first, in one line: the metrics
	// minute's task count and utilizations, then the fluid step's latency
	// sum and its histogram's total (its first field).
	taskSum        float64
	cpuSum, memSum float64
	minutes        int32
	maxTasks       int32
	cpuN, memN     int32
	latSum         float64          // over hist.total requests (the latency count)
	hist           latencyHistogram // a fluid step adds to its total, foldLatency to its buckets
	// Read when the period closes, last: a minute need not load them.
	start    time.Time
	counters WorkloadCounters // at the period's start
}

// The series of a workload's group, the store's group of the series it
// publishes every minute, so that a minute's publication neither rebuilds
// nor looks up each series key, and writes one row instead of eight
// series' memory (see metrics.Group).
const (
	wmCPU = iota
	wmMemory
	wmRunning
	wmRequests
	wmPerTarget
	wmELB5xx
	wmTarget5xx
	wmResponseTime
)

// ErrInvalidWorkload marks a WorkloadConfig that NewWorkload rejects.
var ErrInvalidWorkload = fmt.Errorf("%w: workload", ErrConfig)

// MetricHTTPCodeTarget5XXCount is the ALB metric of 5xx responses generated
// by targets (here: a full queue).
const MetricHTTPCodeTarget5XXCount = "HTTPCode_Target_5XX_Count"

// NewWorkload starts cfg's clients, or reports every problem with cfg, each
// a *fielderr.Error matching ErrInvalidWorkload. The load balancer must be
// this world's, with no workload yet (one workload per load balancer); its
// service supplies the tasks, and tasks already registered get their
// servers now.
func (w *World) NewWorkload(cfg WorkloadConfig) (*Workload, error) {
	const at = "WorkloadConfig."
	l := fielderr.NewList(ErrInvalidWorkload)
	switch lb := cfg.LoadBalancer; {
	case lb == nil:
		l.Add(at+"LoadBalancer", nil, "is required: a workload's requests reach tasks through it")
	case lb.w != w:
		l.Join(fielderr.New(ErrNotFound, at+"LoadBalancer", lb.cfg.Name, "is a load balancer of another World"))
	case lb.wl != nil:
		l.Add(at+"LoadBalancer", lb.cfg.Name, "has a workload already; a load balancer takes one")
	}
	switch cfg.Mode {
	case RequestLevel:
		if isNil(cfg.Source) == isNil(cfg.Arrivals) {
			l.Add(at+"Source", cfg.Source != nil, "exactly one of Source and Arrivals is required in request-level mode")
		}
		if isNil(cfg.Demand) {
			l.Add(at+"Demand", nil, "is required in request-level mode: the work per request")
		} else {
			joinLeaf(l, ErrInvalidWorkload, at+"Demand", "Demand", traffic.ValidateDemand(cfg.Demand))
		}
	case FluidMode:
		if isNil(cfg.Source) {
			l.Add(at+"Source", nil, "is required in fluid mode: the rate")
		}
		if cfg.MeanWork <= 0 {
			l.Add(at+"MeanWork", cfg.MeanWork, "must be positive in fluid mode: the mean work per request")
		}
		if !(cfg.SCV >= 0) || math.IsInf(cfg.SCV, 0) {
			l.Add(at+"SCV", cfg.SCV, "must be finite and ≥ 0")
		}
		joinLeaf(l, ErrInvalidWorkload, at+"FluidStep", "FluidStep", traffic.ValidateFluidStep(cfg.FluidStep))
		if !isNil(cfg.Arrivals) {
			l.Add(at+"Arrivals", "set", "must be nil in fluid mode, which reads Source only")
		}
		if lb := cfg.LoadBalancer; lb != nil && lb.w == w {
			_, err := lb.tg.Config().FluidAlgorithm()
			joinLeaf(l, ErrInvalidWorkload, at+"LoadBalancer.TargetGroup.Router", "Router", err)
		}
	default:
		l.Add(at+"Mode", int(cfg.Mode), "must be RequestLevel or FluidMode")
	}
	joinLeaf(l, ErrInvalidWorkload, at+"Server", "ServerConfig", cfg.Server.Validate())
	if !isNil(cfg.Source) {
		joinLeaf(l, ErrInvalidWorkload, at+"Source", "Source", traffic.ValidateSource(cfg.Source))
	}
	if cfg.End < 0 {
		l.Add(at+"End", cfg.End, "must not be negative (0 means no end)")
	}
	if p := cfg.ReportPeriod; p < 0 || p%time.Minute != 0 {
		l.Add(at+"ReportPeriod", p, "must be a whole number of minutes (0 means 1h)")
	}
	cfg.IO.validate(l, at+"IO")
	if cfg.MemoryBaseMiB < 0 || cfg.MemoryBaseMiB > placement.MaxInstanceMemory {
		l.Addf(at+"MemoryBaseMiB", cfg.MemoryBaseMiB, "must be 0 (a quarter of the task's memory) to %d", placement.MaxInstanceMemory)
	}
	if !(cfg.MemoryPerRequestMiB >= 0) || cfg.MemoryPerRequestMiB > placement.MaxInstanceMemory {
		l.Addf(at+"MemoryPerRequestMiB", cfg.MemoryPerRequestMiB, "must be 0 (1 MiB) to %d", placement.MaxInstanceMemory)
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	if isNil(cfg.Arrivals) {
		cfg.Arrivals = nil // a nil pointer in the interface is no process
	}
	if isNil(cfg.Source) {
		cfg.Source = nil
	}
	if cfg.ReportPeriod == 0 {
		cfg.ReportPeriod = time.Hour
	}
	if cfg.FluidStep == 0 {
		cfg.FluidStep = time.Minute
	}
	if cfg.MemoryPerRequestMiB == 0 {
		cfg.MemoryPerRequestMiB = 1
	}
	if cfg.IO != nil {
		io := *cfg.IO
		cfg.IO = &io
		w.efs() // the I/O sizes' stream
	}
	s := w.sim
	wl := &Workload{w: w, workloadCold: &workloadCold{lb: cfg.LoadBalancer, cfg: cfg, rDemand: s.Rand("demand"), rWork: s.Rand("request-work"), rRoute: s.Rand("routing")}}
	wl.lb.wl = wl
	wl.tg = wl.lb.tg
	wl.tg.OnChange(wl.tgChanged)
	wl.followService(wl.lb.svc)
	wl.checkTimeout = wl.tg.Config().HealthCheck.Timeout
	wl.timeout = cfg.Server.Timeout.Seconds()
	// Clamped: no group has 2³¹ targets, so the comparison is the same.
	wl.minHealthy = int32(min(wl.tg.Config().MinimumHealthyTargets, math.MaxInt32))
	wl.source, wl.end, wl.meanWork, wl.scv, wl.server = cfg.Source, cfg.End, cfg.MeanWork.Seconds(), cfg.SCV, cfg.Server
	wl.mode, wl.separateHealth, wl.hasIO, wl.classic = cfg.Mode, cfg.SeparateHealthEndpoint, cfg.IO != nil, wl.lb.classic()
	wl.routing = fluidRouting(wl.tg.Config())
	wl.memBase, wl.memPerRequest, wl.reportPeriod = float64(cfg.MemoryBaseMiB), cfg.MemoryPerRequestMiB, cfg.ReportPeriod
	wl.periodPhase = periodPhase(s.Start(), cfg.ReportPeriod)
	wl.kArrive = s.Handle("request-arrival", PhaseTraffic, wl.onArrive)
	wl.kWake = s.Handle("request-server", PhaseTraffic, wl.onServerWake)
	now := s.Elapsed()
	wl.minute = minuteAcc{latMin: math.Inf(1)}
	wl.period = periodAcc{start: w.now()}
	for _, lt := range wl.lb.targets {
		if lt != nil && !lt.exited {
			wl.taskRegistered(lt)
		}
	}
	wl.publishes = cfg.Metrics != nil
	w.ticks().addMinute(wl)
	switch cfg.Mode {
	case RequestLevel:
		wl.arrivals = cfg.Arrivals
		if wl.arrivals == nil {
			wl.arrivals = &traffic.Thinning{Source: &windowBound{Source: cfg.Source, k: [2]time.Duration{-1, -1}}, End: cfg.End}
		}
		wl.scheduleArrival(now)
	case FluidMode:
		wl.fluidLast = now
		wl.fluidTasks = wl.routableTargets()
		if cfg.FluidStep == time.Minute {
			w.ticks().addFluid(wl)
		} else {
			wl.kFluid = s.Handle("fluid-step", PhaseTraffic, wl.onFluidStep)
			s.Schedule(wl.kFluid, cfg.FluidStep-now%cfg.FluidStep, 0)
		}
	}
	return wl, nil
}

// Counters returns the cumulative counts as of the last event.
func (wl *Workload) Counters() WorkloadCounters { return wl.counters }

// Periods returns the completed report periods, oldest first: every one,
// or the last WorldConfig.Retention.Periods.
func (wl *Workload) Periods() []Period { return wl.periods.items() }

// Latency returns the q-quantile (0 < q ≤ 1) of the latency of every
// request served so far, from the same histogram as Period's percentiles;
// zero if none was served.
func (wl *Workload) Latency(q float64) time.Duration {
	wl.foldLatency()
	return secondsDuration(wl.whole.quantile(q))
}

// TaskCounters returns the request counters of task t's server (as of
// its last event), and false if t has no live server (not registered, or
// its containers have stopped).
func (wl *Workload) TaskCounters(t *Task) (traffic.Counters, bool) {
	lt := wl.lb.target(t)
	if lt == nil || lt.srv == nil {
		return traffic.Counters{}, false
	}
	return lt.srv.Counters(), true
}

// Config returns the workload's configuration, defaults filled in.
func (wl *Workload) Config() WorkloadConfig { return wl.cfg }

// taskRegistered gives a newly registered task its server.
func (wl *Workload) taskRegistered(lt *lbTarget) {
	wl.followService(wl.lb.svc)
	lt.since = wl.w.sim.Elapsed()
	wl.liveTargets++
	wl.liveCPU += lt.t.def.cpu
	wl.irregular, wl.answered = true, false
	if wl.cfg.Mode != RequestLevel {
		return
	}
	lt.fs = wl.ioFileSystem(lt.t.def)
	sc := wl.cfg.Server
	sc.CPU = lt.t.def.cpu
	srv, err := traffic.NewServer(sc)
	if err != nil {
		panic(fmt.Sprintf("sim: workload server: %v", err)) // validated in NewWorkload
	}
	lt.srv = srv
	lt.prev = srv.Counters()
}

// taskExited aborts what is in flight on a stopped task and folds its
// final minute into the metrics.
func (wl *Workload) taskExited(lt *lbTarget) {
	now := wl.w.sim.Elapsed()
	wl.liveTargets--
	wl.liveCPU -= lt.t.def.cpu
	wl.irregular = true
	if lt.srv != nil {
		wl.handle(lt, lt.srv.Kill(now))
		lt.timer.Stop()
	}
	if lt.fs != nil {
		lt.fs.io.abort(lt.t, now)
	}
	wl.sample(lt, now)
	lt.srv = nil
}

// sample folds a task's work since its last sample into the minute.
func (wl *Workload) sample(lt *lbTarget, now time.Duration) {
	// A target onMinute skipped (see sampleMinute) was last sampled at
	// the minute's start.
	dt := (now - max(lt.since, wl.minuteStart)).Seconds()
	wl.minute.taskSeconds += dt
	wl.minute.capacitySeconds += dt * float64(lt.t.def.cpu) / 1024
	lt.since = now
	if lt.srv == nil {
		return
	}
	c := lt.srv.Counters()
	d := c.Since(lt.prev)
	wl.minute.cpuSeconds += d.CPUSeconds
	wl.minute.inFlightSeconds += d.InFlightSeconds
	wl.counters.InFlightSeconds += d.InFlightSeconds
	lt.prev = c
}

// scheduleArrival asks the arrival process for its next instant.
func (wl *Workload) scheduleArrival(now time.Duration) {
	a, ok := wl.arrivals.Next(now, wl.rDemand)
	if a.At == traffic.Never || wl.cfg.End > 0 && a.At >= wl.cfg.End {
		return
	}
	arg := uint64(0) // a poll: no arrival before a.At
	if ok {
		wl.pendingSize, arg = a.Size, 1
	}
	wl.w.sim.ScheduleAt(wl.kArrive, a.At, arg)
}

// onArrive routes one request, or polls the arrival process.
func (wl *Workload) onArrive(isArrival uint64) {
	now := wl.w.sim.Elapsed()
	if isArrival == 1 {
		wl.route(now, wl.pendingSize)
	}
	wl.scheduleArrival(now)
}

func (wl *Workload) route(now time.Duration, size float64) {
	wl.counters.Arrived++
	tg, at := wl.lb.tg, wl.w.now()
	var id int
	var ok bool
	if tg.Config().Type == loadbalancer.NLB {
		id, ok = tg.RouteFlow(at, wl.rRoute.Uint64())
	} else {
		id, ok = tg.Route(at, wl.rRoute)
	}
	if !ok {
		wl.counters.NoTarget++
		return
	}
	lt := wl.lb.targets[id]
	if lt == nil || lt.srv == nil {
		// A routable target always has a live task; guard anyway.
		wl.counters.NoTarget++
		return
	}
	tg.Begin(id)
	wl.reqID++
	work := wl.cfg.Demand.Work(wl.rWork, size)
	if lt.srv.Arrive(now, traffic.Request{ID: wl.reqID, Work: work}) {
		wl.counters.InFlight++
	} else {
		wl.counters.Rejected++
		tg.End(at, id)
	}
	wl.flush(lt, now)
}

// onServerWake handles a server's completion or timeout.
func (wl *Workload) onServerWake(arg uint64) {
	t := wl.w.task(arg)
	if t == nil {
		return
	}
	if lt := wl.lb.target(t); lt != nil && lt.srv != nil {
		wl.flush(lt, wl.w.sim.Elapsed())
	}
}

// flush hands the server's departures to the books and re-arms its timer.
func (wl *Workload) flush(lt *lbTarget, now time.Duration) {
	wl.handle(lt, lt.srv.Advance(now))
	if lt.terminating && lt.srv.InFlight()+lt.ioInFlight == 0 {
		lt.idle()
	}
	if !wl.cfg.SeparateHealthEndpoint {
		r := loadbalancer.Pass
		switch full, wait := lt.srv.Backlog(now); {
		case full:
			r = loadbalancer.Refuse
		case wait > 0 && wait >= wl.checkTimeout:
			r = loadbalancer.NoResponse
		}
		lt.answer(r)
	}
	next := lt.srv.Next()
	if next == traffic.Never {
		lt.timer.Stop()
		return
	}
	if lt.timer.Pending() && next == lt.wakeAt {
		return
	}
	lt.wakeAt = next
	if !lt.timer.Reset(next - now) {
		lt.timer = wl.w.sim.Schedule(wl.kWake, next-now, uint64(lt.t.id))
	}
}

// handle books departures from lt's server.
func (wl *Workload) handle(lt *lbTarget, done []traffic.Completion) {
	if len(done) == 0 {
		return
	}
	at := wl.w.now()
	for _, c := range done {
		if c.Outcome == traffic.Served && lt.fs != nil {
			wl.startIO(lt, c) // in flight until its I/O is over
			continue
		}
		wl.counters.InFlight--
		soj := c.Sojourn().Seconds()
		wl.counters.SojournSeconds += soj
		switch c.Outcome {
		case traffic.Served:
			wl.counters.Served++
			wl.served(soj, 1)
		case traffic.TimedOut:
			wl.counters.TimedOut++
		case traffic.Aborted:
			wl.counters.Aborted++
		}
		if wl.lb.tg.End(at, lt.id) {
			lt.t.Release(lt) // drained: deregistration is complete
		}
	}
}

// served records weight requests served with latency soj seconds.
func (wl *Workload) served(soj, weight float64) {
	m := &wl.minute
	m.latN += int64(math.Round(weight))
	m.latSum += soj * weight
	m.latMin = min(m.latMin, soj)
	m.latMax = max(m.latMax, soj)
	b := histBucket(soj)
	wl.period.hist.addBucket(b, weight)
	wl.whole.addBucket(b, weight)
	wl.period.latSum += soj * weight
}

// routableTargets is how many targets receive traffic now: the healthy
// ones, or every registered one when none is healthy (fail-open).
func (wl *Workload) routableTargets() int {
	if wl.tgHealthy >= wl.minHealthy {
		return int(wl.tgHealthy)
	}
	return int(wl.tgRegistered)
}

// onFluidStep is the event of a fluid step other than one minute.
func (wl *Workload) onFluidStep(uint64) {
	wl.w.sim.Schedule(wl.kFluid, wl.cfg.FluidStep, 0)
	wl.fluidStep(wl.w.sim.Elapsed())
}

// fluidStep accounts the fluid step that ends now.
func (wl *Workload) fluidStep(now time.Duration) {
	from := wl.fluidLast
	wl.fluidLast = now
	tasks := wl.fluidTasks
	wl.fluidTasks = wl.routableTargets()
	if end := wl.end; end > 0 && from >= end {
		return
	}
	dt := 60.0 // time.Minute.Seconds(): the default step, the world's minute ticks
	if d := now - from; d != time.Minute {
		dt = d.Seconds()
	}
	rate := traffic.ClampRate(wl.source.Rate(from + (now-from)/2))
	cpu := wl.taskCPU()
	sc := wl.server
	sc.CPU = cpu
	res, err := traffic.Fluid(traffic.FluidInput{OfferedRate: rate, Tasks: tasks, Server: sc, MeanWork: wl.meanWork, SCV: wl.scv, Routing: wl.routing, Cursors: int(wl.tgCursors)})
	if err != nil {
		panic(fmt.Sprintf("sim: fluid step: %v", err)) // inputs validated
	}
	noTarget := 0.0
	if tasks == 0 {
		noTarget, res.RejectedRate = rate, 0
	}
	if !wl.separateHealth && tasks > 0 {
		r := wl.fluidHealth(rate/float64(tasks), float64(cpu)/1024/wl.meanWork, tasks, dt, sc)
		if !wl.answered || r != wl.answer {
			// lt.answer does nothing for a target that answers r already.
			for _, lt := range wl.lb.targets {
				if lt != nil {
					lt.answer(r)
				}
			}
			wl.answered, wl.answer = true, r
		}
	}
	latency := res.MeanLatency
	timedOut := 0.0
	if fs := wl.fluidFileSystem(); fs != nil {
		ioLatency, fraction := fs.fluidIO(wl, now, dt, res.ServedRate, tasks)
		latency += ioLatency
		timedOut, res.ServedRate = res.ServedRate*(1-fraction), res.ServedRate*fraction
	}
	if t := wl.timeout; t > 0 && latency > t {
		// Clients give up: what the queue cannot serve in time times out.
		latency = t
	}
	if math.IsInf(latency, 1) || latency > 3600 {
		latency = 3600
	}
	if sc.QueueLimit == traffic.Unlimited && res.RejectedRate > 0 {
		timedOut, res.RejectedRate = timedOut+res.RejectedRate, 0 // an overloaded unbounded queue does not reject
	}
	// The step's arrivals are its share of the rounded cumulative
	// expectation; they are split between served, no target and timed out
	// (each catching up with its own rounded cumulative expectation, as far
	// as the step's arrivals allow) and rejected, which takes the rest.
	// Rounding each category on its own could hand out more than arrived
	// (1 + 1 + 1 > 2), which broke the conservation of requests. The
	// arrivals so far are the last step's rounded expectation (in fluid
	// mode they arrive only here). A category whose count has caught up
	// with its rounded expectation, which has not moved since, gets 0
	// without rounding: most steps have no request without a target or
	// timed out.
	c := &wl.fluidCum
	before := wl.counters.Arrived // int64(math.Round(c[0])) before this step
	c[0] += rate * dt
	c[1] += res.ServedRate * dt
	if x := noTarget * dt; x != 0 {
		c[2] += x
		wl.noTargetEven = false
	}
	if x := timedOut * dt; x != 0 {
		c[3] += x
		wl.timedOutEven = false
	}
	arrived := int64(math.Round(c[0])) - before
	left := arrived
	share := func(cum float64, total int64) int64 {
		n := min(max(int64(math.Round(cum))-total, 0), left)
		left -= n
		return n
	}
	shareUnlessEven := func(cum float64, total int64, even *bool) int64 {
		if *even {
			return 0 // share's min(max(rounded − total, 0), left) with rounded = total
		}
		n := share(cum, total)
		*even = total+n == int64(math.Round(cum))
		return n
	}
	served := share(c[1], wl.counters.Served)
	none := shareUnlessEven(c[2], wl.counters.NoTarget, &wl.noTargetEven)
	tout := shareUnlessEven(c[3], wl.counters.TimedOut, &wl.timedOutEven)
	rejected := left
	wl.counters.Arrived += arrived
	wl.counters.Served += served
	wl.counters.NoTarget += none
	wl.counters.TimedOut += tout
	wl.counters.Rejected += rejected
	wl.minute.cpuSeconds += res.Utilization * float64(cpu) / 1024 * float64(tasks) * dt
	inFlight := res.ServedRate * latency * dt
	wl.minute.inFlightSeconds += inFlight
	if served > 0 && latency > 0 {
		wl.fluidServed(latency, traffic.FluidShape(sc, wl.scv, res), served)
	}
}

// fluidLatency is one fluid step's served requests, waiting to be folded
// into the histograms: n requests, n × shape.Weights[i] of them at the
// step's mean latency times shape.Points[i].
type fluidLatency struct {
	latency, n float64
	shape      *traffic.LatencyShape
}

// maxFluidLatencies bounds the steps waiting to be folded (a report period
// of an hour at one-minute steps has 60).
const maxFluidLatencies = 64

// latLane is where a workload's fluid steps wait to be folded: a lane of
// maxFluidLatencies slots, stride bytes apart, the first n of them
// taken. The workloads of the world's minute pass have lanes of shared
// blocks (minuteTicks.latLane), slot j of one lane beside slot j of the
// next: the pass writes one slot of each workload a minute, in the order
// the lanes were handed out, and so writes consecutive memory, about 170
// workloads to a page, where a slice of its own for each workload put
// each one's slot on a line and a page of their own (about 1.25 lines
// written and 0.44 page walks a service·minute with thousands of
// services: BENCHMARKS.md, issue 13, round 21). A workload outside the
// pass gets a lane of its own at its first step. The block stays in
// memory while a lane of it is held.
type latLane struct {
	first  *fluidLatency // slot 0, nil until the first step
	stride int32         // bytes from a slot to the next
	n      int32         // the slots taken: the steps waiting
	_      [8]byte       // 24 bytes, as the slice it replaced: the fields after it keep their lines
}

// at returns slot j of the lane (j < maxFluidLatencies).
func (l *latLane) at(j int32) *fluidLatency {
	return (*fluidLatency)(unsafe.Add(unsafe.Pointer(l.first), int(j)*int(l.stride)))
}

// ownLatLane returns a lane of a block of its own.
func ownLatLane() latLane {
	return latLane{first: &make([]fluidLatency, maxFluidLatencies)[0], stride: int32(unsafe.Sizeof(fluidLatency{}))}
}

// fluidServed books a fluid step's n served requests as the step's
// latency: its mean times the weighted points of its shape
// (traffic.FluidShape: the exponential, or the sojourn's distribution for
// the discipline, the work's C_s² and the step's load; see
// traffic.LatencyShape for how the points are placed so that a
// histogram's quantiles read the shape's), each capped at the client
// timeout (no served request outlasts it), exactly as served would, one
// point at a time, except that the minute's latency count is n.
// The minute's statistics, the period's latency sum and the histograms'
// totals are brought up to date now. The histograms' buckets, a few dozen
// scattered writes per step, wait in wl.fluidLat until foldLatency, which
// makes the same additions in the same order: a workload's histograms are
// then touched once per report period instead of every step.
func (wl *Workload) fluidServed(latency float64, shape *traffic.LatencyShape, n int64) {
	// The minute's count first: this write is also wl's nil check. Were
	// the first access to wl a read the compiler moves past a branch, it
	// would check wl with a load of its first byte, a line of the
	// Workload no pass asks for, and with thousands of workloads a trip
	// to memory every step (go build -gcflags=-d=nil reports where it
	// checks; BENCHMARKS.md, issue 13, round 18).
	m, p := &wl.minute, &wl.period
	m.latN += n
	tmax := wl.timeout
	pts, wts := shape.Points, shape.Weights
	wts = wts[:len(pts)]
	// The points below k are under the timeout, the rest are capped at it
	// (the points increase, and a positive factor keeps their order).
	k := unclamped(latency, pts, tmax, int(wl.lastUnclamped))
	wl.lastUnclamped = uint8(k)
	lo, hi := tmax, tmax
	if k > 0 {
		lo = latency * pts[0]
	}
	if k == len(pts) {
		hi = latency * pts[len(pts)-1]
	}
	// min and max of positive numbers, without their NaN and signed-zero
	// cases: the points increase, so lo and hi bound the step's.
	if lo < m.latMin {
		m.latMin = lo
	}
	if hi > m.latMax {
		m.latMax = hi
	}
	// The minute's sum, and the period's sum and the period's and the
	// whole run's request counts (the histograms' totals), are four
	// independent chains of additions: kept in registers and advanced in
	// one loop, they cost about what one costs. Each makes the additions
	// it made one point at a time, in the same order, so the same bits.
	nf := float64(n)
	sum, psum, ptot, wtot := m.latSum, p.latSum, p.hist.total, wl.whole.total
	// Two loops, the points under the timeout and those capped at it,
	// neither testing each point.
	under, uw := pts[:k], wts[:k]
	uw = uw[:len(under)]
	for i, x := range under {
		v := latency * x
		wt := nf * uw[i]
		sum += v * wt
		psum += v * wt
		ptot += wt
		wtot += wt
	}
	for i := k; i < len(wts); i++ {
		wt := nf * wts[i]
		sum += tmax * wt
		psum += tmax * wt
		ptot += wt
		wtot += wt
	}
	m.latSum, p.latSum, p.hist.total, wl.whole.total = sum, psum, ptot, wtot
	l := &wl.fluidLat
	if l.n == maxFluidLatencies {
		wl.foldLatency()
	}
	if l.first == nil {
		*l = ownLatLane()
	}
	*l.at(l.n) = fluidLatency{latency: latency, n: nf, shape: shape}
	l.n++
}

// foldLatency adds the waiting fluid steps to the buckets of the period's
// and the whole run's histograms (fluidServed added their totals and the
// period's latency sum already).
func (wl *Workload) foldLatency() {
	if wl.fluidLat.n == 0 {
		return
	}
	tmax := wl.timeout
	p := &wl.period
	ph, wh := &p.hist, &wl.whole
	// The window the two histograms share (coverPair), empty until the
	// first step if they share none yet; set anew by a step that falls
	// outside it (see grown).
	var w histPair
	if len(ph.counts) > 0 && ph.base == wh.base && len(wh.counts) == len(ph.counts) {
		w = histPair{ph.counts, wh.counts, ph.base, ph.base + histRawOffset}
	}
	// A step's points rise, and so do their buckets: the first and the
	// last bound the buckets it touched. lo, hi and bt (where every point
	// capped at the timeout falls) are places in the window: bucket − base
	// (lo above every bucket and hi below, moved with the window).
	lo, hi := histBins, -histBins
	bt := histBucketPositive(tmax) - w.base
	grown := func() {
		moved := w.base - ph.base
		w = histPair{ph.counts, wh.counts[:len(ph.counts)], ph.base, ph.base + histRawOffset}
		lo, hi, bt = lo+moved, hi+moved, bt+moved
	}
	k := 0
	for j := range wl.fluidLat.n {
		f := wl.fluidLat.at(j)
		lat, n, pts, wts := f.latency, f.n, f.shape.Points, f.shape.Weights
		wts = wts[:len(pts)]
		// The additions addBucket makes one point at a time, in the same
		// order, so the same bits: the points under the timeout (below
		// k, searched from the last step's), then those capped at it, all
		// in the bucket of tmax. Kept in fluidLatency, k cost less than
		// its search but made the entries 32 bytes instead of 24: at
		// 1,000 services two thirds of a cache miss more per step.
		k = unclamped(lat, pts, tmax, k)
		if k > 0 {
			first, last := histRawBucket(lat*pts[0])-w.off, histRawBucket(lat*pts[k-1])-w.off
			if first < 0 || last >= len(w.pc) { // outside the window, perhaps outside the histograms' range
				first, last = foldWide(ph, wh, lat, n, pts[:k], wts)
				grown()
				first, last = first-w.base, last-w.base
			} else {
				foldPoints(&w, lat, n, pts[:k], wts)
			}
			lo, hi = min(lo, first), max(hi, last)
		}
		if k < len(pts) {
			// One bucket: its two counts advance in registers, through the
			// same additions.
			if uint(bt) >= uint(len(w.pc)) {
				coverPair(ph, wh, bt+w.base, bt+w.base)
				grown()
			}
			pc, wc := w.pc, w.wc[:len(w.pc)]
			pb, wb := pc[bt], wc[bt]
			for i := k; i < len(wts); i++ {
				wt := n * wts[i]
				pb += wt
				wb += wt
			}
			pc[bt], wc[bt] = pb, wb
			lo, hi = min(lo, bt), max(hi, bt)
		}
	}
	if lo <= hi {
		p.hist.widen(lo+w.base, hi+w.base)
		wl.whole.widen(lo+w.base, hi+w.base)
	}
	wl.fluidLat.n = 0
}

// unclamped returns how many of the increasing points pts, times latency,
// are at most tmax (all of them if tmax ≤ 0, no timeout): the first k,
// since a positive factor keeps their order. The search starts from hint
// (≥ 0), the last step's count: the latency moves little from step to
// step, and so does k.
func unclamped(latency float64, pts []float64, tmax float64, hint int) int {
	if tmax <= 0 {
		return len(pts)
	}
	k := min(hint, len(pts))
	for k < len(pts) && latency*pts[k] <= tmax {
		k++
	}
	for k > 0 && latency*pts[k-1] > tmax {
		k--
	}
	return k
}

// histPair is the window two histograms fed the same points share
// (coverPair): bucket b of both at b − base in their counts pc and wc,
// and a positive value's at its raw bucket (histRawBucket) less off.
type histPair struct {
	pc, wc    []float64
	base, off int
}

// foldPoints adds n × wts[i] to the bucket of lat × pts[i] in both
// histograms of w, for a step none of whose points needs clamping (to the
// timeout or to the histograms' range) and whose buckets the window
// holds. A function of its own, so that the loop keeps its few values in
// registers (inlined into foldLatency, it spilled its index to the stack
// and back every point). The window comes by pointer so that the
// arguments fit in registers: as two slices and an offset they did not,
// and foldLatency's step, spilling, cost about 10 ns more.
//
//go:noinline
func foldPoints(w *histPair, lat, n float64, pts, wts []float64) {
	wts = wts[:len(pts)]
	pc, wc, off := w.pc, w.wc[:len(w.pc)], w.off // one bounds check a point, for both
	for i, x := range pts {
		b := histRawBucket(lat*x) - off
		wt := n * wts[i]
		pc[b] += wt
		wc[b] += wt
	}
}

// foldWide is foldPoints for a step some of whose points fall outside the
// histograms' shared window, or outside their range (clamped into the end
// buckets): it grows the window to hold them, and returns the first and
// the last bucket it added to.
func foldWide(ph, wh *latencyHistogram, lat, n float64, pts, wts []float64) (first, last int) {
	wts = wts[:len(pts)]
	first, last = histBucketPositive(lat*pts[0]), histBucketPositive(lat*pts[len(pts)-1])
	coverPair(ph, wh, first, last)
	pc, wc := ph.counts, wh.counts[:len(ph.counts)]
	for i, x := range pts {
		b := histBucketPositive(lat*x) - ph.base
		wt := n * wts[i]
		pc[b] += wt
		wc[b] += wt
	}
	return first, last
}

// fluidHealth is how the tasks answer health checks after a fluid step of
// dt seconds with lambda requests/s offered to each and mu requests/s each
// can serve. The steady-state solution knows nothing of how long a queue
// takes to fill, so the checks are judged from a fluid queue instead: the
// requests present per task grow by lambda − mu while positive, at most the
// server's capacity (concurrency + waiting room) and, with a client
// timeout, at most the arrivals of the last Timeout (older requests have
// been abandoned), carried from step to step and shared anew when the task
// count changes. A full queue answers
// 503; a wait beyond the concurrency limit of at least the check timeout
// does not answer in time. A processor-sharing task without a concurrency
// limit never queues and always answers.
func (wl *Workload) fluidHealth(lambda, mu float64, tasks int, dt float64, sc traffic.ServerConfig) loadbalancer.Response {
	if wl.backlog == 0 && lambda <= mu {
		// No backlog and none building: it stays 0 (shared anew or not),
		// and an empty queue answers. The usual step, without the rest.
		wl.backlogOf = tasks
		return loadbalancer.Pass
	}
	if wl.backlogOf > 0 && wl.backlogOf != tasks {
		wl.backlog *= float64(wl.backlogOf) / float64(tasks)
	}
	wl.backlogOf = tasks
	if sc.Discipline == traffic.ProcessorSharing && sc.Concurrency == 0 {
		wl.backlog = 0
		return loadbalancer.Pass
	}
	slots := float64(max(sc.Concurrency, 1))
	capacity := math.Inf(1)
	if sc.QueueLimit != traffic.Unlimited {
		capacity = slots + float64(sc.QueueLimit)
	}
	bound := capacity
	if t := wl.timeout; t > 0 {
		bound = min(bound, lambda*t) // clients give up: only the last Timeout's arrivals remain
	}
	wl.backlog = min(max(wl.backlog+(lambda-mu)*dt, 0), bound)
	switch {
	case wl.backlog >= capacity:
		return loadbalancer.Refuse
	case wl.backlog > slots && (wl.backlog-slots)/mu >= wl.checkTimeout.Seconds():
		return loadbalancer.NoResponse
	}
	return loadbalancer.Pass
}

// taskCPU returns the CPU units of the service's current task definition.
func (wl *Workload) taskCPU() int {
	if wl.svc != nil {
		return int(wl.defCPU)
	}
	for _, lt := range wl.lb.targets {
		if lt != nil {
			return lt.t.def.cpu
		}
	}
	return 1024
}

// endMinute samples every task, publishes the minute's metrics and
// closes the report period when it ends (the world's minute ticks call
// it).
func (wl *Workload) endMinute(now time.Duration) {
	wl.sampleMinute(now)
	m := &wl.minute
	now4 := wl.counters.minuteCounts()
	d := minuteCounts{now4.arrived - m.start.arrived, now4.noTarget - m.start.noTarget, now4.rejected - m.start.rejected, now4.aborted - m.start.aborted}
	running := 0
	if wl.svc != nil {
		running = int(wl.svcRun)
	}
	cpuPct, hasCPU := 0.0, m.capacitySeconds > 0
	if hasCPU {
		cpuPct = 100 * m.cpuSeconds / m.capacitySeconds
	}
	p := &wl.period
	p.minutes++
	p.taskSum += float64(running)
	p.maxTasks = max(p.maxTasks, int32(running))
	memPct, hasMem := 0.0, hasCPU && m.taskSeconds > 0
	if hasMem {
		memPct = wl.memoryPercent()
	}
	if hasCPU {
		p.cpuSum += cpuPct
		p.cpuN++
	}
	if hasMem {
		p.memSum += memPct
		p.memN++
	}
	if wl.publishes {
		wl.publish(now, d, cpuPct, hasCPU, memPct, hasMem, running)
	}
	*m = minuteAcc{latMin: math.Inf(1), start: now4}
	if (wl.periodPhase+now)%wl.reportPeriod == 0 { // the calendar time is a multiple of the period
		wl.closePeriod()
	}
}

// sampleMinute samples every live target at the minute's end. In fluid
// mode, when no target registered or exited in the minute, every one ran
// from the minute's start, so their task seconds (minute · targets) and
// capacity seconds (minute · CPU units / 1024) are added at once, without
// visiting the targets: those sums are exact (whole seconds times whole
// CPU units over a power of two), so they equal the sums taken one target
// at a time, in any order.
func (wl *Workload) sampleMinute(now time.Duration) {
	if wl.mode == FluidMode && !wl.irregular && now-wl.minuteStart == time.Minute {
		dt := (now - wl.minuteStart).Seconds()
		wl.minute.taskSeconds += dt * float64(wl.liveTargets)
		wl.minute.capacitySeconds += dt * float64(wl.liveCPU) / 1024
	} else {
		for _, lt := range wl.lb.targets {
			if lt == nil || lt.exited {
				continue
			}
			if lt.srv != nil {
				wl.flush(lt, now)
			}
			wl.sample(lt, now)
		}
	}
	wl.minuteStart, wl.irregular = now, false
}

// publish writes one minute's metrics, timestamped at the minute's start.
func (wl *Workload) publish(now time.Duration, d minuteCounts, cpuPct float64, hasCPU bool, memPct float64, hasMem bool, running int) {
	m := &wl.minute
	ts := wl.w.sim.Start().Add(now - time.Minute)
	if wl.group == nil {
		svc := wl.svc
		if svc == nil {
			return // no task has registered yet: nothing to say
		}
		st, cluster, name := wl.cfg.Metrics, svc.c.name, svc.cfg.Name
		tg, lbd := wl.lb.TargetGroupDimension(), wl.lb.LoadBalancerDimension()
		series := []metrics.GroupMetric{
			{Metric: metrics.ServiceMetric(metrics.MetricCPUUtilization, cluster, name)},
			{Metric: metrics.ServiceMetric(metrics.MetricMemoryUtilization, cluster, name)},
			{Metric: metrics.RunningTaskCountMetric(cluster, name)},
		}
		if wl.lb.classic() {
			series = append(series, wl.lb.classicMetrics()...)
		} else {
			series = append(series,
				metrics.GroupMetric{Metric: metrics.TargetGroupMetric(metrics.MetricRequestCount, tg, lbd)},
				metrics.GroupMetric{Metric: metrics.TargetGroupMetric(metrics.MetricRequestCountPerTarget, tg, lbd)},
				metrics.GroupMetric{Metric: metrics.TargetGroupMetric(metrics.MetricHTTPCodeELB5XXCount, tg, lbd)},
				metrics.GroupMetric{Metric: metrics.TargetGroupMetric(MetricHTTPCodeTarget5XXCount, tg, lbd)},
				metrics.GroupMetric{Metric: metrics.TargetGroupMetric(metrics.MetricTargetResponseTime, tg, lbd), StatisticSets: true},
			)
		}
		g, err := st.Group(series...)
		if err != nil {
			panic(fmt.Sprintf("sim: publishing the metrics of %s: %v", name, err))
		}
		wl.group = g
	}
	g := wl.group
	// The minute's single samples go in as one row (PutRow), the response
	// times' statistic set into the same row after them.
	var vals [wmResponseTime + 1]float64
	var present uint64
	put := func(i int, v float64) { vals[i], present = v, present|1<<i }
	if hasMem {
		put(wmCPU, cpuPct)
		put(wmMemory, memPct)
	}
	if running > 0 || hasCPU {
		put(wmRunning, float64(running))
	}
	classic := wl.classic
	if classic {
		// A Classic Load Balancer reports its healthy instances every
		// minute, in wmPerTarget's place.
		put(wmPerTarget, float64(wl.tgHealthy))
	}
	latency := false
	if d.arrived > 0 {
		put(wmRequests, float64(d.arrived))
		targets := int(wl.tgHealthy)
		if targets == 0 {
			targets = int(wl.tgRegistered)
		}
		if v, ok := metrics.RequestCountPerTarget(float64(d.arrived), targets); ok && !classic {
			put(wmPerTarget, v)
		}
		put(wmELB5xx, float64(d.noTarget+d.aborted))
		put(wmTarget5xx, float64(d.rejected))
		latency = m.latN > 0
	}
	// A value per series: the group has wmResponseTime+1 of them, behind
	// an ALB or a Classic Load Balancer.
	if err := g.PutRow(ts, present, vals[:]); err != nil {
		panic(fmt.Sprintf("sim: publishing the metrics of %v: %v", g.Metric(0), err))
	}
	if latency {
		set := metrics.StatisticSet{SampleCount: float64(m.latN), Sum: m.latSum, Minimum: m.latMin, Maximum: m.latMax}
		if err := g.PutStatisticSet(wmResponseTime, ts, set); err != nil {
			panic(fmt.Sprintf("sim: publishing %v: %v", g.Metric(wmResponseTime), err))
		}
	}
}

// memoryPercent is the minute's MemoryUtilization (the minute must have
// task seconds).
func (wl *Workload) memoryPercent() float64 {
	m := &wl.minute
	memPerTask := wl.memoryPerTask()
	base := wl.memBase
	if base == 0 {
		base = memPerTask / 4
	}
	used := base*m.taskSeconds + wl.memPerRequest*m.inFlightSeconds
	return 100 * used / (memPerTask * m.taskSeconds)
}

// memoryPerTask is the MiB MemoryUtilization divides by: the task
// definition's memoryReservation if set, else its memory.
func (wl *Workload) memoryPerTask() float64 {
	if wl.svc != nil {
		return float64(wl.defMemory)
	}
	return 1
}

// followService makes s (nil: none) the service the workload reads,
// and has s mirror what the workload reads of it into the workload
// (Service.mirror).
func (wl *Workload) followService(s *Service) {
	wl.svc = s
	if s == nil {
		return
	}
	if !slices.Contains(s.followers, wl) {
		s.followers = append(s.followers, wl)
	}
	wl.mirrorService()
}

// mirrorService copies what the workload reads of its service into its
// own lines.
func (wl *Workload) mirrorService() {
	s := wl.svc
	def := s.primary.def
	wl.defCPU, wl.defMemory, wl.svcRun = int32(def.cpu), int32(def.memory), int32(s.running)
}

// tgChanged copies what the workload reads of its target group into its
// own lines (TargetGroup.OnChange).
func (wl *Workload) tgChanged(c loadbalancer.Counts, roundRobinCursors int) {
	wl.tgHealthy, wl.tgRegistered, wl.tgCursors = int32(c.Healthy), int32(c.Initial+c.Healthy+c.Unhealthy), int32(roundRobinCursors)
}

// periodPhase returns how far start is past a multiple of the report
// period p (> 0) in calendar time, counted as time.Time.Truncate counts
// (from the zero time): the instant start + now ends a period when
// (phase + now) % p is 0, an integer test instead of a Truncate a minute
// (TestPeriodPhaseMatchesTruncate).
func periodPhase(start time.Time, p time.Duration) time.Duration {
	return start.Sub(start.Truncate(p))
}

// closePeriod ends the current report period.
func (wl *Workload) closePeriod() {
	wl.foldLatency()
	p := &wl.period
	now := wl.w.now()
	out := Period{Start: p.start, Length: now.Sub(p.start), Counters: wl.counters.sub(p.counters), MaxTasks: int(p.maxTasks)}
	if p.minutes > 0 {
		out.MeanTasks = p.taskSum / float64(p.minutes)
	}
	if p.cpuN > 0 {
		out.CPUUtilization = p.cpuSum / float64(p.cpuN)
	}
	if p.memN > 0 {
		out.MemoryUtilization = p.memSum / float64(p.memN)
	}
	if n := p.hist.total; n > 0 {
		var q [3]float64
		p.hist.quantiles([]float64{0.50, 0.90, 0.99}, q[:])
		out.P50, out.P90, out.P99 = secondsDuration(q[0]), secondsDuration(q[1]), secondsDuration(q[2])
		out.Mean = secondsDuration(p.latSum / n)
	}
	wl.periods.add(out, wl.w.cfg.Retention.Periods)
	p.hist.reset()
	*p = periodAcc{start: now, counters: wl.counters, hist: p.hist}
}

func secondsDuration(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }

// windowBound answers thinning's MaxRate from the source's maximum over
// aligned one-minute windows, cached: the maximum over the aligned windows
// that cover [from, to) bounds the rate there, and thinning needs only a
// bound, so the source is asked once per minute instead of once per
// arrival. Rate passes through.
type windowBound struct {
	traffic.Source
	k   [2]time.Duration // cached window indices; -1 when empty
	max [2]float64
}

func (b *windowBound) MaxRate(from, to time.Duration) float64 {
	if to <= from || to-from > time.Hour {
		return b.Source.MaxRate(from, to)
	}
	m := 0.0
	for k := from / time.Minute; k*time.Minute < to; k++ {
		m = max(m, b.window(k))
	}
	return m
}

func (b *windowBound) window(k time.Duration) float64 {
	slot := int(k & 1)
	if b.k[slot] != k {
		b.k[slot], b.max[slot] = k, b.Source.MaxRate(k*time.Minute, (k+1)*time.Minute)
	}
	return b.max[slot]
}
