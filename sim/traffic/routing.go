package traffic

import (
	"fmt"
	"math"
)

// Routing is how a load balancer splits a service's requests among its N
// tasks, as the fluid model sees it (FluidInput.Routing).
type Routing uint8

const (
	// RandomRouting sends each request to a task chosen uniformly at
	// random (ALB weighted_random with equal weights, an NLB's flow hash
	// over many flows): each task sees Poisson arrivals at rate λ/N and is
	// an independent queue.
	RandomRouting Routing = iota
	// RoundRobinRouting sends the requests to the tasks in turn (ALB
	// round_robin): with one cursor each task sees every N-th arrival of a
	// Poisson stream, so Erlang-N gaps with mean N/λ.
	RoundRobinRouting
	// ShortestQueueRouting sends each request to a task with the fewest
	// requests in flight (ALB least_outstanding_requests): join the
	// shortest queue.
	ShortestQueueRouting
)

var routingNames = []string{RandomRouting: "random", RoundRobinRouting: "round_robin", ShortestQueueRouting: "shortest_queue"}

// String returns "random", "round_robin" or "shortest_queue".
func (r Routing) String() string {
	if int(r) < len(routingNames) {
		return routingNames[r]
	}
	return fmt.Sprintf("Routing(%d)", uint8(r))
}

// GIM1Sigma returns σ, the root in (0, 1) of
//
//	σ = Ã(μ(1 − σ)),   Ã(s) = (kλ / (kλ + s))ᵏ,
//
// for a single-server queue with exponential service at rate μ whose
// interarrival times are gamma distributed with shape k and mean 1/λ (the
// Erlang-k distribution for whole k; k = 1 is Poisson), at load
// rho = λ/μ. σ is the probability that an arrival finds the server busy,
// and it gives the queue's exact steady state (Kleinrock, Queueing
// Systems, vol. 1, 1975, ch. 6, the G/M/m queue with m = 1): the sojourn time of an
// FCFS request is exponential with rate μ(1 − σ), so
//
//	W = 1/(μ(1 − σ)),   Wq = σ/(μ(1 − σ)),   P(T > t) = e^{−μ(1−σ)t},
//
// and the number present at a random instant is 0 with probability 1 − ρ
// and n ≥ 1 with probability ρ(1 − σ)σⁿ⁻¹. It returns 1 for rho ≥ 1 (no
// steady state) and NaN for k ≤ 0 or rho < 0.
//
// Newton's method converges monotonically from the left of the root, since
// g(σ) = Ã(μ(1 − σ)) − σ is convex and decreasing up to it.
func GIM1Sigma(k, rho float64) float64 {
	if !(k > 0) || !(rho >= 0) || math.IsInf(k, 1) {
		return math.NaN()
	}
	if rho >= 1 {
		return 1
	}
	if rho == 0 {
		return 0
	}
	kr := k * rho
	g := func(s float64) (g, dg float64) {
		// f(σ) = (kρ/(kρ + 1 − σ))^k, f'(σ) = k·f(σ)/(kρ + 1 − σ), with
		// the power as exp(k·ln(1 − (1 − σ)/d)): cheaper than math.Pow.
		d := kr + 1 - s
		f := math.Exp(k * math.Log1p(-(1-s)/d))
		return f - s, k*f/d - 1
	}
	// Start from Kingman's heavy-traffic wait, σ/(1 − σ) = ρ(1 + 1/k)/(2(1 − ρ)):
	// close to the root, which saves half the steps. Newton's method is
	// monotone from any point left of the root (g > 0 there); a start right
	// of it (g < 0) and left of g's minimum (g' < 0) lands left of it in one
	// step, the tangent lying under the convex g; otherwise start from 0.
	x := rho * (1 + 1/k) / (2 * (1 - rho))
	s := x / (1 + x)
	gs, dgs := g(s)
	if gs < 0 {
		if dgs < 0 {
			s -= gs / dgs
		}
		if !(s >= 0) || dgs >= 0 {
			s = 0
		}
		gs, dgs = g(s)
	}
	for range 200 {
		step := -gs / dgs
		if !(step > 0) || s+step >= 1 { // converged (monotone from below), or lost to rounding
			break
		}
		s += step
		if step < 1e-10 {
			// Quadratic convergence: the error left is of order step², far
			// below a float's resolution of σ.
			break
		}
		gs, dgs = g(s)
	}
	return s
}

// superposedShape is the gamma shape of the renewal process that stands
// for a task's arrivals when round robin runs with cursors independent
// cursors (one per load-balancer node, each request entering a node at
// random): the superposition of cursors Erlang-n streams, whose gaps are
// more regular than Poisson but less than one cursor's. Its C_a² has the
// form of Whitt's QNA hybrid for a superposition of m equal streams of
// C² = 1/n at the server's utilisation ρ (W. Whitt, "The Queueing Network
// Analyzer", Bell System Technical Journal 62(9), 1983):
//
//	C_a² = w/n + (1 − w),   w = 1 / (1 + k(1 − ρ)²(m − 1)),
//
// which is 1/n, and the shape n, for one cursor. QNA's k = 4 overstated the
// request-level waits by up to 19 % at three nodes (N 2–16, ρ 0.3–0.9); the
// streams' gaps are negatively correlated, which a renewal fit misses. k = 1
// was fitted to those runs (worst 3.3 % for exponential work) and checked
// at two and six nodes on other seeds (the package documentation gives the
// errors).
func superposedShape(n, cursors int, rho float64) float64 {
	if cursors <= 1 {
		return float64(n)
	}
	r := min(max(rho, 0), 1)
	w := 1 / (1 + (1-r)*(1-r)*float64(cursors-1))
	return 1 / (w/float64(n) + 1 - w)
}

// jsq is the fluid model of join the shortest queue over n tasks (least
// outstanding requests), each task an FCFS server of c slots at rate
// muSlot each, or (ps) a processor-sharing server at rate muSlot whose
// first c requests are in service (c = 0: no limit), with room for k
// requests per task in all (k < 0: no bound), offered lambda in all.
//
// The model. Like Lin and Raghavendra ("An approximate analysis of the
// join the shortest queue (JSQ) policy", IEEE Trans. Parallel and
// Distributed Systems 7(3), 1996) it follows the number of requests in the
// whole system as a birth–death process. JSQ never leaves a slot idle while
// a request waits at another task, except briefly after a departure, and
// keeps the tasks' counts within one of each other; we take that balance
// as exact, so the total behaves as an M/M/(n·c) queue (capacity n·k) and,
// with j requests waiting in all, an arrival joins a task with ⌊j/n⌋
// waiting ahead of it, then waits for ⌊j/n⌋ + 1 completions of its own
// task's c slots; like Allen and Cunneen's M/G/c, the wait is scaled by
// (1 + C_s²)/2 for other work than exponential:
//
//	Wq = Σ_j P(j waiting at an arrival) · (⌊j/n⌋ + 1) / (c·μ) · (1 + C_s²)/2,
//
// which for an unbounded queue is C(n·c, a) / ((1 − ρⁿ)·c·μ) · (1 + C_s²)/2
// with C the Erlang C formula, a = λ/μ and ρ = a/(n·c). With exponential
// work it is exact for n = 1 (M/M/c), and the M/M/(n·c) central queue is
// its lower bound. Balanced counts overstate the wait: a real arrival
// finds a queue shorter than ⌊j/n⌋ (and, for variable work, a request in
// service with less left to run) whenever the queues are uneven, which
// they are more often the more tasks there are and the lower the load;
// the wait is multiplied by jsqSelection for that (up to 31 % over at
// sixteen tasks without it, within 4.4 % with it; the package
// documentation gives the errors by class). With exponential work a
// processor-sharing task's count moves exactly as a one-slot FCFS task's,
// so the same chain (c = 1, rate μ) gives its mean sojourn; Gupta,
// Harchol-Balter, Sigman and Whitt ("Analysis of join-the-shortest-queue
// routing for web server farms", Performance Evaluation 64(9–12), 2007)
// found JSQ over processor-sharing servers nearly insensitive to the work
// distribution, so the figure stands for any C_s².
//
// It returns per-task rates and times: served and rejected per task, the
// mean wait before service and the mean sojourn of a served request.
func jsq(lambda float64, n int, muSlot float64, c, k int, ps bool, scv float64) (served, rejected, wait, sojourn float64) {
	slots, rate := n*c, muSlot // servers of the total chain and each one's rate
	if ps {
		slots = n // a PS task completes at full rate whenever non-empty
	}
	perTask := float64(max(c, 1)) * rate // completions per second of one busy task
	if ps {
		perTask = rate
	}
	// Allen–Cunneen: an FCFS wait grows with the work's variability as
	// (1 + C_s²)/2, as M/G/1's does (Pollaczek–Khinchine).
	variability := (1 + scv) / 2
	a := lambda / rate
	rho := a / float64(slots)
	nf := float64(n)
	if k < 0 {
		capacity := float64(slots) * rate
		if rho >= 1 {
			return min(lambda, capacity) / nf, (lambda - min(lambda, capacity)) / nf, math.Inf(1), math.Inf(1)
		}
		ec := ErlangC(slots, a)
		tail := ec / (1 - math.Pow(rho, nf)) // Σ_j P(j waiting)(⌊j/n⌋ + 1), j geometric
		switch {
		case !ps:
			wait = tail * variability * jsqSelection(n, rho, variability) / perTask
			sojourn = wait + 1/rate
		default:
			// Count ahead at the arrival's task ⌊m/n⌋ for m present; the
			// sojourn is that plus one service, as one-slot FCFS.
			sel := jsqSelection(n, rho, 1)
			sojourn = 1/rate + tail*sel/perTask
			wait = sojourn - 1/rate // no limit: the delay over the work alone
			if c > 0 {
				// Waiting room: ⌊m/n⌋ ≥ c, i.e. m = n·c + j, waits ⌊j/n⌋+1.
				wait = ec * math.Pow(rho, nf*float64(c-1)) / (1 - math.Pow(rho, nf)) * sel / perTask
			}
		}
		return lambda / nf, 0, wait, sojourn
	}
	// Bounded: the chain over 0..n·k with p_m ∝ aᵐ/m! up to slots, then
	// p_slots·ρ^(m − slots): the first part term by term, the geometric
	// part a block of n counts at a time (⌊m/n⌋ is constant in a block),
	// so the cost is O(slots + k) rather than O(n·k). Sums are rescaled as
	// the terms grow.
	top := n * k
	limit := c // a request waits when its task holds ≥ limit
	if ps && c == 0 {
		limit = math.MaxInt
	}
	term, sum, sumWait, sumSojourn := 1.0, 0.0, 0.0, 0.0
	// add books weight g (Σ of the terms over counts with ⌊m/n⌋ = q, any
	// of them admitted: m < top) into the sums.
	add := func(q int, g, admitted float64) {
		sum += g
		if q >= limit {
			sumWait += admitted * float64(q-limit+1)
		}
		if ps {
			sumSojourn += admitted * float64(q+1)
		}
	}
	first := min(slots, top)
	for m := 0; m <= first; m++ {
		if m > 0 {
			term *= a / float64(m)
		}
		admitted := term
		if m == top {
			admitted = 0
		}
		add(m/n, term, admitted)
		if term > 1e200 {
			term, sum, sumWait, sumSojourn = term/1e200, sum/1e200, sumWait/1e200, sumSojourn/1e200
		}
	}
	// Geometric part: m in (first, top], term_m = term_first·ρ^(m − first).
	// A whole block of n terms sums to start·(1 − ρⁿ)/(1 − ρ) and ends at
	// start·ρⁿ⁻¹; only the partial blocks at either end need their own powers.
	rn := math.Pow(rho, nf)
	for lo := first + 1; lo <= top; {
		q := lo / n
		hi := min((q+1)*n-1, top)
		cnt := hi - lo + 1
		pc, last := rn, rn/rho // ρ^cnt and ρ^(cnt−1)
		if cnt != n {
			pc, last = math.Pow(rho, float64(cnt)), math.Pow(rho, float64(cnt-1))
		}
		start := term * rho // the term at lo
		var g float64       // Σ_{m=lo..hi} term_m
		if rho == 1 {
			g = start * float64(cnt)
		} else {
			g = start * (1 - pc) / (1 - rho)
		}
		term = start * last // the term at hi
		admitted := g
		if hi == top {
			admitted = g - term
		}
		add(q, g, admitted)
		if term > 1e200 || sum > 1e200 {
			term, sum, sumWait, sumSojourn = term/1e200, sum/1e200, sumWait/1e200, sumSojourn/1e200
		}
		lo = hi + 1
	}
	blocking := term / sum
	admitted := 1 - blocking
	if admitted > 0 {
		wait = sumWait / sum / admitted / perTask
		if ps {
			sel := jsqSelection(n, rho, 1)
			wait *= sel
			sojourn = 1/rate + (sumSojourn/sum/admitted/perTask-1/rate)*sel
		} else {
			wait *= variability * jsqSelection(n, rho, variability)
			sojourn = wait + 1/rate
		}
	}
	return lambda * admitted / nf, lambda * blocking / nf, wait, sojourn
}

// jsqSelectionRate is κ of jsqSelection, chosen on request-level
// simulation of least outstanding requests (FCFS and processor sharing,
// N = 2, 4 and 16 tasks, ρ 0.3–0.9, C_s² 0.5, 1 and 4, seeds 1–3; the κ
// that minimises the worst relative error of the mean is 0.106, and 0.1
// keeps it within 4.4 %) and checked at N = 8 (seeds 1–3 and 4–5), where
// the mean is within 4.3 %.
const jsqSelectionRate = 0.1

// jsqSelection is the factor by which join the shortest queue's wait falls
// short of the balanced chain's (jsq): JSQ picks, among the other n − 1
// tasks, one whose queue is shorter than the balanced ⌊j/n⌋ and, for
// variable work, one whose request in service started recently, which
// for work of C_s² > 1 has less left to run than an equilibrium residual.
// Both chances grow with the number of tasks to choose among, with the
// idle capacity (queues are uneven only while some slots idle) and with
// the work's variability v = (1 + C_s²)/2, and vanish in heavy traffic,
// where JSQ's queues collapse to balance (its state-space collapse) and
// the central queue's Allen–Cunneen wait holds:
//
//	Wq = Wq_balanced · exp(−κ·(n − 1)·(1 − ρ)·v),   κ = jsqSelectionRate,
//
// ρ the per-slot utilisation clamped to [0, 1]. The form is an empirical
// one, not from the literature; it is 1 for one task, so M/M/c and, with
// v, M/G/1 (Pollaczek–Khinchine) stay exact. Processor sharing takes
// v = 1: its count moves as exponential FCFS's whatever the work.
func jsqSelection(n int, rho, v float64) float64 {
	r := min(max(rho, 0), 1)
	return math.Exp(-jsqSelectionRate * float64(n-1) * (1 - r) * v)
}

// jsqPSTail is the tail factor c (see computeSmoothedShape) of a
// processor-sharing task's sojourn under join the shortest queue over n
// tasks: c = 1/√n. A request of work x is slowed by the occupancy of its
// task; a small one by the few requests it finds, a long one by the
// occupancy averaged over its service, whose variance grows with x as
// M/M/1-PS's times c. JSQ sends each arrival to the emptiest task, so a
// task's occupancy follows the balanced share of the total: c lies
// between the independent queue's 1 (random routing) and the 1/n of a
// task whose count is exactly the total's n-th part. 1/√n, their geometric
// mean, is empirical: it brings the p99 of the request-level table
// (N = 2, 4, 16, ρ 0.3–0.95, C_s² 0.5–4) within 5 %, from 12 % with the
// random-routing shape at sixteen tasks.
func jsqPSTail(n int) float64 { return 1 / math.Sqrt(float64(n)) }

// klb is the Krämer–Langenbach-Belz approximation of the GI/G/1 mean wait
// in units of the M/M/1 wait at the same utilisation rho (W. Krämer and
// M. Langenbach-Belz, "Approximate formulae for the delay in the queueing
// system GI/G/1", 8th International Teletraffic Congress, 1976):
//
//	(C_a² + C_s²)/2 · g,   g = exp(−2(1 − ρ)(1 − C_a²)² / (3ρ(C_a² + C_s²)))  for C_a² < 1,
//
// and g = 1 for C_a² ≥ 1. The factor g corrects Kingman's heavy-traffic
// form at light load, where regular arrivals rarely wait at all.
func klb(ca2, cs2, rho float64) float64 {
	k := (ca2 + cs2) / 2
	if ca2 < 1 && rho > 0 && ca2+cs2 > 0 {
		k *= math.Exp(-2 * (1 - rho) * (1 - ca2) * (1 - ca2) / (3 * rho * (ca2 + cs2)))
	}
	return k
}

// qnaDelayProbability is the probability that an arrival waits in a GI/G/1
// queue at utilisation rho with arrival and service variabilities ca2 and
// cs2, as Whitt's Queueing Network Analyzer approximates it (W. Whitt,
// "The Queueing Network Analyzer", Bell System Technical Journal 62(9),
// 1983, after Krämer and Langenbach-Belz):
//
//	P(W > 0) = ρ + (C_a² − 1)·ρ(1 − ρ)·h,
//	h = (1 + C_a² + ρC_s²) / (1 + ρ(C_s² − 1) + ρ²(4C_a² + C_s²))   for C_a² ≤ 1,
//	h = 4ρ / (C_a² + ρ²(4C_a² + C_s²))                              for C_a² > 1.
//
// It is ρ for Poisson arrivals (exact, PASTA); against the exact σ of
// E_k/M/1 (GIM1Sigma, k = 2–16) it is within 4 % for ρ ≥ 0.6 and 16 % at
// ρ = 0.3, and off by factors at ρ = 0.1, where both are below 3 %
// (TestQNADelayProbabilityAgainstGIM1). Fluid uses it relative to its value
// at C_s² = 1, where σ is exact.
func qnaDelayProbability(ca2, cs2, rho float64) float64 {
	var h float64
	if ca2 <= 1 {
		h = (1 + ca2 + rho*cs2) / (1 + rho*(cs2-1) + rho*rho*(4*ca2+cs2))
	} else {
		h = 4 * rho / (ca2 + rho*rho*(4*ca2+cs2))
	}
	return rho + (ca2-1)*rho*(1-rho)*h
}
