package traffic

import (
	"math"
	"testing"
)

// limitedPSOneLoop is limitedPS's sums as one loop over n, the form it
// had before it was split at c: the reference TestLimitedPSMatchesOneLoop
// holds it to.
func limitedPSOneLoop(lambda, es float64, c, queue int) FluidResult {
	a := lambda / (1 / es)
	k := c + queue
	term, sum, sumN, sumBeyond := 1.0, 1.0, 0.0, 0.0
	for n := 1; n <= k; n++ {
		term *= a
		sum += term
		sumN += float64(n) * term
		if n > c {
			sumBeyond += float64(n-c) * term
		}
		if term > 1e200 {
			term, sum, sumN, sumBeyond = term/1e200, sum/1e200, sumN/1e200, sumBeyond/1e200
		}
	}
	blocking := term / sum
	served := lambda * (1 - blocking)
	r := FluidResult{ServedRate: served, RejectedRate: lambda * blocking}
	if served > 0 {
		r.MeanWait = sumBeyond / sum / served
		r.MeanLatency = sumN / sum / served
	}
	return r
}

// TestLimitedPSMatchesOneLoop: limitedPS, its sums split in two loops at
// the concurrency limit, returns the bits of the single loop over n, light
// to heavy load (a = λ·es from 1e-3 to 40, where the terms are rescaled),
// with and without a waiting room.
func TestLimitedPSMatchesOneLoop(t *testing.T) {
	bits := func(r FluidResult) [4]uint64 {
		return [4]uint64{math.Float64bits(r.ServedRate), math.Float64bits(r.RejectedRate), math.Float64bits(r.MeanWait), math.Float64bits(r.MeanLatency)}
	}
	cases := 0
	for _, c := range []int{1, 2, 7, 64, 300} {
		for _, queue := range []int{0, 1, 100, 1000} {
			for i := range 400 {
				a := 1e-3 * math.Pow(40e3, float64(i)/399) // 1e-3 to 40, log-spaced
				es := 0.2 + float64(i%7)*0.05
				lambda := a / es
				got, want := limitedPS(lambda, es, c, queue), limitedPSOneLoop(lambda, es, c, queue)
				if bits(got) != bits(want) {
					t.Fatalf("c=%d queue=%d λ=%v es=%v: got %+v, want %+v", c, queue, lambda, es, got, want)
				}
				cases++
			}
		}
	}
	t.Logf("%d cases", cases)
}
