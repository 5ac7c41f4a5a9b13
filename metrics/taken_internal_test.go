package metrics

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestSeriesTakenMirrorsSlot holds series.taken, which the alarm reads
// consult instead of their group's slot, to that slot: after every step
// of random row puts, puts from outside the group, reads, alarm
// evaluations, expiry and a newer group taking a series over, every
// series that belongs to a group has its slot's taken. The same steps
// hold the group's takenNext, which a put to the newest row consults
// instead of the slots, to the slots: bit i is set exactly when slot i's
// taken is next.
func TestSeriesTakenMirrorsSlot(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s, err := NewStore(Config{RawRetention: time.Duration(rapid.IntRange(2, 90).Draw(rt, "rawMinutes")) * time.Minute})
		if err != nil {
			rt.Fatal(err)
		}
		ms := []Metric{{Namespace: "N", Name: "a"}, {Namespace: "N", Name: "b"}, {Namespace: "N", Name: "c"}}
		g, err := s.Group(GroupMetric{Metric: ms[0]}, GroupMetric{Metric: ms[1]}, GroupMetric{Metric: ms[2]})
		if err != nil {
			rt.Fatal(err)
		}
		groups := []*Group{g}
		alarm, err := NewAlarm(AlarmConfig{Name: "a", Metric: ms[0], Statistic: Average, Period: time.Minute, EvaluationPeriods: 3, Threshold: 50, Comparison: GreaterThanThreshold})
		if err != nil {
			rt.Fatal(err)
		}
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		now := t0
		check := func(step int, what string) {
			for _, g := range groups {
				for i, sr := range g.srs {
					if sr.grp == g && sr.col == i && sr.taken != g.slots[i].taken {
						rt.Fatalf("step %d (%s): series %s taken %d, its slot %d", step, what, sr.metric.Name, sr.taken, g.slots[i].taken)
					}
					if got, want := g.takenNext&(1<<i) != 0, g.slots[i].taken == g.next; got != want {
						rt.Fatalf("step %d (%s): series %s's bit in takenNext is %v, its slot's taken %d and next %d", step, what, sr.metric.Name, got, g.slots[i].taken, g.next)
					}
				}
			}
		}
		for step := range rapid.IntRange(1, 400).Draw(rt, "steps") {
			what := ""
			switch op := rapid.IntRange(0, 19).Draw(rt, "op"); {
			case op < 12:
				gi := rapid.IntRange(0, len(groups)-1).Draw(rt, "group")
				vals := make([]float64, groups[gi].Len())
				_ = groups[gi].PutRow(now, uint64(rapid.IntRange(1, 1<<len(vals)-1).Draw(rt, "present")), vals)
				now = now.Add(time.Duration(rapid.IntRange(0, 120).Draw(rt, "advance")) * time.Second)
				what = "row"
			case op == 12:
				_ = s.Put(ms[rapid.IntRange(0, 2).Draw(rt, "outside")], now.Add(-time.Duration(rapid.IntRange(0, 300).Draw(rt, "back"))*time.Second), 1)
				what = "outside put"
			case op == 13 || op == 14:
				m := ms[rapid.IntRange(0, 2).Draw(rt, "read")]
				_, _ = s.Datapoints(m, Average, time.Minute, now.Add(-2*time.Hour), now)
				what = "read"
			case op == 15 || op == 16:
				alarm.Evaluate(now, s)
				what = "alarm"
			case op == 17:
				s.Expire(now.Add(time.Duration(rapid.IntRange(0, 48).Draw(rt, "expireHours")) * time.Hour))
				what = "expire"
			case op == 18 && len(groups) == 1:
				ng, err := s.Group(GroupMetric{Metric: ms[1]}, GroupMetric{Metric: Metric{Namespace: "N", Name: "d"}})
				if err != nil {
					rt.Fatal(err)
				}
				groups = append(groups, ng)
				what = "takeover"
			default:
				now = now.Add(time.Duration(rapid.IntRange(1, 60).Draw(rt, "jump")) * time.Minute)
				what = "advance"
			}
			check(step, what)
		}
	})
}
