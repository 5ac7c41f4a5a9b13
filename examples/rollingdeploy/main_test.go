package main

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/sim"
)

// TestWorkedExampleF_BestPracticesWalkthrough holds the walk-through to the
// ECS best-practices guide tells it (https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/service-options.html):
// 6 tasks, room for 8, maximumPercent 200.
//
//	min 100: start 2 new, stop 2 old, start 2, stop 2, start 2, stop the last 2
//	min 50:  stop 3 old, start 5 new, stop the remaining 3 old, start the last new
//
// Starts are of the new revision and stops of the old one; healthy tasks
// never fall below ceil(6 × min / 100) (minimumHealthyPercent rounds up) and reach it (the guide's
// first moves leave exactly 6 and 3 serving); the cluster never holds more
// than its 8 tasks. Several seeds, since placement draws at random.
func TestWorkedExampleF_BestPracticesWalkthrough(t *testing.T) {
	want := []struct {
		minPct     int
		batches    []string
		minHealthy int // ceil(6 × minPct / 100)
		// completed: every round of new tasks takes ContainerStart (2 s,
		// the image is cached) plus the 40 s after RUNNING before they
		// count as healthy, and old tasks exit at once; min 100 needs three
		// rounds, min 50 two (the 5, then the last 1).
		completed time.Duration
	}{
		{100, []string{"start 2", "stop 2", "start 2", "stop 2", "start 2", "stop 2"}, 6, 3 * 42 * time.Second},
		{50, []string{"stop 3", "start 5", "stop 3", "start 1"}, 3, 2 * 42 * time.Second},
	}
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			wt, err := run(seed, 0)
			if err != nil {
				t.Fatal(err)
			}
			if wt.Room != 8 {
				t.Errorf("room for %d tasks, the guide's cluster has room for 8", wt.Room)
			}
			if len(wt.Deployments) != len(want) {
				t.Fatalf("%d deployments, want %d", len(wt.Deployments), len(want))
			}
			for i, w := range want {
				d := wt.Deployments[i]
				if d.MinimumHealthyPercent != w.minPct {
					t.Fatalf("deployment %d has minimumHealthyPercent %d, want %d", i, d.MinimumHealthyPercent, w.minPct)
				}
				var got []string
				for _, b := range d.Batches {
					got = append(got, b.String())
					wantRev := d.To
					if b.Verb == "stop" {
						wantRev = d.From
					}
					if !cmp.Equal(b.Revisions, []int{wantRev}) {
						t.Errorf("min %d: %v moved revisions %v, want only %d", w.minPct, b, b.Revisions, wantRev)
					}
				}
				if diff := cmp.Diff(w.batches, got); diff != "" {
					t.Errorf("min %d: batches (-guide +simulated):\n%s", w.minPct, diff)
				}
				if d.FewestHealthy != w.minHealthy {
					t.Errorf("min %d: fewest healthy tasks %d, want exactly ceil(6 × %d %%) = %d", w.minPct, d.FewestHealthy, w.minPct, w.minHealthy)
				}
				if d.MostTasks > 8 {
					t.Errorf("min %d: %d tasks at once on a cluster with room for 8", w.minPct, d.MostTasks)
				}
				if d.Completed != w.completed {
					t.Errorf("min %d: completed after %v, want %v", w.minPct, d.Completed, w.completed)
				}
				last := d.Timeline[len(d.Timeline)-1]
				if !cmp.Equal(last.Counts, []revisionCount{{Revision: d.To, Healthy: 6}}) {
					t.Errorf("min %d: the deployment ends with %v, want 6 healthy tasks of revision %d", w.minPct, last.Counts, d.To)
				}
			}
		})
	}
}

// TestDeregistrationDelayStretchesTheWalkthrough adds the 300 s
// deregistration delay the guide quotes (also ELB's default): old tasks
// hold their room while they drain. The min 100 deployment keeps the
// guide's batches, and each of its three rounds takes the 42 s to healthy
// new tasks plus the 300 s drain of the old tasks they replace, 17m6s in
// all. The guide gives no batches for min 50 with draining; that deployment
// must still keep ceil(6 × 50 %) = 3 tasks healthy, never exceed the room
// for 8, and complete.
func TestDeregistrationDelayStretchesTheWalkthrough(t *testing.T) {
	wt, err := run(1, 300*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	d100, d50 := wt.Deployments[0], wt.Deployments[1]
	var got []string
	for _, b := range d100.Batches {
		got = append(got, b.String())
	}
	if diff := cmp.Diff([]string{"start 2", "stop 2", "start 2", "stop 2", "start 2", "stop 2"}, got); diff != "" {
		t.Errorf("min 100 with draining: batches (-guide +simulated):\n%s", diff)
	}
	if want := 3 * (42*time.Second + 300*time.Second); d100.Completed != want {
		t.Errorf("min 100 with draining completed after %v, want %v", d100.Completed, want)
	}
	if d100.FewestHealthy != 6 || d50.FewestHealthy < 3 {
		t.Errorf("fewest healthy tasks %d (min 100) and %d (min 50), want 6 and at least 3", d100.FewestHealthy, d50.FewestHealthy)
	}
	if d100.MostTasks > 8 || d50.MostTasks > 8 {
		t.Errorf("most tasks %d and %d on a cluster with room for 8", d100.MostTasks, d50.MostTasks)
	}
}

// TestClusterHoldsExactlyEightTasks checks the set-up against the
// simulator's own placement rather than the room arithmetic: with the 6
// service tasks running, two more tasks of the same size fit and a third
// does not.
func TestClusterHoldsExactlyEightTasks(t *testing.T) {
	sc, _, err := newScenario(1, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	out, err := sc.w.RunTask(sim.RunTaskInput{Cluster: sc.c.Name(), TaskDefinition: family + ":1", Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 2 || len(out.Failures) != 1 {
		t.Errorf("RunTask of 3 beside the service's 6 placed %d and failed %d, want 2 and 1", len(out.Tasks), len(out.Failures))
	}
}

func TestParseTaskEvent(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		verb string
		ids  []string
	}{
		{"(service web) has started 2 tasks: (task 0a1b) (task 2c3d).", "start", []string{"0a1b", "2c3d"}},
		{"has started 1 tasks: (task ff00).", "start", []string{"ff00"}},
		{"(service web) has stopped 3 running tasks: (task a) (task b) (task c).", "stop", []string{"a", "b", "c"}},
		{"(service web) has reached a steady state.", "", nil},
		{"(service web) (deployment ecs-svc/123) deployment completed.", "", nil},
		{"has started", "", nil},
		{"", "", nil},
	} {
		verb, ids := parseTaskEvent(tc.msg)
		if verb != tc.verb || !cmp.Equal(ids, tc.ids) {
			t.Errorf("parseTaskEvent(%q) = %q, %q; want %q, %q", tc.msg, verb, ids, tc.verb, tc.ids)
		}
	}
}

func TestShortenKeepsTheGistOfOtherEvents(t *testing.T) {
	var sc scenario // no world needed: these events name no tasks
	for _, tc := range []struct{ msg, want string }{
		{"(service web) has reached a steady state.", "has reached a steady state"},
		{"(service web) (deployment ecs-svc/0123456789) deployment completed.", "deployment completed"},
		{"(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 00ff) has insufficient memory available. For more information, see the Troubleshooting section.",
			"was unable to place a task: insufficient memory available"},
	} {
		if got := sc.shorten(tc.msg); got != tc.want {
			t.Errorf("shorten(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}

func TestRevisionCountString(t *testing.T) {
	for _, tc := range []struct {
		c    revisionCount
		want string
	}{
		{revisionCount{}, "-"},
		{revisionCount{Healthy: 6}, "6 healthy"},
		{revisionCount{Pending: 1, Running: 2, Healthy: 3, Stopping: 4}, "1 pending, 2 running, 3 healthy, 4 stopping"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.c, got, tc.want)
		}
	}
}

// TestWalkthroughIsDeterministic: the same seed prints the same report.
func TestWalkthroughIsDeterministic(t *testing.T) {
	var out [2]bytes.Buffer
	for i := range out {
		wt, err := run(9, 0)
		if err != nil {
			t.Fatal(err)
		}
		report(&out[i], wt)
	}
	if diff := cmp.Diff(out[0].String(), out[1].String()); diff != "" {
		t.Errorf("two runs with seed 9 differ:\n%s", diff)
	}
}

// The batches of both deployments, as the best-practices guide documents
// them (https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/service-options.html).
func Example() {
	wt, err := run(1, 0)
	if err != nil {
		panic(err)
	}
	for _, d := range wt.Deployments {
		fmt.Printf("min %d %%: %s\n", d.MinimumHealthyPercent, joinStrings(d.Batches))
	}
	// Output:
	// min 100 %: start 2, stop 2, start 2, stop 2, start 2, stop 2
	// min 50 %: stop 3, start 5, stop 3, start 1
}
