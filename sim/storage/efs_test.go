package storage

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// decimalSlack is how far AWS's round figures for small file systems are
// from the binary arithmetic: AWS gives 100 GiB a 5 MiBps baseline
// (0.05 MiBps per GiB, counting 1,000 KiB to the MiB) but 256 GiB 12.5
// MiBps and 1 TiB 50 MiBps (50 KiBps per GiB, 1,024 KiB to the MiB). The
// model is binary throughout, so the decimal figures are 1 − 1000/1024 =
// 2.34 % high; tests allow 2.5 % for them and hold the binary rows exactly.
const decimalSlack = 0.025

// TestBurstCreditWorkedExample is AWS's worked example of Bursting mode
// (https://docs.aws.amazon.com/efs/latest/ug/performance.html): a 100 GiB
// file system has a 5 MiBps baseline; a day at rest earns 432,000 MiB of
// credits, which last 72 minutes at 100 MiBps (the decimal figures, see
// decimalSlack). Played out second by second with AdvanceCredits, a day of
// bursting at the rate Permitted allows after the rest of the day idle
// lasts what BurstMinutesPerDay says.
func TestBurstCreditWorkedExample(t *testing.T) {
	b := Bursting{}.WithDefaults()
	stored := 100 * GiB
	if got := b.Baseline(stored) / MiB; !near(got, 5, decimalSlack) {
		t.Fatalf("baseline of 100 GiB = %v MiBps, AWS says 5", got)
	}
	if got := b.Burst(stored) / MiB; got != 100 {
		t.Fatalf("burst of 100 GiB = %v MiBps, AWS says 100", got)
	}
	earned := AdvanceCredits(0, b.MaxCredits(stored), b.Accrual(stored), 0, 86400)
	if got := earned / MiB; !near(got, 432000, decimalSlack) {
		t.Fatalf("a day idle earns %v MiB, AWS says 432,000", got)
	}
	if got := earned / (100 * MiB) / 60; !near(got, 72, decimalSlack) {
		t.Fatalf("a day's credits last %v min at 100 MiBps, AWS says 72", got)
	}
	minutes := b.BurstMinutesPerDay(stored)
	if !near(minutes, 72, decimalSlack) {
		t.Fatalf("BurstMinutesPerDay(100 GiB) = %v, AWS says 72", minutes)
	}
	// The day played out second by second: idle for the rest of the day,
	// then burst while Permitted allows; the burst spends, net of what
	// accrues meanwhile, what the idle hours earned.
	idle := int(math.Round((1440 - minutes) * 60))
	bal := 0.0
	for range idle {
		bal = AdvanceCredits(bal, b.MaxCredits(stored), b.Accrual(stored), 0, 1)
	}
	burst := 0
	for b.Permitted(stored, bal) == b.Burst(stored) {
		bal = AdvanceCredits(bal, b.MaxCredits(stored), b.Accrual(stored), b.Burst(stored), 1)
		burst++
	}
	if want := 86400 - idle; burst < want-1 || burst > want+1 {
		t.Fatalf("after %d s idle the file system burst for %d s, want the rest of the day, %d s", idle, burst, want)
	}
}

// TestBurstingTable holds the model to AWS's 2021 table of file system
// size, baseline, burst rate and burst minutes per day (the archived EFS
// user guide, https://docs.aws.amazon.com/efs/latest/ug/performance.html).
func TestBurstingTable(t *testing.T) {
	b := Bursting{}.WithDefaults()
	for _, row := range []struct {
		size                       float64
		baseline, burst, minPerDay float64
	}{
		{10 * GiB, 1, 100, 7.2}, // 0.5 MiBps earned (decimal), 1 MiBps permitted (the floor)
		{256 * GiB, 12.5, 100, 180},
		{512 * GiB, 25, 100, 360},
		{1 * TiB, 50, 100, 720},
		{1.5 * TiB, 75, 150, 720},
		{2 * TiB, 100, 200, 720},
		{4 * TiB, 200, 400, 720},
	} {
		if got := b.Baseline(row.size) / MiB; !near(got, row.baseline, 1e-12) {
			t.Errorf("%v GiB: baseline %v MiBps, table %v", row.size/GiB, got, row.baseline)
		}
		if got := b.Burst(row.size) / MiB; !near(got, row.burst, 1e-12) {
			t.Errorf("%v GiB: burst %v MiBps, table %v", row.size/GiB, got, row.burst)
		}
		tol := 1e-12
		if row.size < 100*GiB {
			tol = decimalSlack
		}
		if got := b.BurstMinutesPerDay(row.size); !near(got, row.minPerDay, tol) {
			t.Errorf("%v GiB: %v burst minutes a day, table %v", row.size/GiB, got, row.minPerDay)
		}
	}
	// A new file system starts with 2.1 TiB: about 6.12 h at 100 MiBps
	// (2.1 · 1024 · 1024 / 100 / 3600, AWS's 2021 figure), and holds at
	// most 2.1 TiB below 1 TiB, 2.1 TiB per TiB above.
	if h := b.InitialCredits() / (100 * MiB) / 3600; math.Abs(h-6.12) > 0.005 {
		t.Errorf("initial credits last %.3f h at 100 MiBps, AWS says about 6.12", h)
	}
	if got, want := b.MaxCredits(100*GiB), 2.1*TiB; got != want {
		t.Errorf("MaxCredits(100 GiB) = %v, want %v", got, want)
	}
	if got, want := b.MaxCredits(4*TiB), 4*2.1*TiB; !near(got, want, 1e-12) {
		t.Errorf("MaxCredits(4 TiB) = %v, want %v", got, want)
	}
}

// TestMetering is AWS's metering example: 30 MiB/s read and 30 MiB/s
// written are metered as 10 + 30 = 40 MiB/s.
func TestMetering(t *testing.T) {
	if got := Metered(30*MiB, 30*MiB) / MiB; !near(got, 40, 1e-12) {
		t.Fatalf("Metered(30 MiB read, 30 MiB written) = %v MiB, AWS says 40", got)
	}
	if got := Metered(100, 0); got != MinMeteredBytes {
		t.Fatalf("a 100-byte read is metered at %v, want the 4 KiB minimum", got)
	}
	// The combined rule: a third of the read limit leaves two thirds of
	// the write limit.
	l := Limits{Read: 60 * GiB, Write: 5 * GiB}
	if got := l.Combined(0); !near(got, 5*GiB, 1e-12) {
		t.Errorf("write-only combined limit %v, want the write limit", got)
	}
	if got := l.Combined(1); !near(got, 20*GiB, 1e-12) {
		t.Errorf("read-only combined limit %v metered, want 60 GiBps / 3", got)
	}
}

// naiveShare is the water-filling fixed point found by bisection on the
// per-request rate: Σ min(k·r, cap) = total.
func naiveShare(total, perClient float64, jobs []int) []float64 {
	lo, hi := 0.0, total
	for range 200 {
		r := (lo + hi) / 2
		s := 0.0
		for _, k := range jobs {
			s += math.Min(float64(k)*r, perClient)
		}
		if s > total {
			hi = r
		} else {
			lo = r
		}
	}
	out := make([]float64, len(jobs))
	for i, k := range jobs {
		if k > 0 {
			out[i] = math.Min(lo, perClient/float64(k))
		}
	}
	return out
}

func TestShareMatchesNaiveWaterFilling(t *testing.T) {
	cases := []struct {
		total, cap float64
		jobs       []int
	}{
		{100, 1000, []int{1, 2, 3}},
		{100, 30, []int{10, 1, 1}},
		{100, 10, []int{5, 5, 5}},
		{100, 45, []int{7, 0, 3, 1}},
		{1, 1, []int{0, 0}},
	}
	for _, c := range cases {
		out := make([]float64, len(c.jobs))
		used, _ := Share(c.total, c.cap, c.jobs, out, nil)
		want := naiveShare(c.total, c.cap, c.jobs)
		sum := 0.0
		for i := range out {
			if !near(out[i], want[i], 1e-9) {
				t.Errorf("Share(%v, cap %v, %v)[%d] = %v, naive %v", c.total, c.cap, c.jobs, i, out[i], want[i])
			}
			sum += out[i] * float64(c.jobs[i])
			if float64(c.jobs[i])*out[i] > c.cap*(1+1e-12) {
				t.Errorf("client %d gets %v, above the cap %v", i, float64(c.jobs[i])*out[i], c.cap)
			}
		}
		if !near(used, sum, 1e-9) || used > c.total*(1+1e-12) {
			t.Errorf("Share(%v, %v, %v) used %v, handed out %v", c.total, c.cap, c.jobs, used, sum)
		}
	}
}

func TestBurstingValidate(t *testing.T) {
	err := Bursting{BaselineKiBpsPerGiB: -1, CreditsTiB: math.NaN()}.Validate()
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Validate = %v, want ErrInvalid", err)
	}
	for _, f := range []string{"BaselineKiBpsPerGiB", "CreditsTiB"} {
		if !contains(err.Error(), f) {
			t.Errorf("error %q does not name %s", err, f)
		}
	}
	if err := (Bursting{}).Validate(); err != nil {
		t.Fatalf("zero Bursting: %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// A 256 GiB file system in Bursting mode: its baseline, burst rate, and
// how long a day it can burst.
func ExampleBursting() {
	b := Bursting{}.WithDefaults()
	stored := 256 * GiB
	fmt.Printf("baseline %.1f MiB/s, burst %.0f MiB/s, %.0f minutes a day\n", b.Baseline(stored)/MiB, b.Burst(stored)/MiB, b.BurstMinutesPerDay(stored))
	// Output: baseline 12.5 MiB/s, burst 100 MiB/s, 180 minutes a day
}
