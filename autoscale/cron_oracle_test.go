package autoscale

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// cronSpec is a cron expression drawn as plain value sets, so a naive
// matcher can check a time against the sets directly, without the parser.
type cronSpec struct {
	minutes, hours, doms, months, dows []int // nil means "*"
	domQuestion                        bool
}

func (s cronSpec) field(vals []int) string {
	if vals == nil {
		return "*"
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}

func (s cronSpec) String() string {
	dom, dow := s.field(s.doms), "?"
	if s.domQuestion {
		dom, dow = "?", s.field(s.dows)
	}
	return fmt.Sprintf("cron(%s %s %s %s %s *)", s.field(s.minutes), s.field(s.hours), dom, s.field(s.months), dow)
}

func in(vals []int, v int) bool { return vals == nil || slices.Contains(vals, v) }

// dayMatches and matches are the naive reference: does the wall-clock
// day, and then the minute, of w match?
func (s cronSpec) dayMatches(w time.Time) bool {
	day := in(s.doms, w.Day())
	if s.domQuestion {
		day = in(s.dows, int(w.Weekday())+1)
	}
	return in(s.months, int(w.Month())) && day
}

func (s cronSpec) matches(w time.Time) bool {
	return s.dayMatches(w) && in(s.minutes, w.Minute()) && in(s.hours, w.Hour())
}

// naiveNext scans minute by minute, jumping to the next local midnight
// when a day does not match (valid in zones without daylight saving, the
// only ones it is used with); horizon bounds the scan.
func naiveNext(s cronSpec, loc *time.Location, after time.Time, horizon time.Duration) (time.Time, bool) {
	t := after.Truncate(time.Minute).Add(time.Minute)
	for end := after.Add(horizon); t.Before(end); {
		w := t.In(loc)
		if !s.dayMatches(w) {
			t = time.Date(w.Year(), w.Month(), w.Day()+1, 0, 0, 0, 0, loc)
			continue
		}
		if s.matches(w) {
			return t, true
		}
		t = t.Add(time.Minute)
	}
	return time.Time{}, false
}

func drawSet(t *rapid.T, label string, lo, hi int) []int {
	if rapid.IntRange(0, 3).Draw(t, label+"Star") == 0 {
		return nil
	}
	vals := rapid.SliceOfNDistinct(rapid.IntRange(lo, hi), 1, 4, func(v int) int { return v }).Draw(t, label)
	slices.Sort(vals)
	return vals
}

// TestPropertyCronNextMatchesNaiveScan holds Cron.Next to a minute-by-
// minute scan on random expressions, in UTC and in a zone with a
// half-hour offset and no daylight saving. Days of month stay ≤ 28 so every
// expression fires within a year, inside the scan's horizon.
func TestPropertyCronNextMatchesNaiveScan(t *testing.T) {
	kolkata, err := LoadTimezone("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		s := cronSpec{
			minutes:     drawSet(t, "minutes", 0, 59),
			hours:       drawSet(t, "hours", 0, 23),
			domQuestion: rapid.Bool().Draw(t, "domQuestion"),
		}
		if s.domQuestion {
			s.dows = drawSet(t, "dows", 1, 7)
		} else {
			s.doms = drawSet(t, "doms", 1, 28)
		}
		if rapid.Bool().Draw(t, "months") {
			start := rapid.IntRange(1, 12).Draw(t, "month")
			s.months = []int{start, start%12 + 1}
			slices.Sort(s.months)
		}
		loc := rapid.SampledFrom([]*time.Location{time.UTC, kolkata}).Draw(t, "loc")
		c, err := ParseSchedule(s.String(), loc)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		after := t0.Add(time.Duration(rapid.Int64Range(0, int64(400*24*time.Hour)).Draw(t, "after")))
		for range 3 {
			want, wok := naiveNext(s, loc, after, 400*24*time.Hour)
			got, gok := c.Next(after)
			if !wok {
				t.Fatalf("%s: naive scan found nothing within 400 days of %v", s, after)
			}
			if !gok || !got.Equal(want) {
				t.Fatalf("%s in %v: Next(%v) = %v, %v; the scan says %v", s, loc, after, got, gok, want)
			}
			after = got
		}
	})
}

// BenchmarkCronNext compares Cron.Next with the naive minute-by-minute
// scan on a weekday-evening schedule asked on a Friday night (the answer
// is Monday evening, 3 days on).
func BenchmarkCronNext(b *testing.B) {
	s := cronSpec{minutes: []int{0}, hours: []int{18}, domQuestion: true, dows: []int{2, 3, 4, 5, 6}}
	c, err := ParseSchedule(s.String(), time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	after := time.Date(2026, 1, 9, 18, 0, 0, 0, time.UTC) // Friday
	var sink time.Time
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = c.Next(after)
		}
	})
	b.Run("naive-scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink, _ = naiveNext(s, time.UTC, after, 70*24*time.Hour)
		}
	})
	if sink.IsZero() {
		b.Fatal("no next run")
	}
}
