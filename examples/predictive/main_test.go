package main

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// quick is a short comparison for tests: two days of the week (Monday
// and Tuesday) in fluid mode.
var quick = Options{Seed: 1, Scale: 20, Mode: sim.FluidMode, WeekDays: 2}

func runBoth(t *testing.T, opt Options) []Result {
	t.Helper()
	var rs []Result
	for _, arm := range []Arm{TargetTracking, PredictiveAndTT} {
		r, err := Run(arm, opt)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	return rs
}

// TestOutputShape: the table has its header, one row per arm and the
// comparison line, and the forecast table lists Thursday's hours only when
// Thursday is in the run.
func TestOutputShape(t *testing.T) {
	rs := runBoth(t, quick)
	var b bytes.Buffer
	Print(&b, quick, rs)
	out := b.String()
	for _, want := range []string{
		"ecssim predictive: NASA web server, week of Mon 10 Jul 1995 ×20",
		"ramp p99", "week 5xx", "cost $",
		"\ntarget tracking ", "\npredictive + target tracking ",
		"predictive + target tracking against target tracking alone: ramp p99 ",
		"forecast of the week's 48 hours: mean absolute error ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var csv bytes.Buffer
	WriteCSV(&csv, rs[1])
	if lines := strings.Count(csv.String(), "\n"); lines != 1+48 {
		t.Errorf("CSV has %d lines, want a header and 48 hours", lines)
	}
}

// TestComparisonIsComputed: the figures printed are the results' own
// (the comparison line is recomputed here from the Results), the two arms
// differ, the windows add up (the ramps are 3 hours a weekday, inside the
// week's hours), and the forecast log covers every hour of the run with
// an actual load beside it.
func TestComparisonIsComputed(t *testing.T) {
	rs := runBoth(t, quick)
	a, b := rs[0], rs[1]
	if a.Ramps.Hours != 2*3 || a.Week.Hours != 2*24 || b.Ramps.Hours != 6 || b.Week.Hours != 48 {
		t.Fatalf("hours: ramps %d/%d, week %d/%d; want 6 and 48", a.Ramps.Hours, b.Ramps.Hours, a.Week.Hours, b.Week.Hours)
	}
	if a.Ramps.Requests > a.Week.Requests || a.Ramps.Errors5xx > a.Week.Errors5xx || a.Ramps.WorstP99 > a.Week.WorstP99 {
		t.Errorf("ramp window %+v not inside the week %+v", a.Ramps, a.Week)
	}
	if a.Cost <= 0 || b.Cost <= 0 || a.Cost == b.Cost && a.Ramps == b.Ramps {
		t.Errorf("arms not distinct: %+v / %+v", a, b)
	}
	if a.Forecasts != nil || len(b.Forecasts) != 48 || len(b.Actual) != 48 {
		t.Fatalf("forecasts %d / %d, actual %d", len(a.Forecasts), len(b.Forecasts), len(b.Actual))
	}
	for i, f := range b.Forecasts {
		if want := weekStart.Add(time.Duration(i) * time.Hour); !f.Hour.Equal(want) || math.IsNaN(b.Actual[i]) {
			t.Fatalf("forecast %d: hour %v (want %v), actual %v", i, f.Hour, want, b.Actual[i])
		}
		if f.Capacity != int(math.Ceil(f.Load/cpuTarget)) {
			t.Errorf("hour %v: capacity %d for load %.1f, want ceil(load / 60)", f.Hour, f.Capacity, f.Load)
		}
	}
	var out bytes.Buffer
	Print(&out, quick, rs)
	line := fmt.Sprintf("ramp p99 %s, ramp 5xx %+d, week 5xx %+d, cost %+.1f %%",
		pct(a.Ramps.P99, b.Ramps.P99), b.Ramps.Errors5xx-a.Ramps.Errors5xx, b.Week.Errors5xx-a.Week.Errors5xx, 100*(b.Cost-a.Cost)/a.Cost)
	if !strings.Contains(out.String(), line) {
		t.Errorf("comparison line %q not in the output:\n%s", line, out.String())
	}
	// Same seed, same results.
	again := runBoth(t, quick)
	if again[1].Cost != b.Cost || again[1].Week != b.Week {
		t.Errorf("not deterministic: %+v vs %+v", again[1].Week, b.Week)
	}
}
