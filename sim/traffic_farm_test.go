package sim_test

import (
	"math/rand/v2"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// farm wires traffic models to the real engine the way the world will: an
// arrival process feeds requests to N servers (one per task) through a
// uniformly random router, each server has one wake-up timer kept at its
// Next instant, and completions are measured.
type farm struct {
	s        *sim.Sim
	servers  []*traffic.Server
	timers   []sim.Timer
	wakeAt   []time.Duration
	arrivals traffic.Arrivals
	demand   traffic.Demand

	rArrive, rWork, rRoute *rand.Rand
	arrive, wake           sim.Kind

	nextID      uint64
	pendingSize float64 // size of the one scheduled arrival
	warmup      uint64  // requests with ID < warmup are not measured
	limit       uint64  // arrivals generated in all
	record      bool    // keep every measured sojourn
	started     time.Duration

	// Measurements over requests with ID ≥ warmup.
	measured, waited    int64
	sumSojourn, sumWait float64 // seconds
	sojourns, waits     []float64
	perServer           []stat // by server
	inFlightAtStart     float64
	outcomes            [3]int64
	sumAll              float64 // sojourns of every measured departure, any outcome
}

type stat struct {
	n   int64
	sum float64
}

type farmConfig struct {
	seed     uint64
	tasks    int
	server   traffic.ServerConfig
	arrivals traffic.Arrivals
	demand   traffic.Demand
	warmup   uint64
	measure  uint64
	record   bool
}

func newFarm(cfg farmConfig) *farm {
	s, err := sim.New(sim.Config{Seed: cfg.seed})
	if err != nil {
		panic(err)
	}
	f := &farm{
		s: s, arrivals: cfg.arrivals, demand: cfg.demand,
		rArrive: s.Rand("arrivals"), rWork: s.Rand("work"), rRoute: s.Rand("routing"),
		warmup: cfg.warmup, limit: cfg.warmup + cfg.measure, record: cfg.record,
		timers: make([]sim.Timer, cfg.tasks), wakeAt: make([]time.Duration, cfg.tasks), perServer: make([]stat, cfg.tasks),
	}
	for range cfg.tasks {
		srv, err := traffic.NewServer(cfg.server)
		if err != nil {
			panic(err)
		}
		f.servers = append(f.servers, srv)
	}
	if cfg.record {
		f.sojourns = make([]float64, 0, cfg.measure)
		f.waits = make([]float64, 0, cfg.measure)
		f.waits = make([]float64, 0, cfg.measure)
	}
	f.arrive = s.Handle("arrival", sim.PhaseTraffic, f.onArrive)
	f.wake = s.Handle("server-wake", sim.PhaseTraffic, f.onWake)
	f.scheduleArrival(0)
	return f
}

// scheduleArrival asks the arrival process for its next instant.
func (f *farm) scheduleArrival(now time.Duration) {
	if f.nextID >= f.limit {
		return
	}
	a, ok := f.arrivals.Next(now, f.rArrive)
	if a.At == traffic.Never {
		return
	}
	if ok {
		f.pendingSize = a.Size
		f.s.ScheduleAt(f.arrive, a.At, 1)
	} else {
		f.s.ScheduleAt(f.arrive, a.At, 0) // a poll: no arrival before a.At
	}
}

func (f *farm) onArrive(isArrival uint64) {
	now := f.s.Elapsed()
	if isArrival == 1 {
		id := f.nextID
		f.nextID++
		if id == f.warmup {
			f.started = now
			for _, srv := range f.servers {
				f.inFlightAtStart += srv.Counters().InFlightSeconds
			}
		}
		i := 0
		if len(f.servers) > 1 {
			i = f.rRoute.IntN(len(f.servers))
		}
		srv := f.servers[i]
		srv.Arrive(now, traffic.Request{ID: id, Work: f.demand.Work(f.rWork, f.pendingSize)})
		f.collect(i, srv.Advance(now))
		f.rearm(i, now)
	}
	f.scheduleArrival(now)
}

func (f *farm) onWake(i uint64) {
	now := f.s.Elapsed()
	f.wakeAt[i] = traffic.Never
	f.collect(int(i), f.servers[i].Advance(now))
	f.rearm(int(i), now)
}

// rearm keeps server i's timer at its Next instant.
func (f *farm) rearm(i int, now time.Duration) {
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

func (f *farm) collect(i int, done []traffic.Completion) {
	for _, c := range done {
		if c.ID < f.warmup {
			continue
		}
		f.outcomes[c.Outcome]++
		f.sumAll += c.Sojourn().Seconds()
		if c.Outcome != traffic.Served {
			continue
		}
		soj := c.Sojourn().Seconds()
		f.measured++
		f.sumSojourn += soj
		f.sumWait += (c.Started - c.Arrived).Seconds()
		if c.Started > c.Arrived {
			f.waited++
		}
		f.perServer[i].n++
		f.perServer[i].sum += soj
		if f.record {
			f.sojourns = append(f.sojourns, soj)
			f.waits = append(f.waits, (c.Started - c.Arrived).Seconds())
			f.waits = append(f.waits, (c.Started - c.Arrived).Seconds())
		}
	}
}

// run generates all arrivals and lets every request finish.
func (f *farm) run() {
	if err := f.s.Run(); err != nil {
		panic(err)
	}
}

func (f *farm) meanSojourn() float64 { return f.sumSojourn / float64(f.measured) }
func (f *farm) meanWait() float64    { return f.sumWait / float64(f.measured) }

// totals sums the servers' counters.
func (f *farm) totals() traffic.Counters {
	var t traffic.Counters
	for _, srv := range f.servers {
		c := srv.Counters()
		t.Arrived += c.Arrived
		t.Served += c.Served
		t.Rejected += c.Rejected
		t.TimedOut += c.TimedOut
		t.Aborted += c.Aborted
		t.InFlight += c.InFlight
		t.CPUSeconds += c.CPUSeconds
		t.InFlightSeconds += c.InFlightSeconds
	}
	return t
}
