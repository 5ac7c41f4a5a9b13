package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// fargatePerTaskHour is worked example M's rate for a 1 vCPU / 2 GB Linux
// x86 task in us-east-1: $0.04048 per vCPU-hour + 2 × $0.004445 per
// GB-hour.
const fargatePerTaskHour = 0.04048 + 2*0.004445

// expectedRequests is the trace's count over the first hours, times scale:
// the mean of the Poisson arrivals the quickstart draws.
func expectedRequests(t *testing.T, hours int, scale float64) float64 {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(nasaDay)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, row := range rows[1 : 1+60*hours] {
		v, err := strconv.ParseFloat(row[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	return sum * scale
}

// checkInvariants holds a run to what must be true of any run.
func checkInvariants(t *testing.T, r Result, hours int) {
	t.Helper()
	if len(r.Rows) != hours {
		t.Fatalf("%d rows, want %d", len(r.Rows), hours)
	}
	c := r.Counters
	if sum := c.Served + c.NoTarget + c.Rejected + c.TimedOut + c.Aborted + c.InFlight; sum != c.Arrived {
		t.Errorf("requests not conserved: arrived %d, accounted %d (%+v)", c.Arrived, sum, c)
	}
	var arrived int64
	day := time.Date(1995, time.July, 13, 0, 0, 0, 0, edt)
	for i, row := range r.Rows {
		arrived += int64(math.Round(row.RequestsPerSecond * 3600))
		if want := day.Add(time.Duration(i) * time.Hour); !row.Start.Equal(want) {
			t.Errorf("row %d starts %v, want %v", i, row.Start, want)
		}
		if row.P50 > row.P99 {
			t.Errorf("row %d: p50 %v > p99 %v", i, row.P50, row.P99)
		}
		if row.MeanTasks < minTasks || float64(row.MaxTasks) > maxTasks || row.MeanTasks > float64(row.MaxTasks) {
			t.Errorf("row %d: mean tasks %.1f, max %d outside [%d, %d]", i, row.MeanTasks, row.MaxTasks, minTasks, maxTasks)
		}
		// Fargate bills each task from its image pull to STOPPED: at least
		// the RUNNING task-hours (sampled each minute), and not much more.
		lo, hi := 0.9*row.MeanTasks*fargatePerTaskHour, 1.3*float64(row.MaxTasks)*fargatePerTaskHour
		if row.Cost < lo || row.Cost > hi {
			t.Errorf("row %d: cost $%.3f outside [$%.3f, $%.3f] for %.1f tasks (max %d)", i, row.Cost, lo, hi, row.MeanTasks, row.MaxTasks)
		}
	}
	if arrived != c.Arrived {
		t.Errorf("rows sum to %d requests, counters say %d", arrived, c.Arrived)
	}
	if r.MinDesired < minTasks || r.MaxDesired > maxTasks {
		t.Errorf("desired count ranged %d to %d, outside [%d, %d]", r.MinDesired, r.MaxDesired, minTasks, maxTasks)
	}
	if r.P50 > r.P99 {
		t.Errorf("p50 %v > p99 %v", r.P50, r.P99)
	}
	var out bytes.Buffer
	Print(&out, r)
	hourLine := regexp.MustCompile(`^\d\d:00 `)
	lines := 0
	for sc := bufio.NewScanner(&out); sc.Scan(); {
		if hourLine.MatchString(sc.Text()) {
			lines++
		}
	}
	if lines != hours {
		t.Errorf("printed %d hour lines, want %d:\n%s", lines, hours, out.String())
	}
}

// TestQuickstartDay runs the command's whole day (a few seconds) and
// checks its invariants, and that the arrivals match the trace: a Poisson
// count with mean Λ = Σ counts × scale is within 5 √Λ of Λ.
func TestQuickstartDay(t *testing.T) {
	hours := 24
	if testing.Short() {
		hours = 2
	}
	opt := DefaultOptions
	opt.Hours = hours
	r, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, r, hours)
	want := expectedRequests(t, hours, opt.Scale)
	if got := float64(r.Counters.Arrived); math.Abs(got-want) > 5*math.Sqrt(want) {
		t.Errorf("arrived %v requests, the trace says %v ± %.0f", got, want, 5*math.Sqrt(want))
	}
	if r.Activities == 0 {
		t.Errorf("no scaling activity over %d hours of a varying trace", hours)
	}
	if hours == 24 {
		// The command's default output is what the README shows.
		var out bytes.Buffer
		Print(&out, r)
		readme, err := os.ReadFile("../../README.md")
		if err != nil {
			t.Fatal(err)
		}
		_, block, _ := strings.Cut(string(readme), "```text\necssim quickstart:")
		block, _, _ = strings.Cut(block, "```")
		if want := "ecssim quickstart:" + block; out.String() != want {
			t.Errorf("the quickstart prints\n%s\nthe README shows\n%s", out.String(), want)
		}
	}
}

// TestFlags: the flags set Options (-hours 2 -mode fluid prints what Run
// and Print give for those options), -h explains them and runs nothing,
// and a flag mistake is status 2.
func TestFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if status := run([]string{"-h"}, &out, &errOut); status != 0 || out.Len() != 0 || !strings.Contains(errOut.String(), "-scale") {
		t.Errorf("-h: status %d, printed %q, explained %q", status, out.String(), errOut.String())
	}
	for _, args := range [][]string{{"-hours", "x"}, {"-mode", "batch"}, {"extra"}} {
		if status := run(args, &out, &errOut); status != 2 {
			t.Errorf("%q: status %d, want 2", args, status)
		}
	}
	out.Reset()
	if status := run([]string{"-hours", "2", "-mode", "fluid", "-scale", "300", "-work", "20ms", "-seed", "3"}, &out, &errOut); status != 0 {
		t.Fatalf("status %d: %s", status, errOut.String())
	}
	opt := Options{Seed: 3, Hours: 2, Scale: 300, MeanWork: 20 * time.Millisecond, Mode: sim.FluidMode}
	r, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	Print(&want, r)
	if out.String() != want.String() {
		t.Errorf("flags printed\n%s\nRun(%+v) prints\n%s", out.String(), opt, want.String())
	}
}

// TestQuickstartFluid runs the same day in fluid mode: same invariants,
// and the arrivals are the trace's expected count (cumulative rounding
// keeps them within one request).
func TestQuickstartFluid(t *testing.T) {
	opt := DefaultOptions
	opt.Mode = sim.FluidMode
	r, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, r, 24)
	want := expectedRequests(t, 24, opt.Scale)
	if got := float64(r.Counters.Arrived); math.Abs(got-want) > 1 {
		t.Errorf("arrived %v requests, the trace says %v", got, want)
	}
	if !strings.Contains(opt.Mode.String(), "fluid") {
		t.Errorf("mode %v", opt.Mode)
	}
}

// TestSeparateHealthEndpoint holds the README's account of the day's
// bursts: with health checks waiting in the request queue some tasks fail
// them and are replaced; answered outside the queue, none is, and the
// day's failures shift from 5xx to client timeouts.
func TestSeparateHealthEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("two simulated days request by request")
	}
	shared, err := Run(DefaultOptions)
	if err != nil {
		t.Fatal(err)
	}
	opt := DefaultOptions
	opt.SeparateHealthEndpoint = true
	separate, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	if shared.Unhealthy == 0 || separate.Unhealthy != 0 {
		t.Errorf("tasks replaced as unhealthy: %d through the queue, %d separate; want some, then none", shared.Unhealthy, separate.Unhealthy)
	}
	s, p := shared.Counters, separate.Counters
	if !(p.Errors5xx() < s.Errors5xx() && p.TimedOut > s.TimedOut) {
		t.Errorf("separate endpoint: 5xx %d (shared %d), timed out %d (shared %d); want fewer 5xx and more timeouts",
			p.Errors5xx(), s.Errors5xx(), p.TimedOut, s.TimedOut)
	}
	checkInvariants(t, separate, 24)
}
