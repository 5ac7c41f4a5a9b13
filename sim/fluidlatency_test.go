package sim

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim/traffic"
)

// TestFluidServedMatchesOneQuantileAtATime holds fluidServed and
// foldLatency, which book a fluid step's weighted latency points in two
// halves (the minute's statistics, the period's sum and the histograms'
// totals at once, the histograms' buckets later), to the plain loop they
// replace: served called once per point, with the point's share of the
// step's requests. Every accumulator must come out bit for bit the same
// (but the minute's latency count, which is the step's requests, not the
// sum of rounded shares), with and without a client timeout capping the
// points, across more steps than wait between two folds, and with the
// run's histogram read in the middle. With extremes, some steps' points
// fall outside the histograms' range at both ends, and the two
// histograms start with windows of their own; without, none does, and
// without a timeout every step takes foldLatency's unclamped path.
func TestFluidServedMatchesOneQuantileAtATime(t *testing.T) {
	type run struct {
		timeout  time.Duration
		extremes bool
	}
	for _, tc := range []run{{0, false}, {0, true}, {2 * time.Second, false}, {2 * time.Second, true}} {
		timeout := tc.timeout
		cfg := WorkloadConfig{Server: traffic.ServerConfig{Timeout: timeout}}
		fresh := func() *Workload {
			return &Workload{workloadCold: &workloadCold{cfg: cfg}, server: cfg.Server, timeout: cfg.Server.Timeout.Seconds(), minute: minuteAcc{latMin: math.Inf(1)}}
		}
		got, want := fresh(), fresh()
		if tc.extremes {
			// Each histogram holds samples of its own, so that their
			// windows differ when the first fold meets them, the period's
			// holding the first steps (coverPair makes them one).
			for _, wl := range []*Workload{got, want} {
				wl.period.hist.addBucket(histBucket(1e-5), 1)
				wl.period.hist.addBucket(histBucket(1e3), 1)
				wl.whole.addBucket(histBucket(1e-6), 1)
				wl.whole.addBucket(histBucket(1e4), 1)
			}
		}
		var wantN int64
		r := rand.New(rand.NewPCG(1, 2))
		// The steps alternate between shapes, as a workload's do when its
		// load moves: the exponential and processor sharing's at two loads.
		ps := traffic.ServerConfig{Discipline: traffic.ProcessorSharing}
		shapes := []*traffic.LatencyShape{traffic.ExponentialShape,
			traffic.FluidShape(ps, 4, traffic.FluidResult{MeanWait: 0.3, MeanLatency: 1}),
			traffic.FluidShape(ps, 4, traffic.FluidResult{MeanWait: 0.9, MeanLatency: 1})}
		for step := range 3 * maxFluidLatencies {
			latency := math.Exp(r.NormFloat64() - 1) // about 0.05 to 3 s
			switch {
			case tc.extremes && step%17 == 5:
				latency = 1e-7 // the first points below the histograms' range
			case tc.extremes && step%17 == 11:
				latency = 1e5 // the last points above it (without a timeout)
			}
			n := int64(r.IntN(5000))
			shape := shapes[r.IntN(len(shapes))]
			got.fluidServed(latency, shape, n)
			tmax := timeout.Seconds()
			for i, x := range shape.Points {
				v := latency * x
				if tmax > 0 {
					v = min(v, tmax)
				}
				want.served(v, float64(n)*shape.Weights[i])
			}
			wantN += n
			if got.minute.latN != wantN {
				t.Fatalf("timeout %v, extremes %v, step %d: the minute counts %d latencies, %d requests were served", timeout, tc.extremes, step, got.minute.latN, wantN)
			}
			want.minute.latN = wantN
			if got.minute != want.minute {
				t.Fatalf("timeout %v, extremes %v, step %d: minute %+v, one at a time %+v", timeout, tc.extremes, step, got.minute, want.minute)
			}
			if step == 100 && got.Latency(0.99) != want.Latency(0.99) {
				t.Fatalf("timeout %v, extremes %v, step %d: p99 so far %v, one at a time %v", timeout, tc.extremes, step, got.Latency(0.99), want.Latency(0.99))
			}
			if step%60 == 59 { // an hour of one-minute steps
				got.foldLatency()
				same := got.period.latSum == want.period.latSum &&
					got.period.hist.total == want.period.hist.total && slices.Equal(got.period.hist.dense(), want.period.hist.dense())
				if !same {
					t.Fatalf("timeout %v, extremes %v, step %d: the period's sums or histogram differ from one at a time", timeout, tc.extremes, step)
				}
				for i, c := range got.period.hist.dense() {
					if c != 0 && (i < got.period.hist.from || i >= got.period.hist.to) {
						t.Fatalf("timeout %v, extremes %v, step %d: bucket %d holds %v outside the folded range [%d, %d)", timeout, tc.extremes, step, i, c, got.period.hist.from, got.period.hist.to)
					}
				}
			}
		}
		got.foldLatency()
		if got.whole.total != want.whole.total || !slices.Equal(got.whole.dense(), want.whole.dense()) {
			t.Errorf("timeout %v, extremes %v: the run's histogram differs from one at a time", timeout, tc.extremes)
		}
	}
}

// fluidWorkload is a bare workload for booking fluid steps by hand, with
// a client timeout of tmax (0: none).
func fluidWorkload(tmax time.Duration) *Workload {
	cfg := WorkloadConfig{Server: traffic.ServerConfig{Timeout: tmax}}
	return &Workload{workloadCold: &workloadCold{cfg: cfg}, server: cfg.Server, timeout: cfg.Server.Timeout.Seconds(), minute: minuteAcc{latMin: math.Inf(1)}}
}

// bucketsApart is how many histogram buckets lie between the buckets of
// two latencies.
func bucketsApart(a, b float64) int {
	d := histBucket(a) - histBucket(b)
	return max(d, -d)
}

// TestFluidStepReadsItsShapesQuantiles books one fluid step (a steady
// minute) of each kind of shape and reads the period's P50, P90 and P99
// as a report does: each must be the shape's quantile times the step's
// mean within one histogram bucket. The oracles: the exponential's
// quantile −ln(1 − q) (the M/M/1 sojourn, Kleinrock 1975), and for the
// M/G/1 FCFS row (lognormal work of C_s² 4) and the M/M/1-PS row the
// model's own 99th percentile, LatencyShape.P99, computed from its
// distribution function, not from the points. The period's latency sum
// over its count must be the step's mean latency: the points conserve the
// mean.
func TestFluidStepReadsItsShapesQuantiles(t *testing.T) {
	fcfs := traffic.ServerConfig{Discipline: traffic.FCFS, Concurrency: 1, QueueLimit: traffic.Unlimited}
	ps := traffic.ServerConfig{Discipline: traffic.ProcessorSharing}
	at := func(f float64) traffic.FluidResult { return traffic.FluidResult{MeanWait: f, MeanLatency: 1} }
	exp := func(q float64) float64 { return -math.Log1p(-q) }
	cases := []struct {
		name  string
		shape *traffic.LatencyShape
		truth map[float64]float64 // quantile → unit-mean sojourn
	}{
		{"M/M/1 FCFS (exponential)", traffic.ExponentialShape, map[float64]float64{0.5: exp(0.5), 0.9: exp(0.9), 0.99: exp(0.99)}},
		{"M/G/1 FCFS, C_s² 4, wait fraction 0.7", traffic.FluidShape(fcfs, 4, at(0.7)), nil},
		{"M/M/1-PS at ρ 0.8", traffic.FluidShape(ps, 1, at(0.8)), nil},
	}
	for _, c := range cases {
		if c.truth == nil {
			c.truth = map[float64]float64{0.99: c.shape.P99}
		}
		for _, mean := range []float64{0.0123, 0.25, 3.7} { // seconds: different places in the buckets
			wl := fluidWorkload(0)
			wl.fluidServed(mean, c.shape, 60_000)
			wl.foldLatency()
			h := &wl.period.hist
			for q, x := range c.truth {
				if got, want := h.quantile(q), x*mean; bucketsApart(got, want) > 1 {
					t.Errorf("%s, mean %v s: p%v reads %.5f s, the shape's %.5f s (%+.1f %%)", c.name, mean, 100*q, got, want, 100*(got/want-1))
				}
			}
			if got := wl.period.latSum / h.total; math.Abs(got/mean-1) > 1e-12 {
				t.Errorf("%s, mean %v s: booked mean %v s", c.name, mean, got)
			}
			if math.Abs(h.total/60_000-1) > 1e-12 {
				t.Errorf("%s: booked %v requests, served 60000", c.name, h.total)
			}
		}
	}
}

// TestFluidPeriodReadsTheMixture books an hour of sixty one-minute steps
// whose mean latency and request count move with the rate, and reads the
// period's P50, P90 and P99 as a report does: a steady hour (the rate up
// 2 %, the mean latency from 100 to 102 ms, as an autoscaler holding its
// target keeps it), a morning ramp (the rate up 30 %, the mean latency
// from 100 to 130 ms) and a swing exaggerated to a whole day's in an hour
// (the rate from 0.2 to 1.8 of its mean, the mean latency from 40 to
// 400 ms). The oracle is the mixture's quantile computed by brute force:
// 4,000 exponential quantile points per step, (k + ½)/4000, each with its
// share of the step's requests, sorted. Every reading must be within two
// histogram buckets of it. The hundred equally weighted mid-quantiles
// fluid mode booked before fail the steady hour at p99 (they read a
// step's p99 as its 0.985 quantile, about 9 % low): the test checks that
// they do, so that it can tell. (Where the steps' means spread over
// several buckets, the hundred points' roundings average out, and they
// pass.)
func TestFluidPeriodReadsTheMixture(t *testing.T) {
	var steady, ramp, swing []fluidStepSpec
	for m := range 60 {
		u := (float64(m) + 0.5) / 60
		steady = append(steady, fluidStepSpec{0.1 + 0.002*u, math.Round(6000 * (1 + 0.02*u))})
		ramp = append(ramp, fluidStepSpec{0.1 + 0.03*u, math.Round(6000 * (1 + 0.3*u))})
		rate := 1 + 0.8*math.Sin(2*math.Pi*u)
		swing = append(swing, fluidStepSpec{0.04 + 0.36*rate*rate/3.24, math.Round(6000 * rate)})
	}
	for _, c := range []struct {
		name     string
		steps    []fluidStepSpec
		oldFails bool
	}{{"steady hour", steady, true}, {"morning ramp", ramp, false}, {"a day's swing in an hour", swing, false}} {
		t.Run(c.name, func(t *testing.T) { checkMixture(t, c.steps, c.oldFails) })
	}
}

// fluidStepSpec is a fluid step's mean latency (seconds) and requests.
type fluidStepSpec struct{ mean, n float64 }

func checkMixture(t *testing.T, steps []fluidStepSpec, oldFails bool) {
	// The brute-force mixture.
	const k = 4000
	type point struct{ v, w float64 }
	var pts []point
	var total float64
	for _, s := range steps {
		for j := range k {
			pts = append(pts, point{s.mean * -math.Log1p(-(float64(j)+0.5)/k), s.n / k})
		}
		total += s.n
	}
	slices.SortFunc(pts, func(a, b point) int { return cmp.Compare(a.v, b.v) })
	truth := func(q float64) float64 {
		cum := 0.0
		for _, p := range pts {
			if cum += p.w; cum >= q*total {
				return p.v
			}
		}
		return pts[len(pts)-1].v
	}
	// Now and before: the quadrature, and a hundred mid-quantiles.
	now, before := fluidWorkload(0), fluidWorkload(0)
	for _, s := range steps {
		now.fluidServed(s.mean, traffic.ExponentialShape, int64(s.n))
		for j := range 100 {
			before.served(s.mean*-math.Log1p(-(float64(j)+0.5)/100), s.n/100)
		}
	}
	now.foldLatency()
	for _, q := range []float64{0.5, 0.9, 0.99} {
		want := truth(q)
		got := now.period.hist.quantile(q)
		old := before.period.hist.quantile(q)
		t.Logf("p%v: brute force %.2f ms, quadrature %.2f ms (%+.1f %%), a hundred points %.2f ms (%+.1f %%)", 100*q, 1000*want, 1000*got, 100*(got/want-1), 1000*old, 100*(old/want-1))
		if bucketsApart(got, want) > 2 {
			t.Errorf("p%v reads %.2f ms, the mixture's %.2f ms (%+.1f %%)", 100*q, 1000*got, 1000*want, 100*(got/want-1))
		}
		if q == 0.99 && oldFails && bucketsApart(old, want) <= 2 {
			t.Errorf("the hundred equally weighted points read p99 as %.2f ms, within two buckets of %.2f ms: the test cannot tell them from the quadrature", 1000*old, 1000*want)
		}
	}
	if got, want := now.period.latSum/now.period.hist.total, func() float64 {
		var sum float64
		for _, s := range steps {
			sum += s.mean * s.n
		}
		return sum / total
	}(); math.Abs(got/want-1) > 1e-12 {
		t.Errorf("the period's mean latency %v s, the steps' %v s", got, want)
	}
}

// BenchmarkFluidBooking is the cost of booking one fluid step's latencies
// (fluidServed, and a sixtieth of the fold into the histograms: an hour of
// one-minute steps per report period), exponential shape, means spread
// over an octave.
func BenchmarkFluidBooking(b *testing.B) {
	wl := fluidWorkload(0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		wl.fluidServed(0.1*(1+float64(i%60)/60), traffic.ExponentialShape, 6000)
		if i++; i%60 == 0 {
			wl.foldLatency()
		}
	}
}

// TestPeriodPhaseMatchesTruncate holds endMinute's integer test of a
// period's end to the calendar's, time.Time.Truncate, for starts before
// and after 1970, in other time zones, off the minute, and periods from a
// minute to a day, at every minute of two periods and far on.
func TestPeriodPhaseMatchesTruncate(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	zones := []*time.Location{time.UTC, time.FixedZone("x", 5*3600+1800), time.FixedZone("y", -7*3600)}
	for range 200 {
		start := time.Unix(r.Int64N(1<<36)-1<<35, r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
		if r.IntN(2) == 0 {
			start = start.Truncate(time.Minute)
		}
		p := time.Duration(1+r.IntN(1440)) * time.Minute
		phase := periodPhase(start, p)
		for _, base := range []time.Duration{0, time.Duration(r.Int64N(1<<50)) / time.Minute * time.Minute} {
			for now := base; now <= base+2*p; now += time.Minute {
				at := start.Add(now)
				if got, want := (phase+now)%p == 0, at.Truncate(p).Equal(at); got != want {
					t.Fatalf("start %v, period %v, %v later: the phase test says %v, Truncate %v", start, p, now, got, want)
				}
			}
		}
	}
}

// TestUnclampedCountsThePointsUnderTheTimeout holds unclamped, whatever
// its hint, to a count of the points whose product with the latency is
// at most the timeout.
func TestUnclampedCountsThePointsUnderTheTimeout(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pts := traffic.ExponentialShape.Points
	for range 20000 {
		latency, tmax := math.Exp(3*r.NormFloat64()), []float64{0, 1, 10}[r.IntN(3)]
		want := 0
		for _, x := range pts {
			if tmax <= 0 || latency*x <= tmax {
				want++
			}
		}
		if got := unclamped(latency, pts, tmax, r.IntN(len(pts)+5)); got != want {
			t.Fatalf("latency %v, timeout %v: %d points under it, unclamped says %d", latency, tmax, want, got)
		}
	}
}

// TestFluidHealthMatchesTheFluidQueue holds fluidHealth, which skips an
// empty queue that is not filling, to the fluid queue it stands for
// (fluidHealthReference, the whole computation every step), over random
// sequences of loads, task counts and step lengths for each kind of server.
func TestFluidHealthMatchesTheFluidQueue(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	servers := []traffic.ServerConfig{
		{Discipline: traffic.ProcessorSharing, Concurrency: 64, QueueLimit: 100, Timeout: 10 * time.Second},
		{Discipline: traffic.ProcessorSharing},
		{Discipline: traffic.ProcessorSharing, Concurrency: 4, QueueLimit: traffic.Unlimited},
		{Concurrency: 1, QueueLimit: 10},
		{Concurrency: 2, QueueLimit: traffic.Unlimited, Timeout: 2 * time.Second},
	}
	for _, sc := range servers {
		got := &Workload{timeout: sc.Timeout.Seconds(), workloadCold: &workloadCold{checkTimeout: 5 * time.Second}}
		want := &fluidQueue{timeout: sc.Timeout.Seconds(), checkSeconds: 5}
		for step := range 5000 {
			mu := 0.5 + r.Float64()
			lambda := mu * []float64{0, 0.5, 0.99, 1, 1.01, 1.5, 3}[r.IntN(7)]
			tasks, dt := 1+r.IntN(4), []float64{1, 60}[r.IntN(2)]
			g, w := got.fluidHealth(lambda, mu, tasks, dt, sc), want.health(lambda, mu, tasks, dt, sc)
			if g != w || got.backlog != want.backlog || got.backlogOf != want.backlogOf {
				t.Fatalf("%+v, step %d: %v with backlog %v of %d, the fluid queue %v with %v of %d", sc, step, g, got.backlog, got.backlogOf, w, want.backlog, want.backlogOf)
			}
		}
	}
}

// fluidQueue is fluidHealth's fluid queue computed in full every step.
type fluidQueue struct {
	backlog               float64
	backlogOf             int
	timeout, checkSeconds float64
}

func (q *fluidQueue) health(lambda, mu float64, tasks int, dt float64, sc traffic.ServerConfig) loadbalancer.Response {
	if q.backlogOf > 0 && q.backlogOf != tasks {
		q.backlog *= float64(q.backlogOf) / float64(tasks)
	}
	q.backlogOf = tasks
	if sc.Discipline == traffic.ProcessorSharing && sc.Concurrency == 0 {
		q.backlog = 0
		return loadbalancer.Pass
	}
	slots := float64(max(sc.Concurrency, 1))
	capacity := math.Inf(1)
	if sc.QueueLimit != traffic.Unlimited {
		capacity = slots + float64(sc.QueueLimit)
	}
	bound := capacity
	if q.timeout > 0 {
		bound = min(bound, lambda*q.timeout)
	}
	q.backlog = min(max(q.backlog+(lambda-mu)*dt, 0), bound)
	switch {
	case q.backlog >= capacity:
		return loadbalancer.Refuse
	case q.backlog > slots && (q.backlog-slots)/mu >= q.checkSeconds:
		return loadbalancer.NoResponse
	}
	return loadbalancer.Pass
}

// TestLatLanesKeepEachWorkloadsSteps books the same random fluid steps
// into workloads whose lanes share blocks (minuteTicks.latLane: here 11
// workloads, in blocks of 1, 2, 4 and 8 lanes) and into workloads with
// lanes of their own, folding at different moments, and wants the same
// histograms: a lane's slots hold its own workload's steps and no
// other's. It also holds the blocks' layout: slot j of lane k + 1 lies
// next to slot j of lane k.
func TestLatLanesKeepEachWorkloadsSteps(t *testing.T) {
	const workloads = 11
	var mt minuteTicks
	shared, own := make([]*Workload, workloads), make([]*Workload, workloads)
	for i := range workloads {
		shared[i], own[i] = fluidWorkload(2*time.Second), fluidWorkload(2*time.Second)
		shared[i].fluidLat = mt.latLane()
	}
	size := unsafe.Sizeof(fluidLatency{})
	for i := 1; i < workloads; i++ {
		if i == 1 || i == 3 || i == 7 { // a block starts
			continue
		}
		a, b := shared[i-1].fluidLat, shared[i].fluidLat
		for _, j := range []int32{0, 1, maxFluidLatencies - 1} {
			if d := uintptr(unsafe.Pointer(b.at(j))) - uintptr(unsafe.Pointer(a.at(j))); d != size {
				t.Fatalf("slot %d of lane %d is %d bytes after lane %d's, want %d", j, i, int64(d), i-1, size)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for step := range 200 {
		for i := range workloads {
			latency, n := math.Exp(r.NormFloat64()-1), int64(r.IntN(5000))
			shared[i].fluidServed(latency, traffic.ExponentialShape, n)
			own[i].fluidServed(latency, traffic.ExponentialShape, n)
			if (step+i)%37 == 0 { // each folds at moments of its own
				shared[i].foldLatency()
			}
		}
	}
	for i := range workloads {
		shared[i].foldLatency()
		own[i].foldLatency()
		g, w := shared[i], own[i]
		if g.whole.total != w.whole.total || !slices.Equal(g.whole.dense(), w.whole.dense()) ||
			g.period.latSum != w.period.latSum || !slices.Equal(g.period.hist.dense(), w.period.hist.dense()) {
			t.Errorf("workload %d: its histograms from a shared block's lane differ from a lane of its own", i)
		}
	}
}
