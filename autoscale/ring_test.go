package autoscale

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// naiveHistory is the reference: every activity pushed, as it was.
type naiveHistory []Activity

func (h naiveHistory) last(n int) []Activity {
	if n > 0 && len(h) > n {
		return h[len(h)-n:]
	}
	return h
}

// randomActivity is an activity a minute after prev's: mostly a
// Controller's (standard description and status), sometimes with texts of
// its own, empty texts, or a scheduled action.
func randomActivity(rng *rand.Rand, at time.Time) Activity {
	to := rng.IntN(200) - 5
	a := Activity{Time: at, Policy: "cpu60", From: rng.IntN(100), To: to,
		Cause:         fmt.Sprintf("monitor alarm %s in state ALARM triggered policy cpu60", strings.Repeat("h", rng.IntN(80))),
		Description:   fmt.Sprintf("Setting desired count to %d.", to),
		StatusMessage: fmt.Sprintf("Successfully set desired count to %d. Change successfully fulfilled by ecs.", to)}
	switch rng.IntN(8) {
	case 0:
		a.Policy, a.ScheduledAction = "", "nightly"
	case 1:
		a.Description = fmt.Sprintf("Setting desired count to %d.", to+1) // not the standard one for To
	case 2:
		a.StatusMessage = "Failed to set desired count to " + fmt.Sprint(to) + "."
	case 3:
		a.Cause, a.Description = "", ""
	case 4:
		a.Description = "Setting desired count to ." // the head and tail, no number
	}
	return a
}

// TestRingMatchesNaiveHistory pushes 2,000 random activities, a minute
// apart, into rings of limits 1, 2, 20 and 100, and after each compares
// the ring's items with the last limit of a naive history, field for
// field. A second pass switches each ring to plain Activity values
// halfway (an activity in another Location), which must not change what
// it returns.
func TestRingMatchesNaiveHistory(t *testing.T) {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	other := time.FixedZone("UTC+1", 3600)
	for _, switchAt := range []int{-1, 1000} {
		for _, limit := range []int{1, 2, 20, 100} {
			rng := rand.New(rand.NewPCG(uint64(limit), 9))
			r := ring{limit: limit}
			var h naiveHistory
			for i := range 2000 {
				at := start.Add(time.Duration(i) * time.Minute)
				if i == switchAt {
					at = at.In(other)
				}
				a := randomActivity(rng, at)
				r.push(a)
				h = append(h, a)
				if got, want := r.items(), h.last(limit); !reflect.DeepEqual(got, want) {
					t.Fatalf("switch at %d, limit %d, after %d activities:\n got %+v\nwant %+v", switchAt, limit, i+1, got, want)
				}
			}
			if plain := r.plain != nil; plain != (switchAt >= 0) {
				t.Errorf("switch at %d, limit %d: plain is %v", switchAt, limit, plain)
			}
		}
	}
}

// TestRingEntriesHoldNoPointers: a history entry has no pointer for the
// collector to scan, and a Controller's activity costs no allocation in a
// full ring.
func TestRingEntriesHoldNoPointers(t *testing.T) {
	for i := range reflect.TypeFor[histEntry]().NumField() {
		f := reflect.TypeFor[histEntry]().Field(i)
		switch f.Type.Kind() {
		case reflect.Int, reflect.Int64, reflect.Bool, reflect.Array:
			if f.Type.Kind() == reflect.Array && f.Type.Elem().Kind() != reflect.Int32 {
				t.Errorf("histEntry.%s is %v", f.Name, f.Type)
			}
		default:
			t.Errorf("histEntry.%s is %v, which may hold a pointer", f.Name, f.Type)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	r := ring{limit: 20}
	var as []Activity
	for i := range 100 {
		a := randomActivity(rng, start.Add(time.Duration(i)*time.Minute))
		a.Description, a.StatusMessage = fmt.Sprintf("Setting desired count to %d.", a.To), fmt.Sprintf("Successfully set desired count to %d. Change successfully fulfilled by ecs.", a.To)
		as = append(as, a)
	}
	for _, a := range as { // grow the buffers
		r.push(a)
	}
	i := 0
	if n := testing.AllocsPerRun(100, func() { r.push(as[i%len(as)]); i++ }); n != 0 {
		t.Errorf("a push into a full ring allocates %v times", n)
	}
}
