package autoscale_test

import (
	"fmt"
	"math"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/metrics"
)

// queuePolicy scales to one task per 100 queued messages: a whole policy.
type queuePolicy struct{ queue metrics.Metric }

func (queuePolicy) Name() string { return "queue-depth" }

func (p queuePolicy) Propose(in autoscale.Input) autoscale.Proposal {
	depth, ok := in.Metrics.Statistic(p.queue, metrics.Maximum, time.Minute, in.Now)
	if !ok {
		return autoscale.Proposal{} // no data: abstain
	}
	want := int(math.Ceil(depth / 100))
	return autoscale.Proposal{Desired: want, Vote: autoscale.Independent, Reason: fmt.Sprintf("queue depth %.0f → %d tasks", depth, want)}
}

// flatReader is a metrics.Reader for the examples: every series reads
// value from `since` on and has no data before. A *metrics.Store does this
// job in a simulation.
type flatReader struct {
	since time.Time
	value float64
}

func (r flatReader) Statistic(_ metrics.Metric, _ metrics.Statistic, period time.Duration, end time.Time) (float64, bool) {
	return r.value, !end.Add(-period).Before(r.since)
}

// Example_customPolicy plugs a user's own policy into a Controller, which
// keeps its proposals inside [min, max] and records the activity.
func Example_customPolicy() {
	c, err := autoscale.NewController(autoscale.ControllerConfig{
		Target:   autoscale.ScalableTarget{ResourceID: "service/prod/worker", MinCapacity: 1, MaxCapacity: 10},
		Policies: []autoscale.Policy{queuePolicy{queue: metrics.Metric{Namespace: "App", Name: "QueueDepth"}}},
	})
	if err != nil {
		panic(err)
	}
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for _, depth := range []float64{420, 1730, 90} {
		d := c.Evaluate(now, autoscale.State{Desired: 2, Metrics: flatReader{value: depth}})
		fmt.Println(d.Desired, "|", d.Reason)
		now = now.Add(time.Minute)
	}
	fmt.Println(c.History()[0].StatusMessage)
	// Output:
	// 5 | policy queue-depth: queue depth 420 → 5 tasks; desired 2 → 5
	// 10 | policy queue-depth: queue depth 1730 → 18 tasks; desired 2 → 10 (clamped to [1, 10])
	// 1 | policy queue-depth: queue depth 90 → 1 tasks; desired 2 → 1
	// Successfully set desired count to 5. Change successfully fulfilled by ecs.
}

// ExampleParseSchedule shows the next runs of a weekday cron expression in
// New York time, across the start of daylight saving time.
func ExampleParseSchedule() {
	loc, err := autoscale.LoadTimezone("America/New_York")
	if err != nil {
		panic(err)
	}
	s, err := autoscale.ParseSchedule("cron(0 18 ? * MON-FRI *)", loc)
	if err != nil {
		panic(err)
	}
	at := time.Date(2025, 3, 6, 0, 0, 0, 0, time.UTC) // a Thursday
	for range 3 {
		at, _ = s.Next(at)
		fmt.Println(at.UTC().Format("Mon 2006-01-02 15:04 MST"))
	}
	_, err = autoscale.ParseSchedule("cron(0 18 * * MON-FRI *)", nil)
	fmt.Println(err)
	// Output:
	// Thu 2025-03-06 23:00 UTC
	// Fri 2025-03-07 23:00 UTC
	// Mon 2025-03-10 22:00 UTC
	// autoscale: schedule "cron(0 18 * * MON-FRI *)": position 15: expected "?" in Day-of-week (or in Day-of-month): one of the two must be "?"
}

// ExampleNewTargetTracking keeps CPU at 70 %: three one-minute datapoints
// above 70 scale out by the tracking formula.
func ExampleNewTargetTracking() {
	p, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{
		Name:             "cpu-70",
		ResourceID:       "service/prod/web",
		TargetValue:      70,
		PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization,
	})
	if err != nil {
		panic(err)
	}
	c, err := autoscale.NewController(autoscale.ControllerConfig{
		Target:   autoscale.ScalableTarget{ResourceID: "service/prod/web", MinCapacity: 2, MaxCapacity: 50},
		Policies: []autoscale.Policy{p},
	})
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) // CPU is 84.2 from 09:00
	now := start.Add(time.Minute)
	desired := 10
	for range 3 {
		d := c.Evaluate(now, autoscale.State{Desired: desired, Metrics: flatReader{since: start, value: 84.2}})
		desired = d.Desired
		fmt.Println(d.Reason)
		now = now.Add(time.Minute)
	}
	// Output:
	// no change: desired 10; cpu-70: CPUUtilization 84.2 > 70 but AlarmHigh is INSUFFICIENT_DATA
	// no change: desired 10; cpu-70: CPUUtilization 84.2 > 70 but AlarmHigh is INSUFFICIENT_DATA
	// target tracking cpu-70: CPUUtilization 84.2 > 70 for 3 of 3 datapoints; ceil(10 × 84.2 / 70) = 13; desired 10 → 13
}

// ExampleNewPredictiveScaling forecasts a service's request count with
// AWS's defaults (autoscale.ForecastAndScale here; ForecastOnly is the default) and
// combines it with target tracking in one Controller: the larger capacity
// wins. Every morning the requests rise from 1,000 a minute at 07:00 to
// 6,000 at 09:00 and fall back by 11:00. After a day of data the first
// forecast (Tuesday 00:00) schedules each hour's capacity at 500 requests
// a minute per task, SchedulingBufferTime (5 minutes) ahead of the hour
// (02:00 gets 3 tasks because the fitted daily harmonics ripple a little
// above 1,000 there). Predictive scaling never scales in: after the peak
// only target tracking could, and its metric here stays on target.
func ExampleNewPredictiveScaling() {
	label := "app/web/1/targetgroup/web/2"
	predict, _ := autoscale.NewPredictiveScaling(autoscale.PredictiveScalingConfig{
		Name: "predict", Mode: autoscale.ForecastAndScale, MetricPair: autoscale.PredictiveALBRequestCount,
		ResourceLabel: label, TargetValue: 500,
	})
	track, _ := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{
		Name: "requests", TargetValue: 500, PredefinedMetric: autoscale.ALBRequestCountPerTarget, ResourceLabel: label,
	})
	c, _ := autoscale.NewController(autoscale.ControllerConfig{
		Target:   autoscale.ScalableTarget{ResourceID: "service/prod/web", MinCapacity: 2, MaxCapacity: 50},
		Policies: []autoscale.Policy{track, predict},
	})
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	perMinute := func(at time.Time) float64 { // 1,000 a minute, and a morning bump to 6,000 at 09:00
		h := float64(at.Hour()) + float64(at.Minute())/60
		if math.Abs(h-9) >= 2 {
			return 1000
		}
		return 1000 + 5000*math.Cos(math.Pi*(h-9)/4)
	}
	// A minimal metrics.Reader: the request count summed over the window,
	// and 500 per target per minute, on target.
	r := readerFunc(func(m metrics.Metric, period time.Duration, end time.Time) (float64, bool) {
		if m.Name == metrics.MetricRequestCountPerTarget {
			return 500 * period.Minutes(), true
		}
		sum := 0.0
		for t := end.Add(-period); t.Before(end); t = t.Add(time.Minute) {
			if t.Before(start) {
				return 0, false
			}
			sum += perMinute(t)
		}
		return sum, true
	})
	desired := 2
	for now := start; now.Before(start.Add(33 * time.Hour)); now = now.Add(time.Minute) {
		d := c.Evaluate(now, autoscale.State{Desired: desired, Running: desired, Metrics: r})
		if d.Changed {
			fmt.Println(now.Format("Mon 15:04"), d.Desired, "—", d.Reason)
		}
		desired = d.Desired
	}
	// Output:
	// Tue 01:55 3 — predictive scaling predict: forecast load 1015 for 02:00 → 3 tasks; desired 2 → 3
	// Tue 06:55 6 — predictive scaling predict: forecast load 2810 for 07:00 → 6 tasks; desired 3 → 6
	// Tue 07:55 11 — predictive scaling predict: forecast load 5491 for 08:00 → 11 tasks; desired 6 → 11
	// Tue 08:55 12 — predictive scaling predict: forecast load 5533 for 09:00 → 12 tasks; desired 11 → 12
}

// readerFunc is a metrics.Reader made of one function.
type readerFunc func(m metrics.Metric, period time.Duration, end time.Time) (float64, bool)

func (f readerFunc) Statistic(m metrics.Metric, _ metrics.Statistic, period time.Duration, end time.Time) (float64, bool) {
	return f(m, period, end)
}

// ExampleController_SkipIdle evaluates a target tracking controller the
// way a simulation of thousands of services does: SkipIdle first, and
// Evaluate only when it declines. It declines a controller's first
// evaluation; then, while CPU stays near the target, neither alarm is in
// ALARM, so it skips and says when the next evaluation is due; once
// AlarmHigh is in ALARM it declines, and Evaluate scales out (within the
// scale-out cooldown, from the capacity before it: ceil(10 × 86 / 70) =
// 13).
func ExampleController_SkipIdle() {
	p, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{
		Name: "cpu-70", ResourceID: "service/prod/web", TargetValue: 70,
		PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization,
	})
	if err != nil {
		panic(err)
	}
	c, err := autoscale.NewController(autoscale.ControllerConfig{
		Target:   autoscale.ScalableTarget{ResourceID: "service/prod/web", MinCapacity: 2, MaxCapacity: 50},
		Policies: []autoscale.Policy{p},
	})
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	desired := 10
	for minute, cpu := range []float64{68, 66, 69, 84, 86, 85} {
		now := start.Add(time.Duration(minute+1) * time.Minute)
		// A flat reader: every datapoint is this minute's CPU.
		s := autoscale.State{Desired: desired, Metrics: flatReader{since: start, value: cpu}}
		if next, ok := c.SkipIdle(now, s); ok {
			fmt.Printf("%s CPU %.0f: skipped, next at %s\n", now.Format("15:04"), cpu, next.Format("15:04"))
			continue
		}
		d := c.Evaluate(now, s)
		desired = d.Desired
		fmt.Printf("%s CPU %.0f: %s\n", now.Format("15:04"), cpu, d.Reason)
	}
	// Output:
	// 09:01 CPU 68: no change: desired 10; cpu-70: CPUUtilization 68.0 within range of target 70
	// 09:02 CPU 66: skipped, next at 09:03
	// 09:03 CPU 69: skipped, next at 09:04
	// 09:04 CPU 84: target tracking cpu-70: CPUUtilization 84.0 > 70 for 3 of 3 datapoints; ceil(10 × 84.0 / 70) = 12; desired 10 → 12
	// 09:05 CPU 86: target tracking cpu-70: CPUUtilization 86.0 > 70 for 3 of 3 datapoints; ceil(10 × 86.0 / 70) = 13; desired 12 → 13
	// 09:06 CPU 85: no change: desired 13; cpu-70: CPUUtilization 85.0 > 70 for 3 of 3 datapoints; ceil(10 × 85.0 / 70) = 13 (within scale-out cooldown: no larger scale-out)
}
