package traffic

import (
	"fmt"
	"math"
	"slices"
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

// TestLimitedPSMatchesOneLoop: limitedPSLoop, its sums split in two loops
// at the concurrency limit, returns the bits of the single loop over n,
// light to heavy load (a = λ·es from 1e-3 to 40, where the terms are
// rescaled), with and without a waiting room.
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
				got, want := limitedPSLoop(lambda, lambda/(1/es), c, c+queue), limitedPSOneLoop(lambda, es, c, queue)
				if bits(got) != bits(want) {
					t.Fatalf("c=%d queue=%d λ=%v es=%v: got %+v, want %+v", c, queue, lambda, es, got, want)
				}
				cases++
			}
		}
	}
	t.Logf("%d cases", cases)
}

// TestLimitedPSClosedFormMatchesTheLoop holds limitedPS, the M/M/1/K sums
// in closed form away from a = 1, to the single loop over n: every field
// within 10⁻¹² relative (or both below 10⁻²⁹⁰, where floats lose digits
// to the subnormals), over concurrency limits, waiting rooms and loads
// from 10⁻³ to 40 (log-spaced, and close to 1 on both sides, where the
// closed forms hand over to the loop), and both sides of the hand-over.
func TestLimitedPSClosedFormMatchesTheLoop(t *testing.T) {
	loads := []float64{}
	for i := range 200 {
		loads = append(loads, 1e-3*math.Pow(40e3, float64(i)/199))
	}
	for _, d := range []float64{1e-9, 1e-6, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1} {
		loads = append(loads, 1-d, 1+d)
	}
	closed, worst := 0, 0.0
	for _, c := range []int{1, 2, 7, 64, 300} {
		for _, queue := range []int{0, 1, 3, 100, 1000} {
			k := float64(c + queue)
			ls := append(slices.Clone(loads), math.Exp(1/k), math.Exp(-1/k), math.Exp(1/k)*(1+1e-12), math.Exp(-1/k)*(1+1e-12))
			for i, a := range ls {
				es := 0.2 + float64(i%7)*0.05
				lambda := a / es
				got, want := limitedPS(lambda, es, c, queue), limitedPSOneLoop(lambda, es, c, queue)
				if a := lambda / (1 / es); a != 1 && math.Abs(math.Log(a))*k >= 1 {
					closed++
				}
				for _, f := range [][2]float64{{got.ServedRate, want.ServedRate}, {got.RejectedRate, want.RejectedRate}, {got.MeanWait, want.MeanWait}, {got.MeanLatency, want.MeanLatency}} {
					if math.Abs(f[0]) < 1e-290 && math.Abs(f[1]) < 1e-290 {
						continue // near and below the subnormals, floats carry fewer digits
					}
					d := math.Abs(f[0] - f[1])
					if f[1] != 0 {
						d /= math.Abs(f[1])
					}
					worst = max(worst, d)
					if !(d <= 1e-12) {
						t.Fatalf("c=%d queue=%d a=%v: got %+v, the loop %+v (relative difference %.3g)", c, queue, a, got, want, d)
					}
				}
			}
		}
	}
	if closed == 0 {
		t.Fatal("no case took the closed form")
	}
	t.Logf("%d cases in closed form, worst relative difference %.3g", closed, worst)
}

// BenchmarkLimitedPS is one processor-sharing fluid step's queue at 64 in
// service and 64 waiting, ρ = 0.7 (the closed form) and ρ = 0.999 (the
// loop).
func BenchmarkLimitedPS(b *testing.B) {
	for _, rho := range []float64{0.7, 0.999} {
		b.Run(fmt.Sprintf("rho=%v", rho), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				limitedPS(rho/0.05, 0.05, 64, 64)
			}
		})
	}
}
