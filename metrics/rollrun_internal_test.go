package metrics

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestRollUpInMatchesRollUp holds the run a group's takeTo rolls up in
// line (rollRun, then rollUpIn while it accepts, rollUp and a new run
// when it does not) to rollUp called for every sample, the oracle: two
// series of one random store (raw retention, one to three rollups whose
// retention need not be a multiple of their resolution) take the same
// random samples (mostly newer than the last, some equal or older, some
// far ahead, single samples and sets), sometimes with raw samples held,
// and must end in the same state, bucket by bucket: every statistic set,
// every bucket's newest timestamp, base, complete and eviction instant,
// the raw samples, latest, complete and the count of late samples.
func TestRollUpInMatchesRollUp(t *testing.T) {
	tiers := [][]Rollup{
		{},
		{{Resolution: time.Hour, Retention: 24 * time.Hour}},
		{{Resolution: time.Minute, Retention: 7 * time.Minute}, {Resolution: 5 * time.Minute, Retention: 47 * time.Minute}},
		{{Resolution: 10 * time.Second, Retention: 95 * time.Second}, {Resolution: time.Minute, Retention: 30 * time.Minute}, {Resolution: time.Hour, Retention: 3 * time.Hour}},
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	rapid.Check(t, func(rt *rapid.T) {
		s, err := NewStore(Config{RawRetention: time.Duration(rapid.IntRange(1, 90).Draw(rt, "rawMinutes")) * time.Minute,
			Rollups: tiers[rapid.IntRange(0, len(tiers)-1).Draw(rt, "tiers")]})
		if err != nil {
			rt.Fatal(err)
		}
		oracle, err := s.lookupOrCreate(Metric{Namespace: "Test", Name: "oracle"})
		if err != nil {
			rt.Fatal(err)
		}
		run, err := s.lookupOrCreate(Metric{Namespace: "Test", Name: "run"})
		if err != nil {
			rt.Fatal(err)
		}
		ts := t0
		lo, hi := run.rollRun()
		for step := range rapid.IntRange(1, 400).Draw(rt, "samples") {
			switch rapid.IntRange(0, 19).Draw(rt, "when") {
			case 0: // the same instant again
			case 1:
				ts -= int64(rapid.IntRange(1, 600).Draw(rt, "back")) * int64(time.Second)
			case 2:
				ts += int64(rapid.IntRange(1, 180).Draw(rt, "aheadMinutes")) * int64(time.Minute)
			default:
				ts += int64(rapid.IntRange(1, 90).Draw(rt, "gapSeconds")) * int64(time.Second)
			}
			v := float64(rapid.IntRange(-50, 100).Draw(rt, "v"))
			set := statSet{count: 1, sum: v, min: v, max: v}
			if rapid.IntRange(0, 4).Draw(rt, "set") == 0 {
				set = statSet{count: 3, sum: 3 * v, min: v - 1, max: v + 2}
			}
			if rapid.IntRange(0, 29).Draw(rt, "raw") == 0 { // a raw sample, as a read that made the series take a row leaves
				oracle.put(ts, set)
				run.put(ts, set)
				lo, hi = run.rollRun()
				continue
			}
			oracle.rollUp(ts, set)
			if !run.rollUpIn(ts, set, lo, hi) {
				run.rollUp(ts, set)
				lo, hi = run.rollRun()
			}
			if d := cmp.Diff(state(oracle), state(run)); d != "" {
				rt.Fatalf("sample %d at %v: the run differs from rollUp (-rollUp +run):\n%s", step, time.Duration(ts-t0), d)
			}
		}
	})
}

// state is everything of a series that rollUp and put change, as text.
func state(sr *series) string {
	out := fmt.Sprintf("latest %d complete %d late %d raw", sr.latest, sr.complete, sr.late)
	for i := range sr.raw.len() {
		out += fmt.Sprintf(" %+v", *sr.raw.at(i))
	}
	out += fmt.Sprintf(" (capacity %d)", len(sr.raw.buf))
	for _, tr := range sr.tiers {
		out += fmt.Sprintf("\ntier %v: complete %d evictAt %d base %d capacity %d buckets", time.Duration(tr.resolution), tr.complete, tr.evictAt, tr.base, len(tr.buckets.buf))
		for i := range tr.buckets.len() {
			out += fmt.Sprintf(" %+v", *tr.buckets.at(i))
		}
	}
	return out
}

// TestTakeToMatchesRollUp holds a group's takeTo, which rolls an hour of
// rows up in line, to the samples it takes written one by one, the
// oracle: each rolled up (rollUp) when older than the cut takeTo uses
// (retiredBefore), else put. A one-series group (single samples or sets)
// of a random store queues up to 15 rows at a time (fewer than make it
// take rows to make room), mostly a minute or less apart, some at the
// same instant, some hours ahead; the series then takes the oldest of
// them (as a queue making room does) and the rest, and must be in the
// oracle series' state after each.
func TestTakeToMatchesRollUp(t *testing.T) {
	tiers := [][]Rollup{
		{},
		{{Resolution: time.Hour, Retention: 24 * time.Hour}},
		{{Resolution: 5 * time.Minute, Retention: 47 * time.Minute}},
		{{Resolution: time.Minute, Retention: 7 * time.Minute}, {Resolution: 5 * time.Minute, Retention: 47 * time.Minute}},
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(rt *rapid.T) {
		s, err := NewStore(Config{RawRetention: time.Duration(rapid.IntRange(1, 30).Draw(rt, "rawMinutes")) * time.Minute,
			Rollups: tiers[rapid.IntRange(0, len(tiers)-1).Draw(rt, "tiers")]})
		if err != nil {
			rt.Fatal(err)
		}
		sets := rapid.Bool().Draw(rt, "sets")
		g, err := s.Group(GroupMetric{Metric: Metric{Namespace: "Test", Name: "run"}, StatisticSets: sets})
		if err != nil {
			rt.Fatal(err)
		}
		oracle, err := s.lookupOrCreate(Metric{Namespace: "Test", Name: "oracle"})
		if err != nil {
			rt.Fatal(err)
		}
		type sample struct {
			ts  int64
			set statSet
		}
		at := start
		for step := range rapid.IntRange(1, 40).Draw(rt, "takes") {
			var queued []sample
			for range rapid.IntRange(1, 15).Draw(rt, "rows") {
				switch rapid.IntRange(0, 19).Draw(rt, "when") {
				case 0: // the same instant: a new row
				case 1:
					at = at.Add(time.Duration(rapid.IntRange(1, 5).Draw(rt, "aheadHours")) * time.Hour)
				default:
					at = at.Add(time.Duration(rapid.IntRange(1, 90).Draw(rt, "gapSeconds")) * time.Second)
				}
				v := float64(rapid.IntRange(-50, 100).Draw(rt, "v"))
				set := statSet{count: 1, sum: v, min: v, max: v}
				if sets {
					set = statSet{count: 3, sum: 3 * v, min: v - 1, max: v + 2}
					err = g.PutStatisticSet(0, at, StatisticSet{SampleCount: set.count, Sum: set.sum, Minimum: set.min, Maximum: set.max})
				} else {
					err = g.Put(0, at, v)
				}
				if err != nil {
					rt.Fatal(err)
				}
				queued = append(queued, sample{at.UnixNano(), set})
			}
			// The oldest rows first, as a queue making room takes them,
			// then the rest.
			first := g.first
			for _, upto := range []int{first + rapid.IntRange(0, len(queued)).Draw(rt, "part"), g.next} {
				from := max(g.slots[0].taken, g.first)
				cut, _ := g.retiredBefore(0, from)
				for _, q := range queued[from-first : upto-first] {
					if q.ts < cut {
						oracle.rollUp(q.ts, q.set)
					} else {
						oracle.put(q.ts, q.set)
					}
				}
				if upto == g.next {
					g.take(0)
				} else {
					g.takeTo(0, upto)
				}
				if d := cmp.Diff(state(oracle), state(g.srs[0])); d != "" {
					rt.Fatalf("take %d of rows to %d: the group's series differs from the samples written one by one (-oracle +group):\n%s", step, upto-first, d)
				}
			}
		}
	})
}
