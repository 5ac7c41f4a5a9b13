package sim_test

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/internal/preload"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// scaleDays is how many simulated days BenchmarkScalingCurve runs per
// point; BenchmarkLargestCluster always runs a week.
var scaleDays = flag.Int("scale-days", 1, "simulated days per point of BenchmarkScalingCurve")

// scaleServiceDays lengthens the measurement of BenchmarkScalingCurve's
// small points: each point runs fresh worlds one after another until they
// have simulated at least this many service·days, and reports their mean
// (0, the default: one world). A day of 100 services is a quarter of a
// second of CPU, short enough for a shared host's moments to move it by
// a fifth either way, where a day of 5,000 services averages a minute of
// them; with 5,000 service·days each point is about as long as the
// largest, and the growth exponent compares like with like.
var scaleServiceDays = flag.Int("scale-service-days", 0, "service·days of fresh worlds per point of BenchmarkScalingCurve, their mean reported (0: one world)")

// scaleDayLength shortens the simulated "day" of the scale benchmarks, for
// profiling a few hours under a slow tool (cachegrind); the figures are
// then per that span, not per day.
var scaleDayLength = flag.Duration("scale-day-length", 24*time.Hour, "simulated span of one day of the scale benchmarks (diagnostics)")

// scaleHeapProfile names a file for a heap profile taken after the last
// day's GC, with the world still live (diagnostics).
var scaleHeapProfile = flag.String("scale-heapprofile", "", "write a heap profile of the live world after the last simulated day of a scale benchmark")

// writeHeapProfile writes the heap profile -scale-heapprofile asks for.
func writeHeapProfile(tb testing.TB) {
	if *scaleHeapProfile == "" {
		return
	}
	f, err := os.Create(*scaleHeapProfile)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		tb.Fatal(err)
	}
}

// scaleWorld is the autoscaled world of BenchmarkAutoscaledDay at any size:
// a cluster of instances (four types, three zones) running services, each
// behind its own ALB with the AWS default health checks (every 30 s), each
// driven by a diurnal demand (means 2 to 8 requests per second, ±60 %,
// peaks spread over the afternoon) in fluid mode, each scaled by target
// tracking on CPU at 60 % between 2 and 100 tasks of 0.25 vCPU. A request
// is 200 ms of CPU at one vCPU. Every service publishes its metrics to one
// store every minute. The world forgets stopped tasks after an hour, as ECS
// does, and keeps a day of hourly report periods and the last 20 events,
// scaling decisions and scaling activities of each service (scaleRetention,
// scaleHistory): ECS shows 100 events per service, but a service here logs
// about 15 scaling decisions a day, so logs of 100 would take a week to
// fill and would hide whether anything else grows; logs of 20 are full
// after the first day.
type scaleWorld struct {
	s         *sim.Sim
	w         *sim.World
	store     *metrics.Store
	workloads []*sim.Workload
	scalings  []*sim.ServiceScaling
	services  []*sim.Service
}

// scaleDay is what one simulated day of a scaleWorld cost and left.
type scaleDay struct {
	cpu, wall   time.Duration // process CPU (user + system, every thread) and wall time
	liveHeap    uint64        // bytes in use after a GC at the end of the day
	metricBytes int           // the store's own count of its series' memory; -1 if it has none
	events      uint64        // events executed in the day
}

// scaleRetention is what the scale benchmarks' world remembers.
var scaleRetention = sim.Retention{StoppedTasks: time.Hour, Events: 20, Periods: 24}

// scaleHistory is each scaler's activity history.
const scaleHistory = 20

func newScaleWorld(tb testing.TB, services, instances int, keep sim.Retention) *scaleWorld {
	return newScaleWorldWith(tb, services, instances, keep, nil)
}

// newScaleWorldWith is newScaleWorld with each service's controller
// attached as wrap makes it a Scaler (as it is when wrap is nil).
func newScaleWorldWith(tb testing.TB, services, instances int, keep sim.Retention, wrap func(*autoscale.Controller) sim.Scaler) *scaleWorld {
	s, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{Retention: keep, APIRateLimits: noThrottle})
	if err != nil {
		tb.Fatal(err)
	}
	c, _ := w.CreateCluster("prod")
	types := []string{"m5.xlarge", "m6i.xlarge", "c5.2xlarge", "r5.xlarge"}
	for i := range instances {
		if _, err := c.LaunchInstance(sim.InstanceSpec{Type: types[i%len(types)], Zone: zones3[i%3]}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.RunFor(2 * time.Minute); err != nil {
		tb.Fatal(err)
	}
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	sw := &scaleWorld{s: s, w: w, store: store}
	for i := range services {
		name := fmt.Sprintf("svc%04d", i)
		if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
			Family: name, CPU: 256, MemoryMiB: 512,
			Containers: []sim.ContainerDefinition{{Name: "app", Image: name + ":1", MemoryMiB: 512,
				PortMappings: []sim.PortMapping{{ContainerPort: 8080}}}},
		}); err != nil {
			tb.Fatal(err)
		}
		lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: name})
		if err != nil {
			tb.Fatal(err)
		}
		svc, err := c.CreateService(sim.ServiceConfig{Name: name, TaskDefinition: name, DesiredCount: 2, Observer: lb})
		if err != nil {
			tb.Fatal(err)
		}
		wl, err := w.NewWorkload(sim.WorkloadConfig{
			LoadBalancer: lb, Mode: sim.FluidMode,
			Source: traffic.Diurnal{Mean: float64(2 + i%7), Amplitude: 0.6,
				Peak: 12*time.Hour + time.Duration(i%6)*time.Hour},
			MeanWork: 200 * time.Millisecond, SCV: 1,
			Server:  traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 64, QueueLimit: 100, Timeout: 10 * time.Second},
			Metrics: store,
		})
		if err != nil {
			tb.Fatal(err)
		}
		resource := "service/prod/" + name
		policy, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "cpu60", ResourceID: resource,
			TargetValue: 60, PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization})
		if err != nil {
			tb.Fatal(err)
		}
		ctl, err := autoscale.NewController(autoscale.ControllerConfig{
			Target:   autoscale.ScalableTarget{ResourceID: resource, MinCapacity: 2, MaxCapacity: 100},
			Policies: []autoscale.Policy{policy}, HistoryLimit: scaleHistory})
		if err != nil {
			tb.Fatal(err)
		}
		var scaler sim.Scaler = ctl
		if wrap != nil {
			scaler = wrap(ctl)
		}
		sc, err := svc.AttachScaler(scaler, store)
		if err != nil {
			tb.Fatal(err)
		}
		sw.workloads, sw.scalings, sw.services = append(sw.workloads, wl), append(sw.scalings, sc), append(sw.services, svc)
	}
	return sw
}

// day runs one simulated day and measures it.
func (sw *scaleWorld) day(tb testing.TB) scaleDay {
	events := sw.s.Executed()
	cpu0, wall0 := processCPU(), time.Now()
	if err := sw.s.RunFor(*scaleDayLength); err != nil {
		tb.Fatal(err)
	}
	d := scaleDay{cpu: processCPU() - cpu0, wall: time.Since(wall0), events: sw.s.Executed() - events, metricBytes: -1}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	d.liveHeap = ms.HeapAlloc
	if b, ok := any(sw.store).(interface{ Bytes() int }); ok {
		d.metricBytes = b.Bytes()
	}
	return d
}

// totals sums the services' outcomes.
func (sw *scaleWorld) totals() (requests, decisions, running int64) {
	for i, wl := range sw.workloads {
		requests += wl.Counters().Arrived
		decisions += int64(len(sw.scalings[i].Decisions()))
		running += int64(sw.services[i].RunningCount())
	}
	return
}

// BenchmarkLargestCluster is ECS's largest cluster (5,000 instances, 5,000
// services, the per-cluster quotas) for one simulated week: scaleWorld,
// one instance per service. One op is the week, set-up excluded from the
// per-day figures. It reports, per day d: CPU ms per service·day
// (process CPU, every thread, so the collector's work counts) and the live
// heap after GC in MiB; and the store's metric state per service in KiB
// at the end. Minutes of CPU; run it alone:
//
//	go test -run XXX -bench LargestCluster -benchtime 1x -timeout 2h ./sim/
func BenchmarkLargestCluster(b *testing.B) {
	if testing.Short() {
		b.Skip("a simulated week of 5,000 services")
	}
	const services, days = 5000, 7
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
		cpu0 := processCPU()
		sw := newScaleWorld(b, services, services, scaleRetention)
		setup := processCPU() - cpu0
		var last scaleDay
		var cpu time.Duration
		for d := 1; d <= days; d++ {
			last = sw.day(b)
			cpu += last.cpu
			b.ReportMetric(float64(last.cpu.Milliseconds())/services, fmt.Sprintf("cpu-ms/svc·day%d", d))
			b.ReportMetric(float64(last.liveHeap)/(1<<20), fmt.Sprintf("MiB-heap-day%d", d))
			b.Logf("day %d: CPU %v (%.1f ms per service·day), wall %v, live heap %.1f MiB, metric state %d B per service, %d events",
				d, last.cpu.Round(time.Millisecond), float64(last.cpu.Milliseconds())/services, last.wall.Round(time.Millisecond),
				float64(last.liveHeap)/(1<<20), last.metricBytes/services, last.events)
		}
		writeHeapProfile(b)
		requests, decisions, running := sw.totals()
		b.Logf("set-up CPU %v; week: %d requests, %d scaling decisions, %d tasks running at the end", setup.Round(time.Millisecond), requests, decisions, running)
		b.ReportMetric(float64(cpu.Milliseconds())/services/days, "cpu-ms/svc·day")
		if last.metricBytes >= 0 {
			b.ReportMetric(float64(last.metricBytes)/services/1024, "KiB-metrics/svc")
		}
	}
}

// BenchmarkScalingCurve runs scaleWorld at 10, 100, 1,000 and 5,000
// services, one instance per service, for -scale-days simulated days (one
// by default) after set-up, and reports CPU ms per service·day (and, over
// several days, of the last day alone: the first one also grows the
// metric rings and histograms to their size) and the live heap at the
// end. From the second point from 100 services on, it logs the growth
// exponent of the world's CPU per simulated day in the number of services
// (1 + the least-squares slope of log(CPU per service·day) on
// log(services)): 1 is a cost per service·day flat in the number of
// services. With -scale-service-days each point is the mean of as many
// fresh worlds as make that many service·days, for an exponent whose
// small points are measured over as long a time as its large ones:
//
//	go test -run XXX -bench 'ScalingCurve' -benchtime 1x -timeout 1h ./sim/
//	go test -run XXX -bench 'ScalingCurve/services=(100|1000|5000)$' -benchtime 1x -scale-service-days 5000 ./sim/
func BenchmarkScalingCurve(b *testing.B) {
	var xs, ys []float64 // services, CPU ms per service·day, from 100 services on
	for _, n := range []int{10, 100, 1000, 5000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			if testing.Short() && n > 100 {
				b.Skip("a large world")
			}
			worlds := 1
			if per := n * *scaleDays; *scaleServiceDays > per {
				worlds = (*scaleServiceDays + per - 1) / per
			}
			for b.Loop() {
				var cpu, setup, lastCPU time.Duration
				var last scaleDay
				for range worlds {
					b.StopTimer()
					runtime.GC()
					b.StartTimer()
					cpu0 := processCPU()
					sw := newScaleWorld(b, n, n, scaleRetention)
					setup += processCPU() - cpu0
					for d := range *scaleDays {
						last = sw.day(b)
						cpu += last.cpu
						b.Logf("day %d: %.2f CPU ms per service·day, live heap %.1f MiB", d+1, float64(last.cpu.Microseconds())/1e3/float64(n), float64(last.liveHeap)/(1<<20))
					}
					lastCPU += last.cpu
				}
				writeHeapProfile(b)
				days := float64(*scaleDays * worlds)
				perDay := float64(cpu.Microseconds()) / 1e3 / float64(n) / days
				if n >= 100 {
					xs, ys = append(xs, float64(n)), append(ys, perDay)
					if len(xs) >= 2 {
						b.Logf("growth exponent of CPU per simulated day from %v to %v services: %.3f", xs[0], xs[len(xs)-1], 1+growthExponent(xs, ys))
					}
				}
				b.ReportMetric(perDay, "cpu-ms/svc·day")
				if *scaleDays > 1 {
					b.ReportMetric(float64(lastCPU.Microseconds())/1e3/float64(n*worlds), "cpu-ms/svc·lastday")
				}
				b.ReportMetric(float64(last.liveHeap)/(1<<20), "MiB-heap")
				b.ReportMetric(setup.Seconds()/float64(worlds), "setup-cpu-s")
				b.ReportMetric(float64(last.events)/float64(n), "events/svc·day")
				if last.metricBytes >= 0 {
					b.ReportMetric(float64(last.metricBytes)/float64(n)/1024, "KiB-metrics/svc")
				}
			}
		})
	}
}

// BenchmarkMemoryLatency measures the host, not the library: the time of
// one load that depends on the one before it, chasing a random cycle
// through a working set of 64-byte lines. The scale benchmarks are bound
// by such loads: every service's minute reads about 50 lines that the
// first-level cache no longer holds (scaled cachegrind), and with
// thousands of services most of them come from beyond the last level
// the host gives the process. So their cost per service·day,
// and their ratios against another binary, move with where this curve
// rises. Record it beside a sitting's figures (BENCHMARKS.md, issue 13,
// round 9).
//
//	go test -run XXX -bench 'MemoryLatency' ./sim/
func BenchmarkMemoryLatency(b *testing.B) {
	for _, mib := range []int{1, 2, 4, 8, 16, 64, 256} {
		b.Run(fmt.Sprintf("MiB=%d", mib), func(b *testing.B) {
			if testing.Short() && mib > 16 {
				b.Skip("a large working set")
			}
			next := chaseCycle(mib << 20 / 64)
			const loads = 1000 // per op, so that the loop's own cost is noise
			p := 0
			for b.Loop() {
				for range loads {
					p = int(next[p])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/loads, "ns/load")
			if p < 0 || p >= len(next) { // keeps the chase; cannot happen
				b.Fatal(p)
			}
		})
	}
}

// BenchmarkMemoryThroughput measures the host too: the time per line of
// loads that do not wait for one another, one word of each of the lines
// of a working set in a random order computed beforehand, the way the
// minute passes read services' lines. The processor overlaps as many of
// them as it can have misses in flight, so beyond the last level this is
// what a line costs a pass that never waits for one on its own, where
// BenchmarkMemoryLatency is what a line costs the code that waits for it.
// ahead=16 also asks for each line 16 loads before it (preload.Prefetch),
// as the passes ask for services' lines ahead. Lines from memory per
// service·minute (cachegrind) times this is the memory time a world's
// minute needs, which the processor can hide behind instructions but not
// shorten (BENCHMARKS.md, issue 13, round 20).
//
//	go test -run XXX -bench 'MemoryThroughput' ./sim/
func BenchmarkMemoryThroughput(b *testing.B) {
	for _, mib := range []int{1, 8, 64, 256} {
		for _, ahead := range []int{0, 16} {
			b.Run(fmt.Sprintf("MiB=%d/ahead=%d", mib, ahead), func(b *testing.B) {
				if testing.Short() && mib > 8 {
					b.Skip("a large working set")
				}
				n := mib << 20 / 64
				words := make([]int64, n*8) // 32 KiB or more: it starts on a page, so every eight words are a line
				order := rand.New(rand.NewPCG(13, 64)).Perm(n)
				const loads = 4096 // per op, so that the loop's own cost is noise
				pos, sum := 0, int64(0)
				for b.Loop() {
					for range loads {
						if ahead > 0 {
							j := pos + ahead
							if j >= n {
								j -= n
							}
							preload.Prefetch(unsafe.Pointer(&words[order[j]*8]), firstWord[:])
						}
						sum += words[order[pos]*8]
						if pos++; pos == n {
							pos = 0
						}
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/loads, "ns/line")
				if sum != 0 { // keeps the loads; every word is zero
					b.Fatal(sum)
				}
			})
		}
	}
}

// firstWord is the offset of the one line BenchmarkMemoryThroughput asks
// for of each load's line.
var firstWord = [...]uintptr{0}

// chaseCycle returns the links of one random cycle through n lines of 64
// bytes: next[i] is the index (in words) of the line after the one at i,
// and every line holds one link in its first word. (An allocation of 32
// KiB or more starts on a page, so every eight words are one line.)
func chaseCycle(n int) []int64 {
	next := make([]int64, n*8)
	order := rand.New(rand.NewPCG(13, 64)).Perm(n)
	for i, line := range order {
		next[line*8] = int64(order[(i+1)%n] * 8)
	}
	return next
}

func TestChaseCycle(t *testing.T) {
	// A cycle through every line: from line 0, n steps visit n distinct
	// lines, each at a line's first word, and come back to line 0.
	const n = 1000
	next := chaseCycle(n)
	seen := make([]bool, n)
	p := 0
	for range n {
		if p%8 != 0 || seen[p/8] {
			t.Fatalf("the chase reached word %d twice or off a line's start", p)
		}
		seen[p/8] = true
		p = int(next[p])
	}
	if p != 0 {
		t.Errorf("after %d steps the chase is at word %d, want 0 (one cycle through every line)", n, p)
	}
}

// growthExponent is the least-squares slope of log y on log x.
func growthExponent(x, y []float64) float64 {
	var sx, sy, sxx, sxy float64
	for i := range x {
		lx, ly := math.Log(x[i]), math.Log(y[i])
		sx, sy, sxx, sxy = sx+lx, sy+ly, sxx+lx*lx, sxy+lx*ly
	}
	n := float64(len(x))
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

func TestGrowthExponent(t *testing.T) {
	// y = 3 x^1.25 exactly: the slope is 1.25.
	x := []float64{100, 1000, 5000}
	y := make([]float64, len(x))
	for i := range x {
		y[i] = 3 * math.Pow(x[i], 1.25)
	}
	if got := growthExponent(x, y); math.Abs(got-1.25) > 1e-12 {
		t.Errorf("growthExponent of 3x^1.25 = %v, want 1.25", got)
	}
}

// TestScaleWorldScales checks that the benchmark's world does what it
// says, at its smallest size: a day of diurnal demand makes every service
// scale, the requests add up to the demand's integral, and the forgetful
// world's metric state stays within issue 13's 64 KiB per service.
func TestScaleWorldScales(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated day of 10 services")
	}
	const n = 10
	sw := newScaleWorld(t, n, n, scaleRetention)
	d := sw.day(t)
	requests, decisions, running := sw.totals()
	for i, sc := range sw.scalings {
		if len(sc.Decisions()) == 0 {
			t.Errorf("service %d made no scaling decision in a day of diurnal demand", i)
		}
	}
	// Mean demand: Σ_i (2 + i mod 7) req/s over a day (the diurnal term
	// integrates to zero over its period).
	want := 0.0
	for i := range n {
		want += float64(2+i%7) * 86400
	}
	if math.Abs(float64(requests)-want) > 0.01*want {
		t.Errorf("%d requests in the day, want %.0f ± 1 %%", requests, want)
	}
	if running < 2*n {
		t.Errorf("%d tasks running, want at least the minimum of 2 per service", running)
	}
	if d.metricBytes > 64<<10*n {
		t.Errorf("metric state %d B for %d services, want at most 64 KiB each", d.metricBytes, n)
	}
	t.Logf("%d decisions, %d running, metric state %d B per service", decisions, running, d.metricBytes/n)
}

// Skipping idle evaluations (sim.IdleSkipper) changes nothing: a world
// whose controllers are attached as they are, and so skip, and one whose
// controllers are attached behind a Scaler that only evaluates, run the
// same events (the same trace hash) to the same scaling decisions; a
// third, whose wrapper counts the skips, the same events too, with at
// least 90 % of the evaluations skipped. The worlds have enough services
// for the scalers' pass to ask for memory ahead, and the first, whose
// scalers are the controllers themselves, reads their Lines.
func TestSkippingIdleEvaluationsChangesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("three worlds of 130 services for 12 simulated hours")
	}
	const n = 130
	skipping := newScaleWorld(t, n, n, scaleRetention)
	evaluating := newScaleWorldWith(t, n, n, scaleRetention, func(c *autoscale.Controller) sim.Scaler { return evaluateOnly{c} })
	// A third world counts the skips, behind a wrapper (which the
	// scalers' pass cannot take Lines from, so the first world is the
	// one that runs the pass as the benchmarks do).
	var skipped, declined int
	counting := newScaleWorldWith(t, n, n, scaleRetention, func(c *autoscale.Controller) sim.Scaler {
		return countSkips{evaluateOnly{c}, &skipped, &declined}
	})
	for _, sw := range []*scaleWorld{skipping, evaluating, counting} {
		if err := sw.s.RunFor(12 * time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if a, b, c := skipping.s.TraceHash(), evaluating.s.TraceHash(), counting.s.TraceHash(); a != b || c != b {
		t.Errorf("trace hash %x when skipping idle evaluations, %x when evaluating them, %x when counting the skips", a, b, c)
	}
	if skipped < 9*declined { // 98.6 % when written
		t.Errorf("%d evaluations skipped and %d not: want at least 90 %% skipped", skipped, declined)
	}
	total := 0
	for i := range n {
		a, b := skipping.scalings[i].Decisions(), evaluating.scalings[i].Decisions()
		if diff := cmp.Diff(b, a); diff != "" {
			t.Fatalf("service %d's decisions differ (-evaluating +skipping):\n%s", i, diff)
		}
		total += len(a)
	}
	if total == 0 {
		t.Fatal("no scaling decision in either world: nothing compared")
	}
}

// evaluateOnly attaches a controller as a Scaler and AlarmEvaluator that
// is not an IdleSkipper.
type evaluateOnly struct{ c *autoscale.Controller }

func (e evaluateOnly) Evaluate(now time.Time, s autoscale.State) autoscale.Decision {
	return e.c.Evaluate(now, s)
}

func (e evaluateOnly) EvaluateAlarms(now time.Time, r metrics.Reader) { e.c.EvaluateAlarms(now, r) }

// countSkips is evaluateOnly that is an IdleSkipper too, counting what
// SkipIdle skips and declines.
type countSkips struct {
	evaluateOnly
	skipped, declined *int
}

func (c countSkips) SkipIdle(now time.Time, s autoscale.State) (time.Time, bool) {
	next, ok := c.c.SkipIdle(now, s)
	if ok {
		*c.skipped++
	} else {
		*c.declined++
	}
	return next, ok
}

// TestScalingPassKeepsControllersLines: once the scalers' pass has taken
// the controllers' Lines again (every few minutes), each scaler's entry
// names its controller's Lines as they are, so that the pass prefetches
// the memory the next minute reads. The alarms find
// their series and group in the first minutes, which changes the Lines.
// (A pass of fewer than 128 scalers asks for nothing ahead.)
func TestScalingPassKeepsControllersLines(t *testing.T) {
	const n = 128
	sw := newScaleWorld(t, n, n, scaleRetention)
	if err := sw.s.RunFor(30 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if controllers, current := sim.ScalingLines(sw.w); controllers != n || current != n {
		t.Errorf("%d of %d controllers' entries name their Lines, want all of %d", current, controllers, n)
	}
}

// TestReportRetention: Retention.Periods and Retention.Events bound what a
// workload's Periods and a scaler's Decisions keep, and forgetting changes
// nothing else: two days of the scale world's smallest size, kept whole and
// kept short, run the same events and keep the last periods and decisions.
func TestReportRetention(t *testing.T) {
	if testing.Short() {
		t.Skip("two simulated days of 10 services")
	}
	if err := (sim.WorldConfig{Retention: sim.Retention{Periods: -1}}).Validate(); !errors.Is(err, sim.ErrConfig) || !slices.Equal(errorFields(err), []string{"WorldConfig.Retention.Periods"}) {
		t.Errorf("Retention.Periods -1: %v", err)
	}
	const n = 10
	whole := newScaleWorld(t, n, n, sim.Retention{})
	short := newScaleWorld(t, n, n, sim.Retention{Events: 3, Periods: 5})
	for range 2 {
		whole.day(t)
		short.day(t)
	}
	if whole.s.TraceHash() != short.s.TraceHash() {
		t.Fatalf("trace %x keeping everything, %x keeping little", whole.s.TraceHash(), short.s.TraceHash())
	}
	for i := range n {
		wp, sp := whole.workloads[i].Periods(), short.workloads[i].Periods()
		if len(wp) != 48 || !cmp.Equal(sp, wp[len(wp)-5:]) {
			t.Errorf("service %d: %d periods kept whole; kept short: %v, want the last 5 of them", i, len(wp), sp)
		}
		wd, sd := whole.scalings[i].Decisions(), short.scalings[i].Decisions()
		if len(wd) < 4 || !cmp.Equal(sd, wd[len(wd)-3:]) {
			t.Errorf("service %d: %d decisions kept whole; kept short: %v, want the last 3 of them", i, len(wd), sd)
		}
	}
}
