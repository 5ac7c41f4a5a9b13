package sim

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// hasPointers reports whether a value of type t holds a pointer the
// collector would scan.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.Map, reflect.Chan, reflect.Func,
		reflect.Interface, reflect.Slice, reflect.String:
		return true
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// TestRetainedRecordsHoldNoPointers: the records a long run keeps per
// service are laid out without pointers, so the collector skips their
// arrays whole. A pointer (a time.Time, a string) added to one of them
// fails this test.
func TestRetainedRecordsHoldNoPointers(t *testing.T) {
	for _, v := range []any{periodRecord{}, eventEntry{}, worldEvent{}} {
		if typ := reflect.TypeOf(v); hasPointers(typ) {
			t.Errorf("%v holds a pointer", typ)
		}
	}
	if !hasPointers(reflect.TypeOf(Period{})) || !hasPointers(reflect.TypeOf(ServiceEvent{})) {
		t.Fatal("hasPointers finds no pointer in Period or ServiceEvent")
	}
}

// TestPeriodLogKeepsPeriods adds 200 periods with every field random, an
// hour apart from a start in a zone with an offset, to logs keeping 0
// (all), 1, 24 and 500, and checks that Periods gives back the last ones
// equal, field for field (time.Time's Location and all), to those added.
func TestPeriodLogKeepsPeriods(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	zone := time.FixedZone("UTC-7", -7*3600)
	for _, start := range []time.Time{time.Date(2026, 3, 8, 1, 0, 0, 0, zone), time.Date(1995, 7, 13, 4, 0, 0, 0, time.UTC)} {
		for _, limit := range []int{0, 1, 24, 500} {
			var l periodLog
			var added []Period
			for i := range 200 {
				p := Period{
					Start: start.Add(time.Duration(i)*time.Hour + time.Duration(rng.IntN(1e9))), Length: time.Duration(rng.Int64()),
					Counters: WorkloadCounters{Arrived: rng.Int64(), Served: rng.Int64(), NoTarget: rng.Int64(), Rejected: rng.Int64(),
						TimedOut: rng.Int64(), Aborted: rng.Int64(), InFlight: rng.Int64(), InFlightSeconds: rng.Float64(), SojournSeconds: rng.Float64()},
					P50: time.Duration(rng.Int64()), P90: time.Duration(rng.Int64()), P99: time.Duration(rng.Int64()), Mean: time.Duration(rng.Int64()),
					MeanTasks: rng.Float64(), MaxTasks: rng.Int(), CPUUtilization: rng.Float64(), MemoryUtilization: rng.Float64(),
				}
				added = append(added, p)
				l.add(p, limit)
			}
			want := added
			if limit > 0 && len(want) > limit {
				want = want[len(want)-limit:]
			}
			got := l.items()
			if len(got) != len(want) {
				t.Fatalf("start %v, limit %d: %d periods, want %d", start, limit, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] || got[i].Start.Location() != want[i].Start.Location() {
					t.Fatalf("start %v, limit %d, period %d:\n got %+v\nwant %+v", start, limit, i, got[i], want[i])
				}
			}
		}
	}
}
