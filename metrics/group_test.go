package metrics_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/metrics"
)

// TestGroupMatchesHandles holds a Group, which queues its puts and lets
// each series take them later, to the same puts made at once through
// Handles into a second store. Random stores (raw retention, rollups,
// publication delay) and random histories: rows of puts at one timestamp,
// puts late by up to ten minutes or ahead, a series written twice at one
// timestamp or with the other kind of put, puts into the group's series
// from outside it (Store.Put), Retain, Expire, and an alarm on one of the
// series. After every operation, a random query of a random series (every
// statistic, Datapoints, the published view), the alarm's evaluation, the
// errors, Usage and ListMetrics must agree, and Bytes may differ by at
// most the group's queue.
func TestGroupMatchesHandles(t *testing.T) {
	// The queue of members at its largest: 256 rows of the timestamp, the
	// presence bits and 3 + 4 + 1 value words, and the group's own record.
	const maxQueueBytes = 256*10*8 + 1024
	periods := []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute}
	stats, members := groupStats, groupMembers
	rapid.Check(t, func(rt *rapid.T) {
		grouped, plain, g, handles, ga, pa := newGroupPair(rt)
		now := t0.Add(time.Hour)
		for step := range rapid.IntRange(1, 150).Draw(rt, "steps") {
			op := rapid.IntRange(0, 19).Draw(rt, "op")
			what := ""
			switch {
			case op < 10: // a row, or part of one
				ts := now
				switch rapid.IntRange(0, 9).Draw(rt, "when") {
				case 0:
					ts = now.Add(-time.Duration(rapid.IntRange(1, 600).Draw(rt, "late")) * time.Second)
				case 1:
					ts = now.Add(time.Duration(rapid.IntRange(1, 60).Draw(rt, "ahead")) * time.Second)
				}
				// asRow: the row's single samples go in last, through
				// PutRow on the group and one by one (stopping at the
				// first error, as PutRow does) through the handles.
				asRow := rapid.Bool().Draw(rt, "asRow")
				values, present := make([]float64, len(members)), uint64(0)
				for i := range members {
					if rapid.IntRange(0, 3).Draw(rt, "skip") == 0 {
						continue
					}
					v := float64(rapid.IntRange(0, 100).Draw(rt, "v"))
					sets := members[i].StatisticSets
					if rapid.IntRange(0, 19).Draw(rt, "otherKind") == 0 {
						sets = !sets
					}
					var gerr, perr error
					switch {
					case sets:
						set := metrics.StatisticSet{SampleCount: 3, Sum: 3 * v, Minimum: v / 2, Maximum: 2 * v}
						gerr, perr = g.PutStatisticSet(i, ts, set), handles[i].PutStatisticSet(ts, set)
					case asRow:
						if rapid.IntRange(0, 29).Draw(rt, "nan") == 0 {
							v = math.NaN()
						}
						values[i], present = v, present|1<<i
						continue
					default:
						gerr, perr = g.Put(i, ts, v), handles[i].Put(ts, v)
					}
					if (gerr == nil) != (perr == nil) || perr != nil && !errors.Is(gerr, metrics.ErrExpired) {
						rt.Fatalf("step %d: put of series %d at %v: group %v, handle %v", step, i, ts.Sub(t0), gerr, perr)
					}
				}
				if asRow {
					var perr error
					for i := range members {
						if present&(1<<i) != 0 {
							if perr = handles[i].Put(ts, values[i]); perr != nil {
								break
							}
						}
					}
					gerr := g.PutRow(ts, present, values)
					if (gerr == nil) != (perr == nil) || perr != nil && gerr.Error() != perr.Error() {
						rt.Fatalf("step %d: row %b at %v: group %v, handles %v", step, present, ts.Sub(t0), gerr, perr)
					}
				}
				what = "row"
			case op < 13:
				now = now.Add(time.Duration(rapid.IntRange(0, 180).Draw(rt, "advance")) * time.Second)
				what = "advance"
			case op == 13: // a put from outside the group
				i := rapid.IntRange(0, len(members)-1).Draw(rt, "outside")
				ts := now.Add(time.Duration(rapid.IntRange(-300, 60).Draw(rt, "outsideOffset")) * time.Second)
				v := float64(rapid.IntRange(0, 100).Draw(rt, "outsideV"))
				gerr, perr := grouped.Put(members[i].Metric, ts, v), plain.Put(members[i].Metric, ts, v)
				if (gerr == nil) != (perr == nil) {
					rt.Fatalf("step %d: outside put: group store %v, plain store %v", step, gerr, perr)
				}
				what = "outside put"
			case op == 14:
				i := rapid.IntRange(0, len(members)-1).Draw(rt, "retain")
				span := time.Duration(rapid.IntRange(1, 180).Draw(rt, "retainMinutes")) * time.Minute
				if gerr, perr := grouped.Retain(members[i].Metric, span), plain.Retain(members[i].Metric, span); gerr != nil || perr != nil {
					rt.Fatal(gerr, perr)
				}
				what = "retain"
			case op == 15:
				at := now.Add(time.Duration(rapid.IntRange(0, 300).Draw(rt, "expireMinutes")) * time.Minute)
				grouped.Expire(at)
				plain.Expire(at)
				what = "expire"
			default:
				what = "nothing"
			}
			// The alarm reads its series first, before any query could
			// make the series take its queued puts.
			gs, ps := ga.Evaluate(now, grouped), pa.Evaluate(now, plain)
			if gs != ps {
				rt.Fatalf("step %d (after %s): alarm %v on the group's store, %v on the plain one", step, what, gs, ps)
			}
			if d := cmp.Diff(pa.LastEvaluation(), ga.LastEvaluation(), cmpopts.EquateNaNs()); d != "" {
				rt.Fatalf("step %d (after %s): alarm evaluations differ (-plain +group):\n%s", step, what, d)
			}
			m := members[rapid.IntRange(0, len(members)-1).Draw(rt, "qmetric")].Metric
			stat := stats[rapid.IntRange(0, len(stats)-1).Draw(rt, "stat")]
			period := periods[rapid.IntRange(0, len(periods)-1).Draw(rt, "period")]
			end := now.Add(time.Duration(rapid.IntRange(-3600, 120).Draw(rt, "end")) * time.Second).Truncate(period)
			var got, want string
			switch rapid.IntRange(0, 2).Draw(rt, "query") {
			case 0:
				v, ok := grouped.Statistic(m, stat, period, end)
				got = fmt.Sprint(v, ok)
				v, ok = plain.Statistic(m, stat, period, end)
				want = fmt.Sprint(v, ok)
			case 1:
				v, ok := grouped.At(now).Statistic(m, stat, period, end)
				got = fmt.Sprint(v, ok)
				v, ok = plain.At(now).Statistic(m, stat, period, end)
				want = fmt.Sprint(v, ok)
			default:
				dg, eg := grouped.Datapoints(m, stat, period, end.Add(-10*period), end)
				dp, ep := plain.Datapoints(m, stat, period, end.Add(-10*period), end)
				got, want = fmt.Sprint(dg, eg), fmt.Sprint(dp, ep)
			}
			if got != want {
				rt.Fatalf("step %d (after %s): %v %v over %v ending %v: group %s, plain %s", step, what, m.Name, stat, period, end.Sub(t0), got, want)
			}
			if rapid.IntRange(0, 4).Draw(rt, "inspect") == 0 {
				if d := cmp.Diff(plain.Usage(), grouped.Usage()); d != "" {
					rt.Fatalf("step %d: Usage differs (-plain +group):\n%s", step, d)
				}
				if d := cmp.Diff(plain.ListMetrics("", ""), grouped.ListMetrics("", "")); d != "" {
					rt.Fatalf("step %d: ListMetrics differs (-plain +group):\n%s", step, d)
				}
				// The group's series hold no more raw samples than the plain
				// store's (fewer when rows left the queue already out of
				// their raw retention), so the group's store takes at most
				// its queue more.
				if gap := grouped.Bytes() - plain.Bytes(); gap > maxQueueBytes {
					rt.Fatalf("step %d: the group's store takes %d bytes more than the plain one; want at most its queue, %d", step, gap, maxQueueBytes)
				}
			}
		}
	})
}

// TestGroupRejects: a Group reports every bad metric at once, refuses a
// metric listed twice, and checks its puts as Store.Put does.
func TestGroupRejects(t *testing.T) {
	s := newStore(t, metrics.Config{})
	_, err := s.Group(metrics.GroupMetric{Metric: metrics.Metric{Name: "x"}}, metrics.GroupMetric{Metric: cpu}, metrics.GroupMetric{Metric: metrics.Metric{Namespace: "N"}})
	if !errors.Is(err, metrics.ErrInvalidMetric) || !strings.Contains(err.Error(), "metrics[0]") || !strings.Contains(err.Error(), "metrics[2]") {
		t.Errorf("two bad metrics: %v; want both named", err)
	}
	if _, err := s.Group(); !errors.Is(err, metrics.ErrInvalidMetric) {
		t.Errorf("empty group: %v", err)
	}
	if _, err := s.Group(metrics.GroupMetric{Metric: cpu}, metrics.GroupMetric{Metric: cpu}); !errors.Is(err, metrics.ErrInvalidMetric) {
		t.Errorf("a metric twice in a group: %v", err)
	}
	g, err := s.Group(metrics.GroupMetric{Metric: cpu})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Put(1, t0, 1); !errors.Is(err, metrics.ErrInvalidMetric) {
		t.Errorf("series 1 of a group of 1: %v", err)
	}
	if err := g.Put(0, t0, math.NaN()); !errors.Is(err, metrics.ErrInvalidValue) {
		t.Errorf("NaN: %v", err)
	}
	if err := g.PutRow(t0, 1, []float64{1, 2}); !errors.Is(err, metrics.ErrInvalidValue) || !strings.Contains(err.Error(), "values") {
		t.Errorf("a row of two values for a group of 1: %v; want values named", err)
	}
	if err := g.PutRow(t0, 1<<1, []float64{1}); !errors.Is(err, metrics.ErrInvalidMetric) {
		t.Errorf("a row with series 1 of a group of 1: %v", err)
	}
	if g.Len() != 1 || g.Metric(0).Name != cpu.Name {
		t.Errorf("Len %d, Metric(0) %v", g.Len(), g.Metric(0))
	}
}

// TestGroupTakeover: a second group of a series takes it over after it
// took what the first had queued; the first then writes it at once. Both
// write into it in turn, and it holds what the same puts through a Handle
// leave, in the same order.
func TestGroupTakeover(t *testing.T) {
	grouped, plain := newStore(t, metrics.Config{}), newStore(t, metrics.Config{})
	h, err := plain.Handle(cpu)
	if err != nil {
		t.Fatal(err)
	}
	first, err := grouped.Group(metrics.GroupMetric{Metric: cpu})
	if err != nil {
		t.Fatal(err)
	}
	put := func(g *metrics.Group, minute int, v float64) {
		t.Helper()
		at := t0.Add(time.Duration(minute) * time.Minute)
		if err := g.Put(0, at, v); err != nil {
			t.Fatal(err)
		}
		if err := h.Put(at, v); err != nil {
			t.Fatal(err)
		}
	}
	put(first, 0, 1)
	put(first, 1, 2)
	second, err := grouped.Group(metrics.GroupMetric{Metric: cpu})
	if err != nil {
		t.Fatal(err)
	}
	put(second, 2, 4)
	put(first, 3, 8) // at once, after what second queued
	put(second, 4, 16)
	put(first, 4, 32) // the same timestamp again
	for _, stat := range []metrics.Statistic{metrics.Sum, metrics.SampleCount, metrics.Maximum, metrics.Percentile(50)} {
		end := t0.Add(5 * time.Minute)
		got, gotOK := grouped.Statistic(cpu, stat, 5*time.Minute, end)
		want, wantOK := plain.Statistic(cpu, stat, 5*time.Minute, end)
		if got != want || gotOK != wantOK {
			t.Errorf("%v of five minutes: groups %v,%v, handle %v,%v", stat, got, gotOK, want, wantOK)
		}
	}
	if u := grouped.Usage(); u.Series != 1 || u.RawPoints != 6 {
		t.Errorf("Usage %+v, want 1 series of 6 samples", u)
	}
}

// TestGroupLongQueue holds a Group to Handles over long regular histories
// (up to 600 rows, one every 10 s to 5 min), in which the queue grows and
// its oldest rows leave it: a series that nothing read takes them then,
// rolling up those already out of its raw retention instead of keeping
// them as raw samples. Reads of random series at random moments (which
// make a series take its rows), Retain and an alarm on the first series
// interleave. Every read, and at the end every statistic of every series
// over the whole history by the minute and by the hour, the alarm, Usage
// and ListMetrics, must agree with the plain store.
func TestGroupLongQueue(t *testing.T) {
	stats, members := groupStats, groupMembers
	rapid.Check(t, func(rt *rapid.T) {
		grouped, plain, g, handles, ga, pa := newGroupPair(rt)
		alarmed := rapid.Bool().Draw(rt, "alarmed")
		interval := time.Duration(rapid.IntRange(1, 30).Draw(rt, "interval10s")) * 10 * time.Second
		rows := rapid.IntRange(100, 600).Draw(rt, "rows")
		start := t0.Add(time.Hour)
		now := start
		compare := func(what string, m metrics.Metric, stat metrics.Statistic, period time.Duration, from, end time.Time) {
			dg, eg := grouped.Datapoints(m, stat, period, from, end)
			dp, ep := plain.Datapoints(m, stat, period, from, end)
			if got, want := fmt.Sprint(dg, eg), fmt.Sprint(dp, ep); got != want {
				rt.Fatalf("%s: %v %v by %v from %v to %v: group %s, plain %s", what, m.Name, stat, period, from.Sub(t0), end.Sub(t0), got, want)
			}
			vg, okg := grouped.At(now).Statistic(m, stat, period, end)
			vp, okp := plain.At(now).Statistic(m, stat, period, end)
			if fmt.Sprint(vg, okg) != fmt.Sprint(vp, okp) {
				rt.Fatalf("%s: published %v %v by %v ending %v: group %v %v, plain %v %v", what, m.Name, stat, period, end.Sub(t0), vg, okg, vp, okp)
			}
		}
		for r := range rows {
			for i := range members {
				if rapid.IntRange(0, 9).Draw(rt, "skip") == 0 {
					continue
				}
				v := float64(rapid.IntRange(0, 100).Draw(rt, "v"))
				var gerr, perr error
				if members[i].StatisticSets {
					set := metrics.StatisticSet{SampleCount: 3, Sum: 3 * v, Minimum: v / 2, Maximum: 2 * v}
					gerr, perr = g.PutStatisticSet(i, now, set), handles[i].PutStatisticSet(now, set)
				} else {
					gerr, perr = g.Put(i, now, v), handles[i].Put(now, v)
				}
				if gerr != nil || perr != nil {
					rt.Fatalf("row %d: put of series %d: group %v, handle %v", r, i, gerr, perr)
				}
			}
			if alarmed {
				if gs, ps := ga.Evaluate(now, grouped), pa.Evaluate(now, plain); gs != ps {
					rt.Fatalf("row %d: alarm %v on the group's store, %v on the plain one", r, gs, ps)
				}
			}
			switch rapid.IntRange(0, 99).Draw(rt, "event") {
			case 0, 1, 2:
				m := members[rapid.IntRange(0, len(members)-1).Draw(rt, "qmetric")].Metric
				stat := stats[rapid.IntRange(0, len(stats)-1).Draw(rt, "stat")]
				end := now.Truncate(time.Minute).Add(time.Minute)
				compare(fmt.Sprintf("row %d", r), m, stat, time.Minute, end.Add(-2*time.Hour), end)
			case 3:
				m := members[rapid.IntRange(0, len(members)-1).Draw(rt, "retain")].Metric
				span := time.Duration(rapid.IntRange(1, 180).Draw(rt, "retainMinutes")) * time.Minute
				if gerr, perr := grouped.Retain(m, span), plain.Retain(m, span); gerr != nil || perr != nil {
					rt.Fatal(gerr, perr)
				}
			}
			now = now.Add(interval)
		}
		end := now.Truncate(time.Hour).Add(time.Hour)
		for _, m := range members {
			for _, stat := range stats {
				compare("end", m.Metric, stat, time.Minute, end.Add(-3*time.Hour), end)
				compare("end", m.Metric, stat, time.Hour, start.Truncate(time.Hour), end)
			}
		}
		if alarmed {
			if d := cmp.Diff(pa.LastEvaluation(), ga.LastEvaluation(), cmpopts.EquateNaNs()); d != "" {
				rt.Fatalf("alarm evaluations differ (-plain +group):\n%s", d)
			}
		}
		if d := cmp.Diff(plain.Usage(), grouped.Usage()); d != "" {
			rt.Fatalf("Usage differs (-plain +group):\n%s", d)
		}
		if d := cmp.Diff(plain.ListMetrics("", ""), grouped.ListMetrics("", "")); d != "" {
			rt.Fatalf("ListMetrics differs (-plain +group):\n%s", d)
		}
	})
}

// The statistics, rollup choices and group members the group-against-
// handles properties draw from.
var (
	groupStats   = []metrics.Statistic{metrics.Average, metrics.Sum, metrics.Minimum, metrics.Maximum, metrics.SampleCount, metrics.Percentile(90)}
	groupRollups = [][]metrics.Rollup{{}, nil, {{Resolution: time.Minute, Retention: 30 * time.Minute}, {Resolution: 5 * time.Minute, Retention: 3 * time.Hour}}}
	groupMembers = []metrics.GroupMetric{
		{Metric: metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web")},
		{Metric: metrics.ServiceMetric(metrics.MetricMemoryUtilization, "prod", "web")},
		{Metric: metrics.RunningTaskCountMetric("prod", "web")},
		{Metric: metrics.TargetGroupMetric(metrics.MetricTargetResponseTime, "targetgroup/web/1", "app/web/1"), StatisticSets: true},
		// A single-sample series after the set one: its value word is not
		// its index, so a row put reads its slot.
		{Metric: metrics.TargetGroupMetric(metrics.MetricRequestCount, "targetgroup/web/1", "app/web/1")},
	}
)

// newGroupPair draws a store configuration and builds two stores of it:
// one that takes groupMembers' samples through a Group, one through a
// Handle per member, each with the same alarm on the first member.
func newGroupPair(rt *rapid.T) (grouped, plain *metrics.Store, g *metrics.Group, handles []*metrics.Handle, ga, pa *metrics.MetricAlarm) {
	cfg := metrics.Config{
		RawRetention:     time.Duration(rapid.IntRange(2, 90).Draw(rt, "rawMinutes")) * time.Minute,
		Rollups:          groupRollups[rapid.IntRange(0, len(groupRollups)-1).Draw(rt, "rollups")],
		PublicationDelay: time.Duration(rapid.IntRange(0, 120).Draw(rt, "delaySeconds")) * time.Second,
	}
	grouped, plain = newStore(rt, cfg), newStore(rt, cfg)
	g, err := grouped.Group(groupMembers...)
	if err != nil {
		rt.Fatal(err)
	}
	handles = make([]*metrics.Handle, len(groupMembers))
	for i, m := range groupMembers {
		if handles[i], err = plain.Handle(m.Metric); err != nil {
			rt.Fatal(err)
		}
	}
	alarmCfg := metrics.AlarmConfig{Metric: groupMembers[0].Metric, EvaluationPeriods: 3, Threshold: 50, Comparison: metrics.GreaterThanThreshold}
	ga, _ = metrics.NewAlarm(alarmCfg)
	pa, _ = metrics.NewAlarm(alarmCfg)
	return grouped, plain, g, handles, ga, pa
}
