package traffic

import (
	"math"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// ErlangB returns the blocking probability of an M/M/c/c loss system with
// offered load a = λ/μ Erlangs:
//
//	B(c, a) = (aᶜ/c!) / Σ_{k=0..c} aᵏ/k!,
//
// computed by the stable recursion B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)),
// written for its inverse R(k) = 1/B(k) = 1 + (k/a)·R(k−1) so that the loop
// multiplies instead of dividing. It returns NaN for c < 0 or a < 0.
func ErlangB(c int, a float64) float64 {
	if c < 0 || !(a >= 0) {
		return math.NaN()
	}
	if a == 0 {
		if c == 0 {
			return 1
		}
		return 0
	}
	inv, r := 1/a, 1.0
	for k := 1; k <= c; k++ {
		r = 1 + float64(k)*inv*r
		if r > 1e300 {
			return 0 // B < 1e-300: no loss worth a float
		}
	}
	return 1 / r
}

// ErlangC returns the probability that an arrival waits in an M/M/c queue
// with offered load a = λ/μ Erlangs:
//
//	C(c, a) = c·B(c, a) / (c − a·(1 − B(c, a))),
//
// which equals [aᶜ/c! · c/(c−a)] / [Σ_{k<c} aᵏ/k! + aᶜ/c! · c/(c−a)]. For
// a ≥ c the queue is unstable and every arrival waits: it returns 1. It
// returns NaN for c < 1 or a < 0.
func ErlangC(c int, a float64) float64 {
	if c < 1 || !(a >= 0) {
		return math.NaN()
	}
	if a >= float64(c) {
		return 1
	}
	b := ErlangB(c, a)
	return float64(c) * b / (float64(c) - a*(1-b))
}

// MMcWait returns the mean waiting time in queue of an M/M/c queue with
// arrival rate λ and service rate μ per server (same time unit):
//
//	Wq = C(c, λ/μ) / (cμ − λ).
//
// It returns +Inf when λ ≥ cμ and NaN for invalid arguments.
func MMcWait(c int, lambda, mu float64) float64 {
	if c < 1 || !(lambda >= 0) || !(mu > 0) {
		return math.NaN()
	}
	if lambda >= float64(c)*mu {
		return math.Inf(1)
	}
	return ErlangC(c, lambda/mu) / (float64(c)*mu - lambda)
}

// PKWait returns the Pollaczek–Khinchine mean waiting time in queue of an
// M/G/1 FCFS queue with arrival rate λ, mean service time es and squared
// coefficient of variation of service scv = Var(S)/E[S]²:
//
//	Wq = ρ·E[S]·(1 + C_s²) / (2(1 − ρ)),  ρ = λ·E[S].
//
// It returns +Inf when ρ ≥ 1 and NaN for invalid arguments.
func PKWait(lambda, es, scv float64) float64 {
	if !(lambda >= 0) || !(es >= 0) || !(scv >= 0) {
		return math.NaN()
	}
	rho := lambda * es
	if rho >= 1 {
		return math.Inf(1)
	}
	return rho * es * (1 + scv) / (2 * (1 - rho))
}

// PSSojourn returns the mean sojourn time of an M/G/1 egalitarian
// processor-sharing queue, E[T] = E[S] / (1 − ρ) with ρ = λ·E[S], whatever
// the service distribution (insensitivity). It returns +Inf when ρ ≥ 1.
func PSSojourn(lambda, es float64) float64 {
	if !(lambda >= 0) || !(es >= 0) {
		return math.NaN()
	}
	rho := lambda * es
	if rho >= 1 {
		return math.Inf(1)
	}
	return es / (1 - rho)
}

// MMcK is the steady state of an M/M/c/K queue (c servers, room for K
// requests in total, K ≥ c; arrivals finding K present are blocked).
type MMcK struct {
	// Blocking is the probability that an arrival finds K present.
	Blocking float64
	// L is the mean number in system; Lq the mean number waiting.
	L, Lq float64
	// Busy is the mean number of busy servers, λ(1 − Blocking)/μ.
	Busy float64
}

// SolveMMcK solves the birth–death chain of an M/M/c/K queue with offered
// load a = λ/μ: p_n ∝ aⁿ/n! for n ≤ c and p_c·(a/c)^(n−c) above, normalised
// over 0..K. Terms are rescaled as they grow, so large c and K do not
// overflow. It costs O(K).
func SolveMMcK(c, k int, a float64) MMcK {
	if c < 1 || k < c || !(a >= 0) {
		return MMcK{Blocking: math.NaN(), L: math.NaN(), Lq: math.NaN(), Busy: math.NaN()}
	}
	// Accumulate Σp, Σn·p, Σ(n−c)⁺·p and Σmin(n,c)·p with a running term;
	// rescale everything when the term grows large.
	term, sum, sumN, sumQ, sumBusy := 1.0, 1.0, 0.0, 0.0, 0.0
	for n := 1; n <= k; n++ {
		if n <= c {
			term *= a / float64(n)
		} else {
			term *= a / float64(c)
		}
		sum += term
		sumN += float64(n) * term
		sumBusy += float64(min(n, c)) * term
		if n > c {
			sumQ += float64(n-c) * term
		}
		if term > 1e200 {
			term, sum, sumN, sumQ, sumBusy = term/1e200, sum/1e200, sumN/1e200, sumQ/1e200, sumBusy/1e200
		}
	}
	return MMcK{Blocking: term / sum, L: sumN / sum, Lq: sumQ / sum, Busy: sumBusy / sum}
}

// FluidInput describes one service for one fluid step.
type FluidInput struct {
	// OfferedRate is the request rate λ reaching the service, per second.
	OfferedRate float64
	// Tasks is the number of tasks serving (N); zero means every request
	// is rejected (no healthy target: 5xx).
	Tasks int
	// Server is each task's server configuration (CPU, c, queue, discipline).
	Server ServerConfig
	// MeanWork is the mean CPU work per request at one vCPU, in seconds.
	MeanWork float64
	// SCV is the service variability C_s² (0 deterministic, 1 exponential).
	SCV float64
	// Routing is how the load balancer splits the requests among the
	// tasks: RandomRouting (the zero value), RoundRobinRouting or
	// ShortestQueueRouting.
	Routing Routing
	// Cursors is, for round robin, the number of independent round-robin
	// cursors the requests pass through (one per load-balancer node, each
	// request entering a node at random); zero means one.
	Cursors int
	// RoundRobin is the older spelling of Routing: RoundRobinRouting; true
	// asks for round robin whatever Routing says.
	//
	// Deprecated: set Routing to RoundRobinRouting.
	RoundRobin bool
}

// FluidResult is the steady-state estimate for one step.
type FluidResult struct {
	// Utilization is the mean CPU utilisation of a task, in [0, 1].
	Utilization float64
	// ServedRate and RejectedRate split OfferedRate, per second.
	ServedRate, RejectedRate float64
	// MeanWait is the mean time a served request waits before service, s:
	// for a full FCFS server or processor sharing at its concurrency limit,
	// the time in the waiting room; 0 for processor sharing without a limit.
	MeanWait float64
	// MeanLatency is the mean sojourn (wait + service) of a served
	// request, s; +Inf if the queue is unbounded and overloaded.
	MeanLatency float64

	// waitProb, where Fluid sets it (> 0), is the probability that a
	// served request waits before service under a routing whose arrivals
	// are not Poisson (round robin, join the shortest queue): FluidShape
	// builds the FCFS sojourn from it. Zero (as in a FluidResult built by
	// hand) means the random-routing queue's.
	waitProb float64
	// arrivalSCV, where Fluid sets it (> 0), is the long-run C_a² of a
	// task's arrivals under round robin (1/N), which FluidShape's
	// processor-sharing shape takes into account. Zero means Poisson
	// (C_a² = 1).
	arrivalSCV float64
	// psTail, where Fluid sets it (> 0), is the tail factor c of
	// processor sharing's shape under join the shortest queue (jsqPSTail),
	// which FluidShape uses in place of psTailFactor's.
	psTail float64
}

// limitedPS is Fluid for one processor-sharing task with at most c requests
// in service and queue more waiting (Unlimited for no bound), mean service
// time es at the task's full CPU. The number present N is the birth–death
// chain with arrival rate λ and departure rate μ = 1/es whenever N ≥ 1,
// truncated at K = c + queue: p_n ∝ aⁿ with a = λ/μ. Blocking is p_K, the
// mean sojourn L/served (Little), and the wait before service
// E[(N − c)⁺]/served. The sums Σaⁿ, Σn·aⁿ and Σ(n − c)⁺aⁿ are geometric,
// in closed form (limitedPSClosed) unless a is within a factor e^(1/K) of
// 1, where the closed forms cancel and the terms are summed one by one
// (limitedPSLoop); the two agree within 10⁻¹² relative
// (TestLimitedPSClosedFormMatchesTheLoop).
func limitedPS(lambda, es float64, c, queue int) FluidResult {
	mu := 1 / es
	a := lambda / mu
	if queue == Unlimited {
		served := min(lambda, mu)
		if a >= 1 {
			return FluidResult{ServedRate: served, RejectedRate: lambda - served, MeanWait: math.Inf(1), MeanLatency: math.Inf(1)}
		}
		l := a / (1 - a)
		beyond := math.Pow(a, float64(c+1)) / (1 - a) // Σ_{n>c} (n−c)(1−a)aⁿ
		return FluidResult{ServedRate: lambda, MeanWait: beyond / lambda, MeanLatency: l / lambda}
	}
	k := c + queue
	if lna := math.Log(a); a > 0 && !math.IsInf(a, 1) && math.Abs(lna)*float64(k) >= 1 {
		return limitedPSClosed(lambda, a, lna, c, k)
	}
	return limitedPSLoop(lambda, a, c, k)
}

// limitedPSLoop is limitedPS's sums term by term, for a within a factor
// e^(1/K) of 1, where the closed forms' differences cancel (and K is then
// at most about 1/|ln a| terms away from any result that would not).
func limitedPSLoop(lambda, a float64, c, k int) FluidResult {
	// Σp, Σn·p and Σ(n−c)⁺·p with p_n = aⁿ, rescaled as the terms grow.
	// Two loops, n ≤ c and n > c, so that the first carries no Σ(n−c)⁺
	// and neither a test of n; n and n−c counted in floats (exact: they
	// are small integers). The same operations in the same order as one
	// loop over n, so the same bits (TestLimitedPSMatchesOneLoop).
	term, sum, sumN, sumBeyond := 1.0, 1.0, 0.0, 0.0
	fn := 0.0
	for range min(c, k) {
		fn++
		term *= a
		sum += term
		sumN += fn * term
		if term > 1e200 {
			term, sum, sumN = term/1e200, sum/1e200, sumN/1e200 // sumBeyond is still 0
		}
	}
	fb := 0.0
	for range k - min(c, k) {
		fn++
		fb++
		term *= a
		sum += term
		sumN += fn * term
		sumBeyond += fb * term
		if term > 1e200 {
			term, sum, sumN, sumBeyond = term/1e200, sum/1e200, sumN/1e200, sumBeyond/1e200
		}
	}
	blocking := term / sum
	return limitedResult(lambda, blocking, sum, sumN, sumBeyond)
}

// geometricSums returns Σ_{j=0}^{m} bʲ and Σ_{j=0}^{m} j·bʲ for 0 < b < 1,
// given lnb = ln b, omb = 1 − b computed without loss and bm = bᵐ:
// (1 − b^(m+1))/(1 − b) and b/(1 − b)·((1 − bᵐ)/(1 − b) − m·bᵐ), whose
// difference keeps all but a bit or two once m·|ln b| ≥ 1 (bᵐ ≤ 1/e);
// below that, term by term.
func geometricSums(b, lnb, omb, bm float64, m int) (s0, s1 float64) {
	if float64(m)*-lnb < 1 {
		term := 1.0
		s0 = 1
		for j := 1; j <= m; j++ {
			term *= b
			s0 += term
			s1 += float64(j) * term
		}
		return s0, s1
	}
	s0 = (1 - bm*b) / omb
	s1 = b / omb * ((1-bm)/omb - float64(m)*bm)
	return s0, s1
}

// limitedPSClosed is limitedPS's sums in closed form (the M/M/1/K
// geometric sums), for |ln a|·K ≥ 1, lna = ln a. Above a = 1 the weights
// are taken from the top, p_n ∝ b^(K−n) with b = 1/a, so that no power
// overflows. The powers are exponentials of multiples of ln a: a relative
// error of about K·|ln a| ulps, under 10⁻¹³ while the result is not
// subnormal.
func limitedPSClosed(lambda, a, lna float64, c, k int) FluidResult {
	q := k - c // the waiting room
	var sum, sumN, sumBeyond, blocking float64
	if a < 1 {
		ac, aq := math.Exp(float64(c)*lna), math.Exp(float64(q)*lna)
		ak := ac * aq
		sum, sumN = geometricSums(a, lna, 1-a, ak, k)
		if q > 0 {
			_, b1 := geometricSums(a, lna, 1-a, aq, q)
			sumBeyond = ac * b1 // Σ_{n>c} (n−c)aⁿ = a^c Σ_{m≤q} m·aᵐ
		}
		blocking = ak / sum
	} else {
		b, lnb, omb := 1/a, -lna, (a-1)/a
		s0, s1 := geometricSums(b, lnb, omb, math.Exp(float64(k)*lnb), k)
		sum, sumN = s0, float64(k)*s0-s1 // Σ (K − j)bʲ
		if q > 0 {
			b0, b1 := geometricSums(b, lnb, omb, math.Exp(float64(q-1)*lnb), q-1)
			sumBeyond = float64(q)*b0 - b1 // Σ_{j<q} (q − j)bʲ
		}
		blocking = 1 / sum
	}
	return limitedResult(lambda, blocking, sum, sumN, sumBeyond)
}

// Fluid estimates one service over one step from queueing theory, without
// simulating requests. Each of the N tasks receives λ/N; how its arrivals
// are spaced depends on Routing.
//
// Random routing: each task is an independent queue with Poisson arrivals.
//
//   - FCFS with c slots (service time S = MeanWork·c·1024/CPU, μ = 1/E[S]):
//     the M/M/c/(c+QueueLimit) chain (Erlang C when unlimited) gives the
//     blocking probability and the mean wait, and the wait is scaled by the
//     Allen–Cunneen factor (1 + C_s²)/2 for non-exponential service. Exact
//     for M/M/c and, by Pollaczek–Khinchine, for M/G/1 (c = 1, unlimited).
//   - ProcessorSharing without a concurrency limit: M/G/1-PS,
//     E[T] = E[S]/(1 − ρ) with E[S] = MeanWork·1024/CPU, insensitive to
//     C_s², and no request waits. Exact.
//   - ProcessorSharing with a concurrency limit c: the CPU serves at full
//     speed whenever a request is present however it is shared, so the
//     number present is the M/M/1/(c+QueueLimit) chain (M/M/1 when
//     unlimited), which gives the blocking probability, the mean sojourn by
//     Little's law, and the mean wait in the waiting room from the mean
//     number beyond c. Exact for exponential work.
//
// Round robin: with one cursor each task sees every N-th arrival, Erlang-N
// gaps (C_a² = 1/N); with several cursors (FluidInput.Cursors) the
// superposition is taken as a renewal process with gamma gaps of Whitt's
// QNA C_a² (superposedShape). Where the task has one server, FCFS or
// processor sharing, and an unlimited queue, its number present is the
// GI/M/1 queue's, solved exactly by GIM1Sigma:
//
//   - FCFS, one slot: Wq = σ/(μ(1 − σ)), exact for exponential work (the
//     E_N/M/1 queue; with its exponential sojourn, p99 is exact too); for
//     other C_s² the wait is scaled by KLB(C_a², C_s²)/KLB(C_a², 1), the
//     Krämer–Langenbach-Belz GI/G/1 approximation taken relative to its
//     value at C_s² = 1, where the figure is exact (klb).
//   - ProcessorSharing: E[T] = E[S]/(1 − σ), the same chain's Little's law,
//     exact for exponential work; the wait beyond a concurrency limit c is
//     ρσᶜ/(1 − σ)/λ. Processor sharing is insensitive to the work only
//     under Poisson arrivals, so for other C_s² the delay E[T] − E[S] is
//     scaled by [KLB(C_a², C_s²)/(1 + C_s²)] / [KLB(C_a², 1)/2]: the GI/G/1
//     wait's ratio to the M/G/1 wait (which processor sharing's delay does
//     not depend on), relative to its value at C_s² = 1, where the figure
//     is exact.
//   - Otherwise (c > 1 FCFS slots, or a bounded queue) the random-routing
//     chain with the Allen–Cunneen factor (C_a² + C_s²)/2 on the wait.
//
// Shortest queue (least outstanding requests): the join-the-shortest-queue
// approximation of jsq: the total number present as a birth–death chain
// with balanced tasks, exact for one task with exponential work; the FCFS
// wait is scaled by (1 + C_s²)/2, processor sharing is taken as
// insensitive to the work, and the wait or delay is multiplied by
// exp(−κ(N − 1)(1 − ρ)v) (jsqSelection, v = (1 + C_s²)/2 for FCFS and 1
// for processor sharing), the shortfall of JSQ's shortest queue against
// the balanced one, κ = 0.1 fitted to request-level simulation.
//
// The agreement of each case with request-level simulation is in the
// package documentation. An overloaded task with an unlimited queue serves
// at capacity, and its latency is +Inf: in a real run the queue grows
// without bound until client timeouts take over, which the request-level
// model shows and this does not.
func Fluid(in FluidInput) (FluidResult, error) {
	if err := in.validate(); err != nil {
		return FluidResult{}, err
	}
	if in.Tasks == 0 || in.OfferedRate == 0 {
		return FluidResult{RejectedRate: in.OfferedRate}, nil
	}
	cfg := in.Server
	if cfg.CPU == 0 {
		cfg.CPU = 1024
	}
	routing := in.Routing
	if in.RoundRobin {
		routing = RoundRobinRouting
	}
	if in.Tasks == 1 {
		routing = RandomRouting // one task: every split is the whole stream
	}
	vcpu := float64(cfg.CPU) / 1024
	lambda := in.OfferedRate / float64(in.Tasks)
	capacity := vcpu / in.MeanWork // requests per second one task can serve
	ps := cfg.Discipline == ProcessorSharing
	var r FluidResult
	switch {
	case routing == ShortestQueueRouting:
		c, k := max(cfg.Concurrency, 1), -1
		mu := capacity / float64(c) // one FCFS slot
		if ps {
			c, mu = cfg.Concurrency, capacity
		}
		if cfg.QueueLimit != Unlimited && (!ps || cfg.Concurrency > 0) {
			k = max(cfg.Concurrency, 1) + cfg.QueueLimit
		}
		served, rejected, wq, t := jsq(in.OfferedRate, in.Tasks, mu, c, k, ps, in.SCV)
		r = FluidResult{ServedRate: served, RejectedRate: rejected, MeanWait: wq, MeanLatency: t}
		if ps && c == 0 {
			r.psTail = jsqPSTail(in.Tasks)
		}
		if !ps && c == 1 && k < 0 && in.OfferedRate < float64(in.Tasks)*mu {
			// A request waits when every task is busy: Erlang C over the
			// tasks, in the same balanced chain.
			r.waitProb = ErlangC(in.Tasks, in.OfferedRate/mu)
		}
	case routing == RoundRobinRouting && lambda < capacity && (ps && cfg.Concurrency == 0 || cfg.QueueLimit == Unlimited && (ps || cfg.Concurrency <= 1)):
		rho := lambda / capacity
		shape := superposedShape(in.Tasks, in.Cursors, rho)
		sigma := GIM1Sigma(shape, rho)
		es := in.MeanWork / vcpu
		ca2 := 1 / shape
		delay := sigma / (1 - sigma) * es // exact for exponential work, FCFS wait or PS delay
		r = FluidResult{ServedRate: lambda}
		variability := 1.0 // KLB(C_a², C_s²)/KLB(C_a², 1): 1 for exponential work
		if in.SCV != 1 {
			variability = klb(ca2, in.SCV, rho) / klb(ca2, 1, rho)
		}
		if ps {
			// The long-run variability of a superposition of Erlang-N
			// streams is each one's, 1/N: it sets how a long request's
			// sojourn spreads.
			r.arrivalSCV = 1 / float64(in.Tasks)
			delay *= variability * 2 / (1 + in.SCV)
			r.MeanLatency = es + delay
			r.MeanWait = delay
			if cfg.Concurrency > 0 {
				r.MeanWait = rho * math.Pow(sigma, float64(cfg.Concurrency)) / (1 - sigma) / lambda
			}
		} else {
			r.MeanWait = delay * variability
			r.MeanLatency = r.MeanWait + es
			if in.SCV != 1 {
				// σ is exact for exponential work (whose shape is
				// ExponentialShape); QNA's delay probability carries it to
				// other work, relative to its value at C_s² = 1.
				r.waitProb = min(sigma*qnaDelayProbability(ca2, in.SCV, rho)/qnaDelayProbability(ca2, 1, rho), 1)
			}
		}
	default:
		ca2 := 1.0
		if routing == RoundRobinRouting && !ps { // processor sharing's chains do not read it
			ca2 = 1 / superposedShape(in.Tasks, in.Cursors, lambda/capacity)
		}
		r = independentQueue(lambda, in.MeanWork, vcpu, cfg, ca2, in.SCV)
	}
	r.Utilization = min(r.ServedRate/capacity, 1)
	r.ServedRate *= float64(in.Tasks)
	r.RejectedRate *= float64(in.Tasks)
	return r, nil
}

// independentQueue is one task's share λ of the traffic as its own queue,
// with arrival variability ca2 (1 for Poisson) and work variability scv
// (read by FCFS only: processor sharing's chains do not depend on them).
func independentQueue(lambda, work, vcpu float64, cfg ServerConfig, ca2, scv float64) FluidResult {
	capacity := vcpu / work
	if cfg.Discipline == ProcessorSharing && cfg.Concurrency == 0 {
		es := work / vcpu
		served := min(lambda, capacity)
		r := FluidResult{ServedRate: served, RejectedRate: lambda - served, MeanLatency: PSSojourn(lambda, es)}
		r.MeanWait = r.MeanLatency - es
		return r
	}
	if cfg.Discipline == ProcessorSharing {
		return limitedPS(lambda, work/vcpu, cfg.Concurrency, cfg.QueueLimit)
	}
	c := max(cfg.Concurrency, 1)
	es := work * float64(c) / vcpu // service time in one slot
	mu := 1 / es
	a := lambda / mu
	variability := (ca2 + scv) / 2
	if cfg.QueueLimit == Unlimited {
		served := min(lambda, capacity)
		wq := math.Inf(1)
		if a < float64(c) {
			wq = MMcWait(c, lambda, mu) * variability
		}
		return FluidResult{ServedRate: served, RejectedRate: lambda - served, MeanWait: wq, MeanLatency: wq + es}
	}
	m := SolveMMcK(c, c+cfg.QueueLimit, a)
	served := lambda * (1 - m.Blocking)
	wq := 0.0
	if served > 0 {
		wq = m.Lq / served * variability // Little's law on the queue
	}
	return FluidResult{ServedRate: served, RejectedRate: lambda * m.Blocking, MeanWait: wq, MeanLatency: wq + es}
}

func (in *FluidInput) validate() error {
	if in.valid() {
		return nil // a fluid step's usual case, without a list to build
	}
	return in.problems()
}

// problems is every rule in breaks, nil if none.
func (in *FluidInput) problems() error {
	l := fielderr.NewList(ErrConfig)
	if !(in.OfferedRate >= 0) || math.IsInf(in.OfferedRate, 0) {
		l.Add("FluidInput.OfferedRate", in.OfferedRate, "must be finite and ≥ 0")
	}
	if in.Tasks < 0 {
		l.Add("FluidInput.Tasks", in.Tasks, "must be ≥ 0")
	}
	if !(in.MeanWork > 0) || math.IsInf(in.MeanWork, 0) {
		l.Add("FluidInput.MeanWork", in.MeanWork, "must be a finite number of seconds > 0")
	}
	if !(in.SCV >= 0) || math.IsInf(in.SCV, 0) {
		l.Add("FluidInput.SCV", in.SCV, "must be finite and ≥ 0")
	}
	if in.Routing > ShortestQueueRouting {
		l.Add("FluidInput.Routing", in.Routing, "must be RandomRouting, RoundRobinRouting or ShortestQueueRouting")
	}
	if in.Cursors < 0 {
		l.Add("FluidInput.Cursors", in.Cursors, "must be ≥ 0 (zero means one)")
	}
	l.Join(in.Server.Validate())
	return l.Err()
}

// valid reports whether problems finds nothing: the same rules, as one
// expression (TestFluidInputValidMatchesProblems).
func (in *FluidInput) valid() bool {
	return in.OfferedRate >= 0 && !math.IsInf(in.OfferedRate, 1) && in.Tasks >= 0 &&
		in.MeanWork > 0 && !math.IsInf(in.MeanWork, 1) && in.SCV >= 0 && !math.IsInf(in.SCV, 1) &&
		in.Routing <= ShortestQueueRouting && in.Cursors >= 0 && in.Server.valid()
}

// MinFluidStep is the shortest fluid step a workload may take: one
// second. Each step is a queueing-formula evaluation and an engine event,
// so a step of a nanosecond would make a simulated minute cost 6·10¹⁰
// events: in effect a hang.
const MinFluidStep = time.Second

// MaxFluidStep is the longest fluid step: a day, which keeps every step's
// instant within a Duration for any run the engine can hold.
const MaxFluidStep = 24 * time.Hour

// ValidateFluidStep reports a fluid step that a workload cannot take, as
// an error matching ErrConfig: the step must be 0 (the default, one
// minute), or from MinFluidStep to MaxFluidStep and either divide a minute
// (1 s, 1.5 s, 2 s, …, 30 s) or be a whole number of minutes, so that steps
// end on every minute, when the metrics are published.
func ValidateFluidStep(step time.Duration) error {
	if step == 0 {
		return nil
	}
	if step < MinFluidStep || step > MaxFluidStep || time.Minute%step != 0 && step%time.Minute != 0 {
		return fielderr.New(ErrConfig, "FluidStep", step, "must be 0 (one minute) or from 1s to 24h, dividing a minute or a whole number of minutes")
	}
	return nil
}

// limitedResult is limitedPS's result from the chain's blocking probability
// and its unnormalised sums Σp, Σn·p and Σ(n − c)⁺·p.
func limitedResult(lambda, blocking, sum, sumN, sumBeyond float64) FluidResult {
	served := lambda * (1 - blocking)
	r := FluidResult{ServedRate: served, RejectedRate: lambda * blocking}
	if served > 0 {
		r.MeanWait = sumBeyond / sum / served
		r.MeanLatency = sumN / sum / served
	}
	return r
}
