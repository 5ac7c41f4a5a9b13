package sim_test

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// fluidFull runs TestFluidAgreesWithRequestLevel on its whole table (270
// shapes × 3 seeds, several minutes) instead of the default subset:
//
//	go test ./sim -run TestFluidAgreesWithRequestLevel -fluid.full -v
var fluidFull = flag.Bool("fluid.full", false, "run the whole fluid-against-request-level table")

// fluidOnly keeps the routings whose name contains it ("shared",
// "nodes", "least", "random").
var fluidOnly = flag.String("fluid.only", "", "run TestFluidAgreesWithRequestLevel for the routings whose name contains this")

// fluidNodes, fluidSeeds and fluidTasks change the round-robin node
// count, the seeds and the task counts of the full table, to check the
// fluid model's calibration (at three nodes, seeds 1–3, N = 2, 4, 16) out
// of sample: -fluid.nodes 6 -fluid.seeds 4,5, or -fluid.only least
// -fluid.tasks 8 -fluid.seeds 4,5.
var (
	fluidNodes = flag.Int("fluid.nodes", 3, "load-balancer nodes of the per-node round-robin rows")
	fluidSeeds = flag.String("fluid.seeds", "1,2,3", "seeds of TestFluidAgreesWithRequestLevel")
	fluidTasks = flag.String("fluid.tasks", "2,4,16", "task counts of TestFluidAgreesWithRequestLevel's full table")
)

// lbFarm is request-level traffic through a real target group: Poisson
// arrivals routed by loadbalancer.Route (round robin, least outstanding
// requests or weighted random) to N traffic.Servers, Begin and End kept
// with the group so least outstanding requests sees the requests in
// flight.
type lbFarm struct {
	s        *sim.Sim
	tg       *loadbalancer.TargetGroup
	servers  []*traffic.Server
	timers   []sim.Timer
	wakeAt   []time.Duration
	arrivals traffic.Poisson
	demand   traffic.Demand
	rArrive  *rand.Rand
	rWork    *rand.Rand
	rRoute   *rand.Rand
	arrive   sim.Kind
	wake     sim.Kind
	epoch    time.Time

	nextID, warmup, limit uint64
	sojourns              []float64
}

func newLBFarm(seed uint64, tg loadbalancer.Config, tasks int, server traffic.ServerConfig, rate float64, demand traffic.Demand, warmup, measure uint64) *lbFarm {
	s, err := sim.New(sim.Config{Seed: seed})
	if err != nil {
		panic(err)
	}
	g, err := loadbalancer.New(tg)
	if err != nil {
		panic(err)
	}
	f := &lbFarm{s: s, tg: g, arrivals: traffic.Poisson{PerSecond: rate}, demand: demand,
		rArrive: s.Rand("arrivals"), rWork: s.Rand("work"), rRoute: s.Rand("routing"),
		epoch: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), warmup: warmup, limit: warmup + measure,
		timers: make([]sim.Timer, tasks), wakeAt: make([]time.Duration, tasks), sojourns: make([]float64, 0, measure)}
	zones := []string{"a", "b", "c"}
	for i := range tasks {
		srv, err := traffic.NewServer(server)
		if err != nil {
			panic(err)
		}
		f.servers = append(f.servers, srv)
		// Registered targets are routable while none is healthy (fail
		// open), so no health check is needed: all N take traffic.
		if err := g.Register(f.epoch, loadbalancer.Target{ID: i, Zone: zones[i%len(zones)]}); err != nil {
			panic(err)
		}
	}
	f.arrive = s.Handle("arrival", sim.PhaseTraffic, f.onArrive)
	f.wake = s.Handle("server-wake", sim.PhaseTraffic, f.onWake)
	f.next(0)
	return f
}

func (f *lbFarm) next(now time.Duration) {
	if f.nextID >= f.limit {
		return
	}
	a, _ := f.arrivals.Next(now, f.rArrive)
	f.s.ScheduleAt(f.arrive, a.At, 0)
}

func (f *lbFarm) onArrive(uint64) {
	now := f.s.Elapsed()
	id := f.nextID
	f.nextID++
	i, ok := f.tg.Route(f.epoch.Add(now), f.rRoute)
	if !ok {
		panic("no target")
	}
	f.tg.Begin(i)
	srv := f.servers[i]
	srv.Arrive(now, traffic.Request{ID: id, Work: f.demand.Work(f.rWork, 0)})
	f.collect(i, now, srv.Advance(now))
	f.rearm(i, now)
	f.next(now)
}

func (f *lbFarm) onWake(i uint64) {
	now := f.s.Elapsed()
	f.wakeAt[i] = traffic.Never
	f.collect(int(i), now, f.servers[i].Advance(now))
	f.rearm(int(i), now)
}

func (f *lbFarm) rearm(i int, now time.Duration) {
	next := f.servers[i].Next()
	if next == f.wakeAt[i] {
		return
	}
	f.wakeAt[i] = next
	switch {
	case next == traffic.Never:
		f.timers[i].Stop()
	case f.timers[i].Pending():
		f.timers[i].Reset(next - now)
	default:
		f.timers[i] = f.s.ScheduleAt(f.wake, next, uint64(i))
	}
}

func (f *lbFarm) collect(i int, now time.Duration, done []traffic.Completion) {
	for _, c := range done {
		f.tg.End(f.epoch.Add(now), i)
		if c.ID >= f.warmup && c.Outcome == traffic.Served {
			f.sojourns = append(f.sojourns, c.Sojourn().Seconds())
		}
	}
}

// agreementShape is one row of the fluid-against-request-level table.
type agreementShape struct {
	tasks int
	rho   float64
	disc  traffic.Discipline
	scv   float64
	alg   loadbalancer.Algorithm
	nodes int // round robin: 1 for a shared cursor, else that many nodes with their own
}

func (s agreementShape) String() string {
	return fmt.Sprintf("%v N=%d ρ=%.2f %v C²=%.1f", s.routing(), s.tasks, s.rho, s.disc, s.scv)
}

func (s agreementShape) routing() string {
	switch {
	case s.alg != loadbalancer.RoundRobin:
		return s.alg.String()
	case s.nodes > 1:
		return fmt.Sprintf("round_robin, %d nodes", s.nodes)
	}
	return "round_robin, shared cursor"
}

// config is the shape's target group.
func (s agreementShape) config() loadbalancer.Config {
	return loadbalancer.Config{Algorithm: s.alg, Nodes: max(s.nodes, 1), SharedRoundRobin: s.nodes <= 1}
}

// exact says whether queueing theory gives this shape's fluid figures
// exactly: random routing with exponential work, or with any work for
// processor sharing and for FCFS (Pollaczek–Khinchine); round robin with
// one cursor and exponential work (E_N/M/1, GIM1Sigma).
func (s agreementShape) exact() bool {
	switch s.alg {
	case loadbalancer.WeightedRandom:
		return true
	case loadbalancer.RoundRobin:
		return s.scv == 1 && s.nodes <= 1
	}
	return false
}

// measureAgreement runs the request-level farm for the shape on the seeds
// and returns the mean and p99 sojourn over all of them, with the fluid
// model's mean and p99 (its mean latency times the p99 of its latency
// shape, traffic.FluidShape, as the world's fluid mode books it).
func measureAgreement(s agreementShape, seeds []uint64) (reqMean, reqP99, fluidMean, fluidP99 float64) {
	const work = 100 * time.Millisecond
	server := traffic.ServerConfig{Discipline: s.disc, Concurrency: 1, QueueLimit: traffic.Unlimited}
	if s.disc == traffic.ProcessorSharing {
		server.Concurrency = 0
	}
	var demand traffic.Demand = traffic.Exponential{Mean: work}
	if s.scv != 1 {
		demand = traffic.Lognormal{Mean: work, SCV: s.scv}
	}
	rate := s.rho * float64(s.tasks) / work.Seconds()
	// Enough requests for the relaxation time, which grows as 1/(1 − ρ)².
	measure := uint64(min(60000*float64(s.tasks)/10+20000/((1-s.rho)*(1-s.rho)), 400000) * max(1, s.scv/2))
	var all []float64
	for _, seed := range seeds {
		f := newLBFarm(seed, s.config(), s.tasks, server, rate, demand, measure/10, measure)
		if err := f.s.Run(); err != nil {
			panic(err)
		}
		all = append(all, f.sojourns...)
	}
	slices.Sort(all)
	var sum float64
	for _, v := range all {
		sum += v
	}
	reqMean = sum / float64(len(all))
	reqP99 = all[int(0.99*float64(len(all)))]
	alg, _ := s.config().FluidAlgorithm()
	routing := map[loadbalancer.Algorithm]traffic.Routing{loadbalancer.RoundRobin: traffic.RoundRobinRouting,
		loadbalancer.LeastOutstandingRequests: traffic.ShortestQueueRouting}[alg]
	cursors := 0
	if alg == loadbalancer.RoundRobin {
		cursors = max(s.nodes, 1)
	}
	r, err := traffic.Fluid(traffic.FluidInput{OfferedRate: rate, Tasks: s.tasks, Server: server, MeanWork: work.Seconds(), SCV: s.scv,
		Routing: routing, Cursors: cursors})
	if err != nil {
		panic(err)
	}
	return reqMean, reqP99, r.MeanLatency, r.MeanLatency * traffic.FluidShape(server, s.scv, r).P99
}

// TestFluidAgreesWithRequestLevel compares fluid mode (traffic.Fluid with
// the target group's routing) with request-level simulation through a
// real target group, on the same shapes and three seeds: N tasks from 2
// to 16, ρ from 0.3 to 0.95, FCFS and processor sharing, C_s² from 0.5 to
// 4, round robin, least outstanding requests and weighted random. The
// mean and the p99 sojourn must agree within the bounds the sim/traffic
// package documentation states, by class:
//
//   - exact cells (random routing with exponential work or processor
//     sharing; round robin with exponential work): the request-level mean
//     within 4 % (simulation noise) for ρ ≤ 0.9;
//   - the p99 (the fluid mean times the p99 of traffic.FluidShape) within
//     the stated worst case of its class, 5 % for random routing;
//   - approximate cells: the mean within the stated worst case.
//
// By default it runs a subset; -fluid.full runs all 270 shapes and logs
// the table BENCHMARKS.md quotes.
func TestFluidAgreesWithRequestLevel(t *testing.T) {
	skipIfShort(t)
	var shapes []agreementShape
	type routing struct {
		alg   loadbalancer.Algorithm
		nodes int
	}
	routings := []routing{{loadbalancer.RoundRobin, 1}, {loadbalancer.RoundRobin, *fluidNodes}, {loadbalancer.LeastOutstandingRequests, 0}, {loadbalancer.WeightedRandom, 0}}
	var seedList []uint64
	for _, f := range strings.Split(*fluidSeeds, ",") {
		var v uint64
		if _, err := fmt.Sscan(f, &v); err != nil {
			t.Fatalf("-fluid.seeds %q: %v", *fluidSeeds, err)
		}
		seedList = append(seedList, v)
	}
	var taskList []int
	for _, f := range strings.Split(*fluidTasks, ",") {
		var v int
		if _, err := fmt.Sscan(f, &v); err != nil || v < 1 {
			t.Fatalf("-fluid.tasks %q: want task counts ≥ 1 (%v)", *fluidTasks, err)
		}
		taskList = append(taskList, v)
	}
	if *fluidOnly != "" {
		routings = slices.DeleteFunc(routings, func(r routing) bool {
			return !strings.Contains(agreementShape{alg: r.alg, nodes: r.nodes}.routing(), *fluidOnly)
		})
	}
	if *fluidFull {
		for _, r := range routings {
			for _, disc := range []traffic.Discipline{traffic.FCFS, traffic.ProcessorSharing} {
				for _, n := range taskList {
					for _, rho := range []float64{0.3, 0.6, 0.8, 0.9, 0.95} {
						for _, scv := range []float64{0.5, 1, 4} {
							shapes = append(shapes, agreementShape{n, rho, disc, scv, r.alg, r.nodes})
						}
					}
				}
			}
		}
	} else {
		for _, r := range routings {
			shapes = append(shapes,
				agreementShape{4, 0.8, traffic.FCFS, 1, r.alg, r.nodes},
				agreementShape{8, 0.6, traffic.ProcessorSharing, 1, r.alg, r.nodes},
				agreementShape{2, 0.9, traffic.FCFS, 0.5, r.alg, r.nodes},
			)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n| routing | N | ρ | discipline | C_s² | request mean | fluid mean | error | request p99 | fluid p99 | error |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range shapes {
		rm, rp, fm, fp := measureAgreement(s, seedList)
		em, ep := (fm-rm)/rm, (fp-rp)/rp
		fmt.Fprintf(&b, "| %v | %d | %.2f | %v | %.1f | %.4f | %.4f | %+.1f %% | %.4f | %.4f | %+.1f %% |\n",
			s.routing(), s.tasks, s.rho, s.disc, s.scv, rm, fm, 100*em, rp, fp, 100*ep)
		if s.rho > 0.9 {
			continue
		}
		meanTol, p99Tol := agreementTolerance(s)
		if math.Abs(em) > meanTol {
			t.Errorf("%v: fluid mean %.4f s, request-level %.4f s: %+.1f %%, bound %.0f %%", s, fm, rm, 100*em, 100*meanTol)
		}
		if p99Tol > 0 && math.Abs(ep) > p99Tol {
			t.Errorf("%v: fluid p99 %.4f s, request-level %.4f s: %+.1f %%, bound %.0f %%", s, fp, rp, 100*ep, 100*p99Tol)
		}
	}
	t.Log(b.String())
}

// agreementTolerance is the bound on the relative error of the fluid mean
// and p99 for a shape at ρ ≤ 0.9, as the sim/traffic package doc states
// it from the full table. The p99 is the fluid mean times the p99 of
// traffic.FluidShape: exact in form for random routing (M/G/1 FCFS,
// M/M/1-PS) and for round robin with exponential FCFS work (E_N/M/1), an
// approximation elsewhere (the round-robin and join-the-shortest-queue
// shapes of sim/traffic's shape.go).
func agreementTolerance(s agreementShape) (mean, p99 float64) {
	fcfs, exp := s.disc == traffic.FCFS, s.scv == 1
	switch {
	case s.alg == loadbalancer.LeastOutstandingRequests:
		// The mean within 4.4 % (jsqSelection) for every class.
		switch {
		case fcfs && s.scv > 1:
			return 0.05, 0.27 // the p99 22.2 % over (N = 2, 4, 16), 25.7 % at eight
		case fcfs:
			return 0.05, 0.06 // the p99 4.7 %
		}
		return 0.05, 0.06 // processor sharing: the p99 4.4 % (jsqPSTail)
	case s.exact():
		mean = 0.04
	case s.alg == loadbalancer.RoundRobin && s.nodes > 1:
		mean = 0.10
	case s.disc == traffic.ProcessorSharing:
		mean = 0.08
	default:
		mean = 0.05
	}
	switch {
	case s.alg == loadbalancer.WeightedRandom:
		p99 = 0.05 // 3.8 % at worst
	case s.nodes > 1:
		p99 = 0.15 // 10.3 % at three nodes; 14.6 % at six (seeds 4 and 5)
	case fcfs && exp:
		p99 = 0.05 // 2.5 %: E_N/M/1's sojourn is exponential
	case fcfs:
		p99 = 0.15 // 13.8 %: FCFS C_s² = 0.5 at sixteen tasks
	case exp:
		p99 = 0.06 // 4.2 %
	default:
		p99 = 0.10 // 8.5 %
	}
	return mean, p99
}
