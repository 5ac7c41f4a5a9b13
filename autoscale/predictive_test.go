package autoscale

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/metrics"
)

var loadMetric = metrics.Metric{Namespace: "Test", Name: "Load"}

// morningLoad is 50 per hour, and 200 from 09:00 to 10:00, from t0 on;
// missing before.
func morningLoad(start time.Time) (float64, bool) {
	if start.Before(t0) {
		return 0, false
	}
	if start.Hour() == 9 {
		return 200, true
	}
	return 50, true
}

// lastDay is a seasonal-naive Forecaster, the test's oracle: each hour
// repeats the same hour of the last day of history.
type lastDay struct{}

func (lastDay) Forecast(history []float64, n int) []float64 {
	out := make([]float64, n)
	for h := range out {
		out[h] = history[len(history)-24+h%24]
	}
	return out
}

func predictive(t *testing.T, cfg PredictiveScalingConfig) *PredictiveScaling {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "predict"
	}
	if cfg.TargetValue == 0 {
		cfg.TargetValue = 10
	}
	if cfg.CustomLoad == nil && cfg.MetricPair == 0 {
		cfg.CustomLoad = &CustomizedMetric{Metric: loadMetric, Statistic: metrics.Sum}
	}
	if cfg.Forecaster == nil {
		cfg.Forecaster = lastDay{}
	}
	p, err := NewPredictiveScaling(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// run evaluates c every minute over [from, to), starting from desired,
// and calls each(now, desired, p) after each evaluation.
func runEvery(c *Controller, r metrics.Reader, from, to time.Time, desired int, each func(now time.Time, desired int)) int {
	for now := from; now.Before(to); now = now.Add(time.Minute) {
		desired = c.Evaluate(now, State{Desired: desired, Running: desired, Metrics: r}).Desired
		if each != nil {
			each(now, desired)
		}
	}
	return desired
}

// TestPredictiveTimingWorkedExample is the worked example of predictive
// scaling's documented timing
// (https://docs.aws.amazon.com/autoscaling/application/userguide/aas-predictive-scaling-how-it-works.html):
// load data from Monday 00:00 (a morning peak of 200 from 09:00, 50
// otherwise; target 10 per task, so 20 tasks at 09:00 and 5 otherwise).
//   - No forecast before 24 h of data: none at any minute of Monday; the
//     first is made at Tuesday 00:00, for the 48 hours from then.
//   - Refreshed every 6 h: the forecast's MadeAt is 00:00 until 05:59,
//     06:00 from 06:00, 12:00 from 12:00.
//   - Capacity applied SchedulingBufferTime ahead of the hour: 20 tasks
//     from 08:55 (default 300 s), not at 08:54; from 08:50 with 600 s;
//     at 09:00 with NoSchedulingBuffer.
//   - Scale-out only: after 10:00 the forecast falls to 5 and the desired
//     count stays at 20 (no other policy to scale in).
func TestPredictiveTimingWorkedExample(t *testing.T) {
	r := fakeReader{"Load": morningLoad}
	day2 := t0.Add(24 * time.Hour)
	for _, tc := range []struct {
		buffer time.Duration
		from   time.Time
	}{
		{0, day2.Add(9*time.Hour - 300*time.Second)},
		{600 * time.Second, day2.Add(9*time.Hour - 600*time.Second)},
		{NoSchedulingBuffer, day2.Add(9 * time.Hour)},
	} {
		p := predictive(t, PredictiveScalingConfig{Mode: ForecastAndScale, SchedulingBufferTime: tc.buffer})
		c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{p}})
		if err != nil {
			t.Fatal(err)
		}
		desired := runEvery(c, r, t0, day2, 5, func(now time.Time, _ int) {
			if p.Forecast() != nil {
				t.Fatalf("buffer %v: a forecast at %v, before 24 h of data", tc.buffer, now)
			}
		})
		made := map[time.Time]time.Time{} // evaluation → MadeAt
		var scaledAt time.Time
		runEvery(c, r, day2, day2.Add(13*time.Hour), desired, func(now time.Time, d int) {
			fc := p.Forecast()
			if len(fc) != 48 {
				t.Fatalf("buffer %v: %d forecast hours at %v, want 48", tc.buffer, len(fc), now)
			}
			made[now] = fc[0].MadeAt
			if d == 20 && scaledAt.IsZero() {
				scaledAt = now
			}
			if !scaledAt.IsZero() && d != 20 {
				t.Fatalf("buffer %v: desired %d at %v after scaling out to 20; predictive scaling only scales out", tc.buffer, d, now)
			}
		})
		for _, m := range []struct{ at, want time.Duration }{
			{0, 0}, {5*time.Hour + 59*time.Minute, 0}, {6 * time.Hour, 6 * time.Hour},
			{11*time.Hour + 59*time.Minute, 6 * time.Hour}, {12 * time.Hour, 12 * time.Hour},
		} {
			if got := made[day2.Add(m.at)]; !got.Equal(day2.Add(m.want)) {
				t.Errorf("buffer %v: at +%v the forecast was made at %v, want %v", tc.buffer, m.at, got, day2.Add(m.want))
			}
		}
		if !scaledAt.Equal(tc.from) {
			t.Errorf("buffer %v: scaled out to 20 at %v, want %v", tc.buffer, scaledAt, tc.from)
		}
		fc := p.Forecast()
		if fc[0].Hour != day2.Add(12*time.Hour) || fc[9-12+24].Capacity != 20 || fc[0].Capacity != 5 {
			t.Errorf("buffer %v: forecast %v", tc.buffer, fc[:3])
		}
	}
}

// floorStub is a target tracking stand-in with a Consensus vote for the
// desired count it is told.
type floorStub struct{ want int }

func (s *floorStub) Name() string { return "tt" }
func (s *floorStub) Propose(Input) Proposal {
	return Proposal{Desired: s.want, Vote: Consensus, Reason: "stub"}
}

// TestPredictiveCombinesWithTargetTracking: with a forecast of 20 tasks
// for the hour (09:00) and 5 after, the larger capacity wins each way:
// target tracking asking 30 scales out to 30; asking 10 from 20 is
// withheld at the 09:00 forecast; after 10:00 (forecast 5) it scales in
// to 10, and asking 3 scales in only to the forecast's 5.
func TestPredictiveCombinesWithTargetTracking(t *testing.T) {
	r := fakeReader{"Load": morningLoad}
	p := predictive(t, PredictiveScalingConfig{Mode: ForecastAndScale})
	tt := &floorStub{want: 5}
	c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{tt, p}})
	if err != nil {
		t.Fatal(err)
	}
	day2 := t0.Add(24 * time.Hour)
	d := runEvery(c, r, t0, day2.Add(9*time.Hour), 5, nil)
	if d != 20 {
		t.Fatalf("desired %d at 09:00, want the forecast's 20", d)
	}
	step := func(at time.Duration, want, cur int) int {
		tt.want = want
		dec := c.Evaluate(day2.Add(at), State{Desired: cur, Metrics: r})
		return dec.Desired
	}
	if got := step(9*time.Hour+time.Minute, 30, 20); got != 30 {
		t.Errorf("target tracking 30 over a forecast of 20: desired %d, want 30", got)
	}
	if got := step(9*time.Hour+2*time.Minute, 10, 20); got != 20 {
		t.Errorf("target tracking 10 under a forecast of 20: desired %d, want 20 (withheld)", got)
	}
	if got := step(10*time.Hour+time.Minute, 10, 20); got != 10 {
		t.Errorf("target tracking 10, forecast 5: desired %d, want 10", got)
	}
	if got := step(10*time.Hour+2*time.Minute, 3, 10); got != 5 {
		t.Errorf("target tracking 3, forecast 5: desired %d, want 5 (the larger)", got)
	}
}

// TestPredictiveForecastOnlyAndMaxCapacity: ForecastOnly forecasts and
// logs but never changes the desired count; HonorMaxCapacity keeps the
// forecast's 20 at a maximum of 15; IncreaseMaxCapacity with a buffer of
// 10 % raises the maximum to ceil(20 × 1.1) = 22 and scales to 20 (AWS's
// example: buffer 10, forecast 50, max 40 → max 55), and does not lower it
// again.
func TestPredictiveForecastOnlyAndMaxCapacity(t *testing.T) {
	r := fakeReader{"Load": morningLoad}
	day2 := t0.Add(24 * time.Hour)
	p := predictive(t, PredictiveScalingConfig{})
	c, _ := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{p}})
	if d := runEvery(c, r, t0, day2.Add(12*time.Hour), 5, nil); d != 5 {
		t.Errorf("ForecastOnly changed the desired count to %d", d)
	}
	log := p.Log()
	if len(log) != 13 || log[9].Hour != day2.Add(9*time.Hour) || log[9].Capacity != 20 || log[9].Load != 200 {
		t.Errorf("log of %d hours, 09:00 entry %+v", len(log), log[min(9, len(log)-1)])
	}

	for _, tc := range []struct {
		behavior          MaxCapacityBreach
		buffer, want, max int
	}{{HonorMaxCapacity, 0, 15, 15}, {IncreaseMaxCapacity, 10, 20, 22}} {
		p := predictive(t, PredictiveScalingConfig{Mode: ForecastAndScale, MaxCapacityBreachBehavior: tc.behavior, MaxCapacityBuffer: tc.buffer})
		c, _ := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 15}, Policies: []Policy{p}})
		if d := runEvery(c, r, t0, day2.Add(9*time.Hour), 5, nil); d != tc.want || c.Target().MaxCapacity != tc.max {
			t.Errorf("%v: desired %d, max %d; want %d and %d", tc.behavior, d, c.Target().MaxCapacity, tc.want, tc.max)
		}
		runEvery(c, r, day2.Add(9*time.Hour), day2.Add(12*time.Hour), tc.want, nil)
		if c.Target().MaxCapacity != tc.max {
			t.Errorf("%v: max %d after the peak, want it kept at %d", tc.behavior, c.Target().MaxCapacity, tc.max)
		}
	}
}

// TestPredictiveConfigErrors: every problem at once, each naming its field.
func TestPredictiveConfigErrors(t *testing.T) {
	_, err := NewPredictiveScaling(PredictiveScalingConfig{
		Mode: 7, TargetValue: math.NaN(), SchedulingBufferTime: time.Hour, MaxCapacityBuffer: 5,
		MetricPair: PredictiveALBRequestCount, CustomLoad: &CustomizedMetric{},
	})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("err %v", err)
	}
	for _, f := range []string{"Name", "Mode", "TargetValue", "SchedulingBufferTime", "MaxCapacityBuffer", "CustomLoad"} {
		if !strings.Contains(err.Error(), "PredictiveScalingConfig."+f) {
			t.Errorf("error does not name %s: %v", f, err)
		}
	}
	if _, err := NewPredictiveScaling(PredictiveScalingConfig{Name: "p", TargetValue: 1, MetricPair: PredictiveECSServiceCPUUtilization, ResourceID: "web"}); err == nil || !strings.Contains(err.Error(), "ResourceID") {
		t.Errorf("bad ResourceID: %v", err)
	}
}

// TestPredictiveMetricPairs: the CPU pair forecasts the total utilisation
// (average × tasks) and the ALB pair requests per minute; with a flat
// load the forecast capacity is load / target.
func TestPredictiveMetricPairs(t *testing.T) {
	day2 := t0.Add(24 * time.Hour)
	from := func(v float64) func(time.Time) (float64, bool) {
		return func(s time.Time) (float64, bool) { return v, !s.Before(t0) }
	}
	for _, tc := range []struct {
		cfg  PredictiveScalingConfig
		r    fakeReader
		want int
	}{
		{PredictiveScalingConfig{MetricPair: PredictiveECSServiceCPUUtilization, ResourceID: webID, TargetValue: 50},
			fakeReader{"CPUUtilization": from(60), "RunningTaskCount": from(10)}, 12}, // 600 / 50
		{PredictiveScalingConfig{MetricPair: PredictiveALBRequestCount, ResourceLabel: "app/lb/1/targetgroup/tg/2", TargetValue: 1000},
			fakeReader{"RequestCount": from(60 * 3500)}, 4}, // 3,500 a minute / 1,000
	} {
		tc.cfg.Name = "p"
		p, err := NewPredictiveScaling(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		p.Propose(Input{Now: day2, Metrics: tc.r})
		fc := p.Forecast()
		if len(fc) != 48 || fc[0].Capacity != tc.want {
			t.Errorf("%v: forecast %v, want capacity %d", tc.cfg.MetricPair, fc[:min(1, len(fc))], tc.want)
		}
	}
}

// TestSeasonalForecasterRecoversItsModel: on a series that is exactly
// trend + daily + weekly harmonics, the default forecaster's 48 hours
// match the series' continuation (the least-squares fit of an exact model
// is the model); on two days without a weekly pattern, daily + trend is
// recovered too.
func TestSeasonalForecasterRecoversItsModel(t *testing.T) {
	series := func(t float64, weekly bool) float64 {
		v := 100 + 0.05*t + 30*math.Sin(2*math.Pi*t/24) + 12*math.Cos(2*math.Pi*2*t/24+0.3)
		if weekly {
			v += 15 * math.Sin(2*math.Pi*t/168)
		}
		return v
	}
	for _, tc := range []struct {
		hours  int
		weekly bool
	}{{14 * 24, true}, {48, false}} {
		h := make([]float64, tc.hours)
		for i := range h {
			h[i] = series(float64(i), tc.weekly)
		}
		h[5] = math.NaN() // a missing hour is skipped
		got := SeasonalForecaster{}.Forecast(h, 48)
		for i, g := range got {
			want := series(float64(tc.hours+i), tc.weekly)
			if math.Abs(g-want) > 1e-6*want {
				t.Fatalf("%d h of history, hour +%d: forecast %v, want %v", tc.hours, i, g, want)
			}
		}
	}
}

// TestSeasonalForecasterRobust: whatever the history (any length, missing
// hours, spikes, constant, huge values), the forecast has the length asked
// for and every value is finite and not negative.
func TestSeasonalForecasterRobust(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, 600).Draw(rt, "hours")
		h := make([]float64, n)
		for i := range h {
			switch rapid.IntRange(0, 9).Draw(rt, "kind") {
			case 0:
				h[i] = math.NaN()
			case 1:
				h[i] = rapid.Float64Range(0, 1e12).Draw(rt, "spike")
			default:
				h[i] = rapid.Float64Range(0, 1000).Draw(rt, "v")
			}
		}
		out := SeasonalForecaster{DailyHarmonics: rapid.IntRange(-1, 12).Draw(rt, "daily"), WeeklyHarmonics: rapid.IntRange(-1, 90).Draw(rt, "weekly")}.Forecast(h, 48)
		if len(out) != 48 {
			rt.Fatalf("%d values", len(out))
		}
		for i, v := range out {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				rt.Fatalf("hour %d: %v", i, v)
			}
		}
	})
}
