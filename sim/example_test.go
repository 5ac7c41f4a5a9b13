package sim_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// A simulation runs closures at virtual instants; an hour passes in no time.
func Example() {
	s, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		panic(err)
	}
	s.After(90*time.Second, func() { fmt.Println(s.Now().Format("15:04:05"), "task RUNNING") })
	timeout := s.After(10*time.Minute, func() { fmt.Println("never printed") })
	s.After(5*time.Minute, func() {
		fmt.Println(s.Now().Format("15:04:05"), "request done; stopping its timeout:", timeout.Stop())
	})
	if err := s.RunFor(time.Hour); err != nil {
		panic(err)
	}
	fmt.Println(s.Now().Format("15:04:05"), "events run:", s.Executed())
	// Output:
	// 00:01:30 task RUNNING
	// 00:05:00 request done; stopping its timeout: true
	// 01:00:00 events run: 2
}

// Components register event kinds once and schedule them without allocating.
func ExampleSim_Handle() {
	s, _ := sim.New(sim.Config{})
	var tick sim.Kind
	tick = s.Handle("metrics-tick", sim.PhaseMetrics, func(n uint64) {
		fmt.Printf("sample %d at %s\n", n, s.Elapsed())
		if n < 3 {
			s.Schedule(tick, time.Minute, n+1)
		}
	})
	s.Schedule(tick, time.Minute, 1)
	_ = s.Run()
	// Output:
	// sample 1 at 1m0s
	// sample 2 at 2m0s
	// sample 3 at 3m0s
}
