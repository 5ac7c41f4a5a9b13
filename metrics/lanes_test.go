package metrics_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// serviceMembers are groupMembers for service i: groups of one shape, as
// a world's services publish them.
func serviceMembers(i int) []metrics.GroupMetric {
	svc, tg := fmt.Sprint("svc", i), fmt.Sprintf("targetgroup/svc%d/1", i)
	return []metrics.GroupMetric{
		{Metric: metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", svc)},
		{Metric: metrics.ServiceMetric(metrics.MetricMemoryUtilization, "prod", svc)},
		{Metric: metrics.TargetGroupMetric(metrics.MetricTargetResponseTime, tg, "app/web/1"), StatisticSets: true},
		{Metric: metrics.TargetGroupMetric(metrics.MetricRequestCount, tg, "app/web/1")},
	}
}

// The groups of one store share the memory of their queues, their rings
// interleaved row by row as lanes of a block; a group's lane changes
// nothing it answers. Up to 40 groups of one shape in one store, written
// minute after minute in a random order and a random few at a time (so
// their queues grow at different minutes, into blocks of different
// shapes, and take lanes in every order), must answer every query as
// the same group alone in a store of its own does, and an alarm on one
// of them must evaluate alike.
func TestGroupsSharingAStoreMatchGroupsAlone(t *testing.T) {
	periods := []time.Duration{time.Minute, 5 * time.Minute}
	rapid.Check(t, func(rt *rapid.T) {
		cfg := metrics.Config{RawRetention: time.Duration(rapid.IntRange(2, 300).Draw(rt, "rawMinutes")) * time.Minute}
		shared := newStore(rt, cfg)
		n := rapid.IntRange(1, 40).Draw(rt, "groups")
		var together, alone []*metrics.Group
		var stores []*metrics.Store
		for i := range n {
			g, err := shared.Group(serviceMembers(i)...)
			if err != nil {
				rt.Fatal(err)
			}
			own := newStore(rt, cfg)
			og, err := own.Group(serviceMembers(i)...)
			if err != nil {
				rt.Fatal(err)
			}
			together, alone, stores = append(together, g), append(alone, og), append(stores, own)
		}
		// An alarm on one group's CPU, in both stores, evaluated every
		// minute: it reads the newest rows where they are, without
		// making the series take them (MetricAlarm.Evaluate).
		watched := rapid.IntRange(0, n-1).Draw(rt, "watched")
		alarmCfg := metrics.AlarmConfig{Metric: serviceMembers(watched)[0].Metric, EvaluationPeriods: 3, Threshold: 50, Comparison: metrics.GreaterThanThreshold}
		sharedAlarm, _ := metrics.NewAlarm(alarmCfg)
		aloneAlarm, _ := metrics.NewAlarm(alarmCfg)
		now := t0
		for minute := range rapid.IntRange(1, 400).Draw(rt, "minutes") {
			now = now.Add(time.Minute)
			// Most minutes every group writes its row; some minutes a
			// random few skip theirs. The order is drawn either way.
			order := rapid.Permutation(rangeOf(n)).Draw(rt, "order")
			skip := rapid.IntRange(0, 9).Draw(rt, "skipping") == 0
			for _, i := range order {
				if skip && rapid.Bool().Draw(rt, "skip") {
					continue
				}
				v := float64((minute*31 + i*7) % 100)
				values := []float64{v, 100 - v, 0, v / 2}
				if err := together[i].PutRow(now, 0b1011, values); err != nil {
					rt.Fatal(err)
				}
				if err := alone[i].PutRow(now, 0b1011, values); err != nil {
					rt.Fatal(err)
				}
				set := metrics.StatisticSet{SampleCount: 2, Sum: v, Minimum: v / 4, Maximum: v}
				if err := together[i].PutStatisticSet(2, now, set); err != nil {
					rt.Fatal(err)
				}
				if err := alone[i].PutStatisticSet(2, now, set); err != nil {
					rt.Fatal(err)
				}
			}
			eval := now.Add(time.Duration(rapid.IntRange(0, 59).Draw(rt, "evalSeconds")) * time.Second)
			if got, want := sharedAlarm.Evaluate(eval, shared), aloneAlarm.Evaluate(eval, stores[watched]); got != want {
				rt.Fatalf("minute %d: the alarm on group %d of %d is %v sharing a store, %v alone", minute, watched, n, got, want)
			}
			if d := cmp.Diff(aloneAlarm.LastEvaluation(), sharedAlarm.LastEvaluation(), cmpopts.EquateNaNs()); d != "" {
				rt.Fatalf("minute %d: the alarm's evaluations differ (-alone +sharing):\n%s", minute, d)
			}
			if rapid.IntRange(0, 4).Draw(rt, "query") != 0 {
				continue
			}
			i := rapid.IntRange(0, n-1).Draw(rt, "group")
			m := serviceMembers(i)[rapid.IntRange(0, 3).Draw(rt, "metric")].Metric
			stat := groupStats[rapid.IntRange(0, len(groupStats)-1).Draw(rt, "stat")]
			period := periods[rapid.IntRange(0, len(periods)-1).Draw(rt, "period")]
			end := now.Add(time.Duration(rapid.IntRange(-60, 1).Draw(rt, "end")) * time.Minute).Truncate(period)
			// A read makes the series take its rows (a sole alarm's read
			// would not): the rows must be the group's, wherever its lane.
			got, gerr := shared.Datapoints(m, stat, period, end.Add(-10*period), end)
			want, werr := stores[i].Datapoints(m, stat, period, end.Add(-10*period), end)
			if g, w := fmt.Sprint(got, gerr), fmt.Sprint(want, werr); g != w {
				rt.Fatalf("minute %d: %v %v over %v ending %v of group %d of %d: sharing a store %s, alone %s",
					minute, m.Name, stat, period, end.Sub(t0), i, n, g, w)
			}
		}
		// Every series, taken out of every queue at the end.
		for i := range n {
			for _, gm := range serviceMembers(i) {
				got, gerr := shared.Datapoints(gm.Metric, metrics.Sum, time.Minute, now.Add(-3*time.Hour), now.Add(time.Minute))
				want, werr := stores[i].Datapoints(gm.Metric, metrics.Sum, time.Minute, now.Add(-3*time.Hour), now.Add(time.Minute))
				if g, w := fmt.Sprint(got, gerr), fmt.Sprint(want, werr); g != w {
					rt.Fatalf("the end: %v of group %d of %d: sharing a store %s, alone %s", gm.Metric.Name, i, n, g, w)
				}
			}
		}
	})
}

func rangeOf(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
