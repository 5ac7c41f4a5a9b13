package sim_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// ExampleWorld_Retry: ECS accepts 20 RunTask calls a second, burst and
// sustained. After one call, 19 of 60 more at the same instant are
// accepted and 41 throttled, each told the bucket holds a token again in
// 1/20 s. A second later, 60 calls through World.Retry (the AWS SDKs'
// jittered exponential backoff, here up to 8 attempts each) all start
// their task, in 107 calls.
func ExampleWorld_Retry() {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, _ := sim.NewWorld(s, sim.WorldConfig{})
	w.CreateCluster("batch")
	w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "job", CPU: 256, MemoryMiB: 512, NetworkMode: sim.AWSVPC,
		Containers: []sim.ContainerDefinition{{Name: "job", Image: "job:1"}},
	})
	in := sim.RunTaskInput{Cluster: "batch", TaskDefinition: "job", LaunchType: sim.Fargate}

	_, err := w.RunTask(in)
	fmt.Println("one call:", err)
	throttled := 0
	for range 60 {
		if _, err := w.RunTask(in); errors.Is(err, sim.ErrThrottled) {
			throttled++
		}
	}
	after, _ := sim.RetryAfter(func() error { _, err := w.RunTask(in); return err }())
	fmt.Println("of 60 more at the same instant,", throttled, "throttled; retry after", after)

	s.RunFor(time.Second) // the bucket refills
	ok, attempts := 0, 0
	for range 60 {
		w.Retry(sim.RetryPolicy{MaxAttempts: 8}, func() error {
			_, err := w.RunTask(in)
			return err
		}, func(err error, n int) {
			if err == nil {
				ok++
			}
			attempts += n
		})
	}
	s.RunFor(time.Minute)
	fmt.Printf("with retries: %d of 60 started, %d calls in all\n", ok, attempts)
	// Output:
	// one call: <nil>
	// of 60 more at the same instant, 41 throttled; retry after 50ms
	// with retries: 60 of 60 started, 107 calls in all
}
