package metrics_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// A target-tracking style alarm on a service's CPU: three one-minute
// datapoints above 70 % put it in ALARM. The store receives one
// pre-aggregated value a minute, as ECS publishes it.
func Example() {
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		panic(err)
	}
	cpu := metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web")
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

	// 2 tasks of 512 CPU units each; used units over five minutes.
	for i, used := range []float64{512, 640, 768, 860, 900} {
		v, _ := metrics.ServiceCPUUtilization(used, 512, 2)
		if err := store.Put(cpu, start.Add(time.Duration(i)*time.Minute), v); err != nil {
			panic(err)
		}
	}

	alarm, err := metrics.NewAlarm(metrics.AlarmConfig{
		Name:              "cpu-high",
		Metric:            cpu,
		Statistic:         metrics.Average,
		EvaluationPeriods: 3,
		Threshold:         70,
		Comparison:        metrics.GreaterThanThreshold,
	})
	if err != nil {
		panic(err)
	}
	for minute := 3; minute <= 5; minute++ {
		state := alarm.Evaluate(start.Add(time.Duration(minute)*time.Minute), store)
		fmt.Printf("%d min: %v  %s\n", minute, state, alarm.Reason())
	}
	// Output:
	// 3 min: OK  CPUUtilization [75, 62.5, 50]: 1 of 3 datapoints > 70 (most recent real datapoints)
	// 4 min: OK  CPUUtilization [83.9844, 75, 62.5]: 2 of 3 datapoints > 70 (most recent real datapoints)
	// 5 min: ALARM  CPUUtilization [87.8906, 83.9844, 75]: 3 of 3 datapoints > 70 (most recent real datapoints)
}

// ParseStatistic reads the names CloudWatch uses.
func ExampleParseStatistic() {
	for _, name := range []string{"p99.9", "SampleCount", "p101"} {
		stat, err := metrics.ParseStatistic(name)
		fmt.Println(stat, err)
	}
	// Output:
	// p99.9 <nil>
	// SampleCount <nil>
	// Average metrics: invalid statistic "p101": offset 1: percentile above 100
}

// Datapoints lists one value per period, like GetMetricStatistics, and marks
// the periods without data.
func ExampleStore_Datapoints() {
	store, _ := metrics.NewStore(metrics.Config{})
	rps := metrics.TargetGroupMetric(metrics.MetricRequestCount, "targetgroup/web/1", "app/front/1")
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for _, s := range []int{5, 20, 130} { // one request at each of these seconds
		_ = store.Put(rps, start.Add(time.Duration(s)*time.Second), 1)
	}
	dps, _ := store.Datapoints(rps, metrics.Sum, time.Minute, start, start.Add(3*time.Minute))
	for _, dp := range dps {
		fmt.Println(dp.Timestamp.Format("15:04"), dp.Value, dp.Missing)
	}
	// Output:
	// 09:00 2 false
	// 09:01 0 true
	// 09:02 1 false
}

// A service's metrics written together every minute through a Group: each
// minute's puts are queued in one row, and a series takes its rows when it
// is read, so the query sees every put.
func ExampleGroup() {
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		panic(err)
	}
	g, err := store.Group(
		metrics.GroupMetric{Metric: metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web")},
		metrics.GroupMetric{Metric: metrics.RunningTaskCountMetric("prod", "web")},
	)
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i, cpu := range []float64{40, 55, 70} {
		at := start.Add(time.Duration(i) * time.Minute)
		if err := g.Put(0, at, cpu); err != nil {
			panic(err)
		}
		if err := g.Put(1, at, float64(2+i)); err != nil {
			panic(err)
		}
	}
	avg, _ := store.Statistic(g.Metric(0), metrics.Average, 3*time.Minute, start.Add(3*time.Minute))
	tasks, _ := store.Statistic(g.Metric(1), metrics.Maximum, 3*time.Minute, start.Add(3*time.Minute))
	fmt.Printf("CPU %.0f %%, at most %.0f tasks\n", avg, tasks)
	// Output: CPU 55 %, at most 4 tasks
}

// A minute's samples written as one row: bit i of present says series i
// has a sample; a series left out (here the requests, in a minute without
// any) gets none.
func ExampleGroup_PutRow() {
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		panic(err)
	}
	g, err := store.Group(
		metrics.GroupMetric{Metric: metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web")},
		metrics.GroupMetric{Metric: metrics.RunningTaskCountMetric("prod", "web")},
		metrics.GroupMetric{Metric: metrics.TargetGroupMetric(metrics.MetricRequestCount, "targetgroup/web/1", "app/web/1")},
	)
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	rows := []struct {
		cpu, tasks, requests float64
		idle                 bool
	}{{40, 2, 1200, false}, {55, 3, 0, true}, {70, 4, 1800, false}}
	for i, r := range rows {
		present := uint64(1<<0 | 1<<1)
		if !r.idle {
			present |= 1 << 2
		}
		if err := g.PutRow(start.Add(time.Duration(i)*time.Minute), present, []float64{r.cpu, r.tasks, r.requests}); err != nil {
			panic(err)
		}
	}
	end := start.Add(3 * time.Minute)
	avg, _ := store.Statistic(g.Metric(0), metrics.Average, 3*time.Minute, end)
	tasks, _ := store.Statistic(g.Metric(1), metrics.Maximum, 3*time.Minute, end)
	minutes, _ := store.Statistic(g.Metric(2), metrics.SampleCount, 3*time.Minute, end)
	fmt.Printf("CPU %.0f %%, at most %.0f tasks, requests in %.0f minutes\n", avg, tasks, minutes)
	// Output: CPU 55 %, at most 4 tasks, requests in 2 minutes
}

// A target tracking policy's pair of alarms on one series: AlarmLow,
// evaluated right after AlarmHigh, takes the datapoints the two share
// from AlarmHigh's evaluation; the states are those each would reach
// alone.
func ExampleMetricAlarm_Follow() {
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		panic(err)
	}
	cpu := metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web")
	high, err := metrics.NewAlarm(metrics.AlarmConfig{Name: "high", Metric: cpu, EvaluationPeriods: 3, Threshold: 60, Comparison: metrics.GreaterThanThreshold})
	if err != nil {
		panic(err)
	}
	low, err := metrics.NewAlarm(metrics.AlarmConfig{Name: "low", Metric: cpu, EvaluationPeriods: 15, Threshold: 54, Comparison: metrics.LessThanThreshold})
	if err != nil {
		panic(err)
	}
	if err := low.Follow(high); err != nil {
		panic(err)
	}
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := range 20 {
		if err := store.Put(cpu, start.Add(time.Duration(i)*time.Minute), 40); err != nil {
			panic(err)
		}
		now := start.Add(time.Duration(i+1) * time.Minute)
		high.Evaluate(now, store)
		low.Evaluate(now, store)
	}
	fmt.Println("high", high.State(), "low", low.State())
	// Output: high OK low ALARM
}

// A minute of many target tracking pairs, each pair's memory loaded at
// once (Preload) before it is evaluated: with thousands of services
// the alarms' lines are in memory by the next minute, and this lets their
// trips there overlap. It changes no state: the results are those of the
// evaluations alone.
func ExamplePreload() {
	store, pairs := hotAndCold(100)
	now := time.Date(2026, 1, 5, 9, 20, 0, 0, time.UTC)
	var high, low int
	for _, p := range pairs {
		metrics.Preload(p.high, p.low)
		if p.high.Evaluate(now, store) == metrics.Alarm {
			high++
		}
		if p.low.Evaluate(now, store) == metrics.Alarm {
			low++
		}
	}
	fmt.Println(high, "in AlarmHigh,", low, "in AlarmLow")
	// Output: 50 in AlarmHigh, 50 in AlarmLow
}

// A pass over many target tracking pairs, minute after minute, as a
// software pipeline: it keeps each pair's AlarmLines, and while it
// evaluates one pair it asks for the lines of the pair two ahead and for
// the windows and rows of the pair one ahead, whose addresses are in
// lines asked for a step earlier. Prefetching changes no state: the
// results are those of the evaluations alone.
func ExampleAlarmLines() {
	store, pairs := hotAndCold(100)
	lines := make([]metrics.AlarmLines, len(pairs)) // zero until a pair's first evaluation
	var high, low int
	for m := 20; m < 23; m++ {
		now := time.Date(2026, 1, 5, 9, m, 0, 0, time.UTC)
		high, low = 0, 0
		for i, p := range pairs {
			if i+2 < len(pairs) {
				lines[i+2].Prefetch()
			}
			if i+1 < len(pairs) {
				lines[i+1].PrefetchData()
			}
			if p.high.Evaluate(now, store) == metrics.Alarm {
				high++
			}
			if p.low.Evaluate(now, store) == metrics.Alarm {
				low++
			}
			lines[i] = metrics.LinesOf(p.high, p.low) // as the evaluation left them
		}
	}
	fmt.Println(high, "in AlarmHigh,", low, "in AlarmLow")
	// Output: 50 in AlarmHigh, 50 in AlarmLow
}

type alarmPair struct{ high, low *metrics.MetricAlarm }

// hotAndCold returns a store of n services' CPU utilization over 20
// minutes, the odd ones hot (80 %) and the even ones cold (40 %), and a
// target tracking pair of alarms on each.
func hotAndCold(n int) (*metrics.Store, []alarmPair) {
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		panic(err)
	}
	var pairs []alarmPair
	for i := range n {
		cpu := metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", fmt.Sprint("svc-", i))
		high, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 3, Threshold: 60, Comparison: metrics.GreaterThanThreshold})
		if err != nil {
			panic(err)
		}
		low, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 15, Threshold: 54, Comparison: metrics.LessThanThreshold})
		if err != nil {
			panic(err)
		}
		pairs = append(pairs, alarmPair{high, low})
		for m := range 23 { // odd services run hot
			if err := store.Put(cpu, time.Date(2026, 1, 5, 9, m, 0, 0, time.UTC), float64(40+40*(i%2))); err != nil {
				panic(err)
			}
		}
	}
	return store, pairs
}

// The values an alarm's last evaluation saw, newest first, without
// building its Datapoints: what a scaling policy reads after the alarm.
func ExampleMetricAlarm_RealValues() {
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		panic(err)
	}
	cpu := metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web")
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i, v := range []float64{72, 75, 81} {
		if err := store.Put(cpu, start.Add(time.Duration(i)*time.Minute), v); err != nil {
			panic(err)
		}
	}
	alarm, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 3, Threshold: 70, Comparison: metrics.GreaterThanThreshold})
	if err != nil {
		panic(err)
	}
	fmt.Println(alarm.Evaluate(start.Add(3*time.Minute), store))
	for v := range alarm.RealValues() {
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output:
	// ALARM
	// 81 75 72
}
