package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLookAheadAsksInStages holds lookAhead to its pipeline: an event's
// kind's prefetch function is asked for its argument when it is second
// next (deep false) and again when it is next (deep true), not for a
// stopped event, and not for one pushed after the peeks; and the events
// run as they would without prefetch functions.
func TestLookAheadAsksInStages(t *testing.T) {
	run := func(prefetch bool) (ran, asked []string, trace uint64) {
		s, err := New(Config{})
		if err != nil {
			t.Fatal(err)
		}
		var stop Timer
		var k Kind
		k = s.Handle("work", PhaseLifecycle, func(arg uint64) {
			ran = append(ran, fmt.Sprint(arg))
			switch arg {
			case 2: // pushes an event ahead of those already peeked
				s.Schedule(k, 0, 100)
			case 3:
				stop.Stop()
			}
		})
		if prefetch {
			s.setPrefetch(k, func(arg uint64, deep bool) {
				asked = append(asked, fmt.Sprint(arg, deep))
			})
		}
		for i := range uint64(8) {
			tm := s.Schedule(k, time.Duration(i)*time.Second, i)
			if i == 6 {
				stop = tm
			}
		}
		if err := s.Run(); err != nil {
			t.Fatal(err)
		}
		return ran, asked, s.TraceHash()
	}
	ran, asked, trace := run(true)
	ran0, _, trace0 := run(false)
	if diff := cmp.Diff(ran0, ran); diff != "" || trace != trace0 {
		t.Errorf("prefetch functions changed the run (-without +with):\n%s\ntrace %x, without %x", diff, trace, trace0)
	}
	// Before each event runs, lookAhead asks for the second event after
	// it (deep false), then the first (deep true). Events 0 to 7 run a
	// second apart; 2 pushes 100 at its own instant, ahead of 3; 3 stops 6,
	// whose entry stays queued, skipped, until it is popped.
	want := []string{
		"2 false", "1 true", // before 0
		"3 false", "2 true", // before 1
		"4 false", "3 true", // before 2
		"4 false", "3 true", // before 100, which was never asked for: pushed after the peeks
		"5 false", "4 true", // before 3
		"5 true",  // before 4: 6 is stopped
		"7 false", // before 5: 6, next, is stopped; 7 is never asked deep
		// before 7: nothing after it
	}
	if diff := cmp.Diff(want, asked); diff != "" {
		t.Errorf("asked (-want +got):\n%s", diff)
	}
}
