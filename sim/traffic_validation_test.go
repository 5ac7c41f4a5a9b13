package sim_test

import (
	"math"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim/traffic"
)

// Run lengths and tolerances: at load up to 0.8, means converge slowly
// (at 0.9 a 600,000-arrival run is still 2 % off), so at least 10⁶
// measured arrivals per seed after a 5 % warm-up, five seeds, means within 3 % and
// tail percentiles within 5 % (on the mean over seeds), each seed within a
// looser 10 % so that one bad seed cannot hide behind good ones.
const (
	measure = 1_000_000
	warmup  = 50_000
)

var seeds = []uint64{1, 2, 3, 4, 5}

func skipIfShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("oracle runs simulate 10⁶ arrivals per seed")
	}
}

// checkRun asserts what must hold on every run: requests conserved
// (arrived = served + rejected + timed out + aborted + in flight, and every
// generated request reached a server), nothing left in flight after the
// drain, and Little's law L = λW between the servers' in-flight integral and
// the measured sojourns.
func checkRun(t *testing.T, name string, f *farm) {
	t.Helper()
	c := f.totals()
	if c.Arrived != c.Served+c.Rejected+c.TimedOut+c.Aborted+int64(c.InFlight) || c.Arrived != int64(f.nextID) || c.InFlight != 0 {
		t.Errorf("%s: requests not conserved: generated %d, counters %+v", name, f.nextID, c)
	}
	period := (f.s.Elapsed() - f.started).Seconds()
	departed := f.outcomes[traffic.Served] + f.outcomes[traffic.TimedOut] + f.outcomes[traffic.Aborted]
	l := (c.InFlightSeconds - f.inFlightAtStart) / period
	lambda := float64(departed) / period
	w := f.sumAll / float64(departed)
	if math.Abs(l-lambda*w)/l > 0.01 {
		t.Errorf("%s: Little's law: L = %.4f, λW = %.4f × %.4f = %.4f", name, l, lambda, w, lambda*w)
	}
}

func within(got, want, tol float64) bool { return math.Abs(got-want) <= tol*math.Abs(want) }

type seedResult struct{ mean, wait, pWait, p95, p99, waitP95 float64 }

func quantile(sorted []float64, p float64) float64 { return sorted[int(p*float64(len(sorted)))] }

// runSeeds runs cfg over the seeds, checks every run, and returns per-seed
// figures.
func runSeeds(t *testing.T, name string, cfg farmConfig) []seedResult {
	t.Helper()
	var out []seedResult
	for _, seed := range seeds {
		cfg.seed = seed
		f := newFarm(cfg)
		f.run()
		checkRun(t, name, f)
		r := seedResult{mean: f.meanSojourn(), wait: f.meanWait(), pWait: float64(f.waited) / float64(f.measured)}
		if cfg.record {
			slices.Sort(f.sojourns)
			slices.Sort(f.waits)
			r.p95, r.p99, r.waitP95 = quantile(f.sojourns, 0.95), quantile(f.sojourns, 0.99), quantile(f.waits, 0.95)
		}
		out = append(out, r)
	}
	return out
}

// assertMean checks the mean over seeds of pick within tol, and each seed
// within 10 %.
func assertMean(t *testing.T, name, what string, rs []seedResult, pick func(seedResult) float64, want, tol float64) {
	t.Helper()
	var sum float64
	for i, r := range rs {
		v := pick(r)
		sum += v
		if !within(v, want, 0.10) {
			t.Errorf("%s seed %d: %s = %.4f, theory %.4f: off by more than 10 %%", name, seeds[i], what, v, want)
		}
	}
	if mean := sum / float64(len(rs)); !within(mean, want, tol) {
		t.Errorf("%s: %s = %.4f over %d seeds, theory %.4f: off by more than %.0f %%", name, what, mean, len(rs), want, tol*100)
	} else {
		t.Logf("%s: %s = %.4f over %d seeds, theory %.4f", name, what, mean, len(rs), want)
	}
}

func farmMM1(lambda float64, server traffic.ServerConfig, demand traffic.Demand) farmConfig {
	return farmConfig{tasks: 1, server: server, arrivals: traffic.Poisson{PerSecond: lambda}, demand: demand, warmup: warmup, measure: measure}
}

var (
	fcfs1 = traffic.ServerConfig{Concurrency: 1, QueueLimit: traffic.Unlimited}
	ps    = traffic.ServerConfig{Discipline: traffic.ProcessorSharing}
)

// TestMM1MeanAndP99Sojourn: M/M/1 at ρ = 0.8, μ = 1/s: sojourn is
// exponential with rate μ − λ, so W = 5 s, p95 = ln(20)·5 = 14.979 s and
// p99 = ln(100)·5 = 23.026 s (Kleinrock, Queueing Systems, vol. 1, §3.2).
func TestMM1MeanAndP99Sojourn(t *testing.T) {
	skipIfShort(t)
	cfg := farmMM1(0.8, fcfs1, traffic.Exponential{Mean: time.Second})
	cfg.record = true
	rs := runSeeds(t, "M/M/1", cfg)
	assertMean(t, "M/M/1", "W", rs, func(r seedResult) float64 { return r.mean }, 5, 0.03)
	assertMean(t, "M/M/1", "p95", rs, func(r seedResult) float64 { return r.p95 }, 14.979, 0.05)
	assertMean(t, "M/M/1", "p99", rs, func(r seedResult) float64 { return r.p99 }, 23.026, 0.05)
}

// TestMMcOneTaskErlangC: one task with 4 vCPUs and concurrency 4 is
// M/M/4; at a = 2.5 Erlangs, C = 0.319857 and W = 1.213238 mean service
// times (TestErlangCWorkedCases; μ = 10/s here so W = 121.3 ms). The wait tail
// P(Wq > t) = C·e^{−(cμ−λ)t} puts the 95th percentile of the wait at
// ln(C/0.05)/(cμ−λ) = 123.7 ms.
func TestMMcOneTaskErlangC(t *testing.T) {
	skipIfShort(t)
	cfg := farmMM1(25, traffic.ServerConfig{CPU: 4096, Concurrency: 4, QueueLimit: traffic.Unlimited}, traffic.Exponential{Mean: 100 * time.Millisecond})
	cfg.record = true
	rs := runSeeds(t, "M/M/4", cfg)
	assertMean(t, "M/M/4", "p95 wait", rs, func(r seedResult) float64 { return r.waitP95 }, math.Log(0.319857/0.05)/(40-25), 0.05)
	assertMean(t, "M/M/4", "W", rs, func(r seedResult) float64 { return r.mean }, 0.1213238, 0.03)
	assertMean(t, "M/M/4", "P(wait)", rs, func(r seedResult) float64 { return r.pWait }, 0.319857, 0.03)
}

// TestMD1WaitIsHalfMM1: deterministic service halves the M/M/1 wait:
// ρ = 0.8, E[S] = 1 s gives Wq = 2 s for M/D/1 against 4 s for M/M/1
// (Pollaczek–Khinchine). Both are checked against theory, and their ratio on
// the same seeds (common arrivals) against ½.
func TestMD1WaitIsHalfMM1(t *testing.T) {
	skipIfShort(t)
	md := runSeeds(t, "M/D/1", farmMM1(0.8, fcfs1, traffic.Fixed{CPU: time.Second}))
	mm := runSeeds(t, "M/M/1", farmMM1(0.8, fcfs1, traffic.Exponential{Mean: time.Second}))
	assertMean(t, "M/D/1", "Wq", md, func(r seedResult) float64 { return r.wait }, 2, 0.03)
	assertMean(t, "M/M/1", "Wq", mm, func(r seedResult) float64 { return r.wait }, 4, 0.03)
	var ratio float64
	for i := range md {
		ratio += md[i].wait / mm[i].wait / float64(len(md))
	}
	if !within(ratio, 0.5, 0.05) {
		t.Errorf("Wq(M/D/1)/Wq(M/M/1) = %.4f, theory 0.5", ratio)
	}
}

// TestProcessorSharingInsensitivity: M/G/1-PS at ρ = 0.8 with E[S] = 50 ms
// has E[T] = E[S]/(1−ρ) = 250 ms for exponential, deterministic and
// C_s² = 4 service alike (insensitivity; Kleinrock, Queueing Systems,
// vol. 2, 1976, ch. 4).
func TestProcessorSharingInsensitivity(t *testing.T) {
	skipIfShort(t)
	for _, tc := range []struct {
		name   string
		demand traffic.Demand
	}{
		{"exponential", traffic.Exponential{Mean: 50 * time.Millisecond}},
		{"deterministic", traffic.Fixed{CPU: 50 * time.Millisecond}},
		{"hyperexponential C²=4", traffic.HyperExponential{Mean: 50 * time.Millisecond, SCV: 4}},
	} {
		rs := runSeeds(t, "M/G/1-PS "+tc.name, farmMM1(16, ps, tc.demand))
		assertMean(t, "M/G/1-PS "+tc.name, "E[T]", rs, func(r seedResult) float64 { return r.mean }, 0.25, 0.03)
	}
}

// TestRandomRoutingIsIndependentMM1: Poisson arrivals split at random over
// N = 4 tasks give 4 independent M/M/1 queues (a Poisson stream thinned at
// random stays Poisson): each task's W = 1/(μ − λ/N) = 5 s at λ/N = 0.8.
func TestRandomRoutingIsIndependentMM1(t *testing.T) {
	skipIfShort(t)
	const n = 4
	var perTask [n]float64
	for _, seed := range seeds {
		f := newFarm(farmConfig{seed: seed, tasks: n, server: fcfs1, arrivals: traffic.Poisson{PerSecond: 0.8 * n},
			demand: traffic.Exponential{Mean: time.Second}, warmup: warmup, measure: 2 * measure})
		f.run()
		checkRun(t, "random routing", f)
		for i, st := range f.perServer {
			perTask[i] += st.sum / float64(st.n) / float64(len(seeds))
		}
	}
	for i, w := range perTask {
		if !within(w, 5, 0.04) {
			t.Errorf("task %d: W = %.3f s over %d seeds, independent M/M/1 gives 5 s", i, w, len(seeds))
		}
	}
}

// TestErlangBLossTask: a task with 3 slots and no waiting room at a = 2
// Erlangs rejects B(3, 2) = 4/19 of arrivals; Erlang B is
// insensitive to the service distribution, so deterministic service is used.
func TestErlangBLossTask(t *testing.T) {
	skipIfShort(t)
	var blocked float64
	for _, seed := range seeds[:3] {
		f := newFarm(farmConfig{seed: seed, tasks: 1, server: traffic.ServerConfig{CPU: 3072, Concurrency: 3},
			arrivals: traffic.Poisson{PerSecond: 20}, demand: traffic.Fixed{CPU: 100 * time.Millisecond}, warmup: warmup, measure: measure})
		f.run()
		checkRun(t, "Erlang B", f)
		c := f.totals()
		blocked += float64(c.Rejected) / float64(c.Arrived) / 3
	}
	if !within(blocked, 4.0/19, 0.03) {
		t.Errorf("blocking %.4f, Erlang B(3, 2) = %.4f", blocked, 4.0/19)
	}
}

// TestOverloadTimeoutsConservation: overloaded tasks (ρ = 1.5) with client
// timeouts and bounded queues, fed by a diurnal non-homogeneous process,
// under both disciplines: requests are conserved, Little's law holds, and
// all three fates (served, rejected, timed out) occur. Also runs in -short.
func TestOverloadTimeoutsConservation(t *testing.T) {
	source := traffic.Diurnal{Mean: 3 * 15, Amplitude: 0.5, Period: time.Hour}
	for _, cfg := range []traffic.ServerConfig{
		{Concurrency: 2, CPU: 2048, QueueLimit: 20, Timeout: 2 * time.Second},
		{Discipline: traffic.ProcessorSharing, Concurrency: 8, QueueLimit: 20, Timeout: 2 * time.Second},
		{Discipline: traffic.ProcessorSharing, Timeout: 500 * time.Millisecond},
	} {
		f := newFarm(farmConfig{seed: 9, tasks: 3, server: cfg, arrivals: &traffic.Thinning{Source: source},
			demand: traffic.HyperExponential{Mean: 100 * time.Millisecond, SCV: 4}, warmup: 10_000, measure: 200_000})
		f.run()
		name := cfg.Discipline.String()
		checkRun(t, name, f)
		c := f.totals()
		if c.Served == 0 || c.TimedOut == 0 || (cfg.QueueLimit > 0 && c.Rejected == 0) {
			t.Errorf("%s: %+v: expected served, timed-out and (with a queue limit) rejected requests", name, c)
		}
		// Work done can never exceed the CPU available over the run.
		if capacity := 3 * float64(cfg.CPU|1024) / 1024 * f.s.Elapsed().Seconds(); c.CPUSeconds > capacity {
			t.Errorf("%s: %.0f vCPU·s of work in %.0f available", name, c.CPUSeconds, capacity)
		}
	}
}

// TestAzureTraceReplayWorkConserved replays the first 500 requests of the
// Azure LLM conversation trace at their exact instants on two tasks, with
// CPU work proportional to generated tokens. With no timeouts the CPU work
// done after the drain must equal the sum of the requests' work, whatever
// the queueing, and requests are conserved.
func TestAzureTraceReplayWorkConserved(t *testing.T) {
	f, err := os.Open("traffic/testdata/azure_llm_inference_2023_conv_first500.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	trace, err := traffic.ReadRequestCSV(f, traffic.RequestCSV{TimeColumn: "TIMESTAMP", SizeColumns: []string{"GeneratedTokens"}})
	if err != nil {
		t.Fatal(err)
	}
	demand := traffic.PerSize{Base: 5 * time.Millisecond, PerUnit: 2 * time.Millisecond}
	var want float64
	for _, size := range trace.Size {
		want += demand.Work(nil, size).Seconds()
	}
	for _, cfg := range []traffic.ServerConfig{
		{CPU: 2048, Concurrency: 2, QueueLimit: traffic.Unlimited},
		{Discipline: traffic.ProcessorSharing, CPU: 1024},
	} {
		replay, err := traffic.NewTraceArrivals(trace, time.Second, 0)
		if err != nil {
			t.Fatal(err)
		}
		fm := newFarm(farmConfig{seed: 1, tasks: 2, server: cfg, arrivals: replay, demand: demand, measure: uint64(len(trace.At))})
		fm.run()
		checkRun(t, "Azure replay "+cfg.Discipline.String(), fm)
		c := fm.totals()
		if c.Served != int64(len(trace.At)) || !within(c.CPUSeconds, want, 1e-9) {
			t.Errorf("%s: served %d of %d, CPU work %.6f vCPU·s, sum of demands %.6f", cfg.Discipline, c.Served, len(trace.At), c.CPUSeconds, want)
		}
	}
}

// TestDeterministicAcrossRuns: the same seed gives the same event sequence
// (engine trace hash) and the same measurements; another seed does not.
func TestDeterministicAcrossRuns(t *testing.T) {
	run := func(seed uint64) (uint64, float64, traffic.Counters) {
		f := newFarm(farmConfig{seed: seed, tasks: 5, arrivals: &traffic.Thinning{Source: traffic.Diurnal{Mean: 40, Amplitude: 0.5, Period: time.Hour}},
			server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 4, QueueLimit: 8, Timeout: time.Second},
			demand: traffic.Lognormal{Mean: 100 * time.Millisecond, SCV: 2}, measure: 50_000})
		f.run()
		return f.s.TraceHash(), f.sumSojourn, f.totals()
	}
	h1, s1, c1 := run(11)
	h2, s2, c2 := run(11)
	h3, _, _ := run(12)
	if h1 != h2 || s1 != s2 || c1 != c2 {
		t.Errorf("same seed: hashes %#x %#x, sojourn sums %v %v, counters %+v %+v", h1, h2, s1, s2, c1, c2)
	}
	if h1 == h3 {
		t.Errorf("seeds 11 and 12 gave the same trace hash %#x", h1)
	}
}

// TestTimeoutInServiceMatchesExponentialTail: with more slots than requests
// ever in flight (M/M/∞ in effect) nobody waits, so a request times out
// exactly when its service exceeds the timeout T: P = e^{−μT}, here e^{−1}
// for exponential service of mean 1 s and T = 1 s. 2·10⁵ requests: the
// binomial standard error is 0.3 % of p, the tolerance 2 %.
func TestTimeoutInServiceMatchesExponentialTail(t *testing.T) {
	f := newFarm(farmConfig{seed: 3, tasks: 1, server: traffic.ServerConfig{CPU: 1024 * 200, Concurrency: 200, Timeout: time.Second},
		arrivals: traffic.Poisson{PerSecond: 20}, demand: traffic.Exponential{Mean: time.Second}, warmup: 1000, measure: 200_000})
	f.run()
	checkRun(t, "M/M/∞ with timeouts", f)
	c := f.totals()
	if c.Rejected != 0 || f.waited != 0 {
		t.Fatalf("%d rejected, %d waited: the test needs more slots", c.Rejected, f.waited)
	}
	p := float64(f.outcomes[traffic.TimedOut]) / float64(f.outcomes[traffic.TimedOut]+f.outcomes[traffic.Served])
	if !within(p, math.Exp(-1), 0.02) {
		t.Errorf("timed-out fraction %.4f, want e^-1 = %.4f", p, math.Exp(-1))
	}
}

// TestNASADayThroughEngine replays the first day of the NASA 1995
// per-minute trace (scaled ×5) as a non-homogeneous Poisson process onto
// four processor-sharing tasks, the quickstart's path. The number of
// arrivals is Poisson with mean 5 × the day's requests, so its z-score must
// be small; every request is accounted for and Little's law holds.
func TestNASADayThroughEngine(t *testing.T) {
	file, err := os.Open("traffic/testdata/nasa_http_1995_per_minute.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	series, err := traffic.ReadSeriesCSV(file, traffic.SeriesCSV{TimeColumn: "minute_start_utc_epoch", ValueColumn: "requests"})
	if err != nil {
		t.Fatal(err)
	}
	var dayRequests float64
	for i := range 1440 {
		dayRequests += series.Values[i]
	}
	const scale = 5
	source := traffic.Replay{Series: series, Counts: true, Scale: scale}
	f := newFarm(farmConfig{seed: 4, tasks: 4, server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Timeout: 30 * time.Second},
		arrivals: &traffic.Thinning{Source: source, End: 24 * time.Hour}, demand: traffic.Lognormal{Mean: 200 * time.Millisecond, SCV: 2},
		measure: math.MaxInt64})
	f.run()
	checkRun(t, "NASA day", f)
	want := scale * dayRequests
	if z := (float64(f.nextID) - want) / math.Sqrt(want); math.Abs(z) > 4 {
		t.Errorf("%d arrivals in the first day, trace says %.0f × %d = %.0f: z = %.1f", f.nextID, dayRequests, scale, want, z)
	}
	if f.s.Elapsed() < 23*time.Hour || f.s.Elapsed() > 25*time.Hour {
		t.Errorf("simulation ended at %v, want about 24h", f.s.Elapsed())
	}
}

// TestFluidLimitedPSMatchesSimulation holds the fluid model of a
// processor-sharing task with a concurrency limit to the request-level
// server: 4 in service, 8 waiting, exponential work of 100 ms on one vCPU,
// 9.5 requests/s (a = 0.95). The M/M/1/12 chain is exact here, so the
// simulated blocking, wait before service and sojourn must match it.
func TestFluidLimitedPSMatchesSimulation(t *testing.T) {
	skipIfShort(t)
	server := traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 4, QueueLimit: 8}
	work := 100 * time.Millisecond
	want, err := traffic.Fluid(traffic.FluidInput{OfferedRate: 9.5, Tasks: 1, Server: server, MeanWork: work.Seconds(), SCV: 1})
	if err != nil {
		t.Fatal(err)
	}
	var blocked, wait, sojourn float64
	for _, seed := range seeds[:3] {
		f := newFarm(farmConfig{seed: seed, tasks: 1, server: server, arrivals: traffic.Poisson{PerSecond: 9.5},
			demand: traffic.Exponential{Mean: work}, warmup: warmup, measure: measure})
		f.run()
		checkRun(t, "limited PS", f)
		c := f.totals()
		blocked += float64(c.Rejected) / float64(c.Arrived) / 3
		wait += f.meanWait() / 3
		sojourn += f.meanSojourn() / 3
	}
	t.Logf("blocking %.4f (chain %.4f), wait %.4f s (%.4f), sojourn %.4f s (%.4f)",
		blocked, want.RejectedRate/9.5, wait, want.MeanWait, sojourn, want.MeanLatency)
	if !within(blocked, want.RejectedRate/9.5, 0.05) || !within(wait, want.MeanWait, 0.05) || !within(sojourn, want.MeanLatency, 0.03) {
		t.Errorf("simulation: blocking %.4f, wait %.4f s, sojourn %.4f s; chain: %.4f, %.4f s, %.4f s",
			blocked, wait, sojourn, want.RejectedRate/9.5, want.MeanWait, want.MeanLatency)
	}
}
