package main

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
	"github.com/ecssim/ecssim/sim/storage"
)

// runAll runs every arm of the default scenario once per test binary.
var results = func() func(t *testing.T) []Result {
	var rs []Result
	return func(t *testing.T) []Result {
		t.Helper()
		if rs != nil {
			return rs
		}
		for _, arm := range Arms() {
			r, err := Run(arm, DefaultScenario())
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		return rs
	}
}()

// naiveCreditsOut is the oracle of when a new Bursting file system's
// credits run out: the diurnal metered demand, net of what accrues,
// integrated second by second from 2.1 TiB (Euler steps of one second, no
// simulation). The mean metered size of a read R ~ Exp(2 MiB) is
// E[max(R/3, 4 KiB)] = 4 KiB + a·e^(−4 KiB/a), a = 2 MiB / 3.
func naiveCreditsOut(sc Scenario, storedGiB float64) time.Duration {
	a := sc.ReadBytes / 3
	mm := storage.MinMeteredBytes + a*math.Exp(-storage.MinMeteredBytes/a)
	accrual := storedGiB * 50 * storage.KiB // 50 KiB/s per GiB
	bal := 2.1 * storage.TiB
	for s := 0; s < sc.Days*86400; s++ {
		t := float64(s) + 0.5
		rate := sc.MeanRate * (1 + sc.Amplitude*math.Cos(2*math.Pi*(t-sc.Peak.Seconds())/86400))
		bal += (accrual - rate*mm)
		if bal <= 0 {
			return time.Duration(s+1) * time.Second
		}
	}
	return 0
}

// TestCreditsRunOutWhenTheIntegralSays: the simulated file systems of
// 100 and 250 GiB fall to their baseline when the naive integral of the
// demand says their credits are gone, within 1 % (the service needs its
// first minute to start, and the credits are sampled each minute); 500 GiB
// and 1 TiB do not within the week, and the integral agrees.
func TestCreditsRunOutWhenTheIntegralSays(t *testing.T) {
	sc := DefaultScenario()
	for _, r := range results(t) {
		if r.Arm.Mode != sim.Bursting {
			continue
		}
		want := naiveCreditsOut(sc, r.Arm.StoredGiB)
		switch {
		case want == 0 && r.CreditsOut != 0:
			t.Errorf("%s: credits out at %v; the integral says they last the week", r.Arm.Name, r.CreditsOut)
		case want != 0 && math.Abs(r.CreditsOut.Seconds()-want.Seconds()) > 0.01*want.Seconds():
			t.Errorf("%s: credits out at %v, the integral says %v", r.Arm.Name, r.CreditsOut, want)
		default:
			t.Logf("%s: credits out at %v, integral %v", r.Arm.Name, r.CreditsOut, want)
		}
		if r.MinCredits < 0 || r.MaxCredits > r.CreditCap {
			t.Errorf("%s: credits ranged over [%v, %v], outside [0, %v]", r.Arm.Name, r.MinCredits, r.MaxCredits, r.CreditCap)
		}
	}
}

// TestBaselineCliff: once the credits are gone, the daily p99 of the
// Bursting arms is at least ten times the first day's and requests time
// out; the arms that keep their throughput (larger Bursting, Elastic,
// Provisioned) have the same p99 every day (within 5 %) and serve every
// request. Every arm's requests are conserved.
func TestBaselineCliff(t *testing.T) {
	for _, r := range results(t) {
		if !r.Conserved {
			t.Errorf("%s: requests not conserved", r.Arm.Name)
		}
		first, last := r.DailyP99[0], r.DailyP99[len(r.DailyP99)-1]
		if r.CreditsOut > 0 {
			if last < 10*first || r.Served >= r.Arrived {
				t.Errorf("%s: p99 %v on day 1, %v on the last day, %d of %d served; want the cliff", r.Arm.Name, first, last, r.Served, r.Arrived)
			}
			continue
		}
		for d, p := range r.DailyP99 {
			if math.Abs(p.Seconds()-first.Seconds()) > 0.05*first.Seconds() {
				t.Errorf("%s: p99 %v on day %d, %v on day 1; want steady", r.Arm.Name, p, d+1, first)
			}
		}
		if float64(r.Served) < 0.9999*float64(r.Arrived) {
			t.Errorf("%s: %d of %d served", r.Arm.Name, r.Served, r.Arrived)
		}
	}
}

// TestBills holds the file system bills to the price list: storage at
// $0.30 per GB-month (730-hour months) for the week; Elastic adds $0.03
// per GB read (three times the metered bytes, reads being metered at a
// third); Provisioned adds $6 per MiB/s-month above the 100 GiB baseline.
// Fargate is the same for every arm.
func TestBills(t *testing.T) {
	p := capacity.USEast1Prices()
	hours := float64(DefaultScenario().Days * 24)
	rs := results(t)
	for _, r := range rs {
		want := r.Arm.StoredGiB * p.EFSStandardPerGBMonth * hours / capacity.HoursPerMonth
		switch r.Arm.Mode {
		case sim.Elastic:
			want += 3 * r.MeteredBytes / storage.GiB * p.EFSElasticReadPerGB
		case sim.Provisioned:
			baseline := storage.Bursting{}.WithDefaults().Baseline(r.Arm.StoredGiB*storage.GiB) / storage.MiB
			want += (r.Arm.ProvisionedMiBps - baseline) * p.EFSProvisionedPerMiBpsMonth * hours / capacity.HoursPerMonth
		}
		// Elastic reads are billed at each minute's end: the last minute's
		// may be missing.
		if math.Abs(r.FileSystemCost-want) > 0.002*want {
			t.Errorf("%s: file system bill $%.2f, want $%.2f", r.Arm.Name, r.FileSystemCost, want)
		}
		if math.Abs(r.FargateCost-rs[0].FargateCost) > 1e-9 {
			t.Errorf("%s: Fargate $%.2f, first arm $%.2f", r.Arm.Name, r.FargateCost, rs[0].FargateCost)
		}
	}
}

// TestOutputShape: a header, the traffic line, a blank line, the column
// heads and one row per arm, each with the credits column, one p99 per
// day, the served share and three dollar figures.
func TestOutputShape(t *testing.T) {
	var buf bytes.Buffer
	sc := DefaultScenario()
	Print(&buf, sc, results(t))
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) != 4+len(Arms()) {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	if !strings.HasPrefix(lines[0], "Content service: 6 Fargate tasks") || !strings.HasPrefix(lines[1], "traffic: 40 req/s") || lines[2] != "" {
		t.Errorf("header:\n%s", strings.Join(lines[:3], "\n"))
	}
	// "file system", "credits out", "p99 dN" × days, "served", "EFS $/mo",
	// "EFS $ run", "Fargate $".
	if got := len(strings.Fields(lines[3])); got != 2+2+2*sc.Days+1+2+3+2 {
		t.Errorf("column heads %q: %d fields", lines[3], got)
	}
	for i, arm := range Arms() {
		row := lines[4+i]
		if !strings.HasPrefix(row, arm.Name) {
			t.Errorf("row %d %q does not start with %q", i, row, arm.Name)
		}
		f := strings.Fields(row)
		for _, x := range f[len(f)-3:] {
			if _, err := strconv.ParseFloat(x, 64); err != nil {
				t.Errorf("row %q: %q is not a dollar figure", row, x)
			}
		}
		if got := strings.Count(row, "%"); got != 1 {
			t.Errorf("row %q has %d percentages, want the served share", row, got)
		}
	}
}

// TestDeterministic: the same seed gives the same results.
func TestDeterministic(t *testing.T) {
	a, err := Run(Arms()[0], DefaultScenario())
	if err != nil {
		t.Fatal(err)
	}
	b := results(t)[0]
	if a.CreditsOut != b.CreditsOut || a.Served != b.Served || a.FileSystemCost != b.FileSystemCost {
		t.Errorf("two runs differ: %+v / %+v", a, b)
	}
}
