package traffic

import (
	"math"
	"slices"
)

// MaxShapePoints is the most points a LatencyShape has.
const MaxShapePoints = 40

// The quadrature's fixed probabilities: the report quantiles, each read at
// the centre of its own interval; the bottom interval [0, quadFloor), whose
// quantiles nothing reads; and the top interval [quadTop, 1], the tail
// beyond the 0.9999 quantile, whose point carries the rest of the mean.
var quadAnchors = [...]float64{0.5, 0.9, 0.99, 0.999}

const (
	quadFloor = 0.1
	quadTop   = 0.9999
	// quadSub is the number of midpoints an interval's mean is taken over.
	quadSub = 32
)

// Quantile returns the q-quantile (0 < q ≤ 1) of the booked shape: the
// point of the first interval whose cumulative weight reaches q, which is
// what a histogram fed this shape alone reads (before its own bucket
// rounding).
func (s *LatencyShape) Quantile(q float64) float64 {
	cum := 0.0
	for i, w := range s.Weights {
		cum += w
		if cum >= q*(1-1e-12) {
			return s.Points[i]
		}
	}
	return s.Points[len(s.Points)-1]
}

// quadrature places the points and weights of a unit-mean quantile
// function (see LatencyShape): the bottom interval [0, quadFloor), an
// interval centred on each quadAnchors quantile, intervals between them
// over which the quantile rises by the same factor e^Step, the finest
// that fits MaxShapePoints in all, and the tail [quadTop, 1]. Each point
// is its interval's mean (the mean of quadSub midpoints of the quantile
// function), and the tail's carries the rest of the mean, at least the
// quantile at its interval's middle.
func quadrature(quantile func(q float64) float64) *LatencyShape {
	// The largest step needed is the widest factor between quadFloor and
	// quadTop; the count of intervals falls as the step grows, so the
	// finest step that fits is found by bisection on its logarithm.
	lo, hi := 1e-3, 1.0
	for quadEdges(quantile, hi, false) == nil {
		hi *= 2
		if hi > 1e3 {
			break
		}
	}
	for range 40 {
		mid := math.Sqrt(lo * hi)
		if quadEdges(quantile, mid, false) != nil {
			hi = mid
		} else {
			lo = mid
		}
	}
	edges := quadEdges(quantile, hi, true)
	if edges == nil { // a quantile function that is not increasing: one point per anchor
		edges = []float64{0, quadFloor}
		for _, a := range quadAnchors {
			edges = append(edges, a)
		}
		edges = append(edges, quadTop, 1)
		hi = math.Inf(1)
	}
	n := len(edges) - 1
	s := &LatencyShape{Points: make([]float64, n), Weights: make([]float64, n), Step: hi, P99: quantile(0.99)}
	var sum float64
	for i := range n - 1 {
		a, b := edges[i], edges[i+1]
		var m float64
		for j := range quadSub {
			m += quantile(a + (b-a)*(float64(j)+0.5)/quadSub)
		}
		s.Points[i], s.Weights[i] = m/quadSub, b-a
		sum += s.Points[i] * s.Weights[i]
	}
	w := 1 - quadTop
	s.Weights[n-1] = w
	s.Points[n-1] = max(quantile((quadTop+1)/2), (1-sum)/w)
	// A numerically computed quantile function can hold more than the
	// unit mean below its tail; the points are then scaled down to it (by
	// a fraction of a percent), so that a step's booked latencies average
	// its mean whatever the shape.
	if mean := sum + s.Points[n-1]*w; mean > 1 {
		for i := range s.Points {
			s.Points[i] /= mean
		}
	}
	// Means of a numerically inverted quantile function can fall a hair
	// out of order where it is flat (a point mass).
	for i := 1; i < n; i++ {
		s.Points[i] = max(s.Points[i], s.Points[i-1])
	}
	return s
}

// quadEdges returns the interval edges of the quadrature with step ln
// factor step between the anchors, or nil if they number more than
// MaxShapePoints intervals. Unless place is set, the edges between the
// anchors are left at 0: the count is what the search for the step needs.
func quadEdges(quantile func(q float64) float64, step float64, place bool) []float64 {
	edges := make([]float64, 0, MaxShapePoints+1)
	edges = append(edges, 0, quadFloor)
	// gap adds the edges of [a, b] (a already added), b included.
	gap := func(a, b, step float64) {
		qa, qb := quantile(a), quantile(b)
		n := 1
		if qa > 0 && qb > qa {
			n = max(1, int(math.Ceil(math.Log(qb/qa)/step-1e-9)))
		}
		for j := 1; j < n && len(edges) <= MaxShapePoints; j++ {
			if !place {
				edges = append(edges, 0)
				continue
			}
			// The first q in [a, b] whose quantile reaches the j-th factor.
			t := qa * math.Pow(qb/qa, float64(j)/float64(n))
			x, y := a, b
			for range 60 {
				m := (x + y) / 2
				if quantile(m) >= t {
					y = m
				} else {
					x = m
				}
			}
			edges = append(edges, y)
		}
		edges = append(edges, b)
	}
	prev := quadFloor
	for k, q := range quadAnchors {
		next := quadTop
		if k+1 < len(quadAnchors) {
			next = quadAnchors[k+1]
		}
		// The widest centred interval over which the quantile rises by at
		// most the step, and no closer to a neighbour than half the
		// distance.
		dmax := 0.45 * min(q-prev, next-q)
		d := dmax
		if quantile(q+d) > quantile(q-d)*math.Exp(step) {
			x, y := 0.0, dmax
			for range 60 {
				m := (x + y) / 2
				if quantile(q+m) > quantile(q-m)*math.Exp(step) {
					y = m
				} else {
					x = m
				}
			}
			d = x
		}
		if d <= 0 {
			return nil
		}
		gs := step
		if k == 0 {
			gs = 2 * step // below the median: half the resolution
		}
		gap(prev, q-d, gs)
		edges = append(edges, q+d)
		prev = q + d
	}
	gap(prev, quadTop, step)
	edges = append(edges, 1)
	if len(edges)-1 > MaxShapePoints || place && !slices.IsSorted(edges) {
		return nil
	}
	return edges
}
