package metrics

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestSoleQueuedMatchesRawWindow holds the direct read of a window that is
// one queued row (Group.soleQueued, which windowFrom tries first) to the
// general read of the same window (rawWindow: the raw samples, then a
// search of the queued rows), the oracle, for every statistic but
// percentiles: a group of one to three series of a random store (single
// samples and sets) takes random rows (mostly a minute or less apart, some
// at one instant, some skipping a series, some far ahead), sometimes a
// sample written outside the group or a series made to take its rows, and
// after each row every window of one to three minutes ending at a minute
// near the newest row must read the same wherever soleQueued answers. The
// run as a whole must meet windows soleQueued answers and windows it
// leaves to the general read.
func TestSoleQueuedMatchesRawWindow(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	stats := []Statistic{Average, Sum, Minimum, Maximum, SampleCount}
	var answered, declined int
	rapid.Check(t, func(rt *rapid.T) {
		s, err := NewStore(Config{RawRetention: time.Duration(rapid.IntRange(1, 90).Draw(rt, "rawMinutes")) * time.Minute})
		if err != nil {
			rt.Fatal(err)
		}
		var gms []GroupMetric
		for i := range rapid.IntRange(1, 3).Draw(rt, "series") {
			gms = append(gms, GroupMetric{Metric: Metric{Namespace: "Test", Name: string(rune('a' + i))}, StatisticSets: rapid.Bool().Draw(rt, "sets")})
		}
		g, err := s.Group(gms...)
		if err != nil {
			rt.Fatal(err)
		}
		ts := t0
		for step := range rapid.IntRange(1, 120).Draw(rt, "rows") {
			switch rapid.IntRange(0, 19).Draw(rt, "when") {
			case 0: // the same instant again
			case 1:
				ts = ts.Add(time.Duration(rapid.IntRange(1, 120).Draw(rt, "aheadMinutes")) * time.Minute)
			default:
				ts = ts.Add(time.Duration(rapid.IntRange(1, 90).Draw(rt, "gapSeconds")) * time.Second)
			}
			for i, gm := range gms {
				if rapid.IntRange(0, 5).Draw(rt, "skip") == 0 {
					continue
				}
				v := float64(rapid.IntRange(-50, 100).Draw(rt, "v"))
				if gm.StatisticSets {
					_ = g.PutStatisticSet(i, ts, StatisticSet{SampleCount: 3, Sum: 3 * v, Minimum: v - 1, Maximum: v + 2})
				} else {
					_ = g.Put(i, ts, v)
				}
			}
			switch rapid.IntRange(0, 29).Draw(rt, "other") {
			case 0: // a sample written outside the group
				_ = s.Put(gms[0].Metric, ts, 7)
			case 1: // a series takes its rows, as a read other than an alarm's makes it
				g.take(rapid.IntRange(0, len(gms)-1).Draw(rt, "take"))
			}
			newest := ts.Truncate(time.Minute).Add(time.Minute).UnixNano()
			for i := range gms {
				sr := g.srs[i]
				for back := range int64(4) {
					end := newest - back*int64(time.Minute)
					for width := int64(1); width <= 3; width++ {
						start := end - width*int64(time.Minute)
						set, ok := g.soleQueued(sr, start, end)
						if !ok {
							declined++
							continue
						}
						answered++
						for _, stat := range stats {
							got, gotOK := set.value(stat)
							want, wantOK := s.rawWindow(sr, stat, start, end, noCutoff)
							if got != want || gotOK != wantOK {
								rt.Fatalf("row %d, series %d, %v of [%v, %v): soleQueued gives %v %v, rawWindow %v %v",
									step, i, stat, time.Duration(start-t0.UnixNano()), time.Duration(end-t0.UnixNano()), got, gotOK, want, wantOK)
							}
						}
					}
				}
			}
		}
	})
	if answered == 0 || declined == 0 {
		t.Fatalf("soleQueued answered %d windows and declined %d: the property met only one case", answered, declined)
	}
}
